"""Indonesian is complete: every marked string is in the catalogue, translated, not fuzzy, and
compiled; English (the source language) needs no translation."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ["spbe_portal", "agencies", "assessments", "documents", "meetings", "reports", "dashboards", "templates", "locale"]


def read_po(path):
    """{(msgctxt, msgid): (msgstrs, flags)} of a .po file, without the header."""
    entries, current, field, flags = {}, {}, None, set()

    def finish():
        if "msgid" in current and current["msgid"]:
            strs = {k: v for k, v in current.items() if k.startswith("msgstr")}
            entries[(current.get("msgctxt"), current["msgid"])] = (strs, set(flags))

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            finish()
            current, field, flags = {}, None, set()
        elif line.startswith("#,"):
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    return entries


def test_every_indonesian_string_is_translated_and_not_fuzzy():
    entries = read_po(CATALOGUE)
    assert len(entries) > 100
    untranslated = [msgid for (_, msgid), (strs, _) in entries.items() if not all(strs.values())]
    fuzzy = [msgid for (_, msgid), (_, flags) in entries.items() if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_its_source():
    with open(CATALOGUE.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    for (context, msgid), (strs, _) in read_po(CATALOGUE).items():
        key = f"{context}\x04{msgid}" if context else msgid
        for field, text in strs.items():
            index = field.partition("[")[2].rstrip("]")
            found = compiled.get((key, int(index)) if index else key)
            assert found == text, f"locale/id .mo is stale for {msgid!r}: run make messages"


def test_catalogue_holds_every_string_marked_in_the_source(tmp_path):
    """makemessages on a copy of the source finds no string the committed catalogue lacks."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext (Debian package gettext) is needed to check the catalogue.")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete"],
        cwd=tmp_path, env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = set(read_po(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    committed = set(read_po(CATALOGUE))
    assert sorted(msgid for _, msgid in fresh - committed) == [], "new strings: run make messages and translate them"


def test_numbers_and_dates_in_indonesian_format():
    from django.utils import formats
    from datetime import date

    with translation.override("id"):
        assert formats.localize(3.23) == "3,23"
        assert formats.number_format(1234.5, 2, use_l10n=True, force_grouping=True) == "1.234,50"
        assert formats.date_format(date(2021, 6, 10), "DATE_FORMAT") == "10 Juni 2021"

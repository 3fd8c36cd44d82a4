"""A regency's evidence files for a period as one ZIP: a folder per indicator code, safe and unique
file names, and a manifest (indicator, level, file, SHA-256, who, when in WIB).

The archive is written into a spooled temporary file: small archives stay in memory, large ones
go to disk, and no file is ever read whole into memory (each is copied in chunks)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import unicodedata
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

SPOOL_BYTES = 8 * 1024 * 1024
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_name(name: str) -> str:
    """A file name every system accepts: no folders, no reserved characters, no trailing dots."""
    name = unicodedata.normalize("NFC", name)
    name = UNSAFE.sub("_", name).strip().strip(".").strip()
    return name[:150] or "berkas"


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2).ext``, ``name (3).ext`` … when a file of that name (in any case)
    is already in the folder."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
    taken.add(candidate.casefold())
    return candidate


def manifest_columns():
    return [_("Indicator"), _("Level"), _("File"), _("Original name"), "SHA-256", _("Size (bytes)"), _("Uploaded by"),
            _("Uploaded at (WIB)")]


def write_archive(evidence_files, target) -> None:
    """Write the ZIP of ``evidence_files`` (Evidence of kind file, with item__indicator and
    uploaded_by loaded) into the binary file ``target``."""
    taken: dict[str, set[str]] = {}
    rows = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for evidence in evidence_files:
            code = safe_name(evidence.item.indicator.code)
            name = unique_name(safe_name(f"L{evidence.level} {evidence.original_name}"), taken.setdefault(code, set()))
            path = f"{code}/{name}"
            # PDFs, images and office files are compressed already: stored as they are, in chunks.
            with evidence.file.open("rb") as source, archive.open(zipfile.ZipInfo(path, date_time=_zip_time(evidence)), "w", force_zip64=True) as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            rows.append([
                evidence.item.indicator.code, evidence.level, path, evidence.original_name, evidence.sha256, evidence.size,
                evidence.uploaded_by.get_full_name() or evidence.uploaded_by.get_username(),
                timezone.localtime(evidence.uploaded_at).strftime("%Y-%m-%d %H:%M"),
            ])
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(manifest_columns())
        writer.writerows(rows)
        archive.writestr("manifest.csv", ("\ufeff" + stream.getvalue()).encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)


def _zip_time(evidence):
    moment = timezone.localtime(evidence.uploaded_at)
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second - moment.second % 2)


def build_archive(evidence_files):
    """The archive in a spooled temporary file, positioned at its start (the caller closes it)."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_archive(evidence_files, target)
    target.seek(0)
    return target

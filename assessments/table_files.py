"""Reading an imported table (CSV or Excel) within bounds of memory, time and meaning.

Every import of rows (published results, and later the national stages' results) reads its file
here: at most ``TableLimits`` rows, columns and characters per cell; an Excel file is read in
streaming mode after its archive passed the bounds of ``assessments.archives``; a CSV with an
unterminated quote or a field spanning lines is refused, not read into one swallowed field. Pure:
bytes in, rows of strings out, or TableFileError with a message for the person who uploaded it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .archives import ArchiveLimitError, ArchiveLimits, open_bounded

MB = 1024 * 1024


@dataclass(frozen=True)
class TableLimits:
    max_bytes: int = 5 * MB
    max_rows: int = 10_000
    max_columns: int = 100
    max_cell_chars: int = 500


IMPORT_LIMITS = TableLimits()
SPREADSHEET_ARCHIVE_LIMITS = ArchiveLimits(max_members=200, max_uncompressed_bytes=100 * MB)


class TableFileError(ValueError):
    pass


def _number(value):
    return f"{value:,}".replace(",", ".")


def read_table(content: bytes, name: str, limits: TableLimits = IMPORT_LIMITS) -> list[list[str]]:
    """Rows of cells (strings) from a CSV (comma, semicolon or tab; UTF-8) or an .xlsx file."""
    if len(content) > limits.max_bytes:
        raise TableFileError(_("The file is %(size)s MB; an import takes at most %(limit)s MB.") % {
            "size": f"{len(content) / MB:.1f}".replace(".", ","), "limit": limits.max_bytes // MB})
    rows = _read_xlsx(content, limits) if name.lower().endswith(".xlsx") else _read_csv(content, limits)
    for number, row in enumerate(rows, start=1):
        for cell in row:
            if len(cell) > limits.max_cell_chars:
                raise TableFileError(_("Row %(row)s holds a cell of %(length)s characters; at most %(limit)s are accepted.") % {
                    "row": number, "length": _number(len(cell)), "limit": _number(limits.max_cell_chars)})
    return rows


def _too_many_rows(limits):
    return TableFileError(_("The file has more than %(limit)s rows: split it.") % {"limit": _number(limits.max_rows)})


def _too_many_columns(limits):
    return TableFileError(_("The file has more than %(limit)s columns.") % {"limit": _number(limits.max_columns)})


def _read_xlsx(content, limits):
    from openpyxl import load_workbook

    try:
        open_bounded(io.BytesIO(content), SPREADSHEET_ARCHIVE_LIMITS).close()
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ArchiveLimitError as error:
        raise TableFileError(str(error)) from None
    except Exception as error:  # openpyxl and zipfile raise many types for a broken file
        raise TableFileError(_("Not a readable Excel file (%(error)s).") % {"error": type(error).__name__}) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own claim of its size first: a file that says it reaches XFD1048576 is refused
        # before a single row is padded out to it.
        if (sheet.max_row or 0) > limits.max_rows + 1:
            raise _too_many_rows(limits)
        if (sheet.max_column or 0) > limits.max_columns:
            raise _too_many_columns(limits)
        rows = []
        for values in sheet.iter_rows(max_row=limits.max_rows + 1, max_col=limits.max_columns, values_only=True):
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(["" if value is None else str(value) for value in values])
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        if isinstance(error, TableFileError):
            raise
        raise TableFileError(_("Not a readable Excel file (%(error)s).") % {"error": type(error).__name__}) from None
    finally:
        workbook.close()


def _read_csv(content, limits):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableFileError(_encoding_message(content)) from None
    lines = text.splitlines()
    if len(lines) > limits.max_rows + 1:
        raise _too_many_rows(limits)
    dialect = _dialect(lines)
    rows = []
    for number, line in enumerate(lines, start=1):
        # One line, one row: a quote left open (or a field spanning lines) would swallow the rows
        # after it into one field, so each line is read on its own and must close what it opens.
        try:
            parsed = list(csv.reader([line], dialect, strict=True))
        except csv.Error:
            raise TableFileError(_("Row %(row)s: a quoted field is not closed on its line (fields may not span lines).") % {"row": number}) from None
        row = parsed[0] if parsed else []
        if len(row) > limits.max_columns:
            raise _too_many_columns(limits)
        rows.append(row)
    return rows


def _dialect(lines, title_rows=20):
    """The CSV dialect, sniffed from the first lines; title rows above the table (as in the
    ministry's published tables) confuse the sniffer, so it tries again from each of the first
    ``title_rows`` lines. Comma-separated when nothing can be told."""
    for skip in range(min(title_rows, len(lines))):
        sample = "\n".join(lines[skip:skip + 50])[:4096]
        if not sample.strip():
            continue
        try:
            return csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            continue
    return csv.excel


def _encoding_message(content):
    """What to tell the person whose CSV is not UTF-8: the encoding it most likely is in."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "UTF-16"
    else:
        try:
            content.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError:
            encoding = "Latin-1 (ISO-8859-1)"
    return _("The file looks like %(encoding)s text; save it as UTF-8 (CSV UTF-8).") % {"encoding": encoding}

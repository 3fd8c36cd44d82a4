"""Importing the national evaluation's published results from CSV or Excel.

Columns (header row; Indonesian names work too): ``agency_code`` (kode_instansi), ``year`` (tahun),
``index`` (indeks), optional ``source`` (sumber), and optionally one column per indicator named by
its code in that year's framework (``1`` … ``47`` or ``I1`` … ``I20``) holding its level. Index and
levels take a decimal point or comma (3.23 or 3,23).

Every row is checked before anything is written; a file with any bad row writes nothing and the
errors name the row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from agencies.models import Agency

from . import table_files
from .models import FrameworkVersion, PublishedResult
from .table_imports import AgencyMatcher, ImportProblem, TableImportError, body_rows, normalise_title

COLUMN_ALIASES = {
    "agency_code": "agency_code", "kode_instansi": "agency_code", "kode": "agency_code",
    "agency": "agency_name", "agency_name": "agency_name", "nama_instansi": "agency_name", "instansi": "agency_name",
    "nama": "agency_name", "nama_pemerintah_daerah": "agency_name",
    "year": "year", "tahun": "year",
    "index": "index", "indeks": "index", "indeks_spbe": "index", "nilai_indeks": "index",
    "predicate": "predicate", "predikat": "predicate",
    "source": "source", "sumber": "source",
    "no": "ignored", "no.": "ignored", "nomor": "ignored",
}
HEADER_SEARCH_ROWS = 20


class PublishedResultsError(TableImportError):
    """The problems of an import of published results, by row and column; nothing was written."""


@dataclass
class ResultRow:
    row: int
    agency: Agency
    year: int
    framework_version: FrameworkVersion
    index: Decimal
    source: str = ""
    levels: dict = field(default_factory=dict)
    existing: PublishedResult | None = None  # the result a correction changes


def read_table(content: bytes, name: str) -> list[list[str]]:
    """Rows of cells from a CSV or .xlsx file, within the bounds of ``table_files``."""
    try:
        return table_files.read_table(content, name)
    except table_files.TableFileError as error:
        raise PublishedResultsError([ImportProblem(0, "-", str(error))]) from None


def _decimal(text):
    try:
        return Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        return None


def _header(rows, year):
    """(position in rows, {key: column}, {indicator title: column}) of the header: the first of the
    first HEADER_SEARCH_ROWS rows naming an agency and an index (and a year, unless given for the
    whole file). Title rows above it, as in the ministry's published tables, are skipped."""
    closest = None  # the row that names most of the required columns, to report what it lacks
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, level_columns = {}, {}
        for column, title in enumerate(cells):
            title = str(title).strip()
            key = COLUMN_ALIASES.get(normalise_title(title))
            if key == "ignored":
                continue
            if key:
                columns.setdefault(key, column)
            elif title:
                level_columns[title] = column
        missing = _missing(columns, year)
        if not missing:
            return position, columns, level_columns
        if closest is None or len(missing) < len(closest[1]):
            closest = (position, missing)
    position, missing = closest
    raise PublishedResultsError([ImportProblem(rows[position][0], key, message) for key, message in missing])


def _missing(columns, year):
    missing = []
    if "agency_code" not in columns and "agency_name" not in columns:
        missing.append(("agency_code", _("missing column (agency_code or nama_instansi)")))
    if "year" not in columns and year is None:
        missing.append(("year", _("missing column (or give the year for the whole file)")))
    if "index" not in columns:
        missing.append(("index", _("missing column")))
    return missing


def validate_rows(table: list[list[str]], *, year: int | None = None, correct: bool = False) -> list[ResultRow]:
    """Check every row; the rows to write, or PublishedResultsError listing every problem.

    ``year`` is the year of every row when the table has no year column (the ministry's tables
    give it in the title). With ``correct`` every row must name a result already imported (to be
    corrected); without it, such a row is refused."""
    problems: list[ImportProblem] = []
    # (spreadsheet row number, cells) of the rows that hold something
    rows = [(number, list(cells)) for number, cells in enumerate(table, start=1) if any(str(cell).strip() for cell in cells)]
    if not rows:
        raise PublishedResultsError([ImportProblem(1, "-", _("the file is empty"))])
    header_position, columns, level_columns = _header(rows, year)

    agencies = AgencyMatcher(Agency.objects.all())
    versions = list(FrameworkVersion.objects.order_by("framework__code", "-number"))
    existing = {(result.agency.code, result.year): result for result in PublishedResult.objects.select_related("agency")}
    seen = {}
    accepted = []
    decimal_comma = _("the index has a decimal comma in a comma-separated file: quote it or use a semicolon-separated file")
    for cell in body_rows(rows, header_position, columns, problems, decimal_key="index", decimal_column="index",
                          decimal_message=decimal_comma):
        number, cells = cell.number, cell.cells
        agency = agencies.match(cell, problems, code_column="agency_code", name_column="agency_name", name_may_be_code=True)
        if "year" in columns:
            year_text = cell("year")
            row_year = int(year_text) if year_text.isdigit() else None
        else:
            year_text, row_year = str(year), year
        version = None
        if row_year is None:
            problems.append(ImportProblem(number, "year", _("not a year: %(value)r") % {"value": year_text}))
        else:
            # The newest loaded version of the framework that covers the year.
            candidates = [v for v in versions if v.covers_year(row_year)]
            version = candidates[0] if candidates else None
            if version is None:
                problems.append(ImportProblem(number, "year", _("no loaded framework covers %(year)s") % {"year": row_year}))
        index = _decimal(cell("index"))
        index_in_scale = False
        if index is None:
            problems.append(ImportProblem(number, "index", _("not a number: %(value)r") % {"value": cell("index")}))
        elif version is not None:
            scale = version.scale
            if not scale.start <= index <= scale.stop - 1:
                problems.append(
                    ImportProblem(number, "index", _("%(index)s is outside the scale %(low)s–%(high)s") % {
                        "index": index, "low": scale.start, "high": scale.stop - 1})
                )
            elif index != index.quantize(Decimal("0.01")):
                problems.append(ImportProblem(number, "index", _("has more than two decimals: %(index)s") % {"index": index}))
            else:
                index_in_scale = True
        if index_in_scale and cell("predicate"):
            expected = version.scoring.predicate_for(index)
            if cell("predicate").casefold() != expected.casefold():
                problems.append(ImportProblem(number, "predicate", _("%(given)r does not match the index %(index)s, whose predicate is %(expected)r") % {
                    "given": cell("predicate"), "index": index, "expected": expected}))
        result = None
        if agency and row_year:
            key = (agency.code, row_year)
            result = existing.get(key)
            if key in seen:
                problems.append(ImportProblem(number, "year", _("%(agency)s %(year)s appears twice (also row %(other)s)") % {
                    "agency": agency.code, "year": row_year, "other": seen[key]}))
            elif result is not None and not correct:
                problems.append(ImportProblem(number, "year", _("%(agency)s already has a published result for %(year)s") % {
                    "agency": agency.code, "year": row_year}))
            elif result is None and correct:
                problems.append(ImportProblem(number, "year", _("%(agency)s has no published result for %(year)s to correct") % {
                    "agency": agency.code, "year": row_year}))
            seen[key] = number
        levels = {}
        if version is not None and level_columns:
            indicator_codes = {node.code for node in version.scoring.indicators()}
            for title, position in level_columns.items():
                if title not in indicator_codes:
                    problems.append(ImportProblem(number, title, _("not an indicator code of %(framework)s") % {"framework": version.name}))
                    continue
                value = str(cells[position]).strip()
                if not value:
                    continue
                level = _decimal(value)
                if level is None or level != level.to_integral_value() or int(level) not in version.scale:
                    problems.append(ImportProblem(number, title, _("level must be a whole number in the scale, not %(value)r") % {"value": value}))
                else:
                    levels[title] = int(level)
        if agency and row_year and version and index is not None:
            accepted.append(ResultRow(number, agency, row_year, version, index, cell("source"), levels, existing=result))
    if problems:
        raise PublishedResultsError(problems)
    return accepted


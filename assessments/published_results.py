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

COLUMN_ALIASES = {
    "agency_code": "agency_code", "kode_instansi": "agency_code", "kode": "agency_code",
    "year": "year", "tahun": "year",
    "index": "index", "indeks": "index", "indeks_spbe": "index",
    "source": "source", "sumber": "source",
}
REQUIRED = ("agency_code", "year", "index")


@dataclass
class ImportProblem:
    row: int  # 1-based, counting the header as row 1 (as a spreadsheet shows it)
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, column %(column)s: %(message)s") % {"row": self.row, "column": self.column, "message": self.message}


MAX_PROBLEMS_SHOWN = 50


class PublishedResultsError(ValueError):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self, limit=MAX_PROBLEMS_SHOWN):
        """The problems to show a person: the first ``limit``, then how many more there are."""
        shown = [str(problem) for problem in self.problems[:limit]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(_("… and %(count)s more problems.") % {"count": f"{hidden:,}".replace(",", ".")})
        return shown


@dataclass
class ResultRow:
    row: int
    agency: Agency
    year: int
    framework_version: FrameworkVersion
    index: Decimal
    source: str = ""
    levels: dict = field(default_factory=dict)


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


def validate_rows(table: list[list[str]]) -> list[ResultRow]:
    """Check every row; the rows to write, or PublishedResultsError listing every problem."""
    problems: list[ImportProblem] = []
    rows = [row for row in table if any(str(cell).strip() for cell in row)]
    if not rows:
        raise PublishedResultsError([ImportProblem(1, "-", _("the file is empty"))])
    header = [str(cell).strip() for cell in rows[0]]
    columns = {}
    level_columns = {}
    for position, title in enumerate(header):
        key = COLUMN_ALIASES.get(title.lower().replace(" ", "_"))
        if key:
            columns[key] = position
        elif title:
            level_columns[title] = position
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise PublishedResultsError([ImportProblem(1, key, _("missing column")) for key in missing])

    agencies = {agency.code: agency for agency in Agency.objects.all()}
    versions = list(FrameworkVersion.objects.order_by("framework__code", "-number"))
    existing = set(PublishedResult.objects.values_list("agency__code", "year"))
    seen = {}
    accepted = []
    for number, cells in enumerate(rows[1:], start=2):
        cells = list(cells) + [""] * (len(header) - len(cells))

        def cell(key):
            return str(cells[columns[key]]).strip()

        agency = agencies.get(cell("agency_code"))
        if agency is None:
            problems.append(ImportProblem(number, "agency_code", _("unknown agency code %(code)r") % {"code": cell("agency_code")}))
        year_text = cell("year")
        year = int(year_text) if year_text.isdigit() else None
        version = None
        if year is None:
            problems.append(ImportProblem(number, "year", _("not a year: %(value)r") % {"value": year_text}))
        else:
            # The newest loaded version of the framework that covers the year.
            candidates = [v for v in versions if v.covers_year(year)]
            version = candidates[0] if candidates else None
            if version is None:
                problems.append(ImportProblem(number, "year", _("no loaded framework covers %(year)s") % {"year": year}))
        index = _decimal(cell("index"))
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
        if agency and year:
            key = (agency.code, year)
            if key in seen:
                problems.append(ImportProblem(number, "year", _("%(agency)s %(year)s appears twice (also row %(other)s)") % {
                    "agency": agency.code, "year": year, "other": seen[key]}))
            elif key in existing:
                problems.append(ImportProblem(number, "year", _("%(agency)s already has a published result for %(year)s") % {
                    "agency": agency.code, "year": year}))
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
        if agency and year and version and index is not None:
            accepted.append(ResultRow(number, agency, year, version, index, cell("source") if "source" in columns else "", levels))
    if problems:
        raise PublishedResultsError(problems)
    return accepted

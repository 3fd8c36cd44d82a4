"""Importing the values of externally scored indicators (e.g. 8/2026 I5, I6, I7, I18) for one
period from CSV or Excel, as the province receives them from the source agencies.

Columns (header row; English or Indonesian names): the agency by ``kode`` (agency_code,
kode_instansi) or by ``nama_instansi`` (agency, instansi: the exact official name), ``indikator``
(indicator: its code in the period's framework, e.g. I5), ``nilai`` (value: 1,00–5,00 with at most
two decimals; a decimal comma only in a quoted field or a semicolon-separated file), ``sumber``
(source) and ``tanggal`` (date of the source's result: 2026-03-16 or 16/03/2026).

Read within the bounds of ``table_files``, checked row by row like the published results
(assessments.published_results): a file with any bad row writes nothing, and the errors name the
row and column.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency

from .models import IndicatorAssessment
from .published_results import read_table  # noqa: F401  (the same bounded reader, re-exported for callers)
from .table_imports import AgencyMatcher, ImportProblem, TableImportError, body_rows, normalise_title, problems_in_row
from .services.external import ExternalChange, external_value_parse, external_value_problem

COLUMN_ALIASES = {
    "kode": "agency_code", "agency_code": "agency_code", "kode_instansi": "agency_code",
    "nama_instansi": "agency_name", "agency": "agency_name", "agency_name": "agency_name", "instansi": "agency_name",
    "nama": "agency_name",
    "indikator": "indicator", "indicator": "indicator", "kode_indikator": "indicator",
    "nilai": "value", "value": "value", "skor": "value", "indeks": "value",
    "sumber": "reference", "source": "reference",
    "tanggal": "dated", "date": "dated", "tanggal_hasil": "dated",
    "no": "ignored", "no.": "ignored", "nomor": "ignored",
}
REQUIRED = ("indicator", "value", "reference", "dated")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


class ExternalScoresError(TableImportError):
    """The problems of an import of external values, by row and column; nothing was written."""


def parse_date(text) -> date | None:
    text = str(text).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _header(rows):
    for position, (number, cells) in enumerate(rows[:20]):
        columns = {}
        for column, title in enumerate(cells):
            key = COLUMN_ALIASES.get(normalise_title(title))
            if key and key != "ignored":
                columns.setdefault(key, column)
        if ("agency_code" in columns or "agency_name" in columns) and all(key in columns for key in REQUIRED):
            return position, columns
    number = rows[0][0]
    raise ExternalScoresError([ImportProblem(number, "-", _(
        "no header row with the columns kode (or nama_instansi), indikator, nilai, sumber and tanggal"))])


def validate_rows(table, *, period, reason="") -> list[ExternalChange]:
    """Check every row of ``table`` (rows of cells) against ``period``; the changes to write
    (services.external_scores_save), or ExternalScoresError listing every problem."""
    rows = [(number, list(cells)) for number, cells in enumerate(table, start=1) if any(str(cell).strip() for cell in cells)]
    if not rows:
        raise ExternalScoresError([ImportProblem(1, "-", _("the file is empty"))])
    if period.is_read_only:
        raise ExternalScoresError([ImportProblem(0, "-", _("The period %(period)s is closed: it is read-only.") % {"period": period})])
    header_position, columns = _header(rows)
    framework = period.framework_version.scoring
    indicator_codes = {indicator.code for indicator in framework.indicators()}
    scale = period.framework_version.scale
    # Every item of an externally scored indicator in the period, by (agency code, indicator code): one query.
    items = {
        (item.assessment.agency.code, item.indicator.code): item
        for item in IndicatorAssessment.objects.filter(assessment__period=period, indicator__externally_scored=True)
        .select_related("assessment__agency", "assessment__period__framework_version", "indicator")
    }
    agencies = AgencyMatcher(Agency.objects.filter(is_active=True))
    problems, changes, seen = [], [], {}
    today = timezone.localdate()
    decimal_comma = _("the value has a decimal comma in a comma-separated file: quote it or use a semicolon-separated file")
    for cell in body_rows(rows, header_position, columns, problems, decimal_key="value", decimal_column="nilai",
                          decimal_message=decimal_comma):
        number = cell.number
        agency = agencies.match(cell, problems, code_column="kode", name_column="nama_instansi")
        code = cell("indicator")
        if code not in indicator_codes:
            problems.append(ImportProblem(number, "indikator", _("not an indicator code of %(framework)s: %(code)r") % {
                "framework": framework.name, "code": code}))
        elif code not in framework.external_codes:
            problems.append(ImportProblem(number, "indikator", _("%(code)s is not externally scored: its level is the agency's claim") % {
                "code": code}))
        value = external_value_parse(cell("value"))
        if value is None:
            problems.append(ImportProblem(number, "nilai", _("not a number: %(value)r") % {"value": cell("value")}))
        elif problem := external_value_problem(value, scale):
            problems.append(ImportProblem(number, "nilai", problem))
        if not cell("reference"):
            problems.append(ImportProblem(number, "sumber", _("name the source of the value")))
        dated = parse_date(cell("dated"))
        if dated is None:
            problems.append(ImportProblem(number, "tanggal", _("not a date (2026-03-16 or 16/03/2026): %(value)r") % {"value": cell("dated")}))
        elif dated > today:
            problems.append(ImportProblem(number, "tanggal", _("the date is in the future")))
        item = None
        if agency is not None and code in framework.external_codes:
            key = (agency.code, code)
            item = items.get(key)
            if item is None:
                problems.append(ImportProblem(number, "kode", _("%(agency)s has no assessment in %(period)s") % {
                    "agency": agency.short_name, "period": period}))
            elif key in seen:
                problems.append(ImportProblem(number, "indikator", _("%(agency)s %(code)s appears twice (also row %(other)s)") % {
                    "agency": agency.code, "code": code, "other": seen[key]}))
            seen[key] = number
        if item is not None and value is not None and dated is not None and not problems_in_row(problems, number):
            if item.external_value is not None and (item.external_value, item.external_reference, item.external_dated) != (
                value, cell("reference"), dated
            ) and not reason.strip():
                problems.append(ImportProblem(number, "nilai", _(
                    "corrects the entered value %(value)s: give the reason for the correction") % {"value": item.external_value}))
            else:
                changes.append(ExternalChange(item, value, cell("reference"), dated, reason.strip()))
    if problems:
        raise ExternalScoresError(problems)
    return changes


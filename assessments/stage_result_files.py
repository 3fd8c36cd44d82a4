"""Importing the national assessors' results of one stage of a period (chosen on the page) from
CSV or Excel, as the province receives them after penilaian dokumen, interviu, visitasi or the
final result.

Columns (header row; English or Indonesian names): the agency by ``kode`` (agency_code,
kode_instansi) or by ``nama_instansi`` (agency, instansi: the exact official name), ``indikator``
(its code in the period's framework), ``tingkat`` (level: a whole number on the scale) or, for an
externally scored indicator, ``nilai`` (value: at most two decimals), then the optional
``catatan`` (the assessors' note) and ``rekomendasi`` (their recommendation).

Read within the bounds of ``table_files`` and checked row by row as the published results
(assessments.published_results): a file with any bad row writes nothing, and the errors name the
row and column. Writing is assessments.services.stage_results_save.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from agencies.models import Agency

from .models import IndicatorAssessment
from .published_results import read_table  # noqa: F401  (the same bounded reader, re-exported for callers)
from .table_imports import AgencyMatcher, ImportProblem, TableImportError, body_rows, normalise_title
from .services.external import external_value_parse
from .services.stage_results import StageResultChange, stage_score_problem

COLUMN_ALIASES = {
    "kode": "agency_code", "agency_code": "agency_code", "kode_instansi": "agency_code",
    "nama_instansi": "agency_name", "agency": "agency_name", "agency_name": "agency_name", "instansi": "agency_name",
    "nama": "agency_name",
    "indikator": "indicator", "indicator": "indicator", "kode_indikator": "indicator",
    "tingkat": "level", "level": "level", "tingkat_kematangan": "level",
    "nilai": "value", "value": "value",
    "catatan": "note", "note": "note", "catatan_asesor": "note",
    "rekomendasi": "recommendation", "recommendation": "recommendation",
    "no": "ignored", "no.": "ignored", "nomor": "ignored",
}


class StageResultsError(TableImportError):
    """The problems of an import of a stage's results, by row and column; nothing was written."""


def _header(rows):
    for position, (_number, cells) in enumerate(rows[:20]):
        columns = {}
        for column, title in enumerate(cells):
            key = COLUMN_ALIASES.get(normalise_title(title))
            if key and key != "ignored":
                columns.setdefault(key, column)
        if ("agency_code" in columns or "agency_name" in columns) and "indicator" in columns and (
            "level" in columns or "value" in columns
        ):
            return position, columns
    raise StageResultsError([ImportProblem(rows[0][0], "-", _(
        "no header row with the columns kode (or nama_instansi), indikator and tingkat (or nilai)"))])


def _level(text):
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def validate_rows(table, *, period) -> list[StageResultChange]:
    """Check every row of ``table`` (rows of cells) against ``period``; the changes to write
    (services.stage_results_save), or StageResultsError listing every problem."""
    rows = [(number, list(cells)) for number, cells in enumerate(table, start=1) if any(str(cell).strip() for cell in cells)]
    if not rows:
        raise StageResultsError([ImportProblem(1, "-", _("the file is empty"))])
    if period.is_read_only:
        raise StageResultsError([ImportProblem(0, "-", _("The period %(period)s is closed: it is read-only.") % {"period": period})])
    header_position, columns = _header(rows)
    scale = period.framework_version.scale
    # Every item of the period by (agency code, indicator code): one query.
    items = {
        (item.assessment.agency.code, item.indicator.code): item
        for item in IndicatorAssessment.objects.filter(assessment__period=period).select_related("assessment__agency", "indicator")
    }
    indicators = {item.indicator.code: item.indicator for item in items.values()}
    framework = period.framework_version.scoring
    indicator_codes = {indicator.code for indicator in framework.indicators()}
    agencies = AgencyMatcher(Agency.objects.filter(is_active=True))
    problems, changes, seen = [], [], {}
    decimal_comma = _("the value has a decimal comma in a comma-separated file: quote it or use a semicolon-separated file")
    for cell in body_rows(rows, header_position, columns, problems, decimal_key="value", decimal_column="nilai",
                          decimal_message=decimal_comma):
        number = cell.number
        count = len(problems)
        agency = agencies.match(cell, problems, code_column="kode", name_column="nama_instansi")
        code = cell("indicator")
        if code not in indicator_codes:
            problems.append(ImportProblem(number, "indikator", _("not an indicator code of %(framework)s: %(code)r") % {
                "framework": framework.name, "code": code}))
        level = value = None
        if cell("level"):
            level = _level(cell("level"))
            if level is None:
                problems.append(ImportProblem(number, "tingkat", _("level must be a whole number in the scale, not %(value)r") % {
                    "value": cell("level")}))
        if cell("value"):
            value = external_value_parse(cell("value"))
            if value is None:
                problems.append(ImportProblem(number, "nilai", _("not a number: %(value)r") % {"value": cell("value")}))
        if not cell("level") and not cell("value"):
            problems.append(ImportProblem(number, "tingkat", _("give the level (tingkat) or, for an externally scored indicator, the value (nilai)")))
        elif code in indicators and (problem := stage_score_problem(indicators[code], level=level, value=value, scale=scale)):
            problems.append(ImportProblem(number, *problem))
        item = None
        if agency is not None and code in indicator_codes:
            key = (agency.code, code)
            item = items.get(key)
            if item is None:
                problems.append(ImportProblem(number, "kode", _("%(agency)s is not enrolled in %(period)s") % {
                    "agency": agency.short_name, "period": period}))
            elif key in seen:
                problems.append(ImportProblem(number, "indikator", _("%(agency)s %(code)s appears twice (also row %(other)s)") % {
                    "agency": agency.code, "code": code, "other": seen[key]}))
            seen.setdefault(key, number)
        if item is not None and len(problems) == count:
            changes.append(StageResultChange(item, level, value, cell("note"), cell("recommendation")))
    if problems:
        raise StageResultsError(problems)
    return changes

"""CSV and Excel exports of a period: levels per indicator and indices per agency. The indices are
the engine's (assessments.scoring via selectors), the same numbers the pages show."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from . import series
from .scoring import compute
from .selectors import framework_groups, level_rows, period_agency_scores, period_stage_results


def level_columns():
    return [
        ("agency_code", _("Agency code")),
        ("agency", _("Agency")),
        ("indicator_code", _("Indicator code")),
        ("indicator", _("Indicator")),
        ("level", _("Self-assessed level")),
        ("verified_level", _("Verified level")),
        ("target_level", _("Target level")),
        ("external_value", _("External value")),
        ("external_reference", _("Source of the external value")),
        ("external_dated", _("Date of the source's result")),
    ]


def _change_cells(index, before, earlier):
    """Change against the previous period of the same framework, or a crosswalk estimate (said so);
    "—" where neither exists, never a difference across frameworks."""
    if earlier is None or before is None:
        return {"change": "—", "change_basis": "", "compared_with": ""}
    return {"change": index - before, "change_basis": series.basis_label(earlier.basis), "compared_with": str(earlier.period)}


def index_table(*, period, user):
    """(columns, rows) of the per-agency index export."""
    groups = framework_groups(version=period.framework_version)
    columns = [
        ("agency_code", _("Agency code")),
        ("agency", _("Agency")),
        ("self_index", _("Self-assessed index")),
        ("self_predicate", _("Self-assessed predicate")),
        ("verified_index", _("Verified index")),
        ("verified_predicate", _("Verified predicate")),
        ("planned_index", _("Planned index")),
        ("planned_predicate", _("Planned predicate")),
        ("not_assessed", _("Indicators not assessed")),
        ("index_name", _("Index")),
        ("change", _("Change since the last period")),
        ("change_basis", _("Change measured")),
        ("compared_with", _("Compared with")),
    ]
    for node in groups:
        columns.append((f"self:{node.code}", f"{_('Self-assessed')} {node.tier_label} {node.code}"))
    for node in groups:
        columns.append((f"verified:{node.code}", f"{_('Verified')} {node.tier_label} {node.code}"))
    rows = []
    entries = period_agency_scores(period=period, user=user)
    earlier = series.previous_period(period)
    before = series.earlier_indices(earlier=earlier, agency_ids=[entry.agency.pk for entry in entries]) if earlier else {}
    for entry in entries:
        row = {
            "agency_code": entry.agency.code,
            "agency": entry.agency.name,
            "self_index": entry.self_assessed.index,
            "self_predicate": entry.self_assessed.predicate,
            "verified_index": entry.verified.index,
            "verified_predicate": entry.verified.predicate,
            "planned_index": entry.planned.index,
            "planned_predicate": entry.planned.predicate,
            "not_assessed": len(entry.self_assessed.missing),
            "index_name": period.framework_version.series_label,
            **_change_cells(entry.self_assessed.index, before.get(entry.agency.pk), earlier),
        }
        for node in groups:
            row[f"self:{node.code}"] = entry.self_assessed.node_index(node.code)
            row[f"verified:{node.code}"] = entry.verified.node_index(node.code)
        rows.append(row)
    _stage_index_cells(period, user, columns, rows)
    return columns, rows


def _stage_index_cells(period, user, columns, rows):
    """Add to the index export, per national stage reached, each agency's index of that stage (the
    engine's, over the assessors' scores; indicators without one at the bottom of the scale), its
    predicate and how many indicators the assessors scored."""
    from .services.stages import STAGE_LABELS

    kinds, results = period_stage_results(period=period, user=user)
    framework = period.framework_version.scoring
    codes = [indicator.code for indicator in framework.indicators()]
    names = {"index": _("Index"), "predicate": _("Predicate"), "assessed": _("Indicators assessed")}
    for kind in kinds:
        label = STAGE_LABELS[kind]
        columns += [(f"{kind}:{key}", f"{name} {label}") for key, name in names.items()]
        for row in rows:
            levels = {code: results.get((row["agency_code"], code), {}).get(kind) for code in codes}
            scores = compute(framework, {code: result.score if result else None for code, result in levels.items()})
            row[f"{kind}:index"], row[f"{kind}:predicate"] = scores.index, scores.predicate
            row[f"{kind}:assessed"] = scores.assessed_count


def level_table(*, period, user):
    """The per-indicator export; per national stage reached, the assessors' level (or value), the gap
    to the previous step that has a score (self-assessed, verified, earlier stages), their note
    and recommendation."""
    from .services.stages import STAGE_LABELS

    columns, rows = level_columns(), level_rows(period=period, user=user)
    kinds, results = period_stage_results(period=period, user=user)
    names = {"score": _("Level or value"), "gap": _("Gap"), "note": _("Assessors' note"), "recommendation": _("Recommendation")}
    for kind in kinds:
        label = STAGE_LABELS[kind]
        columns += [(f"{kind}:{key}", f"{name} {label}") for key, name in names.items()]
    for row in rows:
        external = row["external_value"]
        previous = None
        for score in (external if external is not None else row["level"], external if external is not None else row["verified_level"]):
            previous = score if score is not None else previous
        for kind in kinds:
            result = results.get((row["agency_code"], row["indicator_code"]), {}).get(kind)
            score = result.score if result else None
            row[f"{kind}:score"] = score
            row[f"{kind}:gap"] = score - previous if score is not None and previous is not None else None
            row[f"{kind}:note"] = result.note if result else ""
            row[f"{kind}:recommendation"] = result.recommendation if result else ""
            previous = score if score is not None else previous
    return columns, rows


TABLES = {"levels": level_table, "indices": index_table}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """Text typed by users, made safe for spreadsheets: a leading =, +, -, @ would make Excel or
    LibreOffice evaluate it as a formula, so such text starts with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(columns, rows) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Indonesian text right), decimal point."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([str(title) for _key, title in columns])
    for row in rows:
        writer.writerow(["" if row[key] is None else as_text(row[key]) for key, _title in columns])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def as_xlsx(sheets) -> bytes:
    """``sheets``: [(title, columns, rows)]. Numbers stay numbers; indices show two decimals."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([str(heading) for _key, heading in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            values = []
            for key, _heading in columns:
                value = row[key]
                values.append(float(value) if isinstance(value, Decimal) else as_text(value))
            sheet.append(values)
            for cell, (key, _heading) in zip(sheet[sheet.max_row], columns):
                if isinstance(row[key], Decimal):
                    cell.number_format = "0.00"
        sheet.freeze_panes = "A2"
        for column_cells in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column_cells[:200])
            sheet.column_dimensions[column_cells[0].column_letter].width = min(max(10, width + 2), 60)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def export(*, kind, file_format, period, user) -> bytes:
    columns, rows = TABLES[kind](period=period, user=user)
    if file_format == "csv":
        return as_csv(columns, rows)
    return as_xlsx([(str(period.year) + " " + kind, columns, rows)])

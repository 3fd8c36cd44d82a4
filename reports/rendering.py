"""A report's files: the PDF (WeasyPrint, A4, Indonesian), the Excel workbook (one sheet per part)
and the CSV tables (zipped), all from one reports.report_data object."""

from __future__ import annotations

import io
import zipfile

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.exports import as_csv, as_xlsx
from assessments.templatetags.spbe import signed


def render_pdf(report) -> bytes:
    """The PDF under the issuing office's letterhead, with the verification mark (QR code) when
    ``report.verification`` is set; nothing is fetched but the embedded logo and QR code. Unsigned:
    the worker signs it (reports.services.report_execute)."""
    from weasyprint import HTML

    from agencies.letterheads import embedded_only_fetcher
    from agencies.selectors import issuing_office

    heading = report.heading or issuing_office(agency=report.agency, root=True)
    with translation.override("id"):
        html = render_to_string(f"reports/{report.kind}_pdf.html", {"report": report, "heading": heading})
    embedded = {**heading.embedded(), **(report.verification.embedded() if report.verification else {})}
    return HTML(string=html, url_fetcher=embedded_only_fetcher(embedded), base_url=None).write_pdf()


def _change_row(key, change):
    """A change in a table: the difference, "—" where none is measured, and "estimate" in the
    label where it crosses frameworks through the crosswalk."""
    if change is None:
        return {"key": key, "value": "—"}
    if change.is_estimate:
        key = f"{key} ({_('estimate')}: {_('another framework, through the crosswalk')})"
    return {"key": key, "value": change.difference}


def _ledger_tables(ledger):
    """The index of each stage reached and the score ledger per indicator, as table rows (gaps and
    changes as numbers; the points lost at a stage as text with their sign)."""
    if ledger is None:
        return [], [], []
    stages = [
        {"stage": stage.label, "index": stage.index, "predicate": stage.predicate,
         "assessed": _("%(assessed)s of %(total)s indicators assessed") % {
             "assessed": stage.scores.assessed_count, "total": stage.scores.indicator_count},
         "change": stage.change, "lost": ", ".join(f"{row.indicator.code} ({signed(step.gap)})" for row, step in stage.losses)}
        for stage in ledger.stages
    ]
    columns, gap = [("code", _("Code")), ("name", _("Indicator"))], _("Gap")
    for stage in ledger.stages:
        columns += [(f"{stage.stage}:score", stage.label), (f"{stage.stage}:gap", f"{gap} {stage.label}")]
    columns += [("notes", _("Assessors' notes")), ("recommendations", _("Recommendation"))]
    rows = []
    for row in ledger.rows:
        cells = {"code": row.indicator.code, "name": row.indicator.name,
                 "notes": "\n".join(f"{step.label}: {step.note}" for step in row.steps if step.note),
                 "recommendations": "\n".join(f"{step.label}: {step.recommendation}" for step in row.steps if step.recommendation)}
        for step in row.steps:
            cells[f"{step.stage}:score"] = step.score
            cells[f"{step.stage}:gap"] = step.gap
        rows.append(cells)
    return stages, rows, columns


def _regency_tables(report):
    scores = report.scores
    summary = [
        {"key": _("Report"), "value": _("%(index)s maturity report") % {"index": report.period.framework_version.index_label}},
        {"key": _("Agency"), "value": report.agency.name},
        {"key": _("Period"), "value": str(report.period)},
        {"key": _("Index"), "value": report.period.framework_version.series_label},
        {"key": _("Self-assessed index"), "value": scores["self"].index},
        {"key": _("Self-assessed predicate"), "value": scores["self"].predicate},
        {"key": _("Verified index"), "value": scores["verified"].index},
        {"key": _("Verified predicate"), "value": scores["verified"].predicate},
        {"key": _("Planned index"), "value": scores["planned"].index},
        *({"key": _("Indicators assessed — %(variant)s") % {"variant": label},
           "value": _("%(assessed)s of %(total)s indicators assessed") % {
               "assessed": scores[variant].assessed_count, "total": scores[variant].indicator_count}}
          for variant, label in (("self", _("self-assessed index")), ("verified", _("verified index")), ("planned", _("planned index")))),
    ]
    summary.append(_change_row(_("Change since %(period)s") % {"period": report.previous.label} if report.previous else _("Change since the last period"),
                               report.previous))
    summary.append(_change_row(_("Change since the national result %(year)s") % {"year": report.national.label} if report.national
                               else _("Change since the last national result"), report.national))
    groups = [
        {"code": g.node.code, "name": g.node.name, "tier": g.node.tier_label, "weight": g.node.weight,
         "self": g.indices["self"], "verified": g.indices["verified"], "planned": g.indices["planned"]}
        for g in report.groups
    ]
    indicators = [
        {"code": i.indicator.code, "name": i.indicator.name, "level": i.level, "verified": i.verified_level, "target": i.target_level,
         "state": i.get_state_display(), "evidence": i.evidence_count,
         "person": i.person_in_charge.get_full_name() if i.person_in_charge else "",
         "external": i.external_value, "external_source": i.external_reference}
        for i in report.items
    ]
    plan = [
        {"code": s.indicator.code, "name": s.indicator.name, "from": s.from_level, "to": s.to_level,
         "gain": round(float(s.gain), 4)}
        for s in (report.plan.steps if report.plan else [])
    ]
    follow_ups = [
        {"meeting": f.source_label, "description": f.description, "owner": f.owner.get_full_name(), "due": f.due_date,
         "state": f.get_state_display(), "overdue": _("yes") if f.is_overdue else ""}
        for f in report.follow_ups
    ]
    ledger_stages, ledger_rows, ledger_columns = _ledger_tables(report.ledger)
    return [
        (_("Summary"), [("key", _("Item")), ("value", _("Value"))], summary),
        (_("Index per stage"), [("stage", _("Stage")), ("index", _("Index")), ("predicate", _("Predicate")),
                                ("assessed", _("Indicators assessed")), ("change", _("Change")), ("lost", _("Points lost at"))],
         ledger_stages),
        (_("Score ledger"), ledger_columns, ledger_rows),
        (_("Domains and aspects"), [("code", _("Code")), ("name", _("Name")), ("tier", _("Tier")), ("weight", _("Weight")),
                                     ("self", _("Self-assessed")), ("verified", _("Verified")), ("planned", _("Planned"))], groups),
        (_("Indicators"), [("code", _("Code")), ("name", _("Indicator")), ("level", _("Self-assessed level")),
                           ("verified", _("Verified level")), ("target", _("Target level")), ("state", _("State")),
                           ("evidence", _("Evidence")), ("person", _("Person in charge")), ("external", _("External value")),
                           ("external_source", _("Source of the external value"))], indicators),
        (_("Improvement plan"), [("code", _("Code")), ("name", _("Indicator")), ("from", _("From level")), ("to", _("To level")),
                                 ("gain", _("Adds to the index"))], plan),
        (_("Follow-ups"), [("meeting", _("Source")), ("description", _("Follow-up")), ("owner", _("Owner")), ("due", _("Due")),
                           ("state", _("State")), ("overdue", _("Overdue"))], follow_ups),
    ]


def _province_tables(report):
    from assessments.models import IndicatorAssessment

    states = IndicatorAssessment.State
    ranking = [
        {"rank": r.rank, "code": r.agency.code, "agency": r.agency.name, "self": r.scores["self"].index,
         "self_predicate": r.scores["self"].predicate, "verified": r.scores["verified"].index,
         "verified_predicate": r.scores["verified"].predicate, "planned": r.scores["planned"].index,
         "indicators": r.scores["self"].indicator_count, "self_assessed": r.scores["self"].assessed_count,
         "verified_assessed": r.scores["verified"].assessed_count}
        for r in report.rows
    ]
    predicates = [{"predicate": name, "self": own, "verified": verified} for name, own, verified in report.predicate_counts]
    progress = [{"agency": r.agency.short_name, **{state: r.states.get(state, 0) for state in states.values}} for r in report.rows]
    return [
        (_("Summary"), [("key", _("Item")), ("value", _("Value"))],
         [{"key": _("Report"), "value": _("%(index)s province summary") % {"index": report.period.framework_version.index_label}},
          {"key": _("Period"), "value": str(report.period)}, {"key": _("Index"), "value": report.period.framework_version.series_label}]),
        (_("Ranking"), [("rank", _("Rank")), ("code", _("Code")), ("agency", _("Agency")), ("self", _("Self-assessed index")),
                        ("self_predicate", _("Self-assessed predicate")), ("verified", _("Verified index")),
                        ("verified_predicate", _("Verified predicate")), ("planned", _("Planned index")),
                        ("indicators", _("Indicators")), ("self_assessed", _("Indicators with a self-assessed level")),
                        ("verified_assessed", _("Indicators with a verified level"))], ranking),
        (_("Predicates"), [("predicate", _("Predicate")), ("self", _("Self-assessed")), ("verified", _("Verified"))], predicates),
        (_("Review progress"), [("agency", _("Agency"))] + [(state, label) for state, label in states.choices], progress),
    ]


def tables(report):
    with translation.override("id"):
        return _regency_tables(report) if report.kind == "regency" else _province_tables(report)


def render_xlsx(report) -> bytes:
    return as_xlsx(tables(report))


def render_csv_zip(report) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (title, columns, rows) in enumerate(tables(report), start=1):
            archive.writestr(f"{number:02d}-{title.lower().replace(' ', '-')}.csv", as_csv(columns, rows))
    return stream.getvalue()

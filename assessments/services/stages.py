"""The stages of a period, as the national evaluation runs: penilaian mandiri (the period's own
self-assessment window), verifikasi provinsi (the province's review, up to the review deadline), then
the national stages kept as PeriodStage rows — penilaian dokumen, interviu, visitasi (optional) and
hasil akhir. One timeline for every page, reminder and report (``period_timeline``); dates are set
in one transaction and must follow each other (``period_stages_set``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe_portal.dates import format_date

from ..models import AssessmentPeriod, PeriodEvent, PeriodStage

SELF_ASSESSMENT = "self"
PROVINCE_REVIEW = "province"
Kind = PeriodStage.Kind

# Every stage in order; the first two are the period's own dates, the rest PeriodStage rows.
STAGE_ORDER = (SELF_ASSESSMENT, PROVINCE_REVIEW, Kind.DOCUMENT, Kind.INTERVIEW, Kind.VISIT, Kind.FINAL)
NATIONAL_STAGES = (Kind.DOCUMENT, Kind.INTERVIEW, Kind.VISIT, Kind.FINAL)
OPTIONAL_STAGES = (Kind.VISIT,)
STAGE_LABELS = {
    SELF_ASSESSMENT: gettext_lazy("Self-assessment"),
    PROVINCE_REVIEW: gettext_lazy("Province verification"),
    Kind.DOCUMENT: gettext_lazy("Document assessment"),
    Kind.INTERVIEW: gettext_lazy("Interview"),
    Kind.VISIT: gettext_lazy("Visitation"),
    Kind.FINAL: gettext_lazy("Final result"),
}


@dataclass(frozen=True)
class TimelineStage:
    kind: str
    label: str
    starts_on: date
    ends_on: date
    status: str  # "done", "current" (the stage the period is in), "running" (also open) or "coming"
    days_left: int | None  # days until the stage ends, today included, while it is open

    @property
    def is_current(self):
        return self.status == "current"


def _stage_dates(period, stages=None):
    """[(kind, start, end)] in order, from the period's fields and its stage rows (``stages``:
    PeriodStage rows already read, to spare a query)."""
    rows = {stage.kind: stage for stage in (stages if stages is not None else period.stages.all())}
    dates = [
        (SELF_ASSESSMENT, period.self_assessment_opens, period.self_assessment_closes),
        (PROVINCE_REVIEW, period.self_assessment_opens, period.review_deadline),
    ]
    dates += [(kind, rows[kind].starts_on, rows[kind].ends_on) for kind in NATIONAL_STAGES if kind in rows]
    return dates


def period_timeline(period, *, today, stages=None):
    """Every stage of ``period`` with its dates and where ``today`` stands. Windows may overlap (the
    province verifies while the self-assessment is open): the period is in the first open stage, in
    order; any other open stage is "running"."""
    timeline, current_found = [], False
    for kind, start, end in _stage_dates(period, stages):
        if today > end:
            status, left = "done", None
        elif today >= start:
            status, left = ("running" if current_found else "current"), (end - today).days + 1
            current_found = True
        else:
            status, left = "coming", None
        timeline.append(TimelineStage(kind, str(STAGE_LABELS[kind]), start, end, status, left))
    return timeline


def period_current_stage(period, *, today, stages=None):
    """The stage the period is in on ``today``, or None (before it opens, between stages, after all)."""
    return next((stage for stage in period_timeline(period, today=today, stages=stages) if stage.is_current), None)


def stage_order_problems(dates):
    """Why ``dates`` ([(kind, start, end)] in STAGE_ORDER) are not in order, as messages."""
    problems = []
    for kind, start, end in dates:
        if start > end:
            problems.append(_("%(stage)s: it ends (%(end)s) before it starts (%(start)s).") % {
                "stage": STAGE_LABELS[kind], "start": format_date(start), "end": format_date(end)})
    for (before, start1, end1), (kind, start2, end2) in zip(dates, dates[1:]):
        if start2 < start1:
            problems.append(_("%(stage)s cannot start (%(start)s) before %(previous)s starts (%(previous_start)s).") % {
                "stage": STAGE_LABELS[kind], "start": format_date(start2), "previous": STAGE_LABELS[before],
                "previous_start": format_date(start1)})
        elif end2 < end1:
            problems.append(_("%(stage)s cannot end (%(end)s) before %(previous)s ends (%(previous_end)s).") % {
                "stage": STAGE_LABELS[kind], "end": format_date(end2), "previous": STAGE_LABELS[before],
                "previous_end": format_date(end1)})
    return problems


@transaction.atomic
def period_stages_set(*, period, stages, actor=None, note=""):
    """Set the dates of the national stages: ``stages`` maps a PeriodStage kind to (start, end), or
    to None to leave the stage out (only the visitation is optional). The period's own dates (the
    self-assessment and the province's verification) come first; every stage must start no earlier
    than the one before it and end no earlier than it ends. All or nothing; recorded as a period
    event. A closed period refuses."""
    period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})
    missing = [kind for kind in NATIONAL_STAGES if kind not in OPTIONAL_STAGES and not stages.get(kind)]
    if missing:
        raise ValidationError([_("%(stage)s needs a start and an end date.") % {"stage": STAGE_LABELS[kind]} for kind in missing])
    dates = _stage_dates(period, stages=[])
    dates += [(kind, *stages[kind]) for kind in NATIONAL_STAGES if stages.get(kind)]
    problems = stage_order_problems(dates)
    if problems:
        raise ValidationError(problems)
    period.stages.all().delete()
    PeriodStage.objects.bulk_create(
        [PeriodStage(period=period, kind=kind, starts_on=start, ends_on=end) for kind, start, end in dates[2:]]
    )
    summary = "; ".join(f"{STAGE_LABELS[kind]} {format_date(start)}–{format_date(end)}" for kind, start, end in dates)
    PeriodEvent.objects.create(period=period, actor=actor, from_state=period.state, to_state=period.state,
                               note=(note + "\n" if note else "") + _("Stage dates: %(dates)s") % {"dates": summary})
    return period

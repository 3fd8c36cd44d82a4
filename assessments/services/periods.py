"""Assessment periods and their assessments: create, move through states, enrol agencies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import is_administrator

from ..models import (
    Assessment,
    AssessmentPeriod,
    IndicatorAssessment,
    PeriodEvent,
)

from .summaries import assessment_summary_refresh

# --- Periods ------------------------------------------------------------------------------------

State = AssessmentPeriod.State

# to_state → the states it may come from. Leaving "closed" is a reopening: it needs a reason.
PERIOD_TRANSITIONS = {
    State.OPEN: {State.PLANNED, State.REVIEW, State.CLOSED},
    State.REVIEW: {State.OPEN, State.CLOSED},
    State.CLOSED: {State.REVIEW},
    State.PLANNED: {State.OPEN},
}

def period_next_states(period):
    """The states a period may move to from where it is."""
    return [state for state, sources in PERIOD_TRANSITIONS.items() if period.state in sources]

def _require_administrator(actor):
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied(_("Only an administrator may do this."))


@transaction.atomic
def period_create(*, name, year, framework_version, opens, closes, review_deadline, actor=None, state=State.PLANNED):
    _require_administrator(actor)
    period = AssessmentPeriod(
        name=name,
        year=year,
        framework_version=framework_version,
        self_assessment_opens=opens,
        self_assessment_closes=closes,
        review_deadline=review_deadline,
        state=state,
    )
    period.full_clean()
    if not (opens <= closes <= review_deadline):
        raise ValidationError(_("The self-assessment must open before it closes, and close before the review deadline."))
    period.save()
    PeriodEvent.objects.create(period=period, actor=actor, from_state="", to_state=state, note=_("Period created."))
    return period


@transaction.atomic
def period_transition(*, period, to_state, actor, note="", expected_state=None):
    """Move a period to ``to_state``, recorded as an event. Reopening a closed period needs a
    note. ``expected_state`` is the state the user saw: if another administrator moved the period
    meanwhile, the change is refused rather than applied on top of theirs."""
    _require_administrator(actor)
    locked = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if expected_state and locked.state != expected_state:
        raise ValidationError(
            _("This period was changed meanwhile: it is now %(state)s. Nothing was changed; check and try again.")
            % {"state": locked.get_state_display()}
        )
    if locked.state not in PERIOD_TRANSITIONS.get(to_state, set()):
        raise ValidationError(
            _("A period cannot go from %(from)s to %(to)s.") % {"from": locked.get_state_display(), "to": State(to_state).label}
        )
    note = (note or "").strip()
    if locked.state == State.CLOSED and not note:
        raise ValidationError(_("Reopening a closed period needs a reason."))
    PeriodEvent.objects.create(period=locked, actor=actor, from_state=locked.state, to_state=to_state, note=note)
    locked.state = to_state
    locked.save(update_fields=["state"])
    period.state = to_state
    return locked


# --- Assessments --------------------------------------------------------------------------------


def _require_writable(period):
    if period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})


@transaction.atomic
def assessment_get_or_create(*, period, agency):
    assessment, created = Assessment.objects.get_or_create(period=period, agency=agency)
    if created:
        indicators = period.framework_version.nodes.filter(is_indicator=True)
        IndicatorAssessment.objects.bulk_create(
            [IndicatorAssessment(assessment=assessment, indicator=indicator) for indicator in indicators]
        )
        assessment_summary_refresh(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_levels_set(*, assessment, levels):
    """Set levels of several indicators: ``levels`` maps an indicator code to a dict with any of
    ``level``, ``verified_level``, ``target_level``, ``justification``. Used by imports and demo
    data; officers' edits go through the review workflow."""
    from .workflow import refuse_external_level

    _require_writable(assessment.period)
    scale = assessment.period.framework_version.scale
    items = {item.indicator.code: item for item in assessment.items.select_related("indicator")}
    unknown = sorted(set(levels) - set(items))
    if unknown:
        raise ValidationError(_("Unknown indicator codes: %(codes)s") % {"codes": ", ".join(unknown)})
    changed = []
    for code, values in levels.items():
        item = items[code]
        refuse_external_level(item.indicator, *(values.get(field) for field in ("level", "verified_level", "target_level")))
        for field in ("level", "verified_level", "target_level"):
            if field in values:
                value = values[field]
                if value is not None and value not in scale:
                    raise ValidationError(
                        _("Level %(level)s of indicator %(code)s is outside the scale.") % {"level": value, "code": code}
                    )
                setattr(item, field, value)
        if "justification" in values:
            item.justification = values["justification"]
        changed.append(item)
    IndicatorAssessment.objects.bulk_update(changed, ["level", "verified_level", "target_level", "justification"])
    assessment_summary_refresh(assessment=assessment)
    return assessment

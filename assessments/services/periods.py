"""Assessment periods and their assessments: create, move through states, enrol agencies, and at
closing turn the final stage into each agency's published result."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import is_administrator

from ..models import (
    Assessment,
    AssessmentPeriod,
    AssessmentSummary,
    IndicatorAssessment,
    PeriodEvent,
    PeriodStage,
    PublishedResult,
    PublishedResultEvent,
    StageResult,
)

from .results import published_result_correct
from .summaries import SUMMARY_ROW, _summary_values, assessment_summary_refresh

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
@transaction.atomic
def period_create(*, name, year, framework_version, opens, closes, review_deadline, actor=None, state=State.PLANNED,
                  stages=None):
    """A new evaluation period, recorded as an event; with ``stages`` (as period_stages_set takes
    them) its national stages are set in the same transaction: all or nothing."""
    from .stages import period_stages_set

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
    if stages is not None:
        period_stages_set(period=period, stages=stages, actor=actor)
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
    if to_state == State.OPEN and not locked.assessments.exists():
        raise ValidationError(
            _("No agency is enrolled in %(period)s yet: enrol the regencies first, then open the period.") % {"period": locked}
        )
    if to_state == State.CLOSED:
        note = "\n".join(part for part in (note, final_results_publish(period=locked, actor=actor)) if part)
    PeriodEvent.objects.create(period=locked, actor=actor, from_state=locked.state, to_state=to_state, note=note)
    locked.state = to_state
    locked.save(update_fields=["state"])
    period.state = to_state
    return locked


# --- Enrolment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What an enrolment did: the agencies enrolled now and those that already were."""

    enrolled: list
    already_enrolled: list


@transaction.atomic
def period_enrol(*, period, agencies, actor):
    """Enrol ``agencies`` in ``period``: each gets its assessment with every indicator item of the
    period's framework and its summary, all in one transaction. An agency already enrolled is left
    as it is (counted as such), so enrolling twice changes nothing. Administrators (or the system,
    ``actor=None``) only; a closed
    period refuses; recorded as a period event (who, when, which agencies)."""
    _require_administrator(actor)  # None: the system (demo data, commands), as period_create
    locked = AssessmentPeriod.objects.select_for_update().select_related("framework_version").get(pk=period.pk)
    if locked.is_read_only:
        raise ValidationError(
            _("The period %(period)s is closed: no agency can be enrolled in it. Reopen it first (with a reason).")
            % {"period": locked}
        )
    agencies = sorted({agency.pk: agency for agency in agencies}.values(), key=lambda agency: agency.path)
    if not agencies:
        raise ValidationError(_("Choose at least one agency to enrol."))
    already = set(Assessment.objects.filter(period=locked, agency__in=agencies).values_list("agency_id", flat=True))
    new = [agency for agency in agencies if agency.pk not in already]
    if new:
        assessments = Assessment.objects.bulk_create([Assessment(period=locked, agency=agency) for agency in new])
        indicators = list(locked.framework_version.nodes.filter(is_indicator=True).order_by("position"))
        IndicatorAssessment.objects.bulk_create(
            [IndicatorAssessment(assessment=assessment, indicator=indicator) for assessment in assessments for indicator in indicators],
            batch_size=1000,
        )
        # Every new assessment is empty, so all have the same summary: computed once, from the
        # first one's items read as assessment_summary_refresh reads them.
        values = _summary_values(locked, list(IndicatorAssessment.objects.filter(assessment=assessments[0]).values_list(*SUMMARY_ROW)))
        AssessmentSummary.objects.bulk_create(
            [AssessmentSummary(assessment=a, period=locked, agency_id=a.agency_id, **values) for a in assessments], batch_size=1000
        )
        note = _("Enrolled %(count)s agencies: %(names)s.") % {
            "count": len(new), "names": ", ".join(agency.short_name for agency in new)}
        if already:
            note += " " + _("%(count)s already enrolled.") % {"count": len(already)}
        PeriodEvent.objects.create(period=locked, actor=actor, from_state=locked.state, to_state=locked.state, note=note)
    return Enrolment(enrolled=new, already_enrolled=[agency for agency in agencies if agency.pk in already])


# --- Closing: the final stage becomes the published result ---------------------------------------


def final_results_publish(*, period, actor):
    """Turn the final stage of ``period`` (its StageResult rows of the stage "final": the level, or
    the value of an externally scored indicator) into the published result of each enrolled agency
    for the period's year: the engine's index over those levels, the period's framework version, the
    levels kept. An agency that already has a result for that year has it corrected through
    published_result_correct, with a reason (an event); an agency without any final result gets
    none. Returns the note for the closing event. Runs inside the closing transaction."""
    from ..scoring import compute

    framework = period.framework_version.scoring
    finals = defaultdict(dict)
    rows = StageResult.objects.filter(item__assessment__period=period, stage=PeriodStage.Kind.FINAL).values_list(
        "item__assessment__agency_id", "item__indicator__code", "level", "value")
    for agency_id, code, level, value in rows:
        score = value if value is not None else level
        if score is not None:
            finals[agency_id][code] = score
    assessments = list(Assessment.objects.filter(period=period).select_related("agency").order_by("agency__path"))
    existing = {result.agency_id: result for result in PublishedResult.objects.filter(
        year=period.year, agency_id__in=[assessment.agency_id for assessment in assessments]).select_related("framework_version")}
    source = _("Final result %(period)s") % {"period": period.name}
    reason = _("Final result of the period %(period)s, at its closing.") % {"period": period.name}
    published, corrected, without = [], [], []
    for assessment in assessments:
        levels = finals.get(assessment.agency_id)
        if not levels:
            without.append(assessment.agency.short_name)
            continue
        index = compute(framework, levels).index
        stored = {code: (str(score) if code in framework.external_codes else int(score)) for code, score in sorted(levels.items())}
        result = existing.get(assessment.agency_id)
        if result is None:
            PublishedResult.objects.create(agency=assessment.agency, year=period.year, framework_version=period.framework_version,
                                           index=index, source=source, levels=stored, imported_by=actor)
            published.append(assessment.agency.short_name)
            continue
        if result.index == index and result.levels == stored and result.framework_version_id == period.framework_version_id:
            continue
        if published_result_correct(result=result, index=index, reason=reason, actor=actor) is None:
            # Same index, other levels: still a correction, recorded as one.
            PublishedResultEvent.objects.create(result=result, actor=actor, from_index=index, to_index=index, reason=reason)
        PublishedResult.objects.filter(pk=result.pk).update(levels=stored, source=source, framework_version=period.framework_version)
        corrected.append(assessment.agency.short_name)
    parts = []
    if published:
        parts.append(_("Published results created from the final stage: %(names)s.") % {"names": ", ".join(published)})
    if corrected:
        parts.append(_("Published results corrected from the final stage: %(names)s.") % {"names": ", ".join(corrected)})
    if without:
        parts.append(_("No final result, so no published result: %(names)s.") % {"names": ", ".join(without)})
    return " ".join(parts)


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

"""Assessment summaries: the engine's numbers per assessment, kept with every change."""

from __future__ import annotations

from django.db import transaction

from ..models import (
    Assessment,
    AssessmentPeriod,
    IndicatorAssessment,
)

# --- Summaries ----------------------------------------------------------------------------------

def _summary_values(period, rows):
    """rows: (code, level, verified, target, external value, state, submitted_at) of one assessment."""
    from ..selectors import PLANNED, SELF, VERIFIED, variant_levels
    from ..scoring import compute

    framework = period.framework_version.scoring
    levels = variant_levels(((code, level, verified, target, value) for code, level, verified, target, value, _state, _at in rows), framework)
    scores = {variant: compute(framework, levels[variant]) for variant in (SELF, VERIFIED, PLANNED)}
    counts = {state: 0 for state in IndicatorAssessment.State.values}
    submitted = [at for *_rest, state, at in rows if state == IndicatorAssessment.State.SUBMITTED and at]
    for code, *_rest, state, _at in rows:
        if code not in framework.external_codes:  # the province enters those: not the officer's work
            counts[state] += 1
    return {
        "self_index": scores[SELF].index, "verified_index": scores[VERIFIED].index, "planned_index": scores[PLANNED].index,
        "self_predicate": scores[SELF].predicate, "verified_predicate": scores[VERIFIED].predicate,
        "planned_predicate": scores[PLANNED].predicate, **counts, "unassessed": len(scores[SELF].missing),
        "verified_unassessed": len(scores[VERIFIED].missing), "planned_unassessed": len(scores[PLANNED].missing),
        "indicator_count": scores[SELF].indicator_count,
        "oldest_submitted_at": min(submitted) if submitted else None,
    }

SUMMARY_ROW = ("indicator__code", "level", "verified_level", "target_level", "external_value", "state", "submitted_at")


def assessment_summary_refresh(*, assessment):
    """Recompute one assessment's summary from its items (one query, the engine, one write)."""
    from ..models import AssessmentSummary

    period = AssessmentPeriod.objects.select_related("framework_version").get(pk=assessment.period_id)
    # One refresh at a time per assessment: the items are read after the previous writer committed.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    rows = list(IndicatorAssessment.objects.filter(assessment_id=assessment.pk).values_list(*SUMMARY_ROW))
    AssessmentSummary.objects.update_or_create(
        assessment_id=assessment.pk, defaults={"period": period, "agency_id": assessment.agency_id, **_summary_values(period, rows)}
    )


@transaction.atomic
def summaries_rebuild(*, period):
    """Recompute every summary of a period (two queries and one bulk write)."""
    from collections import defaultdict

    from ..models import AssessmentSummary

    rows = defaultdict(list)
    for assessment_id, *row in IndicatorAssessment.objects.filter(assessment__period=period).values_list("assessment_id", *SUMMARY_ROW):
        rows[assessment_id].append(row)
    assessments = list(Assessment.objects.filter(period=period))
    AssessmentSummary.objects.filter(period=period).delete()
    AssessmentSummary.objects.bulk_create(
        [AssessmentSummary(assessment=a, period=period, agency_id=a.agency_id, **_summary_values(period, rows[a.pk])) for a in assessments],
        batch_size=1000,
    )
    return len(assessments)

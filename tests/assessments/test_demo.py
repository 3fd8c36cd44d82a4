"""The demo data goes through the same states as real data, so that every page agrees with itself."""

import pytest
from django.db.models import Count, Q

from agencies.demo import demo_accounts_load
from assessments.demo import demo_assessments_load
from assessments.models import AssessmentSummary, Evidence, IndicatorAssessment, ItemEvent
from assessments.services import levels_without_evidence

pytestmark = pytest.mark.django_db
State = IndicatorAssessment.State


@pytest.fixture
def demo(bengkulu):
    demo_accounts_load()
    demo_assessments_load()


def test_after_loading_the_demo_no_item_has_a_level_while_not_started(demo):
    assert IndicatorAssessment.objects.filter(assessment__period__year=2021).count() == 3 * 47
    assert not IndicatorAssessment.objects.filter(state=State.NOT_STARTED).filter(
        Q(level__isnull=False) | Q(verified_level__isnull=False)).exists()


def test_after_loading_the_demo_filled_counts_agree_with_the_levels(demo):
    """The state counts are the officer's items (externally scored ones are the province's to
    enter); not assessed counts every indicator without a level or an external value."""
    for summary in AssessmentSummary.objects.select_related("assessment"):
        items = IndicatorAssessment.objects.filter(assessment=summary.assessment)
        officers = items.filter(indicator__externally_scored=False)
        external = items.filter(indicator__externally_scored=True)
        with_level = officers.filter(level__isnull=False).count()
        assert summary.total == officers.count(), summary.assessment
        assert summary.filled == with_level, summary.assessment
        assert summary.unassessed == summary.total - summary.filled + external.filter(external_value__isnull=True).count()


def test_the_demo_2026_has_external_values_with_source_and_date_for_the_demo_regencies(demo):
    from decimal import Decimal

    external = IndicatorAssessment.objects.filter(assessment__period__year=2026, indicator__externally_scored=True)
    assert external.count() == 3 * 4
    valued = external.filter(external_value__isnull=False)
    assert valued.count() == 11  # Kepahiang's I18 is left without a value, to show "belum ada nilai"
    assert all(item.external_reference.startswith("DATA DEMO") and item.external_dated for item in valued)
    assert external.get(assessment__agency__code="17.02", indicator__code="I5").external_value == Decimal("2.99")
    assert not external.filter(level__isnull=False).exists()
    assert ItemEvent.objects.filter(action=ItemEvent.Action.EXTERNAL_VALUE_SET).count() == 11
    # Rejang Lebong 2026, self-assessed, Σ weight × level / 100 with the external values exact:
    # I1–I4 5×(4+3+3+3) = 65; I5 5×2.99 + I6 3×2.40 + I7 3×3.15 + I8 4×2 = 39.60; I9–I12 4×3 + 4×3 + 3×1 + 4×3 = 39;
    # I13, I14 5×4 + 5×3 = 35; I15 4×2 + I16 4×1 + I17 4×3 + I18 3×2.75 = 32.25; I19, I20 10×1 + 15×1 = 25
    # → 235.85/100 = 2.3585 → 2.36 (truncated externals 2, 2, 3, 2 would give 227/100 = 2.27).
    summary = AssessmentSummary.objects.get(assessment__agency__code="17.02", assessment__period__year=2026)
    assert summary.self_index == Decimal("2.36")
    assert summary.unassessed == summary.total - summary.filled


def test_the_demo_2021_items_were_submitted_with_evidence_and_accepted_up_to_the_verified_level(demo):
    items = IndicatorAssessment.objects.filter(assessment__period__year=2021).annotate(
        acceptances=Count("events", filter=Q(events__action=ItemEvent.Action.ACCEPTED)))
    evidence = {}
    for item_id, level in Evidence.objects.filter(item__assessment__period__year=2021).values_list("item_id", "level"):
        evidence.setdefault(item_id, []).append(level)
    for item in items:
        assert item.state == State.ACCEPTED and item.acceptances == 1
        assert item.accepted_levels == list(range(1, item.verified_level + 1)) and item.verified_level <= item.level
        assert levels_without_evidence(level=item.level, evidence_levels=evidence.get(item.pk, [])) == []


def test_the_demo_2026_is_in_the_document_stage_with_imported_assessor_results(demo):
    """Whatever the day it runs: the document stage started 10 days ago and ends in 20; the
    assessors' document results of the three regencies came in through the stage import, with
    notes, a few recommendations and some levels below the claim."""
    from django.utils import timezone

    from assessments import selectors
    from assessments.models import Assessment, AssessmentPeriod, StageResult
    from assessments.services import period_current_stage

    period = AssessmentPeriod.objects.get(year=2026)
    today = timezone.localdate()
    stage = period_current_stage(period, today=today)
    assert stage.kind == "document" and stage.days_left == 21
    results = StageResult.objects.filter(item__assessment__period=period, stage="document")
    assert set(results.values_list("item__assessment__agency__code", flat=True)) == {"17.02", "17.07", "17.08"}
    assert not results.filter(note="").exists() and results.exclude(recommendation="").count() >= 3
    assert ItemEvent.objects.filter(action=ItemEvent.Action.STAGE_RESULT_SET).count() == results.count()
    below = [result for result in results.select_related("item") if result.level is not None and result.item.level
             and result.level < result.item.level]
    assert len(below) >= 5
    # Rejang Lebong's I4: claimed 3, verified 2, the document stage confirms 2 with the reason.
    ledger = selectors.assessment_ledger(assessment=Assessment.objects.select_related("agency", "period__framework_version").get(
        period=period, agency__code="17.02"))
    i4 = ledger.row_by_code["I4"]
    assert [(step.score, step.gap) for step in i4.steps] == [(3, None), (2, -1), (2, 0)]
    assert i4.steps[2].recommendation.startswith("Tetapkan SOP")
    assert [stage.stage for stage in ledger.stages] == ["self", "province", "document"]

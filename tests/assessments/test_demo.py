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
    for summary in AssessmentSummary.objects.select_related("assessment"):
        items = IndicatorAssessment.objects.filter(assessment=summary.assessment)
        with_level = items.filter(level__isnull=False).count()
        assert summary.filled == with_level == summary.total - summary.unassessed, summary.assessment


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

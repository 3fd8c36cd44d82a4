"""The stages of a period: dates in order (a stage before the previous one is refused with a clear
message and nothing changes), and one timeline that says where the period is."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from assessments.models import PeriodEvent, PeriodStage
from assessments.services import period_current_stage, period_stages_set, period_timeline

pytestmark = pytest.mark.django_db

STAGES_2025 = {  # the open_period fixture: self-assessment 1 Feb – 30 Apr 2025, review until 30 Jun 2025
    "document": (date(2025, 7, 1), date(2025, 8, 15)),
    "interview": (date(2025, 8, 18), date(2025, 8, 29)),
    "visit": None,
    "final": (date(2025, 11, 1), date(2025, 12, 20)),
}


def test_stage_dates_are_set_in_order_and_recorded(open_period, administrator, english):
    period_stages_set(period=open_period, stages=STAGES_2025, actor=administrator)
    assert list(open_period.stages.values_list("kind", flat=True)) == ["document", "interview", "final"]
    event = PeriodEvent.objects.filter(period=open_period).first()
    assert event.actor == administrator and "Document assessment 1 July 2025–15 August 2025" in event.note


def test_a_stage_before_the_previous_one_is_refused_and_nothing_changes(open_period, administrator, english):
    period_stages_set(period=open_period, stages=STAGES_2025, actor=administrator)
    wrong = {**STAGES_2025, "interview": (date(2025, 6, 20), date(2025, 8, 29))}  # before the document stage starts
    with pytest.raises(ValidationError) as refused:
        period_stages_set(period=open_period, stages=wrong, actor=administrator)
    assert "Interview cannot start (20 June 2025) before Document assessment starts (1 July 2025)." in refused.value.messages
    assert PeriodStage.objects.get(period=open_period, kind="interview").starts_on == date(2025, 8, 18)
    with pytest.raises(ValidationError) as refused:
        period_stages_set(period=open_period, stages={**STAGES_2025, "final": None}, actor=administrator)
    assert "Final result needs a start and an end date." in refused.value.messages


def test_the_timeline_says_where_the_period_is(open_period, administrator):
    period_stages_set(period=open_period, stages=STAGES_2025, actor=administrator)
    timeline = period_timeline(open_period, today=date(2025, 3, 1))
    assert [(stage.kind, stage.status) for stage in timeline] == [
        ("self", "current"), ("province", "running"), ("document", "coming"), ("interview", "coming"), ("final", "coming")]
    assert timeline[0].days_left == 61  # 1 March to 30 April, both counted
    stage = period_current_stage(open_period, today=date(2025, 8, 20))
    assert (stage.kind, stage.days_left) == ("interview", 10)
    assert period_current_stage(open_period, today=date(2025, 9, 15)) is None  # between stages

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import AssessmentPeriod, PeriodEvent
from assessments.services import assessment_levels_set, period_transition

pytestmark = pytest.mark.django_db
State = AssessmentPeriod.State


def test_a_period_moves_open_review_closed_and_every_move_is_an_event(open_period, administrator):
    period_transition(period=open_period, to_state=State.REVIEW, actor=administrator)
    period_transition(period=open_period, to_state=State.CLOSED, actor=administrator, note="Reviu selesai")
    events = list(open_period.events.order_by("at", "pk").values_list("from_state", "to_state", "actor__username", "note"))
    # The closing note goes on with what became of the final stage (tests/assessments/test_period_setup.py).
    assert [(*event[:3], event[3].split("\n")[0]) for event in events[1:]] == [
        ("open", "review", "admin.prov", ""), ("review", "closed", "admin.prov", "Reviu selesai")]
    open_period.refresh_from_db()
    assert open_period.state == State.CLOSED and open_period.is_read_only


def test_a_closed_period_is_read_only(spbe_2021):
    assessment = spbe_2021.assessments.get(agency__code="17.02")
    with pytest.raises(ValidationError, match="2021"):
        assessment_levels_set(assessment=assessment, levels={"1": {"level": 5}})
    assert assessment.items.get(indicator__code="1").level == 3


def test_reopening_needs_an_administrator_and_a_reason(spbe_2021, administrator, provincial_reviewer):
    with pytest.raises(PermissionDenied):
        period_transition(period=spbe_2021, to_state=State.REVIEW, actor=provincial_reviewer, note="Koreksi")
    with pytest.raises(ValidationError):
        period_transition(period=spbe_2021, to_state=State.REVIEW, actor=administrator, note="  ")
    period_transition(period=spbe_2021, to_state=State.REVIEW, actor=administrator, note="Koreksi data Lebong")
    event = spbe_2021.events.order_by("-at", "-pk").first()
    assert (event.actor, event.from_state, event.to_state, event.note) == (administrator, "closed", "review", "Koreksi data Lebong")


def test_an_impossible_move_is_refused(open_period, administrator):
    with pytest.raises(ValidationError):
        period_transition(period=open_period, to_state=State.CLOSED, actor=administrator)
    assert PeriodEvent.objects.filter(period=open_period).count() == 1


def test_a_stale_page_cannot_move_the_period_twice(open_period, administrator, client_of):
    client = client_of(administrator)
    url = reverse("period_transition", args=[open_period.pk])
    client.post(url, {"to_state": "review", "expected_state": "open"})
    response = client.post(url, {"to_state": "closed", "expected_state": "open"}, follow=True)
    assert "Periode ini telah diubah" in response.content.decode()
    open_period.refresh_from_db()
    assert open_period.state == State.REVIEW


def test_only_administrators_change_a_period_on_its_page(open_period, provincial_reviewer, client_of):
    response = client_of(provincial_reviewer).post(reverse("period_transition", args=[open_period.pk]), {"to_state": "review"})
    assert response.status_code == 403
    open_period.refresh_from_db()
    assert open_period.state == State.OPEN


def test_administrator_creates_a_period_in_the_admin_and_it_starts_planned(client_of, administrator, frameworks):
    response = client_of(administrator).post(reverse("admin:assessments_assessmentperiod_add"), {
        "name": "Evaluasi Pemdi 2026", "year": 2026, "framework_version": frameworks["PERMENPANRB-8-2026"].pk,
        "self_assessment_opens": "2026-07-01", "self_assessment_closes": "2026-09-30", "review_deadline": "2026-11-30",
        "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    period = AssessmentPeriod.objects.get(year=2026)
    assert period.state == State.PLANNED
    assert period.events.get().actor == administrator


def test_a_period_that_closes_before_it_opens_is_refused_in_the_admin(client_of, administrator, frameworks):
    response = client_of(administrator).post(reverse("admin:assessments_assessmentperiod_add"), {
        "name": "Salah", "year": 2026, "framework_version": frameworks["PERMENPANRB-8-2026"].pk,
        "self_assessment_opens": "2026-09-01", "self_assessment_closes": "2026-07-30", "review_deadline": "2026-11-30",
        "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert not AssessmentPeriod.objects.filter(year=2026).exists()


def test_a_closed_period_cannot_be_edited_in_the_admin(spbe_2021, administrator, client_of):
    client = client_of(administrator)
    url = reverse("admin:assessments_assessmentperiod_change", args=[spbe_2021.pk])
    client.post(url, {"name": "Diubah", "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0})
    spbe_2021.refresh_from_db()
    assert spbe_2021.name == "Penilaian Mandiri SPBE 2021"

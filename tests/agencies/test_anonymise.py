"""A departed person is anonymised: the account is closed and their personal data removed, while
every event, item and index of the history stays as it was, now under "Petugas 17.02 #<pk>"."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.demo import demo_accounts_load
from agencies.models import AccessLogEntry, SignInRecord, User
from agencies.services import api_token_create, person_anonymise
from assessments.demo import demo_assessments_load
from assessments.models import AssessmentSummary, ItemEvent

pytestmark = pytest.mark.django_db

INDEX_FIELDS = ("assessment_id", "self_index", "verified_index", "planned_index", "self_predicate", "verified_predicate", "planned_predicate")


def event_counts():
    """Rows of every model whose name ends in Event, by model."""
    return {model.__name__: model.objects.count() for model in apps.get_models() if model.__name__.endswith("Event")}


@pytest.fixture
def demo(bengkulu):
    demo_accounts_load()
    demo_assessments_load()


def test_anonymising_a_demo_officer_keeps_every_event_and_index_and_hides_the_name(demo, client_of):
    officer = User.objects.get(username="operator.rejanglebong")
    administrator = User.objects.filter(is_superuser=True).first()
    event = ItemEvent.objects.filter(actor=officer).select_related("item__assessment__agency", "item__indicator", "item__assessment__period").first()
    assert event is not None
    item = event.item
    item_url = reverse("item_detail", kwargs={
        "period_id": item.assessment.period_id, "code": item.assessment.agency.code, "indicator_code": item.indicator.code})
    assert "Siti Aminah" in client_of(administrator).get(item_url).content.decode()
    counts_before = event_counts()
    officer_events_before = ItemEvent.objects.filter(actor=officer).count()
    indices_before = sorted(AssessmentSummary.objects.values_list(*INDEX_FIELDS))
    SignInRecord.objects.create(user=officer, ip_address="10.17.2.40", succeeded=True)
    api_token_create(user=officer, name="Satu Data")

    person_anonymise(user=officer, by=administrator, reason="Pindah tugas ke BKD", ip_address="10.17.0.5")

    officer.refresh_from_db()
    assert officer.full_name == f"Petugas 17.02 #{officer.pk}"
    assert (officer.username, officer.email, officer.phone, officer.employee_number, officer.position) == (f"petugas-{officer.pk}", "", "", "", "")
    assert not officer.is_active and not officer.has_usable_password()
    assert not SignInRecord.objects.filter(user=officer).exists()
    assert not officer.api_tokens.filter(is_active=True).exists()
    assert event_counts() == counts_before
    assert ItemEvent.objects.filter(actor=officer).count() == officer_events_before > 0
    assert sorted(AssessmentSummary.objects.values_list(*INDEX_FIELDS)) == indices_before
    page = client_of(administrator).get(item_url).content.decode()
    assert "Siti Aminah" not in page
    assert f"Petugas 17.02 #{officer.pk}" in page
    assert ItemEvent.objects.filter(action=ItemEvent.Action.ASSIGNED, note__contains=f"Petugas 17.02 #{officer.pk}").exists()
    assert not ItemEvent.objects.filter(note__contains="Siti Aminah").exists()
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.PERSON_ANONYMISED)
    assert (entry.actor, entry.object_description, entry.reason, entry.ip_address) == (
        administrator, f"Petugas 17.02 #{officer.pk}", "Pindah tugas ke BKD", "10.17.0.5")


def test_anonymising_needs_a_reason_and_another_person(rejang_lebong_officer, administrator):
    with pytest.raises(ValidationError):
        person_anonymise(user=rejang_lebong_officer, by=administrator, reason="  ")
    with pytest.raises(ValidationError):
        person_anonymise(user=administrator, by=administrator, reason="Pensiun")
    rejang_lebong_officer.refresh_from_db()
    assert rejang_lebong_officer.full_name == "Operator Rejang Lebong" and rejang_lebong_officer.is_active
    assert not AccessLogEntry.objects.exists()


def test_the_administrator_anonymises_from_the_admin_after_saying_why(rejang_lebong_officer, administrator, client_of):
    client = client_of(administrator)
    url = reverse("admin:agencies_user_changelist")
    asked = client.post(url, {"action": "anonymise_people", "_selected_action": [rejang_lebong_officer.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    rejang_lebong_officer.refresh_from_db()
    assert rejang_lebong_officer.is_active

    client.post(url, {"action": "anonymise_people", "_selected_action": [rejang_lebong_officer.pk], "confirm": "yes", "reason": "Pensiun"})
    rejang_lebong_officer.refresh_from_db()
    assert rejang_lebong_officer.full_name == f"Petugas 17.02 #{rejang_lebong_officer.pk}" and not rejang_lebong_officer.is_active
    assert AccessLogEntry.objects.get().reason == "Pensiun"

"""The access log: sign-ins, role changes, API tokens and the province's downloads of another
agency's evidence are written by the services; administrators filter and export it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AccessLogEntry, Membership
from agencies.services import access_log_write, api_token_create, evidence_download_log
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Action = AccessLogEntry.Action


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_sign_ins_are_logged_with_their_address(client, rejang_lebong_officer):
    client.post(reverse("login"), {"username": "officer.rl", "password": "salah"}, REMOTE_ADDR="10.17.2.40")
    client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR="10.17.2.41")
    assert list(AccessLogEntry.objects.order_by("pk").values_list("action", "actor", "ip_address")) == [
        (Action.SIGN_IN_FAILED, rejang_lebong_officer.pk, "10.17.2.40"), (Action.SIGN_IN, rejang_lebong_officer.pk, "10.17.2.41")]


def test_a_token_and_a_role_granted_in_the_admin_are_logged(administrator, kepahiang_officer, client_of, rejang_lebong):
    api_token_create(user=kepahiang_officer, name="Satu Data", by=administrator)
    client_of(administrator).post(reverse("admin:agencies_membership_add"), {
        "user": kepahiang_officer.pk, "agency": rejang_lebong.pk, "role": Membership.Role.LEADERSHIP})
    assert Membership.objects.filter(user=kepahiang_officer, agency=rejang_lebong).exists()
    logged = list(AccessLogEntry.objects.order_by("pk").values_list("action", "actor"))
    assert logged == [(Action.TOKEN_CREATED, administrator.pk), (Action.MEMBERSHIP_CHANGED, administrator.pk)]
    assert "officer.kph" in AccessLogEntry.objects.get(action=Action.MEMBERSHIP_CHANGED).object_description


def test_only_the_province_downloading_another_agencys_evidence_is_logged(provincial_reviewer, rejang_lebong_officer, rejang_lebong):
    assert evidence_download_log(user=rejang_lebong_officer, agency=rejang_lebong, description="sk.pdf") is None
    entry = evidence_download_log(user=provincial_reviewer, agency=rejang_lebong, description="sk.pdf", ip_address="10.17.0.9")
    assert (entry.action, entry.actor, entry.object_description) == (Action.EVIDENCE_DOWNLOADED, provincial_reviewer, "17.02: sk.pdf")
    assert AccessLogEntry.objects.count() == 1


def test_administrators_filter_and_export_and_others_get_404(administrator, provincial_reviewer, rejang_lebong_officer, client_of):
    access_log_write(actor=rejang_lebong_officer, action=Action.SIGN_IN, object_description="officer.rl", ip_address="10.17.2.41")
    access_log_write(actor=provincial_reviewer, action=Action.EVIDENCE_DOWNLOADED, object_description="17.02: sk.pdf")
    old = access_log_write(actor=provincial_reviewer, action=Action.EVIDENCE_DOWNLOADED, object_description="17.02: lama.pdf")
    AccessLogEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))

    assert client_of(provincial_reviewer).get(reverse("access_log")).status_code == 404
    assert client_of(rejang_lebong_officer).get(reverse("access_log") + "?format=csv").status_code == 404
    client = client_of(administrator)
    page = client.get(reverse("access_log"), {"action": Action.EVIDENCE_DOWNLOADED}).content.decode()
    assert "sk.pdf" in page and "lama.pdf" in page and "10.17.2.41" not in page
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    response = client.get(reverse("access_log"), {"action": Action.EVIDENCE_DOWNLOADED, "since": since, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["at", "action", "actor", "object", "reason", "ip_address"]
    assert [row[1:4] for row in rows[1:]] == [[Action.EVIDENCE_DOWNLOADED, "reviewer.prov", "17.02: sk.pdf"]]
    person = client.get(reverse("access_log"), {"person": "Rejang"}).content.decode()
    assert "10.17.2.41" in person and "sk.pdf" not in person
    assert client.get(reverse("access_log"), {"since": "kemarin"}).status_code == 400


def test_the_access_log_page_costs_the_same_queries_with_more_entries(administrator, provincial_reviewer, client_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(administrator)
    access_log_write(actor=provincial_reviewer, action=Action.SIGN_IN)
    client.get(reverse("access_log"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("access_log"))
    for index in range(20):
        access_log_write(actor=administrator if index % 2 else provincial_reviewer, action=Action.SIGN_IN)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("access_log"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_downloading_and_viewing_evidence_log_the_province_not_the_regency(open_period, lebong_officer, provincial_reviewer, client_of):
    from tests.assessments.helpers import pdf_upload
    from tests.assessments.test_stored_files import add, lebong_item

    evidence = add(lebong_item(open_period), lebong_officer, pdf_upload("SK Tim SPBE.pdf"))
    assert client_of(lebong_officer).get(reverse("evidence_download", args=[evidence.pk])).status_code == 200
    assert not AccessLogEntry.objects.filter(action=Action.EVIDENCE_DOWNLOADED).exists()
    reviewer = client_of(provincial_reviewer)
    assert reviewer.get(reverse("evidence_download", args=[evidence.pk]), REMOTE_ADDR="10.17.0.9").status_code == 200
    assert reviewer.get(reverse("evidence_view", args=[evidence.pk])).status_code == 200
    entries = list(AccessLogEntry.objects.filter(action=Action.EVIDENCE_DOWNLOADED).order_by("pk").values_list("actor", "object_description", "ip_address"))
    assert [(actor, description.startswith("17.07: "), address) for actor, description, address in entries] == [
        (provincial_reviewer.pk, True, "10.17.0.9"), (provincial_reviewer.pk, True, "127.0.0.1")]


def test_logs_older_than_a_year_are_purged_daily_but_not_the_record_of_an_anonymisation(rejang_lebong_officer, administrator):
    from django_celery_beat.models import PeriodicTask

    from agencies.models import SignInRecord
    from agencies.tasks import purge_personal_logs
    from reports.schedules import ensure_schedules

    now = timezone.now()
    kept_sign_in = SignInRecord.objects.create(user=rejang_lebong_officer, succeeded=True)
    old_sign_in = SignInRecord.objects.create(user=rejang_lebong_officer, succeeded=False)
    kept_entry = access_log_write(actor=administrator, action=Action.SIGN_IN)
    old_entry = access_log_write(actor=administrator, action=Action.SIGN_IN)
    old_anonymisation = access_log_write(actor=administrator, action=Action.PERSON_ANONYMISED, reason="Pensiun")
    SignInRecord.objects.filter(pk=kept_sign_in.pk).update(at=now - timedelta(days=364))
    SignInRecord.objects.filter(pk=old_sign_in.pk).update(at=now - timedelta(days=366))
    AccessLogEntry.objects.filter(pk=kept_entry.pk).update(at=now - timedelta(days=364))
    AccessLogEntry.objects.filter(pk__in=[old_entry.pk, old_anonymisation.pk]).update(at=now - timedelta(days=400))

    assert purge_personal_logs() == 2
    assert list(SignInRecord.objects.values_list("pk", flat=True)) == [kept_sign_in.pk]
    assert sorted(AccessLogEntry.objects.values_list("pk", flat=True)) == sorted([kept_entry.pk, old_anonymisation.pk])
    ensure_schedules()
    task = PeriodicTask.objects.get(task="agencies.tasks.purge_personal_logs")
    assert (task.crontab.minute, task.crontab.hour) == ("0", "2")


def test_the_account_menu_links_the_access_log_for_administrators_only(administrator, rejang_lebong_officer, client_of):
    url = reverse("access_log")
    assert f'href="{url}"' in client_of(administrator).get(reverse("home")).content.decode()
    assert f'href="{url}"' not in client_of(rejang_lebong_officer).get(reverse("home")).content.decode()
    assert f'href="{reverse("personal_data")}"' in client_of(rejang_lebong_officer).get(reverse("home")).content.decode()


def test_a_role_added_on_the_persons_admin_page_is_logged(administrator, kepahiang_officer, client_of, rejang_lebong):
    existing = kepahiang_officer.memberships.get()
    response = client_of(administrator).post(reverse("admin:agencies_user_change", args=[kepahiang_officer.pk]), {
        "username": "officer.kph", "full_name": "Operator Kepahiang", "position": "", "employee_number": "", "email": "", "phone": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": existing.pk, "memberships-0-user": kepahiang_officer.pk, "memberships-0-agency": existing.agency_id,
        "memberships-0-role": existing.role,
        "memberships-1-id": "", "memberships-1-user": kepahiang_officer.pk, "memberships-1-agency": rejang_lebong.pk,
        "memberships-1-role": Membership.Role.LEADERSHIP,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert kepahiang_officer.memberships.count() == 2
    descriptions = list(AccessLogEntry.objects.filter(action=Action.MEMBERSHIP_CHANGED).values_list("object_description", flat=True))
    assert len(descriptions) == 1 and descriptions[0].startswith("granted: officer.kph") and "17.02" in descriptions[0]

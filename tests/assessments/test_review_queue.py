"""The review queue: filters kept in the URL, reviewers taking or handing out items, the next item
offered after a decision, and the daily digest that replaces one notification per submission."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Notification
from assessments.models import Assessment, IndicatorAssessment, ItemEvent, ReviewDigest
from assessments.selectors import QueueFilters, review_queue
from assessments.services import assessment_get_or_create, evidence_add, item_assign_reviewer, item_save, item_submit
from assessments.services import review_digests_send
from tests.assessments.helpers import pdf_upload
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db]
WIB = ZoneInfo("Asia/Jakarta")


def item_of(period, code="17.07", indicator="1"):
    return IndicatorAssessment.objects.select_related("indicator__parent", "assessment__agency").get(
        assessment__period=period, assessment__agency__code=code, indicator__code=indicator
    )


def waiting(period, code="17.07", indicator="1", *, days=0, reviewer=None, at=None):
    """Put an item in the queue directly (the workflow itself is tested in test_workflow.py)."""
    item = item_of(period, code, indicator)
    IndicatorAssessment.objects.filter(pk=item.pk).update(
        state="submitted", level=1, justification="Perbup", reviewer=reviewer,
        submitted_at=at or timezone.now() - timedelta(days=days, minutes=int(indicator) if indicator.isdigit() else 0),
    )
    item.refresh_from_db()
    return item


def queue_codes(user, **filters):
    return [(item.assessment.agency.code, item.indicator.code) for item in review_queue(user=user, filters=QueueFilters(**filters))]


@pytest.fixture
def kepahiang_reviewer(kepahiang):
    """A reviewer whose role reaches Kepahiang only."""
    return MembershipFactory(agency=kepahiang, role=Membership.Role.REVIEWER,
                             user=UserFactory(username="reviewer.kph", full_name="Reviewer Kepahiang")).user


@pytest.fixture
def colleague(province):
    return MembershipFactory(agency=province, role=Membership.Role.REVIEWER,
                             user=UserFactory(username="reviewer.dua", full_name="Reviewer Kedua")).user


# --- Filters ------------------------------------------------------------------------------------

def test_queue_filters_by_regency_aspect_and_age(open_period, provincial_reviewer):
    waiting(open_period, "17.07", "1", days=1)
    waiting(open_period, "17.08", "1", days=8)
    other_aspect = IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency__code="17.02").exclude(
        indicator__parent=item_of(open_period).indicator.parent).select_related("indicator").first()
    waiting(open_period, "17.02", other_aspect.indicator.code, days=15)
    aspect = item_of(open_period).indicator.parent.code
    assert queue_codes(provincial_reviewer, agency="17.07") == [("17.07", "1")]
    assert queue_codes(provincial_reviewer, aspect=aspect) == [("17.08", "1"), ("17.07", "1")]
    assert queue_codes(provincial_reviewer, age=7) == [("17.02", other_aspect.indicator.code), ("17.08", "1")]
    assert queue_codes(provincial_reviewer, age=14) == [("17.02", other_aspect.indicator.code)]
    assert queue_codes(provincial_reviewer, agency="17.08", age=3) == [("17.08", "1")]


def test_queue_page_reads_filters_from_the_url_and_ignores_nonsense(open_period, provincial_reviewer, client_of):
    waiting(open_period, "17.07", "1", days=1)
    waiting(open_period, "17.08", "1", days=8)
    page = client_of(provincial_reviewer)
    assert page.get(reverse("review_queue") + "?agency=17.08").content.decode().count("data-item=") == 1
    assert page.get(reverse("review_queue") + "?age=7").content.decode().count("data-item=") == 1
    ignored = page.get(reverse("review_queue") + "?age=abc&assigned=everyone")
    assert ignored.status_code == 200 and ignored.content.decode().count("data-item=") == 2
    unknown = page.get(reverse("review_queue") + "?agency=<x>")
    assert unknown.status_code == 200 and 'id="queue-empty"' in unknown.content.decode()


def test_the_filter_is_kept_across_pages_and_on_item_links(open_period, provincial_reviewer, client_of):
    IndicatorAssessment.objects.filter(assessment__period=open_period).update(
        state="submitted", level=1, submitted_at=timezone.now() - timedelta(days=10))
    page = client_of(provincial_reviewer).get(reverse("review_queue") + "?age=7").content.decode()
    assert page.count("data-item=") == 50
    assert "?age=7&amp;page=2" in page
    assert "?queue=1&amp;age=7" in page
    second = client_of(provincial_reviewer).get(reverse("review_queue") + "?age=7&page=2").content.decode()
    assert second.count("data-item=") == 50 and 'selected>' in second.split('id="filter-age"')[1].split("</select>")[0]


def test_queue_queries_are_the_same_with_few_and_many_items_and_agencies(open_period, provincial_reviewer, client_of, bengkulu):
    client = client_of(provincial_reviewer)
    url = reverse("review_queue") + "?age=3&assigned=none"

    def queries():
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    waiting(open_period, "17.07", "1", days=5)
    few = queries()
    for code in ("17.01", "17.03", "17.04", "17.05", "17.06", "17.09", "17.71"):
        assessment_get_or_create(period=open_period, agency=bengkulu[code])
    IndicatorAssessment.objects.filter(assessment__period=open_period).update(
        state="submitted", level=1, submitted_at=timezone.now() - timedelta(days=5))
    assert Assessment.objects.filter(period=open_period).count() == 10
    many = queries()
    assert few == many <= 15


def test_assigned_to_me_and_unassigned(open_period, provincial_reviewer, colleague):
    waiting(open_period, "17.07", "1", reviewer=provincial_reviewer)
    waiting(open_period, "17.07", "2", reviewer=colleague)
    waiting(open_period, "17.07", "3")
    assert queue_codes(provincial_reviewer, assigned="me") == [("17.07", "1")]
    assert queue_codes(provincial_reviewer, assigned="none") == [("17.07", "3")]
    assert len(queue_codes(provincial_reviewer)) == 3


# --- Assignment ---------------------------------------------------------------------------------

def test_reviewer_takes_an_item_and_it_is_recorded(open_period, provincial_reviewer, client_of):
    item = waiting(open_period)
    response = client_of(provincial_reviewer).post(reverse("review_queue") + "?agency=17.07", {"item": item.pk, "agency": "17.07"})
    assert response.status_code == 302 and response.url.endswith("?agency=17.07")
    item.refresh_from_db()
    assert item.reviewer == provincial_reviewer
    event = item.events.get(action=ItemEvent.Action.REVIEWER_ASSIGNED)
    assert event.actor == provincial_reviewer and event.at and "Reviewer Provinsi" in event.note


def test_reviewer_hands_an_item_to_a_colleague_who_is_notified(open_period, provincial_reviewer, colleague, client_of):
    item = waiting(open_period)
    response = client_of(provincial_reviewer).post(
        reverse("item_detail", args=[open_period.pk, "17.07", "1"]), {"action": "assign", "reviewer": colleague.pk, "current_reviewer": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.reviewer == colleague
    assert Notification.objects.get(user=colleague).url.endswith("/17.07/1/")
    assert item.events.get(action="reviewer_assigned").note.startswith("Reviewer Kedua")


def test_a_person_who_may_not_review_the_agency_cannot_be_assigned(open_period, provincial_reviewer, kepahiang_reviewer,
                                                                   lebong_officer, english):
    item = waiting(open_period, "17.07")
    for person in (kepahiang_reviewer, lebong_officer):
        with pytest.raises(ValidationError, match="may not review Lebong"):
            item_assign_reviewer(item=item, actor=provincial_reviewer, assignee=person)
    item.refresh_from_db()
    assert item.reviewer is None and not item.events.exists()


def test_only_a_reviewer_of_the_agency_may_assign(open_period, kepahiang_reviewer, lebong_officer, provincial_reviewer):
    item = waiting(open_period, "17.07")
    for actor in (kepahiang_reviewer, lebong_officer):
        with pytest.raises(PermissionDenied):
            item_assign_reviewer(item=item, actor=actor, assignee=provincial_reviewer)


def test_assigning_what_someone_else_changed_meanwhile_changes_nothing(open_period, provincial_reviewer, colleague):
    from assessments.services import ConcurrentChange

    item = waiting(open_period)
    item_assign_reviewer(item=item, actor=colleague, assignee=colleague)
    with pytest.raises(ConcurrentChange):
        item_assign_reviewer(item=item, actor=provincial_reviewer, assignee=provincial_reviewer, expected_reviewer=None)
    item.refresh_from_db()
    assert item.reviewer == colleague


# --- The next item --------------------------------------------------------------------------------

def test_after_a_decision_the_next_item_of_the_same_filtered_queue_opens(open_period, provincial_reviewer, client_of):
    first = waiting(open_period, "17.07", "1", days=3)
    waiting(open_period, "17.08", "1", days=2)  # older than the next Lebong item, but filtered out
    waiting(open_period, "17.07", "2", days=1)
    response = client_of(provincial_reviewer).post(
        reverse("item_detail", args=[open_period.pk, "17.07", "1"]) + "?queue=1&agency=17.07",
        {"version": first.version, "action": "return", "note": "Tanda tangan belum ada", "queue": "1", "agency": "17.07"},
    )
    assert response.status_code == 302
    assert response.url == reverse("item_detail", args=[open_period.pk, "17.07", "2"]) + "?queue=1&agency=17.07"
    page = client_of(provincial_reviewer).get(response.url).content.decode()
    assert 'id="back-to-queue"' in page and 'name="agency" value="17.07"' in page


def test_after_the_last_item_the_reviewer_returns_to_the_filtered_queue(open_period, provincial_reviewer, client_of):
    only = waiting(open_period, "17.07", "1")
    waiting(open_period, "17.08", "1")
    response = client_of(provincial_reviewer).post(
        reverse("item_detail", args=[open_period.pk, "17.07", "1"]),
        {"version": only.version, "action": "return", "note": "Belum lengkap", "queue": "1", "agency": "17.07"},
    )
    assert response.url == reverse("review_queue") + "?agency=17.07"


# --- The daily digest ---------------------------------------------------------------------------

def submit_for_real(period, code, indicator, officer):
    item = item_of(period, code, indicator)
    item = item_save(item=item, actor=officer, expected_version=item.version, level=1, justification="Perbup", target_level=None)
    evidence_add(item=item, actor=officer, expected_version=item.version, level=1, upload=pdf_upload())
    item.refresh_from_db()
    return item_submit(item=item, actor=officer, expected_version=item.version)


def test_digest_readers_get_no_notification_per_submission(open_period, provincial_reviewer, colleague, lebong_officer,
                                                          django_capture_on_commit_callbacks):
    colleague.review_digest = True
    colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit_for_real(open_period, "17.07", "1", lebong_officer)
    assert Notification.objects.filter(user=provincial_reviewer).count() == 1
    assert not Notification.objects.filter(user=colleague).exists()


def test_daily_digest_lists_the_days_submissions_once_per_day(open_period, provincial_reviewer, kepahiang_reviewer, settings,
                                                              django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://spbe.bengkuluprov.go.id"
    for reviewer in (provincial_reviewer, kepahiang_reviewer):
        reviewer.review_digest = True
        reviewer.save()
    now = datetime(2026, 11, 28, 7, 0, tzinfo=WIB)
    waiting(open_period, "17.07", "1", at=datetime(2026, 11, 27, 14, 5, tzinfo=WIB))
    waiting(open_period, "17.07", "2", at=datetime(2026, 11, 25, 9, 0, tzinfo=WIB))  # before the last day: in an earlier digest
    with django_capture_on_commit_callbacks(execute=True):
        assert review_digests_send(now=now) == 1  # the Kepahiang reviewer has nothing in scope: no empty digest
        assert review_digests_send(now=now + timedelta(hours=3)) == 0
    assert ReviewDigest.objects.get().user == provincial_reviewer
    notification = Notification.objects.get(user=provincial_reviewer)
    assert notification.url == reverse("review_queue")
    assert "27 November 2026 14.05 WIB" in notification.body and "Lebong" in notification.body
    assert "25 November" not in notification.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [provincial_reviewer.email]
    body = mail.outbox[0].body
    assert f"https://spbe.bengkuluprov.go.id{reverse('item_detail', args=[open_period.pk, '17.07', '1'])}" in body
    assert "27 November 2026 14.05 WIB" in body


def test_the_next_digest_lists_only_what_was_submitted_since(open_period, provincial_reviewer):
    provincial_reviewer.review_digest = True
    provincial_reviewer.save()
    now = datetime(2026, 11, 28, 7, 0, tzinfo=WIB)
    waiting(open_period, "17.07", "1", at=now - timedelta(hours=5))
    assert review_digests_send(now=now) == 1
    waiting(open_period, "17.07", "2", at=now + timedelta(hours=5))
    assert review_digests_send(now=now + timedelta(days=1)) == 1
    latest = Notification.objects.filter(user=provincial_reviewer).order_by("-pk").first()
    assert "— 2." in latest.body and "— 1." not in latest.body
    assert ReviewDigest.objects.filter(user=provincial_reviewer).count() == 2


def test_reviewers_without_the_digest_get_none(open_period, provincial_reviewer):
    waiting(open_period, "17.07", "1", at=timezone.now() - timedelta(hours=1))
    assert review_digests_send() == 0
    assert not Notification.objects.exists()


def test_the_digest_is_scheduled_daily(db):
    from django_celery_beat.models import PeriodicTask

    from reports.schedules import ensure_schedules

    ensure_schedules()
    task = PeriodicTask.objects.get(task="assessments.tasks.send_review_digests")
    assert (task.crontab.hour, task.crontab.minute) == ("7", "0")


def test_reviewer_chooses_the_digest_on_the_settings_page(provincial_reviewer, client_of):
    client = client_of(provincial_reviewer)
    assert client.get(reverse("account_settings")).status_code == 200
    response = client.post(reverse("account_settings"), {"review_digest": "on"})
    assert response.status_code == 302
    provincial_reviewer.refresh_from_db()
    assert provincial_reviewer.review_digest
    client.post(reverse("account_settings"), {})
    provincial_reviewer.refresh_from_db()
    assert not provincial_reviewer.review_digest

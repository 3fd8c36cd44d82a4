"""An assessor's recommendation becomes a follow-up of the regency: made by provincial staff only,
once per stage result, then closed by the regency and verified by the province exactly like a
meeting's follow-up; the tracker lists both kinds."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from assessments.models import IndicatorAssessment, StageResult
from meetings.models import FollowUp, FollowUpEvent
from meetings.services import follow_up_from_recommendation, reminders_send
from tests.assessments.helpers import pdf_upload

from .test_meetings import follow_up_for, meeting  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def item_of(period, agency, code="1"):
    return IndicatorAssessment.objects.select_related("indicator", "assessment__agency").get(
        assessment__period=period, assessment__agency=agency, indicator__code=code)


@pytest.fixture
def stage_result(open_period, rejang_lebong):
    """The document stage's result on Rejang Lebong's indicator 1, with a recommendation."""
    return StageResult.objects.create(
        item=item_of(open_period, rejang_lebong), stage="document", level=2, note="SOP belum ditetapkan.",
        recommendation="Tetapkan SOP kebijakan internal arsitektur SPBE dengan peraturan bupati.",
    )


def item_url(result):
    item = result.item
    return reverse("item_detail", args=[item.assessment.period_id, item.assessment.agency.code, item.indicator.code])


def make_follow_up(browser, result, owner, days=14):
    due = timezone.localdate() + timedelta(days=days)
    return browser.post(item_url(result), {"action": "follow_up", "stage_result": result.pk, "owner": owner.pk, "due_date": due.isoformat()})


def test_the_whole_round_recommendation_follow_up_closed_by_the_regency_verified_by_the_province(
    stage_result, provincial_reviewer, rejang_lebong_officer, client_of
):
    staff, officer = client_of(provincial_reviewer), client_of(rejang_lebong_officer)
    page = staff.get(item_url(stage_result)).content.decode()
    assert 'id="recommendations"' in page and "Tetapkan SOP kebijakan internal" in page
    assert 'value="follow_up"' in page and f'<option value="{rejang_lebong_officer.pk}">' in page

    response = make_follow_up(staff, stage_result, rejang_lebong_officer)
    follow_up = FollowUp.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("follow_up_detail", args=[follow_up.pk])
    assert (follow_up.meeting, follow_up.stage_result, follow_up.agency.code, follow_up.owner) == (
        None, stage_result, "17.02", rejang_lebong_officer)
    assert follow_up.description == stage_result.recommendation and follow_up.due_date == timezone.localdate() + timedelta(days=14)
    assert [node.code for node in follow_up.indicators.all()] == ["1"]
    created = follow_up.events.get()
    assert (created.action, created.actor, created.to_state) == (FollowUpEvent.Action.CREATED, provincial_reviewer, "open")
    assert "Rekomendasi asesor · Penilaian dokumen · 1" in created.note
    assert Notification.objects.filter(user=rejang_lebong_officer, url=reverse("follow_up_detail", args=[follow_up.pk])).count() == 1

    # A second click shows the follow-up already made, and makes no other.
    again = make_follow_up(staff, stage_result, rejang_lebong_officer, days=30)
    assert again["Location"] == reverse("follow_up_detail", args=[follow_up.pk]) and FollowUp.objects.count() == 1
    page = staff.get(item_url(stage_result)).content.decode()
    assert reverse("follow_up_detail", args=[follow_up.pk]) in page and 'value="follow_up"' not in page

    # The regency sees it, with its source, and closes it with evidence.
    detail = officer.get(reverse("follow_up_detail", args=[follow_up.pk])).content.decode()
    assert "Rekomendasi asesor · Penilaian dokumen · 1" in detail and item_url(stage_result) in detail
    response = officer.post(reverse("follow_up_detail", args=[follow_up.pk]), {
        "action": "done", "version": follow_up.version, "note": "Perbup SOP telah ditetapkan.", "file": pdf_upload("perbup.pdf"),
        "description": "Perbup"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.DONE and follow_up.evidence.get().original_name == "perbup.pdf"
    assert Notification.objects.filter(user=provincial_reviewer, url=reverse("follow_up_detail", args=[follow_up.pk])).count() == 1

    # The officer may not verify; the province does.
    refused = officer.post(reverse("follow_up_detail", args=[follow_up.pk]), {"action": "verify", "version": follow_up.version})
    assert refused.status_code == 403
    response = staff.post(reverse("follow_up_detail", args=[follow_up.pk]), {"action": "verify", "version": follow_up.version, "note": ""})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.VERIFIED and follow_up.verified_at is not None
    assert list(follow_up.events.order_by("pk").values_list("action", "actor__username")) == [
        ("created", provincial_reviewer.username), ("evidence_added", rejang_lebong_officer.username),
        ("done", rejang_lebong_officer.username), ("verified", provincial_reviewer.username)]


def test_only_provincial_staff_make_a_follow_up_of_a_recommendation(
    stage_result, rejang_lebong_officer, kepahiang_officer, rejang_lebong_leadership, provincial_reviewer, client_of
):
    for person, status in ((rejang_lebong_officer, 403), (rejang_lebong_leadership, 403), (kepahiang_officer, 404)):
        response = make_follow_up(client_of(person), stage_result, rejang_lebong_officer)
        assert response.status_code == status, person
    page = client_of(rejang_lebong_officer).get(item_url(stage_result)).content.decode()
    assert "Tetapkan SOP kebijakan internal" in page and 'value="follow_up"' not in page  # the regency reads it, cannot make it
    with pytest.raises(PermissionDenied):
        follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer, due_date=timezone.localdate(),
                                      actor=rejang_lebong_officer)
    assert FollowUp.objects.count() == 0


def test_bad_input_is_refused_and_changes_nothing(stage_result, provincial_reviewer, kepahiang_officer, rejang_lebong_officer,
                                                  client_of, english):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        follow_up_from_recommendation(stage_result=stage_result, owner=kepahiang_officer, due_date=today, actor=provincial_reviewer)
    assert refused.value.message_dict == {"owner": ["The owner must be a person of Rejang Lebong."]}
    with pytest.raises(ValidationError) as refused:
        follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer, due_date=today - timedelta(days=1),
                                      actor=provincial_reviewer)
    assert refused.value.message_dict == {"due_date": ["The due date cannot be in the past."]}
    StageResult.objects.filter(pk=stage_result.pk).update(recommendation="  ")
    with pytest.raises(ValidationError) as refused:
        follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer, due_date=today, actor=provincial_reviewer)
    assert refused.value.messages == ["This stage result has no recommendation to follow up."]
    StageResult.objects.filter(pk=stage_result.pk).update(recommendation="Lengkapi SOP.")
    response = client_of(provincial_reviewer).post(item_url(stage_result), {"action": "follow_up", "stage_result": stage_result.pk,
                                                                             "owner": kepahiang_officer.pk, "due_date": today.isoformat()})
    assert response.status_code == 400 and FollowUp.objects.count() == 0
    # Another item's stage result through this item's page: not found.
    other = StageResult.objects.create(item=item_of(stage_result.item.assessment.period, stage_result.item.assessment.agency, "2"),
                                       stage="interview", recommendation="Lain.")
    response = client_of(provincial_reviewer).post(item_url(stage_result), {"action": "follow_up", "stage_result": other.pk,
                                                                             "owner": rejang_lebong_officer.pk, "due_date": today.isoformat()})
    assert response.status_code == 404 and FollowUp.objects.count() == 0


def test_the_tracker_lists_both_kinds_with_their_source_and_filters_by_kind(
    stage_result, meeting, provincial_reviewer, rejang_lebong_officer, rejang_lebong, client_of  # noqa: F811
):
    from_meeting = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    from_result, created = follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer,
                                                         due_date=timezone.localdate() + timedelta(days=3), actor=provincial_reviewer)
    assert created
    for person in (provincial_reviewer, rejang_lebong_officer):
        browser = client_of(person)
        page = browser.get(reverse("follow_up_tracker")).content.decode()
        assert f'data-follow-up="{from_meeting.pk}"' in page and f'data-follow-up="{from_result.pk}"' in page
        assert "Rapat Pengendalian SPBE Triwulan I" in page and "Rekomendasi asesor · Penilaian dokumen · 1" in page
        only = browser.get(reverse("follow_up_tracker"), {"kind": "recommendation"}).content.decode()
        assert f'data-follow-up="{from_result.pk}"' in only and f'data-follow-up="{from_meeting.pk}"' not in only
        only = browser.get(reverse("follow_up_tracker"), {"kind": "meeting"}).content.decode()
        assert f'data-follow-up="{from_meeting.pk}"' in only and f'data-follow-up="{from_result.pk}"' not in only
    # More follow-ups of recommendations cost the tracker no more queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_of(provincial_reviewer)
    with CaptureQueriesContext(connection) as before:
        browser.get(reverse("follow_up_tracker"))
    for code in ("2", "3"):
        extra = StageResult.objects.create(item=item_of(stage_result.item.assessment.period, rejang_lebong, code), stage="interview",
                                           recommendation=f"Rekomendasi {code}.")
        follow_up_from_recommendation(stage_result=extra, owner=rejang_lebong_officer, due_date=timezone.localdate() + timedelta(days=20),
                                      actor=provincial_reviewer)
    with CaptureQueriesContext(connection) as after:
        page = browser.get(reverse("follow_up_tracker")).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries) and "Rekomendasi asesor · Interviu · 3" in page
    # The officer's home page lists it among the open follow-ups.
    home = client_of(rejang_lebong_officer).get(reverse("home")).content.decode()
    assert reverse("follow_up_detail", args=[from_result.pk]) in home
    # The reminders treat it as a meeting's follow-up: due within 7 days (the meeting's is due in 10),
    # the owner is reminded, once a day however often the task runs (+1 on the notice of creation).
    assert reminders_send() == 1 and reminders_send() == 0  # the two due in 20 days wait
    assert Notification.objects.filter(user=rejang_lebong_officer, url=reverse("follow_up_detail", args=[from_result.pk])).count() == 2


def test_the_regency_report_lists_a_recommendation_follow_up_with_its_source(stage_result, provincial_reviewer, rejang_lebong_officer):
    from reports.rendering import tables
    from reports.report_data import regency_report

    follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer,
                                  due_date=timezone.localdate() + timedelta(days=3), actor=provincial_reviewer)
    report = regency_report(period=stage_result.item.assessment.period, agency=stage_result.item.assessment.agency)
    assert [follow_up.source_label for follow_up in report.follow_ups] == ["Rekomendasi asesor · Penilaian dokumen · 1"]
    follow_up_table = dict((str(title), rows) for title, _columns, rows in tables(report))
    assert [row["meeting"] for row in follow_up_table["Tindak lanjut"]] == ["Rekomendasi asesor · Penilaian dokumen · 1"]


def test_the_item_page_reads_the_recommendations_in_a_bounded_number_of_queries(
    stage_result, provincial_reviewer, rejang_lebong_officer, client_of
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_of(provincial_reviewer)
    browser.get(item_url(stage_result))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        browser.get(item_url(stage_result))
    for stage in ("interview", "final"):
        StageResult.objects.create(item=stage_result.item, stage=stage, recommendation=f"Rekomendasi {stage}.")
    follow_up_from_recommendation(stage_result=stage_result, owner=rejang_lebong_officer,
                                  due_date=timezone.localdate() + timedelta(days=3), actor=provincial_reviewer)
    with CaptureQueriesContext(connection) as three:
        page = browser.get(item_url(stage_result)).content.decode()
    assert len(three.captured_queries) == len(one.captured_queries)
    section = page.split('id="recommendations"')[1].split("</section>")[0]
    assert [chunk.split('"')[0] for chunk in section.split('data-stage-result="')[1:]] == [
        str(pk) for pk in StageResult.objects.filter(item=stage_result.item).order_by("pk").values_list("pk", flat=True)]
    assert page.count('value="follow_up"') == 2  # the two without a follow-up yet


def test_the_demo_turns_a_recommendation_into_a_follow_up_once(open_period, bengkulu):
    from agencies.demo import demo_accounts_load
    from meetings.demo import demo_recommendation_follow_ups

    demo_accounts_load()
    assert demo_recommendation_follow_ups()[0].startswith("Demo follow-ups: no assessor recommendation")
    result = StageResult.objects.create(item=item_of(open_period, bengkulu["17.02"], "2"), stage="document", level=1,
                                        recommendation="Tetapkan kebijakan internal tata kelola data.")
    assert "is now follow-up" in demo_recommendation_follow_ups()[0]
    assert "was already follow-up" in demo_recommendation_follow_ups()[0]
    follow_up = FollowUp.objects.get()
    assert (follow_up.stage_result, follow_up.owner.username, follow_up.meeting) == (result, "operator.rejanglebong", None)

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Notification
from assessments.models import IndicatorAssessment
from meetings.models import FollowUp, Meeting, MeetingEvent, Reminder
from meetings.services import (
    StaleChange,
    follow_up_attach_to_indicator,
    follow_up_create,
    follow_up_done,
    follow_up_review,
    meeting_create,
    meeting_transition,
    meeting_update,
    reminders_send,
)
from meetings.tasks import send_follow_up_reminders
from tests.assessments.helpers import pdf_upload
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def meeting_values(province, period, **changes):
    values = {
        "title": "Rapat Pengendalian SPBE Triwulan I", "starts_at": timezone.now() + timedelta(days=3), "ends_at": None,
        "place": "Ruang Rapat Diskominfotik", "organiser": province, "period": period, "chair": "Kepala Diskominfotik",
        "note_taker": "Analis SPBE", "agenda": "Pembukaan\nPembahasan", "discussion": "Kemajuan penilaian mandiri", "decisions": "",
    }
    values.update(changes)
    return values


@pytest.fixture
def meeting(open_period, province, rejang_lebong, kepahiang, provincial_reviewer):
    return meeting_create(actor=provincial_reviewer, values=meeting_values(province, open_period), participants=[rejang_lebong, kepahiang],
                          attendees=[{"name": "Tamu tanpa akun", "position": "Narasumber", "agency": None}])


def follow_up_for(meeting, agency, owner, staff, days=10, code="1"):
    node = meeting.period.framework_version.nodes.get(code=code)
    return follow_up_create(meeting=meeting, actor=staff, agency=agency, owner=owner, description=f"Tindak lanjut {agency.short_name}",
                            due_date=timezone.localdate() + timedelta(days=days), indicators=[node])


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def demo_meetings(spbe_2021, bengkulu, django_capture_on_commit_callbacks):
    from agencies.demo import demo_accounts_load
    from meetings.demo import demo_meetings_load

    demo_accounts_load()
    with django_capture_on_commit_callbacks(execute=True):  # the worker (inline) renders the final minutes
        demo_meetings_load()
    return Meeting.objects.get(title__startswith="Rapat Pengendalian Pelaksanaan SPBE Tahun 2021")


def test_the_demo_minutes_pdf_holds_date_place_participants_and_follow_ups(demo_meetings, client_of, provincial_reviewer):
    meeting = demo_meetings
    assert meeting.state == Meeting.State.FINAL
    response = client_of(provincial_reviewer).get(reverse("minutes_pdf", args=[meeting.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = " ".join(pdf_text(content).split())
    for expected in ("Kamis, 10 Juni 2021", "Ruang Rapat Dinas Kominfo Kabupaten Rejang Lebong", "Pemerintah Kabupaten Rejang Lebong",
                     "Pemerintah Kabupaten Kepahiang", "Pemerintah Kabupaten Lebong", "Jaduliwan", "Arsitektur SPBE Kabupaten Rejang Lebong",
                     "Tim Koordinasi SPBE Kabupaten Lebong", "Halaman 1 dari"):
        assert expected in text, expected
    assert FollowUp.objects.filter(meeting=meeting).with_overdue_flag().filter(is_overdue=True).count() == 1


def test_minutes_render_text_typed_by_users_as_text_and_fetch_nothing(meeting, provincial_reviewer):
    from agencies.letterheads import FetchRefused, embedded_only_fetcher
    from meetings.minutes import render_minutes

    meeting.discussion = 'Lihat <img src="http://contoh.invalid/x.png"> dan <b>tebal</b>'
    meeting.save()
    text = pdf_text(render_minutes(meeting))
    assert '<img src="http://contoh.invalid/x.png">' in " ".join(text.split())
    fetcher = embedded_only_fetcher()
    for url in ("http://contoh.invalid/x.png", "file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo="):
        with pytest.raises(FetchRefused):
            fetcher(url)


def test_a_meeting_moves_planned_held_final_and_final_minutes_are_issued(meeting, provincial_reviewer, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="final")
    meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="held")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="final")
    assert meeting.minutes.get().edition == 1
    assert list(meeting.events.order_by("at", "pk").values_list("action", flat=True)) == ["created", "held", "finalised"]


def test_final_minutes_change_only_as_a_recorded_correction(meeting, provincial_reviewer, rejang_lebong, kepahiang,
                                                           django_capture_on_commit_callbacks):
    meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="held")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="final")
    values = meeting_values(meeting.organiser, meeting.period, starts_at=meeting.starts_at, place="Aula Kantor Gubernur")
    attendees = [{"name": "Tamu tanpa akun", "position": "Narasumber", "agency": None}]
    with pytest.raises(ValidationError):
        meeting_update(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, values=values,
                       participants=[rejang_lebong, kepahiang], attendees=attendees)
    meeting.refresh_from_db()
    assert meeting.place == "Ruang Rapat Diskominfotik"
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, values=values,
                                 participants=[rejang_lebong, kepahiang], attendees=attendees, correction_reason="Tempat salah ketik")
    event = meeting.events.get(action=MeetingEvent.Action.CORRECTED)
    assert "Tempat salah ketik" in event.note and "place" in event.note.lower() or "tempat" in event.note.lower()
    assert meeting.minutes.count() == 2


def test_an_edit_on_a_stale_page_is_refused(meeting, provincial_reviewer, rejang_lebong, kepahiang):
    stale = meeting.version
    meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=stale, to_state="held")
    with pytest.raises(StaleChange):
        meeting_update(meeting=meeting, actor=provincial_reviewer, expected_version=stale, values=meeting_values(meeting.organiser, meeting.period),
                       participants=[rejang_lebong], attendees=[])


def test_only_provincial_staff_record_meetings(open_period, province, rejang_lebong, rejang_lebong_officer, client_of):
    with pytest.raises(PermissionDenied):
        meeting_create(actor=rejang_lebong_officer, values=meeting_values(province, open_period), participants=[rejang_lebong])
    assert client_of(rejang_lebong_officer).get(reverse("meeting_create")).status_code == 403


def test_follow_up_lifecycle_done_with_evidence_verified_or_reopened(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer):
    follow_up = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    with pytest.raises(ValidationError):
        follow_up_done(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, note="Selesai")
    follow_up = follow_up_done(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, note="Selesai",
                               upload=pdf_upload("bukti.pdf"))
    assert follow_up.state == FollowUp.State.DONE and follow_up.evidence.count() == 1
    with pytest.raises(PermissionDenied):
        follow_up_review(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, decision="verify")
    with pytest.raises(ValidationError):
        follow_up_review(follow_up=follow_up, actor=provincial_reviewer, expected_version=follow_up.version, decision="reopen", note="")
    follow_up = follow_up_review(follow_up=follow_up, actor=provincial_reviewer, expected_version=follow_up.version, decision="reopen",
                                 note="Perbup belum diundangkan")
    assert follow_up.state == FollowUp.State.IN_PROGRESS and follow_up.review_note == "Perbup belum diundangkan"
    follow_up = follow_up_done(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, note="Sudah diundangkan")
    follow_up = follow_up_review(follow_up=follow_up, actor=provincial_reviewer, expected_version=follow_up.version, decision="verify")
    assert follow_up.state == FollowUp.State.VERIFIED
    assert list(follow_up.events.order_by("at", "pk").values_list("action", flat=True)) == [
        "created", "evidence_added", "done", "reopened", "done", "verified"]


def test_overdue_is_computed_from_the_due_date_never_stored(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer):
    follow_up = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer, days=-1)
    assert follow_up.overdue and FollowUp.objects.with_overdue_flag().get().is_overdue
    assert not FollowUp.objects.with_overdue_flag(today=timezone.localdate() - timedelta(days=2)).get().is_overdue
    assert "overdue" not in {field.name for field in FollowUp._meta.fields}


def test_reminders_run_twice_on_a_day_send_each_once(meeting, rejang_lebong, kepahiang, rejang_lebong_officer, kepahiang_officer,
                                                      provincial_reviewer, django_capture_on_commit_callbacks):
    follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer, days=3)  # due soon
    follow_up_for(meeting, kepahiang, kepahiang_officer, provincial_reviewer, days=-2)  # overdue
    follow_up_for(meeting, kepahiang, kepahiang_officer, provincial_reviewer, days=30)  # not yet
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_up_reminders() == 2
        assert send_follow_up_reminders() == 0
    assert Reminder.objects.count() == 2
    assert Notification.objects.filter(user=rejang_lebong_officer).count() == 1
    assert Notification.objects.filter(user=kepahiang_officer).count() == 1
    assert Notification.objects.filter(user=provincial_reviewer).count() == 1  # the province hears of the overdue one only
    assert reminders_send(today=timezone.localdate() + timedelta(days=1)) == 2  # a new day, new reminders


def test_a_done_follow_up_feeds_an_indicator_of_the_current_period(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer):
    follow_up = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    follow_up = follow_up_done(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, note="Selesai",
                               upload=pdf_upload("Perbup.pdf"))
    item = IndicatorAssessment.objects.get(assessment__period=meeting.period, assessment__agency=rejang_lebong, indicator__code="1")
    evidence = follow_up_attach_to_indicator(follow_up=follow_up, actor=rejang_lebong_officer, item=item, level=2,
                                             source=follow_up.evidence.get())
    assert evidence.item == item and evidence.level == 2 and evidence.original_name == "Perbup.pdf"
    assert evidence.sha256 == follow_up.evidence.get().sha256
    item.refresh_from_db()
    assert item.state == IndicatorAssessment.State.DRAFT
    assert follow_up.events.filter(action="attached").exists()


def test_the_other_regencys_officer_cannot_see_a_follow_up(meeting, rejang_lebong, kepahiang, rejang_lebong_officer, kepahiang_officer,
                                                            provincial_reviewer, client_of):
    theirs = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    follow_up_done(follow_up=theirs, actor=rejang_lebong_officer, expected_version=theirs.version, note="x", upload=pdf_upload())
    client = client_of(kepahiang_officer)
    assert client.get(reverse("follow_up_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("follow_up_detail", args=[theirs.pk]), {"action": "done"}).status_code == 404
    evidence = theirs.evidence.get()
    assert client.get(reverse("follow_up_evidence_download", args=[theirs.pk, evidence.pk])).status_code == 404
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Tindak lanjut Rejang Lebong" not in page
    tracker = client.get(reverse("follow_up_tracker")).content.decode()
    assert "Tindak lanjut Rejang Lebong" not in tracker


def test_a_regency_that_did_not_take_part_does_not_see_the_meeting(meeting, bengkulu, client_of):
    outsider = MembershipFactory(agency=bengkulu["17.04"], user=UserFactory()).user
    client = client_of(outsider)
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("minutes_pdf", args=[meeting.pk])).status_code == 404
    assert meeting.title not in client.get(reverse("meeting_list")).content.decode()


def test_leadership_reads_meetings_but_changes_nothing(meeting, rejang_lebong, rejang_lebong_officer, rejang_lebong_leadership,
                                                      provincial_reviewer, client_of):
    follow_up = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    client = client_of(rejang_lebong_leadership)
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("follow_up_detail", args=[follow_up.pk])).status_code == 200
    for action in ("start", "done", "verify"):
        assert client.post(reverse("follow_up_detail", args=[follow_up.pk]), {"action": action, "version": follow_up.version}).status_code == 403
    assert client.post(reverse("meeting_transition", args=[meeting.pk]), {"to_state": "held", "version": meeting.version}).status_code in (302, 403)
    meeting.refresh_from_db()
    follow_up.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNED and follow_up.state == FollowUp.State.OPEN


def test_a_wrong_attachment_is_refused_with_a_message(meeting, provincial_reviewer, client_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_of(provincial_reviewer).post(
        reverse("meeting_attachment_add", args=[meeting.pk]), {"kind": "photo", "file": SimpleUploadedFile("foto.jpg", b"MZ" + b"0" * 99)}
    )
    assert response.status_code == 400
    assert "foto.jpg" in response.content.decode()
    assert not meeting.attachments.exists()


@pytest.mark.parametrize("page", ["list", "detail", "tracker", "home"])
def test_meeting_pages_keep_a_bounded_number_of_queries(page, meeting, bengkulu, rejang_lebong_officer, kepahiang_officer,
                                                        provincial_reviewer, client_of, django_assert_max_num_queries):
    for code, officer in (("17.02", rejang_lebong_officer), ("17.08", kepahiang_officer)):
        for days in (-3, 2, 20):
            follow_up_for(meeting, bengkulu[code], officer, provincial_reviewer, days=days)
    url = {"list": reverse("meeting_list"), "detail": reverse("meeting_detail", args=[meeting.pk]),
           "tracker": reverse("follow_up_tracker"), "home": reverse("home")}[page]
    client = client_of(provincial_reviewer)
    with django_assert_max_num_queries(20) as captured:
        client.get(url)
    first = len(captured.captured_queries)
    for code, officer in (("17.02", rejang_lebong_officer), ("17.08", kepahiang_officer)):
        for days in (-5, 4, 40):
            follow_up_for(meeting, bengkulu[code], officer, provincial_reviewer, days=days)
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200


def test_a_refused_done_leaves_no_orphan_file(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer, settings):
    from pathlib import Path

    follow_up = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    with pytest.raises(ValidationError):
        follow_up_done(follow_up=follow_up, actor=rejang_lebong_officer, expected_version=follow_up.version, note="  ", upload=pdf_upload())
    assert not follow_up.evidence.exists()
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_meeting_attachment_pdf_opens_in_the_browser_and_an_office_file_does_not(meeting, provincial_reviewer, client_of):
    from openpyxl import Workbook
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.services import meeting_attachment_add

    pdf = meeting_attachment_add(meeting=meeting, actor=provincial_reviewer, kind="material", upload=pdf_upload("Materi.pdf"))
    stream = io.BytesIO()
    Workbook().save(stream)
    sheet = meeting_attachment_add(meeting=meeting, actor=provincial_reviewer, kind="attendance",
                                   upload=SimpleUploadedFile("Daftar hadir.xlsx", stream.getvalue()))
    client = client_of(provincial_reviewer)
    shown = client.get(reverse("meeting_attachment_view", args=[meeting.pk, pdf.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline;") and "filename*=utf-8''Materi.pdf" in shown["Content-Disposition"]
    assert shown["X-Content-Type-Options"] == "nosniff" and "default-src 'none'" in shown["Content-Security-Policy"]
    assert client.get(reverse("meeting_attachment_view", args=[meeting.pk, sheet.pk])).status_code == 404
    assert client.get(reverse("meeting_attachment_download", args=[meeting.pk, sheet.pk]))["Content-Disposition"].startswith("attachment;")
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("meeting_attachment_view", args=[meeting.pk, pdf.pk]) in page
    assert reverse("meeting_attachment_view", args=[meeting.pk, sheet.pk]) not in page


def test_follow_up_evidence_opens_in_the_browser_only_for_those_who_may_see_it(meeting, rejang_lebong, rejang_lebong_officer,
                                                                              kepahiang_officer, provincial_reviewer, client_of):
    theirs = follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    follow_up_done(follow_up=theirs, actor=rejang_lebong_officer, expected_version=theirs.version, note="x", upload=pdf_upload())
    url = reverse("follow_up_evidence_view", args=[theirs.pk, theirs.evidence.get().pk])
    shown = client_of(rejang_lebong_officer).get(url)
    assert shown.status_code == 200 and shown["Content-Disposition"].startswith("inline;")
    assert url in client_of(rejang_lebong_officer).get(reverse("follow_up_detail", args=[theirs.pk])).content.decode()
    assert client_of(kepahiang_officer).get(url).status_code == 404

def test_the_meeting_list_counts_only_the_follow_ups_an_officer_may_see(meeting, rejang_lebong, kepahiang, rejang_lebong_officer,
                                                                        kepahiang_officer, provincial_reviewer):
    from meetings.selectors import meeting_list

    follow_up_for(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer)
    follow_up_for(meeting, kepahiang, kepahiang_officer, provincial_reviewer)
    follow_up_for(meeting, kepahiang, kepahiang_officer, provincial_reviewer, code="2")
    assert meeting_list(user=rejang_lebong_officer)["upcoming"][0].follow_up_count == 1
    assert meeting_list(user=kepahiang_officer)["upcoming"][0].follow_up_count == 2
    assert meeting_list(user=provincial_reviewer)["upcoming"][0].follow_up_count == 3

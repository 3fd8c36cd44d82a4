"""Minutes PDFs are rendered by a worker, never inside the web request: making the minutes final
records the edition as pending and queues it; a draft is queued from the meeting page; a status box
follows the rendering (htmx, every 2 s) until the PDF can be downloaded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import MeetingMinutes, MinutesRender
from meetings.services import meeting_transition, minutes_sweep
from meetings.tasks import render_minutes
from tests.factories import MembershipFactory, UserFactory
from tests.meetings.test_meetings import meeting  # noqa: F401  (fixture)
from tests.pdf_pages import page_texts

pytestmark = pytest.mark.django_db
POLLING = 'hx-trigger="every 2s"'


def held(meeting, actor):
    return meeting_transition(meeting=meeting, actor=actor, expected_version=meeting.version, to_state="held")


def box(client, meeting):
    return client.get(reverse("minutes_box", args=[meeting.pk])).content.decode()


def test_making_the_minutes_final_answers_before_the_pdf_is_rendered_and_the_worker_issues_it(meeting, provincial_reviewer, client_of):
    meeting = held(meeting, provincial_reviewer)
    client = client_of(provincial_reviewer)
    response = client.post(reverse("meeting_transition", args=[meeting.pk]), {"version": meeting.version, "to_state": "final"})
    assert response.status_code == 302
    # The test's transaction never commits, so the rendering queued "after commit" has not run.
    render = MinutesRender.objects.get(meeting=meeting)
    assert (render.edition_number, render.state) == (1, "queued")
    assert render.document_number.startswith("000.5/1/")
    assert not MeetingMinutes.objects.exists()
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="minutes-box"' in page and POLLING in page and "Dalam antrean" in page

    render_minutes(render.pk)  # the worker

    edition = MeetingMinutes.objects.get(meeting=meeting)
    assert (edition.edition, edition.document_number) == (1, render.document_number)
    with edition.file.open("rb") as handle:
        assert f"Nomor: {edition.document_number}" in page_texts(handle.read())[0]
    now_box = box(client, meeting)
    assert POLLING not in now_box and reverse("minutes_edition_download", args=[meeting.pk, edition.pk]) in now_box


def test_a_draft_is_queued_from_the_meeting_page_and_the_box_shows_progress_then_the_link(meeting, provincial_reviewer, client_of):
    client = client_of(provincial_reviewer)
    assert client.get(reverse("minutes_pdf", args=[meeting.pk])).status_code == 404  # nothing rendered yet
    answer = client.post(reverse("minutes_draft_request", args=[meeting.pk]), HTTP_HX_REQUEST="true").content.decode()
    render = MinutesRender.objects.get(meeting=meeting, edition_number=None)
    assert render.state == "queued" and POLLING in answer and "minutes-draft-link" not in answer
    # Asking again joins the queued draft.
    client.post(reverse("minutes_draft_request", args=[meeting.pk]), HTTP_HX_REQUEST="true")
    assert MinutesRender.objects.filter(meeting=meeting).count() == 1

    render_minutes(render.pk)

    answer = box(client, meeting)
    assert POLLING not in answer and "minutes-draft-link" in answer
    download = client.get(reverse("minutes_pdf", args=[meeting.pk]))
    assert download.status_code == 200
    assert "DRAF" in page_texts(b"".join(download.streaming_content))[0]


def test_with_tasks_inline_a_draft_is_ready_at_once(meeting, provincial_reviewer, client_of, django_capture_on_commit_callbacks):
    client = client_of(provincial_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("minutes_draft_request", args=[meeting.pk]), HTTP_HX_REQUEST="true")
    assert MinutesRender.objects.get(meeting=meeting).state == "done"
    assert "minutes-draft-link" in box(client, meeting)


def test_a_failing_render_is_retried_and_then_shown_as_failed_with_its_message(meeting, provincial_reviewer, client_of, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint kehabisan memori")

    monkeypatch.setattr("meetings.minutes.render_minutes", broken)
    client = client_of(provincial_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("minutes_draft_request", args=[meeting.pk]), HTTP_HX_REQUEST="true")
    render = MinutesRender.objects.get(meeting=meeting)
    assert (render.state, render.attempts) == ("queued", 1) and render.next_attempt_at > timezone.now()
    assert minutes_sweep() == 0  # not before its delay
    later = timezone.now()
    for _attempt in range(2):
        later += timedelta(minutes=5)
        minutes_sweep(now=later)
    render.refresh_from_db()
    assert (render.state, render.attempts) == ("failed", 3)
    assert "WeasyPrint kehabisan memori" in render.error
    answer = box(client, meeting)
    assert POLLING not in answer and "Gagal" in answer and "WeasyPrint kehabisan memori" in answer


def test_the_sweep_sends_a_rendering_the_broker_never_took(meeting, provincial_reviewer):
    meeting = held(meeting, provincial_reviewer)
    meeting_transition(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, to_state="final")
    render = MinutesRender.objects.get(meeting=meeting)
    assert render.dispatched_at is None  # never sent (the commit did not happen, as with the broker down)
    assert minutes_sweep() == 1
    render.refresh_from_db()
    assert render.state == "done" and render.minutes.edition == 1


def test_a_worker_that_died_gives_its_rendering_back_to_the_queue(meeting, provincial_reviewer):
    render = MinutesRender.objects.create(meeting=meeting, requested_by=provincial_reviewer, state="running", attempts=1,
                                          started_at=timezone.now() - timedelta(hours=1), dispatched_at=timezone.now() - timedelta(hours=1))
    minutes_sweep()
    render.refresh_from_db()
    assert render.state == "done" and render.attempts == 2


def test_outside_its_scope_the_minutes_box_and_draft_answer_404(meeting, bengkulu, rejang_lebong, rejang_lebong_officer, client_of):
    outsider = MembershipFactory(agency=bengkulu["17.04"], user=UserFactory()).user
    for user in (outsider, rejang_lebong_officer):
        client = client_of(user)
        assert client.post(reverse("minutes_draft_request", args=[meeting.pk])).status_code == 404
        assert not MinutesRender.objects.exists()
    assert client_of(outsider).get(reverse("minutes_box", args=[meeting.pk])).status_code == 404
    # A participating regency sees the meeting but no draft.
    answer = box(client_of(rejang_lebong_officer), meeting)
    assert "minutes-draft-button" not in answer

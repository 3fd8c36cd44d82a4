"""One-click state changes ask first: dismissing the question posts nothing, accepting posts."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import AssessmentPeriod, PeriodEvent
from meetings.models import Meeting, MeetingEvent
from meetings.services import meeting_create
from tests.e2e.helpers import log_in
from tests.meetings.test_meetings import meeting_values

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Answers:
    """Answers the browser's confirmation dialogs in turn and remembers their questions."""

    def __init__(self, page, *answers):
        self.answers, self.questions = list(answers), []
        page.on("dialog", self.answer)

    def answer(self, dialog):
        self.questions.append(dialog.message)
        if self.answers.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()


def test_marking_a_meeting_held_posts_only_after_the_reviewer_confirms(
    page, open_period, province, rejang_lebong, provincial_reviewer
):
    meeting = meeting_create(actor=provincial_reviewer, values=meeting_values(province, open_period), participants=[rejang_lebong],
                             attendees=[])
    answers = Answers(page, False, True)
    log_in(page, "reviewer.prov")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/rapat/{meeting.pk}/")
    events_before = MeetingEvent.objects.filter(meeting=meeting).count()

    page.locator("#meeting-transition-form button[type=submit]").click()
    page.wait_for_timeout(500)
    assert answers.questions == ["Tandai rapat ini sudah terlaksana? Ini tidak dapat dibatalkan."]
    expect(page.locator("#meeting-state")).to_have_text("Direncanakan")
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNED
    assert MeetingEvent.objects.filter(meeting=meeting).count() == events_before

    page.locator("#meeting-transition-form button[type=submit]").click()
    expect(page.locator("#meeting-state")).to_have_text("Terlaksana")
    assert len(answers.questions) == 2
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD


def test_changing_a_periods_state_posts_only_after_the_administrator_confirms(page, open_period, administrator):
    answers = Answers(page, False, True)
    log_in(page, "admin.prov")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/penilaian/{open_period.pk}/")
    form = page.locator("#period-transition-form")
    form.locator("select[name=to_state]").select_option("review")

    form.locator("button[type=submit]").click()
    page.wait_for_timeout(500)
    assert len(answers.questions) == 1
    open_period.refresh_from_db()
    assert open_period.state == AssessmentPeriod.State.OPEN
    assert not PeriodEvent.objects.filter(period=open_period, to_state="review").exists()

    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    open_period.refresh_from_db()
    assert open_period.state == AssessmentPeriod.State.REVIEW
    assert len(answers.questions) == 2

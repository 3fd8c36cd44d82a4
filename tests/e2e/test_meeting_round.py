"""A control meeting round in the browser: the provincial reviewer records a meeting with two
regencies and agrees a follow-up for each; the Rejang Lebong officer marks theirs done with a PDF;
the reviewer verifies it; the Kepahiang officer cannot open Rejang Lebong's follow-up but can open
their own."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.demo_documents import simple_pdf
from assessments.models import FrameworkNode
from meetings.models import FollowUp, Meeting
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Rapat Pengendalian SPBE Triwulan I 2025"
RL_TASK = "Menyusun SK Bupati tentang Tim Koordinasi SPBE Kabupaten Rejang Lebong."
KPH_TASK = "Mengunggah peta rencana SPBE Kabupaten Kepahiang yang sudah ditetapkan."
DONE_NOTE = "SK Tim Koordinasi SPBE sudah ditandatangani Bupati; salinan terlampir."


@contextmanager
def another_browser(browser, live_server):
    """A second person at their own computer: a new browser context with its own cookies."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
    finally:
        context.close()


def logged_in(page, username):
    log_in(page, username)
    expect(page).to_have_url(re.compile(r"/$"))


def add_follow_up(page, *, agency, description, owner_label, due_date, indicator=None):
    page.locator("#add-follow-up > summary").click()
    form = page.locator("#add-follow-up form")
    expect(form.locator("select[name=agency]")).to_be_visible()
    form.locator("select[name=agency]").select_option(str(agency.pk))
    form.locator("textarea[name=description]").fill(description)
    if indicator is not None:
        form.locator("select[name=indicators]").select_option(str(indicator.pk))
    form.locator("select[name=owner]").select_option(label=owner_label)
    form.locator("input[name=due_date]").fill(due_date.isoformat())
    form.locator("button[type=submit]").click()


def test_reviewer_and_officers_complete_a_meeting_round(
    page, browser, live_server, tmp_path, open_period, province, rejang_lebong, kepahiang,
    provincial_reviewer, rejang_lebong_officer, kepahiang_officer,
):
    due = timezone.localdate() + timedelta(days=14)
    indicator_1 = FrameworkNode.objects.get(version=open_period.framework_version, code="1", is_indicator=True)
    pdf = tmp_path / "sk-tim-koordinasi-spbe.pdf"
    pdf.write_bytes(simple_pdf("SK Bupati Rejang Lebong tentang Tim Koordinasi SPBE", ["Ditetapkan di Curup."]))

    # 1. The provincial reviewer records the meeting.
    reviewer = page
    logged_in(reviewer, "reviewer.prov")
    reviewer.goto("/rapat/baru/")
    form = reviewer.locator("#meeting-form")
    expect(form.locator("select[name=organiser]")).to_have_value(str(province.pk))
    expect(form.locator("select[name=period]")).to_have_value(str(open_period.pk))
    form.locator("input[name=title]").fill(TITLE)
    form.locator("input[name=starts_at]").fill("2025-03-12T09:00")
    form.locator("input[name=ends_at]").fill("2025-03-12T12:00")
    form.locator("input[name=place]").fill("Ruang Rapat Diskominfotik Provinsi Bengkulu")
    form.locator("input[name=chair]").fill("Kepala Diskominfotik Provinsi Bengkulu")
    form.locator("input[name=note_taker]").fill("Sekretariat Tim Koordinasi SPBE")
    form.locator(f'input[name=participants][value="{rejang_lebong.pk}"]').check()
    form.locator(f'input[name=participants][value="{kepahiang.pk}"]').check()
    form.locator("textarea[name=agenda]").fill("Capaian penilaian mandiri 2025\nRencana tindak lanjut")
    form.locator("textarea[name=discussion]").fill(
        "Rejang Lebong belum menetapkan Tim Koordinasi SPBE.\nKepahiang belum mengunggah peta rencana SPBE."
    )
    attendees = reviewer.locator("#attendees")
    attendees.locator("input[name=attendees-0-name]").fill("Dra. Sri Wahyuni")
    attendees.locator("input[name=attendees-0-position]").fill("Narasumber, Kementerian PANRB")
    form.locator("button[type=submit]").click()

    expect(reviewer).to_have_url(re.compile(r"/rapat/\d+/$"))
    meeting_url = re.search(r"/rapat/\d+/$", reviewer.url).group(0)
    expect(reviewer.locator("h1")).to_have_text(TITLE)
    expect(reviewer.locator("#meeting-state")).to_be_visible()
    expect(reviewer.locator("#discussion li")).to_have_count(2)

    # The reviewer agrees a follow-up for each regency.
    add_follow_up(reviewer, agency=rejang_lebong, description=RL_TASK, owner_label="Operator Rejang Lebong (officer.rl)",
                  due_date=due, indicator=indicator_1)
    expect(reviewer).to_have_url(re.compile(re.escape(meeting_url) + "$"))
    expect(reviewer.locator("#follow-ups tbody tr")).to_have_count(1)
    add_follow_up(reviewer, agency=kepahiang, description=KPH_TASK, owner_label="Operator Kepahiang (officer.kph)", due_date=due)
    expect(reviewer).to_have_url(re.compile(re.escape(meeting_url) + "$"))
    rows = reviewer.locator("#follow-ups tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=RL_TASK)).to_contain_text("Rejang Lebong")
    expect(rows.filter(has_text=RL_TASK).locator(".follow-up-open")).to_be_visible()
    expect(rows.filter(has_text=KPH_TASK)).to_contain_text("Kepahiang")

    rl_follow_up = FollowUp.objects.get(agency=rejang_lebong)
    kph_follow_up = FollowUp.objects.get(agency=kepahiang)
    rl_url = f"/rapat/tindak-lanjut/{rl_follow_up.pk}/"
    kph_url = f"/rapat/tindak-lanjut/{kph_follow_up.pk}/"
    assert (rl_follow_up.owner, rl_follow_up.due_date) == (rejang_lebong_officer, due)
    assert list(rl_follow_up.indicators.values_list("code", flat=True)) == ["1"]
    assert kph_follow_up.owner == kepahiang_officer

    # 2. The Rejang Lebong officer sees only their follow-up, and marks it done with a PDF.
    with another_browser(browser, live_server) as officer:
        logged_in(officer, "officer.rl")
        officer.goto(meeting_url)
        own_rows = officer.locator("#follow-ups tbody tr")
        expect(own_rows).to_have_count(1)
        own_rows.locator(f'a[href="{rl_url}"]').click()
        expect(officer).to_have_url(re.compile(re.escape(rl_url) + "$"))
        expect(officer.locator(".follow-up-open")).to_be_visible()
        work = officer.locator("#follow-up-form")
        work.locator("input[name=file]").set_input_files(pdf)
        work.locator("input[name=description]").fill("SK Bupati yang sudah ditandatangani")
        work.locator("textarea[name=note]").fill(DONE_NOTE)
        work.locator("button[name=action][value=done]").click()
        expect(officer.locator(".follow-up-done")).to_be_visible()
        expect(officer).to_have_url(re.compile(re.escape(rl_url) + "$"))
        expect(officer.locator("#follow-up-evidence li")).to_have_count(1)
        expect(officer.locator("#follow-up-evidence")).to_contain_text("sk-tim-koordinasi-spbe.pdf")
        expect(officer.locator("#follow-up-form")).to_have_count(0)

    # 3. The reviewer verifies it.
    reviewer.goto(rl_url)
    expect(reviewer.locator(".follow-up-done")).to_be_visible()
    expect(reviewer.locator("#follow-up-evidence")).to_contain_text("sk-tim-koordinasi-spbe.pdf")
    reviewer.locator("#verify-form button[name=action][value=verify]").click()
    expect(reviewer.locator(".follow-up-verified")).to_be_visible()
    expect(reviewer.locator("#verify-form")).to_have_count(0)

    # 4. The Kepahiang officer cannot open Rejang Lebong's follow-up, only their own.
    with another_browser(browser, live_server) as other:
        logged_in(other, "officer.kph")
        response = other.goto(rl_url)
        assert response.status == 404
        response = other.goto(kph_url)
        assert response.status == 200
        expect(other.locator(".follow-up-open")).to_be_visible()
        expect(other.locator("#follow-up-form")).to_be_visible()

    rl_follow_up.refresh_from_db()
    assert rl_follow_up.state == FollowUp.State.VERIFIED
    assert rl_follow_up.completion_note == DONE_NOTE
    assert rl_follow_up.evidence.count() == 1
    meeting = Meeting.objects.get()
    assert meeting.organiser == province and meeting.period == open_period
    assert set(meeting.participants.all()) == {rejang_lebong, kepahiang}
    assert list(meeting.attendees.values_list("name", "position", "agency", "user")) == [
        ("Dra. Sri Wahyuni", "Narasumber, Kementerian PANRB", None, None)
    ]

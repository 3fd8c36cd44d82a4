"""The meeting form in the browser: attendee rows are added without saving, and a follow-up's owner
list shows only the people of the chosen agency."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reviewer_adds_attendee_rows_and_picks_an_owner_of_the_chosen_regency(
    page, open_period, province, rejang_lebong, kepahiang, provincial_reviewer, rejang_lebong_officer, kepahiang_officer
):
    log_in(page, "reviewer.prov")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/rapat/baru/")
    form = page.locator("#meeting-form")
    form.locator("input[name=title]").fill("Rapat Pengendalian SPBE")
    form.locator("input[name=starts_at]").fill("2025-03-12T09:00")
    form.locator("input[name=place]").fill("Ruang Rapat")
    form.locator("input[name=chair]").fill("Kepala Dinas")
    form.locator("input[name=note_taker]").fill("Analis SPBE")
    form.locator(f'input[name=participants][value="{rejang_lebong.pk}"]').check()
    form.locator(f'input[name=participants][value="{kepahiang.pk}"]').check()
    form.locator("textarea[name=agenda]").fill("Pembukaan")
    rows = page.locator("#attendees-rows tr")
    expect(rows).to_have_count(3)
    page.locator("#add-attendee").click()
    page.locator("#add-attendee").click()
    expect(rows).to_have_count(5)
    expect(page.locator("input[name=attendees-4-name]")).to_be_focused()
    page.locator("input[name=attendees-0-name]").fill("Peserta Pertama")
    page.locator("input[name=attendees-4-name]").fill("Peserta Kelima")
    page.locator("select[name=attendees-4-agency]").select_option(str(kepahiang.pk))
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/rapat/\d+/$"))
    meeting = Meeting.objects.get()
    assert sorted(meeting.attendees.values_list("name", "agency")) == [("Peserta Kelima", kepahiang.pk), ("Peserta Pertama", None)]

    page.locator("#add-follow-up > summary").click()
    follow_up = page.locator("#add-follow-up form")
    owner = follow_up.locator("select[name=owner]")
    follow_up.locator("select[name=agency]").select_option(str(rejang_lebong.pk))
    expect(owner.locator(f'option[value="{rejang_lebong_officer.pk}"]')).to_be_enabled()
    expect(owner.locator(f'option[value="{kepahiang_officer.pk}"]')).to_be_disabled()
    owner.select_option(str(rejang_lebong_officer.pk))
    follow_up.locator("select[name=agency]").select_option(str(kepahiang.pk))
    expect(owner).to_have_value("")  # the Rejang Lebong officer is no longer a choice
    expect(owner.locator(f'option[value="{kepahiang_officer.pk}"]')).to_be_enabled()
    expect(owner.locator(f'option[value="{rejang_lebong_officer.pk}"]')).to_be_disabled()

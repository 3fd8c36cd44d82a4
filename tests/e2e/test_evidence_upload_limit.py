"""The upload cap in the browser: choosing a file over EVIDENCE_MAX_MB shows a message at once,
before anything is sent, and keeps what the officer already typed."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_choosing_a_file_over_20_mb_shows_a_message_and_keeps_the_typed_justification(page, tmp_path, open_period, lebong_officer):
    too_large = tmp_path / "pindaian-perbup.pdf"
    with too_large.open("wb") as handle:  # 21 MB, sparse: nothing to write but the size
        handle.write(b"%PDF-1.4\n")
        handle.truncate(21 * 1024 * 1024)
    page.set_default_timeout(60000)  # a loaded machine signs in slowly; nothing here waits on purpose
    log_in(page, "officer.lbg")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/penilaian/{open_period.pk}/17.07/1/")
    form = page.locator("#item-form")
    expect(form).to_contain_text("Maks. 20 MB")
    form.locator("textarea[name=justification]").fill("Perbup SPBE sudah ditetapkan; pindaian terlampir.")
    form.locator("input[name=evidence_file]").set_input_files(too_large)
    message = form.locator(".upload-too-large")
    expect(message).to_be_visible()
    expect(message).to_contain_text("pindaian-perbup.pdf")
    expect(message).to_contain_text("21,0 MB")
    expect(message).to_contain_text("20 MB")
    expect(form.locator("input[name=evidence_file]")).to_have_js_property("value", "")  # the file cannot be sent
    expect(form.locator("textarea[name=justification]")).to_have_value("Perbup SPBE sudah ditetapkan; pindaian terlampir.")
    assert page.url.endswith(f"/penilaian/{open_period.pk}/17.07/1/")  # nothing was sent

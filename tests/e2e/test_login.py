import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_through_chromium_and_sees_the_home_page(page, kepahiang_officer):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/akun/masuk/\?next=/$"))
    expect(page.get_by_role("heading", name="Masuk ke Portal SPBE")).to_be_visible()
    log_in(page, "officer.kph")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Instansi Anda")).to_be_visible()
    expect(page.get_by_role("link", name="Pemerintah Kabupaten Kepahiang")).to_be_visible()
    # Vendored assets load from the portal itself (no CDN): Bootstrap's styles are applied.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"


def test_officer_cannot_open_another_regency_in_the_browser(page, kepahiang_officer, rejang_lebong):
    log_in(page, "officer.kph")
    response = page.goto("/instansi/17.02/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()


def test_switching_to_english_and_back(page, kepahiang_officer):
    log_in(page, "officer.kph")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_role("heading", name="Your agencies")).to_be_visible()
    page.get_by_label("Language").select_option("id")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Instansi Anda")).to_be_visible()

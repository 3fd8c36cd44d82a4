"""Two-step sign-in in Chromium: a reviewer without a second factor is sent to set one up before
any page, reads the key off the page (the test computes the code as an authenticator app would),
sees the recovery codes once, signs out, and signs in again with the password and a code. The new
pages pass axe-core and fit a phone."""

import base64
import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.audit import PHONE, audit, axe_violations, problems
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def required(settings):
    settings.SECOND_FACTOR_REQUIRED_ROLES = ["administrator", "reviewer"]


def app_code(key, steps_ahead=0):
    """What an authenticator app shows for the base32 ``key`` (RFC 6238: SHA-1, 30 s, 6 digits)."""
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    totp = TOTP(secret, step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_reviewer_sets_up_two_step_sign_in_then_signs_in_with_a_code(page, required, provincial_reviewer, open_period):
    dashboard = reverse("province_dashboard", args=[open_period.pk])
    log_in(page, "reviewer.prov")
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/pasang/\?next=%2F$"))
    expect(page.get_by_role("heading", name="Pasang verifikasi dua langkah")).to_be_visible()
    # No page opens before it is set up: the dashboard sends the reviewer back.
    page.goto(dashboard)
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/pasang/\?next=%2Fdasbor%2F\d+%2F$"))
    expect(page.locator("#main-nav")).to_have_count(0)  # no menu of pages it could not open

    qr = page.get_by_role("img", name="Kode QR untuk menambahkan Portal SPBE ke aplikasi autentikator")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)

    page.get_by_label("Kode dari aplikasi").fill("000000" if app_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()

    page.get_by_label("Kode dari aplikasi").fill(app_code(key))
    page.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/kode-pemulihan/"))
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes.all_inner_texts())
    page.get_by_role("link", name="Kode sudah saya simpan — lanjutkan").click()
    expect(page).to_have_url(re.compile(re.escape(dashboard) + "$"))
    expect(page.get_by_role("heading", name="Dasbor provinsi")).to_be_visible()

    page.locator("nav .dropdown-toggle").click()
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/akun/masuk/"))

    page.goto(dashboard)
    page.get_by_label("Nama pengguna").fill("reviewer.prov")
    page.get_by_label("Kata sandi").fill("Rahasia-Kuat-2026")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/akun/dua-langkah/\?next="))
    expect(page.get_by_role("heading", name="Masukkan kode masuk Anda")).to_be_visible()
    # The code used to set it up is spent; the app's next one is accepted (one step of tolerance).
    page.get_by_role("textbox", name=re.compile(r"^Kode\b")).fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page).to_have_url(re.compile(re.escape(dashboard) + "$"))
    expect(page.get_by_role("heading", name="Dasbor provinsi")).to_be_visible()


def test_the_two_step_pages_are_accessible_and_fit_a_phone(page, required, provincial_reviewer, rejang_lebong_officer, settings):
    failures = []

    def check(url, expected_path=None):
        found = audit(page, url)
        assert found is not None, url
        if expected_path:
            assert expected_path in found["final_url"], (url, found["final_url"])
        failures.extend(f"{url}: {problem}" for problem in problems(found))

    log_in(page, "reviewer.prov")
    page.wait_for_url(re.compile(r"/akun/dua-langkah/pasang/"))
    check(reverse("second_factor_setup"), "/pasang/")
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_label("Kode dari aplikasi").fill(app_code(key))
    page.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
    page.wait_for_url(re.compile(r"/kode-pemulihan/"))
    # The codes are shown only once, so that page is checked where it is (a second look is the form).
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    failures.extend(f"recovery codes shown: {violation}" for violation in axe_violations(page))
    check(reverse("recovery_codes"), "/kode-pemulihan/")
    check(reverse("account_settings"))
    check(reverse("second_factor_disable"), "/matikan/")
    page.locator("nav .dropdown-toggle").click()
    page.get_by_role("button", name="Keluar").click()
    log_in(page, "reviewer.prov")
    page.wait_for_url(re.compile(r"/akun/dua-langkah/\?"))
    check(reverse("second_factor_verify"), "/dua-langkah/")
    assert failures == [], "\n".join(failures)

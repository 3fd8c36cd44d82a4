"""Single sign-on in Chromium against the real test OpenID Connect provider (node-oidc-provider on
loopback, tests/oidc_provider.py): the officer clicks the button, signs in at the provider and lands
on their home; a person the portal does not know sees whom to ask."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import DESKTOP, PHONE, audit, axe_violations, problems
from tests.oidc_provider import PASSWORD, SITI_NIP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page, username):
    expect(page.get_by_role("heading", name="Test ASN identity provider")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_officer_signs_in_through_the_provider_and_lands_on_their_home(page, sso_settings, oidc_provider, rejang_lebong_officer):
    rejang_lebong_officer.employee_number = SITI_NIP
    rejang_lebong_officer.save()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/akun/masuk/\?next=/$"))
    page.get_by_role("link", name="Masuk dengan SSO ASN").click()
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.issuer) + r"/interaction/"))
    sign_in_at_provider(page, "asn-siti")
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/$"))
    expect(page.get_by_role("heading", name="Instansi Anda")).to_be_visible()
    expect(page.get_by_role("link", name="Pemerintah Kabupaten Rejang Lebong")).to_be_visible()
    expect(page.get_by_role("button", name="Operator Rejang Lebong")).to_be_visible()
    rejang_lebong_officer.refresh_from_db()
    assert rejang_lebong_officer.oidc_subject == "asn-siti"


def test_signing_out_ends_the_providers_session_so_the_next_person_must_sign_in(page, sso_settings, oidc_provider,
                                                                                  rejang_lebong_officer):
    """A shared office computer: after the officer signs out of the portal (and, sent there, out of
    the provider), "Masuk dengan SSO ASN" asks for a user name and password again."""
    rejang_lebong_officer.employee_number = SITI_NIP
    rejang_lebong_officer.save()
    page.goto("/akun/masuk/")
    page.get_by_role("link", name="Masuk dengan SSO ASN").click()
    sign_in_at_provider(page, "asn-siti")
    expect(page.get_by_role("heading", name="Instansi Anda")).to_be_visible()
    page.get_by_role("button", name="Operator Rejang Lebong").click()
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Sign out of the test ASN identity provider?")).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/akun/masuk/$"))
    expect(page.get_by_role("heading", name="Masuk ke Portal SPBE")).to_be_visible()
    page.get_by_role("link", name="Masuk dengan SSO ASN").click()
    expect(page.get_by_role("heading", name="Test ASN identity provider")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()


def test_a_person_without_an_account_sees_whom_to_ask(page, sso_settings, oidc_provider, rejang_lebong_officer):
    page.goto("/akun/masuk/")
    page.get_by_role("link", name="Masuk dengan SSO ASN").click()
    sign_in_at_provider(page, "asn-budi")
    expect(page.get_by_role("heading", name="Anda belum memiliki akun portal")).to_be_visible()
    expect(page.locator("#sso-office")).to_contain_text("Dinas Komunikasi")
    page.get_by_role("link", name="Kembali ke halaman masuk").click()
    expect(page.get_by_role("heading", name="Masuk ke Portal SPBE")).to_be_visible()


def test_the_login_page_with_the_button_and_the_refusal_page_are_accessible(page, sso_settings, oidc_provider, bengkulu):
    found = audit(page, "/akun/masuk/")
    assert problems(found) == []
    page.get_by_role("link", name="Masuk dengan SSO ASN").click()
    sign_in_at_provider(page, "asn-budi")
    expect(page.get_by_role("heading", name="Anda belum memiliki akun portal")).to_be_visible()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

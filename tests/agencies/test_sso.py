"""Single sign-on with OpenID Connect against a real provider (node-oidc-provider on loopback,
tests/oidc_provider.py): the portal's flow through the test client, the refusals, and the matching
rules. The browser walk is in tests/e2e/test_sso.py."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from agencies import sso
from agencies.models import AccessLogEntry, SignInMethod, SignInRecord
from agencies.services import person_anonymise
from tests.conftest import PASSWORD
from tests.oidc_provider import (
    DEDI_NIP, OTHER_CLIENT, RAHMAT_EMAIL, SITI_NIP, provider_tokens, sign_in_at_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti(rejang_lebong_officer):
    """The Rejang Lebong officer, known to the provider as "asn-siti" by her NIP."""
    rejang_lebong_officer.employee_number = SITI_NIP
    rejang_lebong_officer.save()
    return rejang_lebong_officer


def start(client, next_url=""):
    """The portal's redirect to the provider (the SSO button)."""
    response = client.get(reverse("sso_start") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def callback_path(url):
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def sso_round(client, username, next_url=""):
    """The whole round: portal → provider sign-in as ``username`` → the callback URL (not yet
    opened)."""
    return callback_path(sign_in_at_provider(start(client, next_url), username))


# --- The flow --------------------------------------------------------------------------------


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(client, sso_settings):
    query = parse_qs(urlparse(start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["spbe-portal"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/akun/sso/callback/"]
    assert "openid" in query["scope"][0].split()


def test_officer_signs_in_by_nip_and_the_subject_is_remembered(client, sso_settings, siti):
    response = client.get(sso_round(client, "asn-siti"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(siti.pk)
    assert client.session["_auth_user_backend"] == "agencies.backends.SingleSignOnBackend"
    siti.refresh_from_db()
    assert siti.oidc_subject == "asn-siti"
    record = SignInRecord.objects.get(user=siti)
    assert record.succeeded and record.method == SignInMethod.SSO
    assert AccessLogEntry.objects.filter(actor=siti, action=AccessLogEntry.Action.SSO_SIGN_IN).count() == 1
    assert client.get(reverse("home")).status_code == 200


def test_signing_in_grants_no_role_and_creates_no_account(client, sso_settings, siti):
    from agencies.models import Membership, User

    users, memberships = User.objects.count(), list(Membership.objects.values_list("user", "agency", "role"))
    client.get(sso_round(client, "asn-siti"))
    client.logout()
    client.get(sso_round(client, "asn-budi"))  # unknown to the portal
    assert User.objects.count() == users
    assert list(Membership.objects.values_list("user", "agency", "role")) == memberships


def test_next_is_followed_when_it_is_on_this_site(client, sso_settings, siti):
    response = client.get(sso_round(client, "asn-siti", next_url="/akun/data-pribadi/"))
    assert response["Location"] == "/akun/data-pribadi/"


def test_next_to_another_site_is_ignored(client, sso_settings, siti):
    response = client.get(sso_round(client, "asn-siti", next_url="https://evil.example/"))
    assert response["Location"] == reverse("home")


def test_reviewer_without_nip_signs_in_by_verified_email(client, sso_settings, provincial_reviewer):
    provincial_reviewer.email = RAHMAT_EMAIL.upper()
    provincial_reviewer.save()
    client.get(sso_round(client, "asn-rahmat"))
    assert client.session["_auth_user_id"] == str(provincial_reviewer.pk)


def test_a_reviewer_signed_in_by_sso_still_owes_the_second_factor(client, sso_settings, provincial_reviewer, settings):
    """Single sign-on proves the first factor only: a reviewer whose role requires two-step sign-in
    is sent to set it up before any page, as after a password."""
    settings.SECOND_FACTOR_REQUIRED_ROLES = ["administrator", "reviewer"]
    provincial_reviewer.email = RAHMAT_EMAIL
    provincial_reviewer.save()
    response = client.get(sso_round(client, "asn-rahmat"))
    assert client.session["_auth_user_id"] == str(provincial_reviewer.pk)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_setup"))


def test_signing_out_after_single_sign_on_ends_the_providers_session_too(client, sso_settings, siti, oidc_provider):
    """RP-Initiated Logout: the portal's sign-out sends the browser to the provider's
    end_session_endpoint with its client id and the login page to come back to (no ID token kept)."""
    client.get(sso_round(client, "asn-siti"))
    assert not any(value.count(".") == 2 and len(value) > 100 for value in map(str, client.session.values()))
    response = client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    location = urlparse(response["Location"])
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == oidc_provider.metadata()["end_session_endpoint"]
    query = parse_qs(location.query)
    assert "id_token_hint" not in query
    assert query["post_logout_redirect_uri"] == ["http://testserver/akun/masuk/"]
    assert query["client_id"] == ["spbe-portal"]


def test_signing_out_after_a_password_sign_in_stays_in_the_portal(client, sso_settings, siti):
    client.post(reverse("login"), {"username": siti.username, "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_with_provider_logout_off_the_sign_out_stays_in_the_portal(client, sso_settings, siti, settings):
    settings.OIDC_PROVIDER_LOGOUT = False
    client.get(sso_round(client, "asn-siti"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


# --- Refusals, each with a real flow or token from the provider --------------------------------


def assert_refused(response, client):
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_replayed_state_is_refused(client, sso_settings, siti):
    """The callback URL opened again in the same browser after it signed in: the state was used up
    (refused for its state, before the provider would refuse the used code)."""
    callback = sso_round(client, "asn-siti")
    assert client.get(callback).status_code == 302
    response = client.get(callback)
    assert response.status_code == 403
    assert response.context["reason"] == sso.SsoRefused.STATE


def test_a_replayed_callback_in_the_same_session_is_refused(client, sso_settings, siti):
    """The state is removed from the session when it is used, even if the sign-in then failed."""
    siti.is_active = False
    siti.save()
    callback = sso_round(client, "asn-siti")
    assert client.get(callback).context["reason"] == sso.SsoRefused.INACTIVE
    siti.is_active = True
    siti.save()
    response = client.get(callback)
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.STATE


def test_a_forged_state_is_refused(client, sso_settings, siti):
    callback = sso_round(client, "asn-siti")
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.STATE


def test_a_missing_state_is_refused(client, sso_settings, siti):
    callback = sso_round(client, "asn-siti")
    query = parse_qs(urlparse(callback).query)
    response = client.get(reverse("sso_callback"), {"code": query["code"][0]})
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.STATE


def test_a_callback_from_another_browser_is_refused(client, sso_settings, siti):
    """The code and state reached someone else's browser: their session holds no such state."""
    from django.test import Client

    callback = sso_round(client, "asn-siti")
    other = Client()
    response = other.get(callback)
    assert_refused(response, other)


def test_an_error_from_the_provider_is_refused(client, sso_settings):
    query = parse_qs(urlparse(start(client)).query)
    response = client.get(reverse("sso_callback"), {"state": query["state"][0], "error": "access_denied"})
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.PROVIDER


def test_an_id_token_issued_to_another_client_is_refused(sso_settings, oidc_provider):
    """A real ID token that the provider issued to "other-app" (wrong audience)."""
    token = provider_tokens(oidc_provider, "asn-siti", client=OTHER_CLIENT, nonce="n-1")
    with pytest.raises(sso.SsoRefused) as refused:
        sso.id_token_claims(id_token=token["id_token"], nonce="n-1")
    assert refused.value.reason == sso.SsoRefused.TOKEN
    assert "aud" in refused.value.detail
    # The same token is good for the client it was issued to: only the audience was wrong.
    sso_settings.OIDC_CLIENT_ID, sso_settings.OIDC_CLIENT_SECRET = OTHER_CLIENT
    assert sso.id_token_claims(id_token=token["id_token"], nonce="n-1")["sub"] == "asn-siti"


def test_the_flow_run_by_another_client_is_refused_at_the_callback(client, sso_settings, siti):
    """The portal starts the flow as "other-app" (a mismatched client): its token is refused."""
    sso_settings.OIDC_CLIENT_ID, sso_settings.OIDC_CLIENT_SECRET = OTHER_CLIENT
    callback = sso_round(client, "asn-siti")
    sso_settings.OIDC_CLIENT_ID, sso_settings.OIDC_CLIENT_SECRET = "spbe-portal", "spbe-portal-test-secret"
    response = client.get(callback)
    assert_refused(response, client)
    assert response.context["reason"] in {sso.SsoRefused.PROVIDER, sso.SsoRefused.TOKEN}


def test_an_expired_id_token_is_refused(sso_settings, oidc_provider):
    token = provider_tokens(oidc_provider, "asn-siti", nonce="n-2")
    claims = sso.id_token_claims(id_token=token["id_token"], nonce="n-2")
    skew = sso_settings.OIDC_CLOCK_SKEW
    # Within the tolerated clock difference it is still good …
    assert sso.id_token_claims(id_token=token["id_token"], nonce="n-2", now=claims["exp"] + skew - 1)["sub"] == "asn-siti"
    # … past it, refused.
    with pytest.raises(sso.SsoRefused) as refused:
        sso.id_token_claims(id_token=token["id_token"], nonce="n-2", now=claims["exp"] + skew + 1)
    assert refused.value.reason == sso.SsoRefused.TOKEN
    assert "Expired" in refused.value.detail


def test_an_id_token_with_another_nonce_is_refused(sso_settings, oidc_provider):
    token = provider_tokens(oidc_provider, "asn-siti", nonce="n-3")
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(id_token=token["id_token"], nonce="another")


def test_a_tampered_id_token_is_refused(sso_settings, oidc_provider):
    import base64
    import json

    token = provider_tokens(oidc_provider, "asn-budi", nonce="n-4")
    header, payload, signature = token["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["nip"] = SITI_NIP
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(id_token=f"{header}.{forged_payload}.{signature}", nonce="n-4")


def test_an_id_token_from_another_issuer_is_refused(sso_settings, oidc_provider):
    token = provider_tokens(oidc_provider, "asn-siti", nonce="n-5")
    sso_settings.OIDC_ISSUER = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    with pytest.raises(sso.SsoRefused) as refused:
        sso.id_token_claims(id_token=token["id_token"], nonce="n-5")
    assert refused.value.detail == "discovery issuer mismatch"


def test_an_id_token_whose_own_issuer_differs_is_refused(sso_settings, oidc_provider, monkeypatch):
    """Discovery names the configured issuer, but the (real, signed) token says another: its iss claim
    is checked on its own, not only the discovery document."""
    token = provider_tokens(oidc_provider, "asn-siti", nonce="n-6")
    configured = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    sso_settings.OIDC_ISSUER = configured
    client = sso.oidc_client()
    real = oidc_provider.metadata()
    monkeypatch.setattr(client, "load_server_metadata", lambda: {**real, "issuer": configured})
    monkeypatch.setattr(client, "fetch_jwk_set", lambda force=False: requests.get(real["jwks_uri"], timeout=5).json())
    with pytest.raises(sso.SsoRefused) as refused:
        sso.id_token_claims(id_token=token["id_token"], nonce="n-6")
    assert refused.value.reason == sso.SsoRefused.TOKEN and "iss" in refused.value.detail


def test_an_unmatched_person_sees_whom_to_ask(client, sso_settings, siti, bengkulu):
    response = client.get(sso_round(client, "asn-budi"))
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.UNMATCHED
    page = response.content.decode()
    assert "administrator" in page.lower() or "administrator" in page
    assert "Dinas Komunikasi, Informatika dan Statistik" in page
    # Nothing about any account (nor the provider's claims) is shown.
    for leaked in (siti.username, siti.full_name, SITI_NIP, "budi.santoso", "Budi Santoso"):
        assert leaked not in page
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.SSO_REFUSED)
    assert entry.actor is None and entry.reason == sso.SsoRefused.UNMATCHED and entry.object_description == ""


def test_an_unmatched_person_sees_the_page_in_indonesian(client, sso_settings, bengkulu):
    page = client.get(sso_round(client, "asn-budi"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "belum memiliki akun" in page


def test_an_inactive_account_is_refused(client, sso_settings, siti):
    siti.is_active = False
    siti.save()
    response = client.get(sso_round(client, "asn-siti"))
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.INACTIVE
    assert SignInRecord.objects.get(user=siti).succeeded is False


def test_an_inactive_account_matched_by_its_subject_is_refused(client, sso_settings, siti):
    client.get(sso_round(client, "asn-siti"))
    client.logout()
    siti.refresh_from_db()
    siti.is_active = False
    siti.employee_number = ""
    siti.save()
    response = client.get(sso_round(client, "asn-siti"))
    assert response.context["reason"] == sso.SsoRefused.INACTIVE


def test_an_anonymised_person_is_not_signed_in(client, sso_settings, siti, administrator):
    client.get(sso_round(client, "asn-siti"))
    client.logout()
    person_anonymise(user=siti, by=administrator, reason="pindah tugas")
    siti.refresh_from_db()
    assert siti.oidc_subject is None
    response = client.get(sso_round(client, "asn-siti"))
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.UNMATCHED


def test_an_account_linked_to_another_subject_is_refused(client, sso_settings, siti):
    siti.oidc_subject = "someone-else"
    siti.save()
    response = client.get(sso_round(client, "asn-siti"))
    assert_refused(response, client)
    assert response.context["reason"] == sso.SsoRefused.SUBJECT_TAKEN
    siti.refresh_from_db()
    assert siti.oidc_subject == "someone-else"


def test_sso_is_off_without_an_issuer(client, settings):
    settings.OIDC_ISSUER = None
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback")).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "sso-login" not in page


def test_the_login_page_shows_the_provider_button(client, sso_settings):
    sso_settings.OIDC_PROVIDER_NAME = "SSO ASN Bengkulu"
    page = client.get(reverse("login"), {"next": "/rapat/"}, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Masuk dengan SSO ASN Bengkulu" in page
    assert 'href="/akun/sso/masuk/?next=/rapat/"' in page
    assert 'name="password"' in page


# --- Passwords switched off ---------------------------------------------------------------------


def test_with_passwords_off_the_login_page_shows_only_the_sso_button(client, sso_settings, siti):
    sso_settings.PASSWORD_LOGIN_ENABLED = False
    page = client.get(reverse("login")).content.decode()
    assert "sso-login" in page
    assert 'name="password"' not in page
    assert reverse("password_reset") not in page


def test_with_passwords_off_a_password_post_is_refused(client, settings, siti):
    settings.PASSWORD_LOGIN_ENABLED = False
    response = client.post(reverse("login"), {"username": siti.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # Nor does any other way in take a password: the backend itself refuses.
    from agencies.backends import PasswordBackend

    assert PasswordBackend().authenticate(None, username=siti.username, password=PASSWORD) is None
    settings.PASSWORD_LOGIN_ENABLED = True
    assert PasswordBackend().authenticate(None, username=siti.username, password=PASSWORD) == siti


def test_with_passwords_off_the_password_pages_are_gone(client, client_of, settings, siti):
    settings.PASSWORD_LOGIN_ENABLED = False
    assert client.get(reverse("password_reset")).status_code == 404
    assert client.post(reverse("password_reset"), {"email": siti.email}).status_code == 404
    assert client_of(siti).get(reverse("password_change")).status_code == 404


def test_with_passwords_on_a_password_sign_in_is_recorded_as_password(client, siti):
    response = client.post(reverse("login"), {"username": siti.username, "password": PASSWORD})
    assert response.status_code == 302
    assert SignInRecord.objects.get(user=siti).method == SignInMethod.PASSWORD


# --- Matching rules (no provider needed) ------------------------------------------------------------


class TestMatching:
    def test_by_nip(self, siti, settings):
        assert sso.sso_account_match(claims={"sub": "s-1", "nip": SITI_NIP}) == siti

    def test_the_nip_claim_name_is_configurable(self, siti, settings):
        settings.OIDC_NIP_CLAIM = "employee_id"
        assert sso.sso_account_match(claims={"sub": "s-1", "employee_id": SITI_NIP}) == siti
        with pytest.raises(sso.SsoRefused):
            sso.sso_account_match(claims={"sub": "s-2", "nip": SITI_NIP})

    def test_a_malformed_nip_matches_nobody(self, siti):
        siti.employee_number = "12345"
        siti.save()
        with pytest.raises(sso.SsoRefused) as refused:
            sso.sso_account_match(claims={"sub": "s-1", "nip": "12345"})
        assert refused.value.reason == sso.SsoRefused.UNMATCHED

    def test_two_accounts_with_one_nip_match_nobody(self, siti, kepahiang_officer):
        kepahiang_officer.employee_number = SITI_NIP
        kepahiang_officer.save()
        with pytest.raises(sso.SsoRefused):
            sso.sso_account_match(claims={"sub": "s-1", "nip": SITI_NIP})

    def test_by_verified_email_case_insensitive(self, siti):
        assert sso.sso_account_match(claims={"sub": "s-1", "email": siti.email.upper(), "email_verified": True}) == siti

    def test_an_unverified_email_matches_nobody(self, siti):
        for verified in (False, "true", None):
            with pytest.raises(sso.SsoRefused):
                sso.sso_account_match(claims={"sub": "s-1", "email": siti.email, "email_verified": verified})

    def test_an_email_two_accounts_share_matches_nobody(self, siti, kepahiang_officer):
        kepahiang_officer.email = siti.email.upper()
        kepahiang_officer.save()
        with pytest.raises(sso.SsoRefused):
            sso.sso_account_match(claims={"sub": "s-1", "email": siti.email, "email_verified": True})

    def test_nip_comes_before_email(self, siti, kepahiang_officer):
        kepahiang_officer.employee_number = DEDI_NIP
        kepahiang_officer.save()
        claims = {"sub": "s-1", "nip": DEDI_NIP, "email": siti.email, "email_verified": True}
        assert sso.sso_account_match(claims=claims) == kepahiang_officer

    def test_an_email_match_holding_another_nip_is_refused(self, siti):
        """A shared office mailbox: the provider's person has a NIP no account holds, and the account
        with that e-mail belongs to someone with another NIP."""
        claims = {"sub": "s-9", "nip": DEDI_NIP, "email": siti.email, "email_verified": True}
        with pytest.raises(sso.SsoRefused) as refused:
            sso.sso_account_match(claims=claims)
        assert refused.value.reason == sso.SsoRefused.UNMATCHED
        siti.refresh_from_db()
        assert siti.oidc_subject is None
        # without a NIP claim, or for an account without a NIP, the verified e-mail still matches
        assert sso.sso_account_match(claims={**claims, "nip": ""}) == siti

    def test_the_remembered_subject_comes_first(self, siti, kepahiang_officer):
        kepahiang_officer.oidc_subject = "s-1"
        kepahiang_officer.save()
        assert sso.sso_account_match(claims={"sub": "s-1", "nip": SITI_NIP}) == kepahiang_officer

    def test_the_subject_is_remembered_once(self, siti):
        sso.sso_account_match(claims={"sub": "s-1", "nip": SITI_NIP})
        siti.refresh_from_db()
        assert siti.oidc_subject == "s-1"
        with pytest.raises(sso.SsoRefused) as refused:
            sso.sso_account_match(claims={"sub": "s-2", "nip": SITI_NIP})
        assert refused.value.reason == sso.SsoRefused.SUBJECT_TAKEN

    def test_no_subject_is_refused(self, siti):
        with pytest.raises(sso.SsoRefused):
            sso.sso_account_match(claims={"nip": SITI_NIP})


def test_the_personal_data_page_shows_single_sign_ons_and_the_linked_identity(client, sso_settings, siti):
    client.get(sso_round(client, "asn-siti"))
    page = client.get(reverse("personal_data"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Masuk melalui SSO" in page
    assert "asn-siti" in page
    data = client.get(reverse("personal_data_download")).json()
    assert data["oidc_subject"] == "asn-siti"
    assert [(s["method"], s["succeeded"]) for s in data["sign_ins"]] == [("sso", True)]


def test_an_unreachable_provider_is_said_so_not_a_server_error(client, sso_settings, settings):
    from tests.oidc_provider import _free_port

    settings.OIDC_ISSUER = f"http://127.0.0.1:{_free_port()}"  # nobody listens there
    response = client.get(reverse("sso_start"))
    assert response.status_code == 503
    assert response.context["reason"] == sso.SsoRefused.UNREACHABLE


def test_an_administrator_unlinks_a_remembered_identity_and_it_is_logged(client, client_of, sso_settings, siti, administrator):
    client.get(sso_round(client, "asn-siti"))
    siti.refresh_from_db()
    assert siti.oidc_subject == "asn-siti"
    admin = client_of(administrator)
    response = admin.post(reverse("admin:agencies_user_changelist"), {"action": "sso_unlink", "_selected_action": [siti.pk]})
    assert response.status_code == 302
    siti.refresh_from_db()
    assert siti.oidc_subject is None
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.SSO_UNLINKED)
    assert entry.actor == administrator and entry.object_description == siti.username
    # The administrator sees the remembered identity (read-only) on the person's page.
    siti.oidc_subject = "asn-siti"
    siti.save()
    page = admin.get(reverse("admin:agencies_user_change", args=[siti.pk])).content.decode()
    assert "asn-siti" in page
    assert 'name="oidc_subject"' not in page

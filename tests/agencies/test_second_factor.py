"""Two-step sign-in (agencies/second_factor.py): who must use it, the gate after any sign-in, the
code step with its lockout, recovery codes, the administrator's reset and personal data."""

import json
import re
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import login
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import second_factor
from agencies.models import AccessLogEntry, Membership, SignInRecord
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def required_for_staff(settings):
    """As in production: administrators and reviewers must use it. No throttling delay between
    codes (django-otp's), so that a test may give a wrong code and then the right one at once."""
    settings.SECOND_FACTOR_REQUIRED_ROLES = ["administrator", "reviewer"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_for(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(user):
    """A confirmed authenticator and recovery codes for ``user``; returns (device, codes)."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    codes = second_factor._recovery_codes_replace(user)
    return device, codes


def sign_in(user, address="10.17.0.5"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def give_code(client, code, next_url=""):
    return client.post(reverse("second_factor_verify"), {"code": code, "next": next_url})


def verified_client(user, address="10.17.0.5"):
    """A client signed in as ``user`` with both factors (an authenticator made if none)."""
    device = second_factor.authenticator_of(user) or enrol(user)[0]
    client = sign_in(user, address)
    assert give_code(client, code_for(device, steps_ahead=TOTPDevice.objects.get(pk=device.pk).last_t > 0)).status_code == 302
    return client


# --- Who must use it -------------------------------------------------------------------------------

def test_administrators_reviewers_and_superusers_must_use_it_and_others_may(
    administrator, provincial_reviewer, rejang_lebong_officer, rejang_lebong_leadership, settings
):
    superuser = UserFactory(username="root", is_superuser=True)
    assert second_factor.is_required(administrator)
    assert second_factor.is_required(provincial_reviewer)
    assert second_factor.is_required(superuser)
    assert not second_factor.is_required(rejang_lebong_officer)
    assert not second_factor.is_required(rejang_lebong_leadership)

    settings.SECOND_FACTOR_REQUIRED_ROLES = []
    for person in (administrator, provincial_reviewer, superuser):
        person._spbe_memberships = None
        assert not second_factor.is_required(person)


def test_production_default_requires_administrators_and_reviewers_and_none_turns_it_off():
    def roles(env):
        script = "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','spbe_portal.settings');django.setup();" \
                 "from django.conf import settings;print(','.join(settings.SECOND_FACTOR_REQUIRED_ROLES))"
        from tests.test_settings import PRODUCTION, ROOT, environment

        environ = environment(**PRODUCTION, **env)
        if "SECOND_FACTOR_REQUIRED_ROLES" not in env:
            environ.pop("SECOND_FACTOR_REQUIRED_ROLES", None)
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
        return result.stdout.strip(), result.stderr

    assert roles({})[0] == "administrator,reviewer"
    assert roles({"SECOND_FACTOR_REQUIRED_ROLES": "none"})[0] == ""
    assert roles({"SECOND_FACTOR_REQUIRED_ROLES": ""})[0] == ""
    assert roles({"SECOND_FACTOR_REQUIRED_ROLES": "administrator"})[0] == "administrator"
    output, error = roles({"SECOND_FACTOR_REQUIRED_ROLES": "admin"})
    assert output == "" and "SECOND_FACTOR_REQUIRED_ROLES" in error


# --- The gate --------------------------------------------------------------------------------------

def test_a_reviewer_without_a_second_factor_is_sent_to_set_it_up_before_any_page(provincial_reviewer, open_period):
    client = sign_in(provincial_reviewer)
    setup = reverse("second_factor_setup")
    for url in (reverse("home"), reverse("province_dashboard", args=[open_period.pk]), reverse("account_settings"),
                reverse("personal_data"), reverse("admin:index"), reverse("second_factor_verify")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(setup), (url, response.url)
    assert client.get(reverse("home")).url == setup + "?next=%2F"
    assert client.get(setup).status_code == 200
    # A form posted elsewhere goes to the set-up page too, without doing anything.
    assert client.post(reverse("notification_list")).url == setup


def test_the_gate_answers_htmx_and_json_requests_in_their_own_terms(provincial_reviewer):
    client = sign_in(provincial_reviewer)
    response = client.get(reverse("notification_list"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/laporan/?x=1"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("second_factor_setup") + "?next=%2Flaporan%2F%3Fx%3D1"
    response = client.get(reverse("home"), headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["url"] == reverse("second_factor_setup")


def test_signing_out_the_language_switch_and_the_health_check_stay_open(provincial_reviewer):
    client = sign_in(provincial_reviewer)
    assert client.get(reverse("health")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_officer_without_a_second_factor_is_not_asked(rejang_lebong_officer):
    client = sign_in(rejang_lebong_officer)
    assert client.get(reverse("home")).status_code == 200


def test_the_gate_applies_after_any_login_not_only_the_password_page(provincial_reviewer):
    """Single sign-on calls django's login() directly: the session owes the code all the same."""
    enrol(provincial_reviewer)
    request = RequestFactory().get("/")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    login(request, provincial_reviewer, backend="agencies.backends.SingleSignOnBackend")
    request.session.save()
    client = Client()
    client.cookies["sessionid"] = request.session.session_key
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_verify"))


def test_a_session_that_owes_the_code_cannot_set_up_another_authenticator(provincial_reviewer):
    enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    response = client.get(reverse("second_factor_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_verify"))
    assert TOTPDevice.objects.filter(user=provincial_reviewer).count() == 1


# --- Setting it up ---------------------------------------------------------------------------------

def test_setting_up_shows_a_qr_code_and_the_key_then_recovery_codes_once(provincial_reviewer):
    client = sign_in(provincial_reviewer)
    page = client.get(reverse("second_factor_setup") + "?next=/laporan/").content.decode()
    device = TOTPDevice.objects.get(user=provincial_reviewer, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    key = second_factor.setup_details(device)["key"]
    assert second_factor.setup_details(device)["key_grouped"] in page
    assert "otpauth://totp/" in second_factor.setup_details(device)["uri"] and key in second_factor.setup_details(device)["uri"]
    # Reloading keeps the same key until it is confirmed.
    client.get(reverse("second_factor_setup"))
    assert TOTPDevice.objects.filter(user=provincial_reviewer).count() == 1

    response = client.post(reverse("second_factor_setup"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not second_factor.is_enabled(provincial_reviewer)

    response = client.post(reverse("second_factor_setup"), {"code": code_for(device), "next": "/laporan/"})
    assert response.status_code == 302 and response.url.startswith(reverse("recovery_codes"))
    page = client.get(response.url).content.decode()
    shown = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)
    assert len(shown) == 10
    assert 'href="/laporan/"' in page
    # Stored hashed only, and shown only once.
    stored = set(StaticToken.objects.filter(device__user=provincial_reviewer).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(shown) and not stored & {code.replace("-", "") for code in shown}
    assert shown[0] not in client.get(reverse("recovery_codes")).content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SECOND_FACTOR_ENABLED, actor=provincial_reviewer).count() == 1


def test_an_officer_may_turn_it_on_and_off_with_the_password(rejang_lebong_officer):
    client = sign_in(rejang_lebong_officer)
    assert reverse("second_factor_setup") in client.get(reverse("account_settings")).content.decode()
    client.get(reverse("second_factor_setup"))
    device = TOTPDevice.objects.get(user=rejang_lebong_officer)
    client.post(reverse("second_factor_setup"), {"code": code_for(device)})
    assert second_factor.is_enabled(rejang_lebong_officer)

    response = client.post(reverse("second_factor_disable"), {"password": "salah-sekali"})
    assert response.status_code == 200 and second_factor.is_enabled(rejang_lebong_officer)
    response = client.post(reverse("second_factor_disable"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=rejang_lebong_officer).exists()
    assert not StaticDevice.objects.filter(user=rejang_lebong_officer).exists()
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SECOND_FACTOR_DISABLED, actor=rejang_lebong_officer).exists()


def test_a_reviewer_cannot_turn_it_off(provincial_reviewer):
    device, _codes = enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    give_code(client, code_for(device))
    response = client.post(reverse("second_factor_disable"), {"password": PASSWORD})
    assert response.status_code == 200
    assert second_factor.is_enabled(provincial_reviewer)


def test_new_recovery_codes_need_the_password_and_void_the_old(rejang_lebong_officer):
    device, old_codes = enrol(rejang_lebong_officer)
    client = sign_in(rejang_lebong_officer)
    give_code(client, code_for(device))
    assert client.post(reverse("recovery_codes"), {"password": "salah-sekali"}).status_code == 200
    assert set(StaticToken.objects.values_list("token", flat=True)) == {second_factor.recovery_hash(c) for c in old_codes}
    response = client.post(reverse("recovery_codes"), {"password": PASSWORD})
    assert response.status_code == 302
    assert "<li>" in client.get(reverse("recovery_codes")).content.decode()
    assert not set(StaticToken.objects.values_list("token", flat=True)) & {second_factor.recovery_hash(c) for c in old_codes}
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.RECOVERY_CODES_RENEWED).count() == 1


def test_with_passwords_off_a_change_is_confirmed_with_the_current_code(rejang_lebong_officer, settings):
    """Single sign-on only (PASSWORD_LOGIN_ENABLED off): no password to give again, so turning it
    off and new recovery codes are confirmed with a current code of the app in use."""
    device, _codes = enrol(rejang_lebong_officer)
    client = sign_in(rejang_lebong_officer)
    give_code(client, code_for(device))
    settings.PASSWORD_LOGIN_ENABLED = False
    page = client.get(reverse("second_factor_disable")).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'type="password"' not in page
    assert client.post(reverse("second_factor_disable"), {"password": PASSWORD}).status_code == 200
    assert second_factor.is_enabled(rejang_lebong_officer)
    response = client.post(reverse("second_factor_disable"), {"password": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not second_factor.is_enabled(rejang_lebong_officer)


# --- The code step ---------------------------------------------------------------------------------

def test_a_reviewer_with_an_authenticator_gives_the_code_after_the_password(provincial_reviewer, open_period):
    device, _codes = enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    dashboard = reverse("province_dashboard", args=[open_period.pk])
    response = client.get(dashboard)
    assert response.url == reverse("second_factor_verify") + "?next=" + dashboard.replace("/", "%2F")
    assert SignInRecord.objects.filter(user=provincial_reviewer).count() == 0  # not complete yet

    response = give_code(client, "000000" if code_for(device) != "000000" else "111111", dashboard)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    record = SignInRecord.objects.get(user=provincial_reviewer)
    assert not record.succeeded and record.second_factor
    assert AccessAttempt.objects.get(username="reviewer.prov").failures_since_start == 1
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SECOND_FACTOR_FAILED).count() == 1

    response = give_code(client, code_for(device), dashboard)
    assert response.status_code == 302 and response.url == dashboard
    assert client.get(dashboard).status_code == 200
    assert SignInRecord.objects.filter(user=provincial_reviewer, succeeded=True, second_factor=True).count() == 1
    assert not AccessAttempt.objects.filter(username="reviewer.prov").exists()  # the pair's failures forgotten


def test_the_same_code_is_not_accepted_twice(provincial_reviewer):
    device, _codes = enrol(provincial_reviewer)
    code = code_for(device)
    first = sign_in(provincial_reviewer)
    assert give_code(first, code).status_code == 302
    second = sign_in(provincial_reviewer)
    response = give_code(second, code)
    assert response.status_code == 200
    assert second.get(reverse("home")).status_code == 302


def test_a_code_from_someone_elses_app_or_a_malformed_one_is_refused(provincial_reviewer, administrator):
    enrol(provincial_reviewer)
    other, _codes = enrol(administrator)
    client = sign_in(provincial_reviewer)
    for code in (code_for(other), "abc", "1234567", "'; drop table"):
        assert give_code(client, code).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once(provincial_reviewer):
    _device, codes = enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    response = give_code(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert second_factor.recovery_codes_left(provincial_reviewer) == 9
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.RECOVERY_CODE_USED).count() == 1

    again = sign_in(provincial_reviewer)
    assert give_code(again, codes[3]).status_code == 200
    assert give_code(again, codes[4]).status_code == 302


def test_wrong_codes_lock_the_pair_like_wrong_passwords(provincial_reviewer, settings):
    device, codes = enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer, "203.0.113.9")
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        assert give_code(client, "12345" + str(attempt)).status_code == 200
    response = give_code(client, "999999" if code_for(device) != "999999" else "888888")
    assert response.status_code == 429
    assert "lockout-message" in response.content.decode()
    # Locked: the right code, a recovery code and the password are all refused now.
    assert give_code(client, code_for(device)).status_code == 429
    assert give_code(client, codes[0]).status_code == 429
    assert client.get(reverse("home")).status_code == 302
    again = Client(REMOTE_ADDR="203.0.113.9")
    assert again.post(reverse("login"), {"username": "reviewer.prov", "password": PASSWORD}).status_code == 429
    assert SignInRecord.objects.filter(user=provincial_reviewer, succeeded=False, second_factor=True).count() == limit
    # The person at the office (another address) is not locked out.
    office = sign_in(provincial_reviewer, "10.17.0.40")
    assert give_code(office, code_for(device)).status_code == 302


def test_signing_in_again_with_the_password_does_not_wipe_the_count_of_wrong_codes(provincial_reviewer, settings):
    enrol(provincial_reviewer)
    for _round in range(2):
        client = sign_in(provincial_reviewer, "203.0.113.10")
        give_code(client, "000001")
        give_code(client, "000002")
    assert AccessAttempt.objects.get(username="reviewer.prov").failures_since_start == 4


# --- Reset by an administrator, anonymising, personal data -------------------------------------

def test_an_administrator_resets_a_lost_second_factor_with_a_reason(client_of, administrator, provincial_reviewer):
    enrol(provincial_reviewer)
    admin_client = sign_in(administrator)
    # The administrator must pass their own second factor first.
    assert admin_client.get(reverse("admin:agencies_user_change", args=[provincial_reviewer.pk])).status_code == 302
    admin_client = verified_client(administrator)
    page = admin_client.get(reverse("admin:agencies_user_change", args=[provincial_reviewer.pk])).content.decode()
    url = reverse("admin:agencies_user_second_factor_reset", args=[provincial_reviewer.pk])
    assert url in page

    assert admin_client.post(url, {"reason": "  "}).status_code == 200
    assert second_factor.is_enabled(provincial_reviewer)
    response = admin_client.post(url, {"reason": "Ponsel hilang"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=provincial_reviewer).exists()
    assert not StaticDevice.objects.filter(user=provincial_reviewer).exists()
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.SECOND_FACTOR_RESET)
    assert (entry.actor, entry.object_description, entry.reason) == (administrator, "reviewer.prov", "Ponsel hilang")
    # At the next sign-in the reviewer sets it up again.
    client = sign_in(provincial_reviewer)
    assert client.get(reverse("home")).url.startswith(reverse("second_factor_setup"))


def test_a_reset_takes_effect_on_a_session_that_had_passed(provincial_reviewer, administrator):
    device, _codes = enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    give_code(client, code_for(device))
    assert client.get(reverse("home")).status_code == 200
    second_factor.reset(user=provincial_reviewer, by=administrator, reason="Ponsel hilang")
    assert client.get(reverse("home")).url.startswith(reverse("second_factor_setup"))


def test_only_an_administrator_may_reset(provincial_reviewer, rejang_lebong_officer, client_of):
    from django.core.exceptions import ValidationError

    enrol(provincial_reviewer)
    with pytest.raises(ValidationError):
        second_factor.reset(user=provincial_reviewer, by=rejang_lebong_officer, reason="iseng")
    url = reverse("admin:agencies_user_second_factor_reset", args=[provincial_reviewer.pk])
    assert client_of(rejang_lebong_officer).post(url, {"reason": "iseng"}).status_code == 302  # to the admin's login
    assert second_factor.is_enabled(provincial_reviewer)


def test_anonymising_a_person_deletes_their_devices(administrator, rejang_lebong_officer):
    from agencies.services import person_anonymise

    enrol(rejang_lebong_officer)
    person_anonymise(user=rejang_lebong_officer, by=administrator, reason="Pindah tugas")
    assert not TOTPDevice.objects.filter(user=rejang_lebong_officer).exists()
    assert not StaticDevice.objects.filter(user=rejang_lebong_officer).exists()
    assert not StaticToken.objects.exists()


def test_personal_data_says_whether_it_is_on_and_never_shows_the_key(client_of, rejang_lebong_officer):
    client = client_of(rejang_lebong_officer)
    assert 'id="two-step-status">Tidak aktif<' in client.get(reverse("personal_data")).content.decode()
    device, codes = enrol(rejang_lebong_officer)
    client = verified_client(rejang_lebong_officer)
    page = client.get(reverse("personal_data")).content.decode()
    assert 'id="two-step-status">Aktif sejak' in page
    download = client.get(reverse("personal_data_download")).content.decode()
    assert json.loads(download)["two_step_sign_in"]["enabled"] is True
    key = second_factor.setup_details(device)["key"]
    for secret in (device.key, key, codes[0], second_factor.recovery_hash(codes[0])):
        assert secret not in page and secret not in download


# --- Review findings (issue 14): planted keys, stale steps, resets, password resets, SSO, API -----

def test_a_set_up_key_seen_in_another_session_is_never_the_one_confirmed(provincial_reviewer):
    """Someone with only the password opens the set-up page, copies the key and signs out: the
    real person later gets a fresh key, and the copied one cannot confirm."""
    setup = reverse("second_factor_setup")
    attacker = sign_in(provincial_reviewer, "198.51.100.7")
    attacker.get(setup)
    planted = TOTPDevice.objects.get(user=provincial_reviewer, confirmed=False)
    planted_key = second_factor.setup_details(planted)["key_grouped"]
    attacker.post(reverse("logout"))

    person = sign_in(provincial_reviewer)
    page = person.get(setup).content.decode()
    device = TOTPDevice.objects.get(user=provincial_reviewer, confirmed=False)
    assert device.pk != planted.pk and device.key != planted.key
    assert planted_key not in page and second_factor.setup_details(device)["key_grouped"] in page
    assert person.post(setup, {"code": code_for(planted)}).status_code == 200
    assert not second_factor.is_enabled(provincial_reviewer)
    assert person.post(setup, {"code": code_for(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=provincial_reviewer).key == device.key


def test_a_session_still_open_elsewhere_cannot_confirm_the_key_it_saw(provincial_reviewer):
    setup = reverse("second_factor_setup")
    attacker = sign_in(provincial_reviewer, "198.51.100.7")
    attacker.get(setup)
    planted = TOTPDevice.objects.get(user=provincial_reviewer, confirmed=False)
    person = sign_in(provincial_reviewer)
    person.get(setup)
    device = TOTPDevice.objects.get(user=provincial_reviewer, confirmed=False)
    # The attacker's session confirms only its own device, which is gone; never the person's.
    response = attacker.post(setup, {"code": code_for(device)})
    assert response.status_code == 200 and not second_factor.is_enabled(provincial_reviewer)
    assert not TOTPDevice.objects.filter(pk=planted.pk).exists()


def test_a_role_granted_mid_session_brings_the_gate(rejang_lebong_officer, province):
    client = sign_in(rejang_lebong_officer)
    assert client.get(reverse("home")).status_code == 200
    MembershipFactory(user=rejang_lebong_officer, agency=province, role=Role.ADMINISTRATOR)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_setup"))


def test_an_authenticator_set_up_in_another_browser_brings_the_gate(rejang_lebong_officer):
    client = sign_in(rejang_lebong_officer)
    assert client.get(reverse("home")).status_code == 200
    other = sign_in(rejang_lebong_officer, "10.17.0.6")
    other.get(reverse("second_factor_setup"))
    device = TOTPDevice.objects.get(user=rejang_lebong_officer, confirmed=False)
    assert other.post(reverse("second_factor_setup"), {"code": code_for(device)}).status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("second_factor_verify") + "?next=%2F"


def test_a_session_at_the_set_up_step_goes_to_the_code_once_set_up_elsewhere(provincial_reviewer):
    first = sign_in(provincial_reviewer)
    assert first.get(reverse("home")).url.startswith(reverse("second_factor_setup"))
    verified_client(provincial_reviewer, "10.17.0.6")
    # Not round in circles between the set-up page (no longer allowed) and the code page.
    response = first.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("second_factor_verify") + "?next=%2F"
    assert first.get(response.url).status_code == 200


def test_a_reset_while_at_the_code_step_does_not_count_codes_toward_the_lockout(provincial_reviewer, administrator, settings):
    enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    second_factor.reset(user=provincial_reviewer, by=administrator, reason="Ponsel hilang")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = give_code(client, "12345" + str(attempt))
        assert response.status_code == 302 and response.url != reverse("second_factor_verify")
    assert not AccessAttempt.objects.filter(username="reviewer.prov").exists()
    assert client.get(reverse("home")).url.startswith(reverse("second_factor_setup"))


def test_a_reset_at_the_code_step_of_someone_not_required_leaves_nothing_owed(rejang_lebong_officer, administrator):
    enrol(rejang_lebong_officer)
    client = sign_in(rejang_lebong_officer)
    assert client.get(reverse("home")).status_code == 302
    second_factor.reset(user=rejang_lebong_officer, by=administrator, reason="Ponsel hilang")
    assert client.get(reverse("home")).status_code == 200


def _password_reset(client, user, password="Reset-Sandi-Baru-2026!"):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302
    response = client.post(response.url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content
    return password


def test_a_password_reset_does_not_wipe_the_count_of_wrong_codes(provincial_reviewer):
    enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer, "203.0.113.11")
    give_code(client, "000001")
    give_code(client, "000002")
    password = _password_reset(Client(REMOTE_ADDR="203.0.113.11"), provincial_reviewer)
    assert AccessAttempt.objects.get(username="reviewer.prov").failures_since_start == 2
    # Three more wrong codes lock it; the lockout page does not promise what a reset no longer does.
    client = Client(REMOTE_ADDR="203.0.113.11")
    assert client.post(reverse("login"), {"username": "reviewer.prov", "password": password}).status_code == 302
    for attempt in range(3):
        response = give_code(client, "00001" + str(attempt))
    assert response.status_code == 429
    assert "mengatur ulang kata sandi tidak membuka kunci" in response.content.decode()


def test_a_password_reset_still_lifts_the_lockout_of_someone_without_a_second_factor(rejang_lebong_officer, settings):
    bad = Client(REMOTE_ADDR="203.0.113.12")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        bad.post(reverse("login"), {"username": "officer.rl", "password": "salah-sekali"})
    assert AccessAttempt.objects.filter(username="officer.rl").exists()
    password = _password_reset(Client(REMOTE_ADDR="203.0.113.12"), rejang_lebong_officer)
    assert not AccessAttempt.objects.filter(username="officer.rl").exists()
    again = Client(REMOTE_ADDR="203.0.113.12")
    assert again.post(reverse("login"), {"username": "officer.rl", "password": password}).status_code == 302


def test_the_code_step_after_single_sign_on_is_recorded_as_single_sign_on(provincial_reviewer):
    device, _codes = enrol(provincial_reviewer)
    request = RequestFactory().get("/")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    login(request, provincial_reviewer, backend="agencies.backends.SingleSignOnBackend")
    request.session.save()
    client = Client(REMOTE_ADDR="10.17.0.5")
    client.cookies["sessionid"] = request.session.session_key
    assert give_code(client, "000000" if code_for(device) != "000000" else "111111").status_code == 200
    assert give_code(client, code_for(device)).status_code == 302
    records = list(SignInRecord.objects.filter(user=provincial_reviewer).order_by("pk").values_list("succeeded", "method", "second_factor"))
    assert records == [(False, "sso", True), (True, "sso", True)]
    actions = list(AccessLogEntry.objects.filter(actor=provincial_reviewer).values_list("action", flat=True))
    assert AccessLogEntry.Action.SIGN_IN not in actions
    assert actions.count(AccessLogEntry.Action.SSO_SIGN_IN) == 1


def test_a_single_sign_on_owing_a_code_is_recorded_once_at_the_code_step(client, sso_settings, provincial_reviewer):
    from tests.agencies.test_sso import sso_round
    from tests.oidc_provider import RAHMAT_EMAIL

    provincial_reviewer.email = RAHMAT_EMAIL
    provincial_reviewer.save()
    device, _codes = enrol(provincial_reviewer)
    client.get(sso_round(client, "asn-rahmat"))
    assert client.session["_auth_user_id"] == str(provincial_reviewer.pk)
    assert not SignInRecord.objects.filter(user=provincial_reviewer, succeeded=True).exists()
    assert not AccessLogEntry.objects.filter(actor=provincial_reviewer, action=AccessLogEntry.Action.SSO_SIGN_IN).exists()
    assert give_code(client, code_for(device)).status_code == 302
    record = SignInRecord.objects.get(user=provincial_reviewer)
    assert (record.succeeded, record.method, record.second_factor) == (True, "sso", True)
    actions = list(AccessLogEntry.objects.filter(actor=provincial_reviewer).values_list("action", flat=True))
    assert actions == [AccessLogEntry.Action.SSO_SIGN_IN]


def test_a_single_sign_on_owing_no_code_is_recorded_at_once(client, sso_settings, rejang_lebong_officer):
    from tests.agencies.test_sso import sso_round
    from tests.oidc_provider import SITI_NIP

    rejang_lebong_officer.employee_number = SITI_NIP
    rejang_lebong_officer.save()
    client.get(sso_round(client, "asn-siti"))
    record = SignInRecord.objects.get(user=rejang_lebong_officer)
    assert (record.succeeded, record.method, record.second_factor) == (True, "sso", False)


def test_an_api_token_works_beside_a_session_that_owes_the_code(provincial_reviewer):
    from agencies.services import api_token_create

    enrol(provincial_reviewer)
    client = sign_in(provincial_reviewer)
    _token, key = api_token_create(user=provincial_reviewer, name="bench")
    response = client.get(reverse("api_periods"), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    # The session alone reads nothing of the API; a wrong token neither.
    assert client.get(reverse("api_periods")).status_code == 401
    response = client.get(reverse("api_periods"), headers={"Authorization": "Token wrong"})
    assert response.status_code == 401 and "url" not in response.json()
    assert client.get(reverse("home"), headers={"Authorization": f"Token {key}"}).status_code == 302


@pytest.mark.parametrize("page", ["second_factor_disable", "recovery_codes", "second_factor_setup"])
def test_wrong_passwords_on_the_confirmation_forms_count_toward_the_lockout(rejang_lebong_officer, page, settings):
    device, _codes = enrol(rejang_lebong_officer)
    client = verified_client(rejang_lebong_officer, "203.0.113.13")
    if page == "second_factor_setup":
        client.get(reverse(page))
    data = {"password": "salah-sekali", "code": "123456"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse(page), data).status_code == 200
    assert AccessAttempt.objects.get(username="officer.rl").failures_since_start == settings.AXES_FAILURE_LIMIT - 1
    response = client.post(reverse(page), data)
    assert response.status_code == 429
    assert "lockout-message" in response.content.decode()
    # Locked: the right password is refused too, and nothing changes.
    tokens = set(StaticToken.objects.values_list("token", flat=True))
    response = client.post(reverse(page), {"password": PASSWORD, "code": "123456"})
    assert response.status_code == 429
    assert second_factor.is_enabled(rejang_lebong_officer)
    assert set(StaticToken.objects.values_list("token", flat=True)) == tokens

"""Failed-login locks: by (user name, address), plus a per-address limit over user names; an
administrator sees and lifts them; the address comes from REMOTE_ADDR or the trusted proxy."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.models import DELETION, LogEntry
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from agencies.lockouts import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OFFICE = "10.17.2.40"


@pytest.fixture(autouse=True)
def fast_dummy_hashing(settings):
    # Failed logins of unknown names hash with the first hasher; keep these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def wrong_login(client, username, address):
    return client.post(reverse("login"), {"username": username, "password": "salah"}, REMOTE_ADDR=address)


def test_an_attacker_elsewhere_cannot_lock_the_real_person_out(client, rejang_lebong_officer):
    for _ in range(5):
        wrong_login(client, "officer.rl", ATTACKER)
    assert wrong_login(client, "officer.rl", ATTACKER).status_code == 429

    office = Client()
    response = office.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert office.session["_auth_user_id"] == str(rejang_lebong_officer.pk)


def test_the_administrator_account_is_not_locked_for_everyone(client, administrator):
    for _ in range(10):
        wrong_login(client, "admin.prov", ATTACKER)
    response = Client().post(reverse("login"), {"username": "admin.prov", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302


def test_one_address_trying_many_user_names_is_refused(client, rejang_lebong_officer, settings):
    settings.PORTAL_ADDRESS_FAILURE_LIMIT = 20
    # 4 wrong passwords for each of 5 names: no pair reaches its limit of 5, the address reaches 20.
    for attempt in range(19):
        assert wrong_login(client, f"nama{attempt // 4}", ATTACKER).status_code == 200
    response = wrong_login(client, "nama4", ATTACKER)
    assert response.status_code == 429
    assert AccessFailureLog.objects.filter(ip_address=ATTACKER, locked_out=True).count() == 1
    response = client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "alamat jaringan Anda" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    response = Client().post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302


def test_an_administrator_sees_the_lock_and_lifts_it(client, client_of, administrator, rejang_lebong_officer):
    for _ in range(5):
        wrong_login(client, "officer.rl", ATTACKER)
    assert AccessFailureLog.objects.filter(username="officer.rl", locked_out=True).exists()

    admin_client = client_of(administrator)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "officer.rl" in page and ATTACKER in page
    assert "Cabut kunci" in page

    attempt = AccessAttempt.objects.get(username="officer.rl")
    response = admin_client.post(changelist, {"action": "lift_lock", "_selected_action": [attempt.pk]}, follow=True)
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.user == administrator
    assert entry.object_id == str(attempt.pk)
    # The failure log keeps the history.
    assert "officer.rl" in admin_client.get(reverse("admin:axes_accessfailurelog_changelist")).content.decode()

    response = client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302


def test_a_password_reset_lifts_the_lock_of_every_address(client, rejang_lebong_officer, django_capture_on_commit_callbacks):
    for _ in range(5):
        wrong_login(client, "officer.rl", OFFICE)
    assert wrong_login(client, "officer.rl", OFFICE).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": rejang_lebong_officer.email}, REMOTE_ADDR=OFFICE)
    link = re.search(r"https?://[^/]+(/akun/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new_password = "Kata-Sandi-Baru-2026"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    response = client.post(reverse("login"), {"username": "officer.rl", "password": new_password}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the forged left entry is ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "bukan-alamat", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_proxy_only(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PORTAL_PROXY_COUNT=proxies):
        assert client_address(request) == expected

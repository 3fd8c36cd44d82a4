import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_indonesian_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="id">' in page
    assert "Masuk ke Portal SPBE" in page
    assert "Lupa kata sandi?" in page


def test_officer_logs_in_and_sees_their_regency_on_the_home_page(client, rejang_lebong_officer):
    response = client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    page = response.content.decode()
    assert "Pemerintah Kabupaten Rejang Lebong" in page
    assert "Operator SPBE Kabupaten/Kota" in page or "Operator" in page


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, rejang_lebong_officer):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "officer.rl", "password": "salah"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "officer.rl", "password": "salah"})
    assert response.status_code == 429
    assert "Akun ini dikunci setelah 5 kali gagal masuk berturut-turut" in response.content.decode()
    # Even the right password is refused while the lock holds.
    response = client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_password_reset_lifts_the_lock(client, rejang_lebong_officer, django_capture_on_commit_callbacks):
    for _ in range(5):
        client.post(reverse("login"), {"username": "officer.rl", "password": "salah"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": rejang_lebong_officer.email})
    link = re.search(r"https?://[^/]+(/akun/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new_password = "Kata-Sandi-Baru-2026"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": "officer.rl", "password": new_password})
    assert response.status_code == 302


def test_password_reset_mail_is_sent_through_celery_after_commit(client, rejang_lebong_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("password_reset"), {"email": rejang_lebong_officer.email})
    assert response.status_code == 302
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rejang_lebong_officer.email]
    assert "Portal SPBE" in mail.outbox[0].subject


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    response = client.post(reverse("password_reset"), {"email": "tidak.ada@example.go.id"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("weak", ["pendek1A", "123456789012345", "semuahurufkecil", "password12345"])
def test_weak_passwords_are_refused(client_of, rejang_lebong_officer, weak):
    response = client_of(rejang_lebong_officer).post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


def test_logout_needs_a_post_and_ends_the_session(client_of, rejang_lebong_officer):
    client = client_of(rejang_lebong_officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_english_is_selectable(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in to the SPBE Portal" in page


def test_an_english_browser_still_gets_indonesian_until_the_user_chooses(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in page
    assert "Masuk ke Portal SPBE" in page

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_lists_the_users_agencies_and_roles(client_of, rejang_lebong_leadership):
    page = client_of(rejang_lebong_leadership).get(reverse("home")).content.decode()
    assert "Pemerintah Kabupaten Rejang Lebong" in page
    assert "Pimpinan (hanya baca)" in page
    assert "Tidak ada yang menunggu Anda saat ini." in page


def test_user_without_a_role_is_told_whom_to_ask(client_of, db):
    page = client_of(UserFactory()).get(reverse("home")).content.decode()
    assert "Anda belum memiliki peran" in page


def test_administrator_is_shown_users_without_a_role(client_of, administrator):
    UserFactory.create_batch(2)
    page = client_of(administrator).get(reverse("home")).content.decode()
    assert "Pengguna aktif tanpa peran" in page
    assert reverse("admin:agencies_user_changelist") + "?has_role=no" in page


def test_navigation_depends_on_the_role(client_of, administrator, rejang_lebong_officer):
    admin_page = client_of(administrator).get(reverse("home")).content.decode()
    officer_page = client_of(rejang_lebong_officer).get(reverse("home")).content.decode()
    assert reverse("admin:index") in admin_page
    assert reverse("admin:index") not in officer_page
    assert "Instansi" in admin_page
    assert "Instansi saya" in officer_page


def test_health_check_answers_without_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


def test_administrator_is_shown_locked_accounts(client, client_of, administrator, rejang_lebong_officer):
    for _ in range(5):
        client.post(reverse("login"), {"username": "officer.rl", "password": "salah"})
    page = client_of(administrator).get(reverse("home")).content.decode()
    assert "Akun terkunci karena gagal masuk" in page
    assert reverse("admin:axes_accessattempt_changelist") in page

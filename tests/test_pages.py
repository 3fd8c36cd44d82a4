"""The portal's favicon on every page (the admin's too), and development 404s that look like the portal's."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parent.parent / "static"
TECHNICAL = "Using the URLconf defined in"


def test_portal_and_admin_pages_link_the_favicon(client, administrator, client_of):
    assert (STATIC / "favicon.svg").read_text().startswith("<svg")
    assert (STATIC / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    login_page = client.get(reverse("login")).content.decode()
    admin_page = client_of(administrator).get(reverse("admin:index")).content.decode()
    for page in (login_page, admin_page):
        assert 'rel="icon" href="/static/favicon.' in page


def test_favicon_ico_at_the_root_leads_to_the_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/favicon.") and response["Location"].endswith(".ico")


def test_an_unknown_address_in_development_shows_the_portals_404_page(settings, rejang_lebong_officer):
    settings.DEBUG = True
    client = Client()
    client.force_login(rejang_lebong_officer)
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page and 'class="navbar' in page
    assert TECHNICAL not in page and "DEBUG = True" not in page


def test_a_page_out_of_scope_in_development_shows_the_portals_404_page(settings, kepahiang_officer, rejang_lebong):
    settings.DEBUG = True
    client = Client()
    client.force_login(kepahiang_officer)
    response = client.get(reverse("agency_detail", args=[rejang_lebong.code]))
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    assert "DEBUG = True" not in response.content.decode()


def test_a_missing_slash_is_still_added_in_development(settings, rejang_lebong_officer):
    settings.DEBUG = True
    client = Client()
    client.force_login(rejang_lebong_officer)
    response = client.get("/rapat")
    assert response.status_code == 301 and response["Location"] == "/rapat/"


def test_djangos_technical_404_page_comes_back_on_request(settings, rejang_lebong_officer):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = True
    response = Client().get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert TECHNICAL in response.content.decode()

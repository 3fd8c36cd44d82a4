"""UU 27/2022: each person sees and downloads the personal data the portal holds about them,
including every attempt to sign in to their account."""

import json

import pytest
from django.urls import reverse

from agencies.models import SignInRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def officer(rejang_lebong_officer):
    rejang_lebong_officer.employee_number = "198701012010011001"
    rejang_lebong_officer.phone = "0812-7300-1122"
    rejang_lebong_officer.position = "Pranata Komputer"
    rejang_lebong_officer.email = "operator@rejanglebongkab.go.id"
    rejang_lebong_officer.save()
    return rejang_lebong_officer


def test_a_sign_in_and_a_wrong_password_are_written_to_the_history_with_the_address(client, officer, kepahiang_officer):
    client.post(reverse("login"), {"username": "officer.rl", "password": "salah"}, REMOTE_ADDR="10.17.2.40")
    client.post(reverse("login"), {"username": "nobody.here", "password": "salah"}, REMOTE_ADDR="10.17.2.40")
    response = client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR="10.17.2.41")
    assert response.status_code == 302

    records = list(SignInRecord.objects.order_by("pk").values_list("user__username", "ip_address", "succeeded"))
    assert records == [("officer.rl", "10.17.2.40", False), ("officer.rl", "10.17.2.41", True)]


def test_the_page_lists_identity_memberships_and_sign_ins_of_the_person_only(client, client_of, officer, kepahiang_officer):
    client.post(reverse("login"), {"username": "officer.rl", "password": "salah"}, REMOTE_ADDR="10.17.2.40")
    client.post(reverse("login"), {"username": "officer.kph", "password": "salah"}, REMOTE_ADDR="10.17.9.99")

    response = client_of(officer).get(reverse("personal_data"))
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("Operator Rejang Lebong", "officer.rl", "198701012010011001", "0812-7300-1122", "Pranata Komputer",
                  "operator@rejanglebongkab.go.id", "17.02", "10.17.2.40"):
        assert shown in page
    assert "10.17.9.99" not in page  # another person's attempt
    assert reverse("personal_data_download") in page


def test_the_download_holds_the_same_data_as_json(client, client_of, officer):
    client.post(reverse("login"), {"username": "officer.rl", "password": PASSWORD}, REMOTE_ADDR="10.17.2.41")

    response = client_of(officer).get(reverse("personal_data_download"))
    assert response["Content-Disposition"] == 'attachment; filename="data-pribadi.json"'
    data = json.loads(response.content)
    assert (data["full_name"], data["username"], data["employee_number"], data["phone"]) == (
        "Operator Rejang Lebong", "officer.rl", "198701012010011001", "0812-7300-1122")
    assert [(m["agency_code"], m["role"]) for m in data["memberships"]] == [("17.02", "officer")]
    assert [(s["ip_address"], s["succeeded"]) for s in data["sign_ins"]] == [("10.17.2.41", True)]


def test_the_pages_are_for_signed_in_people_and_cost_the_same_queries_with_more_sign_ins(client, client_of, officer):
    assert client.get(reverse("personal_data")).status_code == 302
    assert client.get(reverse("personal_data_download")).status_code == 302

    viewer = client_of(officer)
    SignInRecord.objects.create(user=officer, ip_address="10.0.0.1", succeeded=True)
    viewer.get(reverse("personal_data"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        viewer.get(reverse("personal_data"))
    SignInRecord.objects.bulk_create([SignInRecord(user=officer, ip_address="10.0.0.2", succeeded=False) for _ in range(30)])
    with CaptureQueriesContext(connection) as many:
        assert viewer.get(reverse("personal_data")).content.decode().count("10.0.0.2") == 30
    assert len(many.captured_queries) == len(few.captured_queries)

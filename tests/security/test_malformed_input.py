"""Malformed input answers 400 (or 404 for an id no URL can hold), never 500: NUL bytes, ``²``,
eleven-digit numbers, letters where numbers belong — in paths, query strings and forms."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

BAD_NUMBERS = ["²", "99999999999", "1e3", "-1", "abc", "１"]


def patterns():
    found = []

    def walk(items, prefix=""):
        for pattern in items:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    return found


def test_no_url_takes_a_plain_int_converter():
    """Ids use <id:…>, which matches only what PostgreSQL can hold; <int:…> lets eleven digits through."""
    assert [pattern for pattern in patterns() if "<int:" in pattern] == []


def test_an_eleven_digit_id_in_any_path_is_not_found(provincial_reviewer, client_of, open_period):
    client = client_of(provincial_reviewer)
    checked = 0
    for pattern in patterns():
        if "<id:" not in pattern or pattern.startswith("admin"):
            continue
        path = "/" + pattern
        for converter in ("<id:pk>", "<id:period_id>", "<id:evidence_pk>", "<id:attachment_pk>", "<id:minutes_pk>"):
            path = path.replace(converter, "99999999999")
        path = path.replace("<str:code>", "17.02").replace("<str:indicator_code>", "1").replace("<str:file_format>", "csv").replace("<str:kind>", "levels")
        path = path.replace("<str:uidb64>", "x").replace("<str:token>", "y")
        if "<" in path:
            continue
        assert client.get(path).status_code == 404, path
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("query", [
    "/rapat/?year={}", "/laporan/?period={}", "/laporan/kotak/?period={}&agency=17.02&kind=regency",
])
def test_a_malformed_number_in_a_query_string_is_a_bad_request(query, provincial_reviewer, client_of, open_period):
    client = client_of(provincial_reviewer)
    for bad in BAD_NUMBERS:
        assert client.get(query.format(bad)).status_code == 400, (query, bad)


def test_the_province_dashboard_page_number_is_checked(provincial_reviewer, client_of, open_period):
    client = client_of(provincial_reviewer)
    assert client.get(f"/dasbor/{open_period.pk}/?page=²").status_code == 400
    assert client.get(f"/dasbor/{open_period.pk}/?page=2").status_code == 200


@pytest.mark.parametrize("path", ["/instansi/17.02%00/", "/rapat/?agency=17.02%00", "/laporan/?kind=%00", "/penilaian/reviu/?agency=%00"])
def test_a_nul_byte_anywhere_is_a_bad_request(path, provincial_reviewer, client_of, bengkulu):
    response = client_of(provincial_reviewer).get(path)
    assert response.status_code == 400
    assert "Permintaan tidak valid" in response.content.decode()


def test_a_malformed_posted_number_is_a_bad_request(rejang_lebong_officer, client_of, open_period):
    response = client_of(rejang_lebong_officer).post("/laporan/buat/", {"period": "²", "agency": "17.02", "kind": "regency"})
    assert response.status_code == 400


def test_the_external_scores_page_checks_its_numbers(provincial_reviewer, client_of, open_period):
    client = client_of(provincial_reviewer)
    url = f"/penilaian/{open_period.pk}/nilai-eksternal/"
    for bad in BAD_NUMBERS:
        assert client.get(f"{url}?item={bad}").status_code == 400, bad
    assert client.post(url, {"action": "set", "item": "²", "version": "1"}).status_code == 400
    assert client.get(f"{url}?item=999999").status_code == 404


def test_the_enrolment_page_checks_its_agencies(administrator, client_of, open_period):
    client = client_of(administrator)
    url = f"/penilaian/{open_period.pk}/peserta/"
    for agencies in ("²", "99999999999", "abc"):
        assert client.post(url, {"agencies": agencies}).status_code == 400
    assert client.post("/penilaian/baru/", {"year": "²", "framework_version": "x"}).status_code == 400
    assert open_period.assessments.count() == 3


def test_the_stage_results_page_checks_its_stage_and_agency(provincial_reviewer, client_of, open_period):
    client = client_of(provincial_reviewer)
    url = f"/penilaian/{open_period.pk}/hasil-tahap/"
    for bad in ["²", "self", "%00", "99999999999"]:
        assert client.get(f"{url}?stage={bad}").status_code in (400, 404), bad
    assert client.get(f"{url}?stage=document&agency=99.99").status_code == 404
    assert client.post(f"{url}?stage=document", {"action": "nothing"}).status_code == 400
    assert client.get(f"{url}?stage=document&agency=17.02").status_code == 200


@pytest.mark.parametrize("code", ["x" * 5000, "ABC%00DEF", "..%2F..%2Fetc", "ÄÖÜ", "1' OR '1'='1"])
def test_a_malformed_verification_code_is_not_found_or_a_bad_request_for_anyone(code, client, bengkulu):
    """The public verification page (no sign-in) answers a code it never issued with 404 (400 for a
    NUL byte), never an error, for a GET and a POST alike."""
    for response in (client.get(f"/verifikasi/{code}/"), client.post(f"/verifikasi/{code}/")):
        assert response.status_code in (400, 404), (code, response.status_code)

"""The API's contract: JSON for every answer under /api/ (405, 404, 400 included), bounded pages with
links, and a schema-driven fuzz run from the OpenAPI document."""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from agencies.services import api_token_create
from dashboards.openapi import OPENAPI

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(provincial_reviewer):
    return api_token_create(user=provincial_reviewer, name="Portal Satu Data")[1]


def get(client, url, key, **query):
    return client.get(url, query, HTTP_AUTHORIZATION=f"Token {key}")


def assert_json(response):
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response["Content-Type"])
    return response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_answers_other_methods_with_a_json_405(client, key, open_period, method):
    for url in (reverse("api_periods"), reverse("api_period_indices", args=[open_period.pk]), reverse("api_openapi")):
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert "read-only" in assert_json(response)["detail"]


def test_a_malformed_id_answers_a_json_404(client, key):
    for url in ("/api/v1/periods/null,null/indices/", "/api/v1/tidak-ada/", "/api/", "/api/v1/periods/1/indices/17.02/x/"):
        response = get(client, url, key)
        assert response.status_code == 404, url
        assert assert_json(response) == {"detail": "Not found."}


def test_a_path_without_its_slash_is_redirected_in_json(client, key):
    response = get(client, "/api/v1/periods", key)
    assert response.status_code == 301 and response["Location"] == "/api/v1/periods/"
    assert_json(response)


def test_a_period_number_too_large_for_the_database_is_not_found(client, key):
    response = get(client, f"/api/v1/periods/{10**30}/indices/", key)
    assert response.status_code == 404
    assert_json(response)


def test_lists_come_in_bounded_pages_with_links(client, key, bengkulu):
    url = reverse("api_agencies")
    everything = assert_json(get(client, url, key))
    assert everything["count"] > 3 and everything["previous"] is None
    first = get(client, url, key, page_size=2).json()
    assert first["count"] == everything["count"] and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == f"http://testserver{url}?page=2&page_size=2"
    second = client.get(first["next"], HTTP_AUTHORIZATION=f"Token {key}").json()
    assert second["results"] == everything["results"][2:4]
    assert second["previous"] == f"http://testserver{url}?page=1&page_size=2"


def test_a_page_size_over_the_limit_is_cut_to_the_limit(client, key, bengkulu, monkeypatch):
    monkeypatch.setattr("dashboards.api.MAX_PAGE_SIZE", 3)
    body = get(client, reverse("api_agencies"), key, page_size=50).json()
    assert len(body["results"]) == 3 and "page_size=3" in body["next"]


@pytest.mark.parametrize("query, status", [({"page": "0"}, 400), ({"page_size": "-1"}, 400), ({"page": "x"}, 400),
                                           ({"page": "²"}, 400), ({"page": "999"}, 404)])
def test_a_bad_page_gets_a_clear_json_answer(client, key, bengkulu, query, status):
    response = get(client, reverse("api_agencies"), key, **query)
    assert response.status_code == status
    assert assert_json(response)["detail"]


# --- Schema-driven fuzzing -----------------------------------------------------------------------

ODD_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
ODD_VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "0", "1", "17.02", "null", "null,null", "²", "١٢", "1e3", "0x10", "\x00", "%00", "..", "9" * 40]),
    ODD_TEXT,
)


def _operations():
    for template, item in OPENAPI["paths"].items():
        operation = item["get"]
        yield template, operation


@st.composite
def requests_from_the_schema(draw):
    template, operation = draw(st.sampled_from(list(_operations())))
    path, query = template, {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = draw(st.one_of(st.integers(min_value=-5, max_value=5).map(str), ODD_VALUES))
            path = path.replace("{%s}" % parameter["name"], quote(value, safe=""))
        elif draw(st.booleans()):
            query[parameter["name"]] = draw(st.one_of(st.integers(min_value=-3, max_value=300).map(str), ODD_VALUES))
    return "/api/v1" + path, query, operation


def test_the_api_answers_every_generated_request_in_json_as_documented(client, key, open_period):
    @hypothesis_settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(requests_from_the_schema())
    def check(request):
        url, query, operation = request
        response = client.get(url + ("?" + urlencode(query) if query else ""), HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code < 500, (url, query)
        body = assert_json(response)
        assert str(response.status_code) in operation["responses"], (url, query, response.status_code)
        if response.status_code >= 400:
            assert isinstance(body.get("detail"), str)

    check()

"""Every page of a regency answers 404 outside the user's scope; leadership changes nothing."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import Agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def agency_url_names():
    """Names of every URL that takes an agency code: new pages are covered as they are added.
    Other arguments of such a URL are filled from ``url_kwargs`` below."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and "code" in pattern.pattern.regex.groupindex:
                if not pattern.name.startswith("api_"):  # the token API has its own scope tests (tests/dashboards)
                    found.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return found


def test_there_are_agency_pages_to_check():
    assert {"agency_detail", "assessment_detail", "item_detail", "assessment_history", "regency_dashboard", "whatif",
            "interview_kit_pdf", "interview_kit_docx"} <= set(
        agency_url_names()
    )


@pytest.fixture
def url_kwargs(spbe_2021):
    """Values for the other arguments of agency pages: the demo 2021 period, where Rejang Lebong
    has an assessment (so a 404 there is the scope's doing, not missing data)."""
    return {"period_id": spbe_2021.pk, "indicator_code": "1", "file_format": "csv"}


def reverse_for(name, code, url_kwargs):
    pattern_args = get_resolver().reverse_dict.getlist(name.split(":")[-1])
    kwargs = {"code": code}
    for _possibility, _pattern, defaults, converters in pattern_args:
        kwargs.update({key: url_kwargs[key] for key in converters if key != "code"})
    return reverse(name, kwargs=kwargs)


def test_kepahiang_officer_gets_404_for_every_page_of_rejang_lebong(kepahiang_officer, client_of, url_kwargs, provincial_reviewer):
    client = client_of(kepahiang_officer)
    reviewer = client_of(provincial_reviewer)
    for name in agency_url_names():
        for code in ("17.02", "17.02.01"):
            url = reverse_for(name, code, url_kwargs)
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code in (404, 405), url
        assert reviewer.get(reverse_for(name, "17.02", url_kwargs)).status_code == 200, name


def test_kepahiang_officer_opens_their_own_regency(kepahiang_officer, client_of, bengkulu):
    response = client_of(kepahiang_officer).get(reverse("agency_detail", kwargs={"code": "17.08"}))
    assert response.status_code == 200
    assert "Kabupaten Kepahiang" in response.content.decode()


def test_agency_list_shows_only_the_officers_regency(kepahiang_officer, client_of, bengkulu):
    page = client_of(kepahiang_officer).get(reverse("agency_list")).content.decode()
    assert "Kabupaten Kepahiang" in page
    assert "Rejang Lebong" not in page


def test_reviewer_opens_every_regency(provincial_reviewer, client_of, bengkulu):
    client = client_of(provincial_reviewer)
    for code in bengkulu:
        assert client.get(reverse("agency_detail", kwargs={"code": code})).status_code == 200


def test_anonymous_visitor_is_sent_to_login(client, bengkulu):
    for url in (reverse("home"), reverse("agency_list"), reverse("agency_detail", kwargs={"code": "17.02"})):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_leadership_reads_their_regency_but_cannot_enter_administration(rejang_lebong_leadership, client_of, rejang_lebong):
    client = client_of(rejang_lebong_leadership)
    assert client.get(reverse("agency_detail", kwargs={"code": "17.02"})).status_code == 200
    admin_pages = [reverse("admin:index"), reverse("admin:agencies_agency_changelist"),
                   reverse("admin:agencies_agency_change", args=[rejang_lebong.pk])]
    for url in admin_pages:
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert "Tidak diizinkan" in response.content.decode()
    response = client.post(reverse("admin:agencies_agency_change", args=[rejang_lebong.pk]), {"name": "Diubah"})
    assert response.status_code == 302
    rejang_lebong.refresh_from_db()
    assert rejang_lebong.name == "Pemerintah Kabupaten Rejang Lebong"


def test_administrator_manages_agencies_in_the_admin(administrator, client_of, rejang_lebong):
    client = client_of(administrator)
    assert client.get(reverse("admin:agencies_agency_changelist") + "?q=Lebong").status_code == 200
    response = client.post(
        reverse("admin:agencies_agency_change", args=[rejang_lebong.pk]),
        {"code": "17.02", "name": "Pemerintah Kabupaten Rejang Lebong", "short_name": "Rejang Lebong",
         "kind": "regency", "parent": rejang_lebong.parent_id, "is_active": "on"},
    )
    assert response.status_code == 302


def test_admin_refuses_a_regency_under_a_regency_with_a_message(administrator, client_of, rejang_lebong):
    response = client_of(administrator).post(
        reverse("admin:agencies_agency_add"),
        {"code": "17.10", "name": "Kabupaten Baru", "short_name": "Baru", "kind": "regency", "parent": rejang_lebong.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert not Agency.objects.filter(code="17.10").exists()


def test_agency_pages_cost_the_same_queries_with_more_agencies(provincial_reviewer, client_of, bengkulu, django_assert_max_num_queries):
    client = client_of(provincial_reviewer)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("agency_list"))
    for _ in range(30):
        AgencyFactory(parent=bengkulu["17"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("agency_list"))
    assert response.content.decode().count("Kabupaten Uji") == 30


def test_anonymous_visitor_of_the_admin_is_sent_to_the_portal_login(client, db):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") + "?next=" + reverse("admin:index")


def test_a_regency_officer_cannot_set_up_or_enrol(kepahiang_officer, client_of, url_kwargs, kepahiang):
    """The period set-up pages are the administrators': a regency officer is refused (403), even
    for their own regency, and nothing is enrolled."""
    client = client_of(kepahiang_officer)
    period_id = url_kwargs["period_id"]
    for url in (reverse("period_new"), reverse("period_stages_edit", args=[period_id]), reverse("period_enrolment", args=[period_id])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("period_enrolment", args=[period_id]), {"agencies": [kepahiang.pk]}).status_code == 403

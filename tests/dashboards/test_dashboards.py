import json
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.services import api_token_create
from assessments.models import AssessmentSummary, IndicatorAssessment
from assessments.selectors import assessment_overview
from assessments.services import assessment_levels_set, item_review, item_save, item_submit
from tests.assessments.helpers import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels(open_period, bengkulu):
    """Different levels for the three regencies of the open 2025 period."""
    for code, level, verified in (("17.02", 3, 3), ("17.08", 2, 1), ("17.07", 4, 2)):
        assessment = open_period.assessments.get(agency__code=code)
        assessment_levels_set(assessment=assessment, levels={
            indicator.code: {"level": level, "verified_level": verified, "target_level": min(level + 1, 5)}
            for indicator in open_period.framework_version.nodes.filter(is_indicator=True)
        })
    return open_period


def engine(period, code):
    return assessment_overview(assessment=period.assessments.get(agency__code=code))["scores"]


def test_province_dashboard_shows_every_regency_with_the_engines_numbers(levels, client_of, provincial_reviewer):
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[levels.pk])).content.decode()
    table = page.split('id="province-table"')[1].split("</table>")[0]
    for code in ("17.02", "17.08", "17.07"):
        scores = engine(levels, code)
        row = table.split(f'data-agency="{code}"')[1].split("</tr>")[0]
        assert f"{scores['self'].index}".replace(".", ",") in row
        assert f"{scores['verified'].index}".replace(".", ",") in row
    # ranked by verified index: Rejang Lebong (3), Lebong (2), Kepahiang (1)
    assert table.index('data-agency="17.02"') < table.index('data-agency="17.07"') < table.index('data-agency="17.08"')


def test_the_table_sorts_by_any_column(levels, client_of, provincial_reviewer):
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[levels.pk]) + "?sort=self").content.decode()
    table = page.split('id="province-table"')[1]
    assert table.index('data-agency="17.07"') < table.index('data-agency="17.02"')  # self-assessed 4 before 3


def test_summaries_follow_every_change_of_the_workflow(open_period, lebong, lebong_officer, provincial_reviewer):
    from assessments.services import evidence_add

    item = IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency=lebong, indicator__code="42")
    item = item_save(item=item, actor=lebong_officer, expected_version=item.version, level=4, justification="Layanan daring", target_level=5)
    for level in (1, 2, 3, 4):
        evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=level, upload=pdf_upload())
        item.refresh_from_db()
    item = item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    item_review(item=item, actor=provincial_reviewer, expected_version=item.version, decision="accept", accepted_levels=[1, 2, 3])
    summary = AssessmentSummary.objects.get(assessment__agency=lebong, period=open_period)
    scores = engine(open_period, "17.07")
    assert (summary.self_index, summary.verified_index, summary.planned_index) == (
        scores["self"].index, scores["verified"].index, scores["planned"].index)
    assert (summary.accepted, summary.not_started) == (1, 46)


def test_regency_dashboard_has_indices_weakest_plan_and_todo(levels, client_of, lebong_officer):
    page = client_of(lebong_officer).get(reverse("regency_dashboard", args=[levels.pk, "17.07"])).content.decode()
    scores = engine(levels, "17.07")
    assert f'id="dash-verified">{scores["verified"].index}'.replace(".", ",") in page
    assert 'id="weakest"' in page and 'id="regency-todo"' in page and "aspect-chart" in page
    assert "vendor/chartjs/chart.umd.min" in page


def test_trends_show_periods_national_results_and_the_national_average(levels, spbe_2021, client_of, provincial_reviewer):
    from assessments.demo import published_results_load

    published_results_load()
    page = client_of(provincial_reviewer).get(reverse("trends") + "?agency=17.02&agency=17.07").content.decode()
    table = page.split('id="trend-table"')[1].split("</table>")[0]
    assert "3,23" in table and "2,93" in table and "1,55" in table  # national results 2023 and Lebong 2022
    assert "1,98" in table and "3,12" in table  # national average 2018, 2024
    assert "2,57" in table  # Rejang Lebong's 2021 self-assessed index
    compare = page.split('id="compare-table"')[1].split("</table>")[0]
    assert compare.count("<tr>") == 8 + 1  # eight aspects and the index


def test_whatif_computes_without_saving_and_crosses_a_predicate(levels, client_of, provincial_reviewer):
    url = reverse("whatif", args=[levels.pk, "17.08"])
    before = list(IndicatorAssessment.objects.filter(assessment__agency__code="17.08").values_list("level", "target_level"))
    data = {f"level-{n.code}": "4" for n in levels.framework_version.nodes.filter(is_indicator=True)}
    response = client_of(provincial_reviewer).post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="whatif-index">4,00<' in html and "Sangat Baik" in html and 'id="whatif-current">2,00<' in html
    assert list(IndicatorAssessment.objects.filter(assessment__agency__code="17.08").values_list("level", "target_level")) == before


def test_an_officer_saves_the_plan_as_targets_and_a_reviewer_cannot(levels, client_of, kepahiang_officer, provincial_reviewer):
    url = reverse("whatif", args=[levels.pk, "17.08"])
    data = {"level-1": "5", "was-1": "3", "level-2": "4", "was-2": "3", "action": "save"}
    client_of(provincial_reviewer).post(url, data)
    assert IndicatorAssessment.objects.get(assessment__agency__code="17.08", indicator__code="1").target_level == 3
    response = client_of(kepahiang_officer).post(url, data)
    assert response.status_code == 302
    item = IndicatorAssessment.objects.get(assessment__agency__code="17.08", indicator__code="1")
    assert item.target_level == 5 and item.events.filter(action="target_set").exists()
    assert IndicatorAssessment.objects.get(assessment__agency__code="17.08", indicator__code="3").target_level == 3  # not on the page


def test_a_stale_what_if_plan_is_refused(levels, client_of, kepahiang_officer):
    url = reverse("whatif", args=[levels.pk, "17.08"])
    officer = client_of(kepahiang_officer)
    officer.post(url, {"level-1": "4", "was-1": "3", "action": "save"})
    response = officer.post(url, {"level-1": "5", "was-1": "3", "action": "save"}, follow=True)  # page shown before the first save
    assert IndicatorAssessment.objects.get(assessment__agency__code="17.08", indicator__code="1").target_level == 4
    assert "1" in response.content.decode() and response.status_code == 200


def test_other_regencies_dashboards_answer_404(levels, client_of, kepahiang_officer):
    client = client_of(kepahiang_officer)
    assert client.get(reverse("regency_dashboard", args=[levels.pk, "17.07"])).status_code == 404
    assert client.get(reverse("whatif", args=[levels.pk, "17.07"])).status_code == 404
    assert client.get(reverse("province_dashboard", args=[levels.pk])).status_code == 403


# --- The API -------------------------------------------------------------------------------------


def api(client, url, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    return client.get(url, **headers)


def test_the_api_refuses_a_missing_or_wrong_token(levels, client):
    url = reverse("api_period_indices", args=[levels.pk])
    assert api(client, url).status_code == 401
    response = api(client, url, "salah")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token")


def test_the_api_gives_the_same_numbers_as_the_pages(levels, client, client_of, provincial_reviewer):
    _token, key = api_token_create(user=provincial_reviewer, name="Portal Satu Data")
    rows = {row["agency"]: row for row in api(client, reverse("api_period_indices", args=[levels.pk]), key).json()["results"]}
    assert set(rows) == {"17.02", "17.07", "17.08"}
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[levels.pk])).content.decode()
    for code, row in rows.items():
        scores = engine(levels, code)
        assert Decimal(str(row["verified"]["index"])) == scores["verified"].index
        assert row["self_assessed"]["predicate"] == scores["self"].predicate
        assert f'{row["verified"]["index"]:.2f}'.replace(".", ",") in page
    detail = api(client, reverse("api_agency_indices", args=[levels.pk, "17.02"]), key).json()
    assert len(detail["groups"]) == 12 and detail["verified"]["index"] == float(engine(levels, "17.02")["verified"].index)


def test_a_regency_token_sees_only_its_regency(levels, client, kepahiang_officer):
    _token, key = api_token_create(user=kepahiang_officer, name="Dashboard Kepahiang")
    assert [row["agency"] for row in api(client, reverse("api_period_indices", args=[levels.pk]), key).json()["results"]] == ["17.08"]
    assert {a["code"] for a in api(client, reverse("api_agencies"), key).json()["results"]} == {"17.08", "17.08.01", "17.08.02"}
    assert api(client, reverse("api_agency_indices", args=[levels.pk, "17.07"]), key).status_code == 404
    assert api(client, reverse("api_periods"), key).status_code == 200


def test_a_revoked_token_is_refused(levels, client, kepahiang_officer):
    token, key = api_token_create(user=kepahiang_officer, name="x")
    token.is_active = False
    token.save()
    assert api(client, reverse("api_periods"), key).status_code == 401


def test_the_openapi_document_describes_every_endpoint(client):
    document = client.get(reverse("api_openapi")).json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/periods/", "/agencies/", "/periods/{period_id}/indices/", "/periods/{period_id}/indices/{code}/"}
    json.dumps(document)


def test_weakest_indicators_are_the_lowest_scored_ones_and_the_unscored_are_counted(open_period, client_of, lebong_officer):
    assessment = open_period.assessments.get(agency__code="17.07")
    assessment_levels_set(assessment=assessment, levels={
        "5": {"level": 3, "verified_level": 1}, "9": {"level": 2}, "12": {"level": 4, "verified_level": 4}})
    page = client_of(lebong_officer).get(reverse("regency_dashboard", args=[open_period.pk, "17.07"])).content.decode()
    weakest = page.split('id="weakest"')[1].split("</ul>")[0]
    listed = [entry.split("</a>")[0].split(">")[-1].split(".")[0] for entry in weakest.split("<li")[1:]]
    assert listed == ["5", "9", "12"]  # verified 1, self-assessed 2 (not yet verified), verified 4
    assert "44 indikator belum memiliki tingkat" in page.split('id="unscored-count"')[1]

def test_leadership_sees_no_what_if_button_it_could_not_open(levels, client_of, rejang_lebong_leadership, rejang_lebong_officer):
    whatif = reverse("whatif", args=[levels.pk, "17.02"])
    dashboard = reverse("regency_dashboard", args=[levels.pk, "17.02"])
    leadership = client_of(rejang_lebong_leadership)
    page = leadership.get(dashboard)
    assert page.status_code == 200 and whatif not in page.content.decode()
    assert leadership.get(whatif).status_code == 403
    assert whatif in client_of(rejang_lebong_officer).get(dashboard).content.decode()

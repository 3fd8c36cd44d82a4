"""One series per framework: a 2026 (PermenPANRB 8/2026, Indeks Pemdi) index is compared with a
2021 (59/2020, Indeks SPBE) one only through the crosswalk, and then labelled as an estimate on the
page, the PDF, the export and the API; without a crosswalk there is no change ("—"); a 2028 period
of 8/2026 compares with 2026 as the same framework. Hand-computed numbers throughout."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agencies.selectors import issuing_office
from agencies.services import api_token_create
from assessments import crosswalk_files
from assessments.exports import index_table
from assessments.models import PublishedResult
from assessments.services import assessment_get_or_create, assessment_levels_set, period_create
from dashboards.selectors import previous_period
from reports.rendering import tables
from reports.report_data import build

pytestmark = pytest.mark.django_db


def period(frameworks, year, code, name):
    return period_create(name=name, year=year, framework_version=frameworks[code], opens=date(year, 2, 1),
                         closes=date(year, 4, 30), review_deadline=date(year, 6, 30), state="open")


def assess(period, agency, level):
    """Every indicator at ``level``: claimed by the officer, or (externally scored indicators of
    8/2026) entered by the province from their source."""
    from agencies.models import User
    from assessments.services import ExternalChange, external_scores_save

    assessment = assessment_get_or_create(period=period, agency=agency)
    indicators = list(period.framework_version.nodes.filter(is_indicator=True))
    assessment_levels_set(assessment=assessment, levels={
        node.code: {"level": level} for node in indicators if not node.externally_scored})
    external = [item for item in assessment.items.select_related("indicator", "assessment__period") if item.indicator.externally_scored]
    if external:
        reviewer = User.objects.get(username="reviewer.prov")
        external_scores_save(actor=reviewer, changes=[
            ExternalChange(item, Decimal(level), "Sumber uji", date(2026, 6, 1)) for item in external])
    return assessment


@pytest.fixture
def history(frameworks, bengkulu, provincial_reviewer):
    """2021 on 59/2020: Rejang Lebong all at 3, Kepahiang all at 1. 2026 on 8/2026: both all at 2,
    Lebong all at 2 (no 2021 assessment). Hand computation of the crosswalk estimate of 2021:
    Rejang Lebong 1 + 0.68 × 2 = 2.36 (68 of 100 Pemdi weight is mapped), Kepahiang 1.00.
    Changes 2026: Rejang Lebong 2.00 − 2.36 = −0.36, Kepahiang 2.00 − 1.00 = +1.00, Lebong none."""
    p2021 = period(frameworks, 2021, "PERMENPANRB-59-2020", "Penilaian SPBE 2021")
    p2026 = period(frameworks, 2026, "PERMENPANRB-8-2026", "Penilaian Pemdi 2026")
    assess(p2021, bengkulu["17.02"], 3)
    assess(p2021, bengkulu["17.08"], 1)
    for code in ("17.02", "17.08", "17.07"):
        assess(p2026, bengkulu[code], 2)
    return p2021, p2026


@pytest.fixture
def no_crosswalk(tmp_path, monkeypatch):
    monkeypatch.setattr(crosswalk_files, "CROSSWALK_DIR", tmp_path)
    monkeypatch.setattr(crosswalk_files, "_CACHE", {})


def cells(page, code):
    row = re.search(r'<tr data-agency="%s">(.*?)</tr>' % re.escape(code), page, re.S).group(1)
    return [" ".join(re.sub("<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def by_id(page, ident):
    return " ".join(re.sub("<[^>]+>", " ", re.search(r'id="%s"[^>]*>(.*?)</p>' % ident, page, re.S).group(1)).split())


def test_the_province_page_shows_the_crosswalk_change_as_an_estimate(history, client_of, provincial_reviewer):
    _p2021, p2026 = history
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[p2026.pk])).content.decode()
    assert cells(page, "17.02")[5] == "-0,36 estimasi" and cells(page, "17.08")[5] == "+1,00 estimasi" and cells(page, "17.07")[5] == "—"
    assert "estimasi" in by_id(page, "change-basis") and "Penilaian SPBE 2021" in by_id(page, "change-basis")
    assert "Indeks Pemdi" in by_id(page, "period-index")
    ranked = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[p2026.pk]) + "?sort=change").content.decode()
    assert re.findall(r'<tr data-agency="([^"]+)">', ranked) == ["17.08", "17.02", "17.07"]  # +1.00, −0.36, none last
    assert cells(ranked, "17.02")[5] == "-0,36 estimasi"


def test_without_a_crosswalk_a_2026_page_shows_no_change_against_2021(history, no_crosswalk, client_of, provincial_reviewer):
    _p2021, p2026 = history
    browser = client_of(provincial_reviewer)
    for sort in ("rank", "change"):
        page = browser.get(reverse("province_dashboard", args=[p2026.pk]) + f"?sort={sort}").content.decode()
        assert [cells(page, code)[5] for code in ("17.02", "17.08", "17.07")] == ["—", "—", "—"]
    regency = browser.get(reverse("regency_dashboard", args=[p2026.pk, "17.02"])).content.decode()
    assert "—" in by_id(regency, "index-change") and "0,36" not in regency and "1,00 " not in by_id(regency, "index-change")
    report = build(kind="regency", period=p2026, agency=history[1].assessments.get(agency__code="17.02").agency)
    assert report.previous is None


def test_the_regency_page_pdf_export_and_api_label_the_estimate(history, client_of, provincial_reviewer, administrator, client):
    _p2021, p2026 = history
    regency = client_of(provincial_reviewer).get(reverse("regency_dashboard", args=[p2026.pk, "17.02"])).content.decode()
    change = by_id(regency, "index-change")
    assert "-0,36" in change and "estimasi" in change and "2,36" in change

    report = build(kind="regency", period=p2026, agency=p2026.assessments.get(agency__code="17.02").agency)
    assert (report.previous.index, report.previous.difference, report.previous.is_estimate) == (Decimal("2.36"), Decimal("-0.36"), True)
    with translation.override("id"):
        html = render_to_string("reports/regency_pdf.html", {"report": report, "heading": issuing_office(agency=report.agency, root=True)})
        summary = {row["key"]: row["value"] for row in tables(report)[0][2]}
    cell = " ".join(re.sub("<[^>]+>", " ", re.search(r'id="change-previous">(.*?)</td>', html, re.S).group(1)).split())
    assert cell.startswith("-0,36 (Penilaian SPBE 2021: 2,36)") and "estimasi" in cell
    assert [value for key, value in summary.items() if key.startswith("Perubahan sejak Penilaian SPBE 2021") and "estimasi" in key] == [Decimal("-0.36")]

    with translation.override("id"):
        _columns, rows = index_table(period=p2026, user=administrator)
    rows = {row["agency_code"]: row for row in rows}
    assert (rows["17.02"]["change"], rows["17.08"]["change"], rows["17.07"]["change"]) == (Decimal("-0.36"), Decimal("1.00"), "—")
    assert "estimasi" in rows["17.02"]["change_basis"] and rows["17.02"]["compared_with"] == "Penilaian SPBE 2021"
    assert rows["17.02"]["index_name"].startswith("Indeks Pemdi")

    _token, key = api_token_create(user=administrator, name="series")
    answer = client.get(reverse("api_period_indices", args=[p2026.pk]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert answer["period"]["index_name"] == "Indeks Pemdi" and answer["change_basis"] == "crosswalk_estimate"
    assert answer["compared_with"]["year"] == 2021 and answer["compared_with"]["index_name"] == "Indeks SPBE"
    changes = {row["agency"]: (row["change"], row["change_basis"]) for row in answer["results"]}
    assert changes == {"17.02": (-0.36, "crosswalk_estimate"), "17.08": (1.0, "crosswalk_estimate"), "17.07": (None, None)}
    one = client.get(reverse("api_agency_indices", args=[p2026.pk, "17.02"]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert (one["change"], one["change_basis"], one["compared_with"]) == (-0.36, "crosswalk_estimate", {"name": "Penilaian SPBE 2021", "index": 2.36})


def test_a_second_pemdi_period_compares_with_2026_as_the_same_framework(history, frameworks, bengkulu, client_of,
                                                                         provincial_reviewer, administrator, client):
    p2021, p2026 = history
    p2028 = period(frameworks, 2028, "PERMENPANRB-8-2026", "Penilaian Pemdi 2028")
    assess(p2028, bengkulu["17.02"], 3)  # 3.00 − 2.00 = +1.00, measured
    earlier = previous_period(p2028)
    assert (earlier.period, earlier.basis) == (p2026, "same_framework")
    assert previous_period(p2026).period == p2021 and previous_period(p2026).is_estimate
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[p2028.pk])).content.decode()
    assert cells(page, "17.02")[5] == "+1,00" and "estimasi" not in by_id(page, "change-basis")
    report = build(kind="regency", period=p2028, agency=bengkulu["17.02"])
    assert (report.previous.label, report.previous.difference, report.previous.basis) == ("Penilaian Pemdi 2028".replace("2028", "2026"), Decimal("1.00"), "same_framework")
    _token, key = api_token_create(user=administrator, name="series")
    answer = client.get(reverse("api_period_indices", args=[p2028.pk]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert answer["change_basis"] == "same_framework" and answer["compared_with"]["year"] == 2026
    assert answer["results"][0]["change"] == 1.0


def test_a_published_spbe_result_is_compared_only_through_the_crosswalk(history, frameworks, bengkulu):
    _p2021, p2026 = history
    result = PublishedResult.objects.create(agency=bengkulu["17.02"], year=2024, framework_version=frameworks["PERMENPANRB-59-2020"],
                                            index=Decimal("3.00"))
    assert build(kind="regency", period=p2026, agency=bengkulu["17.02"]).national is None  # no levels: nothing to estimate from
    result.levels = {str(code): 3 for code in range(1, 48)}
    result.save()
    national = build(kind="regency", period=p2026, agency=bengkulu["17.02"]).national
    assert (national.label, national.index, national.difference, national.is_estimate) == ("2024", Decimal("2.36"), Decimal("-0.36"), True)


def report_title(kind, report):
    with translation.override("id"):
        html = render_to_string(f"reports/{kind}_pdf.html", {"report": report, "heading": issuing_office(agency=report.agency, root=True)})
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    return title, heading


def test_a_2026_report_is_titled_pemdi_not_spbe(history, bengkulu):
    _p2021, p2026 = history
    for kind, agency in (("regency", bengkulu["17.02"]), ("province", bengkulu["17"])):
        report = build(kind=kind, period=p2026, agency=agency)
        for text in report_title(kind, report):
            assert "Indeks Pemdi" in text and "SPBE" not in text, text
        with translation.override("id"):
            assert "Indeks Pemdi" in str(tables(report)[0][2][0]["value"]) and "SPBE" not in str(tables(report)[0][2][0]["value"])
    title, _heading = report_title("regency", build(kind="regency", period=_p2021, agency=bengkulu["17.02"]))
    assert "Indeks SPBE" in title


def test_the_trends_chart_draws_one_series_per_framework(history, client_of, provincial_reviewer):
    page = client_of(provincial_reviewer).get(reverse("trends") + "?agency=17.02").content.decode()
    table = page.split('id="trend-table"')[1].split("</table>")[0]
    headers = [" ".join(re.sub("<[^>]+>", " ", h).split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    spbe = [h for h in headers if "Indeks SPBE (PermenPANRB 59/2020)" in h and h.startswith("Rejang Lebong")]
    pemdi = [h for h in headers if "Indeks Pemdi (PermenPANRB 8/2026)" in h and h.startswith("Rejang Lebong")
             and "estimasi" not in h]
    assert len(spbe) == 2 and len(pemdi) == 2  # self-assessed and verified of each framework, never one line
    rows = {re.search(r"<td>(\d{4})</td>", row).group(1): [" ".join(re.sub("<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr><td>\d{4}</td>.*?</tr>", table, re.S)}
    spbe_self, pemdi_self = headers.index(spbe[0]), headers.index(pemdi[0])
    assert rows["2021"][spbe_self] == "3,00" and rows["2021"][pemdi_self] == "—"
    assert rows["2026"][pemdi_self] == "2,00" and rows["2026"][spbe_self] == "—"
    assert any("Indeks SPBE" in h and "PermenPANRB 59/2020" in h for h in headers)  # the national average, its own series
    estimate = [h for h in headers if "estimasi" in h]
    assert len(estimate) == 1 and "Indeks Pemdi" in estimate[0]  # 2021 estimated as an Indeks Pemdi, labelled
    assert rows["2021"][headers.index(estimate[0])] == "2,36" and rows["2026"][headers.index(estimate[0])] == "—"
    assert '"estimate": true' in page  # drawn dashed


def test_the_regency_pdf_says_estimate_beside_the_crosswalk_change(history, bengkulu, django_capture_on_commit_callbacks):
    from tests.pdf_pages import page_texts
    from tests.reports.test_report_pdf import made_report

    _p2021, p2026 = history
    _run, pdf = made_report("regency", p2026, bengkulu["17.02"], django_capture_on_commit_callbacks)
    text = " ".join(page_texts(pdf))
    assert "Laporan tingkat kematangan Indeks Pemdi" in page_texts(pdf)[0] and "SPBE" not in page_texts(pdf)[0]
    assert "-0,36 (Penilaian SPBE 2021: 2,36) — estimasi" in text


def test_the_demo_trends_show_one_series_per_framework(bengkulu, client_of):
    from agencies.demo import demo_accounts_load
    from assessments.demo import demo_assessments_load
    from dashboards.selectors import agency_trends, national_series, trend_series

    demo_accounts_load()
    demo_assessments_load()
    series = trend_series(trends=agency_trends(agencies=[bengkulu["17.02"]]), national=national_series())
    frameworks = {entry["label"].split(" — ")[1] for entry in series if entry["key"][0] == "17.02"}
    assert frameworks == {"Indeks SPBE (PermenPANRB 59/2020)", "Indeks Pemdi (PermenPANRB 8/2026)"}
    measured = [entry for entry in series[:-1] if not entry["estimate"]]  # the last is the national average
    for entry in measured:  # no measured line holds years of two frameworks
        assert set(entry["values"]) <= (set(range(2020, 2026)) if "Indeks SPBE" in entry["label"] else set(range(2026, 2100)))
    self_2021 = next(e for e in series if e["key"][0] == "17.02" and "Indeks SPBE" in e["label"] and e["key"][2] == "self")
    self_2026 = next(e for e in series if e["key"][0] == "17.02" and "Indeks Pemdi" in e["label"] and e["key"][2] == "self")
    assert set(self_2021["values"]) == {2021} and set(self_2026["values"]) == {2026}
    assert series[-1]["key"] == ("national",) and "Indeks SPBE" in series[-1]["label"]
    bridge = next(e for e in series if e["estimate"])  # 2021 estimated as an Indeks Pemdi: its own, labelled line
    assert set(bridge["values"]) == {2021} and "estimasi" in bridge["label"] and "Indeks Pemdi" in bridge["label"]

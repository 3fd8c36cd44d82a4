"""Issue 12 point 6: one ranking on every surface, and "x of n indicators assessed" beside every
index computed with unassessed indicators."""

import pytest
from django.urls import reverse

from agencies.services import api_token_create
from assessments.services import assessment_levels_set
from reports import rendering
from reports.report_data import province_report, regency_report

pytestmark = pytest.mark.django_db


def ranking_table(report):
    return next(rows for title, _columns, rows in rendering.tables(report) if title == "Peringkat")


def set_levels(period, code, raised=(), missing=()):
    """Every indicator at 1 (self, verified and target), ``raised`` at 2, ``missing`` without any level."""
    assessment = period.assessments.get(agency__code=code)
    levels = {}
    for indicator in period.framework_version.nodes.filter(is_indicator=True):
        level = None if indicator.code in missing else 2 if indicator.code in raised else 1
        levels[indicator.code] = {"level": level, "verified_level": level, "target_level": level}
    assessment_levels_set(assessment=assessment, levels=levels)


@pytest.fixture
def tie(open_period):
    """Rejang Lebong (17.02): indicator 11 (weight 2.50) at 2 → exactly 1.025; Kepahiang (17.08):
    indicators 1 and 2 (1.30 each) at 2 → exactly 1.026. Both are published as 1.03, self-assessed
    and verified alike: a tie, broken by the code (17.02 first), although Kepahiang is higher by
    decimals nobody sees. Lebong (17.07): everything at 1 except three indicators without a level."""
    set_levels(open_period, "17.02", raised={"11"})
    set_levels(open_period, "17.08", raised={"1", "2"})
    set_levels(open_period, "17.07", missing={"45", "46", "47"})
    return open_period


def test_a_tie_ranks_the_same_on_the_dashboard_the_api_and_the_province_report(tie, client, client_of, provincial_reviewer, bengkulu):
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[tie.pk])).content.decode()
    table = page.split('id="province-table"')[1].split("</table>")[0]
    assert table.index('data-agency="17.02"') < table.index('data-agency="17.08"') < table.index('data-agency="17.07"')

    _token, key = api_token_create(user=provincial_reviewer, name="Satu Data")
    rows = client.get(reverse("api_period_indices", args=[tie.pk]), HTTP_AUTHORIZATION=f"Token {key}").json()["results"]
    ranks = {row["agency"]: row["rank"] for row in rows}
    assert (ranks["17.02"], ranks["17.08"], ranks["17.07"]) == (1, 2, 3)

    report = province_report(period=tie, agency=bengkulu["17"])
    assert [(row.rank, row.agency.code) for row in report.rows] == [(1, "17.02"), (2, "17.08"), (3, "17.07")]
    ranking = ranking_table(report)
    assert [(row["rank"], row["code"]) for row in ranking] == [(1, "17.02"), (2, "17.08"), (3, "17.07")]


def test_every_surface_says_how_many_indicators_were_assessed(tie, client, client_of, provincial_reviewer, lebong_officer, bengkulu):
    note = "44 dari 47 indikator dinilai"
    reviewer = client_of(provincial_reviewer)
    province = reviewer.get(reverse("province_dashboard", args=[tie.pk])).content.decode()
    lebong_row = province.split('data-agency="17.07"')[1].split("</tr>")[0]
    assert lebong_row.count(note) == 2  # beside the self-assessed and the verified index
    rejang_row = province.split('data-agency="17.02"')[1].split("</tr>")[0]
    assert "indikator dinilai" not in rejang_row  # all 47 assessed: nothing to say

    officer = client_of(lebong_officer)
    for url in (reverse("regency_dashboard", args=[tie.pk, "17.07"]), reverse("assessment_detail", args=[tie.pk, "17.07"]),
                reverse("period_detail", args=[tie.pk])):
        assert note in officer.get(url).content.decode() or note in reviewer.get(url).content.decode(), url

    _token, key = api_token_create(user=provincial_reviewer, name="Satu Data")
    rows = client.get(reverse("api_period_indices", args=[tie.pk]), HTTP_AUTHORIZATION=f"Token {key}").json()["results"]
    lebong = next(row for row in rows if row["agency"] == "17.07")
    assert lebong["self_assessed"]["assessed"] == 44 and lebong["verified"]["assessed"] == 44
    assert lebong["self_assessed"]["indicators"] == 47
    one = client.get(reverse("api_agency_indices", args=[tie.pk, "17.07"]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert (one["planned"]["assessed"], one["planned"]["indicators"]) == (44, 47)

    report = province_report(period=tie, agency=bengkulu["17"])
    lebong_row = next(row for row in ranking_table(report) if row["code"] == "17.07")
    assert (lebong_row["indicators"], lebong_row["self_assessed"], lebong_row["verified_assessed"]) == (47, 44, 44)

    summary = rendering.tables(regency_report(period=tie, agency=bengkulu["17.07"]))[0][2]
    assert {"key": "Indikator dinilai — indeks terverifikasi", "value": note} in summary

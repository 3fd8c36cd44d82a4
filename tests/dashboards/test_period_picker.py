"""The period picker on every page that shows one period, a new period that never hides an older
one's open work, and the province dashboard of every enrolled regency (not started first, progress,
days left in the current stage)."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import IndicatorAssessment
from assessments.services import assessment_get_or_create, assessment_levels_set, item_save, period_create
from dashboards.selectors import province_dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemdi_2028(frameworks, bengkulu, open_period):
    """A second open period (2028, on PermenPANRB 8/2026) with the same three regencies, opened
    while the 2025 period is still open."""
    period = period_create(
        name="Pemdi 2028", year=2028, framework_version=frameworks["PERMENPANRB-8-2026"],
        opens=date(2028, 2, 1), closes=date(2028, 4, 30), review_deadline=date(2028, 6, 30), state="open",
    )
    for code in ("17.02", "17.07", "17.08"):
        assessment_get_or_create(period=period, agency=bengkulu[code])
    return period


def picker_links(page):
    """{period id: (href, current?, running?)} of the picker's links."""
    nav = page.split('<nav id="period-picker"')[1].split("</nav>")[0]
    links = {}
    for attributes, text in re.findall(r"<a ([^>]*data-period-id[^>]*)>(.*?)</a>", nav, re.S):
        period_id = int(re.search(r'data-period-id="(\d+)"', attributes).group(1))
        href = re.search(r'href="([^"]*)"', attributes).group(1).replace("&amp;", "&")
        links[period_id] = (href, 'aria-current="page"' in attributes, "period-running" in text)
    return links


def test_every_page_that_shows_one_period_links_itself_in_every_other_period(open_period, pemdi_2028, client_of, administrator):
    browser = client_of(administrator)
    old, new = open_period.pk, pemdi_2028.pk
    pages = {
        "province_dashboard": lambda p: reverse("province_dashboard", args=[p]),
        "regency_dashboard": lambda p: reverse("regency_dashboard", args=[p, "17.07"]),
        "whatif": lambda p: reverse("whatif", args=[p, "17.07"]),
        "assessment_detail": lambda p: reverse("assessment_detail", args=[p, "17.07"]),
        "period_detail": lambda p: reverse("period_detail", args=[p]),
        "trends": lambda p: reverse("trends") + f"?agency=17.07&period={p}",
        "report_list": lambda p: reverse("report_list") + f"?period={p}",
    }
    for name, url in pages.items():
        response = browser.get(url(old))
        assert response.status_code == 200, name
        links = picker_links(response.content.decode())
        assert links == {old: (url(old), True, True), new: (url(new), False, True)}, name
        # and the other way round: the link leads to the same page in the other period, marked current
        page = browser.get(links[new][0]).content.decode()
        assert picker_links(page)[new][1] and not picker_links(page)[old][1], name


def test_the_picker_on_a_regency_page_offers_only_the_periods_it_is_enrolled_in(open_period, pemdi_2028, bengkulu, client_of,
                                                                                 administrator):
    assessment_get_or_create(period=open_period, agency=bengkulu["17.01"])  # Bengkulu Selatan: not in 2028
    page = client_of(administrator).get(reverse("regency_dashboard", args=[open_period.pk, "17.01"])).content.decode()
    assert set(picker_links(page)) == {open_period.pk}


def test_trends_compare_the_period_in_the_url_else_the_current_one(open_period, pemdi_2028, client_of, provincial_reviewer):
    browser = client_of(provincial_reviewer)
    assert "Pemdi 2028" in browser.get(reverse("trends") + "?agency=17.07").content.decode().split('id="compare-heading"')[1][:200]
    page = browser.get(reverse("trends") + f"?agency=17.07&period={open_period.pk}").content.decode()
    assert "Penilaian Mandiri SPBE 2025" in page.split('id="compare-heading"')[1][:200]
    assert browser.get(reverse("trends") + "?agency=17.07&period=999999").status_code == 404


def test_opening_2028_keeps_2025_one_click_away_with_its_numbers(open_period, frameworks, bengkulu, client_of, provincial_reviewer):
    nodes = open_period.framework_version.nodes.filter(is_indicator=True)
    assessment_levels_set(assessment=open_period.assessments.get(agency__code="17.02"),
                          levels={node.code: {"level": 3, "verified_level": 2} for node in nodes})
    browser = client_of(provincial_reviewer)
    dashboard_2025 = reverse("province_dashboard", args=[open_period.pk])

    def row_of(page, code):
        table = page.split('id="province-table"')[1].split("</table>")[0]
        return table.split(f'data-agency="{code}"')[1].split("</tr>")[0]

    before = row_of(browser.get(dashboard_2025).content.decode(), "17.02")
    assert ">3,00<" in before and "2,00" in before
    assert browser.get(reverse("dashboard")).url == dashboard_2025  # the default: the current period

    period = period_create(name="Pemdi 2028", year=2028, framework_version=frameworks["PERMENPANRB-8-2026"],
                           opens=date(2028, 2, 1), closes=date(2028, 4, 30), review_deadline=date(2028, 6, 30), state="open")
    for code in ("17.02", "17.07", "17.08"):
        assessment_get_or_create(period=period, agency=bengkulu[code])

    response = browser.get(reverse("dashboard"))
    assert response.url == reverse("province_dashboard", args=[period.pk])  # the newest open period is now the default
    links = picker_links(browser.get(response.url).content.decode())
    href, current, running = links[open_period.pk]
    assert (href, current, running) == (dashboard_2025, False, True)  # one click away, marked "still running"
    assert row_of(browser.get(href).content.decode(), "17.02") == before


def test_the_officers_todo_and_home_cover_every_open_period(open_period, pemdi_2028, client_of, kepahiang_officer):
    officer_2028 = pemdi_2028.framework_version.nodes.filter(is_indicator=True, externally_scored=False).count()
    browser = client_of(kepahiang_officer)
    page = browser.get(reverse("officer_todo")).content.decode()
    listed = page.split('id="not-started-assessments"')[1].split("</ul>")[0]
    assert listed.index(f'data-period-id="{pemdi_2028.pk}"') < listed.index(f'data-period-id="{open_period.pk}"')  # newest first
    assert "Pemdi 2028 · Kepahiang" in listed and "Penilaian Mandiri SPBE 2025 · Kepahiang" in listed
    assert f"{officer_2028} indikator belum diisi." in listed and "47 indikator belum diisi." in listed
    home = browser.get(reverse("home")).content.decode()
    assert f'<span class="badge text-bg-warning waiting-count">{47 + officer_2028}</span>' in home


@pytest.fixture
def one_started(open_period, rejang_lebong_officer):
    """Rejang Lebong saved one indicator as a draft; Lebong and Kepahiang have not started."""
    item = IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency__code="17.02", indicator__code="1")
    item_save(item=item, actor=rejang_lebong_officer, expected_version=item.version, level=2, justification="SK tim SPBE", target_level=None)
    return open_period


def test_not_started_regencies_are_listed_first_and_marked_in_the_table(one_started, client_of, provincial_reviewer):
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[one_started.pk])).content.decode()
    callout = page.split('id="not-started"')[1].split("</section>")[0]
    assert "2 kabupaten/kota belum memulai" in callout
    assert re.findall(r'data-not-started="([^"]+)"', callout) == ["17.07", "17.08"]  # tree order: Lebong, Kepahiang
    assert page.index('id="not-started"') < page.index('id="province-table"')
    table = page.split('id="province-table"')[1].split("</table>")[0]
    for code, filled in (("17.07", 0), ("17.08", 0), ("17.02", 1)):
        row = table.split(f'data-agency="{code}"')[1].split("</tr>")[0]
        assert row.lstrip('>\n ').startswith('<td class="not-started">') == (filled == 0)
        assert f'aria-valuenow="{filled}" aria-valuemin="0" aria-valuemax="47"' in row.split('class="progress-filled"')[1]
        assert f"{filled}/47" in row
    assert 'progress-w-5"' in table.split('data-agency="17.02"')[1].split('class="progress-submitted"')[0]  # 1 of 47: visible
    progress = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[one_started.pk]) + "?sort=progress")
    table = progress.content.decode().split('id="province-table"')[1]
    assert table.index('data-agency="17.07"') < table.index('data-agency="17.08"') < table.index('data-agency="17.02"')


def test_days_left_in_the_current_stage(open_period, administrator, monkeypatch, client_of):
    # The self-assessment of the 2025 period closes on 30 April: on 21 April, 10 days are left (today included).
    data = province_dashboard(user=administrator, period=open_period, today=date(2025, 4, 21))
    assert (data["stage"].kind, data["stage"].days_left) == ("self", 10)
    assert province_dashboard(user=administrator, period=open_period, today=date(2025, 5, 2))["stage"].days_left == 60  # review to 30 June
    assert province_dashboard(user=administrator, period=open_period, today=date(2025, 7, 1))["stage"] is None
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2025, 4, 21))
    page = client_of(administrator).get(reverse("province_dashboard", args=[open_period.pk])).content.decode()
    card = page.split('id="current-stage"')[1].split("</div></div>")[0]
    assert "Penilaian mandiri" in card and "10 hari lagi" in card
    assert "Penilaian mandiri: 10 hari lagi." in page.split('id="not-started"')[1].split("</section>")[0]


def test_progress_bars_carry_no_style_attribute(one_started, client_of, provincial_reviewer):
    page = client_of(provincial_reviewer).get(reverse("province_dashboard", args=[one_started.pk])).content.decode()
    table = page.split('id="province-table"')[1].split("</table>")[0]
    assert table.count('role="progressbar"') == 9 and " style=" not in table


def test_an_officer_not_enrolled_in_the_newest_period_lands_on_the_period_of_their_work(open_period, frameworks, bengkulu, client_of,
                                                                                       kepahiang_officer):
    period = period_create(name="Pemdi 2028", year=2028, framework_version=frameworks["PERMENPANRB-8-2026"],
                           opens=date(2028, 2, 1), closes=date(2028, 4, 30), review_deadline=date(2028, 6, 30), state="open")
    assessment_get_or_create(period=period, agency=bengkulu["17.02"])  # Kepahiang is not enrolled in 2028
    assert client_of(kepahiang_officer).get(reverse("dashboard")).url == reverse("regency_dashboard", args=[open_period.pk, "17.08"])
    assessment_get_or_create(period=period, agency=bengkulu["17.08"])
    assert client_of(kepahiang_officer).get(reverse("dashboard")).url == reverse("regency_dashboard", args=[period.pk, "17.08"])

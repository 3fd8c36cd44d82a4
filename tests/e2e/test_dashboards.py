"""After the demo data of `make run`, a provincial reviewer sees the three demo regencies on the
dashboard, opens a trend and a comparison, and runs a what-if that crosses a predicate boundary."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(bengkulu):
    from agencies.demo import DEMO_PASSWORD, demo_accounts_load
    from assessments.demo import demo_assessments_load
    from meetings.demo import demo_meetings_load

    demo_accounts_load()
    demo_assessments_load()
    demo_meetings_load()
    return DEMO_PASSWORD


def test_reviewer_reads_the_dashboard_trends_and_a_what_if(page, demo_data):
    from assessments.models import AssessmentSummary

    log_in(page, "reviewer.provinsi", demo_data)
    page.goto("/dasbor/")
    expect(page).to_have_url(re.compile(r"/dasbor/\d+/$"))
    table = page.locator("#province-table")
    for code in ("17.02", "17.08", "17.07"):
        summary = AssessmentSummary.objects.get(period__year=2026, agency__code=code)
        row = table.locator(f'tr[data-agency="{code}"]')
        expect(row).to_contain_text(f"{summary.verified_index:.2f}".replace(".", ","))
        expect(row).to_contain_text(f"{summary.filled}/{summary.total}")
    expect(page.locator("canvas[data-chart=ranking-chart]")).to_have_attribute("data-drawn", "1")

    page.get_by_role("link", name=re.compile("Tren")).first.click()
    page.locator("#trend-agencies").select_option(["17.02", "17.07"])
    page.locator("#trend-form button[type=submit]").click()
    expect(page.locator("#trend-table")).to_contain_text("3,23")
    expect(page.locator("#compare-table")).to_contain_text("Rejang Lebong")
    expect(page.locator("canvas[data-chart=compare-chart]")).to_have_attribute("data-drawn", "1")

    page.goto(page.url.split("/dasbor/")[0] + "/dasbor/")
    page.locator('#province-table tr[data-agency="17.07"] a').click()
    page.get_by_role("link", name=re.compile("Simulasi|What-if")).click()
    before = page.locator("#whatif-predicate").inner_text()
    expect(page.locator("select[name=level-I5]")).to_have_count(0)  # externally scored: not the regency's to raise
    for select in page.locator("select[name^=level-]").all():
        select.select_option("5")
    # Everything the regency can raise at 5; Lebong's external values stay (demo: I5 2,10, I6 1,75,
    # I7 2,05, I18 1,60): 5 − (5×2,90 + 3×3,25 + 3×2,95 + 3×3,40)/100 = 5 − 0,433 = 4,567 → 4,57.
    expect(page.locator("#whatif-index")).to_have_text("4,57")
    expect(page.locator("#whatif-predicate")).to_have_text("Memuaskan")
    assert before != "Memuaskan"
    # Nothing was saved: the dashboard still shows the same self-assessed index.
    assert AssessmentSummary.objects.get(period__year=2026, agency__code="17.07").self_index < 5

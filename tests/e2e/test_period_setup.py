"""A real evaluation year, set up in the browser: after the demo data of `make run`, an
administrator sets up "Pemdi 2028" on PermenPANRB 8/2026 with its stage dates, enrols every regency
and the city (all checked by default) and opens the period. The province dashboard then lists every
enrolled regency, the Kepahiang officer finds 2028 in the to-do, and the 2026 period stays one click
away through the period picker with its numbers unchanged.

The period picker (``<nav id="period-picker">`` with ``<a data-period-year="2026">``) and the to-do
covering every open period are built by the picker helper of issue 13: this test passes once both
are merged."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REGIONAL_GOVERNMENTS = ("17.01", "17.02", "17.03", "17.04", "17.05", "17.06", "17.07", "17.08", "17.09", "17.71")


@pytest.fixture
def demo_data(bengkulu):
    from agencies.demo import DEMO_PASSWORD, demo_accounts_load
    from assessments.demo import demo_assessments_load

    demo_accounts_load()
    demo_assessments_load()
    return DEMO_PASSWORD


def test_an_administrator_sets_up_and_opens_2028_and_2026_stays_reachable(page, demo_data):
    from agencies.models import Agency
    from assessments.models import AssessmentPeriod, AssessmentSummary, FrameworkVersion, IndicatorAssessment

    assert sorted(Agency.objects.regional_governments().filter(is_active=True).values_list("code", flat=True)) == list(REGIONAL_GOVERNMENTS)
    summaries_2026 = {s.agency.code: s for s in AssessmentSummary.objects.filter(period__year=2026).select_related("agency")}
    version = FrameworkVersion.objects.get(framework__code="PERMENPANRB-8-2026")

    log_in(page, "admin", demo_data)
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/penilaian/")
    page.locator("#period-new-link").click()
    form = page.locator("#period-form")
    form.get_by_label("Nama").fill("Pemdi 2028")
    form.get_by_label("Tahun").fill("2028")
    form.locator("select[name=framework_version]").select_option(str(version.pk))
    for name, value in {
        "self_assessment_opens": "2028-02-01", "self_assessment_closes": "2028-04-30", "review_deadline": "2028-06-30",
        "document_starts": "2028-07-01", "document_ends": "2028-08-15", "interview_starts": "2028-08-18",
        "interview_ends": "2028-08-29", "final_starts": "2028-11-01", "final_ends": "2028-12-20",
    }.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button[type=submit]").click()

    # On to the enrolment: the ten regional governments, all checked.
    expect(page.locator("#enrolment-table tbody tr")).to_have_count(len(REGIONAL_GOVERNMENTS))
    expect(page.locator("#enrolment-table input[name=agencies]:checked")).to_have_count(len(REGIONAL_GOVERNMENTS))
    page.locator("#enrolment-form button[type=submit]").click()
    expect(page.locator("#enrolled-count")).to_contain_text("10 instansi terdaftar")
    period = AssessmentPeriod.objects.get(year=2028)
    assert period.framework_version == version and period.stages.count() == 3
    assert IndicatorAssessment.objects.filter(assessment__period=period).count() == 10 * 20

    # Open it (the page asks first).
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/penilaian/{period.pk}/")
    transition = page.locator("#period-transition-form")
    transition.locator("select[name=to_state]").select_option("open")
    with page.expect_navigation():
        transition.locator("button[type=submit]").click()
    period.refresh_from_db()
    assert period.state == AssessmentPeriod.State.OPEN

    # The province dashboard of 2028 lists every enrolled regency and the city, none started.
    page.goto(f"/dasbor/{period.pk}/")
    for code in REGIONAL_GOVERNMENTS:
        expect(page.locator(f'#province-table tr[data-agency="{code}"]')).to_have_count(1)

    # 2026 stays one click away through the picker, with its numbers.
    page.locator('#period-picker a[data-period-year="2026"]').click()
    period_2026 = AssessmentPeriod.objects.get(year=2026)
    expect(page).to_have_url(re.compile(rf"/dasbor/{period_2026.pk}/"))
    for code in ("17.02", "17.07", "17.08"):
        summary = summaries_2026[code]
        row = page.locator(f'#province-table tr[data-agency="{code}"]')
        expect(row).to_contain_text(f"{summary.verified_index:.2f}".replace(".", ","))
        expect(row).to_contain_text(f"{summary.filled}/{summary.total}")
        assert AssessmentSummary.objects.get(period=period_2026, agency__code=code).verified_index == summary.verified_index

    # The Kepahiang officer finds 2028 in the to-do.
    page.context.clear_cookies()
    log_in(page, "operator.kepahiang", demo_data)
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/penilaian/tugas/")
    expect(page.locator("main")).to_contain_text("Pemdi 2028")

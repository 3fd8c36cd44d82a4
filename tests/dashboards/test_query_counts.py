"""Every page keeps under 15 queries, with 10 agencies and with 550 (a national-scale data set)."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.services import api_token_create
from assessments.models import AssessmentPeriod, IndicatorAssessment
from reports.national_seed import seed_national

pytestmark = pytest.mark.django_db
LIMIT = 15
# The pages with the period picker (one query for every period, whatever the number of agencies)
# and the province dashboard of every enrolled regency (progress, not started first, the current
# stage), the score ledger (one query for the national stages' results of the assessment) and the
# period's stage timeline (one query for its stages):
# exactly these numbers, at 10 agencies and at 550 alike.
EXACT = {"province dashboard": 14, "regency dashboard": 14, "trends": 12, "what-if": 10, "period": 10, "assessment": 12,
         "reports": 7}
OFFICER_TODO = 9  # the officer's to-do over every open period


@pytest.mark.parametrize("size", [10, 550])
def test_every_page_stays_under_15_queries(size, administrator, client_of, client, django_assert_max_num_queries):
    seed_national(agencies=size, periods=2, log=lambda *args: None)
    assert Agency.objects.filter(code__regex=r"^[1-9][0-9](\.|$)").exclude(path__startswith="17/").count() == size
    period = AssessmentPeriod.objects.filter(state="open").get()
    regency = Agency.objects.filter(kind="regency").exclude(path__startswith="17/").order_by("code").first()
    item = IndicatorAssessment.objects.filter(assessment__period=period, assessment__agency=regency).order_by("indicator__position").first()
    pages = {
        "home": reverse("home"),
        "agency list": reverse("agency_list"),
        "province dashboard": reverse("province_dashboard", args=[period.pk]),
        "regency dashboard": reverse("regency_dashboard", args=[period.pk, regency.code]),
        "trends": reverse("trends") + f"?agency={regency.code}&agency={regency.parent.code}",
        "what-if": reverse("whatif", args=[period.pk, regency.code]),
        "period": reverse("period_detail", args=[period.pk]),
        "external scores": reverse("external_scores", args=[period.pk]),
        "stage results": reverse("stage_results", args=[period.pk]) + f"?stage=document&agency={regency.code}",
        "assessment": reverse("assessment_detail", args=[period.pk, regency.code]),
        "item": reverse("item_detail", args=[period.pk, regency.code, item.indicator.code]),
        "review queue": reverse("review_queue"),
        "reports": reverse("report_list"),
        "meetings": reverse("meeting_list"),
        "follow-ups": reverse("follow_up_tracker"),
    }
    browser = client_of(administrator)
    counts = {}
    for name, url in pages.items():
        with django_assert_max_num_queries(LIMIT) as captured:
            response = browser.get(url)
        assert response.status_code == 200, name
        counts[name] = len(captured.captured_queries)
    assert {name: counts[name] for name in EXACT} == EXACT
    officer = client_of(Membership.objects.filter(agency=regency, role=Membership.Role.OFFICER).first().user)
    with django_assert_max_num_queries(LIMIT) as captured:
        response = officer.get(reverse("officer_todo"))
    assert response.status_code == 200
    assert len(captured.captured_queries) == OFFICER_TODO
    _token, key = api_token_create(user=administrator, name="bench")
    with django_assert_max_num_queries(LIMIT):
        response = client.get(reverse("api_period_indices", args=[period.pk]), {"page_size": 100}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.json()["count"] == size and len(response.json()["results"]) == min(size, 100)
    print(f"\nqueries per page with {size} agencies: {counts}")

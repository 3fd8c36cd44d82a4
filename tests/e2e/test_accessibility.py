"""Every page, for every demo role, passes axe-core without a serious or critical violation, fits
a 390 px wide phone without scrolling sideways, and keeps each table's key column in view.

One browser for the whole run, one context per role; pages a role may not open (403/404) are
skipped, but each role must reach the pages listed in ``MUST_REACH``."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.e2e.audit import DESKTOP, audit, inject_axe, problems
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = ("admin", "reviewer.provinsi", "operator.rejanglebong", "pimpinan.rejanglebong")

# Named URLs that are not pages of their own: POST-only actions, downloads, fragments loaded into
# other pages (covered there), redirects, the JSON API, the admin site and the language switch.
NOT_PAGES = {
    "logout", "password_reset_confirm", "set_language", "health", "notification_open",
    "period_transition", "period_export", "assessment_history", "evidence_download",
    "meeting_transition", "meeting_attachment_add", "meeting_attachment_download", "follow_up_create",
    "follow_up_evidence_download", "minutes_pdf", "minutes_edition_download",
    "report_request", "report_box", "report_download", "minutes_box", "minutes_draft_request", "minutes_render_retry",
    # Files, not pages: evidence and minutes shown inline by the browser's own viewer, and the ZIP.
    "evidence_view", "meeting_attachment_view", "follow_up_evidence_view", "minutes_edition_view", "assessment_evidence_zip",
    # The interview kit: a PDF and a Word document to download.
    "interview_kit_pdf", "interview_kit_docx",
    # One person's own personal data as a JSON file.
    "personal_data_download",
    # Single sign-on: a redirect to the provider, and its answer (needs a provider round trip; the
    # refusal page and the login page with the button are audited in tests/e2e/test_sso.py).
    "sso_start", "sso_callback",
}

MUST_REACH = {
    "home", "regency_dashboard", "trends", "agency_detail", "period_list", "assessment_detail",
    "item_detail", "meeting_list", "meeting_detail", "follow_up_tracker", "follow_up_detail", "report_list",
    "report_detail", "notification_list", "password_change",
}


def page_url_names():
    names = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if not pattern.namespace:  # the admin site has its own tests and templates
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.name.startswith("api_"):
                names.append(pattern.name)

    walk(get_resolver().url_patterns)
    return [name for name in names if name not in NOT_PAGES]


def pages(period, agency_code, indicator_code, meeting, follow_up, run):
    """URL of every page, filled with demo-like objects."""
    regency = {"period_id": period.pk, "code": agency_code}
    return {
        "home": reverse("home"),
        "dashboard": reverse("dashboard"),
        "trends": reverse("trends") + "?agencies=17.02&agencies=17.07",
        "province_dashboard": reverse("province_dashboard", kwargs={"period_id": period.pk}),
        "regency_dashboard": reverse("regency_dashboard", kwargs=regency),
        "whatif": reverse("whatif", kwargs=regency),
        "agency_list": reverse("agency_list"),
        "agency_detail": reverse("agency_detail", kwargs={"code": agency_code}),
        "period_list": reverse("period_list"),
        "published_result_list": reverse("published_result_list"),
        "review_queue": reverse("review_queue"),
        "officer_todo": reverse("officer_todo"),
        "period_detail": reverse("period_detail", kwargs={"period_id": period.pk}),
        "external_scores": reverse("external_scores", kwargs={"period_id": period.pk}),
        "period_new": reverse("period_new"),
        "period_stages_edit": reverse("period_stages_edit", kwargs={"period_id": period.pk}),
        "period_enrolment": reverse("period_enrolment", kwargs={"period_id": period.pk}),
        "stage_results": reverse("stage_results", kwargs={"period_id": period.pk}) + f"?stage=document&agency={agency_code}",
        "assessment_detail": reverse("assessment_detail", kwargs=regency),
        "item_detail": reverse("item_detail", kwargs={**regency, "indicator_code": indicator_code}),
        "meeting_list": reverse("meeting_list"),
        "meeting_create": reverse("meeting_create"),
        "meeting_detail": reverse("meeting_detail", kwargs={"pk": meeting.pk}),
        "meeting_edit": reverse("meeting_edit", kwargs={"pk": meeting.pk}),
        "follow_up_tracker": reverse("follow_up_tracker"),
        "follow_up_detail": reverse("follow_up_detail", kwargs={"pk": follow_up.pk}),
        "report_list": reverse("report_list"),
        "report_detail": reverse("report_detail", kwargs={"pk": run.pk}),
        "notification_list": reverse("notification_list"),
        "password_change": reverse("password_change"),
        "password_change_done": reverse("password_change_done"),
        "account_settings": reverse("account_settings"),
        "personal_data": reverse("personal_data"),
        "access_log": reverse("access_log"),
        # Two-step sign-in: the set-up page for people without it; the others lead elsewhere
        # unless it is on or owed (tests/e2e/test_second_factor.py audits them in those states).
        "second_factor_setup": reverse("second_factor_setup"),
        "second_factor_verify": reverse("second_factor_verify"),
        "recovery_codes": reverse("recovery_codes"),
        "second_factor_disable": reverse("second_factor_disable"),
        # Public (no sign-in): every role and the anonymous visitor walk it.
        "document_verify": reverse("document_verify", kwargs={"verification_code": run.issued_document.code}),
    }


ANONYMOUS_PAGES = ("login", "password_reset", "password_reset_done", "password_reset_complete")


@pytest.fixture
def demo_pages(bengkulu):
    from agencies.demo import demo_accounts_load
    from agencies.models import Agency, User
    from assessments.demo import demo_assessments_load
    from assessments.models import AssessmentPeriod, IndicatorAssessment
    from meetings.demo import SEED_TITLE, demo_meetings_load
    from meetings.models import Meeting
    from reports.services import report_request

    demo_accounts_load()
    demo_assessments_load()
    demo_meetings_load()
    period = AssessmentPeriod.objects.get(year=2026)
    rejang_lebong = Agency.objects.get(code="17.02")
    # An item with evidence and a history, so the page shows its tables and timeline.
    item = (
        IndicatorAssessment.objects.filter(assessment__period=period, assessment__agency=rejang_lebong)
        .exclude(state="not_started").select_related("indicator").order_by("-updated_at").first()
    )
    meeting = Meeting.objects.get(title=SEED_TITLE)
    run, _created = report_request(kind="regency", period=period, agency=rejang_lebong, actor=User.objects.get(username="admin"))
    run.refresh_from_db()  # rendered and signed inline: its issued document has a verification page
    return pages(period, "17.02", item.indicator.code, meeting, meeting.follow_ups.order_by("pk").first(), run)


def test_every_page_is_in_the_accessibility_walk():
    from types import SimpleNamespace

    stub = SimpleNamespace(pk=1, issued_document=SimpleNamespace(code="ABCDEFGHJKLMNPQRSTUV"))
    listed = set(pages(stub, "17.02", "1", stub, stub, stub)) | set(ANONYMOUS_PAGES)
    assert set(page_url_names()) - listed == set(), "add the new page to pages() or NOT_PAGES"


def test_every_page_for_every_role_is_accessible_and_fits_a_phone(browser, live_server, settings, demo_pages):
    from agencies.demo import DEMO_PASSWORD

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    failures, reached = [], {}
    for role in (None, *ROLES):
        context = browser.new_context(base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta")
        page = context.new_page()
        page.set_default_timeout(15000)
        if role is None:
            urls = {name: reverse(name) for name in ANONYMOUS_PAGES} | {"document_verify": demo_pages["document_verify"]}
        else:
            log_in(page, role, DEMO_PASSWORD)
            page.wait_for_url(lambda url: "/akun/masuk/" not in url)
            urls = demo_pages
        reached[role] = set()
        for name, url in urls.items():
            found = audit(page, url)
            if found is None:
                continue
            reached[role].add(name)
            failures += [f"{role or 'anonymous'} {name} {url}: {problem}" for problem in problems(found)]
        context.close()
    assert failures == [], "\n".join(failures)
    for role in ROLES:
        assert MUST_REACH <= reached[role], (role, MUST_REACH - reached[role])
    assert {"review_queue", "province_dashboard", "whatif"} <= reached["reviewer.provinsi"]
    assert {"officer_todo", "whatif"} <= reached["operator.rejanglebong"]
    assert set(ANONYMOUS_PAGES) | {"document_verify"} <= reached[None]


def test_navigation_text_meets_4_5_to_1_contrast(page, demo_pages):
    from agencies.demo import DEMO_PASSWORD

    log_in(page, "admin", DEMO_PASSWORD)  # the administrator sees every link of the bar
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)
    page.set_viewport_size(DESKTOP)
    page.goto(demo_pages["item_detail"])
    page.locator("nav .dropdown-toggle").click()  # the account menu, open
    inject_axe(page)
    result = page.evaluate(
        "async () => await axe.run({include: [['nav.navbar']]}, {runOnly: ['color-contrast']})"
    )
    assert result["violations"] == []
    checked = [node["target"] for rule in result["passes"] for node in rule["nodes"]]
    assert len(checked) >= 10, checked  # brand, nine links, the bell, the account menu and its items

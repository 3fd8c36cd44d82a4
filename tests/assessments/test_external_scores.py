"""Externally scored indicators (8/2026 I5, I6, I7, I18): values entered or imported by the
province with source and date, counted exactly in every index, never claimed by the officer,
never proposed by the plan or the what-if."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import selectors
from assessments.external_scores import ExternalScoresError, validate_rows
from assessments.models import AssessmentSummary, IndicatorAssessment, ItemEvent
from assessments.services import (
    ConcurrentChange,
    assessment_get_or_create,
    assessment_levels_set,
    external_score_set,
    item_save,
    period_create,
    period_transition,
    targets_save,
)

pytestmark = pytest.mark.django_db
SOURCE = "Hasil Evaluasi Satu Data Indonesia 2025"
DAY = date(2026, 3, 16)


@pytest.fixture
def pemdi(frameworks, bengkulu):
    """An open 2026 period on PermenPANRB 8/2026 with empty assessments for the three regencies."""
    period = period_create(
        name="Penilaian Mandiri Pemdi 2026", year=2026, framework_version=frameworks["PERMENPANRB-8-2026"],
        opens=date(2026, 7, 1), closes=date(2026, 12, 15), review_deadline=date(2027, 1, 31), state="open",
    )
    for code in ("17.02", "17.07", "17.08"):
        assessment_get_or_create(period=period, agency=bengkulu[code])
    return period


def item_of(period, agency, code):
    return IndicatorAssessment.objects.select_related("assessment__agency", "assessment__period", "indicator").get(
        assessment__period=period, assessment__agency__code=agency, indicator__code=code)


def summary_of(period, agency):
    return AssessmentSummary.objects.get(assessment__period=period, assessment__agency__code=agency)


def test_a_value_counts_exactly_in_every_variant_and_the_summary(pemdi, provincial_reviewer):
    """Everything at 1 (nothing assessed), I5 (weight 5 of 100) at 2.99: 1 + 5 × 1.99/100 = 1.0995 → 1.10,
    in the self-assessed, verified and planned index alike (truncated it would be 1.05)."""
    item = item_of(pemdi, "17.02", "I5")
    external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.99"), reference=SOURCE, dated=DAY,
                       expected_version=item.version)
    summary = summary_of(pemdi, "17.02")
    assert (summary.self_index, summary.verified_index, summary.planned_index) == (Decimal("1.10"),) * 3
    assert summary.unassessed == 19  # 16 officer's indicators + I6, I7, I18 without a value
    assert summary.not_started == 16 and summary.total == 16  # the four external ones are not the officer's work
    scores = selectors.period_agency_scores(period=pemdi, user=provincial_reviewer)
    assert [entry.self_assessed.index for entry in scores] == [Decimal("1.10"), Decimal("1.00"), Decimal("1.00")]
    assessment = item.assessment
    overview = selectors.assessment_overview(assessment=assessment)
    assert overview["scores"]["verified"].overall * 10000 == 10995
    event = item.events.get(action=ItemEvent.Action.EXTERNAL_VALUE_SET)
    assert event.actor == provincial_reviewer and "2,99" in event.note and SOURCE in event.note


def test_a_level_held_by_an_external_item_is_ignored_without_a_value():
    """variant_levels reads the external value (or nothing) for an external indicator, never a level."""
    from tests.assessments.test_scoring import PEMDI

    rows = [("I5", 4, 4, 5, None), ("I6", None, None, None, Decimal("2.50")), ("I8", 3, 2, None, None)]
    levels = selectors.variant_levels(rows, PEMDI)
    assert levels == {
        "self": {"I5": None, "I6": Decimal("2.50"), "I8": 3},
        "verified": {"I5": None, "I6": Decimal("2.50"), "I8": 2},
        "planned": {"I5": None, "I6": Decimal("2.50"), "I8": 3},
    }


def test_a_correction_needs_a_reason_and_is_recorded_from_to(pemdi, provincial_reviewer, english):
    item = item_of(pemdi, "17.02", "I6")
    item = external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.40"), reference=SOURCE, dated=DAY)
    with pytest.raises(ValidationError) as refused:
        external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.45"), reference=SOURCE, dated=DAY)
    assert "reason" in refused.value.message_dict
    external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.45"), reference=SOURCE, dated=DAY,
                       reason="BIG published a revision")
    notes = list(item.events.filter(action=ItemEvent.Action.EXTERNAL_VALUE_SET).order_by("pk").values_list("note", flat=True))
    assert notes[0].startswith("— → 2.40") and notes[1].startswith("2.40 → 2.45") and notes[1].endswith(": BIG published a revision")
    # The same value again changes nothing and records nothing.
    external_score_set(item=item_of(pemdi, "17.02", "I6"), actor=provincial_reviewer, value=Decimal("2.45"), reference=SOURCE, dated=DAY)
    assert item.events.filter(action=ItemEvent.Action.EXTERNAL_VALUE_SET).count() == 2


@pytest.mark.parametrize(("value", "field"), [(Decimal("5.01"), "value"), (Decimal("0.99"), "value"), (Decimal("2.999"), "value")])
def test_a_value_outside_the_scale_or_with_three_decimals_is_refused(pemdi, provincial_reviewer, value, field):
    with pytest.raises(ValidationError) as refused:
        external_score_set(item=item_of(pemdi, "17.02", "I5"), actor=provincial_reviewer, value=value, reference=SOURCE, dated=DAY)
    assert field in refused.value.message_dict
    assert item_of(pemdi, "17.02", "I5").external_value is None


def test_refused_on_a_normal_indicator_for_an_officer_on_a_closed_period_and_when_stale(
    pemdi, provincial_reviewer, rejang_lebong_officer, administrator, english
):
    with pytest.raises(ValidationError):
        external_score_set(item=item_of(pemdi, "17.02", "I8"), actor=provincial_reviewer, value=Decimal("2.00"), reference=SOURCE, dated=DAY)
    with pytest.raises(PermissionDenied):
        external_score_set(item=item_of(pemdi, "17.02", "I5"), actor=rejang_lebong_officer, value=Decimal("2.00"), reference=SOURCE, dated=DAY)
    item = item_of(pemdi, "17.02", "I5")
    with pytest.raises(ConcurrentChange):
        external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.00"), reference=SOURCE, dated=DAY,
                           expected_version=item.version + 1)
    for state in ("review", "closed"):
        period_transition(period=pemdi, to_state=state, actor=administrator, note="test")
    with pytest.raises(ValidationError, match="closed"):
        external_score_set(item=item_of(pemdi, "17.02", "I5"), actor=provincial_reviewer, value=Decimal("2.00"), reference=SOURCE, dated=DAY)


def test_the_officer_cannot_claim_plan_or_import_a_level_on_an_external_indicator(pemdi, rejang_lebong_officer):
    item = item_of(pemdi, "17.02", "I5")
    with pytest.raises(ValidationError, match="I5"):
        item_save(item=item, actor=rejang_lebong_officer, expected_version=item.version, level=3, justification="x", target_level=None)
    with pytest.raises(ValidationError, match="I5"):
        targets_save(assessment=item.assessment, actor=rejang_lebong_officer, targets={"I5": 4})
    with pytest.raises(ValidationError, match="I5"):
        assessment_levels_set(assessment=item.assessment, levels={"I5": {"level": 2}})
    item.refresh_from_db()
    assert (item.level, item.target_level, item.state) == (None, None, "not_started")


# --- Import ---------------------------------------------------------------------------------------


def csv_table(text):
    from assessments.external_scores import read_table

    return read_table(text.encode("utf-8"), "nilai.csv")


def test_an_import_writes_every_row_or_nothing(pemdi, provincial_reviewer, english):
    good = "kode,indikator,nilai,sumber,tanggal\n17.02,I5,\"2,99\",SDI 2025,2026-03-16\n17.08,I7,3.15,EPSS 2025,08/04/2026\n"
    changes = validate_rows(csv_table(good), period=pemdi)
    from assessments.services import external_scores_save

    assert external_scores_save(changes=changes, actor=provincial_reviewer) == 2
    assert item_of(pemdi, "17.02", "I5").external_value == Decimal("2.99")
    assert item_of(pemdi, "17.08", "I7").external_dated == date(2026, 4, 8)
    assert summary_of(pemdi, "17.08").self_index == Decimal("1.06")  # 1 + 3 × 2.15/100 = 1.0645

    bad = (
        "kode,indikator,nilai,sumber,tanggal\n"
        "17.07,I5,2.10,SDI 2025,2026-03-16\n"   # fine, but the file has bad rows: not written
        "17.07,I6,2,40,BIG 2025,2026-02-27\n"    # unquoted decimal comma
        "17.07,I7,5.20,EPSS 2025,2026-04-08\n"   # outside the scale
        "17.07,I99,2.00,X,2026-04-08\n"          # unknown indicator
        "17.07,I8,2.00,X,2026-04-08\n"           # not externally scored
        "99.99,I18,2.00,X,2026-04-08\n"          # unknown agency
    )
    with pytest.raises(ExternalScoresError) as refused:
        validate_rows(csv_table(bad), period=pemdi)
    problems = [(problem.row, problem.column) for problem in refused.value.problems]
    assert problems == [(3, "nilai"), (4, "nilai"), (5, "indikator"), (6, "indikator"), (7, "kode")]
    assert "decimal comma" in refused.value.problems[0].message
    assert item_of(pemdi, "17.07", "I5").external_value is None


def test_an_import_matches_names_accepts_semicolons_and_needs_a_reason_to_correct(pemdi, provincial_reviewer, bengkulu, english):
    from assessments.services import external_scores_save

    name = bengkulu["17.07"].name
    text = f"nama_instansi;indikator;nilai;sumber;tanggal\n{name};I18;1,60;SDI 2025;16/03/2026\n"
    external_scores_save(changes=validate_rows(csv_table(text), period=pemdi), actor=provincial_reviewer)
    assert item_of(pemdi, "17.07", "I18").external_value == Decimal("1.60")
    corrected = text.replace("1,60", "1,70")
    with pytest.raises(ExternalScoresError) as refused:
        validate_rows(csv_table(corrected), period=pemdi)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "nilai")] and "reason" in refused.value.problems[0].message
    external_scores_save(changes=validate_rows(csv_table(corrected), period=pemdi, reason="Bappenas revision"), actor=provincial_reviewer)
    event = item_of(pemdi, "17.07", "I18").events.order_by("-pk").first()
    assert event.note.startswith("1.60 → 1.70") and event.note.endswith("Bappenas revision")


def test_an_xlsx_import_reads_dates_and_numbers(pemdi, provincial_reviewer):
    import io

    from openpyxl import Workbook

    from assessments.external_scores import read_table

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kode", "Indikator", "Nilai", "Sumber", "Tanggal"])
    sheet.append(["17.02", "I6", 2.4, "BIG 2025", DAY])
    content = io.BytesIO()
    workbook.save(content)
    changes = validate_rows(read_table(content.getvalue(), "nilai.xlsx"), period=pemdi)
    assert [(c.item.indicator.code, c.value, c.dated) for c in changes] == [("I6", Decimal("2.4"), DAY)]


# --- Pages ----------------------------------------------------------------------------------------


def test_the_entry_page_is_for_province_staff_only(pemdi, client_of, provincial_reviewer, rejang_lebong_officer, kepahiang):
    from agencies.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    url = reverse("external_scores", args=[pemdi.pk])
    regency_reviewer = UserFactory(username="kph.reviewer")
    MembershipFactory(user=regency_reviewer, agency=kepahiang, role=Membership.Role.REVIEWER)
    assert client_of(regency_reviewer).get(url).status_code == 403
    assert client_of(rejang_lebong_officer).get(url).status_code == 403
    assert client_of(rejang_lebong_officer).post(url, {"action": "set"}).status_code == 403
    page = client_of(provincial_reviewer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-agency=") == 3 and "Badan Pusat Statistik" in html


def test_the_entry_form_saves_a_value_and_refuses_a_correction_without_reason(pemdi, client_of, provincial_reviewer):
    item = item_of(pemdi, "17.08", "I5")
    url = reverse("external_scores", args=[pemdi.pk])
    browser = client_of(provincial_reviewer)
    assert 'id="external-form"' in browser.get(f"{url}?item={item.pk}").content.decode()
    data = {"action": "set", "item": item.pk, "version": item.version, "value": "2,99", "reference": SOURCE, "dated": "2026-03-16"}
    assert browser.post(f"{url}?item={item.pk}", data).status_code == 302
    item.refresh_from_db()
    assert item.external_value == Decimal("2.99") and item.external_entered_by == provincial_reviewer
    refused = browser.post(f"{url}?item={item.pk}", {**data, "version": item.version, "value": "3,10"})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.external_value == Decimal("2.99")
    html = browser.get(url).content.decode()
    assert "2,99" in html


def test_the_entry_page_refuses_edits_on_a_closed_period(pemdi, client_of, provincial_reviewer, administrator):
    item = item_of(pemdi, "17.08", "I5")
    for state in ("review", "closed"):
        period_transition(period=pemdi, to_state=state, actor=administrator, note="test")
    url = reverse("external_scores", args=[pemdi.pk])
    data = {"action": "set", "item": item.pk, "version": item.version, "value": "2,99", "reference": SOURCE, "dated": "2026-03-16"}
    assert client_of(provincial_reviewer).post(url, data).status_code == 400
    assert item_of(pemdi, "17.08", "I5").external_value is None


def test_the_entry_page_import_shows_errors_by_row_and_column(pemdi, client_of, provincial_reviewer):
    url = reverse("external_scores", args=[pemdi.pk])
    upload = SimpleUploadedFile("nilai.csv", b"kode,indikator,nilai,sumber,tanggal\n17.02,I5,2,99,SDI,2026-03-16\n", content_type="text/csv")
    page = client_of(provincial_reviewer).post(url, {"action": "import", "file": upload})
    assert page.status_code == 400
    assert "baris 2, kolom nilai: nilai memakai koma desimal" in page.content.decode()
    assert item_of(pemdi, "17.02", "I5").external_value is None


def test_a_file_that_cannot_be_read_gets_a_message_not_an_error_page(pemdi, client_of, provincial_reviewer):
    # Latin-1 bytes ("Bengkulu Selatan – Indeks" with a Windows-1252 dash) are not UTF-8: the reader
    # names the encoding. This answered 500 before (the reader's error was not caught).
    url = reverse("external_scores", args=[pemdi.pk])
    upload = SimpleUploadedFile("nilai.csv", "kode,indikator,nilai,sumber,tanggal\n17.02,I5,\"2,99\",Sumber – é,2026-03-16\n".encode("cp1252"),
                                content_type="text/csv")
    page = client_of(provincial_reviewer).post(url, {"action": "import", "file": upload})
    assert page.status_code == 400
    assert "UTF-8" in page.content.decode()
    assert item_of(pemdi, "17.02", "I5").external_value is None


def test_the_entry_page_does_not_grow_with_agencies(pemdi, client_of, provincial_reviewer, bengkulu):
    url = reverse("external_scores", args=[pemdi.pk])
    browser = client_of(provincial_reviewer)
    browser.get(url)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(url).status_code == 200
    for code, agency in bengkulu.items():
        if agency.kind in ("regency", "city"):
            assessment_get_or_create(period=pemdi, agency=agency)
    with CaptureQueriesContext(connection) as many:
        html = browser.get(url).content.decode()
    assert html.count("data-agency=") > 3
    assert len(many) == len(few)


def test_the_officer_sees_the_value_not_a_level_choice_and_no_todo(pemdi, client_of, provincial_reviewer, rejang_lebong_officer):
    item = item_of(pemdi, "17.02", "I5")
    external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.99"), reference=SOURCE, dated=DAY)
    officer = client_of(rejang_lebong_officer)
    html = officer.get(reverse("item_detail", args=[pemdi.pk, "17.02", "I5"]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "2,99" in html and SOURCE in html and "16 Maret 2026" in html and 'name="level"' not in html
    other = officer.get(reverse("item_detail", args=[pemdi.pk, "17.02", "I6"]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "belum ada nilai dari Badan Informasi Geospasial" in other
    assert selectors.officer_todo(user=rejang_lebong_officer)["not_started"] == 16
    posted = officer.post(reverse("item_detail", args=[pemdi.pk, "17.02", "I5"]), {
        "action": "save", "version": item.version + 1, "level": "4", "justification": "x"}, HTTP_ACCEPT_LANGUAGE="id")
    assert posted.status_code == 400 and "dinilai oleh Bappenas" in posted.content.decode()
    assert item_of(pemdi, "17.02", "I5").level is None
    exported = {(row["agency_code"], row["indicator_code"]): row for row in selectors.level_rows(period=pemdi, user=rejang_lebong_officer)}
    assert exported[("17.02", "I5")]["external_value"] == Decimal("2.99") and exported[("17.02", "I5")]["level"] is None
    overview = officer.get(reverse("assessment_detail", args=[pemdi.pk, "17.02"]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "2,99" in overview and "Bergantung pada Bappenas (evaluasi Satu Data Indonesia)" in overview
    # The state filter counts and lists the officer's 16 items only.
    filtered = officer.get(reverse("assessment_detail", args=[pemdi.pk, "17.02"]) + "?state=not_started").content.decode()
    table = filtered[filtered.index('id="indicator-table"'):]
    assert table.count("data-indicator=") == 16 and 'data-indicator="I5"' not in table
    assert 'value="not_started" selected>Belum diisi (16)' in filtered


def test_the_whatif_and_the_dashboard_plan_keep_external_indicators_apart(pemdi, client_of, provincial_reviewer, rejang_lebong_officer):
    item = item_of(pemdi, "17.02", "I5")
    external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.99"), reference=SOURCE, dated=DAY)
    officer = client_of(rejang_lebong_officer)
    url = reverse("whatif", args=[pemdi.pk, "17.02"])
    html = officer.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'name="level-I5"' not in html and 'name="level-I8"' in html
    assert "Bergantung pada Badan Pusat Statistik" in html and "2,99" in html
    # The simulated index keeps I5 at 2.99: everything else at 1 → 1.10; I20 (15) to 2 adds 0.15 → 1.25.
    result = officer.post(url, {"level-I20": "2"}, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'id="whatif-index">1,25<' in result
    dashboard = officer.get(reverse("regency_dashboard", args=[pemdi.pk, "17.02"]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    plan = dashboard[dashboard.index('id="plan-heading"'):dashboard.index('id="todo-heading"')]
    assert "Bergantung pada Bappenas" in plan and "I5. Tata Kelola Data: 1 →" not in plan


def test_the_regency_pdf_plan_lists_external_indicators_apart(pemdi, provincial_reviewer, bengkulu):
    from django.template.loader import render_to_string
    from django.utils import translation

    from reports.report_data import regency_report

    item = item_of(pemdi, "17.02", "I5")
    external_score_set(item=item, actor=provincial_reviewer, value=Decimal("2.99"), reference=SOURCE, dated=DAY)
    report = regency_report(period=pemdi, agency=bengkulu["17.02"])
    assert [item.indicator.code for item in report.external] == ["I5", "I6", "I7", "I18"]
    assert all(step.indicator.code not in {"I5", "I6", "I7", "I18"} for step in report.plan.steps)
    with translation.override("id"):
        html = render_to_string("reports/regency_pdf.html", {"report": report})
    assert "Bergantung pada Bappenas (evaluasi Satu Data Indonesia)" in html and "2,99" in html

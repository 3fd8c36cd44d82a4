"""Setting up a year in the portal: a new period with its stage dates (one transaction), enrolment of
the regencies (every item, idempotent, refused on a closed period), opening only with agencies
enrolled, and closing that turns the final stage into published results (a correction, with its
event, where a result already exists)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from assessments.models import (
    Assessment,
    AssessmentPeriod,
    AssessmentSummary,
    IndicatorAssessment,
    PeriodEvent,
    PeriodStage,
    PublishedResult,
    PublishedResultEvent,
    StageResult,
)
from assessments.services import period_create, period_enrol, period_stages_set, period_transition

pytestmark = pytest.mark.django_db

State = AssessmentPeriod.State

STAGES_2028 = {
    "document": (date(2028, 7, 1), date(2028, 8, 15)),
    "interview": (date(2028, 8, 18), date(2028, 8, 29)),
    "visit": None,
    "final": (date(2028, 11, 1), date(2028, 12, 20)),
}

NEW_PERIOD_FORM = {
    "name": "Pemdi 2028", "year": "2028",
    "self_assessment_opens": "2028-02-01", "self_assessment_closes": "2028-04-30", "review_deadline": "2028-06-30",
    "document_starts": "2028-07-01", "document_ends": "2028-08-15",
    "interview_starts": "2028-08-18", "interview_ends": "2028-08-29",
    "visit_starts": "", "visit_ends": "",
    "final_starts": "2028-11-01", "final_ends": "2028-12-20",
}


@pytest.fixture
def period_2028(frameworks, bengkulu, administrator):
    period = period_create(
        name="Pemdi 2028", year=2028, framework_version=frameworks["PERMENPANRB-8-2026"],
        opens=date(2028, 2, 1), closes=date(2028, 4, 30), review_deadline=date(2028, 6, 30), actor=administrator,
    )
    period_stages_set(period=period, stages=STAGES_2028, actor=administrator)
    return period


def regional_governments():
    return list(Agency.objects.regional_governments().filter(is_active=True))


# --- Set-up page -------------------------------------------------------------------------------


def test_an_administrator_sets_up_a_period_with_its_stages_in_the_portal(client_of, administrator, frameworks, bengkulu):
    client = client_of(administrator)
    assert client.get(reverse("period_list")).content.decode().count(reverse("period_new")) == 1
    response = client.post(reverse("period_new"), {**NEW_PERIOD_FORM, "framework_version": frameworks["PERMENPANRB-8-2026"].pk})
    period = AssessmentPeriod.objects.get(year=2028)
    assert response.status_code == 302 and response["Location"] == reverse("period_enrolment", args=[period.pk])
    assert (period.name, period.state, period.framework_version) == ("Pemdi 2028", State.PLANNED, frameworks["PERMENPANRB-8-2026"])
    assert list(period.stages.values_list("kind", "starts_on", "ends_on")) == [
        ("document", date(2028, 7, 1), date(2028, 8, 15)), ("interview", date(2028, 8, 18), date(2028, 8, 29)),
        ("final", date(2028, 11, 1), date(2028, 12, 20))]
    assert [event.actor for event in period.events.all()] == [administrator, administrator]  # created, stage dates


def test_a_stage_before_the_previous_one_is_refused_next_to_the_field_and_nothing_is_created(client_of, administrator, frameworks, bengkulu):
    response = client_of(administrator).post(reverse("period_new"), {
        **NEW_PERIOD_FORM, "framework_version": frameworks["PERMENPANRB-8-2026"].pk, "interview_starts": "2028-06-20"})
    assert response.status_code == 400
    form = response.context["form"]
    # Indonesian (the portal's language), the service's own sentence, on the interview's field.
    assert form.errors["interview_starts"] == [
        "Interviu tidak boleh dimulai (20 Juni 2028) sebelum Penilaian dokumen dimulai (1 Juli 2028)."]
    assert not AssessmentPeriod.objects.filter(year=2028).exists()
    assert not PeriodStage.objects.exists()


def test_stage_dates_are_changed_later_but_not_on_a_closed_period(client_of, administrator, period_2028, spbe_2021):
    client = client_of(administrator)
    url = reverse("period_stages_edit", args=[period_2028.pk])
    assert client.get(url).status_code == 200
    changed = {key: value for key, value in NEW_PERIOD_FORM.items() if key.split("_")[0] in ("document", "interview", "visit", "final")}
    response = client.post(url, {**changed, "visit_starts": "2028-09-01", "visit_ends": "2028-09-30"})
    assert response.status_code == 302
    assert period_2028.stages.get(kind="visit").ends_on == date(2028, 9, 30)
    response = client.post(url, {**changed, "final_ends": "2028-08-01"})  # ends before the interview ends
    assert response.status_code == 400 and "final_starts" in response.context["form"].errors
    assert period_2028.stages.get(kind="final").ends_on == date(2028, 12, 20)
    closed = reverse("period_stages_edit", args=[spbe_2021.pk])
    refused = client.post(closed, changed)
    assert refused.status_code == 400 and refused.context["form"].non_field_errors()  # the service's message
    assert not spbe_2021.stages.exists()


def test_only_administrators_reach_the_set_up_pages(client_of, provincial_reviewer, period_2028):
    client = client_of(provincial_reviewer)
    for url in (reverse("period_new"), reverse("period_stages_edit", args=[period_2028.pk]),
                reverse("period_enrolment", args=[period_2028.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("period_enrolment", args=[period_2028.pk]), {"agencies": [Agency.objects.get(code="17.08").pk]}).status_code == 403
    assert not period_2028.assessments.exists()


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolment_creates_every_item_and_a_summary_and_is_idempotent(period_2028, administrator, kepahiang, english):
    agencies = regional_governments()
    assert len(agencies) == 10  # the nine regencies and the city of Bengkulu
    enrolment = period_enrol(period=period_2028, agencies=agencies, actor=administrator)
    assert (len(enrolment.enrolled), len(enrolment.already_enrolled)) == (10, 0)
    assessment = Assessment.objects.get(period=period_2028, agency=kepahiang)
    assert assessment.items.count() == 20  # the 20 indicators of PermenPANRB 8/2026
    assert set(assessment.items.values_list("state", flat=True)) == {IndicatorAssessment.State.NOT_STARTED}
    summary = AssessmentSummary.objects.get(assessment=assessment)
    assert (summary.indicator_count, summary.unassessed, summary.self_index) == (20, 20, Decimal("1.00"))
    from django.forms.models import model_to_dict

    from assessments.services import assessment_summary_refresh

    assessment_summary_refresh(assessment=assessment)  # the one-by-one path gives the same summary
    assert model_to_dict(AssessmentSummary.objects.get(assessment=assessment)) == model_to_dict(summary)
    event = period_2028.events.first()
    assert event.actor == administrator and event.note.startswith("Enrolled 10 agencies: ") and "Kepahiang" in event.note

    events_before = period_2028.events.count()
    again = period_enrol(period=period_2028, agencies=[kepahiang], actor=administrator)
    assert (again.enrolled, again.already_enrolled) == ([], [kepahiang])
    assert IndicatorAssessment.objects.filter(assessment__period=period_2028).count() == 10 * 20
    assert period_2028.events.count() == events_before


def test_enrolling_into_a_closed_period_is_refused_and_nothing_changes(spbe_2021, administrator, bengkulu, english):
    before = Assessment.objects.filter(period=spbe_2021).count()
    with pytest.raises(ValidationError) as refused:
        period_enrol(period=spbe_2021, agencies=[bengkulu["17.01"]], actor=administrator)
    assert refused.value.messages == [
        "The period Penilaian Mandiri SPBE 2021 is closed: no agency can be enrolled in it. Reopen it first (with a reason)."]
    assert Assessment.objects.filter(period=spbe_2021).count() == before


def test_enrolment_needs_an_administrator(period_2028, provincial_reviewer, kepahiang):
    with pytest.raises(PermissionDenied):
        period_enrol(period=period_2028, agencies=[kepahiang], actor=provincial_reviewer)
    assert not period_2028.assessments.exists()


def test_enrolment_page_checks_every_active_regency_and_enrols_a_subset_then_one_more(client_of, administrator, period_2028, bengkulu):
    client = client_of(administrator)
    url = reverse("period_enrolment", args=[period_2028.pk])
    page = client.get(url).content.decode()
    assert page.count('name="agencies"') == 10 and page.count(" checked") == 10
    client.post(url, {"agencies": [bengkulu["17.02"].pk, bengkulu["17.08"].pk]})
    assert sorted(period_2028.assessments.values_list("agency__code", flat=True)) == ["17.02", "17.08"]
    response = client.post(url, {"agencies": [bengkulu["17.07"].pk, bengkulu["17.08"].pk]}, follow=True)
    assert "1 instansi didaftarkan, 1 sudah terdaftar." in response.content.decode()
    assert period_2028.assessments.count() == 3
    assert response.content.decode().count("Terdaftar</span>") == 3


def test_enrolment_page_refuses_a_closed_period_with_the_message(client_of, administrator, spbe_2021, bengkulu):
    response = client_of(administrator).post(reverse("period_enrolment", args=[spbe_2021.pk]), {"agencies": [bengkulu["17.01"].pk]})
    assert response.status_code == 400
    assert "ditutup" in response.content.decode()
    assert not Assessment.objects.filter(period=spbe_2021, agency=bengkulu["17.01"]).exists()


def test_the_enrolment_page_reads_a_bounded_number_of_queries(client_of, administrator, period_2028, bengkulu):
    from agencies.models import Agency as AgencyModel
    from agencies.services import agency_save

    client = client_of(administrator)
    url = reverse("period_enrolment", args=[period_2028.pk])
    period_enrol(period=period_2028, agencies=regional_governments()[:3], actor=administrator)
    client.get(url)
    with CaptureQueriesContext(connection) as at_ten:
        assert client.get(url).status_code == 200
    parent = bengkulu["17"]
    for number in range(40):
        agency_save(agency=AgencyModel(code=f"17.{20 + number}", name=f"Kabupaten Uji {number}", short_name=f"Uji {number}",
                                       kind=AgencyModel.Kind.REGENCY, parent=parent))
    period_enrol(period=period_2028, agencies=regional_governments()[:30], actor=administrator)
    with CaptureQueriesContext(connection) as at_many:
        assert client.get(url).status_code == 200
    assert len(at_many) == len(at_ten)
    assert client.get(url).content.decode().count('name="agencies"') == 50


# --- Opening -------------------------------------------------------------------------------------


def test_opening_a_period_with_no_agency_enrolled_is_refused(period_2028, administrator, kepahiang, english):
    with pytest.raises(ValidationError) as refused:
        period_transition(period=period_2028, to_state=State.OPEN, actor=administrator)
    assert refused.value.messages == ["No agency is enrolled in Pemdi 2028 yet: enrol the regencies first, then open the period."]
    period_2028.refresh_from_db()
    assert period_2028.state == State.PLANNED
    period_enrol(period=period_2028, agencies=[kepahiang], actor=administrator)
    period_transition(period=period_2028, to_state=State.OPEN, actor=administrator)
    assert AssessmentPeriod.objects.get(pk=period_2028.pk).state == State.OPEN


def test_the_period_page_says_why_it_cannot_open_yet(client_of, administrator, period_2028):
    response = client_of(administrator).post(reverse("period_transition", args=[period_2028.pk]),
                                              {"to_state": "open", "expected_state": "planned"}, follow=True)
    assert ("Belum ada instansi yang terdaftar pada Pemdi 2028: daftarkan kabupaten/kota terlebih dahulu, lalu buka periode."
            in response.content.decode())
    assert AssessmentPeriod.objects.get(pk=period_2028.pk).state == State.PLANNED


# --- Closing -------------------------------------------------------------------------------------

# Final levels of Rejang Lebong on PermenPANRB 8/2026 (declared weights, total 100): every indicator
# scored by level at 4 except I19 (weight 10) at 2; the externally scored ones by value.
# Σ weight × level = 76 × 4 + 10 × 2 + 5 × 3.50 (I5) + 3 × 2.00 (I6) + 3 × 2.00 (I7) + 3 × 1.00 (I18)
#                  = 304 + 20 + 17.5 + 6 + 6 + 3 = 356.5 → index 3.565 → 3.57 (half up).
EXTERNAL_FINALS = {"I5": Decimal("3.50"), "I6": Decimal("2.00"), "I7": Decimal("2.00"), "I18": Decimal("1.00")}


def _final(assessment, levels):
    for item in assessment.items.select_related("indicator"):
        score = levels.get(item.indicator.code)
        if score is None:
            continue
        if isinstance(score, Decimal):
            StageResult.objects.create(item=item, stage="final", value=score)
        else:
            StageResult.objects.create(item=item, stage="final", level=score)


@pytest.fixture
def closing_2028(period_2028, administrator, bengkulu):
    period_enrol(period=period_2028, agencies=[bengkulu[code] for code in ("17.02", "17.07", "17.08")], actor=administrator)
    assessments = {a.agency.code: a for a in period_2028.assessments.select_related("agency")}
    rejang_lebong = {f"I{n}": 4 for n in range(1, 21)} | {"I19": 2} | EXTERNAL_FINALS
    _final(assessments["17.02"], rejang_lebong)
    _final(assessments["17.08"], {"I1": 5})  # the rest unscored: at the scale's floor, 1 → (5×5 + 95×1)/100 = 1.20
    # Lebong (17.07) has no final result at all.
    StageResult.objects.create(item=assessments["17.07"].items.get(indicator__code="I1"), stage="document", level=3)
    period_transition(period=period_2028, to_state=State.OPEN, actor=administrator)
    period_transition(period=period_2028, to_state=State.REVIEW, actor=administrator)
    return period_2028


def test_closing_turns_the_final_stage_into_published_results(closing_2028, administrator, frameworks, english):
    from assessments.scoring import compute

    period_transition(period=closing_2028, to_state=State.CLOSED, actor=administrator)
    result = PublishedResult.objects.get(agency__code="17.02", year=2028)
    assert result.index == Decimal("3.57")
    framework = frameworks["PERMENPANRB-8-2026"].scoring
    assert result.index == compute(framework, {code: (Decimal(v) if isinstance(v, str) else v) for code, v in result.levels.items()}).index
    assert (result.framework_version, result.source, result.imported_by) == (frameworks["PERMENPANRB-8-2026"], "Final result Pemdi 2028", administrator)
    assert result.levels["I19"] == 2 and result.levels["I5"] == "3.50" and len(result.levels) == 20
    assert PublishedResult.objects.get(agency__code="17.08", year=2028).index == Decimal("1.20")
    assert not PublishedResult.objects.filter(agency__code="17.07", year=2028).exists()
    event = closing_2028.events.first()
    assert event.to_state == State.CLOSED
    assert "No final result, so no published result: Lebong." in event.note
    assert "Published results created from the final stage: Rejang Lebong, Kepahiang." in event.note


def test_closing_corrects_an_existing_result_with_an_event(closing_2028, administrator, frameworks, kepahiang, english):
    existing = PublishedResult.objects.create(agency=kepahiang, year=2028, framework_version=frameworks["PERMENPANRB-8-2026"],
                                              index=Decimal("2.00"), source="KepmenPANRB 1/2029")
    period_transition(period=closing_2028, to_state=State.CLOSED, actor=administrator, note="Hasil akhir diterima")
    existing.refresh_from_db()
    assert (existing.index, existing.levels, existing.source) == (Decimal("1.20"), {"I1": 5}, "Final result Pemdi 2028")
    event = PublishedResultEvent.objects.get(result=existing)
    assert (event.from_index, event.to_index, event.actor) == (Decimal("2.00"), Decimal("1.20"), administrator)
    assert event.reason == "Final result of the period Pemdi 2028, at its closing."
    note = closing_2028.events.first().note
    assert note.startswith("Hasil akhir diterima\n") and "Published results corrected from the final stage: Kepahiang." in note


def test_reopening_needs_an_administrator_and_a_reason_and_closing_again_changes_nothing(
        closing_2028, administrator, provincial_reviewer):
    period_transition(period=closing_2028, to_state=State.CLOSED, actor=administrator)
    with pytest.raises(PermissionDenied):
        period_transition(period=closing_2028, to_state=State.REVIEW, actor=provincial_reviewer, note="Koreksi")
    with pytest.raises(ValidationError):
        period_transition(period=closing_2028, to_state=State.REVIEW, actor=administrator, note=" ")
    assert AssessmentPeriod.objects.get(pk=closing_2028.pk).state == State.CLOSED
    period_transition(period=closing_2028, to_state=State.REVIEW, actor=administrator, note="Koreksi nilai akhir")
    period_transition(period=closing_2028, to_state=State.CLOSED, actor=administrator)
    assert PublishedResult.objects.filter(year=2028).count() == 2
    assert not PublishedResultEvent.objects.exists()  # same final levels: nothing to correct
    reopened = PeriodEvent.objects.filter(period=closing_2028, from_state=State.CLOSED).get()
    assert (reopened.actor, reopened.note) == (administrator, "Koreksi nilai akhir")


def test_the_admin_add_button_of_assessments_leads_to_the_portal(client_of, administrator):
    response = client_of(administrator).get(reverse("admin:assessments_assessment_add"))
    assert response.status_code == 302 and response["Location"] == reverse("period_list")

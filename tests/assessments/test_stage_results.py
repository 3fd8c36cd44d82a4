"""Results of the national stages (issue 13): the province imports or enters the assessors' level
(or value), note and recommendation per agency, indicator and stage, all or nothing; each indicator
gets a score ledger (self → province → document → …) with the gap at each step, and each stage an
index by the engine, on the pages, the exports, the API and the report."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import selectors
from assessments.exports import export
from assessments.models import Assessment, ItemEvent, StageResult
from assessments.scoring import compute
from assessments.services import StageResultChange, assessment_levels_set, period_transition, stage_results_save
from assessments.stage_result_files import StageResultsError, read_table, validate_rows
from tests.assessments.test_external_scores import item_of, pemdi  # noqa: F401  (the open 2026 period on 8/2026)

pytestmark = pytest.mark.django_db

HEADER = ["kode", "nama_instansi", "indikator", "tingkat", "nilai", "catatan", "rekomendasi"]
DOCUMENT_ROWS = [
    ["17.02", "", "I1", "3", "", "SOP belum ditetapkan kepala daerah.", "Tetapkan SOP dengan Peraturan Bupati."],
    ["17.02", "", "I2", "3", "", "Sesuai klaim.", ""],
    ["17.02", "", "I5", "", "2,50", "Nilai dari Bappenas.", ""],
    ["17.08", "", "I1", "2", "", "Bukti tingkat 3 tidak bertanggal.", "Lengkapi tanggal penetapan."],
    ["", "Kabupaten Lebong", "I1", "1", "", "Tidak ada bukti dukung.", ""],
]


def table_of(rows, header=HEADER):
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def import_document(period, actor, rows=DOCUMENT_ROWS, stage="document"):
    changes = validate_rows(read_table(table_of(rows), "dokumen.csv"), period=period)
    return stage_results_save(period=period, stage=stage, changes=changes, actor=actor)


@pytest.fixture
def claimed(pemdi):  # noqa: F811
    """Rejang Lebong claims I1 4 and I2 3, both verified as claimed."""
    assessment = Assessment.objects.get(period=pemdi, agency__code="17.02")
    assessment_levels_set(assessment=assessment, levels={"I1": {"level": 4, "verified_level": 4}, "I2": {"level": 3, "verified_level": 3}})
    return pemdi


def ledger_of(period, code):
    assessment = Assessment.objects.select_related("agency", "period__framework_version").get(period=period, agency__code=code)
    return selectors.assessment_ledger(assessment=assessment)


def test_a_document_file_for_three_regencies_gives_the_ledger_and_the_stage_index(claimed, provincial_reviewer):
    assert import_document(claimed, provincial_reviewer) == 5
    assert StageResult.objects.filter(stage="document").count() == 5
    i5 = StageResult.objects.get(item__assessment__agency__code="17.02", item__indicator__code="I5")
    assert (i5.level, i5.value) == (None, Decimal("2.50"))
    ledger = ledger_of(claimed, "17.02")
    assert [stage.stage for stage in ledger.stages] == ["self", "province", "document"]
    i1 = ledger.row_by_code["I1"]
    assert [(step.stage, step.score, step.gap) for step in i1.steps] == [("self", 4, None), ("province", 4, 0), ("document", 3, -1)]
    assert i1.steps[2].note == "SOP belum ditetapkan kepala daerah." and i1.steps[2].recommendation.startswith("Tetapkan")
    assert i1.steps[2].result_id == StageResult.objects.get(item__assessment__agency__code="17.02", item__indicator__code="I1").pk
    assert [step.score for step in ledger.row_by_code["I5"].steps] == [None, None, Decimal("2.50")]
    # Document index by hand (8/2026 weights out of 100): I1 5×3 + I2 5×3 + I5 5×2.50 + the other 85 at 1
    # = 15 + 15 + 12.5 + 85 = 127.5 → 1.275 → 1.28; self and verified: 5×4 + 5×3 + 90 = 125 → 1.25.
    self_stage, province, document = ledger.stages
    assert (self_stage.index, province.index, document.index) == (Decimal("1.25"), Decimal("1.25"), Decimal("1.28"))
    framework = claimed.framework_version.scoring
    assert document.index == compute(framework, {"I1": 3, "I2": 3, "I5": Decimal("2.50")}).index
    assert (document.scores.assessed_count, document.scores.indicator_count) == (3, 20)
    assert document.change == Decimal("0.03")
    assert [(row.indicator.code, step.gap) for row, step in document.losses] == [("I1", -1)]
    # Lebong, named by its name: level 1 on I1.
    assert ledger_of(claimed, "17.07").row_by_code["I1"].steps[2].score == 1
    event = ItemEvent.objects.get(action=ItemEvent.Action.STAGE_RESULT_SET, item__assessment__agency__code="17.02",
                                  item__indicator__code="I1")
    assert event.actor == provincial_reviewer and event.note.endswith("— → 3")


def test_a_correction_needs_a_reason_and_is_recorded_from_to(claimed, provincial_reviewer):
    import_document(claimed, provincial_reviewer)
    rows = [["17.02", "", "I1", "2", "", "Diperiksa ulang.", ""]]
    with pytest.raises(ValidationError):
        import_document(claimed, provincial_reviewer, rows=rows)
    changes = validate_rows(read_table(table_of(rows), "koreksi.csv"), period=claimed)
    assert stage_results_save(period=claimed, stage="document", changes=changes, actor=provincial_reviewer, reason="Salah ketik") == 1
    event = ItemEvent.objects.filter(action=ItemEvent.Action.STAGE_RESULT_SET, item__indicator__code="I1",
                                     item__assessment__agency__code="17.02").order_by("-pk").first()
    assert "3 → 2" in event.note and "Salah ketik" in event.note
    # Emptied by hand, the result goes, and that too is recorded.
    item = item_of(claimed, "17.02", "I1")
    assert stage_results_save(period=claimed, stage="document", changes=[StageResultChange(item)], actor=provincial_reviewer,
                              reason="Bukan hasil tahap ini") == 1
    assert not StageResult.objects.filter(item=item, stage="document").exists()
    last = ItemEvent.objects.filter(item=item, action=ItemEvent.Action.STAGE_RESULT_SET).order_by("-pk").first()
    assert "2 → —" in last.note and "Bukan hasil tahap ini" in last.note


@pytest.mark.parametrize("row, column, message", [
    (["17.02", "", "I99", "3", "", "", ""], "indikator", "bukan kode indikator"),
    (["17.02", "", "I1", "7", "", "", ""], "tingkat", "tingkat 7 di luar skala 1–5"),
    (["17.02", "", "I5", "3", "", "", ""], "tingkat", "isi nilainya (nilai)"),
    (["17.02", "", "I1", "", "3,5", "", ""], "nilai", "isi tingkatnya (tingkat)"),
    (["17.01", "", "I1", "3", "", "", ""], "kode", "tidak terdaftar pada"),
    (["17.02", "", "I2", "2", "", "", ""], "indikator", "muncul dua kali"),
])
def test_bad_rows_are_refused_in_indonesian_by_row_and_column_and_nothing_changes(claimed, provincial_reviewer, row, column, message):
    rows = [["17.02", "", "I2", "3", "", "", ""], row]
    with translation.override("id"), pytest.raises(StageResultsError) as error:
        validate_rows(read_table(table_of(rows), "dokumen.csv"), period=claimed)
    with translation.override("id"):
        text = "\n".join(error.value.lines())
    assert f"baris 3, kolom {column}" in text and message in text, text
    assert not StageResult.objects.exists()


def test_the_service_refuses_regency_users_a_closed_period_and_a_level_outside_the_scale(
    claimed, provincial_reviewer, rejang_lebong_officer, administrator
):
    item = item_of(claimed, "17.02", "I1")
    with pytest.raises(PermissionDenied):
        stage_results_save(period=claimed, stage="document", changes=[StageResultChange(item, 3)], actor=rejang_lebong_officer)
    with pytest.raises(ValidationError):
        stage_results_save(period=claimed, stage="document", changes=[StageResultChange(item, 9)], actor=provincial_reviewer)
    with pytest.raises(ValidationError):
        stage_results_save(period=claimed, stage="self", changes=[StageResultChange(item, 3)], actor=provincial_reviewer)
    assert not StageResult.objects.exists()
    period_transition(period=claimed, to_state="review", actor=administrator)
    period_transition(period=claimed, to_state="closed", actor=administrator)
    with pytest.raises(ValidationError):
        stage_results_save(period=claimed, stage="document", changes=[StageResultChange(item, 3)], actor=provincial_reviewer)
    assert not StageResult.objects.exists()


def test_the_stage_results_page_imports_and_enters_for_province_staff_only(
    claimed, provincial_reviewer, rejang_lebong_officer, client_of
):
    url = reverse("stage_results", args=[claimed.pk])
    assert client_of(rejang_lebong_officer).get(url).status_code == 403
    browser = client_of(provincial_reviewer)
    assert browser.get(url + "?stage=document").status_code == 200
    bad = [["17.02", "", "I99", "3", "", "", ""], ["17.02", "", "I1", "6", "", "", ""]]
    response = browser.post(url + "?stage=document", {"action": "import", "stage": "document",
                                                      "file": SimpleUploadedFile("dokumen.csv", table_of(bad))})
    assert response.status_code == 400
    text = response.content.decode()
    assert "baris 2, kolom indikator" in text and "baris 3, kolom tingkat" in text and "tingkat 6 di luar skala 1–5" in text
    assert not StageResult.objects.exists()
    response = browser.post(url + "?stage=document", {"action": "import", "stage": "document",
                                                      "file": SimpleUploadedFile("dokumen.csv", table_of(DOCUMENT_ROWS))})
    assert response.status_code == 302 and StageResult.objects.count() == 5
    # By hand, the interview of Kepahiang: I1 level 3 with a note.
    item = item_of(claimed, "17.08", "I1")
    entry = url + "?stage=interview&agency=17.08"
    page = browser.get(entry)
    assert page.status_code == 200 and f'name="score-{item.pk}"' in page.content.decode()
    stamp = page.context["entry_form"]["stamp"].value()
    response = browser.post(entry, {"action": "enter", "stage": "interview", "stamp": stamp, f"score-{item.pk}": "3",
                                    f"note-{item.pk}": "Dijelaskan saat interviu."})
    assert response.status_code == 302
    result = StageResult.objects.get(item=item, stage="interview")
    assert (result.level, result.note, result.entered_by) == (3, "Dijelaskan saat interviu.", provincial_reviewer)
    fresh = browser.get(entry).context["entry_form"]["stamp"].value()
    response = browser.post(entry, {"action": "enter", "stage": "interview", "stamp": fresh, f"score-{item.pk}": "8"})
    assert response.status_code == 400 and StageResult.objects.get(item=item, stage="interview").level == 3
    # A form opened before that save is refused, not written over it.
    response = browser.post(entry, {"action": "enter", "stage": "interview", "stamp": stamp, f"score-{item.pk}": "2",
                                    "reason": "koreksi"})
    assert response.status_code == 409 and StageResult.objects.get(item=item, stage="interview").level == 3


def test_the_pages_export_and_api_show_the_ledger_with_signed_gaps(claimed, provincial_reviewer, rejang_lebong_officer, client_of, client):
    from agencies.services import api_token_create

    import_document(claimed, provincial_reviewer)
    officer = client_of(rejang_lebong_officer)
    page = officer.get(reverse("assessment_detail", args=[claimed.pk, "17.02"])).content.decode()
    assert 'id="ledger-table"' in page and "1,28" in page and "+0,03" in page
    row = page[page.index('<tr data-indicator="I1">', page.index('id="ledger-table"')):]
    row = row[:row.index("</tr>")]
    assert '<span class="small d-block ledger-gap">-1</span>' in row and "Tetapkan SOP dengan Peraturan Bupati." in row
    assert 'data-stage-result="' in row
    item_page = officer.get(reverse("item_detail", args=[claimed.pk, "17.02", "I1"])).content.decode()
    assert 'id="item-ledger"' in item_page and "SOP belum ditetapkan kepala daerah." in item_page
    dashboard = officer.get(reverse("regency_dashboard", args=[claimed.pk, "17.02"])).content.decode()
    assert 'id="regency-stages"' in dashboard and "1,28" in dashboard and 'data-indicator="I1"' in dashboard
    # A regency sees only its own.
    assert officer.get(reverse("assessment_detail", args=[claimed.pk, "17.08"])).status_code == 404
    with translation.override("id"):
        indices = export(kind="indices", file_format="csv", period=claimed, user=provincial_reviewer).decode("utf-8-sig")
        levels = export(kind="levels", file_format="csv", period=claimed, user=provincial_reviewer).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(indices)))
    by_code = {row["Kode instansi"]: row for row in rows}
    assert by_code["17.02"]["Indeks Penilaian dokumen"] == "1.28" and by_code["17.02"]["Indikator yang dinilai Penilaian dokumen"] == "3"
    level_rows = {(row["Kode instansi"], row["Kode indikator"]): row for row in csv.DictReader(io.StringIO(levels))}
    assert level_rows[("17.02", "I1")]["Tingkat atau nilai Penilaian dokumen"] == "3"
    assert level_rows[("17.02", "I1")]["Selisih Penilaian dokumen"] == "-1"
    assert level_rows[("17.02", "I1")]["Rekomendasi Penilaian dokumen"] == "Tetapkan SOP dengan Peraturan Bupati."
    _token, key = api_token_create(user=provincial_reviewer, name="test")
    body = client.get(reverse("api_agency_indices", args=[claimed.pk, "17.02"]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert body["stages"][2] == {"stage": "document", "label": body["stages"][2]["label"], "index": 1.28, "predicate": body["stages"][2]["predicate"],
                                 "assessed": 3, "indicators": 20}
    i1 = next(row for row in body["ledger"] if row["indicator"] == "I1")
    assert [(step["stage"], step["score"], step["gap"]) for step in i1["steps"]] == [("self", 4, None), ("province", 4, 0), ("document", 3, -1)]


def test_the_report_has_the_ledger_and_the_stage_indices(claimed, provincial_reviewer, rejang_lebong):
    from reports.rendering import tables
    from reports.report_data import regency_report

    import_document(claimed, provincial_reviewer)
    with translation.override("id"):
        sheets = {title: rows for title, _columns, rows in tables(regency_report(period=claimed, agency=rejang_lebong))}
    stages = sheets["Indeks per tahap"]
    assert [(row["index"], row["change"]) for row in stages] == [(Decimal("1.25"), None), (Decimal("1.25"), Decimal("0.00")),
                                                                (Decimal("1.28"), Decimal("0.03"))]
    assert stages[2]["lost"] == "I1 (-1)"
    i1 = next(row for row in sheets["Buku nilai"] if row["code"] == "I1")
    assert (i1["document:score"], i1["document:gap"]) == (3, -1)


def _queries(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_queries_of_the_pages_do_not_grow_with_stages_or_indicators(claimed, provincial_reviewer, client_of):
    browser = client_of(provincial_reviewer)
    pages = [reverse("assessment_detail", args=[claimed.pk, "17.02"]), reverse("regency_dashboard", args=[claimed.pk, "17.02"]),
             reverse("item_detail", args=[claimed.pk, "17.02", "I1"])]
    import_document(claimed, provincial_reviewer, rows=DOCUMENT_ROWS[:1])
    before = [_queries(browser, url) for url in pages]
    every = [["17.02", "", f"I{n}", "2", "", "Catatan.", "Rekomendasi."] for n in range(1, 21) if n not in (5, 6, 7, 18)]
    for stage in ("interview", "visit", "final"):
        import_document(claimed, provincial_reviewer, rows=every, stage=stage)
    stage_results_save(period=claimed, stage="document", actor=provincial_reviewer, reason="lengkap", changes=validate_rows(
        read_table(table_of(every), "dokumen.csv"), period=claimed))
    assert StageResult.objects.filter(item__assessment__agency__code="17.02").count() == 16 * 4
    assert [_queries(browser, url) for url in pages] == before

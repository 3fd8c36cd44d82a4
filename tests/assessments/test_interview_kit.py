"""The interview preparation kit (bahan persiapan interviu) of the demo regency: PDF and DOCX hold
every indicator with its level and its evidence names, the province's return notes and the national
assessors' notes; only the regency and the province's staff get it; its queries do not grow with the
indicators; and the item page offers the justification as text to copy."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.demo import demo_accounts_load
from agencies.models import User
from assessments.demo import RETURN_NOTES, demo_assessments_load
from assessments.models import Assessment, AssessmentPeriod, IndicatorAssessment, StageResult
from tests.pdf_pages import page_texts

pytestmark = pytest.mark.django_db

# The 8/2026 maturity scale (assessments/frameworks/permenpanrb-8-2026.yaml).
LEVEL_NAMES = {1: "Rintisan", 2: "Terkelola", 3: "Terstandarisasi", 4: "Terpadu dan Terukur", 5: "Optimum"}
ASSESSORS_NOTE = "Asesor: kebijakan arsitektur belum ditinjau ulang sejak 2024."
ASSESSORS_RECOMMENDATION = "Lakukan reviu arsitektur tahunan dan unggah laporannya."


@pytest.fixture
def demo(bengkulu):
    demo_accounts_load()
    demo_assessments_load()
    return AssessmentPeriod.objects.get(year=2026)


@pytest.fixture
def lebong_2026(demo):
    """Rejang Lebong's 2026 assessment, with a document-stage result of the national assessors on I1."""
    assessment = Assessment.objects.get(period=demo, agency__code="17.02")
    # The demo has document-stage results already: this one's words are the test's own.
    StageResult.objects.update_or_create(item=assessment.items.get(indicator__code="I1"), stage="document", defaults={
        "level": 3, "note": ASSESSORS_NOTE, "recommendation": ASSESSORS_RECOMMENDATION})
    StageResult.objects.filter(item__assessment=assessment, item__indicator__code="I2").delete()  # not judged yet
    return assessment


def user(name):
    return User.objects.get(username=name)


def kit_url(period, code, file_format):
    return reverse(f"interview_kit_{file_format}", args=[period.pk, code])


def docx_text(content):
    from docx import Document

    from docx.table import Table

    parts = []
    for block in Document(io.BytesIO(content)).iter_inner_content():  # paragraphs and tables in document order
        if isinstance(block, Table):
            parts += [cell.text for row in block.rows for cell in row.cells]
        else:
            parts.append(block.text)
    return " ".join(" ".join(parts).split())


def pdf_text(content):
    return " ".join(page_texts(content))


def sections(text, items):
    """The text of each indicator, from its heading "I1. name" to the next one."""
    starts = []
    for item in items:
        heading = f"{item.indicator.code}. {item.indicator.name}"
        position = text.find(heading, starts[-1][1] if starts else 0)
        assert position >= 0, heading
        starts.append((item, position))
    ends = [position for _item, position in starts[1:]] + [len(text)]
    return {item.indicator.code: text[position:end] for (item, position), end in zip(starts, ends)}


def check_kit(text, assessment):
    items = list(IndicatorAssessment.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position"))
    assert len(items) == 20
    parts = sections(text, items)
    for item in items:
        part = parts[item.indicator.code]
        if item.indicator.externally_scored:
            continue
        if item.level is not None:
            assert f"Tingkat yang diajukan {item.level} ({LEVEL_NAMES[item.level]})" in part, item.indicator.code
        if item.verified_level is not None:
            assert f"Tingkat terverifikasi {item.verified_level} ({LEVEL_NAMES[item.verified_level]})" in part, item.indicator.code
        for evidence in item.evidence.all():
            assert evidence.original_name in part, (item.indicator.code, evidence.original_name)
    # Hand-checked from assessments/demo.py: I4 claimed 3, the province accepted levels 1–2;
    # I12 was returned with the first demo note; I9 (submitted) has evidence for levels 1–3;
    # I5 is scored externally at 2.99; I11 was never started by Rejang Lebong.
    assert "Tingkat yang diajukan 3 (Terstandarisasi)" in parts["I4"] and "Tingkat terverifikasi 2 (Terkelola)" in parts["I4"]
    assert RETURN_NOTES[0] in parts["I12"] and "Catatan reviu saat ini" in parts["I12"]
    assert "Standar Operasional Prosedur" in parts["I9"] and "Tidak ada catatan reviu." in parts["I9"]
    assert "2,99" in parts["I5"]
    assert "Tingkat yang diajukan —" in parts["I11"] and "Tidak ada bukti dukung." in parts["I11"]
    # The national assessors' document-stage result on I1; an indicator they have not judged says so.
    assert "Penilaian dokumen" in parts["I1"] and ASSESSORS_NOTE in parts["I1"] and ASSESSORS_RECOMMENDATION in parts["I1"]
    assert "Belum ada hasil tahap penilaian nasional." in parts["I2"] and "Belum ada hasil" not in parts["I3"]
    # The SHA-256 of the evidence is printed (the PDF breaks it into two halves of 32 characters).
    first = items[0].evidence.order_by("level").first()
    assert first.sha256[:32] in parts["I1"] and first.sha256[32:] in parts["I1"]


def test_the_demo_regencys_kit_downloads_as_pdf_with_every_indicator_level_and_evidence(lebong_2026, client_of):
    response = client_of(user("operator.rejanglebong")).get(kit_url(lebong_2026.period, "17.02", "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="bahan-interviu-17.02-pemdi-2026.pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;") and "no-store" in response["Cache-Control"]
    pages = page_texts(response.content)
    cover = pages[0]
    assert "Bahan persiapan interviu" in cover and "Pemerintah Kabupaten Rejang Lebong" in cover
    assert "PEMERINTAH PROVINSI BENGKULU" in cover and "Penilaian Mandiri Pemdi 2026" in cover
    assert re.search(r"Dibuat \d{1,2} [A-Z][a-z]+ \d{4} \d{2}\.\d{2} WIB", cover)
    assert "Indeks mandiri" in cover and "Indeks terverifikasi" in cover
    check_kit(pdf_text(response.content), lebong_2026)


def test_the_demo_regencys_kit_downloads_as_docx_with_the_same_content(lebong_2026, client_of):
    response = client_of(user("pimpinan.rejanglebong")).get(kit_url(lebong_2026.period, "17.02", "docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="bahan-interviu-17.02-pemdi-2026.docx"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = docx_text(response.content)
    assert "Bahan persiapan interviu" in text and "PEMERINTAH PROVINSI BENGKULU" in text
    check_kit(text, lebong_2026)


def test_another_regencys_officer_gets_404_and_the_province_reviewer_gets_the_kit(lebong_2026, client_of):
    period = lebong_2026.period
    for file_format in ("pdf", "docx"):
        assert client_of(user("operator.kepahiang")).get(kit_url(period, "17.02", file_format)).status_code == 404
        assert client_of(user("pimpinan.rejanglebong")).get(kit_url(period, "17.08", file_format)).status_code == 404
    assert client_of(user("reviewer.provinsi")).get(kit_url(period, "17.08", "docx")).status_code == 200
    assert client_of(user("operator.rejanglebong")).post(kit_url(period, "17.02", "docx")).status_code == 405


def test_the_kit_reads_as_many_queries_for_47_indicators_as_for_20(lebong_2026, client_of):
    """2026 (8/2026): 20 indicators; 2021 (59/2020): 47 indicators, each with evidence and events."""
    client = client_of(user("reviewer.provinsi"))
    counts = {}
    for year in (2026, 2021):
        period = AssessmentPeriod.objects.get(year=year)
        client.get(kit_url(period, "17.02", "docx"))  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(kit_url(period, "17.02", "docx")).status_code == 200
        counts[year] = len(queries)
    assert Assessment.objects.get(period__year=2021, agency__code="17.02").items.count() == 47
    assert counts[2021] == counts[2026], counts
    assert counts[2026] <= 15, counts


def test_a_link_is_listed_by_its_description_and_address_in_the_kit_and_the_copy_text(lebong_2026, client_of):
    from assessments.services import evidence_add

    officer = user("operator.rejanglebong")
    item = lebong_2026.items.select_related("indicator").get(indicator__code="I15")  # a draft claiming level 2
    evidence_add(item=item, actor=officer, expected_version=item.version, level=2,
                 url="https://rejanglebongkab.go.id/ppid/sop-layanan", description="SOP layanan di laman PPID")
    client = client_of(officer)
    text = docx_text(client.get(kit_url(lebong_2026.period, "17.02", "docx")).content)
    items = IndicatorAssessment.objects.filter(assessment=lebong_2026).select_related("indicator").order_by("indicator__position")
    part = sections(text, items)["I15"]
    assert "SOP layanan di laman PPID — https://rejanglebongkab.go.id/ppid/sop-layanan" in part
    page = client.get(reverse("item_detail", args=[lebong_2026.period.pk, "17.02", "I15"])).content.decode()
    assert "- Tingkat 2: SOP layanan di laman PPID — https://rejanglebongkab.go.id/ppid/sop-layanan" in page


def test_the_item_page_offers_the_justification_with_its_evidence_to_copy(lebong_2026, client_of):
    item = lebong_2026.items.select_related("indicator").get(indicator__code="I12")
    response = client_of(user("operator.rejanglebong")).get(reverse("item_detail", args=[lebong_2026.period.pk, "17.02", "I12"]))
    page = response.content.decode()
    block = re.search(r'<textarea[^>]*id="application-text"[^>]*readonly[^>]*>(.*?)</textarea>', page, re.S)
    assert block is not None
    text = block.group(1)
    assert text.startswith(f"Tingkat 3 (Terstandarisasi): {item.justification}")
    assert "Bukti dukung:" in text
    for evidence in item.evidence.all():
        assert f"- Tingkat {evidence.level}: {evidence.original_name}" in text
    assert 'data-copy-target="application-text"' in page and "js/copy-text" in page
    assert 'src="' in page.split("js/copy-text")[0].rsplit("<script", 1)[1]


def test_kit_links_are_on_the_assessment_page_and_the_regency_dashboard(lebong_2026, client_of):
    client = client_of(user("operator.rejanglebong"))
    period = lebong_2026.period
    page = client.get(reverse("assessment_detail", args=[period.pk, "17.02"])).content.decode()
    assert kit_url(period, "17.02", "pdf") in page and kit_url(period, "17.02", "docx") in page
    dashboard = client.get(reverse("regency_dashboard", args=[period.pk, "17.02"])).content.decode()
    assert kit_url(period, "17.02", "pdf") in dashboard

"""The report PDFs are office documents: the cover is page 1, under the issuing office's letterhead,
with a recorded document number, and end with the head of office's signature block."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from agencies.models import DocumentNumber, Letterhead
from reports import services
from reports.models import ReportRun
from tests.pdf_pages import ink_fraction, page_texts

pytestmark = pytest.mark.django_db


def made_report(kind, period, agency, capture):
    with capture(execute=True):
        run, _created = services.report_request(kind=kind, period=period, agency=agency)
    run.refresh_from_db()
    assert run.state == ReportRun.State.DONE, run.error
    with run.pdf.open("rb") as handle:
        return run, handle.read()


def png_logo():
    stream = io.BytesIO()
    Image.new("RGB", (60, 72), (200, 30, 30)).save(stream, "PNG")
    return stream.getvalue()


@pytest.mark.parametrize("kind, title", [("regency", "Laporan tingkat kematangan Indeks SPBE"), ("province", "Ringkasan Indeks SPBE provinsi")])
def test_page_one_of_a_report_is_its_cover_not_an_empty_page(kind, title, open_period, lebong, province, lebong_levels,
                                                             django_capture_on_commit_callbacks):
    agency = lebong if kind == "regency" else province
    _run, pdf = made_report(kind, open_period, agency, django_capture_on_commit_callbacks)
    first = page_texts(pdf)[0]
    assert title in first and agency.name in first
    assert ink_fraction(pdf, page=1) > 0.005  # something is printed on it, not a blank sheet


def test_a_report_carries_the_default_letterhead_and_its_recorded_number(open_period, lebong, lebong_levels,
                                                                         django_capture_on_commit_callbacks):
    run, pdf = made_report("regency", open_period, lebong, django_capture_on_commit_callbacks)
    year = timezone.localdate().year
    cover = page_texts(pdf)[0]
    assert "PEMERINTAH PROVINSI BENGKULU" in cover and "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK" in cover
    assert "Jl. Basuki Rahmat No. 6 Bengkulu" in cover
    assert run.document_number == f"000.5/1/Diskominfotik/{year}"
    assert f"Nomor: {run.document_number}" in cover
    assert DocumentNumber.objects.get(number=run.document_number).issuer.code == "17"


def test_every_report_run_gets_its_own_number_and_a_retry_keeps_it(open_period, lebong, province, lebong_levels,
                                                                   django_capture_on_commit_callbacks):
    first, _pdf = made_report("regency", open_period, lebong, django_capture_on_commit_callbacks)
    second, _pdf = made_report("province", open_period, province, django_capture_on_commit_callbacks)
    assert first.document_number != second.document_number
    assert sorted(DocumentNumber.objects.values_list("sequence", flat=True)) == [1, 2]
    # A run taken again (a retry after a failed render) prints the number it was given.
    ReportRun.objects.filter(pk=first.pk).update(state=ReportRun.State.QUEUED)
    services.report_execute(first.pk)
    first.refresh_from_db()
    assert first.state == ReportRun.State.DONE and first.document_number.startswith("000.5/1/")
    assert DocumentNumber.objects.count() == 2


def test_an_administrators_letterhead_logo_and_head_of_office_are_printed(open_period, lebong, province, lebong_levels,
                                                                           django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    letterhead = Letterhead(agency=province, government="PEMERINTAH PROVINSI BENGKULU", office="DINAS UJI COBA KOP SURAT",
                            address="Jl. Contoh No. 1, Bengkulu 38227", phone="(0736) 000000", email="dinas@bengkuluprov.go.id",
                            number_format="400.14/{seq}/Uji/{year}", head_name="Dr. Contoh Kepala, M.Kom.",
                            head_position="Kepala Dinas Uji Coba", head_nip="197001012000031001")
    letterhead.logo.save("logo.png", ContentFile(png_logo()), save=False)
    letterhead.save()
    run, pdf = made_report("regency", open_period, lebong, django_capture_on_commit_callbacks)
    texts = page_texts(pdf)
    assert "DINAS UJI COBA KOP SURAT" in texts[0] and "dinas@bengkuluprov.go.id" in texts[0]
    assert run.document_number == f"400.14/1/Uji/{timezone.localdate().year}"
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # the logo, embedded
    last = texts[-1]
    assert "Dr. Contoh Kepala, M.Kom." in last and "NIP. 197001012000031001" in last and "Kepala Dinas Uji Coba" in last
    assert "dipergunakan sebagaimana mestinya" in last  # the closing words sit with the signature

"""Reports and final minutes are issued as signed PDFs (PAdES, pyHanko) carrying their number and a
QR code to a public verification page, which says "valid" only for exactly the issued file with a
signature the portal trusts. A signature that cannot be made fails the rendering: nothing unsigned
is published, and no record claims a document that was not issued."""

import datetime
import io
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.certificates import DEMO_OFFICE, self_signed_pkcs12
from documents.models import IssuedDocument
from documents.services import CODE_LENGTH
from meetings.services import minutes_draft_request
from reports import services as report_services
from reports import tasks as report_tasks
from reports.models import ReportRun
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.meetings.test_minutes_pdf import edition_pdf, made_final, signed_meeting  # noqa: F401 (fixture)
from tests.pdf_pages import page_texts
from tests.reports.conftest import lebong_levels  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_certificate(path):
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, certificate, _others = pkcs12.load_key_and_certificates(Path(path).read_bytes(), TEST_SIGNING_PASSPHRASE.encode())
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


test_certificate.__test__ = False  # a helper, not a test


def made_report(period, agency, capture, kind="regency"):
    with capture(execute=True):
        run, _created = report_services.report_request(kind=kind, period=period, agency=agency)
    run.refresh_from_db()
    return run


def pdf_of(run):
    with run.pdf.open("rb") as handle:
        return handle.read()


def signatures_of(pdf):
    return PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures


@pytest.fixture
def report(open_period, lebong, lebong_levels, django_capture_on_commit_callbacks):
    run = made_report(open_period, lebong, django_capture_on_commit_callbacks)
    assert run.state == ReportRun.State.DONE, run.error
    return run


def verify(code, content, *, client=None, name="laporan.pdf"):
    client = client or Client()
    return client.post(reverse("document_verify", args=[code]), {"file": SimpleUploadedFile(name, content, "application/pdf")})


def outcome(response):
    text = response.content.decode()
    marker = 'data-outcome="'
    return text[text.index(marker) + len(marker):].split('"', 1)[0] if marker in text else None


# --- A report is signed, numbered and points at its verification page ---------------------------------


def test_a_generated_report_carries_a_pades_signature_that_pyhanko_validates(report, test_signing_certificate):
    pdf = pdf_of(report)
    signatures = signatures_of(pdf)
    assert len(signatures) == 1
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[test_certificate(test_signing_certificate)]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line


def test_a_report_signed_by_another_certificate_would_not_be_trusted(report, tmp_path):
    stranger = self_signed_pkcs12(tmp_path / "stranger.p12", passphrase=TEST_SIGNING_PASSPHRASE, common_name="Someone else")
    status = validate_pdf_signature(signatures_of(pdf_of(report))[0], ValidationContext(trust_roots=[test_certificate(stranger)]))
    assert status.intact and status.valid and not status.trusted


def test_the_report_is_recorded_as_issued_with_the_hash_of_the_signed_file(report):
    pdf = pdf_of(report)
    document = report.issued_document
    assert document.state == IssuedDocument.State.ISSUED
    assert document.kind == IssuedDocument.Kind.REPORT
    assert document.document_number == report.document_number != ""
    import hashlib

    assert document.sha256 == report.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.size == len(pdf) == report.size
    assert "Diskominfotik Provinsi Bengkulu (TEST)" in document.signer_subject
    assert len(document.signer_fingerprint) == 64
    assert len(document.code) == CODE_LENGTH and document.code.isalnum()
    assert document.issuer == "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK, PEMERINTAH PROVINSI BENGKULU"
    assert document.issuer_agency.code == "17"


def test_the_pdf_prints_its_number_and_the_address_of_its_verification_page(report):
    text = " ".join(page_texts(pdf_of(report)))
    url = f"{settings.PORTAL_BASE_URL}/verifikasi/{report.issued_document.code}/"
    assert url in text.replace(" ", "") or url in text
    assert f"Nomor: {report.document_number}" in text
    assert "Dokumen ditandatangani secara elektronik" in text
    # The head of office's signature space says how it is signed, instead of a line for ink.
    assert text.count("Ditandatangani secara elektronik") == 1


def test_the_qr_code_printed_on_the_pdf_decodes_to_the_verification_address(report, tmp_path):
    """Rendered as a phone's camera sees it (pdftoppm, 200 dpi) and decoded by zbarimg (zbar-tools)."""
    import shutil
    import subprocess

    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg (Debian package zbar-tools) is needed to decode the QR code.")
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf_of(report))
    pages = len(page_texts(source.read_bytes()))
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", str(pages), "-l", str(pages), str(source), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, timeout=60).stdout.split()
    assert decoded == [f"{settings.PORTAL_BASE_URL}/verifikasi/{report.issued_document.code}/"]


def test_the_qr_code_encodes_the_verification_address(report):
    from documents.services import verification_mark

    import segno

    mark = verification_mark(report.issued_document)
    assert mark.url == f"{settings.PORTAL_BASE_URL}/verifikasi/{report.issued_document.code}/"
    expected = io.BytesIO()
    segno.make(mark.url, error="m", micro=False).save(expected, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    assert mark.qr_svg == expected.getvalue()
    assert mark.qr_uri.startswith("data:image/svg+xml;base64,")


def test_two_reports_get_different_codes(open_period, lebong, province, lebong_levels, django_capture_on_commit_callbacks, report):
    other = made_report(open_period, province, django_capture_on_commit_callbacks, kind="province")
    assert other.state == ReportRun.State.DONE, other.error
    assert other.issued_document.code != report.issued_document.code
    assert len(signatures_of(pdf_of(other))) == 1


# --- The public verification page ---------------------------------------------------------------------


def test_the_verification_page_is_public_and_shows_what_was_issued(report):
    document = report.issued_document
    response = Client().get(reverse("document_verify", args=[document.code]))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (document.title, document.issuer, document.document_number, document.sha256):
        assert expected in text, expected
    assert "WIB" in text  # the date in the portal's time zone
    assert outcome(response) is None


def test_the_verification_page_says_valid_for_the_issued_file(report):
    response = verify(report.issued_document.code, pdf_of(report))
    assert response.status_code == 200
    assert outcome(response) == "valid"
    assert "Sah: berkas ini persis dokumen yang diterbitkan" in response.content.decode()


def test_the_verification_page_says_not_issued_here_for_the_same_file_with_one_byte_changed(report):
    changed = bytearray(pdf_of(report))
    changed[len(changed) // 2] ^= 0x01
    response = verify(report.issued_document.code, bytes(changed))
    assert outcome(response) == "not_issued_here"
    assert "Tidak diterbitkan di sini" in response.content.decode()


def test_one_address_may_check_a_limited_number_of_files_an_hour(report, settings):
    """The page is public: past VERIFICATION_CHECKS_PER_HOUR checks from one address it answers 429
    and checks nothing; another address is not affected; after an hour the address may check again."""
    from datetime import timedelta

    from django.utils import timezone

    from documents.models import VerificationCheck

    settings.VERIFICATION_CHECKS_PER_HOUR = 2
    content = pdf_of(report)
    code = report.issued_document.code
    for _ in range(2):
        assert outcome(verify(code, content, client=Client(REMOTE_ADDR="10.9.0.1"))) == "valid"
    refused = verify(code, content, client=Client(REMOTE_ADDR="10.9.0.1"))
    assert refused.status_code == 429 and outcome(refused) is None
    assert "Terlalu banyak berkas diperiksa dari alamat Anda" in refused.content.decode()
    assert outcome(verify(code, content, client=Client(REMOTE_ADDR="10.9.0.2"))) == "valid"
    VerificationCheck.objects.update(checked_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert outcome(verify(code, content, client=Client(REMOTE_ADDR="10.9.0.1"))) == "valid"
    VerificationCheck.objects.update(checked_at=timezone.now() - timedelta(days=2))
    verify(code, content, client=Client(REMOTE_ADDR="10.9.0.3"))
    assert list(VerificationCheck.objects.values_list("ip_address", flat=True)) == ["10.9.0.3"]  # a day at most


def test_another_documents_file_is_not_issued_here(open_period, province, report, django_capture_on_commit_callbacks):
    other = made_report(open_period, province, django_capture_on_commit_callbacks, kind="province")
    assert outcome(verify(report.issued_document.code, pdf_of(other))) == "not_issued_here"


def test_the_issued_file_whose_certificate_the_portal_no_longer_trusts_has_no_valid_signature(report, settings, tmp_path):
    replaced = self_signed_pkcs12(tmp_path / "new.p12", passphrase="other", common_name="Diskominfotik (new)")
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSPHRASE = str(replaced), "other"
    response = verify(report.issued_document.code, pdf_of(report))
    assert outcome(response) == "signature_invalid"
    assert "Tanda tangan tidak sah" in response.content.decode()


def test_after_a_renewal_the_old_certificate_listed_as_a_trust_root_keeps_old_documents_valid(report, settings, tmp_path,
                                                                                            test_signing_certificate):
    old = tmp_path / "old.pem"
    old.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + __import__("base64").encodebytes(test_certificate(test_signing_certificate).dump())
                    + b"-----END CERTIFICATE-----\n")
    renewed = self_signed_pkcs12(tmp_path / "renewed.p12", passphrase="renewed", common_name="Diskominfotik (renewed)")
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSPHRASE = str(renewed), "renewed"
    assert outcome(verify(report.issued_document.code, pdf_of(report))) == "signature_invalid"  # renewed, old one not listed
    settings.SIGNING_TRUST_ROOTS = [str(old)]
    assert outcome(verify(report.issued_document.code, pdf_of(report))) == "valid"


def test_an_unknown_code_answers_404():
    assert Client().get(reverse("document_verify", args=["ABCDEFGHJKLMNPQRSTUV"])).status_code == 404
    assert verify("ABCDEFGHJKLMNPQRSTUV", b"%PDF-1.7").status_code == 404


def test_a_reserved_or_not_issued_code_answers_404(bengkulu):
    from agencies.selectors import issuing_office
    from documents.services import document_reserve

    document = document_reserve(kind="report", title="Laporan", heading=issuing_office(agency=bengkulu["17"]), document_number="1/2")
    assert Client().get(reverse("document_verify", args=[document.code])).status_code == 404
    IssuedDocument.objects.filter(pk=document.pk).update(state=IssuedDocument.State.NOT_ISSUED)
    assert Client().get(reverse("document_verify", args=[document.code])).status_code == 404


def test_the_public_form_keeps_csrf_protection(report):
    client = Client(enforce_csrf_checks=True)
    assert verify(report.issued_document.code, pdf_of(report), client=client).status_code == 403
    page = client.get(reverse("document_verify", args=[report.issued_document.code]))
    token = page.cookies["csrftoken"].value
    response = client.post(reverse("document_verify", args=[report.issued_document.code]),
                           {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("a.pdf", pdf_of(report), "application/pdf")})
    assert outcome(response) == "valid"


def test_a_file_over_the_size_cap_is_refused_unread(report, settings):
    settings.VERIFICATION_MAX_BYTES = 1024
    response = verify(report.issued_document.code, pdf_of(report))
    assert response.status_code == 200 and outcome(response) is None
    assert "lebih besar dari" in response.content.decode()


def test_a_request_body_over_the_upload_cap_is_refused_before_it_is_read(report, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    assert verify(report.issued_document.code, pdf_of(report)).status_code == 413


# --- A signature that cannot be made fails the rendering -----------------------------------------------


def run_to_the_end(run):
    """The first attempt ran inline; the retries run as the sweep would send them."""
    for _attempt in range(report_services.MAX_ATTEMPTS):
        run.refresh_from_db()
        if run.state != ReportRun.State.QUEUED:
            break
        report_tasks.generate_report(run.pk)
    run.refresh_from_db()
    return run


def assert_failed_without_a_signed_file(run, message):
    assert run.state == ReportRun.State.FAILED
    assert message in run.error
    assert not run.pdf and not run.sha256
    published = [p for p in (Path(settings.MEDIA_ROOT) / "reports").rglob("*") if p.is_file()] if (Path(settings.MEDIA_ROOT) / "reports").exists() else []
    assert published == []
    document = run.issued_document
    assert document.state == IssuedDocument.State.NOT_ISSUED and not document.sha256
    assert message in document.not_issued_reason
    assert Client().get(reverse("document_verify", args=[document.code])).status_code == 404


@pytest.fixture
def failing_report(open_period, lebong, lebong_levels, django_capture_on_commit_callbacks):
    def make():
        return run_to_the_end(made_report(open_period, lebong, django_capture_on_commit_callbacks))

    return make


def test_a_wrong_passphrase_fails_the_report_run_with_a_clear_message(failing_report, settings):
    settings.SIGNING_PKCS12_PASSPHRASE = "not-the-passphrase"
    run = failing_report()
    assert run.attempts == report_services.MAX_ATTEMPTS
    assert_failed_without_a_signed_file(run, "frasa sandi salah")


def test_a_missing_certificate_file_fails_the_report_run(failing_report, settings, tmp_path):
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "nowhere.p12")
    assert_failed_without_a_signed_file(failing_report(), "tidak dapat dibaca")


def test_no_configured_certificate_fails_the_report_run(failing_report, settings):
    settings.SIGNING_PKCS12_PATH = ""
    assert_failed_without_a_signed_file(failing_report(), "Belum ada sertifikat tanda tangan")


def test_an_expired_certificate_fails_the_report_run(failing_report, settings, tmp_path):
    expired = self_signed_pkcs12(tmp_path / "expired.p12", passphrase="x", days=1,
                                 not_before=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10))
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSPHRASE = str(expired), "x"
    assert_failed_without_a_signed_file(failing_report(), "kedaluwarsa")


class RaisingSigner:
    """A national signing service that is down."""

    def describe(self):
        from documents.signing import SignerDescription

        return SignerDescription(name="BSrE (test)", subject="CN=test", fingerprint="0" * 64)

    def trust_roots(self):
        return []

    def sign(self, pdf, *, document):
        raise ConnectionError("signing service unreachable")


class UnsignedSigner(RaisingSigner):
    """A signer that hands the PDF back unsigned: must never be published as signed."""

    def sign(self, pdf, *, document):
        return pdf


def test_a_signer_that_raises_fails_the_report_run(failing_report, settings):
    settings.DOCUMENT_SIGNER = "tests.documents.test_signed_documents.RaisingSigner"
    assert_failed_without_a_signed_file(failing_report(), "signing service unreachable")


def test_a_signer_that_returns_an_unsigned_file_fails_the_report_run(failing_report, settings):
    settings.DOCUMENT_SIGNER = "tests.documents.test_signed_documents.UnsignedSigner"
    assert_failed_without_a_signed_file(failing_report(), "tidak lolos verifikasinya sendiri")


def test_a_run_that_failed_once_for_its_certificate_is_signed_on_the_next_attempt(open_period, lebong, lebong_levels, settings,
                                                                                django_capture_on_commit_callbacks):
    good = settings.SIGNING_PKCS12_PASSPHRASE
    settings.SIGNING_PKCS12_PASSPHRASE = "wrong"
    run = made_report(open_period, lebong, django_capture_on_commit_callbacks)
    assert run.state == ReportRun.State.QUEUED and "frasa sandi salah" in run.error
    code = run.issued_document.code
    settings.SIGNING_PKCS12_PASSPHRASE = good
    report_tasks.generate_report(run.pk)
    run.refresh_from_db()
    assert run.state == ReportRun.State.DONE
    assert run.issued_document.code == code and run.issued_document.state == IssuedDocument.State.ISSUED
    assert outcome(verify(code, pdf_of(run))) == "valid"


# --- Minutes: the final editions are signed, drafts are not ----------------------------------------------


def test_final_minutes_are_signed_and_verifiable(signed_meeting, provincial_reviewer, test_signing_certificate):  # noqa: F811
    meeting = made_final(signed_meeting, provincial_reviewer)
    edition = meeting.minutes.get()
    pdf = edition_pdf(edition)
    signatures = signatures_of(pdf)
    assert len(signatures) == 1
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[test_certificate(test_signing_certificate)]))
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    document = edition.issued_document
    assert document.kind == IssuedDocument.Kind.MINUTES and document.state == IssuedDocument.State.ISSUED
    assert document.document_number == edition.document_number
    assert edition.render.issued_document == document
    text = " ".join(page_texts(pdf))
    assert f"/verifikasi/{document.code}/" in text.replace(" ", "")
    assert outcome(verify(document.code, pdf, name="notulen.pdf")) == "valid"


def test_a_corrected_edition_leaves_the_first_valid_but_its_page_names_the_later_one(signed_meeting, provincial_reviewer,  # noqa: F811
                                                                                  django_capture_on_commit_callbacks):
    from meetings.services import meeting_update
    from tests.meetings.test_minutes_pdf import CHAIR, meeting_values

    meeting = made_final(signed_meeting, provincial_reviewer)
    values = meeting_values(meeting.organiser, meeting.period, **{**CHAIR, "place": "Aula Diskominfotik"})
    values["starts_at"] = meeting.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, values=values,
                                 participants=list(meeting.participants.all()), attendees=[], correction_reason="Tempat salah")
    first, second = meeting.minutes.order_by("edition")
    first_page = Client().get(reverse("document_verify", args=[first.issued_document.code])).content.decode()
    notice = first_page.split('id="document-superseded"')[1].split("</div>")[0]
    assert second.document_number in notice
    assert reverse("document_verify", args=[second.issued_document.code]) in notice
    assert outcome(verify(first.issued_document.code, edition_pdf(first), name="notulen-1.pdf")) == "valid"
    second_page = Client().get(reverse("document_verify", args=[second.issued_document.code])).content.decode()
    assert 'id="document-superseded"' not in second_page


def test_draft_minutes_are_not_signed(signed_meeting, provincial_reviewer, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        render, _created = minutes_draft_request(meeting=signed_meeting, actor=provincial_reviewer)
    render.refresh_from_db()
    assert render.state == "done", render.error
    with render.file.open("rb") as handle:
        pdf = handle.read()
    assert signatures_of(pdf) == []
    assert render.issued_document is None
    assert "/verifikasi/" not in " ".join(page_texts(pdf))
    assert not IssuedDocument.objects.exists()


def test_final_minutes_whose_signature_fails_are_failed_not_stored(signed_meeting, provincial_reviewer, settings):  # noqa: F811
    from meetings import tasks as meeting_tasks
    from meetings.models import MinutesRender
    from meetings.services import MINUTES_MAX_ATTEMPTS

    settings.SIGNING_PKCS12_PASSPHRASE = "wrong"
    meeting = made_final(signed_meeting, provincial_reviewer)
    render = MinutesRender.objects.get(meeting=meeting)
    for _attempt in range(MINUTES_MAX_ATTEMPTS):
        render.refresh_from_db()
        if render.state != "queued":
            break
        meeting_tasks.render_minutes(render.pk)
    render.refresh_from_db()
    assert render.state == "failed" and "frasa sandi salah" in render.error
    assert not meeting.minutes.exists()
    assert render.issued_document.state == IssuedDocument.State.NOT_ISSUED


# --- Pages and the demo certificate ---------------------------------------------------------------------


def test_the_report_page_says_the_pdf_is_signed_and_links_its_verification_page(report, client_of, provincial_reviewer):
    response = client_of(provincial_reviewer).get(reverse("report_detail", args=[report.pk]))
    text = response.content.decode()
    assert "Ditandatangani secara elektronik" in text
    assert report.document_number in text
    assert reverse("document_verify", args=[report.issued_document.code]) in text


def test_the_report_box_of_the_assessment_and_period_pages_says_the_pdf_is_signed(report, client_of, provincial_reviewer):
    url = reverse("report_box") + f"?period={report.period_id}&agency={report.agency.code}&kind=regency"
    text = client_of(provincial_reviewer).get(url).content.decode()
    box_note = text.split('class="small report-signed"')[1].split("</div>")[0]
    assert "Ditandatangani secara elektronik" in box_note and report.document_number in box_note
    assert reverse("document_verify", args=[report.issued_document.code]) in box_note


def test_the_meeting_page_says_the_minutes_are_signed(signed_meeting, provincial_reviewer, client_of):  # noqa: F811
    meeting = made_final(signed_meeting, provincial_reviewer)
    document = meeting.minutes.get().issued_document
    text = client_of(provincial_reviewer).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Ditandatangani secara elektronik" in text
    assert reverse("document_verify", args=[document.code]) in text


def test_the_demo_certificate_is_refused_with_debug_off_and_names_the_demo_office(settings, tmp_path):
    settings.SIGNING_PKCS12_PATH = ""
    with pytest.raises(CommandError, match="refused with DEBUG off"):
        call_command("signing_demo_certificate", stdout=io.StringIO())
    out = io.StringIO()
    path = tmp_path / "demo.p12"
    call_command("signing_demo_certificate", "--allow-production", "--path", str(path), "--passphrase", "p", stdout=out)
    assert "DEMO" in out.getvalue() and "NOT legally valid" in out.getvalue()
    from documents.signing import Pkcs12Signer

    assert DEMO_OFFICE in Pkcs12Signer(str(path), "p").describe().subject

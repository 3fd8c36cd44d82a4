"""Stored evidence files as users meet them: shown in the browser (safe types only), downloaded as
one ZIP per regency and period, and the upload cap announced and enforced before the body is read."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from assessments.models import Evidence, IndicatorAssessment
from assessments.services import assessment_get_or_create, evidence_add
from spbe_portal.middleware import UploadSizeLimitMiddleware
from tests.assessments.helpers import pdf_upload

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def lebong_item(period, indicator="1"):
    from agencies.models import Agency

    assessment_get_or_create(period=period, agency=Agency.objects.get(code="17.07"))
    return IndicatorAssessment.objects.get(assessment__period=period, assessment__agency__code="17.07", indicator__code=indicator)


def add(item, actor, upload=None, level=1, url=""):
    item.refresh_from_db()
    return evidence_add(item=item, actor=actor, expected_version=item.version, level=level, upload=upload, url=url)


def xlsx_upload(name="rekap.xlsx"):
    from openpyxl import Workbook

    stream = io.BytesIO()
    Workbook().save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


# --- Shown in the browser -----------------------------------------------------------------------


@pytest.mark.parametrize(("upload", "content_type"), [
    (lambda: pdf_upload("Perbup SPBE.pdf"), "application/pdf"),
    (lambda: SimpleUploadedFile("Foto rapat.png", PNG), "image/png"),
], ids=["pdf", "png"])
def test_a_pdf_or_image_evidence_opens_in_the_browser_under_a_restrictive_policy(open_period, lebong_officer, client_of, upload, content_type):
    evidence = add(lebong_item(open_period), lebong_officer, upload())
    response = client_of(lebong_officer).get(reverse("evidence_view", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;") and "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "form-action 'none'" in policy
    # Chromium's PDF viewer refuses a sandboxed document; an image needs no viewer and is sandboxed.
    assert ("sandbox" in policy) == (content_type != "application/pdf")
    assert b"".join(response.streaming_content) == evidence.file.open("rb").read()


def test_an_office_file_is_only_downloaded_never_shown_in_the_browser(open_period, lebong_officer, client_of):
    evidence = add(lebong_item(open_period), lebong_officer, xlsx_upload())
    client = client_of(lebong_officer)
    assert client.get(reverse("evidence_view", args=[evidence.pk])).status_code == 404
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    # An attachment, under the portal's own policy, not the inline viewer's.
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" not in download.get("Content-Security-Policy", "") and download["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("item_detail", args=[open_period.pk, "17.07", "1"])).content.decode()
    assert reverse("evidence_download", args=[evidence.pk]) in page and reverse("evidence_view", args=[evidence.pk]) not in page


def test_the_item_page_offers_view_next_to_download_for_a_pdf(open_period, lebong_officer, client_of):
    evidence = add(lebong_item(open_period), lebong_officer, pdf_upload())
    page = client_of(lebong_officer).get(reverse("item_detail", args=[open_period.pk, "17.07", "1"])).content.decode()
    assert f'href="{reverse("evidence_view", args=[evidence.pk])}"' in page and ">Lihat</a>" in page and ">Unduh</a>" in page


def test_another_regencys_officer_gets_404_when_viewing_evidence(open_period, lebong_officer, kepahiang_officer, client_of):
    evidence = add(lebong_item(open_period), lebong_officer, pdf_upload())
    assert client_of(kepahiang_officer).get(reverse("evidence_view", args=[evidence.pk])).status_code == 404


# --- One ZIP per regency and period -------------------------------------------------------------


def test_a_regencys_evidence_downloads_as_one_zip_with_a_folder_per_indicator_and_a_manifest(
        open_period, lebong_officer, provincial_reviewer, client_of, django_assert_max_num_queries):
    first = lebong_item(open_period, "1")
    one = add(first, lebong_officer, pdf_upload("bukti.pdf", "Satu"))
    two = add(first, lebong_officer, pdf_upload("BUKTI.pdf", "Dua"))  # same name, other case
    add(first, lebong_officer, url="https://example.go.id/perbup")  # a link is no file
    three = add(lebong_item(open_period, "2"), lebong_officer, SimpleUploadedFile('a:b*c?.png', PNG), level=2)
    url = reverse("assessment_evidence_zip", args=[open_period.pk, "17.07"])
    client = client_of(provincial_reviewer)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;") and "bukti-dukung-17.07" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names == ["1/L1 bukti.pdf", "1/L1 BUKTI (2).pdf", "2/L2 a_b_c_.png", "manifest.csv"]
    assert archive.read("1/L1 BUKTI (2).pdf") == two.file.open("rb").read()
    assert hashlib.sha256(archive.read("2/L2 a_b_c_.png")).hexdigest() == three.sha256
    rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert rows[0] == ["Indikator", "Tingkat", "Berkas", "Nama asli", "SHA-256", "Ukuran (bita)", "Diunggah oleh", "Diunggah pada (WIB)"]
    assert [row[:5] for row in rows[1:]] == [
        ["1", "1", "1/L1 bukti.pdf", "bukti.pdf", one.sha256],
        ["1", "1", "1/L1 BUKTI (2).pdf", "BUKTI.pdf", two.sha256],
        ["2", "2", "2/L2 a_b_c_.png", "a:b*c?.png", three.sha256],
    ]
    assert rows[1][6] == lebong_officer.get_full_name()
    from django.utils import timezone

    assert rows[1][7] == timezone.localtime(one.uploaded_at).strftime("%Y-%m-%d %H:%M")  # WIB (the portal's time zone)


def test_another_regencys_officer_gets_404_for_the_evidence_zip(open_period, lebong_officer, kepahiang_officer, client_of):
    add(lebong_item(open_period), lebong_officer, pdf_upload())
    assert client_of(kepahiang_officer).get(reverse("assessment_evidence_zip", args=[open_period.pk, "17.07"])).status_code == 404
    assert client_of(lebong_officer).get(reverse("assessment_evidence_zip", args=[open_period.pk, "17.07"])).status_code == 200


# --- The upload cap -----------------------------------------------------------------------------


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_oversized_upload_is_refused_with_413_before_its_body_is_read(settings):
    request = RequestFactory().post(
        "/penilaian/1/17.07/1/", content_type="multipart/form-data; boundary=x",
        **{"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(settings.UPLOAD_MAX_BYTES + 1)},
    )
    request.user = AnonymousUser()
    response = UploadSizeLimitMiddleware(lambda request: pytest.fail("the view was reached"))(request)
    assert response.status_code == 413
    assert "20 MB" in response.content.decode()


def test_an_upload_within_the_cap_reaches_the_view(settings):
    request = RequestFactory().post("/x/", {"a": "b"})
    assert UploadSizeLimitMiddleware(lambda request: "view")(request) == "view"


@pytest.mark.parametrize("path", ["item", "meeting attachment", "follow-up evidence"])
def test_every_upload_path_answers_an_oversized_body_with_a_clear_page(open_period, lebong_officer, client_of, settings, path):
    item = lebong_item(open_period)
    url = {"item": reverse("item_detail", args=[open_period.pk, "17.07", "1"]),
           "meeting attachment": reverse("meeting_attachment_add", args=[1]),
           "follow-up evidence": reverse("follow_up_detail", args=[1])}[path]
    response = client_of(lebong_officer).post(url, {"version": item.version, "evidence_file": pdf_upload()},
                                               CONTENT_LENGTH=str(settings.UPLOAD_MAX_BYTES + 1))
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_evidence_form_announces_the_cap_from_the_setting(open_period, lebong_officer, client_of, settings):
    lebong_item(open_period)
    page = client_of(lebong_officer).get(reverse("item_detail", args=[open_period.pk, "17.07", "1"])).content.decode()
    assert "Maks. 20 MB" in page and 'data-max-bytes="20971520"' in page and "js/upload-limit" in page

"""Administrators set the letterhead (kop surat) of an office in the admin, without a deploy."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agencies.models import Letterhead
from agencies.selectors import issuing_office

pytestmark = pytest.mark.django_db


def letterhead_form(agency, logo, **changes):
    data = {"agency": agency.pk, "government": "PEMERINTAH PROVINSI BENGKULU", "office": "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK",
            "address": "Jl. Basuki Rahmat No. 6 Bengkulu", "city": "Bengkulu", "number_format": "000.5/{seq}/Diskominfotik/{year}",
            "head_name": "", "head_position": "Kepala Dinas", "head_nip": "", "phone": "", "email": "", "website": "", "logo": logo}
    data.update(changes)
    return data


def png(size=(30, 30)):
    stream = io.BytesIO()
    Image.new("RGB", size, "navy").save(stream, "PNG")
    return stream.getvalue()


def test_an_administrator_sets_the_letterhead_and_documents_of_regencies_use_it(administrator, client_of, province, lebong):
    client = client_of(administrator)
    response = client.post(reverse("admin:agencies_letterhead_add"),
                           letterhead_form(province, SimpleUploadedFile("lambang.png", png(), "image/png"), phone="(0736) 21401"))
    assert response.status_code == 302, response.content.decode()[:2000]
    heading = issuing_office(agency=lebong)
    assert heading.issuer == province and heading.phone == "(0736) 21401"
    assert heading.logo_uri.startswith("data:image/png;base64,")
    assert Letterhead.objects.get().logo.name.startswith("letterheads/")


def test_a_logo_that_is_not_an_image_or_a_format_without_a_running_number_is_refused_with_a_message(administrator, client_of, province):
    client = client_of(administrator)
    response = client.post(reverse("admin:agencies_letterhead_add"),
                           letterhead_form(province, SimpleUploadedFile("lambang.png", b"<svg onload=alert(1)>", "image/png"),
                                           number_format="000.5/Diskominfotik/{year}"))
    page = response.content.decode()
    assert response.status_code == 200 and not Letterhead.objects.exists()
    assert "Logo harus berupa gambar PNG atau JPEG." in page and "Format harus memuat {seq}" in page


def test_without_a_letterhead_the_province_default_is_used(lebong, province):
    heading = issuing_office(agency=lebong)
    assert heading.issuer == province and heading.office == "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK" and not heading.logo_uri

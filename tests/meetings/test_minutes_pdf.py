"""The minutes PDF is an office document: letterhead, a recorded number per edition, the chair's
signature block with position and NIP kept with the lines above it, and corrections marked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import DocumentNumber
from meetings.models import FollowUp
from meetings.services import meeting_create, meeting_transition, meeting_update
from tests.meetings.test_meetings import meeting_values
from tests.pdf_pages import page_texts

pytestmark = pytest.mark.django_db

CHAIR = {"chair": "Jaduliwan, M.M.", "chair_position": "Kepala Dinas Kominfotik Provinsi Bengkulu", "chair_nip": "197205101998031004",
         "note_taker": "Rahmat Hidayat", "note_taker_nip": "198803142011011002"}


@pytest.fixture
def signed_meeting(open_period, province, rejang_lebong, kepahiang, provincial_reviewer):
    return meeting_create(actor=provincial_reviewer, values=meeting_values(province, open_period, **CHAIR),
                          participants=[rejang_lebong, kepahiang], attendees=[])


def made_final(meeting, actor):
    """Made final, with the queued rendering run (tasks inline) once the change commits."""
    from django.test import TestCase

    meeting = meeting_transition(meeting=meeting, actor=actor, expected_version=meeting.version, to_state="held")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return meeting_transition(meeting=meeting, actor=actor, expected_version=meeting.version, to_state="final")


def edition_pdf(edition):
    with edition.file.open("rb") as handle:
        return handle.read()


def test_final_minutes_carry_the_letterhead_a_recorded_number_and_the_chairs_signature(signed_meeting, provincial_reviewer):
    meeting = made_final(signed_meeting, provincial_reviewer)
    edition = meeting.minutes.get()
    texts = page_texts(edition_pdf(edition))
    assert "PEMERINTAH PROVINSI BENGKULU" in texts[0] and "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK" in texts[0]
    assert edition.document_number == f"000.5/1/Diskominfotik/{timezone.localdate().year}"
    assert f"Nomor: {edition.document_number}" in texts[0]
    assert DocumentNumber.objects.filter(number=edition.document_number).exists()
    last = texts[-1]
    for expected in ("Pimpinan rapat", "Kepala Dinas Kominfotik Provinsi Bengkulu", "Jaduliwan, M.M.", "NIP. 197205101998031004",
                     "Notulis", "NIP. 198803142011011002"):
        assert expected in last, expected


@pytest.mark.parametrize("count", [60, 61, 62, 63, 64])
def test_a_long_follow_up_table_never_leaves_the_signature_block_alone_on_a_page(count, signed_meeting, provincial_reviewer,
                                                                                 rejang_lebong, rejang_lebong_officer):
    due = timezone.localdate() + timedelta(days=30)
    FollowUp.objects.bulk_create([
        FollowUp(meeting=signed_meeting, agency=rejang_lebong, owner=rejang_lebong_officer, due_date=due,
                 description=f"Tindak lanjut nomor {number}: lengkapi dokumen arsitektur SPBE dan peta rencana")
        for number in range(1, count + 1)
    ])
    meeting = made_final(signed_meeting, provincial_reviewer)
    texts = page_texts(edition_pdf(meeting.minutes.get()))
    signature_pages = [text for text in texts if "NIP. 197205101998031004" in text]
    assert len(signature_pages) == 1
    page = signature_pages[0]
    assert "Pimpinan rapat" in page and "Jaduliwan, M.M." in page  # the block is whole
    assert "Tindak lanjut nomor" in page  # with the last rows of the table above it, not alone
    # A row is never split across pages: every row's text is on one page.
    for number in range(1, count + 1):
        assert sum(f"Tindak lanjut nomor {number}:" in text for text in texts) == 1


def test_a_corrected_edition_says_which_edition_it_corrects_and_why(signed_meeting, provincial_reviewer, client_of,
                                                                   django_capture_on_commit_callbacks):
    meeting = made_final(signed_meeting, provincial_reviewer)
    values = meeting_values(meeting.organiser, meeting.period, **{**CHAIR, "place": "Aula Diskominfotik"})
    values["starts_at"] = meeting.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, actor=provincial_reviewer, expected_version=meeting.version, values=values,
                                 participants=list(meeting.participants.all()), attendees=[],
                                 correction_reason="Tempat rapat salah tulis")
    first, second = meeting.minutes.order_by("edition")
    assert first.document_number != second.document_number
    assert "Koreksi atas notulen" not in " ".join(page_texts(edition_pdf(first)))
    text = " ".join(page_texts(edition_pdf(second)))
    assert "Koreksi atas notulen edisi 1" in text and "Tempat rapat salah tulis" in text and second.document_number in text
    assert second.correction_reason == "Tempat rapat salah tulis"

    client = client_of(provincial_reviewer)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    for edition in (first, second):
        assert edition.document_number in page
        assert reverse("minutes_edition_download", args=[meeting.pk, edition.pk]) in page
        download = client.get(reverse("minutes_edition_download", args=[meeting.pk, edition.pk]))
        assert download.status_code == 200 and b"".join(download.streaming_content if download.streaming else [download.content]) == edition_pdf(edition)
    assert "Koreksi atas edisi 1: Tempat rapat salah tulis" in page


def test_draft_minutes_have_the_letterhead_but_no_number_yet(signed_meeting):
    from meetings.minutes import render_minutes

    text = page_texts(render_minutes(signed_meeting))[0]
    assert "PEMERINTAH PROVINSI BENGKULU" in text and "DRAF" in text and "diberikan saat notulen dinyatakan final" in text
    assert not DocumentNumber.objects.exists()

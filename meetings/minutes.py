"""The minutes (notulen) of a meeting as an A4 PDF, in the usual Indonesian layout.

Rendered by WeasyPrint from templates/meetings/minutes_pdf.html, always in Indonesian (it is an
official record). Text typed by users is escaped by the template; the renderer fetches nothing:
every URL it meets is refused except the letterhead's logo, embedded as a data: URI
(agencies.letterheads), so a document never reaches the network or the disk.

The minutes carry the organiser's letterhead (kop surat), the edition's document number, and from
the second edition on, which edition they correct and why. A final edition also carries its
verification mark (QR code and address, documents.services.verification_mark) and is then signed
by the worker (meetings.services.minutes_render_execute); a draft has neither."""

from django.template.loader import render_to_string
from django.utils import timezone, translation


def minutes_context(meeting, *, edition=None, heading=None, verification=None):
    from agencies.selectors import issuing_office

    from .selectors import meeting_follow_ups_for_minutes

    starts = timezone.localtime(meeting.starts_at)
    return {
        "meeting": meeting,
        "heading": heading or issuing_office(agency=meeting.organiser),
        "edition": edition,
        "verification": verification,  # documents.services.VerificationMark of a final edition (QR code)
        "starts": starts,
        "ends": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "participants": list(meeting.participants.order_by("path")),
        "attendees": list(meeting.attendees.select_related("agency")),
        "follow_ups": meeting_follow_ups_for_minutes(meeting=meeting),
        "generated_at": timezone.localtime(),
    }


def render_minutes(meeting, *, edition=None, heading=None, verification=None) -> bytes:
    """The minutes as a PDF; ``edition`` (a MeetingMinutes, saved or about to be) gives the number
    and the correction; without it the PDF is a draft."""
    from weasyprint import HTML

    from agencies.letterheads import embedded_only_fetcher

    context = minutes_context(meeting, edition=edition, heading=heading, verification=verification)
    with translation.override("id"):
        html = render_to_string("meetings/minutes_pdf.html", context)
    embedded = {**context["heading"].embedded(), **(verification.embedded() if verification else {})}
    return HTML(string=html, url_fetcher=embedded_only_fetcher(embedded), base_url=None).write_pdf()

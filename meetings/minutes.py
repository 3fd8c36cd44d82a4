"""The minutes (notulen) of a meeting as an A4 PDF, in the usual Indonesian layout.

Rendered by WeasyPrint from templates/meetings/minutes_pdf.html, always in Indonesian (it is an
official record). Text typed by users is escaped by the template; the renderer fetches nothing:
every URL it meets is refused, so a document never reaches the network."""

from django.template.loader import render_to_string
from django.utils import timezone, translation


class NoFetching(ValueError):
    pass


def refuse_fetch(url, *args, **kwargs):
    raise NoFetching(f"The minutes renderer fetches nothing (asked for {url[:80]}).")


def minutes_context(meeting):
    from .selectors import meeting_follow_ups_for_minutes

    return {
        "meeting": meeting,
        "starts": timezone.localtime(meeting.starts_at),
        "ends": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "participants": list(meeting.participants.order_by("path")),
        "attendees": list(meeting.attendees.select_related("agency")),
        "follow_ups": meeting_follow_ups_for_minutes(meeting=meeting),
        "generated_at": timezone.localtime(),
    }


def render_minutes(meeting) -> bytes:
    from weasyprint import HTML

    with translation.override("id"):
        html = render_to_string("meetings/minutes_pdf.html", minutes_context(meeting))
    return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf()

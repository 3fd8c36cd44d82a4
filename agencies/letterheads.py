"""The letterhead (kop surat) printed on the documents an office issues — reports and minutes — and
the one way PDFs get images: embedded as data: URIs, served by a fetcher that answers those and
nothing else (no network, no file system).

An administrator edits a ``Letterhead`` per agency in the admin; documents of an agency use the
nearest letterhead on the way up its tree (``agencies.selectors.issuing_office``), else DEFAULT."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class OfficeHeading:
    """What a document prints of its issuing office; ``issuer`` is the agency whose register
    numbers the document."""

    issuer: object  # agencies.Agency
    government: str
    office: str
    address: str
    city: str = "Bengkulu"
    phone: str = ""
    email: str = ""
    website: str = ""
    number_format: str = "000.5/{seq}/Diskominfotik/{year}"
    head_name: str = ""
    head_position: str = ""
    head_nip: str = ""
    logo: bytes = field(default=b"", repr=False)
    logo_type: str = ""

    @property
    def contact_line(self):
        parts = []
        if self.phone:
            parts.append(_("Phone %(phone)s") % {"phone": self.phone})
        if self.email:
            parts.append(_("E-mail %(email)s") % {"email": self.email})
        if self.website:
            parts.append(_("Website %(website)s") % {"website": self.website})
        return " · ".join(parts)

    @property
    def logo_uri(self):
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode('ascii')}"

    def embedded(self):
        """The data: URIs a PDF of this heading may load (for EmbeddedOnlyFetcher)."""
        return {self.logo_uri: (self.logo, self.logo_type)} if self.logo else {}


# The default for Diskominfotik Provinsi Bengkulu, used until an administrator saves a letterhead.
# CHECK: the address (and contacts) should be confirmed with the office before official use.
DEFAULT = {
    "government": "PEMERINTAH PROVINSI BENGKULU",
    "office": "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK",
    "address": "Jl. Basuki Rahmat No. 6 Bengkulu",
    "city": "Bengkulu",
    "number_format": "000.5/{seq}/Diskominfotik/{year}",
    "head_position": "Kepala Dinas Komunikasi, Informatika dan Statistik Provinsi Bengkulu",
}


def logo_type(content: bytes) -> str:
    """The image type read from the first bytes, or "" when it is neither PNG nor JPEG."""
    for magic, content_type in LOGO_TYPES.items():
        if content.startswith(magic):
            return content_type
    return ""


def heading_from(letterhead, issuer) -> OfficeHeading:
    if letterhead is None:
        return OfficeHeading(issuer=issuer, **DEFAULT)
    logo = b""
    if letterhead.logo:
        try:
            with letterhead.logo.open("rb") as stream:
                logo = stream.read(LOGO_MAX_BYTES + 1)
        except OSError:
            logo = b""  # a missing file prints no logo rather than no document
    kind = logo_type(logo) if len(logo) <= LOGO_MAX_BYTES else ""
    return OfficeHeading(
        issuer=issuer, government=letterhead.government, office=letterhead.office, address=letterhead.address, city=letterhead.city,
        phone=letterhead.phone, email=letterhead.email, website=letterhead.website, number_format=letterhead.number_format,
        head_name=letterhead.head_name, head_position=letterhead.head_position, head_nip=letterhead.head_nip,
        logo=logo if kind else b"", logo_type=kind,
    )


def format_number(number_format: str, *, sequence: int, year: int) -> str:
    return number_format.replace("{seq}", str(sequence)).replace("{year}", str(year))


class FetchRefused(ValueError):
    pass


def embedded_only_fetcher(embedded=None):
    """A WeasyPrint URL fetcher that answers only the data: URIs it is given (the letterhead's
    logo); every other URL — http, file, any other data: — is refused, so a rendered document
    reaches neither the network nor the disk. (WeasyPrint is imported here: it needs Pango.)"""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = dict(embedded or {})

    class EmbeddedOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in allowed:
                content, content_type = allowed[url]
                return URLFetcherResponse(url, content, {"Content-Type": content_type})
            raise FetchRefused(f"PDF rendering fetches nothing (asked for {url[:80]}).")

    return EmbeddedOnlyFetcher()

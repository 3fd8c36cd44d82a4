"""Issuing signed documents, and checking an uploaded copy against what was issued.

The life of an IssuedDocument, driven by the rendering services of reports and meetings:

1. ``document_reserve`` before rendering: a random verification code (printed with its QR code)
   and the document's title, issuer and number. State ``reserved``: the public page does not know it.
2. ``document_sign`` after rendering: the configured signer (documents.signing) signs the PDF;
   the result is checked at once with the verification page's own check, so a signer that
   returns an unsigned or wrongly signed file fails the rendering instead of publishing it.
3. ``document_issued`` in the transaction that publishes the signed file: state ``issued``, with
   the file's SHA-256, size and signer. From then on ``/verifikasi/<code>/`` answers.
4. ``document_not_issued`` when the rendering finally fails: state ``not_issued`` with the reason.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe_portal.dates import format_date

from .models import IssuedDocument, VerificationCheck
from .signing import SignerDescription, SigningError, configured_signer, extra_trust_roots, signature_check

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # base32 without look-alikes (I, O, 0, 1)
CODE_LENGTH = 20  # 100 bits: not guessable


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_url(code: str) -> str:
    """The absolute address printed on the document (PORTAL_BASE_URL + /verifikasi/<code>/)."""
    if not settings.PORTAL_BASE_URL:
        raise SigningError(_("PORTAL_BASE_URL is not set: a signed document prints the address of its verification page."))
    return settings.PORTAL_BASE_URL + reverse("document_verify", args=[code])


@dataclass(frozen=True)
class VerificationMark:
    """What a PDF prints so that anyone can check it: the code, its address and a QR code (SVG)."""

    code: str
    url: str
    document_number: str
    qr_svg: bytes

    @property
    def qr_uri(self):
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.qr_svg).decode("ascii")

    def embedded(self):
        """The data: URI a PDF renderer may load (agencies.letterheads.embedded_only_fetcher)."""
        return {self.qr_uri: (self.qr_svg, "image/svg+xml")}


def verification_mark(document: IssuedDocument) -> VerificationMark:
    import io

    import segno

    url = verification_url(document.code)
    stream = io.BytesIO()
    segno.make(url, error="m", micro=False).save(stream, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return VerificationMark(code=document.code, url=url, document_number=document.document_number, qr_svg=stream.getvalue())


def document_reserve(*, kind, title, heading, document_number) -> IssuedDocument:
    """A new reservation (state ``reserved``) with a fresh code, before the PDF is rendered.
    ``heading`` is the issuing office (agencies.selectors.issuing_office)."""
    for _attempt in range(5):
        code = new_code()
        if not IssuedDocument.objects.filter(code=code).exists():
            break
    return IssuedDocument.objects.create(
        code=code, kind=kind, title=title[:300], issuer=", ".join(part for part in (heading.office, heading.government) if part)[:300],
        issuer_agency=heading.issuer,
        document_number=document_number,
    )


@dataclass(frozen=True)
class SignedPdf:
    content: bytes
    sha256: str
    signer: SignerDescription
    signed_at: object


def trust_roots(signer=None) -> list[bytes]:
    signer = signer or configured_signer()
    return list(signer.trust_roots()) + extra_trust_roots()


def document_sign(*, document: IssuedDocument, pdf: bytes) -> SignedPdf:
    """The PDF signed by the configured signer, checked as the verification page checks it.
    Raises SigningError with a clear message when no valid signature can be made."""
    signer = configured_signer()
    try:
        description = signer.describe()
        signed_at = timezone.now()
        content = signer.sign(pdf, document=document)
        roots = trust_roots(signer)
    except SigningError:
        raise
    except Exception as error:
        raise SigningError(_("The document could not be signed: %(error)s") % {"error": f"{type(error).__name__}: {error}"}) from error
    check = signature_check(content, trust_roots=roots, moment=signed_at)
    if not check.valid:
        raise SigningError(_("The signed document does not pass its own verification: %(reason)s") % {"reason": check.reason})
    return SignedPdf(content=content, sha256=hashlib.sha256(content).hexdigest(), signer=description, signed_at=signed_at)


def document_issued(*, document: IssuedDocument, signed: SignedPdf) -> IssuedDocument:
    """Record the document as issued; called inside the transaction that publishes ``signed``."""
    document.state = IssuedDocument.State.ISSUED
    document.issued_at = signed.signed_at
    document.sha256, document.size = signed.sha256, len(signed.content)
    document.signer = signed.signer.name[:200]
    document.signer_subject, document.signer_fingerprint = signed.signer.subject[:500], signed.signer.fingerprint
    document.not_issued_at, document.not_issued_reason = None, ""
    document.save()
    return document


CERTIFICATE_WARNING_DAYS = 30


def administrators():
    """The active people who administer the portal: superusers and administrators of the province
    (agencies.access: the administrator role counts only at the root)."""
    from django.db.models import Q

    from agencies.models import Membership, User

    return User.objects.filter(
        Q(is_superuser=True) | Q(memberships__role=Membership.Role.ADMINISTRATOR, memberships__agency__parent__isnull=True),
        is_active=True,
    ).distinct()


def signing_certificate_check(*, today=None) -> int:
    """The daily look at the signing certificate, so that it is renewed before reports and final
    minutes start failing: administrators are notified when it expires within
    CERTIFICATE_WARNING_DAYS days (on the 30th and 14th day before, then each of the last 7), or when
    no signature can be made at all (no certificate, unreadable, wrong passphrase, expired).
    Returns how many people were notified."""
    from agencies.services import notifications_send

    today = today or timezone.localdate()
    try:
        description = configured_signer().describe()
    except SigningError as error:
        title, body = _("Reports and final minutes cannot be signed"), str(error)
    else:
        if description.not_after is None:
            return 0
        days_left = (timezone.localtime(description.not_after).date() - today).days
        if days_left > CERTIFICATE_WARNING_DAYS or (days_left > 7 and days_left not in (30, 14)):
            return 0
        title = _("The signing certificate expires in %(days)s days (%(date)s)") % {
            "days": days_left, "date": format_date(timezone.localtime(description.not_after).date())}
        body = _("Renew it before reports and final minutes fail (docs/operations.md, \"Signing certificate\").")
    people = list(administrators())
    notifications_send(users=people, title=title, body=body, url=reverse("report_list"))
    return len(people)


def documents_supersede(*, earlier_ids, later: IssuedDocument) -> None:
    """Earlier editions of a document (e.g. the minutes a correction replaces) point at the latest
    one, so that their verification page says a newer edition exists; they stay valid as issued.
    Called inside the transaction that issues ``later``."""
    IssuedDocument.objects.filter(pk__in=earlier_ids, state=IssuedDocument.State.ISSUED).exclude(pk=later.pk).update(superseded_by=later)


def document_not_issued(*, document_id, reason) -> None:
    """A reservation whose rendering finally failed: marked ``not_issued`` with the reason (an issued
    document is never changed)."""
    if document_id is None:
        return
    IssuedDocument.objects.filter(pk=document_id, state=IssuedDocument.State.RESERVED).update(
        state=IssuedDocument.State.NOT_ISSUED, not_issued_at=timezone.now(), not_issued_reason=str(reason)[:4000],
    )


def document_retry(*, document_id) -> None:
    """A failed rendering is tried again: its reservation (same code, same number) is pending again."""
    if document_id is None:
        return
    IssuedDocument.objects.filter(pk=document_id, state=IssuedDocument.State.NOT_ISSUED).update(
        state=IssuedDocument.State.RESERVED, not_issued_at=None, not_issued_reason="",
    )


# --- Verification of an uploaded copy ----------------------------------------------------------------


class Outcome:
    VALID = "valid"
    NOT_ISSUED_HERE = "not_issued_here"
    SIGNATURE_INVALID = "signature_invalid"


@dataclass(frozen=True)
class Verification:
    outcome: str
    sha256: str
    size: int
    reason: str = ""

    @property
    def is_valid(self):
        return self.outcome == Outcome.VALID


def verification_check_allowed(*, ip_address, now=None) -> bool:
    """Record one check of an uploaded copy from ``ip_address``; False when that address has
    checked VERIFICATION_CHECKS_PER_HOUR copies in the last hour already (the check is then not
    made). Rows older than a day are removed on the way."""
    now = now or timezone.now()
    VerificationCheck.objects.filter(checked_at__lt=now - timedelta(days=1)).delete()
    if ip_address is not None:
        recent = VerificationCheck.objects.filter(ip_address=ip_address, checked_at__gte=now - timedelta(hours=1)).count()
        if recent >= settings.VERIFICATION_CHECKS_PER_HOUR:
            return False
    VerificationCheck.objects.create(ip_address=ip_address)
    return True


def document_verify(*, document: IssuedDocument, upload) -> Verification:
    """Whether ``upload`` (an UploadedFile, already size-checked) is exactly the issued document with a
    valid signature: its SHA-256 equals the issued one AND its signature validates (intact, whole
    file, a certificate the portal trusts, at the time of issue). The file is hashed chunk by chunk
    and read whole (for the signature check) only when its hash is the issued one."""
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    sha = digest.hexdigest()
    if not secrets.compare_digest(sha, document.sha256):
        return Verification(Outcome.NOT_ISSUED_HERE, sha, size)
    try:
        roots = trust_roots()
    except Exception as error:  # the portal's own certificate is unreadable now: nothing can be vouched for
        return Verification(Outcome.SIGNATURE_INVALID, sha, size, _("The portal cannot load its trusted certificates (%(error)s).")
                            % {"error": type(error).__name__})
    upload.seek(0)
    check = signature_check(upload.read(), trust_roots=roots, moment=document.issued_at)
    if not check.valid:
        return Verification(Outcome.SIGNATURE_INVALID, sha, size, check.reason)
    return Verification(Outcome.VALID, sha, size)


def issued_document_get(*, code):
    """The issued document with this code, or None (reserved and not-issued ones are not public)."""
    return IssuedDocument.objects.filter(code=code, state=IssuedDocument.State.ISSUED).select_related("superseded_by").first()


__all__ = ["Outcome", "SigningError", "VerificationMark", "document_issued", "document_not_issued", "document_reserve",
           "document_retry", "document_sign", "document_verify", "documents_supersede", "issued_document_get",
           "signing_certificate_check", "verification_mark"]

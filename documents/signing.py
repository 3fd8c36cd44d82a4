"""The signing step, behind one small interface so that an agency can plug in another signer (the
national signing service, BSrE/BSSN) without touching reports or meetings.

A signer is any class named by the ``DOCUMENT_SIGNER`` setting (a dotted path; default
``documents.signing.Pkcs12Signer``) that, built without arguments, offers:

- ``sign(pdf: bytes, *, document) -> bytes``: the PDF with an embedded PAdES signature over the whole
  file (``document`` is the documents.IssuedDocument being issued: title, number, issuer, code).
  It raises ``SigningError`` (or anything) when no signature can be made; the caller then fails the
  rendering and publishes nothing.
- ``describe() -> SignerDescription``: what signs (shown on the verification page, stored with
  each document).
- ``trust_roots() -> list[bytes]``: DER certificates the verification page trusts for this
  signer's documents (``SIGNING_TRUST_ROOTS`` adds more, e.g. a renewed certificate's predecessor).

See docs/deployment.md, "Signed documents"."""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


def outside_event_loop(function, *args, **kwargs):
    """Call ``function`` here, or in a helper thread when this thread runs an asyncio event loop:
    pyHanko's synchronous API calls asyncio.run(), which refuses to run inside a running loop (an
    async server, a Playwright-driven test calling a service inline)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(function, *args, **kwargs).result()


class SigningError(Exception):
    """No signature can be made: the message says why, for the run's error and the operator."""


@dataclass(frozen=True)
class SignerDescription:
    name: str  # e.g. "PKCS#12 certificate"
    subject: str  # the signing certificate's subject, as text
    fingerprint: str  # SHA-256 of the certificate (DER), hex
    not_after: datetime.datetime | None = None

    @property
    def is_demo(self):
        return "DEMO" in self.subject


@runtime_checkable
class DocumentSigner(Protocol):
    def sign(self, pdf: bytes, *, document) -> bytes: ...

    def describe(self) -> SignerDescription: ...

    def trust_roots(self) -> list[bytes]: ...


def configured_signer() -> DocumentSigner:
    """The signer named by settings.DOCUMENT_SIGNER, built anew (a renewed certificate file is
    picked up without a restart)."""
    try:
        signer_class = import_string(settings.DOCUMENT_SIGNER)
    except ImportError as error:
        raise SigningError(_("The document signer %(path)s cannot be loaded: %(error)s")
                           % {"path": settings.DOCUMENT_SIGNER, "error": error}) from error
    return signer_class()


def extra_trust_roots() -> list[bytes]:
    """DER certificates from the files named in SIGNING_TRUST_ROOTS (PEM or DER, one or more per file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    found = []
    for name in settings.SIGNING_TRUST_ROOTS:
        data = Path(name).read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in data:
            found += [certificate.public_bytes(Encoding.DER) for certificate in x509.load_pem_x509_certificates(data)]
        else:
            found.append(x509.load_der_x509_certificate(data).public_bytes(Encoding.DER))
    return found


def _subject_text(certificate) -> str:
    return certificate.subject.rfc4514_string()


class Pkcs12Signer:
    """Signs with the office's certificate and key from a PKCS#12 file (SIGNING_PKCS12_PATH, its
    passphrase in SIGNING_PKCS12_PASSPHRASE): a PAdES baseline signature (pyHanko) over the whole file."""

    name = "PKCS#12"

    def __init__(self, path=None, passphrase=None):
        self.path = path if path is not None else settings.SIGNING_PKCS12_PATH
        self.passphrase = passphrase if passphrase is not None else settings.SIGNING_PKCS12_PASSPHRASE

    def _material(self, *, for_signing=True):
        """(private key, certificate, other certificates) from the file; SigningError with the reason.
        Only signing needs the certificate valid now (documents signed before it expired still verify)."""
        from cryptography.hazmat.primitives.serialization import pkcs12

        if not self.path:
            raise SigningError(_("No signing certificate is configured: set SIGNING_PKCS12_PATH and SIGNING_PKCS12_PASSPHRASE "
                                 "(see docs/deployment.md, \"Signed documents\")."))
        try:
            data = Path(self.path).read_bytes()
        except OSError as error:
            raise SigningError(_("The signing certificate file %(path)s cannot be read (%(error)s).")
                               % {"path": self.path, "error": error.strerror or error}) from error
        try:
            key, certificate, others = pkcs12.load_key_and_certificates(data, (self.passphrase or "").encode("utf-8") or None)
        except (ValueError, TypeError) as error:
            raise SigningError(_("The signing certificate %(path)s cannot be opened: wrong passphrase "
                                 "(SIGNING_PKCS12_PASSPHRASE) or not a PKCS#12 file.") % {"path": self.path}) from error
        if key is None or certificate is None:
            raise SigningError(_("The file %(path)s holds no private key with its certificate.") % {"path": self.path})
        now = datetime.datetime.now(datetime.timezone.utc)
        if not for_signing:
            return key, certificate, others or []
        if certificate.not_valid_after_utc < now:
            raise SigningError(_("The signing certificate expired on %(date)s: renew it (docs/operations.md).")
                               % {"date": certificate.not_valid_after_utc.strftime("%Y-%m-%d %H:%M UTC")})
        if certificate.not_valid_before_utc > now:
            raise SigningError(_("The signing certificate is valid only from %(date)s.")
                               % {"date": certificate.not_valid_before_utc.strftime("%Y-%m-%d %H:%M UTC")})
        return key, certificate, others or []

    def describe(self) -> SignerDescription:
        from cryptography.hazmat.primitives import hashes

        _key, certificate, _others = self._material()
        return SignerDescription(name=_("Certificate (PKCS#12)"), subject=_subject_text(certificate),
                                 fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
                                 not_after=certificate.not_valid_after_utc)

    def trust_roots(self) -> list[bytes]:
        """The certificate itself and the chain in the file (a self-signed office certificate is its
        own root; a CA-issued one brings its CA)."""
        from cryptography.hazmat.primitives.serialization import Encoding

        _key, certificate, others = self._material(for_signing=False)
        return [certificate.public_bytes(Encoding.DER)] + [other.public_bytes(Encoding.DER) for other in others]

    def sign(self, pdf: bytes, *, document) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        _key, certificate, _others = self._material()  # the reasons a signature cannot be made, said plainly
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(self.path), passphrase=(self.passphrase or "").encode("utf-8") or None)
        if signer is None:
            raise SigningError(_("pyHanko could not load the signing certificate %(path)s.") % {"path": self.path})
        metadata = signers.PdfSignatureMetadata(
            field_name="TandaTanganElektronik", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
            reason=f"{document.title} — {document.document_number}"[:300], location=document.issuer[:300],
            name=_subject_text(certificate)[:300],
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return outside_event_loop(lambda: signers.PdfSigner(metadata, signer=signer).sign_pdf(writer).getvalue())


# --- Verification -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    reason: str = ""
    signer_subject: str = ""


def signature_check(pdf: bytes, *, trust_roots: list[bytes], moment: datetime.datetime | None = None) -> SignatureCheck:
    """Whether ``pdf`` carries exactly one signature that is intact, cryptographically valid,
    covers the whole file and chains to one of ``trust_roots`` (DER), at ``moment`` (the time the
    portal issued it; now when None). Nothing is fetched from the network."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # not a PDF pyHanko can read
        return SignatureCheck(False, _("The file cannot be read as a PDF (%(error)s).") % {"error": type(error).__name__})
    if len(signatures) != 1:
        return SignatureCheck(False, _("The file carries %(count)s signatures instead of one.") % {"count": len(signatures)})
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der) for der in trust_roots], allow_fetching=False,
        moment=moment, revocation_mode="soft-fail",
    )
    try:
        status = outside_event_loop(validate_pdf_signature, signatures[0], context)
    except Exception as error:
        return SignatureCheck(False, _("The signature cannot be checked (%(error)s).") % {"error": type(error).__name__})
    subject = status.signing_cert.subject.human_friendly if status.signing_cert is not None else ""
    if not (status.intact and status.valid):
        return SignatureCheck(False, _("The signature does not match the file's content."), subject)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, _("The signature does not cover the whole file."), subject)
    if not status.trusted:
        return SignatureCheck(False, _("The signing certificate is not one the portal trusts."), subject)
    if not status.bottom_line:
        return SignatureCheck(False, _("The signature is not valid."), subject)
    return SignatureCheck(True, "", subject)


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()

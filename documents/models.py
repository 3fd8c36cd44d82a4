"""Documents the portal issues with an electronic signature (final minutes, maturity reports).

An IssuedDocument is reserved before its PDF is rendered — its random ``code`` is printed in the PDF
as the verification address and QR code — and becomes ``issued`` only in the transaction that
publishes the signed PDF, with that file's SHA-256. A reservation whose rendering or signature
finally fails is marked ``not_issued``; only issued documents are found by the public verification
page (``/verifikasi/<code>/``). Reports and minutes point at their IssuedDocument (data flows one
way: documents knows nothing of reports or meetings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Maturity report")
        MINUTES = "minutes", _("Final minutes")

    class State(models.TextChoices):
        RESERVED = "reserved", _("Reserved (being rendered and signed)")
        ISSUED = "issued", _("Issued")
        NOT_ISSUED = "not_issued", _("Not issued")

    code = models.CharField(_("verification code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RESERVED, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=300, help_text=_("The issuing office, as printed on the document."))
    issuer_agency = models.ForeignKey("agencies.Agency", verbose_name=_("issuing agency"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    document_number = models.CharField(_("document number"), max_length=120, blank=True)
    reserved_at = models.DateTimeField(_("reserved at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    signer = models.CharField(_("signed with"), max_length=200, blank=True, help_text=_("The signing service or certificate kind."))
    signer_subject = models.CharField(_("signer certificate subject"), max_length=500, blank=True)
    signer_fingerprint = models.CharField(_("signer certificate SHA-256 fingerprint"), max_length=64, blank=True)
    not_issued_at = models.DateTimeField(_("marked not issued at"), null=True, blank=True)
    not_issued_reason = models.TextField(_("why it was not issued"), blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("A later edition of the same document (corrected minutes): the verification page says so."),
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-reserved_at", "-pk"]

    def __str__(self):
        return f"{self.document_number or self.code} — {self.title}"

    @property
    def is_issued(self):
        return self.state == self.State.ISSUED


class VerificationCheck(models.Model):
    """One uploaded copy checked on the public verification page, by client address, kept a day to
    limit how many checks one address can ask for (documents.services.verification_check_allowed).
    Nothing of the file is kept."""

    ip_address = models.GenericIPAddressField(_("address"), null=True)
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("verification check")
        verbose_name_plural = _("verification checks")
        indexes = [models.Index(fields=["ip_address", "checked_at"], name="verification_check_address")]

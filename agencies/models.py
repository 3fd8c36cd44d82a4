"""Who: the province → regency/city → unit (OPD) tree, people, and their roles per agency.

Who may see or change what is answered in one place, ``agencies.access``; these models only hold
the facts it reads.
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

agency_code_validator = RegexValidator(
    r"^\d{2}(\.\d{2}(\.[0-9A-Za-z]{1,8})?)?$",
    _("An agency code looks like 17 (province), 17.02 (regency or city) or 17.02.01 (unit)."),
)


class User(AbstractUser):
    """A person who logs in. Names in Indonesia are often a single word, so one full-name field
    replaces the first/last pair for display."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True, help_text=_("Jabatan, e.g. Kepala Bidang Aplikasi Informatika."))
    employee_number = models.CharField(
        _("employee number (NIP)"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^\d{18}$", _("A NIP has 18 digits."))],
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The single sign-on provider's subject ("sub") for this person, remembered at their first
    # sign-in through it (agencies.sso); later sign-ins match by it. Never set by signing in alone
    # on an account that holds another one.
    oidc_subject = models.CharField(
        _("single sign-on subject"), max_length=255, null=True, blank=True, unique=True, editable=False,
        help_text=_("The identity provider's subject identifier, remembered at the first single sign-on."),
    )
    review_digest = models.BooleanField(
        _("daily digest of submissions"),
        default=False,
        help_text=_("Reviewers: one e-mail and notification a day listing new submissions, instead of one per submission."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def __str__(self):
        return self.get_full_name()


class AgencyQuerySet(models.QuerySet):
    def for_user(self, user):
        """The agencies ``user`` may see (see agencies.access.visible_agencies)."""
        from .access import visible_agency_filter

        return self.filter(visible_agency_filter(user))

    def regional_governments(self):
        return self.filter(kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY])


class Agency(models.Model):
    """A government agency (instansi): the province, a regency or city, or a unit (OPD) of one."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency")
        CITY = "city", _("City")
        UNIT = "unit", _("Unit (OPD)")

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, help_text=_("Used in tables and charts, e.g. Rejang Lebong."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of codes ("17/17.02/"), kept by agencies.services; scope checks and
    # subtree queries use it so that none of them walks the tree one query per level.
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def depth(self):
        return self.path.count("/") - 1

    def is_within(self, other):
        """True when this agency is ``other`` or below it."""
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A person's role in an agency. The role reaches the agency and every agency below it."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        REVIEWER = "reviewer", _("Provincial reviewer")
        OFFICER = "officer", _("Regency officer")
        LEADERSHIP = "leadership", _("Leadership (read-only)")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency__path", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_membership_role")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.agency.short_name}"


class Notification(models.Model):
    """An in-app message for one person (the bell), created by a Celery task after the change
    that caused it was committed; the same task sends it by e-mail."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class ApiToken(models.Model):
    """A key for the read-only JSON API, acting as its user (with that user's scope). Only a hash
    of the key is stored; the key is shown once, when an administrator creates it."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it, e.g. Portal Satu Data Bengkulu."))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


def letterhead_logo_path(instance, filename):
    """Private (MEDIA_ROOT has no URL): the logo is embedded into PDFs, never linked."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"letterheads/{uuid.uuid4().hex}.{suffix}"


nip_validator = RegexValidator(r"^\d{18}$", _("A NIP has 18 digits."))


class Letterhead(models.Model):
    """The letterhead (kop surat) an office prints on the reports and minutes it issues, with its
    document-number format and the head of office who signs. Edited by administrators in the
    admin; an agency without one uses the nearest one above it, else ``agencies.letterheads.DEFAULT``."""

    agency = models.OneToOneField(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="letterhead")
    government = models.CharField(_("government line"), max_length=150, help_text=_("e.g. PEMERINTAH PROVINSI BENGKULU"))
    office = models.CharField(_("office line"), max_length=200, help_text=_("e.g. DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK"))
    address = models.CharField(_("address"), max_length=250)
    city = models.CharField(_("city"), max_length=80, default="Bengkulu", help_text=_("Printed before the date of signing."))
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.CharField(_("e-mail"), max_length=120, blank=True)
    website = models.CharField(_("website"), max_length=120, blank=True)
    logo = models.FileField(
        _("logo"), upload_to=letterhead_logo_path, blank=True, max_length=255,
        help_text=_("PNG or JPEG, at most 1 MB. Stored privately and embedded into the PDFs."),
    )
    number_format = models.CharField(
        _("document number format"), max_length=100, default="000.5/{seq}/Diskominfotik/{year}",
        help_text=_("{seq} is the running number of the year, {year} the year, e.g. 000.5/{seq}/Diskominfotik/{year}."),
    )
    head_name = models.CharField(_("name of the head of office"), max_length=150, blank=True)
    head_position = models.CharField(_("position of the head of office"), max_length=200, blank=True)
    head_nip = models.CharField(_("NIP of the head of office"), max_length=18, blank=True, validators=[nip_validator])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self):
        return f"{self.office} ({self.agency.short_name})"


class DocumentNumber(models.Model):
    """The register (buku agenda) of numbers an office gave its documents: one running number per
    issuing agency and year, never reused. Reports and minutes keep their number as text too."""

    issuer = models.ForeignKey(Agency, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="document_numbers")
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("running number"))
    number = models.CharField(_("number"), max_length=120, unique=True)
    kind = models.CharField(_("document"), max_length=60)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "sequence"], name="unique_document_sequence")]

    def __str__(self):
        return self.number


class PasswordResetRequest(models.Model):
    """One request of the password-reset page, kept an hour or so to limit how many e-mails an
    address or a mailbox can cause (agencies.services.password_reset_request_record). The e-mail
    is stored only as a hash: the page is open to anyone and may be given any address."""

    ip_address = models.GenericIPAddressField(_("address"), null=True)
    email_hash = models.CharField(_("e-mail (hash)"), max_length=64, db_index=True)
    sent = models.BooleanField(_("e-mail allowed"), default=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [models.Index(fields=["ip_address", "created_at"], name="pwreset_address_time")]

    def __str__(self):
        return f"{self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"


class OutgoingEmail(models.Model):
    """An e-mail on its way out (the outbox). Written in the transaction of the change that
    causes it, then sent by a worker; if the broker could not take it, the outbox flush (every
    minute, sending directly through the mail backend) sends it once the broker is back."""

    recipient = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    html_body = models.TextField(_("HTML message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outgoing_email_unsent")]

    def __str__(self):
        return f"{self.recipient}: {self.subject}"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    SSO = "sso", _("Single sign-on")


class SignInRecord(models.Model):
    """One attempt to sign in to an existing account, kept for the person's own record (UU 27/2022)
    and for the administrators; purged after ``PERSONAL_LOG_RETENTION_DAYS``."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="sign_in_records")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    method = models.CharField(_("method"), max_length=10, choices=SignInMethod.choices, default=SignInMethod.PASSWORD)
    second_factor = models.BooleanField(_("two-step code"), default=False, help_text=_("The attempt was the code step of two-step sign-in."))

    class Meta:
        verbose_name = _("sign-in record")
        verbose_name_plural = _("sign-in records")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


class AccessLogEntry(models.Model):
    """A sign-in or a sensitive action (role change, token creation, another agency's evidence
    downloaded by the province, a person anonymised): who, when, from where, on what, and why."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Wrong password")
        SSO_SIGN_IN = "sso_sign_in", _("Signed in through single sign-on")
        SSO_REFUSED = "sso_refused", _("Single sign-on refused")
        SSO_UNLINKED = "sso_unlinked", _("Single sign-on identity unlinked")
        MEMBERSHIP_CHANGED = "membership_changed", _("Role changed")
        TOKEN_CREATED = "token_created", _("API token created")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence of another agency downloaded")
        PERSON_ANONYMISED = "person_anonymised", _("Person anonymised")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong two-step sign-in code")
        SECOND_FACTOR_ENABLED = "second_factor_enabled", _("Two-step sign-in set up")
        SECOND_FACTOR_DISABLED = "second_factor_disabled", _("Two-step sign-in turned off")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Two-step sign-in reset by an administrator")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes made")
        RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="access_log_entries"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    object_description = models.CharField(_("object"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_description}"

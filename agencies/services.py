"""Writes to the agency tree and memberships. Each function is one transaction."""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Agency, Membership, PasswordResetRequest, User

DEFAULT_TREE_FILE = Path(__file__).resolve().parent / "data" / "bengkulu.json"

ALLOWED_PARENT_KINDS = {
    Agency.Kind.PROVINCE: {None},
    Agency.Kind.REGENCY: {Agency.Kind.PROVINCE},
    Agency.Kind.CITY: {Agency.Kind.PROVINCE},
    Agency.Kind.UNIT: {Agency.Kind.REGENCY, Agency.Kind.CITY, Agency.Kind.PROVINCE},
}


def agency_validate_placement(agency):
    parent_kind = agency.parent.kind if agency.parent_id else None
    if parent_kind not in ALLOWED_PARENT_KINDS[agency.kind]:
        raise ValidationError(
            {"parent": _("A %(kind)s cannot be placed under %(parent)s.") % {
                "kind": agency.get_kind_display(),
                "parent": agency.parent.get_kind_display() if agency.parent_id else _("nothing"),
            }}
        )
    if agency.pk and agency.parent_id and agency.parent.is_within(agency) and agency.path:
        raise ValidationError({"parent": _("An agency cannot be placed under itself or its own units.")})


@transaction.atomic
def agency_save(*, agency):
    """Validate and save ``agency``, keeping its tree path and those of all agencies below it."""
    old_path = None
    if agency.pk:
        old_path = Agency.objects.filter(pk=agency.pk).values_list("path", flat=True).first()
    agency_validate_placement(agency)
    agency.full_clean(exclude=["path"])
    agency.path = (agency.parent.path if agency.parent_id else "") + agency.code + "/"
    agency.save()
    if old_path and old_path != agency.path:
        for below in Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk).order_by("path"):
            below.path = agency.path + below.path[len(old_path):]
            below.save(update_fields=["path"])
    return agency


@transaction.atomic
def agency_tree_load(*, records):
    """Create or update agencies from ``records`` (dicts with code, name, short_name, kind and
    parent code), parents before children. Loading the same records twice changes nothing.
    Returns (created, updated) counts."""
    created = updated = 0
    by_code = {a.code: a for a in Agency.objects.all()}
    for index, record in enumerate(sorted(records, key=lambda r: r["code"].count("."))):
        missing = [key for key in ("code", "name", "short_name", "kind") if not record.get(key)]
        if missing:
            raise ValidationError(_("Record %(index)s lacks %(fields)s.") % {"index": index + 1, "fields": ", ".join(missing)})
        parent_code = record.get("parent")
        if parent_code and parent_code not in by_code:
            raise ValidationError(_("Agency %(code)s names an unknown parent %(parent)s.") % {"code": record["code"], "parent": parent_code})
        agency = by_code.get(record["code"]) or Agency(code=record["code"])
        fields = {
            "name": record["name"],
            "short_name": record["short_name"],
            "kind": record["kind"],
            "parent": by_code[parent_code] if parent_code else None,
        }
        if agency.pk and all(getattr(agency, key) == value for key, value in fields.items()):
            continue
        is_new = agency.pk is None
        for key, value in fields.items():
            setattr(agency, key, value)
        agency_save(agency=agency)
        by_code[agency.code] = agency
        created += is_new
        updated += not is_new
    return created, updated


def agency_tree_load_file(*, path=DEFAULT_TREE_FILE):
    with open(path, encoding="utf-8") as handle:
        return agency_tree_load(records=json.load(handle)["agencies"])


def membership_validate(*, agency, role):
    """The rule of roles and levels: the administrator role exists only on the province (it
    administers the whole portal, so it cannot be scoped to a regency)."""
    if role == Membership.Role.ADMINISTRATOR and agency is not None and agency.parent_id is not None:
        raise ValidationError(
            {"role": _("The administrator role can only be granted on the province (%(agency)s is not the province).") % {"agency": agency.short_name}}
        )


@transaction.atomic
def membership_grant(*, user, agency, role):
    membership_validate(agency=agency, role=role)
    membership, _created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return membership


@transaction.atomic
def user_create(*, username, full_name, email="", position="", password=None, is_superuser=False):
    user = User(username=username, full_name=full_name, email=email, position=position, is_superuser=is_superuser, is_staff=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def api_token_create(*, user, name, by=None, ip_address=None):
    """A new API token for ``user``; returns (token, key). The key is not stored, only its hash.
    Written to the access log (by ``by``, the administrator creating it)."""
    import hashlib
    import secrets

    from .models import AccessLogEntry, ApiToken

    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hashlib.sha256(key.encode()).hexdigest())
    access_log_write(
        actor=by, action=AccessLogEntry.Action.TOKEN_CREATED, object_description=f"{name} ({token.prefix}…) — {user.username}", ip_address=ip_address
    )
    return token, key


def api_token_authenticate(*, key):
    """The active token whose key this is, with its user, or None."""
    import hashlib

    from django.utils import timezone

    from .models import ApiToken

    if not key:
        return None
    token = ApiToken.objects.select_related("user").filter(
        key_hash=hashlib.sha256(key.encode()).hexdigest(), is_active=True, user__is_active=True
    ).first()
    if token is not None and (token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 300):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def notifications_send(*, users, title, body="", url="", email_body=None):
    """Notify people: the in-app notifications (the bell) and their e-mails (the outbox) are
    written in the caller's transaction, so they exist exactly when the change does; a worker is
    asked to send the e-mails after the commit. A broker outage costs a few seconds at most, never
    the change nor the e-mails (see ``emails_queue``). ``email_body``, when given, is the whole
    e-mail text (with its own links) instead of the body followed by the link."""
    from django.conf import settings as django_settings

    from .models import Notification

    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return 0
    Notification.objects.bulk_create([Notification(user=user, title=title, body=body, url=url) for user in recipients.values()])
    addresses = [user.email for user in recipients.values() if user.email]
    if addresses:
        text = email_body if email_body is not None else f"{body}\n\n{django_settings.PORTAL_BASE_URL}{url}"
        text = f"{text}\n\nDiskominfotik Provinsi Bengkulu".strip()
        emails_queue(recipients=addresses, subject=title, body=text)
    return len(recipients)


# --- E-mail (the outbox) ----------------------------------------------------------------------------

OUTBOX_GRACE = 60  # seconds a queued e-mail is left to the worker before the flush sends it itself
OUTBOX_MAX_ATTEMPTS = 10


def emails_queue(*, recipients, subject, body, html_body="", in_background=False):
    """Keep one e-mail per recipient in the outbox (in the caller's transaction) and, after the
    commit, ask a worker to send them. If the broker cannot take them (it gives up within
    CELERY_BROKER_CONNECTION_TIMEOUT seconds), they stay in the outbox and ``outbox_flush`` sends
    them when it runs again. ``in_background`` asks from a thread, so the request takes the same
    time whether or not the broker answers (the password reset: nothing to learn from its timing).
    Returns the outbox rows."""
    from .models import OutgoingEmail

    with transaction.atomic():
        emails = [OutgoingEmail.objects.create(recipient=address, subject=subject[:300], body=body, html_body=html_body or "")
                  for address in recipients]
    ids = [email.pk for email in emails]
    transaction.on_commit(lambda: _dispatch_emails(ids, in_background=in_background))
    return emails


def _dispatch_emails(ids, *, in_background=False):
    import logging
    import threading

    from .tasks import send_outgoing_email

    def ask():
        for email_id in ids:
            try:
                send_outgoing_email.apply_async(args=[email_id])
            except Exception as error:  # kombu/redis raise several types when the broker is down
                logging.getLogger(__name__).warning(
                    "E-mails %s stay in the outbox: the broker did not take them (%s).", ids, error)
                return  # the others would wait for the same dead broker; the flush sends them all

    if in_background and not send_outgoing_email.app.conf.task_always_eager:
        threading.Thread(target=ask, name="outbox-dispatch", daemon=True).start()
    else:
        ask()


def outgoing_email_send(*, email_id):
    """Send one outbox e-mail through the mail backend, unless it was sent already or another
    process is sending it (its row is locked). Returns True when sent now. A failure is counted
    and kept (``last_error``); the flush tries again."""
    from django.conf import settings as django_settings
    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    from .models import OutgoingEmail

    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id, sent_at__isnull=True).first()
        if email is None:
            return False
        message = EmailMultiAlternatives(email.subject, email.body, django_settings.DEFAULT_FROM_EMAIL, [email.recipient])
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as error:  # the mail server is down or refuses: kept for the next flush
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.save(update_fields=["attempts", "last_error"])
            return False
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "sent_at"])
        return True


def outbox_flush(*, now=None, limit=500):
    """Every minute (beat): send the outbox e-mails no worker sent — the broker did not take them,
    or the mail server failed — directly through the mail backend. Rows younger than OUTBOX_GRACE
    seconds are left to the worker they were sent to. Returns the number sent."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import OutgoingEmail

    now = now or timezone.now()
    waiting = OutgoingEmail.objects.filter(
        sent_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS, created_at__lte=now - timedelta(seconds=OUTBOX_GRACE)
    ).order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    return sum(outgoing_email_send(email_id=email_id) for email_id in list(waiting))


@transaction.atomic
def user_preferences_update(*, user, review_digest):
    """The user's own settings: whether submissions reach them as one daily digest."""
    user.review_digest = bool(review_digest)
    user.save(update_fields=["review_digest"])
    return user


@transaction.atomic
def document_number_issue(*, heading, kind, today=None):
    """The next number in the issuing office's register for the year (``heading`` from
    ``selectors.issuing_office``), recorded as a DocumentNumber. The issuer's row is locked so two
    documents issued at once get different numbers; the unique constraints back that up."""
    from django.db.models import Max
    from django.utils import timezone

    from .letterheads import format_number
    from .models import DocumentNumber

    year = (today or timezone.localdate()).year
    Agency.objects.select_for_update().filter(pk=heading.issuer.pk).first()
    last = DocumentNumber.objects.filter(issuer=heading.issuer, year=year).aggregate(last=Max("sequence"))["last"] or 0
    sequence = last + 1
    return DocumentNumber.objects.create(
        issuer=heading.issuer, year=year, sequence=sequence, kind=kind,
        number=format_number(heading.number_format, sequence=sequence, year=year),
    )


@transaction.atomic
def login_lock_lift(*, attempts):
    """Lift the failed-login locks of ``attempts`` (axes AccessAttempt rows): the pair and, since
    its failures no longer count, its share of the address limit. Returns how many were lifted.
    The caller records who lifted them (the admin's change history)."""
    count, _deleted = attempts.delete()
    return count


@transaction.atomic
def password_reset_request_record(*, ip_address, email):
    """Record one request of the password-reset page; True if it may send e-mail: at most
    ``PASSWORD_RESET_LIMIT`` e-mails an hour per client address and per e-mail address."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    email_hash = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    recent = PasswordResetRequest.objects.filter(created_at__gte=now - timedelta(hours=1), sent=True)
    limit = settings.PASSWORD_RESET_LIMIT
    allowed = (
        recent.filter(email_hash=email_hash).count() < limit
        and (ip_address is None or recent.filter(ip_address=ip_address).count() < limit)
    )
    PasswordResetRequest.objects.create(ip_address=ip_address, email_hash=email_hash, sent=allowed)
    return allowed


def sign_in_record(*, username, ip_address, succeeded, second_factor=False, method=None):
    """Record an attempt to sign in as ``username``; nothing for a user name with no account (an
    unknown name is not personal data of anyone here). ``second_factor``: the attempt was the code
    step of two-step sign-in (agencies.second_factor), whose wrong codes the access log names
    itself. ``method``: how the first factor was given (a password unless said; the code step after
    a single sign-on says single sign-on). The single sign-on itself, and its refusals, are recorded
    by agencies.sso.sso_sign_in_record."""
    from .models import AccessLogEntry, SignInMethod, SignInRecord

    method = method or SignInMethod.PASSWORD
    user = User.objects.filter(username=username).only("pk", "username").first()
    if user is None:
        return None
    if succeeded or not second_factor:
        if succeeded:
            action = AccessLogEntry.Action.SSO_SIGN_IN if method == SignInMethod.SSO else AccessLogEntry.Action.SIGN_IN
        else:
            action = AccessLogEntry.Action.SIGN_IN_FAILED
        access_log_write(actor=user, action=action, object_description=user.username, ip_address=ip_address)
    return SignInRecord.objects.create(user=user, ip_address=ip_address, succeeded=succeeded, second_factor=second_factor, method=method)


def access_log_write(*, actor, action, object_description="", reason="", ip_address=None):
    """One line of the access log (agencies.models.AccessLogEntry)."""
    from .models import AccessLogEntry

    return AccessLogEntry.objects.create(
        actor=actor, action=action, object_description=object_description[:300], reason=reason[:300], ip_address=ip_address
    )


def _event_notes_rename(*, old, new):
    """Replace a person's name written into the notes of events (e.g. "Person in charge assigned:
    Siti Aminah") by their anonymous name: one UPDATE per event model, rows and links untouched."""
    from django.apps import apps
    from django.db.models import Value
    from django.db.models.functions import Replace

    if len(old.strip()) < 3:
        return
    for model in apps.get_models():
        if model.__name__.endswith("Event") and any(field.name == "note" for field in model._meta.concrete_fields):
            model.objects.filter(note__contains=old).update(note=Replace("note", Value(old), Value(new)))


def anonymous_name(*, user):
    """The name a departed person keeps in the history: "Petugas <agency code of their first
    membership> #<account number>" (e.g. "Petugas 17.02 #12")."""
    first = Membership.objects.filter(user=user).select_related("agency").order_by("created_at", "pk").first()
    return f"Petugas {first.agency.code} #{user.pk}" if first else f"Petugas #{user.pk}"


@transaction.atomic
def person_anonymise(*, user, by, reason, ip_address=None):
    """A departed person: the account is deactivated and every item of personal data removed (name,
    user name, e-mail, phone, NIP, position, sign-in history, API tokens); their events, items,
    indices and follow-ups keep pointing at the same account, now named e.g. "Petugas 17.02 #12".
    Their two-step sign-in devices (authenticator key, recovery codes) are deleted. Recorded in the
    access log (who, when, why)."""
    from .models import AccessLogEntry, SignInRecord
    from .second_factor import devices_remove

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person is anonymised (e.g. moved to another office).")})
    if user.pk == by.pk:
        raise ValidationError(_("You cannot anonymise your own account."))
    name = anonymous_name(user=user)
    _event_notes_rename(old=user.get_full_name(), new=name)
    user.full_name = name
    user.first_name = user.last_name = ""
    user.username = f"petugas-{user.pk}"
    user.email = user.phone = user.employee_number = user.position = ""
    user.oidc_subject = None
    user.is_active = user.is_staff = user.is_superuser = False
    user.review_digest = False
    user.set_unusable_password()
    user.save()
    SignInRecord.objects.filter(user=user).delete()
    user.api_tokens.update(is_active=False)
    devices_remove(user=user)
    access_log_write(actor=by, action=AccessLogEntry.Action.PERSON_ANONYMISED, object_description=name, reason=reason, ip_address=ip_address)
    return user


def membership_change_log(*, by, membership, change, ip_address=None):
    """A role granted, changed or removed (``change``: "granted", "changed", "removed"), to the access log."""
    from .models import AccessLogEntry

    description = f"{change}: {membership.user.username} — {membership.get_role_display()} {membership.agency.code}"
    return access_log_write(actor=by, action=AccessLogEntry.Action.MEMBERSHIP_CHANGED, object_description=description, ip_address=ip_address)


def evidence_download_log(*, user, agency, description, ip_address=None):
    """The province's staff downloading the evidence of an agency they hold no membership in is
    written to the access log; an agency's own people downloading theirs is not."""
    from .access import is_provincial_staff, memberships_of
    from .models import AccessLogEntry

    if not is_provincial_staff(user) or any(m.agency_id == agency.pk for m in memberships_of(user)):
        return None
    return access_log_write(
        actor=user, action=AccessLogEntry.Action.EVIDENCE_DOWNLOADED, object_description=f"{agency.code}: {description}", ip_address=ip_address
    )


PERSONAL_LOG_RETENTION_DAYS = 365


def personal_logs_purge(*, now=None):
    """Delete sign-in records and access log entries older than one year (docs/operations.md,
    "Personal data"); the record of an anonymisation is kept. Returns how many rows went."""
    from .models import AccessLogEntry, SignInRecord

    cutoff = (now or timezone.now()) - timedelta(days=PERSONAL_LOG_RETENTION_DAYS)
    sign_ins, _detail = SignInRecord.objects.filter(at__lt=cutoff).delete()
    entries, _detail = AccessLogEntry.objects.filter(at__lt=cutoff).exclude(action=AccessLogEntry.Action.PERSON_ANONYMISED).delete()
    return sign_ins + entries

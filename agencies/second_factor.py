"""Two-step sign-in: after the password (or single sign-on), a code from an authenticator app
(TOTP, RFC 6238: 30 s, 6 digits) or a one-time recovery code. Built on django-otp: a person's
authenticator is a ``TOTPDevice`` and their recovery codes the tokens of a ``StaticDevice``.

The rules, in one place:

* who must use it: people holding a role named in ``SECOND_FACTOR_REQUIRED_ROLES`` (superusers
  count as administrators); anyone else may turn it on for themselves;
* what a signed-in session still owes (``STEP_*``), decided at every sign-in and kept in the
  session; ``agencies.second_factor_views.SecondFactorMiddleware`` holds the person at the code
  page or the set-up page until it is paid;
* a wrong code counts as a failed sign-in of the pair (user name, address) in django-axes, and a
  locked pair is refused the code step too; a code is accepted once (django-otp's ``last_t``);
* recovery codes are shown once and stored only as keyed hashes (HMAC-SHA256 with the
  SECRET_KEY); each works once; making new ones voids the old;
* turning it on or off, new recovery codes, a recovery code used, a wrong code and an
  administrator's reset are written to the access log.
"""

import base64
import hmac
import secrets
from hashlib import sha256

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access

SESSION_KEY = "spbe_second_factor"
SETUP_SESSION_KEY = "spbe_second_factor_setup"  # the id of the unconfirmed authenticator this session set up
SSO_BACKEND = "agencies.backends.SingleSignOnBackend"
STEP_NONE = "none"  # no second factor on the account and none required
STEP_VERIFY = "verify"  # the account has one: the code is still owed
STEP_SETUP = "setup"  # required, and the account has none yet: set it up first
STEP_DONE = "done"  # the code was given (or the factor set up) in this session
OPEN_STEPS = (STEP_NONE, STEP_DONE)

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
DEVICE_NAME = "authenticator"


# --- Who must use it -------------------------------------------------------------------------------

def required_roles():
    return frozenset(settings.SECOND_FACTOR_REQUIRED_ROLES)


def is_required(user):
    """Must ``user`` sign in with a second factor? (A role named in SECOND_FACTOR_REQUIRED_ROLES.)"""
    roles = required_roles()
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    if access.Role.ADMINISTRATOR in roles and access.is_administrator(user):
        return True
    return any(m.role in roles for m in access.memberships_of(user))


def authenticator_of(user, *, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def is_enabled(user):
    """Has ``user`` a confirmed authenticator?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _authenticator_on(user):
    """``is_enabled`` for the signed-in user of this request: read with the user itself when the
    session's backend loaded it (agencies.backends), else asked of the database."""
    known = getattr(user, "_spbe_authenticator_on", None)
    return is_enabled(user) if known is None else known


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def status(user):
    """What the account page and the personal-data page show: on or off, since when, codes left.
    Never the key nor a code."""
    device = authenticator_of(user)
    return {
        "enabled": device is not None,
        "since": device.created_at if device is not None else None,
        "required": is_required(user),
        "recovery_codes_left": recovery_codes_left(user) if device is not None else 0,
    }


# --- What a session still owes -------------------------------------------------------------------

def step_after_sign_in(user):
    """The step a session starts with right after the first factor."""
    if is_enabled(user):
        return STEP_VERIFY
    if is_required(user):
        return STEP_SETUP
    return STEP_NONE


def session_step(request):
    """The session's step, checked against the account on every request: a session that passed
    keeps STEP_DONE while its device lasts (an administrator's reset ends it); any other step is
    what the account owes now, so that a role granted mid-session or an authenticator set up in
    another browser brings the gate, and a reset at the code step stops asking for codes (set-up
    if required, else nothing). Costs no query of its own in the common case: whether the account
    has an authenticator comes with the user (agencies.backends), its roles from the memberships
    the page reads anyway (agencies.access.memberships_of)."""
    user = request.user
    stored = request.session.get(SESSION_KEY)
    if stored == STEP_DONE and user.is_verified():
        return STEP_DONE
    if _authenticator_on(user):
        step = STEP_VERIFY
    else:
        step = STEP_SETUP if is_required(user) else STEP_NONE
    if step != stored:
        request.session[SESSION_KEY] = step
    return step


def on_sign_in(*, request, user):
    """Every sign-in (``user_logged_in``): a fresh session owes the second factor again."""
    if request is None or not hasattr(request, "session"):
        return
    if not hasattr(user, "otp_device"):
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_KEY] = step_for_request(request, user)


def sign_in_method(request):
    """How this session's first factor was given: single sign-on or a password (the backend
    django's login() recorded in the session)."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    from .models import SignInMethod

    session = getattr(request, "session", None)
    backend = session.get(BACKEND_SESSION_KEY) if session is not None else None
    return SignInMethod.SSO if backend == SSO_BACKEND else SignInMethod.PASSWORD


def step_for_request(request, user):
    """``step_after_sign_in``, worked out once per request (django-axes asks too)."""
    cached = getattr(request, "_spbe_second_factor_step", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, step_after_sign_in(user))
        request._spbe_second_factor_step = cached
    return cached[1]


def _session_passed(request, device):
    otp_login(request, device)
    request.session[SESSION_KEY] = STEP_DONE


# --- Lockout -------------------------------------------------------------------------------------

def _credentials(user):
    return {"username": user.get_username()}


def is_locked(request, user):
    """Is the pair (this user name, this address) locked by django-axes?"""
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def _count_failure(request, user):
    """A wrong code: a failed sign-in of the pair for django-axes (which may lock it, and then
    shows the lockout page), the person's sign-in history and the access log."""
    from django.contrib.auth.signals import user_login_failed

    from .lockouts import client_address
    from .services import sign_in_record

    sign_in_record(username=user.get_username(), ip_address=client_address(request), succeeded=False, second_factor=True,
                   method=sign_in_method(request))
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)


def _count_success(request, user):
    """Both factors passed: the sign-in is complete (history, and django-axes forgets the pair's
    failures, as after a password when no second factor is owed)."""
    from axes.handlers.proxy import AxesProxyHandler

    from .lockouts import client_address
    from .services import sign_in_record

    sign_in_record(username=user.get_username(), ip_address=client_address(request), succeeded=True, second_factor=True,
                   method=sign_in_method(request))
    request.spbe_second_factor_passed = True
    AxesProxyHandler.user_logged_in(sender=__name__, request=request, user=user)


# --- Codes ---------------------------------------------------------------------------------------

def _normalise(code):
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _is_totp_shaped(code):
    return len(code) == 6 and code.isdigit()


def recovery_hash(code, *, secret=None):
    """What is stored of a recovery code: the first 16 hex digits of HMAC-SHA256 keyed by the
    SECRET_KEY (django-otp keeps a token in 16 characters)."""
    key = (secret or settings.SECRET_KEY).encode()
    return hmac.new(key, b"spbe-recovery-code:" + _normalise(code).encode(), sha256).hexdigest()[:16]


def _recovery_hashes(code):
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_hash(code, secret=secret) for secret in secrets_]


def _new_recovery_code():
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_codes_replace(user):
    """New recovery codes for ``user`` (the old ones void); returns them in clear, once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_hash(code)) for code in codes])
    return codes


def verify(*, request, code):
    """The code step. Returns ``(ok, recovery_used)``. A locked pair is refused before the code is
    looked at (the caller shows the lockout page); a wrong code counts as a failed sign-in."""
    from .models import AccessLogEntry
    from .lockouts import client_address
    from .services import access_log_write

    user = request.user
    code = _normalise(code)
    with transaction.atomic():
        device, recovery_used = None, False
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        if totp is not None and _is_totp_shaped(code):
            device = totp if totp.verify_token(code) else None
        elif totp is not None and code:
            static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if static is not None:
                # One verification per attempt (django-otp throttles each miss), with the hash that
                # matches under the current or an older SECRET_KEY, if any.
                hashes = _recovery_hashes(code)
                stored = static.token_set.filter(token__in=hashes).values_list("token", flat=True).first()
                if static.verify_token(stored or hashes[0]):
                    device, recovery_used = static, True
    if device is None:
        access_log_write(actor=user, action=AccessLogEntry.Action.SECOND_FACTOR_FAILED, object_description=user.username,
                         ip_address=client_address(request))
        _count_failure(request, user)
        return False, False
    if recovery_used:
        access_log_write(actor=user, action=AccessLogEntry.Action.RECOVERY_CODE_USED, object_description=user.username,
                         ip_address=client_address(request))
    _session_passed(request, device)
    _count_success(request, user)
    return True, recovery_used


# --- Setting it up, turning it off, new recovery codes, reset ---------------------------------------

def setup_allowed(request):
    """A person may set up an authenticator when the account has none, or when this session has
    already passed the second factor (to move to a new phone): never in place of the code."""
    return not is_enabled(request.user) or request.user.is_verified()


def _session_setup_device(request, *, lock=False):
    """The unconfirmed authenticator this session began setting up, if it is still there."""
    device_id = request.session.get(SETUP_SESSION_KEY)
    if not isinstance(device_id, int):
        return None
    devices = TOTPDevice.objects.select_for_update() if lock else TOTPDevice.objects
    return devices.filter(user=request.user, confirmed=False, pk=device_id).first()


@transaction.atomic
def setup_begin(*, request):
    """The unconfirmed authenticator being set up, bound to this session: the same one until it is
    confirmed (reloading the page does not change the key), and a fresh one in any other session,
    which voids every earlier unconfirmed one. A key seen by someone who had only the password and
    signed out is thus never the one the person confirms."""
    device = _session_setup_device(request)
    if device is None:
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
        request.session[SETUP_SESSION_KEY] = device.pk
    return device


def setup_details(device):
    """What the set-up page shows: the otpauth:// URI as a QR code (an SVG data URI, drawn on
    the server) and the key in groups of four for typing by hand."""
    import segno

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url
    qr = segno.make(uri, error="m")
    return {
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff"),
        "key": key,
        "key_grouped": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
        "uri": uri,
        "account": user_label(device.user),
        "issuer": settings.OTP_TOTP_ISSUER,
    }


def user_label(user):
    return user.get_username()


def setup_confirm(*, request, code, password=None):
    """Confirm the authenticator being set up with its current code: it replaces any earlier one,
    new recovery codes are made (returned in clear, to show once), and the session has passed.
    Replacing an existing authenticator needs the password again."""
    from .lockouts import client_address
    from .models import AccessLogEntry
    from .services import access_log_write

    user = request.user
    replacing = is_enabled(user)
    if replacing:
        _reconfirm(request, password)
    with transaction.atomic():
        device = _session_setup_device(request, lock=True)
        if device is None:
            raise ValidationError({"code": _("The set-up has expired. Open the page again.")})
        if not _is_totp_shaped(_normalise(code)) or not device.verify_token(_normalise(code)):
            raise ValidationError({"code": _("That code is not right. Check the time on your phone and enter the code the app shows now.")})
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        request.session.pop(SETUP_SESSION_KEY, None)
        access_log_write(actor=user, action=AccessLogEntry.Action.SECOND_FACTOR_ENABLED, object_description=user.username,
                         reason=_("replaced the authenticator") if replacing else "", ip_address=client_address(request))
    _session_passed(request, device)
    return codes


def confirms_by_password(user):
    """Sensitive changes are confirmed by the password again; where passwords are switched off
    (single sign-on only, PASSWORD_LOGIN_ENABLED) or the person has none, by a current code of the
    authenticator app they already use."""
    return settings.PASSWORD_LOGIN_ENABLED and user.has_usable_password()


def _reconfirm(request, secret):
    """The password (or, see confirms_by_password, the current app's code) given again; the error
    sits on the form's ``password`` field either way. A wrong one counts as a failed sign-in of the
    pair for django-axes, like a wrong code at the code step; a locked pair is refused before the
    secret is looked at (django-axes' middleware then shows the lockout page)."""
    from django.contrib.auth.signals import user_login_failed

    user = request.user
    if is_locked(request, user):
        request.axes_locked_out = True
        raise ValidationError({"password": _("Too many wrong attempts. Try again later.")})
    if confirms_by_password(user):
        if user.check_password(secret or ""):
            return
        error = ValidationError({"password": _("The password is not correct.")})
    else:
        code = _normalise(secret or "")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and _is_totp_shaped(code) and device.verify_token(code):
            return
        error = ValidationError({"password": _("That code is not right, or it was used already. Enter the code the app shows now.")})
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    raise error


def recovery_codes_renew(*, request, password):
    """New recovery codes (the old ones stop working), after the password again."""
    from .lockouts import client_address
    from .models import AccessLogEntry
    from .services import access_log_write

    user = request.user
    _reconfirm(request, password)
    if not is_enabled(user):
        raise ValidationError(_("Two-step sign-in is not on for your account."))
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        access_log_write(actor=user, action=AccessLogEntry.Action.RECOVERY_CODES_RENEWED, object_description=user.username,
                         ip_address=client_address(request))
    return codes


@transaction.atomic
def _devices_delete(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def disable(*, request, password):
    """A person turns two-step sign-in off for themselves: only when their roles do not require
    it, and after the password again."""
    from .lockouts import client_address
    from .models import AccessLogEntry
    from .services import access_log_write

    user = request.user
    if is_required(user):
        raise ValidationError(_("Your role requires two-step sign-in; it cannot be turned off."))
    _reconfirm(request, password)
    with transaction.atomic():
        _devices_delete(user)
        access_log_write(actor=user, action=AccessLogEntry.Action.SECOND_FACTOR_DISABLED, object_description=user.username,
                         ip_address=client_address(request))
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_KEY] = STEP_NONE


def reset(*, user, by, reason, ip_address=None):
    """An administrator removes a person's authenticator and recovery codes (a lost phone), with
    a reason; written to the access log. At their next sign-in (or next page, for a session that
    had passed) the person sets it up again if required, or signs in with the password alone."""
    from .models import AccessLogEntry
    from .services import access_log_write

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the second factor is reset (e.g. phone lost).")})
    if not access.is_administrator(by):
        raise ValidationError(_("Only an administrator can reset a second factor."))
    with transaction.atomic():
        _devices_delete(user)
        return access_log_write(actor=by, action=AccessLogEntry.Action.SECOND_FACTOR_RESET, object_description=user.username,
                                reason=reason, ip_address=ip_address)


def devices_remove(*, user):
    """Every OTP device of ``user`` (anonymising a departed person)."""
    _devices_delete(user)

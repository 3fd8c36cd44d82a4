"""Single sign-on with OpenID Connect: the authorization-code flow with PKCE (S256), state and nonce,
through Authlib's Django client, and the rule that matches a person to an existing portal account.

Signing in never creates an account and never grants a role: an administrator creates the account
and its memberships; the provider only proves who the person is. A person is matched by the
provider's subject (``sub``) remembered on the account at the first sign-in, else by NIP, else by a
verified e-mail address that exactly one account holds. Configured in settings (OIDC_*); off when
OIDC_ISSUER is unset.

What is checked on every callback: the state (kept in the session, used once: a replayed or forged
callback is refused), the code exchanged with the PKCE verifier, and the ID token's signature (the
provider's JWKS), issuer (the configured one, also in the discovery document), audience (this
client), nonce, expiry and issue time (with OIDC_CLOCK_SKEW seconds of leeway). Authlib's own
``parse_id_token`` checks the audience only through azp and takes no ``now``, so the ID token is
validated here with Authlib's claim classes and explicit options."""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AccessLogEntry, SignInMethod, SignInRecord, User

NIP_PATTERN = re.compile(r"^\d{18}$")
SESSION_NEXT = "sso_next"
# Set in a session signed in through the provider: its sign-out then ends the provider's session too.
SESSION_SIGNED_IN = "sso_signed_in"


class SsoRefused(Exception):
    """Single sign-on refused; ``reason`` is one of REASONS, ``user`` the matched account if any."""

    STATE = "state"
    PROVIDER = "provider"
    UNREACHABLE = "unreachable"
    TOKEN = "token"
    UNMATCHED = "unmatched"
    INACTIVE = "inactive"
    SUBJECT_TAKEN = "subject_taken"
    REASONS = {
        STATE: _("The sign-in request is unknown, expired or already used."),
        PROVIDER: _("The identity provider did not complete the sign-in."),
        UNREACHABLE: _("The identity provider cannot be reached at the moment. Try again later."),
        TOKEN: _("The identity provider's answer could not be verified."),
        UNMATCHED: _("No portal account matches this person."),
        INACTIVE: _("The matching portal account is deactivated."),
        SUBJECT_TAKEN: _("The matching portal account is linked to another identity."),
    }

    def __init__(self, reason, *, user=None, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.user = user
        self.detail = detail

    @property
    def message(self):
        return self.REASONS[self.reason]


def sso_enabled():
    return bool(getattr(settings, "OIDC_ISSUER", None))


_clients = {}


def oidc_client():
    """Authlib's Django client for the configured provider (one per configuration, so the discovery
    document and keys are fetched once per process, and again when the provider rotates its keys)."""
    from authlib.integrations.django_client import OAuth

    key = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPES)
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name="sso",
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=f"{settings.OIDC_ISSUER}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.OIDC_SCOPES,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": settings.OIDC_TIMEOUT,
            },
        )
    return _clients[key]


def sso_authorization_redirect(request, *, redirect_uri, next_url=""):
    """The redirect to the provider's authorization endpoint; state, nonce and PKCE verifier are
    kept in the session by Authlib until the callback."""
    import requests

    try:
        response = oidc_client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as error:  # discovery unreachable or malformed
        raise SsoRefused(SsoRefused.UNREACHABLE, detail=str(error)[:100]) from error
    request.session[SESSION_NEXT] = next_url
    return response


def sso_callback_claims(request, *, now=None):
    """The validated ID token claims of the provider's answer in ``request`` (the callback), or
    SsoRefused. The state is removed from the session before anything else: it serves once."""
    import requests
    from authlib.integrations.base_client import OAuthError

    client = oidc_client()
    state = request.GET.get("state", "")
    state_data = client.framework.get_state_data(request.session, state) if state else None
    if state:
        client.framework.clear_state_data(request.session, state)
    if not state_data or not state_data.get("nonce") or not state_data.get("code_verifier"):
        raise SsoRefused(SsoRefused.STATE)
    if request.GET.get("error") or not request.GET.get("code"):
        raise SsoRefused(SsoRefused.PROVIDER, detail=request.GET.get("error", "no code")[:100])
    try:
        token = client.fetch_access_token(
            code=request.GET["code"], redirect_uri=state_data["redirect_uri"], code_verifier=state_data["code_verifier"]
        )
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise SsoRefused(SsoRefused.PROVIDER, detail=str(error)[:100]) from error
    if "id_token" not in token:
        raise SsoRefused(SsoRefused.TOKEN, detail="no id_token")
    return id_token_claims(id_token=token["id_token"], nonce=state_data["nonce"], access_token=token.get("access_token"), now=now)


def id_token_claims(*, id_token, nonce, access_token=None, now=None):
    """The claims of ``id_token`` after checking its signature against the provider's keys, and its
    iss, aud, nonce, exp and iat at ``now`` (a Unix time; the clock when None) with
    OIDC_CLOCK_SKEW seconds of leeway; SsoRefused(TOKEN) otherwise."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import InvalidKeyIdError, JoseError
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    import requests

    client = oidc_client()
    try:
        metadata = client.load_server_metadata()
        keys = client.fetch_jwk_set()
    except (requests.RequestException, ValueError, RuntimeError) as error:
        raise SsoRefused(SsoRefused.UNREACHABLE, detail=str(error)[:100]) from error
    # OpenID Connect Discovery 1.0 §4.3: the discovery document's issuer is the configured one.
    if metadata.get("issuer") != settings.OIDC_ISSUER:
        raise SsoRefused(SsoRefused.TOKEN, detail="discovery issuer mismatch")
    algorithms = [alg for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"]) if alg != "none"]
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(id_token, key=KeySet.import_key_set(keys), registry=registry)
        except InvalidKeyIdError:  # the provider rotated its keys: fetch them once more
            try:
                keys = client.fetch_jwk_set(force=True)
            except (requests.RequestException, ValueError) as error:
                raise SsoRefused(SsoRefused.UNREACHABLE, detail=str(error)[:100]) from error
            decoded = jwt.decode(id_token, key=KeySet.import_key_set(keys), registry=registry)
        options = {
            "iss": {"essential": True, "value": settings.OIDC_ISSUER},
            "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
            "sub": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }
        params = {"nonce": nonce, "client_id": settings.OIDC_CLIENT_ID}
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        claims.validate(now=int(now if now is not None else time.time()), leeway=settings.OIDC_CLOCK_SKEW)
    except (JoseError, ValueError, TypeError) as error:
        raise SsoRefused(SsoRefused.TOKEN, detail=f"{type(error).__name__}: {error}"[:100]) from error
    return dict(claims)


def sso_account_match(*, claims):
    """The active account that ``claims`` (validated ID token claims) sign in to, with the provider's
    subject remembered on it; SsoRefused otherwise.

    1. the account that remembers this ``sub``;
    2. else the one account whose NIP (User.employee_number) is the NIP claim (OIDC_NIP_CLAIM);
    3. else the one account whose e-mail is the ``email`` claim (case-insensitive), only when the
       provider says ``email_verified`` is true, and not when that account holds a NIP other than
       the provider's (a shared office mailbox).
    An account that remembers another subject is refused (someone else's identity is linked to
    it), as is a deactivated one. Never creates an account, never touches memberships."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SsoRefused(SsoRefused.TOKEN, detail="no sub")
    user = User.objects.filter(oidc_subject=subject).first()
    if user is None:
        nip = claims.get(settings.OIDC_NIP_CLAIM)
        user = _match_by_nip(nip)
        if user is None:
            user = _match_by_email(claims)
            # A shared office mailbox must not sign one civil servant into another's account: an
            # account found by e-mail that holds a different NIP than the provider's is no match.
            if user is not None and user.employee_number and _is_nip(nip) and user.employee_number != nip:
                raise SsoRefused(SsoRefused.UNMATCHED, detail="e-mail matches an account with another NIP")
    if user is None:
        raise SsoRefused(SsoRefused.UNMATCHED)
    if user.oidc_subject and user.oidc_subject != subject:
        raise SsoRefused(SsoRefused.SUBJECT_TAKEN, user=user)
    if not user.is_active:
        raise SsoRefused(SsoRefused.INACTIVE, user=user)
    if not user.oidc_subject:
        user.oidc_subject = subject
        user.save(update_fields=["oidc_subject"])
    return user


def _is_nip(value):
    return isinstance(value, str) and bool(NIP_PATTERN.match(value))


def _match_by_nip(nip):
    if not _is_nip(nip):
        return None
    found = list(User.objects.filter(employee_number=nip)[:2])
    return found[0] if len(found) == 1 else None


def _match_by_email(claims):
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or "@" not in email:
        return None
    found = list(User.objects.filter(email__iexact=email.strip())[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def sso_sign_in_record(*, user=None, refused=None, ip_address=None):
    """One single sign-on attempt, in the access log and (for an existing account) its sign-in
    history. A refusal with no account is logged with its reason only: the provider's claims about
    someone without an account are not kept."""
    from .services import access_log_write

    if refused is None:
        access_log_write(actor=user, action=AccessLogEntry.Action.SSO_SIGN_IN, object_description=user.username, ip_address=ip_address)
        return SignInRecord.objects.create(user=user, ip_address=ip_address, succeeded=True, method=SignInMethod.SSO)
    access_log_write(
        actor=refused.user, action=AccessLogEntry.Action.SSO_REFUSED,
        object_description=refused.user.username if refused.user else "", reason=refused.reason, ip_address=ip_address,
    )
    if refused.user is not None:
        return SignInRecord.objects.create(user=refused.user, ip_address=ip_address, succeeded=False, method=SignInMethod.SSO)
    return None


@transaction.atomic
def sso_subject_unlink(*, user, by, ip_address=None):
    """Forget the provider's subject remembered on ``user`` (e.g. the provider re-issued the
    person's identity): the next single sign-on matches by NIP or e-mail again. Access-logged."""
    from .services import access_log_write

    if not user.oidc_subject:
        return False
    User.objects.filter(pk=user.pk).update(oidc_subject=None)
    user.oidc_subject = None
    access_log_write(actor=by, action=AccessLogEntry.Action.SSO_UNLINKED, object_description=user.username, ip_address=ip_address)
    return True


def sso_logout_url(request, *, post_logout_redirect_uri):
    """Where the browser goes after the portal's own sign-out when the person signed in through the
    provider: the provider's ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout 1.0) with
    this client's id and the page to come back to, so that the provider's session ends too and a
    shared computer does not sign the next person in as this one. The ID token is not kept for an
    ``id_token_hint`` (it carries the person's NIP and e-mail): the provider asks the person to
    confirm instead. None when the session did not come from single sign-on,
    OIDC_PROVIDER_LOGOUT is off, or the provider offers no such endpoint (or cannot be reached:
    the portal's sign-out must never fail)."""
    from urllib.parse import urlencode

    import requests

    if not request.session.get(SESSION_SIGNED_IN) or not sso_enabled() or not settings.OIDC_PROVIDER_LOGOUT:
        return None
    try:
        endpoint = oidc_client().load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError, RuntimeError):
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    query = urlencode({"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

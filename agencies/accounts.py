"""Account pages: Django's auth views with the portal's templates, e-mail through Celery, a
password reset that also lifts a django-axes lockout (the person proved they own the account), and
single sign-on through an OpenID Connect provider (the rules are in agencies.sso; these views only
carry the request there and back)."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import sso

from .lockouts import client_address
from .services import sign_in_record
from .second_factor import STEP_VERIFY, step_for_request
from .second_factor_views import recovery_codes, second_factor_disable, second_factor_setup, second_factor_verify
from .views import access_log, account_settings, personal_data, personal_data_download
from .forms import LoginForm, PortalPasswordChangeForm, PortalSetPasswordForm, QueuedPasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm

    def form_valid(self, form):
        from .second_factor import is_enabled

        response = super().form_valid(form)
        # The mailbox proves the password, not the second factor: with one on the account, the
        # lockout (which counts wrong codes too) stays, or the mailbox would buy fresh guesses.
        if not is_enabled(form.user):
            axes_reset(username=form.user.get_username())
        return response


def _password_pages_enabled(view):
    """A password page (reset, change) answers 404 when passwords are switched off."""

    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    """Django's login, writing each attempt on an existing account to its sign-in history; with the
    single sign-on button when a provider is configured, and only that when passwords are off."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return HttpResponseForbidden(_("Signing in with a password is switched off here: use single sign-on."))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_login_enabled"] = settings.PASSWORD_LOGIN_ENABLED
        context["sso_enabled"] = sso.sso_enabled()
        context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context

    def form_valid(self, form):
        user = form.get_user()
        # With a second factor owed, the sign-in is recorded at the code step (agencies.second_factor).
        if step_for_request(self.request, user) != STEP_VERIFY:
            sign_in_record(username=user.get_username(), ip_address=client_address(self.request), succeeded=True)
        return super().form_valid(form)

    def form_invalid(self, form):
        username = form.data.get("username", "")
        if isinstance(username, str) and username:
            sign_in_record(username=username[:150], ip_address=client_address(self.request), succeeded=False)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Django's sign-out; after a single sign-on, then on to the provider's sign-out page so that
    its session ends too (agencies.sso.sso_logout_url), which sends the browser back to the login page."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.sso_logout_url(
            request, post_logout_redirect_uri=request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
        )
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


@never_cache
@require_GET
def sso_start(request):
    """Off to the provider's sign-in page (the "Masuk dengan …" button)."""
    if not sso.sso_enabled():
        raise Http404
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request, request.GET.get("next", "")) or resolve_url(settings.LOGIN_REDIRECT_URL))
    try:
        return sso.sso_authorization_redirect(
            request,
            redirect_uri=request.build_absolute_uri(reverse("sso_callback")),
            next_url=_safe_next(request, request.GET.get("next", "")),
        )
    except sso.SsoRefused as refused:
        return _sso_refused_page(request, refused)


@never_cache
@require_GET
def sso_callback(request):
    """The provider's answer: verified, matched to an account, signed in with django's login()
    (so every later check, such as a second factor, applies as after a password), or refused with a
    page that says whom to ask (HTTP 403)."""
    if not sso.sso_enabled():
        raise Http404
    address = client_address(request)
    try:
        claims = sso.sso_callback_claims(request)
        user = sso.sso_account_match(claims=claims)
    except sso.SsoRefused as refused:
        sso.sso_sign_in_record(refused=refused, ip_address=address)
        return _sso_refused_page(request, refused)
    next_url = _safe_next(request, request.session.pop(sso.SESSION_NEXT, ""))
    login(request, user, backend="agencies.backends.SingleSignOnBackend")
    request.session[sso.SESSION_SIGNED_IN] = True
    # With a code owed, the sign-in is recorded at the code step, as single sign-on (agencies.second_factor).
    if step_for_request(request, user) != STEP_VERIFY:
        sso.sso_sign_in_record(user=user, ip_address=address)
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _sso_refused_page(request, refused):
    from .selectors import provincial_office

    office, office_name = provincial_office()
    context = {
        "reason": refused.reason,
        "message": refused.message,
        "office": office,
        "office_name": office_name,
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "password_login_enabled": settings.PASSWORD_LOGIN_ENABLED,
    }
    status = 503 if refused.reason == sso.SsoRefused.UNREACHABLE else 403
    return render(request, "registration/sso_refused.html", context, status=status)


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows instead of logging in once an account (for this address) or the
    address itself is locked (HTTP 429)."""
    context = {
        "address_refused": getattr(request, "portal_address_refused", False),
        "address_failure_limit": settings.PORTAL_ADDRESS_FAILURE_LIMIT,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


urlpatterns = [
    path("masuk/", LoginView.as_view(), name="login"),
    path("keluar/", LogoutView.as_view(), name="logout"),
    path("sso/masuk/", sso_start, name="sso_start"),
    path("sso/callback/", sso_callback, name="sso_callback"),
    path("pengaturan/", account_settings, name="account_settings"),
    path("dua-langkah/", second_factor_verify, name="second_factor_verify"),
    path("dua-langkah/pasang/", second_factor_setup, name="second_factor_setup"),
    path("dua-langkah/kode-pemulihan/", recovery_codes, name="recovery_codes"),
    path("dua-langkah/matikan/", second_factor_disable, name="second_factor_disable"),
    path("data-pribadi/", personal_data, name="personal_data"),
    path("data-pribadi/unduh/", personal_data_download, name="personal_data_download"),
    path("log-akses/", access_log, name="access_log"),
    path("kata-sandi/", _password_pages_enabled(auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm)), name="password_change"),
    path("kata-sandi/selesai/", _password_pages_enabled(auth_views.PasswordChangeDoneView.as_view()), name="password_change_done"),
    path("lupa-kata-sandi/", _password_pages_enabled(auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm)), name="password_reset"),
    path("lupa-kata-sandi/terkirim/", _password_pages_enabled(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", _password_pages_enabled(PasswordResetConfirmView.as_view()), name="password_reset_confirm"),
    path("reset/selesai/", _password_pages_enabled(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]

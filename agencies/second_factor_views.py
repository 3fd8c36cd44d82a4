"""Pages of two-step sign-in and the gate that sends a signed-in person to them. The rules are in
agencies/second_factor.py; these parse input, call one service and render."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import second_factor
from .forms import PasswordConfirmForm, SecondFactorCodeForm, SecondFactorSetupForm

NEW_CODES_SESSION_KEY = "spbe_new_recovery_codes"


def _safe_next(request, default=None):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url, target):
    return f"{url}?{urlencode({'next': target})}" if target else url


class SecondFactorMiddleware:
    """After any sign-in, a session that still owes the second factor reaches only the code page
    (an account with an authenticator) or the set-up page (a role that requires one, none set up),
    plus signing out, the language switch, the health check and static files. A page asks for a
    redirect with ``?next=``; an htmx request gets 401 with ``HX-Redirect`` (htmx then loads the
    page); a JSON request gets 401 with a JSON body naming the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.gate(request) or self.get_response(request)

    @staticmethod
    def _always_open(path):
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path == "/favicon.ico":
            return True
        return path in {reverse("logout"), reverse("set_language"), reverse("health")}

    def gate(self, request):
        path = request.path_info
        if self._always_open(path):
            return None
        if path.startswith("/api/") and "Authorization" in request.headers:
            # The API authenticates by its token alone and never reads the session
            # (dashboards.api.token_required), so a cookie that owes a code does not stand in its way.
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        step = second_factor.session_step(request)
        if step in second_factor.OPEN_STEPS:
            return None
        target = reverse("second_factor_verify" if step == second_factor.STEP_VERIFY else "second_factor_setup")
        if path == target:
            return None
        if request.headers.get("HX-Request"):
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "") if current.path else ""
            response = HttpResponse(status=401)
            response["HX-Redirect"] = _with_next(target, back)
            return response
        accept = request.headers.get("Accept", "")
        if path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept):
            return JsonResponse(
                {"detail": _("Two-step sign-in is not complete: open %(url)s.") % {"url": target}, "url": target}, status=401
            )
        if request.method in ("GET", "HEAD"):
            return redirect(_with_next(target, request.get_full_path()))
        return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    """The code step: a code from the authenticator app, or a recovery code."""
    from .accounts import lockout_response

    if second_factor.session_step(request) != second_factor.STEP_VERIFY:
        return redirect(_safe_next(request))
    if second_factor.is_locked(request, request.user):
        return lockout_response(request)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, recovery_used = second_factor.verify(request=request, code=form.cleaned_data["code"])
        if ok:
            if recovery_used:
                left = second_factor.recovery_codes_left(request.user)
                messages.warning(request, _("You signed in with a recovery code; %(count)d left. Make new ones on your settings page if you are running out.") % {"count": left})
            return redirect(_safe_next(request))
        form.add_error("code", _("That code is not right, or it was used already. Enter the code the app shows now."))
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": _safe_next(request, default="")})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Set up an authenticator app: QR code and key, then its current code to confirm."""
    if not second_factor.setup_allowed(request):
        return redirect(_with_next(reverse("second_factor_verify"), _safe_next(request, default="")))
    replacing = second_factor.is_enabled(request.user)
    device = second_factor.setup_begin(request=request)
    form = SecondFactorSetupForm(request.POST or None, replacing=replacing,
                                 by_code=not second_factor.confirms_by_password(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.setup_confirm(request=request, code=form.cleaned_data["code"], password=form.cleaned_data.get("password"))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-step sign-in is on."))
            return redirect(_with_next(reverse("recovery_codes"), _safe_next(request, default="")))
    return render(request, "registration/second_factor_setup.html", {
        "form": form, "details": second_factor.setup_details(device), "replacing": replacing,
        "required": second_factor.is_required(request.user), "next": _safe_next(request, default=""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Recovery codes: new ones are shown once, right after they are made; otherwise how many are
    left and a form to make new ones (password again)."""
    if not second_factor.is_enabled(request.user):
        return redirect("account_settings")
    form = PasswordConfirmForm(request.POST or None, by_code=not second_factor.confirms_by_password(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.recovery_codes_renew(request=request, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error.message_dict.get("password", error.messages))
        else:
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect("recovery_codes")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(request, "registration/recovery_codes.html", {
        "codes": codes, "form": form, "left": second_factor.recovery_codes_left(request.user),
        "next": _safe_next(request, default=reverse("account_settings")),
    })


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_disable(request):
    """Turn two-step sign-in off (when no role requires it), after the password again."""
    state = second_factor.status(request.user)
    if not state["enabled"]:
        return redirect("account_settings")
    form = PasswordConfirmForm(request.POST or None, by_code=not second_factor.confirms_by_password(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.disable(request=request, password=form.cleaned_data["password"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error("password", error.message_dict["password"])
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("account_settings")
    return render(request, "registration/second_factor_disable.html", {"form": form, "required": state["required"]})

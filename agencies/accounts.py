"""Account pages: Django's auth views with the portal's templates, e-mail through Celery, and a
password reset that also lifts a django-axes lockout (the person proved they own the account)."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import path

from .lockouts import client_address
from .services import sign_in_record
from .second_factor_views import recovery_codes, second_factor_disable, second_factor_setup, second_factor_verify
from .views import access_log, account_settings, personal_data, personal_data_download
from .forms import LoginForm, PortalPasswordChangeForm, PortalSetPasswordForm, QueuedPasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


class LoginView(auth_views.LoginView):
    """Django's login, writing each attempt on an existing account to its sign-in history."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        from .second_factor import STEP_VERIFY, step_for_request

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
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("pengaturan/", account_settings, name="account_settings"),
    path("dua-langkah/", second_factor_verify, name="second_factor_verify"),
    path("dua-langkah/pasang/", second_factor_setup, name="second_factor_setup"),
    path("dua-langkah/kode-pemulihan/", recovery_codes, name="recovery_codes"),
    path("dua-langkah/matikan/", second_factor_disable, name="second_factor_disable"),
    path("data-pribadi/", personal_data, name="personal_data"),
    path("data-pribadi/unduh/", personal_data_download, name="personal_data_download"),
    path("log-akses/", access_log, name="access_log"),
    path("kata-sandi/", auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm), name="password_change"),
    path("kata-sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("lupa-kata-sandi/", auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm), name="password_reset"),
    path("lupa-kata-sandi/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

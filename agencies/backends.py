from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend

from .access import is_administrator


class AdministratorPermissionBackend(BaseBackend):
    """Administrators (a membership with the administrator role) hold every permission, so the
    admin site is theirs without per-model permission bookkeeping. It authenticates nobody."""

    def has_perm(self, user_obj, perm, obj=None):
        return is_administrator(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return is_administrator(user_obj)


class _SessionUserBackend(ModelBackend):
    """Loads the signed-in user for each request as Django does, with whether they have a confirmed
    authenticator in the same query (``_spbe_authenticator_on``), so that the two-step gate can
    see an authenticator set up (or reset) elsewhere without a query of its own on every page
    (agencies.second_factor.session_step)."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model
        from django.db.models import Exists, OuterRef
        from django_otp.plugins.otp_totp.models import TOTPDevice

        model = get_user_model()
        authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = model._default_manager.annotate(_spbe_authenticator_on=Exists(authenticator)).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PasswordBackend(_SessionUserBackend):
    """Django's user name and password sign-in, unless ``PASSWORD_LOGIN_ENABLED`` is off: then no
    password signs anyone in, whichever form or view asks (single sign-on only, agencies.sso)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SingleSignOnBackend(_SessionUserBackend):
    """The backend a single sign-on session is recorded with (agencies.sso): it loads the signed-in
    user for each request like Django's, and authenticates no user name and password."""

    def authenticate(self, request, **kwargs):
        return None

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


class PasswordBackend(ModelBackend):
    """Django's user name and password sign-in, unless ``PASSWORD_LOGIN_ENABLED`` is off: then no
    password signs anyone in, whichever form or view asks (single sign-on only, agencies.sso)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SingleSignOnBackend(ModelBackend):
    """The backend a single sign-on session is recorded with (agencies.sso): it loads the signed-in
    user for each request like Django's, and authenticates no user name and password."""

    def authenticate(self, request, **kwargs):
        return None

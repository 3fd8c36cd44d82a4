from django.contrib.auth.backends import BaseBackend

from .access import is_administrator


class AdministratorPermissionBackend(BaseBackend):
    """Administrators (a membership with the administrator role) hold every permission, so the
    admin site is theirs without per-model permission bookkeeping. It authenticates nobody."""

    def has_perm(self, user_obj, perm, obj=None):
        return is_administrator(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return is_administrator(user_obj)

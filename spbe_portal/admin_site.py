from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import is_administrator


class SpbeAdminSite(admin.AdminSite):
    """The admin belongs to administrators (see agencies.access), who log in through the portal's
    own login page (with its lockout), not a second one."""

    site_header = _("SPBE Portal administration")
    site_title = _("SPBE Portal")
    index_title = _("Administration")

    def has_permission(self, request):
        return is_administrator(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Logged in, but not an administrator: say so instead of looping through the login page.
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (events, logs, issued numbers and documents): looked at, searched,
    never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

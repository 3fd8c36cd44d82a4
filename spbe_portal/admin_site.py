from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
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
        return redirect_to_login(request.GET.get("next", request.get_full_path()))

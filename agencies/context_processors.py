from django.conf import settings

from . import access
from .selectors import unread_notification_count


def navigation(request):
    """What the navigation bar needs to know about the user: their role-dependent menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_administrator": access.is_administrator(user),
        "nav_is_provincial_staff": access.is_provincial_staff(user),
        "nav_is_officer": any(m.role in access.SUBMIT_ROLES for m in access.memberships_of(user)),
        "nav_unread": unread_notification_count(user=user),
        "nav_password_login": settings.PASSWORD_LOGIN_ENABLED,
    }

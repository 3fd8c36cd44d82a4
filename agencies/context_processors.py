from django.conf import settings

from . import access
from .selectors import unread_notification_count


def navigation(request):
    """What the navigation bar needs to know about the user: their role-dependent menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .second_factor import SESSION_KEY, STEP_SETUP, STEP_VERIFY

    if getattr(request, "session", {}).get(SESSION_KEY) in (STEP_SETUP, STEP_VERIFY):
        # Still owes the second factor: the bar shows no page it could not open anyway.
        return {"nav_second_factor_pending": True}
    return {
        "nav_is_administrator": access.is_administrator(user),
        "nav_is_provincial_staff": access.is_provincial_staff(user),
        "nav_is_officer": any(m.role in access.SUBMIT_ROLES for m in access.memberships_of(user)),
        "nav_unread": unread_notification_count(user=user),
        "nav_password_login": settings.PASSWORD_LOGIN_ENABLED,
    }

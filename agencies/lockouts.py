"""Failed-login protection on top of django-axes.

Two rules (numbers in settings and docs/operations.md):

* a *pair* (user name, client address) is locked after ``AXES_FAILURE_LIMIT`` wrong passwords in
  ``AXES_COOLOFF_TIME`` (axes: ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), so an
  attacker elsewhere cannot lock the real person out of their own account;
* an *address* is refused after ``PORTAL_ADDRESS_FAILURE_LIMIT`` wrong passwords over any user
  names in the same window, so one address cannot try many accounts.

Both are counted from axes' ``AccessAttempt`` rows in the database (shared by every worker,
visible and liftable in the admin).
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings

from .selectors import address_failure_count


def _valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except (AttributeError, ValueError):
        return None


def client_address(request):
    """The client's address: ``REMOTE_ADDR``, or behind ``PORTAL_PROXY_COUNT`` trusted reverse proxies
    the address the outermost of them saw (the N-th entry from the right of X-Forwarded-For).

    Entries left of that one are written by the client and can be forged, so they are never used.
    """
    remote = _valid_address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.PORTAL_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return _valid_address(forwarded[-min(proxies, len(forwarded))]) or remote


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler plus the per-address rule."""

    def get_failures(self, request, credentials=None):
        """The pair's failures; or, once the address is over its own limit, the pair's limit (so
        that axes refuses the request, records it as a lockout and shows the lockout page)."""
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and address_failure_count(ip_address=request.axes_ip_address) >= settings.PORTAL_ADDRESS_FAILURE_LIMIT:
            request.portal_address_refused = True
            return limit
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        """A password is a complete sign-in only when no second factor is owed; otherwise axes
        records the success (and forgets the pair's failures) after the code step
        (agencies.second_factor), so that signing in again with the password does not wipe the
        count of wrong codes."""
        if request is not None and not getattr(request, "spbe_second_factor_passed", False):
            from .second_factor import STEP_VERIFY, step_for_request

            if step_for_request(request, user) == STEP_VERIFY:
                return None
        return super().user_logged_in(sender, request, user, **kwargs)

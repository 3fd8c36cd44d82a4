"""The one place that answers "may this user see / submit for / review / administer this agency?".

A role held in an agency reaches that agency and every agency below it (a provincial reviewer of
Provinsi Bengkulu reaches all its regencies; an officer of Rejang Lebong reaches its units).
Superusers are administrators everywhere. Views ask through ``get_agency_or_404`` (or a queryset's
``.for_user(user)``) so that an agency outside a user's scope answers 404, never 403: the portal does
not confirm that something it will not show exists.

A user's memberships are read once per user object (one query) and kept on it, so a page that asks
many questions about many agencies costs one query, not one per agency.
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from .models import Agency, Membership

Role = Membership.Role

# Administrators administer the portal as a whole (users, roles, frameworks, periods, the Django
# admin), so the role exists only on the province: agencies.services.membership_validate refuses it
# anywhere else, and a membership that says otherwise (made before that rule) grants nothing.
# Reviewers and leadership on a regency reach that regency only; province pages (dashboard of all
# regencies, recording meetings, the province summary) are for staff of the province.

class SystemPrincipal:
    """Who acts for management commands and scheduled jobs: sees every agency, like a superuser,
    and is recorded as no person (actor None) in events."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def __str__(self):
        return "system"


SYSTEM = SystemPrincipal()

SEE_ROLES = frozenset(Role)
SUBMIT_ROLES = frozenset({Role.OFFICER})
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR})
ADMIN_ROLES = frozenset({Role.ADMINISTRATOR})
SIMULATE_ROLES = SUBMIT_ROLES | REVIEW_ROLES


def memberships_of(user):
    """The user's memberships with their agencies, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user is SYSTEM:
        return []
    cached = getattr(user, "_spbe_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, agency__is_active=True)
            .exclude(role=Role.ADMINISTRATOR, agency__parent__isnull=False)
            .select_related("agency")
            .order_by("agency__path")
        )
        user._spbe_memberships = cached
    return cached


def is_administrator(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(m.role in ADMIN_ROLES for m in memberships_of(user))


def roles_for(user, agency):
    """The roles ``user`` holds over ``agency`` (held there or on an agency above it)."""
    roles = {m.role for m in memberships_of(user) if agency.is_within(m.agency)}
    if is_administrator(user):
        roles.add(Role.ADMINISTRATOR)
    return roles


def can_see(user, agency):
    return bool(roles_for(user, agency) & SEE_ROLES)


def can_submit(user, agency):
    """May ``user`` change ``agency``'s self-assessment (levels, justification, evidence)?"""
    return bool(roles_for(user, agency) & SUBMIT_ROLES)


def can_review(user, agency):
    """May ``user`` accept or return ``agency``'s submitted items and record meetings with it?"""
    return bool(roles_for(user, agency) & REVIEW_ROLES)


def can_simulate(user, agency):
    """May ``user`` open ``agency``'s what-if simulator? Officers plan their targets there and the
    province advises them; leadership reads the targets on the dashboard."""
    return bool(roles_for(user, agency) & SIMULATE_ROLES)


def report_request_roles():
    """Roles that may ask for a new report: officers, reviewers and administrators, and leadership
    only where the setting LEADERSHIP_MAY_REQUEST_REPORTS allows it (it reads reports either way)."""
    roles = {Role.OFFICER, Role.REVIEWER, Role.ADMINISTRATOR}
    if settings.LEADERSHIP_MAY_REQUEST_REPORTS:
        roles.add(Role.LEADERSHIP)
    return frozenset(roles)


def can_request_report(user, agency):
    """May ``user`` ask for a new report of ``agency``? (A province summary also needs provincial
    staff: reports/services.py.)"""
    return bool(roles_for(user, agency) & report_request_roles())


def report_request_agency_filter(user, prefix=""):
    """A Q object matching the agencies whose reports ``user`` may ask for."""
    scope = role_scope(user, report_request_roles(), prefix)
    return Q(pk__in=[]) if scope is None else scope


def is_provincial_staff(user):
    """Reviewers and administrators of the province: the people who see every regency of it."""
    return is_administrator(user) or any(m.role in REVIEW_ROLES and m.agency.parent_id is None for m in memberships_of(user))


def role_scope(user, roles, prefix=""):
    """A Q object matching the agencies where ``user`` holds one of ``roles`` (there or above);
    None when the user holds none. ``prefix`` reaches the agency through a relation (e.g.
    ``prefix="assessment__agency__"``). Administrators match everything when ``roles`` includes
    the administrator role."""
    if Role.ADMINISTRATOR in roles and is_administrator(user):
        return Q()
    paths = [m.agency.path for m in memberships_of(user) if m.role in roles]
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}path__startswith": path})
    return condition


def visible_agency_filter(user, prefix=""):
    """A Q object matching the agencies ``user`` may see (see ``role_scope``)."""
    scope = role_scope(user, SEE_ROLES, prefix)
    return Q(pk__in=[]) if scope is None else scope


def visible_agencies(user):
    return Agency.objects.for_user(user)


def get_agency_or_404(user, code):
    """The agency with ``code`` if ``user`` may see it; 404 otherwise, whether or not it exists."""
    try:
        agency = Agency.objects.get(code=code, is_active=True)
    except Agency.DoesNotExist:
        raise Http404 from None
    if not can_see(user, agency):
        raise Http404
    return agency

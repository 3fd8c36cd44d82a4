"""Reads of the agency tree, scoped through agencies.access."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .access import memberships_of
from .models import Agency, Membership, User


def agency_list(*, user):
    """Every agency ``user`` may see, in tree order, with the number of its units."""
    return (
        Agency.objects.for_user(user)
        .filter(is_active=True)
        .select_related("parent")
        .annotate(unit_count=Count("children", filter=Q(children__is_active=True, children__kind=Agency.Kind.UNIT)))
        .order_by("path")
    )


def agency_units(*, agency):
    return agency.children.filter(is_active=True).order_by("code")


def agency_people(*, agency):
    """Memberships held in ``agency`` itself, with their users."""
    return (
        Membership.objects.filter(agency=agency, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__full_name", "user__username")
    )


def home_agencies(*, user):
    """The agencies where ``user`` holds a role, with the roles: [(agency, [role labels])]."""
    grouped = {}
    for membership in memberships_of(user):
        grouped.setdefault(membership.agency, []).append(membership.get_role_display())
    return list(grouped.items())


def locked_account_count():
    """Accounts django-axes holds locked right now."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).count()


def address_failure_count(*, ip_address):
    """Wrong passwords from ``ip_address`` over every user name within the cool-off window."""
    if not ip_address:
        return 0
    return (
        AccessAttempt.objects.filter(
            ip_address=ip_address, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )


def users_without_role_count():
    return User.objects.filter(is_active=True, is_superuser=False, memberships__isnull=True).count()


def users_with_role_over(*, agency, roles):
    """Active users holding one of ``roles`` in ``agency`` or an agency above it (one query)."""
    memberships = Membership.objects.filter(role__in=roles, user__is_active=True).select_related("user", "agency")
    users = {m.user_id: m.user for m in memberships if agency.is_within(m.agency)}
    return list(users.values())


def people_of(*, agency):
    """Active users with any role in ``agency`` itself or one of its units (for 'person in charge')."""
    return people_of_agencies(agencies=[agency])


def people_of_agencies(*, agencies):
    """Active users with any role in one of ``agencies`` or their units."""
    if not agencies:
        return User.objects.none()
    condition = Q()
    for agency in agencies:
        condition |= Q(memberships__agency__path__startswith=agency.path)
    return User.objects.filter(condition, is_active=True).distinct().order_by("full_name", "username")


def agencies_of_people(*, agencies):
    """For the active people of ``agencies`` (or their units): {user id: ids of those agencies they belong to}.
    One query; used to filter a person list by the chosen agency."""
    if not agencies:
        return {}
    condition = Q()
    for agency in agencies:
        condition |= Q(agency__path__startswith=agency.path)
    found = {}
    for user_id, path in Membership.objects.filter(condition, user__is_active=True).values_list("user_id", "agency__path"):
        found.setdefault(user_id, set()).update(agency.pk for agency in agencies if path.startswith(agency.path))
    return found


def unread_notification_count(*, user):
    return user.notifications.filter(read_at__isnull=True).count()


def province_of(*, user):
    """The province whose staff the user is (reviewer or administrator), or None."""
    from .access import is_provincial_staff

    if not is_provincial_staff(user):
        return None
    return Agency.objects.for_user(user).filter(kind=Agency.Kind.PROVINCE).order_by("path").first()


def home_agency(*, user):
    """The agency (not a unit) where the user holds a role, for landing pages."""
    return next((m.agency for m in memberships_of(user) if m.agency.kind != Agency.Kind.UNIT), None)


def _ancestor_paths(agency):
    parts = agency.path.strip("/").split("/")
    return ["/".join(parts[:length]) + "/" for length in range(1, len(parts) + 1)]


def issuing_office(*, agency, root=False):
    """The letterhead under which ``agency``'s documents are issued: the nearest letterhead on the
    way up its tree (from its root with ``root=True``: reports are the province's documents), else
    the default (Diskominfotik Provinsi Bengkulu) issued by the root agency. Two queries."""
    from .letterheads import heading_from
    from .models import Letterhead

    paths = _ancestor_paths(agency)
    if root:
        paths = paths[:1]
    found = {letterhead.agency.path: letterhead for letterhead in Letterhead.objects.filter(agency__path__in=paths).select_related("agency")}
    for path in reversed(paths):
        if path in found:
            return heading_from(found[path], found[path].agency)
    issuer = agency if agency.path == paths[0] else Agency.objects.filter(path=paths[0]).first() or agency
    return heading_from(None, issuer)


SIGN_IN_HISTORY_LIMIT = 100


def personal_data(*, user):
    """Everything the portal holds about ``user`` as a person (UU 27/2022): identity, contact,
    memberships, the latest sign-ins and whether two-step sign-in is on (never its key nor the
    recovery codes). Four queries whatever the person holds."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import SignInRecord

    memberships = Membership.objects.filter(user=user).select_related("agency").order_by("created_at", "pk")
    sign_ins = SignInRecord.objects.filter(user=user).order_by("-at", "-pk")[:SIGN_IN_HISTORY_LIMIT]
    authenticator = TOTPDevice.objects.filter(user=user, confirmed=True).only("created_at").order_by("-pk").first()
    return {
        "full_name": user.full_name,
        "username": user.username,
        "employee_number": user.employee_number,
        "email": user.email,
        "phone": user.phone,
        "position": user.position,
        "oidc_subject": user.oidc_subject or "",
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "memberships": [
            {"agency_code": m.agency.code, "agency": m.agency.name, "role": m.role, "role_label": m.get_role_display(), "since": m.created_at}
            for m in memberships
        ],
        "sign_ins": [
            {"at": record.at, "ip_address": record.ip_address, "succeeded": record.succeeded, "method": record.method, "second_factor": record.second_factor}
            for record in sign_ins
        ],
        "two_step_sign_in": {
            "enabled": authenticator is not None,
            "since": authenticator.created_at if authenticator is not None else None,
        },
    }


ACCESS_LOG_PAGE_LIMIT = 200


def access_log(*, action="", person="", since=None, until=None):
    """Access log entries, newest first, filtered; one query with the actor."""
    from datetime import datetime, time

    from .models import AccessLogEntry

    entries = AccessLogEntry.objects.select_related("actor").order_by("-at", "-pk")
    if action:
        entries = entries.filter(action=action)
    if person:
        entries = entries.filter(Q(actor__username__icontains=person) | Q(actor__full_name__icontains=person))
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min), zone))
    if until:
        entries = entries.filter(at__lte=timezone.make_aware(datetime.combine(until, time.max), zone))
    return entries


def _office_name(text):
    """"DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK" → "Dinas Komunikasi, Informatika dan Statistik"."""
    small = {"dan", "dan,", "serta", "atau", "di", "ke", "dari", "untuk"}
    words = text.split() if text.isupper() else None
    if words is None:
        return text
    return " ".join(word.lower() if i and word.lower() in small else word.capitalize() for i, word in enumerate(words))


def provincial_office():
    """(heading, name) of the office at the root of the agency tree — whom a person without a portal
    account asks for one — or (None, "") before any agency is loaded."""
    root = Agency.objects.filter(parent__isnull=True).order_by("code").first()
    if root is None:
        return None, ""
    heading = issuing_office(agency=root, root=True)
    return heading, _office_name(heading.office)

"""Reads of meetings and follow-ups, scoped through agencies.access: a meeting is visible to whoever
may see one of its participating agencies (provincial staff see them all); a follow-up to whoever
may see its agency. Anything else answers 404."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone

from agencies.access import REVIEW_ROLES, role_scope, visible_agency_filter

from .models import FollowUp, Meeting

FOLLOW_UP_ORDER = ("-is_overdue", "due_date", "pk")


def visible_meetings(*, user):
    staff = role_scope(user, REVIEW_ROLES, "organiser__")
    participant = visible_agency_filter(user, prefix="participants__")
    condition = participant if staff is None else (participant | staff)
    ids = Meeting.objects.filter(condition).values("pk")
    return Meeting.objects.filter(pk__in=ids)


def meeting_list(*, user, agency_code="", year=None):
    # Only the follow-ups the user may see are counted: an officer sees their own regency's number.
    counted = visible_agency_filter(user, prefix="follow_ups__agency__")
    meetings = visible_meetings(user=user).select_related("organiser").annotate(
        follow_up_count=Count("follow_ups", filter=counted or None, distinct=True),
        participant_count=Count("participants", distinct=True),
    )
    if agency_code:
        meetings = meetings.filter(participants__code=agency_code)
    if year:
        meetings = meetings.filter(starts_at__year=year)
    now = timezone.now()
    return {
        "upcoming": list(meetings.filter(starts_at__gte=now).order_by("starts_at")),
        "past": list(meetings.filter(starts_at__lt=now).order_by("-starts_at")),
    }


def meeting_years(*, user):
    return sorted({d.year for d in visible_meetings(user=user).dates("starts_at", "year")}, reverse=True)


def meeting_get(*, user, pk):
    meeting = visible_meetings(user=user).filter(pk=pk).select_related("organiser", "period__framework_version").first()
    if meeting is None:
        raise Http404
    return meeting


def _follow_ups():
    return (
        FollowUp.objects.with_overdue_flag()
        .select_related("agency", "owner", "meeting", "stage_result__item__indicator", "stage_result__item__assessment")
        .prefetch_related(Prefetch("indicators"))
        .annotate(evidence_count=Count("evidence", distinct=True))
    )


def meeting_follow_ups(*, meeting, user):
    """The meeting's follow-ups the user may see (an officer: their own agency's)."""
    return list(_follow_ups().filter(meeting=meeting).filter(visible_agency_filter(user, prefix="agency__")).order_by("agency__path", "due_date", "pk"))


def meeting_follow_ups_for_minutes(*, meeting):
    """Every follow-up agreed in the meeting: the minutes are the record shared by its participants."""
    return list(_follow_ups().filter(meeting=meeting).order_by("agency__path", "due_date", "pk"))


def follow_up_get(*, user, pk):
    follow_up = _follow_ups().filter(pk=pk).filter(visible_agency_filter(user, prefix="agency__")).first()
    if follow_up is None:
        raise Http404
    return follow_up


def follow_up_tracker(*, user, state="", agency_code="", overdue_only=False, kind=""):
    """Every follow-up the user may see, overdue first, then by due date: from control meetings
    and from assessors' recommendations, or only one ``kind`` (FollowUp.Kind)."""
    follow_ups = _follow_ups().filter(visible_agency_filter(user, prefix="agency__"))
    if state:
        follow_ups = follow_ups.filter(state=state)
    if kind == FollowUp.Kind.MEETING:
        follow_ups = follow_ups.filter(meeting__isnull=False)
    elif kind == FollowUp.Kind.RECOMMENDATION:
        follow_ups = follow_ups.filter(meeting__isnull=True)
    if agency_code:
        follow_ups = follow_ups.filter(agency__code=agency_code)
    if overdue_only:
        follow_ups = follow_ups.filter(is_overdue=True)
    return follow_ups.order_by(*FOLLOW_UP_ORDER)


def own_follow_ups(*, user):
    """Open follow-ups of the agencies where the user is an officer (for their home page)."""
    from agencies.access import SUBMIT_ROLES

    scope = role_scope(user, SUBMIT_ROLES, "agency__")
    if scope is None:
        return FollowUp.objects.none()
    return _follow_ups().filter(scope, state__in=FollowUp.OPEN_STATES).order_by(*FOLLOW_UP_ORDER)


def follow_up_counts(*, user):
    """Open and overdue follow-ups waiting for the user: an officer's own agencies, or the
    province's overdue ones for provincial staff."""
    from agencies.access import SUBMIT_ROLES

    counts = {}
    scope = role_scope(user, SUBMIT_ROLES, "agency__")
    if scope is not None:
        own = FollowUp.objects.filter(scope, state__in=FollowUp.OPEN_STATES)
        counts["own_open"] = own.count()
        counts["own_overdue"] = own.overdue().count()
    staff = role_scope(user, REVIEW_ROLES, "agency__")
    if staff is not None:
        counts["to_verify"] = FollowUp.objects.filter(staff, state=FollowUp.State.DONE).count()
        counts["overdue"] = FollowUp.objects.filter(staff).overdue().count()
    return counts


def attachable_items(*, follow_up):
    """Indicator items of the follow-up's agency in periods open for self-assessment, the related
    indicators first, for "attach to an indicator's evidence"."""
    from assessments.models import AssessmentPeriod, IndicatorAssessment

    related = set(follow_up.indicators.values_list("code", flat=True))
    items = list(
        IndicatorAssessment.objects.filter(
            assessment__agency=follow_up.agency,
            assessment__period__state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW],
        )
        .exclude(state=IndicatorAssessment.State.ACCEPTED)
        .select_related("indicator", "assessment__period")
        .order_by("-assessment__period__year", "indicator__position")
    )
    return sorted(items, key=lambda item: (item.indicator.code not in related,))


def minutes_renders(*, meeting, is_staff):
    """What the minutes box shows: the latest rendering of an edition (pending, failed or done) and,
    for provincial staff, the latest draft. Two queries."""
    from .models import MinutesRender

    renders = MinutesRender.objects.filter(meeting=meeting).select_related("minutes", "issued_document").order_by("-created_at", "-pk")
    edition = renders.exclude(edition_number=None).first()
    draft = renders.filter(edition_number=None).first() if is_staff and not meeting.is_final else None
    return {"edition_render": edition, "draft_render": draft,
            "minutes_rendering": any(render is not None and render.is_active for render in (edition, draft))}


def item_recommendations(*, item):
    """The assessors' recommendations on ``item``: its stage results that have one, in the order
    of the stages, each with ``follow_up_made`` (the follow-up made of it, or None). One query."""
    from assessments.models import StageResult
    from assessments.services import STAGE_ORDER

    results = sorted(
        StageResult.objects.filter(item=item).exclude(recommendation="").select_related("follow_up__owner"),
        key=lambda result: STAGE_ORDER.index(result.stage),
    )
    for result in results:
        try:
            result.follow_up_made = result.follow_up
        except FollowUp.DoesNotExist:
            result.follow_up_made = None
    return results

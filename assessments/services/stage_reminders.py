"""The daily stage reminder: when the stage a period is in ends within STAGE_REMINDER_DAYS days,
the people who still have work before it ends get one notification (and e-mail) a day:

- self-assessment: the regency's officers, while indicators are not started, draft or returned;
- province verification: the province's reviewers, while submissions wait for them;
- the national stages (document, interview, visit, final): the regency's officers, while follow-ups
  made of the assessors' recommendations in that period are open.

At most one per person per day, however often it runs (a unique StageReminder per person, day and
kind), and one message listing everything that waits for that person. Bounded reads: the periods
with their stages, the memberships, and one grouped query per kind of work, whatever the number of
agencies and indicators."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spbe_portal.dates import format_date

from ..models import AssessmentPeriod, IndicatorAssessment, StageReminder
from .stages import PROVINCE_REVIEW, SELF_ASSESSMENT, period_current_stage

STATES_TO_FINISH = (IndicatorAssessment.State.NOT_STARTED, IndicatorAssessment.State.DRAFT, IndicatorAssessment.State.RETURNED)


@dataclass(frozen=True)
class Work:
    """One line of a reminder: what waits in one agency before a stage of a period ends."""

    period: AssessmentPeriod
    stage: object  # TimelineStage
    agency_name: str
    text: str
    url: str


def _ancestor_paths(path):
    """"17/17.02/" → ["17/", "17/17.02/"]: the paths of the agency and every agency above it."""
    parts = [part for part in path.split("/") if part]
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def _people_over(paths_by_role, path, role):
    """Users holding ``role`` in the agency at ``path`` or above it."""
    return [user for ancestor in _ancestor_paths(path) for user in paths_by_role.get((role, ancestor), ())]


def stages_ending(*, today, within=None):
    """[(period, stage)] of the periods not closed whose current stage ends within ``within`` days
    (STAGE_REMINDER_DAYS; today counts as a day left). Two queries."""
    within = settings.STAGE_REMINDER_DAYS if within is None else within
    periods = AssessmentPeriod.objects.filter(state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW]).prefetch_related("stages")
    ending = []
    for period in periods.order_by("-year", "pk"):
        stage = period_current_stage(period, today=today, stages=list(period.stages.all()))
        if stage is not None and stage.days_left <= within:
            ending.append((period, stage))
    return ending


def _work_of(ending):
    """{(role, period id): rows} of what waits, one grouped query per kind of work."""
    from meetings.models import FollowUp

    by_kind = {SELF_ASSESSMENT: [], PROVINCE_REVIEW: [], "national": []}
    for period, stage in ending:
        by_kind[stage.kind if stage.kind in (SELF_ASSESSMENT, PROVINCE_REVIEW) else "national"].append(period.pk)
    agency_fields = ("assessment__period_id", "assessment__agency__path", "assessment__agency__short_name", "assessment__agency__code")
    rows = []
    if by_kind[SELF_ASSESSMENT]:
        rows += [(SELF_ASSESSMENT, *row) for row in IndicatorAssessment.objects.filter(
            assessment__period__in=by_kind[SELF_ASSESSMENT], state__in=STATES_TO_FINISH, indicator__externally_scored=False,
            assessment__agency__is_active=True,
        ).values_list(*agency_fields).annotate(n=Count("pk")).order_by("assessment__agency__path")]
    if by_kind[PROVINCE_REVIEW]:
        rows += [(PROVINCE_REVIEW, *row) for row in IndicatorAssessment.objects.filter(
            assessment__period__in=by_kind[PROVINCE_REVIEW], state=IndicatorAssessment.State.SUBMITTED, assessment__agency__is_active=True,
        ).values_list(*agency_fields).annotate(n=Count("pk")).order_by("assessment__agency__path")]
    if by_kind["national"]:
        rows += [("national", *row) for row in FollowUp.objects.filter(
            meeting__isnull=True, state__in=FollowUp.OPEN_STATES, stage_result__item__assessment__period__in=by_kind["national"],
            agency__is_active=True,
        ).values_list("stage_result__item__assessment__period_id", "agency__path", "agency__short_name", "agency__code")
            .annotate(n=Count("pk")).order_by("agency__path")]
    return rows


def _line(kind, count, period, agency_name, code):
    """(text, url) of one line of the reminder."""
    if kind == SELF_ASSESSMENT:
        text = ngettext(
            "%(agency)s: %(count)s indicator not submitted yet (not started, draft or returned)",
            "%(agency)s: %(count)s indicators not submitted yet (not started, draft or returned)", count)
        url = reverse("assessment_detail", args=[period.pk, code])
    elif kind == PROVINCE_REVIEW:
        text = ngettext("%(agency)s: %(count)s submission waiting for verification",
                        "%(agency)s: %(count)s submissions waiting for verification", count)
        url = reverse("review_queue")
    else:
        text = ngettext("%(agency)s: %(count)s assessors' recommendation still to follow up",
                        "%(agency)s: %(count)s assessors' recommendations still to follow up", count)
        url = reverse("follow_up_tracker") + "?kind=recommendation&agency=" + code
    return text % {"agency": agency_name, "count": count}, url


def stage_reminders_send(*, now=None, within=None):
    """Send today's stage reminders (see the module); returns the number of people reminded."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # stage names and texts in Indonesian
        return _send(now, stages_ending(today=timezone.localdate(now), within=within))


def _send(now, ending):
    from agencies.models import Membership
    from agencies.services import notifications_send

    today = timezone.localdate(now)
    if not ending:
        return 0
    periods = {period.pk: (period, stage) for period, stage in ending}
    Role = Membership.Role
    paths_by_role = {}
    for membership in Membership.objects.filter(
        role__in=[Role.OFFICER, Role.REVIEWER], user__is_active=True, agency__is_active=True
    ).select_related("user", "agency"):
        paths_by_role.setdefault((membership.role, membership.agency.path), []).append(membership.user)
    waiting = {}  # user id → (user, [Work])
    for kind, period_id, path, agency_name, code, count in _work_of(ending):
        period, stage = periods[period_id]
        text, url = _line(kind, count, period, agency_name, code)
        role = Role.REVIEWER if kind == PROVINCE_REVIEW else Role.OFFICER
        for user in _people_over(paths_by_role, path, role):
            lines = waiting.setdefault(user.pk, (user, []))[1]
            lines.append(Work(period, stage, agency_name, text, url))
    if not waiting:
        return 0
    done_today = set(StageReminder.objects.filter(day=today, kind=StageReminder.Kind.STAGE_ENDING, user__in=waiting)
                     .values_list("user_id", flat=True))
    sent = 0
    for user_id, (user, lines) in waiting.items():
        if user_id in done_today:
            continue
        title, body, email_body = _reminder_text(lines)
        try:
            with transaction.atomic():
                StageReminder.objects.create(user=user, day=today, kind=StageReminder.Kind.STAGE_ENDING, summary=body, sent_at=now)
                notifications_send(users=[user], title=title, body=body, url=lines[0].url, email_body=email_body)
        except IntegrityError:
            continue  # another run reminded this person a moment ago
        sent += 1
    return sent


def _reminder_text(lines):
    """(title, notification body, e-mail body) of one person's reminder."""
    base = settings.PORTAL_BASE_URL
    first = lines[0]
    title = ngettext(
        "%(stage)s of %(period)s ends %(date)s: %(days)s day left",
        "%(stage)s of %(period)s ends %(date)s: %(days)s days left", first.stage.days_left,
    ) % {"stage": first.stage.label, "period": first.period.name, "date": format_date(first.stage.ends_on), "days": first.stage.days_left}
    body, mail, heading = [], [], None
    for work in lines:
        stage_heading = _("%(stage)s of %(period)s, until %(date)s:") % {
            "stage": work.stage.label, "period": work.period.name, "date": format_date(work.stage.ends_on)}
        if stage_heading != heading:
            heading = stage_heading
            body.append(heading)
            mail.append(heading)
        body.append(f"• {work.text}")
        mail.append(f"• {work.text}\n  {base}{work.url}")
    return title, "\n".join(body), "\n".join(mail)

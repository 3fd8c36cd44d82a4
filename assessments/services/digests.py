"""The reviewers' daily digest: reviewers who chose it (``User.review_digest``) get no notification
per submission (see workflow.item_submit) but one e-mail and one in-app notification a day listing
the submissions in their scope since their previous digest."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import AssessmentPeriod, IndicatorAssessment, ReviewDigest
from .workflow import item_url


def wib(moment):
    """A time as Indonesians read it: 28 November 2026 07.00 WIB."""
    return f"{date_format(timezone.localtime(moment), 'j F Y H.i')} WIB"


def _digest_text(items):
    """(notification body, e-mail body) listing ``items``; the e-mail carries full links."""
    base = settings.PORTAL_BASE_URL
    lines, mail = [], []
    for item in items:
        line = _("%(agency)s — %(code)s. %(indicator)s (level %(level)s), submitted %(at)s") % {
            "agency": item.assessment.agency.short_name, "code": item.indicator.code, "indicator": item.indicator.name,
            "level": item.level, "at": wib(item.submitted_at),
        }
        lines.append(f"• {line}")
        mail.append(f"• {line}\n  {base}{item_url(item)}")
    queue = f"{base}{reverse('review_queue')}"
    mail.append("")
    mail.append(_("The review queue: %(url)s") % {"url": queue})
    return "\n".join(lines), "\n".join(mail)


def review_digests_send(*, now=None):
    """Send each active reviewer who chose the digest one digest of the items submitted in their
    scope since their previous digest (or in the last day, for the first one) and still waiting:
    once per person per day, however often this runs (a unique ReviewDigest row per person and
    day). Nobody gets an empty digest. Returns the number of digests sent.

    Reads: the digest readers with their memberships, today's digests and the candidate items, one
    query each; then one transaction per recipient."""
    from agencies.models import Membership
    from agencies.services import notifications_send

    now = now or timezone.now()
    today = timezone.localdate(now)
    readers = {}
    for membership in Membership.objects.filter(
        role=Membership.Role.REVIEWER, user__is_active=True, user__review_digest=True, agency__is_active=True
    ).select_related("user", "agency"):
        readers.setdefault(membership.user_id, (membership.user, []))[1].append(membership.agency.path)
    if not readers:
        return 0
    done_today = set(ReviewDigest.objects.filter(day=today, user__in=readers).values_list("user_id", flat=True))
    last_sent = dict(
        ReviewDigest.objects.filter(user__in=readers).order_by("user_id", "sent_at").values_list("user_id", "sent_at")
    )  # the latest per user wins
    since = {user_id: last_sent.get(user_id, now - timedelta(days=1)) for user_id in readers}
    candidates = list(
        IndicatorAssessment.objects.filter(
            state=IndicatorAssessment.State.SUBMITTED, submitted_at__gt=min(since.values()), submitted_at__lte=now,
            assessment__period__state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW],
        )
        .select_related("assessment__agency", "indicator")
        .order_by("submitted_at", "pk")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, (user, paths) in readers.items():
            if user_id in done_today:
                continue
            items = [
                item for item in candidates
                if item.submitted_at > since[user_id] and any(item.assessment.agency.path.startswith(path) for path in paths)
            ]
            if not items:
                continue
            body, email_body = _digest_text(items)
            title = ngettext(
                "Daily review digest: %(count)s new submission waiting",
                "Daily review digest: %(count)s new submissions waiting",
                len(items),
            ) % {"count": len(items)}
            try:
                with transaction.atomic():
                    ReviewDigest.objects.create(user=user, day=today, items=len(items), sent_at=now)
                    notifications_send(users=[user], title=title, body=body, url=reverse("review_queue"), email_body=email_body)
            except IntegrityError:
                continue  # another run sent this person's digest a moment ago
            sent += 1
    return sent

"""The home page: the user's agencies and what waits for them. It gathers from every app (apps
never import the project), each contributing its own waiting items."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agencies import access
from agencies.selectors import home_agencies, locked_account_count, users_without_role_count
from assessments.selectors import waiting_counts
from meetings.selectors import follow_up_counts, own_follow_ups


@dataclass(frozen=True)
class WaitingItem:
    label: str
    count: int
    url: str


def administrator_waiting_items():
    items = []
    locked = locked_account_count()
    if locked:
        items.append(WaitingItem(_("Accounts locked after failed logins"), locked, reverse("admin:axes_accessattempt_changelist")))
    without_role = users_without_role_count()
    if without_role:
        items.append(WaitingItem(_("Active users without a role in any agency"), without_role, reverse("admin:agencies_user_changelist") + "?has_role=no"))
    return items


def assessment_waiting_items(user):
    counts = waiting_counts(user=user)
    todo = reverse("officer_todo")
    labels = [
        ("returned", _("Indicators returned by the province"), todo + "#returned-heading"),
        ("draft", _("Drafts not yet submitted"), todo + "#drafts-heading"),
        ("not_started", _("Indicators not started"), todo),
        ("queue", _("Indicators waiting for your review"), reverse("review_queue")),
    ]
    return [WaitingItem(label, counts[key], url) for key, label, url in labels if counts.get(key)]


def follow_up_waiting_items(user):
    counts = follow_up_counts(user=user)
    tracker = reverse("follow_up_tracker")
    labels = [
        ("own_overdue", _("Your agency's overdue follow-ups"), tracker + "?overdue=1"),
        ("own_open", _("Your agency's open follow-ups"), tracker + "?state=open"),
        ("to_verify", _("Follow-ups waiting for verification"), tracker + "?state=done"),
        ("overdue", _("Overdue follow-ups in the province"), tracker + "?overdue=1"),
    ]
    return [WaitingItem(label, counts[key], url) for key, label, url in labels if counts.get(key)]


def waiting_items(user):
    items = assessment_waiting_items(user) + follow_up_waiting_items(user)
    if access.is_administrator(user):
        items += administrator_waiting_items()
    return items


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {
            "my_agencies": home_agencies(user=request.user),
            "waiting_items": waiting_items(request.user),
            "follow_ups": own_follow_ups(user=request.user)[:20],
        },
    )


@never_cache
def health(request):
    """For load balancers and monitoring: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})

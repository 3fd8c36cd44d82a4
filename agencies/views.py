from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from . import access, selectors


@login_required
def agency_list(request):
    return render(request, "agencies/agency_list.html", {"agencies": selectors.agency_list(user=request.user)})


@login_required
def agency_detail(request, code):
    agency = access.get_agency_or_404(request.user, code)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "units": selectors.agency_units(agency=agency),
            "people": selectors.agency_people(agency=agency),
            "can_submit": access.can_submit(request.user, agency),
            "can_review": access.can_review(request.user, agency),
            "parent_visible": agency.parent is not None and access.can_see(request.user, agency.parent),
        },
    )


@login_required
def notification_list(request):
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notification_list")
    return render(request, "agencies/notification_list.html", {"notifications": request.user.notifications.all()[:100]})


@login_required
def notification_open(request, pk):
    """Mark one notification read and go where it points (inside the portal only)."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "notification_list"
    return redirect(target)


@login_required
def account_settings(request):
    """The user's own settings: for reviewers, whether submissions come as a daily digest."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from . import second_factor
    from .forms import PreferencesForm
    from .services import user_preferences_update

    is_reviewer = access.is_provincial_staff(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial={"review_digest": request.user.review_digest})
    if request.method == "POST" and is_reviewer and form.is_valid():
        user_preferences_update(user=request.user, review_digest=form.cleaned_data["review_digest"])
        messages.success(request, _("Your settings are saved."))
        return redirect("account_settings")
    return render(request, "agencies/account_settings.html", {
        "form": form, "is_reviewer": is_reviewer, "second_factor": second_factor.status(request.user),
    })


@login_required
def personal_data(request):
    """"My personal data": what the portal holds about the signed-in person (UU 27/2022)."""
    return render(
        request,
        "agencies/personal_data.html",
        {"data": selectors.personal_data(user=request.user), "limit": selectors.SIGN_IN_HISTORY_LIMIT},
    )


@login_required
def personal_data_download(request):
    """The same data as a JSON file."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

    data = selectors.personal_data(user=request.user)
    for membership in data["memberships"]:
        membership.pop("role_label")
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="data-pribadi.json"'
    return response


@login_required
def access_log(request):
    """The access log for the province's administrators: filter by action, person and dates;
    ``?format=csv`` downloads the filtered entries."""
    import csv

    from django.http import Http404, HttpResponse, HttpResponseBadRequest

    from .forms import AccessLogFilterForm

    if not access.is_administrator(request.user):
        raise Http404
    form = AccessLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest()
    filters = form.cleaned_data if form.is_bound else {}
    entries = selectors.access_log(
        action=filters.get("action", ""), person=filters.get("person", ""), since=filters.get("since"), until=filters.get("until")
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="log-akses.csv"'
        writer = csv.writer(response)
        writer.writerow(["at", "action", "actor", "object", "reason", "ip_address"])
        for entry in entries.iterator(chunk_size=2000):
            writer.writerow([entry.at.isoformat(), entry.action, entry.actor.username if entry.actor else "", entry.object_description, entry.reason, entry.ip_address or ""])
        return response
    return render(
        request,
        "agencies/access_log.html",
        {"form": form if form.is_bound else AccessLogFilterForm(), "entries": entries[: selectors.ACCESS_LOG_PAGE_LIMIT],
         "limit": selectors.ACCESS_LOG_PAGE_LIMIT, "query": request.GET.urlencode()},
    )

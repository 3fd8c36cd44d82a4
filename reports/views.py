from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.params import posted_int, query_int
from agencies.access import can_request_report, get_agency_or_404
from assessments.models import AssessmentPeriod
from assessments.selectors import PeriodChoice
from assessments.stored_files import private_file_response

from . import selectors, services
from .models import ReportRun

DOWNLOADS = {
    "pdf": ("pdf", "application/pdf", "pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("csv_zip", "application/zip", "zip"),
}


@login_required
def report_list(request):
    """The reports in the user's scope, and (for those who may) a form to ask for a new one, whose
    answer is the same "Buat laporan" box as on the period page."""
    filters = {key: request.GET.get(key, "") for key in ("kind", "agency", "state", "period")}
    runs = selectors.report_runs(
        user=request.user, kind=filters["kind"], agency_code=filters["agency"], state=filters["state"],
        period_id=query_int(request, "period"),
    )[:200]
    periods = list(AssessmentPeriod.objects.order_by("-year"))
    choices = selectors.report_request_choices(user=request.user, periods=periods)
    # The picker keeps the other filters; a chosen period is also what the request form asks for.
    shown = next((period for period in periods if str(period.pk) == filters["period"]), None)
    if shown is not None:
        choices["period"] = shown
    others = {key: value for key, value in filters.items() if value and key != "period"}
    # After a refused request without htmx, the form shows what was asked again.
    asked = {key: request.GET.get(f"ask_{key}", "") for key in ("kind", "period", "agency")}
    return render(
        request,
        "reports/report_list.html",
        {"runs": runs, "filters": filters, "kinds": ReportRun.Kind.choices, "states": ReportRun.State.choices,
         "periods": periods, "request_choices": choices, "period": shown,
         "period_choices": [PeriodChoice(period, f"{reverse('report_list')}?{urlencode({**others, 'period': period.pk})}",
                                         period == shown) for period in periods],
         "all_periods_url": f"{reverse('report_list')}?{urlencode(others)}" if others else reverse("report_list"),
         "asked": {"kind": asked["kind"] or ReportRun.Kind.REGENCY,
                   "period": asked["period"] or str(getattr(choices["period"], "pk", "")),
                   "agency": asked["agency"] or getattr(choices["agency"], "code", "")}},
    )


@login_required
@require_POST
def report_request(request):
    period = get_object_or_404(AssessmentPeriod, pk=posted_int(request, "period"))
    agency = get_agency_or_404(request.user, request.POST.get("agency", ""))
    kind = request.POST.get("kind", "")
    if kind not in ReportRun.Kind.values:
        raise Http404
    try:
        run, created = services.report_request(kind=kind, period=period, agency=agency, actor=request.user)
    except ValidationError as error:
        if request.headers.get("HX-Request"):
            return _box(request, period, agency, kind, error=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('report_list')}?{urlencode({'ask_kind': kind, 'ask_period': period.pk, 'ask_agency': agency.code})}")
    if request.headers.get("HX-Request"):
        return _box(request, period, agency, kind, joined=not created)
    if not created:
        messages.info(request, _("This report is already being made: you joined that request."))
    return redirect("report_detail", pk=run.pk)


def _box(request, period, agency, kind, joined=False, error=""):
    latest = selectors.latest_runs(user=request.user, period=period, agency=agency).get(kind)
    return render(
        request, "reports/_report_box.html",
        {"run": latest, "period": period, "agency": agency, "kind": kind, "joined": joined, "error": error,
         "kind_label": ReportRun.Kind(kind).label, "can_request": can_request_report(request.user, agency)},
    )


@login_required
def report_box(request):
    """The "Buat laporan" box that regency and province pages load (htmx): the latest run of this
    report, its state (refreshed while it is queued or running), downloads, and the button."""
    period = get_object_or_404(AssessmentPeriod, pk=query_int(request, "period", default=0))
    agency = get_agency_or_404(request.user, request.GET.get("agency", ""))
    kind = request.GET.get("kind", "")
    if kind not in ReportRun.Kind.values:
        raise Http404
    return _box(request, period, agency, kind)


@login_required
def report_detail(request, pk):
    run = selectors.report_run_get(user=request.user, pk=pk)
    template = "reports/_run_status.html" if request.headers.get("HX-Request") else "reports/report_detail.html"
    return render(request, template, {"run": run})


@login_required
def report_download(request, pk, file_format):
    run = selectors.report_run_get(user=request.user, pk=pk)
    if file_format not in DOWNLOADS or run.state != ReportRun.State.DONE:
        raise Http404
    field, content_type, extension = DOWNLOADS[file_format]
    stored = getattr(run, field)
    if not stored:
        raise Http404
    name = f"laporan-{slugify(run.period.framework_version.index_label)}-{run.agency.code}-{run.period.year}-{run.pk}.{extension}"
    return private_file_response(stored, filename=name, content_type=content_type)

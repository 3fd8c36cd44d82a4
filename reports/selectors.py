from django.http import Http404

from agencies.access import visible_agency_filter

from .models import ReportRun


def report_runs(*, user, kind="", period_id=None, agency_code="", state=""):
    """Report runs the user may see: those of agencies in their scope (a province summary only
    to those who see the province)."""
    runs = ReportRun.objects.filter(visible_agency_filter(user, prefix="agency__")).select_related("agency", "period", "requested_by")
    if kind:
        runs = runs.filter(kind=kind)
    if period_id:
        runs = runs.filter(period_id=period_id)
    if agency_code:
        runs = runs.filter(agency__code=agency_code)
    if state:
        runs = runs.filter(state=state)
    return runs.order_by("-created_at", "-pk")


def report_run_get(*, user, pk):
    run = report_runs(user=user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def latest_runs(*, user, period, agency):
    """The newest run of each kind for a page's "Buat laporan" box."""
    runs = report_runs(user=user).filter(period=period, agency=agency)
    latest = {}
    for run in runs:
        latest.setdefault(run.kind, run)
    return latest

from django.http import Http404

from agencies.access import is_provincial_staff, report_request_agency_filter, visible_agency_filter
from agencies.models import Agency
from assessments.models import AssessmentPeriod

from .models import ReportRun


def report_runs(*, user, kind="", period_id=None, agency_code="", state=""):
    """Report runs the user may see: those of agencies in their scope (a province summary only
    to those who see the province)."""
    runs = ReportRun.objects.filter(visible_agency_filter(user, prefix="agency__")).select_related("agency", "period", "requested_by", "issued_document")
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


def report_request_choices(*, user, periods):
    """What the Reports page offers a user to ask for: the kinds, and the agencies (province,
    regencies, cities) whose reports the user may ask for; empty when the user may ask for none.
    ``periods`` is the page's list of periods, newest first: the default is the newest one open or
    in review."""
    agencies = list(
        Agency.objects.filter(report_request_agency_filter(user), is_active=True,
                              kind__in=[Agency.Kind.PROVINCE, Agency.Kind.REGENCY, Agency.Kind.CITY]).order_by("path")
    )
    kinds = [(value, label) for value, label in ReportRun.Kind.choices
             if value != ReportRun.Kind.PROVINCE or is_provincial_staff(user)]
    current = [p for p in periods if p.state in (AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW)]
    default_period = (current or periods or [None])[0]
    default_agency = next((a for a in agencies if a.kind != Agency.Kind.PROVINCE), agencies[0] if agencies else None)
    return {"agencies": agencies, "kinds": kinds if agencies else [], "period": default_period, "agency": default_agency}

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies import access
from agencies.params import parse_int, query_int
from agencies.models import Agency
from agencies.selectors import home_agency
from assessments import selectors as assessment_selectors
from assessments.scoring import compute
from assessments.services import targets_save

from . import selectors


def _number(value):
    return None if value is None else float(value)


@login_required
def dashboard(request):
    """Provincial staff land on the province dashboard; others on their agency's dashboard."""
    period = selectors.current_period()
    if period is None:
        return render(request, "dashboards/empty.html")
    if access.is_provincial_staff(request.user):
        return redirect("province_dashboard", period_id=period.pk)
    agency = home_agency(user=request.user)
    # The agency's own current period: a newer period it is not enrolled in never hides its work.
    period = selectors.agency_current_period(agency=agency) if agency is not None else None
    if period is None:
        return render(request, "dashboards/empty.html", {"period": period})
    return redirect("regency_dashboard", period_id=period.pk, code=agency.code)


@login_required
def province_dashboard(request, period_id):
    if not access.is_provincial_staff(request.user):
        raise PermissionDenied
    period = selectors.period_or_404(period_id)
    sort = request.GET.get("sort", "rank")
    page = query_int(request, "page", default=1, minimum=1, maximum=100_000)
    data = selectors.province_dashboard(user=request.user, period=period, sort=sort, page=page)
    ranked = data["top"]
    index_name = period.framework_version.index_label
    chart = {
        "type": "bar",
        "labels": [row.agency.short_name for row in ranked],
        "datasets": [
            {"label": f"{index_name} — {_('self-assessed')}", "data": [_number(row.self_index) for row in ranked]},
            {"label": f"{index_name} — {_('verified')}", "data": [_number(row.verified_index) for row in ranked]},
        ],
        "max": period.framework_version.scoring.scale_max,
        "horizontal": True,
    }
    predicates_chart = {
        "type": "bar",
        "labels": [name for name, _own, _verified in data["predicates"]],
        "datasets": [
            {"label": _("Self-assessed"), "data": [own for _name, own, _verified in data["predicates"]]},
            {"label": _("Verified"), "data": [verified for _name, _own, verified in data["predicates"]]},
        ],
        "integer": True,
    }
    return render(
        request,
        "dashboards/province.html",
        {**data, "period": period, "sort": sort, "chart": chart, "predicates_chart": predicates_chart,
         "sorts": selectors.SORTS,
         "period_choices": assessment_selectors.period_choices(
             current=period, url_for=lambda other: reverse("province_dashboard", args=[other.pk]))},
    )


@login_required
def regency_dashboard(request, period_id, code):
    period = selectors.period_or_404(period_id)
    assessment = selectors.assessment_for(user=request.user, period=period, code=code)
    data = selectors.regency_dashboard(user=request.user, assessment=assessment)
    aspects = data["aspects"]
    index_name = period.framework_version.index_label
    chart = {
        "type": "radar",
        "labels": [group.node.code for group in aspects],
        "datasets": [
            {"label": f"{index_name} — {_('self-assessed')}", "data": [_number(group.indices["self"]) for group in aspects]},
            {"label": f"{index_name} — {_('verified')}", "data": [_number(group.indices["verified"]) for group in aspects]},
            {"label": f"{index_name} — {_('target')}", "data": [_number(group.indices["planned"]) for group in aspects]},
        ],
        "max": data["framework"].scale_max,
    }
    return render(
        request,
        "dashboards/regency.html",
        {**data, "period": period, "assessment": assessment, "agency": assessment.agency, "chart": chart,
         "period_choices": assessment_selectors.period_choices(
             current=period, agency=assessment.agency, url_for=lambda other: reverse("regency_dashboard", args=[other.pk, code])),
         "can_submit": access.can_submit(request.user, assessment.agency),
         "can_simulate": access.can_simulate(request.user, assessment.agency)},
    )


@login_required
def trends(request):
    agencies = list(selectors.visible_regencies(user=request.user))
    chosen_codes = request.GET.getlist("agency") or [a.code for a in agencies if a.kind != Agency.Kind.PROVINCE][:2]
    chosen = [a for a in agencies if a.code in chosen_codes][:5]
    # The comparison's period: ?period= (kept by the picker), else the current period.
    chosen_period = query_int(request, "period", default=None, minimum=1)
    period = selectors.period_or_404(chosen_period) if chosen_period else selectors.current_period()
    national = selectors.national_series()
    trends_data = selectors.agency_trends(agencies=chosen)
    series = selectors.trend_series(trends=trends_data, national=national)
    years = sorted({year for entry in series for year in entry["values"]})
    datasets = [{"label": entry["label"], "data": [_number(entry["values"].get(y)) for y in years], "estimate": entry["estimate"],
                 "notes": [entry["notes"].get(y, "") for y in years]}
                for entry in series]
    line_chart = {"type": "line", "labels": [str(y) for y in years], "datasets": datasets, "max": 5}
    compared = selectors.comparison(user=request.user, period=period, agencies=chosen) if period else {"aspects": [], "series": []}
    radar_chart = {
        "type": "radar",
        "labels": [node.code for node in compared["aspects"]],
        "datasets": [{"label": entry["agency"].short_name, "data": [_number(v) for v in entry["self"]]} for entry in compared["series"]],
        "max": 5,
    }
    snapshot_chart = {
        "type": "line",
        "labels": sorted({str(day) for t in trends_data for day, _s, _v in t["snapshots"]}),
        "datasets": [],
        "max": 5,
    }
    for trend in trends_data:
        by_day = {str(day): own for day, own, _v in trend["snapshots"]}
        snapshot_chart["datasets"].append({"label": trend["agency"].short_name, "data": [_number(by_day.get(d)) for d in snapshot_chart["labels"]]})
    return render(
        request,
        "dashboards/trends.html",
        {"agencies": agencies, "chosen": chosen, "chosen_codes": [a.code for a in chosen], "years": years, "trends": trends_data,
         "national": national, "series": series, "line_chart": line_chart, "compared": compared, "radar_chart": radar_chart, "period": period,
         "snapshot_chart": snapshot_chart,
         "period_choices": assessment_selectors.period_choices(
             current=period, url_for=lambda other: reverse("trends") + "?" + urlencode(
                 [("agency", agency.code) for agency in chosen] + [("period", other.pk)]))},
    )


def _posted_level(request, name, scale):
    raw = request.POST.get(name, "")
    if raw == "":
        return None
    level = parse_int(raw, name=name, maximum=99)
    return level if level in scale else None


def _whatif_levels(request, items, scale):
    return {item.indicator.code: _posted_level(request, f"level-{item.indicator.code}", scale) for item in items}


@login_required
def whatif(request, period_id, code):
    """Change planned levels and see the index and predicate at once (htmx), without touching the
    assessment; officers may save the plan as target levels."""
    period = selectors.period_or_404(period_id)
    assessment = selectors.assessment_for(user=request.user, period=period, code=code)
    agency = assessment.agency
    if not access.can_simulate(request.user, agency):
        raise PermissionDenied
    every_item = assessment_selectors.assessment_items(assessment=assessment)
    overview = assessment_selectors.assessment_overview(assessment=assessment, items=every_item)
    framework = overview["framework"]
    scale = period.framework_version.scale
    current = overview["scores"][assessment_selectors.SELF]
    # Externally scored indicators keep their source's value: not editable, shown apart.
    external = overview["external"]
    fixed = {item.indicator.code: item.external_value for item in external}
    items = [item for item in every_item if not item.indicator.externally_scored]
    if request.method == "POST":
        planned = _whatif_levels(request, items, scale)
        if request.POST.get("action") == "save":
            # Only the indicators the page showed: each with the target it showed, to refuse a stale plan.
            shown = [item.indicator.code for item in items if f"was-{item.indicator.code}" in request.POST]
            expected = {code: _posted_level(request, f"was-{code}", scale) for code in shown}
            try:
                changed = targets_save(assessment=assessment, actor=request.user, targets={code: planned[code] for code in shown},
                                       expected_targets=expected)
            except (ValidationError, PermissionDenied) as error:  # includes a stale plan (ConcurrentChange)
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Saved as target levels (%(count)s changed).") % {"count": changed})
            return redirect("whatif", period_id=period.pk, code=agency.code)
        simulated = compute(framework, {**planned, **fixed})
        return render(request, "dashboards/_whatif_result.html", {"current": current, "simulated": simulated, "framework": framework})
    planned = {item.indicator.code: item.target_level or item.level for item in items}
    simulated = compute(framework, {**planned, **fixed})
    return render(
        request,
        "dashboards/whatif.html",
        {"period": period, "assessment": assessment, "agency": agency, "items": items, "planned": planned, "scale": scale,
         "current": current, "simulated": simulated, "framework": framework, "can_save": access.can_submit(request.user, agency),
         "external": external,
         "period_choices": assessment_selectors.period_choices(
             current=period, agency=agency, url_for=lambda other: reverse("whatif", args=[other.pk, agency.code]))},
    )

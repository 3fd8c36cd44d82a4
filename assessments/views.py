from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import is_administrator, is_provincial_staff

from . import selectors, services
from .exports import export
from .models import AssessmentPeriod


@login_required
def period_list(request):
    return render(request, "assessments/period_list.html", {"periods": selectors.period_list()})


@login_required
def period_detail(request, period_id):
    period = selectors.period_get(period_id)
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "rows": selectors.period_agency_scores(period=period, user=request.user),
            "events": period.events.select_related("actor")[:20],
            "can_administer": is_administrator(request.user),
            "next_states": [
                (state, AssessmentPeriod.State(state).label)
                for state, sources in services.PERIOD_TRANSITIONS.items()
                if period.state in sources
            ],
        },
    )


@login_required
@require_POST
def period_transition(request, period_id):
    period = selectors.period_get(period_id)
    if not is_administrator(request.user):
        raise PermissionDenied
    try:
        services.period_transition(
            period=period,
            to_state=request.POST.get("to_state", ""),
            actor=request.user,
            note=request.POST.get("note", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The period is now: %(state)s.") % {"state": period.get_state_display()})
    return redirect("period_detail", period_id=period.pk)


def _parse_target(text):
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@login_required
def assessment_detail(request, period_id, code):
    period = selectors.period_get(period_id)
    assessment = selectors.assessment_get(user=request.user, period=period, code=code)
    items = selectors.assessment_items(assessment=assessment)
    overview = selectors.assessment_overview(assessment=assessment, items=items)
    framework = overview["framework"]
    basis = request.GET.get("basis") if request.GET.get("basis") in (selectors.SELF, selectors.VERIFIED) else selectors.SELF
    target = _parse_target(request.GET.get("target", ""))
    target_error = ""
    if target is not None and not framework.scale_min <= target <= framework.scale_max:
        target_error = _("A target index must be between %(low)s and %(high)s.") % {"low": framework.scale_min, "high": framework.scale_max}
        target = None
    plan = selectors.assessment_plan(assessment=assessment, levels=overview["levels"], basis=basis, target=target)
    gains = selectors.assessment_top_gains(assessment=assessment, levels=overview["levels"], basis=basis)
    # Domains, aspects and indicators in the file's order: one table, groups as heading rows.
    lines = sorted(
        [{"group": group, "position": group.node.position} for group in overview["groups"]]
        + [
            {
                "item": item,
                "position": item.indicator.position,
                "level_name": framework.level_names.get(item.indicator.level_scale, {}).get(item.level, ""),
            }
            for item in items
        ],
        key=lambda line: line["position"],
    )
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "period": period,
            "assessment": assessment,
            "agency": assessment.agency,
            "framework": framework,
            "scores": overview["scores"],
            "groups": overview["groups"],
            "lines": lines,
            "missing": len(overview["scores"][selectors.SELF].missing),
            "plan": plan,
            "gains": gains,
            "basis": basis,
            "target_text": request.GET.get("target", ""),
            "target_error": target_error,
            "published": selectors.published_results(user=request.user, agency=assessment.agency),
            "level_descriptions": period.framework_version.definition["level_scales"],
        },
    )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def period_export(request, period_id, kind, file_format):
    period = selectors.period_get(period_id)
    if kind not in ("levels", "indices") or file_format not in CONTENT_TYPES:
        raise Http404
    content = export(kind=kind, file_format=file_format, period=period, user=request.user)
    name = {"levels": _("levels"), "indices": _("indices")}[kind]
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="spbe-{period.year}-{slugify(name)}.{file_format}"'
    return response


@login_required
def published_result_list(request):
    results = list(selectors.published_results(user=request.user))
    years = sorted({result.year for result in results})
    table = {}
    for result in results:
        table.setdefault(result.agency, {})[result.year] = result
    rows = [(agency, [by_year.get(year) for year in years]) for agency, by_year in table.items()]
    return render(
        request,
        "assessments/published_results.html",
        {"years": years, "rows": rows, "is_provincial_staff": is_provincial_staff(request.user)},
    )

"""The read-only JSON API for other government systems (e.g. the province's open-data portal):
periods, agencies, and indices per period and agency. Token authentication
(``Authorization: Token <key>``); a token acts as its user, with that user's scope. Described by the
OpenAPI document at /api/v1/openapi.json."""

from functools import wraps

from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies.models import Agency
from agencies.services import api_token_authenticate
from assessments.models import AssessmentPeriod

from . import selectors
from .openapi import OPENAPI


def _unauthorized(message):
    response = JsonResponse({"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Token realm="SPBE Portal API"'
    return response


def token_required(view):
    @wraps(view)
    @never_cache
    @require_GET
    def wrapper(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not key.strip():
            return _unauthorized("Authentication credentials were not provided: send 'Authorization: Token <key>'.")
        token = api_token_authenticate(key=key.strip())
        if token is None:
            return _unauthorized("Invalid or revoked token.")
        request.user = token.user
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"detail": "Not found."}, status=404)

    return wrapper


def _index(value):
    return None if value is None else float(value)


def _period(period):
    return {"id": period.pk, "name": period.name, "year": period.year, "framework": period.framework_version.framework.code,
            "framework_version": period.framework_version.number, "state": period.state}


@token_required
def periods(request):
    rows = AssessmentPeriod.objects.select_related("framework_version__framework").order_by("-year")
    return JsonResponse({"results": [_period(p) for p in rows]})


@token_required
def agencies(request):
    rows = Agency.objects.for_user(request.user).filter(is_active=True).select_related("parent").order_by("path")
    return JsonResponse({"results": [
        {"code": a.code, "name": a.name, "short_name": a.short_name, "kind": a.kind, "parent": a.parent.code if a.parent else None}
        for a in rows
    ]})


@token_required
def period_indices(request, period_id):
    period = selectors.period_or_404(period_id)
    rows = selectors.api_indices(user=request.user, period=period)
    return JsonResponse({"period": _period(period), "results": [
        {"agency": code, "name": name,
         "self_assessed": {"index": _index(own), "predicate": own_predicate},
         "verified": {"index": _index(verified), "predicate": verified_predicate},
         "planned": {"index": _index(planned), "predicate": planned_predicate}}
        for code, name, own, own_predicate, verified, verified_predicate, planned, planned_predicate in rows
    ]})


@token_required
def agency_indices(request, period_id, code):
    period = selectors.period_or_404(period_id)
    assessment, overview = selectors.api_agency_indices(user=request.user, period=period, code=code)
    scores = overview["scores"]
    return JsonResponse({
        "period": _period(period), "agency": assessment.agency.code, "name": assessment.agency.name,
        "self_assessed": {"index": _index(scores["self"].index), "predicate": scores["self"].predicate},
        "verified": {"index": _index(scores["verified"].index), "predicate": scores["verified"].predicate},
        "planned": {"index": _index(scores["planned"].index), "predicate": scores["planned"].predicate},
        "groups": [{"code": g.node.code, "name": g.node.name, "tier": g.node.tier, "weight": float(g.node.weight),
                    "self_assessed": _index(g.indices["self"]), "verified": _index(g.indices["verified"]),
                    "planned": _index(g.indices["planned"])} for g in overview["groups"]],
    })


@never_cache
@require_GET
def openapi(request):
    return JsonResponse(OPENAPI)

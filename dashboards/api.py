"""The read-only JSON API for other government systems (e.g. the province's open-data portal):
periods, agencies, and indices per period and agency. Token authentication
(``Authorization: Token <key>``); a token acts as its user, with that user's scope. Described by the
OpenAPI document at /api/v1/openapi.json."""

from functools import wraps

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from agencies.models import Agency
from agencies.services import api_token_authenticate
from assessments.models import AssessmentPeriod
from assessments.selectors import assessment_ledger

from . import selectors
from .openapi import OPENAPI

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
ALLOWED_METHODS = ("GET", "HEAD")


def _error(status, message, **headers):
    response = JsonResponse({"detail": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _unauthorized(message):
    return _error(401, message, **{"WWW-Authenticate": 'Token realm="SPBE Portal API"'})


class BadRequest(Exception):
    """A query parameter the API cannot use; answered 400 with the message."""


def api_view(view):
    """Every API answer is JSON: 405 for methods other than GET/HEAD (no CSRF page: the API takes no
    cookies, only tokens), 404 and 400 as ``{"detail": ...}``."""

    @wraps(view)
    @csrf_exempt
    @never_cache
    def wrapper(request, *args, **kwargs):
        if request.method not in ALLOWED_METHODS:
            return _error(405, f"Method {request.method} not allowed: the API is read-only.", Allow=", ".join(ALLOWED_METHODS))
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found.")
        except BadRequest as error:
            return _error(400, str(error))

    return wrapper


def token_required(view):
    @wraps(view)
    @api_view
    def wrapper(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not key.strip():
            return _unauthorized("Authentication credentials were not provided: send 'Authorization: Token <key>'.")
        token = api_token_authenticate(key=key.strip())
        if token is None:
            return _unauthorized("Invalid or revoked token.")
        request.user = token.user
        return view(request, *args, **kwargs)

    return wrapper


def _positive_int(request, name, default):
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if raw.isascii() else None
    except ValueError:
        value = None
    if value is None or value < 1:
        raise BadRequest(f"'{name}' must be a whole number of at least 1.")
    return value


def _page(request, rows, serialize):
    """One page of ``rows``: ``?page=`` (from 1) and ``?page_size=`` (default 50, at most 100)."""
    page_size = min(_positive_int(request, "page_size", PAGE_SIZE), MAX_PAGE_SIZE)
    number = _positive_int(request, "page", 1)
    paginator = Paginator(rows, page_size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise Http404 from None

    def link(page_number):
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("page_size", None)
        query["page"] = page_number
        query["page_size"] = page_size
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [serialize(row) for row in page.object_list],
    }


def _period_id(value):
    # Beyond a 64-bit key no period exists (and the database would refuse the number).
    if value > 2**63 - 1:
        raise Http404
    return value


def _index(value):
    return None if value is None else float(value)


def _period(period):
    return {"id": period.pk, "name": period.name, "year": period.year, "framework": period.framework_version.framework.code,
            "framework_version": period.framework_version.number, "index_name": period.framework_version.index_label,
            "state": period.state}


def _compared_with(earlier):
    """The period a change is measured against, and how: within the same framework, or across
    frameworks through the crosswalk (an estimate); both null where there is none."""
    if earlier is None:
        return {"change_basis": None, "compared_with": None}
    return {"change_basis": earlier.basis,
            "compared_with": {"id": earlier.period.pk, "name": earlier.period.name, "year": earlier.period.year,
                              "framework": earlier.period.framework_version.framework.code,
                              "index_name": earlier.period.framework_version.index_label}}


def _change(index, before):
    return None if index is None or before is None else round(index - before, 2)


def _agency(agency):
    return {"code": agency.code, "name": agency.name, "short_name": agency.short_name, "kind": agency.kind,
            "parent": agency.parent.code if agency.parent else None}


def _index_row(row):
    (code, name, own, own_predicate, verified, verified_predicate, planned, planned_predicate,
     regional, rank, own_missing, verified_missing, planned_missing, indicators) = row

    def variant(index, predicate, missing):
        return {"index": _index(index), "predicate": predicate, "assessed": indicators - missing, "indicators": indicators}

    return {"agency": code, "name": name, "rank": rank if regional else None,
            "self_assessed": variant(own, own_predicate, own_missing),
            "verified": variant(verified, verified_predicate, verified_missing),
            "planned": variant(planned, planned_predicate, planned_missing)}


def _scores(scores):
    return {"index": _index(scores.index), "predicate": scores.predicate, "assessed": scores.assessed_count,
            "indicators": scores.indicator_count}


@token_required
def periods(request):
    rows = AssessmentPeriod.objects.select_related("framework_version__framework").order_by("-year", "-pk")
    return JsonResponse(_page(request, rows, _period))


@token_required
def agencies(request):
    rows = Agency.objects.for_user(request.user).filter(is_active=True).select_related("parent").order_by("path")
    return JsonResponse(_page(request, rows, _agency))


@token_required
def period_indices(request, period_id):
    period = selectors.period_or_404(_period_id(period_id))
    rows = selectors.api_indices(user=request.user, period=period)
    page = _page(request, rows, _index_row)
    earlier = selectors.previous_period(period)
    before = selectors.earlier_indices_by_code(earlier=earlier, codes=[row["agency"] for row in page["results"]]) if earlier else {}
    basis = _compared_with(earlier)
    for row in page["results"]:
        row["change"] = _change(row["self_assessed"]["index"], _index(before.get(row["agency"])))
        row["change_basis"] = basis["change_basis"] if row["change"] is not None else None
    return JsonResponse({"period": _period(period), **basis, **page})


@token_required
def agency_indices(request, period_id, code):
    if "\x00" in code:
        raise Http404
    period = selectors.period_or_404(_period_id(period_id))
    assessment, overview = selectors.api_agency_indices(user=request.user, period=period, code=code)
    scores = overview["scores"]
    change = selectors.index_change(assessment=assessment, index=scores["self"].index)
    return JsonResponse({
        "period": _period(period), "agency": assessment.agency.code, "name": assessment.agency.name,
        "change": float(change.difference) if change else None, "change_basis": change.basis if change else None,
        "compared_with": {"name": change.label, "index": float(change.index)} if change else None,
        "self_assessed": _scores(scores["self"]), "verified": _scores(scores["verified"]), "planned": _scores(scores["planned"]),
        "groups": [{"code": g.node.code, "name": g.node.name, "tier": g.node.tier, "weight": float(g.node.weight),
                    "self_assessed": _index(g.indices["self"]), "verified": _index(g.indices["verified"]),
                    "planned": _index(g.indices["planned"])} for g in overview["groups"]],
        **_ledger(assessment_ledger(assessment=assessment)),
    })


def _ledger(ledger):
    """The index of every stage reached and, per indicator, its score at each stage with the gap
    and the assessors' note and recommendation (assessments.selectors.assessment_ledger)."""
    return {
        "stages": [{"stage": str(stage.stage), "label": stage.label, **_scores(stage.scores)} for stage in ledger.stages],
        "ledger": [{"indicator": row.indicator.code, "steps": [
            {"stage": str(step.stage), "score": _index(step.score), "gap": _index(step.gap), "note": step.note,
             "recommendation": step.recommendation} for step in row.steps]} for row in ledger.rows],
    }


@api_view
def openapi(request):
    return JsonResponse(OPENAPI)


@api_view
def not_found(request, rest=""):
    """Any other path under /api/: a JSON 404 (or the JSON redirect to the same path with a slash)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api_not_found":
            location = request.get_full_path(force_append_slash=True)
            return _error(301, f"Moved to {location}", Location=location)
    raise Http404

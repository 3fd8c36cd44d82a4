"""Reads for the dashboards and the API. Lists of agencies read the AssessmentSummary rows the
services keep current (one row per agency, whatever the number of indicators); pages about one
agency ask the engine directly. Every read is scoped through agencies.access."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone

from agencies.access import visible_agency_filter
from agencies.models import Agency
from assessments import selectors as assessment_selectors
from assessments.selectors import current_period as _current_period
from assessments.models import Assessment, AssessmentPeriod, AssessmentSummary, IndicatorAssessment, PublishedResult
from assessments.scoring import compute
from meetings.models import FollowUp
from reports.models import IndexSnapshot

NATIONAL_INDEX_FILE = Path(__file__).resolve().parent / "data" / "national_index.json"

PAGE_SIZE = 25

RANK_ORDER = ("-verified_index", "-self_index", "agency__code")

SORTS = {
    "rank": RANK_ORDER,
    "self": ("-self_index", "agency__code"),
    "verified": ("-verified_index", "agency__code"),
    "name": ("agency__name",),
    "code": ("agency__code",),
    "change": (F("change").desc(nulls_last=True), "agency__code"),
    "returned": ("-returned", "agency__code"),
    "submitted": ("-submitted", "agency__code"),
    "overdue": ("-overdue", "agency__code"),
}


def current_period():
    return _current_period(or_latest=True)


def has_assessment(*, period, agency):
    return Assessment.objects.filter(period=period, agency=agency).exists()


def previous_period(period):
    return AssessmentPeriod.objects.filter(year__lt=period.year).order_by("-year").first()


def province_dashboard(*, user, period, sort="rank", page=1):
    """Every regency and city the user may see: one page of the table (ranked, sorted and paged in
    the database, so a national data set costs what a province does), the ranking chart's top
    entries, predicates at a glance, the review queue and overdue follow-ups. Five queries."""
    previous = previous_period(period)
    summaries = (
        AssessmentSummary.objects.filter(period=period, agency__kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY])
        .filter(visible_agency_filter(user, prefix="agency__"))
    )
    ranked = summaries.select_related("agency")
    if sort != "rank":
        # The rank of a row shown in another order: a window over all rows.
        ranked = ranked.annotate(
            rank=Window(RowNumber(), order_by=[F("verified_index").desc(), F("self_index").desc(), F("agency__code").asc()])
        )
    if sort in ("change", "overdue"):
        # Sorting by a derived column: compute it for every row in the database.
        overdue = FollowUp.objects.overdue().filter(agency=OuterRef("agency")).values("agency").annotate(n=Count("pk")).values("n")
        before = AssessmentSummary.objects.filter(period=previous, agency=OuterRef("agency")).values("self_index")[:1]
        ranked = ranked.annotate(
            overdue=Coalesce(Subquery(overdue), 0),
            change=F("self_index") - Subquery(before) if previous else Value(None, output_field=DecimalField()),
        )
    totals = summaries.aggregate(
        agencies=Count("pk"), queue=Sum("submitted"), oldest=Min("oldest_submitted_at"),
        **{f"self_{i}": Count("pk", filter=Q(self_predicate=band.name)) for i, band in enumerate(period.framework_version.scoring.bands)},
        **{f"verified_{i}": Count("pk", filter=Q(verified_predicate=band.name)) for i, band in enumerate(period.framework_version.scoring.bands)},
    )
    overdue_total = FollowUp.objects.overdue().filter(agency__in=summaries.values("agency")).count()
    bands = list(enumerate(period.framework_version.scoring.bands))
    pages = max(1, -(-totals["agencies"] // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(ranked.order_by(*SORTS.get(sort, SORTS["rank"]))[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    if sort == "rank":
        for position, row in enumerate(rows, start=(page - 1) * PAGE_SIZE + 1):
            row.rank = position
    if sort not in ("change", "overdue"):
        # Derived columns for the rows on this page only: two small queries.
        ids = [row.agency_id for row in rows]
        overdue_by_agency = dict(FollowUp.objects.overdue().filter(agency_id__in=ids).values_list("agency_id").annotate(n=Count("pk")).order_by())
        before_by_agency = dict(
            AssessmentSummary.objects.filter(period=previous, agency_id__in=ids).values_list("agency_id", "self_index")
        ) if previous else {}
        for row in rows:
            row.overdue = overdue_by_agency.get(row.agency_id, 0)
            row.change = row.self_index - before_by_agency[row.agency_id] if row.agency_id in before_by_agency else None
    top = rows[:25] if sort == "rank" and page == 1 else list(summaries.select_related("agency").order_by(*RANK_ORDER)[:25])
    oldest = totals["oldest"]
    return {
        "rows": rows,
        "top": top,
        "previous": previous,
        "page": page,
        "pages": pages,
        "agency_count": totals["agencies"],
        "predicates": [(band.name, totals[f"self_{i}"], totals[f"verified_{i}"]) for i, band in reversed(bands)],
        "overdue_total": overdue_total,
        "queue_size": totals["queue"] or 0,
        "queue_oldest": oldest,
        "queue_age_days": (timezone.now() - oldest).days if oldest else None,
    }


def assessment_for(*, user, period, code):
    return assessment_selectors.assessment_get(user=user, period=period, code=code)


def regency_dashboard(*, user, assessment):
    """One agency's numbers (engine), weakest indicators, plan, and what waits for its officers."""
    items = assessment_selectors.assessment_items(assessment=assessment)
    overview = assessment_selectors.assessment_overview(assessment=assessment, items=items)
    weakest, unscored = weakest_indicators(items)
    follow_ups = list(
        FollowUp.objects.with_overdue_flag().filter(agency=assessment.agency, state__in=FollowUp.OPEN_STATES)
        .select_related("owner", "meeting").order_by("-is_overdue", "due_date")[:10]
    )
    return {
        **overview,
        "items": items,
        "weakest": weakest,
        "unscored_count": unscored,
        "plan": assessment_selectors.assessment_plan(assessment=assessment, levels=overview["levels"]),
        "drafts": [item for item in items if item.state == IndicatorAssessment.State.DRAFT],
        "returned": [item for item in items if item.state == IndicatorAssessment.State.RETURNED],
        "follow_ups": follow_ups,
        "aspects": _leaf_groups(overview["groups"]),
    }


def weakest_indicators(items, count=8):
    """The ``count`` scored indicators with the lowest score, and how many have no score at all.
    An indicator's score is its verified level, or its self-assessed level until the province has
    verified one; an indicator with neither is not scored and is not "weak", only not filled in."""

    def score(item):
        return item.verified_level if item.verified_level is not None else item.level

    items = [item for item in items if not item.indicator.externally_scored]  # not the agency's to raise: shown apart
    scored = [item for item in items if score(item) is not None]
    weakest = sorted(scored, key=lambda item: (score(item), item.level or 0, -item.indicator.weight, item.indicator.position))
    return weakest[:count], len(items) - len(scored)


def _leaf_groups(groups):
    """The groups right above the indicators (aspects), for radar charts."""
    parents = {group.node.parent_id for group in groups}
    return [group for group in groups if group.node.pk not in parents]


def national_averages():
    """National Indeks SPBE by year, from a data file (reference values)."""
    data = json.loads(NATIONAL_INDEX_FILE.read_text(encoding="utf-8"))
    return {int(year): Decimal(str(value)) for year, value in data["national_index"].items()}


def agency_trends(*, agencies):
    """Each agency's indices across periods, published results and weekly snapshots (three
    queries for all of them)."""
    ids = [agency.pk for agency in agencies]
    summaries, published, snapshots = {}, {}, {}
    for summary in AssessmentSummary.objects.filter(agency_id__in=ids).select_related("period").order_by("period__year"):
        summaries.setdefault(summary.agency_id, []).append(summary)
    for agency_id, year, index in PublishedResult.objects.filter(agency_id__in=ids).order_by("year").values_list("agency_id", "year", "index"):
        published.setdefault(agency_id, []).append((year, index))
    for agency_id, day, own, verified in IndexSnapshot.objects.filter(agency_id__in=ids).order_by("taken_on").values_list(
        "agency_id", "taken_on", "self_index", "verified_index"
    ):
        snapshots.setdefault(agency_id, []).append((day, own, verified))
    return [
        {"agency": agency, "summaries": summaries.get(agency.pk, []), "published": published.get(agency.pk, []),
         "snapshots": snapshots.get(agency.pk, [])}
        for agency in agencies
    ]


def comparison(*, user, period, agencies):
    """Aspect indices of a few agencies in one period, side by side (engine; two queries)."""
    framework = period.framework_version.scoring
    assessments = {a.agency_id: a for a in Assessment.objects.filter(period=period, agency__in=agencies)}
    rows = {}
    for assessment_id, *row in IndicatorAssessment.objects.filter(
        assessment__in=assessments.values()
    ).values_list("assessment_id", *assessment_selectors.LEVEL_FIELDS):
        rows.setdefault(assessment_id, []).append(row)
    levels = {}
    for assessment_id, item_levels in rows.items():
        variants = assessment_selectors.variant_levels(item_levels, framework)
        levels[assessment_id] = (variants[assessment_selectors.SELF], variants[assessment_selectors.VERIFIED])
    aspects = [node for node in framework.nodes() if not node.is_indicator and all(child.is_indicator for child in node.children)]
    series = []
    for agency in agencies:
        assessment = assessments.get(agency.pk)
        if assessment is None:
            continue
        own, verified = levels.get(assessment.pk, ({}, {}))
        scores, checked = compute(framework, own), compute(framework, verified)
        series.append({
            "agency": agency,
            "self": [scores.node_index(node.code) for node in aspects],
            "verified": [checked.node_index(node.code) for node in aspects],
            "index": scores.index,
            "verified_index": checked.index,
        })
    return {"aspects": aspects, "series": series}


def visible_regencies(*, user):
    return Agency.objects.for_user(user).filter(is_active=True).exclude(kind=Agency.Kind.UNIT).order_by("path")


API_INDEX_FIELDS = ("agency__code", "agency__name", "self_index", "self_predicate", "verified_index", "verified_predicate",
                    "planned_index", "planned_predicate")


def api_indices(*, user, period):
    """Rows of plain values (no model objects: the list can hold every agency of the country), as a
    queryset the API pages through."""
    return (
        AssessmentSummary.objects.filter(period=period).filter(visible_agency_filter(user, prefix="agency__"))
        .order_by("agency__path").values_list(*API_INDEX_FIELDS)
    )


def api_agency_indices(*, user, period, code):
    assessment = assessment_selectors.assessment_get(user=user, period=period, code=code)
    overview = assessment_selectors.assessment_overview(assessment=assessment)
    return assessment, overview


def period_or_404(period_id):
    period = AssessmentPeriod.objects.select_related("framework_version").filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period

"""Reads for the dashboards and the API. Lists of agencies read the AssessmentSummary rows the
services keep current (one row per agency, whatever the number of indicators); pages about one
agency ask the engine directly. Every read is scoped through agencies.access."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import BooleanField, Case, Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import visible_agency_filter
from agencies.models import Agency
from assessments import selectors as assessment_selectors
from assessments.selectors import RANK_EXPRESSIONS, RANK_ORDER, assessed_text
from assessments import series
from assessments.selectors import current_period as _current_period
from assessments.models import Assessment, AssessmentPeriod, AssessmentSummary, IndicatorAssessment, PublishedResult
from assessments.scoring import compute
from meetings.models import FollowUp
from reports.models import IndexSnapshot

NATIONAL_INDEX_FILE = Path(__file__).resolve().parent / "data" / "national_index.json"

PAGE_SIZE = 25
NOT_STARTED_SHOWN = 60  # names in the "not started" callout; the progress sort lists every one

# An assessment none of whose indicators the officers have filled in (the externally scored ones
# are the province's: AssessmentSummary leaves them out of its counts).
NOT_STARTED = Q(draft=0, submitted=0, returned=0, accepted=0)
FILLED = F("draft") + F("submitted") + F("returned") + F("accepted")
HANDED_IN = F("submitted") + F("accepted")  # submitted and not returned: waiting for review or verified

SORTS = {
    "rank": RANK_ORDER,
    "self": ("-self_index", "agency__code"),
    "verified": ("-verified_index", "agency__code"),
    "name": ("agency__name",),
    "code": ("agency__code",),
    "change": (F("change").desc(nulls_last=True), "agency__code"),
    "returned": ("-returned", "agency__code"),
    "submitted": (HANDED_IN.desc(), "agency__code"),
    "overdue": ("-overdue", "agency__code"),
    "progress": (FILLED.asc(), F("submitted").asc(), F("accepted").asc(), "agency__code"),
}


def current_period():
    return _current_period(or_latest=True)


def agency_current_period(*, agency):
    """The newest period open or in review in which ``agency`` has an assessment, else the newest
    in which it has one; None when it has none."""
    periods = AssessmentPeriod.objects.filter(assessments__agency=agency).order_by("-year", "-self_assessment_opens")
    return periods.filter(state__in=assessment_selectors.ACTIVE_STATES).first() or periods.first()


def previous_period(period):
    """What a period's "change" is measured against: an assessments.series.EarlierPeriod (same
    framework, or another one through a crosswalk and then an estimate), or None."""
    return series.previous_period(period)


def _before_subquery(previous):
    """Each row's earlier index, as a database expression: the earlier summary's self-assessed
    index in the same framework, the crosswalk's estimate across frameworks."""
    if previous.is_estimate:
        return series.estimated_index_subquery(previous)
    return Subquery(AssessmentSummary.objects.filter(period=previous.period, agency=OuterRef("agency")).values("self_index")[:1])


def province_dashboard(*, user, period, sort="rank", page=1, today=None):
    """Every enrolled regency and city the user may see, those that have not started included: one
    page of the table (ranked, sorted and paged in the database, so a national data set costs what
    a province does) with each one's progress, the agencies not started yet (first, in a list of
    their own), the stage the period is in and the days left in it, the ranking chart's top
    entries, predicates at a glance, the review queue and overdue follow-ups: the same queries whatever the
    number of agencies (tests/dashboards/test_query_counts.py)."""
    from assessments.services.stages import period_current_stage

    previous = previous_period(period)
    summaries = (
        AssessmentSummary.objects.filter(period=period, agency__kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY])
        .filter(visible_agency_filter(user, prefix="agency__"))
    )
    ranked = summaries.select_related("agency")
    if sort != "rank":
        # The rank of a row shown in another order: a window over all rows.
        ranked = ranked.annotate(
            rank=Window(RowNumber(), order_by=list(RANK_EXPRESSIONS))
        )
    if sort in ("change", "overdue"):
        # Sorting by a derived column: compute it for every row in the database.
        overdue = FollowUp.objects.overdue().filter(agency=OuterRef("agency")).values("agency").annotate(n=Count("pk")).values("n")
        ranked = ranked.annotate(
            overdue=Coalesce(Subquery(overdue), 0),
            change=F("self_index") - _before_subquery(previous) if previous else Value(None, output_field=DecimalField()),
        )
    totals = summaries.aggregate(
        agencies=Count("pk"), queue=Sum("submitted"), oldest=Min("oldest_submitted_at"), not_started=Count("pk", filter=NOT_STARTED),
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
    if sort not in ("change", "overdue") or (previous and previous.is_estimate):
        # Derived columns for the rows on this page only: two small queries. (Sorted by an
        # estimated change, the database only orders the rows; the page shows the engine's exact
        # estimate, the same number as the reports.)
        ids = [row.agency_id for row in rows]
        overdue_by_agency = dict(FollowUp.objects.overdue().filter(agency_id__in=ids).values_list("agency_id").annotate(n=Count("pk")).order_by())
        before_by_agency = series.earlier_indices(earlier=previous, agency_ids=ids) if previous else {}
        for row in rows:
            row.overdue = overdue_by_agency.get(row.agency_id, 0)
            row.change = row.self_index - before_by_agency[row.agency_id] if row.agency_id in before_by_agency else None
    for row in rows:
        row.is_not_started = row.filled == 0
        row.handed_in = row.submitted + row.accepted
    top = rows[:25] if sort == "rank" and page == 1 else list(summaries.select_related("agency").order_by(*RANK_ORDER)[:25])
    # Always read (even when every agency has started): the same queries whatever the data.
    not_started = list(
        summaries.filter(NOT_STARTED).order_by("agency__path").values_list("agency__code", "agency__short_name")[:NOT_STARTED_SHOWN]
    )
    oldest = totals["oldest"]
    return {
        "not_started": not_started,
        "not_started_count": totals["not_started"],
        "not_started_more": max(0, totals["not_started"] - len(not_started)),
        "stage": period_current_stage(period, today=today or timezone.localdate()),
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
        "change": series.previous_assessment_change(
            agency=assessment.agency, period=assessment.period, index=overview["scores"][assessment_selectors.SELF].index
        ),
        "ledger": assessment_selectors.assessment_ledger(assessment=assessment, items=items),
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


def national_series():
    """The national averages as the series of the framework they were measured by (the data file
    names it and its index): never compared with another framework's index."""
    data = json.loads(NATIONAL_INDEX_FILE.read_text(encoding="utf-8"))
    return {"framework": data["framework"], "index_name": data["index_name"], "regulation": data["regulation"],
            "values": {int(year): Decimal(str(value)) for year, value in data["national_index"].items()}}


def agency_trends(*, agencies):
    """Each agency's indices across periods, published results and weekly snapshots (three
    queries for all of them). Published results are (year, index, framework version)."""
    ids = [agency.pk for agency in agencies]
    summaries, published, snapshots = {}, {}, {}
    every = list(AssessmentSummary.objects.filter(agency_id__in=ids).select_related("period__framework_version__framework")
                 .order_by("period__year"))
    for summary in every:
        summaries.setdefault(summary.agency_id, []).append(summary)
    estimates = series.estimated_history(summaries=every)
    for result in PublishedResult.objects.filter(agency_id__in=ids).select_related("framework_version").order_by("year"):
        published.setdefault(result.agency_id, []).append((result.year, result.index, result.framework_version))
    for agency_id, day, own, verified in IndexSnapshot.objects.filter(agency_id__in=ids).order_by("taken_on").values_list(
        "agency_id", "taken_on", "self_index", "verified_index"
    ):
        snapshots.setdefault(agency_id, []).append((day, own, verified))
    return [
        {"agency": agency, "summaries": summaries.get(agency.pk, []), "published": published.get(agency.pk, []),
         "snapshots": snapshots.get(agency.pk, []),
         "estimates": {year: found for (agency_id, year), found in estimates.items() if agency_id == agency.pk}}
        for agency in agencies
    ]


def trend_series(*, trends, national):
    """One series per agency, measure and framework: an Indeks SPBE and an Indeks Pemdi are never
    one line. Each series: key, label (the framework's index name and regulation), framework (id;
    the national data's code), values by year, and whether it is a crosswalk estimate. The national
    averages are the series of the framework the data file names."""
    found = []

    def add(key, label, framework, values, estimate=False, notes=None):
        if values:
            found.append({"key": key, "label": label, "framework": framework, "values": values, "estimate": estimate,
                          "notes": notes or {}})

    for trend in trends:
        name = trend["agency"].short_name
        by_framework = {}
        for summary in trend["summaries"]:
            version = summary.period.framework_version
            entry = by_framework.setdefault(version.framework_id, {"version": version, "self": {}, "verified": {}, "published": {},
                                                                   "self_notes": {}, "verified_notes": {}})
            entry["self"][summary.period.year] = summary.self_index
            entry["verified"][summary.period.year] = summary.verified_index
            entry["self_notes"][summary.period.year] = assessed_text(summary.self_assessed_count, summary.indicator_count)
            entry["verified_notes"][summary.period.year] = assessed_text(summary.verified_assessed_count, summary.indicator_count)
        for year, index, version in trend["published"]:
            entry = by_framework.setdefault(version.framework_id, {"version": version, "self": {}, "verified": {}, "published": {},
                                                                   "self_notes": {}, "verified_notes": {}})
            entry["published"][year] = index
        for framework_id, entry in sorted(by_framework.items(), key=lambda item: min([*item[1]["self"], *item[1]["published"]])):
            version = entry["version"]
            add((trend["agency"].code, framework_id, "self"), f"{name} — {version.series_label} — {_('self-assessed')}", framework_id, entry["self"],
                notes=entry["self_notes"])
            add((trend["agency"].code, framework_id, "verified"), f"{name} — {version.series_label} — {_('verified')}", framework_id, entry["verified"],
                notes=entry["verified_notes"])
            add((trend["agency"].code, framework_id, "published"), f"{name} — {version.series_label} — {_('national result')}", framework_id, entry["published"])
        estimates = trend.get("estimates") or {}
        if estimates:
            # Earlier periods of another framework, estimated through the crosswalk: a series of its
            # own, labelled as an estimate (a dashed line), never joined to the measured one.
            target = next(iter(estimates.values()))[1]
            sources = sorted({summary.period.framework_version.index_label for summary in trend["summaries"]
                              if summary.period.year in estimates})
            label = _("estimate through the crosswalk from %(index)s") % {"index": ", ".join(sources)}
            add((trend["agency"].code, target.framework_id, "estimate"), f"{name} — {target.series_label} — {label} — {_('self-assessed')}",
                target.framework_id, {year: estimate.index for year, (estimate, _target) in estimates.items()}, estimate=True)
    if national:
        add(("national",), f"{national['index_name']} — {_('national average')} ({national['regulation']})", national["framework"], national["values"])
    return found


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
            "scores": scores,
        })
    return {"aspects": aspects, "series": series}


def visible_regencies(*, user):
    return Agency.objects.for_user(user).filter(is_active=True).exclude(kind=Agency.Kind.UNIT).order_by("path")


API_INDEX_FIELDS = ("agency__code", "agency__name", "self_index", "self_predicate", "verified_index", "verified_predicate",
                    "planned_index", "planned_predicate", "regional", "rank", "unassessed", "verified_unassessed", "planned_unassessed",
                    "indicator_count")


def api_indices(*, user, period):
    """Rows of plain values (no model objects: the list can hold every agency of the country), as a
    queryset the API pages through, in tree order, each with its rank (the dashboard's ranking, over
    the regencies and city in the user's scope, as on the dashboard)."""
    summaries = AssessmentSummary.objects.filter(period=period).filter(visible_agency_filter(user, prefix="agency__"))
    regional = Case(When(agency__kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY], then=Value(True)), default=Value(False),
                    output_field=BooleanField())
    return summaries.annotate(
        regional=regional,
        rank=Window(RowNumber(), partition_by=[regional], order_by=list(RANK_EXPRESSIONS)),
    ).order_by("agency__path").values_list(*API_INDEX_FIELDS)


def earlier_indices_by_code(*, earlier, codes):
    """Agency code → the index its change is measured against (see assessments.series). Two queries."""
    ids = dict(Agency.objects.filter(code__in=codes).values_list("pk", "code"))
    return {ids[agency_id]: index for agency_id, index in series.earlier_indices(earlier=earlier, agency_ids=list(ids)).items()}


def index_change(*, assessment, index):
    """The agency's self-assessed ``index`` against its previous assessment (assessments.series)."""
    return series.previous_assessment_change(agency=assessment.agency, period=assessment.period, index=index)


def api_agency_indices(*, user, period, code):
    assessment = assessment_selectors.assessment_get(user=user, period=period, code=code)
    overview = assessment_selectors.assessment_overview(assessment=assessment)
    return assessment, overview


def period_or_404(period_id):
    period = AssessmentPeriod.objects.select_related("framework_version").filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period

"""Reads for periods, assessments, indices and published results, scoped through agencies.access.

Indices come from assessments.scoring, fed with levels read in one query per page, never one
query per agency or indicator.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agencies.access import can_see, visible_agency_filter
from agencies.models import Agency

from .models import Assessment, AssessmentPeriod, Evidence, FrameworkNode, IndicatorAssessment, ItemEvent, PublishedResult
from .scoring import Scores, compute, improvement_plan, next_level_gains

SELF = "self"
VERIFIED = "verified"
PLANNED = "planned"
VARIANTS = (SELF, VERIFIED, PLANNED)

# One ranking of agencies in a period, on every surface (province dashboard, API, province report):
# the verified index as published (two decimals), then the self-assessed index as published, then
# the agency code. Agencies whose published numbers are equal are a tie broken by the code, never
# by decimals nobody sees.
RANK_ORDER = ("-verified_index", "-self_index", "agency__code")
RANK_EXPRESSIONS = (F("verified_index").desc(), F("self_index").desc(), F("agency__code").asc())


def assessed_text(assessed, total):
    """"x of n indicators assessed", or "" when all are (an index computed with unassessed
    indicators counts them at the bottom of the scale, and must say so beside it)."""
    if assessed is None or total is None or assessed >= total:
        return ""
    return _("%(assessed)s of %(total)s indicators assessed") % {"assessed": assessed, "total": total}


def rank_key(*, verified_index, self_index, code):
    """RANK_ORDER for rows ranked in Python (the published two-decimal indices)."""
    return (-verified_index, -self_index, code)


def period_list():
    """Every period: periods are province-wide facts, visible to every user."""
    return AssessmentPeriod.objects.select_related("framework_version__framework").order_by("-year", "-self_assessment_opens")


ACTIVE_STATES = (AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW)


@dataclass(frozen=True)
class PeriodChoice:
    """One period in the period picker: the same page in that period (``url``), whether it is the
    period shown, and whether it still has open work (open for self-assessment or in review)."""

    period: AssessmentPeriod
    url: str
    is_current: bool

    @property
    def year(self):
        return self.period.year

    @property
    def is_running(self):
        return self.period.state in ACTIVE_STATES


def period_choices(*, current, url_for, agency=None):
    """Every period a user may see (periods are province-wide facts), newest first, each with the
    link ``url_for(period)`` to the same page in it; with ``agency``, only the periods in which it
    has an assessment (a page about one agency exists only there). One query."""
    # Only what the picker shows: not the framework versions (their definitions are large).
    periods = AssessmentPeriod.objects.only("pk", "name", "year", "state").order_by("-year", "-self_assessment_opens")
    if agency is not None:
        periods = periods.filter(assessments__agency=agency)
    current_pk = getattr(current, "pk", None)
    return [PeriodChoice(period, url_for(period), period.pk == current_pk) for period in periods]


def current_period(*, or_latest=False):
    """The newest period open for self-assessment or in review; with ``or_latest``, else the
    newest period of all."""
    periods = AssessmentPeriod.objects.select_related("framework_version").order_by("-year")
    period = periods.filter(state__in=ACTIVE_STATES).first()
    return period or (periods.first() if or_latest else None)


def period_events(*, period, count=20):
    return list(period.events.select_related("actor")[:count])


def period_get(period_id):
    return get_object_or_404(AssessmentPeriod.objects.select_related("framework_version"), pk=period_id)


def enrolment_candidates(*, period):
    """The agencies an administrator may enrol in ``period``: every regency and city (active ones
    first in the province's order), each with ``is_enrolled`` — one query."""
    from django.db.models import Exists, Q

    enrolled = Assessment.objects.filter(period=period, agency=OuterRef("pk"))
    return list(
        Agency.objects.regional_governments().filter(Exists(enrolled) | Q(is_active=True))
        .annotate(is_enrolled=Exists(enrolled)).order_by("path")
    )


def period_summaries(*, period, user):
    """The engine's numbers of every assessment in ``period`` the user may see, from the summaries
    the services keep (one query, whatever the number of agencies)."""
    from .models import AssessmentSummary

    return (
        AssessmentSummary.objects.filter(period=period)
        .filter(visible_agency_filter(user, prefix="agency__"))
        .select_related("agency")
        .order_by("agency__path")
    )


# What every computation of an index reads per item (in this order): variant_levels takes these.
LEVEL_FIELDS = ("indicator__code", "level", "verified_level", "target_level", "external_value")


def variant_levels(item_levels, framework=None):
    """{variant: {indicator code: level}} from (code, level, verified, target[, external value])
    tuples. Verified counts accepted levels only; planned takes the target where one is set, else
    the self-assessed level. An externally scored indicator of ``framework`` counts its external
    value (a Decimal, or None: not assessed) in every variant, whatever level an item holds."""
    external = framework.external_codes if framework is not None else frozenset()
    levels = {SELF: {}, VERIFIED: {}, PLANNED: {}}
    for code, level, verified, target, *value in item_levels:
        if code in external:
            level = verified = target = value[0] if value else None
        levels[SELF][code] = level
        levels[VERIFIED][code] = verified
        levels[PLANNED][code] = target if target is not None else level
    return levels


@dataclass(frozen=True)
class AgencyScores:
    agency: Agency
    assessment_id: int | None
    scores: dict  # variant → Scores, empty when the agency has no assessment in the period

    @property
    def self_assessed(self) -> Scores | None:
        return self.scores.get(SELF)

    @property
    def verified(self) -> Scores | None:
        return self.scores.get(VERIFIED)

    @property
    def planned(self) -> Scores | None:
        return self.scores.get(PLANNED)


def period_agency_scores(*, period, user, agencies=None):
    """Scores of every agency ``user`` may see that has an assessment in ``period`` (or of the
    given ``agencies``), in tree order. Three queries whatever the number of agencies."""
    framework = period.framework_version.scoring
    assessments = Assessment.objects.filter(period=period).filter(visible_agency_filter(user, prefix="agency__"))
    if agencies is not None:
        assessments = assessments.filter(agency__in=agencies)
    assessments = list(assessments.select_related("agency").order_by("agency__path"))
    rows = IndicatorAssessment.objects.filter(assessment__in=[a.pk for a in assessments]).values_list(
        "assessment_id", *LEVEL_FIELDS
    )
    by_assessment = defaultdict(list)
    for assessment_id, *levels in rows:
        by_assessment[assessment_id].append(levels)
    result = []
    for assessment in assessments:
        levels = variant_levels(by_assessment[assessment.pk], framework)
        result.append(AgencyScores(assessment.agency, assessment.pk, {v: compute(framework, levels[v]) for v in VARIANTS}))
    return result


def assessment_get(*, user, period, code):
    """The assessment of the agency with ``code`` in ``period``; 404 outside the user's scope or
    when the agency has none."""
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None or not can_see(user, agency):
        raise Http404
    assessment = Assessment.objects.filter(period=period, agency=agency).select_related("agency", "period__framework_version").first()
    if assessment is None:
        raise Http404
    return assessment


def assessment_evidence_files(*, assessment):
    """Every evidence file of an assessment (links left out), by indicator, level and time; one
    query with indicator and uploader."""
    return (
        Evidence.objects.filter(item__assessment=assessment, kind=Evidence.Kind.FILE)
        .exclude(file="")
        .select_related("item__indicator", "uploaded_by")
        .order_by("item__indicator__position", "level", "uploaded_at", "pk")
    )


def assessment_items(*, assessment):
    return list(items_with_counts().filter(assessment=assessment).order_by("indicator__position"))


@dataclass(frozen=True)
class GroupRow:
    """A domain or aspect row of the breakdown table."""

    node: FrameworkNode
    indices: dict  # variant → Decimal


def framework_groups(*, version):
    """The non-indicator nodes of a framework version in file order (for breakdown tables)."""
    return list(FrameworkNode.objects.filter(version=version, is_indicator=False).order_by("position"))


def assessment_overview(*, assessment, items=None):
    """Everything the assessment page shows about numbers: scores per variant, the breakdown by
    domain/aspect, and per-indicator level names."""
    framework = assessment.period.framework_version.scoring
    items = items if items is not None else assessment_items(assessment=assessment)
    levels = variant_levels(
        ((item.indicator.code, item.level, item.verified_level, item.target_level, item.external_value) for item in items), framework
    )
    scores = {variant: compute(framework, levels[variant]) for variant in VARIANTS}
    groups = [
        GroupRow(node, {variant: scores[variant].node_index(node.code) for variant in VARIANTS})
        for node in framework_groups(version=assessment.period.framework_version)
    ]
    external = [item for item in items if item.indicator.externally_scored]
    return {"framework": framework, "scores": scores, "groups": groups, "levels": levels, "external": external}


def assessment_plan(*, assessment, levels, basis=SELF, target=None):
    framework = assessment.period.framework_version.scoring
    return improvement_plan(framework, levels[basis], target)


def assessment_top_gains(*, assessment, levels, basis=SELF, count=5):
    return next_level_gains(assessment.period.framework_version.scoring, levels[basis])[:count]


def published_results(*, user, agency=None):
    results = PublishedResult.objects.filter(visible_agency_filter(user, prefix="agency__"))
    if agency is not None:
        results = results.filter(agency=agency)
    return results.select_related("agency", "framework_version").order_by("agency__path", "year")


def level_rows(*, period, user):
    """Rows of the per-indicator export: one per agency and indicator, in tree and file order."""
    items = (
        IndicatorAssessment.objects.filter(assessment__period=period)
        .filter(visible_agency_filter(user, prefix="assessment__agency__"))
        .select_related("assessment__agency", "indicator")
        .order_by("assessment__agency__path", "indicator__position")
    )
    return [
        {
            "agency_code": item.assessment.agency.code,
            "agency": item.assessment.agency.name,
            "indicator_code": item.indicator.code,
            "indicator": item.indicator.name,
            "level": item.level,
            "verified_level": item.verified_level,
            "target_level": item.target_level,
            "external_value": item.external_value,
            "external_reference": item.external_reference,
            "external_dated": item.external_dated,
        }
        for item in items
    ]


@dataclass(frozen=True)
class ExternalScoreRow:
    agency: Agency
    items: list  # the agency's items of the external indicators, in the framework's order (None where missing)


def external_score_table(*, period):
    """The period's externally scored indicators and, per enrolled agency (tree order), its items
    of them with value, source, date and who entered it. Two queries, whatever the number of agencies."""
    indicators = list(FrameworkNode.objects.filter(version=period.framework_version, is_indicator=True, externally_scored=True)
                      .order_by("position"))
    by_agency = {}
    for item in (
        IndicatorAssessment.objects.filter(assessment__period=period, indicator__externally_scored=True)
        .select_related("assessment__agency", "indicator", "external_entered_by")
        .order_by("assessment__agency__path", "indicator__position")
    ):
        by_agency.setdefault(item.assessment.agency, {})[item.indicator_id] = item
    rows = [ExternalScoreRow(agency, [items.get(indicator.pk) for indicator in indicators]) for agency, items in by_agency.items()]
    return indicators, rows


def external_item_get(*, period, pk):
    """An item of an externally scored indicator in ``period``; 404 otherwise."""
    item = (
        IndicatorAssessment.objects.filter(pk=pk, assessment__period=period, indicator__externally_scored=True)
        .select_related("assessment__agency", "assessment__period__framework_version", "indicator")
        .first()
    )
    if item is None:
        raise Http404
    return item


def periods_with_assessment(*, agency):
    """The periods in which ``agency`` has an assessment (for links from its page)."""
    return AssessmentPeriod.objects.filter(assessments__agency=agency).order_by("-year")


# --- The review workflow --------------------------------------------------------------------------

ItemState = IndicatorAssessment.State
OFFICER_ACTION_STATES = (ItemState.NOT_STARTED, ItemState.DRAFT, ItemState.RETURNED)
REVIEWER_ACTION_STATES = (ItemState.SUBMITTED,)


def items_with_counts():
    """Items with what lists show: indicator, people in charge, and the number of evidence.

    The number of evidence is a subquery, not a join: a join would repeat each item once per
    evidence file, and every count or grouping built on these items would count files."""
    evidence_count = (
        Evidence.objects.filter(item=OuterRef("pk")).order_by().values("item").annotate(n=Count("pk")).values("n")
    )
    return IndicatorAssessment.objects.select_related("indicator", "person_in_charge", "unit_in_charge").annotate(
        evidence_count=Coalesce(Subquery(evidence_count, output_field=IntegerField()), Value(0))
    )


def item_get(*, user, period, code, indicator_code):
    """The item of ``indicator_code`` in the assessment of agency ``code``; 404 outside scope."""
    assessment = assessment_get(user=user, period=period, code=code)
    item = (
        IndicatorAssessment.objects.filter(assessment=assessment, indicator__code=indicator_code)
        .select_related("indicator__parent__parent", "person_in_charge", "unit_in_charge", "reviewer")
        .first()
    )
    if item is None:
        raise Http404
    item.assessment = assessment
    return item


@dataclass(frozen=True)
class LevelText:
    """One level of an indicator as the officer, the reviewer and the interview kit read it."""

    level: int
    name: str  # the scale's name of the level (e.g. Terkelola)
    criterion: str  # the indicator's own criterion for the level, else the scale's description
    own: bool  # True when the criterion is the indicator's own (from the regulation's appendix)


def indicator_level_texts(indicator, framework_version):
    """Every level of ``indicator`` (a FrameworkNode of ``framework_version``) with its name and
    criterion; the indicator's own criterion where the framework file has one, else the level
    scale's general description. Reads only the version's definition: no query."""
    definition = framework_version.definition
    scale_key = indicator.level_scale or definition.get("default_level_scale") or ""
    scale_levels = definition["level_scales"].get(scale_key, {}).get("levels", {})
    criteria = indicator.criteria or {}
    rows = []
    for level in framework_version.scale:
        spec = scale_levels.get(level) or scale_levels.get(str(level)) or {}
        own = criteria.get(str(level)) or criteria.get(level) or ""
        rows.append(LevelText(level=level, name=spec.get("name", ""), criterion=own or spec.get("description", ""), own=bool(own)))
    return rows


def item_evidence(*, item):
    return list(item.evidence.select_related("uploaded_by").order_by("level", "uploaded_at"))


def item_events(*, item):
    return list(item.events.select_related("actor").order_by("-at", "-pk"))


def item_revisions(*, item):
    return list(item.revisions.select_related("closed_by").order_by("-number"))


def evidence_get(*, user, pk):
    """An evidence record the user may see (its agency in scope); 404 otherwise."""
    evidence = (
        Evidence.objects.filter(pk=pk)
        .filter(visible_agency_filter(user, prefix="item__assessment__agency__"))
        .select_related("item__assessment__agency")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


QUEUE_AGES = (3, 7, 14)
QUEUE_FILTER_KEYS = ("agency", "aspect", "age", "assigned")


@dataclass(frozen=True)
class QueueFilters:
    """The review queue's filters, as read from the URL: a regency or city (code), an aspect (the
    framework node code above the indicators), an age (waiting more than N days) and "assigned"
    (``me`` or ``none``). Unknown values are dropped, never an error."""

    agency: str = ""
    aspect: str = ""
    age: int | None = None
    assigned: str = ""

    @classmethod
    def from_params(cls, params):
        age = params.get("age", "")
        assigned = params.get("assigned", "")
        return cls(
            agency=params.get("agency", "").strip()[:20],
            aspect=params.get("aspect", "").strip()[:20],
            age=int(age) if age in {str(days) for days in QUEUE_AGES} else None,
            assigned=assigned if assigned in ("me", "none") else "",
        )

    def as_params(self):
        """The filters as URL parameters (only those set), to keep them across pages and items."""
        from urllib.parse import urlencode

        pairs = {"agency": self.agency, "aspect": self.aspect, "age": self.age or "", "assigned": self.assigned}
        return urlencode({key: value for key, value in pairs.items() if value})

    @property
    def active(self):
        return bool(self.agency or self.aspect or self.age or self.assigned)


def review_queue(*, user, filters=None, now=None):
    """Submitted items the user may review, oldest submission first, narrowed by ``filters``."""
    from datetime import timedelta

    from django.utils import timezone

    from agencies.access import REVIEW_ROLES, role_scope

    items = _items_in_active_periods(role_scope(user, REVIEW_ROLES, "assessment__agency__")).filter(
        state=ItemState.SUBMITTED
    ).select_related("reviewer")
    if filters is not None:
        if filters.agency:
            items = items.filter(_within_agency(filters.agency, "assessment__agency__"))
        if filters.aspect:
            items = items.filter(indicator__parent__code=filters.aspect)
        if filters.age:
            items = items.filter(submitted_at__lte=(now or timezone.now()) - timedelta(days=filters.age))
        if filters.assigned == "me":
            items = items.filter(reviewer=user)
        elif filters.assigned == "none":
            items = items.filter(reviewer__isnull=True)
    return items.order_by("submitted_at", "pk")


def _within_agency(code, prefix):
    """Matches the agency with ``code`` and those below it, from the materialised path
    ("17/17.02/17.02.01/"), without reading the agency first."""
    from django.db.models import Q

    return Q(**{f"{prefix}path__startswith": f"{code}/"}) | Q(**{f"{prefix}path__contains": f"/{code}/"})


def review_queue_choices(*, user):
    """What the queue's filters offer: the regencies and cities in the user's scope, and the aspects
    of the frameworks of active periods. Two queries."""
    agencies = list(Agency.objects.for_user(user).regional_governments().filter(is_active=True).order_by("path"))
    aspects = {}
    for code, name in (
        FrameworkNode.objects.filter(
            is_indicator=False, children__is_indicator=True,
            version__periods__state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW],
        )
        .order_by("version_id", "position")
        .values_list("code", "name")
        .distinct()
    ):
        aspects.setdefault(code, name)
    return {"agencies": agencies, "aspects": list(aspects.items()), "ages": QUEUE_AGES}


def review_queue_next(*, user, filters, after):
    """The item to offer after ``after`` was decided: the next one in the same filtered queue
    (oldest first), or the first one if ``after`` was the last; None when the queue is empty."""
    from django.db.models import Q

    queue = review_queue(user=user, filters=filters).exclude(pk=after.pk).select_related("indicator")
    if after.submitted_at is not None:
        later = queue.filter(Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)).first()
        if later is not None:
            return later
    return queue.first()


def item_reviewers(*, item):
    """The people who may review ``item``'s agency and so may be assigned it (one query)."""
    from agencies.models import Membership
    from agencies.selectors import users_with_role_over

    # A reviewer's or administrator's role held over the agency is exactly what access.can_review asks.
    people = users_with_role_over(agency=item.assessment.agency, roles=[Membership.Role.REVIEWER, Membership.Role.ADMINISTRATOR])
    return sorted(people, key=lambda person: str(person).lower())


def officer_items(*, user):
    """Items of the agencies where the user is an officer, in periods that are open or in review.
    Externally scored indicators are left out: the province enters their values."""
    from agencies.access import SUBMIT_ROLES, role_scope

    return _items_in_active_periods(role_scope(user, SUBMIT_ROLES, "assessment__agency__")).exclude(indicator__externally_scored=True)


def _items_in_active_periods(scope):
    if scope is None:
        return IndicatorAssessment.objects.none()
    return (
        items_with_counts()
        .filter(scope, assessment__period__state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW])
        .select_related("assessment__agency", "assessment__period")
    )


def officer_todo(*, user):
    """What waits for an officer, in every period open or in review (a newer period never hides an
    older one's work): returned items (with the note), drafts, and items not started, these per
    assessment (period and agency, newest period first) with their number."""
    items = officer_items(user=user)
    not_started_by_assessment = list(
        items.filter(state=ItemState.NOT_STARTED).order_by()
        .values("assessment__period_id", "assessment__period__name", "assessment__period__year", "assessment__agency__code",
                "assessment__agency__path", "assessment__agency__short_name")
        .annotate(count=Count("pk")).order_by("-assessment__period__year", "assessment__agency__path")
    )
    return {
        "not_started_by_assessment": not_started_by_assessment,
        "returned": list(items.filter(state=ItemState.RETURNED).order_by("assessment__agency__path", "indicator__position")),
        "drafts": list(items.filter(state=ItemState.DRAFT).order_by("assessment__agency__path", "indicator__position")),
        "not_started": items.filter(state=ItemState.NOT_STARTED).count(),
        "mine": list(
            items.filter(person_in_charge=user).exclude(state=ItemState.ACCEPTED).order_by("assessment__agency__path", "indicator__position")
        ),
    }


def waiting_counts(*, user):
    """{state: count} of the items waiting for this user: officers' returned/draft/not started,
    reviewers' submitted. Two queries at most."""
    counts = {}
    for state, number in officer_items(user=user).values_list("state").annotate(n=Count("pk")).order_by():
        counts[state] = number
    counts["queue"] = review_queue(user=user).count()
    return counts


def assessment_history_rows(*, assessment):
    events = (
        ItemEvent.objects.filter(item__assessment=assessment)
        .select_related("actor", "item__indicator")
        .order_by("item__indicator__position", "at", "pk")
    )
    return [
        {
            "indicator_code": event.item.indicator.code,
            "indicator": event.item.indicator.name,
            "revision": event.revision,
            "at": event.at,
            "actor": event.actor.get_full_name() if event.actor else _("system"),
            "action": event.get_action_display(),
            "from_state": event.get_from_state_display() if event.from_state else "",
            "to_state": event.get_to_state_display() if event.to_state else "",
            "note": event.note,
        }
        for event in events
    ]


# --- The score ledger: self → verified → the national stages ----------------------------------------

PROVINCE = "province"  # the ledger's name of the province's verified level (services.stages.PROVINCE_REVIEW)


@dataclass(frozen=True)
class LedgerStep:
    """One indicator's score at one step of the ledger, and the change from the step before it
    that has a score (``gap``: None at the first scored step)."""

    stage: str
    label: str
    score: object  # int level, Decimal value of an externally scored indicator, or None (not assessed)
    gap: object = None
    note: str = ""
    recommendation: str = ""
    result_id: int | None = None  # the StageResult (for the recommendation's follow-up), None for self/province

    @property
    def lost(self):
        return self.gap is not None and self.gap < 0


@dataclass(frozen=True)
class LedgerRow:
    item: IndicatorAssessment
    steps: tuple  # LedgerStep per stage of the ledger, in order

    @property
    def indicator(self):
        return self.item.indicator

    @property
    def notes(self):
        """The national steps with a note or a recommendation."""
        return [step for step in self.steps if step.note or step.recommendation]

    @property
    def losses(self):
        return [step for step in self.steps if step.lost]


@dataclass(frozen=True)
class LedgerStage:
    """One step of the ledger for the whole assessment: its index by the engine (missing
    indicators at the bottom of the scale), and the indicators that lost points at it."""

    stage: str
    label: str
    scores: Scores
    change: object  # the index's change from the previous stage (Decimal), None at the first
    losses: tuple  # (LedgerRow, LedgerStep) of the indicators lowered at this stage

    @property
    def index(self):
        return self.scores.index

    @property
    def predicate(self):
        return self.scores.predicate

    @property
    def assessed_text(self):
        return assessed_text(self.scores.assessed_count, self.scores.indicator_count)


@dataclass(frozen=True)
class Ledger:
    stages: tuple  # LedgerStage in order: self, province, then the national stages reached
    rows: tuple  # LedgerRow per indicator in framework order

    @property
    def national(self):
        return [stage for stage in self.stages if stage.stage not in (SELF, PROVINCE)]

    @property
    def row_by_code(self):
        return {row.indicator.code: row for row in self.rows}


def ledger_stage_kinds(results):
    """The national stages of a ledger: those reached, i.e. holding results, in the national order
    (a stage without any result would only show every indicator at the bottom of the scale)."""
    from .services.stages import NATIONAL_STAGES

    kinds = {result.stage for result in results}
    return [kind for kind in NATIONAL_STAGES if kind in kinds]


def stage_results_of(*, assessments):
    """{assessment id: [StageResult]} of ``assessments``: one query."""
    from .models import StageResult

    by_assessment = defaultdict(list)
    for result in StageResult.objects.filter(item__assessment__in=assessments).select_related("item"):
        by_assessment[result.item.assessment_id].append(result)
    return by_assessment


def assessment_ledger(*, assessment, items=None, results=None):
    """The score ledger of ``assessment``: per indicator its self-assessed and verified level and
    the assessors' score of every national stage reached, with the gap at each step and the
    assessors' notes and recommendations; per stage the engine's index over that stage's scores.
    One query (the stage results) besides ``items``, whatever the number of indicators and stages."""
    from .services.stages import STAGE_LABELS

    period = assessment.period
    framework = period.framework_version.scoring
    items = items if items is not None else assessment_items(assessment=assessment)
    results = results if results is not None else stage_results_of(assessments=[assessment.pk])[assessment.pk]
    kinds = ledger_stage_kinds(results)
    by_item = {(result.item_id, result.stage): result for result in results}
    variants = variant_levels(
        ((item.indicator.code, item.level, item.verified_level, item.target_level, item.external_value) for item in items), framework
    )
    labels = {SELF: str(STAGE_LABELS["self"]), PROVINCE: str(STAGE_LABELS["province"])}
    labels.update({kind: str(STAGE_LABELS[kind]) for kind in kinds})
    order = [SELF, PROVINCE, *kinds]
    stage_levels = {SELF: variants[SELF], PROVINCE: variants[VERIFIED]}
    rows = []
    for item in sorted(items, key=lambda item: item.indicator.position):
        code, steps, previous = item.indicator.code, [], None
        for stage in order:
            result = by_item.get((item.pk, stage))
            score = stage_levels[stage].get(code) if stage in stage_levels else (result.score if result else None)
            gap = score - previous if score is not None and previous is not None else None
            steps.append(LedgerStep(stage, labels[stage], score, gap, result.note if result else "",
                                    result.recommendation if result else "", result.pk if result else None))
            if score is not None:
                previous = score
        rows.append(LedgerRow(item, tuple(steps)))
    stages, previous_index = [], None
    for position, stage in enumerate(order):
        levels = stage_levels.get(stage) or {row.indicator.code: row.steps[position].score for row in rows}
        scores = compute(framework, levels)
        losses = tuple((row, row.steps[position]) for row in rows if row.steps[position].lost)
        change = scores.index - previous_index if previous_index is not None else None
        stages.append(LedgerStage(stage, labels[stage], scores, change, losses))
        previous_index = scores.index
    return Ledger(tuple(stages), tuple(rows))


def stage_result_assessments(*, period):
    """The assessments of ``period`` with their agency, in tree order, and per assessment the
    number of results of each stage (``stage_counts``): two queries."""
    from .models import StageResult

    assessments = list(Assessment.objects.filter(period=period).select_related("agency").order_by("agency__path"))
    counts = defaultdict(dict)
    for assessment_id, stage, number in (
        StageResult.objects.filter(item__assessment__period=period).values_list("item__assessment_id", "stage")
        .annotate(n=Count("pk")).order_by()
    ):
        counts[assessment_id][stage] = number
    for assessment in assessments:
        assessment.stage_counts = counts[assessment.pk]
    return assessments


def stage_results_by_item(*, assessment, stage):
    """{item id: StageResult} of one stage of ``assessment``: one query."""
    from .models import StageResult

    return {result.item_id: result for result in StageResult.objects.filter(item__assessment=assessment, stage=stage)}


def item_ledger(*, item):
    """One item's LedgerRow (self, province, the national stages with results): one query."""
    from .models import StageResult

    results = list(StageResult.objects.filter(item=item))
    return assessment_ledger(assessment=item.assessment, items=[item], results=results).rows[0]


def period_stage_results(*, period, user):
    """(stages reached, {(agency code, indicator code): {stage: StageResult}}) of every assessment of
    ``period`` the user may see: one query, for the exports."""
    from .models import StageResult

    results = list(
        StageResult.objects.filter(item__assessment__period=period)
        .filter(visible_agency_filter(user, prefix="item__assessment__agency__"))
        .annotate(agency_code=F("item__assessment__agency__code"), indicator_code=F("item__indicator__code"))
    )
    by_key = defaultdict(dict)
    for result in results:
        by_key[(result.agency_code, result.indicator_code)][result.stage] = result
    return ledger_stage_kinds(results), by_key

"""Selectors for history across regulations: each framework is its own series.

A change is measured against the previous period (or published result) of the *same* framework;
across frameworks only through a crosswalk (assessments/crosswalk_files.py), and then it is an
estimate, labelled as such wherever it is shown. Where neither exists there is no change (None),
never a silent difference between two indices of different regulations.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .crosswalk_files import CROSSWALK_ESTIMATE, SAME_FRAMEWORK, Crosswalk, crosswalk_between
from .models import Assessment, AssessmentPeriod, AssessmentSummary, IndicatorAssessment, PublishedResult
from .scoring import compute

__all__ = ["CROSSWALK_ESTIMATE", "SAME_FRAMEWORK", "Change", "EarlierPeriod", "basis_label", "estimated_index_subquery",
           "earlier_indices", "estimated_history", "estimated_indices", "previous_assessment_change", "previous_period", "previous_published_change"]

COEFFICIENT_PLACES = 12


def basis_label(basis):
    """How a change was measured, for pages, reports and exports."""
    return {SAME_FRAMEWORK: _("same framework"), CROSSWALK_ESTIMATE: _("estimate (crosswalk)")}.get(basis, "")


@dataclass(frozen=True)
class EarlierPeriod:
    """The period a period's change is measured against, and how."""

    period: AssessmentPeriod
    basis: str  # SAME_FRAMEWORK or CROSSWALK_ESTIMATE
    crosswalk: Crosswalk | None = None

    @property
    def is_estimate(self):
        return self.basis == CROSSWALK_ESTIMATE


@dataclass(frozen=True)
class Change:
    """A change of an index against an earlier one: ``difference`` = now − ``index``."""

    label: str  # the period or year compared with
    index: Decimal
    difference: Decimal
    basis: str  # SAME_FRAMEWORK or CROSSWALK_ESTIMATE
    compared_with: object = None  # the earlier AssessmentPeriod, or the PublishedResult

    @property
    def is_estimate(self):
        return self.basis == CROSSWALK_ESTIMATE


def previous_period(period) -> EarlierPeriod | None:
    """The latest earlier period of the same framework; failing that, the latest earlier period of
    another framework if a crosswalk leads from it to this one (an estimate); else None. One query."""
    earlier = list(
        AssessmentPeriod.objects.filter(year__lt=period.year).select_related("framework_version__framework").order_by("-year", "-pk")
    )
    framework_id = period.framework_version.framework_id
    for candidate in earlier:
        if candidate.framework_version.framework_id == framework_id:
            return EarlierPeriod(candidate, SAME_FRAMEWORK)
    if earlier:
        crosswalk = crosswalk_between(earlier[0].framework_version, period.framework_version)
        if crosswalk is not None:
            return EarlierPeriod(earlier[0], CROSSWALK_ESTIMATE, crosswalk)
    return None


def _levels_by_agency(period, agency_ids):
    levels: dict[int, dict[str, int | None]] = {}
    for agency_id, code, level in IndicatorAssessment.objects.filter(
        assessment__period=period, assessment__agency_id__in=agency_ids
    ).values_list("assessment__agency_id", "indicator__code", "level"):
        levels.setdefault(agency_id, {})[code] = level
    return levels


def estimated_indices(*, earlier: EarlierPeriod, agency_ids) -> dict:
    """Agency id → the crosswalk's estimate of this framework's index from the agency's
    self-assessed levels in ``earlier`` (agencies assessed there only). One query."""
    return {agency_id: earlier.crosswalk.estimate(levels) for agency_id, levels in _levels_by_agency(earlier.period, agency_ids).items()}


def earlier_indices(*, earlier: EarlierPeriod, agency_ids) -> dict:
    """Agency id → the index each agency's change is measured against (self-assessed): the earlier
    summary in the same framework, the crosswalk's estimate across frameworks. One query."""
    if earlier.is_estimate:
        return {agency_id: estimate.index for agency_id, estimate in estimated_indices(earlier=earlier, agency_ids=agency_ids).items()}
    return dict(AssessmentSummary.objects.filter(period=earlier.period, agency_id__in=agency_ids).values_list("agency_id", "self_index"))


def estimated_history(*, summaries) -> dict:
    """For AssessmentSummary rows of a few agencies (period__framework_version__framework loaded):
    the latest framework among them is the target; every summary of another framework that a
    crosswalk leads from is estimated in the target's index. {(agency id, year): (Estimate, target
    version)}. One query."""
    if not summaries:
        return {}
    target = max(summaries, key=lambda summary: summary.period.year).period.framework_version
    bridges = {}
    for summary in summaries:
        version = summary.period.framework_version
        if version.framework_id != target.framework_id:
            crosswalk = crosswalk_between(version, target)
            if crosswalk is not None:
                bridges[summary.assessment_id] = (summary, crosswalk)
    levels: dict[int, dict] = {}
    for assessment_id, code, level in IndicatorAssessment.objects.filter(assessment_id__in=list(bridges)).values_list(
        "assessment_id", "indicator__code", "level"
    ):
        levels.setdefault(assessment_id, {})[code] = level
    return {(summary.agency_id, summary.period.year): (crosswalk.estimate(levels.get(assessment_id, {})), target)
            for assessment_id, (summary, crosswalk) in bridges.items()}


def estimated_index_subquery(earlier: EarlierPeriod, agency=OuterRef("agency")):
    """The same estimate as a database expression per agency (for sorting every row in the
    database): base + Σ k × (level − minimum) over the earlier assessment's self-assessed levels."""
    base, factors = earlier.crosswalk.coefficients
    low = earlier.crosswalk.source.scale_min
    number = DecimalField(max_digits=20, decimal_places=COEFFICIENT_PLACES)

    def decimal(value):
        return Value(round(Decimal(value.numerator) / Decimal(value.denominator), COEFFICIENT_PLACES), output_field=number)

    factor = Case(*[When(indicator__code=code, then=decimal(k)) for code, k in factors.items()], default=Value(Decimal(0)), output_field=number)
    estimate = (
        IndicatorAssessment.objects.filter(assessment__period=earlier.period, assessment__agency=agency)
        .values("assessment").annotate(estimate=decimal(base) + Sum(factor * (Coalesce(F("level"), low) - low), output_field=number))
        .values("estimate")[:1]
    )
    return Subquery(estimate, output_field=number)


def _self_levels(assessment):
    """The self-assessed levels of one assessment as the engine counts them (external values
    included). One query."""
    from .selectors import LEVEL_FIELDS, SELF, variant_levels

    framework = assessment.period.framework_version.scoring
    rows = IndicatorAssessment.objects.filter(assessment=assessment).values_list(*LEVEL_FIELDS)
    return variant_levels(rows, framework)[SELF]


def previous_assessment_change(*, agency, period, index) -> Change | None:
    """``index`` (self-assessed, in ``period``) against the agency's latest earlier self-assessment:
    of the same framework, or through a crosswalk (an estimate). Two or three queries."""
    earlier = list(
        Assessment.objects.filter(agency=agency, period__year__lt=period.year)
        .select_related("period__framework_version__framework").order_by("-period__year", "-period__pk")
    )
    framework_id = period.framework_version.framework_id
    same = next((a for a in earlier if a.period.framework_version.framework_id == framework_id), None)
    if same is not None:
        before = compute(same.period.framework_version.scoring, _self_levels(same)).index
        return Change(str(same.period), before, index - before, SAME_FRAMEWORK, same.period)
    if not earlier:
        return None
    crosswalk = crosswalk_between(earlier[0].period.framework_version, period.framework_version)
    if crosswalk is None:
        return None
    before = crosswalk.estimate(_self_levels(earlier[0])).index
    return Change(str(earlier[0].period), before, index - before, CROSSWALK_ESTIMATE, earlier[0].period)


def previous_published_change(*, agency, period, index) -> Change | None:
    """``index`` against the agency's latest published national result up to ``period``'s year: of
    the same framework, or estimated through a crosswalk from a result's published levels."""
    results = list(
        PublishedResult.objects.filter(agency=agency, year__lte=period.year)
        .select_related("framework_version__framework").order_by("-year")
    )
    framework_id = period.framework_version.framework_id
    same = next((r for r in results if r.framework_version.framework_id == framework_id), None)
    if same is not None:
        return Change(str(same.year), same.index, index - same.index, SAME_FRAMEWORK, same)
    for result in results:
        crosswalk = crosswalk_between(result.framework_version, period.framework_version)
        if crosswalk is not None and result.levels:
            before = crosswalk.estimate({str(code): level for code, level in result.levels.items()}).index
            return Change(str(result.year), before, index - before, CROSSWALK_ESTIMATE, result)
    return None

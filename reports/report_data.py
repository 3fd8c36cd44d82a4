"""What a maturity report holds, gathered once (a handful of queries) and handed to the PDF, Excel
and CSV renderers, so that all three show the same numbers — the engine's (assessments.scoring)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from agencies.access import SYSTEM
from agencies.models import Agency
from assessments import selectors as assessment_selectors
from assessments import series
from assessments.models import Assessment, AssessmentPeriod, IndicatorAssessment
from meetings.models import FollowUp

from . import charts


@dataclass
class RegencyReport:
    agency: Agency
    period: AssessmentPeriod
    framework: object
    scores: dict
    groups: list
    items: list
    plan: object
    previous: object  # assessments.series.Change or None: same framework, or a crosswalk estimate
    national: object  # assessments.series.Change or None
    follow_ups: list
    generated_at: object
    radar_svg: str = ""
    bars_svg: str = ""
    heading: object = None  # agencies.letterheads.OfficeHeading, set by the worker
    document_number: str = ""
    verification: object = None  # documents.services.VerificationMark: QR code and address printed on the PDF
    ledger: object = None  # assessments.selectors.Ledger: the index of every stage reached and the score ledger

    kind = "regency"

    @property
    def external(self):
        """Items of externally scored indicators: listed apart from the plan, with their values."""
        return [item for item in self.items if item.indicator.externally_scored]

    @property
    def overdue_follow_ups(self):
        return [follow_up for follow_up in self.follow_ups if follow_up.is_overdue]


def _previous_comparison(agency, period, self_index):
    """Against the agency's previous self-assessment of the same framework, or a crosswalk estimate."""
    return series.previous_assessment_change(agency=agency, period=period, index=self_index)


def _national_comparison(agency, period, self_index):
    """Against the latest published result of the same framework, or a crosswalk estimate."""
    return series.previous_published_change(agency=agency, period=period, index=self_index)


def regency_report(*, period, agency) -> RegencyReport:
    assessment = Assessment.objects.select_related("agency", "period__framework_version").get(period=period, agency=agency)
    items = assessment_selectors.assessment_items(assessment=assessment)
    overview = assessment_selectors.assessment_overview(assessment=assessment, items=items)
    framework, scores = overview["framework"], overview["scores"]
    self_index = scores[assessment_selectors.SELF].index
    follow_ups = list(
        FollowUp.objects.with_overdue_flag()
        .filter(agency=agency, state__in=FollowUp.OPEN_STATES)
        .select_related("owner", "meeting", "stage_result__item__indicator", "stage_result__item__assessment")
        .order_by("-is_overdue", "due_date")
    )
    aspects = [group for group in overview["groups"] if not any(other.node.parent_id == group.node.pk for other in overview["groups"])]
    report = RegencyReport(
        agency=agency,
        period=period,
        framework=framework,
        scores=scores,
        groups=overview["groups"],
        items=items,
        plan=assessment_selectors.assessment_plan(assessment=assessment, levels=overview["levels"]),
        previous=_previous_comparison(agency, period, self_index),
        national=_national_comparison(agency, period, self_index),
        follow_ups=follow_ups,
        generated_at=timezone.localtime(),
        ledger=assessment_selectors.assessment_ledger(assessment=assessment, items=items),
    )
    report.radar_svg = charts.radar(
        [group.node.code for group in aspects],
        [("Mandiri", [group.indices["self"] for group in aspects]), ("Terverifikasi", [group.indices["verified"] for group in aspects])],
    )
    report.bars_svg = charts.horizontal_bars(
        [(f"{item.indicator.code}", [item.level, item.verified_level]) for item in items], ["Mandiri", "Terverifikasi"]
    )
    return report


@dataclass
class ProvinceRow:
    agency: Agency
    scores: dict
    states: Counter
    rank: int = 0

    @property
    def total(self):
        return sum(self.states.values())


@dataclass
class ProvinceReport:
    agency: Agency
    period: AssessmentPeriod
    framework: object
    rows: list
    predicate_counts: list  # [(predicate, self count, verified count)]
    generated_at: object
    comparison_svg: str = ""
    radar_svg: str = ""
    heading: object = None  # agencies.letterheads.OfficeHeading, set by the worker
    document_number: str = ""
    verification: object = None  # documents.services.VerificationMark: QR code and address printed on the PDF

    kind = "province"


def province_report(*, period, agency) -> ProvinceReport:
    """Every regency and city below ``agency`` with an assessment in ``period``, ranked as on the
    dashboard and in the API (assessments.selectors.RANK_ORDER)."""
    framework = period.framework_version.scoring
    regional = Agency.objects.filter(path__startswith=agency.path).regional_governments()
    entries = assessment_selectors.period_agency_scores(period=period, user=SYSTEM, agencies=regional)
    states = defaultdict(Counter)
    for assessment_id, state, count in (
        IndicatorAssessment.objects.filter(assessment_id__in=[entry.assessment_id for entry in entries])
        .values_list("assessment_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        states[assessment_id][state] = count
    rows = [ProvinceRow(entry.agency, entry.scores, states[entry.assessment_id]) for entry in entries]
    rows.sort(key=lambda row: assessment_selectors.rank_key(
        verified_index=row.scores["verified"].index, self_index=row.scores["self"].index, code=row.agency.code))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    predicate_counts = [
        (band.name, sum(1 for row in rows if row.scores["self"].predicate == band.name),
         sum(1 for row in rows if row.scores["verified"].predicate == band.name))
        for band in reversed(framework.bands)
    ]
    report = ProvinceReport(agency, period, framework, rows, predicate_counts, timezone.localtime())
    report.comparison_svg = charts.horizontal_bars(
        [(row.agency.short_name, [row.scores["self"].index, row.scores["verified"].index]) for row in rows], ["Mandiri", "Terverifikasi"]
    )
    return report


def build(*, kind, period, agency):
    return regency_report(period=period, agency=agency) if kind == "regency" else province_report(period=period, agency=agency)

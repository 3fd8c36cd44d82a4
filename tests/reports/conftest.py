import pytest

from assessments.models import IndicatorAssessment
from assessments.services import assessment_levels_set


@pytest.fixture
def lebong_levels(open_period, lebong):
    """Lebong's 2025 assessment with self-assessed and verified levels on some indicators."""
    assessment = open_period.assessments.get(agency=lebong)
    assessment_levels_set(assessment=assessment, levels={
        "1": {"level": 3, "verified_level": 2, "target_level": 4},
        "32": {"level": 4, "verified_level": 3, "target_level": 4},
        "42": {"level": 3, "verified_level": 3, "target_level": 4},
    })
    return assessment


def expected_scores(assessment):
    from assessments.selectors import assessment_overview

    return assessment_overview(assessment=assessment)["scores"]


def indonesian(index):
    return f"{index:.2f}".replace(".", ",")


__all__ = ["IndicatorAssessment", "expected_scores", "indonesian"]

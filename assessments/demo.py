"""Demo data for `make run`: both frameworks, the 2021 period on PermenPANRB 59/2020 with levels
for Rejang Lebong, Kepahiang and Lebong, and the published national results. Idempotent."""

from datetime import date
from pathlib import Path

from django.db import transaction

from agencies.models import Agency

from .framework_files import bundled_files
from .models import AssessmentPeriod, PublishedResult
from .published_results import read_table, validate_rows
from .services import (
    assessment_get_or_create,
    assessment_levels_set,
    framework_load,
    period_create,
    period_transition,
    published_results_save,
)

PUBLISHED_RESULTS_FILE = Path(__file__).resolve().parent / "data" / "published-results-bengkulu.csv"

# Levels of indicators 1–47 in order (self-assessed, verified). Targets are one level above the
# self-assessed level, capped at 4.
LEVELS_2021 = {
    "17.02": (
        "3323332332" "3322" "3322" "32" "22322222" "222" "3333433332" "332222",
        "2322332222" "2322" "3322" "22" "22222222" "122" "3332333332" "322222",
    ),
    "17.08": (
        "2212222121" "2211" "2221" "21" "11211111" "111" "2232222221" "221111",
        "1212121121" "1211" "2211" "21" "11111111" "111" "2222222121" "211111",
    ),
    "17.07": (
        "2211211111" "2111" "2211" "21" "11111111" "111" "2222222211" "211111",
        "1111111111" "1111" "2111" "11" "11111111" "111" "2221222111" "111111",
    ),
}


def frameworks_load():
    return [framework_load(text=path.read_text(encoding="utf-8"), name=path.name) for path in bundled_files()]


@transaction.atomic
def period_2021_load(version):
    period = AssessmentPeriod.objects.filter(year=2021, framework_version__framework=version.framework).first()
    if period is not None:
        return period, False
    period = period_create(
        name="Penilaian Mandiri SPBE 2021",
        year=2021,
        framework_version=version,
        opens=date(2021, 3, 1),
        closes=date(2021, 5, 31),
        review_deadline=date(2021, 7, 31),
        state=AssessmentPeriod.State.REVIEW,
    )
    codes = [node.code for node in version.scoring.indicators()]
    for agency in Agency.objects.filter(code__in=LEVELS_2021):
        self_levels, verified_levels = LEVELS_2021[agency.code]
        assessment = assessment_get_or_create(period=period, agency=agency)
        assessment_levels_set(
            assessment=assessment,
            levels={
                code: {"level": int(own), "verified_level": int(verified), "target_level": min(int(own) + 1, 4)}
                for code, own, verified in zip(codes, self_levels, verified_levels)
            },
        )
    period_transition(period=period, to_state=AssessmentPeriod.State.CLOSED, actor=None, note="Data demo: periode 2021 selesai direviu.")
    return period, True


def published_results_load():
    if PublishedResult.objects.exists():
        return 0
    rows = validate_rows(read_table(PUBLISHED_RESULTS_FILE.read_bytes(), PUBLISHED_RESULTS_FILE.name))
    return len(published_results_save(rows=rows))


def demo_assessments_load():
    """Returns lines describing what was loaded."""
    loads = frameworks_load()
    lines = [load.message for load in loads]
    version_59 = next(load.version for load in loads if load.version.framework.code == "PERMENPANRB-59-2020")
    period, created = period_2021_load(version_59)
    lines.append(f"{period}: {'created' if created else 'already there'}")
    lines.append(f"Published results imported: {published_results_load()}")
    return lines

"""Published national results: write the rows an import validated."""

from __future__ import annotations

from django.db import transaction

from ..models import (
    PublishedResult,
)

# --- Published results --------------------------------------------------------------------------

@transaction.atomic
def published_results_save(*, rows, actor=None):
    """Write rows that assessments.published_results.validate_rows accepted (all or nothing)."""
    created = []
    for row in rows:
        created.append(
            PublishedResult.objects.create(
                agency=row.agency,
                year=row.year,
                framework_version=row.framework_version,
                index=row.index,
                source=row.source,
                levels=row.levels,
                imported_by=actor,
            )
        )
    return created

"""Published national results: write the rows an import validated."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    PublishedResult,
    PublishedResultEvent,
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


class CorrectionError(ValueError):
    pass


@transaction.atomic
def published_result_correct(*, result, index, reason, actor=None):
    """Correct an imported result's index, recording who, when, from, to and why. Returns the
    event, or None when the index is already ``index`` (nothing changes, nothing is recorded)."""
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError(_("A correction needs a reason."))
    try:
        index = Decimal(str(index).strip().replace(",", "."))
    except InvalidOperation:
        raise CorrectionError(_("not a number: %(value)r") % {"value": index}) from None
    scale = result.framework_version.scale
    if not scale.start <= index <= scale.stop - 1:
        raise CorrectionError(_("%(index)s is outside the scale %(low)s–%(high)s") % {"index": index, "low": scale.start, "high": scale.stop - 1})
    if index != index.quantize(Decimal("0.01")):
        raise CorrectionError(_("has more than two decimals: %(index)s") % {"index": index})
    result = PublishedResult.objects.select_for_update().get(pk=result.pk)
    if result.index == index:
        return None
    event = PublishedResultEvent.objects.create(result=result, actor=actor, from_index=result.index, to_index=index, reason=reason)
    result.index = index
    result.save(update_fields=["index"])
    return event


@transaction.atomic
def published_results_correct(*, rows, reason, actor=None):
    """Correct the existing results that validate_rows(..., correct=True) matched (all or nothing);
    the events of the rows whose index changed."""
    events = []
    for row in rows:
        event = published_result_correct(result=row.existing, index=row.index, reason=reason, actor=actor)
        if event is not None:
            events.append(event)
    return events

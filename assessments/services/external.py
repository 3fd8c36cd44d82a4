"""Externally scored indicators (e.g. 8/2026 I5, I6, I7, I18): the province enters or imports the
source agency's value (a decimal inside the scale) with its source and date. Never the officer's
claim: the workflow refuses a level on them (workflow.refuse_external_level). Every change is an
ItemEvent (EXTERNAL_VALUE_SET) saying who, when, from → to and why, and the summary follows in the
same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from spbe_portal.dates import format_date

from ..models import Assessment, IndicatorAssessment, ItemEvent
from .summaries import assessment_summary_refresh

TWO_PLACES = Decimal("0.01")


def external_value_problem(value, scale) -> str | None:
    """Why ``value`` (a Decimal) cannot be an external value on ``scale`` (a range), or None."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("not a number")
    if not scale.start <= value <= scale.stop - 1:
        return _("%(value)s is outside the scale %(low)s–%(high)s") % {
            "value": formats.number_format(value), "low": scale.start, "high": scale.stop - 1}
    if value != value.quantize(TWO_PLACES):
        return _("has more than two decimals: %(value)s") % {"value": formats.number_format(value)}
    return None


def external_value_parse(text) -> Decimal | None:
    """A value as a person types it (2,99 or 2.99), or None when it is not a number."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _shown(value):
    return "—" if value is None else formats.number_format(value, 2)


@dataclass(frozen=True)
class ExternalChange:
    """One value to write: ``item`` of an externally scored indicator, what it becomes, and (for a
    correction of an existing value) why."""

    item: IndicatorAssessment
    value: Decimal
    reference: str
    dated: date
    reason: str = ""


def _check(item, actor, value, reference, dated, reason):
    from agencies.access import can_review

    agency = item.assessment.agency
    if not can_review(actor, agency):
        raise PermissionDenied(_("You may not do this for %(agency)s.") % {"agency": agency.short_name})
    period = item.assessment.period
    if period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})
    if not item.indicator.externally_scored:
        raise ValidationError(_("Indicator %(code)s is not externally scored: its level is the officer's claim.") % {
            "code": item.indicator.code})
    problem = external_value_problem(value, period.framework_version.scale)
    if problem:
        raise ValidationError({"value": problem})
    if not reference.strip():
        raise ValidationError({"reference": _("Name the source of the value (e.g. the evaluation and its year).")})
    if dated is None or dated > timezone.localdate():
        raise ValidationError({"dated": _("Give the date of the source's result (not in the future).")})
    changed = (item.external_value, item.external_reference, item.external_dated) != (value, reference.strip(), dated)
    if changed and item.external_value is not None and not reason.strip():
        raise ValidationError({"reason": _("This corrects an entered value: give the reason.")})
    return changed


def _write(item, actor, value, reference, dated, reason):
    before = item.external_value
    note = _("%(before)s → %(after)s (%(source)s, %(date)s)") % {
        "before": _shown(before), "after": _shown(value), "source": reference.strip(), "date": format_date(dated)}
    if reason.strip():
        note = f"{note}: {reason.strip()}"
    item.external_value, item.external_reference, item.external_dated = value, reference.strip(), dated
    item.external_entered_by, item.external_entered_at = actor, timezone.now()
    item.version += 1
    item.save(update_fields=["external_value", "external_reference", "external_dated", "external_entered_by",
                             "external_entered_at", "version", "updated_at"])
    ItemEvent.objects.create(item=item, actor=actor, action=ItemEvent.Action.EXTERNAL_VALUE_SET, from_state=item.state,
                             to_state=item.state, revision=item.revision, note=note)


@transaction.atomic
def external_score_set(*, item, actor, value, reference, dated, reason="", expected_version=None):
    """Enter or correct one externally scored item's value; a correction needs ``reason``. Refused
    on a closed period, on an indicator that is not externally scored, for anyone who may not
    review the agency, and when the item changed since ``expected_version``. Returns the item."""
    from .workflow import _lock_item

    item = _lock_item(item, expected_version)
    if _check(item, actor, value, reference, dated, reason):
        _write(item, actor, value, reference, dated, reason)
        assessment_summary_refresh(assessment=item.assessment)
    return item


@transaction.atomic
def external_scores_save(*, changes, actor):
    """Write the changes of an import (assessments.external_scores.validate_rows), all or nothing:
    any refused change writes none. Returns the number of values that changed."""
    if not changes:
        return 0
    locked = {
        item.pk: item
        for item in IndicatorAssessment.objects.select_for_update(of=("self",))
        .select_related("assessment__agency", "assessment__period__framework_version", "indicator")
        .filter(pk__in=[change.item.pk for change in changes])
    }
    written, assessments = 0, set()
    for change in changes:
        item = locked[change.item.pk]
        if _check(item, actor, change.value, change.reference, change.dated, change.reason):
            _write(item, actor, change.value, change.reference, change.dated, change.reason)
            written += 1
            assessments.add(item.assessment_id)
    for assessment in Assessment.objects.filter(pk__in=assessments):
        assessment_summary_refresh(assessment=assessment)
    return written

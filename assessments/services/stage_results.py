"""The national assessors' results of a stage (penilaian dokumen, interviu, visitasi, hasil akhir):
per agency and indicator, the level they found (or, for an externally scored indicator, the value
they used), their note and their recommendation. Entered by hand or imported
(assessments.stage_result_files) by province staff, all or nothing; refused on a closed period.
Every change is an ItemEvent (STAGE_RESULT_SET) saying who, when, from → to and why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from ..models import IndicatorAssessment, ItemEvent, StageResult
from .external import external_value_problem
from .stages import NATIONAL_STAGES, STAGE_LABELS


@dataclass(frozen=True)
class StageResultChange:
    """What one item's result of a stage becomes: ``level`` (a whole level) or, for an externally
    scored indicator, ``value`` (a Decimal); None for both clears the score but keeps the texts."""

    item: IndicatorAssessment
    level: int | None = None
    value: Decimal | None = None
    note: str = ""
    recommendation: str = ""


def stage_score_problem(indicator, *, level, value, scale) -> tuple[str, str] | None:
    """(column, why) when ``level``/``value`` cannot be the assessors' score of ``indicator`` (a
    FrameworkNode) on ``scale`` (a range); None when it can. A level is a whole number on the
    scale; an externally scored indicator takes a value instead (at most two decimals)."""
    if indicator.externally_scored:
        if level is not None:
            return "tingkat", _("%(code)s is externally scored: give its value (nilai), not a level") % {"code": indicator.code}
        if value is not None and (problem := external_value_problem(value, scale)):
            return "nilai", problem
        return None
    if value is not None:
        return "nilai", _("%(code)s is not externally scored: give its level (tingkat), not a value") % {"code": indicator.code}
    if level is not None and level not in scale:
        return "tingkat", _("level %(level)s is outside the scale %(low)s–%(high)s") % {
            "level": level, "low": scale.start, "high": scale.stop - 1}
    return None


def stage_results_stamp(results):
    """A fingerprint of ``results`` (StageResult rows) as a person saw them: a form carries it, and
    saving refuses when the results changed since (a concurrent edit is refused, not overwritten)."""
    import hashlib

    rows = sorted((r.item_id, r.level, str(r.value), r.note, r.recommendation) for r in results)
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


def _shown(result):
    if result is None or result.score is None:
        return "—"
    return formats.number_format(result.value, 2) if result.value is not None else str(result.level)


@transaction.atomic
def stage_results_save(*, period, stage, changes, actor, reason="", expected_stamp=None):
    """Write the results of ``stage`` (a national stage) of ``period`` for the items of
    ``changes`` (StageResultChange), all or nothing: any refused change writes none. Province staff
    only; refused on a closed period. A change of a result already entered is recorded with
    ``reason``. With ``expected_stamp`` (stage_results_stamp of the results the person saw), refused
    with ConcurrentChange when the results of these items changed since. Returns the number of
    results that changed."""
    from agencies.access import is_provincial_staff

    if not is_provincial_staff(actor):
        raise PermissionDenied(_("Only province staff enter the results of the national evaluation."))
    if stage not in NATIONAL_STAGES:
        raise ValidationError(_("Not a stage of the national evaluation: %(stage)s.") % {"stage": stage})
    period = type(period).objects.select_for_update().select_related("framework_version").get(pk=period.pk)
    if period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})
    if not changes:
        return 0
    items = {
        item.pk: item
        for item in IndicatorAssessment.objects.select_for_update(of=("self",)).select_related("indicator", "assessment__agency")
        .filter(pk__in=[change.item.pk for change in changes], assessment__period=period)
    }
    existing = {result.item_id: result for result in StageResult.objects.select_for_update().filter(item__in=list(items), stage=stage)}
    if expected_stamp is not None and stage_results_stamp(existing.values()) != expected_stamp:
        from .workflow import ConcurrentChange

        raise ConcurrentChange(_("Someone changed these results since you opened the page; nothing was saved. Check them and save again."))
    scale = period.framework_version.scale
    problems = []
    for change in changes:
        item = items.get(change.item.pk)
        if item is None:
            problems.append(_("%(item)s is not in the period %(period)s.") % {"item": change.item, "period": period})
        elif problem := stage_score_problem(item.indicator, level=change.level, value=change.value, scale=scale):
            problems.append(f"{item.assessment.agency.short_name} · {item.indicator.code}: {problem[1]}")
        elif (result := existing.get(item.pk)) is not None and result.score is not None and not reason.strip() and (
            (result.level, result.value) != (change.level, change.value)
        ):
            problems.append(_("%(agency)s · %(code)s: this corrects the %(stage)s result %(before)s: give the reason.") % {
                "agency": item.assessment.agency.short_name, "code": item.indicator.code, "stage": STAGE_LABELS[stage],
                "before": _shown(result)})
    if problems:
        raise ValidationError(problems)
    label = STAGE_LABELS[stage]
    written = 0
    for change in changes:
        item = items[change.item.pk]
        result = existing.get(item.pk)
        after = (change.level, change.value, change.note.strip(), change.recommendation.strip())
        if result is not None and (result.level, result.value, result.note, result.recommendation) == after:
            continue
        before = _shown(result)
        if after == (None, None, "", ""):  # emptied: the stage has no result for this item any more
            if result is None:
                continue
            result.delete()
            result = None
        else:
            if result is None:
                result = StageResult(item=item, stage=stage)
            result.level, result.value, result.note, result.recommendation = after
            result.entered_by = actor
            result.save()
        note = _("%(stage)s: %(before)s → %(after)s") % {"stage": label, "before": before, "after": _shown(result)}
        if reason.strip():
            note = f"{note}: {reason.strip()}"
        ItemEvent.objects.create(item=item, actor=actor, action=ItemEvent.Action.STAGE_RESULT_SET, from_state=item.state,
                                 to_state=item.state, revision=item.revision, note=note)
        written += 1
    return written

"""Writes for frameworks, periods, assessments and published results. One transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import is_administrator

from .framework_files import content_hash, load_text
from .models import (
    Assessment,
    AssessmentPeriod,
    Framework,
    FrameworkNode,
    FrameworkVersion,
    IndicatorAssessment,
    PeriodEvent,
    PublishedResult,
)

# --- Frameworks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkLoad:
    version: FrameworkVersion
    outcome: str  # "created", "unchanged", "updated" (unused version changed in place), "new_version"

    @property
    def message(self):
        return {
            "created": _("%(name)s loaded as version %(number)s."),
            "unchanged": _("%(name)s is already loaded as version %(number)s: nothing changed."),
            "updated": _("%(name)s version %(number)s was not in use yet and has been updated in place."),
            "new_version": _("%(name)s is in use, so the changed file was loaded as a new version %(number)s."),
        }[self.outcome] % {"name": self.version.name, "number": self.version.number}


def framework_version_in_use(version):
    return version.periods.exists() or version.published_results.exists()


@transaction.atomic
def framework_load(*, text, name="", actor=None):
    """Validate a framework file and load it. The same content twice changes nothing; a version
    that a period or a published result uses is never altered: a change becomes a new version.
    Raises FrameworkFileError (nothing written) for a bad file."""
    definition = load_text(text, name=name)
    digest = content_hash(definition)
    framework, _created = Framework.objects.select_for_update().get_or_create(
        code=definition["code"], defaults={"name": definition["name"]}
    )
    if framework.name != definition["name"]:
        framework.name = definition["name"]
        framework.save(update_fields=["name"])
    same = framework.versions.filter(content_sha256=digest).first()
    if same:
        return FrameworkLoad(same, "unchanged")
    latest = framework.versions.order_by("-number").first()
    if latest and not framework_version_in_use(latest):
        latest.nodes.all().delete()
        version, outcome = latest, "updated"
    else:
        version = FrameworkVersion(framework=framework, number=(latest.number + 1) if latest else 1)
        outcome = "new_version" if latest else "created"
    years = definition.get("evaluation_years") or {}
    version.name = definition["name"]
    version.regulation = definition["regulation"]
    version.source_note = definition.get("source_note", "")
    version.first_year = years.get("from")
    version.last_year = years.get("to")
    version.content_sha256 = digest
    version.definition = definition
    version.source_file = name[-255:]
    version.loaded_by = actor
    version.save()
    _framework_nodes_create(version, definition)
    return FrameworkLoad(version, outcome)


def _framework_nodes_create(version, definition):
    tiers = definition["tiers"]
    position = 0
    level = [(None, item, definition.get("default_level_scale") or "") for item in definition["tree"]]
    depth = 0
    while level:
        rows = []
        for parent, data, inherited_scale in level:
            position += 1
            scale = data.get("level_scale") or inherited_scale
            rows.append(
                FrameworkNode(
                    version=version,
                    parent=parent,
                    code=str(data["code"]),
                    name=data["name"],
                    tier=tiers[depth]["key"],
                    tier_label=tiers[depth]["label"],
                    depth=depth,
                    position=0,
                    weight=Decimal(str(data["weight"])),
                    is_indicator=not data.get("children"),
                    level_scale=scale,
                    externally_scored=bool(data.get("externally_scored")),
                    external_source=data.get("external_source", ""),
                    criteria={str(k): v for k, v in (data.get("criteria") or {}).items()},
                )
            )
        created = FrameworkNode.objects.bulk_create(rows)
        level = [
            (node, child, node.level_scale)
            for node, (_parent, data, _scale) in zip(created, level)
            for child in data.get("children") or []
        ]
        depth += 1
    # Positions in depth-first (file) order, so that lists read like the file.
    order = {code: index for index, code in enumerate(_depth_first_codes(definition["tree"]))}
    nodes = list(version.nodes.all())
    for node in nodes:
        node.position = order[node.code]
    FrameworkNode.objects.bulk_update(nodes, ["position"])


def _depth_first_codes(items):
    for item in items:
        yield str(item["code"])
        yield from _depth_first_codes(item.get("children") or [])


# --- Periods ------------------------------------------------------------------------------------

State = AssessmentPeriod.State

# to_state → the states it may come from. Leaving "closed" is a reopening: it needs a reason.
PERIOD_TRANSITIONS = {
    State.OPEN: {State.PLANNED, State.REVIEW, State.CLOSED},
    State.REVIEW: {State.OPEN, State.CLOSED},
    State.CLOSED: {State.REVIEW},
    State.PLANNED: {State.OPEN},
}


def _require_administrator(actor):
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied(_("Only an administrator may do this."))


@transaction.atomic
def period_create(*, name, year, framework_version, opens, closes, review_deadline, actor=None, state=State.PLANNED):
    _require_administrator(actor)
    period = AssessmentPeriod(
        name=name,
        year=year,
        framework_version=framework_version,
        self_assessment_opens=opens,
        self_assessment_closes=closes,
        review_deadline=review_deadline,
        state=state,
    )
    period.full_clean()
    if not (opens <= closes <= review_deadline):
        raise ValidationError(_("The self-assessment must open before it closes, and close before the review deadline."))
    period.save()
    PeriodEvent.objects.create(period=period, actor=actor, from_state="", to_state=state, note=_("Period created."))
    return period


@transaction.atomic
def period_transition(*, period, to_state, actor, note="", expected_state=None):
    """Move a period to ``to_state``, recorded as an event. Reopening a closed period needs a
    note. ``expected_state`` is the state the user saw: if another administrator moved the period
    meanwhile, the change is refused rather than applied on top of theirs."""
    _require_administrator(actor)
    locked = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if expected_state and locked.state != expected_state:
        raise ValidationError(
            _("This period was changed meanwhile: it is now %(state)s. Nothing was changed; check and try again.")
            % {"state": locked.get_state_display()}
        )
    if locked.state not in PERIOD_TRANSITIONS.get(to_state, set()):
        raise ValidationError(
            _("A period cannot go from %(from)s to %(to)s.") % {"from": locked.get_state_display(), "to": State(to_state).label}
        )
    note = (note or "").strip()
    if locked.state == State.CLOSED and not note:
        raise ValidationError(_("Reopening a closed period needs a reason."))
    PeriodEvent.objects.create(period=locked, actor=actor, from_state=locked.state, to_state=to_state, note=note)
    locked.state = to_state
    locked.save(update_fields=["state"])
    period.state = to_state
    return locked


# --- Assessments --------------------------------------------------------------------------------


def _require_writable(period):
    if period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})


@transaction.atomic
def assessment_get_or_create(*, period, agency):
    assessment, created = Assessment.objects.get_or_create(period=period, agency=agency)
    if created:
        indicators = period.framework_version.nodes.filter(is_indicator=True)
        IndicatorAssessment.objects.bulk_create(
            [IndicatorAssessment(assessment=assessment, indicator=indicator) for indicator in indicators]
        )
    return assessment


@transaction.atomic
def assessment_levels_set(*, assessment, levels):
    """Set levels of several indicators: ``levels`` maps an indicator code to a dict with any of
    ``level``, ``verified_level``, ``target_level``, ``justification``. Used by imports and demo
    data; officers' edits go through the review workflow."""
    _require_writable(assessment.period)
    scale = assessment.period.framework_version.scale
    items = {item.indicator.code: item for item in assessment.items.select_related("indicator")}
    unknown = sorted(set(levels) - set(items))
    if unknown:
        raise ValidationError(_("Unknown indicator codes: %(codes)s") % {"codes": ", ".join(unknown)})
    changed = []
    for code, values in levels.items():
        item = items[code]
        for field in ("level", "verified_level", "target_level"):
            if field in values:
                value = values[field]
                if value is not None and value not in scale:
                    raise ValidationError(
                        _("Level %(level)s of indicator %(code)s is outside the scale.") % {"level": value, "code": code}
                    )
                setattr(item, field, value)
        if "justification" in values:
            item.justification = values["justification"]
        changed.append(item)
    IndicatorAssessment.objects.bulk_update(changed, ["level", "verified_level", "target_level", "justification"])
    return assessment


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

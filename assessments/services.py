"""Writes for frameworks, periods, assessments and published results. One transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import is_administrator

from .framework_files import content_hash, load_text
from .stored_files import remember, removes_files_on_failure
from .models import (
    Assessment,
    AssessmentPeriod,
    Evidence,
    Framework,
    FrameworkNode,
    FrameworkVersion,
    IndicatorAssessment,
    IndicatorRevision,
    ItemEvent,
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


def period_next_states(period):
    """The states a period may move to from where it is."""
    return [state for state, sources in PERIOD_TRANSITIONS.items() if period.state in sources]


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
        assessment_summary_refresh(assessment=assessment)
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
    assessment_summary_refresh(assessment=assessment)
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


# --- The review workflow of an item ---------------------------------------------------------------
# Officers (can_submit) edit their regency's items while the period is open or in review; reviewers
# (can_review) accept or return submitted ones. Each function locks the item, refuses to act on a
# state the user did not see (``expected_version``), writes an ItemEvent, and queues notifications
# after the commit.

Item = IndicatorAssessment
ItemState = IndicatorAssessment.State
ACTIVE_PERIOD_STATES = (AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW)


class ConcurrentChange(ValidationError):
    """The item changed since the user loaded it; nothing was written."""


def _lock_item(item, expected_version):
    locked = (
        IndicatorAssessment.objects.select_for_update(of=("self",))  # the item only, not its period or agency
        .select_related("assessment__agency", "assessment__period__framework_version", "indicator")
        .get(pk=item.pk)
    )
    if expected_version is not None and int(expected_version) != locked.version:
        last = locked.events.select_related("actor").first()
        who = last.actor.get_full_name() if last and last.actor else _("someone")
        raise ConcurrentChange(
            _("%(who)s changed this indicator meanwhile; it is now %(state)s. Nothing you sent was saved: "
              "the page shows the latest state, check it and try again.") % {"who": who, "state": locked.get_state_display()}
        )
    return locked


def _require_active_period(item):
    period = item.assessment.period
    if period.state not in ACTIVE_PERIOD_STATES:
        if period.is_read_only:
            raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": period})
        raise ValidationError(_("The period %(period)s is not open for self-assessment.") % {"period": period})


def _require(check, actor, agency):
    if not check(actor, agency):
        raise PermissionDenied(_("You may not do this for %(agency)s.") % {"agency": agency.short_name})


def _event(item, actor, action, from_state, note=""):
    ItemEvent.objects.create(
        item=item, actor=actor, action=action, from_state=from_state, to_state=item.state, revision=item.revision, note=note
    )


def _close_revision(item, actor):
    """Keep what the current revision claimed, and start the next one."""
    IndicatorRevision.objects.create(
        item=item,
        number=item.revision,
        state=item.state,
        level=item.level,
        target_level=item.target_level,
        justification=item.justification,
        review_note=item.review_note,
        evidence=[
            {"id": e.pk, "level": e.level, "name": e.label, "sha256": e.sha256, "url": e.url}
            for e in item.evidence.all()
        ],
        closed_by=actor,
    )
    item.revision += 1
    item.review_note = ""
    item.submitted_at = None


def _begin_edit(item, actor):
    """An officer's change: accepted items are locked; a submitted or returned one starts a new
    revision (a submitted one leaves the review queue). Returns the state before."""
    before = item.state
    if before == ItemState.ACCEPTED:
        raise ValidationError(_("This indicator was accepted and is locked. Open a new revision to change it."))
    if before in (ItemState.SUBMITTED, ItemState.RETURNED):
        _close_revision(item, actor)
    item.state = ItemState.DRAFT
    return before


def _save(item):
    item.version += 1
    item.save()
    assessment_summary_refresh(assessment=item.assessment)


def _notify(users, title, body, url):
    from agencies.services import notifications_send

    notifications_send(users=users, title=title, body=body, url=url)


def item_url(item):
    from django.urls import reverse

    return reverse(
        "item_detail",
        kwargs={"period_id": item.assessment.period_id, "code": item.assessment.agency.code, "indicator_code": item.indicator.code},
    )


@transaction.atomic
def item_save(*, item, actor, expected_version, level, justification, target_level, person_in_charge=None, unit_in_charge=None):
    """The officer saves the item as a draft."""
    from agencies.access import can_submit
    from agencies.selectors import people_of

    item = _lock_item(item, expected_version)
    agency = item.assessment.agency
    _require(can_submit, actor, agency)
    _require_active_period(item)
    scale = item.assessment.period.framework_version.scale
    for name, value in (("level", level), ("target_level", target_level)):
        if value is not None and value not in scale:
            raise ValidationError({name: _("Choose a level from %(low)s to %(high)s.") % {"low": scale.start, "high": scale.stop - 1}})
    if person_in_charge is not None and not people_of(agency=agency).filter(pk=person_in_charge.pk).exists():
        raise ValidationError({"person_in_charge": _("The person in charge must belong to %(agency)s.") % {"agency": agency.short_name}})
    if unit_in_charge is not None and not (unit_in_charge.is_within(agency) and unit_in_charge.kind == unit_in_charge.Kind.UNIT):
        raise ValidationError({"unit_in_charge": _("The unit in charge must be a unit of %(agency)s.") % {"agency": agency.short_name}})
    before = _begin_edit(item, actor)
    assigned = (item.person_in_charge_id, item.unit_in_charge_id) != (
        getattr(person_in_charge, "pk", None), getattr(unit_in_charge, "pk", None))
    item.level, item.justification, item.target_level = level, justification.strip(), target_level
    item.person_in_charge, item.unit_in_charge = person_in_charge, unit_in_charge
    _save(item)
    note = _("Withdrawn from the review queue to be changed.") if before == ItemState.SUBMITTED else ""
    _event(item, actor, ItemEvent.Action.SAVED, before, note)
    if assigned:
        who = ", ".join(str(x) for x in (person_in_charge, unit_in_charge) if x) or _("nobody")
        _event(item, actor, ItemEvent.Action.ASSIGNED, item.state, who)
    return item


@transaction.atomic
def item_submit(*, item, actor, expected_version):
    from agencies.access import can_submit
    from agencies.models import Membership
    from agencies.selectors import users_with_role_over

    item = _lock_item(item, expected_version)
    agency = item.assessment.agency
    _require(can_submit, actor, agency)
    _require_active_period(item)
    if item.state != ItemState.DRAFT:
        raise ValidationError(_("Only a draft can be submitted; this indicator is %(state)s.") % {"state": item.get_state_display()})
    missing = []
    if item.level is None:
        missing.append(_("a level"))
    if not item.justification:
        missing.append(_("a justification"))
    if not item.evidence.filter(level__lte=item.level or 0).exists():
        missing.append(_("evidence for the chosen level or a level below it"))
    if missing:
        raise ValidationError(_("Before submitting, add %(missing)s.") % {"missing": ", ".join(str(m) for m in missing)})
    before = item.state
    item.state = ItemState.SUBMITTED
    item.submitted_at = timezone.now()
    _save(item)
    _event(item, actor, ItemEvent.Action.SUBMITTED, before)
    _notify(
        users_with_role_over(agency=agency, roles=[Membership.Role.REVIEWER]),
        _("%(agency)s submitted indicator %(code)s for review") % {"agency": agency.short_name, "code": item.indicator.code},
        _("%(indicator)s — level %(level)s.") % {"indicator": item.indicator.name, "level": item.level},
        item_url(item),
    )
    return item


@transaction.atomic
def item_open_revision(*, item, actor, expected_version):
    """Unlock an accepted item for a change: a new revision in draft. The verified level stays
    until the province reviews the new revision."""
    from agencies.access import can_submit

    item = _lock_item(item, expected_version)
    _require(can_submit, actor, item.assessment.agency)
    _require_active_period(item)
    if item.state != ItemState.ACCEPTED:
        raise ValidationError(_("Only an accepted indicator needs a new revision; this one can be edited as it is."))
    before = item.state
    _close_revision(item, actor)
    item.state = ItemState.DRAFT
    _save(item)
    _event(item, actor, ItemEvent.Action.REVISION_OPENED, before)
    return item


@removes_files_on_failure
@transaction.atomic
def evidence_add(*, item, actor, expected_version, level, upload=None, url="", description=""):
    """Attach a file (``upload``: a Django UploadedFile) or a link to the item, for ``level``.
    The file is checked by name, size and content first (assessments.evidence_files)."""
    from django.conf import settings as django_settings

    from agencies.access import can_submit

    from .evidence_files import EvidenceFileError, check_file

    item = _lock_item(item, expected_version)
    _require(can_submit, actor, item.assessment.agency)
    _require_active_period(item)
    scale = item.assessment.period.framework_version.scale
    if level not in scale:
        raise ValidationError({"evidence_level": _("Choose the level this evidence supports.")})
    if upload is None and not url:
        raise ValidationError({"evidence_file": _("Choose a file or give a link.")})
    before = _begin_edit(item, actor)
    evidence = Evidence(item=item, level=level, description=description.strip()[:300], uploaded_by=actor)
    if upload is not None:
        try:
            checked = check_file(name=upload.name, stream=upload, size=upload.size, max_bytes=django_settings.EVIDENCE_MAX_BYTES)
        except EvidenceFileError as error:
            raise ValidationError({"evidence_file": str(error)}) from None
        evidence.kind = Evidence.Kind.FILE
        evidence.original_name = checked.display_name
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
        upload.seek(0)
        # Written last, once every check has passed; stored under a random name (models.evidence_path).
        evidence.file.save(f"evidence.{checked.extension}", upload, save=False)
        remember(evidence.file)
    else:
        evidence.kind = Evidence.Kind.LINK
        evidence.url = url
    evidence.save()
    _save(item)
    _event(item, actor, ItemEvent.Action.EVIDENCE_ADDED, before, _("Level %(level)s: %(name)s") % {
        "level": level, "name": evidence.label + (f" (SHA-256 {evidence.sha256[:12]}…)" if evidence.sha256 else "")})
    return evidence


@transaction.atomic
def evidence_remove(*, evidence, actor, expected_version):
    from agencies.access import can_submit

    item = _lock_item(evidence.item, expected_version)
    _require(can_submit, actor, item.assessment.agency)
    _require_active_period(item)
    before = _begin_edit(item, actor)
    name, stored = evidence.label, evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    _save(item)
    _event(item, actor, ItemEvent.Action.EVIDENCE_REMOVED, before, _("Level %(level)s: %(name)s") % {"level": evidence.level, "name": name})
    return item


def verified_level_from(accepted_levels):
    """The highest level whose evidence and that of every level below it were accepted."""
    verified = 0
    while verified + 1 in set(accepted_levels):
        verified += 1
    return verified or None


@transaction.atomic
def item_review(*, item, actor, expected_version, decision, accepted_levels, note=""):
    """The reviewer accepts (``decision="accept"``) or returns (``"return"``, a note required) a
    submitted item, recording which levels' evidence is accepted."""
    from agencies.access import can_review
    from agencies.models import Membership
    from agencies.selectors import users_with_role_over

    item = _lock_item(item, expected_version)
    agency = item.assessment.agency
    _require(can_review, actor, agency)
    _require_active_period(item)
    if item.state != ItemState.SUBMITTED:
        raise ConcurrentChange(
            _("This indicator is %(state)s, not waiting for review: nothing was changed.") % {"state": item.get_state_display()}
        )
    levels = sorted({int(level) for level in accepted_levels})
    if any(level < 1 or level > (item.level or 0) for level in levels):
        raise ValidationError(_("Only levels up to the claimed level %(level)s can be accepted.") % {"level": item.level})
    with_evidence = set(item.evidence.values_list("level", flat=True))
    without = [level for level in levels if level not in with_evidence]
    if without:
        raise ValidationError(
            _("Level %(levels)s has no evidence and cannot be accepted.") % {"levels": ", ".join(map(str, without))}
        )
    note = (note or "").strip()
    if decision == "return" and not note:
        raise ValidationError({"note": _("Write a note saying what the officer must improve.")})
    verified = verified_level_from(levels)
    if decision == "accept" and verified is None:
        raise ValidationError(_("Accept at least level 1, or return the indicator with a note."))
    if decision not in ("accept", "return"):
        raise ValidationError(_("Unknown decision."))
    before = item.state
    item.accepted_levels = levels
    item.verified_level = verified
    item.review_note = note
    item.state = ItemState.ACCEPTED if decision == "accept" else ItemState.RETURNED
    _save(item)
    action = ItemEvent.Action.ACCEPTED if decision == "accept" else ItemEvent.Action.RETURNED
    detail = _("Accepted levels: %(levels)s; verified level %(verified)s.") % {
        "levels": ", ".join(map(str, levels)) or "—", "verified": verified or "—"}
    _event(item, actor, action, before, f"{note}\n{detail}".strip())
    officers = users_with_role_over(agency=agency, roles=[Membership.Role.OFFICER])
    if decision == "accept":
        title = _("Indicator %(code)s of %(agency)s was accepted") % {"code": item.indicator.code, "agency": agency.short_name}
        body = _("Verified level: %(level)s.") % {"level": verified}
    else:
        title = _("Indicator %(code)s of %(agency)s was returned") % {"code": item.indicator.code, "agency": agency.short_name}
        body = note
    _notify(officers + [item.person_in_charge], title, body, item_url(item))
    return item


@removes_files_on_failure
@transaction.atomic
def item_update(*, item, actor, expected_version, values, evidence=None, submit=False):
    """What the officer's form does in one go, all or nothing: save the item as a draft, attach
    new evidence if any (``evidence``: dict of level, upload, url, description), and submit."""
    item = item_save(item=item, actor=actor, expected_version=expected_version, **values)
    if evidence:
        evidence_add(item=item, actor=actor, expected_version=item.version, **evidence)
        item.refresh_from_db()
    if submit:
        item = item_submit(item=item, actor=actor, expected_version=item.version)
    return item


# --- Summaries ----------------------------------------------------------------------------------


def _summary_values(period, rows):
    """rows: (code, level, verified, target, state, submitted_at) of one assessment."""
    from .selectors import PLANNED, SELF, VERIFIED, variant_levels
    from .scoring import compute

    framework = period.framework_version.scoring
    levels = variant_levels((code, level, verified, target) for code, level, verified, target, _state, _at in rows)
    scores = {variant: compute(framework, levels[variant]) for variant in (SELF, VERIFIED, PLANNED)}
    counts = {state: 0 for state in IndicatorAssessment.State.values}
    submitted = [at for *_rest, state, at in rows if state == ItemState.SUBMITTED and at]
    for *_rest, state, _at in rows:
        counts[state] += 1
    return {
        "self_index": scores[SELF].index, "verified_index": scores[VERIFIED].index, "planned_index": scores[PLANNED].index,
        "self_predicate": scores[SELF].predicate, "verified_predicate": scores[VERIFIED].predicate,
        "planned_predicate": scores[PLANNED].predicate, **counts, "unassessed": len(scores[SELF].missing),
        "oldest_submitted_at": min(submitted) if submitted else None,
    }


SUMMARY_ROW = ("indicator__code", "level", "verified_level", "target_level", "state", "submitted_at")


def assessment_summary_refresh(*, assessment):
    """Recompute one assessment's summary from its items (one query, the engine, one write)."""
    from .models import AssessmentSummary

    period = AssessmentPeriod.objects.select_related("framework_version").get(pk=assessment.period_id)
    # One refresh at a time per assessment: the items are read after the previous writer committed.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    rows = list(IndicatorAssessment.objects.filter(assessment_id=assessment.pk).values_list(*SUMMARY_ROW))
    AssessmentSummary.objects.update_or_create(
        assessment_id=assessment.pk, defaults={"period": period, "agency_id": assessment.agency_id, **_summary_values(period, rows)}
    )


@transaction.atomic
def summaries_rebuild(*, period):
    """Recompute every summary of a period (two queries and one bulk write)."""
    from collections import defaultdict

    from .models import AssessmentSummary

    rows = defaultdict(list)
    for assessment_id, *row in IndicatorAssessment.objects.filter(assessment__period=period).values_list("assessment_id", *SUMMARY_ROW):
        rows[assessment_id].append(row)
    assessments = list(Assessment.objects.filter(period=period))
    AssessmentSummary.objects.filter(period=period).delete()
    AssessmentSummary.objects.bulk_create(
        [AssessmentSummary(assessment=a, period=period, agency_id=a.agency_id, **_summary_values(period, rows[a.pk])) for a in assessments],
        batch_size=1000,
    )
    return len(assessments)


@transaction.atomic
def targets_save(*, assessment, actor, targets, expected_targets=None):
    """Save a what-if plan as the target levels of an assessment's indicators (``targets``: code →
    level or None). Targets are a plan, not a claim: they change without a new revision, but each
    change is an event. Returns the number of indicators changed."""
    from agencies.access import can_submit

    _require(can_submit, actor, assessment.agency)
    if assessment.period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": assessment.period})
    scale = assessment.period.framework_version.scale
    items = {
        item.indicator.code: item
        for item in IndicatorAssessment.objects.select_for_update(of=("self",)).filter(assessment=assessment).select_related("indicator")
    }
    if expected_targets is not None:
        moved = [code for code, level in expected_targets.items() if code in items and items[code].target_level != level]
        if moved:
            raise ConcurrentChange(
                _("Target levels of %(codes)s were changed meanwhile by someone else. Nothing was saved: reload the simulator.")
                % {"codes": ", ".join(moved)}
            )
    changed = []
    for code, level in targets.items():
        if code not in items:
            raise ValidationError(_("Unknown indicator codes: %(codes)s") % {"codes": code})
        if level is not None and level not in scale:
            raise ValidationError(_("Level %(level)s of indicator %(code)s is outside the scale.") % {"level": level, "code": code})
        item = items[code]
        if item.target_level != level:
            before = item.target_level
            item.target_level = level
            item.version += 1
            changed.append(item)
            ItemEvent.objects.create(
                item=item, actor=actor, action=ItemEvent.Action.TARGET_SET, from_state=item.state, to_state=item.state,
                revision=item.revision, note=_("Target level %(before)s → %(after)s (what-if plan)") % {
                    "before": before or "—", "after": level or "—"},
            )
    IndicatorAssessment.objects.bulk_update(changed, ["target_level", "version"])
    assessment_summary_refresh(assessment=assessment)
    return len(changed)

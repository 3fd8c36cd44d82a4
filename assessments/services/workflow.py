"""The review workflow of an item: officers save, attach evidence and submit; reviewers accept
or return. Also the what-if targets, which are plans, not claims."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..stored_files import check_upload, removes_files_on_failure
from ..models import (
    AssessmentPeriod,
    Evidence,
    IndicatorAssessment,
    IndicatorRevision,
    ItemEvent,
)

from .summaries import assessment_summary_refresh

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
    from agencies.access import can_submit

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
        checked = check_upload(upload, field="evidence_file")
        evidence.kind = Evidence.Kind.FILE
        # Written last, once every check has passed; stored under a random name (models.evidence_path).
        evidence.store(upload, checked)
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

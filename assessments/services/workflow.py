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


def refuse_external_level(indicator, *levels):
    """An externally scored indicator takes its value from the source agency (services.external),
    never a level claimed, verified or planned here: ValidationError when any of ``levels`` is set
    (with no ``levels``: whenever the indicator is externally scored)."""
    if indicator.externally_scored and (not levels or any(level is not None for level in levels)):
        raise ValidationError(
            _("Indicator %(code)s is scored by %(source)s: its value is entered by the province, not claimed.")
            % {"code": indicator.code, "source": indicator.external_source}
        )


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
            {"id": e.pk, "level": e.level, "item_code": e.item_code, "name": e.label, "sha256": e.sha256, "url": e.url}
            for e in item.evidence.all()
        ],
        closed_by=actor,
    )
    item.revision += 1
    item.review_note = ""
    item.submitted_at = None


def _verified_follows(item):
    """The verified level never says more than what stands: keep only the accepted levels that
    are within the current claim and still have evidence the province saw at its last review, and
    take the verified level from them (``verified_level_from``). Only lowers: raising the claim or
    adding evidence never raises it (only the province's review does). Call before ``_save`` so the
    summary follows in the same transaction; returns the note for ``_verified_lowered_event``, or
    None when nothing changed."""
    if not item.accepted_levels and item.verified_level is None:
        return None
    claim = item.level or 0
    reviewed = (
        item.events.filter(action__in=(ItemEvent.Action.ACCEPTED, ItemEvent.Action.RETURNED))
        .order_by("-at", "-pk").values_list("at", flat=True).first()
    )
    seen = item.evidence.all() if reviewed is None else item.evidence.filter(uploaded_at__lte=reviewed)
    standing = _levels_standing(item, seen.values_list("level", "item_code"))
    kept = [level for level in item.accepted_levels if level <= claim and level in standing]
    verified = verified_level_from(kept)
    before = item.verified_level
    if kept == list(item.accepted_levels) and verified == before:
        return None
    item.accepted_levels, item.verified_level = kept, verified
    if (verified or 0) >= (before or 0):
        return None  # accepted levels above the verified one dropped; what stands is unchanged
    if (before or 0) > claim:
        why = _("the claim was lowered to level %(level)s") % {"level": claim or "—"}
    else:
        gone = sorted(set(range(1, (before or 0) + 1)) - standing)
        why = _("the accepted evidence of level %(levels)s was removed") % {"levels": ", ".join(map(str, gone))}
    return _("Verified level %(before)s → %(after)s: %(why)s.") % {"before": before or "—", "after": verified or "—", "why": why}


def _verified_lowered_event(item, actor, note):
    if note:
        _event(item, actor, ItemEvent.Action.VERIFIED_LOWERED, item.state, note)


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
    refuse_external_level(item.indicator)
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
    lowered = _verified_follows(item)
    _save(item)
    note = _("Withdrawn from the review queue to be changed.") if before == ItemState.SUBMITTED else ""
    _event(item, actor, ItemEvent.Action.SAVED, before, note)
    _verified_lowered_event(item, actor, lowered)
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
    refuse_external_level(item.indicator)
    if item.state != ItemState.DRAFT:
        raise ValidationError(_("Only a draft can be submitted; this indicator is %(state)s.") % {"state": item.get_state_display()})
    missing = []
    if item.level is None:
        missing.append(_("a level"))
    if not item.justification:
        missing.append(_("a justification"))
    without, codes = evidence_missing(indicator=item.indicator, level=item.level, evidence_rows=item.evidence.values_list("level", "item_code"))
    if without:
        missing.append(_("evidence for level %(levels)s") % {"levels": ", ".join(map(str, without))})
    if codes:
        missing.append(_("evidence for the items %(codes)s") % {"codes": ", ".join(codes)})
    if missing:
        raise ValidationError(_("Before submitting, add %(missing)s.") % {"missing": ", ".join(str(m) for m in missing)})
    before = item.state
    item.state = ItemState.SUBMITTED
    item.submitted_at = timezone.now()
    _save(item)
    _event(item, actor, ItemEvent.Action.SUBMITTED, before)
    # Reviewers who chose the daily digest hear of it there (services.digests), not now.
    _notify(
        [user for user in users_with_role_over(agency=agency, roles=[Membership.Role.REVIEWER]) if not user.review_digest],
        _("%(agency)s submitted indicator %(code)s for review") % {"agency": agency.short_name, "code": item.indicator.code},
        _("%(indicator)s — level %(level)s.") % {"indicator": item.indicator.name, "level": item.level},
        item_url(item),
    )
    return item


@transaction.atomic
def item_open_revision(*, item, actor, expected_version):
    """Unlock an accepted item for a change: a new revision in draft. The verified level stays
    until the province reviews the new revision, unless the officer lowers the claim or removes
    accepted evidence meanwhile (``_verified_follows``)."""
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
def evidence_add(*, item, actor, expected_version, level=None, item_code="", upload=None, url="", description=""):
    """Attach a file (``upload``: a Django UploadedFile) or a link to the item, for ``level`` — or,
    where the framework lists evidence items for that level, for one item (``item_code``; its level
    is the item's). New evidence for a returned item puts it back to waiting for review.
    The file is checked by name, size and content first (assessments.evidence_files)."""
    from agencies.access import can_submit

    item = _lock_item(item, expected_version)
    _require(can_submit, actor, item.assessment.agency)
    _require_active_period(item)
    scale = item.assessment.period.framework_version.scale
    items = evidence_items_of(item.indicator)
    item_code = (item_code or "").strip()
    if item_code:
        item_level = next((number for number, entries in items.items() if any(e["code"] == item_code for e in entries)), None)
        if item_level is None:
            raise ValidationError({"evidence_item": _("%(code)s is not an evidence item of this indicator.") % {"code": item_code}})
        if level is not None and level != item_level:
            raise ValidationError({"evidence_item": _("Item %(code)s belongs to level %(level)s.") % {"code": item_code, "level": item_level}})
        level = item_level
    if level not in scale:
        raise ValidationError({"evidence_level": _("Choose the level this evidence supports.")})
    if level in items and not item_code:
        raise ValidationError({"evidence_item": _("Level %(level)s lists evidence items: choose the item this evidence supports.") % {"level": level}})
    if upload is None and not url:
        raise ValidationError({"evidence_file": _("Choose a file or give a link.")})
    before = _begin_edit(item, actor)
    reopened = ""
    if item.item_reviews.get(item_code, {}).get("state") == ITEM_RETURNED:
        item.item_reviews = {code: review for code, review in item.item_reviews.items() if code != item_code}
        reopened = "\n" + _("Item %(code)s was returned; with the new evidence it waits for review again.") % {"code": item_code}
    evidence = Evidence(item=item, level=level, item_code=item_code, description=description.strip()[:300], uploaded_by=actor)
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
    _event(item, actor, ItemEvent.Action.EVIDENCE_ADDED, before, _evidence_note(evidence) + (
        f" (SHA-256 {evidence.sha256[:12]}…)" if evidence.sha256 else "") + reopened)
    return evidence


def _evidence_note(evidence):
    if evidence.item_code:
        return _("Level %(level)s, item %(code)s: %(name)s") % {"level": evidence.level, "code": evidence.item_code, "name": evidence.label}
    return _("Level %(level)s: %(name)s") % {"level": evidence.level, "name": evidence.label}


@transaction.atomic
def evidence_remove(*, evidence, actor, expected_version):
    from agencies.access import can_submit

    item = _lock_item(evidence.item, expected_version)
    _require(can_submit, actor, item.assessment.agency)
    _require_active_period(item)
    before = _begin_edit(item, actor)
    note, stored = _evidence_note(evidence), evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    code = evidence.item_code
    if code and code in item.item_reviews and not item.evidence.filter(item_code=code).exists():
        # Nothing the province reviewed stands for this item any more: its decision goes with it.
        review = item.item_reviews[code]
        item.item_reviews = {other: value for other, value in item.item_reviews.items() if other != code}
        note += "\n" + _("Item %(code)s has no evidence left: the province's decision (%(state)s) no longer stands.") % {
            "code": code, "state": _item_state_label(review.get("state"))}
    lowered = _verified_follows(item)
    _save(item)
    _event(item, actor, ItemEvent.Action.EVIDENCE_REMOVED, before, note)
    _verified_lowered_event(item, actor, lowered)
    return item


def levels_without_evidence(*, level, evidence_levels):
    """The levels from 1 to ``level`` that have no evidence yet.

    One rule for both sides of the review: a level counts only when its evidence is accepted, and
    no level is accepted while a lower one is not (``verified_level_from``). So an officer may
    submit level N only with evidence for every level 1..N (``item_submit``), and a reviewer may
    accept only levels 1..k, each with evidence (``item_review``): whatever was submitted, the
    reviewer can accept any level up to the claim without asking for more."""
    have = set(evidence_levels)
    return [number for number in range(1, (level or 0) + 1) if number not in have]


def verified_level_from(accepted_levels):
    """The highest level whose evidence and that of every level below it were accepted."""
    verified = 0
    while verified + 1 in set(accepted_levels):
        verified += 1
    return verified or None


# --- Evidence items ("butir") ---------------------------------------------------------------------
# Where the framework file lists, for a level of an indicator, the evidence items the national
# evaluation checks (FrameworkNode.evidence_items), evidence is attached to an item and the reviewer
# accepts or returns each item; the level's evidence is accepted when all its items are. Levels the
# file lists no items for keep evidence per level, as in frameworks without items.

ITEM_ACCEPTED, ITEM_RETURNED = "accepted", "returned"


def _item_state_label(state):
    return {ITEM_ACCEPTED: _("accepted"), ITEM_RETURNED: _("returned")}.get(state, state or "—")


def evidence_items_of(indicator):
    """Level → list of {code, text} of a FrameworkNode (empty for frameworks without items)."""
    return {int(level): entries for level, entries in (indicator.evidence_items or {}).items()}


def evidence_missing(*, indicator, level, evidence_rows):
    """What is still needed to claim ``level``: (levels without items that have no evidence, codes
    of the items of levels 1..level that have no evidence). ``evidence_rows``: (level, item_code)."""
    rows = list(evidence_rows)
    items = evidence_items_of(indicator)
    with_code = {code for _level, code in rows if code}
    levels = levels_without_evidence(level=level, evidence_levels=[number for number, _code in rows if number not in items])
    levels = [number for number in levels if number not in items]
    codes = [entry["code"] for number in range(1, (level or 0) + 1) for entry in items.get(number, ()) if entry["code"] not in with_code]
    return levels, codes


def _levels_standing(item, evidence_rows):
    """The levels whose evidence stands: a level without items has evidence; a level with items has
    every item with evidence and accepted."""
    rows = list(evidence_rows)
    items = evidence_items_of(item.indicator)
    standing = {number for number, _code in rows if number not in items}
    with_code = {code for _level, code in rows if code}
    for number, entries in items.items():
        if all(e["code"] in with_code and item.item_reviews.get(e["code"], {}).get("state") == ITEM_ACCEPTED for e in entries):
            standing.add(number)
    return standing


def evidence_checklist(*, item, evidence):
    """The officer's checklist of the levels that list evidence items: per level, each item with its
    evidence and status (missing, waiting, accepted, returned with the reviewer's note). Pure: reads
    the item, its indicator and the evidence already loaded (``evidence``), so no query per item."""
    by_code = {}
    for row in evidence:
        if row.item_code:
            by_code.setdefault(row.item_code, []).append(row)
    levels = []
    for number, entries in sorted(evidence_items_of(item.indicator).items()):
        rows = []
        for entry in entries:
            attached = by_code.get(entry["code"], [])
            review = item.item_reviews.get(entry["code"]) or {}
            status = review.get("state") or ("waiting" if attached else "missing")
            rows.append({**entry, "evidence": attached, "status": status, "note": review.get("note", ""),
                         "by": review.get("by", ""), "at": review.get("at", "")})
        levels.append({
            "level": number, "items": rows, "claimed": number <= (item.level or 0),
            "accepted": all(row["status"] == ITEM_ACCEPTED for row in rows),
        })
    return levels


def _item_decisions_apply(item, actor, decisions):
    """Record the reviewer's decision on each evidence item (``decisions``: code → (decision, note))
    of the levels up to the claim; returns the changes, for ``_item_decision_events``. Raises
    ValidationError naming the item."""
    items = evidence_items_of(item.indicator)
    level_of = {entry["code"]: number for number, entries in items.items() for entry in entries}
    with_code = set(item.evidence.exclude(item_code="").values_list("item_code", flat=True))
    reviews, changes = dict(item.item_reviews), []
    for code, (decision, note) in decisions.items():
        note = (note or "").strip()
        if not decision:
            continue
        if code not in level_of or level_of[code] > (item.level or 0):
            raise ValidationError(_("Item %(code)s is not an evidence item of the claimed levels.") % {"code": code})
        if decision not in (ITEM_ACCEPTED, ITEM_RETURNED):
            raise ValidationError(_("Unknown decision."))
        if decision == ITEM_ACCEPTED and code not in with_code:
            raise ValidationError(_("Item %(code)s has no evidence and cannot be accepted.") % {"code": code})
        if decision == ITEM_RETURNED and not note:
            raise ValidationError(_("Write a note saying what is wrong with item %(code)s.") % {"code": code})
        current = reviews.get(code) or {}
        if current.get("state") == decision and current.get("note", "") == note:
            continue
        reviews[code] = {"state": decision, "note": note, "by": actor.get_full_name() or actor.get_username(),
                         "at": timezone.now().isoformat()}
        changes.append((code, decision, note, current.get("state")))
    item.item_reviews = reviews
    return changes


def _item_decision_events(item, actor, changes):
    for code, decision, note, before in changes:
        action = ItemEvent.Action.EVIDENCE_ITEM_ACCEPTED if decision == ITEM_ACCEPTED else ItemEvent.Action.EVIDENCE_ITEM_RETURNED
        text = _("Item %(code)s: %(before)s → %(after)s") % {
            "code": code, "before": _item_state_label(before) if before else _("waiting"), "after": _item_state_label(decision)}
        _event(item, actor, action, item.state, f"{text}\n{note}".strip())


@transaction.atomic
def item_review(*, item, actor, expected_version, decision, accepted_levels, note="", item_decisions=None):
    """The reviewer accepts (``decision="accept"``) or returns (``"return"``, a note required) a
    submitted item, recording which levels' evidence is accepted. Where the framework lists evidence
    items, ``item_decisions`` (code → ("accepted" or "returned" or "", note)) records the decision on
    each item, and a level with items is accepted when all its items are (``accepted_levels`` then
    only names levels without items)."""
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
    items = evidence_items_of(item.indicator)
    levels = sorted({int(level) for level in accepted_levels} - set(items))
    if any(level < 1 or level > (item.level or 0) for level in levels):
        raise ValidationError(_("Only levels up to the claimed level %(level)s can be accepted.") % {"level": item.level})
    changes = _item_decisions_apply(item, actor, item_decisions or {}) if items else []
    if items:  # a level with items is accepted when every item is; only a run from level 1 counts
        whole = _levels_standing(item, item.evidence.values_list("level", "item_code")) & set(items)
        run = verified_level_from(sorted(set(levels) | {level for level in whole if level <= (item.level or 0)})) or 0
        levels = sorted(set(levels) | {level for level in whole if level <= run})
    with_evidence = set(item.evidence.values_list("level", flat=True))
    without = [level for level in levels if level not in with_evidence]
    if without:
        raise ValidationError(
            _("Level %(levels)s has no evidence and cannot be accepted.") % {"levels": ", ".join(map(str, without))}
        )
    verified = verified_level_from(levels)
    if levels and verified != levels[-1]:
        gap = (verified or 0) + 1
        raise ValidationError(
            _("Level %(level)s cannot be accepted while level %(lower)s is not: accept the levels from 1 upwards.")
            % {"level": levels[-1], "lower": gap}
        )
    note = (note or "").strip()
    if decision == "return" and not note:
        raise ValidationError({"note": _("Write a note saying what the officer must improve.")})
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
    _item_decision_events(item, actor, changes)
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


UNCHANGED = object()


@transaction.atomic
def item_assign_reviewer(*, item, actor, assignee, expected_reviewer=UNCHANGED, note=""):
    """Give a submitted item to a reviewer: ``actor`` takes it (``assignee=actor``), hands it to a
    colleague, or releases it (``assignee=None``). Both must be allowed to review the item's agency.
    ``expected_reviewer`` (a user or None) is who the actor saw assigned; if someone else changed it
    meanwhile, nothing is written. Recorded as an event; a colleague given the item is notified."""
    from agencies.access import can_review

    item = _lock_item(item, None)
    agency = item.assessment.agency
    _require(can_review, actor, agency)
    _require_active_period(item)
    if item.state != ItemState.SUBMITTED:
        raise ValidationError(_("Only an item waiting for review can be assigned; this indicator is %(state)s.") % {
            "state": item.get_state_display()})
    if expected_reviewer is not UNCHANGED and getattr(expected_reviewer, "pk", None) != item.reviewer_id:
        raise ConcurrentChange(_("Someone assigned this indicator meanwhile: nothing was changed. Check who has it now."))
    if assignee is not None and (not assignee.is_active or not can_review(assignee, agency)):
        raise ValidationError({"reviewer": _("%(person)s may not review %(agency)s and cannot be assigned.") % {
            "person": assignee, "agency": agency.short_name}})
    if getattr(assignee, "pk", None) == item.reviewer_id:
        return item
    item.reviewer = assignee
    item.save(update_fields=["reviewer", "updated_at"])
    who = str(assignee) if assignee is not None else _("nobody (released)")
    _event(item, actor, ItemEvent.Action.REVIEWER_ASSIGNED, item.state, "\n".join(filter(None, [who, (note or "").strip()])))
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        _notify(
            [assignee],
            _("%(actor)s assigned you indicator %(code)s of %(agency)s") % {
                "actor": actor, "code": item.indicator.code, "agency": agency.short_name},
            (note or "").strip(),
            item_url(item),
        )
    return item


@removes_files_on_failure
@transaction.atomic
def assessment_reviewed_import(*, assessment, officer, reviewer, items, submitted_at=None, reviewed_at=None, note=""):
    """Record a self-assessment that was submitted and reviewed outside the portal (a past year,
    demo data), in bulk but through the same states, rules and records as the workflow.

    ``items`` maps an indicator code to ``level``, ``verified_level``, ``target_level``,
    ``justification`` and ``evidence``: a list of (level, upload, description). As in
    ``item_submit``, a level needs evidence for every level from 1 up to it; as in ``item_review``,
    the accepted levels are 1..verified level, never above the claim. Each item ends accepted
    (submitted when it has no verified level), with its events (saved, evidence added, submitted,
    accepted) by ``officer`` and ``reviewer``, dated ``submitted_at`` and ``reviewed_at`` when given.
    Only items not started are imported."""
    from agencies.access import can_review, can_submit

    agency = assessment.agency
    _require(can_submit, officer, agency)
    _require(can_review, reviewer, agency)
    period = assessment.period
    if period.state not in ACTIVE_PERIOD_STATES:
        raise ValidationError(_("The period %(period)s is not open for self-assessment.") % {"period": period})
    scale = period.framework_version.scale
    found = {
        item.indicator.code: item
        for item in IndicatorAssessment.objects.select_for_update(of=("self",)).filter(assessment=assessment, indicator__code__in=items)
        .select_related("indicator")
    }
    unknown = sorted(set(items) - set(found))
    if unknown:
        raise ValidationError(_("Unknown indicator codes: %(codes)s") % {"codes": ", ".join(unknown)})
    changed, evidence_rows, events = [], [], []
    for code, values in items.items():
        item = found[code]
        item.assessment = assessment  # storage paths read its period and agency: no query per file
        if item.state != ItemState.NOT_STARTED:
            raise ValidationError(_("Indicator %(code)s was already filled in: only items not started are imported.") % {"code": code})
        if item.indicator.evidence_items:
            raise ValidationError(_("Indicator %(code)s lists evidence items: record it through the review workflow, item by item.") % {"code": code})
        level, verified = values["level"], values.get("verified_level")
        refuse_external_level(item.indicator, level, verified, values.get("target_level"))
        for value in (level, verified, values.get("target_level")):
            if value is not None and value not in scale:
                raise ValidationError(_("Level %(level)s of indicator %(code)s is outside the scale.") % {"level": value, "code": code})
        if verified is not None and verified > level:
            raise ValidationError(_("Only levels up to the claimed level %(level)s can be accepted.") % {"level": level})
        without = levels_without_evidence(level=level, evidence_levels=[row[0] for row in values["evidence"]])
        if without:
            raise ValidationError(_("Indicator %(code)s: add %(missing)s.") % {
                "code": code, "missing": _("evidence for level %(levels)s") % {"levels": ", ".join(map(str, without))}})
        item.level, item.verified_level, item.target_level = level, verified, values.get("target_level")
        item.justification = values.get("justification", "").strip()
        item.accepted_levels = list(range(1, (verified or 0) + 1))
        item.state = ItemState.ACCEPTED if verified else ItemState.SUBMITTED
        item.submitted_at = submitted_at or timezone.now()
        item.version += 1
        changed.append(item)
        events.append(ItemEvent(item=item, actor=officer, action=ItemEvent.Action.SAVED, from_state=ItemState.NOT_STARTED,
                                to_state=ItemState.DRAFT, revision=item.revision, note=note))
        for evidence_level, upload, description in values["evidence"]:
            try:
                checked = check_upload(upload)
            except ValidationError as error:
                raise ValidationError(_("Indicator %(code)s: %(error)s") % {"code": code, "error": " ".join(error.messages)}) from None
            evidence = Evidence(item=item, level=evidence_level, description=description.strip()[:300], kind=Evidence.Kind.FILE)
            evidence.store(upload, checked, actor=officer)
            evidence_rows.append(evidence)
            events.append(ItemEvent(item=item, actor=officer, action=ItemEvent.Action.EVIDENCE_ADDED, from_state=ItemState.DRAFT,
                                    to_state=ItemState.DRAFT, revision=item.revision,
                                    note=_("Level %(level)s: %(name)s") % {"level": evidence_level, "name": evidence.label}))
        events.append(ItemEvent(item=item, actor=officer, action=ItemEvent.Action.SUBMITTED, from_state=ItemState.DRAFT,
                                to_state=ItemState.SUBMITTED, revision=item.revision))
        if verified:
            events.append(ItemEvent(
                item=item, actor=reviewer, action=ItemEvent.Action.ACCEPTED, from_state=ItemState.SUBMITTED,
                to_state=ItemState.ACCEPTED, revision=item.revision,
                note=_("Accepted levels: %(levels)s; verified level %(verified)s.") % {
                    "levels": ", ".join(map(str, item.accepted_levels)), "verified": verified}))
    IndicatorAssessment.objects.bulk_update(
        changed, ["level", "verified_level", "target_level", "justification", "accepted_levels", "state", "submitted_at", "version"])
    Evidence.objects.bulk_create(evidence_rows)
    ItemEvent.objects.bulk_create(events)
    # ``at`` and ``uploaded_at`` are set on creation; an import keeps when things really happened.
    imported = ItemEvent.objects.filter(item__in=changed)
    if submitted_at is not None:
        imported.exclude(action=ItemEvent.Action.ACCEPTED).update(at=submitted_at)
        Evidence.objects.filter(item__in=changed).update(uploaded_at=submitted_at)
    elif reviewed_at is not None:  # the province saw this evidence at its review (_verified_follows)
        Evidence.objects.filter(item__in=changed).update(uploaded_at=reviewed_at)
    if reviewed_at is not None:
        imported.filter(action=ItemEvent.Action.ACCEPTED).update(at=reviewed_at)
    assessment_summary_refresh(assessment=assessment)
    return len(changed)


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
        refuse_external_level(item.indicator, level)
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

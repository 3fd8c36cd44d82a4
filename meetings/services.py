"""Writes for control meetings and follow-ups. Each function is one transaction, checks the actor's
role through agencies.access, refuses a change made on a stale page (``expected_version``) and
records an event."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import can_review, can_submit, is_provincial_staff
from agencies.models import Membership
from agencies.selectors import issuing_office, people_of, users_with_role_over
from agencies.services import document_number_issue
from assessments.stored_files import check_upload, remember, removes_files_on_failure
from documents.models import IssuedDocument
from documents.services import (
    document_issued, document_not_issued, document_reserve, document_retry, document_sign, documents_supersede,
    verification_mark,
)
from spbe_portal.dates import format_date

from .models import (
    Attendee,
    FollowUp,
    FollowUpEvent,
    FollowUpEvidence,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingMinutes,
    MinutesRender,
    Reminder,
)

logger = logging.getLogger(__name__)

State = Meeting.State
FollowUpState = FollowUp.State
RenderState = MinutesRender.State
MINUTES_MAX_ATTEMPTS = 3
MINUTES_STALE_AFTER = timedelta(minutes=15)  # a long minutes PDF renders in well under a minute
MINUTES_LOST_MESSAGE_AFTER = timedelta(minutes=10)
MEETING_FIELDS = ("title", "starts_at", "ends_at", "place", "organiser", "period", "chair", "chair_position", "chair_nip", "note_taker",
                  "note_taker_nip", "agenda", "discussion", "decisions")


class StaleChange(ValidationError):
    """The record changed since the user loaded it; nothing was written."""


def _stale(kind_label, state_label):
    return StaleChange(
        _("This %(kind)s was changed meanwhile; it is now %(state)s. Nothing you sent was saved: check the latest version and try again.")
        % {"kind": kind_label, "state": state_label}
    )


def _require_staff(actor, agency):
    if not can_review(actor, agency):
        raise PermissionDenied(_("Only provincial staff record control meetings."))


def _checked_file(upload):
    return check_upload(upload, field="file")


def _store(record, upload, checked, actor):
    record.store(upload, checked, actor=actor)
    record.save()
    return record


# --- Meetings -----------------------------------------------------------------------------------


def _validate_meeting(values, participants):
    if values.get("ends_at") and values["ends_at"] < values["starts_at"]:
        raise ValidationError({"ends_at": _("The meeting cannot end before it starts.")})
    if not participants:
        raise ValidationError({"participants": _("Choose at least one participating agency.")})


def _set_attendees(meeting, attendees):
    meeting.attendees.all().delete()
    Attendee.objects.bulk_create(
        [Attendee(meeting=meeting, position_in_list=index, **attendee) for index, attendee in enumerate(attendees) if attendee.get("name")]
    )


@transaction.atomic
def meeting_create(*, actor, values, participants, attendees=()):
    _require_staff(actor, values["organiser"])
    _validate_meeting(values, participants)
    meeting = Meeting.objects.create(created_by=actor, **values)
    meeting.participants.set(participants)
    _set_attendees(meeting, attendees)
    MeetingEvent.objects.create(meeting=meeting, actor=actor, action=MeetingEvent.Action.CREATED, to_state=meeting.state)
    return meeting


@removes_files_on_failure
@transaction.atomic
def meeting_update(*, meeting, actor, expected_version, values, participants, attendees, correction_reason=""):
    """Change a meeting's record. Final minutes change only as a recorded correction with a
    reason, and are issued again as a new edition."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_staff(actor, meeting.organiser)
    if int(expected_version) != meeting.version:
        raise _stale(_("meeting"), meeting.get_state_display())
    _validate_meeting(values, participants)
    changed = [Meeting._meta.get_field(name).verbose_name for name in MEETING_FIELDS if name in values and getattr(meeting, name) != values[name]]
    if set(meeting.participants.values_list("pk", flat=True)) != {agency.pk for agency in participants}:
        changed.append(Meeting._meta.get_field("participants").verbose_name)
    old_attendees = list(meeting.attendees.values_list("name", "position", "agency_id"))
    new_attendees = [(a["name"], a.get("position", ""), getattr(a.get("agency"), "pk", None)) for a in attendees if a.get("name")]
    if old_attendees != new_attendees:
        changed.append(_("attendees"))
    if meeting.is_final:
        if not correction_reason.strip():
            raise ValidationError({"correction_reason": _("The minutes are final: say why they are corrected.")})
    for name in MEETING_FIELDS:
        if name in values:
            setattr(meeting, name, values[name])
    meeting.version += 1
    meeting.save()
    meeting.participants.set(participants)
    _set_attendees(meeting, attendees)
    summary = _("Changed: %(fields)s.") % {"fields": ", ".join(str(name) for name in changed) or _("nothing")}
    if meeting.is_final:
        MeetingEvent.objects.create(
            meeting=meeting, actor=actor, action=MeetingEvent.Action.CORRECTED, from_state=meeting.state, to_state=meeting.state,
            note=f"{correction_reason.strip()}\n{summary}",
        )
        minutes_issue(meeting=meeting, actor=actor, correction_reason=correction_reason.strip())
    else:
        MeetingEvent.objects.create(
            meeting=meeting, actor=actor, action=MeetingEvent.Action.UPDATED, from_state=meeting.state, to_state=meeting.state, note=summary
        )
    return meeting


MEETING_NEXT_STATE = {State.PLANNED: State.HELD, State.HELD: State.FINAL}


def meeting_next_state(meeting):
    """planned → held → minutes final; None once final."""
    return MEETING_NEXT_STATE.get(meeting.state)


@removes_files_on_failure
@transaction.atomic
def meeting_transition(*, meeting, actor, expected_version, to_state):
    """planned → held → minutes final. Making the minutes final queues the first edition of the minutes PDF."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_staff(actor, meeting.organiser)
    if int(expected_version) != meeting.version:
        raise _stale(_("meeting"), meeting.get_state_display())
    if meeting_next_state(meeting) != to_state:
        raise ValidationError(_("A meeting cannot go from %(from)s to %(to)s.") % {
            "from": meeting.get_state_display(), "to": State(to_state).label if to_state in State.values else to_state})
    if to_state == State.FINAL and not meeting.discussion_points:
        raise ValidationError(_("Write the discussion points before making the minutes final."))
    before = meeting.state
    meeting.state = to_state
    meeting.version += 1
    meeting.save(update_fields=["state", "version"])
    action = MeetingEvent.Action.HELD if to_state == State.HELD else MeetingEvent.Action.FINALISED
    MeetingEvent.objects.create(meeting=meeting, actor=actor, action=action, from_state=before, to_state=to_state)
    if to_state == State.FINAL:
        minutes_issue(meeting=meeting, actor=actor)
    return meeting


def minutes_issue(*, meeting, actor, correction_reason=""):
    """Record the next edition of the final minutes as pending and queue its rendering: the edition
    number and the next number of the organiser's register are given now (an edition keeps its
    number for good); a worker renders the PDF after the transaction commits and stores it as a
    MeetingMinutes (``minutes_render_execute``). An edition after the first says which edition it
    corrects and why. The caller holds the meeting's row lock. Returns the MinutesRender."""
    last_issued = meeting.minutes.order_by("-edition").values_list("edition", flat=True).first() or 0
    last_queued = meeting.renders.exclude(edition_number=None).order_by("-edition_number").values_list("edition_number", flat=True).first() or 0
    edition_number = max(last_issued, last_queued) + 1
    heading = issuing_office(agency=meeting.organiser)
    number = document_number_issue(heading=heading, kind=f"minutes meeting {meeting.pk} edition {edition_number}").number
    render = MinutesRender.objects.create(
        meeting=meeting, edition_number=edition_number, document_number=number, requested_by=actor,
        correction_reason=correction_reason if edition_number > 1 else "",
    )
    transaction.on_commit(lambda: minutes_render_dispatch(render_id=render.pk))
    return render


@transaction.atomic
def minutes_draft_request(*, meeting, actor):
    """Queue a draft of the minutes (provincial staff, before the minutes are final), or join the
    draft already queued or rendering. Returns (render, created)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_staff(actor, meeting.organiser)
    if meeting.is_final:
        raise ValidationError(_("The minutes are final: download the issued edition."))
    active = meeting.renders.filter(edition_number=None, state__in=MinutesRender.ACTIVE_STATES).first()
    if active:
        return active, False
    render = MinutesRender.objects.create(meeting=meeting, requested_by=actor)
    transaction.on_commit(lambda: minutes_render_dispatch(render_id=render.pk))
    return render, True


def minutes_render_dispatch(*, render_id):
    """Send the rendering to the workers. A broker outage is logged, not raised: it stays queued
    and ``minutes_sweep`` sends it later. Returns True when sent."""
    from .tasks import render_minutes

    # Marked before sending: a task run inline (no broker) that fails clears the mark again, so
    # the sweep sends its next attempt after the delay instead of waiting for a "lost" message.
    queued = MinutesRender.objects.filter(pk=render_id, state=RenderState.QUEUED)
    queued.update(dispatched_at=timezone.now())
    try:
        render_minutes.apply_async(args=[render_id], retry=False)
    except Exception as error:  # kombu/redis raise several types when the broker is unreachable
        logger.warning("Minutes rendering %s stays queued: the broker did not take it (%s).", render_id, error)
        queued.update(dispatched_at=None)
        return False
    return True


def minutes_sweep(*, now=None):
    """Every minute: send renderings the broker never took (or whose message was lost), and give
    those whose worker died (running for longer than MINUTES_STALE_AFTER) back to the queue, or
    fail them after MINUTES_MAX_ATTEMPTS. Returns the number sent."""
    now = now or timezone.now()
    stale = MinutesRender.objects.filter(state=RenderState.RUNNING, started_at__lt=now - MINUTES_STALE_AFTER)
    given_up = _("The worker stopped while rendering, %(count)s times.") % {"count": MINUTES_MAX_ATTEMPTS}
    for document_id in stale.filter(attempts__gte=MINUTES_MAX_ATTEMPTS).values_list("issued_document_id", flat=True):
        document_not_issued(document_id=document_id, reason=given_up)
    stale.filter(attempts__gte=MINUTES_MAX_ATTEMPTS).update(state=RenderState.FAILED, finished_at=now, error=given_up)
    stale.filter(attempts__lt=MINUTES_MAX_ATTEMPTS).update(state=RenderState.QUEUED, dispatched_at=None)
    waiting = MinutesRender.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - MINUTES_LOST_MESSAGE_AFTER),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        state=RenderState.QUEUED,
    )
    return sum(minutes_render_dispatch(render_id=pk) for pk in waiting.values_list("pk", flat=True).order_by("pk"))


def _render_claim(render_id):
    with transaction.atomic():
        render = MinutesRender.objects.select_for_update().filter(pk=render_id).first()
        if render is None or render.state != RenderState.QUEUED:
            return None  # done, failed, or another worker has it: a duplicate message does nothing
        render.state, render.started_at, render.error = RenderState.RUNNING, timezone.now(), ""
        render.attempts += 1
        if not render.is_draft and render.issued_document_id is None:
            # An edition is signed: its verification code is decided before rendering (the PDF prints it).
            meeting = render.meeting
            render.issued_document = document_reserve(
                kind=IssuedDocument.Kind.MINUTES, title=_minutes_title(meeting, render.edition_number),
                heading=issuing_office(agency=meeting.organiser), document_number=render.document_number,
            )
        render.save(update_fields=["state", "started_at", "error", "attempts", "issued_document"])
        return render


def _minutes_title(meeting, edition_number):
    date_text = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return f"Notulen rapat pengendalian SPBE {date_text} — {meeting.title} (edisi {edition_number})"


@removes_files_on_failure
def minutes_render_execute(render_id):
    """The worker's part: claim, render, store, finish. Returns the render, or None when there was
    nothing to do. Raises when rendering fails (the task then calls ``minutes_render_failed``)."""
    from assessments.evidence_files import check_bytes

    from .minutes import render_minutes

    render = _render_claim(render_id)
    if render is None:
        return None
    meeting = render.meeting
    heading = issuing_office(agency=meeting.organiser)
    date_text = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    if render.is_draft:  # a draft is not an issued document: not signed, no verification mark
        content = render_minutes(meeting, heading=heading)
        name = f"Draf notulen rapat pengendalian SPBE {date_text}.pdf"
    else:
        edition = MeetingMinutes(meeting=meeting, edition=render.edition_number, document_number=render.document_number,
                                 correction_reason=render.correction_reason, issued_document=render.issued_document)
        rendered = render_minutes(meeting, edition=edition, heading=heading, verification=verification_mark(render.issued_document))
        # Signed before it is stored: a signature that cannot be made raises (SigningError) and the
        # rendering is retried or failed — never an unsigned edition.
        signed = document_sign(document=render.issued_document, pdf=rendered)
        content = signed.content
        name = f"Notulen rapat pengendalian SPBE {date_text} edisi {render.edition_number}.pdf"
    checked = check_bytes(name, content, max_bytes=10**9)
    with transaction.atomic():
        locked = MinutesRender.objects.select_for_update().get(pk=render.pk)
        if locked.state != RenderState.RUNNING or locked.attempts != render.attempts:
            return None  # given up meanwhile (the sweep thought the worker dead): another attempt owns it
        if locked.is_draft:
            locked.file.save(f"file.{checked.extension}", ContentFile(content), save=False)
            remember(locked.file)
            earlier = meeting.renders.filter(edition_number=None, created_at__lt=locked.created_at).exclude(pk=locked.pk)
            for old in earlier.exclude(state__in=MinutesRender.ACTIVE_STATES):
                if old.file:
                    old_file = old.file
                    transaction.on_commit(lambda stored=old_file: stored.storage.delete(stored.name))
                old.delete()
        else:
            edition.store(ContentFile(content, name=name), checked, actor=locked.requested_by or meeting.created_by)
            edition.save()
            document_issued(document=render.issued_document, signed=signed)
            earlier = meeting.minutes.filter(edition__lt=edition.edition).exclude(issued_document=None)
            documents_supersede(earlier_ids=earlier.values_list("issued_document_id", flat=True), later=render.issued_document)
            locked.minutes = edition
        locked.state, locked.finished_at, locked.next_attempt_at = RenderState.DONE, timezone.now(), None
        locked.save()
    return locked


def minutes_render_failed(render_id, error):
    """After a rendering raised: back to the queue for a later attempt (30 s, 60 s … from now, sent
    by the sweep), or failed with its error after MINUTES_MAX_ATTEMPTS."""
    with transaction.atomic():
        render = MinutesRender.objects.select_for_update().get(pk=render_id)
        if render.state != RenderState.RUNNING:
            return render
        final = render.attempts >= MINUTES_MAX_ATTEMPTS
        render.error = f"{type(error).__name__}: {error}"[:4000]
        render.state = RenderState.FAILED if final else RenderState.QUEUED
        render.finished_at = timezone.now() if final else None
        render.dispatched_at = None
        render.next_attempt_at = None if final else timezone.now() + timedelta(seconds=30 * 2 ** (render.attempts - 1))
        render.save(update_fields=["error", "state", "finished_at", "dispatched_at", "next_attempt_at"])
        if final:
            document_not_issued(document_id=render.issued_document_id, reason=render.error)
        return render


@transaction.atomic
def minutes_render_retry(*, render, actor):
    """Provincial staff send a failed rendering back to the queue (attempts start again)."""
    render = MinutesRender.objects.select_for_update().select_related("meeting__organiser").get(pk=render.pk)
    _require_staff(actor, render.meeting.organiser)
    if render.state != RenderState.FAILED:
        raise ValidationError(_("Only a failed rendering can be tried again."))
    render.state, render.attempts, render.error = RenderState.QUEUED, 0, ""
    render.dispatched_at = render.next_attempt_at = render.finished_at = None
    render.save()
    document_retry(document_id=render.issued_document_id)  # same code and number, pending again
    transaction.on_commit(lambda: minutes_render_dispatch(render_id=render.pk))
    return render


@removes_files_on_failure
@transaction.atomic
def meeting_attachment_add(*, meeting, actor, kind, upload):
    _require_staff(actor, meeting.organiser)
    checked = _checked_file(upload)
    attachment = _store(MeetingAttachment(meeting=meeting, kind=kind), upload, checked, actor)
    MeetingEvent.objects.create(
        meeting=meeting, actor=actor, action=MeetingEvent.Action.ATTACHMENT_ADDED, from_state=meeting.state,
        to_state=meeting.state, note=f"{attachment.get_kind_display()}: {attachment.original_name}",
    )
    return attachment


# --- Follow-ups ---------------------------------------------------------------------------------


def _lock_follow_up(follow_up, expected_version):
    locked = FollowUp.objects.select_for_update(of=("self",)).select_related("agency", "meeting").get(pk=follow_up.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise _stale(_("follow-up"), locked.get_state_display())
    return locked


def _follow_up_event(follow_up, actor, action, before, note=""):
    FollowUpEvent.objects.create(follow_up=follow_up, actor=actor, action=action, from_state=before, to_state=follow_up.state, note=note)


def _notify(users, title, body, url):
    from agencies.services import notifications_send

    notifications_send(users=users, title=title, body=body, url=url)


def follow_up_url(follow_up):
    from django.urls import reverse

    return reverse("follow_up_detail", args=[follow_up.pk])


@transaction.atomic
def follow_up_create(*, meeting, actor, agency, description, owner, due_date, indicators=()):
    _require_staff(actor, meeting.organiser)
    if not meeting.participants.filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("Follow-ups are for the meeting's participating agencies.")})
    if not people_of(agency=agency).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The owner must be a person of %(agency)s.") % {"agency": agency.short_name}})
    wrong = [node.code for node in indicators if node.version_id != meeting.period.framework_version_id or not node.is_indicator]
    if wrong:
        raise ValidationError({"indicators": _("Not indicators of the meeting's framework: %(codes)s") % {"codes": ", ".join(wrong)}})
    follow_up = FollowUp.objects.create(meeting=meeting, agency=agency, description=description.strip(), owner=owner, due_date=due_date)
    follow_up.indicators.set(indicators)
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.CREATED, "")
    MeetingEvent.objects.create(
        meeting=meeting, actor=actor, action=MeetingEvent.Action.FOLLOW_UP_ADDED, from_state=meeting.state,
        to_state=meeting.state, note=f"{agency.short_name}: {follow_up.description[:120]}",
    )
    _notify([owner], _("New follow-up for %(agency)s") % {"agency": agency.short_name},
            _("%(description)s (due %(due)s)") % {"description": follow_up.description, "due": format_date(due_date)},
            follow_up_url(follow_up))
    return follow_up


@transaction.atomic
def follow_up_from_recommendation(*, stage_result, owner, due_date, actor):
    """Turn a national assessor's recommendation (a StageResult's) into a follow-up of the
    regency: owned by one of its people, due on ``due_date``, linked to the indicator and the stage
    result, with the same life cycle, reminders and verification as a meeting's follow-up. Only
    provincial staff over the regency do it. Idempotent: a stage result has at most one follow-up,
    and asking again returns it. Returns (follow_up, created)."""
    from assessments.models import StageResult

    result = StageResult.objects.select_for_update(of=("self",)).select_related(
        "item__assessment__agency", "item__assessment__period", "item__indicator").get(pk=stage_result.pk)
    agency = result.item.assessment.agency
    if not (is_provincial_staff(actor) and can_review(actor, agency)):
        raise PermissionDenied(_("Only provincial staff turn an assessor's recommendation into a follow-up."))
    existing = FollowUp.objects.filter(stage_result=result).first()
    if existing is not None:
        return existing, False
    if not result.recommendation.strip():
        raise ValidationError(_("This stage result has no recommendation to follow up."))
    if result.item.assessment.period.is_read_only:
        raise ValidationError(_("The period %(period)s is closed: it is read-only.") % {"period": result.item.assessment.period})
    if owner is None or not people_of(agency=agency).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The owner must be a person of %(agency)s.") % {"agency": agency.short_name}})
    if due_date is None or due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    follow_up = FollowUp.objects.create(
        stage_result=result, agency=agency, description=result.recommendation.strip(), owner=owner, due_date=due_date)
    follow_up.indicators.set([result.item.indicator])
    source = follow_up.source_label
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.CREATED, "", f"{source} ({result.item.assessment.period})")
    _notify([owner], _("New follow-up for %(agency)s") % {"agency": agency.short_name},
            _("%(description)s (due %(due)s)") % {"description": follow_up.description, "due": format_date(due_date)}
            + f"\n{source}", follow_up_url(follow_up))
    return follow_up, True


@transaction.atomic
def follow_up_start(*, follow_up, actor, expected_version):
    follow_up = _lock_follow_up(follow_up, expected_version)
    if not can_submit(actor, follow_up.agency):
        raise PermissionDenied
    if follow_up.state != FollowUpState.OPEN:
        raise ValidationError(_("Only an open follow-up can be started."))
    before, follow_up.state = follow_up.state, FollowUpState.IN_PROGRESS
    follow_up.version += 1
    follow_up.save()
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.STARTED, before)
    return follow_up


@removes_files_on_failure
@transaction.atomic
def follow_up_evidence_add(*, follow_up, actor, expected_version, upload, description=""):
    follow_up = _lock_follow_up(follow_up, expected_version)
    if not can_submit(actor, follow_up.agency):
        raise PermissionDenied
    if follow_up.state not in FollowUp.OPEN_STATES:
        raise ValidationError(_("Evidence is added while the follow-up is open or in progress."))
    evidence = _store(FollowUpEvidence(follow_up=follow_up, description=description.strip()[:300]), upload, _checked_file(upload), actor)
    follow_up.version += 1
    follow_up.save(update_fields=["version"])
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.EVIDENCE_ADDED, follow_up.state, evidence.original_name)
    return evidence


@removes_files_on_failure
@transaction.atomic
def follow_up_done(*, follow_up, actor, expected_version, note, upload=None, description=""):
    """The regency marks its follow-up done, with evidence (a file now, or one added before)."""
    if upload is not None:
        follow_up_evidence_add(follow_up=follow_up, actor=actor, expected_version=expected_version, upload=upload, description=description)
        expected_version = None
    follow_up = _lock_follow_up(follow_up, expected_version)
    if not can_submit(actor, follow_up.agency):
        raise PermissionDenied
    if follow_up.state not in FollowUp.OPEN_STATES:
        raise ValidationError(_("Only an open or in-progress follow-up can be marked done."))
    if not follow_up.evidence.exists():
        raise ValidationError({"file": _("Attach evidence of what was done.")})
    if not note.strip():
        raise ValidationError({"note": _("Say briefly what was done.")})
    before = follow_up.state
    follow_up.state, follow_up.completion_note, follow_up.completed_at = FollowUpState.DONE, note.strip(), timezone.now()
    follow_up.review_note = ""
    follow_up.version += 1
    follow_up.save()
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.DONE, before, follow_up.completion_note)
    _notify(users_with_role_over(agency=follow_up.agency, roles=[Membership.Role.REVIEWER]),
            _("%(agency)s completed a follow-up") % {"agency": follow_up.agency.short_name}, follow_up.description[:200],
            follow_up_url(follow_up))
    return follow_up


@transaction.atomic
def follow_up_review(*, follow_up, actor, expected_version, decision, note=""):
    """The province verifies a done follow-up, or reopens it with a note."""
    follow_up = _lock_follow_up(follow_up, expected_version)
    if not can_review(actor, follow_up.agency):
        raise PermissionDenied
    if follow_up.state != FollowUpState.DONE:
        raise ValidationError(_("Only a follow-up marked done can be verified or reopened."))
    note = note.strip()
    before = follow_up.state
    if decision == "verify":
        follow_up.state, follow_up.verified_at = FollowUpState.VERIFIED, timezone.now()
        action, title = FollowUpEvent.Action.VERIFIED, _("Your follow-up was verified")
    elif decision == "reopen":
        if not note:
            raise ValidationError({"note": _("Say why the follow-up is reopened.")})
        follow_up.state, follow_up.completed_at = FollowUpState.IN_PROGRESS, None
        action, title = FollowUpEvent.Action.REOPENED, _("Your follow-up was reopened")
    else:
        raise ValidationError(_("Unknown decision."))
    follow_up.review_note = note
    follow_up.version += 1
    follow_up.save()
    _follow_up_event(follow_up, actor, action, before, note)
    _notify([follow_up.owner], title, note or follow_up.description[:200], follow_up_url(follow_up))
    return follow_up


@removes_files_on_failure
@transaction.atomic
def follow_up_attach_to_indicator(*, follow_up, actor, item, level, source):
    """Feed the score: copy a done follow-up's evidence (``source`` = a FollowUpEvidence) or the
    meeting's final minutes (``source`` = a MeetingMinutes) into an indicator's evidence in an
    open period, through the assessment workflow (so the indicator becomes a draft to submit)."""
    from assessments.services import evidence_add

    follow_up = _lock_follow_up(follow_up, None)
    if follow_up.state not in (FollowUpState.DONE, FollowUpState.VERIFIED):
        raise ValidationError(_("Only a done or verified follow-up feeds an indicator."))
    if item.assessment.agency_id != follow_up.agency_id:
        raise PermissionDenied
    if isinstance(source, FollowUpEvidence) and source.follow_up_id != follow_up.pk:
        raise PermissionDenied
    if isinstance(source, MeetingMinutes) and source.meeting_id != follow_up.meeting_id:
        raise PermissionDenied
    with source.file.open("rb") as handle:
        upload = ContentFile(handle.read(), name=source.original_name)
    evidence = evidence_add(
        item=item, actor=actor, expected_version=item.version, level=level, upload=upload,
        description=_("Follow-up of %(meeting)s: %(description)s") % {
            "meeting": follow_up.source_label[:80], "description": follow_up.description[:150]},
    )
    _follow_up_event(follow_up, actor, FollowUpEvent.Action.ATTACHED_TO_INDICATOR, follow_up.state,
                     _("%(name)s → indicator %(code)s, level %(level)s, %(period)s") % {
                         "name": source.original_name, "code": item.indicator.code, "level": level, "period": item.assessment.period})
    return evidence


# --- Reminders ------------------------------------------------------------------------------------


def reminders_send(*, today=None):
    """Remind owners of follow-ups due within 7 days, and owners and the province of overdue ones:
    once per follow-up per day, however often this runs (a unique row per follow-up and day).
    Returns the number of reminders sent."""
    today = today or timezone.localdate()
    candidates = (
        FollowUp.objects.filter(state__in=FollowUp.OPEN_STATES, due_date__lte=today + timedelta(days=7))
        .exclude(reminders__day=today)
        .select_related("agency", "owner", "meeting")
    )
    reviewers = list(Membership.objects.filter(role=Membership.Role.REVIEWER, user__is_active=True).select_related("user", "agency"))
    sent = 0
    for follow_up in candidates:
        overdue = follow_up.due_date < today
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    follow_up=follow_up, day=today, kind=Reminder.Kind.OVERDUE if overdue else Reminder.Kind.DUE_SOON
                )
                recipients = [follow_up.owner]
                if overdue:
                    recipients += [m.user for m in reviewers if follow_up.agency.is_within(m.agency)]
                    title = _("Overdue follow-up of %(agency)s (due %(due)s)")
                else:
                    title = _("Follow-up of %(agency)s due %(due)s")
                reminder.recipients = len({user.pk for user in recipients})
                reminder.save(update_fields=["recipients"])
                _notify(recipients, title % {"agency": follow_up.agency.short_name, "due": format_date(follow_up.due_date)},
                        follow_up.description[:200], follow_up_url(follow_up))
        except IntegrityError:
            continue  # another run sent today's reminder for this follow-up a moment ago
        sent += 1
    return sent

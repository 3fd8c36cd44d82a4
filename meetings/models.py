"""Control meetings (rapat pengendalian) the province holds with its regencies, their minutes, and
the follow-up actions (tindak lanjut) agreed there. Rules live in meetings.services."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, nip_validator
from assessments.models import AssessmentPeriod, FrameworkNode, StageResult
from assessments.stored_files import StoredFile, random_file_name


def private_file_path(instance, filename):
    """A random name in a folder per kind of file; the uploaded name is display text only.
    (Named in this app's migrations, so it stays here.)"""
    return random_file_name(instance.storage_folder(), filename)


class PrivateFile(StoredFile):
    """A checked, privately stored file of a meeting (assessments.stored_files.StoredFile)."""

    file = models.FileField(_("file"), upload_to=private_file_path, max_length=255)

    class Meta:
        abstract = True

    def storage_folder(self):
        return f"meetings/{self._meta.model_name}"


class Meeting(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        FINAL = "final", _("Minutes final")

    title = models.CharField(_("title"), max_length=250)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=250)
    organiser = models.ForeignKey(Agency, verbose_name=_("organising agency"), on_delete=models.PROTECT, related_name="organised_meetings")
    period = models.ForeignKey(
        AssessmentPeriod, verbose_name=_("assessment period"), on_delete=models.PROTECT, related_name="meetings",
        help_text=_("Follow-ups relate to this period's indicators."),
    )
    chair = models.CharField(_("chair"), max_length=200, help_text=_("Name and position, e.g. Kepala Diskominfotik Provinsi Bengkulu."))
    chair_position = models.CharField(
        _("chair's position"), max_length=200, blank=True, help_text=_("Printed under the chair's signature, e.g. Kepala Dinas Kominfotik Provinsi Bengkulu."),
    )
    chair_nip = models.CharField(_("chair's NIP"), max_length=18, blank=True, validators=[nip_validator])
    note_taker = models.CharField(_("note-taker"), max_length=200)
    note_taker_nip = models.CharField(_("note-taker's NIP"), max_length=18, blank=True, validators=[nip_validator])
    participants = models.ManyToManyField(Agency, verbose_name=_("participating agencies"), related_name="meetings")
    agenda = models.TextField(_("agenda"), help_text=_("One item per line."))
    discussion = models.TextField(_("discussion points"), blank=True, help_text=_("One point per line; they are numbered."))
    decisions = models.TextField(_("decisions"), blank=True, help_text=_("One decision per line; they are numbered."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("control meeting")
        verbose_name_plural = _("control meetings")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    @staticmethod
    def numbered(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def agenda_items(self):
        return self.numbered(self.agenda)

    @property
    def discussion_points(self):
        return self.numbered(self.discussion)

    @property
    def decision_items(self):
        return self.numbered(self.decisions)

    @property
    def is_final(self):
        return self.state == self.State.FINAL


class Attendee(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=200, blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position_in_list = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "position_in_list", "pk"]

    def __str__(self):
        return self.name


class MeetingAttachment(PrivateFile):
    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        ATTENDANCE = "attendance", _("Attendance list")
        PHOTO = "photo", _("Photo")
        MATERIAL = "material", _("Material")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting", "kind", "uploaded_at"]


class MeetingMinutes(PrivateFile):
    """The final minutes as issued: the PDF rendered when the minutes became final (and again at
    each correction), kept so that it can be evidence and never changes under anyone."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes")
    edition = models.PositiveIntegerField(_("edition"))
    document_number = models.CharField(_("document number"), max_length=120, blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    issued_document = models.OneToOneField(
        "documents.IssuedDocument", verbose_name=_("issued document"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="minutes", help_text=_("The signed PDF's verification record."),
    )

    @property
    def corrects_edition(self):
        """The edition this one corrects (None for the first)."""
        return self.edition - 1 if self.edition > 1 else None

    class Meta:
        verbose_name = _("final minutes")
        verbose_name_plural = _("final minutes")
        ordering = ["meeting", "-edition"]
        constraints = [models.UniqueConstraint(fields=["meeting", "edition"], name="unique_minutes_edition")]


class MeetingEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Recorded")
        UPDATED = "updated", _("Updated")
        HELD = "held", _("Marked as held")
        FINALISED = "finalised", _("Minutes made final")
        CORRECTED = "corrected", _("Final minutes corrected")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        FOLLOW_UP_ADDED = "follow_up_added", _("Follow-up added")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=10, choices=Meeting.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=Meeting.State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        ordering = ["-at", "-pk"]


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today, state__in=FollowUp.OPEN_STATES)

    def with_overdue_flag(self, today=None):
        """Annotate ``is_overdue``: computed from the due date on every read, never stored."""
        today = today or timezone.localdate()
        return self.annotate(
            is_overdue=models.Case(
                models.When(due_date__lt=today, state__in=FollowUp.OPEN_STATES, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class FollowUp(models.Model):
    """A follow-up action (tindak lanjut) for one agency: agreed in a control meeting (``meeting``),
    or made by the province from a national assessor's recommendation (``stage_result``; no meeting).
    Both kinds share the life cycle, reminders and verification."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("From a control meeting")
        RECOMMENDATION = "recommendation", _("From an assessor's recommendation")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")

    OPEN_STATES = (State.OPEN, State.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    stage_result = models.OneToOneField(
        StageResult, verbose_name=_("assessors' recommendation"), on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_up",
        help_text=_("The stage result whose recommendation this follow-up carries out."),
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="follow_ups")
    description = models.TextField(_("what is to be done"))
    indicators = models.ManyToManyField(FrameworkNode, verbose_name=_("related indicators"), blank=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="follow_ups")
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    review_note = models.TextField(_("province's note"), blank=True)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.agency.short_name}: {self.description[:60]}"

    @property
    def overdue(self):
        return self.state in self.OPEN_STATES and self.due_date < timezone.localdate()

    @property
    def kind(self):
        return self.Kind.MEETING if self.meeting_id else self.Kind.RECOMMENDATION

    @property
    def source_label(self):
        """Where the follow-up comes from: the meeting's title, or "Assessor's recommendation ·
        <stage> · <indicator code>" (reads ``stage_result__item__indicator``: select it along)."""
        if self.meeting_id:
            return self.meeting.title
        result = self.stage_result
        if result is None:
            return str(_("Assessor's recommendation"))
        return _("Assessor's recommendation · %(stage)s · %(code)s") % {
            "stage": result.get_stage_display(), "code": result.item.indicator.code}

    @property
    def source_url(self):
        """The meeting's page, or the page of the indicator whose recommendation this carries out."""
        from django.urls import reverse

        if self.meeting_id:
            return reverse("meeting_detail", args=[self.meeting_id])
        if self.stage_result is None:
            return ""
        item = self.stage_result.item
        return reverse("item_detail", args=[item.assessment.period_id, self.agency.code, item.indicator.code])


class FollowUpEvidence(PrivateFile):
    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("follow-up evidence")
        verbose_name_plural = _("follow-up evidence")
        ordering = ["follow_up", "uploaded_at"]


class FollowUpEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Agreed")
        STARTED = "started", _("Work started")
        DONE = "done", _("Marked as done")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        ATTACHED_TO_INDICATOR = "attached", _("Attached to an indicator's evidence")

    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=FollowUp.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=FollowUp.State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")
        ordering = ["-at", "-pk"]


class Reminder(models.Model):
    """That a follow-up's reminder went out on a day: the daily task sends at most one per
    follow-up per day, however often it runs."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due within 7 days")
        OVERDUE = "overdue", _("Overdue")

    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["follow_up", "day"], name="one_reminder_per_follow_up_per_day")]


class MinutesRender(models.Model):
    """One rendering of a meeting's minutes by a Celery worker (meetings.tasks.render_minutes):
    an edition of the final minutes (``edition_number`` and its document number reserved when the
    minutes were made final or corrected; the worker stores the PDF as a MeetingMinutes), or a
    draft (``edition_number`` empty; the PDF is kept on this row). queued → running → done | failed."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="renders")
    edition_number = models.PositiveIntegerField(_("edition"), null=True, blank=True, help_text=_("Empty for a draft."))
    document_number = models.CharField(_("document number"), max_length=120, blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    issued_document = models.OneToOneField(
        "documents.IssuedDocument", verbose_name=_("issued document"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="minutes_render", help_text=_("Of an edition: its verification record, reserved when it is first rendered."),
    )
    minutes = models.OneToOneField(MeetingMinutes, verbose_name=_("final minutes"), on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="render")
    file = models.FileField(_("draft PDF"), upload_to=private_file_path, max_length=255, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("minutes rendering")
        verbose_name_plural = _("minutes renderings")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "edition_number"], name="one_render_per_minutes_edition")]

    def __str__(self):
        return f"{self.meeting} · {self.edition_number or 'draf'}"

    def storage_folder(self):
        return "meetings/drafts"

    @property
    def is_draft(self):
        return self.edition_number is None

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

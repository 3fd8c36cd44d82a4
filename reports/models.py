"""Maturity reports: each request or schedule slot is a ReportRun, rendered by a Celery worker and
stored privately; IndexSnapshot keeps each agency's indices week by week for trends."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from assessments.models import AssessmentPeriod


def report_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"reports/{instance.period_id}/{uuid.uuid4().hex}.{suffix}"


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        REGENCY = "regency", _("Regency maturity report")
        PROVINCE = "province", _("Province summary")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="report_runs")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="report_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    schedule_slot = models.CharField(_("schedule slot"), max_length=60, blank=True, help_text=_("Set when a schedule asked, e.g. monthly:2026-12."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    dispatched_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("worker last seen at"), null=True, blank=True, help_text=_("Updated by the worker every few seconds while it renders."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("rendering time (ms)"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True, max_length=255)
    xlsx = models.FileField(_("Excel"), upload_to=report_path, blank=True, max_length=255)
    csv_zip = models.FileField(_("CSV tables (zip)"), upload_to=report_path, blank=True, max_length=255)
    document_number = models.CharField(
        _("document number"), max_length=120, blank=True, help_text=_("Given once, when a worker first takes the run; never changes."),
    )
    issued_document = models.OneToOneField(
        "documents.IssuedDocument", verbose_name=_("issued document"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="report_run", help_text=_("The signed PDF's verification record; reserved when a worker first takes the run."),
    )
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("PDF size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one queued or running run per report: a second request joins it.
            models.UniqueConstraint(
                fields=["kind", "period", "agency"], condition=Q(state__in=["queued", "running"]), name="one_active_run_per_report"
            ),
            # A schedule slot produces one report, however often beat fires for it.
            models.UniqueConstraint(
                fields=["kind", "period", "agency", "schedule_slot"], condition=~Q(schedule_slot=""), name="one_run_per_schedule_slot"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.agency.short_name} — {self.period}"

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES


class IndexSnapshot(models.Model):
    """An agency's indices in a period on a day (taken weekly by a scheduled task)."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="index_snapshots")
    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="index_snapshots")
    taken_on = models.DateField(_("taken on"))
    self_index = models.DecimalField(_("self-assessed index"), max_digits=3, decimal_places=2)
    verified_index = models.DecimalField(_("verified index"), max_digits=3, decimal_places=2)

    class Meta:
        verbose_name = _("index snapshot")
        verbose_name_plural = _("index snapshots")
        ordering = ["agency", "period", "taken_on"]
        constraints = [models.UniqueConstraint(fields=["agency", "period", "taken_on"], name="one_snapshot_per_day")]

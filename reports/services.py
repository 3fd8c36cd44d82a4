"""Report runs: requested by a person or a schedule, rendered by a Celery worker, never lost or
doubled.

- A request creates a queued run, or joins the queued or running run of the same report (a partial
  unique constraint keeps it to one). A schedule slot (``monthly:2026-12``) makes at most one run.
- The run is sent to the workers after the transaction commits. If the broker is down the run stays
  queued with ``dispatched_at`` empty, and ``reports_sweep`` (every minute) sends it once the broker
  is back; it also re-sends runs whose message was lost and frees runs whose worker died.
- While it renders, the worker marks the run every REPORT_HEARTBEAT_SECONDS (``heartbeat_at``); a
  running run whose mark is older than REPORT_STALE_AFTER_SECONDS belongs to a dead worker (killed,
  out of memory) and the sweep gives it back to the queue, so it is done minutes after a worker is
  back. The sweep also deletes ``.partial-`` files a killed worker left behind.
- A worker claims the run (queued → running) under a row lock, so a duplicate message does nothing;
  it renders to temporary files and renames them into place (atomic on one file system) before
  marking the run done, so a crash never leaves a "done" run without its whole files. A render that
  raises goes back to the queue with a growing delay (30 s, 60 s …) that the sweep honours, and
  after MAX_ATTEMPTS it is marked failed with its error.
- The PDF is signed (documents.services.document_sign) before it is published; its verification
  record (documents.IssuedDocument, code printed as a QR code) is reserved when the run is first
  claimed, marked issued with the signed file's SHA-256 when the run is done, and marked not issued
  when the run finally fails. A signature that cannot be made is a rendering error like any other.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.access import can_request_report, is_provincial_staff
from agencies.models import Agency
from agencies.selectors import issuing_office
from agencies.services import document_number_issue
from assessments.models import Assessment, AssessmentPeriod
from assessments.selectors import current_period
from documents.models import IssuedDocument
from documents.services import document_issued, document_not_issued, document_reserve, document_sign, verification_mark

from .models import IndexSnapshot, ReportRun

logger = logging.getLogger(__name__)

Kind, State = ReportRun.Kind, ReportRun.State
MAX_ATTEMPTS = 3
LOST_MESSAGE_AFTER = timedelta(minutes=10)
PARTIAL_FILE_AFTER = timedelta(minutes=15)


def _stale_after():
    return timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)


def _check_request(*, kind, period, agency, actor):
    if kind == Kind.PROVINCE:
        if agency.kind != Agency.Kind.PROVINCE:
            raise ValidationError(_("A province summary is made for a province."))
        if actor is not None and not is_provincial_staff(actor):
            raise PermissionDenied
    else:
        if agency.kind not in (Agency.Kind.REGENCY, Agency.Kind.CITY, Agency.Kind.PROVINCE):
            raise ValidationError(_("A maturity report is made for a regency, city or province."))
        if not Assessment.objects.filter(period=period, agency=agency).exists():
            raise ValidationError(_("%(agency)s has no assessment in %(period)s.") % {"agency": agency.short_name, "period": period})
    if actor is not None and not can_request_report(actor, agency):
        raise PermissionDenied


def report_request(*, kind, period, agency, actor=None, slot=""):
    """A run for this report: the queued or running one if there is one (joined), or a new one.
    Returns (run, created)."""
    _check_request(kind=kind, period=period, agency=agency, actor=actor)
    key = {"kind": kind, "period": period, "agency": agency}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                if slot:
                    existing = ReportRun.objects.filter(**key, schedule_slot=slot).first()
                    if existing:
                        return existing, False
                active = ReportRun.objects.filter(**key, state__in=ReportRun.ACTIVE_STATES).first()
                if active:
                    if slot and not active.schedule_slot:
                        # The schedule's slot is served by the run a person asked for a moment ago.
                        ReportRun.objects.filter(pk=active.pk).update(schedule_slot=slot)
                    return active, False
                run = ReportRun.objects.create(**key, requested_by=actor, schedule_slot=slot)
                transaction.on_commit(lambda: report_dispatch(run_id=run.pk))
                return run, True
        except IntegrityError:
            continue  # a concurrent request created it a moment ago: join that one
    raise RuntimeError("Could not create or join a report run.")


def report_dispatch(*, run_id):
    """Send the run to the workers. A broker outage is logged, not raised: the run stays queued
    and the sweep sends it later. Returns True when sent."""
    from .tasks import generate_report

    try:
        generate_report.apply_async(args=[run_id], retry=False)
    except Exception as error:  # kombu/redis raise several types when the broker is unreachable
        logger.warning("Report run %s stays queued: the broker did not take it (%s).", run_id, error)
        return False
    ReportRun.objects.filter(pk=run_id, state=State.QUEUED).update(dispatched_at=timezone.now())
    return True


def reports_sweep(*, now=None):
    """Send queued runs the broker never took (or whose message was lost), and give runs whose
    worker died back to the queue. Returns the number sent."""
    now = now or timezone.now()
    dead_before = now - _stale_after()
    stale = ReportRun.objects.filter(
        Q(heartbeat_at__lt=dead_before) | Q(heartbeat_at__isnull=True, started_at__lt=dead_before), state=State.RUNNING
    )
    given_up = _("The worker stopped while rendering, %(count)s times.") % {"count": MAX_ATTEMPTS}
    for document_id in stale.filter(attempts__gte=MAX_ATTEMPTS).values_list("issued_document_id", flat=True):
        document_not_issued(document_id=document_id, reason=given_up)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(state=State.FAILED, finished_at=now, error=given_up)
    stale.filter(attempts__lt=MAX_ATTEMPTS).update(state=State.QUEUED, dispatched_at=None)
    waiting = ReportRun.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - LOST_MESSAGE_AFTER),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        state=State.QUEUED,
    )
    sent = 0
    for run_id in waiting.values_list("pk", flat=True).order_by("pk"):
        sent += report_dispatch(run_id=run_id)
    partial_files_sweep(now=now)
    return sent


def partial_files_sweep(*, now=None):
    """Delete the ``.partial-`` files of publications a killed worker never finished (older than
    PARTIAL_FILE_AFTER, so a publication in progress is left alone). Returns the number deleted."""
    now = now or timezone.now()
    folder = Path(settings.MEDIA_ROOT) / "reports"
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.rglob(".partial-*"):
        try:
            if path.is_file() and path.stat().st_mtime < (now - PARTIAL_FILE_AFTER).timestamp():
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue  # renamed into place or deleted meanwhile
    return deleted


def _claim(run_id):
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != State.QUEUED:
            return None  # done, failed, or another worker has it: a duplicate message does nothing
        run.state = State.RUNNING
        run.started_at = run.heartbeat_at = timezone.now()
        run.attempts += 1
        run.error = ""
        heading = None
        if not run.document_number:
            heading = issuing_office(agency=run.agency, root=True)
            run.document_number = document_number_issue(heading=heading, kind=f"report run {run.pk}").number
        if run.issued_document_id is None:
            # The verification code is decided before rendering: the PDF prints it (QR code).
            with translation.override("id"):
                title = f"{run.get_kind_display()} — {run.agency.name} — {run.period}"
            run.issued_document = document_reserve(
                kind=IssuedDocument.Kind.REPORT, title=title, document_number=run.document_number,
                heading=heading or issuing_office(agency=run.agency, root=True),
            )
        run.save(update_fields=["state", "started_at", "heartbeat_at", "attempts", "error", "document_number", "issued_document"])
        return run


class _Heartbeat:
    """While the worker renders, a small thread marks the run (``heartbeat_at``) every
    REPORT_HEARTBEAT_SECONDS, so the sweep can tell a long render from a dead worker."""

    def __init__(self, run):
        self.run_id, self.attempt = run.pk, run.attempts
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"report-heartbeat-{run.pk}", daemon=True)

    def _beat(self):
        from django.db import connection

        try:
            while not self.stopped.wait(settings.REPORT_HEARTBEAT_SECONDS):
                ReportRun.objects.filter(pk=self.run_id, state=State.RUNNING, attempts=self.attempt).update(heartbeat_at=timezone.now())
        except Exception:  # a database hiccup: the next render step or the sweep will tell
            logger.exception("Heartbeat of report run %s stopped.", self.run_id)
        finally:
            connection.close()

    def __enter__(self):
        from spbe_portal.celery import app

        if not app.conf.task_always_eager:  # inline (tests, no Redis): no worker to lose
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)


def _publish(content: bytes, relative_name: str) -> str:
    """Write to a temporary file beside the target, then rename it into place."""
    target = Path(settings.MEDIA_ROOT) / relative_name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative_name


def report_execute(run_id, *, render=None):
    """The worker's part: claim, render, publish, finish. Returns the run, or None when there was
    nothing to do. Raises when rendering fails (the task retries or fails the run)."""
    from . import rendering
    from .models import report_path
    from .report_data import build

    run = _claim(run_id)
    if run is None:
        return None
    started = time.monotonic()
    with _Heartbeat(run):
        if settings.REPORT_TEST_RENDER_DELAY:
            time.sleep(settings.REPORT_TEST_RENDER_DELAY)
        report = build(kind=run.kind, period=run.period, agency=run.agency)
        report.heading = issuing_office(agency=run.agency, root=True)
        report.document_number = run.document_number
        report.verification = verification_mark(run.issued_document)
        render = render or rendering.render_pdf
        # Signed before anything is published: a signature that cannot be made raises (SigningError)
        # and the run is retried or failed like any rendering error — never an unsigned PDF.
        signed = document_sign(document=run.issued_document, pdf=render(report))
        pdf = signed.content
        xlsx = rendering.render_xlsx(report)
        csv_zip = rendering.render_csv_zip(report)
        names = {
            "pdf": _publish(pdf, report_path(run, "report.pdf")),
            "xlsx": _publish(xlsx, report_path(run, "report.xlsx")),
            "csv_zip": _publish(csv_zip, report_path(run, "tables.zip")),
        }
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.state != State.RUNNING or locked.attempts != run.attempts:
            # This attempt was given up meanwhile (the sweep thought its worker dead): another
            # attempt owns the run now, so these files are not published as its result.
            for name in names.values():
                (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)
            return None
        locked.pdf.name, locked.xlsx.name, locked.csv_zip.name = names["pdf"], names["xlsx"], names["csv_zip"]
        locked.sha256 = signed.sha256
        locked.size = len(pdf)
        document_issued(document=run.issued_document, signed=signed)
        locked.state = State.DONE
        locked.finished_at = timezone.now()
        locked.duration_ms = int((time.monotonic() - started) * 1000)
        locked.save()
    _notify_done(locked)
    return locked


def report_attempt_failed(run_id, error):
    """After a render raised: back to the queue for a later attempt (30 s, 60 s, … from now, sent
    by the sweep), or failed with its error after MAX_ATTEMPTS."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.state != State.RUNNING:
            return run
        final = run.attempts >= MAX_ATTEMPTS
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.state = State.FAILED if final else State.QUEUED
        run.finished_at = timezone.now() if final else None
        run.dispatched_at = None
        run.next_attempt_at = None if final else timezone.now() + timedelta(seconds=30 * 2 ** (run.attempts - 1))
        run.save(update_fields=["error", "state", "finished_at", "dispatched_at", "next_attempt_at"])
        if final:
            document_not_issued(document_id=run.issued_document_id, reason=run.error)
        return run


def _notify_done(run):
    if run.requested_by_id:
        from django.urls import reverse

        from agencies.services import notifications_send

        notifications_send(users=[run.requested_by], title=_("Report ready: %(report)s") % {"report": str(run)},
                           url=reverse("report_detail", args=[run.pk]))


# --- Schedules ------------------------------------------------------------------------------------


def monthly_batch(*, today=None):
    """The province summary and a report per regency/city for the open period, once per month
    (slot ``monthly:YYYY-MM``). Returns the number of runs created."""
    today = today or timezone.localdate()
    period = current_period()
    if period is None:
        return 0
    slot = f"monthly:{today:%Y-%m}"
    created = 0
    assessed = Assessment.objects.filter(period=period).select_related("agency")
    provinces = {a.agency.path.split("/")[0] for a in assessed}
    for province in Agency.objects.filter(kind=Agency.Kind.PROVINCE, code__in=provinces):
        created += report_request(kind=Kind.PROVINCE, period=period, agency=province, slot=slot)[1]
    for assessment in assessed.filter(agency__kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY]).order_by("agency__path"):
        created += report_request(kind=Kind.REGENCY, period=period, agency=assessment.agency, slot=slot)[1]
    return created


def snapshots_take(*, today=None):
    """Every agency's self-assessed and verified index in open or reviewed periods, once a day at
    most (a second run the same day changes nothing). Returns the number taken."""
    from agencies.access import SYSTEM
    from assessments.selectors import period_agency_scores

    today = today or timezone.localdate()
    taken = 0
    for period in AssessmentPeriod.objects.filter(state__in=[AssessmentPeriod.State.OPEN, AssessmentPeriod.State.REVIEW]):
        rows = [
            IndexSnapshot(agency=entry.agency, period=period, taken_on=today,
                          self_index=entry.self_assessed.index, verified_index=entry.verified.index)
            for entry in period_agency_scores(period=period, user=SYSTEM)
        ]
        before = IndexSnapshot.objects.filter(period=period, taken_on=today).count()
        IndexSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
        taken += IndexSnapshot.objects.filter(period=period, taken_on=today).count() - before
    return taken

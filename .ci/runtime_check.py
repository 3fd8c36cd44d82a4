"""CI: a server install works on its own.

Run with the python of a venv that has nothing but requirements.txt installed (as `make run` and
`make prod` install), against PostgreSQL and Redis, with production settings (DEBUG off):

    VENV/bin/python .ci/runtime_check.py

It migrates and loads the agency tree and the demo assessments into DATABASE_URL, starts a Celery
worker from that venv (VENV/bin/celery, as the Procfile does), queues a regency report through the
normal service (reports.services.report_request), waits until the worker has rendered it and checks
the PDF: signed (PAdES) with the certificate configured in SIGNING_PKCS12_PATH (a self-signed one this
check creates, as a server would be given the office's), its signature valid for pyHanko, and its
issued-document record (the public verification page) holding the file's SHA-256. Any failure prints
what went wrong, with the worker's log, and exits non-zero.
"""

import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER_UP_SECONDS = 60
REPORT_SECONDS = 120


def say(message):
    print(f"runtime check: {message}", flush=True)


def fail(message, worker_log=None):
    print(f"\nRUNTIME CHECK FAILED: {message}", file=sys.stderr, flush=True)
    if worker_log is not None:
        log = Path(worker_log.name).read_text(errors="replace")
        print("---- worker log (last 60 lines) ----\n" + "\n".join(log.splitlines()[-60:]), file=sys.stderr, flush=True)
    sys.exit(1)


def check_environment():
    dev_only = [name for name in ("pytest", "pytest_django", "factory", "playwright", "hypothesis", "pypdf")
                if importlib.util.find_spec(name)]
    if dev_only:
        fail(f"{sys.prefix} is not a runtime-only venv: {', '.join(dev_only)} installed (use pip install -r requirements.txt only)")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        fail("DATABASE_URL must name the CI PostgreSQL database")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        fail("REDIS_URL must name the CI Redis")


def prepare_database():
    from django.core.management import call_command

    say("migrate, load_agencies, load_demo_accounts, load_demo_assessments")
    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    call_command("load_agencies", stdout=quiet)
    call_command("load_demo_accounts", "--allow-production", stdout=quiet)  # the demo assessments are theirs
    call_command("load_demo_assessments", "--allow-production", stdout=quiet)
    path, passphrase = os.environ.get("SIGNING_PKCS12_PATH", ""), os.environ.get("SIGNING_PKCS12_PASSPHRASE", "")
    if not path or not passphrase:
        fail("SIGNING_PKCS12_PATH and SIGNING_PKCS12_PASSPHRASE must name the certificate the worker signs with")
    say(f"signing certificate for this check: {path} (self-signed, created now)")
    call_command("signing_demo_certificate", "--allow-production", "--path", path, "--passphrase", passphrase, stdout=quiet)


def start_worker(log):
    celery = Path(sys.executable).parent / "celery"
    if not celery.exists():
        fail(f"{celery} is missing: celery is not installed in the runtime venv")
    say(f"starting {celery} -A spbe_portal worker")
    return subprocess.Popen(
        [str(celery), "-A", "spbe_portal", "worker", "--pool=solo", "--loglevel=INFO", "-n", f"ci-runtime-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_for_worker(worker, log):
    from spbe_portal.celery import app

    deadline = time.monotonic() + WORKER_UP_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            fail(f"the Celery worker exited with status {worker.returncode} before answering", log)
        try:
            answers = app.control.ping(timeout=1.0)
        except ImportError as error:
            fail(f"the Redis transport cannot be loaded from this venv: {error!r} (missing from requirements.txt?)", log)
        except Exception as error:  # the broker itself does not answer
            fail(f"cannot reach the broker at REDIS_URL: {error!r}", log)
        if answers:
            say(f"worker answers over Redis: {answers}")
            return
    fail(f"the Celery worker did not answer a ping over Redis within {WORKER_UP_SECONDS} s", log)


def produce_report(log):
    from agencies.models import Agency
    from assessments.models import Assessment
    from reports import services
    from reports.models import ReportRun

    assessment = (Assessment.objects.filter(agency__kind=Agency.Kind.REGENCY).select_related("agency", "period")
                  .order_by("period__year", "agency__code").first())
    if assessment is None:
        fail("the demo data has no regency assessment to report on")
    run, _ = services.report_request(kind="regency", period=assessment.period, agency=assessment.agency)
    run.refresh_from_db()
    if run.dispatched_at is None:
        fail(f"report run {run.pk} stays queued: the broker did not take it (see the warning above)", log)
    say(f"report run {run.pk} queued for {assessment.agency.short_name}, {assessment.period}")
    started = time.monotonic()
    while time.monotonic() - started < REPORT_SECONDS:
        run.refresh_from_db()
        if run.state == ReportRun.State.DONE:
            break
        if run.state == ReportRun.State.FAILED or (run.state == ReportRun.State.QUEUED and run.error):
            fail(f"report run {run.pk} failed: {run.error}", log)
        time.sleep(0.5)
    else:
        fail(f"report run {run.pk} is still {run.state} after {REPORT_SECONDS} s", log)
    path = Path(run.pdf.path) if run.pdf else None
    if path is None or not path.exists():
        fail(f"report run {run.pk} is done but its PDF is missing ({path})", log)
    if not path.read_bytes().startswith(b"%PDF-"):
        fail(f"{path} is not a PDF", log)
    say(f"report rendered by the worker in {time.monotonic() - started:.1f} s: {path} ({path.stat().st_size} bytes)")
    check_signed(run, path.read_bytes(), log)


def check_signed(run, pdf, log):
    """The worker signed the PDF: one PAdES signature, intact, over the whole file, by the configured
    certificate; the issued document records the file's hash (what the verification page compares)."""
    import hashlib

    from documents.models import IssuedDocument
    from documents.services import trust_roots
    from documents.signing import signature_check

    check = signature_check(pdf, trust_roots=trust_roots())
    if not check.valid:
        fail(f"the report PDF is not validly signed: {check.reason}", log)
    document = run.issued_document
    if document is None or document.state != IssuedDocument.State.ISSUED:
        fail(f"report run {run.pk} has no issued document record", log)
    if document.sha256 != hashlib.sha256(pdf).hexdigest():
        fail("the issued document's SHA-256 is not the PDF's", log)
    say(f"PDF signed by {check.signer_subject}; verification page /verifikasi/{document.code}/")


def main():
    check_environment()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_portal.settings")
    import django

    django.setup()
    prepare_database()
    with tempfile.NamedTemporaryFile("w+", prefix="ci-runtime-worker-", suffix=".log") as log:
        worker = start_worker(log)
        try:
            wait_for_worker(worker, log)
            produce_report(log)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    say("OK: the runtime-only install queues, runs and renders a report over Redis")


if __name__ == "__main__":
    main()

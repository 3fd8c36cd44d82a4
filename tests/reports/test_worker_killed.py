"""A worker killed in the middle of a render (kill -9, out of memory) costs minutes, not half an
hour: its run stops beating, the sweep gives it back to the queue, and the next worker renders it.
Needs PostgreSQL (the worker is a separate process) and redis-server: skips without them, fails
under SPBE_REQUIRE_SERVICES=1."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from reports import services
from reports.models import ReportRun
from tests.redis_server import broker  # noqa: F401 (fixture)
from tests.services import require_service

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(__file__).resolve().parents[2]


def database_url():
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_processes(broker, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    started = []

    def start(*, render_delay):
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")
        env = dict(os.environ, REDIS_URL=broker.url, DATABASE_URL=database_url(), MEDIA_ROOT=str(django_settings.MEDIA_ROOT),
                   SPBE_TEST_RENDER_DELAY=str(render_delay), REPORT_HEARTBEAT_SECONDS="1",
                   # the worker process signs with the session's test certificate (tests/conftest.py)
                   SIGNING_PKCS12_PATH=django_settings.SIGNING_PKCS12_PATH,
                   SIGNING_PKCS12_PASSPHRASE=django_settings.SIGNING_PKCS12_PASSPHRASE,
                   PORTAL_BASE_URL=django_settings.PORTAL_BASE_URL)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "spbe_portal", "worker", "--pool", "solo", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip", "-n", f"killtest{len(started)}@%h"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(condition, seconds, what, every=0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def test_a_run_whose_worker_was_killed_mid_render_is_done_soon_after_a_worker_is_back(
    worker_processes, settings, open_period, lebong, lebong_levels
):
    settings.REPORT_STALE_AFTER_SECONDS = 4  # production: 90 s, swept every minute
    first = worker_processes(render_delay=120)
    run, _ = services.report_request(kind="regency", period=open_period, agency=lebong)

    def beating_twice():
        run.refresh_from_db()
        return run.state == ReportRun.State.RUNNING and run.heartbeat_at and (run.heartbeat_at - run.started_at).total_seconds() >= 2
    wait_for(beating_twice, 90, "the worker taking the run and beating")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    services.reports_sweep()
    run.refresh_from_db()
    assert run.state == ReportRun.State.RUNNING  # its last beat is too recent to call the worker dead

    worker_processes(render_delay=0)
    back = time.monotonic()

    def done():
        services.reports_sweep()  # beat does this every minute
        run.refresh_from_db()
        return run.state in (ReportRun.State.DONE, ReportRun.State.FAILED)
    wait_for(done, 180, "the run finishing", every=1)

    assert run.state == ReportRun.State.DONE, run.error
    assert run.attempts == 2 and run.pdf.name
    assert time.monotonic() - back < 300

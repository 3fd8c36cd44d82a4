"""A real Celery worker over Redis renders reports; a real broker outage delays a request, never
loses it. These need Redis: they skip on a laptop without it and fail in CI."""

import io
import time
from contextlib import contextmanager

import pytest
from pypdf import PdfReader

from reports import services
from reports.models import ReportRun
from spbe_portal.celery import app as celery_app
from tests.reports.conftest import expected_scores, indonesian
from tests.test_celery_worker import redis_answers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    from tests.services import require_service

    require_service(redis_answers(), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


def wait_until_finished(run, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in (ReportRun.State.DONE, ReportRun.State.FAILED):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run.pk} is still {run.state} after {seconds} s")


def text_of(run):
    with run.pdf.open("rb") as handle:
        return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages).split())


@contextmanager
def broker_unreachable():
    """Point the app at a port where no broker listens, as when Redis is down."""
    def reset_connections():  # as Celery does after a fork: new pools for the current broker URL
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_url = saved
        reset_connections()


def test_a_real_worker_renders_a_regency_report_and_a_province_summary(worker, open_period, lebong, province, lebong_levels):
    regency, _ = services.report_request(kind="regency", period=open_period, agency=lebong)
    summary, _ = services.report_request(kind="province", period=open_period, agency=province)
    regency, summary = wait_until_finished(regency), wait_until_finished(summary)
    assert (regency.state, summary.state) == (ReportRun.State.DONE, ReportRun.State.DONE), (regency.error, summary.error)
    scores = expected_scores(lebong_levels)
    text = text_of(regency)
    for expected in ("Pemerintah Kabupaten Lebong", open_period.name, indonesian(scores["self"].index), scores["self"].predicate,
                     indonesian(scores["verified"].index), scores["verified"].predicate):
        assert expected in text, expected
    summary_text = text_of(summary)
    assert "Pemerintah Provinsi Bengkulu" in summary_text and indonesian(scores["verified"].index) in summary_text


def test_a_request_made_while_the_broker_is_down_is_sent_when_it_returns(worker, open_period, lebong, lebong_levels):
    with broker_unreachable():
        started = time.monotonic()
        run, created = services.report_request(kind="regency", period=open_period, agency=lebong)
        asked_in = time.monotonic() - started
    run.refresh_from_db()
    assert created and run.state == ReportRun.State.QUEUED and run.dispatched_at is None
    assert asked_in < 15  # the request does not hang on the dead broker
    assert services.reports_sweep() == 1  # the broker is back
    assert wait_until_finished(run).state == ReportRun.State.DONE

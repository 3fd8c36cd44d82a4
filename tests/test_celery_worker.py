"""A real Celery worker takes a task from Redis and runs it."""

import time

import pytest
from django.conf import settings
from django.core import mail

from agencies.tasks import send_email
from spbe_portal.celery import app as celery_app
from tests.services import require_service


def redis_answers():
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def real_worker():
    require_service(redis_answers(), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_worker_sends_an_email_queued_over_redis(real_worker):
    # No result backend (nothing reads results): the e-mail arriving is the proof.
    send_email.delay(subject="Uji antrean", body="Isi", recipients=["operator@example.go.id"])
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    assert celery_app.conf.broker_url.startswith("redis")
    assert [m.subject for m in mail.outbox] == ["Uji antrean"]

"""Every e-mail passes through the outbox: kept with the change, sent once, and kept again when the
mail server fails, until the flush gets it out."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from agencies.models import OutgoingEmail
from agencies.services import emails_queue, outbox_flush

pytestmark = pytest.mark.django_db


def later():
    return timezone.now() + timedelta(minutes=2)


def test_an_email_is_kept_in_the_outbox_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emails_queue(recipients=["a@example.go.id", "b@example.go.id"], subject="Uji", body="Isi")
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.go.id", "b@example.go.id"]
    assert not OutgoingEmail.objects.filter(sent_at=None).exists()
    assert outbox_flush(now=later()) == 0 and len(mail.outbox) == 2


def test_a_rolled_back_change_leaves_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            emails_queue(recipients=["a@example.go.id"], subject="Uji", body="Isi")
            raise RuntimeError
    assert not OutgoingEmail.objects.exists() and mail.outbox == []


def test_a_mail_server_failure_is_noted_and_the_flush_sends_it_later(monkeypatch, django_capture_on_commit_callbacks):
    def refused(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refused)
    with django_capture_on_commit_callbacks(execute=True):
        emails_queue(recipients=["a@example.go.id"], subject="Uji", body="Isi")
    email = OutgoingEmail.objects.get()
    assert email.sent_at is None and email.attempts == 1 and "SMTP down" in email.last_error
    monkeypatch.undo()
    assert outbox_flush() == 0  # too fresh: left to the worker a little longer
    assert outbox_flush(now=later()) == 1
    email.refresh_from_db()
    assert email.sent_at and email.attempts == 2 and [m.subject for m in mail.outbox] == ["Uji"]


def test_the_outbox_flush_is_scheduled_every_minute():
    from django_celery_beat.models import PeriodicTask

    from reports.schedules import ensure_schedules

    ensure_schedules()
    task = PeriodicTask.objects.get(task="agencies.tasks.flush_outbox")
    assert (task.interval.every, task.interval.period) == (60, "seconds")

"""Redis (the broker) goes down: writes still answer within seconds and keep their change, the
password reset answers as for an unknown address, and the e-mails are kept in the outbox and sent
once Redis is back. A private redis-server is started and killed; the shared one is left alone."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import OutgoingEmail
from agencies.services import outbox_flush
from assessments.models import IndicatorAssessment
from assessments.services import evidence_add, item_save, item_submit
from tests.assessments.helpers import pdf_upload
from tests.redis_server import broker  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def without_tokens(page):
    return re.sub(rb"[A-Za-z0-9]{48,}", b"<token>", page)  # CSRF tokens differ from page to page


def later():
    return timezone.now() + timedelta(minutes=2)


def test_a_submit_during_a_broker_outage_answers_within_seconds_and_its_email_goes_out_after_recovery(
    broker, open_period, lebong, lebong_officer, provincial_reviewer
):
    item = IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency=lebong, indicator__code="1")
    item = item_save(item=item, actor=lebong_officer, expected_version=item.version, level=1, justification="Perbup ada.", target_level=2)
    evidence_add(item=item, actor=lebong_officer, expected_version=item.version, level=1, upload=pdf_upload())
    item.refresh_from_db()
    broker.stop()

    started = time.monotonic()
    item_submit(item=item, actor=lebong_officer, expected_version=item.version)
    took = time.monotonic() - started

    assert took < 4
    item.refresh_from_db()
    assert item.state == IndicatorAssessment.State.SUBMITTED
    kept = OutgoingEmail.objects.get(recipient=provincial_reviewer.email)
    assert kept.sent_at is None and mail.outbox == []

    broker.start()
    assert outbox_flush(now=later()) == 1
    assert [message.to for message in mail.outbox] == [[provincial_reviewer.email]]
    kept.refresh_from_db()
    assert kept.sent_at is not None
    assert outbox_flush(now=later()) == 0  # sent once, not again


def test_a_password_reset_during_a_broker_outage_answers_as_for_an_unknown_address_and_the_mail_follows(
    broker, client, rejang_lebong_officer
):
    broker.stop()
    started = time.monotonic()
    known = client.post(reverse("password_reset"), {"email": rejang_lebong_officer.email}, follow=True)
    known_took = time.monotonic() - started
    started = time.monotonic()
    unknown = client.post(reverse("password_reset"), {"email": "tidak.ada@example.go.id"}, follow=True)
    unknown_took = time.monotonic() - started

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert without_tokens(known.content) == without_tokens(unknown.content)
    assert abs(known_took - unknown_took) < 1
    assert OutgoingEmail.objects.filter(recipient=rejang_lebong_officer.email, sent_at=None).count() == 1

    broker.start()
    assert outbox_flush(now=later()) == 1
    assert mail.outbox[0].to == [rejang_lebong_officer.email] and "/akun/reset/" in mail.outbox[0].body

"""The daily look at the signing certificate (documents.services.signing_certificate_check): the
administrators hear of an expiry coming before reports and final minutes start failing."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Notification
from documents.certificates import self_signed_pkcs12
from documents.services import signing_certificate_check
from documents.tasks import check_signing_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate_expiring(settings, tmp_path):
    """Point the signer at a certificate that ends ``days`` days after today (local time)."""

    def make(days):
        start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10)
        path = self_signed_pkcs12(tmp_path / f"office-{days}.p12", passphrase="p", days=10 + days, not_before=start)
        settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSPHRASE = str(path), "p"

    return make


def titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_administrators_are_told_a_week_before_the_certificate_expires(certificate_expiring, administrator,
                                                                      provincial_reviewer, rejang_lebong_officer):
    certificate_expiring(7)
    today = timezone.localdate()
    assert signing_certificate_check(today=today) == 1
    [title] = titles(administrator)
    assert "7" in title and "sertifikat" in title.lower()
    assert titles(provincial_reviewer) == [] and titles(rejang_lebong_officer) == []


@pytest.mark.parametrize("days_left, warned", [(60, False), (31, False), (30, True), (20, False), (14, True), (8, False),
                                               (7, True), (1, True)])
def test_warnings_come_on_the_30th_and_14th_day_and_each_of_the_last_seven(certificate_expiring, administrator, days_left, warned):
    certificate_expiring(60)
    today = timezone.localdate() + datetime.timedelta(days=60 - days_left)
    assert (signing_certificate_check(today=today) == 1) is warned


def test_a_certificate_that_can_no_longer_sign_is_said_at_once(settings, administrator, tmp_path):
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "missing.p12")
    settings.SIGNING_PKCS12_PATH = str(tmp_path / ("a-long-folder-name-" * 12) / "missing.p12")  # a reason longer than a title
    assert check_signing_certificate() == 1
    notification = Notification.objects.get(user=administrator)
    assert notification.title == "Laporan dan notulen final tidak dapat ditandatangani"
    assert "missing.p12" in notification.body


def test_the_check_runs_daily_by_default():
    from django_celery_beat.models import PeriodicTask

    from reports.schedules import ensure_schedules

    ensure_schedules()
    task = PeriodicTask.objects.get(task="documents.tasks.check_signing_certificate")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("8", "0", "*")

"""Dates read one way in Indonesian everywhere — pages, e-mails, notifications — and links in
e-mails start with the portal's address (PORTAL_BASE_URL)."""

import re
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from agencies.models import Notification
from meetings.models import FollowUp
from meetings.services import follow_up_create, reminders_send
from spbe_portal.dates import format_date, format_datetime, format_day
from tests.meetings.test_meetings import meeting  # noqa: F401  (fixture)

BASE = "https://spbe.bengkuluprov.go.id"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_a_date_and_a_moment_read_in_indonesian_in_western_indonesian_time():
    with translation.override("id"):
        assert format_date(date(2021, 6, 10)) == "10 Juni 2021"
        assert format_day(date(2021, 6, 10)) == "Kamis, 10 Juni 2021"
        assert format_datetime(datetime(2021, 6, 10, 2, 0, tzinfo=dt_timezone.utc)) == "10 Juni 2021 09.00 WIB"
        assert format_date(datetime(2021, 6, 9, 20, 0, tzinfo=dt_timezone.utc)) == "10 Juni 2021"  # 03.00 WIB next day
        assert format_date(None) == ""


def test_templates_print_dates_only_through_the_portal_filters():
    """Only times of day (|date:"H.i") may be formatted in place; every date goes through spbe_portal.dates."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for found in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text()):
            if found != "H.i":
                offenders.append(f"{path.relative_to(TEMPLATES)}: {found}")
    assert offenders == []


@pytest.mark.django_db
def test_a_follow_up_email_links_to_the_portal_and_dates_the_due_day_in_indonesian(
    meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer, settings, django_capture_on_commit_callbacks  # noqa: F811
):
    settings.PORTAL_BASE_URL = BASE
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = follow_up_create(meeting=meeting, actor=provincial_reviewer, agency=rejang_lebong, owner=rejang_lebong_officer,
                                     description="Menyusun SK Tim Koordinasi SPBE", due_date=date(2021, 6, 10))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"{BASE}/rapat/tindak-lanjut/{follow_up.pk}/" in body
    assert re.search(r"^https://spbe\.bengkuluprov\.go\.id/\S+$", body, re.M)
    assert "batas waktu 10 Juni 2021" in body
    assert Notification.objects.get(user=rejang_lebong_officer).body.endswith("(batas waktu 10 Juni 2021)")


@pytest.mark.django_db
def test_a_reminder_dates_the_due_day_in_indonesian(meeting, rejang_lebong, rejang_lebong_officer, provincial_reviewer):  # noqa: F811
    today = date(2021, 6, 7)
    FollowUp.objects.create(meeting=meeting, agency=rejang_lebong, owner=rejang_lebong_officer, description="Unggah peta rencana",
                            due_date=today + timedelta(days=3))
    assert reminders_send(today=today) == 1
    assert Notification.objects.get(user=rejang_lebong_officer).title == "Tindak lanjut Rejang Lebong jatuh tempo pada 10 Juni 2021"


@pytest.mark.django_db
def test_the_password_reset_link_starts_with_the_portal_address(client, rejang_lebong_officer, settings,
                                                                django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = BASE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": rejang_lebong_officer.email})
    assert re.search(rf"^{re.escape(BASE)}/akun/reset/\S+/$", mail.outbox[0].body, re.M)


def test_the_portal_address_defaults_to_the_development_server():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "spbe_portal.settings", "VAR_DIR": "/tmp"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert result.stdout.strip() == "http://127.0.0.1:8000", result.stderr
    env["PORTAL_BASE_URL"] = BASE + "/"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert result.stdout.strip() == BASE

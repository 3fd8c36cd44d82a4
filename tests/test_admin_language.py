"""The login error reads well, and the admin — django-celery-beat's schedule pages too — is Indonesian."""

import gettext
import re

import pytest
from django.urls import reverse

from tests.test_i18n import ROOT, read_po

THIRD_PARTY = ROOT / "locale" / "third_party" / "id" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_a_wrong_password_is_refused_in_plain_indonesian(client, rejang_lebong_officer):
    response = client.post(reverse("login"), {"username": "officer.rl", "password": "salah-sekali"})
    page = response.content.decode()
    assert "Masukkan nama pengguna dan kata sandi yang benar." in page
    assert "nama pengguna nama pengguna" not in page


def test_the_third_party_catalogue_is_complete_and_compiled():
    entries = read_po(THIRD_PARTY)
    assert len(entries) > 100
    assert [msgid for (_, msgid), (strs, flags) in entries.items() if not all(strs.values()) or "fuzzy" in flags] == []
    with open(THIRD_PARTY.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    assert compiled["Periodic Tasks"] == "Tugas Berkala"
    assert len([key for key in compiled if key]) == len(entries)


ENGLISH_LEFT = ["Periodic", "periodic", "Crontab", "Interval Schedule", "Task Name", "Scheduler", "Rubah", "Notulen",
                "Enable selected", "Last Run", "Translation:", "Human readable"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["index", "periodictask_list", "periodictask_change", "crontab_list", "crontab_change",
                                  "interval_change"])
def test_the_schedule_pages_of_the_admin_are_indonesian(page, administrator, client_of):
    from django.core.management import call_command
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    call_command("ensure_schedules", verbosity=0)
    task = PeriodicTask.objects.filter(crontab__isnull=False).first()
    url = {
        "index": reverse("admin:index"),
        "periodictask_list": reverse("admin:django_celery_beat_periodictask_changelist"),
        "periodictask_change": reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
        "crontab_list": reverse("admin:django_celery_beat_crontabschedule_changelist"),
        "crontab_change": reverse("admin:django_celery_beat_crontabschedule_change", args=[CrontabSchedule.objects.first().pk]),
        "interval_change": reverse("admin:django_celery_beat_intervalschedule_change", args=[IntervalSchedule.objects.first().pk]),
    }[page]
    response = client_of(administrator).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    shown = re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))  # the text a reader sees
    assert "Tugas Berkala" in shown
    assert [word for word in ENGLISH_LEFT if word in shown] == []

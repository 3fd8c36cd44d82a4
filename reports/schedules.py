"""The default schedules, created once in the database (django-celery-beat), where administrators
can change or pause them in Administration → Periodic tasks. Existing rows are never overwritten."""

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

DEFAULTS = [
    # name, task, crontab (minute, hour, day_of_month, day_of_week) or interval in seconds
    ("Laporan bulanan (tanggal 1, 07.00 WIB)", "reports.tasks.monthly_reports", ("0", "7", "1", "*"), None),
    ("Snapshot indeks mingguan (Senin 06.00 WIB)", "reports.tasks.weekly_index_snapshots", ("0", "6", "*", "1"), None),
    ("Pengingat tindak lanjut harian (07.00 WIB)", "meetings.tasks.send_follow_up_reminders", ("0", "7", "*", "*"), None),
    ("Ringkasan harian reviu (07.00 WIB)", "assessments.tasks.send_review_digests", ("0", "7", "*", "*"), None),
    ("Pengingat tahap penilaian harian (07.00 WIB)", "assessments.tasks.send_stage_reminders", ("0", "7", "*", "*"), None),
    ("Kirim ulang laporan yang tertunda (tiap menit)", "reports.tasks.sweep_reports", None, 60),
    ("Buat PDF notulen yang tertunda (tiap menit)", "meetings.tasks.sweep_minutes", None, 60),
    ("Kirim surel yang tertahan di kotak keluar (tiap menit)", "agencies.tasks.flush_outbox", None, 60),
    ("Hapus log masuk dan log akses lebih dari setahun (02.00 WIB)", "agencies.tasks.purge_personal_logs", ("0", "2", "*", "*"), None),
    ("Periksa masa berlaku sertifikat tanda tangan (08.00 WIB)", "documents.tasks.check_signing_certificate", ("0", "8", "*", "*"), None),
]


def ensure_schedules():
    """Create the default periodic tasks that do not exist yet; returns how many were created."""
    created = 0
    for name, task, cron, seconds in DEFAULTS:
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        if cron:
            minute, hour, day_of_month, day_of_week = cron
            schedule, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=day_of_month, day_of_week=day_of_week, month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=schedule)
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
        created += 1
    return created

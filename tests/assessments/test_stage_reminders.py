"""The daily stage reminder: when the stage a period is in ends within STAGE_REMINDER_DAYS days, the
people who still have work before it ends get one reminder a day (in Indonesian, with a link), and
nobody else; the period page shows the timeline of every stage and where the period is."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from assessments.models import IndicatorAssessment, StageReminder, StageResult
from assessments.services import period_stages_set, period_create, stage_reminders_send
from assessments.tasks import send_stage_reminders
from meetings.services import follow_up_from_recommendation

from .test_stages import STAGES_2025

pytestmark = pytest.mark.django_db


def at(day, hour=7):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def reminded(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_self_assessment_ending_reminds_the_officers_with_items_left_once_a_day(
    open_period, rejang_lebong_officer, kepahiang_officer, lebong_officer, provincial_reviewer, settings
):
    settings.STAGE_REMINDER_DAYS = 7
    # Lebong finished: every indicator submitted or accepted, so its officer has nothing left to do.
    IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency__code="17.07").update(state="submitted")
    # Rejang Lebong: all but two indicators submitted; one draft and one returned are left.
    rejang = IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency__code="17.02").order_by("indicator__position")
    left = list(rejang.exclude(indicator__externally_scored=True).values_list("pk", flat=True)[:2])
    rejang.exclude(pk__in=left).update(state="submitted")
    IndicatorAssessment.objects.filter(pk=left[0]).update(state="draft")
    IndicatorAssessment.objects.filter(pk=left[1]).update(state="returned")
    kepahiang_left = IndicatorAssessment.objects.filter(
        assessment__period=open_period, assessment__agency__code="17.08", indicator__externally_scored=False).count()

    # 30 April is the last day of the self-assessment: on 24 April 7 days are left, today counted.
    assert stage_reminders_send(now=at(date(2025, 4, 23))) == 0  # 8 days left: not yet
    assert stage_reminders_send(now=at(date(2025, 4, 24))) == 2
    assert stage_reminders_send(now=at(date(2025, 4, 24), hour=15)) == 0  # the same day again: nothing more
    assert send_stage_reminders() == 0  # today (not in the period's stages): nothing

    title = "Penilaian mandiri (Penilaian Mandiri SPBE 2025) berakhir 30 April 2025: tinggal 7 hari"
    assert reminded(rejang_lebong_officer) == [title] and reminded(kepahiang_officer) == [title]
    assert reminded(lebong_officer) == [] and reminded(provincial_reviewer) == []
    notice = Notification.objects.get(user=rejang_lebong_officer)
    assert "Rejang Lebong: 2 indikator belum dikirim (belum diisi, draf, atau dikembalikan)" in notice.body
    assert notice.url == reverse("assessment_detail", args=[open_period.pk, "17.02"])
    assert f"Kepahiang: {kepahiang_left} indikator belum dikirim" in Notification.objects.get(user=kepahiang_officer).body
    assert StageReminder.objects.filter(day=date(2025, 4, 24)).count() == 2

    assert stage_reminders_send(now=at(date(2025, 4, 25))) == 2  # the next day: again, once


def test_province_verification_ending_reminds_the_reviewers_with_submissions_waiting(
    open_period, rejang_lebong_officer, provincial_reviewer, settings
):
    settings.STAGE_REMINDER_DAYS = 7
    assert stage_reminders_send(now=at(date(2025, 6, 25))) == 0  # the review ends 30 June: nothing is submitted
    item = IndicatorAssessment.objects.filter(assessment__period=open_period, assessment__agency__code="17.02").first()
    IndicatorAssessment.objects.filter(pk=item.pk).update(state="submitted")
    assert stage_reminders_send(now=at(date(2025, 6, 20))) == 0  # 11 days left
    assert stage_reminders_send(now=at(date(2025, 6, 25))) == 1
    notice = Notification.objects.get(user=provincial_reviewer)
    assert notice.title == "Verifikasi provinsi (Penilaian Mandiri SPBE 2025) berakhir 30 Juni 2025: tinggal 6 hari"
    assert "Rejang Lebong: 1 kiriman menunggu verifikasi" in notice.body and notice.url == reverse("review_queue")
    assert reminded(rejang_lebong_officer) == []  # the officer's self-assessment is over


def test_a_national_stage_ending_reminds_the_officers_with_open_recommendation_follow_ups(
    open_period, administrator, provincial_reviewer, rejang_lebong_officer, kepahiang_officer, settings
):
    settings.STAGE_REMINDER_DAYS = 7
    period_stages_set(period=open_period, stages=STAGES_2025, actor=administrator)  # document 1 Jul – 15 Aug 2025
    item = IndicatorAssessment.objects.get(assessment__period=open_period, assessment__agency__code="17.02", indicator__code="1")
    result = StageResult.objects.create(item=item, stage="document", level=1, recommendation="Susun peta rencana SPBE.")
    follow_up, _created = follow_up_from_recommendation(stage_result=result, owner=rejang_lebong_officer,
                                                        due_date=timezone.localdate() + timedelta(days=30), actor=provincial_reviewer)
    Notification.objects.all().delete()
    assert stage_reminders_send(now=at(date(2025, 8, 10))) == 1
    notice = Notification.objects.get()
    assert notice.user == rejang_lebong_officer
    assert notice.title == "Penilaian dokumen (Penilaian Mandiri SPBE 2025) berakhir 15 Agustus 2025: tinggal 6 hari"
    assert "Rejang Lebong: 1 rekomendasi asesor belum selesai ditindaklanjuti" in notice.body
    assert notice.url == reverse("follow_up_tracker") + "?kind=recommendation&agency=17.02"
    # Once the follow-up is done, nobody has work left before the stage ends.
    follow_up.__class__.objects.filter(pk=follow_up.pk).update(state="done")
    assert stage_reminders_send(now=at(date(2025, 8, 11))) == 0
    assert reminded(kepahiang_officer) == []


def test_a_closed_period_reminds_nobody(open_period, rejang_lebong_officer, settings):
    settings.STAGE_REMINDER_DAYS = 7
    open_period.state = "closed"
    open_period.save(update_fields=["state"])
    assert stage_reminders_send(now=at(date(2025, 4, 28))) == 0


def test_the_reminder_reads_a_bounded_number_of_queries(open_period, rejang_lebong_officer, kepahiang_officer, lebong_officer,
                                                        settings, django_assert_max_num_queries):
    """Reads: periods, stages, memberships, items grouped by agency, today's reminders; then one
    transaction per person (a reminder row, a notification, its e-mail: 7 statements with the
    savepoints)."""
    settings.STAGE_REMINDER_DAYS = 7
    with django_assert_max_num_queries(5 + 3 * 7) as captured:
        assert stage_reminders_send(now=at(date(2025, 4, 28))) == 3  # 3 agencies × 47 indicators
    reads = [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 5  # none per person, agency or indicator


def test_the_schedule_runs_the_stage_reminder_daily(db):
    from django_celery_beat.models import PeriodicTask

    from reports.schedules import ensure_schedules

    ensure_schedules()
    task = PeriodicTask.objects.get(task="assessments.tasks.send_stage_reminders")
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("0", "7", "*")


def test_the_period_page_shows_every_stage_in_order_and_where_the_period_is(frameworks, administrator, client_of):
    today = timezone.localdate()
    period = period_create(
        name="Pemdi uji", year=2030, framework_version=frameworks["PERMENPANRB-59-2020"],
        opens=today - timedelta(days=40), closes=today - timedelta(days=10), review_deadline=today + timedelta(days=4), state="review",
    )
    period_stages_set(period=period, stages={
        "document": (today + timedelta(days=5), today + timedelta(days=20)),
        "interview": (today + timedelta(days=21), today + timedelta(days=30)),
        "visit": None,
        "final": (today + timedelta(days=31), today + timedelta(days=60)),
    }, actor=administrator)
    page = client_of(administrator).get(reverse("period_detail", args=[period.pk])).content.decode()
    timeline = page[page.index('id="period-timeline"'):page.index("</section>", page.index('id="period-timeline"'))]
    assert '<ol class="list-group list-group-numbered' in timeline and "style=" not in timeline
    stages = [chunk.split('"')[0] for chunk in timeline.split('data-stage="')[1:]]
    statuses = [chunk.split('"')[0] for chunk in timeline.split('data-status="')[1:]]
    assert stages == ["self", "province", "document", "interview", "final"]
    assert statuses == ["done", "current", "coming", "coming", "coming"]
    assert timeline.count('aria-current="step"') == 1
    current = timeline[timeline.rindex("<li", 0, timeline.index('data-stage="province"')):timeline.index('data-stage="document"')]
    assert "list-group-item-primary" in current and "5 hari lagi" in current
    assert "Sekarang: Verifikasi provinsi, tinggal 5 hari." in timeline
    from spbe_portal.dates import format_date

    assert f"{format_date(today + timedelta(days=5))} – {format_date(today + timedelta(days=20))}" in timeline

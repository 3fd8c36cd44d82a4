"""Report runs are never lost or doubled (tasks run inline here; tests/reports/test_worker.py runs
them on a real worker over Redis)."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports import services
from reports.models import IndexSnapshot, ReportRun
from reports.tasks import generate_report
from tests.reports.conftest import expected_scores, indonesian

pytestmark = pytest.mark.django_db
State = ReportRun.State


def pdf_text(run):
    with run.pdf.open("rb") as handle:
        return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages).split())


def test_a_regency_report_holds_the_engines_numbers(open_period, lebong, lebong_levels, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, created = services.report_request(kind="regency", period=open_period, agency=lebong)
    run.refresh_from_db()
    assert created and run.state == State.DONE and run.attempts == 1
    scores = expected_scores(lebong_levels)
    text = pdf_text(run)
    for expected in ("Pemerintah Kabupaten Lebong", open_period.name, indonesian(scores["self"].index), scores["self"].predicate,
                     indonesian(scores["verified"].index)):
        assert expected in text, expected
    assert len(run.sha256) == 64 and run.size > 1000 and run.duration_ms is not None
    assert run.xlsx and run.csv_zip


def test_a_second_request_joins_the_queued_one(open_period, lebong, lebong_levels, lebong_officer, provincial_reviewer):
    first, created = services.report_request(kind="regency", period=open_period, agency=lebong, actor=lebong_officer)
    second, joined = services.report_request(kind="regency", period=open_period, agency=lebong, actor=provincial_reviewer)
    assert created and not joined and second.pk == first.pk
    assert ReportRun.objects.count() == 1


def test_the_database_refuses_two_active_runs_of_one_report(open_period, lebong, lebong_levels):
    ReportRun.objects.create(kind="regency", period=open_period, agency=lebong)
    with pytest.raises(IntegrityError):
        ReportRun.objects.create(kind="regency", period=open_period, agency=lebong, state=State.RUNNING)


def test_a_done_run_does_not_stop_a_new_request(open_period, lebong, lebong_levels, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(kind="regency", period=open_period, agency=lebong)
    with django_capture_on_commit_callbacks(execute=True):
        run, created = services.report_request(kind="regency", period=open_period, agency=lebong)
    assert created and ReportRun.objects.filter(state=State.DONE).count() == 2


def test_a_duplicate_message_renders_nothing_twice(open_period, lebong, lebong_levels, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind="regency", period=open_period, agency=lebong)
    assert generate_report.apply(args=[run.pk]).get() is None
    run.refresh_from_db()
    assert run.attempts == 1


def test_a_broker_outage_keeps_the_request_and_the_sweep_sends_it_later(open_period, lebong, lebong_levels, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(generate_report, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind="regency", period=open_period, agency=lebong)
    run.refresh_from_db()
    assert (run.state, run.dispatched_at) == (State.QUEUED, None)
    monkeypatch.undo()
    assert services.reports_sweep() == 1
    run.refresh_from_db()
    assert run.state == State.DONE
    assert services.reports_sweep() == 0


def test_a_render_that_raises_is_retried_then_failed_and_never_done(open_period, lebong, lebong_levels, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    calls = []

    def broken(report):
        calls.append(report)
        raise RuntimeError("Pango tidak tersedia")

    monkeypatch.setattr("reports.rendering.render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind="regency", period=open_period, agency=lebong)
    run.refresh_from_db()
    assert (run.state, run.attempts) == (State.QUEUED, 1) and run.next_attempt_at is not None
    assert services.reports_sweep() == 0  # not before its delay
    later = timezone.now() + timedelta(minutes=5)
    while run.state == State.QUEUED:
        services.reports_sweep(now=later)
        run.refresh_from_db()
        later += timedelta(minutes=5)
    assert len(calls) == services.MAX_ATTEMPTS
    assert (run.state, run.attempts) == (State.FAILED, services.MAX_ATTEMPTS)
    assert "Pango tidak tersedia" in run.error and not run.pdf
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_crash_after_the_pdf_leaves_no_done_run_and_no_partial_file(open_period, lebong, lebong_levels, monkeypatch):
    monkeypatch.setattr("reports.rendering.render_csv_zip", lambda report: (_ for _ in ()).throw(MemoryError("worker killed")))
    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong)
    with pytest.raises(MemoryError):
        services.report_execute(run.pk)
    run.refresh_from_db()
    assert run.state == State.RUNNING and not run.pdf  # the sweep gives it back to the queue later
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_run_of_a_dead_worker_goes_back_to_the_queue(open_period, lebong, lebong_levels):
    from datetime import timedelta

    from django.utils import timezone

    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong, state=State.RUNNING,
                                   started_at=timezone.now() - timedelta(hours=1))
    services.reports_sweep()
    run.refresh_from_db()
    assert run.state == State.DONE and run.attempts == 1


def test_beat_firing_twice_for_one_slot_makes_one_report_each(open_period, bengkulu, lebong_levels, django_capture_on_commit_callbacks):
    from datetime import date

    with django_capture_on_commit_callbacks(execute=True):
        first = services.monthly_batch(today=date(2026, 12, 1))
        second = services.monthly_batch(today=date(2026, 12, 1))
    assert first == 4 and second == 0  # the province summary and three regencies with an assessment
    assert ReportRun.objects.filter(schedule_slot="monthly:2026-12").count() == 4
    assert ReportRun.objects.filter(state=State.DONE).count() == 4
    assert services.monthly_batch(today=date(2027, 1, 1)) == 4


def test_weekly_snapshots_are_taken_once_a_day(open_period, lebong_levels):
    assert services.snapshots_take() == 3
    assert services.snapshots_take() == 0
    snapshot = IndexSnapshot.objects.get(agency__code="17.07")
    assert snapshot.self_index == expected_scores(lebong_levels)["self"].index


def test_kepahiang_officer_gets_404_for_lebongs_report(open_period, lebong, lebong_levels, kepahiang_officer, client_of,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind="regency", period=open_period, agency=lebong)
    client = client_of(kepahiang_officer)
    assert client.get(reverse("report_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("report_download", args=[run.pk, "pdf"])).status_code == 404
    assert client.get(reverse("report_box") + f"?period={open_period.pk}&agency=17.07&kind=regency").status_code == 404
    assert client.post(reverse("report_request"), {"period": open_period.pk, "agency": "17.07", "kind": "regency"}).status_code == 404
    assert str(run.pk) not in client.get(reverse("report_list")).content.decode().split('id="report-runs"')[-1] or \
        "report-runs" not in client.get(reverse("report_list")).content.decode()


def test_officers_and_leadership_get_their_own_regencys_report_only(open_period, rejang_lebong, rejang_lebong_officer,
                                                                     rejang_lebong_leadership, client_of,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(rejang_lebong_officer).post(reverse("report_request"), {"period": open_period.pk, "agency": "17.02", "kind": "regency"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("report_detail", args=[run.pk])
    client = client_of(rejang_lebong_leadership)
    download = client.get(reverse("report_download", args=[run.pk, "pdf"]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert client.post(reverse("report_request"), {"period": open_period.pk, "agency": "17", "kind": "province"}).status_code == 404


def test_the_page_asks_with_htmx_and_gets_the_state_without_waiting(open_period, lebong, lebong_levels, provincial_reviewer, client_of):
    client = client_of(provincial_reviewer)
    response = client.post(reverse("report_request"), {"period": open_period.pk, "agency": "17.07", "kind": "regency"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "report-state-queued" in page and 'hx-trigger="every 2s"' in page


def test_province_summary_ranks_regencies_by_verified_index(open_period, lebong_levels, bengkulu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind="province", period=open_period, agency=bengkulu["17"])
    run.refresh_from_db()
    text = pdf_text(run)
    assert run.state == State.DONE
    lebong = text.index("Pemerintah Kabupaten Lebong")
    assert lebong < text.index("Pemerintah Kabupaten Kepahiang") and lebong < text.index("Pemerintah Kabupaten Rejang Lebong")


def test_a_schedule_slot_joined_to_a_persons_run_makes_no_second_report(open_period, lebong, lebong_levels, bengkulu):
    from datetime import date

    asked, _ = services.report_request(kind="regency", period=open_period, agency=lebong)  # stays queued (no commit here)
    services.monthly_batch(today=date(2026, 12, 1))
    asked.refresh_from_db()
    assert asked.schedule_slot == "monthly:2026-12"
    ReportRun.objects.filter(pk=asked.pk).update(state=State.DONE)
    services.monthly_batch(today=date(2026, 12, 1))
    assert ReportRun.objects.filter(agency=lebong).count() == 1


def test_a_run_whose_worker_keeps_dying_is_failed_not_retried_forever(open_period, lebong, lebong_levels):
    from django.utils import timezone as tz

    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong, state=State.RUNNING,
                                   attempts=services.MAX_ATTEMPTS, started_at=tz.now() - timedelta(hours=1))
    services.reports_sweep()
    run.refresh_from_db()
    assert run.state == State.FAILED and run.error


def test_a_given_up_attempt_does_not_publish_over_the_new_one(open_period, lebong, lebong_levels, monkeypatch):
    from reports import rendering

    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong)
    real_render = rendering.render_pdf

    def slow_render(report):
        ReportRun.objects.filter(pk=run.pk).update(attempts=5)  # the sweep gave this attempt up meanwhile
        return real_render(report)

    monkeypatch.setattr("reports.rendering.render_pdf", slow_render)
    assert services.report_execute(run.pk) is None
    run.refresh_from_db()
    assert run.state == State.RUNNING and not run.pdf
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_refused_request_never_redirects_outside_the_portal(open_period, lebong_officer, client_of):
    response = client_of(lebong_officer).post(
        reverse("report_request"), {"period": open_period.pk, "agency": "17.07.01", "kind": "regency", "next": "https://contoh.invalid/"}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("report_list") + "?")
    assert "contoh.invalid" not in response.url


def test_a_run_whose_worker_stopped_beating_two_minutes_ago_goes_back_to_the_queue(open_period, lebong, lebong_levels):
    now = timezone.now()
    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong, state=State.RUNNING, attempts=1,
                                   started_at=now - timedelta(minutes=3), heartbeat_at=now - timedelta(minutes=2))
    services.reports_sweep()
    run.refresh_from_db()
    assert run.state == State.DONE and run.attempts == 2


def test_a_long_render_that_still_beats_is_left_alone(open_period, lebong, lebong_levels):
    now = timezone.now()
    run = ReportRun.objects.create(kind="regency", period=open_period, agency=lebong, state=State.RUNNING, attempts=1,
                                   started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(seconds=20))
    services.reports_sweep()
    run.refresh_from_db()
    assert run.state == State.RUNNING and run.attempts == 1


def test_the_sweep_deletes_partial_files_a_killed_worker_left_and_spares_fresh_ones(open_period):
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(open_period.pk)
    folder.mkdir(parents=True)
    old, fresh, report = folder / ".partial-old", folder / ".partial-fresh", folder / "report.pdf"
    for path in (old, fresh, report):
        path.write_bytes(b"%PDF")
    an_hour_ago = (timezone.now() - timedelta(hours=1)).timestamp()
    os.utime(old, (an_hour_ago, an_hour_ago))
    os.utime(report, (an_hour_ago, an_hour_ago))
    services.reports_sweep()
    assert (old.exists(), fresh.exists(), report.exists()) == (False, True, True)

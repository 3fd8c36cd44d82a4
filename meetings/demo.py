"""Demo data: the control meeting of the seed article (Thursday 10 June 2021, Rejang Lebong) with
its follow-ups in different states, one overdue, and an upcoming meeting. Idempotent."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from assessments.demo_documents import simple_pdf
from assessments.models import AssessmentPeriod

from .models import Meeting
from .services import follow_up_create, follow_up_done, follow_up_review, follow_up_start, meeting_create, meeting_transition

SEED_TITLE = "Rapat Pengendalian Pelaksanaan SPBE Tahun 2021 Kabupaten/Kota se-Provinsi Bengkulu"


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _upload(name, title, lines):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, simple_pdf(title, lines), content_type="application/pdf")


@transaction.atomic
def demo_meetings_load():
    if Meeting.objects.filter(title=SEED_TITLE).exists():
        return ["Demo meetings: already there."] + demo_recommendation_follow_ups()
    users = {u.username: u for u in User.objects.filter(username__in=[
        "reviewer.provinsi", "operator.rejanglebong", "operator.kepahiang", "operator.lebong"])}
    period_2021 = AssessmentPeriod.objects.filter(year=2021).first()
    period_2026 = AssessmentPeriod.objects.filter(year=2026).first()
    if len(users) < 4 or period_2021 is None:
        return ["Demo meetings need the demo accounts and the 2021 period first."]
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["17", "17.02", "17.07", "17.08"])}
    staff = users["reviewer.provinsi"]
    day = datetime(2021, 6, 10).date()
    meeting = meeting_create(
        actor=staff,
        values={
            "title": SEED_TITLE,
            "starts_at": _at(day, 9, 0),
            "ends_at": _at(day, 12, 0),
            "place": "Ruang Rapat Dinas Kominfo Kabupaten Rejang Lebong",
            "organiser": agencies["17"],
            "period": period_2021,
            "chair": "Jaduliwan, M.M.",
            "chair_position": "Kepala Dinas Komunikasi, Informatika dan Statistik Provinsi Bengkulu",
            "note_taker": "Rahmat Hidayat",
            "agenda": "Pembukaan oleh Kepala Diskominfotik Provinsi Bengkulu\n"
                      "Pengendalian pelaksanaan SPBE Tahun 2021 di kabupaten/kota\n"
                      "Diskusi dan rencana tindak lanjut",
            "discussion": (
                "SPBE ditujukan untuk mewujudkan tata kelola pemerintahan yang bersih, efektif, transparan, dan akuntabel "
                "serta pelayanan publik yang berkualitas dan terpercaya.\n"
                "Masih banyak pemerintah daerah yang belum memaksimalkan SPBE: perangkat sudah tersedia tetapi belum digunakan.\n"
                "Diskominfotik Provinsi Bengkulu melakukan pembinaan kepada kabupaten/kota melalui rapat pengendalian dan sosialisasi.\n"
                "Menuju Smart City harus melalui tahapan: SPBE dan e-government diselesaikan lebih dahulu, kemudian Kelompok "
                "Informasi Masyarakat (KIM), lalu tahapan berikutnya.\n"
                "SPBE dijalankan sesuai instruksi pemerintah pusat dan telah masuk dalam visi dan misi bupati."
            ),
            "decisions": (
                "Setiap kabupaten menetapkan kebijakan internal SPBE yang belum ada dan melaporkannya kepada provinsi.\n"
                "Aplikasi yang sudah tersedia dimanfaatkan oleh perangkat daerah sebelum membangun aplikasi baru.\n"
                "Rapat pengendalian berikutnya membahas kemajuan tindak lanjut masing-masing kabupaten."
            ),
        },
        participants=[agencies["17.02"], agencies["17.08"], agencies["17.07"]],
        attendees=[
            {"name": "Jaduliwan, M.M.", "position": "Kepala Diskominfotik Provinsi Bengkulu", "agency": agencies["17"]},
            {"name": "Abdul Rozak, S.E.", "position": "Sekretaris Dinas Kominfo Kabupaten Rejang Lebong", "agency": agencies["17.02"]},
            {"name": "Siti Aminah", "position": "Operator SPBE", "agency": agencies["17.02"]},
            {"name": "Dedi Saputra", "position": "Operator SPBE", "agency": agencies["17.08"]},
            {"name": "Yuliana Putri", "position": "Operator SPBE", "agency": agencies["17.07"]},
            {"name": "Rahmat Hidayat", "position": "Analis SPBE (notulis)", "agency": agencies["17"]},
        ],
    )
    nodes = {node.code: node for node in period_2021.framework_version.nodes.filter(is_indicator=True)}
    rejang = follow_up_create(
        meeting=meeting, actor=staff, agency=agencies["17.02"], owner=users["operator.rejanglebong"],
        description="Menetapkan Peraturan Bupati tentang Arsitektur SPBE Kabupaten Rejang Lebong.",
        due_date=datetime(2021, 9, 30).date(), indicators=[nodes["1"], nodes["11"]],
    )
    kepahiang = follow_up_create(
        meeting=meeting, actor=staff, agency=agencies["17.08"], owner=users["operator.kepahiang"],
        description="Menginventarisasi aplikasi yang sudah tersedia dan memanfaatkannya di perangkat daerah.",
        due_date=datetime(2021, 10, 29).date(), indicators=[nodes["4"], nodes["15"]],
    )
    follow_up_create(
        meeting=meeting, actor=staff, agency=agencies["17.07"], owner=users["operator.lebong"],
        description="Membentuk Tim Koordinasi SPBE Kabupaten Lebong dengan Keputusan Bupati.",
        due_date=datetime(2021, 8, 31).date(), indicators=[nodes["10"], nodes["19"]],
    )
    meeting_transition(meeting=meeting, actor=staff, expected_version=meeting.version, to_state=Meeting.State.HELD)
    meeting.refresh_from_db()
    meeting_transition(meeting=meeting, actor=staff, expected_version=meeting.version, to_state=Meeting.State.FINAL)

    # Rejang Lebong: done and verified. Kepahiang: done, waiting for verification. Lebong: still open (overdue).
    officer = users["operator.rejanglebong"]
    rejang = follow_up_start(follow_up=rejang, actor=officer, expected_version=rejang.version)
    rejang = follow_up_done(
        follow_up=rejang, actor=officer, expected_version=rejang.version, note="Perbup Nomor 35 Tahun 2021 telah ditetapkan.",
        upload=_upload("Perbup Arsitektur SPBE Rejang Lebong.pdf", "Peraturan Bupati Rejang Lebong tentang Arsitektur SPBE",
                       ["Nomor 35 Tahun 2021", "Ditetapkan di Curup"]),
        description="Salinan Perbup yang telah ditetapkan",
    )
    follow_up_review(follow_up=rejang, actor=staff, expected_version=rejang.version, decision="verify", note="Sesuai.")
    officer = users["operator.kepahiang"]
    kepahiang = follow_up_done(
        follow_up=kepahiang, actor=officer, expected_version=kepahiang.version,
        note="Inventarisasi selesai: 14 aplikasi, 9 digunakan oleh perangkat daerah.",
        upload=_upload("Laporan inventarisasi aplikasi Kepahiang.pdf", "Laporan Inventarisasi Aplikasi Kabupaten Kepahiang",
                       ["14 aplikasi tercatat", "9 aplikasi digunakan perangkat daerah"]),
    )
    lines = ["Demo meetings: the seed meeting of 10 June 2021 with 3 follow-ups (one overdue)."]

    if period_2026 is not None:
        upcoming_day = timezone.localdate() + timedelta(days=14)
        upcoming = meeting_create(
            actor=staff,
            values={
                "title": "Rapat Pengendalian SPBE Triwulan IV Tahun 2026", "starts_at": _at(upcoming_day, 9, 0), "ends_at": None,
                "place": "Ruang Rapat Diskominfotik Provinsi Bengkulu", "organiser": agencies["17"], "period": period_2026,
                "chair": "Kepala Diskominfotik Provinsi Bengkulu", "note_taker": "Rahmat Hidayat, Analis SPBE",
                "agenda": "Kemajuan penilaian mandiri Pemdi 2026\nTindak lanjut rapat sebelumnya", "discussion": "", "decisions": "",
            },
            participants=[agencies["17.02"], agencies["17.08"], agencies["17.07"]],
        )
        nodes_2026 = {node.code: node for node in period_2026.framework_version.nodes.filter(is_indicator=True)}
        follow_up_create(
            meeting=upcoming, actor=staff, agency=agencies["17.02"], owner=users["operator.rejanglebong"],
            description="Menyiapkan bahan paparan kemajuan indikator Keamanan (I9–I12).",
            due_date=timezone.localdate() + timedelta(days=5), indicators=[nodes_2026["I9"], nodes_2026["I12"]],
        )
        lines.append("Demo meetings: an upcoming meeting with a follow-up due within a week.")
    return lines + demo_recommendation_follow_ups()


def demo_recommendation_follow_ups():
    """The assessors' first recommendation on Rejang Lebong in the latest period (from the demo's
    stage results, loaded by load_demo_assessments) becomes a follow-up of the regency, due in three
    weeks. Idempotent; says so when there is no recommendation to follow up."""
    from assessments.models import StageResult

    from .services import follow_up_from_recommendation

    users = {u.username: u for u in User.objects.filter(username__in=["reviewer.provinsi", "operator.rejanglebong"])}
    result = (
        StageResult.objects.filter(item__assessment__agency__code="17.02", item__assessment__period__state__in=["open", "review"])
        .exclude(recommendation="").order_by("-item__assessment__period__year", "item__indicator__position", "pk").first()
    )
    if result is None or len(users) < 2:
        return ["Demo follow-ups: no assessor recommendation on Rejang Lebong yet (load the stage results first)."]
    follow_up, created = follow_up_from_recommendation(
        stage_result=result, owner=users["operator.rejanglebong"], due_date=timezone.localdate() + timedelta(days=21),
        actor=users["reviewer.provinsi"])
    return [f"Demo follow-ups: the assessors' recommendation on {result.item.indicator.code} "
            f"{'is now' if created else 'was already'} follow-up {follow_up.pk}."]

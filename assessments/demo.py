"""Demo data for `make run`: both frameworks, the 2021 period on PermenPANRB 59/2020 with reviewed
levels and evidence for Rejang Lebong, Kepahiang and Lebong, the 2026 period with items in every
state, and the published national results. Idempotent; the periods need the demo accounts."""

from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency

from .framework_files import bundled_files
from .models import AssessmentPeriod, PublishedResult
from .published_results import read_table, validate_rows
from .services import (
    assessment_get_or_create,
    assessment_reviewed_import,
    framework_load,
    period_create,
    period_transition,
    published_results_save,
)

PUBLISHED_RESULTS_FILE = Path(__file__).resolve().parent / "data" / "published-results-bengkulu.csv"

# Levels of indicators 1–47 in order (self-assessed, verified). Targets are one level above the
# self-assessed level, capped at 4.
LEVELS_2021 = {
    "17.02": (
        "3323332332" "3322" "3322" "32" "22322222" "222" "3333433332" "332222",
        "2322332222" "2322" "3322" "22" "22222222" "122" "3332333332" "322222",
    ),
    "17.08": (
        "2212222121" "2211" "2221" "21" "11211111" "111" "2232222221" "221111",
        "1212121121" "1211" "2211" "21" "11111111" "111" "2222222121" "211111",
    ),
    "17.07": (
        "2211211111" "2111" "2211" "21" "11111111" "111" "2222222211" "211111",
        "1111111111" "1111" "2111" "11" "11111111" "111" "2221222111" "111111",
    ),
}


def frameworks_load():
    return [framework_load(text=path.read_text(encoding="utf-8"), name=path.name) for path in bundled_files()]


DEMO_OFFICERS = {"17.02": "operator.rejanglebong", "17.08": "operator.kepahiang", "17.07": "operator.lebong"}
DEMO_REVIEWER = "reviewer.provinsi"


def demo_people():
    """The demo officers by agency code and the reviewer, or None when the demo accounts
    (load_demo_accounts) are missing."""
    from agencies.models import User

    accounts = {user.username: user for user in User.objects.filter(username__in=[*DEMO_OFFICERS.values(), DEMO_REVIEWER])}
    if len(accounts) != len(DEMO_OFFICERS) + 1:
        return None
    return {code: accounts[name] for code, name in DEMO_OFFICERS.items()}, accounts[DEMO_REVIEWER]


@transaction.atomic
def period_2021_load(version):
    """The closed 2021 period. Its items went through the same states as real ones: submitted by
    the regency's officer with evidence for every level up to the claim, accepted by the province
    up to the verified level (services.assessment_reviewed_import), then the period was closed.
    Returns (period, created), or (None, False) without the demo accounts."""
    from zoneinfo import ZoneInfo

    period = AssessmentPeriod.objects.filter(year=2021, framework_version__framework=version.framework).first()
    if period is not None:
        return period, False
    people = demo_people()
    if people is None:
        return None, False
    officers, reviewer = people
    period = period_create(
        name="Penilaian Mandiri SPBE 2021",
        year=2021,
        framework_version=version,
        opens=date(2021, 3, 1),
        closes=date(2021, 5, 31),
        review_deadline=date(2021, 7, 31),
        state=AssessmentPeriod.State.REVIEW,
    )
    wib = ZoneInfo("Asia/Jakarta")
    indicators = list(version.scoring.indicators())
    for agency in Agency.objects.filter(code__in=LEVELS_2021).order_by("code"):
        self_levels, verified_levels = LEVELS_2021[agency.code]
        assessment = assessment_get_or_create(period=period, agency=agency)
        items = {}
        for node, own, verified in zip(indicators, self_levels, verified_levels):
            own, verified = int(own), int(verified)
            titles = [(level, EVIDENCE_TITLES[level].format(name=node.name).replace(" 2026", " 2021")) for level in range(1, own + 1)]
            items[node.code] = {
                "level": own, "verified_level": verified, "target_level": min(own + 1, 4),
                "justification": f"{agency.short_name} memenuhi kriteria tingkat {own} untuk {node.name}.",
                "evidence": [(level, _demo_upload(title, agency, level), title) for level, title in titles],
            }
        assessment_reviewed_import(
            assessment=assessment, officer=officers[agency.code], reviewer=reviewer, items=items,
            submitted_at=datetime(2021, 5, 28, 10, 0, tzinfo=wib), reviewed_at=datetime(2021, 7, 20, 14, 0, tzinfo=wib),
            note="Data demo: penilaian mandiri 2021.",
        )
    period_transition(period=period, to_state=AssessmentPeriod.State.CLOSED, actor=None, note="Data demo: periode 2021 selesai direviu.")
    return period, True


def published_results_load():
    if PublishedResult.objects.exists():
        return 0
    rows = validate_rows(read_table(PUBLISHED_RESULTS_FILE.read_bytes(), PUBLISHED_RESULTS_FILE.name))
    return len(published_results_save(rows=rows))


def demo_assessments_load():
    """Returns lines describing what was loaded."""
    loads = frameworks_load()
    lines = [load.message for load in loads]
    version_59 = next(load.version for load in loads if load.version.framework.code == "PERMENPANRB-59-2020")
    period, created = period_2021_load(version_59)
    if period is None:
        lines.append("The 2021 demo needs the demo accounts (load_demo_accounts) first.")
    else:
        lines.append(f"{period}: {'created' if created else 'already there'}")
    version_pemdi = next(load.version for load in loads if load.version.framework.code == "PERMENPANRB-8-2026")
    period, created = period_2026_load(version_pemdi)
    if period is None:
        lines.append("The 2026 workflow demo needs the demo accounts (load_demo_accounts) first.")
    else:
        lines.append(f"{period}: {'created' if created else 'already there'}")
    lines.append(f"Published results imported: {published_results_load()}")
    return lines


# --- The 2026 self-assessment on PermenPANRB 8/2026, with items in every state ------------------

# Per regency: indicator code → (state, claimed level, target, accepted levels); the rest not started.
WORKFLOW_2026 = {
    "17.02": {
        "I1": ("accepted", 4, 4, [1, 2, 3, 4]), "I2": ("accepted", 3, 4, [1, 2, 3]), "I3": ("accepted", 3, 4, [1, 2, 3]),
        "I4": ("accepted", 3, 4, [1, 2]), "I8": ("accepted", 2, 3, [1, 2]), "I13": ("accepted", 4, 4, [1, 2, 3, 4]),
        "I14": ("accepted", 3, 4, [1, 2, 3]), "I9": ("submitted", 3, 4, []), "I10": ("submitted", 3, 3, []),
        "I12": ("returned", 3, 3, [1]), "I15": ("draft", 2, 3, []), "I17": ("draft", 3, 4, []),
    },
    "17.08": {
        "I1": ("accepted", 2, 3, [1, 2]), "I3": ("accepted", 2, 3, [1, 2]), "I13": ("accepted", 2, 3, [1, 2]),
        "I2": ("submitted", 2, 3, []), "I10": ("returned", 2, 3, []), "I14": ("returned", 3, 3, [1, 2]),
        "I4": ("draft", 1, 2, []),
    },
    "17.07": {
        "I1": ("accepted", 2, 3, [1, 2]), "I13": ("accepted", 2, 2, [1]), "I3": ("returned", 2, 3, [1]),
        "I2": ("submitted", 2, 3, []), "I14": ("draft", 2, 3, []),
    },
}
# Externally scored indicators of 8/2026: the source agency's value per regency, entered by the
# province reviewer. DEMO values, not any agency's real result.
EXTERNAL_2026 = {
    "17.02": {"I5": "2.99", "I6": "2.40", "I7": "3.15", "I18": "2.75"},
    "17.08": {"I5": "1.85", "I6": "1.50", "I7": "2.30"},  # I18 left without a value: "belum ada nilai"
    "17.07": {"I5": "2.10", "I6": "1.75", "I7": "2.05", "I18": "1.60"},
}
EXTERNAL_SOURCES_2026 = {
    "I5": ("DATA DEMO — Evaluasi Satu Data Indonesia 2025 (Bappenas)", date(2026, 3, 16)),
    "I6": ("DATA DEMO — Indeks Simpul Jaringan IG 2025 (BIG, Bhumandala)", date(2026, 2, 27)),
    "I7": ("DATA DEMO — Evaluasi Penyelenggaraan Statistik Sektoral (EPSS) 2025 (BPS)", date(2026, 4, 8)),
    "I18": ("DATA DEMO — Evaluasi Satu Data Indonesia 2025 (Bappenas)", date(2026, 3, 16)),
}
RETURN_NOTES = [
    "Bukti dukung tingkat 2 belum memuat tanda tangan dan tanggal penetapan. Unggah salinan dokumen yang sudah ditetapkan.",
    "Notulen rapat yang diunggah tidak menyebut pembahasan indikator ini. Lengkapi dengan laporan pelaksanaan.",
    "Tautan bukti dukung tidak dapat dibuka dari jaringan provinsi. Unggah berkas PDF-nya.",
]
EVIDENCE_TITLES = {
    1: "Surat Edaran Kepala Daerah tentang {name}",
    2: "Peraturan Bupati tentang {name}",
    3: "Standar Operasional Prosedur {name}",
    4: "Laporan Reviu Berkala {name} Tahun 2026",
    5: "Laporan Tindak Lanjut Hasil Reviu {name}",
}


def _demo_upload(title, agency, level):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .demo_documents import simple_pdf

    lines = [
        f"Instansi: {agency.name}",
        f"Bukti dukung tingkat {level}",
        "",
        "Dokumen ini adalah contoh untuk data demo Portal SPBE.",
        "Isi dokumen asli memuat dasar hukum, ruang lingkup, penanggung jawab,",
        "dan tanggal penetapan oleh pejabat yang berwenang.",
    ]
    name = f"{title[:60]}.pdf".replace("/", "-")
    return SimpleUploadedFile(name, simple_pdf(title, lines, header=agency.name.upper()), content_type="application/pdf")


def period_2026_load(version):
    """Create the open 2026 period and walk its demo items through the workflow with the demo
    accounts, so every event, revision and notification is real. Idempotent."""
    from decimal import Decimal

    from .services import ExternalChange, evidence_add, external_scores_save, item_review, item_save, item_submit

    period = AssessmentPeriod.objects.filter(year=2026, framework_version__framework=version.framework).first()
    if period is not None:
        return period, False
    people = demo_people()
    if people is None:
        return None, False
    officers, reviewer = people
    # The dates follow the day the demo runs, so that it is always in the document stage (DOCUMENT_STAGE_DEMO).
    today = timezone.localdate()
    with transaction.atomic():
        period = period_create(
            name="Penilaian Mandiri Pemdi 2026", year=2026, framework_version=version,
            opens=today - timedelta(days=150), closes=today - timedelta(days=25), review_deadline=today - timedelta(days=11),
            state=AssessmentPeriod.State.OPEN,
        )
        notes = iter(RETURN_NOTES * 3)
        for agency in Agency.objects.filter(code__in=WORKFLOW_2026).order_by("code"):
            officer = officers[agency.code]
            assessment = assessment_get_or_create(period=period, agency=agency)
            items = {item.indicator.code: item for item in assessment.items.select_related("indicator")}
            for code, (state, level, target, accepted) in WORKFLOW_2026[agency.code].items():
                item = items[code]
                short = item.indicator.name
                item = item_save(
                    item=item, actor=officer, expected_version=item.version, level=level, target_level=target,
                    justification=(
                        f"{agency.short_name} telah memenuhi kriteria tingkat {level} untuk {short}: "
                        f"kebijakan ditetapkan, dilaksanakan oleh perangkat daerah terkait, dan didokumentasikan."
                    ),
                    person_in_charge=officer,
                )
                for evidence_level in range(1, level + 1):
                    title = EVIDENCE_TITLES[evidence_level].format(name=short)
                    evidence_add(item=item, actor=officer, expected_version=item.version, level=evidence_level,
                                 upload=_demo_upload(title, agency, evidence_level), description=title)
                    item.refresh_from_db()
                if state == "draft":
                    continue
                item = item_submit(item=item, actor=officer, expected_version=item.version)
                if state == "submitted":
                    continue
                decision = "accept" if state == "accepted" else "return"
                item_review(item=item, actor=reviewer, expected_version=item.version, decision=decision,
                            accepted_levels=accepted, note="" if decision == "accept" else next(notes))
            external_scores_save(actor=reviewer, changes=[
                ExternalChange(items[code], Decimal(value), *EXTERNAL_SOURCES_2026[code])
                for code, value in EXTERNAL_2026[agency.code].items()
            ])
        butir_demo_load(period, officers, reviewer)
        document_stage_demo_load(period, reviewer, today=today)
    return period, True


# An indicator whose framework lists evidence items ("butir"; drafted by the portal, see the framework
# file): Kepahiang attached evidence item by item and claimed level 2; the province accepted one item,
# returned another with a note and left one waiting; the officer then raised the claim to 3, whose items
# are still missing. Its checklist shows every status.
BUTIR_DEMO = ("17.08", "I11")
BUTIR_RETURN_NOTE = "Rencana kerja persandian belum memuat laporan pelaksanaan semester I. Lengkapi dan unggah ulang."


def butir_demo_load(period, officers, reviewer):
    from .models import IndicatorAssessment
    from .services import evidence_add, evidence_items_of, item_review, item_save, item_submit

    code, indicator_code = BUTIR_DEMO
    item = IndicatorAssessment.objects.select_related("indicator", "assessment__agency").filter(
        assessment__period=period, assessment__agency__code=code, indicator__code=indicator_code).first()
    if item is None or not item.indicator.evidence_items:
        return
    officer, agency = officers[code], item.assessment.agency
    justification = f"{agency.short_name} menerapkan persandian sesuai rencana kerja; bukti per butir terlampir."
    item = item_save(item=item, actor=officer, expected_version=item.version, level=2, target_level=3,
                     justification=justification, person_in_charge=officer)
    for level, entries in sorted(evidence_items_of(item.indicator).items()):
        if level > 2:
            continue
        for entry in entries:
            title = f"{entry['code']} {entry['text']}"[:120]
            evidence_add(item=item, actor=officer, expected_version=item.version, item_code=entry["code"],
                         upload=_demo_upload(title, agency, level), description=title)
            item.refresh_from_db()
    item = item_submit(item=item, actor=officer, expected_version=item.version)
    item = item_review(
        item=item, actor=reviewer, expected_version=item.version, decision="return", accepted_levels=[],
        note="Butir I11-L2-02 perlu dilengkapi.",
        item_decisions={"I11-L1-01": ("accepted", ""), "I11-L2-02": ("returned", BUTIR_RETURN_NOTE)},
    )
    item_save(item=item, actor=officer, expected_version=item.version, level=3, target_level=3,
              justification=justification, person_in_charge=officer)


# The national evaluation of 2026 is in its document stage (penilaian dokumen: started 10 days before
# the day the demo runs, ends in 20 days; interview and final result after it), and the assessors'
# document results of the three regencies are imported as the province would: a CSV file through the
# stage import. They mostly confirm the claim, lower a few (with the reason and a recommendation) and
# find no evidence where nothing was claimed. DEMO findings, not any assessor's real result.
DOCUMENT_STAGE_LOWERED = {
    "17.02": {
        "I4": ("SOP belum ditetapkan oleh kepala daerah; yang diunggah masih draf.",
               "Tetapkan SOP dengan Peraturan Bupati dan unggah salinan yang ditandatangani."),
        "I9": ("Laporan reviu tidak memuat tindak lanjut.", "Susun laporan tindak lanjut hasil reviu tahun berjalan."),
        "I17": ("Dokumen tingkat 3 tidak menunjukkan penerapan di seluruh perangkat daerah.", ""),
    },
    "17.08": {
        "I2": ("Bukti dukung tingkat 2 tidak bertanggal.", "Lengkapi bukti dengan tanggal dan tanda tangan penetapan."),
        "I14": ("Evaluasi berkala belum dilaksanakan pada tahun berjalan.", ""),
    },
    "17.07": {
        "I3": ("Kebijakan belum mencakup seluruh layanan.", "Perluas cakupan kebijakan ke seluruh layanan publik digital."),
    },
}
DOCUMENT_STAGE_CONFIRMED_NOTE = "Bukti dukung sesuai dengan tingkat yang diklaim."
DOCUMENT_STAGE_MISSING_NOTE = "Tidak ditemukan bukti dukung pada dokumen yang diunggah."


def document_stage_demo_csv(period):
    """The demo's document-stage results as a CSV file (bytes) in the import's own columns."""
    import csv
    import io

    from .models import IndicatorAssessment

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["kode", "indikator", "tingkat", "nilai", "catatan", "rekomendasi"])
    items = IndicatorAssessment.objects.filter(assessment__period=period, assessment__agency__code__in=WORKFLOW_2026).select_related(
        "assessment__agency", "indicator").order_by("assessment__agency__code", "indicator__position")
    for item in items:
        agency, code = item.assessment.agency.code, item.indicator.code
        if item.indicator.externally_scored:
            if item.external_value is not None:
                writer.writerow([agency, code, "", f"{item.external_value:.2f}".replace(".", ","),
                                 "Nilai dari hasil evaluasi instansi sumber.", ""])
            continue
        lowered = DOCUMENT_STAGE_LOWERED.get(agency, {}).get(code)
        if lowered and item.level:
            writer.writerow([agency, code, max(item.level - 1, 1), "", *lowered])
        elif item.level:
            writer.writerow([agency, code, item.level, "", DOCUMENT_STAGE_CONFIRMED_NOTE, ""])
        else:
            writer.writerow([agency, code, 1, "", DOCUMENT_STAGE_MISSING_NOTE, ""])
    return out.getvalue().encode("utf-8")


def document_stage_demo_load(period, reviewer, *, today):
    """Give ``period`` national stage dates around ``today`` (it is in the document stage) and import
    the demo document results through the stage import."""
    from .services import stage_results_save
    from .services.stages import period_stages_set
    from .stage_result_files import read_table as read_stage_table
    from .stage_result_files import validate_rows as validate_stage_rows

    days = timedelta
    period_stages_set(period=period, actor=reviewer, stages={
        "document": (today - days(10), today + days(20)),
        "interview": (today + days(21), today + days(40)),
        "final": (today + days(41), today + days(60)),
    })
    changes = validate_stage_rows(read_stage_table(document_stage_demo_csv(period), "hasil-penilaian-dokumen.csv"), period=period)
    return stage_results_save(period=period, stage="document", changes=changes, actor=reviewer)

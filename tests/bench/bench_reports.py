"""Benchmark of the maturity reports (not run by CI): render time of one regency report and one
province summary, and the whole monthly batch at national scale with 1 and 2 workers, with peak
worker memory. Writes its numbers into docs/benchmarks.md.

    createdb spbe_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/spbe_bench REDIS_URL=redis://127.0.0.1:6379/14
    export DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=localhost
    python manage.py migrate && python manage.py seed_national
    python tests/bench/bench_reports.py
"""

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from tests.bench.results import write_section  # noqa: E402

from agencies.models import Agency  # noqa: E402
from reports import rendering, services  # noqa: E402
from reports.models import ReportRun  # noqa: E402
from reports.report_data import build  # noqa: E402



def timed_render(kind, period, agency, repeat=5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = build(kind=kind, period=period, agency=agency)
        rendering.render_pdf(report)
        rendering.render_xlsx(report)
        rendering.render_csv_zip(report)
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def rss_kb(pids):
    total = peak_single = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    value = int(line.split()[1])
                    total += value
                    peak_single = max(peak_single, value)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total, peak_single


def worker_pids(parent):
    children = Path(f"/proc/{parent}/task/{parent}/children")
    pids = [parent]
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    return pids


def batch(concurrency):
    ReportRun.objects.all().delete()
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "spbe_portal", "worker", "--concurrency", str(concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy(),
    )
    try:
        time.sleep(4)  # the worker is up before the batch is queued
        started = time.perf_counter()
        created = services.monthly_batch()
        peak_total = peak_single = 0
        while True:
            left = ReportRun.objects.filter(state__in=ReportRun.ACTIVE_STATES).count()
            total, single = rss_kb(worker_pids(worker.pid))
            peak_total, peak_single = max(peak_total, total), max(peak_single, single)
            if left == 0:
                break
            if time.perf_counter() - started > 1800:
                raise RuntimeError("batch did not finish in 30 minutes")
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    failed = ReportRun.objects.filter(state=ReportRun.State.FAILED).count()
    durations = sorted(ReportRun.objects.filter(state=ReportRun.State.DONE).values_list("duration_ms", flat=True))
    return {"reports": created, "failed": failed, "seconds": elapsed, "peak_total_mb": peak_total / 1024,
            "peak_process_mb": peak_single / 1024, "median_render_ms": durations[len(durations) // 2] if durations else None}


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, Python {platform.python_version()}, PostgreSQL + Redis on the same machine"


def main():
    assert "postgresql" in settings.DATABASES["default"]["ENGINE"], "benchmark against PostgreSQL (DATABASE_URL)"
    assert settings.REDIS_URL, "benchmark with a real broker (REDIS_URL)"
    period = services.current_period()
    regency = Agency.objects.filter(code__endswith=".01", assessments__period=period).order_by("code").first()
    province = Agency.objects.filter(kind=Agency.Kind.PROVINCE, code=regency.code.split(".")[0]).get()
    regency_median, regency_max = timed_render("regency", period, regency)
    province_median, province_max = timed_render("province", period, province)
    agencies = Agency.objects.filter(assessments__period=period).count()
    print(f"regency report {regency_median:.2f} s, province summary {province_median:.2f} s; {agencies} agencies")
    one = batch(1)
    print("1 worker:", one)
    two = batch(2)
    print("2 workers:", two)
    ok = lambda passed: "✓" if passed else "✗"  # noqa: E731
    section = f"""
## Maturity reports (issue 6)

Measured {time.strftime('%Y-%m-%d')} by `tests/bench/bench_reports.py` on {machine()}.
Data: `manage.py seed_national` — {agencies} agencies with an assessment in the open period, 47 indicators
each, five periods, with events and revisions. Each report is the PDF (WeasyPrint), the Excel workbook
and the zipped CSV tables; times include gathering the data from PostgreSQL.

| Measure | Result | Target |
|---|---|---|
| One regency report (median of 5; max) | {regency_median:.2f} s ({regency_max:.2f} s) | < 2 s {ok(regency_median < 2)} |
| One province summary, {Agency.objects.filter(parent=province).count()} regencies (median of 5; max) | {province_median:.2f} s ({province_max:.2f} s) | — |
| Monthly batch, 1 worker process: {one['reports']} reports | {one['seconds'] / 60:.1f} min, {one['failed']} failed | — |
| Monthly batch, 2 worker processes: {two['reports']} reports | {two['seconds'] / 60:.1f} min, {two['failed']} failed | < 10 min {ok(two['seconds'] < 600)} |
| Peak memory of one worker process (1 / 2 workers) | {one['peak_process_mb']:.0f} MB / {two['peak_process_mb']:.0f} MB | < 500 MB {ok(max(one['peak_process_mb'], two['peak_process_mb']) < 500)} |
| Peak memory of the whole worker (parent + children; 1 / 2 workers) | {one['peak_total_mb']:.0f} MB / {two['peak_total_mb']:.0f} MB | — |
| Median render time inside the batch (1 / 2 workers) | {one['median_render_ms']} ms / {two['median_render_ms']} ms | — |

Workers restart a child that grows past `CELERY_WORKER_MAX_MEMORY_KB` (450 000 KB by default).
"""
    written = write_section("reports", section)
    print(f"wrote {written}")


if __name__ == "__main__":
    main()

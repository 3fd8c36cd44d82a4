"""Benchmark of signed documents (not run by CI): what signing adds to a report run, and what the
public verification page costs per uploaded file. Renders one regency report of the demo data,
signs it N times with the configured signer (PAdES, pyHanko) and checks the signature N times.
Writes its numbers into docs/benchmarks.md.

    make setup    # demo data and the DEMO signing certificate, SQLite under var/
    DEBUG=1 .venv/bin/python tests/bench/bench_signing.py
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_portal.settings")

import django  # noqa: E402

django.setup()

from agencies.models import Agency  # noqa: E402
from agencies.selectors import issuing_office  # noqa: E402
from assessments.models import AssessmentPeriod  # noqa: E402
from documents.services import document_reserve, trust_roots, verification_mark  # noqa: E402
from documents.signing import configured_signer, signature_check  # noqa: E402
from reports import rendering  # noqa: E402
from reports.models import ReportRun  # noqa: E402
from reports.report_data import build  # noqa: E402
from tests.bench.results import write_section  # noqa: E402

REPEAT = 10


def timings(function, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times) * 1000, max(times) * 1000


def main():
    agency = Agency.objects.get(code="17.02")  # Rejang Lebong in the demo data
    period = AssessmentPeriod.objects.filter(assessments__agency=agency).order_by("-year").first()
    heading = issuing_office(agency=agency, root=True)
    report = build(kind=ReportRun.Kind.REGENCY, period=period, agency=agency)
    report.heading = heading
    report.document_number = "BENCH/1"
    document = document_reserve(kind="report", title="benchmark", heading=heading, document_number="BENCH/1")
    report.verification = verification_mark(document)
    pdf, render_median, render_max = timings(lambda: rendering.render_pdf(report), repeat=3)
    signer = configured_signer()
    signed, sign_median, sign_max = timings(lambda: signer.sign(pdf, document=document))
    roots = trust_roots()
    check, check_median, check_max = timings(lambda: signature_check(signed, trust_roots=roots))
    assert check.valid, check.reason
    document.delete()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    body = f"""
## Signed documents (issue 14)

Measured {time.strftime('%Y-%m-%d')} by `tests/bench/bench_signing.py` on {os.cpu_count()} cores ({cpu}),
Python {platform.python_version()}: the {period.name} regency report of Rejang Lebong (demo data,
{len(pdf) // 1024} KB, {len(signed) - len(pdf)} bytes added by the signature), the DEMO certificate
(RSA 2048 bits), pyHanko's PAdES baseline signature without a timestamp.

| Measure | Median | Max |
|---|---|---|
| Rendering the PDF (WeasyPrint, 3 runs) | {render_median:.0f} ms | {render_max:.0f} ms |
| Signing it (pyHanko, {REPEAT} runs) | {sign_median:.0f} ms | {sign_max:.0f} ms |
| Checking the signature, as the verification page does ({REPEAT} runs) | {check_median:.0f} ms | {check_max:.0f} ms |

Signing adds about {sign_median / render_median * 100:.0f} % to the PDF's rendering in a report run; the
verification page hashes the upload first and runs the signature check only for the issued file.
"""
    print(body)
    write_section("signing", body)


if __name__ == "__main__":
    main()

"""Latency of the dashboards and the API at national scale, served as in production (gunicorn +
whitenoise, DEBUG off, PostgreSQL), against a minimal logged-in page of the same portal as the
floor, all in one run. Not run by CI; writes its numbers into docs/benchmarks.md.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/spbe_bench DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1
    python manage.py migrate && python manage.py seed_national      # once
    python tests/bench/bench_pages.py
"""

import http.cookiejar
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_portal.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from tests.bench.results import write_section  # noqa: E402

from agencies.models import Agency, Membership, User  # noqa: E402
from agencies.services import api_token_create  # noqa: E402
from assessments.models import AssessmentSummary  # noqa: E402
from dashboards.selectors import NOT_STARTED, current_period  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8790"))
BASE = f"http://127.0.0.1:{PORT}"
REQUESTS, WARMUP = 60, 8
PASSWORD = "Bench-Password-2026"


def bench_user():
    user, _ = User.objects.get_or_create(username="bench.admin", defaults={"full_name": "Bench Admin"})
    user.set_password(PASSWORD)
    user.save()
    province = Agency.objects.filter(kind=Agency.Kind.PROVINCE).order_by("code").first()
    Membership.objects.get_or_create(user=user, agency=province, role=Membership.Role.ADMINISTRATOR)
    return user


def opener_logged_in():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{BASE}/akun/masuk/").read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    data = urllib.parse.urlencode({"username": "bench.admin", "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{BASE}/akun/masuk/", data=data, headers={"Referer": f"{BASE}/akun/masuk/"})
    response = opener.open(request)
    assert response.geturl().rstrip("/") == BASE, f"login failed: {response.geturl()}"
    return opener


def fetch(opener, path, headers=None):
    """One request: (milliseconds, body size)."""
    request = urllib.request.Request(BASE + path, headers=headers or {})
    started = time.perf_counter()
    with opener.open(request) as response:
        body = response.read()
        assert response.status == 200, (path, response.status)
    return (time.perf_counter() - started) * 1000, len(body)


def measure_interleaved(opener, pages):
    """Every page once per round, in turn, so that the load of a shared machine weighs on every
    page alike and the ratios to the floor stay meaningful."""
    times = {path: [] for _label, path, _headers in pages}
    sizes = {}
    for number in range(WARMUP + REQUESTS):
        for _label, path, headers in pages:
            elapsed, sizes[path] = fetch(opener, path, headers)
            if number >= WARMUP:
                times[path].append(elapsed)
    results = []
    for label, path, _headers in pages:
        found = sorted(times[path])
        results.append((label, {"median": statistics.median(found), "p95": found[int(len(found) * 0.95) - 1], "bytes": sizes[path]}))
    return results


def main():
    assert "postgresql" in settings.DATABASES["default"]["ENGINE"], "benchmark against PostgreSQL"
    bench_user()
    _token, key = api_token_create(user=User.objects.get(username="bench.admin"), name="bench")
    period = current_period()
    agencies = AssessmentSummary.objects.filter(period=period).count()
    not_started = AssessmentSummary.objects.filter(period=period).filter(NOT_STARTED).count()
    regency = Agency.objects.filter(kind=Agency.Kind.REGENCY, assessments__period=period).order_by("code").first()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "spbe_portal.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", workers,
         "--log-level", "warning"], cwd=ROOT, env=os.environ.copy(),
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{BASE}/healthz/")
                break
            except OSError:
                time.sleep(0.5)
        opener = opener_logged_in()
        pages = [
            ("Floor: minimal logged-in page (/notifikasi/)", "/notifikasi/", None),
            (f"Province dashboard ({agencies} agencies)", f"/dasbor/{period.pk}/", None),
            (f"Province dashboard sorted by progress ({agencies} agencies)", f"/dasbor/{period.pk}/?sort=progress", None),
            ("Regency dashboard", f"/dasbor/{period.pk}/{regency.code}/", None),
            ("Assessment page (47 indicators)", f"/penilaian/{period.pk}/{regency.code}/", None),
            (f"API index list ({agencies} agencies)", f"/api/v1/periods/{period.pk}/indices/", {"Authorization": f"Token {key}"}),
        ]
        results = measure_interleaved(opener, pages)
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor = results[0][1]["median"]
    for label, numbers in results:
        print(f"{label}: median {numbers['median']:.1f} ms, p95 {numbers['p95']:.1f} ms, ×{numbers['median'] / floor:.1f}")
    ok = lambda passed: "✓" if passed else "✗"  # noqa: E731
    targets = {1: 5, 2: 5, 5: 3}
    rows = "\n".join(
        f"| {label} | {numbers['median']:.1f} ms | {numbers['p95']:.1f} ms | ×{numbers['median'] / floor:.1f} | "
        + (f"≤ ×{targets[index]} {ok(numbers['median'] / floor <= targets[index])}" if index in targets else "—") + " |"
        for index, (label, numbers) in enumerate(results)
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    section = f"""
## Dashboards and API at national scale (issues 7 and 13)

Measured {time.strftime('%Y-%m-%d')} by `tests/bench/bench_pages.py`: gunicorn ({workers} workers) + whitenoise with
DEBUG off, PostgreSQL on the same 2-core machine, data from `manage.py seed_national` ({agencies} agencies with an
assessment in the open period, 47 indicators, five periods with events and revisions). One client, {REQUESTS}
sequential requests per page after {WARMUP} warm-up requests, all pages in the same run and interleaved (each
round requests every page once, so a busy shared machine weighs on every page alike); the floor is a minimal
logged-in page of the same portal (session, navigation, one small list). The province dashboard shows 25 rows a
page, ranked, sorted and paged in the database; the API index list returns all {agencies} agencies at once.

| Page | Median | 95th percentile | Median ÷ floor | Target |
|---|---|---|---|---|
{rows}

Since issue 13 the province dashboard lists every enrolled agency ({agencies} here, all enrolled in the open period;
{not_started} of them not started), with progress bars, the "not started" callout, the current stage with its days left
and the period picker.

Query counts (asserted in `tests/dashboards/test_query_counts.py`, exactly the same at 10 and at 550 agencies):
province dashboard 14, regency dashboard 13, assessment page 11, item page 11, trends 12, what-if 10, period page 9,
home 9 — every page under 15. Load average of the machine when measured: {load}.
"""
    written = write_section("pages", section)
    print(f"wrote {written}")


if __name__ == "__main__":
    main()

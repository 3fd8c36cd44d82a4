"""A server installs only requirements.txt (`make run`, `make prod`): everything the web, worker and
beat processes import must come from it, not from a test dependency that happens to be installed
alongside (pytest brings `packaging`, which kombu's Redis transport imports). CI also builds a
runtime-only venv and runs a worker from it (.ci/runtime_check.py); this test catches the same gap
without a network."""

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

# What the processes of the Procfile load: Django with every app, gunicorn, the Celery worker with its
# Redis broker and result backend, beat with the database scheduler, PDF rendering. Run in a fresh
# interpreter where modules of installed distributions that requirements.txt does not bring in cannot
# be imported, as on a server: an optional import (try/except ImportError) then falls back as it
# would there, a needed one fails.
RUNTIME_IMPORTS = """
import importlib.abc, json, os, sys
blocked = set(json.loads(sys.argv[1]))

class NotInstalledOnAServer(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if path is None and name in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (installed here, but not by requirements.txt)", name=name)
        return None

sys.meta_path.insert(0, NotInstalledOnAServer())
os.environ.update(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("SPBE_PRODUCTION", None)
import django
django.setup()
import spbe_portal.celery, spbe_portal.wsgi
import kombu.transport.redis, celery.backends.redis, celery.apps.worker, celery.apps.beat
import celery.concurrency.prefork, django_celery_beat.schedulers
import reports.tasks, reports.rendering, gunicorn.app.wsgiapp, honcho.command
import assessments.interview_kit, docx, docx.table  # the interview kit's Word document (python-docx, lxml)
import authlib.integrations.django_client, authlib.oidc.core, joserfc.jwt, requests  # single sign-on (agencies.sso)
import documents.signing, documents.services, segno  # signed documents: pyHanko and its chain, QR codes
import pyhanko.sign.signers, pyhanko.sign.validation, pyhanko.pdf_utils.incremental_writer, pyhanko_certvalidator
import cryptography.hazmat.primitives.serialization.pkcs12, asn1crypto.x509
"""


def requirement_lines(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            yield Requirement(line)


def installed_closure(requirements):
    """Distributions that installing ``requirements`` brings in, extras included, read from the
    metadata of the installed packages."""
    seen, todo = {}, list(requirements)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in seen and extras <= seen[name]:
            continue
        seen[name] = seen.get(name, set()) | extras
        for line in metadata.distribution(name).requires or []:
            needed = Requirement(line)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in {""} | seen[name]):
                todo.append(needed)
    return set(seen)


def test_the_web_worker_and_beat_start_with_only_what_requirements_txt_installs():
    closure = installed_closure(requirement_lines(ROOT / "requirements.txt"))
    blocked = sorted(
        module for module, dists in metadata.packages_distributions().items()
        if not any(canonicalize_name(dist) in closure for dist in dists)
    )
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_IMPORTS, json.dumps(blocked)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_redis_transport_and_what_it_imports_are_pinned():
    pins = {canonicalize_name(r.name): r for r in requirement_lines(ROOT / "requirements.txt")}
    assert "redis" in pins["celery"].extras
    for name in ("celery", "kombu", "redis", "packaging"):
        assert re.fullmatch(r"==[\w.]+", str(pins[name].specifier)), f"{name} is not pinned: {pins[name]}"

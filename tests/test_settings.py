"""Start-up from the environment: a missing or malformed variable stops it with a message that
names the variable; production settings pass ``check --deploy`` with nothing to report."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "a8Kq2-Zp9x!Lm4Tr7Wv1Yb6Nc3Hd0Fg5Js8Ue2Io9Pa4Sk7Dl1Qw"

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "spbe.bengkuluprov.go.id",
    "DATABASE_URL": "postgres://spbe@127.0.0.1:5432/spbe_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_nothing_to_report():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({**PRODUCTION, "DATABASE_URL": "mysql//nonsense"}, "DATABASE_URL is malformed"),
        ({**PRODUCTION, "DATABASE_URL": "postgres://spbe@127.0.0.1:5432"}, "DATABASE_URL is malformed"),
        ({**PRODUCTION, "REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL is malformed"),
        ({**PRODUCTION, "DEBUG": "maybe"}, "DEBUG must be one of"),
        ({**PRODUCTION, "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_development_needs_no_environment_at_all():
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_production_defaults_are_secure():
    from django.conf import settings

    # The test run disables HTTPS redirects and secure cookies (plain-HTTP test server); the
    # defaults themselves are checked by check --deploy above. These do not depend on HTTPS:
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.LANGUAGE_CODE == "id" and settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.AXES_FAILURE_LIMIT == 5


def test_a_local_env_file_never_overrides_the_real_environment(tmp_path, monkeypatch):
    from spbe_portal.env import load_dotenv

    (tmp_path / ".env").write_text("# development\nDEBUG=1\nSPBE_TEST_ONLY_A='from file'\nSPBE_TEST_ONLY_B=from file\n")
    monkeypatch.setenv("SPBE_TEST_ONLY_B", "from environment")
    monkeypatch.delenv("SPBE_TEST_ONLY_A", raising=False)
    load_dotenv(tmp_path / ".env")
    assert os.environ["SPBE_TEST_ONLY_A"] == "from file"
    assert os.environ["SPBE_TEST_ONLY_B"] == "from environment"
    monkeypatch.delenv("SPBE_TEST_ONLY_A")
    load_dotenv(tmp_path / "missing")  # no file: nothing happens

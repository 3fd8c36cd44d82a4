"""Start-up from the environment: a missing or malformed variable stops it with a message that
names the variable; production settings pass ``check --deploy`` with nothing to report."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "a8Kq2-Zp9x!Lm4Tr7Wv1Yb6Nc3Hd0Fg5Js8Ue2Io9Pa4Sk7Dl1Qw"

PRODUCTION = {
    "SPBE_PRODUCTION": "1",
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "spbe.bengkuluprov.go.id",
    "DATABASE_URL": "postgres://spbe@127.0.0.1:5432/spbe_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def environment(**env):
    clean = {key: value for key, value in os.environ.items() if key not in {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE", "SPBE_PRODUCTION", "DEMO", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
    }}
    clean.update(env)
    return clean


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(**env), capture_output=True, text=True, timeout=120
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
        ({**PRODUCTION, "OIDC_ISSUER": "https://sso.example.go.id/realms/asn"}, "OIDC_CLIENT_ID must be set"),
        ({**PRODUCTION, "OIDC_ISSUER": "https://sso.example.go.id", "OIDC_CLIENT_ID": "spbe"}, "OIDC_CLIENT_SECRET must be set"),
        ({**PRODUCTION, "OIDC_ISSUER": "http://sso.example.go.id", "OIDC_CLIENT_ID": "spbe", "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER must be an https:// URL"),
        ({**PRODUCTION, "OIDC_ISSUER": "sso.example.go.id"}, "OIDC_ISSUER is malformed"),
        ({**PRODUCTION, "OIDC_CLOCK_SKEW": "-5"}, "OIDC_CLOCK_SKEW must be at least 0"),
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


def test_a_production_run_refuses_to_start_with_debug_on():
    result = manage("check", **{**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG is on in a production run" in result.stderr


def test_a_production_run_never_reads_the_development_env_file(tmp_path, monkeypatch):
    from spbe_portal.env import load_dotenv

    (tmp_path / ".env").write_text("DEBUG=1\nSPBE_TEST_ONLY_A=from file\n")
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("SPBE_TEST_ONLY_A", raising=False)
    monkeypatch.setenv("SPBE_PRODUCTION", "1")
    load_dotenv(tmp_path / ".env")
    assert "DEBUG" not in os.environ and "SPBE_TEST_ONLY_A" not in os.environ


def run_briefly(command, env, seconds=60):
    """Run ``command`` in its own process group; (returncode, output), or (None, output) when it is
    still running after ``seconds`` (then it is stopped)."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=seconds)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        return None, output


@pytest.mark.parametrize("process", ["web", "worker"])
def test_a_procfile_process_refuses_debug_even_when_honcho_reads_a_dotenv_with_debug_on(tmp_path, process):
    # honcho passes a .env's values to the processes over the real environment; `make prod` gives it
    # none (--env /dev/null), and each Procfile line marks a production run, which refuses DEBUG.
    (tmp_path / ".env").write_text("DEBUG=1\n")
    env = environment(**{**PRODUCTION, "BIND": "127.0.0.1:0", "VAR_DIR": str(tmp_path)})
    del env["SPBE_PRODUCTION"]
    returncode, output = run_briefly([str(ROOT / ".venv/bin/honcho"), "start", "--env", str(tmp_path / ".env"), process], env)
    assert returncode not in (None, 0), output[-2000:]
    assert "DEBUG is on in a production run" in output


def test_make_prod_refuses_to_start_with_debug_on(tmp_path):
    env = environment(**{**PRODUCTION, "DEBUG": "1", "VAR_DIR": str(tmp_path)})
    del env["SPBE_PRODUCTION"]  # make prod sets it
    returncode, output = run_briefly(["make", "--no-print-directory", "prod"], env, seconds=120)
    assert returncode not in (None, 0), output[-2000:]
    assert "DEBUG is on in a production run" in output


def planned_setup(**env):
    result = subprocess.run(["make", "--no-print-directory", "-n", "setup"], cwd=ROOT, env=environment(**env),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_loads_demo_accounts_into_the_development_sqlite_database():
    assert "load_demo_accounts" in planned_setup()


def test_make_run_against_a_real_database_loads_no_demo_accounts_unless_asked():
    plan = planned_setup(DATABASE_URL="postgres://spbe@127.0.0.1:5432/spbe_portal")
    assert "load_demo_accounts" not in plan and "load_agencies" in plan and "load_framework" in plan
    assert "load_demo_accounts" in planned_setup(DATABASE_URL="postgres://spbe@127.0.0.1:5432/spbe_portal", DEMO="1")


def test_single_sign_on_from_the_environment_passes_check_deploy():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, OIDC_ISSUER="https://sso.example.go.id/realms/asn/",
        OIDC_CLIENT_ID="spbe-portal", OIDC_CLIENT_SECRET="secret", PASSWORD_LOGIN_ENABLED="0",
    )
    assert result.returncode == 0, result.stderr


def test_a_configured_provider_is_the_only_other_origin_a_form_may_lead_to():
    """The sign-out form ends at the provider's sign-out page (RP-Initiated Logout): its origin joins
    form-action; without a provider, or with OIDC_PROVIDER_LOGOUT off, only the portal itself."""
    show = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    sso = {**PRODUCTION, "OIDC_ISSUER": "https://sso.example.go.id/realms/asn", "OIDC_CLIENT_ID": "spbe", "OIDC_CLIENT_SECRET": "s"}
    assert manage("shell", "-v0", "-c", show, **sso).stdout.strip() == "[\"'self'\", 'https://sso.example.go.id']"
    assert manage("shell", "-v0", "-c", show, **sso, OIDC_PROVIDER_LOGOUT="0").stdout.strip() == "[\"'self'\"]"
    assert manage("shell", "-v0", "-c", show, **PRODUCTION).stdout.strip() == "[\"'self'\"]"

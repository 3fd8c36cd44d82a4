# SPBE Portal. `make run` sets up and serves the portal with demo data; `make test` runs every test.
# Everything runs from .venv, created on first use. See README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Development: DEBUG on, a SQLite file under var/ and tasks inline unless DATABASE_URL / REDIS_URL are set.
DEV_ENV := DEBUG=$${DEBUG:-1}
# Tests run with DEBUG off, as in production, minus HTTPS (the test server speaks plain HTTP).
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	VAR_DIR=$(CURDIR)/var/test

.PHONY: run setup demo-data test worker beat prod messages clean audit

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# Demo accounts share a published password: `make run` loads them (and the demo data) into the
# development SQLite database, but into a DATABASE_URL database only when asked: make run DEMO=1.
DEMO ?= $(if $(DATABASE_URL),0,1)

setup: $(VENV)/.installed .env
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py ensure_schedules
# Reports and final minutes are signed: without a configured certificate a development checkout
# gets a self-signed DEMO one under VAR_DIR (said loudly; refused with DEBUG off).
	$(DEV_ENV) $(PY) manage.py signing_demo_certificate
ifeq ($(DEMO),1)
	$(MAKE) --no-print-directory demo-data
else
	$(DEV_ENV) $(PY) manage.py load_agencies
	$(DEV_ENV) $(PY) manage.py load_framework
	@echo "No demo accounts or demo data loaded into DATABASE_URL (make run DEMO=1 loads them)."
endif

# A development checkout runs with DEBUG on, also for a plain `.venv/bin/python manage.py …`.
.env:
	printf '# Development settings for this checkout (see docs/deployment.md); the environment overrides them.\nDEBUG=1\n' > .env

demo-data:
	$(DEV_ENV) $(PY) manage.py load_agencies
	$(DEV_ENV) $(PY) manage.py load_demo_accounts
	$(DEV_ENV) $(PY) manage.py load_demo_assessments
	$(DEV_ENV) $(PY) manage.py load_demo_meetings

run: setup
	@echo "Serving the SPBE Portal at http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The single sign-on tests run a real OpenID Connect provider (node-oidc-provider, pinned in
# .ci/oidc/package-lock.json) with node. Without npm they skip, except under SPBE_REQUIRE_SERVICES=1.
OIDC_PROVIDER := .ci/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): .ci/oidc/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix .ci/oidc --no-audit --no-fund --loglevel=error || { echo "npm ci for the test OpenID Connect provider failed."; test -z "$$SPBE_REQUIRE_SERVICES"; }; \
	else echo "npm not found: the single sign-on tests skip (they fail with SPBE_REQUIRE_SERVICES=1)."; test -z "$$SPBE_REQUIRE_SERVICES"; fi

test: $(VENV)/.installed-dev $(OIDC_PROVIDER)
	mkdir -p var/test
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

worker: $(VENV)/.installed
	$(DEV_ENV) $(VENV)/bin/celery -A spbe_portal worker --loglevel=INFO

beat: $(VENV)/.installed
	mkdir -p var
	$(DEV_ENV) $(VENV)/bin/celery -A spbe_portal beat --loglevel=INFO

# Production-like run of web (gunicorn + whitenoise), worker and beat from the Procfile.
# Needs DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS in the environment (docs/deployment.md).
# A production run (SPBE_PRODUCTION=1) never reads the development .env (neither Django nor honcho)
# and refuses to start with DEBUG on.
prod: export SPBE_PRODUCTION := 1
prod: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_agencies
	$(PY) manage.py load_framework
	$(PY) manage.py rebuild_summaries
	$(PY) manage.py ensure_schedules
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/honcho start --env /dev/null

# Known vulnerabilities of the pinned runtime requirements, from the OSV advisory database (needs
# api.osv.dev; see docs/operations.md, "Dependency audit"). Exits non-zero when one is found.
audit: $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-audit.txt
	$(VENV)/bin/pip-audit --requirement requirements.txt --no-deps --disable-pip --vulnerability-service osv --progress-spinner off

# After changing user-facing strings: update the catalogues, translate, then compile.
messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemessages -l id -l en --no-obsolete --ignore=.venv --ignore=var
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test .pytest_cache

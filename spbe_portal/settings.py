"""SPBE Portal settings: one module, every deployment-specific value from the environment.

See docs/deployment.md for the full list of variables. Development defaults (``DEBUG=1``): a SQLite
file under var/, tasks run inline (no Redis), e-mail printed to the console.
"""

import os
from datetime import timedelta

from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import database_from_url, env_bool, env_int, env_list, env_str, env_url, load_dotenv, production_run

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
# With DEBUG on, show Django's technical 404 page instead of the portal's (spbe_portal/middleware.py).
DEBUG_TECHNICAL_404 = DEBUG and env_bool("DEBUG_TECHNICAL_404", default=False)

PRODUCTION = production_run()
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG is on in a production run (SPBE_PRODUCTION=1): set DEBUG=0 (or leave it unset) in the "
        "environment of the service. A development .env is never read in production."
    )

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment when DEBUG is off (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "spbe_portal.apps.SpbeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "agencies",
    "assessments",
    "documents",
    "meetings",
    "reports",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "spbe_portal.middleware.MalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "spbe_portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After any sign-in (password or single sign-on), a person whose second factor is pending
    # reaches only the code page or the set-up page (agencies/second_factor_views.py).
    "agencies.second_factor_views.SecondFactorMiddleware",
    # Before any view reads the body (CSRF's check reads the form): refuses oversized uploads early.
    "spbe_portal.middleware.UploadSizeLimitMiddleware",

    # With DEBUG on, missing pages look like the portal's 404 page, not Django's technical one.
    "spbe_portal.middleware.DevelopmentNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "spbe_portal.middleware.PrivacyHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): everything from the portal itself, nothing inline, nothing
# framed. Scripts are files under static/ (no inline script, no eval: htmx runs with allowEval off);
# styles are style sheets (no style attributes); images may be data: URIs (the admin's letterhead
# preview, Chart.js exports). A response that sets its own policy (evidence shown inline) keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the portal never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"

ROOT_URLCONF = "spbe_portal.urls"
WSGI_APPLICATION = "spbe_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.navigation",
            ],
            # |portal_date, |portal_day and |portal_datetime in every template (spbe_portal/dates.py).
            "builtins": ["spbe_portal.dates"],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": database_from_url(
        "DATABASE_URL", VAR_DIR / "db.sqlite3", conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.backends.PasswordBackend",
    "agencies.backends.SingleSignOnBackend",
    "agencies.backends.AdministratorPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "agencies.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link is valid for three hours

# django-axes (see agencies/lockouts.py and docs/operations.md "Locked accounts"):
# - the pair (user name, address) is locked after AXES_FAILURE_LIMIT wrong passwords within
#   AXES_COOLOFF_TIME, so an attacker elsewhere cannot lock the real person out;
# - an address is refused after PORTAL_ADDRESS_FAILURE_LIMIT wrong passwords over any user names in
#   the same window. Offices share NAT addresses, so this limit is well above one person's typos.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
PORTAL_ADDRESS_FAILURE_LIMIT = env_int("PORTAL_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_HANDLER = "agencies.lockouts.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agencies.accounts.lockout_response"
AXES_VERBOSE = False
# Every failed login (and whether it locked) is kept in the admin's failure log.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client address: REMOTE_ADDR, or behind PORTAL_PROXY_COUNT trusted reverse proxies the address
# the outermost one appended to X-Forwarded-For (agencies.lockouts.client_address). AXES_PROXY_COUNT
# is the older name of the same variable.
PORTAL_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0, minimum=0), minimum=0)
AXES_CLIENT_IP_CALLABLE = "agencies.lockouts.client_address"
# The password-reset page sends at most this many e-mails an hour per client address and per e-mail
# address (agencies.forms.QueuedPasswordResetForm); past that it answers the same and sends nothing.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 3, minimum=1)

# Two-step sign-in (agencies/second_factor.py, docs/deployment.md): an authenticator-app code (TOTP,
# RFC 6238, 30 s, 6 digits) after the password, with one-time recovery codes. Required for people
# holding one of these roles (superusers count as administrators); optional for everyone else.
# Set SECOND_FACTOR_REQUIRED_ROLES to a comma-separated list of roles, or to "none" for nobody.
SECOND_FACTOR_ROLES = ("administrator", "reviewer", "officer", "leadership")
_required = os.environ.get("SECOND_FACTOR_REQUIRED_ROLES")
SECOND_FACTOR_REQUIRED_ROLES = (
    ["administrator", "reviewer"] if _required is None
    else [role.strip() for role in _required.split(",") if role.strip() and role.strip().lower() != "none"]
)
if set(SECOND_FACTOR_REQUIRED_ROLES) - set(SECOND_FACTOR_ROLES):
    raise ImproperlyConfigured(
        f"SECOND_FACTOR_REQUIRED_ROLES names unknown roles {sorted(set(SECOND_FACTOR_REQUIRED_ROLES) - set(SECOND_FACTOR_ROLES))}: "
        f"use {', '.join(SECOND_FACTOR_ROLES)} (comma-separated) or none."
    )
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("SECOND_FACTOR_ISSUER", "Portal SPBE Bengkulu")
# The admin never shows a person's TOTP key or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Sessions, cookies and HTTPS --------------------------------------------------------------
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a reverse proxy that sets this header itself (see docs/deployment.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Language, time, numbers --------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
# locale/third_party: Indonesian for strings of third-party apps that ship none (django-celery-beat)
# and fixes to Django's own; apart from locale/id so that makemessages leaves it alone.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # years and codes must not read 2.023

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence is private: MEDIA_ROOT has no URL and is served only by permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Forms --------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SPBE Portal <spbe@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[SPBE Portal] "
# The portal's address as users reach it, for links in e-mails (e.g. https://spbe.bengkuluprov.go.id).
# --- Single sign-on (OpenID Connect; agencies/sso.py, docs/deployment.md "Single sign-on") --------
# Off unless OIDC_ISSUER is set. A person signing in through the provider is matched to an existing
# account (by NIP, else by verified e-mail); signing in never creates an account or grants a role.
OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=("https", "http"))
if OIDC_ISSUER:
    OIDC_ISSUER = OIDC_ISSUER.rstrip("/")
    if urlparse(OIDC_ISSUER).scheme == "http" and urlparse(OIDC_ISSUER).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ImproperlyConfigured("OIDC_ISSUER must be an https:// URL (plain http only on loopback, for tests).")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", required=bool(OIDC_ISSUER))
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", required=bool(OIDC_ISSUER))
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "SSO ASN")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_NIP_CLAIM = env_str("OIDC_NIP_CLAIM", "nip")
# Seconds of clock difference tolerated between the provider and this server on the ID token's exp/iat.
OIDC_CLOCK_SKEW = env_int("OIDC_CLOCK_SKEW", 60, minimum=0)
# Seconds to wait for the provider (discovery, keys, token endpoint).
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# Signing out of the portal also ends the provider's session (OpenID Connect RP-Initiated Logout),
# so that on a shared computer the next "Masuk dengan SSO" asks for the password again.
OIDC_PROVIDER_LOGOUT = env_bool("OIDC_PROVIDER_LOGOUT", default=True)
if OIDC_ISSUER and OIDC_PROVIDER_LOGOUT:
    # The sign-out form's answer redirects to the provider's sign-out page, and browsers hold that
    # redirect to the page's form-action: the provider's origin is allowed there (and nowhere else).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
        "'self'", f"{urlparse(OIDC_ISSUER).scheme}://{urlparse(OIDC_ISSUER).netloc}"
    ]
# Off: no password sign-in at all (single sign-on only), no password reset or change pages.
PASSWORD_LOGIN_ENABLED = env_bool("PASSWORD_LOGIN_ENABLED", default=True)

PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# --- Evidence files -----------------------------------------------------------------------------
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20, minimum=1) * 1024 * 1024
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body larger than this is refused before it is read (spbe_portal.middleware.UploadSizeLimitMiddleware,
# HTTP 413): one evidence file at the cap plus 1 MB for the form's other fields and multipart framing.
UPLOAD_MAX_BYTES = EVIDENCE_MAX_BYTES + 1024 * 1024

# --- Reports ------------------------------------------------------------------------------------
# Leadership reads reports; whether it may also ask for a new one is the province's choice.
LEADERSHIP_MAY_REQUEST_REPORTS = env_bool("LEADERSHIP_MAY_REQUEST_REPORTS", default=False)

# --- Signed documents ----------------------------------------------------------------------------
# Final minutes and maturity reports are signed (PAdES) by DOCUMENT_SIGNER (a dotted path to a class,
# documents/signing.py): by default with the office's certificate from a PKCS#12 file. A development
# checkout falls back to the DEMO certificate that `make run` creates under VAR_DIR
# (manage.py signing_demo_certificate); with DEBUG off nothing is signed until a certificate is
# configured: the rendering fails with that message. See docs/deployment.md, "Signed documents".
DOCUMENT_SIGNER = env_str("DOCUMENT_SIGNER", "documents.signing.Pkcs12Signer")
SIGNING_DEMO_PKCS12_PATH = VAR_DIR / "signing" / "demo-signing-certificate.p12"
SIGNING_PKCS12_PATH = env_str("SIGNING_PKCS12_PATH", str(SIGNING_DEMO_PKCS12_PATH) if DEBUG else "")
SIGNING_PKCS12_PASSPHRASE = env_str("SIGNING_PKCS12_PASSPHRASE", "demo-bukan-rahasia" if DEBUG else "")
# More certificates (PEM or DER files, comma-separated) that the verification page trusts: e.g. the
# previous certificate after a renewal, or the CA of a national signing service.
SIGNING_TRUST_ROOTS = env_list("SIGNING_TRUST_ROOTS")
# The verification page accepts a PDF up to this size (a signed report is well under 5 MB).
VERIFICATION_MAX_BYTES = min(env_int("VERIFICATION_MAX_MB", 20, minimum=1) * 1024 * 1024, EVIDENCE_MAX_BYTES)
# The page is public: one client address may check at most this many uploaded copies an hour.
VERIFICATION_CHECKS_PER_HOUR = env_int("VERIFICATION_CHECKS_PER_HOUR", 30, minimum=1)

# --- Stage reminders ----------------------------------------------------------------------------
# The daily reminder goes out when the stage a period is in ends within this many days (today counts).
STAGE_REMINDER_DAYS = env_int("STAGE_REMINDER_DAYS", 7, minimum=1)

# --- Celery -------------------------------------------------------------------------------------
# With REDIS_URL unset, tasks run inline in the web process so the portal works without Redis.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Nothing reads a task's result: no result backend (it would retry 20 times, ~19 s, on every
# publish while Redis is down).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Schedules live in the database (django-celery-beat), editable by administrators; their defaults
# are created by `manage.py ensure_schedules` (reports/schedules.py).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True
# Publishing a task gives up within CELERY_BROKER_CONNECTION_TIMEOUT seconds (3) when the broker is
# down, without retrying: the request is kept (a queued report run, an outbox e-mail) and the
# sweeps send it once the broker is back (docs/operations.md, "Broker outage").
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,  # no reconnect loop when publishing (kombu would retry for 2 × 3 s)
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
# A worker that renders a report marks the run every REPORT_HEARTBEAT_SECONDS; the sweep (every
# minute) gives a running run whose mark is older than REPORT_STALE_AFTER_SECONDS back to the queue.
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 20, minimum=1)
REPORT_STALE_AFTER_SECONDS = env_int("REPORT_STALE_AFTER_SECONDS", 90, minimum=2)
# Test-only: seconds a report render waits before it starts (to kill a worker mid-render).
REPORT_TEST_RENDER_DELAY = env_int("SPBE_TEST_RENDER_DELAY", 0, minimum=0)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 450_000, minimum=50_000)

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # A signature that does not validate is an answer of the verification page, not a fault.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        # Inline tasks (no REDIS_URL) would log every run into the development server's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

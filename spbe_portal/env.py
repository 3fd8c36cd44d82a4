"""Reading settings from the environment, with errors that name the variable.

Every setting the portal takes from the environment goes through these helpers, so a missing or
malformed value stops start-up with a message such as
``ImproperlyConfigured: DATABASE_URL is malformed: ...`` instead of failing later in a request.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def production_run():
    """True in a production run: ``SPBE_PRODUCTION=1``, set by `make prod` and by every line of the
    Procfile. Such a run never reads ``.env`` and refuses to start with DEBUG on."""
    return env_bool("SPBE_PRODUCTION", default=False)


def load_dotenv(path):
    """Read KEY=VALUE lines of a local ``.env`` file into the environment, without overriding
    what the environment already says. `make run` writes one with DEBUG=1 for a development
    checkout; production sets its variables in the real environment, and a production run
    (``SPBE_PRODUCTION=1``) never reads the file."""
    if production_run():
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set in the environment.")
        return default
    return value.strip()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}.")
    return number


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, *, schemes, default=None):
    """A URL whose scheme is one of ``schemes``; ``default`` when unset."""
    value = env_str(name)
    if value is None:
        return default
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} is malformed: expected a URL starting with {' or '.join(s + '://' for s in schemes)}; "
            f"got {value.split('@')[-1]!r}."
        )
    return value


def database_from_url(name, default_sqlite_path, *, conn_max_age):
    """Django DATABASES['default'] from a URL in ``name``, or a SQLite file when unset."""
    import dj_database_url

    value = env_url(name, schemes=("postgres", "postgresql", "sqlite"))
    if value is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    try:
        config = dj_database_url.parse(value, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as error:  # dj_database_url raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is malformed: {error}") from None
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} is malformed: it names no database (…/DATABASE_NAME).")
    return config

"""A private Redis server for tests that stop and restart the broker: started on a free port,
never the machine's shared Redis. Missing redis-server skips, or fails under SPBE_REQUIRE_SERVICES=1."""

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.services import require_service


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.folder = Path(folder)
        self.pidfile = self.folder / "redis.pid"

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.folder)],
            check=True, capture_output=True,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not start")

    def stop(self):
        """The outage: this server (only this one) goes away, its data with it."""
        try:
            pid = int(self.pidfile.read_text())
        except (FileNotFoundError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)


def started_private_redis(folder):
    server = PrivateRedis(folder)
    require_service(server.binary, "redis-server")
    server.start()
    return server


def production_celery_settings(redis_url):
    """The CELERY_* settings as settings.py makes them in production (REDIS_URL set), read from a
    fresh copy of the settings module, without the CELERY_ prefix (as Celery names them)."""
    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = redis_url
    try:
        spec = importlib.util.spec_from_file_location("spbe_portal._production_settings_copy", Path(__file__).resolve().parent.parent / "spbe_portal" / "settings.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            os.environ.pop("REDIS_URL")
        else:
            os.environ["REDIS_URL"] = saved
    return {name.removeprefix("CELERY_").lower(): getattr(module, name) for name in dir(module) if name.startswith("CELERY_")}


def reset_connections(app):
    """As Celery does after a fork: new pools and result backend for the current configuration."""
    app._pool = None
    app.amqp._producer_pool = None
    app._local = threading.local()


@pytest.fixture
def broker(tmp_path):
    """The Celery app configured as in production, over a private Redis that the test may stop."""
    from spbe_portal.celery import app as celery_app

    server = started_private_redis(tmp_path)
    saved = {}
    try:
        production = production_celery_settings(server.url)
        saved = {key: celery_app.conf[key] for key in production}
        celery_app.conf.update(production)
        reset_connections(celery_app)
        yield server
    finally:
        server.stop()
        celery_app.conf.update(saved)
        celery_app.conf.task_always_eager = True
        reset_connections(celery_app)

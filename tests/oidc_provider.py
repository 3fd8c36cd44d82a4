"""The real OpenID Connect provider of the single sign-on tests: panva/node-oidc-provider, pinned in
.ci/oidc/package.json and started by .ci/oidc/provider.mjs on a free loopback port (fixture
``oidc_provider``). Without node or its `npm ci` it skips, except in CI (SPBE_REQUIRE_SERVICES=1),
where it fails. Helpers here drive its sign-in form with plain HTTP, as a browser would, to get real
authorization codes and tokens."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import requests

from tests.services import require_service

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_DIR = ROOT / ".ci" / "oidc"
PASSWORD = "rahasia-sso"
PORTAL_CLIENT = ("spbe-portal", "spbe-portal-test-secret")
OTHER_CLIENT = ("other-app", "other-app-test-secret")
SCOPES = "openid email profile nip"

# The people the provider knows (.ci/oidc/provider.mjs): sub → NIP / e-mail.
SITI_NIP = "198703122010012001"  # officer of Rejang Lebong
DEDI_NIP = "199001012015031002"  # officer of Kepahiang
YULIANA_NIP = "199205052019032004"  # officer of Lebong
RAHMAT_EMAIL = "reviewer.provinsi@spbe.bengkuluprov.go.id"  # no NIP claim: matched by verified e-mail


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningProvider:
    def __init__(self):
        node = shutil.which("node")
        require_service(node, "node (for the test OpenID Connect provider)")
        require_service((PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(), "the test OpenID Connect provider (npm ci --prefix .ci/oidc)")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = open(os.environ.get("OIDC_TEST_LOG", os.devnull), "ab")
        self.process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "provider.mjs")],
            env={**os.environ, "OIDC_TEST_PORT": str(self.port), "OIDC_TEST_HOST": "127.0.0.1"},
            stdout=self.log, stderr=self.log, cwd=PROVIDER_DIR,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                require_service(False, "the test OpenID Connect provider (it did not start)")
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def metadata(self):
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()


def sign_in_at_provider(authorize_url, username, password=PASSWORD, *, session=None):
    """Follow ``authorize_url`` through the provider's sign-in form as ``username``; the URL the
    provider finally sends the browser to (the client's redirect URI with code and state)."""
    session = session or requests.Session()
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            location = urljoin(url, response.headers["Location"])
            if "/akun/sso/callback/" in location:
                return location
            url = location
            continue
        form = re.search(r'action="([^"]+)"', response.text)
        assert form, f"no sign-in form at {url}: {response.status_code} {response.text[:300]}"
        response = session.post(urljoin(url, form.group(1)), data={"username": username, "password": password}, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:300]
        url = urljoin(url, response.headers["Location"])
        if "/akun/sso/callback/" in url:
            return url
    raise AssertionError("the provider never redirected back")


def provider_tokens(provider, username, *, client=PORTAL_CLIENT, nonce="nonce-of-the-test", redirect_uri="http://testserver/akun/sso/callback/"):
    """A real token response (with an ID token) for ``username`` issued to ``client``, through the
    whole authorization-code flow with PKCE."""
    metadata = provider.metadata()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    authorize = requests.Request("GET", metadata["authorization_endpoint"], params={
        "client_id": client[0], "response_type": "code", "scope": SCOPES, "redirect_uri": redirect_uri,
        "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
    }).prepare().url
    callback = sign_in_at_provider(authorize, username)
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == [state]
    response = requests.post(metadata["token_endpoint"], auth=client, timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect_uri, "code_verifier": verifier,
    })
    assert response.ok, response.text
    return response.json()

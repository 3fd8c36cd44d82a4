"""Leadership (read-only) is shown only what it may use: a crawler signs in as the demo leadership
account, walks every page it can reach from the home page and follows every link, htmx request and
form on them. None may answer 403 (a button the user cannot use) or fail."""

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

PAGES_PER_KIND = 8  # pages of one URL name (e.g. indicator pages) that are fetched: the same view and rule
SKIPPED_ACTIONS = ("/akun/keluar/",)  # signing out ends the walk


class PageActions(HTMLParser):
    """Links (href, hx-get) and forms (method, action, the values they would send) of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
        if tag == "form":
            method = "post" if (attrs.get("method", "get").lower() == "post" or attrs.get("hx-post")) else "get"
            self._form = {"method": method, "action": attrs.get("hx-post") or attrs.get("action") or "", "data": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "button") and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if tag == "button" or attrs.get("type") in ("hidden", "submit", None, "text", "checkbox", "radio", "number", "date"):
                self._form["data"].setdefault(attrs["name"], attrs.get("value", ""))
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._form["data"].setdefault(attrs["name"], "")
            self._select = attrs["name"]
        elif self._form is not None and tag == "option" and getattr(self, "_select", None):
            if "selected" in attrs or not self._form["data"][self._select]:
                self._form["data"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


def _portal_url(base, href):
    url = urljoin(base, href.replace("&amp;", "&"))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("/static/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _url_name(url):
    try:
        return resolve(urlsplit(url).path).url_name
    except Resolver404:
        return None


def walk(client, start="/"):
    """Fetch every link and submit every form reachable from ``start``; returns (visited, problems)."""
    seen, problems, read = set(), [], Counter()
    queue = deque([("get", start, None, "(start)")])
    while queue:
        method, url, data, found_on = queue.popleft()
        key = (method, url, tuple(sorted((k, v) for k, v in (data or {}).items() if k != "csrfmiddlewaretoken")))
        if key in seen:
            continue
        seen.add(key)
        name = _url_name(url)
        if method == "get":
            read[name] += 1
            if read[name] > PAGES_PER_KIND:
                continue
        response = client.post(url, data) if method == "post" else client.get(url)
        if response.status_code >= 400:
            problems.append(f"{method.upper()} {url} → {response.status_code} (shown on {found_on})")
            continue
        if response.status_code in (301, 302, 303):
            target = _portal_url(url, response["Location"])
            if target:
                queue.append(("get", target, None, f"{url} (redirect)"))
            continue
        if method == "post" or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageActions()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = _portal_url(url, href)
            if target:
                queue.append(("get", target, None, url))
        for form in parser.forms:
            target = _portal_url(url, form["action"] or url)
            if target is None or urlsplit(target).path in SKIPPED_ACTIONS:
                continue
            if form["method"] == "get":
                query = "&".join(f"{k}={v}" for k, v in form["data"].items())
                queue.append(("get", f"{urlsplit(target).path}?{query}" if query else target, None, url))
            else:
                queue.append(("post", target, form["data"], url))
    return seen, problems


@pytest.fixture
def demo_portal(bengkulu, settings, django_capture_on_commit_callbacks):
    """The demo data as `make demo-data` loads it, with a finished report of Rejang Lebong."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # six demo accounts, quickly
    from agencies.demo import demo_accounts_load
    from assessments.demo import demo_assessments_load
    from assessments.models import AssessmentPeriod
    from meetings.demo import demo_meetings_load
    from reports.services import report_request

    demo_accounts_load()
    demo_assessments_load()
    demo_meetings_load()
    with django_capture_on_commit_callbacks(execute=True):
        report_request(kind="regency", period=AssessmentPeriod.objects.get(year=2026), agency=bengkulu["17.02"])


def test_leadership_is_shown_no_link_or_button_that_refuses_it(demo_portal, client):
    from agencies.models import User

    client.force_login(User.objects.get(username="pimpinan.rejanglebong"))
    visited, problems = walk(client)
    assert len(visited) > 30  # the walk reached the dashboard, assessments, meetings and reports
    assert problems == []


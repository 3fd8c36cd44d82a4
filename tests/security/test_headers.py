"""Headers of every answer: a strict Content-Security-Policy, a Permissions-Policy, and no copies of
what a signed-in person sees kept by browsers or proxies. Templates hold nothing the policy blocks."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_signed_in_page_carries_a_strict_policy_and_is_not_stored(provincial_reviewer, client_of, bengkulu):
    response = client_of(provincial_reviewer).get(reverse("agency_list"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_an_export_is_not_stored_either(provincial_reviewer, client_of, open_period):
    response = client_of(provincial_reviewer).get(
        reverse("period_export", kwargs={"period_id": open_period.pk, "kind": "levels", "file_format": "csv"}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_has_the_policy_too(client):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


PDF_TEMPLATES = {"reports/_report_base.html"}  # read by WeasyPrint, never by a browser


def template_files():
    return [
        path for path in TEMPLATES.rglob("*.html")
        if "pdf" not in path.name and path.parent.name != "pdf" and str(path.relative_to(TEMPLATES)) not in PDF_TEMPLATES
    ]


def test_no_template_holds_an_inline_script_an_event_handler_or_a_style_attribute():
    found = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", text):
            found.append(f"{path.relative_to(TEMPLATES)}: inline script {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append(f"{path.relative_to(TEMPLATES)}: event handler attribute {match.group(0).strip()}")
        for match in re.finditer(r"\sstyle\s*=\s*[\"']", text):
            found.append(f"{path.relative_to(TEMPLATES)}: style attribute")
        if re.search(r"<style[\s>]", text):
            found.append(f"{path.relative_to(TEMPLATES)}: style element")
    assert found == []

"""One parser for the numbers people and pages send: ids, years, pages, versions, levels.

A number in a query string or a form is ASCII digits within the range its column holds (an id is
at most 2,147,483,647 in PostgreSQL); anything else — a letter, ``²`` (which ``str.isdigit`` calls a
digit), eleven digits, a NUL byte — is a bad request (400), never a 500 and never a silently skipped
check. Path ids use the ``id`` converter (``<id:pk>``), which matches nothing else, so such a URL
is simply not found (404).
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest

MAX_ID = 2_147_483_647  # PostgreSQL integer
DIGITS = re.compile(r"[0-9]{1,10}")


def parse_int(value, *, name, minimum=0, maximum=MAX_ID):
    """``value`` (a string) as an int in [minimum, maximum], or BadRequest naming ``name``."""
    text = (value or "").strip()
    if not DIGITS.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise BadRequest(f"{name} must be a whole number from {minimum} to {maximum}.")
    return int(text)


def query_int(request, name, *, default=None, minimum=0, maximum=MAX_ID):
    """A whole number from the query string; ``default`` when it is absent or empty."""
    value = request.GET.get(name, "")
    return default if value == "" else parse_int(value, name=name, minimum=minimum, maximum=maximum)


def posted_int(request, name, *, minimum=0, maximum=MAX_ID):
    """A whole number the page posted (a version, an id); a missing or malformed one is a bad
    request (400), never a skipped check."""
    return parse_int(request.POST.get(name, ""), name=name, minimum=minimum, maximum=maximum)


class IdConverter:
    """``<id:pk>``: an object id as PostgreSQL can hold it; longer digit runs match no URL (404)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django treats this as "no match": 404
        return number

    def to_url(self, value):
        return str(value)

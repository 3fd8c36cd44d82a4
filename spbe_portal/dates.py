"""One way to print dates and times, in pages, PDFs, e-mails and notifications alike.

In Indonesian a date reads "10 Juni 2021" and a moment "10 Juni 2021 09.00 WIB" (Western Indonesian
Time, Asia/Jakarta); the month names follow the active language. Python code calls ``format_date`` /
``format_datetime``; templates use the filters of the same meaning, ``|portal_date``,
``|portal_datetime`` and ``|portal_day`` ("Kamis, 10 Juni 2021"), built into every template (settings
TEMPLATES "builtins"), so no template prints a date its own way.
"""

from datetime import datetime

from django import template
from django.utils import formats, timezone

DATE_FORMAT = "j F Y"
DAY_FORMAT = "l, j F Y"
TIME_FORMAT = "H.i"
ZONE_NAME = "WIB"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value):
    """10 Juni 2021 (a date, or the local day of a moment)."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), DATE_FORMAT)


def format_day(value):
    """Kamis, 10 Juni 2021."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), DAY_FORMAT)


def format_datetime(value):
    """10 Juni 2021 09.00 WIB."""
    if value in (None, ""):
        return ""
    local = _local(value)
    return f"{formats.date_format(local, DATE_FORMAT)} {formats.time_format(local, TIME_FORMAT)} {ZONE_NAME}"


register = template.Library()
register.filter("portal_date", format_date)
register.filter("portal_day", format_day)
register.filter("portal_datetime", format_datetime)

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from assessments.selectors import assessed_text

register = template.Library()

BADGE_CLASSES = ["text-bg-danger", "text-bg-warning", "text-bg-info", "text-bg-primary", "text-bg-success"]


@register.simple_tag
def predicate_badge(framework, predicate):
    """A coloured badge for a predicate, the colour from its place among the framework's bands."""
    position = framework.band_position(predicate)
    top = len(framework.bands) - 1
    css = BADGE_CLASSES[round(position * (len(BADGE_CLASSES) - 1) / top)] if top else BADGE_CLASSES[-1]
    return format_html('<span class="badge {}">{}</span>', css, predicate)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def get_index(sequence, index):
    try:
        return sequence[index]
    except (IndexError, TypeError, KeyError):
        return None


@register.simple_tag
def assessed_note(scores_or_assessed, total=None):
    """Beside an index: ``{% assessed_note scores %}`` (engine Scores) or
    ``{% assessed_note assessed total %}`` (counts, e.g. from a summary row)."""
    if total is None:
        scores = scores_or_assessed
        if scores is None:
            return ""
        assessed, total = scores.assessed_count, scores.indicator_count
    else:
        assessed = scores_or_assessed
    text = assessed_text(assessed, total)
    return format_html('<span class="assessed-note small text-muted d-block">{}</span>', text) if text else ""


@register.filter
def signed(value):
    """A gap or change with its sign, in the locale's number format: +1, -1, 0 for levels;
    +0,25 for decimal values (and indices); — when there is none."""
    from decimal import Decimal

    from django.utils import formats

    if value is None or value == "":
        return "—"
    text = formats.number_format(value, 2 if isinstance(value, Decimal) else 0, use_l10n=True)
    return f"+{text}" if value > 0 else text


@register.simple_tag
def progress_bar(value, total, label, colour="bg-primary"):
    """An accessible bar of ``value`` out of ``total`` (role=progressbar with its numbers, and the
    numbers as text): its width is a class in steps of 5 % (portal.css), never a style attribute.
    Built here rather than in an included template: a page shows 75 of them."""
    value, total = value or 0, total or 0
    percent = round(100 * value / total) if total else 0
    step = 5 * round(percent / 5) or (5 if value else 0)  # a started bar never looks empty
    text = _("%(value)s of %(total)s") % {"value": value, "total": total}
    return format_html(
        '<div class="d-flex align-items-center gap-2 progress-cell"><div class="progress flex-grow-1 progress-slim" role="progressbar" '
        'aria-label="{}" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="{}" aria-valuetext="{}"><div class="progress-bar {} progress-w-{}">'
        '</div></div><span class="small text-nowrap progress-count">{}/{}</span></div>',
        label, value, total, text, colour, step, value, total,
    )

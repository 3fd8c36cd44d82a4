from django import template
from django.utils.html import format_html

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

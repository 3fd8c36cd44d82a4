from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.filter
def trend_summary(trend, year):
    return next((summary for summary in trend["summaries"] if summary.period.year == year), None)


@register.filter
def trend_published(trend, year):
    return dict(trend["published"]).get(year)


def assessed_text(assessed, total):
    """"x of n indicators assessed", or "" when all are (an index computed with unassessed
    indicators counts them at the bottom of the scale, and must say so beside it)."""
    if assessed is None or total is None or assessed >= total:
        return ""
    return _("%(assessed)s of %(total)s indicators assessed") % {"assessed": assessed, "total": total}


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

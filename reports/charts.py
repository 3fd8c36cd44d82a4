"""Charts as SVG, drawn on the server (no JavaScript) for PDF reports. Pure functions: numbers and
labels in, an SVG string out. Labels are escaped."""

from __future__ import annotations

import math
from decimal import Decimal
from xml.sax.saxutils import escape

COLOURS = ["#1f5fbf", "#d9822b", "#2e9e5b", "#b03a5b", "#6c4fb3"]


def _number(value):
    return float(value) if isinstance(value, Decimal) else float(value or 0)


def _text(x, y, text, size=9, anchor="middle", weight="normal", fill="#222"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}" font-family="DejaVu Sans, sans-serif">{escape(str(text))}</text>'
    )


def radar(labels, series, *, low=1, high=5, size=320):
    """A radar (spider) chart: one axis per label, one polygon per series [(name, values)]."""
    count = len(labels)
    if count < 3:
        return ""
    centre = size / 2
    radius = size / 2 - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 20 * len(series)}" viewBox="0 0 {size} {size + 20 * len(series)}">']

    def point(index, value):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * max(0.0, min(high + 1.0, _number(value))) / high
        return centre + distance * math.cos(angle), centre + distance * math.sin(angle)

    for ring in range(low, high + 1):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#ccc" stroke-width="0.6"/>')
        x, y = point(0, ring)
        parts.append(_text(x + 4, y + 3, ring, size=7, anchor="start", fill="#888"))
    for index, label in enumerate(labels):
        x, y = point(index, high)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc" stroke-width="0.6"/>')
        lx, ly = point(index, high + 0.55)
        anchor = "middle" if abs(lx - centre) < 10 else ("start" if lx > centre else "end")
        parts.append(_text(lx, ly + 3, label, size=8, anchor=anchor))
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        polygon = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
        parts.append(f'<polygon points="{polygon}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-width="1.5"/>')
        legend_y = size + 14 + 20 * number
        parts.append(f'<rect x="20" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(38, legend_y + 1, name, size=9, anchor="start"))
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(rows, series_names, *, high=5, width=480, bar_height=9, label_width=170, decimal_comma=True):
    """Horizontal bars: rows [(label, [value per series])], values 0..high, numbers printed."""
    gap = 6
    row_height = bar_height * len(series_names) + gap
    height = row_height * len(rows) + 40
    plot = width - label_width - 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for tick in range(0, high + 1):
        x = label_width + plot * tick / high
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 34}" stroke="#e3e3e3" stroke-width="0.6"/>')
        parts.append(_text(x, height - 24, tick, size=7, fill="#888"))
    for index, (label, values) in enumerate(rows):
        top = index * row_height
        parts.append(_text(label_width - 6, top + row_height / 2 + 1, label, size=8, anchor="end"))
        for number, value in enumerate(values):
            if value is None:
                continue
            colour = COLOURS[number % len(COLOURS)]
            length = plot * max(0.0, min(float(high), _number(value))) / high
            y = top + number * bar_height
            parts.append(f'<rect x="{label_width}" y="{y:.1f}" width="{length:.1f}" height="{bar_height - 1}" fill="{colour}"/>')
            shown = f"{_number(value):.2f}".replace(".", ",") if decimal_comma else f"{_number(value):.2f}"
            parts.append(_text(label_width + length + 3, y + bar_height - 2, shown, size=7, anchor="start"))
    for number, name in enumerate(series_names):
        x = label_width + number * 140
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{COLOURS[number % len(COLOURS)]}"/>')
        parts.append(_text(x + 14, height - 5, name, size=8, anchor="start"))
    parts.append("</svg>")
    return "".join(parts)

"""An inline SVG bar chart of one meter's daily usage: a bar per day of the period, a y axis with
the unit, an x axis with dates. Plain SVG (no script, no external font or stylesheet), so the
chart shows in any browser, in a PDF and in a mail client that shows SVG.

The result is markup with every text escaped (the template inserts it as it is).
Bar heights are pixels: the only place a quantity goes through floating point, never a figure
shown as text (labels and the table use the exact decimals).
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 70, 24, 14, 44
BAR_COLOR = "#2b6cb0"
MIN_BAR = 2.0


def format_quantity(value: Decimal | None) -> str:
    """A quantity with thousands separators and no trailing fractional zeros."""
    if value is None:
        return ""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _nice_top(maximum: Decimal) -> Decimal:
    """The y axis' top: the maximum rounded up to 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return Decimal(1)
    exponent = math.floor(math.log10(maximum))
    for step in (1, 2, 5, 10):
        top = Decimal(step).scaleb(exponent)
        if top >= maximum:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover


def bar_chart(days: list[date], points: dict[date, Decimal], title: str, unit: str | None,
              chart_id: str) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max(points.values(), default=Decimal(0)))
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.8, 1.0)
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(chart_id)}"'
        f' width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(title)}">'),
        f"<title>{escape(title)}</title>",
    ]
    # y axis: 0, half and top, with grid lines
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = TOP + plot_h - float(fraction) * plot_h
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
                     f' stroke="#d9dee5" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11"'
                     f' fill="#4a5568">{escape(format_quantity(top * fraction))}</text>')
    parts.append(
        f'<text class="axis-label" x="14" y="{TOP + plot_h / 2:.1f}" font-size="11"'
        f' fill="#4a5568" text-anchor="middle"'
        f' transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(unit or "quantity")}'
        f" per day</text>"
    )
    # the x axis line first, so that the bars are drawn over it
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}"'
                 f' y2="{TOP + plot_h}" stroke="#4a5568" stroke-width="1"/>')
    # bars; a day with usage gets at least MIN_BAR pixels, so that it is seen
    for index, day in enumerate(days):
        value = points.get(day)
        if value is None:
            continue
        height = float(value / top) * plot_h if top else 0.0
        if value > 0:
            height = max(height, MIN_BAR)
        x = LEFT + index * slot + (slot - bar_w) / 2
        y = TOP + plot_h - height
        parts.append(
            f'<rect class="bar" data-bar="" data-date="{day.isoformat()}"'
            f' data-value="{escape(format_quantity(value).replace(",", ""))}"'
            f' x="{x:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{height:.2f}"'
            f' fill="{BAR_COLOR}"><title>{day.isoformat()}: {escape(format_quantity(value))}'
            f" {escape(unit or '')}</title></rect>"
        )
    # x axis: a tick label about every eighth of the period, and the last day
    base = TOP + plot_h
    every = max(1, math.ceil(len(days) / 8))
    labelled = list(range(0, len(days), every))
    if days and labelled[-1] != len(days) - 1:
        # the last day always, in place of a tick too close to it
        if len(days) - 1 - labelled[-1] < every / 2 and len(labelled) > 1:
            labelled.pop()
        labelled.append(len(days) - 1)
    for index in labelled:
        x = LEFT + index * slot + slot / 2
        parts.append(f'<text x="{x:.1f}" y="{base + 15}" text-anchor="middle" font-size="10"'
                     f' fill="#4a5568">{days[index].strftime("%m-%d")}</text>')
    parts.append(f'<text class="axis-label" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}"'
                 f' text-anchor="middle" font-size="11" fill="#4a5568">day (billing time zone)'
                 "</text>")
    parts.append("</svg>")
    return "".join(parts)

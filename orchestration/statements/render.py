"""A statement as one self-contained HTML page (templates/statement.html.j2): inline CSS, inline
SVG charts, no script and nothing fetched. Every figure carries `data-field` (what it is) and
`data-value` (the exact decimal, no thousands separators), so a program reads the figures back
from the page as the customer sees them.

Money is formatted from Decimal with exactly the currency's minor units (dim_currencies); an
amount that is not a whole number of minor units is an error, never rounded here (the marts
round; tier amounts, unrounded by definition, are shown as quantities).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from orchestration.billing.invoices import format_money, to_minor_units
from orchestration.statements.chart import bar_chart, format_quantity
from orchestration.statements.data import Statement

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "statement.html.j2"
INDEX_TEMPLATE = "index.html.j2"


def money_text(amount: Decimal, minor_units: int) -> str:
    """An amount with thousands separators and exactly `minor_units` decimals (1,234.50)."""
    minor = to_minor_units(amount, minor_units)
    return f"{Decimal(minor).scaleb(-minor_units):,.{minor_units}f}"


def plain_quantity(value: Decimal | None) -> str:
    return format_quantity(value).replace(",", "")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["quantity"] = format_quantity
    env.filters["plain_quantity"] = plain_quantity
    return env


_ENV = _environment()


def series_title(statement: Statement, series_index: int) -> str:
    series = statement.usage[series_index]
    title = series.meter_id
    if series.usage_account_id != statement.account_id:
        title += f" ({series.usage_account_id})"
    if series.group is not None:
        title += f", group {series.group}"
    elif series.combined_by is not None:
        title += f", all groups ({series.combined_by} per day)"
    return title


def render_statement(statement: Statement) -> str:
    units = statement.minor_units

    def money(amount: Decimal) -> str:
        return money_text(amount, units)

    def money_value(amount: Decimal) -> str:
        return format_money(amount, units)

    days = statement.days
    charts = []
    for index, series in enumerate(statement.usage):
        title = series_title(statement, index)
        short = series.meter_id + (f" {series.group}" if series.group is not None else "")
        if series.usage_account_id != statement.account_id:
            short += f" ({series.usage_account_id})"
        charts.append({
            "title": title,
            "short": short,
            "unit": series.unit,
            "series": series,
            "svg": bar_chart(days, series.points, title, series.unit, f"usage-{index}"),
        })
    # the usage table: a row per day with usage in any series, a column per series
    table_days = [day for day in days if any(day in s.points for s in statement.usage)]
    return _ENV.get_template(TEMPLATE).render(
        s=statement,
        money=money,
        money_value=money_value,
        charts=charts,
        table_days=table_days,
        last_day=days[-1] if days else statement.period_start,
    )


def render_index(statements: list[Statement], names: dict[str, str], with_pdf: set[str]) -> str:
    """A page listing every statement written, newest period first, with links (to the PDF of
    the invoices in with_pdf)."""
    ordered = sorted(statements, key=lambda s: (s.period_start, s.account_id, s.currency),
                     reverse=True)
    return _ENV.get_template(INDEX_TEMPLATE).render(
        statements=ordered,
        names=names,
        with_pdf=with_pdf,
        money=lambda s: money_text(s.total, s.minor_units),
    )

"""Plain-text summary of a built Meterline warehouse: ingestion, usage, invoices, credit and
commitment balances, pending adjustments.

Reads the DuckDB file read-only, and only the marts and the audit tables (schemas `marts` and
`audit`), the tables finance reads too. A section whose tables are not built yet prints
"(not built)". Periods are shown as the marts store them: period_start, then period_end, the
first day after the period (end exclusive).

Usage: python -m orchestration.report [--database PATH] [--as-of YYYY-MM-DD] [--next-steps]
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

NOT_BUILT = "(not built)"
DEFAULT_DATABASE = "warehouse/meterline.duckdb"
# Used when marts.dim_currencies is missing or lacks a currency; ISO 4217 minor units.
FALLBACK_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0,
                        "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3}
STATUS_ORDER = ("final", "draft", "open")

Row = tuple[Any, ...]


class Warehouse:
    """Read-only queries against the warehouse, with table look-ups for graceful degradation."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall()
        self._columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in rows:
            self._columns.setdefault((schema, table), []).append(column)

    def has(self, schema: str, table: str) -> bool:
        return (schema, table) in self._columns

    def columns(self, schema: str, table: str) -> list[str]:
        return self._columns.get((schema, table), [])

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        return self.con.execute(sql, list(params or [])).fetchall()


# --------------------------------------------------------------------------- formatting


def format_money(amount: Any, minor_units: int) -> str:
    """Thousands separators and exactly the currency's minor units, rounded half away from 0."""
    if amount is None:
        return ""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    exponent = Decimal(1).scaleb(-minor_units)
    return f"{value.quantize(exponent, rounding=ROUND_HALF_UP):,.{minor_units}f}"


def format_quantity(value: Any) -> str:
    """Thousands separators, no trailing fractional zeros."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], align: str) -> list[str]:
    """Aligned plain-text table; align has one 'l' or 'r' per column."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(header)] + [len(row[i]) for row in cells])
              for i, header in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [value.rjust(width) if side == "r" else value.ljust(width)
                 for value, width, side in zip(values, widths, align, strict=True)]
        return ("  " + "  ".join(parts)).rstrip()

    return [line(headers), line(["-" * width for width in widths])] + [line(row) for row in cells]


def heading(title: str) -> list[str]:
    return ["", title, "=" * len(title)]


def subheading(title: str) -> list[str]:
    return ["", title]


def period_bounds(start: date | None, end: date | None) -> str:
    """A period as the marts store it: '2026-09-01 → 2026-10-01' (period_end exclusive)."""
    if start is None:
        return ""
    if end is None:
        return f"{start} →"
    return f"{start} → {end}"


def period_title(start: date, end: date, label: str | None = None) -> str:
    """A period heading: its label (the marts' period_label) and its stored bounds."""
    bounds = f"{period_bounds(start, end)} (end exclusive)"
    return f"{label}: {bounds}" if label else bounds


def calendar_month_label(start: date, end: date) -> str | None:
    """2026-10 for a calendar month (the marts' period_label), else None."""
    next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if start.day == 1 and end == next_month:
        return f"{start:%Y-%m}"
    return None


# --------------------------------------------------------------------------- ingestion


def _find_column(columns: Sequence[str], *stems: str) -> str | None:
    for stem in stems:
        if stem in columns:
            return stem
    for stem in stems:
        for column in columns:
            if column.startswith(stem):
                return column
    return None


def _reconciliation(wh: Warehouse) -> list[str]:
    lines = subheading("Reconciliation (audit.audit_event_reconciliation)")
    columns = wh.columns("audit", "audit_event_reconciliation")
    if not columns:
        return lines + ["  " + NOT_BUILT]
    wanted = {
        "received": _find_column(columns, "received"),
        "accepted": _find_column(columns, "accepted"),
        "duplicates": _find_column(columns, "duplicates", "duplicate"),
        "quarantined": _find_column(columns, "quarantined", "quarantine"),
    }
    if "file_name" not in columns or None in wanted.values():
        return lines + ["  (unexpected columns: " + ", ".join(columns) + ")"]
    select = ", ".join(f"coalesce(sum({column}), 0)" for column in wanted.values())
    table = "audit.audit_event_reconciliation"
    (total,) = wh.rows(f"select {select} from {table} where file_name is null")
    (files,) = wh.rows(f"select count(*) from {table} where file_name is not null")
    counts = dict(zip(wanted, total, strict=True))
    rows = [("files", format_quantity(files[0]))]
    rows += [(name, format_quantity(value)) for name, value in counts.items()]
    holds = counts["received"] == counts["accepted"] + counts["duplicates"] + counts["quarantined"]
    check = "holds" if holds else "DOES NOT HOLD"
    return lines + format_table(("", "records"), rows, "lr") + [
        f"  received = accepted + duplicates + quarantined: {check}"
    ]


def _top_accounts(wh: Warehouse, table: str) -> dict[str, str]:
    """Per reason, the accounts with the most rows: 'acct_a 12, acct_b 3, ...'."""
    rows = wh.rows(
        f"select reason, coalesce(account_id, '(none)'), count(*) from audit.{table} "
        "group by all order by 1, 3 desc, 2"
    )
    listed: dict[str, list[str]] = {}
    for reason, account_id, n in rows:
        listed.setdefault(reason, []).append(f"{account_id} {n:,}")
    return {reason: ", ".join(items[:3]) + (", ..." if len(items) > 3 else "")
            for reason, items in listed.items()}


def _reason_counts(wh: Warehouse, table: str, title: str, unit: str) -> list[str]:
    lines = subheading(f"{title} (audit.{table})")
    columns = wh.columns("audit", table)
    if not columns:
        return lines + ["  " + NOT_BUILT]
    if "reason" not in columns:
        return lines + ["  (no reason column)"]
    rows = wh.rows(
        f"select reason, count(*) from audit.{table} group by reason order by 2 desc, 1"
    )
    if not rows:
        return lines + ["  (none)"]
    accounts = _top_accounts(wh, table) if "account_id" in columns else {}
    table_rows = [(reason, format_quantity(n), accounts.get(reason, "")) for reason, n in rows]
    return lines + format_table(("reason", unit, "accounts"), table_rows, "lrl")


def _duplicate_kinds(wh: Warehouse) -> list[str]:
    """Duplicates against conflicts, when audit_duplicate_events says which is which."""
    columns = wh.columns("audit", "audit_duplicate_events")
    kind = _find_column(columns, "duplicate_type", "dedupe_status", "duplicate_kind")
    if kind is None:
        return []
    rows = wh.rows(
        f"select {kind}, count(*) from audit.audit_duplicate_events group by 1 order by 2 desc, 1"
    )
    counts = ", ".join(f"{value} {format_quantity(n)}" for value, n in rows)
    return [f"  duplicates by type (audit.audit_duplicate_events): {counts or 'none'}"]


def ingestion_section(wh: Warehouse) -> list[str]:
    return (
        heading("Ingestion")
        + _reconciliation(wh)
        + _duplicate_kinds(wh)
        + _reason_counts(wh, "audit_quarantined_events", "Quarantined by reason", "records")
        + _reason_counts(wh, "audit_unrated_events", "Unrated usage by reason", "rows")
    )


# --------------------------------------------------------------------------- usage


class MeterInfo(NamedTuple):
    """A meter's aggregation and unit, whether its figures add up over groups and days
    (is_additive), and how the period figures of its groups combine (group_total: sum, max,
    min or None)."""

    aggregation: str
    unit: str
    is_additive: bool = False
    group_total: str | None = None


def _meter_info(wh: Warehouse) -> dict[str, MeterInfo]:
    """Meters and their aggregation's properties: marts.dim_meters (from the aggregation
    registry of the dbt project). Without it, no figure of several groups or days is
    combined."""
    if not wh.has("marts", "dim_meters"):
        return {}
    rows = wh.rows(
        "select meter_id, aggregation, unit, is_additive, group_total from marts.dim_meters"
    )
    return {meter_id: MeterInfo(aggregation or "", unit or "", bool(additive), total)
            for meter_id, aggregation, unit, additive, total in rows}


def _period_quantity(meter: MeterInfo, quantities: list[Any], over_days: bool) -> Any:
    """A period quantity from per-group (or, over_days, per-day) rows, when it can be derived
    honestly: figures of an additive meter add up; per group, those of a meter whose groups
    combine (group_total) are summed or take the extreme; a single figure is shown as is."""
    values = [value for value in quantities if value is not None]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    combine = "sum" if meter.is_additive else meter.group_total
    if over_days and not meter.is_additive and meter.aggregation not in ("max", "min"):
        combine = None
    if combine == "sum":
        return sum(values, Decimal(0))
    if combine == "max":
        return max(values)
    if combine == "min":
        return min(values)
    return None


def _usage_rows(wh: Warehouse) -> tuple[str, bool, list[Row]] | None:
    """(source description, whether rows are per day, rows of (period_start, period_end,
    period_label), account, contract, meter, [quantities], events)."""
    if wh.has("marts", "fct_period_usage"):
        rows = wh.rows(
            "select (period_start, period_end, period_label), account_id, contract_id, "
            "meter_id, list(quantity order by dimension_value), sum(event_count) "
            "from marts.fct_period_usage group by all order by 1, 2, 3, 4"
        )
        return "marts.fct_period_usage (period figures, usage under a contract)", False, rows
    if wh.has("marts", "fct_usage_daily"):
        rows = wh.rows(
            "select (cast(date_trunc('month', usage_date) as date),"
            " cast(date_trunc('month', usage_date) + interval 1 month as date), null),"
            " account_id, null, meter_id, "
            "list(quantity order by usage_date, dimension_value), sum(event_count) "
            "from marts.fct_usage_daily group by all order by 1, 2, 3, 4"
        )
        return "marts.fct_usage_daily (daily rows by calendar month)", True, rows
    return None


def _period_of(period: Any) -> tuple[date, date, str | None]:
    """(period_start, period_end, period_label) of a row's period (a struct from DuckDB)."""
    values = tuple(period.values()) if isinstance(period, dict) else tuple(period)
    start, end, label = values
    return start, end, label or calendar_month_label(start, end)


def usage_section(wh: Warehouse) -> list[str]:
    lines = heading("Usage per account and meter")
    found = _usage_rows(wh)
    if found is None:
        return lines + ["  " + NOT_BUILT]
    source, over_days, rows = found
    meters = _meter_info(wh)
    lines += [
        f"  Source: {source}.",
        "  Count and sum meters add up over groups and days, time_weighted over groups; max and",
        "  min take the extreme. Other figures of several groups or days cannot be combined and",
        "  show '-': the billed quantities are on the invoice lines.",
    ]
    by_period: dict[Any, list[Row]] = {}
    for row in rows:
        by_period.setdefault(row[0], []).append(row)
    for period, period_rows in by_period.items():
        table = []
        for _, account_id, contract_id, meter_id, quantities, events in period_rows:
            meter = meters.get(meter_id, MeterInfo("", ""))
            aggregation, unit = meter.aggregation, meter.unit
            quantity = _period_quantity(meter, list(quantities), over_days)
            shown = "-" if quantity is None else format_quantity(quantity)
            table.append((account_id, contract_id or "", meter_id, aggregation,
                          format_quantity(events), shown, unit))
        lines += subheading(f"Period {period_title(*_period_of(period))}")
        lines += format_table(
            ("account", "contract", "meter", "aggregation", "events", "quantity", "unit"),
            table, "llllrrl",
        )
    return lines


# --------------------------------------------------------------------------- invoices


def _minor_units(wh: Warehouse) -> dict[str, int]:
    """Digits of each currency's minor unit: marts.dim_currencies, else ISO 4217's."""
    units = dict(FALLBACK_MINOR_UNITS)
    if wh.has("marts", "dim_currencies"):
        units.update({currency: int(minor) for currency, minor in
                      wh.rows("select currency, minor_units from marts.dim_currencies")})
    return units


def _account_names(wh: Warehouse) -> dict[str, str]:
    """Each account's display name (marts.dim_accounts); empty when it is not built."""
    if not wh.has("marts", "dim_accounts"):
        return {}
    return {account_id: name for account_id, name in
            wh.rows("select account_id, account_name from marts.dim_accounts")
            if name}


def _with_name(account_id: str, names: dict[str, str]) -> str:
    name = names.get(account_id)
    return f"{account_id} ({name})" if name else account_id


def _invoice_lines(wh: Warehouse) -> dict[str, list[Row]] | None:
    if not wh.has("marts", "fct_invoice_lines"):
        return None
    rows = wh.rows(
        "select invoice_id, line_type, description, meter_id, dimension_value, quantity, amount, "
        "invoice_line_id, line_sequence, usage_account_id from marts.fct_invoice_lines"
    )
    by_invoice: dict[str, list[Row]] = {}
    for row in rows:
        by_invoice.setdefault(row[0], []).append(row)
    for invoice_rows in by_invoice.values():
        invoice_rows.sort(key=_line_sort_key)
    return by_invoice


def _line_sort_key(row: Row) -> tuple[int, str, str]:
    """The invoice's order (line_sequence, from the dbt project's line-type registry)."""
    return row[8] or 0, row[2] or "", row[7] or ""


def _describe(row: Row) -> str:
    _, _, description, meter_id, dimension_value, *_ = row
    if description:
        return str(description)
    return " ".join(part for part in (meter_id, dimension_value) if part)


def _invoice_block(invoice: Row, lines: list[Row] | None, units: int,
                   names: dict[str, str] | None = None) -> list[str]:
    invoice_id, account_id, currency, start, end, status, _, total, _ = invoice
    title = (f"{_with_name(account_id, names or {})}  {period_bounds(start, end)}  {status}"
             f"  {currency}")
    block = ["", f"{title}  (invoice {invoice_id})"]
    if lines is None:
        return block + ["  lines " + NOT_BUILT, f"  Total {currency} {format_money(total, units)}"]
    # a line of a child account billed to this one names the child
    table = [(row[1], _describe(row) + (f"  [{row[9]}]" if row[9] not in (None, account_id)
                                        else ""),
              format_quantity(row[5]), format_money(row[6], units))
             for row in lines]
    block += format_table(("line type", "description", "quantity", "amount"), table, "llrr")
    block.append(f"  Total {currency} {format_money(total, units)}")
    line_sum = sum((row[6] for row in lines if row[6] is not None), Decimal(0))
    if total is not None and line_sum != total:
        block.append(f"  (lines sum to {currency} {format_money(line_sum, units)})")
    return block


def _currency_summary(invoices: list[Row], units: dict[str, int]) -> list[str]:
    lines = subheading("Totals by currency")
    by_currency: dict[str, list[Row]] = {}
    for invoice in invoices:
        by_currency.setdefault(invoice[2], []).append(invoice)
    for currency, rows in sorted(by_currency.items()):
        minor = units.get(currency, 2)

        def money(selected: list[Row], currency: str = currency, minor: int = minor) -> str:
            amount = sum((row[7] for row in selected if row[7] is not None), Decimal(0))
            return f"{currency} {format_money(amount, minor)}"

        statuses = sorted({row[5] for row in rows},
                          key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else 9, s))
        parts = [f"{status} {money([r for r in rows if r[5] == status])} in "
                 f"{sum(1 for r in rows if r[5] == status)}" for status in statuses]
        noun = "invoice" if len(rows) == 1 else "invoices"
        lines.append(f"  {currency}: {len(rows)} {noun}, total {money(rows)} "
                     f"({', '.join(parts)})")
    return lines


def invoices_section(wh: Warehouse) -> list[str]:
    lines = heading("Invoices")
    if not wh.has("marts", "fct_invoices"):
        return lines + ["  " + NOT_BUILT]
    invoices = wh.rows(
        "select invoice_id, account_id, currency, period_start, period_end, status, subtotal, "
        "total, line_count from marts.fct_invoices order by period_start, account_id, currency"
    )
    if not invoices:
        return lines + ["  (no invoices)"]
    units = _minor_units(wh)
    names = _account_names(wh)
    all_lines = _invoice_lines(wh)
    lines.append("  Periods: period_start → period_end, the first day after the period "
                 "(end exclusive).")
    for invoice in invoices:
        invoice_lines = None if all_lines is None else all_lines.get(invoice[0], [])
        lines += _invoice_block(invoice, invoice_lines, units.get(invoice[2], 2), names)
    return lines + _currency_summary(invoices, units)


def credits_section(wh: Warehouse) -> list[str]:
    """Each prepaid credit grant (marts.fct_credit_ledger): what was granted, applied and
    expired, and its balance after its last entry."""
    lines = heading("Credit balances")
    if not wh.has("marts", "fct_credit_ledger"):
        return lines + ["  " + NOT_BUILT]
    rows = wh.rows(
        "select grant_id, account_id, currency,"
        " sum(case when entry_type = 'granted' then amount else 0 end),"
        " sum(case when entry_type = 'applied' then amount else 0 end),"
        " sum(case when entry_type = 'expired' then amount else 0 end),"
        " arg_max(balance_after, entry_sequence)"
        " from marts.fct_credit_ledger group by all order by account_id, grant_id"
    )
    if not rows:
        return lines + ["  (no credit grants)"]
    units = _minor_units(wh)
    table = [(grant, account, currency, *(format_money(v, units.get(currency, 2))
                                           for v in (granted, applied, expired, balance)))
             for grant, account, currency, granted, applied, expired, balance in rows]
    lines.append("  balance: after the grant's last entry (open and draft invoices included)")
    return lines + format_table(
        ("grant", "account", "currency", "granted", "applied", "expired", "balance"), table,
        "lllrrrr")


def commitments_section(wh: Warehouse) -> list[str]:
    """Each commitment's balance, then every movement (marts.fct_commitment_ledger), in order."""
    lines = heading("Commitments")
    if not wh.has("marts", "fct_commitment_ledger"):
        return lines + ["  " + NOT_BUILT]
    rows = wh.rows(
        "select commitment_id, account_id, commitment_type, period_start, period_end, entry_type,"
        " amount, balance_after, currency from marts.fct_commitment_ledger"
        " order by commitment_id, entry_sequence"
    )
    if not rows:
        return lines + ["  (no commitments)"]
    units = _minor_units(wh)
    balances: dict[str, Row] = {}
    for row in rows:
        balances[row[0]] = row  # rows are in entry order: the last one wins
    lines.append("  balance: prepaid - left to draw down; postpaid - still to reach the amount")
    lines += subheading("Balances (after each commitment's last entry)")
    lines += format_table(
        ("commitment", "account", "type", "currency", "balance"),
        [(commitment, account, kind, currency, format_money(balance, units.get(currency, 2)))
         for commitment, account, kind, _, _, _, _, balance, currency in balances.values()],
        "llllr")
    lines += subheading("Movements (periods: start → end, end exclusive)")
    table = [(commitment, account, kind, period_bounds(start, end), entry,
              format_money(amount, units.get(currency, 2)),
              format_money(balance, units.get(currency, 2)))
             for commitment, account, kind, start, end, entry, amount, balance, currency in rows]
    return lines + format_table(
        ("commitment", "account", "type", "period", "entry", "amount", "balance"), table,
        "lllllrr")


def pending_adjustments_section(wh: Warehouse) -> list[str]:
    """Late-usage adjustments that wait for an invoice (audit.audit_pending_adjustments)."""
    lines = heading("Pending adjustments")
    if not wh.has("audit", "audit_pending_adjustments"):
        return lines + ["  " + NOT_BUILT]
    rows = wh.rows(
        "select account_id, adjusted_invoice_id, adjusted_period_start, adjusted_period_end,"
        " adjusted_line_type, coalesce(meter_id, ''), amount, currency, pending_reason"
        " from audit.audit_pending_adjustments"
        " order by account_id, currency, adjusted_period_start, adjusted_invoice_line_id"
    )
    if not rows:
        return lines + ["  (none: every adjustment is on an invoice)"]
    units = _minor_units(wh)
    table = [(account, invoice, period_bounds(start, end), line_type, meter,
              format_money(amount, units.get(currency, 2)), currency, reason)
             for account, invoice, start, end, line_type, meter, amount, currency, reason
             in rows]
    lines.append("  Frozen lines whose period changed, waiting for an invoice that can carry "
                 "the adjustment")
    lines += format_table(
        ("account", "frozen invoice", "period", "line type", "meter", "amount", "currency",
         "reason"), table, "lllllrll")
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row[7]] = totals.get(row[7], Decimal(0)) + row[6]
    return lines + [f"  pending {currency} {format_money(total, units.get(currency, 2))}"
                    for currency, total in sorted(totals.items())]


# --------------------------------------------------------------------------- entry points


def _guarded(section: Callable[[Warehouse], list[str]], title: str, wh: Warehouse) -> list[str]:
    try:
        return section(wh)
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        return heading(title) + [f"  (not available: {first_line})"]


# The commands a newcomer runs next (make demo prints them): their make targets' defaults.
QUERY_EXAMPLE = (
    "select currency, period_start, period_end, sum(total) as billed "
    "from marts.fct_invoices group by all order by all"
)
DOCS_URL = "http://127.0.0.1:8080"
DAGSTER_URL = "http://127.0.0.1:3000"


def next_steps(wh: Warehouse, database: str, as_of: str | None) -> list[str]:
    """Where the marts are and the next commands: query them, read the docs, Dagster, then
    statements and a price simulation."""
    marts = sorted(table for schema, table in wh._columns if schema == "marts")
    audit = sorted(table for schema, table in wh._columns if schema == "audit")
    lines = heading("Where next")
    lines.append(f"  as_of:   {as_of or '(not given: dbt used METERLINE_AS_OF, else today)'}")
    lines.append(f"  marts:   DuckDB file {database or DEFAULT_DATABASE}, schema marts:")
    lines += textwrap.wrap(", ".join(marts) or "(not built)", width=92,
                           initial_indent=" " * 11, subsequent_indent=" " * 11)
    lines.append("  audit:   the same file, schema audit:")
    lines += textwrap.wrap(", ".join(audit) or "(not built)", width=92,
                           initial_indent=" " * 11, subsequent_indent=" " * 11)
    lines += [
        "",
        "  1. Query the marts (read-only; the same SQL works from any DuckDB 2 client):",
        f'       make query SQL="{QUERY_EXAMPLE}"',
        "  2. Read what each mart answers, with example queries (dbt docs):",
        f"       make docs        # serves {DOCS_URL}",
        "  3. See the daily run as an asset graph (Dagster UI):",
        f"       make dagster     # serves {DAGSTER_URL}",
        "  4. Customer usage statements, and a candidate price book over all history:",
        "       make statements  # HTML and PDF per invoice in exports/statements/",
        "       make simulate NAME=example   # simulations/example/: revenue change by plan",
    ]
    return lines


def render_report(con: duckdb.DuckDBPyConnection, database: str = "",
                  as_of: str | None = None, with_next_steps: bool = False) -> str:
    wh = Warehouse(con)
    lines = [f"Meterline report{': ' + database if database else ''}"]
    if as_of:
        lines.append(f"as_of {as_of}")
    lines += _guarded(ingestion_section, "Ingestion", wh)
    lines += _guarded(usage_section, "Usage per account and meter", wh)
    lines += _guarded(invoices_section, "Invoices", wh)
    lines += _guarded(credits_section, "Credit balances", wh)
    lines += _guarded(commitments_section, "Commitments", wh)
    lines += _guarded(pending_adjustments_section, "Pending adjustments", wh)
    if with_next_steps:
        lines += next_steps(wh, database, as_of)
    return "\n".join(lines) + "\n"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("METERLINE_DUCKDB_PATH") or DEFAULT_DATABASE,
        help="DuckDB file (default env METERLINE_DUCKDB_PATH, else warehouse/meterline.duckdb)",
    )
    parser.add_argument("--as-of", help="the build's as_of (YYYY-MM-DD), printed at the top")
    parser.add_argument("--next-steps", action="store_true",
                        help="end with where the marts are and the commands to run next")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if not Path(args.database).is_file():
        print(f"report: no warehouse at {args.database} (run dbt build first)", file=sys.stderr)
        return 1
    try:
        con = duckdb.connect(args.database, read_only=True)
    except duckdb.Error as error:
        print(f"report: cannot open {args.database}: {error}", file=sys.stderr)
        return 1
    try:
        sys.stdout.write(render_report(con, args.database, args.as_of, args.next_steps))
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

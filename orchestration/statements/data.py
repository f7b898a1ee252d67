"""What a usage statement shows, read from the marts only (one statement per invoice of
marts.fct_invoices: an account, a currency and a billing period).

- the invoice as fct_invoices has it (status, subtotal, total: a frozen invoice as frozen);
- its lines (fct_invoice_lines, in line_sequence order), each usage line with the tiers of its
  tiered price (fct_rated_usage_tiers, matched on the rated account, contract, period, price and
  group);
- the daily usage (fct_usage_daily) of every meter billed on a usage line, over the period's
  days (start inclusive, end exclusive); the groups of a meter are combined per day the way
  dim_meters.group_total says (sum, max, min), or shown one series per group when they cannot
  be combined;
- the credit grants of the account in the invoice's currency (fct_credit_ledger): applied to
  this invoice and the balance after the period's last entry; the movements of commitments on
  this invoice (fct_commitment_ledger) and the balance after them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import duckdb

INVOICES = "marts.fct_invoices"
INVOICE_LINES = "marts.fct_invoice_lines"
RATED_USAGE_TIERS = "marts.fct_rated_usage_tiers"
USAGE_DAILY = "marts.fct_usage_daily"
CREDIT_LEDGER = "marts.fct_credit_ledger"
COMMITMENT_LEDGER = "marts.fct_commitment_ledger"
ACCOUNTS = "marts.dim_accounts"
CURRENCIES = "marts.dim_currencies"
METERS = "marts.dim_meters"

# How the daily quantities of several groups of a meter combine into one figure per day.
COMBINE = {"sum": sum, "max": max, "min": min}


class StatementError(ValueError):
    """Marts a statement cannot be made from (e.g. a currency missing from dim_currencies)."""


@dataclass(frozen=True)
class Tier:
    tier: int
    pricing_model: str
    lower_bound: Decimal
    up_to: Decimal | None
    units_in_tier: Decimal
    unit_amount: Decimal | None
    flat_amount_charged: Decimal
    tier_amount: Decimal


@dataclass(frozen=True)
class Line:
    invoice_line_id: str
    line_type: str
    line_sequence: int | None
    contract_id: str | None
    meter_id: str | None
    price_id: str | None
    dimension_value: str | None
    quantity: Decimal | None
    amount: Decimal
    description: str | None
    usage_account_id: str | None
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class UsageSeries:
    """One meter's daily quantities on the statement (a day without usage has no entry)."""

    usage_account_id: str
    meter_id: str
    unit: str | None
    # None: every group of the meter, combined per day by `combined_by`; else the one group
    group: str | None
    combined_by: str | None
    points: dict[date, Decimal]


@dataclass(frozen=True)
class CreditBalance:
    grant_id: str
    applied_here: Decimal
    balance: Decimal


@dataclass(frozen=True)
class CommitmentEntry:
    entry_type: str
    amount: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class CommitmentBalance:
    commitment_id: str
    commitment_type: str | None
    entries: tuple[CommitmentEntry, ...]

    @property
    def balance(self) -> Decimal:
        return self.entries[-1].balance_after


@dataclass(frozen=True)
class Statement:
    invoice_id: str
    account_id: str
    account_name: str | None
    currency: str
    minor_units: int
    period_start: date
    period_end: date
    status: str
    subtotal: Decimal
    total: Decimal
    line_count: int
    lines: tuple[Line, ...]
    usage: tuple[UsageSeries, ...] = ()
    # meters billed on a usage line that recorded nothing in the period
    meters_without_usage: tuple[str, ...] = ()
    credits: tuple[CreditBalance, ...] = ()
    commitments: tuple[CommitmentBalance, ...] = ()
    billed_accounts: tuple[str, ...] = field(default=())

    @property
    def days(self) -> list[date]:
        """Every day of the period: period_start up to the day before period_end."""
        count = (self.period_end - self.period_start).days
        return [self.period_start + timedelta(days=n) for n in range(count)]

    @property
    def credits_applied(self) -> Decimal:
        """The credit lines of the invoice (negative), added up."""
        return sum((line.amount for line in self.lines if line.line_type == "credit"),
                   Decimal(0))


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = conn.execute(sql, params or [])
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _line_sort_key(line: Line) -> tuple[object, ...]:
    return (line.line_sequence is None, line.line_sequence or 0, line.meter_id or "",
            line.dimension_value or "", line.price_id or "", line.invoice_line_id)


def _load_tiers(conn: duckdb.DuckDBPyConnection) -> dict[tuple, list[Tier]]:
    tiers: dict[tuple, list[Tier]] = defaultdict(list)
    for row in _rows(conn, f"""
        select account_id, contract_id, period_start, price_id, dimension_value, pricing_model,
            tier, lower_bound, up_to, units_in_tier, unit_amount, flat_amount_charged,
            tier_amount
        from {RATED_USAGE_TIERS}
        order by account_id, contract_id, period_start, price_id, dimension_value, tier
    """):
        key = (row.pop("account_id"), row.pop("contract_id"), row.pop("period_start"),
               row.pop("price_id"), row.pop("dimension_value"))
        tiers[key].append(Tier(**row))
    return tiers


def _load_lines(conn: duckdb.DuckDBPyConnection) -> dict[str, list[Line]]:
    tiers = _load_tiers(conn)
    lines: dict[str, list[Line]] = defaultdict(list)
    for row in _rows(conn, f"""
        select invoice_id, account_id, period_start, invoice_line_id, line_type, line_sequence,
            contract_id, meter_id, price_id, dimension_value, quantity, amount, description,
            usage_account_id
        from {INVOICE_LINES}
    """):
        invoice_id, account_id, period_start = (
            row.pop("invoice_id"), row.pop("account_id"), row.pop("period_start")
        )
        line_tiers: tuple[Tier, ...] = ()
        if row["line_type"] == "usage":
            key = (row["usage_account_id"] or account_id, row["contract_id"], period_start,
                   row["price_id"], row["dimension_value"])
            line_tiers = tuple(tiers.get(key, ()))
        lines[invoice_id].append(Line(**row, tiers=line_tiers))
    return lines


def _usage_series(
    conn: duckdb.DuckDBPyConnection,
    account_id: str,
    lines: list[Line],
    period: tuple[date, date],
    meters: dict[str, dict],
) -> tuple[list[UsageSeries], list[str]]:
    pairs = sorted({(line.usage_account_id or account_id, line.meter_id)
                    for line in lines if line.line_type == "usage" and line.meter_id})
    series: list[UsageSeries] = []
    without: list[str] = []
    for usage_account, meter_id in pairs:
        rows = conn.execute(
            f"""
            select usage_date, dimension_value, quantity from {USAGE_DAILY}
            where account_id = ? and meter_id = ? and usage_date >= ? and usage_date < ?
            order by usage_date, dimension_value
            """,
            [usage_account, meter_id, period[0], period[1]],
        ).fetchall()
        label = meter_id if usage_account == account_id else f"{meter_id} ({usage_account})"
        if not rows:
            without.append(label)
            continue
        meter = meters.get(meter_id, {})
        by_group: dict[str | None, dict[date, Decimal]] = defaultdict(dict)
        for usage_date, group, quantity in rows:
            by_group[group][usage_date] = quantity
        combine = meter.get("group_total")
        if len(by_group) == 1:
            [(group, points)] = by_group.items()
            series.append(UsageSeries(usage_account, meter_id, meter.get("unit"), group, None,
                                      points))
        elif combine in COMBINE:
            per_day: dict[date, list[Decimal]] = defaultdict(list)
            for points in by_group.values():
                for day, quantity in points.items():
                    per_day[day].append(quantity)
            combined = {day: COMBINE[combine](values) for day, values in sorted(per_day.items())}
            series.append(UsageSeries(usage_account, meter_id, meter.get("unit"), None, combine,
                                      combined))
        else:
            for group in sorted(by_group, key=lambda g: (g is None, g or "")):
                series.append(UsageSeries(usage_account, meter_id, meter.get("unit"), group,
                                          None, by_group[group]))
    return series, without


def _credit_balances(entries: list[dict], invoice_id: str, period_end: date
                     ) -> list[CreditBalance]:
    by_grant: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_grant[entry["grant_id"]].append(entry)
    balances = []
    for grant_id, grant_entries in sorted(by_grant.items()):
        before_end = [e for e in grant_entries if e["entry_on"] < period_end]
        if not before_end:
            continue  # granted after the period
        applied = sum((e["amount"] for e in grant_entries
                       if e["entry_type"] == "applied" and e["invoice_id"] == invoice_id),
                      Decimal(0))
        balances.append(CreditBalance(grant_id, applied, before_end[-1]["balance_after"]))
    return balances


def load_statements(
    conn: duckdb.DuckDBPyConnection, invoice_ids: set[str] | None = None
) -> list[Statement]:
    """A statement per invoice of fct_invoices (or the given ones), by period, account and
    currency."""
    meters = {row["meter_id"]: row for row in _rows(
        conn, f"select meter_id, unit, group_total from {METERS}")}
    lines_by_invoice = _load_lines(conn)
    credit_entries = _rows(conn, f"""
        select grant_id, account_id, upper(currency) as currency, invoice_id, entry_type, amount,
            balance_after, entry_on
        from {CREDIT_LEDGER} order by grant_id, entry_sequence
    """)
    commitment_entries: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(conn, f"""
        select invoice_id, commitment_id, commitment_type, entry_type, amount, balance_after
        from {COMMITMENT_LEDGER} order by commitment_id, entry_sequence
    """):
        commitment_entries[row.pop("invoice_id")].append(row)

    statements = []
    for row in _rows(conn, f"""
        select invoice.invoice_id, invoice.account_id, account.account_name, invoice.currency,
            currency.minor_units, invoice.period_start, invoice.period_end, invoice.status,
            invoice.subtotal, invoice.total, invoice.line_count
        from {INVOICES} as invoice
        left join {ACCOUNTS} as account on invoice.account_id = account.account_id
        left join {CURRENCIES} as currency on upper(invoice.currency) = upper(currency.currency)
        order by invoice.period_start, invoice.account_id, invoice.currency, invoice.invoice_id
    """):
        if invoice_ids is not None and row["invoice_id"] not in invoice_ids:
            continue
        if row["minor_units"] is None:
            raise StatementError(
                f"invoice {row['invoice_id']}: currency {row['currency']} is not in {CURRENCIES}"
            )
        lines = sorted(lines_by_invoice.get(row["invoice_id"], []), key=_line_sort_key)
        period = (row["period_start"], row["period_end"])
        usage, without = _usage_series(conn, row["account_id"], lines, period, meters)
        credits = _credit_balances(
            [e for e in credit_entries
             if e["account_id"] == row["account_id"]
             and e["currency"] == row["currency"].upper()],
            row["invoice_id"], row["period_end"],
        )
        commitments: dict[str, list[dict]] = defaultdict(list)
        for entry in commitment_entries.get(row["invoice_id"], []):
            commitments[entry["commitment_id"]].append(entry)
        statements.append(Statement(
            **row,
            lines=tuple(lines),
            usage=tuple(usage),
            meters_without_usage=tuple(without),
            credits=tuple(credits),
            commitments=tuple(
                CommitmentBalance(
                    commitment_id, entries[0]["commitment_type"],
                    tuple(CommitmentEntry(e["entry_type"], e["amount"], e["balance_after"])
                          for e in entries),
                )
                for commitment_id, entries in sorted(commitments.items())
            ),
            billed_accounts=tuple(sorted({line.usage_account_id for line in lines
                                          if line.usage_account_id})),
        ))
    return statements

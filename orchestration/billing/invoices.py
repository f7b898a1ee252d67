"""Reading frozen final invoices (with their lines, Stripe customer and minor units)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

from orchestration.billing.tables import (
    FINAL_INVOICE_LINES,
    FINAL_INVOICES,
    INVOICE_COLUMNS,
    INVOICE_LINE_COLUMNS,
    column_names,
)

# The marts the push and the export read (Python reads marts only): each account's Stripe
# customer, each currency's minor units.
ACCOUNTS = "marts.dim_accounts"
CURRENCIES = "marts.dim_currencies"


@dataclass(frozen=True)
class InvoiceLine:
    invoice_line_id: str
    invoice_id: str
    account_id: str
    contract_id: str | None
    period_start: date
    period_end: date
    line_type: str
    meter_id: str | None
    price_id: str | None
    dimension_value: str | None
    quantity: Decimal | None
    amount: Decimal
    currency: str
    description: str | None
    # frozen with the line (optional mart columns): the account it rates (a child billed to
    # its parent) and its place on the invoice (the line-type registry of the dbt project)
    usage_account_id: str | None = None
    line_sequence: int | None = None


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    account_id: str
    currency: str
    period_start: date
    period_end: date
    status: str
    subtotal: Decimal
    total: Decimal
    line_count: int
    frozen_at: datetime
    minor_units: int
    stripe_customer_id: str | None
    lines: tuple[InvoiceLine, ...]


def to_minor_units(amount: Decimal, minor_units: int) -> int:
    """An exact money amount as an integer count of minor units; never rounds."""
    scaled = amount.scaleb(minor_units)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of minor units ({minor_units} digits)")
    return int(scaled)


def format_money(amount: Decimal, minor_units: int) -> str:
    """A money amount as a plain decimal string with exactly the currency's minor digits."""
    return str(Decimal(to_minor_units(amount, minor_units)).scaleb(-minor_units))


def format_quantity(quantity: Decimal | None) -> str:
    if quantity is None:
        return ""
    text = format(quantity, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _line_sort_key(line: InvoiceLine) -> tuple[object, ...]:
    """Lines in the order of the line-type registry (line_sequence, frozen with each line; a
    line frozen without one goes last), then by period, meter, group and price."""
    return (
        line.line_sequence is None,
        line.line_sequence or 0,
        line.period_start,
        line.meter_id or "",
        line.dimension_value or "",
        line.price_id or "",
        line.invoice_line_id,
    )


def load_frozen_invoices(conn: duckdb.DuckDBPyConnection) -> list[Invoice]:
    """Every frozen invoice with its frozen lines, ordered by period, account, currency."""
    invoice_cols = column_names(INVOICE_COLUMNS)
    line_cols = column_names(INVOICE_LINE_COLUMNS) + ["usage_account_id", "line_sequence"]
    select_invoice = ", ".join(f"invoice.{c}" for c in invoice_cols)
    invoice_rows = conn.execute(
        f"""
        select {select_invoice}, invoice.frozen_at, currency.minor_units,
            account.stripe_customer_id
        from {FINAL_INVOICES} as invoice
        left join {CURRENCIES} as currency
            on upper(invoice.currency) = upper(currency.currency)
        left join {ACCOUNTS} as account
            on invoice.account_id = account.account_id
        order by invoice.period_start, invoice.account_id, invoice.currency, invoice.invoice_id
        """
    ).fetchall()
    lines_by_invoice: dict[str, list[InvoiceLine]] = {}
    for row in conn.execute(
        f"select {', '.join(line_cols)} from {FINAL_INVOICE_LINES}"
    ).fetchall():
        line = InvoiceLine(**dict(zip(line_cols, row, strict=True)))
        lines_by_invoice.setdefault(line.invoice_id, []).append(line)

    invoices: list[Invoice] = []
    for row in invoice_rows:
        values = dict(zip([*invoice_cols, "frozen_at", "minor_units", "stripe_customer_id"], row,
                          strict=True))
        if values["minor_units"] is None:
            raise ValueError(
                f"invoice {values['invoice_id']}: currency {values['currency']} is not in "
                f"{CURRENCIES}"
            )
        lines = sorted(lines_by_invoice.get(values["invoice_id"], []), key=_line_sort_key)
        invoices.append(Invoice(**values, lines=tuple(lines)))
    return invoices

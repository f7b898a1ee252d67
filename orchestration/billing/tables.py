"""The append-only billing tables: column lists and create-if-missing DDL.

The same tables are created by the dbt macro `create_billing_tables` (an `on-run-start` hook), so
dbt models can read them as the source `billing` on a fresh warehouse. A test checks that both
definitions agree.
"""

from __future__ import annotations

import re

import duckdb

BILLING_SCHEMA = "billing"
FINAL_INVOICES = f"{BILLING_SCHEMA}.final_invoices"
FINAL_INVOICE_LINES = f"{BILLING_SCHEMA}.final_invoice_lines"
PUSH_LEDGER = f"{BILLING_SCHEMA}.push_ledger"

MONEY = "decimal(38, 4)"
QUANTITY = "decimal(37, 9)"  # macros/types.sql quantity_type

# Contract columns of marts.fct_invoices, in the contract's order.
INVOICE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("invoice_id", "varchar"),
    ("account_id", "varchar"),
    ("currency", "varchar"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("status", "varchar"),
    ("subtotal", MONEY),
    ("total", MONEY),
    ("line_count", "bigint"),
)

# Contract columns of marts.fct_invoice_lines, in the contract's order.
INVOICE_LINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("invoice_line_id", "varchar"),
    ("invoice_id", "varchar"),
    ("account_id", "varchar"),
    ("contract_id", "varchar"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("line_type", "varchar"),
    ("meter_id", "varchar"),
    ("price_id", "varchar"),
    ("dimension_value", "varchar"),
    ("quantity", QUANTITY),
    ("amount", MONEY),
    ("currency", "varchar"),
    ("description", "varchar"),
)

FROZEN_AT: tuple[str, str] = ("frozen_at", "timestamp")

# Optional columns of marts.fct_invoice_lines that are frozen too, after frozen_at (added later:
# ensure_billing_tables appends them to tables created before). adjusted_invoice_line_id: the
# frozen line an `adjustment` line corrects (null for other lines).
INVOICE_LINE_OPTIONAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("adjusted_invoice_line_id", "varchar"),
)

LEDGER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("target", "varchar"),
    ("invoice_id", "varchar"),
    ("invoice_line_id", "varchar"),
    ("external_id", "varchar"),
    ("step", "varchar"),
    ("pushed_at", "timestamp"),
)

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    FINAL_INVOICES: (*INVOICE_COLUMNS, FROZEN_AT),
    FINAL_INVOICE_LINES: (*INVOICE_LINE_COLUMNS, FROZEN_AT, *INVOICE_LINE_OPTIONAL_COLUMNS),
    PUSH_LEDGER: LEDGER_COLUMNS,
}


def column_names(columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [name for name, _ in columns]


DECIMAL_TYPE = re.compile(r"decimal\((\d+),\s*(\d+)\)", re.IGNORECASE)


def is_narrower_decimal(existing: str, wanted: str) -> bool:
    """True when `existing` is the decimal type `wanted` with fewer digits (same scale), the rule
    of the dbt macro is_narrower_decimal."""
    have, want = DECIMAL_TYPE.fullmatch(existing.strip()), DECIMAL_TYPE.fullmatch(wanted.strip())
    if have is None or want is None:
        return False
    return have.group(2) == want.group(2) and int(have.group(1)) < int(want.group(1))


def ensure_billing_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the billing schema and tables when missing; only ever appends missing columns and
    widens a decimal column created narrower than its type is now (never narrows one), as the
    dbt macro create_billing_tables does."""
    conn.execute(f"create schema if not exists {BILLING_SCHEMA}")
    for table, columns in TABLES.items():
        body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns)
        conn.execute(f"create table if not exists {table} (\n    {body}\n)")
        for name, sql_type in columns:
            conn.execute(f"alter table {table} add column if not exists {name} {sql_type}")
        schema, name = table.split(".")
        existing = dict(
            conn.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        )
        for column, sql_type in columns:
            if is_narrower_decimal(existing.get(column, ""), sql_type):
                conn.execute(f"alter table {table} alter column {column} type {sql_type}")

"""The append-only billing tables: column lists and create-if-missing DDL.

The frozen tables are made from the enforced contracts of the marts they freeze
(models/marts/_marts__models.yml): every column of the mart, in the
contract's order, with frozen_at after the data contract's own columns. The dbt macro
`create_billing_tables` (an `on-run-start` hook) makes the same tables from the same contracts,
so dbt models can read them as the source `billing` on a fresh warehouse; a test checks that both
agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml

BILLING_SCHEMA = "billing"
FINAL_INVOICES = f"{BILLING_SCHEMA}.final_invoices"
FINAL_INVOICE_LINES = f"{BILLING_SCHEMA}.final_invoice_lines"
PUSH_LEDGER = f"{BILLING_SCHEMA}.push_ledger"

MARTS_DIR = Path(__file__).resolve().parents[2] / "models" / "marts"

Columns = tuple[tuple[str, str], ...]


def mart_contract_columns(model: str) -> Columns:
    """The (name, data_type) of a mart's enforced contract, in its order."""
    document = yaml.safe_load((MARTS_DIR / "_marts__models.yml").read_text())
    [node] = [m for m in document["models"] if m["name"] == model]
    return tuple((c["name"].lower(), str(c["data_type"]).lower()) for c in node["columns"])


def split_after(columns: Columns, last: str) -> tuple[Columns, Columns]:
    """The columns up to and including `last` (the data contract's), and the rest (optional)."""
    names = [name for name, _ in columns]
    cut = names.index(last) + 1
    return columns[:cut], columns[cut:]


# Contract columns of marts.fct_invoices / fct_invoice_lines (data contract section 4), in
# order, and the optional columns the marts add after them (frozen too).
INVOICE_COLUMNS, INVOICE_OPTIONAL_COLUMNS = split_after(
    mart_contract_columns("fct_invoices"), "line_count"
)
INVOICE_LINE_COLUMNS, INVOICE_LINE_OPTIONAL_COLUMNS = split_after(
    mart_contract_columns("fct_invoice_lines"), "description"
)

FROZEN_AT: tuple[str, str] = ("frozen_at", "timestamp")

LEDGER_COLUMNS: Columns = (
    ("target", "varchar"),
    ("invoice_id", "varchar"),
    ("invoice_line_id", "varchar"),
    ("external_id", "varchar"),
    ("step", "varchar"),
    ("pushed_at", "timestamp"),
)

TABLES: dict[str, Columns] = {
    FINAL_INVOICES: (*INVOICE_COLUMNS, FROZEN_AT, *INVOICE_OPTIONAL_COLUMNS),
    FINAL_INVOICE_LINES: (*INVOICE_LINE_COLUMNS, FROZEN_AT, *INVOICE_LINE_OPTIONAL_COLUMNS),
    PUSH_LEDGER: LEDGER_COLUMNS,
}


def column_names(columns: Columns) -> list[str]:
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

"""Period close: append newly final invoices and their lines to the frozen billing tables.

The frozen tables are append-only: rows are inserted once, never updated or deleted. An invoice
is frozen the first time a run sees it `final` in `marts.fct_invoices`; from then on its frozen
rows are what billing targets receive, whatever later runs compute for its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.billing.tables import (
    FINAL_INVOICE_LINES,
    FINAL_INVOICES,
    FROZEN_AT,
    INVOICE_COLUMNS,
    INVOICE_LINE_COLUMNS,
    TABLES,
    column_names,
    ensure_billing_tables,
)

MART_INVOICES = "marts.fct_invoices"
MART_INVOICE_LINES = "marts.fct_invoice_lines"


@dataclass(frozen=True)
class FreezeResult:
    frozen_at: datetime
    invoice_ids: tuple[str, ...]
    line_count: int


def utc_now() -> datetime:
    """The current UTC time as a naive timestamp (warehouse timestamps are UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def frozen_columns(conn: duckdb.DuckDBPyConnection, table: str, mart: str) -> list[str]:
    """The columns of a frozen table (its mart's, made from the mart's contract) that the mart
    has, in the table's order: every one, unless the mart was built before a column existed."""
    schema, name = mart.split(".")
    present = {
        row[0].lower()
        for row in conn.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    wanted = [column for column, _ in TABLES[table] if column != FROZEN_AT[0]]
    required = column_names(INVOICE_COLUMNS if table == FINAL_INVOICES else INVOICE_LINE_COLUMNS)
    missing = [column for column in required if column not in present]
    if missing:
        raise RuntimeError(f"{mart} lacks the columns {missing}: build it before the period close")
    return [column for column in wanted if column in present]


def freeze_final_invoices(
    conn: duckdb.DuckDBPyConnection, frozen_at: datetime | None = None
) -> FreezeResult:
    """Append every `final` invoice not frozen yet, with its lines, in one transaction."""
    ensure_billing_tables(conn)
    frozen_at = frozen_at or utc_now()
    invoice_cols = ", ".join(frozen_columns(conn, FINAL_INVOICES, MART_INVOICES))
    line_cols = ", ".join(frozen_columns(conn, FINAL_INVOICE_LINES, MART_INVOICE_LINES))
    conn.execute("begin transaction")
    try:
        new_ids = [
            row[0]
            for row in conn.execute(
                f"""
                select invoice.invoice_id
                from {MART_INVOICES} as invoice
                where invoice.status = 'final'
                    and not exists (
                        select 1
                        from {FINAL_INVOICES} as frozen
                        where frozen.invoice_id = invoice.invoice_id
                    )
                order by invoice.invoice_id
                """
            ).fetchall()
        ]
        line_count = 0
        if new_ids:
            conn.execute("create or replace temp table _freeze_ids (invoice_id varchar)")
            conn.executemany("insert into _freeze_ids values (?)", [(i,) for i in new_ids])
            conn.execute(
                f"""
                insert into {FINAL_INVOICES} ({invoice_cols}, frozen_at)
                select {invoice_cols}, cast(? as timestamp)
                from {MART_INVOICES}
                where invoice_id in (select invoice_id from _freeze_ids)
                """,
                [frozen_at],
            )
            line_count = conn.execute(
                f"""
                insert into {FINAL_INVOICE_LINES} ({line_cols}, frozen_at)
                select {line_cols}, cast(? as timestamp)
                from {MART_INVOICE_LINES} as line
                where line.invoice_id in (select invoice_id from _freeze_ids)
                    and not exists (
                        select 1
                        from {FINAL_INVOICE_LINES} as frozen
                        where frozen.invoice_line_id = line.invoice_line_id
                    )
                """,
                [frozen_at],
            ).fetchall()[0][0]
            conn.execute("drop table _freeze_ids")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return FreezeResult(frozen_at=frozen_at, invoice_ids=tuple(new_ids), line_count=line_count)

"""Meterline's push ledger: one append-only row per successful request to a billing target.

The ledger is the record of what each target already has. A push consults it before every step
and appends a row right after each step succeeds, so a re-run, a retry after a crash or a replay
days later skips everything already done.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.billing.freeze import utc_now
from orchestration.billing.tables import PUSH_LEDGER, ensure_billing_tables


@dataclass(frozen=True)
class LedgerKey:
    target: str
    invoice_id: str
    invoice_line_id: str | None
    step: str


class PushLedger:
    """Ledger rows of one target, cached in memory and appended to the warehouse."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, target: str) -> None:
        self._conn = conn
        self.target = target
        ensure_billing_tables(conn)
        self._entries: dict[LedgerKey, str | None] = {}
        for invoice_id, invoice_line_id, step, external_id in conn.execute(
            f"""
            select invoice_id, invoice_line_id, step, external_id
            from {PUSH_LEDGER}
            where target = ?
            order by pushed_at
            """,
            [target],
        ).fetchall():
            key = LedgerKey(target, invoice_id, invoice_line_id, step)
            self._entries.setdefault(key, external_id)
        self.appended = 0

    def get(self, invoice_id: str, step: str, invoice_line_id: str | None = None) -> str | None:
        return self._entries.get(LedgerKey(self.target, invoice_id, invoice_line_id, step))

    def has(self, invoice_id: str, step: str, invoice_line_id: str | None = None) -> bool:
        return LedgerKey(self.target, invoice_id, invoice_line_id, step) in self._entries

    def record(
        self,
        invoice_id: str,
        step: str,
        external_id: str | None,
        invoice_line_id: str | None = None,
    ) -> None:
        """Append one row (committed at once) unless the same step is already recorded."""
        key = LedgerKey(self.target, invoice_id, invoice_line_id, step)
        if key in self._entries:
            return
        self._conn.execute(
            f"""
            insert into {PUSH_LEDGER}
                (target, invoice_id, invoice_line_id, external_id, step, pushed_at)
            values (?, ?, ?, ?, ?, ?)
            """,
            [self.target, invoice_id, invoice_line_id, external_id, step, utc_now()],
        )
        self._entries[key] = external_id
        self.appended += 1

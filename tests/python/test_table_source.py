"""Events read from a warehouse table (var events_source = 'table') instead of landing files.

The README's "Reading events from a warehouse table instead": a table meterline_raw.raw_events
with the landing record's columns and an optional loaded_at feeds the same models.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from conftest import run_dbt


def test_events_from_a_warehouse_table(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema meterline_raw")
        connection.execute(
            """
            create table meterline_raw.raw_events (
                event_id varchar, source varchar, event_type varchar, account_id varchar,
                occurred_at varchar, properties varchar, loaded_at timestamp
            )
            """
        )
        connection.execute(
            """
            insert into meterline_raw.raw_events values
            -- two requests for acct_globex (pay-as-you-go, UTC) in October
            ('t1', 'gw', 'api_request', 'acct_globex', '2026-10-05T10:00:00Z',
             '{"endpoint": "/v1/search"}', timestamp '2026-10-05 11:00:00'),
            ('t2', 'gw', 'api_request', 'acct_globex', '2026-10-06T10:00:00Z',
             '{"endpoint": "/v1/search"}', timestamp '2026-10-06 11:00:00'),
            -- the same (source, event_id) loaded again later: a duplicate, not counted
            ('t1', 'gw', 'api_request', 'acct_globex', '2026-10-05T10:00:00Z',
             '{"endpoint": "/v1/search"}', timestamp '2026-10-07 11:00:00'),
            -- no account: quarantined
            ('t3', 'gw', 'api_request', null, '2026-10-06T10:00:00Z',
             '{"endpoint": "/v1/search"}', timestamp '2026-10-07 11:00:00')
            """
        )
    run = run_dbt(
        ["build", "--select", "+audit_event_reconciliation +fct_rated_usage",
         "--exclude", "resource_type:unit_test", "--indirect-selection", "cautious"],
        tmp_path,
        as_of="2026-10-20",
        extra_vars={"events_source": "table"},
        database=database,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr

    totals = run.query(
        "select received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation where file_name is null"
    )
    # 4 rows = 2 accepted + 1 duplicate + 1 quarantined
    assert totals == [(4, 2, 1, 1)]
    rated = run.query(
        "select quantity, amount "
        "from marts.fct_rated_usage where account_id = 'acct_globex' "
        "and period_start = date '2026-10-01' and price_id = 'p_payg_api_search'"
    )
    # 2 search requests x 0.002 (p_payg_api_search) = 0.004 (unrounded)
    assert rated == [(Decimal(2), Decimal("0.004"))]

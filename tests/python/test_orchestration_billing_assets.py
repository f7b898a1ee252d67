"""Period close, file exports and the blocking check, materialized in-process by Dagster on a
hand-made fixture warehouse (no dbt needed)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, ExecuteInProcessResult, materialize
from fake_stripe import API_KEY, running_fake_stripe
from orchestration_fixtures import EXPECTED_STRIPE_ITEMS, FINAL_INVOICE_IDS, build_fixture_warehouse

from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
from orchestration.checks import final_invoices_unchanged, frozen_invoices_balanced
from orchestration.resources import ExportsResource, StripeResource, WarehouseResource

BILLING_ASSETS = [
    period_close,
    invoice_exports,
    stripe_invoices,
    frozen_invoices_balanced,
    final_invoices_unchanged,
]


def run_billing(
    database: Path, exports: Path, stripe: StripeResource | None = None
) -> ExecuteInProcessResult:
    return materialize(
        BILLING_ASSETS,
        resources={
            "warehouse": WarehouseResource(database_path=str(database)),
            "exports": ExportsResource(directory=str(exports)),
            # No key: the Stripe asset logs a warning and pushes nothing.
            "stripe": stripe or StripeResource(api_key_env="METERLINE_TEST_UNSET_STRIPE_KEY"),
        },
        raise_on_error=False,
    )


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database)) as conn:
        return conn.execute(sql).fetchall()


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "warehouse.duckdb")


def test_exports_only_final_invoices_matching_totals_and_replay_is_a_no_op(
    database: Path, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    result = run_billing(database, exports)
    assert result.success

    # Only the three final invoices are frozen and exported (open and draft ones are not).
    assert {r[0] for r in query(database, "select invoice_id from billing.final_invoices")} == (
        FINAL_INVOICE_IDS
    )
    assert query(database, "select count(*) from billing.final_invoice_lines") == [(8,)]
    files = {p.relative_to(exports).as_posix() for p in exports.rglob("*") if p.is_file()}
    assert files == {f"invoices/{i}.{ext}" for i in FINAL_INVOICE_IDS for ext in ("csv", "json")}

    # Every export matches marts.fct_invoices to the cent: the JSON total and the CSV lines.
    mart_totals = dict(query(database, "select invoice_id, total from marts.fct_invoices"))
    for invoice_id in FINAL_INVOICE_IDS:
        document = json.loads((exports / f"invoices/{invoice_id}.json").read_text())
        assert Decimal(document["total"]) == mart_totals[invoice_id]
        assert sum(Decimal(line["amount"]) for line in document["lines"]) == mart_totals[invoice_id]
        with (exports / f"invoices/{invoice_id}.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert sum(Decimal(row["amount"]) for row in rows) == mart_totals[invoice_id]
        assert len(rows) == document["line_count"] == len(document["lines"])
    usd = json.loads((exports / "invoices/inv_a_oct.json").read_text())
    assert usd["total"] == "157.72" and usd["subtotal"] == "230.80"
    assert [line["amount"] for line in usd["lines"]] == [
        "123.45", "7.35", "100.00", "-23.08", "-50.00"
    ]
    jpy = json.loads((exports / "invoices/inv_b_oct.json").read_text())
    assert jpy["total"] == "5500"

    # Replay: nothing new is written, frozen or recorded.
    before_files = snapshot(exports)
    before_ledger = query(database, "select * from billing.push_ledger order by all")
    before_frozen = query(database, "select * from billing.final_invoices order by all")
    replay = run_billing(database, exports)
    assert replay.success
    assert snapshot(exports) == before_files
    assert query(database, "select * from billing.push_ledger order by all") == before_ledger
    assert query(database, "select * from billing.final_invoices order by all") == before_frozen
    metadata = replay.asset_materializations_for_node("billing__invoice_exports")[0].metadata
    assert metadata["files_written"].value == 0


def test_frozen_invoice_never_changes_and_new_finals_are_appended(
    database: Path, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    assert run_billing(database, exports).success
    frozen_before = query(database, "select * from billing.final_invoices order by all")
    export_before = (exports / "invoices/inv_a_oct.json").read_bytes()

    # Late usage changes October's mart total, and November becomes final.
    with duckdb.connect(str(database)) as conn:
        conn.execute("update marts.fct_invoices set total = 160 where invoice_id = 'inv_a_oct'")
        conn.execute(
            "update marts.fct_invoices set status = 'final' where invoice_id = 'inv_a_nov'"
        )
    result = run_billing(database, exports)

    assert result.success  # the changed-total check only warns
    frozen_after = query(database, "select * from billing.final_invoices order by all")
    assert [row for row in frozen_after if row[0] != "inv_a_nov"] == frozen_before
    assert {row[0] for row in frozen_after} == FINAL_INVOICE_IDS | {"inv_a_nov"}
    assert (exports / "invoices/inv_a_oct.json").read_bytes() == export_before
    assert json.loads((exports / "invoices/inv_a_nov.json").read_text())["total"] == "5.00"
    unchanged = [
        e for e in result.get_asset_check_evaluations()
        if e.check_name == "final_invoices_unchanged"
    ]
    assert len(unchanged) == 1 and not unchanged[0].passed


def test_failing_blocking_check_stops_the_pushes(database: Path, tmp_path: Path) -> None:
    # A final invoice whose lines do not add up to its total: 157.72 claimed, while the lines
    # now say 123.45 + 7.35 + 100.00 - 23.08 - 50.01 = 157.71.
    with duckdb.connect(str(database)) as conn:
        conn.execute(
            "update marts.fct_invoice_lines set amount = -50.01 where invoice_line_id = 'l_a5'"
        )
    exports = tmp_path / "exports"
    with running_fake_stripe() as server:
        stripe = StripeResource(api_key=API_KEY, api_base=server.url, max_network_retries=0)
        result = run_billing(database, exports, stripe)
        assert server.state.requests == []  # Stripe was never called

    assert not result.success
    balanced = [
        e for e in result.get_asset_check_evaluations()
        if e.check_name == "frozen_invoices_balanced"
    ]
    assert len(balanced) == 1 and not balanced[0].passed
    materialized = {
        event.asset_key for event in result.get_asset_materialization_events()
    }
    # the close and the freeze tables it wrote, nothing after the failed check
    assert materialized == {
        AssetKey(["billing", "period_close"]),
        AssetKey(["billing", "final_invoices"]),
        AssetKey(["billing", "final_invoice_lines"]),
    }
    assert not exports.exists()
    assert query(database, "select count(*) from billing.push_ledger") == [(0,)]


def test_push_without_a_stripe_key_is_skipped_not_materialized(
    database: Path, tmp_path: Path
) -> None:
    result = run_billing(database, tmp_path / "exports")  # no Stripe key
    assert result.success
    stripe_key = AssetKey(["billing", "stripe_invoices"])
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert stripe_key not in materialized
    assert AssetKey(["billing", "invoice_exports"]) in materialized
    # the skip is reported on the asset (an observation naming the reason), not hidden
    observed = [
        event.asset_observation_data.asset_observation
        for event in result.get_asset_observation_events()
    ]
    assert [o.asset_key for o in observed] == [stripe_key]
    assert "is not set" in observed[0].metadata["skipped"].value
    # the freeze tables are materialized by the period close, with their row counts: 3 final
    # invoices (inv_a_oct, inv_b_oct, inv_c_oct) with 5 + 2 + 1 = 8 lines
    counts = {
        event.asset_key: event.materialization.metadata["dagster/row_count"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[-1] in ("final_invoices", "final_invoice_lines")
    }
    assert counts == {
        AssetKey(["billing", "final_invoices"]): 3,
        AssetKey(["billing", "final_invoice_lines"]): 8,
    }


def test_stripe_asset_pushes_once_through_dagster(database: Path, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with running_fake_stripe() as server:
        stripe = StripeResource(api_key=API_KEY, api_base=server.url, max_network_retries=0)
        assert run_billing(database, exports, stripe).success
        assert run_billing(database, exports, stripe).success
        amounts = {
            item["metadata"]["meterline_invoice_line_id"]: item["amount"]
            for item in server.state.invoice_items.values()
        }
        assert len(server.state.invoice_items) == len(EXPECTED_STRIPE_ITEMS)
        assert amounts == EXPECTED_STRIPE_ITEMS
        assert len(server.state.invoices) == 2

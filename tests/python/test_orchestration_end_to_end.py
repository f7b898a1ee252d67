"""The whole graph in-process: dbt build on the project's fixture landing files (as_of
2026-11-25), period close, file exports and the Stripe push against the fake server."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, Failure, materialize
from fake_stripe import API_KEY, running_fake_stripe
from orchestration_fixtures import REPO_ROOT, prepare_dbt_manifest

FIXTURE_LANDING = "tests/fixtures/landing"
AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def orchestration() -> dict:
    prepare_dbt_manifest()
    from orchestration import checks
    from orchestration.assets import billing, dbt

    return {"billing": billing, "dbt": dbt, "checks": checks}


def test_vars_come_from_config_then_tags_then_partition(
    orchestration: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbt = orchestration["dbt"]
    config = dbt.DbtBuildConfig
    tags = {dbt.AS_OF_TAG: "2026-11-25", dbt.LANDING_DIR_TAG: "some/dir"}
    monkeypatch.setenv("METERLINE_SENSOR_SETTLE_SECONDS", "45")
    # the dbt run skips files younger than the sensor's settle time, as the sensor does
    assert dbt.resolve_vars(config(as_of="2026-10-05"), tags, "2026-01-01") == {
        "as_of": "2026-10-05", "landing_dir": "some/dir", "landing_settle_seconds": 45.0
    }
    assert dbt.resolve_vars(config(), tags, "2026-01-01")["as_of"] == "2026-11-25"
    assert dbt.resolve_vars(config(), {}, "2026-01-01")["as_of"] == "2026-01-01"
    for bad in ("25/11/2026", "20261125"):
        with pytest.raises(ValueError):
            dbt.resolve_vars(config(as_of=bad), {}, None)


def test_dbt_failures_retry_only_when_transient(orchestration: dict) -> None:
    failure_for = orchestration["dbt"]._failure_for
    locked = {"results": [{"unique_id": "model.x", "status": "error",
                           "message": 'IO Error: Could not set lock on file "w.duckdb"'}]}
    failed_test = {"results": [{"unique_id": "test.y", "status": "fail", "message": "Got 1"}]}
    assert isinstance(failure_for(locked), RuntimeError)
    assert isinstance(failure_for(None), RuntimeError)
    final = failure_for(failed_test)
    assert isinstance(final, Failure) and not final.allow_retries


def test_whole_graph_on_the_fixture_landing_files(
    orchestration: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fresh clone's fixture files may be seconds old: read them all
    monkeypatch.setenv("METERLINE_SENSOR_SETTLE_SECONDS", "0")
    if not (REPO_ROOT / FIXTURE_LANDING).is_dir():
        pytest.skip("fixture landing files not present")
    billing, dbt, checks = orchestration["billing"], orchestration["dbt"], orchestration["checks"]
    from orchestration.resources import ExportsResource, StripeResource, WarehouseResource

    database, exports = tmp_path / "warehouse.duckdb", tmp_path / "exports"
    assets = [
        dbt.meterline_dbt, billing.period_close, billing.invoice_exports,
        billing.stripe_invoices, checks.frozen_invoices_balanced, checks.final_invoices_unchanged,
    ]
    with running_fake_stripe() as server:
        resources = {
            "dbt": dbt.dbt_resource(),
            "warehouse": WarehouseResource(database_path=str(database)),
            "exports": ExportsResource(directory=str(exports)),
            "stripe": StripeResource(api_key=API_KEY, api_base=server.url, max_network_retries=0),
        }
        result = materialize(
            assets,
            resources=resources,
            tags={dbt.AS_OF_TAG: AS_OF, dbt.LANDING_DIR_TAG: FIXTURE_LANDING},
            # Fail fast here; the retry policy is for transient trouble in production.
            run_config={"execution": {"config": {"retries": {"disabled": {}}}}},
            raise_on_error=False,
        )
        failures = [
            (event.step_key, event.step_failure_data.error)
            for event in result.all_events
            if event.is_step_failure
        ]
        assert result.success, failures
        # the run's dbt build published the BI copy beside the warehouse (macros/bi_copy.sql)
        published = json.loads((database.parent / "bi/current/published.json").read_text())
        assert "marts.fct_invoices" in published["tables"]
        materialized = {e.asset_key for e in result.get_asset_materialization_events()}
        assert AssetKey(["marts", "fct_invoices"]) in materialized
        assert AssetKey(["billing", "stripe_invoices"]) in materialized
        dbt_checks = [e for e in result.get_asset_check_evaluations()
                      if e.asset_key == AssetKey(["marts", "fct_invoices"])]
        assert dbt_checks and all(e.passed for e in dbt_checks)

        with duckdb.connect(str(database)) as conn:
            finals = dict(conn.execute(
                "select invoice_id, total from marts.fct_invoices where status = 'final'"
            ).fetchall())
            others = {r[0] for r in conn.execute(
                "select invoice_id from marts.fct_invoices where status <> 'final'"
            ).fetchall()}
            customers = dict(conn.execute(
                "select invoice.invoice_id, account.stripe_customer_id "
                "from marts.fct_invoices as invoice "
                "inner join marts.dim_accounts as account using (account_id) "
                "where invoice.status = 'final' and account.stripe_customer_id is not null"
            ).fetchall())
            minor = dict(conn.execute(
                "select invoice.invoice_id, currency.minor_units "
                "from marts.fct_invoices as invoice "
                "inner join marts.dim_currencies as currency using (currency)"
            ).fetchall())
        assert finals and others, "the fixture should have final and non-final invoices"

        # Row counts on the tables dbt built (views are not counted) and the marts' key figures.
        with duckdb.connect(str(database)) as conn:
            [(quarantined,)] = conn.execute(
                "select count(*) from audit.audit_quarantined_events"
            ).fetchall()
            per_currency = conn.execute(
                "select currency, count(*), sum(total) from marts.fct_invoices group by currency"
            ).fetchall()
            [(lines,)] = conn.execute("select count(*) from marts.fct_invoice_lines").fetchall()
        metadata = {
            event.asset_key: event.materialization.metadata
            for event in result.get_asset_materialization_events()
        }
        invoices = metadata[AssetKey(["marts", "fct_invoices"])]
        assert invoices["dagster/row_count"].value == len(finals) + len(others)
        assert invoices["invoices"].value == len(finals) + len(others)
        assert invoices["invoices_by_status"].value["final"] == len(finals)
        table = invoices["total_billed_per_currency"].value
        for currency, count, total in per_currency:
            assert f"| {currency} | {count} | {total} |" in table
        assert metadata[AssetKey(["marts", "fct_invoice_lines"])]["dagster/row_count"].value == (
            lines
        )
        audit = metadata[AssetKey(["audit", "audit_quarantined_events"])]
        assert audit["quarantined_records"].value == audit["dagster/row_count"].value
        assert audit["quarantined_records"].value == quarantined > 0
        assert "dagster/row_count" not in metadata[AssetKey(["staging", "stg_accounts"])]

        # Exports: exactly the final invoices, totals equal to fct_invoices to the cent.
        exported = {p.stem for p in (exports / "invoices").glob("*.json")}
        assert exported == set(finals)
        for invoice_id, total in finals.items():
            document = json.loads((exports / f"invoices/{invoice_id}.json").read_text())
            assert Decimal(document["total"]) == total
            assert sum(Decimal(line["amount"]) for line in document["lines"]) == total

        # Stripe: one finalized invoice per final invoice with a customer, same total.
        pushed = {i["metadata"]["meterline_invoice_id"]: server.state.render_invoice(i)
                  for i in server.state.invoices.values()}
        assert set(pushed) == set(customers)
        for invoice_id, stripe_invoice in pushed.items():
            assert stripe_invoice["total"] == int(finals[invoice_id].scaleb(minor[invoice_id]))
            assert stripe_invoice["status"] in ("open", "paid")

        # Replay of the billing part: nothing new anywhere.
        objects = (len(server.state.invoices), len(server.state.invoice_items))
        files = {p: p.read_bytes() for p in exports.rglob("*") if p.is_file()}
        replay = materialize(assets[1:], resources=resources)
        assert replay.success
        assert (len(server.state.invoices), len(server.state.invoice_items)) == objects
        assert {p: p.read_bytes() for p in exports.rglob("*") if p.is_file()} == files

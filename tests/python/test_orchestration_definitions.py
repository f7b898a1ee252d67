"""The Dagster definitions load, with every dbt model an asset and dbt tests as checks, and the
billing tables created by dbt match the ones the orchestration creates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, Definitions
from orchestration_fixtures import REPO_ROOT, prepare_dbt_manifest

from orchestration.billing.tables import ensure_billing_tables

BILLING = ["period_close", "invoice_exports", "stripe_invoices"]


@pytest.fixture(scope="module")
def defs() -> Definitions:
    prepare_dbt_manifest()
    from orchestration.definitions import defs

    return defs


def test_definitions_wire_jobs_schedule_sensor_and_resources(defs: Definitions) -> None:
    assert defs.resolve_job_def("meterline_daily") is not None
    # the recovery for a changed landing file: the same graph, dbt with --full-refresh
    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args
    from orchestration.jobs import reload_job

    assert defs.resolve_job_def("meterline_reload") is not None
    config = DbtBuildConfig(**reload_job.config["ops"]["meterline_dbt"]["config"])
    assert "--full-refresh" in dbt_build_args({"as_of": "2026-11-25"}, config)
    assert "--full-refresh" not in dbt_build_args({"as_of": "2026-11-25"}, DbtBuildConfig())
    assert defs.resolve_schedule_def("meterline_daily_schedule").cron_schedule == "0 2 * * *"
    assert defs.resolve_sensor_def("meterline_landing_sensor") is not None
    assert set(defs.resources or {}) >= {"dbt", "warehouse", "stripe", "exports"}


def test_every_dbt_model_is_an_asset_and_billing_assets_follow_the_marts(
    defs: Definitions,
) -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    manifest = json.loads((prepare_dbt_manifest() / "manifest.json").read_text())
    models = [
        node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")
    ]
    assert models, "the manifest lists no models"
    expected = {AssetKey([node["config"]["schema"], node["name"]]) for node in models}
    assert expected <= keys
    assert AssetKey(["marts", "fct_invoices"]) in keys
    assert AssetKey(["marts", "fct_invoice_lines"]) in keys
    for name in BILLING:
        assert AssetKey(["billing", name]) in keys
    period_close = graph.get(AssetKey(["billing", "period_close"]))
    assert period_close.parent_keys >= {
        AssetKey(["marts", "fct_invoices"]), AssetKey(["marts", "fct_invoice_lines"])
    }
    for push in ("invoice_exports", "stripe_invoices"):
        assert AssetKey(["billing", "period_close"]) in graph.get(
            AssetKey(["billing", push])
        ).parent_keys


def test_dbt_tests_are_blocking_checks_and_retries_are_set(defs: Definitions) -> None:
    from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
    from orchestration.assets.dbt import meterline_dbt
    from orchestration.checks import frozen_invoices_balanced

    mart_checks = [
        spec for spec in meterline_dbt.check_specs
        if spec.asset_key in (AssetKey(["marts", "fct_invoices"]),
                              AssetKey(["marts", "fct_invoice_lines"]))
    ]
    assert mart_checks, "no dbt test of the invoice marts became an asset check"
    assert any(spec.blocking for spec in mart_checks)
    graph = defs.resolve_asset_graph()
    check_names = {key.name for key in graph.asset_check_keys}
    assert {"frozen_invoices_balanced", "final_invoices_unchanged"} <= check_names
    [balanced] = list(frozen_invoices_balanced.check_specs)
    assert balanced.blocking
    for assets_def in (meterline_dbt, period_close, invoice_exports, stripe_invoices):
        [op_retry] = {node.retry_policy for node in [assets_def.node_def]}
        assert op_retry is not None and op_retry.max_retries >= 1


def test_dbt_hook_and_orchestration_create_the_same_billing_tables(tmp_path: Path) -> None:
    target = prepare_dbt_manifest()  # reused: partial parsing keeps this fast
    dbt_db, python_db = target.parent / "parse.duckdb", tmp_path / "python.duckdb"
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run-operation", "create_billing_tables",
         "--quiet", "--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        cwd=REPO_ROOT, env={**os.environ, "METERLINE_DUCKDB_PATH": str(dbt_db)}, check=True,
    )
    with duckdb.connect(str(python_db)) as conn:
        ensure_billing_tables(conn)
        ensure_billing_tables(conn)  # idempotent
    sql = (
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'billing' order by table_name, ordinal_position"
    )
    with duckdb.connect(str(dbt_db)) as conn:
        from_dbt = conn.execute(sql).fetchall()
    with duckdb.connect(str(python_db)) as conn:
        from_python = conn.execute(sql).fetchall()
    assert from_dbt and from_dbt == from_python
    assert {t for t, _, _ in from_dbt} == {"final_invoices", "final_invoice_lines", "push_ledger"}


def test_schedule_cron_is_configurable_by_env() -> None:
    code = "from orchestration.schedules import daily_rating_schedule as s; print(s.cron_schedule)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, check=True, capture_output=True, text=True,
        env={**os.environ, "METERLINE_SCHEDULE_CRON": "30 3 * * *"},
    )
    assert out.stdout.strip() == "30 3 * * *"


def test_orchestration_widens_a_quantity_column_created_narrower(tmp_path: Path) -> None:
    """A warehouse frozen before quantities were widened: decimal(22, 9) becomes decimal(37, 9)."""
    with duckdb.connect(str(tmp_path / "old.duckdb")) as conn:
        ensure_billing_tables(conn)
        conn.execute("drop table billing.final_invoice_lines")
        conn.execute(
            "create table billing.final_invoice_lines (invoice_line_id varchar,"
            " quantity decimal(22, 9))"
        )
        conn.execute("insert into billing.final_invoice_lines values ('l1', 1234.5)")
        ensure_billing_tables(conn)
        assert conn.execute(
            "select data_type from information_schema.columns where table_schema = 'billing'"
            " and table_name = 'final_invoice_lines' and column_name = 'quantity'"
        ).fetchall() == [("DECIMAL(37,9)",)]
        assert conn.execute(
            "select quantity from billing.final_invoice_lines"
        ).fetchall() == [(Decimal("1234.500000000"),)]

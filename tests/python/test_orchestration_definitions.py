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

BILLING = ["period_close", "invoice_exports", "stripe_invoices", "usage_statements"]


@pytest.fixture(scope="module")
def defs() -> Definitions:
    prepare_dbt_manifest()
    from orchestration.definitions import defs

    return defs


def test_definitions_wire_jobs_schedule_sensor_and_resources(defs: Definitions) -> None:
    assert defs.resolve_job_def("meterline_daily") is not None
    # the recovery for a changed landing file: the same graph, dbt with --full-refresh
    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args, dbt_env
    from orchestration.jobs import reload_job

    assert defs.resolve_job_def("meterline_reload") is not None
    config = DbtBuildConfig(**reload_job.config["ops"]["meterline_dbt"]["config"])
    assert "--full-refresh" in dbt_build_args(config)
    assert "--full-refresh" not in dbt_build_args(DbtBuildConfig())
    # the run's settings travel in the environment, never --vars (which would make dbt parse
    # the whole project again whenever as_of changes)
    assert "--vars" not in dbt_build_args(config)
    assert dbt_env({"as_of": "2026-11-25", "landing_dir": "data/landing",
                    "landing_settle_seconds": 30}) == {
        "METERLINE_AS_OF": "2026-11-25", "METERLINE_LANDING_DIR": "data/landing",
        "METERLINE_LANDING_SETTLE_SECONDS": "30"}
    assert defs.resolve_schedule_def("meterline_daily_schedule").cron_schedule == "0 2 * * *"
    assert defs.resolve_sensor_def("meterline_landing_sensor") is not None
    assert set(defs.resources or {}) >= {
        "dbt", "warehouse", "stripe", "exports", "statements", "webhook"}
    # the price simulation (orchestration/simulation_job.py): run config names the candidate
    assert defs.resolve_job_def("meterline_simulate") is not None


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
    for push in ("invoice_exports", "stripe_invoices", "usage_statements"):
        assert AssetKey(["billing", "period_close"]) in graph.get(
            AssetKey(["billing", push])
        ).parent_keys


def test_dbt_tests_are_blocking_checks_and_retries_are_set(defs: Definitions) -> None:
    from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
    from orchestration.assets.dbt import meterline_dbt
    from orchestration.assets.statements import usage_statements
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
    for assets_def in (meterline_dbt, period_close, invoice_exports, stripe_invoices,
                       usage_statements):
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


LAYERS = {"ingestion", "rating", "marts", "audit", "billing"}


def test_every_asset_in_a_layer_group_with_an_owner(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(groups.values()) == LAYERS, {k: g for k, g in groups.items() if g not in LAYERS}
    # spot checks of the folder rule (models/<layer>/, models/intermediate/<layer>/, sources)
    assert groups[AssetKey(["marts", "fct_invoices"])] == "marts"
    assert groups[AssetKey(["intermediate", "int_events_accepted"])] == "ingestion"
    assert groups[AssetKey(["intermediate", "int_rated_usage"])] == "rating"
    assert groups[AssetKey(["audit", "audit_quarantined_events"])] == "audit"
    assert groups[AssetKey(["staging", "stg_landing__event_records"])] == "ingestion"
    # staging and seeds join the first layer that reads them
    assert groups[AssetKey(["staging", "stg_billing__final_invoices"])] == "rating"
    assert groups[AssetKey(["staging", "stg_prices"])] == "rating"
    assert groups[AssetKey(["seeds", "contracts"])] == "ingestion"
    assert groups[AssetKey(["billing", "final_invoices"])] == "billing"
    assert groups[AssetKey(["billing", "stripe_invoices"])] == "billing"
    unowned = [key for key in groups if not graph.get(key).owners]
    assert not unowned


def test_every_dbt_test_is_an_asset_check_with_a_description(defs: Definitions) -> None:
    manifest = json.loads((prepare_dbt_manifest() / "manifest.json").read_text())
    tests = {
        node["name"]: node for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    singular = {name for name, node in tests.items() if not node.get("test_metadata")}
    assert len(singular) >= 11
    graph = defs.resolve_asset_graph()
    checks = {key.name: key for key in graph.asset_check_keys}
    assert set(tests) <= set(checks), sorted(set(tests) - set(checks))
    descriptions = {
        key.name: graph.get_check_spec(key).description for key in graph.asset_check_keys
    }
    assert all(descriptions.values()), [name for name, d in descriptions.items() if not d]
    # a singular test's description is its own (tests/singular/*/_*__tests.yml), not a default
    for name in singular:
        assert descriptions[name] == " ".join(tests[name]["description"].split())
    # singular tests reading several models check the model named in meta.dagster.ref
    assert checks["assert_invoice_total_equals_sum_of_lines"].asset_key == AssetKey(
        ["marts", "fct_invoices"]
    )
    assert checks["assert_event_reconciliation_balances"].asset_key == AssetKey(
        ["audit", "audit_event_reconciliation"]
    )


def test_freeze_tables_are_produced_by_period_close(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    close = graph.get(AssetKey(["billing", "period_close"])).assets_def
    assert close.node_def.name == "period_close"
    for table in ("final_invoices", "final_invoice_lines"):
        key = AssetKey(["billing", table])
        node = graph.get(key)
        assert node.is_materializable
        # one step writes the close and both tables
        assert node.assets_def.node_def.name == "period_close"
        assert key in close.keys
        assert node.parent_keys >= {AssetKey(["marts", "fct_invoices"])}
        assert key in graph.get(AssetKey(["billing", "stripe_invoices"])).parent_keys
    # the staging views read an earlier run's freeze: no edge back into dbt (it would be a cycle)
    staged = graph.get(AssetKey(["staging", "stg_billing__final_invoices"]))
    assert not {key for key in staged.parent_keys if key.path[0] == "billing"}


def test_jobs_select_dbt_by_the_shared_selector(defs: Definitions) -> None:
    from orchestration.assets.dbt import meterline_dbt
    from orchestration.jobs import DAILY_SELECTOR

    selectors = (REPO_ROOT / "selectors.yml").read_text()
    assert f"name: {DAILY_SELECTOR}" in selectors
    assert meterline_dbt.op.tags["dagster_dbt/selector"] == DAILY_SELECTOR
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("meterline_daily")
    assert set(job.asset_layer.selected_asset_keys) == graph.get_all_asset_keys()
    assert "--selector daily" in (REPO_ROOT / "Makefile").read_text()


def test_automation_starts_stopped_unless_asked() -> None:
    from dagster import DefaultScheduleStatus

    from orchestration.dagster_launcher import launch_settings
    from orchestration.settings import automation_enabled, schedule_status

    assert not automation_enabled({})
    assert not automation_enabled({"METERLINE_AUTOMATION": "off"})
    assert automation_enabled({"METERLINE_AUTOMATION": "on"})
    assert launch_settings({}).env["METERLINE_AUTOMATION"] == "off"
    assert launch_settings({"METERLINE_AUTOMATION": "ON"}).env["METERLINE_AUTOMATION"] == "on"
    settings = launch_settings({"DAGSTER_PORT": "3456"})
    assert settings.url == "http://127.0.0.1:3456" and "3456" in settings.command()
    # the schedule in this process: the test environment does not ask for automation
    if not automation_enabled():
        assert schedule_status() == DefaultScheduleStatus.STOPPED


def test_launcher_stops_the_whole_process_group() -> None:
    """`dagster dev` in the background ignores SIGTERM: the launcher kills its process group."""
    import time

    from orchestration.dagster_launcher import stop_group

    # a parent and a child that both ignore SIGTERM and SIGINT, as dagster dev's processes do
    stubborn = "trap '' TERM INT; sleep 60 & echo $!; wait"
    process = subprocess.Popen(
        ["sh", "-c", stubborn], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdout is not None
    child = int(process.stdout.readline())
    started = time.monotonic()
    stop_group(process, grace=0.5)
    assert process.poll() is not None
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    # the grandchild went with the group (SIGTERM ignored, SIGKILL after the grace): gone, or a
    # zombie waiting for whoever adopted it
    status = Path(f"/proc/{child}/status")
    assert not status.exists() or "\nState:\tZ" in status.read_text()


def test_billing_job_runs_its_selector_and_reports_only_what_it_selected(
    defs: Definitions,
) -> None:
    from types import SimpleNamespace

    from dagster import (
        AssetCheckEvaluation,
        AssetCheckKey,
        AssetCheckResult,
        AssetMaterialization,
        AssetObservation,
        Output,
    )

    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args
    from orchestration.assets.dbt_selector import as_step_events
    from orchestration.jobs import BILLING_SELECTOR, billing_job

    assert f"name: {BILLING_SELECTOR}" in (REPO_ROOT / "selectors.yml").read_text()
    config = DbtBuildConfig(**billing_job.config["ops"]["meterline_dbt"]["config"])
    assert config.selector == "billing"
    selected = set(defs.resolve_job_def("meterline_billing").asset_layer.selected_asset_keys)
    invoices = AssetKey(["marts", "fct_invoices"])
    audit = AssetKey(["audit", "audit_duplicate_events"])
    assert {invoices, AssetKey(["marts", "fct_invoice_lines"]),
            AssetKey(["billing", "stripe_invoices"])} <= selected
    assert audit not in selected and AssetKey(["marts", "fct_usage_daily"]) not in selected
    assert "--full-refresh" not in dbt_build_args(config)

    check = AssetCheckKey(invoices, "unique_fct_invoices_invoice_id")
    context = SimpleNamespace(
        selected_asset_keys={invoices}, selected_asset_check_keys={check},
        log=SimpleNamespace(info=lambda message: None),
    )
    events = list(as_step_events([
        AssetMaterialization(asset_key=invoices, metadata={"unique_id": "model.x"}),
        AssetMaterialization(asset_key=audit),
        AssetCheckEvaluation(asset_key=invoices, check_name=check.name, passed=False),
        AssetCheckEvaluation(asset_key=audit, check_name="other", passed=True),
    ], context))
    [output, observation, result] = events
    assert isinstance(output, Output) and output.output_name == invoices.to_python_identifier()
    assert output.metadata["unique_id"].value == "model.x"
    assert isinstance(observation, AssetObservation) and observation.asset_key == audit
    assert isinstance(result, AssetCheckResult) and not result.passed

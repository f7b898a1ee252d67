"""The semantic layer (MetricFlow) and the BI copy on the fixture build.

One fixture build per module (tests/fixtures/landing, as_of 2026-11-25), reused by every test:
MetricFlow's answers = SQL on the marts, per currency, to the cent; money metrics refused
without a currency; the BI copy equals the marts, carries their descriptions, opens in
DuckDB 1.x's storage format, is readable by another process while a build runs, and is not
replaced by a run with errors.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun, run_dbt

from orchestration import metrics
from orchestration.bi_copy import CURRENT, DUCKDB_FILE, PUBLISHED_FILE

LANDING = PROJECT_DIR / "tests" / "fixtures" / "landing"
AS_OF = "2026-11-25"
# Test runs leave the BI copy off (conftest.py); these runs publish it, as every build does.
BI_COPY_ON = {"METERLINE_BI_COPY": "true"}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtRun]:
    """The fixture scenario built once (models and seeds, no tests): work dir and run."""
    work_dir = tmp_path_factory.mktemp("finance")
    run = run_dbt(
        ["build", "--exclude", "resource_type:test", "resource_type:unit_test"],
        work_dir,
        landing_dir=LANDING,
        as_of=AS_OF,
        env=BI_COPY_ON,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return work_dir, run


@pytest.fixture(scope="module")
def layer(build: tuple[Path, DbtRun]):
    work_dir, run = build
    semantic_layer = metrics.SemanticLayer(work_dir / "target", run.database)
    yield semantic_layer
    semantic_layer.close()


def _by_key(rows: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
    """Rows (key..., value) as {key: value}; dates and timestamps compared as dates."""
    out = {}
    for row in rows:
        key = tuple(value.date() if hasattr(value, "date") else value for value in row[:-1])
        out[key] = row[-1]
    return out


def _mf(layer: metrics.SemanticLayer, metric: str, group_by: list[str]) -> dict:
    result = layer.query([metric], group_by)
    positions = [result.columns.index(name) for name in group_by]
    value = result.columns.index(metric)
    return _by_key([tuple(row[i] for i in positions) + (row[value],) for row in result.rows])


# --- the currency guard ---------------------------------------------------------------------


def test_a_money_metric_without_currency_is_refused(layer: metrics.SemanticLayer, capsys) -> None:
    money = sorted(name for name, meta in layer.metric_meta.items() if meta.get("money"))
    assert money == ["billed_revenue", "commitment_drawdown", "credits_applied", "usage_revenue"]
    for name in money:
        with pytest.raises(metrics.MetricsError, match="one currency only"):
            layer.query([name], ["metric_time__month"])
    # a dimension of the currency is not the currency
    with pytest.raises(metrics.MetricsError, match="one currency only"):
        layer.query(["billed_revenue"], ["contract__plan_currency"])
    with pytest.raises(metrics.MetricsError, match="ISO 4217"):
        layer.query(["billed_revenue"], [], currency="usd' or 1=1 --")
    with pytest.raises(metrics.MetricsError, match="different units"):
        layer.query(["usage_quantity"], ["metric_time__month"])
    # the command line says why and exits 2
    code = metrics.main(
        [
            "--target-path",
            str(layer.target_path),
            "--database",
            str(layer.database),
            "--metrics",
            "billed_revenue",
            "--group-by",
            "contract__plan_id,metric_time__month",
        ]
    )
    assert code == 2
    assert "one currency only" in capsys.readouterr().err
    # a non-money metric needs no currency
    assert layer.query(["invoices"], ["invoice__status"]).rows


def test_one_currency_with_currency_option(layer: metrics.SemanticLayer) -> None:
    # Hand-checked from the seeds: acct_tanaka (c_tanaka, plan payg_jpy) pays the JPY platform
    # fee p_jpy_platform, 7000 JPY per calendar month, for September, October and November
    # 2026; its usage lines round to 0 yen (JPY has 0 minor units; 200 fixture tokens x
    # 0.0003 JPY = 0.06 JPY). No other account bills in JPY. 3 x 7000 = 21000 JPY.
    jpy = layer.query(["billed_revenue"], ["metric_time__month"], currency="JPY")
    assert sorted(row[1] for row in jpy.rows) == [Decimal(7000)] * 3
    assert sum(row[1] for row in jpy.rows) == Decimal(21000)
    # EUR: acct_hooli and acct_initrode_eu (plan payg_eur) pay p_eur_platform, 45.00 EUR a month
    # each; their usage rounds to 0.00 EUR. Per month 2 x 45.00 = 90.00 EUR.
    eur = _mf(layer, "billed_revenue", ["currency", "contract__plan_id", "metric_time__month"])
    for month in ("2026-09-01", "2026-10-01", "2026-11-01"):
        key = ("EUR", "payg_eur", datetime.date.fromisoformat(month))
        assert eur[key] == Decimal("90.00")


# --- MetricFlow = SQL on the marts, per currency, to the cent --------------------------------


def _sql(run: DbtRun, query: str) -> dict:
    return _by_key(run.query(query))


def test_billed_revenue_by_plan_and_month_equals_the_marts(
    layer: metrics.SemanticLayer, build: tuple[Path, DbtRun]
) -> None:
    _, run = build
    group_by = ["currency", "contract__plan_id", "metric_time__month"]
    expected = _sql(
        run,
        """
        select lines.currency, contracts.plan_id, date_trunc('month', lines.period_start),
            sum(lines.amount)
        from marts.fct_invoice_lines as lines
        left join marts.dim_contracts as contracts on lines.contract_id = contracts.contract_id
        group by all
        """,
    )
    assert len({key[0] for key in expected}) == 3  # USD, EUR and JPY all there
    assert _mf(layer, "billed_revenue", group_by) == expected
    # and per currency it is what the invoices total
    totals = _sql(run, "select currency, sum(total) from marts.fct_invoices group by all")
    assert _mf(layer, "billed_revenue", ["currency"]) == totals


def test_every_metric_equals_the_marts(
    layer: metrics.SemanticLayer, build: tuple[Path, DbtRun]
) -> None:
    _, run = build
    cases = [
        (
            "usage_revenue",
            ["currency", "meter", "contract__plan_id"],
            """
            select lines.currency, lines.meter_id, contracts.plan_id, sum(lines.amount)
            from marts.fct_invoice_lines as lines
            left join marts.dim_contracts as contracts on lines.contract_id = contracts.contract_id
            where lines.line_type = 'usage'
            group by all
            """,
        ),
        (
            "credits_applied",
            ["currency", "metric_time__month"],
            """
            select currency, date_trunc('month', entry_on), -sum(amount)
            from marts.fct_credit_ledger where entry_type = 'applied' group by all
            """,
        ),
        (
            "commitment_drawdown",
            ["currency"],
            """
            select currency, -sum(amount)
            from marts.fct_commitment_ledger where entry_type = 'drawdown' group by all
            """,
        ),
        (
            "invoices",
            ["invoice__status"],
            "select status, count(*) from marts.fct_invoices group by all",
        ),
        (
            "usage_quantity",
            ["meter"],
            """
            select usage.meter_id, sum(usage.quantity)
            from marts.fct_usage_daily as usage
            inner join marts.dim_meters as meters on usage.meter_id = meters.meter_id
            where meters.is_additive
            group by all
            """,
        ),
    ]
    for metric, group_by, query in cases:
        expected = _sql(run, query)
        assert expected, metric  # the fixture exercises every metric
        assert _mf(layer, metric, group_by) == expected, metric


# --- the BI copy ------------------------------------------------------------------------------


def _copy_dir(run: DbtRun) -> Path:
    return run.database.parent / "bi"


def test_bi_copy_equals_the_marts(build: tuple[Path, DbtRun]) -> None:
    _, run = build
    current = _copy_dir(run) / CURRENT
    assert current.is_symlink()
    published = json.loads((current / PUBLISHED_FILE).read_text())
    models = {
        f"{schema}.{table}"
        for schema, table in run.query(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('marts', 'audit')"
        )
    }
    assert set(published["tables"]) == models
    assert {"marts.fct_invoices", "marts.fct_invoice_lines", "audit.audit_quarantined_events"} <= models
    with duckdb.connect() as connection:
        connection.execute(f"attach '{run.database}' as warehouse (read_only)")
        connection.execute(f"attach '{current / DUCKDB_FILE}' as copy (read_only)")
        tags = dict(connection.execute("select database_name, tags from duckdb_databases()").fetchall())
        assert tags["copy"]["storage_version"].startswith("v1.0.0")  # DuckDB 1.x opens it
        for name in sorted(models):
            table = name.split(".")[1]
            original = f"warehouse.{name}"
            for copied in (f"copy.{name}", f"read_parquet('{current / table}.parquet')"):
                differences = connection.execute(
                    f"select count(*) from ((select * from {original} except all select * from {copied})"
                    f" union all (select * from {copied} except all select * from {original}))"
                ).fetchall()[0][0]
                assert differences == 0, (name, copied)
        # the marts' descriptions (persist_docs) are in the copy for BI tools
        comment = connection.execute(
            "select comment from duckdb_columns() where database_name = 'copy'"
            " and table_name = 'fct_invoices' and column_name = 'total'"
        ).fetchall()
        assert comment == [("Sum of all lines; never negative.",)]


READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

bi, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
# a BI connection held open on the copy for the whole build
held = duckdb.connect(str(bi / "current" / "meterline.duckdb"), read_only=True)
held_count = held.execute("select count(*) from marts.fct_invoices").fetchall()[0][0]
while not stop.exists():
    started = time.time()
    try:
        folder = (bi / "current").resolve()
        published = json.loads((folder / "published.json").read_text())
        with duckdb.connect(str(folder / "meterline.duckdb"), read_only=True) as connection:
            counts = {
                name: connection.execute(f"select count(*) from {name}").fetchall()[0][0]
                for name in published["tables"]
            }
            parquet = {
                name: connection.execute(
                    f"select count(*) from read_parquet('{folder}/{name.split('.')[1]}.parquet')"
                ).fetchall()[0][0]
                for name in published["tables"]
            }
        with duckdb.connect(str(bi / "current" / "meterline.duckdb"), read_only=True) as direct:
            direct.execute("select count(*) from marts.fct_invoice_lines").fetchall()
        record = {"started": started, "version": published["version"],
                  "tables": len(counts), "complete": counts == parquet}
    except Exception as error:
        record = {"started": started, "error": repr(error)}
    out.write(json.dumps(record) + "\n")
    out.flush()
    time.sleep(0.02)
assert held.execute("select count(*) from marts.fct_invoices").fetchall()[0][0] == held_count
out.write(json.dumps({"held": "ok"}) + "\n")
"""


def test_bi_copy_is_readable_during_a_build(build: tuple[Path, DbtRun]) -> None:
    work_dir, run = build
    bi = _copy_dir(run)
    before = json.loads((bi / CURRENT / PUBLISHED_FILE).read_text())["version"]
    script, stop, log = work_dir / "reader.py", work_dir / "stop", work_dir / "reader.jsonl"
    script.write_text(READER)
    reader = subprocess.Popen([sys.executable, str(script), str(bi), str(stop), str(log)])
    try:
        deadline = time.time() + 30
        while not (log.exists() and log.read_text().strip()) and time.time() < deadline:
            time.sleep(0.05)
        build_started = time.time()
        # a run (a few marts; the rest are copied as they are) while the reader reads
        second = run_dbt(
            ["run", "--select", "dim_contracts", "fct_invoices"],
            work_dir,
            landing_dir=LANDING,
            as_of=AS_OF,
            database=run.database,
            env=BI_COPY_ON,
        )
        build_ended = time.time()
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert second.returncode == 0, second.stdout[-3000:]
    assert reader.returncode == 0
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[-1] == {"held": "ok"}
    reads = records[:-1]
    assert not [record for record in reads if "error" in record], reads[:3]
    assert all(record["complete"] and record["tables"] >= 15 for record in reads)
    during = [r for r in reads if build_started <= r["started"] <= build_ended]
    assert len(during) > 10  # the reader kept reading through the build
    after = json.loads((bi / CURRENT / PUBLISHED_FILE).read_text())["version"]
    assert after != before  # the run published a new version
    assert {record["version"] for record in reads} <= {before, after}


def test_a_run_with_errors_publishes_nothing(build: tuple[Path, DbtRun]) -> None:
    work_dir, run = build
    bi = _copy_dir(run)
    before = (bi / CURRENT).resolve()
    # dim_contracts fails: its input stg_plans is gone. The marts are all there, so only the
    # run's error stops the copy.
    with duckdb.connect(str(run.database)) as connection:
        connection.execute("alter view staging.stg_plans rename to stg_plans_hidden")
    try:
        failed = run_dbt(
            ["run", "--select", "dim_contracts"],
            work_dir,
            landing_dir=LANDING,
            as_of=AS_OF,
            database=run.database,
            env=BI_COPY_ON,
        )
    finally:
        with duckdb.connect(str(run.database)) as connection:
            connection.execute("alter view staging.stg_plans_hidden rename to stg_plans")
    assert failed.returncode != 0
    assert "ERROR=1" in failed.stdout
    assert "BI copy: not published, the run had errors" in failed.stdout
    assert (bi / CURRENT).resolve() == before

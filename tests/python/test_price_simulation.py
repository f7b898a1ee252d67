"""Price simulation (README "Price simulation", DECISIONLOG "Price simulation").

On a copy of the fixture build (conftest fixture_build), orchestration.simulate rates all
history under candidate seed files into simulation_<name>:
- a candidate equal to the current book (every seed copied) gives zero deltas everywhere;
- a hand-worked price change gives the hand-worked delta on exactly the invoices it touches;
- no production table changes (every table and view outside simulation_* compared);
- a bad candidate (an unknown column, a price of an unknown meter) gives a clear error and
  no diff, and a simulation run that selects an event-path model stops before writing.
The simulations share one warehouse copy and one dbt parse (parse_cache), run one after the
other with the same name, so each later run parses only the changed seed files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DBT_EXECUTABLE, FIXTURE_AS_OF, PROJECT_DIR, DbtRun, copy_database

from orchestration.simulate import SimulationError, make_candidate_project, run_simulation

NAME = "candidate"
SCHEMA = f"simulation_{NAME}"
NOVEMBER = ("2026-11-01", "2026-12-01")


def production_snapshot(database: Path) -> dict[str, Any]:
    """Every table and view outside simulation_* schemas: its DDL and all its rows, sorted."""
    snapshot: dict[str, Any] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        relations = con.execute(
            "select schema_name, table_name, sql from duckdb_tables()"
            " where schema_name not like 'simulation_%'"
            " union all select schema_name, view_name, sql from duckdb_views()"
            " where not internal and schema_name not like 'simulation_%'"
            " order by 1, 2").fetchall()
        for schema, table, sql in relations:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            snapshot[f"{schema}.{table}"] = (sql, sorted(rows, key=repr))
    return snapshot


def candidate_folder(folder: Path, changes: dict[str, str]) -> Path:
    """Every seed of the project copied into folder, with `changes` (file -> text) over them."""
    folder.mkdir(parents=True)
    for seed in (PROJECT_DIR / "seeds").glob("*.csv"):
        shutil.copy2(seed, folder / seed.name)
    for name, text in changes.items():
        (folder / name).write_text(text)
    return folder


def replace_line(seed: str, old: str, new: str) -> str:
    text = (PROJECT_DIR / "seeds" / seed).read_text()
    assert text.count(old + "\n") == 1, f"{seed}: no line {old}"
    return text.replace(old + "\n", new + "\n")


@pytest.fixture(scope="module")
def warehouse(fixture_build: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("price_simulation")
    database = copy_database(fixture_build, work / "warehouse")
    return {"work": work, "database": database, "before": production_snapshot(database)}


def simulate(warehouse: dict[str, Any], monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    work = warehouse["work"]
    (work / "duckdb_tmp").mkdir(exist_ok=True)
    monkeypatch.setenv("METERLINE_DUCKDB_TEMP_DIR", str(work / "duckdb_tmp"))
    monkeypatch.setenv("METERLINE_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    run_simulation(NAME, warehouse["database"], folder, as_of=FIXTURE_AS_OF,
                   parse_cache=work / "parse_cache")


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_current_book_gives_zero_deltas_and_leaves_production_alone(
        warehouse: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    simulate(warehouse, monkeypatch, candidate_folder(tmp_path / "same", {}))
    database = warehouse["database"]
    invoices = query(database, f"select count(*), count(*) filter (where delta <> 0"
                     f" or current_total <> candidate_total) from {SCHEMA}.sim_invoice_diff")
    # every invoice of the fixture is there (37 in marts.fct_invoices), none changed
    assert invoices == query(database, "select count(*), 0 from marts.fct_invoices")
    lines = query(database, f"select count(*) filter (where current_amount is null"
                  f" or candidate_amount is null or delta <> 0 or quantity_delta <> 0)"
                  f" from {SCHEMA}.sim_line_diff")
    assert lines == [(0,)]
    assert query(database, f"select count(*) filter (where revenue_delta <> 0"
                 f" or accounts_paying_more + accounts_paying_less > 0)"
                 f" from {SCHEMA}.sim_summary") == [(0,)]
    assert production_snapshot(database) == warehouse["before"]


def test_a_price_change_gives_the_hand_worked_delta(
        warehouse: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Two seeds changed:
    # - prices.csv p_payg_users (package of 10 users) 5.00 -> 7.00 per package
    # - price_tiers.csv p_payg_storage tier 1 (volume, up to 100 GB) 0.25 -> 0.40 per GB
    folder = candidate_folder(tmp_path / "change", {
        "prices.csv": replace_line(
            "prices.csv", "p_payg_users,payg,,usage,active_users,,package,5.00,10,,,,,,,,,,,,",
            "p_payg_users,payg,,usage,active_users,,package,7.00,10,,,,,,,,,,,,"),
        "price_tiers.csv": replace_line(
            "price_tiers.csv", "p_payg_storage,1,100,0.25,", "p_payg_storage,1,100,0.40,"),
    })
    simulate(warehouse, monkeypatch, folder)
    database = warehouse["database"]
    changed = query(database, f"select account_id, cast(period_start as varchar),"
                    f" current_total, candidate_total, delta, delta_percent"
                    f" from {SCHEMA}.sim_invoice_diff where delta <> 0 order by 1")
    # The fixture's only non-zero users and storage usage (tests/fixtures/landing/README.md):
    # acct_wayne, Nov 2026 (payg, 5% discount, contracts.csv): users u1, u2, u3 = 3 active
    # users = 1 package of 10.
    #   current:   platform 49.00 + users 1 x 5.00 = 54.00, discount 5% = -2.70 -> 51.30
    #   candidate: platform 49.00 + users 1 x 7.00 = 56.00, discount 5% = -2.80 -> 53.20
    #   delta 1.90; 1.90 / 51.30 x 100 = 3.703703... -> 3.7037 (truncated to 4 decimals)
    # acct_globex, Nov 2026 (payg): storage max(10.5, 42.25, 30) = 42.25 GB, all in tier 1
    # (volume: every GB at the tier the quantity falls in).
    #   current:   platform 49.00 + 42.25 x 0.25 = 10.5625 -> 10.56, total 59.56
    #   candidate: platform 49.00 + 42.25 x 0.40 = 16.90, total 65.90
    #   delta 6.34; 6.34 / 59.56 x 100 = 10.644728... -> 10.6447
    # Every other user and storage quantity of the fixture is 0: no other invoice changes.
    assert changed == [
        ("acct_globex", NOVEMBER[0], Decimal("59.5600"), Decimal("65.9000"),
         Decimal("6.3400"), Decimal("10.6447")),
        ("acct_wayne", NOVEMBER[0], Decimal("51.3000"), Decimal("53.2000"),
         Decimal("1.9000"), Decimal("3.7037")),
    ]
    lines = query(database, f"select account_id, line_type, current_amount, candidate_amount,"
                  f" delta from {SCHEMA}.sim_line_diff where delta <> 0 order by 1, 2")
    assert lines == [
        ("acct_globex", "usage", Decimal("10.5600"), Decimal("16.9000"), Decimal("6.3400")),
        ("acct_wayne", "discount", Decimal("-2.7000"), Decimal("-2.8000"), Decimal("-0.1000")),
        ("acct_wayne", "usage", Decimal("5.0000"), Decimal("7.0000"), Decimal("2.0000")),
    ]
    # payg, November, USD: +6.34 + 1.90 = +8.24, two accounts paying more, globex the most
    summary = query(database, f"select revenue_delta, accounts_paying_more, accounts_paying_less,"
                    f" largest_increase_account_id, largest_increase from {SCHEMA}.sim_summary"
                    f" where plan_id = 'payg' and month_start = date '2026-11-01'"
                    f" and currency = 'USD'")
    assert summary == [(Decimal("8.2400"), 2, 0, "acct_globex", Decimal("6.3400"))]
    assert query(database, f"select count(*) from {SCHEMA}.sim_summary where revenue_delta <> 0"
                 f" and not (plan_id = 'payg' and month_start = date '2026-11-01')") == [(0,)]
    assert production_snapshot(database) == warehouse["before"]


def test_a_bad_candidate_gives_a_clear_error_and_no_diff(
        warehouse: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # an unknown column: refused before dbt runs
    misspelt = tmp_path / "misspelt"
    misspelt.mkdir()
    (misspelt / "prices.csv").write_text(
        "price_id,plan_id,charge_type,meter_id,pricing_model,unit_amout\n"
        "p_payg_users,payg,usage,active_users,per_unit,7.00\n")
    with pytest.raises(SimulationError, match="prices.csv: unknown columns unit_amout"):
        simulate(warehouse, monkeypatch, misspelt)
    # not a seed (event data is never part of a candidate)
    events = tmp_path / "events"
    events.mkdir()
    (events / "raw_events.csv").write_text("event_id\n1\n")
    with pytest.raises(SimulationError, match="raw_events.csv: not a seed"):
        simulate(warehouse, monkeypatch, events)

    # a price of a meter that does not exist: the seed checks stop the run, no diff is left
    unknown_meter = candidate_folder(tmp_path / "unknown_meter", {
        "prices.csv": replace_line(
            "prices.csv", "p_payg_users,payg,,usage,active_users,,package,5.00,10,,,,,,,,,,,,",
            "p_payg_users,payg,,usage,active_userz,,package,5.00,10,,,,,,,,,,,,"),
    })
    with pytest.raises(SimulationError) as raised:
        simulate(warehouse, monkeypatch, unknown_meter)
    message = str(raised.value)
    assert "not rated (no diff written)" in message
    assert "relationships_stg_prices_meter_id" in message
    assert "active_userz" in message
    assert query(warehouse["database"],
                 "select count(*) from information_schema.tables"
                 f" where table_schema = '{SCHEMA}' and table_name like 'sim_%'") == [(0,)]
    assert production_snapshot(warehouse["database"]) == warehouse["before"]


def test_a_simulation_run_never_builds_outside_its_schema(
        warehouse: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # dbt itself, in the last simulation's project copy (its saved parse): a selection that
    # includes an event-path model (production schema `intermediate`) stops in on-run-start
    work = warehouse["work"] / "parse_cache"
    if not (work / "project").exists():  # run alone: a project copy of its own (a full parse)
        make_candidate_project(work, {})
    (warehouse["work"] / "duckdb_tmp").mkdir(exist_ok=True)
    env = {**os.environ, "METERLINE_DUCKDB_PATH": str(warehouse["database"]),
           "METERLINE_DUCKDB_TEMP_DIR": str(warehouse["work"] / "duckdb_tmp"),
           "METERLINE_DUCKDB_MEMORY_LIMIT": "1GB", "METERLINE_AS_OF": FIXTURE_AS_OF,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [str(DBT_EXECUTABLE), "run", "--select", "int_meter_usage", "stg_prices",
         "--vars", json.dumps({"simulation": NAME}), "--project-dir", str(work / "project"),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode != 0
    assert f"would be built outside {SCHEMA}" in completed.stdout
    assert "int_meter_usage (schema intermediate)" in completed.stdout
    assert production_snapshot(warehouse["database"]) == warehouse["before"]

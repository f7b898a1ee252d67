"""The benchmark package: generator, floor script, measuring, and a smoke run of the runner."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import spark_only

from bench import generate as gen
from bench import run as bench_run
from bench.floor import FLOOR_TABLES, run_floor
from bench.floor_spark import spark_settings

REPO = Path(__file__).resolve().parents[2]
SPEC = gen.Spec(events=5_000, days=4, accounts=30, seed=7, start="2026-06-01")
RATIO_LINE = re.compile(
    r"^full_vs_floor=\d+\.\d{2} incremental_vs_full=\d+\.\d{2} idle_vs_full=\d+\.\d{2}"
    r" peak_rss_mb=\d+ events=\d+$"
)


def _rows(files: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    try:
        return con.execute(
            "select event_id, source, event_type, account_id, occurred_at, properties, filename,"
            f" file_row_number from read_parquet('{files}', filename = true,"
            " file_row_number = true) order by filename, file_row_number"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base")
    gen.generate(SPEC, out, progress=False)
    return out


def test_generator_is_deterministic(base_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    # A different worker count must not change a byte.
    gen.generate(SPEC, again, threads=1, progress=False)
    names = sorted(p.name for p in base_dir.glob("*.parquet"))
    assert names == sorted(p.name for p in again.glob("*.parquet"))
    for name in names:
        assert (base_dir / name).read_bytes() == (again / name).read_bytes(), name
    other_seed = tmp_path / "other"
    gen.generate(gen.Spec(5_000, 4, 30, seed=8), other_seed, progress=False)
    first = names[0]
    assert (other_seed / first).read_bytes() != (base_dir / first).read_bytes()


def test_generator_writes_one_file_per_day(base_dir: Path) -> None:
    assert sorted(p.name for p in base_dir.glob("*.parquet")) == [
        "events_2026-06-01.parquet",
        "events_2026-06-02.parquet",
        "events_2026-06-03.parquet",
        "events_2026-06-04.parquet",
    ]
    # Landing time: the end of the file's day.
    first = base_dir / "events_2026-06-01.parquet"
    assert first.stat().st_mtime == dt.datetime(2026, 6, 2, tzinfo=dt.UTC).timestamp()


def test_generator_counts_and_duplicates(base_dir: Path) -> None:
    rows = _rows(f"{base_dir}/*.parquet")
    # 5000 distinct events plus 5000 // 100 = 50 re-sent copies.
    assert len(rows) == 5_050
    first_seen: dict[tuple[object, object], tuple[object, ...]] = {}
    copies = []
    for row in rows:
        key = (row[1], row[0])
        if key in first_seen:
            copies.append((first_seen[key], row))
        else:
            first_seen[key] = row
    assert len(first_seen) == 5_000
    assert len(copies) == 50
    assert sorted(str(k[1]) for k in first_seen) == [f"evt_{i:012d}" for i in range(5_000)]
    # Copies repeat the payload exactly (duplicates, not conflicts) and land later.
    for original, copy in copies:
        assert original[:6] == copy[:6]
        assert (copy[6], copy[7]) > (original[6], original[7])
    assert any(copy[6] != original[6] for original, copy in copies), "none in a later file"
    assert any(copy[6] == original[6] for original, copy in copies), "none in the same file"
    # Originals are spread evenly: day d holds indices 5000*d//4 .. 5000*(d+1)//4 - 1.
    per_day: dict[str, int] = {}
    for event_id, _source, *_rest in first_seen.values():
        index = int(str(event_id).removeprefix("evt_"))
        per_day.setdefault(str(index * 4 // 5_000), 0)
        per_day[str(index * 4 // 5_000)] += 1
    assert per_day == {"0": 1_250, "1": 1_250, "2": 1_250, "3": 1_250}


def test_generator_matches_the_contract_and_meters(base_dir: Path) -> None:
    with (REPO / "seeds" / "meters.csv").open(newline="") as handle:
        meters = list(csv.DictReader(handle))
    properties_of: dict[str, set[str]] = {}
    for meter in meters:
        # gauges (one event per change of a seat count) and the demo's card payments (a few a
        # day, priced per event) are not bulk traffic: not benchmarked
        if meter["aggregation"] in ("time_weighted", "peak") or meter["event_type"] == "payment":
            continue
        names = {meter["value_property"], *meter["group_by"].split("|")} - {""}
        properties_of.setdefault(meter["event_type"], set()).update(names)
    rows = _rows(f"{base_dir}/*.parquet")
    accounts: dict[str, int] = {}
    for event_id, source, event_type, account_id, occurred_at, properties, filename, _ in rows:
        assert str(event_id).startswith("evt_") and source
        assert re.fullmatch(r"bench_\d{4}", str(account_id))
        assert 1 <= int(str(account_id)[6:]) <= 30
        accounts[str(account_id)] = accounts.get(str(account_id), 0) + 1
        stamp = dt.datetime.fromisoformat(str(occurred_at))
        assert str(occurred_at).endswith("Z") and stamp.tzinfo is not None
        file_day = dt.date.fromisoformat(Path(str(filename)).stem.removeprefix("events_"))
        assert file_day - dt.timedelta(days=gen.MAX_RESEND_LAG_DAYS) <= stamp.date() <= file_day
        payload = json.loads(str(properties))
        assert set(payload) == properties_of[str(event_type)]
        for value in payload.values():
            assert isinstance(value, (str, int, float))
    assert {str(r[2]) for r in rows} == set(properties_of)
    # Skew: the busiest account carries more than the 15 quietest together.
    counts = sorted(accounts.values(), reverse=True)
    assert counts[0] > sum(counts[-15:])


def test_append_day_adds_exactly_one_day(base_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "append"
    paths = gen.generate(SPEC, out, append_day=True, progress=False)
    assert [p.name for p in paths] == ["events_2026-06-05.parquet"]
    assert sorted(p.name for p in out.iterdir()) == ["events_2026-06-05.parquet"]
    rows = _rows(f"{out}/*.parquet")
    # 5000 // 4 = 1250 new distinct events plus 1250 // 100 = 12 copies.
    assert len(rows) == 1_262 == gen.append_rows(SPEC)
    ids = {str(r[0]) for r in rows}
    assert ids == {f"evt_{i:012d}" for i in range(5_000, 6_250)}
    assert {str(r[4])[:10] for r in rows} == {"2026-06-05"}
    base_ids = {str(r[0]) for r in _rows(f"{base_dir}/*.parquet")}
    assert not ids & base_ids


def test_generate_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--events", "300", "--days", "3", "--accounts", "5", "--out", str(tmp_path)]
    assert gen.main([*args, "--no-progress"]) == 0
    assert gen.main([*args, "--append-day"]) == 0
    assert len(list(tmp_path.glob("*.parquet"))) == 4
    assert "303 rows" in capsys.readouterr().out


def _write_landing(path: Path, rows: list[dict[str, str | None]]) -> None:
    con = duckdb.connect()
    try:
        con.execute(
            "create table t (event_id varchar, source varchar, event_type varchar,"
            " account_id varchar, occurred_at varchar, properties varchar)"
        )
        for row in rows:
            con.execute(
                "insert into t values (?, ?, ?, ?, ?, ?)",
                [row["id"], row["source"], row["type"], "a1", row["at"], row["props"]],
            )
        con.execute(f"copy t to '{path}' (format parquet)")
    finally:
        con.close()


def test_floor_dedupes_aggregates_and_rates(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    api = {"source": "gw", "type": "api_request", "props": '{"endpoint":"/x"}'}
    llm = {"source": "llm", "type": "llm_completion"}
    _write_landing(
        landing / "day1.parquet",
        [
            {**api, "id": "e1", "at": "2026-06-30T23:00:00Z"},
            {**api, "id": "e2", "at": "2026-06-01T00:00:00Z"},
            {**llm, "id": "e1", "at": "2026-06-02T00:00:00Z", "props": '{"tokens":"100"}'},
            {**llm, "id": "e3", "at": "2026-06-02T00:00:00Z", "props": '{"tokens":50}'},
        ],
    )
    _write_landing(
        landing / "day2.parquet",
        [
            # A re-sent copy of gw/e2: not counted again.
            {**api, "id": "e2", "at": "2026-06-01T00:00:00Z"},
            {**api, "id": "e4", "at": "2026-07-01T00:00:00Z"},
        ],
    )
    database = tmp_path / "floor.duckdb"
    counts = run_floor(landing, database)
    assert counts["accepted_events"] == 5
    con = duckdb.connect(str(database), read_only=True)
    try:
        rated = con.execute(
            "select meter_id, cast(period_start as varchar), cast(quantity as varchar),"
            " cast(amount as varchar) from floor_rated_usage order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert rated == [
        # June: e1 and e2 -> 2 requests x 0.001 = 0.002
        ("api_requests", "2026-06-01", "2.000000000", "0.002000000000000000"),
        # July: e4 -> 1 x 0.001
        ("api_requests", "2026-07-01", "1.000000000", "0.001000000000000000"),
        # 100 + 50 tokens = 150 x 0.000002 = 0.0003
        ("llm_tokens", "2026-06-01", "150.000000000", "0.000300000000000000"),
    ]


# Measures as `make bench` does, from a small process of its own: a child forked from a large
# parent (a pytest worker that has loaded Dagster) starts with the parent's pages resident,
# and wait4's peak would be the parent's.
MEASURE = """
import json, sys
from pathlib import Path
from bench import run
touch = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
work = Path(sys.argv[1])
out = []
for use_time in {None, run.gnu_time()}:
    seconds, peak, code = run.measure([sys.executable, "-c", touch], env={}, cwd=work,
                                      log=work / "m.log", use_time=use_time)
    out.append([use_time, seconds, peak, code])
print(json.dumps(out))
"""


def test_measure_reports_the_child_peak_rss(tmp_path: Path) -> None:
    # The child holds about 200 MB; the parent is not what is measured.
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    for use_time, seconds, peak, code in json.loads(measured.stdout):
        assert code == 0 and seconds > 0
        assert peak is not None and 190 <= peak <= 400, (use_time, peak)
    _, _, code = bench_run.measure(
        [sys.executable, "-c", "raise SystemExit(3)"],
        env={}, cwd=tmp_path, log=tmp_path / "f.log", use_time=None,
    )
    assert code == 3


def test_project_copy_adds_bench_accounts_and_leaves_repo_seeds(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in (REPO / "seeds").glob("*.csv")}
    project = bench_run.prepare_project(gen.Spec(100, 2, 3), tmp_path / "project")
    assert before == {p.name: p.read_bytes() for p in (REPO / "seeds").glob("*.csv")}
    assert (project / "dbt_project.yml").exists() and (project / "profiles.yml").exists()
    assert not (project / "tests" / "python").exists()
    with (project / "seeds" / "contracts.csv").open(newline="") as handle:
        contracts = list(csv.DictReader(handle))
    bench = [c for c in contracts if c["account_id"].startswith("bench_")]
    assert [c["account_id"] for c in bench] == ["bench_0001", "bench_0002", "bench_0003"]
    assert {(c["plan_id"], c["starts_on"], c["ends_on"]) for c in bench} == {
        ("payg", "2026-01-01", "")
    }
    repo_contracts = (REPO / "seeds" / "contracts.csv").read_text().splitlines()
    assert len(contracts) == len(repo_contracts) - 1 + 3
    with (project / "seeds" / "accounts.csv").open(newline="") as handle:
        accounts = [a for a in csv.DictReader(handle) if a["account_id"].startswith("bench_")]
    assert {a["billing_timezone"] for a in accounts} == {"UTC"}


def test_bench_run_smoke(tmp_path: Path) -> None:
    """A tiny end-to-end run: floor, full dbt build, incremental build, idle rerun, ratio line."""
    before = {p.name: p.read_bytes() for p in (REPO / "seeds").glob("*.csv")}
    proc = subprocess.run(
        [
            sys.executable, "-m", "bench.run",
            "--events", "6000", "--days", "2", "--accounts", "10",
            "--data-dir", str(tmp_path / "data"),
            "--results-dir", str(tmp_path / "results"),
            "--workdir", str(tmp_path / "work"),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert RATIO_LINE.match(last), last
    assert last.endswith("events=6000")
    results = list((tmp_path / "results").glob("custom_*.json"))
    assert len(results) == 1
    result = json.loads(results[0].read_text())
    assert result["ratio_line"] == last
    # the lineage view is read after each build: the largest usage line has its records
    for step in result["steps"][1:]:
        assert step["details"]["lineage_line_records"] > 0, step["details"]
    # the idle rerun reads nothing new and changes nothing the daily run built
    steps = {step["step"]: step for step in result["steps"]}
    assert list(steps) == [
        "floor", "meterline full build", "meterline incremental", "meterline idle rerun",
    ]
    daily, idle = steps["meterline incremental"], steps["meterline idle rerun"]
    assert idle["events"] == 0
    for figure in ("usage_event_count", "invoice_count", "lineage_line_records"):
        assert idle["details"][figure] == daily["details"][figure], figure
    assert not (tmp_path / "work").exists()
    assert before == {p.name: p.read_bytes() for p in (REPO / "seeds").glob("*.csv")}


def test_sizes_and_memory_limit() -> None:
    label, spec, memory = bench_run.resolve_spec(bench_run.parse_args(["--size", "xl"]))
    assert (label, spec.events, spec.days, memory) == ("xl", 100_000_000, 90, "4GB")
    label, spec, memory = bench_run.resolve_spec(bench_run.parse_args(["--size", "small"]))
    assert (label, spec.events, spec.days) == ("small", 200_000, 10)
    args = bench_run.parse_args(["--size", "large", "--events", "1000"])
    label, spec, _ = bench_run.resolve_spec(args)
    assert (label, spec.events, spec.days) == ("custom", 1_000, 90)
    env = bench_run.run_env(Path("/w"), Path("/w/db.duckdb"), 2, "4GB")
    assert env["METERLINE_DUCKDB_MEMORY_LIMIT"] == "4GB"
    assert env["METERLINE_DUCKDB_PATH"] == "/w/db.duckdb"
    assert env["METERLINE_DUCKDB_THREADS"] == "2"


def test_target_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert bench_run.parse_args(["--size", "small"]).target == "duckdb"
    assert bench_run.parse_args(["--size", "small", "--target", "spark"]).target == "spark"
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--size", "small", "--target", "postgres"])
    monkeypatch.delenv("METERLINE_SPARK_DIR", raising=False)
    duck = bench_run.run_env(Path("/w"), Path("/w/db.duckdb"), 2, None)
    assert duck["METERLINE_TARGET"] == "duckdb" and "METERLINE_SPARK_DIR" not in duck
    spark = bench_run.run_env(Path("/w"), Path("/w/db.duckdb"), 2, None, "spark")
    assert spark["METERLINE_TARGET"] == "spark"
    assert spark["METERLINE_SPARK_DIR"] == str(Path("/w/spark"))
    bench = bench_run.Bench(SPEC, Path("/w"), spark, None, "spark")
    assert bench.spark_warehouse == Path("/w/spark/spark-warehouse")
    assert bench_run.peak_rss_source("spark", None) == "wait4 rusage and sampled process tree RSS"
    assert bench_run.peak_rss_source("duckdb", "/usr/bin/time") == "GNU time -v"


def test_spark_settings_are_the_profiles(tmp_path: Path) -> None:
    env = {
        "METERLINE_SPARK_CORES": "3",
        "METERLINE_SPARK_DRIVER_MEMORY": "3g",
        "METERLINE_SPARK_SHUFFLE_PARTITIONS": "5",
        "METERLINE_SPARK_DIR": "/elsewhere",
    }
    settings = spark_settings(tmp_path, env)
    assert settings["spark.master"] == "local[3]"
    assert settings["spark.driver.memory"] == "3g"
    assert settings["spark.sql.shuffle.partitions"] == "5"
    assert settings["spark.sql.session.timeZone"] == "UTC"
    assert settings["spark.sql.ansi.enabled"] == "false"
    # The floor's own directory, never the profile's METERLINE_SPARK_DIR.
    assert settings["spark.sql.warehouse.dir"] == f"{tmp_path}/spark-warehouse"
    assert "{{" not in json.dumps(settings)
    defaults = spark_settings(tmp_path, {})
    assert defaults["spark.master"] == "local[2]"
    assert defaults["spark.sql.shuffle.partitions"] == "2"


def test_spark_summary_reads_table_files(tmp_path: Path) -> None:
    """Event totals of a Spark build, read from Parquet: partition folders and plain tables."""
    marts = tmp_path / "marts.db"
    con = duckdb.connect()
    try:
        for day, count in (("2026-06-01", 5), ("2026-06-02", 7)):
            folder = marts / "fct_usage_daily" / f"usage_date={day}"
            folder.mkdir(parents=True)
            con.execute(
                f"copy (select {count} as event_count union all select 1)"
                f" to '{folder}/part-00000.snappy.parquet' (format parquet)"
            )
        (marts / "fct_usage_daily" / "_SUCCESS").write_text("")
        (marts / "fct_invoices").mkdir()
        con.execute(
            f"copy (select range as invoice_id from range(3))"
            f" to '{marts}/fct_invoices/part-00000.snappy.parquet' (format parquet)"
        )
        (tmp_path / "staging.db").mkdir()
        partitions = con.execute(
            "select count(distinct usage_date) from "
            + bench_run.spark_table_files(tmp_path, "marts", "fct_usage_daily")
        ).fetchall()[0][0]
    finally:
        con.close()
    assert partitions == 2
    assert bench_run.spark_summary(tmp_path) == {
        "tables": {"marts": 2, "staging": 0},
        "usage_event_count": 14,
        "invoice_count": 3,
    }
    assert bench_run.spark_summary(tmp_path / "missing") == {}


# A child that starts a grandchild holding about 300 MB, waits until it holds it, then ends
# without waiting for it (as PySpark leaves its JVM): the child's rusage never includes it.
ORPHANING = """
import subprocess, sys, time
hold = ("b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]);"
        " print('ready', flush=True); import time; time.sleep(60)")
grandchild = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
grandchild.stdout.readline()
time.sleep(1)
grandchild.kill()
"""
MEASURE_TREE = """
import json, sys
from pathlib import Path
from bench import run
work = Path(sys.argv[1])
out = {}
for sample_tree in (False, True):
    _, peak, code = run.measure([sys.executable, "-c", sys.argv[2]], env={}, cwd=work,
                                log=work / "m.log", use_time=None, sample_tree=sample_tree)
    out[str(sample_tree)] = [peak, code]
print(json.dumps(out))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="samples /proc (Linux)")
def test_measure_samples_descendants_not_waited_for(tmp_path: Path) -> None:
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE_TREE, str(tmp_path), ORPHANING],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    result = json.loads(measured.stdout)
    rusage_peak, code = result["False"]
    sampled_peak, sampled_code = result["True"]
    assert code == sampled_code == 0
    assert rusage_peak < 150, "the rusage peak included a process that was not waited for"
    assert 300 <= sampled_peak <= 600, sampled_peak


def test_floor_cli_takes_a_target(tmp_path: Path, base_dir: Path) -> None:
    from bench import floor

    with pytest.raises(SystemExit):
        floor.main(["--target", "postgres", "--landing", str(base_dir), "--out", "x"])
    assert floor.main(["--landing", str(base_dir), "--out", str(tmp_path / "f.duckdb")]) == 0


def _floor_tables(
    con: duckdb.DuckDBPyConnection, source: Callable[[str], str]
) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: con.execute(f"select * from {source(table)} order by all").fetchall()
        for table in FLOOR_TABLES
    }


@spark_only
def test_spark_floor_gives_the_duckdb_floors_bill(base_dir: Path, tmp_path: Path) -> None:
    """One Spark floor run on the generated files plus hand-made copies that conflict."""
    landing = tmp_path / "landing"
    bench_run.link_files(base_dir, landing)
    (landing / "extra").mkdir()
    api = {"source": "gw", "type": "api_request", "props": '{"endpoint":"/x"}'}
    llm = {"source": "llm", "type": "llm_completion"}
    _write_landing(
        landing / "extra" / "day1.parquet",
        [
            {**api, "id": "c1", "at": "2026-06-30T23:30:00Z"},
            {**api, "id": "c2", "at": "2026-06-02T00:00:00Z"},
            # A later row of the same key: the first row is the one counted.
            {**api, "id": "c2", "at": "2026-07-02T00:00:00Z"},
            {**llm, "id": "c3", "at": "2026-06-03T00:00:00Z", "props": '{"tokens":"12.5"}'},
            {**api, "source": None, "id": "c4", "at": "2026-06-04T00:00:00Z"},
            {"source": "auth", "type": "user_login", "id": "c5", "at": "2026-06-05T00:00:00Z",
             "props": '{"user_id":"u1"}'},
            {"source": "auth", "type": "user_login", "id": "c6", "at": "2026-06-06T00:00:00Z",
             "props": '{"user_id":"u1"}'},
            {"source": "disk", "type": "storage_snapshot", "id": "c7",
             "at": "2026-06-07T00:00:00Z", "props": '{"gb":3.250}'},
        ],
    )
    _write_landing(
        landing / "extra" / "day2.parquet",
        [
            # Copies in a later file, in another month: not counted.
            {**api, "id": "c1", "at": "2026-07-01T00:00:00Z"},
            {**llm, "id": "c3", "at": "2026-07-03T00:00:00Z", "props": '{"tokens":1000}'},
            # No source is the source 'default'.
            {**api, "source": "default", "id": "c4", "at": "2026-07-04T00:00:00Z"},
        ],
    )
    duck_counts = run_floor(landing, tmp_path / "floor.duckdb")
    env = {**os.environ, "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.floor", "--target", "spark",
         "--landing", str(landing), "--out", str(tmp_path / "spark")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == duck_counts
    assert duck_counts["accepted_events"] == 5_000 + 7

    warehouse = tmp_path / "spark" / "spark-warehouse"
    con = duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True)
    try:
        duck = _floor_tables(con, lambda table: table)
        spark = _floor_tables(
            con, lambda table: f"read_parquet('{warehouse}/{table}/*.parquet')"
        )
    finally:
        con.close()
    assert all(duck[table] for table in FLOOR_TABLES)
    assert spark == duck
    hand_made = [
        (row[1], str(row[2]), row[3], str(row[4]))
        for row in spark["floor_usage_monthly"] if row[0] == "a1"
    ]
    assert hand_made == [
        ("active_users", "2026-06-01", 2, "1.000000000"),
        ("api_requests", "2026-06-01", 3, "3.000000000"),
        ("llm_tokens", "2026-06-01", 1, "12.500000000"),
        ("storage_gb", "2026-06-01", 1, "3.250000000"),
    ]

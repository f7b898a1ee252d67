"""Reusable helpers for end-to-end tests that run dbt, each command in a process of its own.

Every run gets its own DuckDB file, target path and log path under pytest's
tmp_path, so tests never share a warehouse with each other or with a developer.
"""

from __future__ import annotations

import atexit
import csv
import functools
import io
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_fork import run_dbt_command

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# Copied into a temporary project when seeds are overridden.
PROJECT_ENTRIES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "tests",
    "analyses",
    "seeds",
)


@dataclass
class DbtRun:
    """The outcome of one dbt invocation."""

    returncode: int
    stdout: str
    stderr: str
    database: Path

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only query on the run's DuckDB file."""
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()


def seed_csv(name: str, rows: list[dict[str, str]]) -> str:
    """rows as the CSV text of seeds/<name>, with the project's header (other columns empty)."""
    header = next(csv.reader(io.StringIO((PROJECT_DIR / "seeds" / name).read_text())))
    unknown = {key for row in rows for key in row} - set(header)
    assert not unknown, f"{name}: no columns {unknown}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in header} for row in rows)
    return out.getvalue()


def only_seeds(given: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """Every seed of the project replaced: the given rows, header only for the others."""
    return {
        path.name: seed_csv(path.name, given.get(path.name, []))
        for path in sorted((PROJECT_DIR / "seeds").glob("*.csv"))
    }


def make_project_copy(work_dir: Path, seeds: dict[str, str] | None = None) -> Path:
    """A copy of the project in work_dir/project, with seed files replaced by `seeds`.

    `seeds` maps a seed file name (e.g. "meters.csv") to its full CSV text.
    """
    project = work_dir / "project"
    project.mkdir(parents=True)
    for entry in PROJECT_ENTRIES:
        source = PROJECT_DIR / entry
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, project / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / entry)
    if not (project / "profiles.yml").exists():
        shutil.copy2(PROJECT_DIR / "profiles.yml.example", project / "profiles.yml")
    for name, text in (seeds or {}).items():
        (project / "seeds" / name).write_text(text)
    return project


# Every run sees the same profile (the warehouse as a relative path, opened from its own folder)
# and takes its settings from the environment rather than --vars, so a run can start from the
# parse this process made once: dbt then parses only the files that differ (partial parsing),
# instead of the whole project (about 15 s a run).
RUN_DATABASE_NAME = "warehouse.duckdb"
RUN_TEMP_DIR = "duckdb_tmp"


def _run_env(landing_dir: Path | None, as_of: str | None, project: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "METERLINE_DUCKDB_TEMP_DIR": RUN_TEMP_DIR,
            "METERLINE_DUCKDB_MEMORY_LIMIT": "1GB",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # The BI copy (macros/bi_copy.sql) is tested on its own (test_finance_access.py).
            "METERLINE_BI_COPY": "false",
            "METERLINE_LANDING_DIR": str(landing_dir or project / "data" / "landing"),
        }
    )
    if as_of is not None:
        env["METERLINE_AS_OF"] = as_of
    return env


def _dbt_command(args: list[str], project: Path, target: Path, logs: Path) -> list[str]:
    return [
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project if (project / "profiles.yml").exists() else PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]


@functools.cache
def _parsed_once() -> Path | None:
    """This process's parse of the project (its partial_parse.msgpack), made on first use."""
    work = Path(tempfile.mkdtemp(prefix="meterline-parse-"))
    atexit.register(shutil.rmtree, work, True)
    env = {**_run_env(None, None, PROJECT_DIR), "METERLINE_DUCKDB_PATH": RUN_DATABASE_NAME}
    command = _dbt_command(["parse", "--quiet"], PROJECT_DIR, work / "target", work / "logs")
    run_dbt_command(DBT_EXECUTABLE, command, work, env)
    msgpack = work / "target" / "partial_parse.msgpack"
    return msgpack if msgpack.exists() else None


def run_dbt(
    args: list[str],
    work_dir: Path,
    landing_dir: Path | None = None,
    as_of: str | None = None,
    extra_vars: dict[str, Any] | None = None,
    seeds: dict[str, str] | None = None,
    database: Path | None = None,
    project: Path | None = None,
    env: dict[str, str] | None = None,
) -> DbtRun:
    """Run `dbt <args>` in a process of its own (dbt_fork.py) against a private DuckDB file in work_dir.

    landing_dir and as_of reach dbt as METERLINE_LANDING_DIR and METERLINE_AS_OF (as the
    Dagster asset passes them); extra_vars as --vars. seeds (file name -> CSV text) run the
    command in a temporary copy of the project with those seed files replaced. project: run
    in this project directory instead (e.g. a copy made once with make_project_copy and
    reused). env: variables set for this run (e.g. METERLINE_BI_COPY=true).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    if project is None:
        project = make_project_copy(work_dir, seeds) if seeds else PROJECT_DIR
    database = database or work_dir / RUN_DATABASE_NAME
    run_env = _run_env(landing_dir, as_of, project)
    target = work_dir / "target"
    seed = _parsed_once()
    if seed is not None and not (target / "partial_parse.msgpack").exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seed, target / "partial_parse.msgpack")
    run_env.update(env or {})
    run_env["METERLINE_DUCKDB_PATH"] = database.name
    (database.parent / RUN_TEMP_DIR).mkdir(parents=True, exist_ok=True)
    command = _dbt_command(args, project, target, work_dir / "logs")
    if extra_vars:
        command += ["--vars", json.dumps(extra_vars)]
    completed = run_dbt_command(DBT_EXECUTABLE, command, database.parent, run_env)
    return DbtRun(completed.returncode, completed.stdout, completed.stderr, database)


def write_ndjson(
    path: Path, lines: list[str], newline: str = "\n", final_newline: bool = True
) -> Path:
    """Write lines as an NDJSON file (final_newline=False leaves the last line unterminated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(lines) + (newline if final_newline else "")
    path.write_bytes(text.encode())
    return path


def set_landed_at(path: Path, epoch_seconds: float) -> None:
    """Set a landing file's modification time (the landing order used by dedupe)."""
    os.utime(path, (epoch_seconds, epoch_seconds))


# The run that loaded a record: the time each build ran, never the same in two builds.
RUN_TIME_COLUMNS = ("batch_loaded_at",)


def without_run_times(sql: str, connection: duckdb.DuckDBPyConnection) -> str:
    """`sql` without its RUN_TIME_COLUMNS, for comparing the tables of two builds."""
    columns = [name.lower() for name in connection.sql(sql).columns]
    dropped = [name for name in RUN_TIME_COLUMNS if name in columns]
    return f"select * exclude ({', '.join(dropped)}) from ({sql})" if dropped else sql




def _comparable(value: Any) -> Any:
    # Exact decimals compare by value (Decimal('1.50') == Decimal('1.5')), never as floats.
    if isinstance(value, float):
        raise TypeError(f"binary floating point value {value!r} in a compared table")
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        with localcontext() as exact:
            exact.prec = 80  # normalize() rounds to the context's precision (28 by default)
            return value.normalize() if value != 0 else Decimal(0)
    return value


def _comparable_sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is None, str(type(value)), value if value is not None else 0)
                 for value in row)


def comparable_rows(connection: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """(column names, sorted rows) of `sql`, comparable across engines: decimals by value,
    timestamps as UTC wall time (a table written by Spark and one by DuckDB give equal rows)."""
    relation = connection.sql(sql)
    columns = [name.lower() for name in relation.columns]
    rows = [tuple(_comparable(value) for value in row) for row in relation.fetchall()]
    return columns, sorted(rows, key=_comparable_sort_key)

# Tests of incremental runs on Spark (dbt-spark session, local PySpark, Java 17): several Spark
# builds each, minutes apiece, so `make test-spark` runs them (METERLINE_TEST_SPARK=incremental),
# not `make test` (which runs the parity test on Spark).
spark_only = pytest.mark.skipif(
    os.environ.get("METERLINE_TEST_SPARK") != "incremental",
    reason="incremental runs on Spark are tested by make test-spark",
)


def spark_env(spark_dir: Path) -> dict[str, str]:
    """run_dbt's `env` for the profile's spark target, with its warehouse in spark_dir."""
    return {
        "METERLINE_TARGET": "spark",
        "METERLINE_SPARK_DIR": str(spark_dir),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }


def snapshot_spark_tables(spark_dir: Path, database: Path) -> DbtRun:
    """Every table of a Spark warehouse (the Parquet files under spark_dir/spark-warehouse)
    copied into a new DuckDB file as schema.table, so that the queries of the DuckDB tests read
    it; a table without files is left out."""
    with duckdb.connect(str(database)) as connection:
        for table_dir in sorted((spark_dir / "spark-warehouse").glob("*.db/*")):
            files = sorted(str(path) for path in table_dir.rglob("*.parquet"))
            if not table_dir.is_dir() or not files:
                continue
            schema = table_dir.parent.name.removesuffix(".db")
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(
                f"create table {schema}.{table_dir.name} as select * from read_parquet(?)",
                [files],
            )
    return DbtRun(0, "", "", database)

FIXTURE_LANDING = PROJECT_DIR / "tests" / "fixtures" / "landing"
FIXTURE_AS_OF = "2026-11-25"


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture scenario (tests/fixtures/landing, as_of 2026-11-25; every seed and model, no
    tests) built once per test process, as `make dbt-test` builds it. Read it only: a test
    that changes the warehouse works on copy_database(fixture_build, its own folder)."""
    run = run_dbt(
        ["build", "--exclude", "resource_type:test", "resource_type:unit_test"],
        tmp_path_factory.mktemp("fixture_build"),
        landing_dir=FIXTURE_LANDING,
        as_of=FIXTURE_AS_OF,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run


def copy_database(run: DbtRun, work_dir: Path) -> Path:
    """A private copy of a run's warehouse file in work_dir (warehouse.duckdb)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    copy = work_dir / RUN_DATABASE_NAME
    shutil.copy2(run.database, copy)
    return copy


@pytest.fixture
def dbt_runner(tmp_path: Path):
    """run_dbt bound to this test's tmp_path (one warehouse per call unless given)."""

    def runner(args: list[str], name: str = "run", **kwargs: Any) -> DbtRun:
        return run_dbt(args, tmp_path / name, **kwargs)

    return runner

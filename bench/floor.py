"""Run the bare-SQL floor on a landing directory.

``python -m bench.floor --landing DIR --out PATH`` runs ``bench/floor.sql`` into a fresh DuckDB
file at PATH; ``--target spark`` runs its Spark SQL equivalent, ``bench/floor_spark.sql``, with
PySpark into a fresh directory PATH (Parquet tables under ``PATH/spark-warehouse``, see
``bench/floor_spark.py``). Either prints one JSON line with the same counts: rows of each floor
table and the accepted event count.

DuckDB settings come from the same environment variables as the dbt profile:
``METERLINE_DUCKDB_THREADS``, ``METERLINE_DUCKDB_MEMORY_LIMIT``, ``METERLINE_DUCKDB_TEMP_DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")
PLACEHOLDER = "__LANDING_GLOB__"
TARGETS = ("duckdb", "spark")

# What both floors build, in order, and the query whose answer is the accepted event count.
FLOOR_TABLES = ("floor_usage_monthly", "floor_rated_usage", "floor_invoices")
ACCEPTED_EVENTS_SQL = "select coalesce(sum(event_count), 0) from floor_usage_monthly"


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def floor_script(landing_dir: Path) -> str:
    """The DuckDB floor script with the landing files' glob filled in."""
    glob = f"{landing_dir.resolve().as_posix()}/**/*.parquet"
    return FLOOR_SQL.read_text().replace(PLACEHOLDER, sql_literal(glob))


def floor_counts(scalar: Callable[[str], int]) -> dict[str, int]:
    """Rows of each floor table and the accepted event count; ``scalar`` answers one query."""
    counts = {table: scalar(f"select count(*) from {table}") for table in FLOOR_TABLES}
    counts["accepted_events"] = scalar(ACCEPTED_EVENTS_SQL)
    return counts


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """A connection with the profile's DuckDB settings, read from the same variables."""
    config: dict[str, str] = {"preserve_insertion_order": "true"}
    threads = os.environ.get("METERLINE_DUCKDB_THREADS")
    memory_limit = os.environ.get("METERLINE_DUCKDB_MEMORY_LIMIT")
    temp_dir = os.environ.get("METERLINE_DUCKDB_TEMP_DIR")
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_dir:
        Path(temp_dir).mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = temp_dir
    return duckdb.connect(str(database), config=config)


def run_floor(landing_dir: Path, database: Path) -> dict[str, int]:
    """Build the DuckDB floor tables; return row counts and the accepted event count."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(database)
    try:
        con.execute(floor_script(landing_dir))
        return floor_counts(lambda query: int(con.execute(query).fetchall()[0][0]))
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--target", choices=TARGETS, default="duckdb")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, required=True,
        help="the DuckDB database file, or (spark) the directory of the warehouse",
    )
    args = parser.parse_args(argv)
    if args.target == "spark":
        from bench.floor_spark import run_floor_spark

        counts = run_floor_spark(args.landing, args.out)
    else:
        counts = run_floor(args.landing, args.out)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

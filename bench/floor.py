"""Run the bare-SQL floor (bench/floor.sql) on a landing directory into a fresh DuckDB file.

``python -m bench.floor --landing DIR --database PATH`` prints one JSON line with what it
built. DuckDB settings come from the same environment variables as the dbt profile:
``METERLINE_DUCKDB_THREADS``, ``METERLINE_DUCKDB_MEMORY_LIMIT``, ``METERLINE_DUCKDB_TEMP_DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")
PLACEHOLDER = "__LANDING_GLOB__"


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def floor_script(landing_dir: Path) -> str:
    """The floor script with the landing files' glob filled in."""
    glob = f"{landing_dir.resolve().as_posix()}/**/*.parquet"
    return FLOOR_SQL.read_text().replace(PLACEHOLDER, sql_literal(glob))


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
    """Build the floor tables; return row counts and the accepted event count."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(database)
    try:
        con.execute(floor_script(landing_dir))
        counts: dict[str, int] = {}
        for table in ("floor_usage_monthly", "floor_rated_usage", "floor_invoices"):
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
        accepted = con.execute(
            "select coalesce(sum(event_count), 0) from floor_usage_monthly"
        ).fetchall()[0][0]
        counts["accepted_events"] = int(accepted)
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(run_floor(args.landing, args.database)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

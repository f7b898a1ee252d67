"""dbt-duckdb plugin: the SQL functions the landing reader calls (macros/ingestion/landing.sql).

Listed under `plugins` of the DuckDB output in profiles.yml (see profiles.yml.example):
- meterline_landing_plan(root, settle_seconds, loaded_json) -> VARCHAR (JSON): what
  this run reads, orchestration.landing_files.plan_reads;
- meterline_landing_rows(path, format, start, first_line) -> list of (line_number, raw_record,
  read_problem, read_detail): a file read line by line, orchestration.landing_files.read_file_rows.
Neither raises: a file that cannot be read becomes rows.
- meterline_bi_prepare(bi_dir, version) and meterline_bi_swap(bi_dir, version, tables_json,
  keep) -> VARCHAR: the BI copy's folder and its atomic swap (orchestration.bi_copy,
  macros/bi_copy.sql).
"""

from __future__ import annotations

from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import sqltypes

from orchestration.bi_copy import prepare_version, swap_current
from orchestration.landing_files import plan_reads_json, read_file_rows

ROW_TYPE = duckdb.list_type(
    duckdb.struct_type(
        {
            "line_number": sqltypes.BIGINT,
            "raw_record": sqltypes.VARCHAR,
            "read_problem": sqltypes.VARCHAR,
            "read_detail": sqltypes.VARCHAR,
        }
    )
)


def _rows(path: str, file_format: str, start: int, first_line: int) -> list[dict[str, Any]]:
    return [
        {"line_number": line, "raw_record": raw, "read_problem": problem, "read_detail": detail}
        for line, raw, problem, detail in read_file_rows(path, file_format, start, first_line)
    ]


# name -> (function, parameter types, return type)
FUNCTIONS = {
    "meterline_landing_plan": (
        plan_reads_json, [sqltypes.VARCHAR, sqltypes.DOUBLE, sqltypes.VARCHAR], sqltypes.VARCHAR
    ),
    "meterline_landing_rows": (
        _rows, [sqltypes.VARCHAR, sqltypes.VARCHAR, sqltypes.BIGINT, sqltypes.BIGINT], ROW_TYPE
    ),
    "meterline_bi_prepare": (prepare_version, [sqltypes.VARCHAR, sqltypes.VARCHAR], sqltypes.VARCHAR),
    "meterline_bi_swap": (
        swap_current,
        [sqltypes.VARCHAR, sqltypes.VARCHAR, sqltypes.VARCHAR, sqltypes.BIGINT],
        sqltypes.VARCHAR,
    ),
}


def register_functions(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the landing functions on a connection (once; a second call is a no-op).

    dbt-duckdb calls this for its connection and again for every cursor, one per model; a
    cursor sees the functions of its connection. Creating one that exists is refused at once,
    where listing `duckdb_functions()` to look first took 50 ms a call.
    """
    for name, (function, parameters, returns) in FUNCTIONS.items():
        try:
            conn.create_function(name, function, parameters, returns, side_effects=True)
        except duckdb.CatalogException as error:
            if "already exists" not in str(error):
                raise


class Plugin(BasePlugin):
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_functions(conn)

    def configure_cursor(self, cursor: duckdb.DuckDBPyConnection) -> None:
        register_functions(cursor)

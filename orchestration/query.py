"""Run one SQL query against the warehouse, read-only, and print the result as a table.

For finance and newcomers without a DuckDB command line: the marts are in schema `marts`, the
audit tables in schema `audit` (README "The marts"). The connection is read-only and closed
at once, so a query never blocks a build for longer than it runs.

Usage: python -m orchestration.query [--database PATH] ["select ..."]
       (no SQL: billed totals per currency and period, from marts.fct_invoices)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from orchestration.report import DEFAULT_DATABASE, QUERY_EXAMPLE, format_table


def render_query(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    result = con.execute(sql)
    if result.description is None:
        return ""
    headers = [column[0] for column in result.description]
    rows = result.fetchall()
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    numeric = [all(isinstance(row[i], int | float) or type(row[i]).__name__ == "Decimal"
                   for row in rows if row[i] is not None) and bool(rows)
               for i in range(len(headers))]
    align = "".join("r" if is_number else "l" for is_number in numeric)
    noun = "row" if len(rows) == 1 else "rows"
    return "\n".join(format_table(headers, cells, align) + [f"  ({len(rows)} {noun})"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("METERLINE_DUCKDB_PATH") or DEFAULT_DATABASE,
        help="DuckDB file (default env METERLINE_DUCKDB_PATH, else warehouse/meterline.duckdb)",
    )
    parser.add_argument("sql", nargs="?", default="", help="the query (default: billed totals)")
    args = parser.parse_args(argv)
    if not Path(args.database).is_file():
        print(f"query: no warehouse at {args.database} (run make demo first)", file=sys.stderr)
        return 1
    try:
        with duckdb.connect(args.database, read_only=True) as con:
            sys.stdout.write(render_query(con, args.sql.strip() or QUERY_EXAMPLE))
    except duckdb.Error as error:
        print(f"query: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

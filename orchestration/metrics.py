"""Query the semantic layer (MetricFlow) with currencies kept apart: `make metrics`.

    python -m orchestration.metrics --metrics billed_revenue \\
        --group-by contract__plan_id,metric_time__month,currency

A money metric (`meta: {money: true}` in models/marts/_marts__semantic_models.yml) is refused
unless the query groups by `currency` or names one with --currency, so that amounts in
different currencies are never added together; a per-meter metric (`meta: {per_meter: true}`)
likewise needs `meter` or --meter (DECISIONLOG "Semantic layer and currencies").

MetricFlow writes the SQL; it runs on a read-only DuckDB connection to the BI copy's DuckDB
file (macros/bi_copy.sql) when there is one, so that a query never holds a lock on the working
warehouse, else to the warehouse file (METERLINE_DUCKDB_PATH); --database picks another. The
file is attached under the catalog name the dbt manifest was built with. Nothing here writes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_DATABASE = "warehouse/meterline.duckdb"
BI_DUCKDB_FILE = Path("current") / "meterline.duckdb"
CURRENCY_GROUP = "currency"
METER_GROUP = "meter"
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_METER_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


class MetricsError(Exception):
    """A query the semantic layer refuses (e.g. a money metric across currencies)."""


@dataclass(frozen=True)
class MetricsResult:
    """A query's answer: column names and rows (amounts as Decimal), and the SQL that ran."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def guarded_request(
    metric_meta: dict[str, dict[str, Any]],
    metrics: Sequence[str],
    group_by: Sequence[str],
    where: Sequence[str] = (),
    currency: str | None = None,
    meter: str | None = None,
) -> list[str]:
    """The where filters of a query, after refusing what would mix currencies or meters.

    metric_meta: each metric's `meta` (from the semantic manifest). Raises MetricsError for an
    unknown metric, a money metric neither grouped by `currency` nor given --currency, or a
    per-meter metric neither grouped by `meter` nor given --meter.
    """
    unknown = [name for name in metrics if name not in metric_meta]
    if unknown:
        raise MetricsError(
            f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(sorted(metric_meta))}"
        )
    filters = list(where)
    money = [name for name in metrics if metric_meta[name].get("money")]
    if currency is not None:
        if not _CURRENCY_CODE.match(currency):
            raise MetricsError(f"--currency {currency!r}: expected an ISO 4217 code like USD")
        filters.append(f"{{{{ Entity('{CURRENCY_GROUP}') }}}} = '{currency}'")
    elif money and not any(name == CURRENCY_GROUP for name in group_by):
        raise MetricsError(
            f"{', '.join(money)}: money metric(s) add up amounts of one currency only - "
            f"group by '{CURRENCY_GROUP}' (--group-by ...,{CURRENCY_GROUP}) "
            "or pick one with --currency USD"
        )
    per_meter = [name for name in metrics if metric_meta[name].get("per_meter")]
    if meter is not None:
        if not _METER_ID.match(meter):
            raise MetricsError(f"--meter {meter!r}: not a meter id")
        filters.append(f"{{{{ Entity('{METER_GROUP}') }}}} = '{meter}'")
    elif per_meter and not any(name == METER_GROUP for name in group_by):
        raise MetricsError(
            f"{', '.join(per_meter)}: quantities of different meters have different units - "
            f"group by '{METER_GROUP}' or pick one with --meter"
        )
    return filters


class DuckDbReadOnlyClient:
    """MetricFlow's SqlClient protocol over a read-only DuckDB attach (no dbt adapter).

    Each query opens the file, runs and closes it again: nothing stays attached between
    queries, so a build is never kept waiting by an idle semantic layer.
    """

    def __init__(self, database: Path, catalog: str) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        if not database.exists():
            raise MetricsError(f"no warehouse at {database}: build it first (dbt build)")
        self._engine = SqlEngine.DUCKDB
        self._renderer = DuckDbSqlPlanRenderer()
        quoted_path = str(database).replace("'", "''")
        quoted_catalog = catalog.replace('"', '""')
        self._attach = f"attach '{quoted_path}' as \"{quoted_catalog}\" (read_only)"

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect()
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(self._attach)
        return connection

    @property
    def sql_engine_type(self):
        return self._engine

    @property
    def sql_plan_renderer(self):
        return self._renderer

    def fetch(self, stmt: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with self._connect() as connection:
            cursor = connection.execute(stmt)
            columns = [column[0] for column in cursor.description]
            return columns, cursor.fetchall()

    def query(self, stmt: str, sql_bind_parameter_set: Any = None):
        from metricflow.data_table.mf_table import MetricFlowDataTable

        columns, rows = self.fetch(stmt)
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=rows)

    def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self.fetch(stmt)

    def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self.fetch(f"explain {stmt}")

    def close(self) -> None:
        """Nothing stays open between queries."""

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


class SemanticLayer:
    """The project's metrics on one warehouse file: list them, query them with the guard."""

    def __init__(self, target_path: Path, database: Path) -> None:
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import (
            parse_manifest_from_dbt_generated_manifest,
        )
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        self.target_path = target_path
        self.database = database
        manifest_path = target_path / "semantic_manifest.json"
        if not manifest_path.exists():
            raise MetricsError(f"no {manifest_path}: run `dbt parse` (or a build) first")
        raw = manifest_path.read_text()
        manifest_json = json.loads(raw)
        self.metric_meta: dict[str, dict[str, Any]] = {
            metric["name"]: dict((metric.get("config") or {}).get("meta") or {})
            for metric in manifest_json["metrics"]
        }
        self.metric_descriptions = {
            metric["name"]: " ".join((metric.get("description") or "").split())
            for metric in manifest_json["metrics"]
        }
        catalogs = {
            model["node_relation"].get("database")
            for model in manifest_json["semantic_models"]
        } - {None}
        if len(catalogs) != 1:
            raise MetricsError(f"semantic models span catalogs {sorted(catalogs)}; expected one")
        self.client = DuckDbReadOnlyClient(database, catalogs.pop())
        manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=raw)
        self.engine = MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=self.client
        )

    def query(
        self,
        metrics: Sequence[str],
        group_by: Sequence[str] = (),
        where: Sequence[str] = (),
        order_by: Sequence[str] = (),
        currency: str | None = None,
        meter: str | None = None,
    ) -> MetricsResult:
        """Run a metric query through the currency and meter guard (ordered by the group-by
        unless order_by is given)."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        filters = guarded_request(self.metric_meta, metrics, group_by, where, currency, meter)
        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics),
            group_by_names=list(group_by),
            where_constraints=filters or None,
            order_by_names=list(order_by or group_by) or None,
        )
        try:
            sql = self.engine.explain(request).sql_statement.sql
        except Exception as error:  # MetricFlow's query errors name the unknown or unjoinable
            raise MetricsError(str(error)) from error
        columns, rows = self.client.fetch(sql)
        return MetricsResult(columns, rows, sql)

    def close(self) -> None:
        self.client.close()


def default_database() -> Path:
    """The BI copy's DuckDB file if published (METERLINE_BI_DIR, else bi/ beside the
    warehouse), else the warehouse file itself."""
    warehouse = Path(os.environ.get("METERLINE_DUCKDB_PATH") or DEFAULT_DATABASE)
    bi_dir = Path(os.environ.get("METERLINE_BI_DIR") or warehouse.parent / "bi")
    copy = bi_dir / BI_DUCKDB_FILE
    return copy if copy.exists() else warehouse


def _format(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def render_table(result: MetricsResult) -> str:
    """The result as a plain text table."""
    cells = [result.columns] + [[_format(value) for value in row] for row in result.rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(result.columns))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _names(values: list[str] | None) -> list[str]:
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.metrics",
        description="Query Meterline's metrics (MetricFlow) with currencies kept apart.",
    )
    parser.add_argument("--metrics", action="append", help="metric names, comma separated")
    parser.add_argument(
        "--group-by",
        action="append",
        help="dimensions/entities, comma separated (e.g. contract__plan_id,metric_time__month,"
        "currency)",
    )
    parser.add_argument("--where", action="append", default=[], help="MetricFlow where filter")
    parser.add_argument("--order-by", action="append", help="order by names, comma separated")
    parser.add_argument("--currency", help="one currency (ISO 4217), instead of grouping by it")
    parser.add_argument("--meter", help="one meter, instead of grouping by it")
    parser.add_argument(
        "--database",
        help="DuckDB file to read (default: the BI copy, else METERLINE_DUCKDB_PATH)",
    )
    parser.add_argument(
        "--target-path",
        default=os.environ.get("DBT_TARGET_PATH", "target"),
        help="dbt target folder holding semantic_manifest.json (default target)",
    )
    parser.add_argument("--list", action="store_true", help="list the metrics and exit")
    parser.add_argument("--sql", action="store_true", help="print the SQL that ran")
    args = parser.parse_args(argv)

    try:
        database = Path(args.database) if args.database else default_database()
        layer = SemanticLayer(Path(args.target_path), database)
        try:
            if args.list or not args.metrics:
                for name in sorted(layer.metric_meta):
                    tags = [key for key in ("money", "per_meter") if layer.metric_meta[name].get(key)]
                    suffix = f" [{', '.join(tags)}]" if tags else ""
                    print(f"{name}{suffix}: {layer.metric_descriptions[name]}")
                return 0
            result = layer.query(
                _names(args.metrics),
                _names(args.group_by),
                args.where,
                _names(args.order_by),
                args.currency,
                args.meter,
            )
        finally:
            layer.close()
    except MetricsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.sql:
        print(result.sql)
    print(render_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

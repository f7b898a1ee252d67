"""Row counts and key figures on the dbt materializations, read after `dbt build` has finished.

dbt holds the DuckDB file while it builds, so nothing is read during the build (dagster-dbt's
`fetch_row_counts()` queries in parallel with dbt and would hit the file lock): the events of
the build are kept, the warehouse is opened read-only once, and every materialization of a table
is given its row count (`dagster/row_count`; views are not counted, they would run their query).
Key figures come from the marts and audit tables only:

    marts/fct_invoices                invoices by status, total billed per currency
    audit/audit_quarantined_events    quarantined records by reason

Money is shown as exact decimal text, never as a float. A failed query costs the metadata, never
the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import duckdb
from dagster import AssetMaterialization, MetadataValue, Output

TABLE_MATERIALIZATIONS = ("table", "incremental", "seed", "snapshot")


def _quoted(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _markdown(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def invoice_figures(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    by_status = conn.execute(
        "select status, count(*) from marts.fct_invoices group by status order by status"
    ).fetchall()
    by_currency = conn.execute(
        """
        select
            currency,
            count(*) as invoices,
            sum(total) as total,
            sum(case when status = 'final' then total else 0 end) as final_total
        from marts.fct_invoices
        group by currency
        order by currency
        """
    ).fetchall()
    return {
        "invoices": sum(count for _, count in by_status),
        "invoices_by_status": MetadataValue.json({status: count for status, count in by_status}),
        "total_billed_per_currency": MetadataValue.md(
            _markdown(["currency", "invoices", "total (all statuses)", "total of final"],
                      by_currency)
        ),
    }


def quarantine_figures(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    by_reason = conn.execute(
        "select reason, count(*) from audit.audit_quarantined_events group by reason order by reason"
    ).fetchall()
    return {
        "quarantined_records": sum(count for _, count in by_reason),
        "quarantined_by_reason": MetadataValue.json({reason: n for reason, n in by_reason}),
    }


# model name -> figures read from that model's table (marts and audit only)
KEY_FIGURES: dict[str, Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]] = {
    "fct_invoices": invoice_figures,
    "audit_quarantined_events": quarantine_figures,
}


def _node(manifest: Mapping[str, Any], event: Any) -> Mapping[str, Any] | None:
    if not isinstance(event, (Output, AssetMaterialization)):
        return None
    unique_id = event.metadata.get("unique_id")
    text = getattr(unique_id, "text", None) or getattr(unique_id, "value", None)
    return manifest.get("nodes", {}).get(text) if text else None


def build_metadata(
    database_path: str, nodes: list[Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """unique_id -> metadata for every built table among `nodes`, from one read-only connection."""
    tables = [
        node for node in nodes
        if node.get("config", {}).get("materialized") in TABLE_MATERIALIZATIONS
    ]
    if not tables:
        return {}
    result: dict[str, dict[str, Any]] = {node["unique_id"]: {} for node in tables}
    conn = duckdb.connect(database_path, read_only=True)
    try:
        counts = conn.execute(
            " union all ".join(
                f"select {i} as position, count(*) as row_count "
                f"from {_quoted(node['schema'], node['alias'] or node['name'])}"
                for i, node in enumerate(tables)
            )
        ).fetchall()
        for position, row_count in counts:
            result[tables[position]["unique_id"]]["dagster/row_count"] = row_count
        for node in tables:
            figures = KEY_FIGURES.get(node["name"])
            if figures is not None:
                result[node["unique_id"]].update(figures(conn))
    finally:
        conn.close()
    return result


def with_table_metadata(
    events: Iterable[Any],
    manifest: Mapping[str, Any],
    database_path: str,
    warn: Callable[[str], None],
) -> Iterator[Any]:
    """The build's events in order, each table materialization with its row count and figures."""
    kept = list(events)
    nodes = [node for node in (_node(manifest, event) for event in kept) if node is not None]
    try:
        metadata = build_metadata(database_path, nodes)
    except duckdb.Error as error:
        warn(f"row counts and key figures not recorded: {error}")
        metadata = {}
    for event in kept:
        node = _node(manifest, event)
        extra = metadata.get(node["unique_id"]) if node is not None else None
        yield event.with_metadata({**event.metadata, **extra}) if extra else event

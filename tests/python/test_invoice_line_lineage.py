"""Invoice-line lineage: from a Stripe invoice item to the landed records behind it.

The fixture scenario (one shared build, `fixture_build`) is frozen and pushed to the fake
Stripe server in a private copy; one invoice item is then followed to its records with the
query documented in the finance overview (models/overview.md), as finance would run it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from conftest import PROJECT_DIR, DbtRun, copy_database
from fake_stripe import API_KEY, running_fake_stripe

from orchestration.billing.freeze import freeze_final_invoices
from orchestration.billing.invoices import load_frozen_invoices
from orchestration.billing.ledger import PushLedger
from orchestration.billing.stripe_client import StripePusher, make_client

PLACEHOLDER = "'meterline_invoice_line_id of the item'"


def documented_query() -> str:
    """The overview's example query that reads fct_invoice_line_events, with a parameter."""
    text = (PROJECT_DIR / "models" / "overview.md").read_text()
    queries = [q for q in re.findall(r"```sql\n(.*?)```", text, re.DOTALL)
               if "fct_invoice_line_events" in q]
    assert len(queries) == 1 and PLACEHOLDER in queries[0], queries
    return queries[0].replace(PLACEHOLDER, "?")


def test_stripe_item_leads_to_its_records(fixture_build: DbtRun, tmp_path: Path) -> None:
    warehouse = copy_database(fixture_build, tmp_path)
    with running_fake_stripe() as server:
        with duckdb.connect(str(warehouse)) as connection:
            freeze_final_invoices(connection)
            client = make_client(API_KEY, server.url, max_network_retries=0)
            StripePusher(client, PushLedger(connection, "stripe")).push(
                load_frozen_invoices(connection))
        items = list(server.state.invoice_items.values())

    # Globex, September 2026 (final, Stripe customer cus_globex001): api_requests on
    # /v1/search, 3 requests at 0.001 = 0.003, rounded 0.01 USD: an item of 1 cent.
    (item,) = [i for i in items if i["customer"] == "cus_globex001" and i["amount"] == 1
               and i["metadata"]["meterline_line_type"] == "usage"]
    line_id = item["metadata"]["meterline_invoice_line_id"]

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relation = connection.execute(documented_query(), [line_id])
        columns = [d[0] for d in relation.description]
        records = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]

    # tests/fixtures/landing/README.md: /v1/search = e-001 (line 1), e-003 (line 3) and
    # e-001 from source mobile (line 19) of 2026-09/api-0001.ndjson; line 8 (e-001 again) is a
    # duplicate and counts nothing. A count meter: every record counts, 3 = the quantity.
    assert [(r["event_id"], r["source"], r["file_name"], r["line_number"], r["is_counted"])
            for r in records] == [
        ("e-001", "default", "2026-09/api-0001.ndjson", 1, True),
        ("e-003", "default", "2026-09/api-0001.ndjson", 3, True),
        ("e-001", "mobile", "2026-09/api-0001.ndjson", 19, True),
    ]
    assert {(r["meter_id"], r["aggregation"], r["invoice_line_id"]) for r in records} == {
        ("api_requests", "count", line_id)}

"""Meter filters (data contract §7.6) end to end: only successful API calls are billed.

The demo seeds in a temporary copy of the project, with acct_globex's contract given its own
prices for two count meters of `api_request`: `api_requests` (0.25 a call) filtered to
`status` in 200|201, and `api_errors` (0.10 a call) filtered to `status` present and not in
200|201. October 2026 events of acct_globex; as_of 2026-11-25 (October is final). Every
expected number is worked out by hand below.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from conftest import PROJECT_DIR, run_dbt, write_ndjson

AS_OF = "2026-11-25"
# The last row is never met by these events: its value (quotes, SQL text, '|' in a neq value)
# is data, loaded and compared as plain text.
METER_FILTERS = """meter_id,property,operator,value
api_requests,status,in,200|201
api_errors,status,exists,
api_errors,status,not_in,200|201
llm_tokens,note,neq,"it's '; drop table meters; --|x"
"""


def api_call(event_id: str, status: object | None) -> str:
    properties: dict[str, object] = {"endpoint": "/v1/chat"}
    if status is not None:
        properties["status"] = status
    return json.dumps({
        "event_id": event_id,
        "event_type": "api_request",
        "account_id": "acct_globex",
        "occurred_at": "2026-10-05T10:00:00Z",
        "properties": properties,
    })


def test_only_successful_api_calls_are_billed(tmp_path: Path) -> None:
    seeds_dir = PROJECT_DIR / "seeds"
    meters = (seeds_dir / "meters.csv").read_text()
    meters += "api_errors,api_request,count,,,request,Failed API requests\n"
    prices = (seeds_dir / "prices.csv").read_text()
    prices += (
        "p_globex_api,,c_globex,usage,api_requests,,per_unit,0.25,,,,,,,,,,,,,\n"
        "p_globex_errors,,c_globex,usage,api_errors,,per_unit,0.10,,,,,,,,,,,,,\n"
    )
    landing = tmp_path / "landing"
    write_ndjson(landing / "api.ndjson", [
        api_call("s1", 200),
        api_call("s2", "200"),  # a string: the same text as the number 200
        api_call("s3", 201),
        api_call("s4", 404),
        api_call("s5", 500),
        api_call("s6", None),  # no status: fails `in` and `exists`
        api_call("s7", "201"),
        # 200.0 as written is not the text 200 (DECISIONLOG "Meter filters")
        (
            '{"event_id": "s8", "event_type": "api_request", "account_id": "acct_globex",'
            ' "occurred_at": "2026-10-05T10:00:00Z", "properties": {"endpoint": "/v1/chat",'
            ' "status": 200.0}}'
        ),
        api_call("s9", 503),
    ])

    run = run_dbt(
        ["build", "--select",
         "+fct_invoice_lines +fct_rated_usage +audit_unrated_events +audit_event_reconciliation",
         "--exclude", "resource_type:unit_test", "--indirect-selection", "cautious"],
        tmp_path,
        landing_dir=landing,
        as_of=AS_OF,
        seeds={"meters.csv": meters, "prices.csv": prices, "meter_filters.csv": METER_FILTERS},
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr

    rated = run.query(
        "select meter_id, quantity, amount from marts.fct_rated_usage "
        "where account_id = 'acct_globex' and period_start = date '2026-10-01' "
        "and price_id in ('p_globex_api', 'p_globex_errors') order by meter_id"
    )
    # api_requests: s1 200, s2 "200", s3 201, s7 "201" = 4 calls; 4 x 0.25 = 1.00
    # api_errors: s4 404, s5 500, s8 200.0, s9 503 = 4 calls; 4 x 0.10 = 0.40
    assert [(m, Decimal(q), Decimal(a)) for m, q, a in rated] == [
        ("api_errors", Decimal(4), Decimal("0.40")),
        ("api_requests", Decimal(4), Decimal("1.00")),
    ]
    lines = run.query(
        "select price_id, amount from marts.fct_invoice_lines "
        "where account_id = 'acct_globex' and period_start = date '2026-10-01' "
        "and price_id in ('p_globex_api', 'p_globex_errors') order by price_id"
    )
    assert lines == [("p_globex_api", Decimal("1.00")), ("p_globex_errors", Decimal("0.40"))]

    # s6 (no status) is excluded by both meters of api_request: filtered_out, one row per meter.
    # Every other call is read by one of the two meters: not unrated.
    assert run.query(
        "select event_id, meter_id, cast(period_start as varchar), reason "
        "from audit.audit_unrated_events order by event_id, meter_id"
    ) == [
        ("s6", "api_errors", "2026-10-01", "filtered_out"),
        ("s6", "api_requests", "2026-10-01", "filtered_out"),
    ]
    # filtered-out events are still accepted: received 9 = 9 accepted + 0 + 0
    assert run.query(
        "select received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation where file_name is null"
    ) == [(9, 9, 0, 0)]

"""Incremental daily runs give exactly what one --full-refresh over the same files gives.

Three daily loads (NDJSON and typed Parquet), each followed by an incremental `dbt build`,
including a duplicate and a conflict across days, a late event for the previous
(final) period and a late event for an earlier day, against one `--full-refresh` build
over the same files in a fresh warehouse. A meter filter is present (api_requests: status not
500 or 503) and met by NDJSON and Parquet events. Every expected number is worked out by hand.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import DbtRun, make_project_copy, run_dbt, set_landed_at, write_ndjson

AS_OF = "2026-11-25"
DAY = 86400
T0 = 1_790_000_000  # any fixed epoch: only the order of landing times matters
BUILD = ["build", "--exclude", "resource_type:unit_test", "resource_type:test"]
# The demo seeds with a meter filter: failed API calls are not billed.
METER_FILTERS = "meter_id,property,operator,value\napi_requests,status,not_in,500|503\n"

# Every table compared between the incremental warehouse and the full refresh: the event
# path always; the rating marts whenever they build (they belong to the rating models).
EVENT_PATH = [
    "marts.fct_usage_daily",
    "intermediate.int_meter_usage",
    "intermediate.int_gauge_daily_values",
    "intermediate.int_gauge_usage",
    "audit.audit_event_reconciliation",
    "audit.audit_quarantined_events",
    "audit.audit_duplicate_events",
    "audit.audit_unrated_events",
]
RATING_MARTS = [
    "marts.fct_rated_usage",
    "marts.fct_invoice_lines",
    "marts.fct_invoices",
    "marts.fct_credit_ledger",
]


def event(event_id: str, event_type: str, account: str, at: str, **properties: object) -> str:
    record: dict[str, object] = {
        "event_id": event_id,
        "event_type": event_type,
        "account_id": account,
        "occurred_at": at,
    }
    if properties:
        record["properties"] = properties
    return json.dumps(record)


def land_day(landing: Path, day: int) -> None:
    """Write the file of one day (1..3), landing at T0 + day days."""
    if day == 1:
        path = write_ndjson(
            landing / "day1.ndjson",
            [
                event("a1", "api_request", "acct_globex", "2026-11-02T10:00:00Z", endpoint="/a"),
                event(
                    "t1", "llm_completion", "acct_globex", "2026-11-02T11:00:00Z",
                    model="m", tokens="1.5",
                ),
                event("u1", "user_login", "acct_wayne", "2026-11-02T09:00:00Z", user_id="x"),
                # a gauge (seats, time_weighted; peak_seats, peak): 3 seats from November 2
                event("g1", "seat_count", "acct_stark", "2026-11-02T10:00:00Z", seats=3),
                '{"event_id": "broken", ',  # malformed_record
                # status 500: excluded by the filter of api_requests, its only meter
                event(
                    "a8", "api_request", "acct_globex", "2026-11-02T12:00:00Z",
                    endpoint="/a", status=500,
                ),
            ],
        )
    elif day == 2:
        # typed Parquet (no source column): a1 again, identical -> duplicate across days
        path = landing / "2026-11" / "day2.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table(
                {
                    "event_id": ["a1", "a2", "u2", "n1", "a9"],
                    "event_type": [
                        "api_request", "api_request", "user_login", "api_request", "api_request",
                    ],
                    "account_id": [
                        "acct_globex", "acct_globex", "acct_wayne", "acct_nobody", "acct_globex",
                    ],
                    "occurred_at": [
                        "2026-11-02T10:00:00Z",
                        "2026-11-03T10:00:00Z",
                        "2026-11-03T09:00:00Z",
                        "2026-11-03T09:00:00Z",
                        "2026-11-06T09:00:00Z",
                    ],
                    # a9: 500.0 as written is not the text 500: counted
                    "properties": [
                        '{"endpoint": "/a"}', '{"endpoint": "/b"}', '{"user_id": "x"}', None,
                        '{"endpoint": "/b", "status": 500.0}',
                    ],
                }
            ),
            path,
        )
    elif day == 3:
        path = write_ndjson(
            landing / "day3.ndjson",
            [
                # t1 with another value: conflict across days (the 1.5 of day 1 counts)
                event(
                    "t1", "llm_completion", "acct_globex", "2026-11-02T11:00:00Z",
                    model="m", tokens="9",
                ),
                # late event for October, a final period by as_of 2026-11-25
                event(
                    "t2", "llm_completion", "acct_globex", "2026-10-28T12:00:00Z",
                    model="m", tokens="2.25",
                ),
                event("u3", "user_login", "acct_wayne", "2026-11-04T09:00:00Z", user_id="y"),
                # "503" as a string: excluded like 503
                event(
                    "a10", "api_request", "acct_globex", "2026-11-05T00:00:00Z",
                    endpoint="/b", status="503",
                ),
                event("s1", "storage_snapshot", "acct_umbrella", "2026-11-04T00:00:00Z", gb=3),
                # a5 twice in one file: the second is a duplicate
                event("a5", "api_request", "acct_globex", "2026-11-04T10:00:00Z", endpoint="/a"),
                event("a5", "api_request", "acct_globex", "2026-11-04T10:00:00Z", endpoint="/a"),
                event("v1", "llm_completion", "acct_globex", "2026-11-04T10:00:00Z", tokens=-1),
                # late for 2026-11-03 (a day already built)
                event("a6", "api_request", "acct_globex", "2026-11-03T23:00:00Z", endpoint="/b"),
                event("s2", "storage_snapshot", "acct_umbrella", "2026-11-05T00:00:00Z", gb="2.5"),
                event("p1", "page_view", "acct_globex", "2026-11-05T00:00:00Z"),  # no meter
                # late gauge event for October (final): changes October and every later day
                event("g2", "seat_count", "acct_stark", "2026-10-20T10:00:00Z", seats=5),
                event("g3", "seat_count", "acct_stark", "2026-11-03T10:00:00Z", seats=-2),
            ],
        )
    set_landed_at(path, T0 + day * DAY)


def rows(database: Path, table: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return sorted(connection.execute(f"select * from {table}").fetchall(), key=repr)


def check(result: DbtRun) -> DbtRun:
    assert result.returncode == 0, result.stdout[-4000:]
    return result


def node_statuses(work: Path) -> dict[str, str]:
    """Model name -> status of the last dbt invocation run in `work`."""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results}


def check_built(result: DbtRun, work: Path) -> set[str]:
    """The event path built; returns the rating marts that built too."""
    statuses = node_statuses(work)
    upstream = [
        "stg_landing__event_records", "int_event_meter_readings", "int_events_validated",
        "int_events_deduplicated", "int_events_accepted", "int_event_meter_values",
    ]
    for name in upstream + [table.split(".")[1] for table in EVENT_PATH]:
        assert statuses.get(name) == "success", (name, result.stdout[-4000:])
    return {t for t in RATING_MARTS if statuses.get(t.split(".")[1]) == "success"}


def test_incremental_runs_equal_full_refresh(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    incremental_db = tmp_path / "incremental.duckdb"
    # one work dir (target path) and project copy for every run: dbt parses the project once
    work = tmp_path / "runs"
    project = make_project_copy(tmp_path / "copy", {"meter_filters.csv": METER_FILTERS})
    for day in range(1, 4):
        land_day(landing, day)
        daily = run_dbt(
            BUILD, work, landing_dir=landing, as_of=AS_OF, database=incremental_db, project=project,
        )
        rating_built = check_built(daily, work)
    full = run_dbt(
        [*BUILD, "--full-refresh"], work, landing_dir=landing, as_of=AS_OF,
        database=tmp_path / "full.duckdb", project=project,
    )
    rating_built &= check_built(full, work)
    incremental = DbtRun(0, "", "", incremental_db)

    # the daily runs were incremental: one load batch per day, each file read once
    assert incremental.query(
        "select count(distinct batch_loaded_at), count(*) from staging.stg_landing__event_records"
    ) == [(3, 24)]
    assert full.query(
        "select count(distinct batch_loaded_at) from staging.stg_landing__event_records"
    ) == [(1,)]

    for table in EVENT_PATH + sorted(rating_built):
        assert rows(incremental_db, table) == rows(full.database, table), table

    # hand-checked outcomes (same in both warehouses, checked on the incremental one)
    # received 6 + 5 + 13 = 24 = 17 accepted + 3 duplicates + 4 quarantined (filtered-out
    # events a8 and a10 are accepted)
    assert incremental.query(
        "select file_name, received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation order by file_name nulls last"
    ) == [
        ("2026-11/day2.parquet", 5, 3, 1, 1),  # a1 duplicate, n1 unknown_account
        ("day1.ndjson", 6, 5, 0, 1),  # broken line
        # t1 conflict, a5 duplicate, v1 and g3 invalid_value; t2 u3 a10 s1 a5 a6 s2 p1 g2 accepted
        ("day3.ndjson", 13, 9, 2, 2),
        (None, 24, 17, 3, 4),
    ]
    # a8 (500) and a10 ("503") are excluded by api_requests, the only meter of api_request
    assert incremental.query(
        "select event_id, meter_id, reason from audit.audit_unrated_events "
        "where reason = 'filtered_out' order by event_id"
    ) == [("a10", "api_requests", "filtered_out"), ("a8", "api_requests", "filtered_out")]
    assert incremental.query(
        "select event_id, duplicate_type, file_name, winning_file_name "
        "from audit.audit_duplicate_events order by event_id"
    ) == [
        ("a1", "duplicate", "2026-11/day2.parquet", "day1.ndjson"),
        ("a5", "duplicate", "day3.ndjson", "day3.ndjson"),
        ("t1", "conflict", "day3.ndjson", "day1.ndjson"),
    ]
    # the Parquet row's landed text is rendered only for the quarantined record
    assert incremental.query(
        "select reason, raw_record from audit.audit_quarantined_events "
        "where file_name = '2026-11/day2.parquet'"
    ) == [
        (
            "unknown_account",
            (
                '{"event_id":"n1","event_type":"api_request","account_id":"acct_nobody",'
                '"occurred_at":"2026-11-03T09:00:00Z","properties":null}'
            ),
        )
    ]
    usage = incremental.query(
        "select meter_id, account_id, cast(period_start as varchar), dimension_value, quantity, "
        "event_count from intermediate.int_meter_usage order by 1, 2, 3, 4"
    )
    assert usage == [
        ("active_users", "acct_wayne", "2026-11-01", None, Decimal(2), 3),  # x, x, y
        ("api_requests", "acct_globex", "2026-11-01", "/a", Decimal(2), 2),  # a1, a5 (not a8)
        # a2, late a6, a9 (not a10)
        ("api_requests", "acct_globex", "2026-11-01", "/b", Decimal(3), 3),
        ("llm_tokens", "acct_globex", "2026-10-01", "m", Decimal("2.25"), 1),  # late t2
        ("llm_tokens", "acct_globex", "2026-11-01", "m", Decimal("1.5"), 1),  # not the 9
        ("storage_gb", "acct_umbrella", "2026-11-01", None, Decimal(3), 2),  # max(3, 2.5)
    ]
    # 2026-11-03 got a2 on day 2 and the late a6 on day 3
    assert incremental.query(
        "select event_count from marts.fct_usage_daily where account_id = 'acct_globex' "
        "and meter_id = 'api_requests' and usage_date = date '2026-11-03'"
    ) == [(2,)]
    # the gauge: 5 seats from October 20 (the late g2), 3 from November 2 (g3 is quarantined).
    # seats (time_weighted), c_stark: October 5 x 12 days (20-31) / 31 = 60 / 31 = 1.935483...
    # -> 1.935484; November (5 x 1 + 3 x 29) / 30 = 92 / 30 = 3.0666... -> 3.066667; peak_seats
    # 5 in both (September: no value yet, no row).
    assert incremental.query(
        "select meter_id, cast(period_start as varchar), quantity, event_count "
        "from intermediate.int_gauge_usage where account_id = 'acct_stark' order by 1, 2"
    ) == [
        ("peak_seats", "2026-10-01", Decimal(5), 1),
        ("peak_seats", "2026-11-01", Decimal(5), 1),
        ("seats", "2026-10-01", Decimal("1.935484"), 1),
        ("seats", "2026-11-01", Decimal("3.066667"), 1),
    ]
    # the daily values: day 1 built November 2-30 at 3; the late g2 changed November 1 (5, was
    # absent) and added October 20-31
    assert incremental.query(
        "select count(*), min(usage_date), sum(quantity) from marts.fct_usage_daily "
        "where account_id = 'acct_stark' and meter_id = 'seats'"
    ) == [(42, date(2026, 10, 20), Decimal(5 * 13 + 3 * 29))]  # 12 + 1 + 29 days: 65 + 87


def test_rewritten_landed_file_is_quarantined_until_a_full_refresh(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    land_day(landing, 1)
    select = ["build", "--select", "stg_landing__event_records", "--exclude", "resource_type:test"]
    database = tmp_path / "warehouse.duckdb"
    work = tmp_path / "runs"
    check(run_dbt(select, work, landing_dir=landing, as_of=AS_OF, database=database))
    path = landing / "day1.ndjson"
    loaded = path.read_text().splitlines()
    # rewritten, not appended: the first line is gone and another event is added
    path.write_text("\n".join([*loaded[1:], event("z", "api_request", "acct_globex", "2026-11-09")])
                    + "\n")
    set_landed_at(path, T0 + 5 * DAY)
    second = check(run_dbt(select, work, landing_dir=landing, as_of=AS_OF, database=database))
    # the run goes on: the loaded lines stay, one changed_file row follows them
    assert second.query(
        "select count(*), count(read_problem), max(read_problem) from staging.stg_landing__event_records"
    ) == [(len(loaded) + 1, 1, "changed_file")]
    # the recovery path re-reads every file as it is now
    third = check(
        run_dbt(
            [*select, "--full-refresh"], work, landing_dir=landing, as_of=AS_OF, database=database,
        )
    )
    assert third.query(
        "select count(*), count(read_problem) from staging.stg_landing__event_records"
    ) == [(len(loaded), 0)]

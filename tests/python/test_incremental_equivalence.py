"""Incremental daily runs give exactly what one --full-refresh over the same files gives.

Three daily loads (NDJSON and typed Parquet), each followed by an incremental `dbt build`,
including a duplicate and a conflict across days, a late event for the previous
(final) period, a late event for an earlier day and a late gauge value, against one `--full-refresh` build over the same files in a fresh
warehouse. The same days run on Spark too (test_spark_incremental_runs_equal_full_refresh). A meter filter is present (api_requests: status not
500 or 503) and met by NDJSON and Parquet events. Every expected number is worked out by hand.

The period close runs after the first two daily builds (`freeze_final_invoices`: every final
invoice is frozen after day 1), so the late events of day 3 into frozen periods become
adjustment lines. The full refresh is a rebuild of the same history: its fresh warehouse
holds the same frozen billing tables (copied from the daily warehouse before it runs), as a
`--full-refresh` of the daily warehouse would (the billing tables are not dbt models).

Commitments and cadences (data contract 7.1, 7.3), added to the demo seeds in a project copy:
- acct_q (UTC), contract c_q on plan q (USD, 100.00 a request on api_requests), from 15
  February 2026, 10% discount, billed quarterly from an anchor of 15 February 2026: quarters
  from 15 Feb, 15 May, 15 Aug (final by as_of 2026-11-25) and 15 Nov (open). Prepaid
  commitment cm_q of 1,000.01 over the four quarters (15 Feb 2026 - 15 Feb 2027), fees per
  period, 10% overage surcharge. Requests (endpoint /q): 3, 5, 4 and 1 in the four quarters on
  day 1, and one late request on day 3 into the frozen quarter from 15 May.
- c_globex (monthly): postpaid commitment cm_globex of 120.00 over October and November 2026,
  applies to usage and fixed (the 49.00 platform fee counts).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (
    PROJECT_DIR,
    DbtRun,
    comparable_rows,
    copy_database,
    make_project_copy,
    run_dbt,
    seed_csv,
    set_landed_at,
    snapshot_spark_tables,
    spark_env,
    spark_only,
    without_run_times,
    write_ndjson,
)

from orchestration.billing.freeze import freeze_final_invoices
from orchestration.billing.tables import FINAL_INVOICE_LINES, FINAL_INVOICES, ensure_billing_tables

AS_OF = "2026-11-25"
DAY = 86400
T0 = 1_790_000_000  # any fixed epoch: only the order of landing times matters
BUILD = ["build", "--exclude", "resource_type:unit_test", "resource_type:test"]
# The demo seeds with a meter filter: failed API calls are not billed.
METER_FILTERS = "meter_id,property,operator,value\napi_requests,status,not_in,500|503\n"


def seed_with(name: str, rows: list[dict[str, str]]) -> str:
    """seeds/<name> as it is with `rows` added (in the project copy; the file is not changed)."""
    text = (PROJECT_DIR / "seeds" / name).read_text()
    added = seed_csv(name, rows).split("\n", 1)[1]  # without the header
    return (text if text.endswith("\n") else text + "\n") + added


# The demo seeds with a quarterly contract, a prepaid and a postpaid commitment (see above).
SEEDS = {
    "meter_filters.csv": METER_FILTERS,
    "accounts.csv": seed_with("accounts.csv", [
        {"account_id": "acct_q", "account_name": "Quarterly", "billing_timezone": "UTC"}]),
    "plans.csv": seed_with("plans.csv", [{"plan_id": "q", "plan_name": "Q", "currency": "USD"}]),
    "prices.csv": seed_with("prices.csv", [
        {"price_id": "p_q_api", "plan_id": "q", "charge_type": "usage", "meter_id": "api_requests",
         "pricing_model": "per_unit", "unit_amount": "100.00"}]),
    "contracts.csv": seed_with("contracts.csv", [
        {"contract_id": "c_q", "account_id": "acct_q", "plan_id": "q", "starts_on": "2026-02-15",
         "discount_percent": "10", "bill_frequency": "quarter", "bill_anchor_on": "2026-02-15"}]),
    "commitments.csv": seed_with("commitments.csv", [
        {"commitment_id": "cm_q", "contract_id": "c_q", "commitment_type": "prepaid",
         "amount": "1000.01", "starts_on": "2026-02-15", "ends_on": "2027-02-15",
         "fee_schedule": "per_period", "overage_surcharge_percent": "10"},
        {"commitment_id": "cm_globex", "contract_id": "c_globex", "commitment_type": "postpaid",
         "amount": "120.00", "starts_on": "2026-10-01", "ends_on": "2026-12-01",
         "applies_to": "usage_and_fixed"}]),
}

# Every table compared between the incremental warehouse and the full refresh: the event
# path always; the rating marts whenever they build (they belong to the rating models).
EVENT_PATH = [
    "intermediate.int_events_classified",
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
    "marts.fct_commitment_ledger",
    "marts.fct_invoice_line_events",
]
# views among them: on Spark, read from the table create_view_parity_copies writes
SPARK_VIEW_COPIES = {"marts.fct_invoice_line_events": "parity.marts__fct_invoice_line_events"}
# these must build (and so be compared) in every run
BILLED = {"marts.fct_invoices", "marts.fct_invoice_lines", "marts.fct_commitment_ledger"}


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
        # typed Parquet (no source column): a1 again, identical -> duplicate across days; u4:
        # Umbrella's users (unique_count) in November, which day 3 touches with storage only
        path = landing / "2026-11" / "day2.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table(
                {
                    "event_id": ["a1", "a2", "u2", "n1", "a9", "u4"],
                    "event_type": [
                        "api_request", "api_request", "user_login", "api_request", "api_request",
                        "user_login",
                    ],
                    "account_id": [
                        "acct_globex", "acct_globex", "acct_wayne", "acct_nobody", "acct_globex",
                        "acct_umbrella",
                    ],
                    "occurred_at": [
                        "2026-11-02T10:00:00Z",
                        "2026-11-03T10:00:00Z",
                        "2026-11-03T09:00:00Z",
                        "2026-11-03T09:00:00Z",
                        "2026-11-06T09:00:00Z",
                        "2026-11-03T08:00:00Z",
                    ],
                    # a9: 500.0 as written is not the text 500: counted
                    "properties": [
                        '{"endpoint": "/a"}', '{"endpoint": "/b"}', '{"user_id": "x"}', None,
                        '{"endpoint": "/b", "status": 500.0}', '{"user_id": "w"}',
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


def land_quarterly(landing: Path, day: int) -> None:
    """acct_q's requests (100.00 each): the quarters' history on day 1, a late one on day 3."""
    days = {1: [("2026-03-01", 3), ("2026-06-01", 5), ("2026-09-01", 4), ("2026-11-20", 1)],
            3: [("2026-06-10", 1)]}.get(day, [])
    if days:
        path = write_ndjson(landing / f"q_day{day}.ndjson", [
            event(f"q{day}-{at}-{n}", "api_request", "acct_q", f"{at}T12:00:00Z", endpoint="/q")
            for at, count in days for n in range(count)])
        set_landed_at(path, T0 + day * DAY)


def copy_frozen(source: Path, target: Path) -> None:
    """The frozen billing tables of `source` into the (fresh) warehouse `target`."""
    with duckdb.connect(str(target)) as connection:
        ensure_billing_tables(connection)
        connection.execute(f"attach '{source}' as daily (read_only)")
        for table in (FINAL_INVOICES, FINAL_INVOICE_LINES):
            connection.execute(f"insert into {table} by name select * from daily.{table}")
        connection.execute("detach daily")


def rows(database: Path, table: str) -> list[tuple[object, ...]]:
    """The table's rows, without the time of the run that loaded a record (RUN_TIME_COLUMNS)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        sql = without_run_times(f"select * from {table}", connection)
        return sorted(connection.execute(sql).fetchall(), key=repr)


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
        "stg_landing__event_records", "int_event_meter_readings", "int_events_classified",
        "int_events_validated", "int_events_deduplicated", "int_events_accepted",
        "int_event_meter_values",
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
    project = make_project_copy(tmp_path / "copy", SEEDS)
    frozen = []
    for day in range(1, 4):
        land_day(landing, day)
        land_quarterly(landing, day)
        daily = run_dbt(
            BUILD, work, landing_dir=landing, as_of=AS_OF, database=incremental_db, project=project,
        )
        rating_built = check_built(daily, work)
        assert BILLED <= rating_built, daily.stdout[-4000:]
        if day < 3:  # the period close after the daily build
            with duckdb.connect(str(incremental_db)) as connection:
                frozen.append(len(freeze_final_invoices(connection).invoice_ids))
    # every final invoice (as_of does not move) is frozen after day 1; nothing more after day 2
    assert frozen[0] > 0 and frozen[1] == 0, frozen
    full_db = tmp_path / "full.duckdb"
    copy_frozen(incremental_db, full_db)
    full = run_dbt(
        [*BUILD, "--full-refresh"], work, landing_dir=landing, as_of=AS_OF,
        database=full_db, project=project,
    )
    rating_built &= check_built(full, work)
    assert BILLED <= rating_built, full.stdout[-4000:]
    incremental = DbtRun(0, "", "", incremental_db)
    for table in EVENT_PATH + sorted(rating_built):
        assert rows(incremental_db, table) == rows(full.database, table), table

    check_outcomes(incremental, full)


def check_outcomes(incremental: DbtRun, full: DbtRun, runs: int = 3) -> None:
    """The hand-checked outcomes of the three days (the same on every engine), loaded by `runs`
    daily runs."""
    # the daily runs were incremental: one load batch per run, each file read once
    assert incremental.query(
        "select count(distinct batch_loaded_at), count(*) from staging.stg_landing__event_records"
    ) == [(runs, 25 + 14)]  # and acct_q's 13 + 1 requests
    assert full.query(
        "select count(distinct batch_loaded_at) from staging.stg_landing__event_records"
    ) == [(1,)]

    # hand-checked outcomes (same in both warehouses, checked on the incremental one)
    # received 6 + 6 + 13 = 25 = 18 accepted + 3 duplicates + 4 quarantined (filtered-out
    # events a8 and a10 are accepted), and acct_q's 13 + 1 requests, all accepted
    assert incremental.query(
        "select file_name, received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation order by file_name nulls last"
    ) == [
        ("2026-11/day2.parquet", 6, 4, 1, 1),  # a1 duplicate, n1 unknown_account
        ("day1.ndjson", 6, 5, 0, 1),  # broken line
        # t1 conflict, a5 duplicate, v1 and g3 invalid_value; t2 u3 a10 s1 a5 a6 s2 p1 g2 accepted
        ("day3.ndjson", 13, 9, 2, 2),
        ("q_day1.ndjson", 13, 13, 0, 0),
        ("q_day3.ndjson", 1, 1, 0, 0),
        (None, 39, 32, 3, 4),
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
        # u4 of day 2, kept as it was when day 3 brings Umbrella's storage only
        ("active_users", "acct_umbrella", "2026-11-01", None, Decimal(1), 1),
        ("active_users", "acct_wayne", "2026-11-01", None, Decimal(2), 3),  # x, x, y
        ("api_requests", "acct_globex", "2026-11-01", "/a", Decimal(2), 2),  # a1, a5 (not a8)
        # a2, late a6, a9 (not a10)
        ("api_requests", "acct_globex", "2026-11-01", "/b", Decimal(3), 3),
        # acct_q's quarters from 15 February; the late request of day 3 is in the one from 15 May
        ("api_requests", "acct_q", "2026-02-15", "/q", Decimal(3), 3),
        ("api_requests", "acct_q", "2026-05-15", "/q", Decimal(6), 6),
        ("api_requests", "acct_q", "2026-08-15", "/q", Decimal(4), 4),
        ("api_requests", "acct_q", "2026-11-15", "/q", Decimal(1), 1),
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

    check_commitments(incremental, full)
    check_lineage(incremental, full)


def check_commitments(incremental: DbtRun, full: DbtRun) -> None:
    """acct_q's prepaid term and globex's postpaid one, by hand (see the module docstring)."""
    d = Decimal
    lines = """select line_type, amount from marts.fct_invoice_lines
               where account_id = 'acct_q' and period_start = ? and line_type <> 'adjustment'
               order by line_sequence"""
    # Day 1 (frozen after it): usage 300, 500, 400; e = usage - 10% = 270, 450, 360; running
    # sums 270, 720, 1080. Fees round(1000.01 / 4) = round(250.0025) = 250.00 on the first three
    # quarters. Drawdowns min(e, balance): 270 (730.01 left), 450 (280.01 left), 280.01 (0 left,
    # overage 360 - 280.01 = 79.99, surcharge round(7.999) = 8.00). The frozen lines never change.
    assert incremental.query(lines, ["2026-05-15"]) == [
        ("usage", d("500.00")), ("commitment_fee", d("250.00")), ("discount", d("-50.00")),
        ("commitment_drawdown", d("-450.00"))]
    assert incremental.query(lines, ["2026-08-15"]) == [
        ("usage", d("400.00")), ("commitment_fee", d("250.00")), ("discount", d("-40.00")),
        ("commitment_drawdown", d("-280.01")), ("overage_surcharge", d("8.00"))]
    # The quarter from 15 November (open): usage 100, the last fee 1000.01 - 3 x 250.00 =
    # 250.01, discount -10; e = 90 with nothing left: no drawdown, overage 90, surcharge 9.00
    assert incremental.query(lines, ["2026-11-15"]) == [
        ("usage", d("100.00")), ("commitment_fee", d("250.01")), ("discount", d("-10.00")),
        ("overage_surcharge", d("9.00"))]
    # Day 3's late request: the quarter from 15 May has 600 (e = 540), running sums 270, 810,
    # 1170; drawdowns 270, 540, 190.01 (overage 360 - 190.01 = 169.99, surcharge round(16.999)
    # = 17.00). Adjustments, on the first invoice not frozen (the quarter from 15 November):
    #   May: usage +100.00, discount -10.00, drawdown -540 - (-450) = -90.00
    #   Aug: drawdown -190.01 - (-280.01) = +90.00, surcharge 17.00 - 8.00 = +9.00
    adjustments = """select cast(adjusted_period_start as varchar), adjusted_line_type, amount
                     from marts.fct_invoice_lines
                     where account_id = 'acct_q' and line_type = 'adjustment'
                         and period_start = '2026-11-15'
                     order by 1, 2"""
    expected = [
        ("2026-05-15", "commitment_drawdown", d("-90.00")),
        ("2026-05-15", "discount", d("-10.00")),
        ("2026-05-15", "usage", d("100.00")),
        ("2026-08-15", "commitment_drawdown", d("90.00")),
        ("2026-08-15", "overage_surcharge", d("9.00")),
    ]
    # the same adjustment lines in the daily warehouse and in the full refresh
    assert incremental.query(adjustments) == expected
    assert full.query(adjustments) == expected
    # totals: 300-30+250-270 = 250.00; 500-50+250-450 = 250.00; 400-40+250-280.01+8 = 337.99;
    # 100+250.01-10+9 + (100-10-90+90+9 = 99) = 448.01. Together 1286.00 = fees 1000.01 +
    # overage 169.99 + 90 + surcharges 17.00 + 9.00: frozen + adjustments = fresh
    totals = """select cast(period_start as varchar), status, total from marts.fct_invoices
                where account_id = 'acct_q' order by 1"""
    assert incremental.query(totals) == [
        ("2026-02-15", "final", d("250.00")), ("2026-05-15", "final", d("250.00")),
        ("2026-08-15", "final", d("337.99")), ("2026-11-15", "open", d("448.01"))]
    # the ledger follows the fresh computation (a fee leaves the balance as it was)
    ledger = """select cast(period_start as varchar), entry_type, amount, balance_after
                from marts.fct_commitment_ledger where commitment_id = ?
                order by entry_sequence"""
    assert incremental.query(ledger, ["cm_q"]) == [
        ("2026-02-15", "fee", d("250.00"), d("1000.01")),
        ("2026-02-15", "drawdown", d("-270.00"), d("730.01")),   # 1000.01 - 270
        ("2026-05-15", "fee", d("250.00"), d("730.01")),
        ("2026-05-15", "drawdown", d("-540.00"), d("190.01")),   # 730.01 - 540
        ("2026-08-15", "fee", d("250.00"), d("190.01")),
        ("2026-08-15", "drawdown", d("-190.01"), d("0.00")),
        ("2026-08-15", "overage", d("169.99"), d("0.00")),
        ("2026-11-15", "fee", d("250.01"), d("0.00")),
        ("2026-11-15", "overage", d("90.00"), d("0.00")),
    ]
    # globex (monthly, no discount): e = the 49.00 platform fee + usage lines that round to
    # 0.00 (a few requests at 0.001, tokens at 0.000002) = 49.00 in October and in November;
    # shortfall 120 - 49 = 71.00, 71 - 49 = 22.00, true-up 22.00 on November, the term's last
    assert incremental.query(ledger, ["cm_globex"]) == [
        ("2026-10-01", "drawdown", d("-49.00"), d("71.00")),
        ("2026-11-01", "drawdown", d("-49.00"), d("22.00")),
        ("2026-11-01", "true_up", d("22.00"), d("0.00")),
    ]
    assert incremental.query(
        "select cast(period_start as varchar), amount from marts.fct_invoice_lines"
        " where line_type = 'commitment_true_up'"
    ) == [("2026-11-01", d("22.00"))]


# A Stripe invoice item's records (README "Invoice-line lineage"): its metadata
# meterline_invoice_line_id names the line; an adjustment line's records are those of the line
# it corrects, the late ones loaded after that invoice was frozen.
LINE_RECORDS = """
    select
        events.event_id, events.file_name, events.line_number, events.is_counted,
        events.batch_loaded_at > frozen.frozen_at as loaded_after_freeze
    from marts.fct_invoice_lines as lines
    inner join marts.fct_invoice_line_events as events
        on events.invoice_line_id = coalesce(lines.adjusted_invoice_line_id, lines.invoice_line_id)
    left join billing.final_invoices as frozen
        on events.invoice_id = frozen.invoice_id
    where lines.invoice_line_id = ?
    order by events.file_name, events.line_number"""


def check_lineage(incremental: DbtRun, full: DbtRun) -> None:
    """acct_q's usage adjustment for the quarter from 15 May: its 5 + 1 requests (count meter)."""
    line_id = incremental.query(
        "select invoice_line_id from marts.fct_invoice_lines where account_id = 'acct_q'"
        " and line_type = 'adjustment' and adjusted_line_type = 'usage'"
    )[0][0]
    # q_day1.ndjson: 3 March requests on lines 1-3, the 5 of 1 June on lines 4-8 (frozen after
    # day 1); q_day3.ndjson line 1: the late one of 10 June, loaded after the freeze. The frozen
    # usage line (5 x 100.00) and this adjustment (+100.00) bill the 6 of them.
    expected = [(f"q1-2026-06-01-{n}", "q_day1.ndjson", 4 + n, True, False) for n in range(5)]
    expected.append(("q3-2026-06-10-0", "q_day3.ndjson", 1, True, True))
    assert incremental.query(LINE_RECORDS, [line_id]) == expected
    assert full.query(LINE_RECORDS, [line_id])[-1][:4] == expected[-1][:4]



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


# --- A price removed between two daily runs: its invoice lines vanish ---

LINEAGE_BUILD = [*BUILD, "--select", "+fct_invoice_line_events"]


def test_records_of_vanished_invoice_lines_are_dropped(tmp_path: Path) -> None:
    """acct_globex (payg) makes two /v1/search requests and one /a request in November. The
    first run prices the search requests by p_payg_api_search (their own line); then that price
    is taken out of prices.csv and the next daily run (no new file) prices all three by
    p_payg_api. The records of the line that is gone must leave fct_invoice_line_events (a view
    over the current lines and groups): the daily runs' rows equal a full refresh's."""
    landing = tmp_path / "landing"
    path = write_ndjson(landing / "day1.ndjson", [
        event("s1", "api_request", "acct_globex", "2026-11-03T10:00:00Z", endpoint="/v1/search"),
        event("s2", "api_request", "acct_globex", "2026-11-03T11:00:00Z", endpoint="/v1/search"),
        event("b1", "api_request", "acct_globex", "2026-11-03T12:00:00Z", endpoint="/a"),
    ])
    set_landed_at(path, T0 + DAY)
    project = make_project_copy(tmp_path / "copy")
    work = tmp_path / "runs"
    incremental_db = tmp_path / "incremental.duckdb"

    def daily() -> DbtRun:
        return check(run_dbt(LINEAGE_BUILD, work, landing_dir=landing, as_of=AS_OF,
                             database=incremental_db, project=project))

    lines_sql = (
        "select price_id, count(*), count(*) filter (where is_counted) from marts.fct_invoice_line_events"
        " where usage_account_id = 'acct_globex' and period_start = date '2026-11-01'"
        " group by price_id order by price_id"
    )
    assert daily().query(lines_sql) == [("p_payg_api", 1, 1), ("p_payg_api_search", 2, 2)]

    prices = project / "seeds" / "prices.csv"
    prices.write_text("".join(line for line in prices.read_text().splitlines(keepends=True)
                              if not line.startswith("p_payg_api_search,")))
    incremental = daily()
    # count: every record counts, 2 search + 1 other request on the one line left
    assert incremental.query(lines_sql) == [("p_payg_api", 3, 3)]

    full = check(run_dbt([*LINEAGE_BUILD, "--full-refresh"], tmp_path / "full_runs",
                         landing_dir=landing, as_of=AS_OF, project=project))
    assert rows(incremental.database, "marts.fct_invoice_line_events") == rows(
        full.database, "marts.fct_invoice_line_events")


# --- The same three days on Spark (make test sets METERLINE_TEST_SPARK=1; needs Java 17) ---

# The period close on Spark, as a run-operation of the project copy: what
# orchestration/billing/freeze.py does on DuckDB (every final invoice not frozen yet, with its
# lines, stamped with frozen_at). The lines go first: they are chosen by the invoices not frozen.
SPARK_FREEZE_MACRO = """
{% macro freeze_final_invoices_on_spark() %}
    {% set not_frozen = "invoice_id in (select invoice_id from marts.fct_invoices where status = 'final')"
        ~ " and invoice_id not in (select invoice_id from billing.final_invoices)" %}
    {% for mart, frozen in [('fct_invoice_lines', 'final_invoice_lines'), ('fct_invoices', 'final_invoices')] %}
        {% set columns = adapter.get_columns_in_relation(
            api.Relation.create(schema='marts', identifier=mart)) | map(attribute='name') | join(', ') %}
        {% do run_query('insert into billing.' ~ frozen ~ ' (' ~ columns ~ ', frozen_at) select '
            ~ columns ~ ', current_timestamp() from marts.' ~ mart ~ ' where ' ~ not_frozen) %}
    {% endfor %}
{% endmacro %}
"""


# What the Spark test builds: the compared tables and what they are made from (not the
# dimensions, alerts or semantic-layer models, which read the same tables).
SPARK_SELECT = [
    "--select", *(f"+{table.split('.')[1]}" for table in EVENT_PATH + RATING_MARTS),
    "--exclude", "resource_type:unit_test", "resource_type:test",
]


@spark_only
def test_spark_incremental_runs_equal_full_refresh(tmp_path: Path) -> None:
    """The three days on Spark in two daily incremental runs (day 1; the period close; days 2
    and 3: every case of the DuckDB test crosses the two runs, and nothing more is frozen after
    day 2 there), against a --full-refresh over the same files and frozen tables on DuckDB,
    whose rows equal Spark's full build (test_spark_parity.py): the same tables, row by row,
    and the same hand-checked outcomes. Two Spark runs and no Spark full refresh: a Spark build
    of this project costs minutes, mostly fixed."""
    landing = tmp_path / "landing"
    landing.mkdir()
    work = tmp_path / "runs"
    project = make_project_copy(tmp_path / "copy", SEEDS)
    (project / "macros" / "freeze_final_invoices_on_spark.sql").write_text(SPARK_FREEZE_MACRO)
    spark_dir = tmp_path / "spark"
    for days in ([1], [2, 3]):
        for day in days:
            land_day(landing, day)
            land_quarterly(landing, day)
        daily = run_dbt(
            ["build", *SPARK_SELECT], work, landing_dir=landing, as_of=AS_OF, project=project,
            env=spark_env(spark_dir),
        )
        rating_built = check_built(daily, work)
        assert BILLED <= rating_built, daily.stdout[-4000:]
        if days == [1]:
            check(run_dbt(["run-operation", "freeze_final_invoices_on_spark"], work,
                          landing_dir=landing, as_of=AS_OF, project=project,
                          env=spark_env(spark_dir)))
    # a view has no files to snapshot: Spark writes what it returns to parity.<schema>__<view>
    check(run_dbt(["run-operation", "create_view_parity_copies"], work, landing_dir=landing,
                  as_of=AS_OF, project=project, env=spark_env(spark_dir)))
    incremental = snapshot_spark_tables(spark_dir, tmp_path / "incremental.duckdb")
    with duckdb.connect(str(incremental.database)) as snapshot:
        for view, copy in SPARK_VIEW_COPIES.items():
            snapshot.execute(f"create view {view} as select * from {copy}")
    assert incremental.query("select count(*) from billing.final_invoices")[0][0] > 0

    full_db = tmp_path / "full.duckdb"
    copy_frozen(incremental.database, full_db)
    full = run_dbt(
        [*BUILD, "--full-refresh"], tmp_path / "duckdb_runs", landing_dir=landing, as_of=AS_OF,
        database=full_db, project=project,
    )
    rating_built &= check_built(full, tmp_path / "duckdb_runs")
    assert BILLED <= rating_built, full.stdout[-4000:]
    for table in EVENT_PATH + sorted(rating_built):
        with (duckdb.connect(str(incremental.database), read_only=True) as spark_tables,
              duckdb.connect(str(full_db), read_only=True) as duck_tables):
            spark_sql = without_run_times(f"select * from {table}", spark_tables)
            duck_sql = without_run_times(f"select * from {table}", duck_tables)
            assert comparable_rows(spark_tables, spark_sql) == comparable_rows(
                duck_tables, duck_sql), table

    check_outcomes(incremental, full, runs=2)


# What an earlier version's warehouse held, made from a current one
EARLIER_LAYOUTS = {
    # validation in a table of its own, no int_events_classified
    "validated_table": [
        "create table intermediate.validated_before as select * from intermediate.int_events_validated",
        "drop view intermediate.int_events_validated",
        "alter table intermediate.validated_before rename to int_events_validated",
        "drop table intermediate.int_events_classified",
    ],
    # period totals without the batch of their events
    "usage_without_batch": [
        "alter table intermediate.int_meter_usage drop column batch_loaded_at",
    ],
}


@pytest.mark.parametrize("layout", sorted(EARLIER_LAYOUTS))
def test_an_event_path_built_by_an_earlier_version_asks_for_a_full_refresh(
    fixture_build: DbtRun, tmp_path: Path, layout: str
) -> None:
    """Earlier versions kept validation in a table of its own (int_events_validated), where
    this one keeps every outcome in int_events_classified, and period totals without the batch
    of their events. An incremental run on such a warehouse would re-decide the history while
    the audit tables keep the old decisions, or could not tell which events the totals hold: it
    stops and says what to do, and a --full-refresh run goes ahead."""
    database = copy_database(fixture_build, tmp_path / "warehouse")
    with duckdb.connect(str(database)) as connection:
        for statement in EARLIER_LAYOUTS[layout]:
            connection.execute(statement)
    select = ["run", "--select", "stg_currencies"]
    stopped = run_dbt(select, tmp_path / "warehouse", database=database)
    assert stopped.returncode != 0
    assert "run `dbt build --full-refresh` once" in stopped.stdout, stopped.stdout[-3000:]
    refreshed = run_dbt([*select, "--full-refresh"], tmp_path / "warehouse", database=database)
    assert refreshed.returncode == 0, refreshed.stdout[-3000:]

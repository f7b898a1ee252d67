"""End to end: gauges (time_weighted and peak meters, data contract section 7.5).

Three accounts on one plan (USD, grace 3 days), contracts from 2026-06-01, each with its own
prices:

* acct_tw (UTC): seats time-weighted at 2.00 per seat, stored GB time-weighted at 0.10 per
  GB-month;
* acct_pk (UTC): peak seats, graduated 5.00 per seat up to 10, then 3.00;
* acct_ny (America/New_York): seats time-weighted at 1.00 per seat.

1. as_of 2026-07-10: June is final, July open. The period close freezes June.
2. A late June event for acct_tw lands; rebuild (incremental): June stays as frozen, July gets
   the adjustment and its own quantity from the new value carried into it.

Every figure is worked out by hand in the comments; none is read back from the models.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from conftest import DbtRun, make_project_copy, run_dbt, write_ndjson

from orchestration.billing.freeze import freeze_final_invoices

SEEDS = {
    "accounts.csv": "account_id,account_name,billing_timezone,stripe_customer_id\n"
    "acct_tw,Time Weighted Co,UTC,\nacct_pk,Peak Co,UTC,\nacct_ny,New York Co,America/New_York,\n",
    "currencies.csv": "currency,minor_units\nUSD,2\n",
    "meters.csv": "meter_id,event_type,aggregation,value_property,group_by,unit,description\n"
    "seats,seat_count,time_weighted,seats,,seat,Seats\n"
    "peak_seats,seat_count,peak,seats,,seat,Peak seats\n"
    "storage,storage_level,time_weighted,gb,,GB-month,Storage\n",
    "plans.csv": "plan_id,plan_name,currency\npl,Plan,USD\n",
    "contracts.csv": "contract_id,account_id,plan_id,starts_on,ends_on,minimum_commitment,"
    "discount_percent\nc_tw,acct_tw,pl,2026-06-01,,,\nc_pk,acct_pk,pl,2026-06-01,,,\n"
    "c_ny,acct_ny,pl,2026-06-01,,,\n",
    "prices.csv": "price_id,plan_id,contract_id,charge_type,meter_id,dimension_value,"
    "pricing_model,unit_amount,package_size,free_quantity,fixed_amount,minimum_amount,"
    "maximum_amount,effective_from,effective_to\n"
    "p_tw,,c_tw,usage,seats,,per_unit,2.00,,,,,,,\n"
    "p_gb,,c_tw,usage,storage,,per_unit,0.10,,,,,,,\n"
    "p_pk,,c_pk,usage,peak_seats,,graduated,,,,,,,,\n"
    "p_ny,,c_ny,usage,seats,,per_unit,1.00,,,,,,,\n",
    "price_tiers.csv": "price_id,tier,up_to,unit_amount,flat_amount\n"
    "p_pk,1,10,5.00,\np_pk,2,,3.00,\n",
    "credit_grants.csv": "grant_id,account_id,currency,amount,effective_on,expires_on,priority\n",
}
SELECT = [
    "--select", "+fct_invoices +fct_invoice_lines +fct_usage_daily +audit_quarantined_events",
    "--exclude", "resource_type:unit_test resource_type:test",
]
JUNE, JULY = "2026-06-01", "2026-07-01"


def event(event_id: str, account: str, at: str, event_type: str = "seat_count",
          **properties: object) -> str:
    return json.dumps({
        "event_id": event_id, "event_type": event_type, "account_id": account,
        "occurred_at": at, "properties": properties,
    })


def build(tmp_path: Path, landing: Path, as_of: str) -> DbtRun:
    project = tmp_path / "project"
    if not project.exists():
        make_project_copy(tmp_path, SEEDS)
    run = run_dbt(["build", *SELECT], tmp_path / "dbt", landing_dir=landing, as_of=as_of,
                  database=tmp_path / "warehouse.duckdb", project=project)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr
    return run


def usage_lines(run: DbtRun, account: str, period_start: str) -> list[tuple[object, ...]]:
    return run.query(
        "select line_type, meter_id, quantity, amount from marts.fct_invoice_lines"
        " where account_id = ? and period_start = ? and line_type in ('usage', 'adjustment')"
        " order by line_type, meter_id",
        [account, period_start],
    )


def daily(run: DbtRun, account: str, meter: str) -> dict[date, Decimal]:
    return dict(run.query(
        "select usage_date, quantity from marts.fct_usage_daily"
        " where account_id = ? and meter_id = ? order by usage_date",
        [account, meter],
    ))


def test_gauges_rated_frozen_and_adjusted(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_ndjson(landing / "june.ndjson", [
        event("t1", "acct_tw", "2026-06-01T09:00:00Z", seats=15),
        event("t2", "acct_tw", "2026-06-15T09:00:00Z", seats=18),
        event("t_neg", "acct_tw", "2026-06-20T09:00:00Z", seats=-3),  # invalid_value
        event("g1", "acct_tw", "2026-06-01T09:00:00Z", "storage_level", gb=100),
        event("g2", "acct_tw", "2026-06-21T09:00:00Z", "storage_level", gb=250),
        event("p1", "acct_pk", "2026-06-01T09:00:00Z", seats=8),
        event("p2", "acct_pk", "2026-06-10T10:00:00Z", seats=12),
        event("p3", "acct_pk", "2026-06-10T18:00:00Z", seats=9),
        event("n1", "acct_ny", "2026-06-01T12:00:00Z", seats=10),
        # 02:00 UTC on July 1 is 22:00 on June 30 in New York (UTC-4): from June 30 on
        event("n2", "acct_ny", "2026-07-01T02:00:00Z", seats=40),
    ])

    first = build(tmp_path, landing, "2026-07-10")
    assert first.query(
        "select event_id, reason from audit.audit_quarantined_events"
    ) == [("t_neg", "invalid_value")]
    # acct_tw June: 15 seats on June 1-14 (14 days), 18 on June 15-30 (16 days), 30 days:
    # (15 x 14 + 18 x 16) / 30 = 498 / 30 = 16.6 -> 16.6 x 2.00 = 33.20 (the -3 counts for
    # nothing). Storage: 100 GB on June 1-20 (20 days), 250 on June 21-30 (10 days):
    # (2000 + 2500) / 30 = 150 GB-months x 0.10 = 15.00.
    assert usage_lines(first, "acct_tw", JUNE) == [
        ("usage", "seats", Decimal("16.6"), Decimal("33.20")),
        ("usage", "storage", Decimal(150), Decimal("15.00")),
    ]
    # July: no event, the values carried on all 31 days (after as_of too): 18 x 2.00 = 36.00;
    # 250 x 0.10 = 25.00.
    assert usage_lines(first, "acct_tw", JULY) == [
        ("usage", "seats", Decimal(18), Decimal("36.00")),
        ("usage", "storage", Decimal(250), Decimal("25.00")),
    ]
    # acct_pk June: 8, then on June 10 12 (10:00) and 9 (18:00): the day's last is 9, so 12 is
    # never in force; peak = 9. Graduated: 9 x 5.00 = 45.00. July: 9 carried: 45.00.
    assert usage_lines(first, "acct_pk", JUNE) == [
        ("usage", "peak_seats", Decimal(9), Decimal("45.00")),
    ]
    assert usage_lines(first, "acct_pk", JULY) == [
        ("usage", "peak_seats", Decimal(9), Decimal("45.00")),
    ]
    # acct_ny June: 10 on June 1-29 (29 days), 40 on June 30 (local day of 02:00 UTC July 1):
    # (290 + 40) / 30 = 11 x 1.00 = 11.00 (in UTC it would be 10.00). July: 40 -> 40.00.
    assert usage_lines(first, "acct_ny", JUNE) == [
        ("usage", "seats", Decimal(11), Decimal("11.00")),
    ]
    assert usage_lines(first, "acct_ny", JULY) == [
        ("usage", "seats", Decimal(40), Decimal("40.00")),
    ]
    ny_days = daily(first, "acct_ny", "seats")
    assert (ny_days[date(2026, 6, 29)], ny_days[date(2026, 6, 30)]) == (10, 40)
    # the daily values run from the first event to the end of as_of's month (July 31)
    assert min(ny_days) == date(2026, 6, 1) and max(ny_days) == date(2026, 7, 31)

    with duckdb.connect(str(first.database)) as conn:
        frozen = freeze_final_invoices(conn).invoice_ids
    assert len(frozen) == 3  # the three June invoices
    frozen_june = first.query(
        "select invoice_line_id, quantity, amount from marts.fct_invoice_lines"
        " where period_start = ? order by invoice_line_id", [JUNE],
    )

    # 2. A late event: acct_tw had 24 seats from June 25. Fresh June: 15 x 14 (June 1-14) +
    #    18 x 10 (June 15-24) + 24 x 6 (June 25-30) = 210 + 180 + 144 = 534; 534 / 30 = 17.8
    #    -> 35.60; the frozen 33.20 is short by 2.40 (1.2 seats x 2.00), billed on July. July:
    #    24 carried on all 31 days: 24 x 2.00 = 48.00 (was 36.00).
    write_ndjson(landing / "late.ndjson", [event("t3", "acct_tw", "2026-06-25T09:00:00Z", seats=24)])
    second = build(tmp_path, landing, "2026-07-10")
    assert second.query(
        "select invoice_line_id, quantity, amount from marts.fct_invoice_lines"
        " where period_start = ? order by invoice_line_id", [JUNE],
    ) == frozen_june
    assert usage_lines(second, "acct_tw", JULY) == [
        ("adjustment", "seats", Decimal("1.2"), Decimal("2.40")),
        ("usage", "seats", Decimal(24), Decimal("48.00")),
        ("usage", "storage", Decimal(250), Decimal("25.00")),
    ]
    [(july_total,)] = second.query(
        "select total from marts.fct_invoices where account_id = 'acct_tw' and period_start = ?",
        [JULY],
    )
    assert july_total == Decimal("75.40")  # 2.40 + 48.00 + 25.00
    tw_days = daily(second, "acct_tw", "seats")
    assert [tw_days[date(2026, 6, day)] for day in (14, 15, 24, 25)] == [15, 18, 18, 24]
    assert tw_days[date(2026, 7, 31)] == 24

"""End to end: period close. A frozen final invoice never changes; late usage for its period is
billed as an adjustment line on the account's next invoice that is not final.

One account (UTC, USD), contract from 2026-09-01: API batches at 0.002 per unit (sum meter,
grouped by endpoint) plus a 10.00 fixed fee a month; a 20.00 prepaid grant. Grace 3 days.

1. as_of 2026-10-10: September is final, October open. The real period close
   (orchestration.billing.freeze.freeze_final_invoices) freezes September.
2. A late September event (120 units) lands; rebuild: September stays byte-identical, October
   gets a 0.24 adjustment line.
3. as_of 2026-11-10: October is final and frozen with its adjustment line; another late
   September event (30 units) lands; rebuild: November gets only the new 0.06.

Every amount is worked out by hand in the comments; none is read back from the models.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
from conftest import DbtRun, make_project_copy, run_dbt, write_ndjson

from orchestration.billing.freeze import freeze_final_invoices

SEEDS = {
    "accounts.csv": "account_id,account_name,billing_timezone,stripe_customer_id\n"
    "acct_pc,Period Close Co,UTC,\n",
    "currencies.csv": "currency,minor_units\nUSD,2\n",
    "meters.csv": "meter_id,event_type,aggregation,value_property,group_by,unit,description\n"
    "api,api_batch,sum,n,endpoint,request,API requests\n",
    "plans.csv": "plan_id,plan_name,currency\npl,Plan,USD\n",
    "contracts.csv": "contract_id,account_id,plan_id,starts_on,ends_on,minimum_commitment,"
    "discount_percent\nc_pc,acct_pc,pl,2026-09-01,,,\n",
    "prices.csv": "price_id,plan_id,contract_id,charge_type,meter_id,dimension_value,"
    "pricing_model,unit_amount,package_size,free_quantity,fixed_amount,minimum_amount,"
    "maximum_amount,effective_from,effective_to\n"
    "p_api,pl,,usage,api,,per_unit,0.002,,,,,,,\n"
    "p_fee,pl,,fixed,,,,,,,10.00,,,,\n",
    "price_tiers.csv": "price_id,tier,up_to,unit_amount,flat_amount\n",
    "credit_grants.csv": "grant_id,account_id,currency,amount,effective_on,expires_on,priority\n"
    "g_pc,acct_pc,USD,20.00,2026-09-01,,0\n",
}
SELECT = [
    "--select", "+fct_invoices +fct_invoice_lines +fct_credit_ledger +audit_pending_adjustments",
    "--exclude", "resource_type:unit_test resource_type:test",
]
SEP, OCT, NOV = "2026-09-01", "2026-10-01", "2026-11-01"
SEP_INVOICE_SQL = f"""
    select invoice_id, account_id, currency, cast(period_start as varchar),
        cast(period_end as varchar), status, cast(subtotal as varchar), cast(total as varchar),
        cast(line_count as varchar)
    from marts.fct_invoices where period_start = '{SEP}'
"""
SEP_LINES_SQL = f"""
    select invoice_line_id, invoice_id, account_id, contract_id, cast(period_start as varchar),
        cast(period_end as varchar), line_type, meter_id, price_id, dimension_value,
        cast(quantity as varchar), cast(amount as varchar), currency, description
    from marts.fct_invoice_lines where period_start = '{SEP}' order by invoice_line_id
"""


def event(event_id: str, occurred_at: str, units: int) -> str:
    return json.dumps({
        "event_id": event_id, "event_type": "api_batch", "account_id": "acct_pc",
        "occurred_at": occurred_at, "properties": {"endpoint": "/v1/search", "n": units},
    })


def build(tmp_path: Path, landing: Path, as_of: str) -> DbtRun:
    """dbt build in one project copy (the seeds above), one target and one warehouse."""
    project = tmp_path / "project"
    if not project.exists():
        make_project_copy(tmp_path, SEEDS)
    run = run_dbt(["build", *SELECT], tmp_path / "dbt", landing_dir=landing, as_of=as_of,
                  database=tmp_path / "warehouse.duckdb", project=project)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr
    return run


def freeze(run: DbtRun) -> tuple[str, ...]:
    with duckdb.connect(str(run.database)) as conn:
        return freeze_final_invoices(conn).invoice_ids


def invoice(run: DbtRun, period_start: str) -> tuple[str, Decimal, Decimal, int]:
    [row] = run.query(
        "select status, subtotal, total, line_count from marts.fct_invoices"
        " where period_start = ?", [period_start],
    )
    return row


def lines(run: DbtRun, period_start: str) -> list[tuple[object, ...]]:
    return run.query(
        "select line_type, quantity, amount, description, adjusted_invoice_line_id is not null"
        " from marts.fct_invoice_lines where period_start = ? order by line_type, amount",
        [period_start],
    )


def test_frozen_invoice_unchanged_and_late_usage_adjusted(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_ndjson(landing / "2026-09.ndjson", [event("e1", "2026-09-10T10:00:00Z", 1200)])

    # 1. September: 1200 x 0.002 = 2.40 + fixed 10.00 = 12.40, credit -12.40 (grant 20.00
    #    leaves 7.60), total 0.00. October: 0 x 0.002 = 0.00 + 10.00, credit -7.60, total 2.40.
    first = build(tmp_path, landing, "2026-10-10")
    assert invoice(first, SEP) == ("final", Decimal("12.40"), Decimal("0.00"), 3)
    assert invoice(first, OCT) == ("open", Decimal("10.00"), Decimal("2.40"), 3)
    [sep_invoice_id] = freeze(first)
    frozen_invoice = first.query(SEP_INVOICE_SQL)
    frozen_lines = first.query(SEP_LINES_SQL)
    assert frozen_invoice[0][0] == sep_invoice_id and len(frozen_lines) == 3

    # 2. A late September event of 120 units. Fresh September: 1320 x 0.002 = 2.64, so the
    #    frozen 2.40 line is short by 2.64 - 2.40 = 0.24 (= 120 x 0.002).
    write_ndjson(landing / "late-1.ndjson", [event("e2", "2026-09-20T10:00:00Z", 120)])
    second = build(tmp_path, landing, "2026-10-10")
    assert second.query(SEP_INVOICE_SQL) == frozen_invoice
    assert second.query(SEP_LINES_SQL) == frozen_lines
    # October: 0.00 + 10.00 + 0.24 = 10.24 before credits; the grant has 20.00 - 12.40 (frozen)
    # = 7.60 left -> credit -7.60; total 10.24 - 7.60 = 2.64 (subtotal: usage + fixed = 10.00)
    assert invoice(second, OCT) == ("open", Decimal("10.00"), Decimal("2.64"), 4)
    assert lines(second, OCT) == [
        ("adjustment", Decimal(120), Decimal("0.24"),
         "Adjustment for 2026-09 (late usage): API requests (/v1/search) +120 = 0.24", True),
        ("credit", None, Decimal("-7.60"), "Prepaid credit g_pc", False),
        ("fixed", None, Decimal("10.00"), "Fixed fee (Plan) = 10.00", False),
        ("usage", Decimal(0), Decimal("0.00"), "API requests: 0 × 0.002 = 0.00", False),
    ]
    [(line_total,)] = second.query(
        f"select sum(amount) from marts.fct_invoice_lines where period_start = '{OCT}'"
    )
    assert line_total == Decimal("2.64")  # 0.24 - 7.60 + 10.00 + 0.00
    assert second.query("select count(*) from audit.audit_pending_adjustments") == [(0,)]

    # 3. November 10: October is final and frozen with its adjustment line. Another late
    #    September event of 30 units: fresh 1350 x 0.002 = 2.70; 2.70 - 2.40 (frozen) - 0.24
    #    (frozen adjustment) = 0.06 (= 30 x 0.002), billed on November, never the 0.30 since
    #    the close again.
    third = build(tmp_path, landing, "2026-11-10")
    assert sorted(freeze(third)) == sorted(
        row[0] for row in third.query(f"select invoice_id from marts.fct_invoices"
                                      f" where period_start = '{OCT}'")
    )
    write_ndjson(landing / "late-2.ndjson", [event("e3", "2026-09-25T10:00:00Z", 30)])
    fourth = build(tmp_path, landing, "2026-11-10")
    assert fourth.query(SEP_INVOICE_SQL) == frozen_invoice
    assert fourth.query(SEP_LINES_SQL) == frozen_lines
    assert invoice(fourth, OCT) == ("final", Decimal("10.00"), Decimal("2.64"), 4)
    # November: 0.00 + 10.00 + 0.06 = 10.06; grant 20.00 - 12.40 - 7.60 = 0.00 left: no credit
    assert invoice(fourth, NOV) == ("open", Decimal("10.00"), Decimal("10.06"), 3)
    assert [line[:3] for line in lines(fourth, NOV)] == [
        ("adjustment", Decimal(30), Decimal("0.06")),
        ("fixed", None, Decimal("10.00")),
        ("usage", Decimal(0), Decimal("0.00")),
    ]
    # the ledger stays consistent: 20.00 - 12.40 - 7.60 = 0.00, never below zero
    assert fourth.query(
        "select entry_type, amount, balance_after from marts.fct_credit_ledger"
        " order by entry_sequence"
    ) == [
        ("granted", Decimal("20.00"), Decimal("20.00")),
        ("applied", Decimal("-12.40"), Decimal("7.60")),
        ("applied", Decimal("-7.60"), Decimal("0.00")),
    ]

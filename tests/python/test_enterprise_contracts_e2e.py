"""One-time charges (data contract 7.2), commitments (7.3) and accounts billed to a parent (7.4),
end to end, with a period close and a late event into a frozen period of a prepaid term.

Every account is in UTC and pays 1.00 a call (meter `calls`, count) on plan `pl` (USD).

- acct_pre: quarterly from an anchor of 15 January 2026, contract 15 Jan 2026 - 15 Jan 2027,
  10% discount. Prepaid commitment 1,000.00 over the first three quarters (term 15 Jan - 15
  Oct 2026), fees per period, 10% overage surcharge, applies to usage. Calls per quarter:
  300, 500, 400, then 100 in the quarter from 15 October (outside the term).
- acct_up: calendar months from 1 September 2026, 10% discount, fixed fee 100.00 a month;
  plan `pl_up` has a one-time setup fee of 250.00 (bill_on empty: the contract's first day)
  and the contract its own one-time fee of 100.00 billed on 5 October. Prepaid commitment
  500.00 upfront over September and October, applies to usage and fixed, no surcharge.
  Calls: 50 in September, 120 in October.
- acct_post: calendar months from 1 September 2026; postpaid commitment 300.00 over September
  and October. Calls: 80 in September, 100 in October.
- acct_parent has a 50.00 grant and a contract from 1 October (25 calls in October);
  acct_child_a is billed to it (contract from 1 September; 15, 30, 10 calls in September,
  October, November); acct_child_b names it as parent but is billed itself (20 calls in
  October).

as_of 2026-11-20, grace 3 days: September, October and the quarters up to 15 October are
final, November and the quarter from 15 October open. Every amount is worked out by hand in
the comments; none is read back from the models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import DbtRun, make_project_copy, only_seeds, run_dbt, write_ndjson

from orchestration.billing.freeze import freeze_final_invoices

AS_OF = "2026-11-20"
SELECT = [
    "--select", "+fct_invoices +fct_invoice_lines +fct_commitment_ledger +fct_credit_ledger",
    "--exclude", "resource_type:unit_test",
    "--indirect-selection", "cautious",
]
ACCOUNTS = ["acct_pre", "acct_up", "acct_post", "acct_parent", "acct_child_a", "acct_child_b"]
SEEDS = only_seeds({
    "accounts.csv": [
        *({"account_id": a, "account_name": a, "billing_timezone": "UTC"}
          for a in ACCOUNTS if not a.startswith("acct_child")),
        {"account_id": "acct_child_a", "account_name": "Child A", "billing_timezone": "UTC",
         "parent_account_id": "acct_parent", "bill_to": "parent"},
        {"account_id": "acct_child_b", "account_name": "Child B", "billing_timezone": "UTC",
         "parent_account_id": "acct_parent", "bill_to": "self"},
    ],
    "currencies.csv": [{"currency": "USD", "minor_units": "2"}],
    "plans.csv": [{"plan_id": "pl", "plan_name": "Plan", "currency": "USD"},
                  {"plan_id": "pl_up", "plan_name": "Plan Up", "currency": "USD"}],
    "contracts.csv": [
        {"contract_id": "c_pre", "account_id": "acct_pre", "plan_id": "pl",
         "starts_on": "2026-01-15", "ends_on": "2027-01-15", "discount_percent": "10",
         "bill_frequency": "quarter", "bill_anchor_on": "2026-01-15"},
        {"contract_id": "c_up", "account_id": "acct_up", "plan_id": "pl_up",
         "starts_on": "2026-09-01", "discount_percent": "10"},
        {"contract_id": "c_post", "account_id": "acct_post", "plan_id": "pl",
         "starts_on": "2026-09-01"},
        {"contract_id": "c_parent", "account_id": "acct_parent", "plan_id": "pl",
         "starts_on": "2026-10-01"},
        {"contract_id": "c_child_a", "account_id": "acct_child_a", "plan_id": "pl",
         "starts_on": "2026-09-01"},
        {"contract_id": "c_child_b", "account_id": "acct_child_b", "plan_id": "pl",
         "starts_on": "2026-10-01"},
    ],
    "meters.csv": [{"meter_id": "calls", "event_type": "api_call", "aggregation": "count",
                    "unit": "call", "description": "Calls"}],
    "prices.csv": [
        *({"price_id": f"p_calls_{plan}", "plan_id": plan, "charge_type": "usage",
           "meter_id": "calls", "pricing_model": "per_unit", "unit_amount": "1.00"}
          for plan in ("pl", "pl_up")),
        {"price_id": "p_up_fee", "plan_id": "pl_up", "charge_type": "fixed",
         "fixed_amount": "100.00"},
        {"price_id": "p_setup", "plan_id": "pl_up", "charge_type": "one_time",
         "fixed_amount": "250.00"},
        {"price_id": "p_up_onboarding", "contract_id": "c_up", "charge_type": "one_time",
         "fixed_amount": "100.00", "bill_on": "2026-10-05"},
    ],
    "commitments.csv": [
        {"commitment_id": "cm_pre", "contract_id": "c_pre", "commitment_type": "prepaid",
         "amount": "1000.00", "starts_on": "2026-01-15", "ends_on": "2026-10-15",
         "fee_schedule": "per_period", "overage_surcharge_percent": "10"},
        {"commitment_id": "cm_up", "contract_id": "c_up", "commitment_type": "prepaid",
         "amount": "500.00", "starts_on": "2026-09-01", "ends_on": "2026-11-01",
         "applies_to": "usage_and_fixed"},
        {"commitment_id": "cm_post", "contract_id": "c_post", "commitment_type": "postpaid",
         "amount": "300.00", "starts_on": "2026-09-01", "ends_on": "2026-11-01"},
    ],
    "credit_grants.csv": [{"grant_id": "g_parent", "account_id": "acct_parent",
                           "currency": "USD", "amount": "50.00", "effective_on": "2026-09-01"}],
})
CALLS = [  # account, day of the calls, number of calls
    ("acct_pre", "2026-02-01", 300), ("acct_pre", "2026-05-01", 500),
    ("acct_pre", "2026-08-01", 400), ("acct_pre", "2026-11-01", 100),
    ("acct_up", "2026-09-10", 50), ("acct_up", "2026-10-10", 120),
    ("acct_post", "2026-09-10", 80), ("acct_post", "2026-10-10", 100),
    ("acct_parent", "2026-10-10", 25),
    ("acct_child_a", "2026-09-10", 15), ("acct_child_a", "2026-10-10", 30),
    ("acct_child_a", "2026-11-10", 10),
    ("acct_child_b", "2026-10-10", 20),
]
PRE_TERM = "15 Jan 2026\u201314 Oct 2026"  # period_label of the term [15 Jan, 15 Oct)


def calls(account: str, day: str, count: int, tag: str = "") -> list[str]:
    return [json.dumps({"event_id": f"{account}-{day}-{tag}{n}", "event_type": "api_call",
                        "account_id": account, "occurred_at": f"{day}T12:00:00Z"})
            for n in range(count)]


def build(work_dir: Path, landing: Path) -> DbtRun:
    project = work_dir / "project"
    if not project.exists():
        make_project_copy(work_dir, SEEDS)
    run = run_dbt(["build", *SELECT], work_dir / "dbt", landing_dir=landing, as_of=AS_OF,
                  database=work_dir / "warehouse.duckdb", project=project)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, DbtRun]:
    """The first build, then (after the period close froze every final invoice) a build with
    50 late calls of acct_pre's second quarter (15 April - 15 July)."""
    work_dir = tmp_path_factory.mktemp("enterprise")
    landing = work_dir / "landing"
    write_ndjson(landing / "calls.ndjson",
                 [line for account, day, count in CALLS for line in calls(account, day, count)])
    first = build(work_dir, landing)
    # the first build's results are read from a copy: the period close and the second build
    # write to the same warehouse
    snapshot = work_dir / "first.duckdb"
    shutil.copyfile(first.database, snapshot)
    with duckdb.connect(str(first.database)) as conn:
        freeze_final_invoices(conn)
    first = dataclasses.replace(first, database=snapshot)
    write_ndjson(landing / "late.ndjson", calls("acct_pre", "2026-06-01", 50, "late"))
    return first, build(work_dir, landing)


def lines(run: DbtRun, account: str, period_start: str) -> list[tuple[object, ...]]:
    return run.query(
        "select line_type, usage_account_id, amount from marts.fct_invoice_lines"
        " where account_id = ? and period_start = ? order by line_sequence, usage_account_id",
        [account, period_start])


def totals(run: DbtRun, account: str) -> dict[str, tuple[str, Decimal]]:
    return {str(start): (status, total) for start, status, total in run.query(
        "select period_start, status, total from marts.fct_invoices where account_id = ?",
        [account])}


def d(text: str) -> Decimal:
    return Decimal(text)


def test_prepaid_per_period_fees_drawdown_overage_and_surcharge(runs: tuple[DbtRun, DbtRun]) -> None:
    first, _ = runs
    pre = "acct_pre"
    # e = calls - round(10% of calls): 300-30 = 270, 500-50 = 450, 400-40 = 360
    # fees: round(1000.00 / 3) = 333.33 twice, the last 1000.00 - 666.66 = 333.34
    # drawdown min(e, balance): 270 (730 left), 450 (280 left), 280 (0 left; overage 80)
    assert lines(first, pre, "2026-01-15") == [
        ("usage", pre, d("300.00")), ("commitment_fee", pre, d("333.33")),
        ("discount", pre, d("-30.00")), ("commitment_drawdown", pre, d("-270.00"))]
    assert lines(first, pre, "2026-04-15") == [
        ("usage", pre, d("500.00")), ("commitment_fee", pre, d("333.33")),
        ("discount", pre, d("-50.00")), ("commitment_drawdown", pre, d("-450.00"))]
    # surcharge round(10% of 80.00) = 8.00
    assert lines(first, pre, "2026-07-15") == [
        ("usage", pre, d("400.00")), ("commitment_fee", pre, d("333.34")),
        ("discount", pre, d("-40.00")), ("commitment_drawdown", pre, d("-280.00")),
        ("overage_surcharge", pre, d("8.00"))]
    # after the term: no commitment lines; 100 - 10 = 90.00
    assert lines(first, pre, "2026-10-15") == [
        ("usage", pre, d("100.00")), ("discount", pre, d("-10.00"))]
    # 300-30+333.33-270 = 333.33; 500-50+333.33-450 = 333.33; 400-40+333.34-280+8 = 421.34
    assert totals(first, pre) == {
        "2026-01-15": ("final", d("333.33")), "2026-04-15": ("final", d("333.33")),
        "2026-07-15": ("final", d("421.34")), "2026-10-15": ("open", d("90.00"))}
    # the fees add up exactly: 333.33 + 333.33 + 333.34 = 1000.00
    assert first.query("select sum(amount) from marts.fct_invoice_lines"
                       " where line_type = 'commitment_fee' and account_id = ?", [pre]) \
        == [(d("1000.00"),)]


def test_commitment_line_texts(runs: tuple[DbtRun, DbtRun]) -> None:
    first, _ = runs
    texts = dict(first.query(
        "select line_type, description from marts.fct_invoice_lines"
        " where account_id = 'acct_pre' and period_start = '2026-07-15'"))
    assert texts["commitment_fee"] == f"Prepaid commitment {PRE_TERM}, fee 3 of 3 = 333.34"
    assert texts["commitment_drawdown"] == f"Prepaid commitment {PRE_TERM}: 280.00 drawn, 0.00 left"
    assert texts["overage_surcharge"] == "Overage surcharge 10% of 80.00 = 8.00"
    [(upfront,)] = first.query(
        "select description from marts.fct_invoice_lines"
        " where account_id = 'acct_up' and line_type = 'commitment_fee'")
    # a term of two calendar months is named by its first and last day
    assert upfront == "Prepaid commitment 1 Sep 2026\u201331 Oct 2026, billed upfront = 500.00"


def test_upfront_fee_one_time_fees_and_expiry(runs: tuple[DbtRun, DbtRun]) -> None:
    first, _ = runs
    up = "acct_up"
    # September: e = (50 + 100) - round(10% of 150) = 135, drawn from 500 (365 left). The
    # 250.00 setup fee (plan, bill_on = the contract's first day) is never discounted.
    assert lines(first, up, "2026-09-01") == [
        ("usage", up, d("50.00")), ("fixed", up, d("100.00")), ("one_time", up, d("250.00")),
        ("commitment_fee", up, d("500.00")), ("discount", up, d("-15.00")),
        ("commitment_drawdown", up, d("-135.00"))]
    # October: e = 220 - 22 = 198 (167 left); the contract's own one-time fee (bill_on 5 Oct)
    # adds to the plan's, it does not replace it
    assert lines(first, up, "2026-10-01") == [
        ("usage", up, d("120.00")), ("fixed", up, d("100.00")), ("one_time", up, d("100.00")),
        ("discount", up, d("-22.00")), ("commitment_drawdown", up, d("-198.00"))]
    # 50+100+250+500-15-135 = 750.00; 120+100+100-22-198 = 100.00; November 100 - 10 = 90.00
    assert totals(first, up) == {"2026-09-01": ("final", d("750.00")),
                                 "2026-10-01": ("final", d("100.00")),
                                 "2026-11-01": ("open", d("90.00"))}
    # the term ended on 1 November <= as_of: 500 - 135 - 198 = 167.00 expires
    assert first.query(
        "select entry_type, cast(period_start as varchar), amount, balance_after"
        " from marts.fct_commitment_ledger where commitment_id = 'cm_up'"
        " order by entry_sequence") == [
        ("fee", "2026-09-01", d("500.00"), d("500.00")),
        ("drawdown", "2026-09-01", d("-135.00"), d("365.00")),
        ("drawdown", "2026-10-01", d("-198.00"), d("167.00")),
        ("expired", "2026-10-01", d("-167.00"), d("0.00"))]


def test_postpaid_true_up_on_the_terms_last_invoice(runs: tuple[DbtRun, DbtRun]) -> None:
    first, _ = runs
    post = "acct_post"
    assert lines(first, post, "2026-09-01") == [("usage", post, d("80.00"))]
    # 300.00 - (80 + 100) = 120.00 on October, the term's last period
    assert lines(first, post, "2026-10-01") == [
        ("usage", post, d("100.00")), ("commitment_true_up", post, d("120.00"))]
    assert first.query(
        "select entry_type, amount, balance_after from marts.fct_commitment_ledger"
        " where commitment_id = 'cm_post' order by entry_sequence") == [
        ("drawdown", d("-80.00"), d("220.00")),   # 300 - 80 still to reach
        ("drawdown", d("-100.00"), d("120.00")),  # 220 - 100
        ("true_up", d("120.00"), d("0.00"))]


def test_child_lines_on_the_parents_invoice_paid_by_the_parents_grant(
    runs: tuple[DbtRun, DbtRun],
) -> None:
    first, _ = runs
    parent, child = "acct_parent", "acct_child_a"
    # September: the parent has no contract yet; an invoice is made for the child's lines
    assert lines(first, parent, "2026-09-01") == [
        ("usage", child, d("15.00")), ("credit", None, d("-15.00"))]
    # October: the parent's 25.00 and the child's 30.00; the grant has 50 - 15 = 35.00 left
    assert lines(first, parent, "2026-10-01") == [
        ("usage", child, d("30.00")), ("usage", parent, d("25.00")),
        ("credit", None, d("-35.00"))]
    assert totals(first, parent) == {"2026-09-01": ("final", d("0.00")),
                                     "2026-10-01": ("final", d("20.00")),  # 55 - 35
                                     "2026-11-01": ("open", d("10.00"))}   # grant used up
    # no invoice of its own for the child billed to its parent; the other child pays itself
    assert totals(first, child) == {}
    # (a usage price gives a line every period, 0.00 in November without calls)
    assert totals(first, "acct_child_b") == {"2026-10-01": ("final", d("20.00")),
                                             "2026-11-01": ("open", d("0.00"))}


def test_invoice_ids_of_anchored_quarters_add_the_period_end(runs: tuple[DbtRun, DbtRun]) -> None:
    first, _ = runs
    for invoice_id, start, end in first.query(
        "select invoice_id, cast(period_start as varchar), cast(period_end as varchar)"
        " from marts.fct_invoices where account_id = 'acct_pre'"):
        assert invoice_id == hashlib.md5(f"acct_pre|USD|{start}|{end}".encode()).hexdigest()


def test_late_event_in_a_frozen_prepaid_period(runs: tuple[DbtRun, DbtRun]) -> None:
    first, second = runs
    pre = "acct_pre"
    frozen = """select invoice_line_id, amount, description from marts.fct_invoice_lines
                where account_id = 'acct_pre' and period_start < '2026-10-15' order by 1"""
    assert second.query(frozen) == first.query(frozen)  # frozen invoices never change
    # fresh second quarter: 550 calls, e = 550 - 55 = 495; running sums 270, 765, 1125, so the
    # drawdowns become 270, 495, 235 (overage 125, surcharge 12.50). Adjustments on the next
    # invoice that is not frozen (the quarter from 15 October):
    #   Q2: usage +50.00, discount -5.00, drawdown -45.00  (= 0.00 net)
    #   Q3: drawdown -235 - (-280) = +45.00, surcharge 12.50 - 8.00 = +4.50
    adjustments = second.query(
        "select adjusted_line_type, cast(adjusted_period_start as varchar), amount"
        " from marts.fct_invoice_lines where account_id = ? and line_type = 'adjustment'"
        " order by adjusted_period_start, adjusted_line_type", [pre])
    assert adjustments == [
        ("commitment_drawdown", "2026-04-15", d("-45.00")),
        ("discount", "2026-04-15", d("-5.00")),
        ("usage", "2026-04-15", d("50.00")),
        ("commitment_drawdown", "2026-07-15", d("45.00")),
        ("overage_surcharge", "2026-07-15", d("4.50"))]
    # 90.00 + 50 - 5 - 45 + 45 + 4.50 = 139.50
    assert totals(second, pre)["2026-10-15"] == ("open", d("139.50"))
    # frozen + adjustments = fresh: fees 1000 + overage 125 + surcharge 12.50 = 1137.50 for the
    # term; with the open quarter's 90.00: 333.33 + 333.33 + 421.34 + 139.50 = 1227.50
    [(billed,)] = second.query(
        "select sum(total) from marts.fct_invoices where account_id = ?", [pre])
    assert billed == d("1227.50")
    # the ledger follows the fresh computation
    assert second.query(
        "select entry_type, amount, balance_after from marts.fct_commitment_ledger"
        " where commitment_id = 'cm_pre' and period_start = '2026-07-15'"
        " order by entry_sequence") == [
        ("fee", d("333.34"), d("235.00")), ("drawdown", d("-235.00"), d("0.00")),
        ("overage", d("125.00"), d("0.00"))]
    [(text,)] = second.query(
        "select description from marts.fct_invoice_lines where account_id = ?"
        " and line_type = 'adjustment' and adjusted_line_type = 'overage_surcharge'", [pre])
    assert text == "Adjustment for 15 Jul 2026\u201314 Oct 2026 (recomputed): Overage surcharge = 4.50"

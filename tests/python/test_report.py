"""Tests of the warehouse report (orchestration.report) on small hand-made DuckDB fixtures.

The report reads only the marts and the audit tables; every expected figure below is worked
out by hand in a comment."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration import report

DIMENSIONS = """
create schema if not exists marts;
create table marts.dim_currencies (currency varchar, minor_units integer);
insert into marts.dim_currencies values ('USD', 2), ('EUR', 2), ('JPY', 0);
create table marts.dim_accounts (
    account_id varchar, stripe_customer_id varchar, parent_account_id varchar,
    bill_to_account_id varchar, account_name varchar, billing_timezone varchar, bill_to varchar
);
insert into marts.dim_accounts values
    ('acct_a', 'cus_a', null, 'acct_a', 'Account A', 'UTC', 'self'),
    ('acct_t', null, null, 'acct_t', 'Tanaka KK', 'Asia/Tokyo', 'self');
"""


AUDIT = """
create schema audit;
create table audit.audit_event_reconciliation (
    file_name varchar, file_landed_at timestamp, is_total boolean,
    received bigint, accepted bigint, duplicates bigint, quarantined bigint
);
insert into audit.audit_event_reconciliation values
    ('a.ndjson', '2026-10-02 03:00:00', false, 10, 7, 2, 1),
    ('b.parquet', '2026-10-03 03:00:00', false, 5, 5, 0, 0),
    (null, null, true, 15, 12, 2, 1);
create table audit.audit_quarantined_events (
    file_name varchar, line_number bigint, raw_record varchar, account_id varchar, reason varchar
);
insert into audit.audit_quarantined_events values
    ('a.ndjson', 4, '{"event_id":', null, 'malformed_record');
create table audit.audit_duplicate_events (
    source varchar, event_id varchar, duplicate_type varchar, winning_record_id varchar
);
insert into audit.audit_duplicate_events values
    ('api', 'e7', 'duplicate', 'r1'), ('api', 'e8', 'conflict', 'r2'),
    ('api', 'e9', 'duplicate', 'r3');
create table audit.audit_unrated_events (
    source varchar, event_id varchar, account_id varchar, meter_id varchar, reason varchar
);
insert into audit.audit_unrated_events values
    ('web', 'e1', 'acct_a', null, 'no_meter'),
    ('web', 'e2', 'acct_a', null, 'no_meter'),
    ('web', 'e3', 'acct_b', null, 'no_meter'),
    ('api', 'e4', 'acct_c', 'api_requests', 'no_active_contract');
"""

USAGE = """
create schema if not exists marts;
create table marts.dim_meters (
    meter_id varchar, aggregation varchar, unit varchar, is_additive boolean, group_total varchar
);
insert into marts.dim_meters values
    ('api_requests', 'count', 'request', true, 'sum'),
    ('storage_gb', 'max', 'GB', false, 'max'),
    ('active_users', 'unique_count', 'user', false, null),
    ('seats', 'time_weighted', 'seat', false, 'sum'),
    ('seats_peak', 'peak', 'seat', false, null);
create table marts.fct_usage_daily (
    account_id varchar, meter_id varchar, usage_date date, dimension_value varchar,
    quantity decimal(22, 9), event_count bigint
);
insert into marts.fct_usage_daily values
    ('acct_a', 'api_requests', '2026-10-01', '/v1/chat', 3, 3),
    ('acct_a', 'api_requests', '2026-10-02', '/v1/chat', 1200, 1200),
    ('acct_a', 'api_requests', '2026-10-02', '/v1/search', 4, 4),
    ('acct_a', 'storage_gb', '2026-10-01', '', 12.5, 1),
    ('acct_a', 'storage_gb', '2026-10-02', '', 20.25, 1),
    ('acct_a', 'active_users', '2026-10-01', '', 5, 7),
    ('acct_a', 'active_users', '2026-10-02', '', 6, 9),
    ('acct_a', 'api_requests', '2026-11-03', '/v1/chat', 2, 2);
"""

INVOICES = """
create table marts.fct_invoices (
    invoice_id varchar, account_id varchar, currency varchar, period_start date,
    period_end date, status varchar, subtotal decimal(38, 4), total decimal(38, 4),
    line_count bigint
);
insert into marts.fct_invoices values
    ('inv_a_oct', 'acct_a', 'USD', '2026-10-01', '2026-11-01', 'final', 1284.5, 1234.5, 3),
    ('inv_a_nov', 'acct_a', 'USD', '2026-11-01', '2026-12-01', 'open', 765.5, 765.5, 1),
    ('inv_t_oct', 'acct_t', 'JPY', '2026-10-01', '2026-11-01', 'draft', 12345, 12345, 2);
create table marts.fct_invoice_lines (
    invoice_line_id varchar, invoice_id varchar, account_id varchar, contract_id varchar,
    period_start date, period_end date, line_type varchar, meter_id varchar, price_id varchar,
    dimension_value varchar, quantity decimal(22, 9), amount decimal(38, 4), currency varchar,
    description varchar, line_sequence integer, usage_account_id varchar
);
insert into marts.fct_invoice_lines values
    ('l1', 'inv_a_oct', 'acct_a', 'c_a', '2026-10-01', '2026-11-01', 'discount', null, null,
     null, null, -50, 'USD', 'Discount 10%', 6, null),
    ('l2', 'inv_a_oct', 'acct_a', 'c_a', '2026-10-01', '2026-11-01', 'usage', 'api_requests',
     'p_api', null, 1000000, 1000, 'USD', 'API requests', 1, null),
    ('l3', 'inv_a_oct', 'acct_a', 'c_a', '2026-10-01', '2026-11-01', 'fixed', null, 'p_fix',
     null, null, 284.5, 'USD', 'Platform fee', 2, null),
    ('l4', 'inv_a_nov', 'acct_a', 'c_a', '2026-11-01', '2026-12-01', 'usage', 'storage_gb',
     'p_gb', null, 1530.75, 765.5, 'USD', null, 1, null),
    ('l5', 'inv_t_oct', 'acct_t', 'c_t', '2026-10-01', '2026-11-01', 'fixed', null, 'p_jfix',
     null, null, 7000, 'JPY', 'Platform fee', 2, null),
    ('l6', 'inv_t_oct', 'acct_t', 'c_t', '2026-10-01', '2026-11-01', 'usage', 'api_requests',
     'p_japi', null, 53450, 5345, 'JPY', 'API requests', 1, null);
"""


def _database(path: Path, *scripts: str) -> Path:
    con = duckdb.connect(str(path))
    for script in scripts:
        con.execute(script)
    con.close()
    return path


def _render(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return report.render_report(con)
    finally:
        con.close()


@pytest.fixture
def full_report(tmp_path: Path) -> str:
    return _render(_database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, INVOICES))


def _line_with(text: str, needle: str) -> str:
    matches = [line for line in text.splitlines() if needle in line]
    assert matches, f"no line contains {needle!r}"
    return matches[0]


def test_reconciliation_totals(full_report: str) -> None:
    # The total row (file_name null): 15 received = 12 accepted + 2 duplicates + 1 quarantined.
    assert _line_with(full_report, "received").split()[-1] == "15"
    assert _line_with(full_report, "accepted").split()[-1] == "12"
    assert _line_with(full_report, "duplicates ").split()[-1] == "2"
    assert _line_with(full_report, "quarantined  ").split()[-1] == "1"
    assert _line_with(full_report, "files").split()[-1] == "2"
    assert "received = accepted + duplicates + quarantined: holds" in full_report
    assert "duplicates by type (audit.audit_duplicate_events): duplicate 2, conflict 1" in (
        full_report)


def test_quarantine_and_unrated_reasons(full_report: str) -> None:
    assert _line_with(full_report, "malformed_record").split()[:2] == ["malformed_record", "1"]
    no_meter = _line_with(full_report, "no_meter")
    assert no_meter.split()[:2] == ["no_meter", "3"]
    assert "acct_a 2, acct_b 1" in no_meter
    assert _line_with(full_report, "no_active_contract").split()[:2] == [
        "no_active_contract", "1"]


def test_usage_per_period_is_honest(full_report: str) -> None:
    october = full_report[full_report.index("Period 2026-10"):full_report.index("Period 2026-11")]
    # count meter: 3 + 1,200 + 4 = 1,207 requests over two days and two endpoints.
    assert _line_with(october, "api_requests").split()[-3:] == ["1,207", "1,207", "request"]
    # max meter: max(12.5, 20.25) = 20.25 GB over 2 events.
    assert _line_with(october, "storage_gb").split()[-3:] == ["2", "20.25", "GB"]
    # unique_count: 5 and 6 daily users cannot be added up; events 7 + 9 = 16.
    assert _line_with(october, "active_users").split()[-3:] == ["16", "-", "user"]
    assert "marts.fct_usage_daily" in full_report


def test_invoices_with_minor_units(full_report: str) -> None:
    # October USD: usage 1,000.00 + fixed 284.50 - discount 50.00 = 1,234.50; lines in type
    # order (usage, fixed, discount), not in table order.
    block = full_report[full_report.index("(invoice inv_a_oct)"):]
    block = block[: block.index("Total USD")]
    rows = [line.split()[0] for line in block.splitlines()[3:] if line.strip()]
    assert rows == ["usage", "fixed", "discount"]
    assert _line_with(block, "API requests").split()[-2:] == ["1,000,000", "1,000.00"]
    assert _line_with(block, "Platform fee").endswith("284.50")
    assert _line_with(block, "Discount").endswith("-50.00")
    assert "Total USD 1,234.50" in full_report
    # the period as fct_invoices stores it: period_end is the first day after October
    assert "acct_a (Account A)  2026-10-01 → 2026-11-01  final  USD" in full_report
    assert "2026-10-31" not in full_report
    # JPY has no minor units: 7,000 + 5,345 = 12,345.
    assert "Total JPY 12,345\n" in full_report
    assert "12,345.00" not in full_report
    assert _line_with(full_report, "53,450").endswith(" 5,345")
    # A line without a description falls back to meter and group.
    assert _line_with(full_report, "1,530.75").split()[:2] == ["usage", "storage_gb"]


def test_grand_summary_per_currency(full_report: str) -> None:
    # USD: 1,234.50 (final) + 765.50 (open) = 2,000.00 over 2 invoices.
    assert ("USD: 2 invoices, total USD 2,000.00 (final USD 1,234.50 in 1, "
            "open USD 765.50 in 1)") in full_report
    assert "JPY: 1 invoice, total JPY 12,345 (draft JPY 12,345 in 1)" in full_report


def test_total_that_differs_from_lines_is_flagged(tmp_path: Path) -> None:
    broken = INVOICES.replace("'final', 1284.5, 1234.5, 3", "'final', 1284.5, 1200, 3")
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, broken))
    assert "Total USD 1,200.00" in text
    assert "(lines sum to USD 1,234.50)" in text


def test_empty_warehouse_prints_not_built(tmp_path: Path) -> None:
    text = _render(_database(tmp_path / "w.duckdb"))
    # reconciliation, 2 reason lists, usage, invoices, credits, commitments, pending adjustments
    assert text.count(report.NOT_BUILT) == 8
    assert "Ingestion" in text and "Invoices" in text


def test_partial_build(tmp_path: Path) -> None:
    text = _render(_database(tmp_path / "w.duckdb", AUDIT))
    assert "holds" in text
    usage = text[text.index("Usage per account"):text.index("Invoices")]
    assert report.NOT_BUILT in usage
    assert report.NOT_BUILT in text[text.index("Invoices"):]


def test_invoices_without_lines_table(tmp_path: Path) -> None:
    headers_only = INVOICES[: INVOICES.index("create table marts.fct_invoice_lines")]
    text = _render(_database(tmp_path / "w.duckdb", "create schema marts;", headers_only))
    assert "lines " + report.NOT_BUILT in text
    assert "Total JPY 12,345" in text  # minor units from the fallback table, no seeds


PERIOD_USAGE = """
create table marts.fct_period_usage (
    account_id varchar, contract_id varchar, plan_id varchar, meter_id varchar,
    period_start date, period_end date, period_label varchar, dimension_value varchar,
    aggregation varchar, unit varchar, quantity decimal(37, 9), event_count bigint
);
"""


def test_period_usage_preferred_when_built(tmp_path: Path) -> None:
    script = PERIOD_USAGE + """
    insert into marts.fct_period_usage values
        ('acct_a', 'c_a', 'payg', 'active_users', '2026-10-01', '2026-11-01', '2026-10',
         '', 'unique_count', 'user', 9, 16),
        ('acct_a', 'c_a', 'payg', 'api_requests', '2026-10-01', '2026-11-01', '2026-10',
         '/v1/chat', 'count', 'request', 1203, 1203),
        ('acct_a', 'c_a', 'payg', 'api_requests', '2026-10-01', '2026-11-01', '2026-10',
         '/v1/search', 'count', 'request', 4, 4);
    """
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, USAGE, script))
    assert "marts.fct_period_usage" in text
    assert "Period 2026-10: 2026-10-01 → 2026-11-01 (end exclusive)" in text
    # a single period figure for a unique_count meter is shown as is: 9 distinct users.
    assert _line_with(text, "active_users").split()[-3:] == ["16", "9", "user"]
    # 1,203 + 4 = 1,207 requests over two endpoints (a count adds up over groups).
    assert _line_with(text, "api_requests").split()[-3:] == ["1,207", "1,207", "request"]


def test_quarterly_period_printed_with_its_stored_bounds(tmp_path: Path) -> None:
    script = PERIOD_USAGE + """
    insert into marts.fct_period_usage values
        ('acct_a', 'c_q', 'ent', 'api_requests', '2026-10-01', '2027-01-01', 'Q4 2026',
         null, 'count', 'request', 90, 90),
        ('acct_a', 'c_y', 'ent', 'api_requests', '2026-09-15', '2027-09-15',
         '15 Sep 2026–14 Sep 2027', null, 'count', 'request', 7, 7);
    """
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, USAGE, script))
    # the quarter ends before 2027-01-01 (exclusive), the anchored year before 2027-09-15
    assert "Period Q4 2026: 2026-10-01 → 2027-01-01 (end exclusive)" in text
    assert "Period 15 Sep 2026–14 Sep 2027: 2026-09-15 → 2027-09-15 (end exclusive)" in text


def test_reads_no_staging_intermediate_or_seed_table(tmp_path: Path) -> None:
    """Tables outside the marts with other figures: the report must not show them."""
    decoys = """
    create schema intermediate;
    create table intermediate.int_period_usage as
        select 'acct_a' as account_id, 'c_a' as contract_id, 'payg' as plan_id,
            'api_requests' as meter_id, 'count' as aggregation, date '2026-10-01' as period_start,
            date '2026-11-01' as period_end, null as dimension_value,
            999999::decimal(37, 9) as quantity, 999999::bigint as event_count;
    create table intermediate.int_meter_usage as select * from intermediate.int_period_usage;
    create schema staging;
    create table staging.stg_currencies as select 'USD' as currency, 0 as minor_units;
    create table staging.stg_accounts as
        select 'acct_a' as account_id, 'Staging Name' as account_name;
    create schema seeds;
    create table seeds.currencies as select 'USD' as currency, 0 as minor_units;
    """
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, INVOICES, decoys))
    assert "999,999" not in text and "intermediate." not in text
    assert "Staging Name" not in text
    # minor units from marts.dim_currencies (USD 2), not the decoys' 0
    assert "Total USD 1,234.50" in text
    assert "marts.fct_usage_daily" in text


def test_python_code_names_no_staging_intermediate_or_seed_table() -> None:
    """The report, the query helper and the billing code (push, export, freeze) read marts,
    audit and billing tables only."""
    root = Path(report.__file__).resolve().parent
    pattern = re.compile(r"\b(staging|intermediate|seeds)\.[a-z_]+")
    sources = [root / "report.py", root / "query.py", *sorted((root / "billing").glob("*.py"))]
    found = {f"{path.name}: {match.group(0)}" for path in sources
             for match in pattern.finditer(path.read_text())}
    assert not found


def test_period_usage_with_gauges(tmp_path: Path) -> None:
    script = PERIOD_USAGE + """
    insert into marts.fct_period_usage values
        ('acct_a', 'c_a', 'payg', 'seats', '2026-06-01', '2026-07-01', '2026-06',
         'eu', 'time_weighted', 'seat', 16.6, 2),
        ('acct_a', 'c_a', 'payg', 'seats', '2026-06-01', '2026-07-01', '2026-06',
         'us', 'time_weighted', 'seat', 3.4, 1),
        ('acct_a', 'c_a', 'payg', 'seats_peak', '2026-06-01', '2026-07-01', '2026-06',
         'eu', 'peak', 'seat', 18, 2),
        ('acct_a', 'c_a', 'payg', 'seats_peak', '2026-06-01', '2026-07-01', '2026-06',
         'us', 'peak', 'seat', 4, 1),
        ('acct_b', 'c_b', 'payg', 'seats_peak', '2026-06-01', '2026-07-01', '2026-06',
         null, 'peak', 'seat', 18, 0);
    """
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, USAGE, script))
    assert "marts.fct_period_usage" in text
    # time_weighted adds up over groups (the average of the sum): 16.6 + 3.4 = 20 seats.
    assert _line_with(text, " seats ").split()[-3:] == ["3", "20", "seat"]
    # the peaks of two groups are not the peak of their sum: '-'.
    rows = [line.split() for line in text.splitlines() if "seats_peak" in line]
    assert rows[0][0] == "acct_a" and rows[0][-3:] == ["3", "-", "seat"]
    # a value carried into the period (no event in it) is shown as is: 18.
    assert _line_with(text, "acct_b").split()[-3:] == ["0", "18", "seat"]


def test_daily_gauge_values_are_not_added_up(tmp_path: Path) -> None:
    script = """
    insert into marts.fct_usage_daily values
        ('acct_g', 'seats', '2026-06-01', null, 15, 1),
        ('acct_g', 'seats', '2026-06-02', null, 15, 0);
    """
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, USAGE, script))
    # 15 seats on each of two days is not 30 seats: a time_weighted figure needs the period.
    assert _line_with(text, "acct_g").split()[-4:] == ["time_weighted", "1", "-", "seat"]


BALANCES = """
create table marts.fct_credit_ledger (
    grant_id varchar, account_id varchar, invoice_id varchar, entry_type varchar,
    amount decimal(38, 4), balance_after decimal(38, 4), currency varchar, entry_on date,
    entry_sequence integer
);
-- g_a: 100.00 - 30.00 - 45.50 = 24.50 left (the rows are not in entry order)
-- g_t: 5,000 - 1,200 applied - 3,800 expired = 0 left
insert into marts.fct_credit_ledger values
    ('g_a', 'acct_a', 'inv_a_nov', 'applied', -45.50, 24.50, 'USD', '2026-11-01', 3),
    ('g_a', 'acct_a', null, 'granted', 100, 100, 'USD', '2026-09-01', 1),
    ('g_a', 'acct_a', 'inv_a_oct', 'applied', -30, 70, 'USD', '2026-10-01', 2),
    ('g_t', 'acct_t', null, 'granted', 5000, 5000, 'JPY', '2026-09-01', 1),
    ('g_t', 'acct_t', 'inv_t_oct', 'applied', -1200, 3800, 'JPY', '2026-10-01', 2),
    ('g_t', 'acct_t', null, 'expired', -3800, 0, 'JPY', '2026-11-01', 3);
create table marts.fct_commitment_ledger (
    commitment_id varchar, contract_id varchar, account_id varchar, invoice_id varchar,
    period_start date, entry_type varchar, amount decimal(38, 4),
    balance_after decimal(38, 4), commitment_type varchar, currency varchar, period_end date,
    entry_sequence integer
);
-- cm_p prepaid: fee 1,200.00, then draws 500.25 and 300.00: 1,200 - 500.25 - 300 = 399.75
-- cm_q postpaid JPY 100,000 over Q4 2026: 30,000 drawn, 70,000 still to reach
insert into marts.fct_commitment_ledger values
    ('cm_p', 'c_a', 'acct_a', 'inv_a_oct', '2026-10-01', 'fee', 1200, 1200, 'prepaid', 'USD',
     '2026-11-01', 1),
    ('cm_p', 'c_a', 'acct_a', 'inv_a_oct', '2026-10-01', 'drawdown', -500.25, 699.75,
     'prepaid', 'USD', '2026-11-01', 2),
    ('cm_p', 'c_a', 'acct_a', 'inv_a_nov', '2026-11-01', 'drawdown', -300, 399.75, 'prepaid',
     'USD', '2026-12-01', 3),
    ('cm_q', 'c_t', 'acct_t', null, '2026-10-01', 'drawdown', -30000, 70000, 'postpaid', 'JPY',
     '2027-01-01', 1);
create table audit.audit_pending_adjustments (
    adjusted_invoice_line_id varchar, adjusted_invoice_id varchar, account_id varchar,
    contract_id varchar, candidate_invoice_id varchar, adjusted_period_start date,
    adjusted_period_end date, adjusted_line_type varchar, meter_id varchar, price_id varchar,
    dimension_value varchar, quantity decimal(37, 9), amount decimal(38, 4), currency varchar,
    description varchar, fresh_amount decimal(38, 4), frozen_amount decimal(38, 4),
    previously_adjusted_amount decimal(38, 4), pending_reason varchar
);
-- acct_a: 12.34 - 2.00 = 10.34 USD pending; acct_t: 150 JPY
insert into audit.audit_pending_adjustments values
    ('l2', 'inv_a_oct', 'acct_a', 'c_a', null, '2026-10-01', '2026-11-01', 'usage',
     'api_requests', 'p_api', null, 12340, 12.34, 'USD', 'Adjustment for 2026-10', 1012.34,
     1000, 0, 'no_open_invoice'),
    ('l3', 'inv_a_oct', 'acct_a', 'c_a', 'inv_a_nov', '2026-10-01', '2026-11-01', 'fixed',
     null, 'p_fix', null, null, -2, 'USD', 'Adjustment for 2026-10', 282.5, 284.5, 0,
     'host_total_negative'),
    ('l6', 'inv_t_oct', 'acct_t', 'c_t', null, '2026-10-01', '2026-11-01', 'usage',
     'api_requests', 'p_japi', null, 1500, 150, 'JPY', 'Adjustment for 2026-10', 5495, 5345, 0,
     'no_open_invoice');
"""


@pytest.fixture
def balances_report(tmp_path: Path) -> str:
    return _render(_database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, INVOICES,
                             BALANCES))


def _section(text: str, title: str) -> str:
    """The report's section under heading `title`, up to the next heading (a '====' line)."""
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start + 2, len(lines) - 1)
                if lines[i + 1] and set(lines[i + 1]) == {"="}), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def test_credit_balances(balances_report: str) -> None:
    credits = _section(balances_report, "Credit balances")
    # g_a: granted 100.00, applied -30.00 - 45.50 = -75.50, left 24.50 (its 3rd entry)
    assert _line_with(credits, "g_a").split() == [
        "g_a", "acct_a", "USD", "100.00", "-75.50", "0.00", "24.50"]
    # g_t: JPY without decimals; 5,000 - 1,200 - 3,800 = 0
    assert _line_with(credits, "g_t").split() == [
        "g_t", "acct_t", "JPY", "5,000", "-1,200", "-3,800", "0"]


def test_commitment_balances_and_movements(balances_report: str) -> None:
    commitments = _section(balances_report, "Commitments")
    balances = commitments[commitments.index("Balances"):commitments.index("Movements")]
    assert _line_with(balances, "cm_p").split() == ["cm_p", "acct_a", "prepaid", "USD", "399.75"]
    assert _line_with(balances, "cm_q").split() == [
        "cm_q", "acct_t", "postpaid", "JPY", "70,000"]
    movements = commitments[commitments.index("Movements"):]
    # periods as stored: the quarter's period_end 2027-01-01 is the day after it
    assert "2026-10-01 → 2027-01-01" in _line_with(movements, "cm_q")
    assert _line_with(movements, "-500.25").split()[-2:] == ["-500.25", "699.75"]


def test_pending_adjustments(balances_report: str) -> None:
    pending = _section(balances_report, "Pending adjustments")
    assert "no_open_invoice" in _line_with(pending, "12.34")
    assert "host_total_negative" in _line_with(pending, "-2.00")
    assert "2026-10-01 → 2026-11-01" in _line_with(pending, "inv_t_oct")
    # 12.34 - 2.00 = 10.34 USD; 150 JPY
    assert "  pending JPY 150" in pending
    assert "  pending USD 10.34" in pending


def test_no_pending_adjustments(tmp_path: Path) -> None:
    empty = BALANCES[BALANCES.index("create table audit.audit_pending_adjustments"):]
    empty = empty[: empty.index("insert into")]
    text = _render(_database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, empty))
    assert "(none: every adjustment is on an invoice)" in text


def test_next_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, INVOICES)
    assert report.main(["--database", str(path), "--as-of", "2026-11-25", "--next-steps"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "as_of 2026-11-25"
    steps = out[out.index("Where next"):]
    assert "as_of:   2026-11-25" in steps
    assert f"DuckDB file {path}, schema marts" in steps
    assert "fct_invoices" in steps and "audit_event_reconciliation" in steps
    # the next commands, in order: query the marts, the docs, the Dagster UI, the statements
    # and a price simulation
    assert [line.split()[1] for line in steps.splitlines()
            if line.strip().startswith("make ")] == [
        "query", "docs", "dagster", "statements", "simulate"]
    # without --next-steps the report stops after the pending adjustments
    assert report.main(["--database", str(path)]) == 0
    assert "Where next" not in capsys.readouterr().out


def test_query_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from orchestration import query

    path = _database(tmp_path / "w.duckdb", DIMENSIONS, USAGE, INVOICES)
    # the default query: billed totals per currency and period
    assert query.main(["--database", str(path)]) == 0
    out = capsys.readouterr().out
    # USD October 1,234.50 and November 765.50; JPY October 12,345
    assert _line_with(out, "JPY").split() == ["JPY", "2026-10-01", "2026-11-01", "12345.0000"]
    assert "(3 rows)" in out
    assert query.main(["--database", str(path), "select count(*) as n from marts.fct_invoices"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split() == ["3"]
    assert query.main(["--database", str(path), "select * from nowhere"]) == 1
    assert "query:" in capsys.readouterr().err
    # read-only: a write is refused
    assert query.main(["--database", str(path), "delete from marts.fct_invoices"]) == 1
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_invoices").fetchall() == [(3,)]


@pytest.mark.parametrize(
    ("amount", "minor_units", "expected"),
    [
        (Decimal("1234.5"), 2, "1,234.50"),
        (Decimal(12345), 0, "12,345"),
        (Decimal("12345.5"), 0, "12,346"),  # half away from zero
        (Decimal("-0.005"), 2, "-0.01"),
        (Decimal("0.0049"), 2, "0.00"),
        (Decimal("1234567.8915"), 3, "1,234,567.892"),
    ],
)
def test_format_money(amount: Decimal, minor_units: int, expected: str) -> None:
    assert report.format_money(amount, minor_units) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("1207.000000000"), "1,207"), (Decimal("20.250000000"), "20.25"),
     (Decimal(1000), "1,000"), (None, "")],
)
def test_format_quantity(value: Decimal | None, expected: str) -> None:
    assert report.format_quantity(value) == expected


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _database(tmp_path / "w.duckdb", DIMENSIONS, AUDIT, USAGE, INVOICES)
    assert report.main(["--database", str(path)]) == 0
    assert "Total USD 1,234.50" in capsys.readouterr().out
    assert report.main(["--database", str(tmp_path / "missing.duckdb")]) == 1
    assert "no warehouse" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()


def test_cli_default_database_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    path = _database(tmp_path / "env.duckdb", AUDIT)
    monkeypatch.setenv("METERLINE_DUCKDB_PATH", str(path))
    assert report.main([]) == 0
    assert str(path) in capsys.readouterr().out


def test_overview_example_queries_run_on_the_marts_contracts() -> None:
    """The finance overview of the dbt docs (models/overview.md): every example query runs on
    tables made from the marts' enforced contracts (and the audit tables' columns), so a
    renamed column or mart breaks this test before it breaks the docs."""
    import yaml

    root = Path(report.__file__).resolve().parents[1]
    queries = re.findall(r"```sql\n(.*?)```", (root / "models" / "overview.md").read_text(),
                         re.DOTALL)
    assert len(queries) >= 5
    with duckdb.connect() as con:
        for schema in ("marts", "audit"):
            con.execute(f"create schema {schema}")
            for path in sorted((root / "models" / schema).glob("*.yml")):
                for model in yaml.safe_load(path.read_text()).get("models", []):
                    columns = ", ".join(
                        f'"{column["name"]}" {column.get("data_type", "varchar")}'
                        for column in model["columns"])
                    con.execute(f"create table {schema}.{model['name']} ({columns})")
        for query in queries:
            con.execute(query).fetchall()

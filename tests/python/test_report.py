"""Tests of the warehouse report (orchestration.report) on small hand-made DuckDB fixtures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration import report

SEEDS = """
create schema seeds;
create table seeds.currencies (currency varchar, minor_units integer);
insert into seeds.currencies values ('USD', 2), ('EUR', 2), ('JPY', 0);
create table seeds.meters (
    meter_id varchar, event_type varchar, aggregation varchar, value_property varchar,
    group_by varchar, unit varchar, description varchar
);
insert into seeds.meters values
    ('api_requests', 'api_request', 'count', null, 'endpoint', 'request', 'API requests'),
    ('storage_gb', 'storage_snapshot', 'max', 'gb', null, 'GB', 'Peak GB'),
    ('active_users', 'user_login', 'unique_count', 'user_id', null, 'user', 'Users');
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
create schema marts;
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
    return _render(_database(tmp_path / "w.duckdb", SEEDS, AUDIT, USAGE, INVOICES))


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
    assert "acct_a  2026-10-01 to 2026-10-31  final  USD" in full_report
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
    text = _render(_database(tmp_path / "w.duckdb", SEEDS, AUDIT, USAGE, broken))
    assert "Total USD 1,200.00" in text
    assert "(lines sum to USD 1,234.50)" in text


def test_empty_warehouse_prints_not_built(tmp_path: Path) -> None:
    text = _render(_database(tmp_path / "w.duckdb"))
    # reconciliation, 2 reason lists, usage, invoices, commitments
    assert text.count(report.NOT_BUILT) == 6
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


def test_meter_usage_preferred_when_built(tmp_path: Path) -> None:
    script = """
    create schema intermediate;
    create table intermediate.int_meter_usage (
        account_id varchar, contract_id varchar, plan_id varchar, meter_id varchar,
        aggregation varchar, period_start date, period_end date, dimension_value varchar,
        quantity decimal(22, 9), event_count bigint
    );
    insert into intermediate.int_meter_usage values
        ('acct_a', 'c_a', 'payg', 'active_users', 'unique_count', '2026-10-01', '2026-11-01',
         '', 9, 16),
        ('acct_a', 'c_a', 'payg', 'api_requests', 'count', '2026-10-01', '2026-11-01',
         '/v1/chat', 1203, 1203),
        ('acct_a', 'c_a', 'payg', 'api_requests', 'count', '2026-10-01', '2026-11-01',
         '/v1/search', 4, 4);
    """
    text = _render(_database(tmp_path / "w.duckdb", SEEDS, USAGE, script))
    assert "intermediate.int_meter_usage" in text
    # a single period figure for a unique_count meter is shown as is: 9 distinct users.
    assert _line_with(text, "active_users").split()[-3:] == ["16", "9", "user"]
    assert _line_with(text, "api_requests").split()[-3:] == ["1,207", "1,207", "request"]


def test_period_usage_with_gauges(tmp_path: Path) -> None:
    script = """
    create schema intermediate;
    create table intermediate.int_period_usage (
        account_id varchar, contract_id varchar, plan_id varchar, meter_id varchar,
        aggregation varchar, period_start date, period_end date, dimension_value varchar,
        quantity decimal(37, 9), event_count bigint
    );
    insert into intermediate.int_period_usage values
        ('acct_a', 'c_a', 'payg', 'seats', 'time_weighted', '2026-06-01', '2026-07-01',
         'eu', 16.6, 2),
        ('acct_a', 'c_a', 'payg', 'seats', 'time_weighted', '2026-06-01', '2026-07-01',
         'us', 3.4, 1),
        ('acct_a', 'c_a', 'payg', 'seats_peak', 'peak', '2026-06-01', '2026-07-01',
         'eu', 18, 2),
        ('acct_a', 'c_a', 'payg', 'seats_peak', 'peak', '2026-06-01', '2026-07-01',
         'us', 4, 1),
        ('acct_b', 'c_b', 'payg', 'seats_peak', 'peak', '2026-06-01', '2026-07-01',
         null, 18, 0);
    """
    text = _render(_database(tmp_path / "w.duckdb", SEEDS, USAGE, script))
    assert "intermediate.int_period_usage" in text
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
    text = _render(_database(tmp_path / "w.duckdb", SEEDS, USAGE, script))
    # 15 seats on each of two days is not 30 seats: a time_weighted figure needs the period.
    assert _line_with(text, "acct_g").split()[-4:] == ["time_weighted", "1", "-", "seat"]


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
    path = _database(tmp_path / "w.duckdb", SEEDS, AUDIT, USAGE, INVOICES)
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

"""End to end: the rating scenario of tests/fixtures/rating -> dbt build -> invoices.

Seeds and landing events are the files in tests/fixtures/rating (seeds replace the demo
seeds in a temporary copy of the project). as_of 2026-02-20, grace 3 days: January
invoices are final, February invoices open; acct_qtr is billed by calendar quarter (its
first quarter is open). Every expected amount is worked out by hand
below; none is read back from the models.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtRun, run_dbt

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "rating"
AS_OF = "2026-02-20"
JAN, FEB = "2026-01-01", "2026-02-01"
SELECT = [
    "--select",
    ("+fct_invoices +fct_invoice_lines +fct_credit_ledger +fct_rated_usage +fct_rated_usage_tiers"
    " +audit_unrated_events"),
    "--exclude", "resource_type:unit_test",
    "--indirect-selection", "cautious",
]

# (account, currency, period_start): (status, subtotal, total, line_count)
EXPECTED_INVOICES = {
    # graduated (10: 10/u + 2), (20: 5/u + 3), (inf: 5/u + 3); 21 units:
    # 10 x 10 + 2 + 10 x 5 + 3 + 1 x 5 + 3 = 163
    ("acct_grad", "USD", JAN): ("final", "163.00", "163.00", 1),
    # no usage: tier 1's flat amount only = 2
    ("acct_grad", "USD", FEB): ("open", "2.00", "2.00", 1),
    # volume (100: 2/u + 10), (200: 1/u), (inf: 0.5/u + 50); 100.5 -> tier 2: 100.5 x 1
    ("acct_vol", "USD", JAN): ("final", "100.50", "100.50", 1),
    # 300 -> tier 3: 300 x 0.5 + 50 = 200
    ("acct_vol", "USD", FEB): ("open", "200.00", "200.00", 1),
    # package size 10, 100 each, 10 free: ceil((121 - 10) / 10) = 12 x 100 = 1200;
    # tenths: 0.1 + 0.2 = 0.3 exactly, ceil(0.3 / 0.3) = 1 x 1 = 1; 1200 + 1 = 1201
    ("acct_pkg", "USD", JAN): ("final", "1201.00", "1201.00", 2),
    # no usage: ceil(0 / 10) = 0 packages; two zero lines
    ("acct_pkg", "USD", FEB): ("open", "0.00", "0.00", 2),
    # fixed 100.00 from 10 January: 100 x 22 / 31 = 70.967... -> 70.97
    ("acct_fixed", "USD", JAN): ("final", "70.97", "70.97", 1),
    ("acct_fixed", "USD", FEB): ("open", "100.00", "100.00", 1),
    # chat 3 x 0.008 = 0.024 -> 0.02; search 2 x 0.05 = 0.10; fixed 15.00 (contract's, replacing
    # the plan's 20 + 5): subtotal 15.12; discount 10% = 1.512 -> -1.51;
    # minimum 50 - (15.12 - 1.51) = 36.39; total 15.12 - 1.51 + 36.39 = 50.00
    ("acct_ovr", "USD", JAN): ("final", "15.12", "50.00", 5),
    # search 1 x 0.04 (price from 1 February) = 0.04; chat default price 0.00; fixed 15.00:
    # subtotal 15.04; discount 1.504 -> -1.50; minimum 50 - 13.54 = 36.46; total 50.00
    ("acct_ovr", "USD", FEB): ("open", "15.04", "50.00", 5),
    # fixed 100.00, paid by g_promo (priority 0): 100 - 100 = 0
    ("acct_credit", "USD", JAN): ("final", "100.00", "0.00", 2),
    # g_promo expired 1 February; g_prepaid (priority 1) 80, then g_late (priority null) 20
    ("acct_credit", "USD", FEB): ("open", "100.00", "0.00", 3),
    # Tokyo contract from 16 January: 1000 x 16 / 31 = 516.12... -> 516;
    # 5 requests x 0.5 = 2.5 -> 3 (half away from zero, 0 minor units); 516 + 3 = 519
    ("acct_jpy", "JPY", JAN): ("final", "519", "519", 2),
    # 1000 + 1 request (1 February in Tokyo) x 0.5 = 0.5 -> 1; 1001
    ("acct_jpy", "JPY", FEB): ("open", "1001", "1001", 2),
    # quarterly (data contract 7.1, calendar quarters): one period 1 January to 1 April, open
    # (as_of 20 February). Fixed 90.00 a quarter from 15 January: 76 of 90 days (17 + 28 + 31
    # of 31 + 28 + 31) = 90 x 76 / 90 = 76.00; users: u1 (20 January, 3 February) and u2
    # (10 February) = 2 once in the quarter (January 1 + February 2 = 3 by month) x 1.00 =
    # 2.00; 76.00 + 2.00 = 78.00
    ("acct_qtr", "USD", JAN): ("open", "78.00", "78.00", 2),
}

# (account, period_start, line_type, price_id or grant_id, dimension_value): amount
EXPECTED_LINES = {
    ("acct_ovr", JAN, "usage", "p_ovr_api", "/v1/chat"): "0.02",
    ("acct_ovr", JAN, "usage", "p_std_search_v1", "/v1/search"): "0.10",
    ("acct_ovr", JAN, "fixed", "p_ovr_fee", None): "15.00",
    ("acct_ovr", JAN, "discount", None, None): "-1.51",
    ("acct_ovr", JAN, "minimum_true_up", None, None): "36.39",
    ("acct_ovr", FEB, "usage", "p_ovr_api", None): "0.00",
    ("acct_ovr", FEB, "usage", "p_std_search_v2", "/v1/search"): "0.04",
    ("acct_ovr", FEB, "fixed", "p_ovr_fee", None): "15.00",
    ("acct_ovr", FEB, "discount", None, None): "-1.50",
    ("acct_ovr", FEB, "minimum_true_up", None, None): "36.46",
    ("acct_credit", JAN, "credit", "g_promo", None): "-100.00",
    ("acct_credit", FEB, "credit", "g_prepaid", None): "-80.00",
    ("acct_credit", FEB, "credit", "g_late", None): "-20.00",
}

# grant: [(entry_type, amount, balance_after)] in entry order
EXPECTED_LEDGER = {
    "g_promo": [("granted", "150.00", "150.00"), ("applied", "-100.00", "50.00"),
                ("expired", "-50.00", "0.00")],
    "g_prepaid": [("granted", "80.00", "80.00"), ("applied", "-80.00", "0.00")],
    "g_late": [("granted", "500.00", "500.00"), ("applied", "-20.00", "480.00")],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    work_dir: Path = tmp_path_factory.mktemp("rating_e2e")
    seeds = {path.name: path.read_text() for path in (FIXTURE / "seeds").glob("*.csv")}
    run = run_dbt(["build", *SELECT], work_dir, landing_dir=FIXTURE / "landing", as_of=AS_OF,
                  seeds=seeds)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr
    return run


def test_every_invoice_total_matches_hand_computed_values(built: DbtRun) -> None:
    rows = built.query("""
        select account_id, currency, cast(period_start as varchar), status,
               subtotal, total, line_count
        from marts.fct_invoices
    """)
    actual = {(a, c, p): (s, sub, tot, n) for a, c, p, s, sub, tot, n in rows}
    expected = {
        key: (status, Decimal(subtotal), Decimal(total), count)
        for key, (status, subtotal, total, count) in EXPECTED_INVOICES.items()
    }
    assert actual == expected


def test_invoice_ids_are_md5_of_account_currency_period(built: DbtRun) -> None:
    # a calendar month keeps the v1 key; any other period (acct_qtr's quarter) adds its end
    keys = {}
    for invoice_id, account, currency, start, end in built.query(
        "select invoice_id, account_id, currency, cast(period_start as varchar),"
        " cast(period_end as varchar) from marts.fct_invoices"
    ):
        calendar_month = start.endswith("-01") and end == (
            f"{int(start[:4]) + 1}-01-01" if start[5:7] == "12"
            else f"{start[:5]}{int(start[5:7]) + 1:02d}-01"
        )
        key = f"{account}|{currency}|{start}" + ("" if calendar_month else f"|{end}")
        assert invoice_id == hashlib.md5(key.encode()).hexdigest()
        keys[account] = calendar_month
    assert keys["acct_qtr"] is False and keys["acct_grad"] is True


def test_override_discount_minimum_and_credit_lines(built: DbtRun) -> None:
    rows = built.query("""
        select account_id, cast(period_start as varchar), line_type,
               coalesce(grant_id, price_id), dimension_value, amount
        from marts.fct_invoice_lines
        where account_id in ('acct_ovr', 'acct_credit') and line_type <> 'fixed'
           or account_id = 'acct_ovr'
    """)
    actual = {(a, p, t, ref, d): amount for a, p, t, ref, d, amount in rows}
    assert actual == {key: Decimal(value) for key, value in EXPECTED_LINES.items()}


def test_credit_ledger(built: DbtRun) -> None:
    rows = built.query("""
        select grant_id, entry_type, amount, balance_after
        from marts.fct_credit_ledger order by grant_id, entry_sequence
    """)
    actual: dict[str, list[tuple[str, Decimal, Decimal]]] = {}
    for grant_id, entry_type, amount, balance in rows:
        actual.setdefault(grant_id, []).append((entry_type, amount, balance))
    assert actual == {
        grant: [(kind, Decimal(a), Decimal(b)) for kind, a, b in entries]
        for grant, entries in EXPECTED_LEDGER.items()
    }


def test_descriptions_explain_the_charge(built: DbtRun) -> None:
    descriptions = {
        row[0] for row in built.query(
            "select description from marts.fct_invoice_lines where account_id = 'acct_fixed'"
            " or (account_id = 'acct_pkg' and period_start = '2026-01-01')"
        )
    }
    assert descriptions == {
        "Fixed fee (Fixed), 22 of 31 days = 70.97",
        "Fixed fee (Fixed) = 100.00",
        "Units: 10 free + 12 packages of 10 × 100 = 1,200.00",
        "Tenths: 1 package of 0.3 × 1 = 1.00",
    }


def test_quarterly_contract_is_billed_over_the_whole_quarter(built: DbtRun) -> None:
    invoices = built.query("""
        select cast(period_start as varchar), cast(period_end as varchar)
        from marts.fct_invoices where account_id = 'acct_qtr'
    """)
    assert invoices == [(JAN, "2026-04-01")]
    rated = built.query("""
        select meter_id, cast(period_start as varchar), cast(period_end as varchar), quantity,
               amount
        from marts.fct_rated_usage where account_id = 'acct_qtr'
    """)
    # two distinct users in the quarter, at 1.00 each
    assert rated == [("users", JAN, "2026-04-01", Decimal(2), Decimal(2))]
    lines = built.query("""
        select line_type, amount, description from marts.fct_invoice_lines
        where account_id = 'acct_qtr' and line_type = 'fixed'
    """)
    # 15 January to 1 April: 17 + 28 + 31 = 76 of 31 + 28 + 31 = 90 days; 90 x 76 / 90 = 76
    assert lines == [("fixed", Decimal("76.00"), ("Fixed fee (Quarterly), Q1 2026"
                      " (15 Jan 2026\u201331 Mar 2026, 76 of 90 days) = 76.00"))]


def test_unpriced_and_out_of_contract_usage_is_audited_not_billed(built: DbtRun) -> None:
    rows = built.query("""
        select event_id, reason from audit.audit_unrated_events
        where reason in ('no_price', 'no_active_contract')
    """)
    assert sorted(rows) == [("grad-seat", "no_price"), ("jpy-early", "no_active_contract")]
    billed = built.query("select count(*) from marts.fct_rated_usage where meter_id = 'seats'")
    assert billed == [(0,)]

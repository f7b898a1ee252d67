"""A small hand-made warehouse for the orchestration tests: the contract's mart columns, with
final, draft and open invoices. Every amount is chosen by hand; the expected values in the tests
are worked out in comments there, not read back from the code.

Invoices (as_of 2026-11-25 in spirit: October is final, November open or draft):

    inv_a_oct  acct_a  USD  2026-10  final  5 lines, total 157.72   Stripe customer cus_a
    inv_b_oct  acct_b  JPY  2026-10  final  2 lines, total 5500     Stripe customer cus_b
    inv_c_oct  acct_c  EUR  2026-10  final  1 line,  total 42.10    no Stripe customer
    inv_a_nov  acct_a  USD  2026-11  open   1 line,  total 5.00
    inv_b_nov  acct_b  JPY  2026-11  draft  1 line,  total 300
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

OCT = (date(2026, 10, 1), date(2026, 11, 1))
NOV = (date(2026, 11, 1), date(2026, 12, 1))

ACCOUNTS = [
    # account_id, account_name, billing_timezone, stripe_customer_id
    ("acct_a", "Account A", "America/New_York", "cus_a"),
    ("acct_b", "Account B", "Asia/Tokyo", "cus_b"),
    ("acct_c", "Account C", "UTC", None),
]
CURRENCIES = [("USD", 2), ("JPY", 0), ("EUR", 2)]

# invoice_id, account_id, currency, (period_start, period_end), status, subtotal, total, line_count
INVOICES = [
    # subtotal 123.45 + 7.35 + 100.00 = 230.80; total 230.80 - 23.08 - 50.00 = 157.72
    ("inv_a_oct", "acct_a", "USD", OCT, "final", "230.80", "157.72", 5),
    # subtotal = total = 4500 + 1000 = 5500 (JPY has no minor unit)
    ("inv_b_oct", "acct_b", "JPY", OCT, "final", "5500", "5500", 2),
    ("inv_c_oct", "acct_c", "EUR", OCT, "final", "42.10", "42.10", 1),
    ("inv_a_nov", "acct_a", "USD", NOV, "open", "5.00", "5.00", 1),
    ("inv_b_nov", "acct_b", "JPY", NOV, "draft", "300", "300", 1),
]

# invoice_line_id, invoice_id, line_type, meter_id, price_id, dimension_value, quantity, amount
LINES = [
    ("l_a1", "inv_a_oct", "usage", "api_calls", "p_api", None, "12345", "123.45"),
    ("l_a2", "inv_a_oct", "usage", "storage_gb", "p_sto", "eu", "10.5", "7.35"),
    ("l_a3", "inv_a_oct", "fixed", None, "p_fix", None, None, "100.00"),
    # 10 % discount of 230.80 = 23.08
    ("l_a4", "inv_a_oct", "discount", None, None, None, None, "-23.08"),
    ("l_a5", "inv_a_oct", "credit", None, None, None, None, "-50.00"),
    # 1500 units x 3 JPY = 4500
    ("l_b1", "inv_b_oct", "usage", "api_calls", "p_api_jp", None, "1500", "4500"),
    ("l_b2", "inv_b_oct", "fixed", None, "p_fix_jp", None, None, "1000"),
    ("l_c1", "inv_c_oct", "usage", "api_calls", "p_api_eu", None, "421", "42.10"),
    ("l_a_nov", "inv_a_nov", "usage", "api_calls", "p_api", None, "500", "5.00"),
    ("l_b_nov", "inv_b_nov", "usage", "api_calls", "p_api_jp", None, "100", "300"),
]

# line_sequence of each line type, as the line-type registry (macros/billing/line_types.sql) gives it
LINE_SEQUENCE = {"usage": 1, "fixed": 2, "discount": 6, "credit": 11}

# Stripe amounts in minor units, worked out by hand from LINES (USD x 100, JPY x 1).
EXPECTED_STRIPE_ITEMS = {
    "l_a1": 12345,
    "l_a2": 735,
    "l_a3": 10000,
    "l_a4": -2308,
    "l_a5": -5000,
    "l_b1": 4500,
    "l_b2": 1000,
}
# 12345 + 735 + 10000 - 2308 - 5000 = 15772; 4500 + 1000 = 5500
EXPECTED_STRIPE_TOTALS = {"inv_a_oct": 15772, "inv_b_oct": 5500}
FINAL_INVOICE_IDS = {"inv_a_oct", "inv_b_oct", "inv_c_oct"}


def build_fixture_warehouse(path: Path) -> Path:
    """Create the marts the billing code reads (the contract's columns) with the rows above."""
    conn = duckdb.connect(str(path))
    try:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.dim_accounts (account_id varchar, account_name varchar, "
            "billing_timezone varchar, stripe_customer_id varchar)"
        )
        conn.executemany("insert into marts.dim_accounts values (?, ?, ?, ?)", ACCOUNTS)
        conn.execute("create table marts.dim_currencies (currency varchar, minor_units integer)")
        conn.executemany("insert into marts.dim_currencies values (?, ?)", CURRENCIES)
        conn.execute(
            """
            create table marts.fct_invoices (
                invoice_id varchar, account_id varchar, currency varchar, period_start date,
                period_end date, status varchar, subtotal decimal(38, 4),
                total decimal(38, 4), line_count bigint
            )
            """
        )
        conn.executemany(
            "insert into marts.fct_invoices values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i, a, c, p[0], p[1], s, Decimal(sub), Decimal(tot), n)
                for i, a, c, p, s, sub, tot, n in INVOICES
            ],
        )
        conn.execute(
            """
            create table marts.fct_invoice_lines (
                invoice_line_id varchar, invoice_id varchar, account_id varchar,
                contract_id varchar, period_start date, period_end date, line_type varchar,
                meter_id varchar, price_id varchar, dimension_value varchar,
                quantity decimal(22, 9), amount decimal(38, 4), currency varchar,
                description varchar, line_sequence integer
            )
            """
        )
        invoices = {row[0]: row for row in INVOICES}
        rows = []
        for line_id, invoice_id, line_type, meter, price, dim, qty, amount in LINES:
            _, account, currency, period, *_ = invoices[invoice_id]
            rows.append(
                (line_id, invoice_id, account, f"ctr_{account}", period[0], period[1],
                 line_type, meter, price, dim, None if qty is None else Decimal(qty),
                 Decimal(amount), currency, f"{line_type} {meter or ''}".strip(),
                 LINE_SEQUENCE[line_type])
            )
        conn.executemany(
            "insert into marts.fct_invoice_lines values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    finally:
        conn.close()
    return path


_MANIFEST_TARGET: Path | None = None
REPO_ROOT = Path(__file__).resolve().parents[2]


def prepare_dbt_manifest() -> Path:
    """`dbt parse` once per test session into a private target dir, and point the orchestration
    at it (env METERLINE_DBT_TARGET_PATH) before `orchestration.assets.dbt` is imported.

    The parse used the DuckDB file `<target>/../parse.duckdb`; dbt commands run with that same
    file reuse the parse (partial parsing), any other path makes dbt parse everything again."""
    global _MANIFEST_TARGET
    if _MANIFEST_TARGET is None:
        import os
        import subprocess
        import sys
        import tempfile

        work = Path(tempfile.mkdtemp(prefix="meterline-orchestration-"))
        env = {**os.environ, "METERLINE_DUCKDB_PATH": str(work / "parse.duckdb")}
        subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), "parse", "--quiet",
             "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
            cwd=REPO_ROOT, env=env, check=True,
        )
        os.environ["METERLINE_DBT_TARGET_PATH"] = str(work / "target")
        _MANIFEST_TARGET = work / "target"
    return _MANIFEST_TARGET

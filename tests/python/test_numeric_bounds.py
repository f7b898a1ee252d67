"""Numeric bounds (DECISIONLOG "Money and quantities"), end to end and on the macros.

- An event value is at most 10^18 with at most 9 decimals; beyond that the record is
  quarantined as invalid_value on its own, and the rest of its file loads.
- A JSON number is judged by its literal as written (the JSON reader's binary64 double
  turns 1e-400 into 0.0 and 100000000000.000000001 into 100000000000.0), so both are
  invalid_value; the same digits as a numeric string are exact.
- Quantities aggregate in decimal(38, 9) into decimal(37, 9): 9,999,999,999,999 + 1 tokens
  are exactly 10^13 and rate exactly; a quantity too large for the type is null, never an
  overflow error.
- Every unrounded amount is below 10^19: one that is not is null and the test
  assert_rated_amounts_representable names it; nothing is rounded, nothing overflows.

Every expected number is worked out by hand in the comments; none is read back from the
models.
"""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DbtRun, only_seeds, run_dbt, write_ndjson

AS_OF = "2026-11-25"
OCT = "2026-10-01"
SKIP_UNIT_TESTS = ["--exclude", "resource_type:unit_test"]

METERS = [
    {"meter_id": "tokens", "event_type": "llm", "aggregation": "sum", "value_property": "tokens",
     "unit": "token", "description": "tokens"},
    {"meter_id": "tokens_tiered", "event_type": "llm", "aggregation": "sum",
     "value_property": "tokens", "unit": "token", "description": "tokens, graduated"},
    {"meter_id": "level_mean", "event_type": "probe", "aggregation": "mean",
     "value_property": "v", "unit": "unit", "description": "mean of large values"},
]


def seeds(accounts: list[str], contracts: list[dict[str, str]], prices: list[dict[str, str]],
          tiers: list[dict[str, str]] | None = None) -> dict[str, str]:
    """Every seed of the project replaced: the given rows, header only for the rest."""
    given = {
        "accounts.csv": [{"account_id": a, "account_name": a, "billing_timezone": "UTC"}
                         for a in accounts],
        "currencies.csv": [{"currency": "USD", "minor_units": "2"}],
        "plans.csv": [{"plan_id": "plan_usd", "plan_name": "USD plan", "currency": "USD"}],
        "contracts.csv": contracts,
        "meters.csv": METERS,
        "prices.csv": prices,
        "price_tiers.csv": tiers or [],
    }
    return only_seeds(given)


def contract(contract_id: str, account_id: str, **extra: str) -> dict[str, str]:
    return {"contract_id": contract_id, "account_id": account_id, "plan_id": "plan_usd",
            "starts_on": OCT, **extra}


def per_unit(price_id: str, contract_id: str, meter_id: str, unit_amount: str) -> dict[str, str]:
    return {"price_id": price_id, "contract_id": contract_id, "charge_type": "usage",
            "meter_id": meter_id, "pricing_model": "per_unit", "unit_amount": unit_amount}


def event(event_id: str, account: str, event_type: str, properties: str,
          at: str = "2026-10-02T10:00:00Z") -> str:
    """A landed line; properties as raw JSON text, so number literals stay as written."""
    return (
        f'{{"event_id": "{event_id}", "event_type": "{event_type}", "account_id": "{account}",'
        f' "occurred_at": "{at}", "properties": {properties}}}'
    )


def run_results(work_dir: Path) -> list[dict[str, Any]]:
    return json.loads((work_dir / "target" / "run_results.json").read_text())["results"]


# -- one build: the two events, values at the bounds, JSON number literals ---------

BOUNDS_SEEDS = seeds(
    ["acct_big", "acct_edge", "acct_text"],
    [
        contract("c_big", "acct_big", discount_percent="10"),
        contract("c_edge", "acct_edge"),
        contract("c_text", "acct_text"),
    ],
    [
        per_unit("p_big", "c_big", "tokens", "0.123456789"),
        {"price_id": "p_big_tiered", "contract_id": "c_big", "charge_type": "usage",
         "meter_id": "tokens_tiered", "pricing_model": "graduated"},
        per_unit("p_edge", "c_edge", "tokens", "0.000000007"),
        per_unit("p_text", "c_text", "tokens", "0.000002"),
    ],
    [
        {"price_id": "p_big_tiered", "tier": "1", "up_to": "1000", "unit_amount": "0.5",
         "flat_amount": "10"},
        {"price_id": "p_big_tiered", "tier": "2", "unit_amount": "0.000000001"},
    ],
)


def write_bounds_landing(landing: Path) -> None:
    # The two events: 9,999,999,999,999 + 1 tokens overflowed decimal(22, 9).
    write_ndjson(landing / "big.ndjson", [
        event("b1", "acct_big", "llm", '{"tokens": 9999999999999}'),
        event("b2", "acct_big", "llm", '{"tokens": 1}'),
    ])
    write_ndjson(landing / "edge.ndjson", [
        event("e1", "acct_edge", "llm", '{"tokens": 1000000000000000000}'),  # 10^18: the largest
        event("e2", "acct_edge", "llm", '{"tokens": "1000000000000000000.000000001"}'),  # above
        event("e3", "acct_edge", "llm", '{"tokens": 1000000000000000001}'),  # above
        event("e4", "acct_edge", "llm", '{"tokens": 5}'),
        event("m1", "acct_edge", "probe", '{"v": 1000000000000000000}'),
        event("m2", "acct_edge", "probe", '{"v": "1e18"}'),
        event("m3", "acct_edge", "probe", '{"v": 2}'),
    ])
    write_ndjson(landing / "text.ndjson", [
        event("t1", "acct_text", "llm", '{"tokens": 2.5}'),
        event("t2", "acct_text", "llm", '{"tokens": 1e-400}'),  # the reader's double is 0.0
        # 21 significant digits: the reader's double is 100000000000.0
        event("t3", "acct_text", "llm", '{"tokens": 100000000000.000000001}'),
        # the same digits as a string are exact
        event("t4", "acct_text", "llm", '{"tokens": "100000000000.000000001"}'),
        # a string is exact at any length, but 20 decimals are beyond the 9 a value may have
        event("t5", "acct_text", "llm", '{"tokens": "1.00000000000000000001"}'),
    ])


@pytest.fixture(scope="module")
def bounds_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    work = tmp_path_factory.mktemp("numeric_bounds")
    landing = work / "landing"
    write_bounds_landing(landing)
    result = run_dbt(["build", *SKIP_UNIT_TESTS], work / "build", landing_dir=landing,
                     as_of=AS_OF, seeds=BOUNDS_SEEDS)
    assert result.returncode == 0, result.stdout[-4000:]
    return result


def test_bounds_build_quarantines_per_record(bounds_build: DbtRun) -> None:
    assert bounds_build.query(
        "select file_name, line_number, reason from audit.audit_quarantined_events order by 1, 2"
    ) == [
        ("edge.ndjson", 2, "invalid_value"),  # 10^18 + 0.000000001 > 10^18
        ("edge.ndjson", 3, "invalid_value"),  # 10^18 + 1 > 10^18
        ("text.ndjson", 2, "invalid_value"),  # 1e-400: 400 decimals
        ("text.ndjson", 3, "invalid_value"),  # JSON number, 21 significant digits
        ("text.ndjson", 5, "invalid_value"),  # 20 decimals
    ]
    # the other records of each file load: big 2 + 2 = 2 + 0; edge 7 = 5 + 2; text 5 = 2 + 3
    assert bounds_build.query(
        "select file_name, received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation order by file_name nulls last"
    ) == [
        ("big.ndjson", 2, 2, 0, 0),
        ("edge.ndjson", 7, 5, 0, 2),
        ("text.ndjson", 5, 2, 0, 3),
        (None, 14, 9, 0, 5),
    ]


def test_bounds_build_quantities_are_exact(bounds_build: DbtRun) -> None:
    usage = bounds_build.query(
        "select account_id, meter_id, quantity from intermediate.int_meter_usage "
        "where period_start = ? order by 1, 2", [OCT]
    )
    assert usage == [
        # 9,999,999,999,999 + 1 = 10,000,000,000,000 (10^13) exactly
        ("acct_big", "tokens", Decimal(10000000000000)),
        ("acct_big", "tokens_tiered", Decimal(10000000000000)),
        # mean of 10^18, 10^18 ('1e18' as a string) and 2: 2,000,000,000,000,000,002 / 3
        # = 666,666,666,666,666,667.333... truncated to 9 decimals
        ("acct_edge", "level_mean", Decimal("666666666666666667.333333333")),
        # 10^18 + 5 (the two values above 10^18 are quarantined)
        ("acct_edge", "tokens", Decimal(1000000000000000005)),
        ("acct_edge", "tokens_tiered", Decimal(1000000000000000005)),
        # 2.5 + 100,000,000,000.000000001 (the string) = 100,000,000,002.500000001
        ("acct_text", "tokens", Decimal("100000000002.500000001")),
        ("acct_text", "tokens_tiered", Decimal("100000000002.500000001")),
    ]
    # the daily mart: both of acct_big's events are on 2 October
    assert bounds_build.query(
        "select usage_date, quantity, event_count from marts.fct_usage_daily "
        "where account_id = 'acct_big' and meter_id = 'tokens'"
    ) == [(date(2026, 10, 2), Decimal(10000000000000), 2)]


def test_bounds_build_rates_exactly(bounds_build: DbtRun) -> None:
    rated = bounds_build.query(
        "select price_id, quantity, amount from marts.fct_rated_usage "
        "where period_start = ? order by price_id", [OCT]
    )
    assert rated == [
        # 10,000,000,000,000 x 0.123456789 = 1,234,567,890,000 exactly
        ("p_big", Decimal(10000000000000), Decimal(1234567890000)),
        # graduated: tier 1: 1,000 x 0.5 + 10 flat = 510; tier 2: (10^13 - 1,000) x 0.000000001
        # = 10,000 - 0.000001 = 9,999.999999; 510 + 9,999.999999 = 10,509.999999
        ("p_big_tiered", Decimal(10000000000000), Decimal("10509.999999")),
        # (10^18 + 5) x 0.000000007 = 7,000,000,000 + 0.000000035
        ("p_edge", Decimal(1000000000000000005), Decimal("7000000000.000000035")),
        # 100,000,000,002.500000001 x 0.000002 = 200,000.000005000000002
        ("p_text", Decimal("100000000002.500000001"), Decimal("200000.000005000000002")),
    ]
    lines = bounds_build.query(
        "select contract_id, line_type, price_id, amount from marts.fct_invoice_lines "
        "where period_start = ? order by contract_id, line_type, price_id", [OCT]
    )
    assert lines == [
        # 10% of (1,234,567,890,000.00 + 10,510.00) = 123,456,790,051.00
        ("c_big", "discount", None, Decimal("-123456790051.00")),
        ("c_big", "usage", "p_big", Decimal("1234567890000.00")),
        # 10,509.999999 -> 10,510.00
        ("c_big", "usage", "p_big_tiered", Decimal("10510.00")),
        # 7,000,000,000.000000035 -> 7,000,000,000.00
        ("c_edge", "usage", "p_edge", Decimal("7000000000.00")),
        # 200,000.000005000000002 -> 200,000.00
        ("c_text", "usage", "p_text", Decimal("200000.00")),
    ]
    totals = bounds_build.query(
        "select account_id, status, subtotal, total from marts.fct_invoices "
        "where period_start = ? order by account_id", [OCT]
    )
    assert totals == [
        # 1,234,567,900,510.00 - 123,456,790,051.00 = 1,111,111,110,459.00
        ("acct_big", "final", Decimal("1234567900510.00"), Decimal("1111111110459.00")),
        ("acct_edge", "final", Decimal("7000000000.00"), Decimal("7000000000.00")),
        ("acct_text", "final", Decimal("200000.00"), Decimal("200000.00")),
    ]


# -- an amount that cannot be represented is named, not rounded and not an overflow ---------

def test_unrepresentable_amount_is_reported_not_rounded(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_ndjson(landing / "a.ndjson", [
        event("n1", "acct_near", "llm", '{"tokens": 1000000000000000000}'),
        event("o1", "acct_over", "llm", '{"tokens": 1000000000000000000}'),
    ])
    result = run_dbt(
        ["build", *SKIP_UNIT_TESTS],
        tmp_path / "build",
        landing_dir=landing,
        as_of=AS_OF,
        seeds=seeds(
            ["acct_near", "acct_over"],
            [contract("c_near", "acct_near"), contract("c_over", "acct_over")],
            [
                # 10^18 x 9.999999999 = 9,999,999,999,000,000,000: just below 10^19
                per_unit("p_near", "c_near", "tokens", "9.999999999"),
                # 10^18 x 10 = 10^19: not below 10^19, not representable
                per_unit("p_over", "c_over", "tokens", "10"),
            ],
        ),
    )
    assert result.returncode != 0
    results = run_results(tmp_path / "build")
    # no model or test errored (no overflow anywhere); exactly the representability test failed
    assert [r["unique_id"] for r in results if r["status"] == "error"] == []
    failed = [r["unique_id"] for r in results if r["status"] == "fail"]
    assert len(failed) == 1 and "assert_rated_amounts_representable" in failed[0], failed
    # usage is there, exact, whatever its price
    assert result.query(
        "select account_id, quantity from marts.fct_usage_daily "
        "where meter_id = 'tokens' order by 1"
    ) == [("acct_near", Decimal(10) ** 18), ("acct_over", Decimal(10) ** 18)]
    assert result.query(
        "select price_id, quantity, amount from intermediate.int_rated_usage "
        "where period_start = ? and meter_id = 'tokens' order by price_id", [OCT]
    ) == [
        ("p_near", Decimal(10) ** 18, Decimal(9999999999000000000)),
        ("p_over", Decimal(10) ** 18, None),
    ]
    # the invoices are not built from it (the build skips everything downstream)
    assert result.query(
        "select count(*) from information_schema.tables where table_name = 'fct_invoice_lines'"
    ) == [(0,)]


# -- the macros, compiled once and run by DuckDB over many operands -------------------------

SPLIT = "-- <<split>> --"
MACRO_SQL = [
    """select case_id,
        {{ meterline.per_unit_amount('b', 'u') }} as amount,
        {{ meterline.package_count('b', 's') }} as packages
    from cases order by case_id""",
    """{{ meterline.aggregate_meter_values('meter_values', ['meter_id', 'aggregation']) }}""",
    """select group_id, {{ meterline.sum_amounts('x') }} as total
    from amounts group by group_id order by group_id""",
]


@pytest.fixture(scope="module")
def compiled_macros(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    work = tmp_path_factory.mktemp("numeric_macros")
    run = run_dbt(["compile", "--quiet", "--inline", f"\n{SPLIT}\n".join(MACRO_SQL)], work,
                  as_of=AS_OF, database=work / "compile.duckdb")
    assert run.returncode == 0, run.stdout + run.stderr
    parts = [part.strip() for part in run.stdout.split(SPLIT)]
    assert len(parts) == len(MACRO_SQL)
    return parts


def test_per_unit_and_package_count_match_exact_arithmetic(compiled_macros: list[str]) -> None:
    with localcontext() as exact:
        exact.prec = 100  # every product and quotient below is exact (or 63 digits past it)
        limit = Decimal(10) ** 19
        nano = Decimal("0.000000001")
        largest = Decimal("9999999999999999999999999999.999999999")  # 10^28 - 10^-9
        cases = [
            # the issue: 10^13 x 0.123456789 = 1,234,567,890,000
            (Decimal(10) ** 13, Decimal("0.123456789"), Decimal(1)),
            # 10^18 x 9.999999999 = 9,999,999,999,000,000,000 < 10^19; x 10 = 10^19 is not
            (Decimal(10) ** 18, Decimal("9.999999999"), Decimal(1)),
            (Decimal(10) ** 18, Decimal(10), Decimal(1)),
            # the largest quantity x the smallest price: (10^28 - 10^-9) x 10^-9 = 10^19 - 10^-18
            (largest, nano, nano),
            # (10^28 - 10^-9) / 10^-9 = 10^37 - 1 packages: more than quantity_type holds
            (largest, Decimal(0), Decimal(1)),
            (Decimal("9999999999999.999999999"), Decimal("999999.999999999"), Decimal("0.3")),
            (Decimal(0), Decimal("999999.999999999"), Decimal("0.000000001")),
        ]
        rng = random.Random(20261125)
        for _ in range(2000):
            b = Decimal(rng.randrange(10 ** rng.randint(1, 37))) * nano
            u = Decimal(rng.randrange(10 ** rng.randint(1, 15))) * nano
            s = Decimal(rng.randrange(1, 10 ** rng.randint(1, 22))) * nano
            cases.append((b, u, s))
        with duckdb.connect() as conn:
            conn.execute("create table cases (case_id integer, b decimal(37, 9),"
                         " u decimal(15, 9), s decimal(37, 9))")
            conn.executemany("insert into cases values (?, ?, ?, ?)",
                             [[i, f"{b:f}", f"{u:f}", f"{s:f}"]
                              for i, (b, u, s) in enumerate(cases)])
            rows = conn.execute(compiled_macros[0]).fetchall()
        assert len(rows) == len(cases)
        for (case_id, amount, packages), (b, u, s) in zip(rows, cases, strict=True):
            product = b * u
            expected_amount = product if product < limit else None
            count = (b / s).to_integral_value(rounding=ROUND_CEILING)
            expected_packages = count if count < Decimal(10) ** 28 else None
            assert (amount, packages) == (expected_amount, expected_packages), (case_id, b, u, s)


def test_quantity_too_large_for_its_type_is_null(compiled_macros: list[str]) -> None:
    with duckdb.connect() as conn:
        # values wider than an event's, to reach 10^28 with two rows
        conn.execute("""create table meter_values as select * from (values
            ('over', 'sum', 6000000000000000000000000000.5::decimal(38, 9)),
            ('over', 'sum', 4000000000000000000000000000::decimal(38, 9)),
            ('under', 'sum', 6000000000000000000000000000.5::decimal(38, 9)),
            ('under', 'sum', 3999999999999999999999999999.499999999::decimal(38, 9)),
            ('mean', 'mean', 1000000000000000000::decimal(38, 9)),
            ('mean', 'mean', 999999999999999999.999999999::decimal(38, 9))
        ) as v (meter_id, aggregation, value)""")
        conn.execute("""alter table meter_values add column value_text varchar;
            alter table meter_values add column has_value boolean;
            alter table meter_values add column occurred_at timestamp;
            alter table meter_values add column event_id varchar;
            alter table meter_values add column source varchar;
            alter table meter_values add column record_id varchar;
            alter table meter_values add column file_landed_at timestamp""")
        rows = conn.execute(
            f"select meter_id, quantity from ({compiled_macros[1]}) as q order by meter_id"
        ).fetchall()
    assert rows == [
        # (10^18 + 10^18 - 10^-9) / 2 = 10^18 - 0.0000000005, truncated to 9 decimals
        ("mean", Decimal("999999999999999999.999999999")),
        # 6 x 10^27 + 0.5 + 4 x 10^27 = 10^28 + 0.5: more than decimal(37, 9) holds
        ("over", None),
        # 6 x 10^27 + 0.5 + 3,999,999,999,999,999,999,999,999,999.499999999 = 10^28 - 10^-9
        ("under", Decimal("9999999999999999999999999999.999999999")),
    ]


def test_tier_sums_are_exact_or_null(compiled_macros: list[str]) -> None:
    with duckdb.connect() as conn:
        conn.execute("""create table amounts as select * from (values
            (1, 9000000000000000000.000000000000000001::decimal(38, 18)),
            (1, 999999999999999999.999999999999999998::decimal(38, 18)),
            (2, 9000000000000000000::decimal(38, 18)),
            (2, 1000000000000000000::decimal(38, 18)),
            (3, 0.000000000000000001::decimal(38, 18)),
            (3, null),
            (4, 19999999999999999999.999999999999999999::decimal(38, 18)),
            (4, -19999999999999999999.999999999999999999::decimal(38, 18))
        ) as a (group_id, x)""")
        rows = conn.execute(compiled_macros[2]).fetchall()
    assert rows == [
        # 9 x 10^18 + 10^-18 + (10^18 - 2 x 10^-18) = 10^19 - 10^-18: the largest amount
        (1, Decimal("9999999999999999999.999999999999999999")),
        # 9 x 10^18 + 10^18 = 10^19: not below 10^19
        (2, None),
        # a null term makes the sum null (never a sum without it)
        (3, None),
        # terms beyond 10^19 that cancel: whole parts and fractions each sum to 0
        (4, Decimal(0)),
    ]


def test_old_billing_tables_are_widened(tmp_path: Path) -> None:
    database = tmp_path / "old.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute("create schema billing")
        conn.execute("create table billing.final_invoice_lines (invoice_line_id varchar,"
                     " quantity decimal(22, 9))")
        conn.execute("insert into billing.final_invoice_lines values ('l1', 12.5)")
    result = run_dbt(["run-operation", "create_billing_tables"], tmp_path / "op",
                     database=database)
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.query(
        "select data_type from information_schema.columns "
        "where table_name = 'final_invoice_lines' and column_name = 'quantity'"
    ) == [("DECIMAL(37,9)",)]
    assert result.query("select invoice_line_id, quantity from billing.final_invoice_lines") == [
        ("l1", Decimal("12.5"))
    ]

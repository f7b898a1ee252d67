"""Property tests of the pricing macros and the invoice/credit rules, through DuckDB.

The macros are compiled once by dbt (`dbt compile --inline`, one invocation) and the
compiled SQL is then run by DuckDB for many generated examples, so the SQL that is
tested is the SQL the models run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SPLIT = "-- <<split>> --"
CREDIT_STEPS = 5

# graduated and volume amounts of every case (tier relation joined per price)
TIERED_SQL = """
select
    c.case_id,
    {{ meterline.sum_amounts(meterline.pricing_model_macro('tier_amount', 'graduated')('c', 't')) }}
        as graduated,
    {{ meterline.sum_amounts(meterline.pricing_model_macro('tier_amount', 'volume')('c', 't')) }}
        as volume
from (select case_id, price_id, b as billable_quantity from cases) as c
inner join tiers as t
    on c.price_id = t.price_id
group by c.case_id
order by c.case_id
"""
# one percentage price (payment_price) and each event's amount (data contract 7.7)
PERCENTAGE_SQL = """
select
    e.case_id,
    {{ meterline.pricing_model_macro('event_amount', 'percentage')('p', 'e') }} as amount
from payment_events as e
cross join payment_price as p
order by e.case_id
"""
FLAT_SQL = """
select
    case_id,
    {{ meterline.per_unit_amount('b', 'unit_amount') }} as per_unit,
    {{ meterline.package_amount('b', 'package_size', 'unit_amount') }} as package
from flat_cases
order by case_id
"""
CREDIT_SQL = f"""
{{{{ meterline.allocate_credits('eligibility', 'grants', {CREDIT_STEPS}) }}}}
"""
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Compiled:
    """The compiled queries (kept out of failure reports: they are long)."""

    def __init__(self, database: Path, tiered: str, flat: str, credits: str, headers: str,
                 invoices: str, percentage: str):
        self.database, self.tiered, self.flat = database, tiered, flat
        self.credits, self.headers, self.invoices = credits, headers, invoices
        self.percentage = percentage

    def __repr__(self) -> str:
        return "Compiled(...)"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    """Compile every query in one dbt invocation; int_invoices and fct_invoices are compiled from
    their model files."""
    work_dir = tmp_path_factory.mktemp("pricing_properties")
    headers_model = (PROJECT_DIR / "models" / "intermediate" / "rating" / "int_invoices.sql").read_text()
    invoices_model = (PROJECT_DIR / "models" / "marts" / "fct_invoices.sql").read_text()
    inline = f"\n{SPLIT}\n".join(
        [TIERED_SQL, FLAT_SQL, CREDIT_SQL, headers_model, invoices_model, PERCENTAGE_SQL]
    )
    run = run_dbt(
        ["compile", "--quiet", "--inline", inline],
        work_dir,
        as_of="2026-11-25",
        database=work_dir / "prop.duckdb",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    parts = run.stdout.split(SPLIT)
    assert len(parts) == 6, run.stdout
    tiered, flat, credits, headers, invoices, percentage = (part.strip() for part in parts)
    return Compiled(run.database, tiered, flat, credits, headers, invoices, percentage)


@pytest.fixture
def connection(compiled: Compiled) -> Iterator[duckdb.DuckDBPyConnection]:
    # the compiled int_invoices and fct_invoices read their inputs from "prop" (same file name):
    # the computed lines, adjustments and credits each case writes, and the frozen invoices
    # (period close), of which these cases have none
    with duckdb.connect(str(compiled.database)) as conn:
        for schema in ("intermediate", "staging"):
            conn.execute(f"create schema if not exists {schema}")
        conn.execute("""create or replace table staging.stg_billing__final_invoices (
            invoice_id varchar, account_id varchar, currency varchar, period_start date,
            period_end date, status varchar, subtotal decimal(38, 4), total decimal(38, 4),
            line_count bigint, frozen_at timestamp)""")
        conn.execute("""create or replace table staging.stg_billing__final_invoice_lines (
            invoice_id varchar, line_type varchar, amount decimal(38, 4))""")
        conn.execute("""create or replace table intermediate.int_invoice_adjustments (
            invoice_id varchar, account_id varchar, currency varchar, period_start date,
            period_end date, line_type varchar, amount decimal(38, 4), is_pending boolean)""")
        yield conn


# -- strategies ---------------------------------------------------------------------------

def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places,
        allow_nan=False, allow_infinity=False,
    )


@st.composite
def tier_tables(draw: st.DrawFn, max_tiers: int = 4) -> list[tuple[Decimal | None, Decimal, Decimal]]:
    """(up_to, unit_amount, flat_amount) per tier; up_to increasing, the last unbounded."""
    count = draw(st.integers(min_value=1, max_value=max_tiers))
    bounds = sorted(set(draw(st.lists(decimals("0.001", "5000", 3), min_size=count - 1,
                                      max_size=count - 1))))
    ups: list[Decimal | None] = [*bounds, None]
    return [(up, draw(decimals("0", "100", 6)), draw(decimals("0", "50", 2))) for up in ups]


def load_tiers(conn: duckdb.DuckDBPyConnection,
               tiers: list[tuple[Decimal | None, Decimal, Decimal]]) -> None:
    conn.execute("""
        create or replace temp table tiers (
            price_id varchar, tier integer, lower_bound decimal(22, 9), up_to decimal(22, 9),
            unit_amount decimal(15, 9), flat_amount decimal(38, 4), is_first_tier boolean)
    """)
    lower = Decimal(0)
    for number, (up_to, unit_amount, flat_amount) in enumerate(tiers, start=1):
        conn.execute("insert into tiers values ('p', ?, ?, ?, ?, ?, ?)",
                      [number, lower, up_to, unit_amount, flat_amount, number == 1])
        lower = up_to if up_to is not None else lower


def tiered_amounts(conn: duckdb.DuckDBPyConnection, compiled: Compiled,
                   quantities: list[Decimal]) -> list[tuple[Decimal, Decimal]]:
    conn.execute("create or replace temp table cases (case_id integer, price_id varchar,"
                 " b decimal(22, 9))")
    conn.executemany("insert into cases values (?, 'p', ?)", list(enumerate(quantities)))
    return [(row[1], row[2]) for row in conn.execute(compiled.tiered).fetchall()]


# -- pricing properties ---------------------------------------------------------------------

@SETTINGS
@given(tiers=tier_tables(), quantities=st.lists(decimals("0", "20000", 3), min_size=2,
                                                 max_size=6))
def test_graduated_never_decreases_as_quantity_grows(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled,
    tiers: list[tuple[Decimal | None, Decimal, Decimal]], quantities: list[Decimal],
) -> None:
    load_tiers(connection, tiers)
    ordered = sorted(quantities)
    amounts = [graduated for graduated, _ in tiered_amounts(connection, compiled, ordered)]
    assert all(earlier <= later for earlier, later in pairwise(amounts))


@SETTINGS
@given(unit_amount=decimals("0", "999999.999999999", 9), flat_amount=decimals("0", "100", 4),
       quantities=st.lists(decimals("0", "9999999999999", 9), min_size=1, max_size=5))
def test_graduated_equals_volume_with_one_tier(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, unit_amount: Decimal,
    flat_amount: Decimal, quantities: list[Decimal],
) -> None:
    load_tiers(connection, [(None, unit_amount, flat_amount)])
    for (graduated, volume), b in zip(tiered_amounts(connection, compiled, quantities),
                                      quantities, strict=True):
        assert graduated == volume
        # and both are exact: b x unit_amount + flat (decimal arithmetic, no rounding)
        with localcontext() as exact:
            exact.prec = 80
            assert graduated == b * unit_amount + flat_amount


@SETTINGS
@given(unit_amount=decimals("0", "999999.999999999", 9),
       quantities=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=5))
def test_package_of_one_unit_equals_per_unit(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, unit_amount: Decimal,
    quantities: list[int],
) -> None:
    # ceil(b / 1) = b only for whole b: package counts whole packages started
    connection.execute("create or replace temp table flat_cases (case_id integer,"
                       " b decimal(22, 9), package_size decimal(22, 9), unit_amount decimal(15, 9))")
    connection.executemany("insert into flat_cases values (?, ?, 1, ?)",
                           [(i, Decimal(q), unit_amount) for i, q in enumerate(quantities)])
    for _, per_unit, package in connection.execute(compiled.flat).fetchall():
        assert per_unit == package


def percentage_amounts(conn: duckdb.DuckDBPyConnection, compiled: Compiled,
                       price: tuple[Decimal, Decimal | None, Decimal | None, Decimal | None],
                       values: list[Decimal]) -> list[Decimal]:
    conn.execute("create or replace temp table payment_price (percent_rate decimal(9, 4),"
                 " per_event_amount decimal(38, 4), per_event_minimum decimal(38, 4),"
                 " per_event_maximum decimal(38, 4))")
    conn.execute("insert into payment_price values (?, ?, ?, ?)", list(price))
    conn.execute("create or replace temp table payment_events (case_id integer,"
                 " value decimal(28, 9))")
    conn.executemany("insert into payment_events values (?, ?)", list(enumerate(values)))
    return [row[1] for row in conn.execute(compiled.percentage).fetchall()]


@st.composite
def percentage_prices(draw: st.DrawFn) -> tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]:
    """(percent_rate, per_event_amount, per_event_minimum, per_event_maximum), bounds ordered."""
    rate = draw(decimals("0", "100", 4))
    fee = draw(st.none() | decimals("0", "999999999.9999", 4))
    low = draw(st.none() | decimals("0", "1000", 4))
    high = draw(st.none() | decimals("0", "1000", 4))
    if low is not None and high is not None and high < low:
        low, high = high, low
    return rate, fee, low, high


@SETTINGS
@given(price=percentage_prices(),
       values=st.lists(decimals("0", "1000000000000000000", 9), min_size=2, max_size=6))
def test_percentage_is_exact_bounded_and_grows_with_each_amount(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled,
    price: tuple[Decimal, Decimal | None, Decimal | None, Decimal | None], values: list[Decimal],
) -> None:
    rate, fee, low, high = price
    ordered = sorted(values)
    amounts = percentage_amounts(connection, compiled, price, ordered)
    assert all(earlier <= later for earlier, later in pairwise(amounts))
    for value, amount in zip(ordered, amounts, strict=True):
        # the reference: value x rate / 100 + fee, then the per-event bounds, in exact decimals
        with localcontext() as exact:
            exact.prec = 80
            expected = value * rate / 100 + (fee or 0)
            if low is not None:
                expected = max(expected, low)
            if high is not None:
                expected = min(expected, high)
            assert amount == expected


# -- credits and invoices ---------------------------------------------------------------------

@dataclass
class CreditCase:
    grants: dict[str, Decimal]                       # grant_id -> amount
    invoices: list[tuple[str, int, Decimal]]         # invoice_id, period_sequence, amount_due
    eligible: dict[str, list[str]]                   # invoice_id -> grant_ids in rank order


@st.composite
def credit_cases(draw: st.DrawFn) -> CreditCase:
    grant_ids = [f"g{i}" for i in range(draw(st.integers(min_value=1, max_value=3)))]
    grants = {g: draw(decimals("0", "300", 2)) for g in grant_ids}
    invoices: list[tuple[str, int, Decimal]] = []
    eligible: dict[str, list[str]] = {}
    for sequence in range(1, draw(st.integers(min_value=1, max_value=CREDIT_STEPS)) + 1):
        invoice_id = f"i{sequence}"
        invoices.append((invoice_id, sequence, draw(decimals("0", "250", 2))))
        chosen = draw(st.lists(st.sampled_from(grant_ids), min_size=1, unique=True))
        eligible[invoice_id] = draw(st.permutations(chosen))
    return CreditCase(grants, invoices, eligible)


def reference_allocation(case: CreditCase) -> dict[tuple[str, str], Decimal]:
    """Greedy sequential allocation written independently in Python."""
    balance = dict(case.grants)
    applied: dict[tuple[str, str], Decimal] = {}
    for invoice_id, _, due in sorted(case.invoices, key=lambda invoice: invoice[1]):
        remaining = due
        for grant_id in case.eligible[invoice_id]:
            take = min(balance[grant_id], remaining)
            if take > 0:
                applied[(invoice_id, grant_id)] = take
                balance[grant_id] -= take
                remaining -= take
    return applied


def allocate(conn: duckdb.DuckDBPyConnection, compiled: Compiled,
             case: CreditCase) -> dict[tuple[str, str], Decimal]:
    conn.execute("create or replace temp table grants (grant_id varchar, amount decimal(38, 4))")
    conn.executemany("insert into grants values (?, ?)", list(case.grants.items()))
    conn.execute("""create or replace temp table eligibility (invoice_id varchar, grant_id varchar,
        period_sequence integer, grant_rank integer, amount_due decimal(38, 4))""")
    rows = [(invoice_id, grant_id, sequence, rank, due)
            for invoice_id, sequence, due in case.invoices
            for rank, grant_id in enumerate(case.eligible[invoice_id], start=1)]
    conn.executemany("insert into eligibility values (?, ?, ?, ?, ?)", rows)
    result = conn.execute(f"select invoice_id, grant_id, applied_amount from ({compiled.credits})"
                          " as allocation where applied_amount > 0").fetchall()
    return {(invoice_id, grant_id): amount for invoice_id, grant_id, amount in result}


@SETTINGS
@given(case=credit_cases())
def test_credits_never_exceed_grant_nor_amount_due(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, case: CreditCase,
) -> None:
    applied = allocate(connection, compiled, case)
    assert applied == reference_allocation(case)
    for grant_id, amount in case.grants.items():
        assert sum(v for (_, g), v in applied.items() if g == grant_id) <= amount
    for invoice_id, _, due in case.invoices:
        assert sum(v for (i, _), v in applied.items() if i == invoice_id) <= due


@SETTINGS
@given(case=credit_cases(),
       charges=st.lists(st.tuples(st.sampled_from(["usage", "fixed"]), decimals("0", "120", 2)),
                        min_size=1, max_size=4),
       discount_percent=decimals("0", "100", 0))
def test_invoice_total_is_sum_of_lines_and_never_negative(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, case: CreditCase,
    charges: list[tuple[str, Decimal]], discount_percent: Decimal,
) -> None:
    # every invoice gets the same charges and discount; credits from the allocation above
    charge_total = sum((amount for _, amount in charges), Decimal(0))
    discount = -(charge_total * discount_percent / 100).quantize(Decimal("0.01"))
    due = charge_total + discount
    case.invoices = [(invoice_id, sequence, due) for invoice_id, sequence, _ in case.invoices]
    credits = allocate(connection, compiled, case)
    connection.execute("""create or replace table intermediate.int_invoice_computed_lines (
        invoice_id varchar, account_id varchar, currency varchar, period_start date,
        period_end date, line_type varchar, amount decimal(38, 4))""")
    connection.execute("""create or replace table intermediate.int_credit_applications (
        invoice_id varchar, grant_id varchar, applied_amount decimal(38, 4))""")
    lines = []
    for number, (invoice_id, _, _) in enumerate(case.invoices):
        start, end = f"2026-{number + 1:02d}-01", f"2026-{number + 2:02d}-01"
        base = (invoice_id, "a", "USD", start, end)
        lines += [(*base, line_type, amount) for line_type, amount in charges]
        if discount:
            lines.append((*base, "discount", discount))
    connection.executemany(
        "insert into intermediate.int_invoice_computed_lines values (?, ?, ?, ?, ?, ?, ?)", lines
    )
    if credits:
        connection.executemany(
            "insert into intermediate.int_credit_applications values (?, ?, ?)",
            [(i, g, v) for (i, g), v in credits.items()],
        )
    connection.execute(f"create or replace table intermediate.int_invoices as {compiled.headers}")
    lines += [
        (i, "a", "USD", None, None, "credit", -v) for (i, _), v in credits.items()
    ]
    invoices = connection.execute(
        f"select invoice_id, subtotal, total, line_count from ({compiled.invoices}) as i"
    ).fetchall()
    assert len(invoices) == len(case.invoices)
    for invoice_id, subtotal, total, line_count in invoices:
        own = [line for line in lines if line[0] == invoice_id]
        assert total == sum((line[6] for line in own), Decimal(0))
        assert subtotal == charge_total
        assert line_count == len(own)
        assert total >= 0

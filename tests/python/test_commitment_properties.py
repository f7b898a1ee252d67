"""Property tests of commitments (data contract 7.3): int_commitment_periods, through DuckDB.

The model is compiled once by dbt from its model file (`dbt compile --inline`, one
invocation) and the compiled SQL is run by DuckDB for many generated commitments, against
hand-made input tables in the schemas it reads ("prop".staging / "prop".intermediate: dbt
compiles against a database file named prop.duckdb; the cases use an in-memory database
attached under that name). Each generated case is one contract with a cadence
(monthly, quarterly, yearly) and an anchor, a commitment term of N periods (1 to 12), the
term's periods that are computed so far (all N, or only the first M while the term runs),
one period before and one after the term, and rounded charge lines (usage, fixed, one_time)
in every period, with a contract discount. The expected figures come from a plain reading of
the contract, in exact decimals:

- e = Σ usage lines (+ fixed lines for usage_and_fixed) − round(discount% × that sum);
  one_time lines and periods outside the term never count;
- prepaid: balance = amount; per period in order: drawdown = min(e, balance),
  balance −= drawdown, overage = e − drawdown, surcharge = round(overage × surcharge%);
- fees: upfront = the amount on the term's first period; per_period = round(amount / N) on
  each period but the last, which takes amount − (N − 1) × round(amount / N);
- postpaid: true-up = max(amount − Σe, 0), on the term's last period only.

round() is half away from zero to the currency's minor units (0, 2 or 3 here).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODEL = PROJECT_DIR / "models" / "intermediate" / "rating" / "int_commitment_periods.sql"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CURRENCIES = {"C0": 0, "C2": 2, "C3": 3}  # currency -> minor units
CADENCES = (1, 3, 12)  # months per period: month, quarter, year
ZERO = Decimal(0)


class Compiled:
    """The compiled model (kept out of failure reports: it is long)."""

    def __init__(self, sql: str):
        self.sql = sql

    def __repr__(self) -> str:
        return "Compiled(...)"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    work_dir = tmp_path_factory.mktemp("commitment_properties")
    run = run_dbt(["compile", "--quiet", "--inline", MODEL.read_text()], work_dir,
                  as_of="2026-11-25", database=work_dir / "prop.duckdb")
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"prop"."staging"."stg_commitments"' in run.stdout, run.stdout[:2000]
    return Compiled(run.stdout.strip())


@pytest.fixture(scope="module")
def connection(compiled: Compiled) -> Iterator[duckdb.DuckDBPyConnection]:
    """The model's inputs, with only the columns it reads (each case replaces their rows), in
    an in-memory database named like the compiled SQL's ("prop")."""
    with duckdb.connect() as conn:
        conn.execute("attach ':memory:' as prop")
        conn.execute("use prop")
        for schema in ("intermediate", "staging"):
            conn.execute(f"create schema if not exists {schema}")
        conn.execute("""create or replace table staging.stg_commitments (
            commitment_id varchar, contract_id varchar, account_id varchar,
            commitment_type varchar, amount decimal(38, 4), starts_on date, ends_on date,
            fee_schedule varchar, overage_surcharge_percent decimal(9, 4), applies_to varchar)""")
        conn.execute("""create or replace table staging.stg_contracts (
            contract_id varchar, account_id varchar, bill_anchor_on date, period_months integer)""")
        conn.execute("""create or replace table staging.stg_currencies (
            currency varchar, minor_units integer)""")
        conn.executemany("insert into staging.stg_currencies values (?, ?)",
                         list(CURRENCIES.items()))
        conn.execute("""create or replace table intermediate.int_contract_periods (
            contract_id varchar, account_id varchar, currency varchar, period_index integer,
            period_start date, period_end date, discount_percent decimal(9, 4))""")
        conn.execute("""create or replace table intermediate.int_invoice_charge_lines (
            contract_id varchar, period_start date, line_type varchar, amount decimal(38, 4))""")
        yield conn


# -- the case and its reference ---------------------------------------------------------------

def add_months(anchor: date, months: int) -> date:
    """Data contract 7.1: the anchor's day of month, or the month's last day if it lacks it."""
    year, month = divmod(anchor.month - 1 + months, 12)
    year += anchor.year
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def round_money(amount: Decimal, minor_units: int) -> Decimal:
    """Half away from zero (ROUND_HALF_UP is away from zero for negatives too)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_UP)


@dataclass
class Case:
    commitment_type: str
    fee_schedule: str | None
    applies_to: str
    currency: str
    amount: Decimal
    surcharge_percent: Decimal
    discount_percent: Decimal | None
    months: int
    anchor: date
    first_index: int  # the term's first period's index from the anchor
    term_periods: int  # N
    computed_periods: int  # M <= N: the term's periods computed so far
    # per period, from the one before the term: [(line_type, amount)]
    charges: list[list[tuple[str, Decimal]]] = field(default_factory=list)

    @property
    def minor_units(self) -> int:
        return CURRENCIES[self.currency]

    def start(self, offset: int) -> date:
        """Start of the term's period `offset` (0 = the first; -1 = the one before)."""
        return add_months(self.anchor, (self.first_index + offset) * self.months)

    def offsets(self) -> list[int]:
        """The contract periods computed: one before the term, the term's first M, and one
        after the term when the term is complete."""
        after = [self.term_periods] if self.computed_periods == self.term_periods else []
        return [-1, *range(self.computed_periods), *after]

    def eligible(self) -> list[Decimal]:
        """e of each computed term period, in order."""
        counted = {"usage"} | ({"fixed"} if self.applies_to == "usage_and_fixed" else set())
        result = []
        for offset in range(self.computed_periods):
            base = sum((a for t, a in self.charges[offset + 1] if t in counted), ZERO)
            discount = self.discount_percent or ZERO
            with localcontext() as context:
                context.prec = 60
                # the discount on the eligible lines, rounded on its own
                cut = round_money(base * discount / 100, self.minor_units) if discount else ZERO
            result.append(base - cut)
        return result

    def fees(self) -> list[Decimal]:
        """The fee of every one of the N periods (the reference, from the contract's text)."""
        n = self.term_periods
        if self.commitment_type != "prepaid":
            return [ZERO] * n
        if self.fee_schedule == "upfront":
            return [self.amount] + [ZERO] * (n - 1)
        with localcontext() as context:
            context.prec = 60
            regular = round_money(self.amount / n, self.minor_units)
        return [regular] * (n - 1) + [self.amount - regular * (n - 1)]


@st.composite
def cases(draw: st.DrawFn, commitment_type: str, complete: bool = False) -> Case:
    currency = draw(st.sampled_from(sorted(CURRENCIES)))
    units = CURRENCIES[currency]
    months = draw(st.sampled_from(CADENCES))
    day = draw(st.integers(1, 31))
    year = draw(st.integers(2020, 2030))
    month = draw(st.sampled_from([m for m in range(1, 13) if calendar.monthrange(year, m)[1] >= day]))
    n = draw(st.integers(1, 12))
    m = n if complete else draw(st.one_of(st.just(n), st.integers(1, n)))

    def money(high: int) -> st.SearchStrategy[Decimal]:
        # whole minor units: 0 to `high` major units
        return st.integers(0, high * 10**units).map(lambda i: Decimal(i).scaleb(-units))

    def percent() -> st.SearchStrategy[Decimal]:
        return st.one_of(st.just(ZERO), st.just(Decimal(100)), st.decimals(
            min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False))

    line = st.tuples(st.sampled_from(["usage", "usage", "fixed", "one_time"]), money(5000))
    prepaid = commitment_type == "prepaid"
    return Case(
        commitment_type=commitment_type,
        fee_schedule=draw(st.sampled_from(["upfront", "per_period"])) if prepaid else None,
        applies_to=draw(st.sampled_from(["usage", "usage_and_fixed"])),
        currency=currency,
        # up to the seed's bound for money (below 10^9), small amounts as often as large
        amount=draw(st.one_of(money(20), money(20000), money(999_999_999))),
        surcharge_percent=draw(percent()) if prepaid else ZERO,
        discount_percent=draw(st.one_of(st.none(), percent())),
        months=months,
        anchor=date(year, month, day),
        first_index=draw(st.integers(-3, 3)),
        term_periods=n,
        computed_periods=m,
        charges=draw(st.lists(st.lists(line, max_size=4), min_size=m + 2, max_size=m + 2)),
    )


@dataclass
class Row:
    number: int
    count: int
    is_last: bool
    eligible: Decimal
    fee: Decimal
    drawdown: Decimal
    overage: Decimal
    surcharge: Decimal
    balance_after: Decimal
    true_up: Decimal


def insert(conn: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[object, ...]]) -> None:
    """All rows in one statement (much faster than one statement per row)."""
    conn.execute(f"delete from {table}")
    if rows:
        values = ", ".join(["(" + ", ".join(["?"] * len(rows[0])) + ")"] * len(rows))
        conn.execute(f"insert into {table} values {values}", [v for row in rows for v in row])


def run_model(conn: duckdb.DuckDBPyConnection, compiled: Compiled, case: Case) -> list[Row]:
    """Load the case as the model's inputs and return its rows in period order."""
    insert(conn, "staging.stg_commitments", [(
        "cm", "c", "a", case.commitment_type, case.amount, case.start(0),
        case.start(case.term_periods), case.fee_schedule, case.surcharge_percent,
        case.applies_to)])
    insert(conn, "staging.stg_contracts",
           [("c", "a", case.anchor, case.months), ("other", "b", case.anchor, case.months)])
    periods: list[tuple[object, ...]] = []
    charges: list[tuple[object, ...]] = []
    # a contract of another account with the same periods and lines but no commitment
    for contract, account in (("c", "a"), ("other", "b")):
        # charges[0] is the period before the term; a complete term has one period after it
        for offset, lines in zip(case.offsets(), case.charges, strict=False):
            start, end = case.start(offset), case.start(offset + 1)
            periods.append((contract, account, case.currency, case.first_index + offset, start,
                            end, case.discount_percent))
            charges += [(contract, start, line_type, amount) for line_type, amount in lines]
    insert(conn, "intermediate.int_contract_periods", periods)
    insert(conn, "intermediate.int_invoice_charge_lines", charges)
    rows = conn.execute(f"""
        select term_period_number, term_period_count, is_last_term_period, eligible_amount,
            fee_amount, drawdown_amount, overage_amount, surcharge_amount, balance_after,
            true_up_amount, commitment_id, period_start
        from ({compiled.sql}) as model
        order by period_start""").fetchall()
    # one row per computed period of the term, of the commitment's contract only
    assert [(r[10], r[11]) for r in rows] == [
        ("cm", case.start(offset)) for offset in range(case.computed_periods)]
    return [Row(*r[:10]) for r in rows]


def check_positions(case: Case, rows: list[Row]) -> None:
    for number, row in enumerate(rows, start=1):
        assert (row.number, row.count) == (number, case.term_periods)
        assert row.is_last == (number == case.term_periods)


# -- properties -------------------------------------------------------------------------------

@SETTINGS
@given(case=cases("prepaid"))
def test_prepaid_drawdowns_follow_the_sequential_balance(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, case: Case,
) -> None:
    rows = run_model(connection, compiled, case)
    check_positions(case, rows)
    eligible = case.eligible()
    assert [row.eligible for row in rows] == eligible
    # the plain sequential reference: balance = amount; draw = min(e, balance); balance -= draw
    balance = case.amount
    for row, e in zip(rows, eligible, strict=True):
        draw = min(e, balance)
        balance -= draw
        overage = e - draw
        assert row.drawdown == draw, (row, e)
        assert row.balance_after == balance
        assert row.overage == overage
        with localcontext() as context:
            context.prec = 60
            surcharge = round_money(overage * case.surcharge_percent / 100, case.minor_units)
        assert row.surcharge == (surcharge if overage > 0 else ZERO)
        assert row.true_up == ZERO
        # the invariants, stated on their own
        assert ZERO <= row.drawdown <= e
        assert row.balance_after >= ZERO
        assert row.drawdown + row.overage == e
    assert sum((row.drawdown for row in rows), ZERO) <= case.amount
    # fees while the term runs too: N comes from the term's dates, not from the periods
    # computed so far
    assert [row.fee for row in rows] == case.fees()[: case.computed_periods]


@SETTINGS
@given(case=cases("prepaid", complete=True))
def test_prepaid_fees_add_up_exactly_to_the_amount(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, case: Case,
) -> None:
    rows = run_model(connection, compiled, case)
    check_positions(case, rows)
    fees = [row.fee for row in rows]
    assert fees == case.fees()
    # e.g. 1000.01 over 4 periods (2 minor units): round(250.0025) = 250.00 three times and
    # 1000.01 - 750.00 = 250.01 on the last; 5 (0 minor units) over 12: round(0.41..) = 0
    # eleven times and 5 on the last
    assert sum(fees, ZERO) == case.amount
    if case.fee_schedule == "upfront":
        assert fees[0] == case.amount and not any(fees[1:])
    else:
        with localcontext() as context:
            context.prec = 60
            quotient = case.amount / case.term_periods
        assert all(fee == round_money(quotient, case.minor_units) for fee in fees[:-1])
        assert all(abs(fee - quotient) <= Decimal(1).scaleb(-case.minor_units) / 2
                   for fee in fees[:-1])


@SETTINGS
@given(case=cases("postpaid"))
def test_postpaid_true_up_on_the_last_period_only(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, case: Case,
) -> None:
    rows = run_model(connection, compiled, case)
    check_positions(case, rows)
    eligible = case.eligible()
    assert [row.eligible for row in rows] == eligible
    # true-up = max(amount - Σe, 0) on the term's last period, 0 on every other
    true_up = max(case.amount - sum(eligible, ZERO), ZERO)
    complete = case.computed_periods == case.term_periods
    assert [row.true_up for row in rows] == (
        [ZERO] * (len(rows) - 1) + [true_up if complete else ZERO])
    # no fee, no overage, no surcharge; balance_after is the shortfall still to reach the amount
    running = ZERO
    for row, e in zip(rows, eligible, strict=True):
        running += e
        assert (row.fee, row.overage, row.surcharge) == (ZERO, ZERO, ZERO)
        assert row.balance_after == max(case.amount - running, ZERO)
        # the part of e that counts toward the amount (the ledger's drawdown entry)
        assert row.drawdown == min(running, case.amount) - min(running - e, case.amount)

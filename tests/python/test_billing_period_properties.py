"""Property tests of the billing period macros (macros/billing/billing_periods.sql), through DuckDB.

The macros are compiled once by dbt (`dbt compile --inline`, one invocation, as_of 2026-06-15)
and the compiled SQL is run by DuckDB for many generated anchors, cadences and dates, so the
SQL tested is the SQL the models run. Each result is checked against a plain reading of the
data contract (7.1): period k starts at anchor + k x n months, a day the month lacks being its
last day, always counted from the anchor; the periods tile time, and every date is in exactly
one of them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SPLIT = "-- <<split>> --"
AS_OF = date(2026, 6, 15)
CADENCES = {"month": 1, "quarter": 3, "year": 12}
YEARS = 10  # the periods generated around each anchor cover this many years on either side
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

STARTS_SQL = """
select
    c.k,
    {{ meterline.billing_period_start('c.anchor', 'c.months', 'c.k') }} as period_start,
    {{ meterline.billing_period_start('c.anchor', 'c.months', 'c.k + 1') }} as period_end
from cases as c
order by c.k
"""
INDEX_SQL = """
select
    d.day,
    {{ meterline.billing_period_index('d.day', 'd.anchor', 'd.months') }} as period_index
from days as d
"""
CONTRACT_SQL = """
select * from ({{ meterline.contract_billing_periods('contracts') }}) as periods
order by period_index
"""


@dataclass
class Compiled:
    starts: str
    index: str
    contract: str

    def __repr__(self) -> str:
        return "Compiled(...)"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    work_dir: Path = tmp_path_factory.mktemp("billing_period_properties")
    inline = f"\n{SPLIT}\n".join([STARTS_SQL, INDEX_SQL, CONTRACT_SQL])
    run = run_dbt(["compile", "--quiet", "--inline", inline], work_dir, as_of=AS_OF.isoformat(),
                  database=work_dir / "prop.duckdb")
    assert run.returncode == 0, run.stdout + run.stderr
    starts, index, contract = (part.strip() for part in run.stdout.split(SPLIT))
    return Compiled(starts, index, contract)


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as conn:
        yield conn


def add_months(anchor: date, months: int) -> date:
    """The contract's reading: same day of month, or the month's last day if it lacks it."""
    year, month = divmod(anchor.month - 1 + months, 12)
    year += anchor.year
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


@st.composite
def anchors(draw: st.DrawFn) -> date:
    """Any day of month 1 to 31 (days 29 to 31 as often as the others)."""
    day = draw(st.integers(1, 31))
    year = draw(st.integers(1995, 2035))
    month = draw(st.sampled_from(
        [m for m in range(1, 13) if calendar.monthrange(year, m)[1] >= day]
    ))
    return date(year, month, day)


def period_starts(conn: duckdb.DuckDBPyConnection, compiled: Compiled, anchor: date,
                  months: int) -> list[tuple[int, date, date]]:
    reach = YEARS * 12 // months + 1
    conn.execute("create or replace table cases (anchor date, months integer, k integer)")
    conn.executemany("insert into cases values (?, ?, ?)",
                     [(anchor, months, k) for k in range(-reach, reach + 1)])
    return conn.execute(compiled.starts).fetchall()


@SETTINGS
@given(anchor=anchors(), cadence=st.sampled_from(sorted(CADENCES)))
def test_periods_are_counted_from_the_anchor_and_tile(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, anchor: date, cadence: str,
) -> None:
    months = CADENCES[cadence]
    periods = period_starts(connection, compiled, anchor, months)
    for k, start, end in periods:
        assert start == add_months(anchor, k * months), (k, start)
        assert end == add_months(anchor, (k + 1) * months), (k, end)
        # never empty, never longer than the cadence allows
        assert timedelta(days=28 * months) <= end - start <= timedelta(days=31 * months + 1)
    # each period ends where the next starts: no gap, no overlap
    for (_, _, end), (_, next_start, _) in pairwise(periods):
        assert end == next_start
    # period 0 starts on the anchor
    assert {k: start for k, start, _ in periods}[0] == anchor


@SETTINGS
@given(anchor=anchors(), cadence=st.sampled_from(sorted(CADENCES)),
       offsets=st.lists(st.integers(-365 * (YEARS - 1), 365 * (YEARS - 1)), min_size=1,
                        max_size=40))
def test_every_date_is_in_exactly_one_period(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, anchor: date, cadence: str,
    offsets: list[int],
) -> None:
    months = CADENCES[cadence]
    periods = period_starts(connection, compiled, anchor, months)
    days = sorted({anchor + timedelta(days=offset) for offset in offsets})
    connection.execute("create or replace table days (anchor date, months integer, day date)")
    connection.executemany("insert into days values (?, ?, ?)",
                           [(anchor, months, day) for day in days])
    indexes = dict(connection.execute(compiled.index).fetchall())
    for day in days:
        containing = [k for k, start, end in periods if start <= day < end]
        assert containing == [indexes[day]], (day, containing, indexes[day])


@SETTINGS
@given(anchor=anchors(), cadence=st.sampled_from(sorted(CADENCES)),
       start_offset=st.integers(0, 365 * 4))
def test_a_contract_has_consecutive_periods_from_its_start_to_as_of(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, anchor: date, cadence: str,
    start_offset: int,
) -> None:
    months = CADENCES[cadence]
    starts_on = AS_OF - timedelta(days=start_offset)
    connection.execute("""create or replace table contracts (
        contract_id varchar, starts_on date, bill_anchor_on date, period_months integer)""")
    connection.execute("insert into contracts values ('c', ?, ?, ?)", [starts_on, anchor, months])
    periods = connection.execute(
        f"select period_index, period_start, period_end from ({compiled.contract})"
    ).fetchall()
    # the first period contains starts_on, the last one as_of
    assert periods[0][1] <= starts_on < periods[0][2]
    assert periods[-1][1] <= AS_OF < periods[-1][2]
    for k, start, end in periods:
        assert start == add_months(anchor, k * months)
        assert end == add_months(anchor, (k + 1) * months)
    for (k, _, end), (next_k, next_start, _) in pairwise(periods):
        assert next_k == k + 1 and end == next_start

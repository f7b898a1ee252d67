"""Property tests of the gauge models (time_weighted, peak), through DuckDB.

int_gauge_daily_values and int_gauge_usage are compiled once by dbt (`dbt compile --inline`,
one invocation, as_of 2026-06-15) and the compiled SQL is run by DuckDB for many generated
event histories of one account under one contract (from 2026-01-01): the SQL tested is the SQL
the models run. Each result is checked against a plain reading of the data contract (7.5) and
against the properties every gauge must have.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SPLIT = "-- <<split>> --"
FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2026, 6, 30)  # the end of as_of's month
MONTHS = [date(2026, month, 1) for month in range(1, 7)]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Compiled:
    database: Path
    daily: str
    usage: str

    def __repr__(self) -> str:
        return "Compiled(...)"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    work_dir = tmp_path_factory.mktemp("gauge_properties")
    models = PROJECT_DIR / "models" / "intermediate" / "ingestion"
    inline = f"\n{SPLIT}\n".join([
        (models / "int_gauge_daily_values.sql").read_text(),
        (models / "int_gauge_usage.sql").read_text(),
    ])
    run = run_dbt(["compile", "--quiet", "--inline", inline], work_dir, as_of="2026-06-15",
                  database=work_dir / "prop.duckdb")
    assert run.returncode == 0, run.stdout + run.stderr
    daily, usage = (part.strip() for part in run.stdout.split(SPLIT))
    return Compiled(run.database, daily, usage)


@pytest.fixture
def connection(compiled: Compiled) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(compiled.database)) as conn:
        conn.execute("create schema if not exists intermediate")
        conn.execute("create schema if not exists staging")
        conn.execute("""create or replace table staging.stg_contracts as
            select 'c1' as contract_id, 'A' as account_id, 'pl' as plan_id,
                date '2026-01-01' as starts_on, cast(null as date) as ends_on,
                'month' as bill_frequency, date '2000-01-01' as bill_anchor_on,
                1 as period_months""")
        yield conn


# (day offset from January 1, hour, event number, value): the event number makes event_id
Event = tuple[int, int, int, Decimal]


@st.composite
def histories(draw: st.DrawFn, max_events: int = 8) -> list[Event]:
    count = draw(st.integers(1, max_events))
    return [
        (draw(st.integers(0, (LAST_DAY - FIRST_DAY).days)), draw(st.integers(0, 2)), number,
         draw(st.decimals("0", "1000", places=3)))
        for number in range(count)
    ]


def gauge_usage(conn: duckdb.DuckDBPyConnection, compiled: Compiled,
                events: list[Event]) -> dict[tuple[str, date], Decimal]:
    conn.execute("""create or replace table intermediate.int_event_meter_values (
        record_id varchar, source varchar, event_id varchar, account_id varchar,
        contract_id varchar, plan_id varchar, meter_id varchar, aggregation varchar,
        dimension_value varchar, has_value boolean, value decimal(28, 9), value_text varchar,
        occurred_at timestamp, usage_date date, period_start date, period_end date,
        file_landed_at timestamp, batch_loaded_at timestamp)""")
    for offset, hour, number, value in events:
        day = FIRST_DAY + timedelta(days=offset)
        for meter, aggregation in (("tw", "time_weighted"), ("pk", "peak")):
            conn.execute(
                "insert into intermediate.int_event_meter_values values (?, 'default', ?, 'A',"
                " 'c1', 'pl', ?, ?, null, true, ?, null, ?, ?, ?, null, null, null)",
                [f"r{number}", f"e{number:02d}", meter, aggregation, value,
                 datetime(day.year, day.month, day.day, hour), day, day.replace(day=1)],
            )
    conn.execute(f"create or replace table intermediate.int_gauge_daily_values as {compiled.daily}")
    rows = conn.execute(f"select meter_id, period_start, quantity from ({compiled.usage})").fetchall()
    return {(meter, period_start): quantity for meter, period_start, quantity in rows}


def values_in_force(events: list[Event]) -> dict[date, Decimal]:
    """The contract's reading: each day the value of its last event (occurred_at, then greatest
    event_id), else the value carried, 0 before the first event."""
    last_of_day: dict[date, tuple[tuple[int, str], Decimal]] = {}
    for offset, hour, number, value in events:
        day = FIRST_DAY + timedelta(days=offset)
        key = (hour, f"e{number:02d}")
        if day not in last_of_day or key > last_of_day[day][0]:
            last_of_day[day] = (key, value)
    values, current = {}, Decimal(0)
    day = FIRST_DAY
    while day <= LAST_DAY:
        if day in last_of_day:
            current = last_of_day[day][1]
        values[day] = current
        day += timedelta(days=1)
    return values


def month_days(values: dict[date, Decimal], month: date) -> list[Decimal]:
    return [value for day, value in values.items() if day.replace(day=1) == month]


@SETTINGS
@given(events=histories())
def test_time_weighted_and_peak_follow_the_contract(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, events: list[Event],
) -> None:
    usage = gauge_usage(connection, compiled, events)
    values = values_in_force(events)
    first_month = (FIRST_DAY + timedelta(days=min(e[0] for e in events))).replace(day=1)
    for month in MONTHS:
        days = month_days(values, month)
        if month < first_month:
            # no value yet in the whole month: no row (rating bills 0)
            assert ("tw", month) not in usage and ("pk", month) not in usage
            continue
        time_weighted, peak = usage["tw", month], usage["pk", month]
        exact = sum(days, Decimal(0)) / len(days)
        assert time_weighted == exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        assert peak == max(days)
        # between the least and the greatest value in force in the period
        assert min(days) <= time_weighted <= max(days)
        assert peak >= time_weighted


@SETTINGS
@given(value=st.decimals("0", "1000000", places=9), offset=st.integers(0, 31))
def test_constant_gauge_gives_the_constant(
    connection: duckdb.DuckDBPyConnection, compiled: Compiled, value: Decimal, offset: int,
) -> None:
    # one event in January: from February on, every period has the value on every day
    usage = gauge_usage(connection, compiled, [(min(offset, 30), 1, 1, value)])
    for month in MONTHS[1:]:
        assert usage["tw", month] == value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        assert usage["pk", month] == value

"""Same project, same inputs, DuckDB and Apache Spark: identical tables.

Builds the fixture scenario (tests/fixtures/landing plus files of gauge events and of
usage for the enterprise, quarterly and parent-billed accounts, as_of 2026-11-25) once with the default DuckDB target and once with the `spark` target of
profiles.yml.example
(PySpark session, local master), then compares every contract mart and audit table
row by row: ids identical, amounts and quantities equal as exact decimals. It also
runs the exact-arithmetic macros over awkward operands (negatives, ties at .005,
0 to 4 minor units) on both engines and compares the results.

Slow (a JVM and two dbt builds): runs only when METERLINE_TEST_SPARK=1
(`make test-spark`). Needs the `spark` extra and Java 17.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import comparable_rows, without_run_times

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
FIXTURE_LANDING = REPO / "tests" / "fixtures" / "landing"
AS_OF = "2026-11-25"

CONTRACT_TABLES = [
    ("marts", "fct_usage_daily"),
    ("marts", "fct_rated_usage"),
    ("marts", "fct_invoice_lines"),
    ("marts", "fct_invoices"),
    ("marts", "fct_credit_ledger"),
    ("marts", "fct_commitment_ledger"),
    ("audit", "audit_quarantined_events"),
    ("audit", "audit_duplicate_events"),
    ("audit", "audit_event_reconciliation"),
    ("audit", "audit_unrated_events"),
]

pytestmark = pytest.mark.skipif(
    os.environ.get("METERLINE_TEST_SPARK") != "1",
    reason="Spark parity runs with METERLINE_TEST_SPARK=1 (make test-spark)",
)


@dataclass(frozen=True)
class Builds:
    duckdb_path: Path
    spark_warehouse: Path


def _arithmetic_cases() -> list[list[Any]]:
    """Operands for the arithmetic macros: [id, a, b, minor_units]."""
    amounts = [
        "0", "1", "-1", "0.005", "-0.005", "0.015", "-0.015", "2.5", "-2.5", "0.5", "-0.5",
        "1.004999999", "-1.004999999", "12.345", "-12.345", "0.000000001", "-0.000000001",
        "999999.999999999", "-999999.999999999", "123456789.123456789", "7", "-7",
        "100", "0.3", "0.1", "0.2", "70.967741935", "33.333333333", "0.00005", "-0.00005",
    ]
    divisors = ["1", "-1", "3", "-3", "7", "0.3", "-0.3", "10", "0.000000001", "31", "2"]
    cases: list[list[Any]] = []
    for a in amounts:
        for b in divisors:
            # The macros' domain (macros/spark/arithmetic.sql): quotients below 10^9 (DuckDB overflows above).
            if abs(Decimal(a) / Decimal(b)) >= Decimal(10) ** 9:
                continue
            for minor_units in range(5):
                cases.append([len(cases) + 1, a, b, minor_units])
    return cases


def _product_cases() -> list[list[Any]]:
    """Operands for the rating macros over wide quantities: [id, quantity, unit_price, package_size]."""
    quantities = [
        "0", "1", "0.000000001", "10000000000000", "9999999999999.999999999",
        "1000000000000000000", "1000000000000000000.5", "123456789012345678901.123456789",
        "9999999999999999999999999999.999999999", "5000000000000000000000000000.000000001",
    ]
    prices = ["0", "0.000000001", "0.000002", "0.123456789", "9.999999999", "10", "999999.999999999"]
    sizes = ["0.000000001", "0.3", "1", "1000000", "9999999999999999999999999999.999999999"]
    cases: list[list[Any]] = []
    for quantity in quantities:
        for price in prices:
            cases.append([len(cases) + 1, quantity, price, sizes[len(cases) % len(sizes)]])
    return cases


def _billing_period_cases() -> list[list[Any]]:
    """Anchors, cadences and days for the billing period macros: [id, anchor, months, day]."""
    anchors = ["2000-01-01", "2026-01-31", "2024-01-31", "2026-02-28", "2025-11-30",
               "2025-07-15", "1999-12-31"]
    days = ["1999-12-30", "2024-02-28", "2024-02-29", "2026-01-01", "2026-02-27",
            "2026-02-28", "2026-03-28", "2026-03-30", "2026-03-31", "2026-04-01",
            "2026-07-14", "2026-07-15", "2026-10-15", "2026-12-31"]
    cases: list[list[Any]] = []
    for anchor in anchors:
        for months in (1, 3, 12):
            for day in days:
                cases.append([len(cases) + 1, anchor, months, day])
    return cases


def _json_cases() -> list[list[Any]]:
    """Texts for the JSON and timestamp macros: [id, json_text, key, group_names, timestamp]."""
    documents = [
        '{"a": 1}', '{"a": -0}', '{"a": 1.10}', '{"a": 1e3}', '{"a": 1E+2}', '{"a": 1e-7}',
        '{"a": 0.000001}', '{"a": 1e20}', '{"a": 1e21}', '{"a": 0.1}', '{"a": 0.0}',
        '{"a": 12345678901234567.891}', '{"a": 0.1234567890123456789}', '{"a": 123456.75}',
        '{"a": 9223372036854775807}', '{"a": 9223372036854775808}',
        '{"a": 12345678901234567890123}', '{"a": 2.50, "b": "x"}', '{"a": "1.50"}',
        r'{"a": "caf\u00e9 \"q\" \\ / \t"}', '{"a": true}', '{"a": false}', '{"a": null}',
        '{"a": {"z": [1, 2.50, "s"], "y": {"k": null}}}', '{"a": [1, {"b": 2}]}', '{"b": 1}',
        '  {"a": "padded"}  ', '{"a": 1} trailing', '[1, 2]', '"text"', '42', 'not json',
        '{"a": 1,', '', '{}', '{"x y": "space", "a/b": "slash", "a~b": "tilde", "a": "plain"}',
        '{"a": "gpt-4", "b": 7, "c": 1.5}', '{"b": "only b", "a": "ünï"}',
        # number literals as written (the reader's double differs): 0.0, 1.0, 100000000000.0
        '{"a": 1e-400, "b": "1e-400"}', '{"a": 1.00000000000000000001}',
        '{"b": "x\\" 2.5", "a": 100000000000.000000001, "c": [1, {"a": 2}]}',
    ]
    keys = ["a", "b", "x y", "a/b", "a~b", "missing"]
    names = ["a|b", "a|missing|b", "c", None, "a"]
    timestamps = [
        "2026-11-01T05:30:00Z", "2026-11-01T05:30:00+05:30", "2026-11-01T05:30:00-0800",
        "2026-11-01T05:30:00+05", "2026-11-01 05:30:00", "2026-11-01t05:30:00z",
        "2026-11-01T05:30+02:00", "2026-11-01T05:30", "2026-11-01T05:30:00.123456789Z",
        "2026-11-01T05:30:00.5-01:00", "2026-02-30T00:00:00Z", "2026-11-01", "yesterday",
        "2026-03-08T07:30:00Z", "2026-11-01T06:30:00Z", None,
    ]
    cases: list[list[Any]] = []
    for index, document in enumerate(documents):
        for key in keys:
            cases.append([
                len(cases) + 1, document, key, names[len(cases) % len(names)],
                timestamps[(index + len(cases)) % len(timestamps)],
            ])
    return cases


def _dbt(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(DBT), *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        raise AssertionError(f"dbt {' '.join(args[:1])} failed:\n{tail}")


# API calls that meet the demo seeds' meter filter (seeds/meter_filters.csv: api_requests
# counts a call unless its status is a listed failure): statuses as numbers, strings, literals
# the JSON readers rewrite (500.0, 5e2, -0), null, missing, a boolean and an object. Landed
# beside the fixture files, so both engines filter them and list filtered_out events.
FILTER_EVENTS = [
    ("f-01", "200"), ("f-02", '"200"'), ("f-03", "500"), ("f-04", '"503"'), ("f-05", "500.0"),
    ("f-06", "5e2"), ("f-07", "-0"), ("f-08", "null"), ("f-09", None), ("f-10", "true"),
    ("f-11", '{"code": 500}'), ("f-12", '"429"'), ("f-13", "404"),
]


def _land_filter_events(landing: Path) -> None:
    """FILTER_EVENTS as one NDJSON file, landed (whole seconds) before the fixture files."""
    path = landing / "filters" / "api-status.ndjson"
    path.parent.mkdir()
    path.write_text(_filter_events())
    mtime_ns = 1_789_000_000 * 1_000_000_000
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _filter_events() -> str:
    lines = []
    for event_id, status in FILTER_EVENTS:
        status_member = "" if status is None else f', "status": {status}'
        lines.append(
            f'{{"event_id": "{event_id}", "event_type": "api_request", "account_id": "acct_globex",'
            f' "occurred_at": "2026-11-10T10:00:00Z", "properties": {{"endpoint": "/v1/chat"'
            f"{status_member}}}}}"
        )
    return "\n".join(lines) + "\n"


# Usage for the accounts the fixture files leave without events (seeds/contracts.csv): the
# annual anchored contract whose prepaid commitment the usage draws down (acct_oscorp, UTC,
# from 15 September; one call before its start), the quarterly contract anchored on 1 August
# (acct_massive, New York: 2026-11-01T02:00Z is still 31 October, the first quarter) and the
# subsidiary billed to its parent (acct_initrode_us, Chicago; acct_initrode_eu bills itself).
CONTRACT_USAGE_EVENTS = [
    ("o-01", "acct_oscorp", "api_request", "2026-09-14T23:00:00Z", {"endpoint": "/v1/chat"}),
    ("o-02", "acct_oscorp", "api_request", "2026-09-15T00:00:00Z", {"endpoint": "/v1/chat"}),
    ("o-03", "acct_oscorp", "api_request", "2026-10-02T08:00:00Z", {"endpoint": "/v1/search"}),
    ("o-04", "acct_oscorp", "llm_completion", "2026-10-20T12:00:00Z",
     {"model": "gpt-large", "tokens": 1250000}),
    ("o-05", "acct_oscorp", "llm_completion", "2026-11-03T12:00:00Z",
     {"model": "gpt-small", "tokens": "333333.5"}),
    ("o-06", "acct_oscorp", "api_request", "2026-11-24T23:59:59Z", {"endpoint": "/v1/chat"}),
    ("m-01", "acct_massive", "api_request", "2026-09-05T15:00:00Z", {"endpoint": "/v1/search"}),
    ("m-02", "acct_massive", "llm_completion", "2026-10-10T15:00:00Z",
     {"model": "gpt-small", "tokens": 20000}),
    ("m-03", "acct_massive", "api_request", "2026-11-01T02:00:00Z", {"endpoint": "/v1/chat"}),
    ("m-04", "acct_massive", "api_request", "2026-11-01T05:00:00Z", {"endpoint": "/v1/chat"}),
    ("m-05", "acct_massive", "storage_snapshot", "2026-11-12T00:00:00Z", {"gb": 120}),
    ("i-01", "acct_initrode_us", "api_request", "2026-09-30T23:00:00Z", {"endpoint": "/v1/search"}),
    ("i-02", "acct_initrode_us", "api_request", "2026-10-01T06:00:00Z", {"endpoint": "/v1/chat"}),
    ("i-03", "acct_initrode_us", "llm_completion", "2026-11-08T18:00:00Z",
     {"model": "gpt-small", "tokens": 75000}),
    ("i-04", "acct_initrode_eu", "api_request", "2026-11-09T09:00:00Z", {"endpoint": "/v1/chat"}),
]


def _contract_usage_events() -> str:
    return "".join(
        json.dumps({"event_id": event_id, "event_type": event_type, "account_id": account,
                    "occurred_at": at, "properties": properties}) + "\n"
        for event_id, account, event_type, at, properties in CONTRACT_USAGE_EVENTS
    )


def _copy_landing(destination: Path) -> None:
    """Copy the fixture files, gauge events and contract usage, with pinned modification times (whole
    seconds, by name).

    File systems and engines report mtimes with different precision (DuckDB to the
    microsecond, Spark's Hadoop listing to the millisecond): pinning keeps both exact.
    """
    shutil.copytree(FIXTURE_LANDING, destination)
    # gauges (seeds/meters.csv seats and peak_seats; priced for acct_stark and acct_wonka): a
    # mid-month change, two changes on one day with a tie on occurred_at, a value that leaves a
    # remainder at 6 decimals, and a change that falls on the previous local day (New York)
    gauge_events = [
        ("s1", "acct_stark", "2026-09-01T10:00:00Z", 3),
        ("s2", "acct_stark", "2026-10-16T11:00:00Z", 5),
        ("s3", "acct_stark", "2026-10-16T11:00:00Z", 6),
        ("s4", "acct_stark", "2026-11-09T14:00:00Z", "4.0000007"),
        ("w1", "acct_wonka", "2026-09-01T09:00:00Z", 12),
        ("w2", "acct_wonka", "2026-10-12T14:00:00Z", 18),
        ("w3", "acct_wonka", "2026-10-26T09:00:00Z", 14),
        ("a1", "acct_acme", "2026-11-01T02:00:00Z", 7),
    ]
    (destination / "gauges").mkdir()
    (destination / "gauges" / "seats.ndjson").write_text("".join(
        json.dumps({"event_id": event_id, "event_type": "seat_count", "account_id": account,
                    "occurred_at": at, "properties": {"seats": seats}}) + "\n"
        for event_id, account, at, seats in gauge_events
    ))
    (destination / "contracts").mkdir()
    (destination / "contracts" / "usage.ndjson").write_text(_contract_usage_events())
    files = sorted(path for path in destination.rglob("*") if path.is_file())
    base_ns = 1_790_000_000 * 1_000_000_000
    for index, path in enumerate(files):
        mtime_ns = base_ns + index * 1_000_000_000
        os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    root = tmp_path_factory.mktemp("spark_parity")
    landing = root / "landing"
    _copy_landing(landing)
    _land_filter_events(landing)
    profiles = root / "profiles"
    profiles.mkdir()
    shutil.copy(REPO / "profiles.yml.example", profiles / "profiles.yml")

    env = dict(os.environ)
    env.update(
        {
            "METERLINE_DUCKDB_PATH": str(root / "duckdb" / "meterline.duckdb"),
            "METERLINE_DUCKDB_TEMP_DIR": str(root / "duckdb" / "tmp"),
            "METERLINE_SPARK_DIR": str(root / "spark"),
            "SPARK_LOCAL_IP": env.get("SPARK_LOCAL_IP", "127.0.0.1"),
        }
    )
    (root / "duckdb").mkdir()
    build_vars = json.dumps({"landing_dir": str(landing), "as_of": AS_OF})
    probe_args = json.dumps({"cases": _arithmetic_cases(), "product_cases": _product_cases(),
                             "billing_period_cases": _billing_period_cases(),
                             "json_cases": _json_cases(), "copy_views": True})
    for target in ("duckdb", "spark"):
        common = [
            "--target", target,
            "--profiles-dir", str(profiles),
            "--target-path", str(root / f"target_{target}"),
            "--log-path", str(root / f"logs_{target}"),
        ]
        # Models only: the data tests and unit tests run in `make dbt-test` on DuckDB.
        _dbt(["build", *common, "--vars", build_vars,
              "--exclude", "resource_type:test", "resource_type:unit_test"], env)
        _dbt(["run-operation", "create_arithmetic_parity_probe", *common,
              "--vars", build_vars, "--args", probe_args], env)
    yield Builds(
        duckdb_path=root / "duckdb" / "meterline.duckdb",
        spark_warehouse=root / "spark" / "spark-warehouse",
    )


def _read_both(builds: Builds, schema: str, table: str, *, view: bool = False) -> tuple[tuple, tuple]:
    """Both engines' rows of schema.table; a view is read on Spark from its copy in the
    parity schema (macros/spark/parity_probe.sql: create_view_parity_copies)."""
    if view:
        spark_files = builds.spark_warehouse / "parity.db" / f"{schema}__{table}"
    else:
        spark_files = builds.spark_warehouse / f"{schema}.db" / table
    assert spark_files.is_dir(), f"Spark table {schema}.{table} was not built"
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as duck:
        duck_sql = f"select * from {schema}.{table}"
        duck_result = comparable_rows(duck, without_run_times(duck_sql, duck))
    with duckdb.connect() as reader:
        spark_sql = f"select * from read_parquet('{spark_files}/*.parquet')"
        spark_result = comparable_rows(reader, without_run_times(spark_sql, reader))
    return duck_result, spark_result


def _assert_same(name: str, duck: tuple, spark: tuple) -> None:
    duck_columns, duck_rows = duck
    spark_columns, spark_rows = spark
    assert spark_columns == duck_columns, f"{name}: columns differ"
    only_duck = [row for row in duck_rows if row not in spark_rows]
    only_spark = [row for row in spark_rows if row not in duck_rows]
    assert len(duck_rows) == len(spark_rows) and not only_duck and not only_spark, (
        f"{name}: {len(duck_rows)} DuckDB rows vs {len(spark_rows)} Spark rows\n"
        f"columns: {duck_columns}\n"
        f"only on DuckDB: {only_duck[:5]}\nonly on Spark: {only_spark[:5]}"
    )


@pytest.mark.parametrize(("schema", "table"), CONTRACT_TABLES, ids=[t for _, t in CONTRACT_TABLES])
def test_contract_table_identical(builds: Builds, schema: str, table: str) -> None:
    duck, spark = _read_both(builds, schema, table)
    _assert_same(f"{schema}.{table}", duck, spark)


def test_every_other_mart_and_audit_table_identical(builds: Builds) -> None:
    """Tables beyond the contract's (e.g. fct_rated_usage_tiers) must match too, and what the
    views return (fct_invoice_line_events)."""
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as duck:
        tables = duck.sql(
            "select table_schema, table_name, table_type = 'VIEW' from information_schema.tables"
            " where table_schema in ('marts', 'audit') order by all"
        ).fetchall()
    others = [(schema, table, view) for schema, table, view in tables
              if (schema, table) not in CONTRACT_TABLES]
    assert ("marts", "fct_invoice_line_events", True) in others
    for schema, table, view in others:
        duck_result, spark_result = _read_both(builds, schema, table, view=view)
        _assert_same(f"{schema}.{table}", duck_result, spark_result)


def test_contract_tables_not_trivially_empty(builds: Builds) -> None:
    duck, _ = _read_both(builds, "marts", "fct_invoice_lines")
    assert len(duck[1]) > 0


def test_arithmetic_macros_identical(builds: Builds) -> None:
    duck, spark = _read_both(builds, "parity", "arithmetic_probe")
    assert len(duck[1]) == len(_arithmetic_cases())  # no zero divisors among the cases
    _assert_same("parity.arithmetic_probe", duck, spark)


def test_rating_macros_over_wide_quantities_identical(builds: Builds) -> None:
    duck, spark = _read_both(builds, "parity", "product_probe")
    assert len(duck[1]) == len(_product_cases())
    _assert_same("parity.product_probe", duck, spark)


def _plain(value: Decimal) -> str:
    """A decimal's digits without trailing fractional zeros, never in exponent notation."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_rating_macros_over_wide_quantities_hand_checked(builds: Builds) -> None:
    """Products, counts and quotients worked out by hand, on the Spark build."""
    spark_files = builds.spark_warehouse / "parity.db" / "product_probe"
    with duckdb.connect() as reader:
        rows = reader.sql(
            "select quantity, unit_price, amount, quantity_over_7, quantity_round_trip "
            f"from read_parquet('{spark_files}/*.parquet')"
        ).fetchall()
    by_operands = {(_plain(q), _plain(u)): rest for q, u, *rest in rows}
    largest = "9999999999999999999999999999.999999999"  # 10^28 - 10^-9
    # 10^13 x 0.123456789 = 1,234,567,890,000 exactly
    assert by_operands[("10000000000000", "0.123456789")][0] == Decimal(1_234_567_890_000)
    # (10^28 - 10^-9) x 10^-9 = 10^19 - 10^-18: the largest amount there is
    assert by_operands[(largest, "0.000000001")][0] == Decimal(
        "9999999999999999999.999999999999999999"
    )
    # 10^18 x 10 = 10^19: not representable (null); 10^18 x 9.999999999 is
    assert by_operands[("1000000000000000000", "10")][0] is None
    assert by_operands[("1000000000000000000", "9.999999999")][0] == Decimal(
        9_999_999_999_000_000_000
    )
    # (10^18 + 0.5) x 0.000002 = 2,000,000,000,000 + 0.000001
    assert by_operands[("1000000000000000000.5", "0.000002")][0] == Decimal("2000000000000.000001")
    # a mean of at most 10^18: 1,000,000,000,000,000,000 / 7
    # = 142,857,142,857,142,857.142857142 (and 6/7 x 10^-9, truncated)
    assert by_operands[("1000000000000000000", "0")][1] == Decimal(
        "142857142857142857.142857142"
    )
    assert by_operands[(largest, "0")][1] is None  # not a mean: beyond the macro's domain
    # scaled to a whole number and back: every one of its 37 digits
    assert by_operands[(largest, "0")][2] == Decimal(largest)


def test_json_and_timestamp_macros_identical(builds: Builds) -> None:
    duck, spark = _read_both(builds, "parity", "json_probe")
    assert len(duck[1]) == len(_json_cases())
    _assert_same("parity.json_probe", duck, spark)


def test_arithmetic_macros_hand_checked(builds: Builds) -> None:
    """A few results worked out by hand, on the Spark build."""
    spark_files = builds.spark_warehouse / "parity.db" / "arithmetic_probe"
    with duckdb.connect() as reader:
        rows = reader.sql(
            "select a, b, minor_units, a_over_b, ceil_a_over_b, rounded_a, a_scaled_div_7 "
            f"from read_parquet('{spark_files}/*.parquet')"
        ).fetchall()
    by_operands = {(str(a.normalize()), str(b.normalize()), mu): rest for a, b, mu, *rest in rows}
    # -7 / 2 = -3.5 exactly; ceil(7 / 2) = 4; round(-7, 2) = -7.00; -7e9 // 7 = -1e9.
    assert by_operands[("-7", "2", 2)] == [
        Decimal("-3.5"), Decimal(4), Decimal("-7.0000"), Decimal(-1_000_000_000)
    ]
    # 1 / 3 truncated at 18 digits; ceil(1 / 3) = 1; round(1, 0) = 1.
    assert by_operands[("1", "3", 0)][:2] == [Decimal("0.333333333333333333"), Decimal(1)]
    # Ties round half away from zero: 0.005 -> 0.01, -0.005 -> -0.01 at 2 digits.
    assert by_operands[("0.005", "1", 2)][2] == Decimal("0.0100")
    assert by_operands[("-0.005", "1", 2)][2] == Decimal("-0.0100")
    # JPY (0 digits): 2.5 -> 3, -2.5 -> -3.
    assert by_operands[("2.5", "1", 0)][2] == Decimal(3)
    assert by_operands[("-2.5", "1", 0)][2] == Decimal(-3)
    # -12.345 / -0.3 = 41.15 exactly.
    assert by_operands[("-12.345", "-0.3", 4)][0] == Decimal("41.15")


def test_number_literals_hand_checked(builds: Builds) -> None:
    """A JSON number's literal as written, on the Spark build (the reader's double differs)."""
    spark_files = builds.spark_warehouse / "parity.db" / "json_probe"
    with duckdb.connect() as reader:
        rows = reader.sql(
            f"select probe_id, value_literal from read_parquet('{spark_files}/*.parquet')"
        ).fetchall()
    cases = {case[0]: (case[1], case[2]) for case in _json_cases()}
    literals = {cases[probe_id]: literal for probe_id, literal in rows}
    assert literals[('{"a": 1e-400, "b": "1e-400"}', "a")] == "1e-400"
    assert literals[('{"a": 1.00000000000000000001}', "a")] == "1.00000000000000000001"
    document = '{"b": "x\\" 2.5", "a": 100000000000.000000001, "c": [1, {"a": 2}]}'
    assert literals[(document, "a")] == "100000000000.000000001"
    # a string's text is unchanged (digits inside it are not literals)
    assert literals[(document, "b")] == 'x" 2.5'
    assert literals[('{"a": 1.10}', "a")] == "1.10"


def test_meter_filters_hand_checked(builds: Builds) -> None:
    """Meter filters on the Spark build: the demo filter over FILTER_EVENTS, and the
    operators of the JSON probe (macros/spark/parity_probe.sql)."""
    spark_files = builds.spark_warehouse / "audit.db" / "audit_unrated_events"
    with duckdb.connect() as reader:
        filtered = reader.sql(
            "select event_id, meter_id from read_parquet("
            f"'{spark_files}/*.parquet') where reason = 'filtered_out' order by event_id"
        ).fetchall()
    # 500, "503", "429", 404 are listed failures; 500.0, 5e2 (as written), -0, null, missing,
    # true and an object are not
    assert filtered == [(event_id, "api_requests") for event_id in ("f-03", "f-04", "f-12", "f-13")]
    probe_files = builds.spark_warehouse / "parity.db" / "json_probe"
    with duckdb.connect() as reader:
        rows = reader.sql(
            "select probe_id, filter_text, filter_eq_1, filter_neq_1, filter_in_list, "
            "filter_not_in_list, filter_exists, filter_not_exists "
            f"from read_parquet('{probe_files}/*.parquet')"
        ).fetchall()
    cases = {case[0]: (case[1], case[2]) for case in _json_cases()}
    results = {cases[probe_id]: rest for probe_id, *rest in rows}
    # the list is 1|1.10|true|-0|padded|ünï
    assert results[('{"a": 1}', "a")] == ["1", True, False, True, False, True, False]
    assert results[('{"a": 1.10}', "a")] == ["1.10", False, True, True, False, True, False]
    assert results[('{"a": -0}', "a")] == ["-0", False, True, True, False, True, False]
    assert results[('{"a": true}', "a")] == ["true", False, True, True, False, True, False]
    assert results[('{"a": 0.0}', "a")] == ["0.0", False, True, False, True, True, False]
    # missing and null: fail eq, in, exists; pass neq, not_in, not_exists
    for case in (('{"a": 1}', "missing"), ('{"a": null}', "a")):
        assert results[case] == [None, False, True, False, True, False, True]
    # an array (like an object) exists but equals nothing
    assert results[('{"a": [1, {"b": 2}]}', "a")] == [None, False, True, False, True, True, False]


def test_number_texts_hand_checked(builds: Builds) -> None:
    """Invoice description texts worked out by hand, on the DuckDB build (its own macro);
    test_arithmetic_macros_identical holds Spark (the shared macro) to the same texts."""
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as duck:
        rows = duck.sql(
            "select a, b, minor_units, a_text, a_over_b_text, rounded_a_text "
            "from parity.arithmetic_probe"
        ).fetchall()
    # Keyed by value: Decimal('0.000000001') normalizes to '1E-9' as text.
    by_operands = {(a, b, mu): rest for a, b, mu, *rest in rows}

    def texts(a: str, b: str, minor_units: int) -> list[str]:
        return by_operands[(Decimal(a), Decimal(b), minor_units)]

    # Thousands separated, trailing zeros dropped, the sign kept.
    assert texts("123456789.123456789", "1", 2)[0] == "123,456,789.123456789"
    assert texts("-999999.999999999", "1", 2)[0] == "-999,999.999999999"
    assert texts("0.000000001", "1", 2)[0] == "0.000000001"
    assert texts("100", "1", 2)[0] == "100"
    assert texts("0", "1", 2)[0] == "0"
    # 100 / 3 = 33.333333333333333333 (18 digits, truncated); -7 / 2 = -3.5.
    assert texts("100", "3", 2)[1] == "33.333333333333333333"
    assert texts("-7", "2", 2)[1] == "-3.5"
    # Money keeps exactly the minor units: -12.345 -> -12.35 (half away from zero) at 2,
    # 2.5 -> 3 at 0, 7 -> 7.0000 at 4, 999999.999999999 -> 1,000,000.000 at 3.
    assert texts("-12.345", "1", 2)[2] == "-12.35"
    assert texts("2.5", "1", 0)[2] == "3"
    assert texts("7", "1", 4)[2] == "7.0000"
    assert texts("999999.999999999", "1", 3)[2] == "1,000,000.000"


def test_billing_period_macros_identical(builds: Builds) -> None:
    duck, spark = _read_both(builds, "parity", "billing_period_probe")
    assert len(duck[1]) == len(_billing_period_cases())
    _assert_same("parity.billing_period_probe", duck, spark)


def test_billing_period_macros_hand_checked(builds: Builds) -> None:
    """Periods worked out by hand (data contract 7.1), on the Spark build."""
    spark_files = builds.spark_warehouse / "parity.db" / "billing_period_probe"
    with duckdb.connect() as reader:
        rows = reader.sql(
            "select cast(anchor as varchar), months, cast(day as varchar), period_index,"
            " cast(period_start as varchar), cast(period_end as varchar), period_label"
            f" from read_parquet('{spark_files}/*.parquet')"
        ).fetchall()
    periods = {(anchor, months, day): rest for anchor, months, day, *rest in rows}
    # anchor 31 January, monthly: 31 Jan + 1 month = 28 Feb, + 2 = 31 Mar (from the anchor)
    assert periods[("2026-01-31", 1, "2026-03-30")] == [
        1, "2026-02-28", "2026-03-31", "28 Feb 2026–30 Mar 2026"
    ]
    # 2024 is a leap year: + 1 month = 29 Feb; 28 Feb is still in the first period
    assert periods[("2024-01-31", 1, "2024-02-28")] == [
        0, "2024-01-31", "2024-02-29", "31 Jan 2024–28 Feb 2024"
    ]
    # anchor 28 February, the month's last day: + 1 month = 28 March, not 31 March
    assert periods[("2026-02-28", 1, "2026-03-30")] == [
        1, "2026-03-28", "2026-04-28", "28 Mar 2026–27 Apr 2026"
    ]
    # calendar periods: (2026 - 2000) x 12 + 9 = 321 months to October; quarter 321 // 3 = 107
    assert periods[("2000-01-01", 1, "2026-10-15")] == [321, "2026-10-01", "2026-11-01", "2026-10"]
    assert periods[("2000-01-01", 3, "2026-10-15")] == [107, "2026-10-01", "2027-01-01", "Q4 2026"]
    assert periods[("2000-01-01", 12, "2026-10-15")] == [26, "2026-01-01", "2027-01-01", "2026"]
    # a day before the anchor: period -1 (2000-01-01 - 12 months = 1999-01-01)
    assert periods[("2000-01-01", 12, "1999-12-30")] == [-1, "1999-01-01", "2000-01-01", "1999"]
    # anchored mid-month, yearly
    assert periods[("2025-07-15", 12, "2026-07-14")] == [
        0, "2025-07-15", "2026-07-15", "15 Jul 2025–14 Jul 2026"
    ]

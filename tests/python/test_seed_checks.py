"""Seed mistakes fail a data test that names the seed row, never silently.

The rating fixture (tests/fixtures/rating) is built with bad rows added to its seeds. Each
bad value must be named by its seed's seed_values_valid test (tests/generic/) in a failure
row: seed file, row id, column and value as written. Two dbt builds: one with every seed
mistake at once (those tests stop the models built from the seed), and one with an unknown
billing time zone, which must leave every model built and bill none of the account's usage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtRun, run_dbt

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "rating"
AS_OF = "2026-02-20"

# seed file -> rows appended to the fixture's seed (header order of the fixture's file)
BAD_ROWS = {
    "contracts.csv": [
        "c_negative_discount,acct_grad,grad,2027-01-01,2027-02-01,,-5,,",
        "c_discount_over_100,acct_grad,grad,2027-02-01,2027-03-01,,150,,",
        "c_ends_before_start,acct_grad,grad,2027-05-10,2027-05-01,,,,",
        "c_ends_on_start,acct_grad,grad,2027-06-01,2027-06-01,,,,",
        "c_negative_minimum,acct_grad,grad,2027-07-01,2027-08-01,-100,,,",
        # billing cadence (data contract 7.1): header bill_frequency, bill_anchor_on at the end
        "c_fortnightly,acct_grad,grad,2027-09-01,2027-10-01,,,fortnight,",
    ],
    "prices.csv": [
        "p_ten_decimals,std,,usage,units,u10,per_unit,0.0000000015,,,,,,,,,,,,",
        "p_negative_unit,std,,usage,units,uneg,per_unit,-0.01,,,,,,,,,,,,",
        "p_huge_unit,std,,usage,units,uhuge,per_unit,1000000,,,,,,,,,,,,",
        "p_zero_package,std,,usage,units,pzero,package,1,0,,,,,,,,,,,",
        "p_negative_package,std,,usage,units,pneg,package,1,-10,,,,,,,,,,,",
        "p_negative_free,std,,usage,units,fneg,per_unit,1,,-1,,,,,,,,,,",
        "p_negative_fixed,neg_fixed_plan,,fixed,,,,,,,-10.00,,,,,,,,,",
        "p_five_decimals,five_plan,,fixed,,,,,,,1.23456,,,,,,,,,",
        "p_fixed_too_large,big_plan,,fixed,,,,,,,1000000000,,,,,,,,,",
        "p_negative_minimum,std,,usage,units,mneg,per_unit,1,,,,-1.00,,,,,,,,",
        "p_negative_maximum,std,,usage,units,xneg,per_unit,1,,,,,-5.00,,,,,,,",
        "p_maximum_below_minimum,std,,usage,units,xmin,per_unit,1,,,,10.00,5.00,,,,,,,",
        # percentage pricing (data contract 7.7): header tier_scope, percent_rate, per_event_amount,
        # per_event_minimum, per_event_maximum at the end
        "p_rate_over_100,std,,usage,units,rate,percentage,,,,,,,,,,150,,,",
        "p_negative_event_fee,std,,usage,units,fee,percentage,,,,,,,,,,1,-0.10,,",
        "p_event_max_below_min,std,,usage,units,evmax,percentage,,,,,,,,,,1,,1.00,0.50",
    ],
    "price_tiers.csv": [
        "p_grad,4,,-1,",
        "p_vol,4,,1,-2.50",
        "p_vol,5,0.00000000001,1,",
    ],
    "credit_grants.csv": [
        "g_negative,acct_credit,USD,-5.00,2026-01-01,,",
        "g_backwards,acct_credit,USD,5.00,2026-03-01,2026-02-01,",
    ],
    "currencies.csv": [
        "XTS,5",
        "XXX,-1",
    ],
    "meters.csv": [
        "m_trailing_value,unit_usage,sum,n ,,unit,Trailing blank",
        "m_leading_value,unit_usage,sum, n,,unit,Leading blank",
        "m_blank_event_type,unit_usage ,count,,,unit,Trailing blank",
        "m_blank_group,unit_usage,count,,endpoint | region,unit,Blank in group_by",
        "m_leading_group,unit_usage,count,, endpoint,unit,Leading blank in group_by",
    ],
    "meter_filters.csv": [
        "api,status,equals,200",
        "api,status,eq,",
        "api,status,not_in,",
        "api,status,exists,200",
        "api, status,neq,x",
        "api,,neq,y",
    ],
}

# (test name, seed file, row id, column, bad value as written)
EXPECTED_FAILURES = [
    ("contracts_seed_values_valid", "contracts.csv", "c_negative_discount", "discount_percent", "-5"),
    ("contracts_seed_values_valid", "contracts.csv", "c_discount_over_100", "discount_percent", "150"),
    ("contracts_seed_values_valid", "contracts.csv", "c_ends_before_start", "ends_on", "2027-05-01"),
    ("contracts_seed_values_valid", "contracts.csv", "c_ends_on_start", "ends_on", "2027-06-01"),
    ("contracts_seed_values_valid", "contracts.csv", "c_negative_minimum", "minimum_commitment", "-100"),
    ("contracts_seed_values_valid", "contracts.csv", "c_fortnightly", "bill_frequency", "fortnight"),
    ("prices_seed_values_valid", "prices.csv", "p_ten_decimals", "unit_amount", "0.0000000015"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_unit", "unit_amount", "-0.01"),
    ("prices_seed_values_valid", "prices.csv", "p_huge_unit", "unit_amount", "1000000"),
    ("prices_seed_values_valid", "prices.csv", "p_zero_package", "package_size", "0"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_package", "package_size", "-10"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_free", "free_quantity", "-1"),
    ("prices_seed_values_valid", "prices.csv", "p_rate_over_100", "percent_rate", "150"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_event_fee", "per_event_amount", "-0.1"),
    ("prices_seed_values_valid", "prices.csv", "p_event_max_below_min", "per_event_maximum", "0.5"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_fixed", "fixed_amount", "-10"),
    ("prices_seed_values_valid", "prices.csv", "p_five_decimals", "fixed_amount", "1.23456"),
    ("prices_seed_values_valid", "prices.csv", "p_fixed_too_large", "fixed_amount", "1000000000"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_minimum", "minimum_amount", "-1"),
    ("prices_seed_values_valid", "prices.csv", "p_negative_maximum", "maximum_amount", "-5"),
    ("prices_seed_values_valid", "prices.csv", "p_maximum_below_minimum", "maximum_amount", "5"),
    ("price_tiers_seed_values_valid", "price_tiers.csv", "p_grad/4", "unit_amount", "-1"),
    ("price_tiers_seed_values_valid", "price_tiers.csv", "p_vol/4", "flat_amount", "-2.5"),
    ("price_tiers_seed_values_valid", "price_tiers.csv", "p_vol/5", "up_to", "0.00000000001"),
    ("credit_grants_seed_values_valid", "credit_grants.csv", "g_negative", "amount", "-5"),
    ("credit_grants_seed_values_valid", "credit_grants.csv", "g_backwards", "expires_on", "2026-02-01"),
    ("currencies_seed_values_valid", "currencies.csv", "XTS", "minor_units", "5"),
    ("currencies_seed_values_valid", "currencies.csv", "XXX", "minor_units", "-1"),
    ("meters_seed_values_valid", "meters.csv", "m_trailing_value", "value_property", "n "),
    ("meters_seed_values_valid", "meters.csv", "m_leading_value", "value_property", " n"),
    ("meters_seed_values_valid", "meters.csv", "m_blank_event_type", "event_type", "unit_usage "),
    ("meters_seed_values_valid", "meters.csv", "m_blank_group", "group_by", "endpoint | region"),
    ("meters_seed_values_valid", "meters.csv", "m_leading_group", "group_by", " endpoint"),
    # a filter has no id: its row is named by meter_id/property/operator/value
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api/status/equals/200", "operator", "equals"),
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api/status/eq/", "value", None),
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api/status/not_in/", "value", None),
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api/status/exists/200", "value", "200"),
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api/ status/neq/x", "property", " status"),
    ("meter_filters_seed_values_valid", "meter_filters.csv", "api//neq/y", "property", None),
]

TIMEZONE_TEST = "accounts_billing_timezone_is_known"
UNKNOWN_ZONE = "Mars/Olympus_Mons"


def _fixture_seeds(extra: dict[str, list[str]]) -> dict[str, str]:
    seeds = {}
    for path in (FIXTURE / "seeds").glob("*.csv"):
        lines = path.read_text().rstrip("\n").split("\n") + extra.get(path.name, [])
        seeds[path.name] = "\n".join(lines) + "\n"
    return seeds


def _results(work_dir: Path) -> dict[str, dict]:
    """run_results.json by unique_id."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"]: result for result in results}


def _test_result(results: dict[str, dict], test_name: str) -> dict:
    (result,) = [r for uid, r in results.items() if uid.startswith(f"test.meterline.{test_name}.")]
    return result


def _failure_rows(run: DbtRun, result: dict) -> set[tuple[str, str, str, str]]:
    """The stored failures of a test (run with --store-failures)."""
    assert result["relation_name"], result
    rows = run.query(
        f"select seed_file, row_id, column_name, bad_value from {result['relation_name']}"
    )
    return {tuple(row) for row in rows}


@dataclass
class SeedMistakes:
    run: DbtRun
    results: dict[str, dict]


@pytest.fixture(scope="module")
def seed_mistakes(tmp_path_factory: pytest.TempPathFactory) -> SeedMistakes:
    work_dir: Path = tmp_path_factory.mktemp("seed_mistakes")
    seeds = _fixture_seeds(BAD_ROWS)
    # plans of the bad fixed prices (one each, so that they do not overlap)
    seeds["plans.csv"] += "neg_fixed_plan,Negative,USD\nfive_plan,Five,USD\nbig_plan,Big,USD\n"
    run = run_dbt(["build", "--store-failures"], work_dir, landing_dir=FIXTURE / "landing",
                  as_of=AS_OF, seeds=seeds)
    return SeedMistakes(run, _results(work_dir))


@pytest.mark.parametrize(
    ("test_name", "seed_file", "row_id", "column", "value"),
    EXPECTED_FAILURES,
    ids=[f"{row[2]}.{row[3]}" for row in EXPECTED_FAILURES],
)
def test_seed_mistake_fails_a_test_naming_the_row(
    seed_mistakes: SeedMistakes,
    test_name: str, seed_file: str, row_id: str, column: str, value: str,
) -> None:
    assert seed_mistakes.run.returncode != 0
    result = _test_result(seed_mistakes.results, test_name)
    assert result["status"] == "fail", result
    assert (seed_file, row_id, column, value) in _failure_rows(seed_mistakes.run, result)


def test_seed_tests_name_only_the_bad_rows(seed_mistakes: SeedMistakes) -> None:
    named = set()
    for test_name in {row[0] for row in EXPECTED_FAILURES}:
        named |= _failure_rows(seed_mistakes.run, _test_result(seed_mistakes.results, test_name))
    assert named == {row[1:] for row in EXPECTED_FAILURES}


def test_seed_values_are_loaded_as_written(seed_mistakes: SeedMistakes) -> None:
    """The seed's column types hold more digits than the engine keeps: nothing is rounded on
    load (staging then reads a value that does not fit as null: models/staging unit tests)."""
    rows = seed_mistakes.run.query(
        "select price_id, unit_amount, fixed_amount from seeds.prices"
        " where price_id in ('p_ten_decimals', 'p_five_decimals', 'p_fixed_too_large')"
    )
    assert sorted(rows) == [
        ("p_five_decimals", None, Decimal("1.23456")),
        ("p_fixed_too_large", None, Decimal(1000000000)),
        ("p_ten_decimals", Decimal("0.0000000015"), None),
    ]


@pytest.fixture(scope="module")
def unknown_zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, dict[str, dict]]:
    work_dir: Path = tmp_path_factory.mktemp("unknown_zone")
    seeds = _fixture_seeds({})
    accounts = seeds["accounts.csv"]
    assert "acct_ovr,Override Co,America/New_York," in accounts
    seeds["accounts.csv"] = accounts.replace(
        "acct_ovr,Override Co,America/New_York,", f"acct_ovr,Override Co,{UNKNOWN_ZONE},"
    )
    run = run_dbt(["build", "--store-failures"], work_dir, landing_dir=FIXTURE / "landing",
                  as_of=AS_OF, seeds=seeds)
    return run, _results(work_dir)


def test_unknown_timezone_fails_its_test_and_every_model_builds(
    unknown_zone: tuple[DbtRun, dict[str, dict]],
) -> None:
    run, results = unknown_zone
    assert run.returncode != 0
    result = _test_result(results, TIMEZONE_TEST)
    assert result["status"] == "fail"
    assert _failure_rows(run, result) == {
        ("accounts.csv", "acct_ovr", "billing_timezone", UNKNOWN_ZONE)
    }
    not_built = {
        uid: r["status"] for uid, r in results.items()
        if uid.startswith(("model.", "seed.")) and r["status"] != "success"
    }
    assert not_built == {}
    assert len([uid for uid in results if uid.startswith("model.")]) > 30
    not_passed = {
        uid.split(".")[2] for uid, r in results.items()
        if uid.startswith(("test.", "unit_test.")) and r["status"] != "pass"
    }
    assert not_passed == {TIMEZONE_TEST}


def test_unknown_timezone_usage_is_unrated_not_billed_in_another_zone(
    unknown_zone: tuple[DbtRun, dict[str, dict]],
) -> None:
    run, _ = unknown_zone
    unrated = run.query(
        "select event_id, reason, period_start from audit.audit_unrated_events"
        " where account_id = 'acct_ovr'"
    )
    assert sorted(unrated) == [
        (f"ovr-{n}", "unknown_billing_timezone", None) for n in range(1, 7)
    ]
    usage = run.query(
        "select sum(quantity), count(*) from marts.fct_invoice_lines"
        " where account_id = 'acct_ovr' and line_type = 'usage'"
    )
    assert usage == [(Decimal(0), 4)]  # the zero lines every usage price yields
    assert run.query("select count(*) from marts.fct_usage_daily where account_id = 'acct_ovr'") == [
        (0,)
    ]
    # other accounts are billed as without the mistake (acct_grad's 21 units: 163.00)
    assert run.query(
        "select total from marts.fct_invoices where account_id = 'acct_grad'"
        " and period_start = '2026-01-01'"
    ) == [(Decimal("163.00"),)]


def test_meter_filter_of_an_unknown_meter_fails_a_test_naming_the_row(tmp_path: Path) -> None:
    """A filter whose meter_id is no meter (a typo would leave the meter unfiltered)."""
    seeds = _fixture_seeds({"meter_filters.csv": ["api_request,status,eq,200"]})
    run = run_dbt(["build", "--store-failures", "--select", "+stg_meter_filters"], tmp_path,
                  landing_dir=FIXTURE / "landing", as_of=AS_OF, seeds=seeds)
    assert run.returncode != 0
    result = _test_result(_results(tmp_path), "meter_filters_meter_is_known")
    assert result["status"] == "fail", result
    assert _failure_rows(run, result) == {
        ("meter_filters.csv", "api_request/status/eq/200", "meter_id", "api_request")
    }

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
from conftest import PROJECT_DIR, DbtRun, only_seeds, run_dbt

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "rating"
AS_OF = "2026-02-20"
# Data tests keep their failing rows; the unit tests (they read no seed) run in `make dbt-test`.
BUILD_WITH_FAILURES = ["build", "--store-failures", "--exclude", "resource_type:unit_test"]

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
        "p_ten_decimals,std,,usage,units,u10,per_unit,0.0000000015,,,,,,,,,,,,,",
        "p_negative_unit,std,,usage,units,uneg,per_unit,-0.01,,,,,,,,,,,,,",
        "p_huge_unit,std,,usage,units,uhuge,per_unit,1000000,,,,,,,,,,,,,",
        "p_zero_package,std,,usage,units,pzero,package,1,0,,,,,,,,,,,,",
        "p_negative_package,std,,usage,units,pneg,package,1,-10,,,,,,,,,,,,",
        "p_negative_free,std,,usage,units,fneg,per_unit,1,,-1,,,,,,,,,,,",
        "p_negative_fixed,neg_fixed_plan,,fixed,,,,,,,-10.00,,,,,,,,,,",
        "p_five_decimals,five_plan,,fixed,,,,,,,1.23456,,,,,,,,,,",
        "p_fixed_too_large,big_plan,,fixed,,,,,,,1000000000,,,,,,,,,,",
        "p_negative_minimum,std,,usage,units,mneg,per_unit,1,,,,-1.00,,,,,,,,,",
        "p_negative_maximum,std,,usage,units,xneg,per_unit,1,,,,,-5.00,,,,,,,,",
        "p_maximum_below_minimum,std,,usage,units,xmin,per_unit,1,,,,10.00,5.00,,,,,,,,",
        # percentage pricing (data contract 7.7): header tier_scope, percent_rate, per_event_amount,
        # per_event_minimum, per_event_maximum, then bill_on (7.2) at the end
        "p_rate_over_100,std,,usage,units,rate,percentage,,,,,,,,,,150,,,,",
        "p_negative_event_fee,std,,usage,units,fee,percentage,,,,,,,,,,1,-0.10,,,",
        "p_event_max_below_min,std,,usage,units,evmax,percentage,,,,,,,,,,1,,1.00,0.50,",
        # one-time charges (data contract 7.2): bill_on last
        "p_unknown_charge_type,std,,recurring,,,,,,,1.00,,,,,,,,,,",
        "p_usage_bill_on,std,,usage,units,ubill,per_unit,1,,,,,,,,,,,,,2026-01-15",
    ],
    # commitment_id, contract_id, commitment_type, amount, starts_on, ends_on, fee_schedule,
    # overage_surcharge_percent, applies_to (data contract 7.3)
    "commitments.csv": [
        "k_unknown_type,c_grad,prepay,100,2026-01-01,2026-02-01,,,",
        "k_unknown_fee_schedule,c_grad,prepaid,100,2026-02-01,2026-03-01,monthly,,",
        "k_unknown_applies_to,c_grad,prepaid,100,2026-03-01,2026-04-01,,,everything",
        "k_postpaid_fee_schedule,c_grad,postpaid,100,2026-04-01,2026-05-01,upfront,,",
        "k_postpaid_surcharge,c_grad,postpaid,100,2026-05-01,2026-06-01,,5,",
        "k_zero_amount,c_grad,prepaid,0,2026-06-01,2026-07-01,,,",
        "k_no_amount,c_grad,prepaid,,2026-07-01,2026-08-01,,,",
        "k_cents_of_cents,c_grad,prepaid,1.00001,2026-08-01,2026-09-01,,,",
        "k_negative_surcharge,c_grad,prepaid,100,2026-09-01,2026-10-01,,-5,",
        "k_no_end,c_grad,prepaid,100,2026-10-01,,,,",
        "k_backwards,c_grad,prepaid,100,2027-02-01,2027-01-01,,,",
        "k_no_contract,,prepaid,100,2027-03-01,2027-04-01,,,",
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
    # usage and spend alerts; header alert_rule_id, account_id, plan_id, metric, meter_id,
    # currency, threshold, direction, recurring_every, active_from, active_to, description
    "alert_rules.csv": [
        "ar_two_scopes,acct_grad,grad,period_amount,,,10,,,,,",
        "ar_bad_metric,acct_grad,,spend,,,10,,,,,",
        "ar_meter_on_amount,acct_grad,,period_amount,units,,10,,,,,",
        "ar_currency_on_meter,acct_grad,,meter_quantity,units,USD,10,,,,,",
        "ar_negative,acct_grad,,meter_quantity,units,,-5,,,,,",
        "ar_wrong_direction,acct_grad,,credit_balance,,,10,above,,,,",
        "ar_zero_step,acct_grad,,meter_quantity,units,,10,,0,,,",
        "ar_backwards,acct_grad,,meter_quantity,units,,10,,,2026-02-01,2026-01-01,",
    ],
}

# (test name, seed file, row id, column, bad value as written)
EXPECTED_FAILURES = [
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_two_scopes", "account_id", "acct_grad"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_bad_metric", "metric", "spend"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_meter_on_amount", "meter_id", "units"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_currency_on_meter", "currency", "USD"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_negative", "threshold", "-5"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_wrong_direction", "direction", "above"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_zero_step", "recurring_every", "0"),
    ("alert_rules_seed_values_valid", "alert_rules.csv", "ar_backwards", "active_to", "2026-01-01"),
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
    ("prices_seed_values_valid", "prices.csv", "p_unknown_charge_type", "charge_type", "recurring"),
    ("prices_seed_values_valid", "prices.csv", "p_usage_bill_on", "bill_on", "2026-01-15"),
    ("commitments_seed_values_valid", "commitments.csv", "k_unknown_type", "commitment_type",
     "prepay"),
    ("commitments_seed_values_valid", "commitments.csv", "k_unknown_fee_schedule", "fee_schedule",
     "monthly"),
    ("commitments_seed_values_valid", "commitments.csv", "k_unknown_applies_to", "applies_to",
     "everything"),
    ("commitments_seed_values_valid", "commitments.csv", "k_postpaid_fee_schedule",
     "fee_schedule", "upfront"),
    ("commitments_seed_values_valid", "commitments.csv", "k_postpaid_surcharge",
     "overage_surcharge_percent", "5"),
    ("commitments_seed_values_valid", "commitments.csv", "k_zero_amount", "amount", "0"),
    ("commitments_seed_values_valid", "commitments.csv", "k_no_amount", "amount", None),
    ("commitments_seed_values_valid", "commitments.csv", "k_cents_of_cents", "amount", "1.00001"),
    ("commitments_seed_values_valid", "commitments.csv", "k_negative_surcharge",
     "overage_surcharge_percent", "-5"),
    ("commitments_seed_values_valid", "commitments.csv", "k_no_end", "ends_on", None),
    ("commitments_seed_values_valid", "commitments.csv", "k_backwards", "ends_on", "2027-01-01"),
    ("commitments_seed_values_valid", "commitments.csv", "k_no_contract", "contract_id", None),
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
    # a generic test's id ends in a hash, a singular test's is its name
    (result,) = [r for uid, r in results.items()
                 if uid == f"test.meterline.{test_name}"
                 or uid.startswith(f"test.meterline.{test_name}.")]
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
    run = run_dbt(BUILD_WITH_FAILURES, work_dir, landing_dir=FIXTURE / "landing",
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
    run = run_dbt(BUILD_WITH_FAILURES, work_dir, landing_dir=FIXTURE / "landing",
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
    run = run_dbt([*BUILD_WITH_FAILURES, "--select", "+stg_meter_filters"], tmp_path,
                  landing_dir=FIXTURE / "landing", as_of=AS_OF, seeds=seeds)
    assert run.returncode != 0
    result = _test_result(_results(tmp_path), "meter_filters_meter_is_known")
    assert result["status"] == "fail", result
    assert _failure_rows(run, result) == {
        ("meter_filters.csv", "api_request/status/eq/200", "meter_id", "api_request")
    }


# Mistakes across seeds (data contract 7.2-7.4): every value is valid on its own, so staging is
# built and the data tests that read several models name the rows. Contracts c_main
# (2026-01-01 to 2027-01-01) and c_other (from 2026-03-15), both on plan pl, monthly periods.
CROSS_SEED_AS_OF = "2026-11-25"
CROSS_SEED_ROWS = {
    "accounts.csv": [
        {"account_id": "acct_parent", "account_name": "Parent"},
        {"account_id": "acct_child", "account_name": "Child", "parent_account_id": "acct_parent",
         "bill_to": "parent"},
        {"account_id": "acct_sibling", "account_name": "Sibling",
         "parent_account_id": "acct_parent"},
        {"account_id": "acct_grandchild", "account_name": "Grandchild",
         "parent_account_id": "acct_child", "bill_to": "parent"},
        {"account_id": "acct_own_parent", "account_name": "Own", "parent_account_id": "acct_own_parent"},
        {"account_id": "acct_lost", "account_name": "Lost", "parent_account_id": "acct_nobody"},
        {"account_id": "acct_orphan", "account_name": "Orphan", "bill_to": "parent"},
        {"account_id": "acct_typo", "account_name": "Typo", "parent_account_id": "acct_parent",
         "bill_to": "Parnt"},
    ],
    "currencies.csv": [{"currency": "USD", "minor_units": "2"}],
    "plans.csv": [{"plan_id": "pl", "plan_name": "Plan", "currency": "USD"}],
    "contracts.csv": [
        {"contract_id": "c_main", "account_id": "acct_parent", "plan_id": "pl",
         "starts_on": "2026-01-01", "ends_on": "2027-01-01"},
        {"contract_id": "c_other", "account_id": "acct_sibling", "plan_id": "pl",
         "starts_on": "2026-03-15"},
    ],
    "prices.csv": [
        # a plan's one-time price is billed on every contract of the plan: c_other starts later
        {"price_id": "p_plan_once", "plan_id": "pl", "charge_type": "one_time",
         "fixed_amount": "10", "bill_on": "2026-03-01"},
        {"price_id": "p_plan_default", "plan_id": "pl", "charge_type": "one_time",
         "fixed_amount": "10"},
        {"price_id": "p_contract_on_end", "contract_id": "c_main", "charge_type": "one_time",
         "fixed_amount": "10", "bill_on": "2027-01-01"},
        {"price_id": "p_contract_early", "contract_id": "c_other", "charge_type": "one_time",
         "fixed_amount": "10", "bill_on": "2026-03-14"},
        {"price_id": "p_contract_default", "contract_id": "c_other", "charge_type": "one_time",
         "fixed_amount": "10"},
    ],
    "commitments.csv": [
        {"commitment_id": commitment_id, "contract_id": contract_id, "commitment_type": kind,
         "amount": "100", "starts_on": starts_on, "ends_on": ends_on}
        for commitment_id, contract_id, kind, starts_on, ends_on in [
            ("k_ok", "c_main", "prepaid", "2026-01-01", "2026-07-01"),
            ("k_overlap", "c_main", "prepaid", "2026-06-01", "2026-09-01"),
            ("k_after", "c_main", "postpaid", "2026-10-01", "2027-02-01"),
            ("k_before", "c_main", "postpaid", "2025-12-01", "2026-01-01"),
            # the contract's first day is a boundary of its term
            ("k_contract_start", "c_other", "postpaid", "2026-03-15", "2026-04-01"),
            ("k_mid_start", "c_other", "postpaid", "2026-04-10", "2026-06-01"),
            ("k_mid_end", "c_other", "prepaid", "2026-06-01", "2026-07-15"),
            # after the periods built so far (as_of): not checked yet
            ("k_future", "c_other", "prepaid", "2027-01-01", "2027-03-20"),
            ("k_no_contract", "c_nowhere", "prepaid", "2026-01-01", "2026-02-01"),
        ]
    ],
    "credit_grants.csv": [
        {"grant_id": grant_id, "account_id": account_id, "currency": "USD", "amount": "5",
         "effective_on": "2026-01-01"}
        for grant_id, account_id in [("g_child", "acct_child"), ("g_sibling", "acct_sibling"),
                                     ("g_parent", "acct_parent")]
    ],
    "meters.csv": [
        {"meter_id": "m_calls", "event_type": "call", "aggregation": "count"},
        {"meter_id": "m_users", "event_type": "login", "aggregation": "unique_count",
         "value_property": "user_id"},
    ],
    # usage and spend alerts: each value valid on its own, the rows they name unknown (or a
    # meter whose groups do not add up); ar_fine is right
    "alert_rules.csv": [
        {"alert_rule_id": rule_id, "metric": metric, "threshold": "10", **scope}
        for rule_id, metric, scope in [
            ("ar_unknown_account", "credit_balance", {"account_id": "acct_nobody"}),
            ("ar_unknown_plan", "period_amount", {"plan_id": "pl_nobody"}),
            ("ar_unknown_meter", "meter_quantity",
             {"account_id": "acct_parent", "meter_id": "m_nobody"}),
            ("ar_unique_users", "meter_quantity",
             {"account_id": "acct_parent", "meter_id": "m_users"}),
            ("ar_fine", "meter_quantity", {"plan_id": "pl", "meter_id": "m_calls"}),
        ]
    ],
}

# test name -> the rows it names (the columns of CROSS_SEED_COLUMNS)
CROSS_SEED_FAILURES = {
    "assert_one_time_prices_bill_inside_their_contracts": {
        ("p_plan_once", "c_other"), ("p_contract_on_end", "c_main"),
        ("p_contract_early", "c_other"),
    },
    "assert_commitment_terms_fit_their_contracts": {
        ("k_after", "c_main"), ("k_before", "c_main"), ("k_no_contract", "c_nowhere"),
    },
    "assert_commitment_terms_on_period_boundaries": {
        ("k_mid_start", "starts_on"), ("k_mid_end", "ends_on"),
    },
    "commitment_terms_do_not_overlap": {("c_main", "k_ok", "k_overlap")},
    "assert_parent_accounts_are_valid": {
        ("acct_child", "acct_grandchild"), ("acct_own_parent", None), ("acct_lost", None),
        ("acct_orphan", None), ("acct_typo", None),
    },
    "assert_no_credit_grants_on_accounts_billed_to_parent": {("g_child", "acct_parent")},
    # the relationships test of stg_commitments names the unknown contract too
    "relationships_stg_commitments_contract_id__contract_id__ref_stg_contracts_": {
        ("c_nowhere",),
    },
    "alert_rules_refer_to_known_rows": {
        ("ar_unknown_account", "account_id", "acct_nobody"),
        ("ar_unknown_plan", "plan_id", "pl_nobody"),
        ("ar_unknown_meter", "meter_id", "m_nobody"),
        ("ar_unique_users", "meter_id", "m_users (unique_count)"),
    },
}
CROSS_SEED_COLUMNS = {
    "assert_one_time_prices_bill_inside_their_contracts": "price_id, contract_id",
    "assert_commitment_terms_fit_their_contracts": "commitment_id, contract_id",
    "assert_commitment_terms_on_period_boundaries": "commitment_id, column_name",
    "commitment_terms_do_not_overlap": "contract_id, commitment_id, overlapping_commitment_id",
    "assert_parent_accounts_are_valid": "account_id, child_account_id",
    "assert_no_credit_grants_on_accounts_billed_to_parent": "grant_id, bill_to_account_id",
    "relationships_stg_commitments_contract_id__contract_id__ref_stg_contracts_": "from_field",
    "alert_rules_refer_to_known_rows": "row_id, column_name, bad_value",
}


@pytest.fixture(scope="module")
def cross_seed_mistakes(tmp_path_factory: pytest.TempPathFactory) -> SeedMistakes:
    work_dir: Path = tmp_path_factory.mktemp("cross_seed_mistakes")
    landing = work_dir / "landing"
    landing.mkdir()
    run = run_dbt(
        ["build", "--store-failures", "--select",
         ("+int_contract_periods +stg_prices +stg_commitments +stg_accounts +stg_credit_grants"
          " +stg_alert_rules"),
         "--exclude", "resource_type:unit_test", "--indirect-selection", "cautious"],
        work_dir, landing_dir=landing, as_of=CROSS_SEED_AS_OF,
        seeds=only_seeds(CROSS_SEED_ROWS),
    )
    return SeedMistakes(run, _results(work_dir))


@pytest.mark.parametrize("test_name", sorted(CROSS_SEED_FAILURES))
def test_cross_seed_mistake_fails_a_test_naming_the_rows(
    cross_seed_mistakes: SeedMistakes, test_name: str,
) -> None:
    result = _test_result(cross_seed_mistakes.results, test_name)
    assert result["status"] == "fail", result
    rows = cross_seed_mistakes.run.query(
        f"select {CROSS_SEED_COLUMNS[test_name]} from {result['relation_name']}"
    )
    assert set(rows) == CROSS_SEED_FAILURES[test_name]


def test_cross_seed_mistakes_fail_only_their_tests(cross_seed_mistakes: SeedMistakes) -> None:
    """Every model is built (the values are valid), and no other test fails."""
    results = cross_seed_mistakes.results
    assert cross_seed_mistakes.run.returncode != 0
    not_built = {uid: r["status"] for uid, r in results.items()
                 if uid.startswith(("model.", "seed.")) and r["status"] != "success"}
    assert not_built == {}
    not_passed = {uid.split(".")[2] for uid, r in results.items()
                  if uid.startswith("test.") and r["status"] != "pass"}
    assert not_passed == set(CROSS_SEED_FAILURES)

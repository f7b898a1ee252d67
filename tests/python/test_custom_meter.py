"""A custom SQL meter (README "A custom SQL meter") is picked up and rated.

The meter `storage_gb_days` is not expressible as a meters.csv row: it is the sum over the days
of a period of each day's peak stored GB. It is written as a model, listed in the var
`custom_meter_models`, given a meters.csv row and a price, and must reach the invoice.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from conftest import PROJECT_DIR, make_project_copy, run_dbt, write_ndjson

CUSTOM_MODEL = """
with

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

daily_peaks as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        usage_date,
        max(value) as peak_gb,
        count(*) as event_count
    from meter_values
    where meter_id = 'storage_gb' and contract_id is not null
    group by account_id, contract_id, period_start, period_end, usage_date

)

select
    account_id,
    contract_id,
    'storage_gb_days' as meter_id,
    period_start,
    period_end,
    cast(null as varchar) as dimension_value,
    sum(peak_gb) as quantity,
    sum(event_count) as event_count
from daily_peaks
group by account_id, contract_id, period_start, period_end
"""

EVENTS = [
    # acct_globex is on the pay-as-you-go plan from 2026-09-01, billing timezone UTC.
    (
        '{"event_id": "s1", "event_type": "storage_snapshot", "account_id": "acct_globex",'
        ' "occurred_at": "2026-10-01T01:00:00Z", "properties": {"gb": 10}}'
    ),
    (
        '{"event_id": "s2", "event_type": "storage_snapshot", "account_id": "acct_globex",'
        ' "occurred_at": "2026-10-01T13:00:00Z", "properties": {"gb": "12.5"}}'
    ),
    (
        '{"event_id": "s3", "event_type": "storage_snapshot", "account_id": "acct_globex",'
        ' "occurred_at": "2026-10-02T09:00:00Z", "properties": {"gb": 5}}'
    ),
]


def test_custom_sql_meter_is_rated(tmp_path: Path) -> None:
    meters = (PROJECT_DIR / "seeds" / "meters.csv").read_text()
    meters += "storage_gb_days,custom_storage_gb_days,sum,gb,,GB-day,Storage (GB-days)\n"
    prices = (PROJECT_DIR / "seeds" / "prices.csv").read_text()
    prices += "p_payg_gb_days,payg,,usage,storage_gb_days,,per_unit,0.5,,,,,,,,,,,,,\n"
    project = make_project_copy(tmp_path, {"meters.csv": meters, "prices.csv": prices})
    model_dir = project / "models" / "intermediate" / "custom_meters"
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "int_custom_meter__storage_gb_days.sql").write_text(CUSTOM_MODEL)
    landing = tmp_path / "landing"
    write_ndjson(landing / "storage.ndjson", EVENTS)

    run = run_dbt(
        ["build", "--select", "+fct_invoice_lines +fct_rated_usage", "--exclude", "resource_type:unit_test",
         "--indirect-selection", "cautious"],
        tmp_path,
        landing_dir=landing,
        as_of="2026-10-20",
        extra_vars={"custom_meter_models": ["int_custom_meter__storage_gb_days"]},
        project=project,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr

    rated = run.query(
        "select quantity, amount from marts.fct_rated_usage "
        "where account_id = 'acct_globex' and meter_id = 'storage_gb_days' "
        "and period_start = date '2026-10-01'"
    )
    # 1 October peaks at 12.5 GB, 2 October at 5 GB: 12.5 + 5 = 17.5 GB-days;
    # 17.5 x 0.5 = 8.75
    assert [(Decimal(q), Decimal(a)) for q, a in rated] == [(Decimal("17.5"), Decimal("8.75"))]
    lines = run.query(
        "select amount from marts.fct_invoice_lines "
        "where account_id = 'acct_globex' and price_id = 'p_payg_gb_days' "
        "and period_start = date '2026-10-01'"
    )
    assert lines == [(Decimal("8.75"),)]

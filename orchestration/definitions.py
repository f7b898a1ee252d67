"""Dagster entry point (`dagster dev -m orchestration.definitions`): wiring only."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.assets.alerts import alert_webhook
from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
from orchestration.assets.dbt import dbt_resource, meterline_dbt
from orchestration.assets.statements import usage_statements
from orchestration.checks import final_invoices_unchanged, frozen_invoices_balanced
from orchestration.jobs import billing_job, daily_rating_job, reload_job
from orchestration.resources import (
    alert_webhook_from_env,
    exports_from_env,
    statements_from_env,
    stripe_from_env,
    warehouse_from_env,
)
from orchestration.schedules import daily_rating_schedule
from orchestration.sensors import landing_sensor
from orchestration.simulation_job import simulation_job

defs = Definitions(
    assets=[
        meterline_dbt, period_close, invoice_exports, stripe_invoices, usage_statements,
        alert_webhook,
    ],
    asset_checks=[frozen_invoices_balanced, final_invoices_unchanged],
    jobs=[daily_rating_job, reload_job, billing_job, simulation_job],
    schedules=[daily_rating_schedule],
    sensors=[landing_sensor],
    resources={
        "dbt": dbt_resource(),
        "warehouse": warehouse_from_env(),
        "stripe": stripe_from_env(),
        "exports": exports_from_env(),
        "statements": statements_from_env(),
        "webhook": alert_webhook_from_env(),
    },
    executor=in_process_executor,
)

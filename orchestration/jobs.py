"""The jobs. Their dbt part is chosen by a selector of selectors.yml, the file `make` uses too:

    meterline_daily    selector `daily`: every model, seed and data test; then close and push,
                       and send the usage and spend alerts
    meterline_reload   the same with --full-refresh (the recovery for a changed landing file)
    meterline_billing  selector `billing`: the invoice marts and what they are built from, then
                       close and push (dbt runs `--selector billing` itself)

The schedule and the sensor start `meterline_daily` by its name (DAILY_JOB_NAME).
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor
from dagster_dbt import build_dbt_asset_selection

from orchestration.assets.alerts import alert_webhook
from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
from orchestration.assets.dbt import meterline_dbt
from orchestration.assets.statements import usage_statements
from orchestration.policies import TRANSIENT_RETRY
from orchestration.settings import DAILY_JOB_NAME

DAILY_SELECTOR = "daily"
BILLING_SELECTOR = "billing"

# The period close, the pushes and the usage statements after the dbt selection (their asset
# checks come along).
BILLING_STEPS = AssetSelection.assets(
    period_close, invoice_exports, stripe_invoices, usage_statements
)
# The usage and spend alerts after the daily selection (it builds fct_alert_crossings; the
# billing selector does not).
ALERT_STEPS = AssetSelection.assets(alert_webhook)


def dbt_selector(name: str) -> AssetSelection:
    """The dbt assets (and their checks) of a selector in selectors.yml."""
    return build_dbt_asset_selection([meterline_dbt], dbt_selector=name)


# One step at a time in one process: DuckDB allows a single writer per file, and dbt (a
# subprocess) must have the file to itself while it builds.
daily_rating_job = define_asset_job(
    name=DAILY_JOB_NAME,
    selection=dbt_selector(DAILY_SELECTOR) | BILLING_STEPS | ALERT_STEPS,
    description=(
        "Rate usage with dbt (selector `daily`, tests as blocking checks), close final periods, "
        "export final invoices and push them to Stripe exactly once, send usage and spend "
        "alerts once."
    ),
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
)

# The recovery for a landing file that changed after it was loaded (a changed_file quarantine
# row): the same job with a full refresh, so the event path is rebuilt from every landing file.
# Final invoices already frozen never change; differences reach them as adjustment lines.
reload_job = define_asset_job(
    name="meterline_reload",
    selection=dbt_selector(DAILY_SELECTOR) | BILLING_STEPS | ALERT_STEPS,
    description=(
        "Full refresh: rebuild every dbt model from all landing files (the recovery for a "
        "changed_file quarantine row), then close periods, export and push as the daily job."
    ),
    config={"ops": {"meterline_dbt": {"config": {"full_refresh": True}}}},
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
)

# The invoice marts rebuilt from their inputs (no audit tables, no usage marts), then the close
# and the pushes: e.g. after a seed correction, without waiting for the daily run.
billing_job = define_asset_job(
    name="meterline_billing",
    selection=dbt_selector(BILLING_SELECTOR) | BILLING_STEPS,
    description=(
        "dbt build --selector billing (the invoice marts and everything they are built from, "
        "with their tests as blocking checks), then close final periods, export and push."
    ),
    config={"ops": {"meterline_dbt": {"config": {"selector": BILLING_SELECTOR}}}},
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
)

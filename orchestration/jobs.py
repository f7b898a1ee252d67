"""The daily rating job: dbt build (with its tests as checks), period close, exports, Stripe."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.policies import TRANSIENT_RETRY

# One step at a time in one process: DuckDB allows a single writer per file, and dbt (a
# subprocess) must have the file to itself while it builds.
daily_rating_job = define_asset_job(
    name="meterline_daily",
    selection=AssetSelection.all(),
    description=(
        "Rate usage with dbt (tests as blocking checks), close final periods, export final "
        "invoices and push them to Stripe exactly once."
    ),
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
)

# The recovery for a landing file that changed after it was loaded (a changed_file quarantine
# row): the same job with a full refresh, so the event path is rebuilt from every landing file.
# Final invoices already frozen never change; differences reach them as adjustment lines.
reload_job = define_asset_job(
    name="meterline_reload",
    selection=AssetSelection.all(),
    description=(
        "Full refresh: rebuild every dbt model from all landing files (the recovery for a "
        "changed_file quarantine row), then close periods, export and push as the daily job."
    ),
    config={"ops": {"meterline_dbt": {"config": {"full_refresh": True}}}},
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
)

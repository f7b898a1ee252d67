"""The daily rating schedule: 02:00 UTC by default (env METERLINE_SCHEDULE_CRON), as_of = the
scheduled date."""


import os
from datetime import UTC, datetime

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from orchestration.settings import AS_OF_TAG, DAILY_JOB_NAME, schedule_status

DEFAULT_CRON = "0 2 * * *"


@schedule(
    name="meterline_daily_schedule",
    job_name=DAILY_JOB_NAME,
    cron_schedule=os.environ.get("METERLINE_SCHEDULE_CRON") or DEFAULT_CRON,
    execution_timezone="UTC",
    default_status=schedule_status(),
)
def daily_rating_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    scheduled = context.scheduled_execution_time or datetime.now(UTC)
    as_of = scheduled.astimezone(UTC).date().isoformat()
    return RunRequest(run_key=f"daily-{as_of}", tags={AS_OF_TAG: as_of})

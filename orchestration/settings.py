"""Settings shared by the assets, the schedule and the sensor (read from the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dagster import DefaultScheduleStatus, DefaultSensorStatus

REPO_ROOT = Path(__file__).resolve().parents[1]

# Run tags read by the dbt asset (set by the schedule and the sensor, or by hand in the UI).
AS_OF_TAG = "meterline/as_of"
LANDING_DIR_TAG = "meterline/landing_dir"
# The job the schedule and the sensor start (orchestration/jobs.py).
DAILY_JOB_NAME = "meterline_daily"


def default_landing_dir() -> str:
    """The landing directory of the data contract: env METERLINE_LANDING_DIR, else data/landing."""
    return os.environ.get("METERLINE_LANDING_DIR") or "data/landing"


def landing_settle_seconds() -> float:
    """Seconds a landing file must rest unmodified before it is read: the sensor waits for it and
    the dbt run it starts skips younger files (env METERLINE_SENSOR_SETTLE_SECONDS, default 30)."""
    return float(os.environ.get("METERLINE_SENSOR_SETTLE_SECONDS", "30"))


def automation_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """The schedule and the sensor start running only when METERLINE_AUTOMATION is on (`on`,
    `1`, `true`, `yes`); unset or anything else: they start stopped (switch them on in the UI),
    so starting Dagster never starts a run by itself."""
    environ = os.environ if environ is None else environ
    value = environ.get("METERLINE_AUTOMATION", "")
    return value.strip().lower() in ("on", "1", "true", "yes")


def schedule_status() -> DefaultScheduleStatus:
    return DefaultScheduleStatus.RUNNING if automation_enabled() else DefaultScheduleStatus.STOPPED


def sensor_status() -> DefaultSensorStatus:
    return DefaultSensorStatus.RUNNING if automation_enabled() else DefaultSensorStatus.STOPPED

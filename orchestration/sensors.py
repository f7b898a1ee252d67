"""Landing directory sensor: a run starts when the set of landed event files changes.

The run key is a hash of the sorted (relative path, size, mtime) of every landing file, so the
same files never start two runs; the cursor keeps the last key so an unchanged directory is
skipped cheaply. Files still being written are left for the next tick: names starting with `.`
or `_`, and files modified within METERLINE_SENSOR_SETTLE_SECONDS (default 30). Which files are
landing files (extensions in any case) is orchestration/landing_files.py's rule, as in dbt.
"""


import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from orchestration.landing_files import landing_format
from orchestration.settings import (
    AS_OF_TAG,
    DAILY_JOB_NAME,
    LANDING_DIR_TAG,
    REPO_ROOT,
    default_landing_dir,
    landing_settle_seconds,
    sensor_status,
)

FileState = tuple[str, int, int]


def landing_path() -> Path:
    path = Path(default_landing_dir())
    return path if path.is_absolute() else REPO_ROOT / path


def landing_files(root: Path, settle_seconds: float, now: float | None = None) -> list[FileState]:
    """Sorted (path relative to root, size, mtime_ns) of every settled landing file."""
    now = time.time() if now is None else now
    found: list[FileState] = []
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        for name in filenames:
            if name.startswith((".", "_")) or landing_format(name) is None:
                continue
            path = Path(dirpath) / name
            stat = path.stat()
            if now - stat.st_mtime < settle_seconds:
                continue
            found.append((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return sorted(found)


def files_run_key(files: list[FileState]) -> str:
    digest = hashlib.sha256(json.dumps(files, separators=(",", ":")).encode("utf-8"))
    return f"landing-{digest.hexdigest()[:32]}"


@sensor(
    name="meterline_landing_sensor",
    job_name=DAILY_JOB_NAME,
    minimum_interval_seconds=60,
    default_status=sensor_status(),
    description="Starts the daily rating job when new event files land in the landing directory.",
)
def landing_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    root = landing_path()
    files = landing_files(root, landing_settle_seconds())
    if not files:
        return SkipReason(f"no landing files in {root}")
    run_key = files_run_key(files)
    if run_key == context.cursor:
        return SkipReason("no new landing files since the last run")
    as_of = datetime.now(UTC).date().isoformat()
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key,
                tags={AS_OF_TAG: as_of, LANDING_DIR_TAG: str(root)},
            )
        ],
        cursor=run_key,
    )

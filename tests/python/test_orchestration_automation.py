"""The landing sensor and the daily schedule."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import (
    RunRequest,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
)

from orchestration.schedules import daily_rating_schedule
from orchestration.sensors import landing_files, landing_sensor
from orchestration.settings import AS_OF_TAG, LANDING_DIR_TAG


def land(path: Path, text: str, age_seconds: float = 120) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    past = time.time() - age_seconds
    os.utime(path, (past, past))


def evaluate(cursor: str | None) -> SensorResult | SkipReason:
    return landing_sensor(build_sensor_context(cursor=cursor))


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    monkeypatch.setenv("METERLINE_LANDING_DIR", str(root))
    monkeypatch.setenv("METERLINE_SENSOR_SETTLE_SECONDS", "30")
    return root


def test_same_files_one_run_new_file_new_run(landing: Path) -> None:
    assert isinstance(evaluate(None), SkipReason)  # empty directory
    land(landing / "2026/11/a.ndjson", '{"event_id": "1"}\n')
    land(landing / "b.parquet", "not really parquet")
    land(landing / "notes.txt", "ignored: not a landing file")

    first = evaluate(None)
    assert isinstance(first, SensorResult)
    [request] = first.run_requests
    assert isinstance(request, RunRequest)
    assert request.tags[LANDING_DIR_TAG] == str(landing)
    datetime.strptime(request.tags[AS_OF_TAG], "%Y-%m-%d")

    # Same files: the same run key (Dagster starts one run per key) and, with the cursor, a skip.
    again = evaluate(None)
    assert isinstance(again, SensorResult)
    assert again.run_requests[0].run_key == request.run_key
    assert isinstance(evaluate(first.cursor), SkipReason)

    land(landing / "2026/11/c.jsonl.gz", "gz")
    after_new = evaluate(first.cursor)
    assert isinstance(after_new, SensorResult)
    assert after_new.run_requests[0].run_key != request.run_key


def test_files_still_being_written_wait_for_the_next_tick(landing: Path) -> None:
    land(landing / "a.ndjson", "{}\n")
    land(landing / ".b.ndjson.tmp", "{}\n")  # hidden temp file of a writer
    land(landing / "_c.ndjson", "{}\n")
    land(landing / "d.ndjson", "{}\n", age_seconds=0)  # modified just now
    assert [f[0] for f in landing_files(landing, settle_seconds=30)] == ["a.ndjson"]
    first = evaluate(None)
    assert isinstance(first, SensorResult)
    # d.ndjson settles: now it counts, and it is a new set of files.
    past = time.time() - 120
    os.utime(landing / "d.ndjson", (past, past))
    second = evaluate(first.cursor)
    assert isinstance(second, SensorResult)
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_run_key_depends_on_size_and_mtime(landing: Path) -> None:
    land(landing / "a.ndjson", "{}\n")
    first = evaluate(None)
    land(landing / "a.ndjson", '{"event_id": "2"}\n', age_seconds=60)  # rewritten in place
    second = evaluate(None)
    assert isinstance(first, SensorResult) and isinstance(second, SensorResult)
    assert first.run_requests[0].run_key != second.run_requests[0].run_key


def test_daily_schedule_at_two_utc_with_as_of_the_scheduled_date() -> None:
    assert daily_rating_schedule.cron_schedule == "0 2 * * *"
    assert daily_rating_schedule.execution_timezone == "UTC"
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    )
    request = daily_rating_schedule.evaluate_tick(context).run_requests[0]
    assert request.tags[AS_OF_TAG] == "2026-11-25"
    assert request.run_key == "daily-2026-11-25"

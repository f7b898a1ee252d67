"""Reusable helpers for end-to-end tests that run dbt in a subprocess.

Every run gets its own DuckDB file, target path and log path under pytest's
tmp_path, so tests never share a warehouse with each other or with a developer.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# Copied into a temporary project when seeds are overridden.
PROJECT_ENTRIES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "tests",
    "analyses",
    "seeds",
)


@dataclass
class DbtRun:
    """The outcome of one dbt invocation."""

    returncode: int
    stdout: str
    stderr: str
    database: Path

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only query on the run's DuckDB file."""
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()


def seed_csv(name: str, rows: list[dict[str, str]]) -> str:
    """rows as the CSV text of seeds/<name>, with the project's header (other columns empty)."""
    header = next(csv.reader(io.StringIO((PROJECT_DIR / "seeds" / name).read_text())))
    unknown = {key for row in rows for key in row} - set(header)
    assert not unknown, f"{name}: no columns {unknown}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in header} for row in rows)
    return out.getvalue()


def only_seeds(given: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """Every seed of the project replaced: the given rows, header only for the others."""
    return {
        path.name: seed_csv(path.name, given.get(path.name, []))
        for path in sorted((PROJECT_DIR / "seeds").glob("*.csv"))
    }


def make_project_copy(work_dir: Path, seeds: dict[str, str] | None = None) -> Path:
    """A copy of the project in work_dir/project, with seed files replaced by `seeds`.

    `seeds` maps a seed file name (e.g. "meters.csv") to its full CSV text.
    """
    project = work_dir / "project"
    project.mkdir(parents=True)
    for entry in PROJECT_ENTRIES:
        source = PROJECT_DIR / entry
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, project / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / entry)
    if not (project / "profiles.yml").exists():
        shutil.copy2(PROJECT_DIR / "profiles.yml.example", project / "profiles.yml")
    for name, text in (seeds or {}).items():
        (project / "seeds" / name).write_text(text)
    return project


def run_dbt(
    args: list[str],
    work_dir: Path,
    landing_dir: Path | None = None,
    as_of: str | None = None,
    extra_vars: dict[str, Any] | None = None,
    seeds: dict[str, str] | None = None,
    database: Path | None = None,
    project: Path | None = None,
) -> DbtRun:
    """Run `dbt <args>` in a subprocess against a private DuckDB file in work_dir.

    landing_dir and as_of become dbt vars; seeds (file name -> CSV text) run the
    command in a temporary copy of the project with those seed files replaced.
    project: run in this project directory instead (e.g. a copy made once with
    make_project_copy and reused, so that repeated runs parse partially).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    if project is None:
        project = make_project_copy(work_dir, seeds) if seeds else PROJECT_DIR
    database = database or work_dir / "warehouse.duckdb"
    dbt_vars: dict[str, Any] = dict(extra_vars or {})
    if landing_dir is not None:
        dbt_vars["landing_dir"] = str(landing_dir)
    if as_of is not None:
        dbt_vars["as_of"] = as_of
    temp_dir = work_dir / "duckdb_tmp"
    temp_dir.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "METERLINE_DUCKDB_PATH": str(database),
            "METERLINE_DUCKDB_TEMP_DIR": str(temp_dir),
            "METERLINE_DUCKDB_MEMORY_LIMIT": "1GB",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project if (project / "profiles.yml").exists() else PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    completed = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    return DbtRun(completed.returncode, completed.stdout, completed.stderr, database)


def write_ndjson(
    path: Path, lines: list[str], newline: str = "\n", final_newline: bool = True
) -> Path:
    """Write lines as an NDJSON file (final_newline=False leaves the last line unterminated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(lines) + (newline if final_newline else "")
    path.write_bytes(text.encode())
    return path


def set_landed_at(path: Path, epoch_seconds: float) -> None:
    """Set a landing file's modification time (the landing order used by dedupe)."""
    os.utime(path, (epoch_seconds, epoch_seconds))


@pytest.fixture
def dbt_runner(tmp_path: Path):
    """run_dbt bound to this test's tmp_path (one warehouse per call unless given)."""

    def runner(args: list[str], name: str = "run", **kwargs: Any) -> DbtRun:
        return run_dbt(args, tmp_path / name, **kwargs)

    return runner

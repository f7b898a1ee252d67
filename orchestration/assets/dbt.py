"""The dbt project as Dagster assets: every model and seed an asset, every dbt test a check.

One `dbt build` runs per materialization with the vars `as_of` and `landing_dir`. `as_of` comes
from, in order: the op config, the run tag `meterline/as_of` (set by the schedule and the sensor),
the run's partition key, else today's date in UTC. Error-severity dbt tests are blocking checks,
so a failing test stops the freeze and the pushes downstream. Groups, owners and check
descriptions: orchestration/assets/translator.py; row counts and key figures on the
materializations: orchestration/assets/dbt_metadata.py.
"""


import fcntl
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Config, Failure
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from orchestration.assets.dbt_metadata import with_table_metadata
from orchestration.assets.dbt_selector import as_step_events
from orchestration.assets.translator import MeterlineTranslator
from orchestration.policies import TRANSIENT_RETRY
from orchestration.resources import WarehouseResource
from orchestration.settings import (
    AS_OF_TAG,
    LANDING_DIR_TAG,
    REPO_ROOT,
    default_landing_dir,
    landing_settle_seconds,
)

# Messages of dbt errors worth retrying: the warehouse file held by another process, I/O hiccups.
TRANSIENT_ERROR = re.compile(
    r"could not set lock|conflicting lock|database is locked|i/?o error|timed out|timeout"
    r"|connection (?:refused|reset|closed|error)",
    re.IGNORECASE,
)

dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    # Own target dir per environment (the team never shares one); default the repo's target/.
    target_path=Path(os.environ.get("METERLINE_DBT_TARGET_PATH") or "target"),
    profiles_dir=os.environ.get("METERLINE_DBT_PROFILES_DIR") or REPO_ROOT,
)


def dbt_executable() -> str:
    """dbt on PATH, else the one installed beside this Python (the project's virtualenv)."""
    beside = Path(sys.executable).parent / "dbt"
    return shutil.which("dbt") or str(beside)


def parse_manifest() -> None:
    """`dbt parse` into the project's target path (what dagster-dbt's preparer does)."""
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--target-path", str(dbt_project.target_path),
         "--profiles-dir", str(dbt_project.profiles_dir)],
        cwd=dbt_project.project_dir,
        check=True,
    )


# What the manifest is parsed from: a manifest older than any of them is parsed again.
PROJECT_SOURCES = ("dbt_project.yml", "selectors.yml", "models", "macros", "tests", "seeds")
PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than a file of the project."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    parsed_at = manifest.stat().st_mtime
    for name in PROJECT_SOURCES:
        source = Path(dbt_project.project_dir) / name
        files = source.rglob("*") if source.is_dir() else [source]
        if any(
            path.stat().st_mtime > parsed_at
            for path in files
            if path.suffix in PROJECT_SUFFIXES and path.is_file()
        ):
            return True
    return False


def ensure_manifest() -> None:
    """Parse when the manifest is missing or stale, one process at a time: processes that load
    the definitions at once (test workers, code locations) wait for the one parsing and then
    find the manifest fresh, instead of reading it half-written."""
    target = dbt_project.manifest_path.parent
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_stale():
            parse_manifest()


# Under `dagster dev` the manifest is re-parsed at load; elsewhere when missing or stale.
dbt_project.prepare_if_dev()
ensure_manifest()


class DbtBuildConfig(Config):
    as_of: str = Field(
        default="", description="Billing date YYYY-MM-DD; empty: tag, partition, today"
    )
    landing_dir: str = Field(default="", description="Landing directory; empty: tag, then env")
    selector: str = Field(
        default="",
        description=(
            "A selector of selectors.yml: dbt builds exactly that selection (the job's asset "
            "selection must be the same selector's); empty: what the run selected"
        ),
    )
    full_refresh: bool = Field(
        default=False,
        description=(
            "Rebuild the event path from every landing file (dbt --full-refresh): the recovery "
            "for a changed_file quarantine row; frozen final invoices stay as they are."
        ),
    )


def resolve_vars(
    config: DbtBuildConfig, tags: Mapping[str, str], partition_key: str | None
) -> dict[str, Any]:
    as_of = config.as_of or tags.get(AS_OF_TAG) or partition_key or ""
    as_of = as_of or datetime.now(UTC).date().isoformat()
    datetime.strptime(as_of, "%Y-%m-%d")  # fails early on anything but YYYY-MM-DD
    landing_dir = config.landing_dir or tags.get(LANDING_DIR_TAG) or default_landing_dir()
    # files still being written wait for a later run, as the sensor waits for them
    return {"as_of": as_of, "landing_dir": landing_dir,
            "landing_settle_seconds": landing_settle_seconds()}


# The run's settings reach dbt through the environment (macros/config.sql reads them there when
# no var is given), not --vars: a changed --vars makes dbt parse the whole project again, so a
# daily run with a new as_of would lose partial parsing.
RUN_SETTINGS_ENV = {
    "as_of": "METERLINE_AS_OF",
    "landing_dir": "METERLINE_LANDING_DIR",
    "landing_settle_seconds": "METERLINE_LANDING_SETTLE_SECONDS",
}


def dbt_env(dbt_vars: Mapping[str, Any]) -> dict[str, str]:
    """The environment variables that carry the run's settings to dbt."""
    return {RUN_SETTINGS_ENV[name]: str(value) for name, value in dbt_vars.items()}


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    """The dbt command line of one materialization (its settings travel in dbt_env)."""
    return [
        "build",
        "--exclude",
        "resource_type:unit_test",
        *(["--full-refresh"] if config.full_refresh else []),
    ]


@contextmanager
def _env(values: Mapping[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _failure_for(run_results: Mapping[str, Any] | None) -> Exception:
    """A retryable error for transient trouble, a final Failure for data or code errors."""
    if run_results is None:
        return RuntimeError("dbt failed before writing run_results.json")
    failed = [r for r in run_results.get("results", []) if r.get("status") in ("error", "fail")]
    summary = {r.get("unique_id", "?"): str(r.get("message") or r.get("status")) for r in failed}
    errors = [r for r in failed if r.get("status") == "error"]
    if any(TRANSIENT_ERROR.search(str(r.get("message") or "")) for r in errors):
        return RuntimeError(f"dbt build hit a transient error: {summary}")
    return Failure(
        description=f"dbt build failed: {len(failed)} nodes errored or failed their tests",
        metadata={"failed": summary},
        allow_retries=False,
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="meterline_dbt",
    # selectors.yml: every seed, model and data test (no unit tests), as `make demo` builds
    selector="daily",
    dagster_dbt_translator=MeterlineTranslator(),
    retry_policy=TRANSIENT_RETRY,
)
def meterline_dbt(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    partition_key = context.partition_key if context.has_partition_key else None
    dbt_vars = resolve_vars(config, context.run.tags, partition_key)
    context.log.info(f"dbt build with vars {dbt_vars} into {warehouse.database_path}")
    target_path = dbt_project.target_path / "dagster" / context.run.run_id
    # The dbt subprocess inherits the environment: point it at the warehouse resource's file,
    # as an absolute path (dagster-dbt runs a large subset from a copy of the project directory).
    run_env = {"METERLINE_DUCKDB_PATH": str(Path(warehouse.database_path).resolve()), **dbt_env(dbt_vars)}
    with _env(run_env):
        if config.selector:
            # `--selector` as is: dagster-dbt would list every selected node (and past 200 of
            # them, copy the whole project directory to run from)
            invocation = dbt.cli(
                [*dbt_build_args(config), "--selector", config.selector],
                manifest=dbt_project.manifest_path,
                dagster_dbt_translator=MeterlineTranslator(),
                raise_on_error=False,
                target_path=target_path,
            )
            events = as_step_events(invocation.stream(), context)
        else:
            invocation = dbt.cli(
                dbt_build_args(config),
                context=context,
                raise_on_error=False,
                target_path=target_path,
            )
            events = invocation.stream()
    # Row counts and key figures are read once dbt has let go of the warehouse file.
    yield from with_table_metadata(
        events, invocation.manifest, warehouse.database_path, context.log.warning
    )
    if not invocation.is_successful():
        try:
            run_results: Mapping[str, Any] | None = invocation.get_artifact("run_results.json")
        except (OSError, ValueError):  # no artifact: dbt stopped early
            run_results = None
        raise _failure_for(run_results)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())

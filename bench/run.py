"""Benchmark Meterline against the bare-SQL floor on the same generated landing files.

``python -m bench.run --size small|medium|large|xl`` (or ``--events/--days/--accounts``),
``--target duckdb`` (the default) or ``--target spark``:

1. generates the landing files once per set of arguments (cached under ``bench/data/``);
2. runs the floor script of the target (``bench/floor.py``) in a child process;
3. runs Meterline's full build, ``dbt build --full-refresh`` without tests, into a fresh DuckDB
   file or Spark warehouse directory, from a temporary copy of the project whose seeds add one
   ``payg`` account and contract per benchmark account;
4. adds one more day of files and runs ``dbt build`` again (no ``--full-refresh``): the daily
   incremental run;
5. runs that daily build once more with nothing new (same files, same ``as_of``): the idle
   rerun, what any daily run costs before it reads a single new event;

and prints a table of seconds, peak RSS and events per second, then, as the last line,
``full_vs_floor=R1 incremental_vs_full=R2 idle_vs_full=R3 peak_rss_mb=M events=N``. A JSON
copy of the result goes to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Self

import duckdb

from bench.floor import TARGETS, sql_literal
from bench.floor_spark import spark_settings
from bench.generate import (
    DEFAULT_SEED,
    DEFAULT_START,
    Spec,
    append_rows,
    base_rows,
    generate,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Size:
    events: int
    days: int
    accounts: int
    memory_limit: str | None = None


SIZES: dict[str, Size] = {
    "small": Size(200_000, 10, 200),
    "medium": Size(2_000_000, 30, 1_000),
    "large": Size(20_000_000, 90, 5_000),
    "xl": Size(100_000_000, 90, 20_000, memory_limit="4GB"),
}

# Top-level entries of the repository that the dbt project copy leaves out.
SKIP_TOP = {
    ".git", ".venv", ".ci", "target", "logs", "warehouse", "data", "bench", "exports",
    "orchestration", "profiles.yml", "uv.lock", ".dagster_home", "spark-warehouse",
    "metastore_db", ".pytest_cache", ".ruff_cache", ".hypothesis",
}
SKIP_ANYWHERE = {"__pycache__"}
SKIP_PATHS = {Path("tests") / "python"}
SKIP_SUFFIXES = (".duckdb", ".duckdb.wal", ".egg-info", ".log")

FULL_BUILD_ARGS = ["--exclude", "resource_type:unit_test", "resource_type:test"]
RSS_LINE = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
PROC = Path("/proc")
# How often the resident memory of a step's process tree is sampled (Spark steps).
SAMPLE_SECONDS = 0.1

# What the runner reads back after a Meterline step: (schema, table, aggregate).
SUMMARY_QUERIES = {
    "usage_event_count": ("marts", "fct_usage_daily", "sum(event_count)"),
    "invoice_count": ("marts", "fct_invoices", "count(*)"),
}


@dataclass
class StepResult:
    step: str
    seconds: float
    peak_rss_mb: float | None
    events: int
    returncode: int
    log: str
    details: dict[str, object] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float | None:
        return self.events / self.seconds if self.seconds > 0 else None


# --- measuring ----------------------------------------------------------------------------


def gnu_time() -> str | None:
    """/usr/bin/time when it is GNU time (it takes -v), else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    probe = subprocess.run(
        [path, "-v", "true"], capture_output=True, text=True, check=False
    )
    return path if probe.returncode == 0 and RSS_LINE.search(probe.stderr) else None


def maxrss_mb(ru_maxrss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def process_tree(root: int) -> list[int]:
    """``root`` and every live process below it, from the parent ids in ``/proc/<pid>/stat``."""
    children: dict[int, list[int]] = {}
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            # The parent id follows the state, after the command name in parentheses.
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def tree_rss_mb(root: int) -> float:
    """The summed resident memory of ``root`` and its descendants now, in MB."""
    pages = 0
    for pid in process_tree(root):
        try:
            pages += int((PROC / str(pid) / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


class TreeSampler:
    """Samples ``tree_rss_mb`` of one process every SAMPLE_SECONDS in a thread; keeps the peak.

    For steps whose memory sits in processes that the child does not wait for (PySpark's JVM),
    which its rusage therefore never includes. Linux only: elsewhere the peak stays None.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss_mb(self.root)
            self.peak = max(self.peak or 0.0, rss)
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Self:
        if PROC.is_dir():
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def measure(
    cmd: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log: Path,
    use_time: str | None,
    sample_tree: bool = False,
) -> tuple[float, float | None, int]:
    """Run ``cmd`` as its own child; return (wall seconds, peak RSS MB, exit code).

    The peak RSS is that of this one child process tree: GNU ``time -v`` when present, else
    the rusage that ``wait4`` returns for exactly this child (same number ``time`` reports).
    Both cover only the descendants that were waited for, and each process on its own; with
    ``sample_tree`` the peak is the larger of that and the highest sampled sum of the tree's
    resident memory (TreeSampler), which includes a JVM that PySpark starts and never waits for.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as handle:
        time_file = Path(handle.name)
    try:
        full_cmd = [use_time, "-v", "-o", str(time_file), *cmd] if use_time else cmd
        with log.open("w") as out:
            started = time.monotonic()
            proc = subprocess.Popen(full_cmd, env=env, cwd=cwd, stdout=out, stderr=out)
            sampler = TreeSampler(proc.pid)
            with sampler if sample_tree else contextlib.nullcontext():
                _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak: float | None = None
        if use_time:
            found = RSS_LINE.search(time_file.read_text())
            peak = int(found.group(1)) / 1024 if found else None
        if peak is None:
            peak = maxrss_mb(usage.ru_maxrss)
        return seconds, max(peak, sampler.peak or 0.0), proc.returncode
    finally:
        time_file.unlink(missing_ok=True)


# --- data and project ---------------------------------------------------------------------


def generator_fingerprint() -> str:
    """Changes with the generator's code and with DuckDB (whose hash() makes the values)."""
    source = (BENCH_DIR / "generate.py").read_bytes() + duckdb.__version__.encode()
    return hashlib.sha256(source).hexdigest()[:8]


def ensure_dataset(spec: Spec, data_dir: Path, threads: int) -> tuple[Path, Path, float | None]:
    """Generate the base and appended-day files once; return their dirs and generation time."""
    root = data_dir / f"{spec.key}_g{generator_fingerprint()}"
    marker = root / ".complete"
    if marker.exists():
        return root / "base", root / "append", None
    shutil.rmtree(root, ignore_errors=True)
    started = time.monotonic()
    generate(spec, root / "base", threads=threads)
    generate(spec, root / "append", append_day=True, threads=threads)
    marker.write_text(json.dumps(asdict(spec)) + "\n")
    return root / "base", root / "append", time.monotonic() - started


def link_files(source: Path, target: Path) -> None:
    """Hard-link (or copy) the Parquet files of ``source`` into ``target``, keeping mtimes."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.parquet")):
        dest = target / path.name
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)


def _ignore(root: Path) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).resolve().relative_to(root)
        at_top = relative == Path(".")
        skipped = set()
        for name in names:
            top_level = at_top and name in SKIP_TOP
            unwanted = name in SKIP_ANYWHERE or relative / name in SKIP_PATHS
            if top_level or unwanted or name.endswith(SKIP_SUFFIXES) or name.startswith("."):
                skipped.add(name)
        return skipped

    return ignore


def bench_seed_rows(spec: Spec) -> tuple[list[list[str]], list[list[str]]]:
    """Accounts (UTC, not pushed to Stripe) and payg contracts for the benchmark accounts."""
    starts_on = min(dt.date(2026, 1, 1), spec.start_date.replace(day=1)).isoformat()
    accounts = []
    contracts = []
    for account_id in spec.account_ids():
        number = account_id.removeprefix("bench_")
        accounts.append([account_id, f"Bench account {number}", "UTC", ""])
        contracts.append([f"c_{account_id}", account_id, "payg", starts_on, "", "", ""])
    return accounts, contracts


def _append_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        existing = list(reader)
    missing = [c for c in columns if c not in header]
    if missing:
        raise RuntimeError(f"{path.name} lacks columns {missing}")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(existing)
        for row in rows:
            writer.writerow({**dict.fromkeys(header, ""), **dict(zip(columns, row, strict=True))})


def prepare_project(spec: Spec, target: Path) -> Path:
    """Copy the dbt project and add the benchmark accounts and contracts to its seeds.

    The repository's own seed rows stay (so every seed keeps referring to existing accounts);
    the repository itself is not touched.
    """
    shutil.copytree(PROJECT_ROOT, target, ignore=_ignore(PROJECT_ROOT.resolve()))
    accounts, contracts = bench_seed_rows(spec)
    seeds = target / "seeds"
    _append_csv(
        seeds / "accounts.csv",
        ["account_id", "account_name", "billing_timezone", "stripe_customer_id"],
        accounts,
    )
    _append_csv(
        seeds / "contracts.csv",
        [
            "contract_id", "account_id", "plan_id", "starts_on", "ends_on",
            "minimum_commitment", "discount_percent",
        ],
        contracts,
    )
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", target / "profiles.yml")
    return target


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise RuntimeError("dbt not found: run `make setup` first")
    return found


def dbt_build_cmd(project: Path, work: Path, *, full: bool) -> list[str]:
    """`dbt build`; landing_dir and as_of come from the environment (Bench.meterline)."""
    cmd = [dbt_executable(), "build"]
    if full:
        cmd.append("--full-refresh")
    return [
        *cmd, *FULL_BUILD_ARGS,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "dbt_logs"),
    ]


def _read_back(con: duckdb.DuckDBPyConnection, relation: Callable[[str, str], str]) -> dict[str, int]:
    """SUMMARY_QUERIES answered on ``con``; ``relation(schema, table)`` is what to read from."""
    found: dict[str, int] = {}
    for name, (schema, table, aggregate) in SUMMARY_QUERIES.items():
        with contextlib.suppress(duckdb.Error):
            query = f"select {aggregate} from {relation(schema, table)}"
            found[name] = int(con.execute(query).fetchall()[0][0] or 0)
    return found


def meterline_summary(database: Path) -> dict[str, object]:
    """What the build produced: relations per schema and, when the marts exist, event totals."""
    summary: dict[str, object] = {}
    if not database.exists():
        return summary
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            "select table_schema, count(*) from information_schema.tables group by 1 order by 1"
        ).fetchall()
        summary["relations"] = {schema: count for schema, count in rows}
        summary.update(_read_back(con, lambda schema, table: f"{schema}.{table}"))
        summary.update(lineage_lookup(con))
    finally:
        con.close()
    return summary


# The usage line with the largest quantity: a long trail (the most records of a count meter).
LARGEST_USAGE_LINE = (
    "select invoice_line_id from marts.fct_invoice_lines where line_type = 'usage'"
    " order by quantity desc, invoice_line_id limit 1"
)


def lineage_lookup(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """What a read of the invoice-line lineage view costs (it is computed when read, not in the
    build): seconds to list the records of the largest usage line, and how many there are."""
    with contextlib.suppress(duckdb.Error):
        line = con.execute(LARGEST_USAGE_LINE).fetchall()
        if line:
            started = time.perf_counter()
            records = con.execute(
                "select count(*) from marts.fct_invoice_line_events where invoice_line_id = ?",
                [line[0][0]],
            ).fetchall()[0][0]
            return {"lineage_line_seconds": round(time.perf_counter() - started, 2),
                    "lineage_line_records": int(records)}
    return {}


def spark_table_files(warehouse: Path, schema: str, table: str) -> str:
    """A DuckDB ``read_parquet`` of a Spark table's files (``<schema>.db/<table>/``), reading
    the ``column=value`` folders of a partitioned table as that column."""
    glob = (warehouse / f"{schema}.db" / table).as_posix() + "/**/*.parquet"
    return f"read_parquet({sql_literal(glob)}, hive_partitioning = true)"


def spark_summary(warehouse: Path) -> dict[str, object]:
    """What a Spark build produced: tables per schema (views have no folder in the warehouse)
    and, when the marts exist, event totals read by DuckDB from the tables' Parquet files."""
    summary: dict[str, object] = {}
    if not warehouse.is_dir():
        return summary
    summary["tables"] = {
        schema.name.removesuffix(".db"): sum(1 for table in schema.iterdir() if table.is_dir())
        for schema in sorted(warehouse.glob("*.db"))
    }
    con = duckdb.connect()
    try:
        summary.update(_read_back(con, lambda s, t: spark_table_files(warehouse, s, t)))
    finally:
        con.close()
    return summary


# Models whose time is always reported, among the slowest or not: what a feature adds on top of
# billing (the invoice-line lineage mart: a view, its read is timed by lineage_lookup).
WATCHED_NODES = ("fct_invoice_line_events",)


def dbt_run_summary(run_results: Path, slowest: int = 5) -> dict[str, object]:
    """dbt's own elapsed time (without process start and parsing), its slowest nodes, the
    watched ones (WATCHED_NODES) and the time of every model, slowest first."""
    try:
        data = json.loads(run_results.read_text())
    except (OSError, ValueError):
        return {}
    nodes = sorted(data.get("results", []), key=lambda r: -float(r.get("execution_time", 0)))

    def seconds(selected: list[dict]) -> dict[str, float]:
        return {
            str(r["unique_id"]).split(".")[-1]: round(float(r["execution_time"]), 2)
            for r in selected
        }

    models = seconds([r for r in nodes if str(r["unique_id"]).startswith("model.")])
    return {
        "dbt_elapsed_seconds": round(float(data.get("elapsed_time", 0.0)), 2),
        "nodes": len(nodes),
        "slowest_nodes": seconds(nodes[:slowest]),
        "watched_nodes": {name: secs for name, secs in models.items() if name in WATCHED_NODES},
        "model_seconds": models,
    }


# --- the run ------------------------------------------------------------------------------


def resolve_spec(args: argparse.Namespace) -> tuple[str, Spec, str | None]:
    size = SIZES[args.size] if args.size else None
    events = args.events or (size.events if size else None)
    days = args.days or (size.days if size else None)
    accounts = args.accounts or (size.accounts if size else None)
    if events is None or days is None or accounts is None:
        raise SystemExit("give --size, or --events, --days and --accounts")
    memory_limit = args.memory_limit or (size.memory_limit if size else None)
    label = args.size if size and not (args.events or args.days or args.accounts) else "custom"
    return label, Spec(events, days, accounts, args.seed, args.start), memory_limit


def run_env(
    work: Path, database: Path, threads: int, memory_limit: str | None, target: str = "duckdb"
) -> dict[str, str]:
    """The steps' environment: the dbt profile's variables pointed into the work directory."""
    env = dict(os.environ)
    env.update(
        {
            "METERLINE_TARGET": target,
            "METERLINE_DUCKDB_PATH": str(database),
            "METERLINE_DUCKDB_THREADS": str(threads),
            "METERLINE_DUCKDB_TEMP_DIR": str(work / "duckdb_tmp"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env.pop("METERLINE_LANDING_DIR", None)
    # The BI copy (macros/bi_copy.sql) is not part of what the floor computes: off unless asked.
    env.setdefault("METERLINE_BI_COPY", "false")
    if memory_limit:
        env["METERLINE_DUCKDB_MEMORY_LIMIT"] = memory_limit
    if target == "spark":
        # Warehouse and metastore of the dbt builds (profiles.yml.example); the other Spark
        # settings (METERLINE_SPARK_CORES, ...) are the profile's, from the environment.
        env["METERLINE_SPARK_DIR"] = str(work / "spark")
        env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def format_table(results: list[StepResult]) -> str:
    lines = [f"{'step':<24}{'seconds':>10}{'peak RSS MB':>14}{'events/s':>14}"]
    for r in results:
        rss = f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb is not None else "-"
        eps = f"{r.events_per_second:,.0f}" if r.events_per_second and r.events else "-"
        status = "" if r.returncode == 0 else f"  FAILED (exit {r.returncode}, see {r.log})"
        lines.append(f"{r.step:<24}{r.seconds:>10.2f}{rss:>14}{eps:>14}{status}")
    return "\n".join(lines)


def ratio_line(
    floor: StepResult, full: StepResult, incremental: StepResult, idle: StepResult, events: int
) -> str:
    peak = max(r.peak_rss_mb or 0.0 for r in (full, incremental, idle))
    return (
        f"full_vs_floor={full.seconds / floor.seconds:.2f} "
        f"incremental_vs_full={incremental.seconds / full.seconds:.2f} "
        f"idle_vs_full={idle.seconds / full.seconds:.2f} "
        f"peak_rss_mb={peak:.0f} events={events}"
    )


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES))
    parser.add_argument(
        "--target", choices=TARGETS, default="duckdb",
        help="engine of the floor and of the dbt builds (spark: the profile's `spark` output)",
    )
    parser.add_argument("--events", type=int, help="distinct events (overrides --size)")
    parser.add_argument("--days", type=int)
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", default=DEFAULT_START, help="first day, YYYY-MM-DD")
    parser.add_argument(
        "--threads", type=int,
        default=int(os.environ.get("METERLINE_DUCKDB_THREADS", "2")),
        help="DuckDB threads for every step (default: METERLINE_DUCKDB_THREADS or 2)",
    )
    parser.add_argument(
        "--memory-limit", default=os.environ.get("METERLINE_DUCKDB_MEMORY_LIMIT"),
        help="DuckDB memory_limit for every step (xl: 4GB; else the profile's default)",
    )
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--workdir", type=Path, default=None,
        help="where databases and the project copy go (default: <data-dir>/work/<data set>)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


@dataclass
class Bench:
    """One benchmark run: its work directory, environment and the steps measured so far."""

    spec: Spec
    work: Path
    env: dict[str, str]
    use_time: str | None
    target: str = "duckdb"
    results: list[StepResult] = field(default_factory=list)

    @property
    def landing(self) -> Path:
        return self.work / "landing"

    @property
    def project(self) -> Path:
        return self.work / "project"

    @property
    def run_results(self) -> Path:
        return self.work / "target" / "run_results.json"

    @property
    def spark_warehouse(self) -> Path:
        """Where the Spark builds' tables go (METERLINE_SPARK_DIR of run_env)."""
        return self.work / "spark" / "spark-warehouse"

    def step(
        self, name: str, cmd: list[str], events: int, cwd: Path,
        env: dict[str, str] | None = None,
    ) -> StepResult:
        print(f"running {name} ...", flush=True)
        log = self.work / "step_logs" / f"{name.replace(' ', '_')}.log"
        seconds, peak, code = measure(
            cmd, env=env or self.env, cwd=cwd, log=log, use_time=self.use_time,
            sample_tree=self.target == "spark",
        )
        result = StepResult(name, seconds, peak, events, code, str(log))
        self.results.append(result)
        if code != 0:
            print(f"{name} failed (exit {code}); last lines of {log}:\n{_tail(log)}")
        return result

    def floor(self) -> StepResult:
        out = self.work / ("floor_spark" if self.target == "spark" else "floor.duckdb")
        cmd = [
            sys.executable, "-m", "bench.floor", "--target", self.target,
            "--landing", str(self.landing), "--out", str(out),
        ]
        result = self.step("floor", cmd, base_rows(self.spec), PROJECT_ROOT)
        if result.returncode == 0:
            result.details = json.loads(Path(result.log).read_text().strip().splitlines()[-1])
        return result

    def meterline(self, name: str, as_of: dt.date, events: int, *, full: bool) -> StepResult:
        self.run_results.unlink(missing_ok=True)
        cmd = dbt_build_cmd(self.project, self.work, full=full)
        # As environment variables rather than --vars: a daily run then re-parses only the
        # files that read them (dbt parses the whole project again when --vars change).
        env = {
            **self.env,
            "METERLINE_LANDING_DIR": str(self.landing),
            "METERLINE_AS_OF": as_of.isoformat(),
        }
        result = self.step(name, cmd, events, self.project, env=env)
        built = (
            spark_summary(self.spark_warehouse) if self.target == "spark"
            else meterline_summary(self.work / "meterline.duckdb")
        )
        result.details = {**dbt_run_summary(self.run_results), **built}
        return result

    def run(self, append_dir: Path) -> str | None:
        """Floor, full build, the appended day, then the idle rerun; the ratio line if every
        step passed."""
        floor = self.floor()
        if floor.returncode != 0:
            return None
        full = self.meterline(
            "meterline full build", self.spec.day(self.spec.days), base_rows(self.spec),
            full=True,
        )
        if full.returncode != 0:
            return None
        link_files(append_dir, self.landing)
        daily_as_of = self.spec.day(self.spec.days + 1)
        incremental = self.meterline(
            "meterline incremental", daily_as_of, append_rows(self.spec), full=False,
        )
        if incremental.returncode != 0:
            return None
        # The daily run again with nothing new: the fixed cost of any daily run (dbt's start,
        # every model's statements, the rating chain rebuilt), which no day's data can go below.
        idle = self.meterline("meterline idle rerun", daily_as_of, 0, full=False)
        if idle.returncode != 0:
            return None
        return ratio_line(floor, full, incremental, idle, self.spec.events)


def build_record(
    label: str, bench: Bench, settings: dict[str, object], generated_in: float | None,
    line: str | None,
) -> dict[str, object]:
    return {
        "label": label,
        "spec": asdict(bench.spec),
        "rows": {"base": base_rows(bench.spec), "append": append_rows(bench.spec)},
        "settings": settings,
        "generated_seconds": generated_in,
        "steps": [
            {**asdict(r), "events_per_second": r.events_per_second} for r in bench.results
        ],
        "ratio_line": line,
        "versions": {
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "dbt-core": _version("dbt-core"),
            "dbt-duckdb": _version("dbt-duckdb"),
            "dbt-spark": _version("dbt-spark"),
            "pyspark": _version("pyspark"),
        },
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    label, spec, memory_limit = resolve_spec(args)
    data_dir = args.data_dir.resolve()
    work = (args.workdir or data_dir / "work" / spec.key).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    print(f"data set: {spec.key} ({base_rows(spec):,} rows, then {append_rows(spec):,} more)")
    base_dir, append_dir, generated_in = ensure_dataset(spec, data_dir, args.threads)
    env = run_env(work, work / "meterline.duckdb", args.threads, memory_limit, args.target)
    bench = Bench(spec, work, env, gnu_time(), args.target)
    link_files(base_dir, bench.landing)
    prepare_project(spec, bench.project)
    line = bench.run(append_dir)

    print()
    if generated_in is None:
        print("landing files: cached")
    else:
        print(f"generated the landing files in {generated_in:.1f}s")
    print(format_table(bench.results))
    settings: dict[str, object] = {
        "target": args.target,
        **engine_settings(args.target, args.threads, memory_limit, env),
        "peak_rss_source": peak_rss_source(args.target, bench.use_time),
        "full_build": "dbt build --full-refresh " + " ".join(FULL_BUILD_ARGS),
        "incremental_build": "dbt build " + " ".join(FULL_BUILD_ARGS),
        "as_of_full": spec.day(spec.days).isoformat(),
        "as_of_incremental": spec.day(spec.days + 1).isoformat(),
    }
    record = build_record(label, bench, settings, generated_in, line)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    result_file = args.results_dir / f"{label}_{stamp}.json"
    result_file.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"result: {result_file}")
    for r in bench.results:
        if r.details:
            print(f"{r.step}: {json.dumps(r.details)}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if line is None:
        print("benchmark incomplete: a step failed", file=sys.stderr)
        return 1
    print(line)
    return 0


def engine_settings(
    target: str, threads: int, memory_limit: str | None, env: dict[str, str]
) -> dict[str, object]:
    """The engine settings the steps ran with, for the JSON record."""
    if target == "spark":
        conf = spark_settings(Path(env["METERLINE_SPARK_DIR"]), env)
        return {
            key: conf[key]
            for key in ("spark.master", "spark.driver.memory", "spark.sql.shuffle.partitions")
        }
    return {"duckdb_threads": threads, "duckdb_memory_limit": memory_limit or "profile default"}


def peak_rss_source(target: str, use_time: str | None) -> str:
    source = "GNU time -v" if use_time else "wait4 rusage"
    return f"{source} and sampled process tree RSS" if target == "spark" else source


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())

"""`make simulate NAME=<name>`: all history in the warehouse rated under a candidate price book.

README "Price simulation", DECISIONLOG "Price simulation". The candidate is a folder of CSV
files named like the seeds they replace (simulations/<name>/prices.csv, price_tiers.csv, ...).
One `dbt build --selector simulation --vars '{simulation: <name>}'` runs in a temporary copy of
the project whose seeds/ has the candidate files laid over it: the seeds, their staging models,
the rating chain and the invoice marts are built into schema simulation_<name> of the same
warehouse, the event path is read where production built it, and nothing outside
simulation_<name> is written (macros/simulation.sql). The command then prints sim_summary.

Plain Python (no Dagster): orchestration/simulation_job.py runs the same function.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.report import DEFAULT_DATABASE, FALLBACK_MINOR_UNITS, format_money, format_table

PROJECT_DIR = Path(__file__).resolve().parents[1]
SIMULATIONS_DIR = "simulations"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
SELECTOR = "simulation"
# What the temporary copy needs to build (the Python tests and their fixtures are left out).
PROJECT_ENTRIES = ("dbt_project.yml", "selectors.yml", "packages.yml", "models", "macros",
                   "seeds", "analyses")
TEST_ENTRIES = ("generic", "singular")
DIFF_TABLES = ("sim_summary", "sim_invoice_diff", "sim_line_diff")
SHOWN_FAILURE_ROWS = 5
LARGEST_INCREASES = 5


class SimulationError(Exception):
    """A candidate or a run that gives no simulation; the message says why."""


@dataclass
class SimulationResult:
    name: str
    schema: str
    database: Path
    summary: list[str] = field(default_factory=list)


def simulation_schema(name: str) -> str:
    return f"simulation_{name}"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise SimulationError(
            f"simulation name {name!r}: 1 to 40 lower case letters, digits or _, starting with a "
            "letter (it names the schema simulation_<name>)")
    return name


def _header(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [column.strip() for column in next(csv.reader(handle), [])]


def candidate_files(folder: Path, seeds_dir: Path) -> dict[str, Path]:
    """The candidate's CSV files by seed file name, after checking each names a seed of seeds/
    and has only that seed's columns (a misspelt column would otherwise be loaded and ignored)."""
    if not folder.is_dir():
        raise SimulationError(f"no candidate folder {folder}: put the candidate seed files there")
    files = {path.name: path for path in sorted(folder.glob("*.csv"))}
    if not files:
        raise SimulationError(
            f"{folder} has no CSV file: a candidate is seed files such as prices.csv")
    seeds = {path.name: path for path in seeds_dir.glob("*.csv")}
    problems = []
    for file_name, path in files.items():
        if file_name not in seeds:
            problems.append(
                f"{file_name}: not a seed of seeds/ ({', '.join(sorted(seeds))}); a simulation "
                "replaces contract seeds only, never event data")
            continue
        header = _header(path)
        known = set(_header(seeds[file_name]))
        unknown = [column for column in header if column not in known]
        if unknown:
            problems.append(f"{file_name}: unknown columns {', '.join(unknown)} "
                            f"(the seed's columns: {', '.join(_header(seeds[file_name]))})")
        elif len(set(header)) != len(header):
            problems.append(f"{file_name}: a column appears twice")
    if problems:
        raise SimulationError("candidate " + folder.name + ": " + "; ".join(problems))
    return files


def make_candidate_project(work_dir: Path, candidate: dict[str, Path],
                           project_dir: Path = PROJECT_DIR) -> Path:
    """A copy of the project in work_dir/project with the candidate files over seeds/."""
    project = work_dir / "project"
    project.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__")
    for entry in PROJECT_ENTRIES:
        source = project_dir / entry
        if source.is_dir():
            shutil.copytree(source, project / entry, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, project / entry)
    for entry in TEST_ENTRIES:
        source = project_dir / "tests" / entry
        if source.is_dir():
            shutil.copytree(source, project / "tests" / entry, ignore=ignore)
    for file_name, path in candidate.items():
        shutil.copy2(path, project / "seeds" / file_name)
    return project


def _dbt_executable() -> str:
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else "dbt"


def _failures(database: Path, run_results: Path) -> list[str]:
    """Every failed node of the run, and up to a few failure rows of each failed data test."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    failed = [r for r in results if r["status"] in ("error", "fail", "runtime error")]
    lines: list[str] = []
    with duckdb.connect(str(database), read_only=True) as con:
        for result in failed:
            kind, _, name = result["unique_id"].split(".")[:3]
            kind = "data test" if kind == "test" else kind
            lines.append(f"- {kind} {name}: {result.get('message') or result['status']}")
            if result["unique_id"].startswith("test.") and result.get("compiled_code"):
                try:
                    cursor = con.execute(
                        f"select * from ({result['compiled_code']}) as failures "
                        f"limit {SHOWN_FAILURE_ROWS}")
                    headers = [column[0] for column in cursor.description]
                    rows = cursor.fetchall()
                except duckdb.Error:
                    continue
                for row in rows:
                    lines.append("    " + ", ".join(f"{h}={v}" for h, v in zip(headers, row, strict=True)))
    return lines


def _drop_diff_tables(database: Path, schema: str) -> None:
    """A failed run leaves no diff: the diff tables of simulation_<name> are dropped."""
    with duckdb.connect(str(database)) as con:
        for table in DIFF_TABLES:
            con.execute(f'drop table if exists "{schema}"."{table}"')


def run_simulation(name: str, database: Path, candidate_dir: Path | None = None,
                   as_of: str | None = None, project_dir: Path = PROJECT_DIR,
                   parse_cache: Path | None = None) -> SimulationResult:
    """Rate all history of `database` under the candidate in candidate_dir (default
    simulations/<name>) into simulation_<name>; raises SimulationError with the reason.
    parse_cache: the folder of the run's project copy and dbt target, kept between runs of one
    name (default target/simulation/<name>) so that a run parses only the files that changed."""
    check_name(name)
    database = Path(database).resolve()
    if not database.exists():
        raise SimulationError(f"no warehouse at {database}: build production first (make demo)")
    folder = candidate_dir or project_dir / SIMULATIONS_DIR / name
    candidate = candidate_files(Path(folder), project_dir / "seeds")
    schema = simulation_schema(name)
    # One folder per name, kept between runs at the same path: the project copy (made again each
    # run) and dbt's target folder, whose saved parse lets a later run parse only what changed.
    work = Path(parse_cache or project_dir / "target" / "simulation" / name).resolve()
    shutil.rmtree(work / "project", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    project = make_candidate_project(work, candidate, project_dir)
    env = dict(os.environ)
    env["METERLINE_DUCKDB_PATH"] = str(database)
    if as_of:
        env["METERLINE_AS_OF"] = as_of
    run_results = work / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)
    command = [
        _dbt_executable(), "build", "--selector", SELECTOR,
        "--vars", json.dumps({"simulation": name}),
        # the profile is found as for any dbt command run in the project folder (cwd)
        "--project-dir", str(project),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]
    completed = subprocess.run(command, cwd=project_dir, env=env, capture_output=True,
                               text=True, check=False)
    if completed.returncode != 0:
        details = _failures(database, run_results)
        if not details:
            tail = (completed.stdout + completed.stderr).strip().splitlines()[-15:]
            details = ["  " + line for line in tail]
        _drop_diff_tables(database, schema)
        raise SimulationError(
            f"simulation {name}: the candidate was not rated (no diff written):\n"
            + "\n".join(details))
    return SimulationResult(name, schema, database, summary_lines(database, schema))


def summary_lines(database: Path, schema: str) -> list[str]:
    """sim_summary and the largest increases of sim_invoice_diff as plain text, per currency."""
    with duckdb.connect(str(database), read_only=True) as con:
        minor = dict(FALLBACK_MINOR_UNITS)
        if con.execute("select count(*) from information_schema.tables where table_schema ="
                       " 'marts' and table_name = 'dim_currencies'").fetchall() == [(1,)]:
            minor.update({currency: int(units) for currency, units in con.execute(
                "select currency, minor_units from marts.dim_currencies").fetchall()})
        groups = con.execute(
            "select currency, plan_id, month_start, current_revenue, candidate_revenue,"
            " revenue_delta, accounts_paying_more, accounts_paying_less,"
            " largest_increase_account_id, largest_increase"
            f' from "{schema}".sim_summary order by currency, plan_id, month_start').fetchall()
        increases = con.execute(
            "select currency, account_id, period_start, period_end, current_total,"
            " candidate_total, delta, delta_percent"
            f' from "{schema}".sim_invoice_diff where delta > 0'
            " order by currency, delta desc, account_id, period_start").fetchall()
    lines = [f"Price simulation {schema} (amounts before credits, as if no invoice were frozen)"]
    currencies = sorted({row[0] for row in groups})
    for currency in currencies:
        units = minor.get(currency, 2)
        rows = [row for row in groups if row[0] == currency]

        def money(value: Any, units: int = units) -> str:
            return format_money(value, units)

        total_current = sum(row[3] for row in rows)
        total_candidate = sum(row[4] for row in rows)
        lines += ["", (f"{currency}: current {money(total_current)}, candidate "
                       f"{money(total_candidate)}, delta {money(total_candidate - total_current)}")]
        lines += format_table(
            ["plan", "month", "current", "candidate", "delta", "more", "less", "largest increase"],
            [(row[1], row[2].strftime("%Y-%m"), money(row[3]), money(row[4]), money(row[5]),
              row[6], row[7], f"{row[8]} +{money(row[9])}" if row[8] else "")
             for row in rows],
            "llrrrrrl")
        top = [row for row in increases if row[0] == currency][:LARGEST_INCREASES]
        if top:
            lines += ["", f"  largest invoice increases ({currency})"]
            lines += format_table(
                ["account", "period", "current", "candidate", "delta", "delta %"],
                [(row[1], f"{row[2]}..{row[3]}", money(row[4]), money(row[5]), money(row[6]),
                  "" if row[7] is None else f"{row[7]:.2f}") for row in top],
                "llrrrr")
    if not currencies:
        lines.append("no invoice lines on either side")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the candidate: simulations/<name>/, schema simulation_<name>")
    parser.add_argument("--database", default=os.environ.get("METERLINE_DUCKDB_PATH")
                        or DEFAULT_DATABASE)
    parser.add_argument("--candidate-dir", help="default: simulations/<name>")
    parser.add_argument("--as-of", help="the as_of of the production build (default: as dbt's)")
    args = parser.parse_args(argv)
    try:
        result = run_simulation(args.name, Path(args.database),
                                Path(args.candidate_dir) if args.candidate_dir else None,
                                args.as_of or None)
    except SimulationError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    print("\n".join(result.summary))
    print(f"\nTables: {result.schema}.sim_invoice_diff, sim_line_diff, sim_summary "
          f"(make query SQL=\"select * from {result.schema}.sim_invoice_diff\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())

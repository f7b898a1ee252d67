"""Generate benchmark landing files: Parquet events in the data contract's format.

Every value is derived inside DuckDB from the event's index and the seed through ``hash()``, so
the files are the same bytes for the same arguments, and 20M events take seconds, not minutes.

What a run writes (``N`` = ``--events``, ``D`` = ``--days``):

* one file per day, ``events_YYYY-MM-DD.parquet``, for the days ``start .. start + D - 1``;
* ``N`` distinct events (event ids ``evt_000000000000`` ..), spread evenly over the days
  (day ``d`` holds the indices ``N*d//D .. N*(d+1)//D - 1``);
* plus exactly ``N // 100`` re-sent copies of earlier events (same ``source`` and ``event_id``,
  identical payload): about a third in the same day's file after the originals, the rest in the
  next or the one after (never after the last day). So the files hold ``N + N // 100`` rows.

``--append-day`` writes instead the single file of day ``start + D`` (the day after the ``D``
days): ``N // D`` new distinct events (indices from ``N`` on) plus ``(N // D) // 100`` copies of
them in the same file.

Each file's modification time is set to the end of its day (its landing time).

Traffic is skewed: an event's account rank is ``floor(A ** (u * u))`` for a uniform ``u``, so
about half of all events belong to the top ``A ** 0.25`` accounts. Event types and properties are
those of ``seeds/meters.csv``: ``api_request`` (``endpoint``), ``llm_completion`` (``model``,
``tokens``; one in ten as a numeric string), ``storage_snapshot`` (``gb``, three decimals) and
``user_login`` (``user_id``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_START = "2026-06-01"
DEFAULT_SEED = 42
# One re-sent copy per this many distinct events.
DUPLICATE_EVERY = 100
# Copies land in the original's file or up to this many days later.
MAX_RESEND_LAG_DAYS = 2

ENDPOINTS = ["/v1/search", "/v1/items", "/v1/orders", "/v1/users", "/v1/embeddings"]
MODELS = ["gpt-small", "gpt-medium", "gpt-large"]


@dataclass(frozen=True)
class Spec:
    """The arguments that fix a generated data set."""

    events: int
    days: int
    accounts: int
    seed: int = DEFAULT_SEED
    start: str = DEFAULT_START

    def __post_init__(self) -> None:
        if self.events < 1 or self.days < 1 or self.accounts < 1:
            raise ValueError("events, days and accounts must be positive")
        if self.events < self.days:
            raise ValueError("need at least one event per day")
        dt.date.fromisoformat(self.start)

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.start)

    def day(self, index: int) -> dt.date:
        return self.start_date + dt.timedelta(days=index)

    @property
    def account_width(self) -> int:
        return max(4, len(str(self.accounts)))

    def account_ids(self) -> list[str]:
        return [f"bench_{n:0{self.account_width}d}" for n in range(1, self.accounts + 1)]

    @property
    def append_events(self) -> int:
        """Distinct events of the appended day."""
        return self.events // self.days

    @property
    def key(self) -> str:
        """A directory name that identifies the data set."""
        return f"e{self.events}_d{self.days}_a{self.accounts}_s{self.seed}_{self.start}"


def duplicate_count(distinct: int) -> int:
    """Re-sent copies added to ``distinct`` events."""
    return distinct // DUPLICATE_EVERY


def base_rows(spec: Spec) -> int:
    """Rows in the base files: distinct events plus their re-sent copies."""
    return spec.events + duplicate_count(spec.events)


def append_rows(spec: Spec) -> int:
    """Rows in the appended day's file."""
    return spec.append_events + duplicate_count(spec.append_events)


def day_bounds(spec: Spec, day: int) -> tuple[int, int]:
    """The half-open index range of the distinct events of base day ``day``."""
    return spec.events * day // spec.days, spec.events * (day + 1) // spec.days


def file_name(day: dt.date) -> str:
    return f"events_{day.isoformat()}.parquet"


def _event_columns(spec: Spec) -> str:
    """SELECT list turning an index ``i`` into a contract event (identical for every copy)."""
    n, d, a, s = spec.events, spec.days, spec.accounts, spec.seed
    start_us = int(
        dt.datetime.combine(spec.start_date, dt.time(), dt.UTC).timestamp() * 1_000_000
    )
    endpoints = ", ".join(f"'{e}'" for e in ENDPOINTS)
    models = ", ".join(f"'{m}'" for m in MODELS)
    return f"""
        'evt_' || lpad(cast(i as varchar), 12, '0') as event_id,
        case kind
            when 0 then 'gateway' when 1 then 'llm-proxy'
            when 2 then 'storage-agent' else 'auth'
        end as source,
        case kind
            when 0 then 'api_request' when 1 then 'llm_completion'
            when 2 then 'storage_snapshot' else 'user_login'
        end as event_type,
        'bench_' || lpad(cast(acct as varchar), {spec.account_width}, '0') as account_id,
        strftime(
            make_timestamp(
                cast({start_us} + (day_no * 86400 + hash({s}, i, 'sec') % 86400) * 1000000
                    as bigint)
            ),
            '%Y-%m-%dT%H:%M:%SZ'
        ) as occurred_at,
        case kind
            when 0 then
                '{{"endpoint":"' || list_element([{endpoints}], cast(1 + r % 5 as integer))
                || '"}}'
            when 1 then
                '{{"model":"' || list_element([{models}], cast(1 + r % 3 as integer))
                || '","tokens":'
                || case when r % 10 = 0
                    then '"' || cast(1 + r // 10 % 4000 as varchar) || '"'
                    else cast(1 + r // 10 % 4000 as varchar)
                end || '}}'
            when 2 then
                '{{"gb":' || cast(hash({s}, acct, 'gb') % 500 as varchar) || '.'
                || lpad(cast(r % 1000 as varchar), 3, '0') || '}}'
            else
                '{{"user_id":"u' || cast(acct as varchar) || '_' || cast(r % 50 as varchar)
                || '"}}'
        end as properties
    from (
        select
            i, copy_no, ord,
            case when i >= {n} then {d} else ((i + 1) * {d} - 1) // {n} end as day_no,
            least({a}, greatest(1, cast(floor(pow({a}, u * u)) as bigint))) as acct,
            case when t < 70 then 0 when t < 90 then 1 when t < 92 then 2 else 3 end as kind,
            hash({s}, i, 'prop') as r
        from (
            select
                i, copy_no, ord,
                hash({s}, i, 'acct') / 18446744073709551616.0 as u,
                hash({s}, i, 'type') % 100 as t
            from ids
        )
    )
    order by copy_no, ord
    """


def _base_day_sql(spec: Spec, day: int) -> str:
    n, d, s = spec.events, spec.days, spec.seed
    lo, hi = day_bounds(spec, day)
    # Copies re-sent on `day` come from originals of `day - MAX_RESEND_LAG_DAYS .. day`.
    first_lo, _ = day_bounds(spec, max(0, day - MAX_RESEND_LAG_DAYS))
    k_lo = first_lo // DUPLICATE_EVERY
    k_hi = min(duplicate_count(n), hi // DUPLICATE_EVERY + 1)
    return f"""
    with ids as (
        select i, 0 as copy_no, i as ord from range({lo}, {hi}) as r(i)
        union all
        select i, 1 as copy_no, k as ord
        from (
            select
                k,
                k * {DUPLICATE_EVERY} + hash({s}, k, 'dup') % {DUPLICATE_EVERY} as i,
                hash({s}, k, 'lag') % {MAX_RESEND_LAG_DAYS + 1} as lag
            from range({k_lo}, {max(k_lo, k_hi)}) as r(k)
        )
        where least(((i + 1) * {d} - 1) // {n} + lag, {d - 1}) = {day}
    )
    select {_event_columns(spec)}
    """


def _append_day_sql(spec: Spec) -> str:
    n, s = spec.events, spec.seed
    m = spec.append_events
    return f"""
    with ids as (
        select i, 0 as copy_no, i as ord from range({n}, {n + m}) as r(i)
        union all
        select {n} + k * {DUPLICATE_EVERY} + hash({s}, k, 'dup-append') % {DUPLICATE_EVERY}
            as i,
            1 as copy_no, k as ord
        from range(0, {duplicate_count(m)}) as r(k)
    )
    select {_event_columns(spec)}
    """


def _progress(total: int, label: str) -> Callable[[], None]:
    """A step callback: tqdm when it is installed, else one rewritten stderr line."""
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=total, desc=label, unit="file", file=sys.stderr)

        def tick_bar() -> None:
            bar.update(1)
            if bar.n >= total:
                bar.close()

        return tick_bar
    started = time.monotonic()
    done = 0

    def tick_line() -> None:
        nonlocal done
        done += 1
        elapsed = time.monotonic() - started
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label}: {done}/{total} files, {elapsed:.1f}s{end}")
        sys.stderr.flush()

    return tick_line


def _connect(threads: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set preserve_insertion_order = true")
    con.execute("set TimeZone = 'UTC'")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    return con


def _write(con: duckdb.DuckDBPyConnection, sql: str, path: Path, day: dt.date) -> None:
    tmp = path.with_name(path.name + ".tmp")
    escaped = str(tmp).replace("'", "''")
    con.execute(f"copy ({sql}) to '{escaped}' (format parquet, compression zstd)")
    os.replace(tmp, path)
    landed_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    os.utime(path, (landed_at, landed_at))


def generate(
    spec: Spec,
    out: Path,
    *,
    append_day: bool = False,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: bool = True,
) -> list[Path]:
    """Write the base files (or, with ``append_day``, the next day's file) into ``out``.

    A file's content depends only on the arguments: days are written by ``threads`` workers in
    parallel (DuckDB evaluates one day's range on one thread), each into its own file.
    """
    out.mkdir(parents=True, exist_ok=True)
    workers = max(1, threads or os.cpu_count() or 1)
    con = _connect(workers, memory_limit)
    try:
        if append_day:
            day = spec.day(spec.days)
            path = out / file_name(day)
            _write(con, _append_day_sql(spec), path, day)
            return [path]
        tick = _progress(spec.days, "generating") if progress else None

        def write_day(index: int) -> Path:
            cursor = con.cursor()
            try:
                day = spec.day(index)
                path = out / file_name(day)
                _write(cursor, _base_day_sql(spec, index), path, day)
            finally:
                cursor.close()
            if tick is not None:
                tick()
            return path

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(write_day, range(spec.days)))
    finally:
        con.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--events", type=int, required=True, help="distinct events")
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="directory for the files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", default=DEFAULT_START, help="first day, YYYY-MM-DD")
    parser.add_argument(
        "--append-day",
        action="store_true",
        help="write only the file of the day after the --days days",
    )
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    parser.add_argument("--no-progress", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    spec = Spec(args.events, args.days, args.accounts, args.seed, args.start)
    started = time.monotonic()
    paths = generate(
        spec, args.out, append_day=args.append_day, threads=args.threads,
        progress=not args.no_progress,
    )
    rows = append_rows(spec) if args.append_day else base_rows(spec)
    print(
        f"wrote {len(paths)} file(s), {rows} rows, to {args.out} "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

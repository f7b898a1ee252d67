"""Deterministic sample of landed usage events for the demo SaaS in seeds/.

About three months of events (from the first day of the month two months before `as_of` to the day
before `as_of`) for the accounts of seeds/accounts.csv, following their contracts, written under
`<out>/sample/`:

* `YYYY/MM/events-YYYY-MM-DD.ndjson`: one file per day (the accounts' local day), weekend files
  gzipped (`.ndjson.gz`);
* `YYYY/MM/storage-snapshots-YYYY-MM.parquet`: the storage agent's daily snapshots, one file per
  month (columns event_id, source, event_type, account_id, occurred_at, properties as JSON text);
* in the daily files, seat counts (`seat_count`) of two accounts whenever they change (SEAT_CHANGES),
  mid-month too: Stark is billed time-weighted seats, Wonka its peak seats (seeds/prices.csv).
* in the daily files, Stark's card payments (`payment`, property `amount`), priced at a
  percentage of each payment with per-payment bounds (p_stark_payments in seeds/prices.csv).

Mixed in on purpose: exact re-sent duplicates (~0.5%), a few conflicting re-sends (same id and
source, different payload) and one bad record of each kind ingestion must quarantine. Each file's
modification time is set to a little after its day ends, so landing order is realistic. The same
seed gives the same bytes.

Usage: python -m orchestration.sample --out data/landing --as-of 2026-11-25 [--events N] [--seed S]
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import math
import os
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

SUBFOLDER = "sample"
DEFAULT_EVENTS = 120_000
DEFAULT_SEED = 20261125
MIN_EVENTS = 2_000
DUPLICATE_RATE = 0.005
SAME_FILE_DUPLICATE_SHARE = 0.65
EVENTS_PER_CONFLICT = 15_000
WEEKEND_FACTOR = 0.3
MISSING_SOURCE_RATE = 0.015
NUMERIC_STRING_RATE = 0.05

USAGE_TYPES = ("api_request", "llm_completion", "user_login", "page_view")
PARQUET_COLUMNS = ("event_id", "source", "event_type", "account_id", "occurred_at", "properties")
_GENERATED_NAME = re.compile(
    r"^(events-\d{4}-\d{2}-\d{2}\.ndjson(\.gz)?|storage-snapshots-\d{4}-\d{2}\.parquet)$"
)

# Bad record kinds and the quarantine reason of the data contract each one must get.
BAD_KINDS: dict[str, str] = {
    "non_json_line": "malformed_record",
    "json_array_line": "malformed_record",
    "missing_event_id": "missing_event_id",
    "missing_account_id": "missing_account_id",
    "missing_event_type": "missing_event_type",
    "invalid_timestamp": "invalid_timestamp",
    "future_timestamp": "future_timestamp",
    "unknown_account": "unknown_account",
    "negative_tokens": "invalid_value",
    "non_numeric_gb": "invalid_value",
}

Weighted = tuple[tuple[Any, float], ...]


class Choice:
    """A weighted choice, drawn with one random number."""

    def __init__(self, options: Weighted) -> None:
        total = sum(weight for _, weight in options)
        self.values = [value for value, _ in options]
        self.bounds = list(itertools.accumulate(weight / total for _, weight in options))

    def pick(self, rng: random.Random) -> Any:
        index = bisect.bisect_right(self.bounds, rng.random())
        return self.values[min(index, len(self.values) - 1)]


_ENDPOINTS = Choice((
    ("/v1/chat", 0.38),
    ("/v1/embeddings", 0.24),
    ("/v1/search", 0.16),
    ("/v1/files", 0.10),
    ("/v1/models", 0.07),
    ("/v1/moderations", 0.05),
))
_LATENCY_MS = {
    "/v1/chat": 850, "/v1/embeddings": 120, "/v1/search": 210,
    "/v1/files": 320, "/v1/models": 40, "/v1/moderations": 90,
}
# HTTP status of an API call; the demo's meter filter (seeds/meter_filters.csv) bills only the
# successful ones (every failure status here is listed there).
_STATUSES = Choice(((200, 0.91), (201, 0.02), (400, 0.025), (401, 0.01), (429, 0.025),
                    (500, 0.01)))
_MODELS = Choice((("gpt-large", 0.22), ("gpt-small", 0.55), ("embed-v2", 0.23)))
# Median input and output tokens per completion.
_TOKENS = {"gpt-large": (2200, 700), "gpt-small": (1300, 380), "embed-v2": (900, 0)}
_LOGIN_METHODS = Choice((("sso", 0.6), ("password", 0.3), ("magic_link", 0.1)))
_PAGES = Choice((("/dashboard", 0.4), ("/usage", 0.25), ("/billing", 0.15),
                 ("/docs/quickstart", 0.12), ("/settings", 0.08)))
_SOURCES = {
    "api_request": "api-gateway",
    "llm_completion": "llm-router",
    "user_login": "auth",
    "page_view": "web-app",
    "storage_snapshot": "storage-agent",
}
# How each producer writes occurred_at: UTC with `Z` (with or without milliseconds), the
# account's local offset, or (rarely) no offset at all, which the contract reads as UTC.
_TS_STYLES = {
    "api-gateway": Choice((("ms_z", 0.85), ("offset", 0.15))),
    "llm-router": Choice((("z", 0.8), ("offset", 0.2))),
    "auth": Choice((("z", 0.57), ("offset", 0.4), ("naive", 0.03))),
    "web-app": Choice((("ms_z", 1.0),)),
}
# Local business hours 09:00-17:59, busiest late morning and mid-afternoon.
_HOURS = Choice(tuple(zip(range(9, 18), (6, 10, 11, 9, 7, 9, 10, 8, 5), strict=True)))

_API = (0.60, 0.30, 0.09, 0.01)
_LLM = (0.36, 0.54, 0.09, 0.01)
_MIXED = (0.46, 0.44, 0.09, 0.01)
_OPS = (0.70, 0.20, 0.09, 0.01)


@dataclass(frozen=True)
class AccountProfile:
    """Traffic profile of one account of seeds/accounts.csv, following seeds/contracts.csv."""

    account_id: str
    timezone: str
    weight: float  # share of all usage events
    mix: tuple[float, float, float, float]  # shares of USAGE_TYPES
    users: int  # size of the account's user pool
    storage_gb: float  # stored GB on the first day of the sample
    storage_growth_gb: float  # GB added per day
    region: str
    # (from, to exclusive or None, traffic factor): contract periods, plus a trickle after a
    # contract ends where the account keeps sending usage.
    segments: tuple[tuple[date, date | None, float], ...]
    growth: float = 0.2  # traffic growth from the first to the last day of the sample

    def factor(self, day: date) -> float:
        """Traffic factor on a local day, 0 when the account sends nothing."""
        for start, end, value in self.segments:
            if start <= day and (end is None or day < end):
                return value
        return 0.0


def _d(text: str) -> date:
    return date.fromisoformat(text)


ACCOUNTS: tuple[AccountProfile, ...] = (
    AccountProfile("acct_globex", "UTC", 0.32, _API, 260, 620.0, 5.0, "us-east-1",
                   ((_d("2026-09-01"), None, 1.0),), growth=0.15),
    AccountProfile("acct_umbrella", "UTC", 0.24, _OPS, 420, 180.0, 1.2, "us-east-1",
                   ((_d("2026-09-01"), _d("2027-09-01"), 1.0),)),
    # Upgrades from the free plan to pay-as-you-go on 2026-10-15 and grows after it.
    AccountProfile("acct_acme", "America/New_York", 0.13, _MIXED, 70, 3.5, 0.9, "us-east-2",
                   ((_d("2026-09-01"), _d("2026-10-15"), 0.55),
                    (_d("2026-10-15"), None, 1.6))),
    AccountProfile("acct_wayne", "America/Chicago", 0.11, _API, 110, 95.0, 0.2, "us-east-2",
                   ((_d("2026-09-01"), None, 1.0),)),
    AccountProfile("acct_tanaka", "Asia/Tokyo", 0.09, _LLM, 48, 40.0, 0.3, "ap-northeast-1",
                   ((_d("2026-09-01"), None, 1.0),)),
    AccountProfile("acct_hooli", "Europe/Berlin", 0.06, _MIXED, 36, 22.5, 0.1, "eu-central-1",
                   ((_d("2026-09-01"), None, 1.0),)),
    AccountProfile("acct_wonka", "Europe/London", 0.06, _LLM, 80, 12.0, 0.6, "eu-west-2",
                   ((_d("2026-09-01"), None, 1.0),), growth=1.0),
    AccountProfile("acct_initech", "America/Los_Angeles", 0.03, _API, 14, 0.5, 0.05,
                   "us-west-2", ((_d("2026-09-10"), None, 1.0),), growth=0.8),
    AccountProfile("acct_stark", "UTC", 0.015, _MIXED, 4, 1.2, 0.01, "eu-west-1",
                   ((_d("2026-09-01"), None, 1.0),)),
    # Annual contract anchored on 15 September, with a prepaid commitment that usage overdraws.
    AccountProfile("acct_oscorp", "UTC", 0.05, _API, 60, 40.0, 0.5, "us-east-1",
                   ((_d("2026-09-15"), _d("2027-09-15"), 1.0),), growth=0.4),
    # Billed quarterly from an anchor of 1 August; the contract starts on 1 September.
    AccountProfile("acct_massive", "America/New_York", 0.04, _MIXED, 45, 12.0, 0.2, "us-east-1",
                   ((_d("2026-09-01"), None, 1.0),)),
    # Two subsidiaries of Initrode: the US one billed to the parent, the EU one on its own.
    AccountProfile("acct_initrode_us", "America/Chicago", 0.03, _API, 30, 5.0, 0.1, "us-east-2",
                   ((_d("2026-09-01"), None, 1.0),)),
    AccountProfile("acct_initrode_eu", "Europe/Paris", 0.02, _LLM, 20, 3.0, 0.1, "eu-west-3",
                   ((_d("2026-09-01"), None, 1.0),)),
    # Contract ended 2026-10-01, but a forgotten job keeps sending a little usage: unrated.
    AccountProfile("acct_cyberdyne", "UTC", 0.05, _API, 25, 75.0, 0.0, "us-west-1",
                   ((_d("2026-09-01"), _d("2026-10-01"), 1.0),
                    (_d("2026-10-01"), None, 0.04))),
)
UNKNOWN_ACCOUNT = "acct_soylent"
# Seat counts set from a local day and hour on (gauges: meters seats, time_weighted, and
# peak_seats, peak). Stark: 3 seats, 5 from 16 October, 4 from 9 November. Wonka: 12 seats, 18
# from 12 October, 14 from 26 October (October's peak 18), 20 from 16 November.
SEAT_CHANGES: tuple[tuple[str, date, int, int], ...] = (
    ("acct_stark", _d("2026-09-01"), 10, 3),
    ("acct_stark", _d("2026-10-16"), 11, 5),
    ("acct_stark", _d("2026-11-09"), 14, 4),
    ("acct_wonka", _d("2026-09-01"), 10, 12),
    ("acct_wonka", _d("2026-10-12"), 15, 18),
    ("acct_wonka", _d("2026-10-26"), 9, 14),
    ("acct_wonka", _d("2026-11-16"), 16, 20),
)


@dataclass
class _Event:
    day_index: int  # index of the file day
    at: datetime  # UTC instant, for ordering inside a file
    record: dict[str, Any]


@dataclass
class _Insert:
    position: int  # insert before this line of the file's events
    text: str


@dataclass
class _Plan:
    """Everything to write, before serialisation."""

    days: list[date]
    files: list[list[_Event]]
    inserts: list[list[_Insert]]
    storage: list[_Event]
    storage_extra: list[_Event] = field(default_factory=list)
    duplicates: int = 0
    conflicts: int = 0
    bad: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- random helpers


def _event_id(rng: random.Random) -> str:
    """A version-4 UUID string from the seeded generator."""
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def _lognormal_int(rng: random.Random, median: float, sigma: float) -> int:
    return max(1, int(rng.lognormvariate(math.log(median), sigma)))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split total into integers proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    exact = [weight * total / weight_sum for weight in weights]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


# --------------------------------------------------------------------------- timestamps


def _window(as_of: date) -> list[date]:
    """Days of the sample: the month two months before as_of's month, up to as_of - 1."""
    month_index = as_of.year * 12 + as_of.month - 1 - 2
    start = date(month_index // 12, month_index % 12 + 1, 1)
    return [start + timedelta(days=i) for i in range((as_of - start).days)]


def _local_instant(
    rng: random.Random, day: date, tz: ZoneInfo, hour: int | None = None,
) -> datetime:
    chosen = _HOURS.pick(rng) if hour is None else hour
    millis = int(rng.random() * 3_600_000)  # within the hour
    minute, millis = divmod(millis, 60_000)
    second, millis = divmod(millis, 1_000)
    local = datetime(day.year, day.month, day.day, chosen, minute, second, millis * 1000,
                     tzinfo=tz)
    return local.astimezone(UTC)


def _format_ts(at: datetime, tz: ZoneInfo, style: str) -> str:
    if style == "offset":
        return at.astimezone(tz).isoformat(timespec="seconds")
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "ms_z":
        return f"{text}.{at.microsecond // 1000:03d}Z"
    return text if style == "naive" else text + "Z"


# --------------------------------------------------------------------------- event payloads


def _user_id(rng: random.Random, account: AccountProfile) -> str:
    # Skewed towards the first users of the pool: a core of daily users and a long tail.
    index = int(account.users * rng.random() ** 2)
    return f"usr_{account.account_id.removeprefix('acct_')}_{index:04d}"


def _maybe_string(rng: random.Random, value: int) -> int | str:
    return str(value) if rng.random() < NUMERIC_STRING_RATE else value


def _api_request(rng: random.Random, account: AccountProfile) -> dict[str, Any]:
    endpoint = _ENDPOINTS.pick(rng)
    method = "GET" if endpoint == "/v1/models" else "POST"
    return {
        "endpoint": endpoint,
        "method": method,
        "status": _STATUSES.pick(rng),
        "latency_ms": _lognormal_int(rng, _LATENCY_MS[endpoint], 0.5),
    }


def _llm_completion(rng: random.Random, account: AccountProfile) -> dict[str, Any]:
    model = _MODELS.pick(rng)
    input_median, output_median = _TOKENS[model]
    input_tokens = _lognormal_int(rng, input_median, 0.7)
    output_tokens = _lognormal_int(rng, output_median, 0.6) if output_median else 0
    return {
        "model": model,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "tokens": _maybe_string(rng, input_tokens + output_tokens),
    }


def _user_login(rng: random.Random, account: AccountProfile) -> dict[str, Any]:
    return {"user_id": _user_id(rng, account), "method": _LOGIN_METHODS.pick(rng)}


def _page_view(rng: random.Random, account: AccountProfile) -> dict[str, Any]:
    return {"path": _PAGES.pick(rng), "user_id": _user_id(rng, account)}


_PAYLOADS = {
    "api_request": _api_request,
    "llm_completion": _llm_completion,
    "user_login": _user_login,
    "page_view": _page_view,
}


def _record(
    event_id: str, source: str | None, event_type: str, account_id: str, occurred_at: str,
    properties: dict[str, Any],
) -> dict[str, Any]:
    record: dict[str, Any] = {"event_id": event_id}
    if source is not None:
        record["source"] = source
    record.update(event_type=event_type, account_id=account_id, occurred_at=occurred_at,
                  properties=properties)
    return record


def _usage_event(
    rng: random.Random, account: AccountProfile, day_index: int, day: date, event_type: str,
) -> _Event:
    tz = ZoneInfo(account.timezone)
    at = _local_instant(rng, day, tz)
    source = _SOURCES[event_type]
    style = _TS_STYLES[source].pick(rng)
    properties = _PAYLOADS[event_type](rng, account)
    if event_type != "user_login" and rng.random() < MISSING_SOURCE_RATE:
        source = None
    record = _record(_event_id(rng), source, event_type, account.account_id,
                     _format_ts(at, tz, style), properties)
    return _Event(day_index, at, record)


def _gb_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _storage_event(
    rng: random.Random, account: AccountProfile, day_index: int, day: date,
) -> _Event:
    tz = ZoneInfo(account.timezone)
    at = _local_instant(rng, day, tz, hour=9)
    base = account.storage_gb + account.storage_growth_gb * day_index
    text = _gb_text(max(0.01, base * rng.uniform(0.995, 1.005)))
    gb: float | str = text if rng.random() < 0.1 else float(text)
    properties = {"gb": gb, "region": account.region}
    record = _record(_event_id(rng), "storage-agent", "storage_snapshot", account.account_id,
                     _format_ts(at, tz, "z"), properties)
    return _Event(day_index, at, record)


# --------------------------------------------------------------------------- the plan


def _seat_events(days: list[date]) -> list[_Event]:
    """The SEAT_CHANGES inside the sample's days (no random draws: the other events stay as
    they were)."""
    zones = {account.account_id: ZoneInfo(account.timezone) for account in ACCOUNTS}
    events = []
    for account_id, day, hour, seats in SEAT_CHANGES:
        if day not in days:
            continue
        tz = zones[account_id]
        at = datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)
        record = _record(f"seats-{account_id.removeprefix('acct_')}-{day:%Y%m%d}", "admin-console",
                         "seat_count", account_id, _format_ts(at, tz, "z"), {"seats": seats})
        events.append(_Event(days.index(day), at, record))
    return events


# Card payments (percentage pricing): the account, payments a day, the median payment in cents.
PAYMENTS_ACCOUNT = "acct_stark"
PAYMENTS_PER_DAY = (0, 4)
PAYMENT_MEDIAN_CENTS = 6_000


def _payment_events(seed: int, days: list[date]) -> list[_Event]:
    """Card payments of PAYMENTS_ACCOUNT: from a generator of their own, so that every other
    event stays as it was. Amounts from a few cents (below the per-payment minimum) to a few
    thousand (above the maximum), as JSON numbers and now and then numeric strings."""
    rng = random.Random(f"payments-{seed}")
    tz = ZoneInfo(next(a.timezone for a in ACCOUNTS if a.account_id == PAYMENTS_ACCOUNT))
    events = []
    for index, day in enumerate(days):
        for number in range(rng.randint(*PAYMENTS_PER_DAY)):
            at = _local_instant(rng, day, tz)
            cents = max(1, int(rng.lognormvariate(math.log(PAYMENT_MEDIAN_CENTS), 1.3)))
            text = f"{cents // 100}.{cents % 100:02d}"
            amount: Any = text if rng.random() < NUMERIC_STRING_RATE else float(text)
            record = _record(f"pay-{day:%Y%m%d}-{number:02d}", "payments-api", "payment",
                             PAYMENTS_ACCOUNT, _format_ts(at, tz, "z"), {"amount": amount})
            events.append(_Event(index, at, record))
    return events


def _has_contract_history(account: AccountProfile, day: date) -> bool:
    return any(start <= day for start, _, _ in account.segments)


Cell = tuple[int, AccountProfile, str, float]


def _cell_weights(rng: random.Random, days: list[date]) -> list[Cell]:
    cells = []
    last = max(len(days) - 1, 1)
    for day_index, day in enumerate(days):
        for account in ACCOUNTS:
            factor = account.factor(day)
            if factor <= 0:
                continue
            weekday = WEEKEND_FACTOR if day.weekday() >= 5 else 1.0
            trend = 1 + account.growth * day_index / last
            base = account.weight * factor * weekday * trend * rng.uniform(0.75, 1.25)
            for event_type, share in zip(USAGE_TYPES, account.mix, strict=True):
                cells.append((day_index, account, event_type, base * share))
    return cells


def _storage_events(rng: random.Random, days: list[date]) -> list[_Event]:
    return [
        _storage_event(rng, account, day_index, day)
        for day_index, day in enumerate(days)
        for account in ACCOUNTS
        if _has_contract_history(account, day)
    ]


def _cell_counts(cells: list[Cell], count: int) -> list[int]:
    """Events per cell: first per event type, then per account and day, so that even a small
    sample keeps every type in proportion."""
    type_weights = [sum(c[3] for c in cells if c[2] == event_type) for event_type in USAGE_TYPES]
    counts = [0] * len(cells)
    for event_type, total in zip(USAGE_TYPES, _allocate(count, type_weights), strict=True):
        members = [i for i, cell in enumerate(cells) if cell[2] == event_type]
        for i, n in zip(members, _allocate(total, [cells[i][3] for i in members]), strict=True):
            counts[i] = n
    return counts


def _usage_files(rng: random.Random, days: list[date], count: int) -> list[list[_Event]]:
    cells = _cell_weights(rng, days)
    counts = _cell_counts(cells, count)
    files: list[list[_Event]] = [[] for _ in days]
    for (day_index, account, event_type, _), n in zip(cells, counts, strict=True):
        for _ in range(n):
            files[day_index].append(
                _usage_event(rng, account, day_index, days[day_index], event_type))
    for events in files:
        events.sort(key=lambda event: (event.at, event.record["event_id"]))
    return files


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))


def _conflicting(rng: random.Random, record: dict[str, Any]) -> dict[str, Any]:
    """The same event re-sent with a corrected payload."""
    changed = json.loads(json.dumps(record))
    properties = changed["properties"]
    if changed["event_type"] == "llm_completion":
        output = int(properties["output_tokens"]) + rng.randint(5, 200)
        properties["output_tokens"] = output
        properties["tokens"] = int(properties["input_tokens"]) + output
    else:
        properties["status"] = 500 if properties["status"] != 500 else 200
        properties["latency_ms"] = int(properties["latency_ms"]) + rng.randint(1, 400)
    return changed


def _later_file(rng: random.Random, plan: _Plan, day_index: int, max_days: int) -> int:
    return min(len(plan.days) - 1, day_index + rng.randint(1, max_days))


def _add_resends(rng: random.Random, plan: _Plan, events: int) -> None:
    """Exact duplicates (same file later, or a later file) and conflicting re-sends."""
    n_duplicates = round(events * DUPLICATE_RATE)
    n_conflicts = max(3, round(events / EVENTS_PER_CONFLICT))
    located = [(f, i) for f, lines in enumerate(plan.files) for i in range(len(lines))]
    picks = rng.sample(range(len(located)), min(len(located), n_duplicates + 4 * n_conflicts))
    for pick in picks:
        file_index, line_index = located[pick]
        record = plan.files[file_index][line_index].record
        if plan.conflicts < n_conflicts:
            if record["event_type"] not in ("api_request", "llm_completion"):
                continue
            target = _later_file(rng, plan, file_index, 5)
            text = _line(_conflicting(rng, record))
            plan.conflicts += 1
        elif plan.duplicates < n_duplicates:
            same_file = rng.random() < SAME_FILE_DUPLICATE_SHARE
            target = file_index if same_file else _later_file(rng, plan, file_index, 3)
            text = _line(record)
            plan.duplicates += 1
        else:
            break
        low = line_index + 1 if target == file_index else 0
        position = rng.randint(low, len(plan.files[target]))
        plan.inserts[target].append(_Insert(position, text))


def _bad_base(rng: random.Random, plan: _Plan, day_index: int, event_type: str) -> _Event:
    account = ACCOUNTS[rng.randrange(len(ACCOUNTS) - 1)]  # any account but cyberdyne
    return _usage_event(rng, account, day_index, plan.days[day_index], event_type)


def _bad_line(rng: random.Random, kind: str, record: dict[str, Any], as_of: date) -> str:
    if kind == "non_json_line":
        text = _line(record)
        return text[: len(text) // 2]  # a line cut off mid-write
    if kind == "json_array_line":
        return "[" + _line(record) + "]"
    if kind.startswith("missing_"):
        del record[kind.removeprefix("missing_")]
    elif kind == "invalid_timestamp":
        record["occurred_at"] = record["occurred_at"][:8] + "32T25:61:00Z"
    elif kind == "future_timestamp":
        record["occurred_at"] = f"{as_of + timedelta(days=120)}T10:00:00Z"
    elif kind == "unknown_account":
        record["account_id"] = UNKNOWN_ACCOUNT
    elif kind == "negative_tokens":
        record["properties"]["tokens"] = -int(record["properties"]["tokens"])
    return _line(record)


def _add_bad_records(rng: random.Random, plan: _Plan, as_of: date) -> None:
    kinds = [kind for kind in BAD_KINDS if kind != "non_numeric_gb"]
    targets = rng.sample(range(len(plan.days)), len(kinds))
    for kind, day_index in zip(kinds, targets, strict=True):
        event_type = "llm_completion" if kind == "negative_tokens" else "api_request"
        record = _bad_base(rng, plan, day_index, event_type).record
        position = rng.randint(0, len(plan.files[day_index]))
        plan.inserts[day_index].append(_Insert(position, _bad_line(rng, kind, record, as_of)))
        plan.bad[kind] = 1
    # The storage agent failed to measure one bucket: a snapshot with a non-numeric gb.
    snapshot = rng.choice(plan.storage)
    account = next(a for a in ACCOUNTS if a.account_id == snapshot.record["account_id"])
    broken = _storage_event(rng, account, snapshot.day_index, plan.days[snapshot.day_index])
    broken.record["properties"]["gb"] = "n/a"
    plan.storage_extra.append(broken)
    plan.bad["non_numeric_gb"] = 1


def _build_plan(as_of: date, events: int, seed: int) -> _Plan:
    rng = random.Random(seed)
    days = _window(as_of)
    storage = _storage_events(rng, days)
    # events on a schedule of their own (seat counts, payments), outside the traffic model
    scheduled = _seat_events(days) + _payment_events(seed, days)
    usage_count = events - len(storage) - len(scheduled)
    if events < MIN_EVENTS or usage_count < MIN_EVENTS // 2:
        minimum = max(MIN_EVENTS, len(storage) + MIN_EVENTS // 2)
        raise ValueError(f"events must be at least {minimum} (got {events})")
    files = _usage_files(rng, days, usage_count)
    for event in scheduled:
        files[event.day_index].append(event)
        files[event.day_index].sort(key=lambda event: (event.at, event.record["event_id"]))
    plan = _Plan(days, files, [[] for _ in days], storage)
    _add_resends(rng, plan, events)
    _add_bad_records(rng, plan, as_of)
    return plan


# --------------------------------------------------------------------------- writing


def _file_lines(events: list[_Event], inserts: list[_Insert]) -> list[str]:
    by_position: dict[int, list[str]] = {}
    for insert in inserts:
        by_position.setdefault(insert.position, []).append(insert.text)
    lines: list[str] = []
    for index in range(len(events) + 1):
        lines.extend(by_position.get(index, []))
        if index < len(events):
            lines.append(_line(events[index].record))
    return lines


def _landing_time(day: date, hours: int, minute: int) -> float:
    """A little after the day ends (UTC): when the day's batch lands."""
    moment = datetime.combine(day + timedelta(days=1), time(hours, minute), tzinfo=UTC)
    return moment.timestamp()


def _write_ndjson(path: Path, lines: list[str], gzipped: bool, landed_at: float) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if gzipped:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (landed_at, landed_at))


def _parquet_row(event: _Event) -> dict[str, str | None]:
    record = event.record
    return {
        "event_id": record["event_id"],
        "source": record.get("source"),
        "event_type": record["event_type"],
        "account_id": record["account_id"],
        "occurred_at": record["occurred_at"],
        "properties": json.dumps(record["properties"], separators=(",", ":")),
    }


def _write_parquet(path: Path, events: list[_Event], landed_at: float) -> None:
    rows = [_parquet_row(event) for event in events]
    schema = pa.schema([(name, pa.string()) for name in PARQUET_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    os.utime(path, (landed_at, landed_at))


def _clear_previous(root: Path) -> None:
    """Remove the files an earlier run wrote (and folders left empty), nothing else."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and _GENERATED_NAME.match(path.name):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _write_days(rng: random.Random, plan: _Plan, root: Path) -> tuple[int, int, int]:
    plain = gzipped = records = 0
    for day_index, day in enumerate(plan.days):
        lines = _file_lines(plan.files[day_index], plan.inserts[day_index])
        weekend = day.weekday() >= 5
        name = f"events-{day.isoformat()}.ndjson" + (".gz" if weekend else "")
        path = root / f"{day:%Y}" / f"{day:%m}" / name
        _write_ndjson(path, lines, weekend, _landing_time(day, 3, rng.randrange(60)))
        gzipped += weekend
        plain += not weekend
        records += len(lines)
    return plain, gzipped, records


def _write_storage(rng: random.Random, plan: _Plan, root: Path) -> tuple[int, int]:
    months: dict[tuple[int, int], list[_Event]] = {}
    for event in plan.storage + plan.storage_extra:
        day = plan.days[event.day_index]
        months.setdefault((day.year, day.month), []).append(event)
    for (year, month), events in sorted(months.items()):
        events.sort(key=lambda event: (event.at, event.record["event_id"]))
        last_day = max(plan.days[event.day_index] for event in events)
        name = f"storage-snapshots-{year:04d}-{month:02d}.parquet"
        path = root / f"{year:04d}" / f"{month:02d}" / name
        _write_parquet(path, events, _landing_time(last_day, 6, rng.randrange(60)))
    return len(months), len(plan.storage) + len(plan.storage_extra)


def _events_by_type(plan: _Plan) -> dict[str, int]:
    counts = {event_type: 0
              for event_type in (*USAGE_TYPES, "storage_snapshot", "seat_count", "payment")}
    for events in plan.files:
        for event in events:
            counts[event.record["event_type"]] += 1
    counts["storage_snapshot"] = len(plan.storage)
    return counts


def _counts(plan: _Plan, plain: int, gzipped: int, parquet: int, records: int) -> dict[str, Any]:
    bad_total = sum(plan.bad.values())
    by_reason: dict[str, int] = {}
    for kind, n in plan.bad.items():
        by_reason[BAD_KINDS[kind]] = by_reason.get(BAD_KINDS[kind], 0) + n
    by_type = _events_by_type(plan)
    return {
        "files": plain + gzipped + parquet,
        "ndjson_files": plain,
        "ndjson_gz_files": gzipped,
        "parquet_files": parquet,
        "records": records,
        "events": sum(by_type.values()),
        "events_by_type": by_type,
        "duplicates": plan.duplicates,
        "conflicts": plan.conflicts,
        "bad_records": bad_total,
        "bad_records_by_kind": dict(plan.bad),
        "quarantined_by_reason": dict(sorted(by_reason.items())),
        "first_day": plan.days[0].isoformat(),
        "last_day": plan.days[-1].isoformat(),
    }


def generate(
    out_dir: str | Path, as_of: date | str, events: int = DEFAULT_EVENTS, seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Write the sample under `<out_dir>/sample/` and return what was written.

    `events` is the number of distinct valid events (storage snapshots and page views included);
    duplicates, conflicts and bad records come on top of it, so
    `records = events + duplicates + conflicts + bad_records`.
    """
    as_of_date = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    plan = _build_plan(as_of_date, events, seed)
    root = Path(out_dir) / SUBFOLDER
    _clear_previous(root)
    rng = random.Random(seed + 1)
    plain, gzipped, ndjson_records = _write_days(rng, plan, root)
    parquet, parquet_records = _write_storage(rng, plan, root)
    return _counts(plan, plain, gzipped, parquet, ndjson_records + parquet_records)


def summary_line(out_dir: str | Path, counts: dict[str, Any]) -> str:
    bad = ", ".join(f"{kind} {n}" for kind, n in counts["bad_records_by_kind"].items())
    return (
        f"sample: wrote {counts['files']} files ({counts['ndjson_files']} .ndjson, "
        f"{counts['ndjson_gz_files']} .ndjson.gz, {counts['parquet_files']} .parquet) to "
        f"{Path(out_dir) / SUBFOLDER}, {counts['first_day']}..{counts['last_day']}: "
        f"{counts['records']:,} records = {counts['events']:,} events + "
        f"{counts['duplicates']:,} exact duplicates + {counts['conflicts']} conflicts + "
        f"{counts['bad_records']} bad records ({bad})"
    )


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="data/landing",
                        help="landing directory; files go to <out>/sample/ (default data/landing)")
    parser.add_argument("--as-of", default=datetime.now(UTC).date().isoformat(),
                        help="billing date YYYY-MM-DD; events end the day before (default today)")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help=f"distinct valid events to write (default {DEFAULT_EVENTS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        counts = generate(args.out, args.as_of, args.events, args.seed)
    except ValueError as error:
        print(f"sample: {error}", file=sys.stderr)
        return 2
    print(summary_line(args.out, counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

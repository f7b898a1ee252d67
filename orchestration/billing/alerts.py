"""Usage and spend alerts: each crossing of marts.fct_alert_crossings sent once to a webhook.

A crossing (one alert rule, account, period or balance, and threshold level) is POSTed as JSON to
the configured URL, signed, with its id as the idempotency key, and recorded in the push ledger
(target `alert_webhook`, the crossing id in the ledger's `invoice_id` column, step `webhook`)
only after the receiver answered 2xx. So:

- a rerun sends nothing already recorded;
- a delivery that fails (a connection error, a timeout, 408, 425, 429 or 5xx) is retried with
  exponential backoff; still failing, it is not recorded, is named, and is sent on the next run;
  any other answer (a 4xx: the receiver refuses it) is named and not retried in this run; after
  three crossings in a row that failed, the rest wait for the next run (the receiver is down);
- a run that crashes between the receiver's 2xx and the ledger row re-sends the crossing on the
  next run with the same idempotency key and the same `id` in the body: the receiver keeps
  the ids it has processed and drops the repeat (README "Usage and spend alerts");
- a crossing recomputed after a late event keeps its id (the key hashes no value and no date):
  it is never sent twice.

Signature (as Stripe's): header `Meterline-Signature: t=<unix seconds>,v1=<hex>` where `<hex>`
is HMAC-SHA256 with the shared secret over `<t>.` followed by the raw body. A receiver
recomputes it over the body bytes it received, compares in constant time and rejects a `t` more
than five minutes from its clock (`verify_signature` below does exactly that).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from orchestration.billing.ledger import PushLedger

TARGET = "alert_webhook"
STEP = "webhook"
EVENT_TYPE = "meterline.alert.crossing"
SIGNATURE_HEADER = "Meterline-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A receiver rejects a signature whose timestamp is further than this from its clock.
SIGNATURE_TOLERANCE_SECONDS = 300
# Answers worth retrying: the receiver may accept the same request later.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
MART_ALERT_CROSSINGS = "marts.fct_alert_crossings"

COLUMNS = (
    "alert_crossing_id",
    "alert_rule_id",
    "account_id",
    "metric",
    "direction",
    "meter_id",
    "currency",
    "period_start",
    "period_end",
    "balance_id",
    "threshold",
    "recurring_every",
    "level_number",
    "threshold_level",
    "crossed_on",
    "crossed_value",
    "current_value",
    "as_of",
    "description",
)


@dataclass(frozen=True)
class Crossing:
    alert_crossing_id: str
    alert_rule_id: str
    account_id: str
    metric: str
    direction: str
    meter_id: str | None
    currency: str | None
    period_start: date | None
    period_end: date | None
    balance_id: str | None
    threshold: Decimal
    recurring_every: Decimal | None
    level_number: int
    threshold_level: Decimal
    crossed_on: date | None
    crossed_value: Decimal | None
    current_value: Decimal
    as_of: date
    description: str | None


def load_crossings(conn: duckdb.DuckDBPyConnection) -> list[Crossing]:
    """Every crossing of the mart, in a stable order (rule, account, period, balance, level)."""
    rows = conn.execute(
        f"select {', '.join(COLUMNS)} from {MART_ALERT_CROSSINGS}"
        " order by alert_rule_id, account_id, period_start, balance_id, level_number"
    ).fetchall()
    return [Crossing(*row) for row in rows]


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as plain text without trailing fractional zeros (4000.500000000 -> 4000.5),
    never in exponent notation (0E-9 -> 0) and never through binary floating point."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def payload(crossing: Crossing) -> dict:
    """The JSON document sent for a crossing; numbers are decimal strings."""
    return {
        "type": EVENT_TYPE,
        "id": crossing.alert_crossing_id,
        "alert_rule_id": crossing.alert_rule_id,
        "account_id": crossing.account_id,
        "metric": crossing.metric,
        "direction": crossing.direction,
        "meter_id": crossing.meter_id,
        "currency": crossing.currency,
        "period_start": _day(crossing.period_start),
        "period_end": _day(crossing.period_end),
        "balance_id": crossing.balance_id,
        "threshold": decimal_text(crossing.threshold),
        "recurring_every": decimal_text(crossing.recurring_every),
        "level_number": crossing.level_number,
        "level": decimal_text(crossing.threshold_level),
        "crossed_on": _day(crossing.crossed_on),
        "crossed_value": decimal_text(crossing.crossed_value),
        "value": decimal_text(crossing.current_value),
        "as_of": _day(crossing.as_of),
        "description": crossing.description,
    }


def body(crossing: Crossing) -> bytes:
    return json.dumps(payload(crossing), sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` with the shared secret."""
    message = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, raw_body)}"


def verify_signature(
    secret: str,
    header: str,
    raw_body: bytes,
    tolerance_seconds: int = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: True when `header` signs `raw_body` with `secret` and its time is
    within the tolerance of `now` (default: the current time)."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp, raw_body)
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    # Waits between attempts: backoff, 2 x backoff, 4 x backoff, ...
    backoff_seconds: float = 1.0
    # After this many crossings in a row that could not be delivered the receiver is taken to be
    # down: the rest are left for the next run instead of holding the run (and the warehouse)
    # through every crossing's retries.
    stop_after_failures: int = 3


class TransportError(Exception):
    """The request did not get an answer (connection refused or reset, DNS, timeout)."""


def http_post(url: str, headers: dict[str, str], raw_body: bytes, timeout: float) -> int:
    """POST and return the HTTP status (any status, 2xx or not)."""
    request = urllib.request.Request(url, data=raw_body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TransportError(str(getattr(error, "reason", error))) from error


Transport = Callable[[str, dict[str, str], bytes, float], int]


@dataclass
class AlertResult:
    sent: list[Crossing] = field(default_factory=list)
    already_sent: int = 0
    # crossing id -> why it was not delivered (retried on the next run)
    failures: dict[str, str] = field(default_factory=dict)
    requests: int = 0


def _retryable(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def deliver(
    crossing: Crossing,
    settings: WebhookSettings,
    transport: Transport = http_post,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> tuple[int | None, str | None, int]:
    """Send one crossing, retrying transient failures. Returns (2xx status or None, the reason
    it failed or None, the number of requests made)."""
    raw_body = body(crossing)
    reason = "not sent"
    for attempt in range(settings.max_attempts):
        if attempt:
            sleep(settings.backoff_seconds * 2 ** (attempt - 1))
        timestamp = int(clock())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "meterline-alerts",
            IDEMPOTENCY_HEADER: crossing.alert_crossing_id,
            SIGNATURE_HEADER: signature_header(settings.secret, timestamp, raw_body),
        }
        try:
            status = transport(settings.url, headers, raw_body, settings.timeout_seconds)
        except TransportError as error:
            reason = f"no answer ({error})"
            continue
        if 200 <= status < 300:
            return status, None, attempt + 1
        reason = f"HTTP {status}"
        if not _retryable(status):
            return None, f"{reason} (refused, not retried)", attempt + 1
    return None, f"{reason} after {settings.max_attempts} attempts", settings.max_attempts


def send_alerts(
    crossings: list[Crossing],
    settings: WebhookSettings,
    ledger: PushLedger,
    transport: Transport = http_post,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> AlertResult:
    """Send every crossing the ledger does not list; record each right after its 2xx."""
    if ledger.target != TARGET:
        raise ValueError(f"alerts are recorded under ledger target {TARGET!r}")
    if not settings.secret:
        raise ValueError("alerts are never sent unsigned: the webhook secret is empty")
    if not settings.url.lower().startswith(("https://", "http://")):
        raise ValueError(f"the alert webhook URL must be http(s), not {settings.url!r}")
    result = AlertResult()
    failed_in_a_row = 0
    for crossing in crossings:
        if ledger.has(crossing.alert_crossing_id, STEP):
            result.already_sent += 1
            continue
        if failed_in_a_row >= settings.stop_after_failures:
            result.failures[crossing.alert_crossing_id] = (
                f"not tried: the {failed_in_a_row} crossings before it failed"
            )
            continue
        status, reason, requests = deliver(crossing, settings, transport, sleep, clock)
        result.requests += requests
        if status is None:
            result.failures[crossing.alert_crossing_id] = reason or "not sent"
            failed_in_a_row += 1
            continue
        failed_in_a_row = 0
        ledger.record(crossing.alert_crossing_id, STEP, f"HTTP {status}")
        result.sent.append(crossing)
    return result


def markdown_table(crossings: list[Crossing], limit: int = 50) -> str:
    """The crossings as a markdown table for the Dagster UI (the first `limit` rows)."""
    lines = [
        "| crossing | rule | account | metric | period / balance | level | value |",
        "|---|---|---|---|---|---|---|",
    ]
    for crossing in crossings[:limit]:
        where = crossing.balance_id or (
            f"{_day(crossing.period_start)} → {_day(crossing.period_end)}"
        )
        unit = crossing.currency or crossing.meter_id or ""
        lines.append(
            f"| `{crossing.alert_crossing_id}` | {crossing.alert_rule_id} | "
            f"{crossing.account_id} | {crossing.metric} | {where} | "
            f"{crossing.direction} {decimal_text(crossing.threshold_level)} {unit} | "
            f"{decimal_text(crossing.current_value)} |"
        )
    if len(crossings) > limit:
        lines.append(f"| … {len(crossings) - limit} more | | | | | | |")
    return "\n".join(lines)

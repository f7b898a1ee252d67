"""Usage and spend alerts: crossings of the fixture build, each delivered once to a webhook.

The fixture build (tests/fixtures/landing, as_of 2026-11-25, seeds/alert_rules.csv) has nine
crossings, worked out by hand from the fixture's figures (tests/fixtures/landing/README.md):

    ar_acme_tokens (acct_acme, llm_tokens, 1000 every 1000)
        September  1500 + 2500.5 = 4000.5     -> levels 1000, 2000, 3000, 4000      4 crossings
        October    300 (c_acme_free) + 700 (c_acme_payg) = 1000  -> level 1000       1 crossing
    ar_enterprise_api (plan enterprise, api_requests, 5)
        acct_wonka November  /v1/chat 3 + /v1/search 3 = 6 >= 5                      1 crossing
    ar_wayne_spend (acct_wayne, period_amount, 50.00 USD)
        November   usage and fixed 54.00 - 5 % discount 2.70 = 51.30 before credits
                   (the invoice's total is 0.00 after the 51.30 credit) >= 50        1 crossing
        September, October  49.00 - 2.45 = 46.55 < 50                               none
    ar_wayne_credit (acct_wayne, credit_balance, below 10.00)
        g_wayne_promo  100 - 46.55 = 53.45, - 46.55 = 6.90 on 2026-10-01 <= 10       1 crossing
        g_wayne_prepaid  1000 - 51.30 = 948.70                                      none
    ar_oscorp_commitment (acct_oscorp, commitment_balance, below 4950.00)
        cm_oscorp_y1  5000 - 100 drawdown = 4900 on 2026-09-15 <= 4950               1 crossing

A local HTTP server (http.server in a thread) is the receiver: it records every request, answers
as told, and verifies each signature with the shared secret by its own HMAC, independently of
the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from conftest import DbtRun, copy_database
from dagster import materialize

from orchestration.assets.alerts import ALERT_WEBHOOK_KEY, alert_webhook
from orchestration.billing import alerts
from orchestration.billing.ledger import PushLedger
from orchestration.resources import AlertWebhookResource, WarehouseResource

SECRET = "whsec_test_3f9a"
EXPECTED_CROSSINGS = {
    # (rule, account, period_start or balance, level): value now
    ("ar_acme_tokens", "acct_acme", "2026-09-01", "1000"): "4000.5",
    ("ar_acme_tokens", "acct_acme", "2026-09-01", "2000"): "4000.5",
    ("ar_acme_tokens", "acct_acme", "2026-09-01", "3000"): "4000.5",
    ("ar_acme_tokens", "acct_acme", "2026-09-01", "4000"): "4000.5",
    ("ar_acme_tokens", "acct_acme", "2026-10-01", "1000"): "1000",
    ("ar_enterprise_api", "acct_wonka", "2026-11-01", "5"): "6",
    ("ar_wayne_spend", "acct_wayne", "2026-11-01", "50"): "51.3",
    ("ar_wayne_credit", "acct_wayne", "g_wayne_promo", "10"): "0",
    ("ar_oscorp_commitment", "acct_oscorp", "cm_oscorp_y1", "4950"): "4900",
}


@dataclass
class Receiver:
    """What the webhook server received, and what it answers next."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    # crossing id -> statuses to answer first (then 200)
    script: dict[str, list[int]] = field(default_factory=dict)
    processed: set[str] = field(default_factory=set)

    def delivered_ids(self) -> list[str]:
        return [r["key"] for r in self.requests if r["status"] == 200]


def _valid_signature(header: str, raw_body: bytes) -> bool:
    """The receiver's own check: t=<unix>,v1=HMAC-SHA256(secret, '<t>.' + body) in hex."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        SECRET.encode(), fields["t"].encode() + b"." + raw_body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            key = self.headers["Idempotency-Key"]
            queued = state.script.get(key, [])
            status = queued.pop(0) if queued else 200
            document = json.loads(raw)
            state.requests.append({
                "key": key,
                "status": status,
                "body": document,
                "signed": _valid_signature(self.headers["Meterline-Signature"], raw),
                # a receiver dedupes by the idempotency key: a repeat is not processed again
                "duplicate": status == 200 and key in state.processed,
            })
            if status == 200:
                state.processed.add(key)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/meterline"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _settings(receiver: Receiver) -> alerts.WebhookSettings:
    return alerts.WebhookSettings(
        url=receiver.url, secret=SECRET, timeout_seconds=5, max_attempts=3, backoff_seconds=0.01
    )


def _send(database: Path, receiver: Receiver) -> alerts.AlertResult:
    with duckdb.connect(str(database)) as conn:
        ledger = PushLedger(conn, alerts.TARGET)
        return alerts.send_alerts(alerts.load_crossings(conn), _settings(receiver), ledger)


def _ledger_ids(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return [row[0] for row in conn.execute(
            "select invoice_id from billing.push_ledger where target = 'alert_webhook'"
        ).fetchall()]


def _crossing_index(database: Path) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """(rule, account, period or balance, level) -> (crossing id, value now)."""
    with duckdb.connect(str(database), read_only=True) as conn:
        crossings = alerts.load_crossings(conn)
    return {
        (
            c.alert_rule_id,
            c.account_id,
            c.balance_id or c.period_start.isoformat(),
            alerts.decimal_text(c.threshold_level),
        ): (c.alert_crossing_id, alerts.decimal_text(c.current_value))
        for c in crossings
    }


def _rebuild_crossings(fixture_build: DbtRun, database: Path) -> None:
    """Rebuild marts.fct_alert_crossings in `database` from its inputs there, with the model's
    SQL as the fixture build compiled it (as_of 2026-11-25): what the next dbt run does, without
    starting dbt."""
    compiled = next(
        (fixture_build.database.parent / "target" / "compiled").rglob("fct_alert_crossings.sql")
    ).read_text()
    with duckdb.connect(str(database)) as conn:
        conn.execute(f"create or replace table marts.fct_alert_crossings as {compiled}")


@pytest.fixture
def database(fixture_build: DbtRun, tmp_path: Path) -> Path:
    return copy_database(fixture_build, tmp_path / "warehouse")


def test_fixture_crossings_are_the_hand_worked_ones(database: Path) -> None:
    index = _crossing_index(database)
    assert {key: value for key, (_, value) in index.items()} == EXPECTED_CROSSINGS


def test_each_crossing_is_delivered_once_signed_and_retried(
    database: Path, receiver: Receiver
) -> None:
    index = _crossing_index(database)
    wayne_spend, _ = index[("ar_wayne_spend", "acct_wayne", "2026-11-01", "50")]
    # the receiver fails wayne's spend alert once (500), then accepts it
    receiver.script[wayne_spend] = [500]

    first = _send(database, receiver)
    assert len(first.sent) == 9 and not first.failures
    # 9 crossings, one of them twice (500, then 200 on the retry): 10 requests
    assert first.requests == 10 and len(receiver.requests) == 10
    assert [r["status"] for r in receiver.requests if r["key"] == wayne_spend] == [500, 200]
    assert sorted(receiver.delivered_ids()) == sorted(i for i, _ in index.values())
    assert all(r["signed"] for r in receiver.requests)
    assert sorted(_ledger_ids(database)) == sorted(i for i, _ in index.values())

    spend = next(r["body"] for r in receiver.requests if r["key"] == wayne_spend)
    assert spend == {
        "type": "meterline.alert.crossing",
        "id": wayne_spend,
        "alert_rule_id": "ar_wayne_spend",
        "account_id": "acct_wayne",
        "metric": "period_amount",
        "direction": "above",
        "meter_id": None,
        "currency": "USD",
        "period_start": "2026-11-01",
        "period_end": "2026-12-01",
        "balance_id": None,
        "threshold": "50",
        "recurring_every": None,
        "level_number": 1,
        "level": "50",
        "crossed_on": None,
        "crossed_value": None,
        "value": "51.3",
        "as_of": "2026-11-25",
        "description": "This period's charges reach 50.00 USD (before credits)",
    }

    # a rerun sends nothing: every crossing is in the ledger
    again = _send(database, receiver)
    assert (len(again.sent), again.already_sent, again.requests) == (0, 9, 0)
    assert len(receiver.requests) == 10


def test_a_failed_delivery_is_not_recorded_and_goes_on_the_next_run(
    database: Path, receiver: Receiver
) -> None:
    index = _crossing_index(database)
    oscorp, _ = index[("ar_oscorp_commitment", "acct_oscorp", "cm_oscorp_y1", "4950")]
    receiver.script[oscorp] = [503, 503, 503]  # every attempt of this run (max_attempts 3)

    first = _send(database, receiver)
    assert list(first.failures) == [oscorp] and len(first.sent) == 8
    assert "HTTP 503 after 3 attempts" in first.failures[oscorp]
    assert oscorp not in _ledger_ids(database)

    second = _send(database, receiver)
    assert [c.alert_crossing_id for c in second.sent] == [oscorp]
    assert second.already_sent == 8
    assert receiver.delivered_ids().count(oscorp) == 1


def test_a_crash_between_send_and_record_resends_with_the_same_key(
    database: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receiver answered 2xx, then the run died before the ledger row: the next run sends the
    crossing again with the same idempotency key and id, and the receiver drops the repeat."""
    index = _crossing_index(database)
    acme_oct, _ = index[("ar_acme_tokens", "acct_acme", "2026-10-01", "1000")]
    record = PushLedger.record

    def crash_on_acme(self: PushLedger, invoice_id: str, *args: object, **kwargs: object) -> None:
        if invoice_id == acme_oct:
            raise RuntimeError("killed after the send")
        record(self, invoice_id, *args, **kwargs)

    monkeypatch.setattr(PushLedger, "record", crash_on_acme)
    with pytest.raises(RuntimeError):
        _send(database, receiver)
    monkeypatch.undo()
    assert acme_oct in receiver.processed and acme_oct not in _ledger_ids(database)

    _send(database, receiver)
    repeats = [r for r in receiver.requests if r["key"] == acme_oct]
    assert len(repeats) == 2
    assert repeats[0]["body"]["id"] == repeats[1]["body"]["id"] == acme_oct
    assert [r["duplicate"] for r in repeats] == [False, True]
    # the receiver processed each of the 9 crossings once
    assert len(receiver.processed) == 9
    assert sorted(_ledger_ids(database)) == sorted(i for i, _ in index.values())


def test_a_recomputed_crossing_keeps_its_key_and_is_not_sent_again(
    fixture_build: DbtRun, database: Path, receiver: Receiver
) -> None:
    """A late llm_tokens event for acct_acme's September: the mart's period quantity goes from
    4000.5 to 4000.5 + 999.5 = 5000 (as the daily run would rebuild it), and fct_alert_crossings
    is rebuilt from it by its compiled SQL. Levels 1000 to 4000 keep their keys (value now 5000:
    not sent again); 5000 is a new level, sent once."""
    before = _crossing_index(database)
    _send(database, receiver)
    assert len(receiver.requests) == 9

    with duckdb.connect(str(database)) as conn:
        conn.execute(
            "update marts.fct_period_usage set quantity = quantity + 999.5"
            " where account_id = 'acct_acme' and meter_id = 'llm_tokens'"
            " and period_start = date '2026-09-01' and dimension_value = 'gpt-small'"
        )
    _rebuild_crossings(fixture_build, database)
    after = _crossing_index(database)
    september = [k for k in after if k[:3] == ("ar_acme_tokens", "acct_acme", "2026-09-01")]
    assert sorted(september, key=lambda k: Decimal(k[3])) == [
        ("ar_acme_tokens", "acct_acme", "2026-09-01", level)
        for level in ("1000", "2000", "3000", "4000", "5000")
    ]
    for key in september:
        if key[3] != "5000":
            assert after[key] == (before[key][0], "5000")

    second = _send(database, receiver)
    new_level = after[("ar_acme_tokens", "acct_acme", "2026-09-01", "5000")][0]
    assert [c.alert_crossing_id for c in second.sent] == [new_level]
    assert second.already_sent == 9
    assert len(receiver.processed) == 10 and len(receiver.requests) == 10


def test_a_receiver_that_is_down_stops_the_run_after_three_failed_crossings() -> None:
    """No server at all: three crossings fail (each after its 2 attempts), the other two are not
    tried; nothing is recorded."""
    crossings = [
        alerts.Crossing(f"c{i}", "r", "a", "meter_quantity", "above", "m", None, None, None, None,
                        Decimal(1), None, 1, Decimal(1), None, None, Decimal(2),
                        date(2026, 11, 25), None)
        for i in range(5)
    ]
    requests: list[str] = []

    def refused(url: str, headers: dict[str, str], raw: bytes, timeout: float) -> int:
        requests.append(headers["Idempotency-Key"])
        raise alerts.TransportError("connection refused")

    settings = alerts.WebhookSettings(url="http://127.0.0.1:9/", secret=SECRET, max_attempts=2,
                                      backoff_seconds=0)
    with duckdb.connect() as conn:
        ledger = PushLedger(conn, alerts.TARGET)
        result = alerts.send_alerts(crossings, settings, ledger, transport=refused)
        assert ledger.appended == 0
    assert requests == ["c0", "c0", "c1", "c1", "c2", "c2"]
    assert sorted(result.failures) == ["c0", "c1", "c2", "c3", "c4"]
    assert result.failures["c3"].startswith("not tried")


def test_signature_helper_matches_the_receiver_check() -> None:
    raw = b'{"id":"x"}'
    header = alerts.signature_header(SECRET, 1_800_000_000, raw)
    assert _valid_signature(header, raw)
    assert alerts.verify_signature(SECRET, header, raw, now=1_800_000_100)
    assert not alerts.verify_signature(SECRET, header, raw + b" ", now=1_800_000_100)
    assert not alerts.verify_signature("other", header, raw, now=1_800_000_100)
    # older than five minutes: a replayed request is refused
    assert not alerts.verify_signature(SECRET, header, raw, now=1_800_000_301)


def test_asset_sends_once_and_without_a_url_is_only_observed(
    database: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METERLINE_ALERT_WEBHOOK_URL", raising=False)
    warehouse = WarehouseResource(database_path=str(database))

    unset = materialize([alert_webhook], resources={
        "warehouse": warehouse, "webhook": AlertWebhookResource(secret=SECRET),
    })
    assert unset.success
    assert not unset.get_asset_materialization_events()
    [observation] = unset.get_asset_observation_events()
    assert observation.asset_key == ALERT_WEBHOOK_KEY
    assert receiver.requests == [] and _ledger_ids(database) == []

    webhook = AlertWebhookResource(url=receiver.url, secret=SECRET, backoff_seconds=0.01)
    for expected_sent in (9, 0):
        run = materialize([alert_webhook], resources={"warehouse": warehouse, "webhook": webhook})
        assert run.success
        [event] = run.get_asset_materialization_events()
        metadata = event.materialization.metadata
        assert metadata["alerts_sent"].value == expected_sent
        assert metadata["alerts_already_sent"].value == 9 - expected_sent
    assert len(receiver.requests) == 9


def test_header_only_seed_gives_no_crossings_and_changes_no_other_mart(
    fixture_build: DbtRun, tmp_path: Path
) -> None:
    """Nothing but stg_alert_rules and fct_alert_crossings reads the seed (the manifest), so no
    other mart can change; and with a header-only seed the crossings mart is empty."""
    manifest = json.loads(
        (fixture_build.database.parent / "target" / "manifest.json").read_text()
    )
    children = manifest["child_map"]["seed.meterline.alert_rules"]
    readers = set()
    pending = list(children)
    while pending:
        node = pending.pop()
        if node.startswith("model.") and node not in readers:
            readers.add(node)
            pending.extend(manifest["child_map"][node])
    assert readers == {"model.meterline.stg_alert_rules", "model.meterline.fct_alert_crossings"}

    # a header-only seed loads as the seed's table without rows
    database = copy_database(fixture_build, tmp_path / "warehouse")
    with duckdb.connect(str(database)) as conn:
        conn.execute("delete from seeds.alert_rules")
    _rebuild_crossings(fixture_build, database)
    assert _crossing_index(database) == {}

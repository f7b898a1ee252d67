"""Tests of the sample event generator (orchestration.sample), on a small sample."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from orchestration import sample

AS_OF = "2026-11-25"
EVENTS = 3_000
SEED = 42
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


@dataclass
class Landed:
    """One landed record: where it is and what it parses to (None: not a JSON object)."""

    path: Path
    line: int
    raw: str
    record: dict[str, Any] | None


def _ndjson_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8").splitlines()


def _parse(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def read_landing(root: Path) -> list[Landed]:
    """Every record under root, in landing order (mtime, file name, line)."""
    files = sorted((p for p in root.rglob("*") if p.is_file()),
                   key=lambda p: (p.stat().st_mtime, p.name))
    landed: list[Landed] = []
    for path in files:
        if path.suffix == ".parquet":
            for i, row in enumerate(pq.read_table(path).to_pylist()):
                record = dict(row)
                record["properties"] = json.loads(record["properties"])
                if record["source"] is None:
                    del record["source"]
                landed.append(Landed(path, i, json.dumps(row), record))
        else:
            for i, raw in enumerate(_ndjson_lines(path)):
                landed.append(Landed(path, i, raw, _parse(raw)))
    return landed


def _tree(root: Path) -> dict[str, tuple[bytes, float]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("landing")
    counts = sample.generate(out, AS_OF, EVENTS, SEED)
    return out, counts


@pytest.fixture(scope="module")
def landed(generated: tuple[Path, dict[str, Any]]) -> list[Landed]:
    out, _ = generated
    return read_landing(out / sample.SUBFOLDER)


def _is_clean(record: dict[str, Any] | None) -> bool:
    """Not one of the deliberately bad records."""
    if record is None or not {"event_id", "event_type", "account_id"} <= set(record):
        return False
    if record["account_id"] not in {a.account_id for a in sample.ACCOUNTS}:
        return False
    moment = _instant(record["occurred_at"])
    if moment is None or moment >= datetime(2026, 11, 26, tzinfo=UTC):
        return False
    properties = record["properties"]
    if "tokens" in properties and int(properties["tokens"]) < 0:
        return False
    return not ("gb" in properties and properties["gb"] == "n/a")


@pytest.fixture(scope="module")
def valid(landed: list[Landed]) -> list[dict[str, Any]]:
    """The records that are not deliberately bad (exact copies and conflicts included)."""
    records = [item.record for item in landed if _is_clean(item.record)]
    assert len(records) == len(landed) - 10
    return records


def test_same_seed_gives_same_bytes_and_times(tmp_path: Path) -> None:
    first = sample.generate(tmp_path / "a", AS_OF, EVENTS, SEED)
    second = sample.generate(tmp_path / "b", AS_OF, EVENTS, SEED)
    assert first == second
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_another_seed_gives_other_events(tmp_path: Path) -> None:
    sample.generate(tmp_path / "a", AS_OF, EVENTS, SEED)
    sample.generate(tmp_path / "b", AS_OF, EVENTS, SEED + 1)
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")


def test_counts_add_up(generated: tuple[Path, dict[str, Any]], landed: list[Landed]) -> None:
    _, counts = generated
    assert counts["events"] == EVENTS
    assert sum(counts["events_by_type"].values()) == EVENTS
    # 0.5% of 3,000 events re-sent; at least 3 conflicts; one bad record of each kind.
    assert counts["duplicates"] == 15
    assert counts["conflicts"] == 3
    assert counts["bad_records_by_kind"] == {kind: 1 for kind in sample.BAD_KINDS}
    assert counts["bad_records"] == 10
    expected_records = EVENTS + 15 + 3 + 10
    assert counts["records"] == expected_records
    assert len(landed) == expected_records


def test_event_type_proportions(generated: tuple[Path, dict[str, Any]]) -> None:
    _, counts = generated
    by_type = counts["events_by_type"]
    # One snapshot per account and local day: 14 accounts with a profile x 85 days = 1,190,
    # less Initech's first 9 days of September (its contract starts 2026-09-10) and Oscorp's
    # first 14 (from 2026-09-15): 1,190 - 9 - 14 = 1,167.
    assert by_type["storage_snapshot"] == 1_167
    # the traffic model's share: seat counts and payments are on schedules of their own
    usage = EVENTS - 1_167 - by_type["seat_count"] - by_type["payment"]
    assert 0.50 < by_type["api_request"] / usage < 0.65
    assert 0.28 < by_type["llm_completion"] / usage < 0.42
    assert 0.06 < by_type["user_login"] / usage < 0.12
    assert 0 < by_type["page_view"] / usage < 0.03


def test_files_of_every_format(generated: tuple[Path, dict[str, Any]]) -> None:
    out, counts = generated
    root = out / sample.SUBFOLDER
    names = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    plain = [n for n in names if n.endswith(".ndjson")]
    gzipped = [n for n in names if n.endswith(".ndjson.gz")]
    parquet = [n for n in names if n.endswith(".parquet")]
    # 2026-09-01 .. 2026-11-24 is 85 days, one file each; weekend days are gzipped.
    assert len(plain) + len(gzipped) == 85
    assert len(gzipped) == counts["ndjson_gz_files"] == 24
    assert len(parquet) == counts["parquet_files"] == 3
    assert counts["files"] == len(names) == 88
    assert "2026/09/events-2026-09-01.ndjson" in plain
    assert "2026/09/events-2026-09-05.ndjson.gz" in gzipped  # a Saturday
    assert "2026/11/storage-snapshots-2026-11.parquet" in parquet


def test_files_parse_back(generated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = generated
    unreadable = []
    for path in (out / sample.SUBFOLDER).rglob("*"):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            assert table.column_names == list(sample.PARQUET_COLUMNS)
            assert all(str(field.type) == "string" for field in table.schema)
            for row in table.to_pylist():
                assert isinstance(json.loads(row["properties"]), dict)
                assert row["event_type"] == "storage_snapshot"
        elif path.is_file():
            unreadable += [raw for raw in _ndjson_lines(path) if _parse(raw) is None]
    # Only the two deliberately malformed lines: one cut off, one a JSON array.
    assert len(unreadable) == 2
    assert sum(raw.startswith("[") for raw in unreadable) == 1
    assert isinstance(json.loads(next(r for r in unreadable if r.startswith("["))), list)


def test_every_bad_record_kind_is_present(
    generated: tuple[Path, dict[str, Any]], landed: list[Landed],
) -> None:
    known = {row["account_id"] for row in _seed_rows("accounts.csv")}
    records = [item.record for item in landed if item.record is not None]
    end_of_as_of = datetime(2026, 11, 26, tzinfo=UTC)
    found = Counter()
    for record in records:
        found["missing_event_id"] += "event_id" not in record
        found["missing_account_id"] += "account_id" not in record
        found["missing_event_type"] += "event_type" not in record
        moment = _instant(record["occurred_at"])
        found["invalid_timestamp"] += moment is None
        found["future_timestamp"] += moment is not None and moment > end_of_as_of + timedelta(
            hours=24)
        found["unknown_account"] += "account_id" in record and record["account_id"] not in known
        properties = record["properties"]
        tokens = properties.get("tokens")
        found["negative_tokens"] += tokens is not None and int(tokens) < 0
        gb = properties.get("gb")
        found["non_numeric_gb"] += isinstance(gb, str) and not gb.replace(".", "").isdigit()
    found["json_array_line"] = sum(item.raw.startswith("[") for item in landed)
    found["non_json_line"] = sum(item.record is None and not item.raw.startswith("[")
                                 for item in landed)
    assert dict(found) == {kind: 1 for kind in sample.BAD_KINDS}


def test_duplicates_and_conflicts(landed: list[Landed]) -> None:
    by_key: dict[tuple[str, str], list[Landed]] = {}
    for item in landed:
        if item.record is not None and "event_id" in item.record:
            key = (item.record.get("source", "default"), item.record["event_id"])
            by_key.setdefault(key, []).append(item)
    copies = [items for items in by_key.values() if len(items) > 1]
    exact = [items for items in copies if all(i.raw == items[0].raw for i in items)]
    conflicting = [items for items in copies if items not in exact]
    assert len(copies) == 18  # each re-sent once: 15 exact copies + 3 conflicts
    assert all(len(items) == 2 for items in copies)
    assert len(exact) == 15
    assert len(conflicting) == 3
    same_file = sum(items[0].path == items[1].path for items in exact)
    assert 0 < same_file < len(exact)  # some re-sent in the same file, some in a later one
    for first, second in exact:
        assert (first.path, first.line) != (second.path, second.line)
    for first, second in conflicting:
        assert first.record["properties"] != second.record["properties"]


def test_traffic_follows_contracts(valid: list[dict[str, Any]]) -> None:
    zones = {a.account_id: ZoneInfo(a.timezone) for a in sample.ACCOUNTS}
    events: Counter[tuple[str, str]] = Counter()
    usage: Counter[tuple[str, str]] = Counter()  # storage snapshots left out
    for record in valid:
        local = _instant(record["occurred_at"]).astimezone(zones[record["account_id"]])
        assert date(2026, 9, 1) <= local.date() <= date(2026, 11, 24)
        assert 9 <= local.hour < 18, record  # business hours of the account
        if record["account_id"] == "acct_initech":
            assert local.date() >= date(2026, 9, 10)
        key = (record["account_id"], f"{local:%Y-%m}")
        events[key] += 1
        usage[key] += record["event_type"] != "storage_snapshot"
    # Cyberdyne's contract ended 2026-10-01: it keeps sending (at least its storage snapshots),
    # but far less usage than in September.
    assert events["acct_cyberdyne", "2026-10"] > 0
    assert events["acct_cyberdyne", "2026-11"] > 0
    assert usage["acct_cyberdyne", "2026-10"] * 5 < usage["acct_cyberdyne", "2026-09"]
    # Acme grows after its upgrade on 2026-10-15.
    assert usage["acct_acme", "2026-11"] > 1.5 * usage["acct_acme", "2026-09"]
    # Traffic is skewed: the two biggest accounts carry close to half of it.
    totals: Counter[str] = Counter()
    for (account_id, _), n in usage.items():
        totals[account_id] += n
    top_two = sum(n for _, n in totals.most_common(2))
    assert top_two > 0.4 * sum(totals.values())


def test_properties_and_timestamps(valid: list[dict[str, Any]]) -> None:
    styles = Counter()
    sources = Counter()
    for record in valid:
        stamp = record["occurred_at"]
        styles["Z" if stamp.endswith("Z") else "offset" if stamp[-6] in "+-" else "naive"] += 1
        sources[record.get("source")] += 1
        properties = record["properties"]
        match record["event_type"]:
            case "api_request":
                assert properties["endpoint"].startswith("/v1/")
                assert isinstance(properties["latency_ms"], int)
            case "llm_completion":
                assert properties["model"] in ("gpt-large", "gpt-small", "embed-v2")
                tokens = properties["tokens"]
                assert str(tokens).isdigit()  # an integer, or a string of one
                assert int(tokens) == properties["input_tokens"] + properties["output_tokens"]
            case "storage_snapshot":
                assert float(properties["gb"]) > 0
            case "user_login":
                assert properties["user_id"].startswith("usr_")
    assert styles["Z"] > 0.7 * len(valid)
    assert styles["offset"] > 0
    assert styles["naive"] > 0
    assert None in sources  # some records without a source
    assert {"api-gateway", "llm-router", "storage-agent", "auth"} <= set(sources)


def test_seat_counts_change_mid_month(valid: list[dict[str, Any]]) -> None:
    seats = sorted(
        (record["account_id"], record["occurred_at"], record["properties"]["seats"])
        for record in valid if record["event_type"] == "seat_count"
    )
    # re-sent copies aside, one event per change of sample.SEAT_CHANGES, at the local hour
    assert sorted(set(seats)) == [
        ("acct_stark", "2026-09-01T10:00:00Z", 3),
        ("acct_stark", "2026-10-16T11:00:00Z", 5),
        ("acct_stark", "2026-11-09T14:00:00Z", 4),
        ("acct_wonka", "2026-09-01T09:00:00Z", 12),  # 10:00 in London (BST) is 09:00 UTC
        ("acct_wonka", "2026-10-12T14:00:00Z", 18),
        ("acct_wonka", "2026-10-26T09:00:00Z", 14),  # 09:00 GMT: summer time ended 25 October
        ("acct_wonka", "2026-11-16T16:00:00Z", 20),
    ]


def test_payments_span_the_percentage_bounds(valid: list[dict[str, Any]]) -> None:
    payments = [record for record in valid if record["event_type"] == "payment"]
    assert {record["account_id"] for record in payments} == {sample.PAYMENTS_ACCOUNT}
    amounts = [Decimal(str(record["properties"]["amount"])) for record in payments]
    # every amount has at most two decimals, and some fall on each side of the per-payment
    # bounds of p_stark_payments (2.9% + 0.30, each 0.50 to 10.00): below 0.50 for amounts
    # under (0.50 - 0.30) / 0.029 = 6.90, above 10.00 from (10.00 - 0.30) / 0.029 = 334.48
    assert all(amount == amount.quantize(Decimal("0.01")) and amount > 0 for amount in amounts)
    assert any(amount < Decimal("6.90") for amount in amounts)
    assert any(amount > Decimal("334.48") for amount in amounts)
    assert any(isinstance(record["properties"]["amount"], str) for record in payments)


def test_distinct_users_fewer_than_daily_logins(valid: list[dict[str, Any]]) -> None:
    logins = [r for r in valid
              if r["event_type"] == "user_login" and r["account_id"] == "acct_globex"]
    assert len({r["properties"]["user_id"] for r in logins}) < len(logins)


def test_landing_times_follow_days(generated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = generated
    files = sorted((p for p in (out / sample.SUBFOLDER).rglob("events-*")),
                   key=lambda p: p.name)
    times = [p.stat().st_mtime for p in files]
    assert times == sorted(times)
    first = datetime.fromtimestamp(times[0], UTC)
    assert datetime(2026, 9, 2, tzinfo=UTC) < first < datetime(2026, 9, 2, 12, tzinfo=UTC)


def test_profiles_match_seeds() -> None:
    # every account with a contract has a traffic profile (a parent billed for its
    # subsidiaries, without a contract of its own, sends nothing)
    with_contract = {row["account_id"] for row in _seed_rows("contracts.csv")}
    accounts = {row["account_id"]: row["billing_timezone"] or "UTC"
                for row in _seed_rows("accounts.csv") if row["account_id"] in with_contract}
    assert {a.account_id: a.timezone for a in sample.ACCOUNTS} == accounts
    contract_starts: dict[str, set[date]] = {}
    for row in _seed_rows("contracts.csv"):
        contract_starts.setdefault(row["account_id"], set()).add(date.fromisoformat(
            row["starts_on"]))
    for profile in sample.ACCOUNTS:
        assert profile.segments[0][0] == min(contract_starts[profile.account_id])


def test_rerun_replaces_only_its_own_files(tmp_path: Path) -> None:
    sample.generate(tmp_path, "2026-12-10", EVENTS, SEED)
    foreign = [tmp_path / "other.ndjson", tmp_path / sample.SUBFOLDER / "notes.txt",
               tmp_path / sample.SUBFOLDER / "2026" / "10" / "extra.ndjson"]
    for path in foreign:
        path.write_text("{}\n")
    sample.generate(tmp_path, AS_OF, EVENTS, SEED)
    assert all(path.exists() for path in foreign)
    root = tmp_path / sample.SUBFOLDER
    assert not list(root.rglob("events-2026-11-30.ndjson*"))  # from the earlier as_of
    assert not (root / "2026" / "12").exists()
    generated = [p for p in root.rglob("*") if p.is_file() and p not in foreign]
    assert len(generated) == 88


def test_too_few_events_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        sample.generate(tmp_path, AS_OF, 500, SEED)


def test_cli_prints_one_line_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = sample.main(["--out", str(tmp_path), "--as-of", AS_OF, "--events", str(EVENTS),
                        "--seed", str(SEED)])
    output = capsys.readouterr().out.strip()
    assert code == 0
    assert len(output.splitlines()) == 1
    assert "88 files" in output
    assert "3,028 records = 3,000 events + 15 exact duplicates + 3 conflicts" in output
    assert "10 bad records" in output


def test_demo_meter_filter_bills_only_successful_api_calls(landed: list[Landed]) -> None:
    """Every API call has a status, some fail, and the demo's filter of api_requests lists
    every failure status the generator writes (and no success)."""
    statuses = Counter(
        item.record["properties"]["status"] for item in landed
        if item.record and item.record.get("event_type") == "api_request"
        and isinstance(item.record.get("properties"), dict)
        and "status" in item.record["properties"]
    )
    failures = {str(status) for status in statuses if not 200 <= int(status) < 300}
    assert failures and sum(statuses.values()) > 0
    (row,) = [r for r in _seed_rows("meter_filters.csv") if r["meter_id"] == "api_requests"]
    assert (row["property"], row["operator"]) == ("status", "not_in")
    listed = set(row["value"].split("|"))
    assert failures <= listed
    assert not any(200 <= int(status) < 300 for status in listed)

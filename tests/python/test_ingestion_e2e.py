"""End to end: landing files in a tmp dir -> dbt build -> audit tables and meters.

Every expected number below is worked out by hand from the records written here.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import PROJECT_DIR, run_dbt, set_landed_at, write_ndjson

AS_OF = "2026-11-25"
SELECT = [
    "--select",
    (
        "+audit_event_reconciliation +fct_usage_daily +audit_unrated_events "
        "+audit_duplicate_events +audit_quarantined_events +int_meter_usage"
    ),
    "--indirect-selection",
    "cautious",
]
DAY = 86400
T0 = 1_790_000_000  # any fixed epoch: only the order of landing times matters


def event(event_id: object, event_type: str, account: str, at: str, **properties: object) -> str:
    record: dict[str, object] = {
        "event_id": event_id,
        "event_type": event_type,
        "account_id": account,
        "occurred_at": at,
    }
    if properties:
        record["properties"] = properties
    return json.dumps(record)


def write_landing(landing: Path) -> None:
    """Three files landing in order a (T0), b (T0 + 1 day), c (T0 + 2 days)."""
    # z-first.ndjson lands FIRST although its name sorts last: 4 records, 1 blank line
    first = write_ndjson(
        landing / "z-first.ndjson",
        [
            event(
                "k1",
                "llm_completion",
                "acct_globex",
                "2026-10-01T10:00:00Z",
                model="m",
                tokens="0.1",
            ),
            "",
            event(
                "k2", "llm_completion", "acct_globex", "2026-10-02T10:00:00Z", model="m", tokens=0.2
            ),
            event("k3", "api_request", "acct_globex", "2026-10-03T10:00:00Z", endpoint="/a"),
            # bad value: quarantined, so the corrected resend in b counts
            event(
                "k4", "llm_completion", "acct_globex", "2026-10-04T10:00:00Z", model="m", tokens=-3
            ),
        ],
    )
    set_landed_at(first, T0)

    # nested/b.ndjson.gz lands second: 5 records
    second = landing / "nested" / "deeper" / "b.ndjson.gz"
    second.parent.mkdir(parents=True)
    lines = [
        # copy of k1 with other spacing and key order: duplicate (k1 in z-first wins)
        (
            '{"properties": {"tokens": "0.1", "model": "m"}, "occurred_at": "2026-10-01T12:00:00+02:00",'
            ' "account_id": "acct_globex", "event_type": "llm_completion", "event_id": "k1"}'
        ),
        # k2 with another value: conflict
        event("k2", "llm_completion", "acct_globex", "2026-10-02T10:00:00Z", model="m", tokens=5),
        # corrected k4: accepted
        event("k4", "llm_completion", "acct_globex", "2026-10-04T10:00:00Z", model="m", tokens=3),
        # k3 from another source: a different event
        json.dumps(
            {
                "event_id": "k3",
                "source": "edge",
                "event_type": "api_request",
                "account_id": "acct_globex",
                "occurred_at": "2026-10-03T11:00:00Z",
                "properties": {"endpoint": "/a"},
            }
        ),
        event("k5", "api_request", "acct_nobody", "2026-10-03T10:00:00Z"),  # unknown_account
    ]
    second.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    set_landed_at(second, T0 + DAY)

    # c.parquet lands third: 2 rows; properties as JSON text
    third = landing / "c.parquet"
    pq.write_table(
        pa.table(
            {
                "event_id": ["p1", "k3"],
                "event_type": ["storage_snapshot", "api_request"],
                "account_id": ["acct_umbrella", "acct_globex"],
                "occurred_at": ["2026-11-03T00:00:00Z", "2026-10-03T10:00:00Z"],
                "properties": ['{"gb": "12.5"}', '{"endpoint": "/a"}'],
            }
        ),
        third,
    )
    set_landed_at(third, T0 + 2 * DAY)

    # d.jsonl lands last: 3 records, truncated last line without a newline
    fourth = write_ndjson(
        landing / "d.jsonl",
        [
            event("k6", "page_view", "acct_globex", "2026-10-05T00:00:00Z"),  # no meter
            event("k7", "api_request", "acct_globex", "2026-11-28T00:00:00Z"),  # future
            '{"event_id": "k8", "event_type": "api_req',  # truncated: malformed
        ],
        final_newline=False,
    )
    set_landed_at(fourth, T0 + 3 * DAY)


def test_ingestion_end_to_end(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_landing(landing)
    result = run_dbt(["build", *SELECT], tmp_path / "build", landing_dir=landing, as_of=AS_OF)
    assert result.returncode == 0, result.stdout[-4000:]

    reconciliation = result.query(
        "select file_name, received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation order by file_name nulls last"
    )
    assert reconciliation == [
        # k3 from parquet is a duplicate of z-first's k3 (same payload)
        ("c.parquet", 2, 1, 1, 0),
        ("d.jsonl", 3, 1, 0, 2),
        # k1 duplicate, k2 conflict, k4 accepted, edge/k3 accepted, k5 unknown_account
        ("nested/deeper/b.ndjson.gz", 5, 2, 2, 1),
        # k1, k2, k3 accepted; k4 invalid_value
        ("z-first.ndjson", 4, 3, 0, 1),
        # 4 + 5 + 2 + 3 = 14 = 7 accepted + 3 duplicates + 4 quarantined
        (None, 14, 7, 3, 4),
    ]

    quarantined = result.query(
        "select file_name, line_number, reason from audit.audit_quarantined_events order by 1, 2"
    )
    assert quarantined == [
        ("d.jsonl", 2, "future_timestamp"),
        ("d.jsonl", 3, "malformed_record"),
        ("nested/deeper/b.ndjson.gz", 5, "unknown_account"),
        # line 5: the blank line 2 is counted
        ("z-first.ndjson", 5, "invalid_value"),
    ]

    duplicates = result.query(
        "select source, event_id, duplicate_type, file_name, line_number, winning_file_name, "
        "winning_line_number from audit.audit_duplicate_events order by event_id"
    )
    assert duplicates == [
        ("default", "k1", "duplicate", "nested/deeper/b.ndjson.gz", 1, "z-first.ndjson", 1),
        ("default", "k2", "conflict", "nested/deeper/b.ndjson.gz", 2, "z-first.ndjson", 3),
        ("default", "k3", "duplicate", "c.parquet", 2, "z-first.ndjson", 4),
    ]

    # llm_tokens for globex / c_globex / October / model m: 0.1 + 0.2 + 3 = 3.3 exactly
    # (the conflicting 5 and the rejected -3 do not count); api_requests /a: k3 + edge/k3 = 2
    usage = result.query(
        "select meter_id, contract_id, period_start, dimension_value, quantity, event_count "
        "from intermediate.int_meter_usage order by account_id, meter_id"
    )
    assert [(row[0], row[1], str(row[2]), row[3], row[4], row[5]) for row in usage] == [
        ("api_requests", "c_globex", "2026-10-01", "/a", Decimal(2), 2),
        ("llm_tokens", "c_globex", "2026-10-01", "m", Decimal("3.3"), 3),
        ("storage_gb", "c_umbrella", "2026-11-01", None, Decimal("12.5"), 1),
    ]

    unrated = result.query(
        "select event_id, reason from audit.audit_unrated_events "
        "where reason in ('no_meter', 'no_active_contract')"
    )
    assert unrated == [("k6", "no_meter")]


def test_empty_landing_dir_builds_empty_tables(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.ndjson").write_bytes(b"")
    result = run_dbt(["build", *SELECT], tmp_path / "build", landing_dir=landing, as_of=AS_OF)
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.query("select count(*) from staging.stg_landing__event_records") == [(0,)]
    assert result.query(
        "select file_name, received, accepted, duplicates, quarantined "
        "from audit.audit_event_reconciliation"
    ) == [(None, 0, 0, 0, 0)]


def test_line_numbers_on_a_multi_megabyte_file(tmp_path: Path) -> None:
    """40,000 lines (about 4 MB) with blank lines and CRLF: every line keeps its number."""
    landing = tmp_path / "landing"
    lines = []
    for number in range(1, 40_001):
        if number % 101 == 0:
            lines.append("")
        else:
            lines.append(json.dumps({"event_id": f"n{number}", "line": number, "pad": "x" * 60}))
    write_ndjson(landing / "big.ndjson", lines, newline="\r\n")
    result = run_dbt(
        ["build", "--select", "stg_landing__event_records", "--indirect-selection", "cautious"],
        tmp_path / "build",
        landing_dir=landing,
        as_of=AS_OF,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    # 40,000 lines minus 396 blank ones (multiples of 101 up to 39,996 = 101 x 396)
    assert result.query(
        "select count(*), count(*) filter (where line_number <> "
        "cast(json_extract_string(raw_record, '$.line') as bigint)) "
        "from staging.stg_landing__event_records"
    ) == [(39_604, 0)]


HOSTILE_METER = (
    "\"it's -- a meter\",odd 'type'; drop table x; --,sum,"
    '"val ue\'; drop table x; --","gr""p|k/e~y",unit,hostile names\n'
)


def test_meter_definitions_are_data_not_code(tmp_path: Path) -> None:
    """Ids, event types and property names with quotes, spaces and -- work as literals."""
    landing = tmp_path / "landing"
    event_type = "odd 'type'; drop table x; --"
    write_ndjson(
        landing / "a.ndjson",
        [
            json.dumps(
                {
                    "event_id": "h1",
                    "event_type": event_type,
                    "account_id": "acct_globex",
                    "occurred_at": "2026-10-01T00:00:00Z",
                    "properties": {"val ue'; drop table x; --": 2.5, 'gr"p': "A", "k/e~y": "B"},
                }
            ),
            json.dumps(
                {
                    "event_id": "h2",
                    "event_type": event_type,
                    "account_id": "acct_globex",
                    "occurred_at": "2026-10-02T00:00:00Z",
                    "properties": {"val ue'; drop table x; --": "1.5", 'gr"p': "A"},
                }
            ),
        ],
    )
    # the project's meters (prices refer to them) plus one with hostile names
    meters_csv = (
        (PROJECT_DIR / "seeds" / "meters.csv").read_text().rstrip("\n") + "\n" + HOSTILE_METER
    )
    result = run_dbt(
        ["build", *SELECT],
        tmp_path / "build",
        landing_dir=landing,
        as_of=AS_OF,
        seeds={"meters.csv": meters_csv},
    )
    assert result.returncode == 0, result.stdout[-4000:]
    # h1 is group 'A|B' with 2.5; h2 lacks k/e~y -> group 'A|' with 1.5
    assert result.query(
        "select meter_id, dimension_value, quantity from intermediate.int_meter_usage "
        "where meter_id = ? order by dimension_value",
        ["it's -- a meter"],
    ) == [
        ("it's -- a meter", "A|", Decimal("1.5")),
        ("it's -- a meter", "A|B", Decimal("2.5")),
    ]

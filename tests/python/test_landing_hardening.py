"""Hostile landing files: no single file or record stops a build, and nothing is lost.

Each file below is an attack from the hardening review; the build must pass, quarantine what
cannot be billed (with the contract's reason, or a file-level one), load everything else, and
keep `received = accepted + duplicates + quarantined` per file.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import run_dbt, set_landed_at, snapshot_spark_tables, spark_env, spark_only

from orchestration.landing_files import (
    MAX_LINE_BYTES,
    landing_format,
    plan_reads,
    read_file_rows,
    scan_file,
)

AS_OF = "2026-11-25"
SELECT = [
    "--select",
    "+audit_event_reconciliation +audit_quarantined_events",
    "--indirect-selection",
    "cautious",
    "--exclude",
    "resource_type:unit_test",
]
T0 = 1_790_000_000


def event(event_id: str, at: str = "2026-10-01T10:00:00Z", **properties: object) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "event_type": "api_request",
            "account_id": "acct_globex",
            "occurred_at": at,
            "properties": properties or {"endpoint": "/a"},
        }
    )


def lines(*records: str, newline: bytes = b"\n") -> bytes:
    return b"".join(record.encode() + newline for record in records)


def write(path: Path, content: bytes, landed_at: float = T0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    set_landed_at(path, landed_at)
    return path


def parquet_file(
    path: Path, event_ids: list[str], landed_at: float = T0, properties: str | None = None
) -> Path:
    """A typed Parquet landing file of api_request events of acct_globex; a properties column
    only when `properties` (its JSON text) is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = len(event_ids)
    columns = {
        "event_id": event_ids,
        "event_type": ["api_request"] * count,
        "account_id": ["acct_globex"] * count,
        "occurred_at": ["2026-10-01T10:00:00Z"] * count,
    }
    if properties is not None:
        columns["properties"] = [properties] * count
    pq.write_table(pa.table(columns), path)
    set_landed_at(path, landed_at)
    return path


def reconciliation(run, file_name: str) -> tuple[int, int, int, int]:
    rows = run.query(
        "select received, accepted, duplicates, quarantined from audit.audit_event_reconciliation"
        " where file_name = ?",
        [file_name],
    )
    assert len(rows) == 1, f"{file_name} is not in the reconciliation"
    return rows[0]


def quarantined(run, file_name: str) -> list[tuple]:
    return run.query(
        "select line_number, reason, raw_record, detail from audit.audit_quarantined_events"
        " where file_name = ? order by line_number",
        [file_name],
    )


def accepted_ids(run, file_name: str) -> list[str]:
    return [
        row[0]
        for row in run.query(
            "select event_id from intermediate.int_events_classified"
            " where file_name = ? and dedupe_status = 'accepted' order by line_number",
            [file_name],
        )
    ]


# -- one build over every bad file at once ----------------------------------------------------


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("hostile")
    landing = work / "landing"
    write(landing / "good.ndjson", lines(event("g1"), event("g2")))
    # 1. invalid UTF-8 (a Latin-1 'é') in the middle line only
    write(
        landing / "latin1.ndjson",
        lines(event("l1")) + b'{"event_id":"l2","note":"caf\xe9"}\n' + lines(event("l3")),
    )
    # 1. a gzip file of two members, the second cut after its 10-byte header
    write(
        landing / "truncated.ndjson.gz",
        gzip.compress(lines(event("t1"), event("t2"))) + gzip.compress(lines(event("t3")))[:10],
    )
    # 1. plain text named .gz, and a Parquet file that is not one
    write(landing / "plain-text.ndjson.gz", lines(event("p1")))
    write(landing / "corrupt.parquet", b"PAR1 this is not a parquet file PAR1")
    # 1. one line over 4 MiB between two good ones (a valid event, but too large to trust)
    big = event("big1", endpoint="x" * (MAX_LINE_BYTES + 10))
    write(landing / "long-line.ndjson", lines(event("b1"), big, event("b2")))
    # 2. glob characters in names, read literally; extensions in any case
    write(landing / "events?.ndjson", lines(event("q1")))
    write(landing / "eventsX.ndjson", lines(event("q2")))
    write(landing / "b[1].ndjson", lines(event("q3")))
    write(landing / "b1.ndjson", lines(event("q4")))
    write(landing / "UPPER.NDJSON", lines(event("u1")))
    write(landing / "Mixed.Jsonl", lines(event("u2")))
    parquet_file(landing / "Typed.PARQUET", ["u3"])
    # 5. lone CR line breaks: three good records
    write(landing / "cr.ndjson", lines(event("c1"), event("c2"), event("c3"), newline=b"\r"))
    # 5 and 11. control bytes after the object: the reader's delimiter, and a lone 0x01
    write(
        landing / "control.ndjson",
        event("x1").encode() + b"\x01\x02\x03\x04tail\n" + event("x2").encode() + b"\x01\n"
        + lines(event("x3")),
    )
    # 5. impossible offsets and times
    write(
        landing / "times.ndjson",
        lines(
            event("h1", at="2026-10-01T10:00:00+99:00"),
            event("h2", at="2026-10-01T10:60:00"),
            event("h3", at="2026-10-01T24:00:00Z"),
            event("h4", at="2026-10-01T10:00:00+05:60"),
            event("h5", at="2026-10-01T10:00:00+14:00"),
        ),
    )
    run = run_dbt(["build", *SELECT], work / "run", landing_dir=landing, as_of=AS_OF)
    assert run.returncode == 0, run.stdout[-4000:]
    return run


def test_every_file_is_reconciled_and_balances(hostile_run):
    rows = hostile_run.query(
        "select file_name, received, accepted + duplicates + quarantined"
        " from audit.audit_event_reconciliation where not is_total"
    )
    assert {row[0] for row in rows} == {
        "good.ndjson", "latin1.ndjson", "truncated.ndjson.gz", "plain-text.ndjson.gz",
        "corrupt.parquet", "long-line.ndjson", "events?.ndjson", "eventsX.ndjson",
        "b[1].ndjson", "b1.ndjson", "UPPER.NDJSON", "Mixed.Jsonl", "Typed.PARQUET",
        "cr.ndjson", "control.ndjson", "times.ndjson",
    }
    assert all(row[1] == row[2] for row in rows), rows


def test_the_good_files_load_beside_the_bad_ones(hostile_run):
    assert accepted_ids(hostile_run, "good.ndjson") == ["g1", "g2"]


def test_invalid_utf8_quarantines_its_line_kept_whole(hostile_run):
    assert reconciliation(hostile_run, "latin1.ndjson") == (3, 2, 0, 1)
    assert accepted_ids(hostile_run, "latin1.ndjson") == ["l1", "l3"]
    [(line, reason, raw, detail)] = quarantined(hostile_run, "latin1.ndjson")
    assert (line, reason) == (2, "malformed_record")
    assert raw == '{"event_id":"l2","note":"caf\\xe9"}'  # the byte shown as \xe9, nothing cut
    assert "UTF-8" in detail


def test_truncated_gzip_keeps_what_was_read_and_names_the_file(hostile_run):
    # t1 and t2 come from the whole first member; the file row follows them as line 3
    assert reconciliation(hostile_run, "truncated.ndjson.gz") == (3, 2, 0, 1)
    assert accepted_ids(hostile_run, "truncated.ndjson.gz") == ["t1", "t2"]
    [(line, reason, raw, detail)] = quarantined(hostile_run, "truncated.ndjson.gz")
    assert (line, reason, raw) == (3, "unreadable_file", None)
    assert "ends early" in detail


@pytest.mark.parametrize(
    ("file_name", "detail"),
    [("plain-text.ndjson.gz", "not a gzip stream"), ("corrupt.parquet", "")],
)
def test_unreadable_file_is_one_quarantine_row(hostile_run, file_name, detail):
    assert reconciliation(hostile_run, file_name) == (1, 0, 0, 1)
    [(line, reason, raw, text)] = quarantined(hostile_run, file_name)
    assert (line, reason, raw) == (1, "unreadable_file", None)
    assert detail in text


def test_a_line_over_4_mib_is_quarantined_whole(hostile_run):
    assert reconciliation(hostile_run, "long-line.ndjson") == (3, 2, 0, 1)
    [(line, reason, raw, detail)] = quarantined(hostile_run, "long-line.ndjson")
    assert (line, reason) == (2, "malformed_record")
    assert len(raw) > MAX_LINE_BYTES and raw.endswith('"}}')
    assert "4194304" in detail


@pytest.mark.parametrize(
    ("file_name", "event_id"),
    [("events?.ndjson", "q1"), ("eventsX.ndjson", "q2"), ("b[1].ndjson", "q3"),
     ("b1.ndjson", "q4"), ("UPPER.NDJSON", "u1"), ("Mixed.Jsonl", "u2"),
     ("Typed.PARQUET", "u3")],
)
def test_names_are_literal_and_extensions_any_case(hostile_run, file_name, event_id):
    assert reconciliation(hostile_run, file_name) == (1, 1, 0, 0)
    assert accepted_ids(hostile_run, file_name) == [event_id]


def test_lone_cr_separates_lines(hostile_run):
    assert accepted_ids(hostile_run, "cr.ndjson") == ["c1", "c2", "c3"]


def test_control_bytes_after_the_object_are_malformed_and_kept_whole(hostile_run):
    rows = quarantined(hostile_run, "control.ndjson")
    assert [(row[0], row[1]) for row in rows] == [(1, "malformed_record"), (2, "malformed_record")]
    assert rows[0][2] == event("x1") + "\x01\x02\x03\x04tail"
    assert rows[1][2] == event("x2") + "\x01"
    assert accepted_ids(hostile_run, "control.ndjson") == ["x3"]


def test_impossible_offsets_and_times_are_invalid(hostile_run):
    rows = quarantined(hostile_run, "times.ndjson")
    assert [(row[0], row[1]) for row in rows] == [
        (1, "invalid_timestamp"),  # +99:00
        (2, "invalid_timestamp"),  # minute 60
        (3, "invalid_timestamp"),  # hour 24
        (4, "invalid_timestamp"),  # offset minute 60
    ]
    assert accepted_ids(hostile_run, "times.ndjson") == ["h5"]  # +14:00 exists (Kiribati)


# -- files that grow, change, or are still being written --------------------------------------


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=spark_only)])
def test_growing_and_changed_files_never_stop_a_run(tmp_path: Path, engine: str):
    landing = tmp_path / "landing"
    database = tmp_path / "warehouse.duckdb"
    spark_dir = tmp_path / "spark"
    grow = write(landing / "grow.ndjson", lines(event("a1")) + event("a2").encode())  # no final LF
    change = write(landing / "change.ndjson", lines(event("c1"), event("c2")))
    gz = write(landing / "batch.ndjson.gz", gzip.compress(lines(event("z1"))))
    touched = write(landing / "touched.ndjson", lines(event("t1")))
    parquet_file(landing / "old.parquet", ["p1", "p2"], properties='{"endpoint": "/p"}')

    def build(name: str):
        run = run_dbt(["build", *SELECT], tmp_path / name, landing_dir=landing, as_of=AS_OF,
                      database=database, env=spark_env(spark_dir) if engine == "spark" else None)
        assert run.returncode == 0, run.stdout[-4000:]
        if engine == "spark":  # the Spark tables, read with the same queries
            return snapshot_spark_tables(spark_dir, tmp_path / f"{name}.duckdb")
        return run

    build("first")
    # the producer finishes grow.ndjson: a line break after a2, then a3 and a blank line, a4
    write(grow, grow.read_bytes() + b"\n" + lines(event("a3"), "", event("a4")), T0 + 60)
    # change.ndjson is rewritten (not appended): its earlier bytes differ
    write(change, lines(event("c1"), event("c9"), event("c3")), T0 + 60)
    # a gzip file can only be replaced, never appended to: it counts as changed
    write(gz, gzip.compress(lines(event("z1"), event("z2"))), T0 + 60)
    # touched.ndjson is touched: a later modification time, the same bytes (nothing to read)
    set_landed_at(touched, T0 + 60)
    # a new Parquet file beside the loaded one: only the new one is read (and described)
    parquet_file(landing / "new.parquet", ["p3"], T0 + 60, properties='{"endpoint": "/p"}')
    second = build("second")

    # grow: lines 1-2 from the first run, 3 and 5 appended (line 4 blank, counted, no row)
    assert reconciliation(second, "grow.ndjson") == (4, 4, 0, 0)
    assert accepted_ids(second, "grow.ndjson") == ["a1", "a2", "a3", "a4"]
    assert second.query(
        "select line_number from staging.stg_landing__event_records"
        " where file_name = 'grow.ndjson' order by line_number"
    ) == [(1,), (2,), (3,), (5,)]
    # change and batch: the first content stays, one changed_file row after it
    for file_name, ids, next_line in (("change.ndjson", ["c1", "c2"], 3),
                                      ("batch.ndjson.gz", ["z1"], 2)):
        assert accepted_ids(second, file_name) == ids
        [(line, reason, raw, detail)] = quarantined(second, file_name)
        assert (line, reason, raw) == (next_line, "changed_file", None)
        assert "changed after it was loaded" in detail

    # touched: the same bytes are not read again
    assert accepted_ids(second, "touched.ndjson") == ["t1"]
    assert second.query(
        "select count(*) from staging.stg_landing__event_records where file_name = 'touched.ndjson'"
    ) == [(1,)]

    # Parquet: the loaded file's rows once, the new file's rows numbered from 1
    assert accepted_ids(second, "old.parquet") == ["p1", "p2"]
    assert accepted_ids(second, "new.parquet") == ["p3"]
    assert second.query(
        "select file_name, count(*), max(line_number) from staging.stg_landing__event_records"
        " where file_name like '%.parquet' group by file_name order by file_name"
    ) == [("new.parquet", 1, 1), ("old.parquet", 2, 2)]

    if engine == "spark":  # a third Spark build costs a minute; the plan is the same
        return
    # nothing new: a third run adds no row anywhere
    third = build("third")
    # 2 + 2 (grow) + 2 + 1 (change) + 1 + 1 (batch) + 1 (touched, once) + 2 + 1 (Parquet)
    assert third.query("select count(*) from staging.stg_landing__event_records") == [(13,)]
    assert accepted_ids(third, "touched.ndjson") == ["t1"]


def test_files_younger_than_the_settle_time_wait(tmp_path: Path):
    landing = tmp_path / "landing"
    write(landing / "settled.ndjson", lines(event("s1")))
    fresh = landing / "fresh.ndjson"
    fresh.write_bytes(lines(event("f1")))  # modified now
    run = run_dbt(["build", *SELECT], tmp_path / "run", landing_dir=landing, as_of=AS_OF,
                  extra_vars={"landing_settle_seconds": 3600})
    assert run.returncode == 0, run.stdout[-4000:]
    assert run.query(
        "select file_name from audit.audit_event_reconciliation where not is_total"
    ) == [("settled.ndjson",)]
    assert "fresh.ndjson" in run.stdout  # named in the log as left for a later run


# -- the scanner itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.ndjson", "ndjson"), ("A.JSONL", "ndjson"), ("x.NdJson.Gz", "ndjson.gz"),
     ("y.jsonl.gz", "ndjson.gz"), ("z.Parquet", "parquet"), ("notes.txt", None),
     ("a.ndjson.tmp", None), ("a.gz", None)],
)
def test_landing_format(name, expected):
    assert landing_format(name) == expected


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"a":1}\r\n{"b":2}\r\n', None),
        (b'{"a":1}\n\n{"b":2}', None),
        (b'{"a":1}\r{"b":2}', "lone CR"),
        (b'{"a":"\xff"}\n', "UTF-8"),
        (b'{"a":1}\x01\x02\x03\x04\n', "01 02 03 04"),
        (b"x" * MAX_LINE_BYTES + b"\n", None),
        (b"x" * (MAX_LINE_BYTES + 1) + b"\n", "longer than"),
    ],
)
def test_scan_routes_what_the_fast_reader_would_break_on(tmp_path: Path, content, problem):
    path = write(tmp_path / "f.ndjson", content)
    found = scan_file(str(path), "ndjson")
    assert (found is None) if problem is None else (problem in found)


def test_crlf_split_across_scan_chunks_is_not_a_lone_cr(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("orchestration.landing_files.CHUNK_BYTES", 8)
    path = write(tmp_path / "f.ndjson", b'{"a":1}\r\n{"b":22}\r\n')  # CR is byte 8, LF byte 9
    assert scan_file(str(path), "ndjson") is None


def test_utf8_split_across_scan_chunks_is_valid(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("orchestration.landing_files.CHUNK_BYTES", 8)
    # 'é' is C3 A9: bytes 8 and 9, across the first chunk boundary, then ASCII chunks
    path = write(tmp_path / "f.ndjson", '{"a":"xé","b":"yyyyyyyy"}\n'.encode())
    assert scan_file(str(path), "ndjson") is None
    # a character cut short at the end of the file is not valid
    write(path, '{"a":"é'.encode()[:-1])
    assert "UTF-8" in scan_file(str(path), "ndjson")


def test_rows_number_every_line_and_drop_blank_ones(tmp_path: Path):
    path = write(tmp_path / "f.ndjson", b'{"a":1}\r\n  \r{"b":2}\n\n{"c":3}')
    assert read_file_rows(str(path), "ndjson") == [
        (1, '{"a":1}', None, None),
        (3, '{"b":2}', None, None),
        (5, '{"c":3}', None, None),
    ]


def test_plan_appends_only_after_unchanged_bytes(tmp_path: Path):
    path = write(tmp_path / "f.ndjson", b"a\r\nb\r")
    first = plan_reads(str(tmp_path), 0, time.time(), {})["files"][0]
    loaded = {"f.ndjson": {"size": first["size"], "landed_at": first["landed_at"],
                           "checksum": first["checksum"], "max_line": 2, "changed": False}}
    # the LF that completes the CRLF of line 2 is skipped; line 3 starts after it
    write(path, b"a\r\nb\r\nc\n", T0 + 1)
    [grown] = plan_reads(str(tmp_path), 0, time.time(), loaded)["files"]
    assert (grown["mode"], grown["start"], grown["first_line"]) == ("lines", 6, 3)
    assert read_file_rows(str(path), "ndjson", grown["start"], grown["first_line"]) == [
        (3, "c", None, None)
    ]
    # the same size with other bytes: changed, numbered after the loaded rows
    write(path, b"a\r\nX\r", T0 + 2)
    [changed] = plan_reads(str(tmp_path), 0, time.time(), loaded)["files"]
    assert (changed["mode"], changed["first_line"]) == ("changed", 3)
    # only touched (same bytes, new time): nothing to read
    write(path, b"a\r\nb\r", T0 + 3)
    assert plan_reads(str(tmp_path), 0, time.time(), loaded)["files"][0]["mode"] == "skip"


def test_a_file_removed_while_planned_is_a_row_not_a_crash(tmp_path: Path):
    missing = tmp_path / "gone.ndjson"
    assert read_file_rows(str(missing), "ndjson")[-1][2] == "unreadable_file"
    assert os.path.exists(missing) is False

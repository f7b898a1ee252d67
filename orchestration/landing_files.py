"""Landing files: which files are event files, and how each one is read without stopping a build.

Plain Python, no Dagster: the dbt-duckdb plugin (orchestration/duckdb_plugin.py) calls it from
dbt through two SQL functions, and the landing sensor uses the same file rule.

A build reads each landing file at most once, in one of three ways (DECISIONLOG "One bad file
never stops billing", "Landed files that grow or change"):
- `fast`: the warehouse's own reader takes the whole file. Chosen only when a scan here has shown
  that reader cannot fail on it: valid UTF-8, no line over MAX_LINE_BYTES, no lone CR, no
  reader delimiter inside a line, a gzip stream that ends properly, a Parquet file that reads.
- `lines`: this module reads the file (or, for a file that only grew, its appended bytes) line by
  line and hands every line over whole; a line that is not UTF-8 or is too long carries a
  `read_problem`, and a file that cannot be read to its end gets one more row, `unreadable_file`,
  after the lines it gave.
- `changed`: a file loaded before whose earlier bytes changed gets one `changed_file` row and is
  not read again (a full refresh re-reads it).
Nothing here raises into the build: every failure becomes a row.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The contract's landing files (data contract §1), matched without regard to case.
LANDING_SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz", ".parquet")
# A longer line is a `malformed_record` (kept whole); the fast reader's limit is set above it.
MAX_LINE_BYTES = 4 * 1024 * 1024
# The column delimiter of the fast text reader (macros/ingestion/landing.sql): a line holding it
# would be cut there, so such a file is read here instead.
READER_DELIMITER = b"\x01\x02\x03\x04"
CHUNK_BYTES = 8 * 1024 * 1024
# Landing time as text, as the warehouse stores file_landed_at (UTC, microseconds).
LANDED_AT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# read_problem codes: the first two quarantine a whole file, the others one line.
UNREADABLE_FILE = "unreadable_file"
CHANGED_FILE = "changed_file"
INVALID_UTF8 = "invalid_utf8"
LINE_TOO_LONG = "line_too_long"

FileRow = tuple[int, str | None, str | None, str | None]


def landing_format(name: str) -> str | None:
    """'ndjson', 'ndjson.gz' or 'parquet' for a landing file name (any case), else None."""
    lowered = name.lower()
    if lowered.endswith(".parquet"):
        return "parquet"
    if lowered.endswith((".ndjson.gz", ".jsonl.gz")):
        return "ndjson.gz"
    if lowered.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    return None


def landed_at_text(mtime_ns: int) -> str:
    seconds, nanos = divmod(mtime_ns, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=nanos // 1000)
    return moment.strftime(LANDED_AT_FORMAT)


def list_landing_files(root: Path) -> list[dict[str, Any]]:
    """Every non-empty landing file below root, at any depth, sorted by relative name.

    Names are taken literally (no glob), extensions in any case; directories are walked without
    following links, as the warehouse's own listing does.
    """
    found: list[dict[str, Any]] = []
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            file_format = landing_format(name)
            if file_format is None:
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except OSError:  # gone or a dangling link since the walk
                continue
            if stat.st_size == 0:
                continue
            found.append(
                {
                    "path": str(path),
                    "file_name": path.relative_to(root).as_posix(),
                    "format": file_format,
                    "size": stat.st_size,
                    "mtime": stat.st_mtime,
                    "landed_at": landed_at_text(stat.st_mtime_ns),
                }
            )
    return sorted(found, key=lambda entry: entry["file_name"])


# -- scanning ---------------------------------------------------------------------------------


class _TextScan:
    """Streaming checks on text bytes: is the fast reader safe for them?"""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._tail = b""  # bytes after the last line break seen so far
        self.problem: str | None = None

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.problem is not None:
            return
        try:
            # (ASCII is valid UTF-8 unless the decoder holds the start of a character)
            if not chunk.isascii() or self._decoder.getstate()[0] or final:
                self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.problem = "a line is not valid UTF-8"
            return
        data = self._tail + chunk
        if READER_DELIMITER in data:
            self.problem = "a line holds the bytes 01 02 03 04"
            return
        # A lone CR ends a line for the contract; the fast reader would eat the byte after it.
        # (a CR that ends the chunk is judged with the next one: it may start a CRLF)
        body = data[:-1] if not final and data.endswith(b"\r") else data
        if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
            self.problem = "a line ends in a lone CR"
            return
        last_break = data.rfind(b"\n")
        if not _lines_within(data, MAX_LINE_BYTES, last_break if not final else len(data)):
            self.problem = f"a line is longer than {MAX_LINE_BYTES} bytes"
            return
        self._tail = data[last_break + 1:] if last_break >= 0 else data
        if len(self._tail) > MAX_LINE_BYTES:
            self.problem = f"a line is longer than {MAX_LINE_BYTES} bytes"


def _lines_within(data: bytes, limit: int, end: int) -> bool:
    """True when every line of data[:end] is at most `limit` bytes (a CR before its LF counted)."""
    start = 0
    while end - start > limit:
        # the last line break within `limit` bytes of a line's start: the lines up to it fit
        found = data.rfind(b"\n", start, start + limit + 1)
        if found < 0:
            return False
        start = found + 1
    return True


def _raw_chunks(path: str, start: int = 0, digest: Any = None) -> Iterator[bytes]:
    """The file's bytes from `start`, as they come; each chunk also fed to `digest` if given."""
    with open(path, "rb") as handle:
        handle.seek(start)
        while chunk := handle.read(CHUNK_BYTES):
            if digest is not None:
                digest.update(chunk)
            yield chunk


class _TruncatedGzip(EOFError):
    pass


def _gzip_chunks(path: str, digest: Any = None) -> Iterator[bytes]:
    """The decompressed bytes of a gzip file (one member or several), as they come.

    Everything decompressed before a fault is yielded before the fault is raised: zlib.error
    for bytes that are not gzip or are corrupt, _TruncatedGzip for a stream that stops early.
    The compressed bytes are fed to `digest` if given.
    """
    decompressor = zlib.decompressobj(wbits=31)
    fed = False
    for data in _raw_chunks(path, digest=digest):
        while data:
            fed = True
            output = decompressor.decompress(data)
            if output:
                yield output
            if not decompressor.eof:
                break
            data = decompressor.unused_data  # the next member, if any
            decompressor = zlib.decompressobj(wbits=31)
            fed = False
    if fed and not decompressor.eof:
        raise _TruncatedGzip("the gzip stream ends early (truncated file)")


def file_checksum(path: str, length: int | None = None) -> str:
    """sha256 of the file's first `length` bytes (all of it when None)."""
    digest = hashlib.sha256()
    remaining = length
    for chunk in _raw_chunks(path):
        if remaining is not None:
            chunk = chunk[:remaining]
            remaining -= len(chunk)
        digest.update(chunk)
        if remaining == 0:
            break
    return digest.hexdigest()


def _read_error(error: BaseException) -> str:
    if isinstance(error, _TruncatedGzip):
        return str(error)
    if isinstance(error, zlib.error):
        if "incorrect header check" in str(error):
            return "not a gzip stream"
        return f"corrupt gzip data ({error})"
    return f"{type(error).__name__}: {error}"


def scan_file(path: str, file_format: str, digest: Any = None) -> str | None:
    """None when the fast reader can take the whole file, else why not (a short text).

    A text file's bytes are fed to `digest` as they are read; it has seen the whole file
    only when the answer is None (Parquet files are read by pyarrow and never fed to it).
    """
    try:
        if file_format == "parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(path)
            for group in range(parquet.num_row_groups):
                parquet.read_row_group(group)
            return None
        chunks = (
            _gzip_chunks(path, digest) if file_format == "ndjson.gz"
            else _raw_chunks(path, digest=digest)
        )
        scan = _TextScan()
        for chunk in chunks:
            scan.feed(chunk)
            if scan.problem is not None:
                return scan.problem
        scan.feed(b"", final=True)
        return scan.problem
    except Exception as error:  # noqa: BLE001 - any failure to read is the answer
        return _read_error(error)


# -- reading line by line ---------------------------------------------------------------------


def _split_lines(data: bytes) -> list[bytes]:
    """Lines ending at LF, CRLF or a lone CR (the contract's line breaks)."""
    return data.splitlines()


def _line_row(line_number: int, line: bytes) -> FileRow | None:
    """The row of one line; None for a blank line (counted, not kept), as the fast reader."""
    if line.strip(b" ") == b"":
        return None
    if len(line) > MAX_LINE_BYTES:
        return (
            line_number,
            line.decode("utf-8", "backslashreplace"),
            LINE_TOO_LONG,
            f"the line has {len(line)} bytes; at most {MAX_LINE_BYTES} are read",
        )
    try:
        return (line_number, line.decode("utf-8"), None, None)
    except UnicodeDecodeError as error:
        return (
            line_number,
            line.decode("utf-8", "backslashreplace"),
            INVALID_UTF8,
            f"byte {error.start + 1} of the line is not UTF-8 (shown as \\x..)",
        )


def read_file_rows(path: str, file_format: str, start: int = 0, first_line: int = 1) -> list[FileRow]:
    """Rows (line_number, raw_record, read_problem, read_detail) of a file from byte `start`.

    A file that cannot be read to its end gives the lines read so far, then one
    `unreadable_file` row numbered after them.
    """
    if file_format == "parquet":
        problem = scan_file(path, file_format)
        return [(first_line, None, UNREADABLE_FILE, problem or "the Parquet file cannot be read")]
    data = bytearray()
    problem: str | None = None
    try:
        chunks = _gzip_chunks(path) if file_format == "ndjson.gz" else _raw_chunks(path, start)
        for chunk in chunks:
            data += chunk
    except Exception as error:  # noqa: BLE001 - what was read still counts
        problem = _read_error(error)
    rows: list[FileRow] = []
    lines = _split_lines(bytes(data))
    for offset, line in enumerate(lines):
        row = _line_row(first_line + offset, line)
        if row is not None:
            rows.append(row)
    if problem is not None:
        rows.append((first_line + len(lines), None, UNREADABLE_FILE, problem))
    return rows


# -- what a run reads -------------------------------------------------------------------------


def _count_lines(path: str, length: int) -> tuple[int, bytes]:
    """Lines in the file's first `length` bytes, and the last byte (b'' when length is 0)."""
    count = 0
    last = b""
    pending_cr = False
    remaining = length
    for chunk in _raw_chunks(path):
        chunk = chunk[:remaining]
        remaining -= len(chunk)
        if not chunk:
            break
        if pending_cr and chunk.startswith(b"\n"):
            count -= 1  # the CR counted at the end of the last chunk was the first half of CRLF
        count += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        pending_cr = chunk.endswith(b"\r")
        last = chunk[-1:]
        if remaining == 0:
            break
    if last not in (b"\n", b"\r", b""):
        count += 1  # an unterminated last line
    return count, last


def _appended_start(path: str, loaded_size: int) -> tuple[int, int] | None:
    """(byte offset, first line number) of the lines appended after `loaded_size` bytes.

    None when the new bytes continue the last line read before (its text changed).
    """
    lines, last = _count_lines(path, loaded_size)
    with open(path, "rb") as handle:
        handle.seek(loaded_size)
        head = handle.read(2)
    if last == b"\r" and head.startswith(b"\n"):
        return loaded_size + 1, lines + 1  # the LF completing a CRLF
    if last in (b"\n", b"\r", b""):
        return loaded_size, lines + 1
    for line_break in (b"\r\n", b"\n", b"\r"):
        if head.startswith(line_break):
            return loaded_size + len(line_break), lines + 1
    return None


def plan_reads(
    root: str, settle_seconds: float, now: float, loaded: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """What this run reads: {'files': [entry, ...], 'settling': [file_name, ...]}.

    `loaded` maps the file_name of each file loaded before to its {size, landed_at, checksum,
    max_line, changed}. An entry has path, file_name, format, size, landed_at, checksum, mode
    ('fast', 'lines' or 'changed'), start, first_line and problem (why it is not 'fast').
    Files modified less than `settle_seconds` before `now` are left for a later run.
    """
    planned: list[dict[str, Any]] = []
    settling: list[str] = []
    for entry in list_landing_files(Path(root)):
        if now - entry.pop("mtime") < settle_seconds:
            settling.append(entry["file_name"])
            continue
        before = loaded.get(entry["file_name"])
        if before is not None and before.get("size") == entry["size"] and (
            before.get("landed_at") == entry["landed_at"]
        ):
            continue  # loaded, unchanged
        try:
            planned.append(_plan_one(entry, before))
        except Exception as error:  # noqa: BLE001 - e.g. removed while being read
            planned.append(
                {**entry, "checksum": None, "mode": "lines", "start": 0, "first_line": 1,
                 "problem": _read_error(error)}
            )
    return {"files": planned, "settling": settling}


def _plan_one(entry: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    path = entry["path"]
    planned = {**entry, "start": 0, "first_line": 1, "problem": None}
    if before is None:
        # one read of a new text file both scans and checksums it
        digest = hashlib.sha256()
        problem = scan_file(path, entry["format"], digest)
        whole = problem is None and entry["format"] != "parquet"
        checksum = digest.hexdigest() if whole else file_checksum(path)
        return {**planned, "checksum": checksum, "mode": "fast" if problem is None else "lines",
                "problem": problem}
    checksum = file_checksum(path)
    planned["checksum"] = checksum
    loaded_size = int(before.get("size") or 0)
    changed_line = int(before.get("max_line") or 0) + 1
    if before.get("checksum") == checksum:
        return {**planned, "mode": "skip"}  # touched, same bytes
    grew = (
        entry["format"] == "ndjson"
        and not before.get("changed")
        and before.get("checksum") is not None
        and entry["size"] > loaded_size
        and file_checksum(path, loaded_size) == before["checksum"]
    )
    appended = _appended_start(path, loaded_size) if grew else None
    if appended is None:
        return {
            **planned, "mode": "changed", "first_line": changed_line,
            "problem": (
                f"changed after it was loaded (size {loaded_size} -> {entry['size']}, modified "
                f"{before.get('landed_at')} -> {entry['landed_at']}); its new content is not read"
            ),
        }
    start, first_line = appended
    return {**planned, "mode": "lines", "start": start, "first_line": first_line,
            "problem": f"grew from {loaded_size} to {entry['size']} bytes: appended lines read"}


def plan_reads_json(root: str, settle_seconds: float, loaded_json: str) -> str:
    """plan_reads for SQL, now: `loaded` and the result as JSON text; never raises."""
    try:
        loaded = json.loads(loaded_json or "{}")
        plan = plan_reads(root, float(settle_seconds or 0), time.time(), loaded)
        plan["files"] = [entry for entry in plan["files"] if entry["mode"] != "skip"]
        return json.dumps(plan)
    except Exception as error:  # noqa: BLE001 - the build reports it
        return json.dumps({"error": f"{type(error).__name__}: {error}"})

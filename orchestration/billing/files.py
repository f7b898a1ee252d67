"""File export: one CSV and one JSON per frozen final invoice, written atomically and once.

Files are named after the invoice id under `<exports_dir>/invoices/`. Their content depends only
on the frozen rows, so a replay produces byte-identical files. Each written file gets a ledger row
(target `file`, step `csv` / `json`, external_id the path relative to the exports directory).

- CSV cells that could carry event or seed text and start with a spreadsheet formula character
  get a leading single quote (OWASP, CSV injection); the two number columns are the engine's own
  decimal output and stay numbers. The JSON export holds every value unchanged.
- Files get an explicit mode (default 0640, group-readable; `METERLINE_EXPORTS_FILE_MODE`), set on
  the file itself, so the process umask does not decide who can read an invoice.
- A temp file left by an exporter killed mid-write (`.<name>.<random>.tmp`, never a complete
  export) is removed at the start of the next export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.billing.invoices import Invoice, format_money, format_quantity
from orchestration.billing.ledger import PushLedger

TARGET = "file"
CSV_COLUMNS = (
    "invoice_id",
    "account_id",
    "currency",
    "period_start",
    "period_end",
    "invoice_line_id",
    "line_type",
    "contract_id",
    "meter_id",
    "price_id",
    "dimension_value",
    "quantity",
    "amount",
    "description",
    # the account the line rates: the invoice's own, or a subsidiary billed to it (appended
    # last, so readers of the columns before it are unaffected)
    "usage_account_id",
)


# Export files: owner read/write, group read. Set on each file explicitly (not via the umask).
DEFAULT_FILE_MODE = 0o640
# A leading character that makes a spreadsheet read a cell as a formula (OWASP's list: = + - @,
# tab, carriage return; and line feed, the other line break, as a precaution).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Columns that hold the engine's formatted decimals: written as numbers, never escaped.
NUMERIC_COLUMNS = frozenset({"quantity", "amount"})
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# The exporter's own temp files (see write_atomically): `.<file name>.<mkstemp random>.tmp`.
_TEMP_FILE = re.compile(r"\..+\.(?:csv|json)\.[a-z0-9_]{8}\.tmp")
EXPORT_SUBDIR = "invoices"


@dataclass
class ExportResult:
    written: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    skipped_invoices: int = 0
    # Stale temp files of an interrupted export, removed before this one.
    temp_files_removed: list[str] = field(default_factory=list)
    # Existing exports whose mode differed from the configured one (now set).
    modes_fixed: list[str] = field(default_factory=list)


def parse_file_mode(text: str) -> int:
    """An export file mode from octal text (`0640`, `640`, `0o640`). The owner must be able to
    read it (a replay compares contents) and nobody else may write it."""
    match = re.fullmatch(r"(?:0o|0)?([0-7]{3})", text.strip())
    if match is None:
        raise ValueError(f"export file mode {text!r} is not an octal mode such as 0640")
    mode = int(match.group(1), 8)
    if not mode & 0o400 or mode & 0o022:
        raise ValueError(
            f"export file mode {text!r}: the owner must read the files and only the owner may "
            "write them"
        )
    return mode


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not evaluate: a leading quote before a formula trigger."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _csv_cell(column: str, value: str) -> str:
    if column not in NUMERIC_COLUMNS:
        return spreadsheet_safe(value)
    if value and not _DECIMAL_TEXT.fullmatch(value):
        raise ValueError(f"CSV column {column} must hold a decimal number, not {value!r}")
    return value


def _csv_line(cells: Iterable[str]) -> str:
    """One CSV record ending in LF. The writer is told CRLF so that it quotes every cell holding
    a CR as well as an LF: an unquoted CR from event data would split the record, and the cell
    after it would start a new row unescaped."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().removesuffix("\r\n") + "\n"


def invoice_csv(invoice: Invoice) -> str:
    records = [_csv_line(CSV_COLUMNS)]
    for line in invoice.lines:
        values = (
            invoice.invoice_id,
            invoice.account_id,
            invoice.currency,
            invoice.period_start.isoformat(),
            invoice.period_end.isoformat(),
            line.invoice_line_id,
            line.line_type,
            line.contract_id or "",
            line.meter_id or "",
            line.price_id or "",
            line.dimension_value if line.dimension_value is not None else "",
            format_quantity(line.quantity),
            format_money(line.amount, invoice.minor_units),
            line.description or "",
            line.usage_account_id or "",
        )
        records.append(_csv_line(
            _csv_cell(column, value) for column, value in zip(CSV_COLUMNS, values, strict=True)
        ))
    return "".join(records)


def invoice_json(invoice: Invoice) -> str:
    """The invoice as JSON; money and quantities are decimal strings, never floats."""
    document = {
        "invoice_id": invoice.invoice_id,
        "account_id": invoice.account_id,
        "currency": invoice.currency,
        "period_start": invoice.period_start.isoformat(),
        "period_end": invoice.period_end.isoformat(),
        "status": invoice.status,
        "subtotal": format_money(invoice.subtotal, invoice.minor_units),
        "total": format_money(invoice.total, invoice.minor_units),
        "line_count": invoice.line_count,
        "lines": [
            {
                "invoice_line_id": line.invoice_line_id,
                "line_type": line.line_type,
                "contract_id": line.contract_id,
                "meter_id": line.meter_id,
                "price_id": line.price_id,
                "dimension_value": line.dimension_value,
                "period_start": line.period_start.isoformat(),
                "period_end": line.period_end.isoformat(),
                "quantity": None if line.quantity is None else format_quantity(line.quantity),
                "amount": format_money(line.amount, invoice.minor_units),
                "description": line.description,
                "usage_account_id": line.usage_account_id,
            }
            for line in invoice.lines
        ],
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_atomically(path: Path, content: str | bytes, mode: int = DEFAULT_FILE_MODE) -> None:
    """Write a whole file or nothing: a temp file in the same directory, then os.replace. The
    file gets `mode` exactly (mkstemp creates 0600; fchmod is not masked by the umask). Text is
    written as UTF-8, bytes as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        if isinstance(content, str):
            content = content.encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _has_content(path: Path, content: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == content


def remove_stale_temp_files(directory: Path) -> list[str]:
    """Remove the temp files an interrupted export left in `directory` (only names of the
    exporter's own pattern; a temp file is never a complete export, so nothing is lost). Runs
    are serialised by the warehouse's write lock, so no other export is writing there."""
    if not directory.is_dir():
        return []
    removed = []
    for path in sorted(directory.iterdir()):
        if _TEMP_FILE.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def _prepare_directory(exports_dir: Path, file_mode: int) -> None:
    """Whoever may read the files may also open the directories the exporter creates, and its
    own `invoices/` directory, whatever the umask."""
    readable = file_mode & 0o044
    directory_mode = 0o700 | readable | readable >> 2
    for directory in (exports_dir, exports_dir / EXPORT_SUBDIR):
        if not directory.exists():
            directory.mkdir(parents=True)
            directory.chmod(directory_mode)
    (exports_dir / EXPORT_SUBDIR).chmod(directory_mode)


def _ensure_mode(path: Path, mode: int) -> bool:
    if path.stat().st_mode & 0o777 == mode:
        return False
    path.chmod(mode)
    return True


def export_invoices(
    invoices: list[Invoice],
    exports_dir: Path,
    ledger: PushLedger,
    file_mode: int = DEFAULT_FILE_MODE,
) -> ExportResult:
    """Write the files of every invoice that the ledger does not list yet."""
    result = ExportResult()
    directory = exports_dir / EXPORT_SUBDIR
    result.temp_files_removed = remove_stale_temp_files(directory)
    if invoices:
        _prepare_directory(exports_dir, file_mode)
    for invoice in invoices:
        documents = {"csv": invoice_csv(invoice), "json": invoice_json(invoice)}
        if all(ledger.has(invoice.invoice_id, step) for step in documents):
            result.skipped_invoices += 1
        for step, content in documents.items():
            relative = f"{EXPORT_SUBDIR}/{invoice.invoice_id}.{step}"
            path = exports_dir / relative
            if ledger.has(invoice.invoice_id, step):
                if not path.exists():
                    # Already delivered once; put the identical file back, no new ledger row.
                    write_atomically(path, content, file_mode)
                    result.restored.append(relative)
                elif _ensure_mode(path, file_mode):
                    result.modes_fixed.append(relative)
                continue
            if not _has_content(path, content):
                write_atomically(path, content, file_mode)
                result.written.append(relative)
            elif _ensure_mode(path, file_mode):
                result.modes_fixed.append(relative)
            ledger.record(invoice.invoice_id, step, relative)
    return result

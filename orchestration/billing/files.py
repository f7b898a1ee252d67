"""File export: one CSV and one JSON per frozen final invoice, written atomically and once.

Files are named after the invoice id under `<exports_dir>/invoices/`. Their content depends only
on the frozen rows, so a replay produces byte-identical files. Each written file gets a ledger row
(target `file`, step `csv` / `json`, external_id the path relative to the exports directory).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
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
)


@dataclass
class ExportResult:
    written: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    skipped_invoices: int = 0


def invoice_csv(invoice: Invoice) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in invoice.lines:
        writer.writerow(
            (
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
            )
        )
    return buffer.getvalue()


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
            }
            for line in invoice.lines
        ],
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_atomically(path: Path, content: str) -> None:
    """Write a whole file or nothing: a temp file in the same directory, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _has_content(path: Path, content: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == content


def export_invoices(
    invoices: list[Invoice], exports_dir: Path, ledger: PushLedger
) -> ExportResult:
    """Write the files of every invoice that the ledger does not list yet."""
    result = ExportResult()
    for invoice in invoices:
        documents = {"csv": invoice_csv(invoice), "json": invoice_json(invoice)}
        if all(ledger.has(invoice.invoice_id, step) for step in documents):
            result.skipped_invoices += 1
        for step, content in documents.items():
            relative = f"invoices/{invoice.invoice_id}.{step}"
            path = exports_dir / relative
            if ledger.has(invoice.invoice_id, step):
                if not path.exists():
                    # Already delivered once; put the identical file back, no new ledger row.
                    write_atomically(path, content)
                    result.restored.append(relative)
                continue
            if not _has_content(path, content):
                write_atomically(path, content)
                result.written.append(relative)
            ledger.record(invoice.invoice_id, step, relative)
    return result

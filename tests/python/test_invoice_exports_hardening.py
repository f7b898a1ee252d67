"""The file export under attack: formula cells from event data, who can read the files, and the
temp file an exporter killed mid-write leaves behind."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.billing import files
from orchestration.billing.invoices import Invoice, InvoiceLine
from orchestration.billing.ledger import PushLedger
from orchestration.resources import ExportsResource, exports_from_env

REPO_ROOT = Path(__file__).resolve().parents[2]
OCT = (date(2026, 10, 1), date(2026, 11, 1))
HYPERLINK = '=HYPERLINK("http://x","y")'


def line(line_id: str, line_type: str, amount: str, quantity: str | None = None,
         dimension_value: str | None = None, meter_id: str | None = None,
         description: str | None = None) -> InvoiceLine:
    return InvoiceLine(
        invoice_line_id=line_id, invoice_id="inv_x", account_id="acct_x", contract_id="ctr_x",
        period_start=OCT[0], period_end=OCT[1], line_type=line_type, meter_id=meter_id,
        price_id=None, dimension_value=dimension_value,
        quantity=None if quantity is None else Decimal(quantity), amount=Decimal(amount),
        currency="USD", description=description,
    )


# Lines whose text comes from event properties (dimension values) and seeds (descriptions):
#   l1 usage     12.50 USD  dimension =HYPERLINK("http://x","y")
#   l2 usage      2.50 USD  dimension +cmd, description @SUM(A1:A9)
#   l3 adjustment -5.00 USD  quantity -3, dimension -2+3, description "\t=1+1"
#   l4 usage      0.00 USD  dimension "\r=1", description "a=b" (not leading: unchanged)
# total 12.50 + 2.50 - 5.00 + 0.00 = 10.00 USD
INVOICE = Invoice(
    invoice_id="inv_x", account_id="acct_x", currency="USD", period_start=OCT[0],
    period_end=OCT[1], status="final", subtotal=Decimal("15.00"), total=Decimal("10.00"),
    line_count=4, frozen_at=datetime(2026, 11, 5), minor_units=2, stripe_customer_id=None,
    lines=(
        line("l1", "usage", "12.50", "125", HYPERLINK, "api_calls", "API calls"),
        line("l2", "usage", "2.50", "25", "+cmd", "api_calls", "@SUM(A1:A9)"),
        line("l3", "adjustment", "-5.00", "-3", "-2+3", "api_calls", "\t=1+1"),
        line("l4", "usage", "0.00", "0", "\r=1", "api_calls", "a=b"),
    ),
)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[PushLedger]:
    with duckdb.connect(str(tmp_path / "ledger.duckdb")) as conn:
        yield PushLedger(conn, files.TARGET)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- 9a. formula cells are escaped, numbers stay numbers --------------------------------------


def test_formula_cells_from_event_data_are_escaped(tmp_path: Path, ledger: PushLedger) -> None:
    files.export_invoices([INVOICE], tmp_path, ledger)
    records = csv_rows(tmp_path / "invoices/inv_x.csv")
    # One record per line: the CR of l4's dimension value does not split its row.
    assert [row["invoice_line_id"] for row in records] == ["l1", "l2", "l3", "l4"]
    rows = {row["invoice_line_id"]: row for row in records}

    assert rows["l1"]["dimension_value"] == "'" + HYPERLINK
    assert rows["l2"]["dimension_value"] == "'+cmd"
    assert rows["l2"]["description"] == "'@SUM(A1:A9)"
    assert rows["l3"]["dimension_value"] == "'-2+3"
    assert rows["l3"]["description"] == "'\t=1+1"
    assert rows["l4"]["dimension_value"] == "'\r=1"
    assert rows["l4"]["description"] == "a=b"
    assert rows["l1"]["description"] == "API calls"
    # Engine-made numbers are not escaped: a spreadsheet reads -5.00 and -3 as numbers.
    assert [rows[i]["amount"] for i in ("l1", "l2", "l3", "l4")] == [
        "12.50", "2.50", "-5.00", "0.00"
    ]
    assert rows["l3"]["quantity"] == "-3"
    # 12.50 + 2.50 - 5.00 + 0.00 = 10.00, the invoice total
    assert sum(Decimal(row["amount"]) for row in rows.values()) == Decimal("10.00")
    # No text cell of the file starts with a formula character any more.
    for row in rows.values():
        for column, value in row.items():
            if column not in ("amount", "quantity"):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    # The JSON export keeps the values as they are (it is not opened by spreadsheets).
    document = json.loads((tmp_path / "invoices/inv_x.json").read_text())
    assert document["lines"][0]["dimension_value"] == HYPERLINK
    assert document["lines"][2]["amount"] == "-5.00"


def test_numeric_columns_refuse_anything_but_a_decimal() -> None:
    assert files.spreadsheet_safe("-5.00") == "'-5.00"  # as text it would be escaped ...
    assert files._csv_cell("amount", "-5.00") == "-5.00"  # ... as the amount it is a number
    with pytest.raises(ValueError, match="must hold a decimal number"):
        files._csv_cell("amount", "-2+3")


# -- 9b. file mode: group-readable by default, configurable, whatever the umask ---------------


@pytest.fixture
def strict_umask() -> Iterator[None]:
    previous = os.umask(0o077)  # a service account's umask: nothing for group or others
    try:
        yield
    finally:
        os.umask(previous)


def test_export_files_are_0640_by_default_whatever_the_umask(
    tmp_path: Path, ledger: PushLedger, strict_umask: None
) -> None:
    exports = tmp_path / "exports"
    files.export_invoices([INVOICE], exports, ledger)

    assert mode_of(exports / "invoices/inv_x.csv") == 0o640
    assert mode_of(exports / "invoices/inv_x.json") == 0o640
    # Finance (the group) can also open the directories to reach them.
    assert mode_of(exports) == 0o750
    assert mode_of(exports / "invoices") == 0o750


@pytest.mark.parametrize(("configured", "mode"), [("0600", 0o600), ("644", 0o644)])
def test_export_file_mode_is_configurable(
    tmp_path: Path, ledger: PushLedger, strict_umask: None, configured: str, mode: int
) -> None:
    exports = tmp_path / "exports"
    files.export_invoices([INVOICE], exports, ledger, files.parse_file_mode(configured))
    assert mode_of(exports / "invoices/inv_x.csv") == mode
    assert mode_of(exports / "invoices/inv_x.json") == mode


def test_existing_exports_get_the_configured_mode(tmp_path: Path, ledger: PushLedger) -> None:
    """Files written 0600 by an earlier version become readable by finance on the next run."""
    files.export_invoices([INVOICE], tmp_path, ledger, 0o600)
    before = (tmp_path / "invoices/inv_x.csv").read_bytes()

    result = files.export_invoices([INVOICE], tmp_path, ledger)

    assert sorted(result.modes_fixed) == ["invoices/inv_x.csv", "invoices/inv_x.json"]
    assert result.written == [] and mode_of(tmp_path / "invoices/inv_x.csv") == 0o640
    assert (tmp_path / "invoices/inv_x.csv").read_bytes() == before


def test_file_mode_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ExportsResource().mode == 0o640
    monkeypatch.setenv("METERLINE_EXPORTS_FILE_MODE", "0600")
    assert exports_from_env().mode == 0o600
    assert files.parse_file_mode("0o644") == 0o644
    for bad in ("0666", "0200", "rw-r-----", "1640", "0999"):
        with pytest.raises(ValueError):
            files.parse_file_mode(bad)


# -- 9c. a temp file left by an exporter killed mid-write is cleaned up -----------------------

KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from orchestration.billing import files

def killed_before_rename(source, target):
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = killed_before_rename
files.write_atomically(Path(sys.argv[1]), "invoice_id,account_id\\ninv_x,acct")
"""


def test_temp_file_of_a_killed_exporter_is_removed_on_the_next_run(
    tmp_path: Path, ledger: PushLedger
) -> None:
    invoices_dir = tmp_path / "invoices"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(invoices_dir / "inv_x.csv")],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    leftovers = [p.name for p in invoices_dir.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".inv_x.csv.")
    assert leftovers[0].endswith(".tmp")
    # Files that are not the exporter's temp files are left alone.
    keep = [".notes.tmp", "inv_x.csv.bak", ".inv_x.csv.tmp", "readme.tmp"]
    for name in keep:
        (invoices_dir / name).write_text("not ours")

    result = files.export_invoices([INVOICE], tmp_path, ledger)

    assert result.temp_files_removed == leftovers
    assert sorted(p.name for p in invoices_dir.iterdir()) == sorted(
        [*keep, "inv_x.csv", "inv_x.json"]
    )
    assert len(csv_rows(invoices_dir / "inv_x.csv")) == 4  # the complete export

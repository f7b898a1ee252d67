"""Usage statements on the fixture scenario (the shared `fixture_build`, no dbt run of their own):
every HTML file's figures, read back from the file, equal marts.fct_invoices; one statement
checked by hand; the pages rendered in headless chromium (figures and chart bars as the browser
lays them out, a screenshot); the Dagster asset writes the HTML and PDF files."""

from __future__ import annotations

import struct
import zlib
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from conftest import DbtRun, copy_database
from dagster import materialize

from orchestration.assets.statements import usage_statements
from orchestration.billing.invoices import format_money
from orchestration.resources import StatementsResource, WarehouseResource
from orchestration.statements.browser import Browser, find_browser
from orchestration.statements.data import Statement, StatementError, load_statements
from orchestration.statements.render import money_text, render_statement
from orchestration.statements.writer import file_names, write_statements

# The invoice checked by hand: Globex, November 2026 (open at as_of 2026-11-25).
GLOBEX_NOVEMBER = ("acct_globex", "2026-11-01")
BAR_RGB = (0x2B, 0x6C, 0xB0)


class Figures(HTMLParser):
    """Every element with a data-field attribute: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str]] = []
        self.meta: dict[str, str] = {}
        self.bars: list[dict[str, str]] = []
        self._open: list[tuple[str, dict[str, str] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
            return
        if tag == "rect" and "data-bar" in values:
            self.bars.append(values)
        record = None
        if "data-field" in values:
            record = {**values, "text": ""}
            self.fields.append(record)
        if tag not in ("meta", "br", "img", "line", "input", "link"):
            self._open.append((tag, record))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, record in self._open:
            if record is not None:
                record["text"] += data


def read_figures(path: Path) -> Figures:
    parser = Figures()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def by_field(fields: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for field in fields:
        grouped[field["data-field"]].append(field)
    return grouped


@pytest.fixture(scope="module")
def statements(fixture_build: DbtRun) -> list[Statement]:
    with duckdb.connect(str(fixture_build.database), read_only=True) as conn:
        return load_statements(conn)


@pytest.fixture(scope="module")
def invoices(fixture_build: DbtRun) -> dict[str, dict]:
    rows = fixture_build.query(
        "select invoice.invoice_id, invoice.account_id, invoice.currency, invoice.period_start,"
        " invoice.period_end, invoice.status, invoice.subtotal, invoice.total,"
        " invoice.line_count, currency.minor_units"
        " from marts.fct_invoices as invoice join marts.dim_currencies as currency"
        " using (currency)"
    )
    names = ("invoice_id", "account_id", "currency", "period_start", "period_end", "status",
             "subtotal", "total", "line_count", "minor_units")
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


@pytest.fixture(scope="module")
def html_dir(statements: list[Statement], tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("statements") / "out"
    result = write_statements(statements, directory, pdf=False)
    assert len(result.html_written) == len(statements)
    return directory


def test_every_statement_shows_the_figures_of_fct_invoices(
    html_dir: Path, invoices: dict[str, dict], fixture_build: DbtRun
) -> None:
    lines = defaultdict(dict)
    for invoice_id, line_id, amount in fixture_build.query(
        "select invoice_id, invoice_line_id, amount from marts.fct_invoice_lines"
    ):
        lines[invoice_id][line_id] = amount
    files = sorted(p for p in html_dir.glob("*.html") if p.name != "index.html")
    assert len(files) == len(invoices) == 37
    seen = set()
    for path in files:
        page = read_figures(path)
        invoice = invoices[page.meta["meterline-invoice-id"]]
        seen.add(invoice["invoice_id"])
        units = invoice["minor_units"]
        fields = by_field(page.fields)
        # figures as text are the same as their data-value (thousands separators aside)
        for field in page.fields:
            assert field["text"].replace(",", "").strip() == field["data-value"], field
        single = {name: [f["data-value"] for f in fields[name]]
                  for name in ("account_id", "currency", "status", "period_start",
                               "period_end", "line_count")}
        assert single == {
            "account_id": [invoice["account_id"]],
            "currency": [invoice["currency"]],
            "status": [invoice["status"]],
            "period_start": [invoice["period_start"].isoformat()],
            "period_end": [invoice["period_end"].isoformat()],
            "line_count": [str(invoice["line_count"])],
        }, path.name
        # the total (header and foot of the lines) and the subtotal, to the minor unit
        assert [f["data-value"] for f in fields["total"]] == [
            format_money(invoice["total"], units)] * 2, path.name
        assert [f["data-value"] for f in fields["subtotal"]] == [
            format_money(invoice["subtotal"], units)]
        # every line of the invoice once, with its amount; the lines add up to the total
        shown = {f["data-line-id"]: Decimal(f["data-value"]) for f in fields["line_amount"]}
        assert len(fields["line_amount"]) == len(shown) == invoice["line_count"]
        assert shown == lines[invoice["invoice_id"]], path.name
        assert sum(shown.values()) == invoice["total"]
        # exactly the currency's minor digits on every amount
        for field in fields["line_amount"] + fields["total"] + fields["subtotal"]:
            decimals = field["data-value"].partition(".")[2]
            assert len(decimals) == units, (path.name, field)
    assert seen == set(invoices)


def test_globex_november_by_hand(html_dir: Path, statements: list[Statement]) -> None:
    """acct_globex, 2026-11-01 to 2026-12-01 (open at as_of 2026-11-25), plan payg:
    - storage_gb (max, events e-201, e-202, e-203 of tests/fixtures/landing/2026-11/storage.jsonl):
      10.5 GB on 11-01, 42.25 on 11-10, 30 on 11-20; period max 42.25 GB, volume price
      p_payg_storage tier 1 (up to 100 GB) at 0.25 (seeds/price_tiers.csv):
      42.25 x 0.25 = 10.5625, rounded 10.56;
    - fixed p_payg_platform 49.00 (seeds/prices.csv), whole month;
    - subtotal 10.56 + 49.00 = 59.56;
    - credit g_globex_promo (seeds/credit_grants.csv): 250.00 granted 2026-10-01; October used
      49.00 (its fixed fee), 250.00 - 49.00 = 201.00 left; November applies min(59.56, 201.00)
      = 59.56, total 59.56 - 59.56 = 0.00, balance 201.00 - 59.56 = 141.44."""
    [statement] = [s for s in statements
                   if (s.account_id, s.period_start.isoformat()) == GLOBEX_NOVEMBER]
    page = read_figures(html_dir / f"{file_names(statements)[statement.invoice_id]}.html")
    fields = by_field(page.fields)
    assert fields["status"][0]["data-value"] == "open"
    assert [f["data-value"] for f in fields["total"]] == ["0.00", "0.00"]
    assert fields["subtotal"][0]["data-value"] == "59.56"
    assert fields["credits_applied"][0]["data-value"] == "-59.56"
    amounts = sorted(Decimal(f["data-value"]) for f in fields["line_amount"]
                     if f["data-value"] != "0.00")
    assert amounts == [Decimal("-59.56"), Decimal("10.56"), Decimal("49.00")]
    assert [(f["data-grant-id"], f["data-value"]) for f in fields["credit_balance"]] == [
        ("g_globex_promo", "141.44")]
    assert [(f["data-grant-id"], f["data-value"]) for f in fields["credit_applied"]] == [
        ("g_globex_promo", "-59.56")]
    # the volume tiers of the storage line: all 42.25 GB in tier 1, 10.5625 before rounding
    assert [(f["data-tier"], f["data-value"]) for f in fields["tier_amount"]
            if f["data-value"] != "0"] == [("1", "10.5625")]
    # the daily usage, in the table and as one bar per day with usage
    assert [(f["data-date"], f["data-value"]) for f in fields["usage"]] == [
        ("2026-11-01", "10.5"), ("2026-11-10", "42.25"), ("2026-11-20", "30")]
    assert [(b["data-date"], b["data-value"]) for b in page.bars] == [
        ("2026-11-01", "10.5"), ("2026-11-10", "42.25"), ("2026-11-20", "30")]


def test_money_is_shown_in_minor_units_and_never_rounded_here(
    statements: list[Statement]
) -> None:
    # JPY has no minor unit (dim_currencies): 7000 yen is "7,000", not "7,000.00"
    assert money_text(Decimal("7000.0000"), 0) == "7,000"
    assert money_text(Decimal("-1234.5"), 2) == "-1,234.50"
    # an amount finer than the currency's minor unit is an error, not silently rounded
    statement = statements[0]
    broken = Statement(**{**statement.__dict__, "total": Decimal("0.005"), "minor_units": 2})
    with pytest.raises(ValueError, match="not a whole number of minor units"):
        render_statement(broken)


def test_a_currency_missing_from_dim_currencies_is_named(
    fixture_build: DbtRun, tmp_path: Path
) -> None:
    database = copy_database(fixture_build, tmp_path)
    with duckdb.connect(str(database)) as conn:
        conn.execute("delete from marts.dim_currencies where currency = 'JPY'")
        with pytest.raises(StatementError, match="currency JPY is not in marts.dim_currencies"):
            load_statements(conn)


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (chromium's)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6), (depth, color)
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


READ_PAGE = """(() => {
  const fields = [...document.querySelectorAll('[data-field]')].map(e => ({
    field: e.dataset.field, value: e.dataset.value, text: e.textContent.trim(),
    line: e.dataset.lineId || null}));
  const bars = [...document.querySelectorAll('svg.chart rect[data-bar]')].map(r => {
    r.scrollIntoView({block: 'center', inline: 'center'});
    const box = r.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return {date: r.dataset.date, value: r.dataset.value, width: box.width,
            height: box.height, x: box.x + window.scrollX + box.width / 2,
            y: box.y + window.scrollY + box.height / 2, on_top: hit === r};
  });
  const charts = [...document.querySelectorAll('svg.chart')].map(s => {
    const box = s.getBoundingClientRect(); return {width: box.width, height: box.height};
  });
  return {fields, bars, charts, scripts: document.scripts.length};
})()"""


def _require_browser() -> None:
    """The browser checks are part of `make test` (`.ci/run` installs chromium when missing):
    without a browser they fail, never pass unseen."""
    if find_browser() is None:
        pytest.fail("needs Debian's chromium (apt-get install chromium): `.ci/run` installs it")


def test_statements_render_in_a_browser(
    html_dir: Path, statements: list[Statement], invoices: dict[str, dict], tmp_path: Path
) -> None:
    """Every statement (37: USD, EUR and JPY; 12 with charts) rendered in one browser, its
    figures read from the rendered page and a screenshot of it saved. About 0.5 s a page."""
    _require_browser()
    names = file_names(statements)
    rendered = statements
    globex = next(s for s in statements
                  if (s.account_id, s.period_start.isoformat()) == GLOBEX_NOVEMBER)
    with Browser() as browser:
        for statement in rendered:
            invoice = invoices[statement.invoice_id]
            browser.open((html_dir / f"{names[statement.invoice_id]}.html").as_uri())
            page = browser.evaluate(READ_PAGE)
            assert page["scripts"] == 0  # the figures need no script
            totals = {f["value"] for f in page["fields"] if f["field"] == "total"}
            assert totals == {format_money(invoice["total"], invoice["minor_units"])}
            shown = [Decimal(f["value"]) for f in page["fields"] if f["field"] == "line_amount"]
            assert sum(shown) == invoice["total"] and len(shown) == invoice["line_count"]
            # a chart per usage series, laid out, and a visible bar per day with usage above 0
            assert len(page["charts"]) == len(statement.usage)
            assert all(c["width"] > 300 and c["height"] > 100 for c in page["charts"])
            expected_bars = sum(1 for s in statement.usage for v in s.points.values() if v > 0)
            drawn = [b for b in page["bars"] if Decimal(b["value"]) > 0]
            assert len(drawn) == expected_bars
            assert all(b["width"] > 0 and b["height"] > 0 and b["on_top"] for b in drawn)
            if statement is globex:
                globex_bars = drawn
            shot = browser.screenshot(
                (html_dir / f"{names[statement.invoice_id]}.html").as_uri(),
                tmp_path / f"{names[statement.invoice_id]}.png",
            )
            assert shot.read_bytes().startswith(b"\x89PNG")
    screenshot = tmp_path / f"{names[globex.invoice_id]}.png"
    assert len(list(tmp_path.glob("*.png"))) == len(statements) == 37
    assert sum(1 for s in statements if s.usage) == 12
    assert globex in rendered and {s.currency for s in rendered} == {"USD", "EUR", "JPY"}
    # the screenshot shows the bars: the pixel in the middle of the 42.25 GB bar has the bar's
    # colour, and the page is not one colour
    width, channels, rows = _png_pixels(screenshot.read_bytes())
    tallest = max(globex_bars, key=lambda b: Decimal(b["value"]))
    assert tallest["date"] == "2026-11-10"
    x, y = round(tallest["x"]), round(tallest["y"])
    assert tuple(rows[y][x * channels:x * channels + 3]) == BAR_RGB
    assert len({row[i:i + 3] for row in rows[::20] for i in range(0, width * channels, 40)}) > 3


def test_the_asset_writes_the_statements(fixture_build: DbtRun, tmp_path: Path) -> None:
    """In-process materialization on a copy of the fixture warehouse, HTML only (the PDFs are
    printed by the same writer: test_pdfs_are_printed_from_the_html)."""
    database = copy_database(fixture_build, tmp_path / "warehouse")
    out = tmp_path / "statements"
    resources = {
        "warehouse": WarehouseResource(database_path=str(database)),
        "statements": StatementsResource(directory=str(out), pdf=False),
    }
    result = materialize([usage_statements], resources=resources)
    assert result.success
    metadata = result.asset_materializations_for_node("billing__usage_statements")[0].metadata
    assert (metadata["statements"].value, metadata["html_written"].value) == (37, 37)
    html = sorted(out.glob("2026-*.html"))
    assert len(html) == 37 and (out / "index.html").is_file()
    assert all(p.stat().st_mode & 0o777 == 0o640 for p in html)
    index = (out / "index.html").read_text()
    assert all(f'href="{p.name}"' in index for p in html)
    assert ".pdf" not in index  # no PDF printed, none linked
    # a second run finds every statement unchanged and writes nothing
    again = materialize([usage_statements], resources=resources)
    metadata = again.asset_materializations_for_node("billing__usage_statements")[0].metadata
    assert (metadata["html_written"].value, metadata["html_unchanged"].value,
            metadata["pdf_written"].value) == (0, 37, 0)


def test_pdfs_are_printed_from_the_html(statements: list[Statement], tmp_path: Path) -> None:
    _require_browser()
    # three statements: JPY, a child-less USD invoice with a credit, a yearly period
    chosen = [s for s in statements if (s.account_id, s.period_start.isoformat()) in {
        ("acct_tanaka", "2026-10-01"), GLOBEX_NOVEMBER, ("acct_oscorp", "2026-09-15")}]
    assert len(chosen) == 3
    result = write_statements(chosen, tmp_path, pdf=True)
    assert sorted(result.pdf_written) == sorted(f"{n}.pdf" for n in file_names(chosen).values())
    for name in result.pdf_written:
        assert (tmp_path / name).read_bytes().startswith(b"%PDF-")
        assert f'href="{name}"' in (tmp_path / "index.html").read_text()
    # the PDFs are printed again only for a statement whose HTML changed or whose PDF is gone
    (tmp_path / result.pdf_written[0]).unlink()
    again = write_statements(chosen, tmp_path, pdf=True)
    assert (again.html_written, again.pdf_written) == ([], [result.pdf_written[0]])

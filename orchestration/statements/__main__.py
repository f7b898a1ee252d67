"""Write the usage statements of a built warehouse, outside Dagster (`make statements`).

    python -m orchestration.statements [--database PATH] [--out DIR] [--no-pdf]

Reads the marts read-only; writes HTML and PDF files as the Dagster asset billing/usage_statements
does (PDFs need Debian's chromium; without it the HTML files are still written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import duckdb

from orchestration.billing.files import DEFAULT_FILE_MODE, parse_file_mode
from orchestration.statements.browser import Browser
from orchestration.statements.data import StatementError, load_statements
from orchestration.statements.writer import write_statements

DEFAULT_DATABASE = "warehouse/meterline.duckdb"
DEFAULT_STATEMENTS_DIR = "exports/statements"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database",
                        default=os.environ.get("METERLINE_DUCKDB_PATH") or DEFAULT_DATABASE)
    parser.add_argument("--out",
                        default=os.environ.get("METERLINE_STATEMENTS_DIR") or DEFAULT_STATEMENTS_DIR)
    parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="also a PNG of one statement (--statement), e.g. for the README")
    parser.add_argument("--statement", metavar="NAME",
                        help="the statement of --screenshot: its file name without .html")
    args = parser.parse_args(argv)
    if not Path(args.database).exists():
        print(f"no warehouse at {args.database}: run `make demo` first", file=sys.stderr)
        return 2
    mode = parse_file_mode(os.environ.get("METERLINE_EXPORTS_FILE_MODE")
                           or f"{DEFAULT_FILE_MODE:04o}")
    started = time.monotonic()
    with duckdb.connect(args.database, read_only=True) as conn:
        try:
            statements = load_statements(conn)
        except (StatementError, duckdb.CatalogException) as error:
            print(f"cannot make the statements: {error}", file=sys.stderr)
            return 1
    result = write_statements(statements, Path(args.out), mode, pdf=not args.no_pdf)
    print(f"{len(statements)} statements in {args.out}/: {len(result.html_written)} HTML and "
          f"{len(result.pdf_written)} PDF files written, {result.html_unchanged} unchanged "
          f"({time.monotonic() - started:.1f} s); index: {Path(args.out) / 'index.html'}")
    if result.pdf_skipped and not args.no_pdf:
        print(f"no PDF printed: {result.pdf_skipped}", file=sys.stderr)
    if args.screenshot:
        page = Path(args.out) / f"{args.statement}.html"
        if not args.statement or not page.is_file():
            print(f"--screenshot needs --statement, the name of a written statement ({page})",
                  file=sys.stderr)
            return 2
        with Browser() as browser:
            browser.screenshot(page.resolve().as_uri(), Path(args.screenshot), width=1000)
        print(f"wrote {args.screenshot} from {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

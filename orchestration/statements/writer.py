"""Writing the statements: `<directory>/<period_start>_<account>_<currency>.html` and `.pdf` per
invoice, and `index.html` listing them.

- Each file is written atomically with the export file mode (files.write_atomically), and only
  when its content changed: a statement of a final period is written once, an open period's
  again after each change of its figures.
- A temp file left by a writer killed mid-write is removed at the start of the next run.
- The PDF is printed from the written HTML by one headless chromium for all statements
  (statements/browser.py), again only when the HTML changed or the PDF is missing. Without a
  browser the HTML files are still written and the result says why the PDFs were not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.billing.files import DEFAULT_FILE_MODE, write_atomically
from orchestration.statements.browser import Browser, find_browser
from orchestration.statements.data import Statement
from orchestration.statements.render import render_index, render_statement

INDEX = "index.html"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# write_atomically's temp files (`.<file name>.<mkstemp random>.tmp`), left by a killed writer
_TEMP_FILE = re.compile(r"\..+\.(?:html|pdf)\.[a-z0-9_]{8}\.tmp")


@dataclass
class WriteResult:
    html_written: list[str] = field(default_factory=list)
    html_unchanged: int = 0
    pdf_written: list[str] = field(default_factory=list)
    # why no PDF was printed (no browser, or PDFs turned off); None when they were
    pdf_skipped: str | None = None
    temp_files_removed: list[str] = field(default_factory=list)


def file_names(statements: list[Statement]) -> dict[str, str]:
    """invoice_id -> file name without suffix: period start, account, currency (characters
    other than letters, digits, `.`, `_` and `-` replaced); the invoice id where two names
    would collide."""
    names = {s.invoice_id: "_".join((s.period_start.isoformat(), _UNSAFE.sub("-", s.account_id),
                                     _UNSAFE.sub("-", s.currency)))
             for s in statements}
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    return {invoice_id: (invoice_id if seen[name] > 1 else name)
            for invoice_id, name in names.items()}


def _changed(path: Path, content: str) -> bool:
    return not (path.is_file() and path.read_text(encoding="utf-8") == content)


def _prepare_directory(directory: Path, file_mode: int) -> None:
    """Whoever may read the files may open the directory too, whatever the umask."""
    if not directory.exists():
        readable = file_mode & 0o044
        directory.mkdir(parents=True)
        directory.chmod(0o700 | readable | readable >> 2)


def write_statements(
    statements: list[Statement],
    directory: Path,
    file_mode: int = DEFAULT_FILE_MODE,
    pdf: bool = True,
    browser: str | None = None,
) -> WriteResult:
    result = WriteResult()
    _prepare_directory(directory, file_mode)
    for path in sorted(directory.iterdir()):
        if _TEMP_FILE.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            result.temp_files_removed.append(path.name)
    names = file_names(statements)
    to_print: list[tuple[Path, Path]] = []
    for statement in statements:
        name = names[statement.invoice_id]
        html_path, pdf_path = directory / f"{name}.html", directory / f"{name}.pdf"
        html = render_statement(statement)
        if _changed(html_path, html):
            write_atomically(html_path, html, file_mode)
            result.html_written.append(html_path.name)
            to_print.append((html_path, pdf_path))
        else:
            result.html_unchanged += 1
            if not pdf_path.exists():
                to_print.append((html_path, pdf_path))
    executable = browser or find_browser()
    if not pdf:
        result.pdf_skipped = "PDFs turned off"
    elif executable is None:
        result.pdf_skipped = "chromium not found (apt-get install chromium): HTML only"
    elif to_print:
        with Browser(executable) as chromium:
            for html_path, pdf_path in to_print:
                write_atomically(pdf_path, chromium.pdf(html_path.resolve().as_uri()), file_mode)
                result.pdf_written.append(pdf_path.name)
    # the index links a statement's PDF only when there is one
    with_pdf = {invoice_id for invoice_id, name in names.items()
                if (directory / f"{name}.pdf").is_file()}
    index = render_index(statements, names, with_pdf)
    if _changed(directory / INDEX, index):
        write_atomically(directory / INDEX, index, file_mode)
    return result

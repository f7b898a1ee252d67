"""The BI copy's file operations: a new version folder, then an atomic swap (macros/bi_copy.sql).

Layout under the BI folder (METERLINE_BI_DIR, default `bi/` beside the warehouse file):

    versions/<version>/meterline.duckdb   the marts and audit tables (DuckDB storage v1.0.0,
                                          readable by DuckDB 1.x), with their descriptions
    versions/<version>/<table>.parquet    the same tables, one Parquet file each
    versions/<version>/published.json     version, time of publication, tables
    current -> versions/<version>         the last complete version (a symlink)

A version is written in full before `current` is replaced by a rename (atomic on POSIX), so a
reader opening `current/...` sees the previous complete version or the new complete one, never a
half-written one, and a reader holding a file open keeps its version. No reader ever opens the
working warehouse, so BI cannot block a build. The newest `keep` versions are kept (the one
replaced stays for readers that still have it open), older ones are removed.
DECISIONLOG "BI copy".
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path

CURRENT = "current"
VERSIONS = "versions"
DUCKDB_FILE = "meterline.duckdb"
PUBLISHED_FILE = "published.json"


def prepare_version(bi_dir: str, version: str) -> str:
    """Create (empty) the folder of a new version and return its path."""
    folder = Path(bi_dir) / VERSIONS / version
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return str(folder)


def swap_current(bi_dir: str, version: str, tables_json: str, keep: int) -> str:
    """Point `current` at a written version (atomic rename of a symlink); prune old versions.

    tables_json: the published tables as a JSON list of "schema.table". Returns the version's
    folder.
    """
    root = Path(bi_dir)
    folder = root / VERSIONS / version
    published = {
        "version": version,
        "published_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "duckdb_file": DUCKDB_FILE,
        "tables": json.loads(tables_json),
    }
    (folder / PUBLISHED_FILE).write_text(json.dumps(published, indent=2) + "\n")
    link = root / f".{CURRENT}.{version}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(Path(VERSIONS) / version, link)
    os.replace(link, root / CURRENT)
    kept = sorted(path.name for path in (root / VERSIONS).iterdir() if path.is_dir())
    for name in kept[: max(len(kept) - max(keep, 1), 0)]:
        if name != version:
            shutil.rmtree(root / VERSIONS / name, ignore_errors=True)
    return str(folder)

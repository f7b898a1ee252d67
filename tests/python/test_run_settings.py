"""Run settings: as_of from var, else from the environment (keeps daily runs partially parsed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_dbt

SHOW_AS_OF = [
    "show", "--inline", "select cast({{ meterline.as_of_literal() }} as varchar) as as_of_on",
    "--output", "json", "--log-format", "text",
]


def _shown_as_of(stdout: str) -> str:
    start = stdout.index("{", stdout.index('"show"') - 10)
    rows = json.JSONDecoder().raw_decode(stdout[start:])[0]["show"]
    return rows[0]["as_of_on"]


def test_as_of_from_environment_then_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METERLINE_AS_OF", "2031-02-03")
    from_env = run_dbt(SHOW_AS_OF, tmp_path / "env")
    assert from_env.returncode == 0, from_env.stdout[-2000:]
    assert _shown_as_of(from_env.stdout) == "2031-02-03"
    # --vars wins over the environment.
    from_var = run_dbt(SHOW_AS_OF, tmp_path / "var", as_of="2030-01-31")
    assert from_var.returncode == 0, from_var.stdout[-2000:]
    assert _shown_as_of(from_var.stdout) == "2030-01-31"

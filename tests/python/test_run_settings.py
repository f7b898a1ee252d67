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


def test_a_new_as_of_parses_nothing_again(tmp_path: Path) -> None:
    """A daily run changes METERLINE_AS_OF only: dbt keeps the parsed project as it is (no
    file parsed again) and the models still read the new date."""
    first = run_dbt(SHOW_AS_OF, tmp_path, as_of="2031-02-03")
    assert first.returncode == 0, first.stdout[-2000:]
    assert _shown_as_of(first.stdout) == "2031-02-03"
    second = run_dbt(SHOW_AS_OF, tmp_path, as_of="2031-02-04")
    assert second.returncode == 0, second.stdout[-2000:]
    assert _shown_as_of(second.stdout) == "2031-02-04"
    second_log = (tmp_path / "logs" / "dbt.log").read_text().split("Running with dbt=")[-1]
    assert "Partial parsing enabled, no changes found" in second_log, second_log[:3000]

"""The code's form is checked like its behaviour: `ruff format` leaves every file as it is, and
`ruff check` (the rules in pyproject.toml) finds nothing. CI runs the README's test command
only, so this is where the format is kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["ropa", "tests", "bench", "app.py"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args, *PATHS], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_format_changes_nothing() -> None:
    run = _ruff("format", "--check")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_ruff_check_finds_nothing() -> None:
    run = _ruff("check", "--no-cache")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]

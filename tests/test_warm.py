"""The modules pages import late are imported once, in one order, after the first page (ropa.ui.warm)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from streamlit.testing.v1 import AppTest
from ropa.ui import warm
assert not any(name in sys.modules for name in ("ropa.imports", "ropa.excel.export", "ropa.documents.report")), "imported before the app ran"
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
assert not at.exception, at.exception
missing = [name for name in warm.LATE if name not in sys.modules]
print("missing:", missing)
"""


def test_the_first_run_imports_what_pages_import_late(tmp_path: Path) -> None:
    env = {"ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'warm.db'}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "missing: []" in run.stdout, run.stdout

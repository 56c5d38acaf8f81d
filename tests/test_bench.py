"""The benchmark keeps working: a small run with N=200 (no timing assertions)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_synthetic_register_is_deterministic_and_valid():
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import register
    from ropa.validation import parse_document

    a, b = register(120), register(120)
    assert a == b
    doc, problems = parse_document(a)
    assert doc is not None and [p for p in problems if p.severity == "error"] == []
    assert sum(len(o.activities) for o in doc.organisations) == 120 and len(doc.organisations) == 50


def test_benchmark_runs_with_200_activities(tmp_path):
    r = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--activities", "200", "--json", "--repeat", "2", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    steps = {row["step"]: row for row in rows}
    assert set(steps) == {
        "bulk_load",
        "export_xlsx",
        "ref_openpyxl_write",
        "export_json",
        "import_xlsx",
        "ref_calamine_insert",
        "import_foreign_csv",
        "checks",
        "page_overview",
        "page_activities",
    }
    for row in rows:
        assert set(row) >= {"step", "activities", "seconds", "peak_rss_mb", "reference_seconds", "ratio"}
        assert row["activities"] == 200
        assert not row.get("skipped") and not row.get("failed"), row
        assert row["seconds"] > 0 and row["peak_rss_mb"] > 0 and row["runs"] == 2
    assert steps["export_xlsx"]["ratio"] > 0 and steps["import_xlsx"]["ratio"] > 0  # measured against their references


def test_the_browser_benchs_floor_pages_draw_what_the_first_page_is_timed_by():
    """Streamlit's floor (bench/browser.py) is only a floor if its pages show what the overview's
    timing waits for: the title and ten figures; the framed one inside as many pages, with the
    same icons, as app.py's sidebar."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))
    from bench import browser

    for script in (browser.BARE_PAGE, browser.BARE_FRAME):
        at = AppTest.from_string(script, default_timeout=30).run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Oversikt"] and len(at.metric) == 10
    framed = AppTest.from_string(browser.BARE_FRAME, default_timeout=30).run()
    assert framed.sidebar.radio[0].options == ["nb", "en"]
    # As many pages as app.py offers an administrator, each with an icon of the app's.
    icons = next(n.value for n in ast.walk(ast.parse(browser.BARE_FRAME)) if isinstance(n, ast.Assign) and n.targets[0].id == "ICONS")
    app = (ROOT / "app.py").read_text()
    assert 1 + len(ast.literal_eval(icons)) == app.count("st.Page(") == 13
    assert {f":material/{i}:" for i in ast.literal_eval(icons)} | {":material/dashboard:"} == set(re.findall(r'icon="(:material/\w+:)"', app))

"""Benchmark the registry at scale, against the libraries' own limits measured in the same run.

    python bench/run.py [--activities N ...] [--database-url URL] [--json] [--repeat R]

For each N: a deterministic synthetic register (bench/synthetic.py) is bulk-loaded into a
fresh database (SQLite in a temporary folder, or the PostgreSQL URL given), then each step
runs in a child process of its own, so its wall time and peak memory (RSS) are its own:
bulk load, export to .xlsx, export to .json, import of the exported .xlsx into an empty
database, the import of someone else's register (a CSV without a reference column, made from the
same register), all checks, and the dashboard's overview and activities pages through AppTest.
References run the same way: raw openpyxl write_only writing as many cells as the export
wrote, and python-calamine reading the exported file plus a bulk insert of its rows.
A step whose module does not exist yet is reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "export_xlsx": "≤ 1.3× raw openpyxl write_only (10k); ≤ 600 MB (100k)",
    "import_xlsx": "≤ 2× calamine read + bulk insert (10k); ≤ 600 MB (100k)",
    "import_foreign_csv": "linear in rows (≤ 11× from 10k to 100k)",
    "checks": "≤ 3 s (100k)",
    "page_overview": "≤ 1 s (10k)",
    "page_activities": "≤ 1 s (10k)",
}


# ---------------------------------------------------------------------------------------------
# Steps: each runs inside a child process and returns extra figures (if any)


def _engine(url: str) -> Any:
    from ropa import db

    engine = db.make_engine(url)
    db.migrate(engine)
    return engine


def _fresh(url: str) -> str:
    """Empty the database at ``url`` (drop the SQLite file, or the PostgreSQL schema)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{u.database}{suffix}").unlink(missing_ok=True)
        return url
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()
    return url


def step_bulk_load(a: dict[str, Any]) -> dict[str, Any]:
    from ropa import db
    from ropa.register import interchange

    engine = _engine(_fresh(a["db"]))
    t0 = time.perf_counter()
    # json.load, not interchange.read_json: its 50 MB cap guards uploads, and 100k activities exceed it.
    with open(a["register"], encoding="utf-8") as f:
        data = json.load(f)
    with db.transaction(engine) as s:
        report = interchange.import_document(s, data, actor="bench", source="synthetic")
    return {"seconds": time.perf_counter() - t0, "rows": len(report.created)}


def step_export_xlsx(a: dict[str, Any]) -> dict[str, Any]:
    from ropa import db
    from ropa.excel.export import write_workbook

    engine = _engine(a["db"])
    t0 = time.perf_counter()
    with db.session(engine) as s:
        write_workbook(s, a["xlsx"], lang="nb")
    return {"seconds": time.perf_counter() - t0}


def step_export_json(a: dict[str, Any]) -> dict[str, Any]:
    from ropa import db
    from ropa.register import interchange

    engine = _engine(a["db"])
    t0 = time.perf_counter()
    with db.session(engine) as s:
        interchange.write_json(s, a["json"])
    return {"seconds": time.perf_counter() - t0}


def step_import_xlsx(a: dict[str, Any]) -> dict[str, Any]:
    from ropa import db, imports

    engine = _engine(_fresh(a["import_db"]))
    t0 = time.perf_counter()
    with db.transaction(engine) as s:
        imports.import_(s, a["xlsx"], actor="bench")
    return {"seconds": time.perf_counter() - t0}


def step_import_foreign_csv(a: dict[str, Any]) -> dict[str, Any]:
    """Someone else's register as CSV, one row an activity and no reference column (as most
    registers DPOs bring are): every row gets its ref, its vocabulary read from words."""
    import csv

    from ropa import db, imports

    path = Path(a["foreign_csv"])
    with open(a["register"], encoding="utf-8") as f:
        orgs = json.load(f)["organisations"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Organisation", "Name of processing activity", "Purpose", "Categories of data subjects", "Categories of personal data", "Retention period"])
        for org in orgs:
            for act in org["activities"]:
                w.writerow(
                    [
                        org["name"],
                        act["name"],
                        "; ".join(act.get("purposes") or []) or "Administration",
                        "Customers; Employees",
                        "Contact details; Name",
                        "5 years",
                    ]
                )
    engine = _engine(_fresh(a["import_db"]))
    t0 = time.perf_counter()
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="bench")
    return {"seconds": time.perf_counter() - t0, "rows": len(report.created)}


def step_checks(a: dict[str, Any]) -> dict[str, Any]:
    from ropa import db
    from ropa.register.checks import check_register

    engine = _engine(a["db"])
    t0 = time.perf_counter()
    with db.session(engine) as s:
        findings = check_register(s)
    return {"seconds": time.perf_counter() - t0, "findings": len(findings)}


def _page(a: dict[str, Any], path: str) -> dict[str, Any]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["ROPA_DATABASE_URL"] = a["db"]
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # opens the engine and renders the default page once (warm-up, not timed)
    at.switch_page(path)
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(str(at.exception))
    return {"seconds": seconds}


def step_page_overview(a: dict[str, Any]) -> dict[str, Any]:
    return _page(a, "ropa/ui/pages/overview.py")


def step_page_activities(a: dict[str, Any]) -> dict[str, Any]:
    return _page(a, "ropa/ui/pages/activities.py")


def ref_openpyxl_write(a: dict[str, Any]) -> dict[str, Any]:
    """Raw openpyxl write_only: the same sheets, rows and cell texts as the export, no styling."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(a["xlsx"])
    sheets = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    cells = 0
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            cells += len(row)
    wb.save(a["ref_xlsx"])
    return {"seconds": time.perf_counter() - t0, "cells": cells}


def ref_calamine_insert(a: dict[str, Any]) -> dict[str, Any]:
    """python-calamine reads the exported workbook; its rows go into a table with one bulk insert."""
    from python_calamine import CalamineWorkbook
    from sqlalchemy import JSON, Column, Integer, MetaData, Table, Text, create_engine, insert

    url = _fresh(a["import_db"])
    engine = create_engine(url)
    meta = MetaData()
    table = Table("bench_rows", meta, Column("id", Integer, primary_key=True), Column("sheet", Text), Column("cells", JSON))
    meta.create_all(engine)
    t0 = time.perf_counter()
    book = CalamineWorkbook.from_path(a["xlsx"])
    rows = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python()[1:]:
            rows.append({"sheet": name, "cells": [str(c) for c in row]})
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    return {"seconds": time.perf_counter() - t0, "rows": len(rows)}


STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "bulk_load": step_bulk_load,
    "export_xlsx": step_export_xlsx,
    "ref_openpyxl_write": ref_openpyxl_write,
    "export_json": step_export_json,
    "import_xlsx": step_import_xlsx,
    "ref_calamine_insert": ref_calamine_insert,
    "import_foreign_csv": step_import_foreign_csv,
    "checks": step_checks,
    "page_overview": step_page_overview,
    "page_activities": step_page_activities,
}
REFERENCE_OF = {"export_xlsx": "ref_openpyxl_write", "import_xlsx": "ref_calamine_insert"}
NEEDS = {
    "export_xlsx": "ropa.excel.export",
    "ref_openpyxl_write": "ropa.excel.export",
    "import_xlsx": "ropa.imports",
    "import_foreign_csv": "ropa.imports",
    "ref_calamine_insert": "ropa.excel.export",
    "checks": "ropa.checks",
    "page_overview": "ropa/ui/pages/overview.py",
    "page_activities": "ropa/ui/pages/activities.py",
}


def _child(step: str, args: dict[str, Any]) -> None:
    """Run one step in this (child) process and print its figures as one JSON line.

    Each step times its own work, after its imports and the database connection, so the
    figure compares with its reference, which is timed the same way.
    """
    extra = STEPS[step](args)
    seconds = extra.pop("seconds")
    print(json.dumps({"seconds": seconds, "peak_rss_mb": _peak_rss_kb() / 1024, **extra}))


def _peak_rss_kb() -> int:
    """This process's own peak RSS. Linux's ru_maxrss carries the forking parent's peak over
    exec (the harness holding a 100,000-activity register would show in every step), so read
    VmHWM, which belongs to the new address space; ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _available(step: str) -> bool:
    need = NEEDS.get(step)
    if need is None:
        return True
    if need.endswith(".py"):
        return (ROOT / need).exists()
    import importlib.util

    try:
        return importlib.util.find_spec(need) is not None
    except ModuleNotFoundError:
        return False


def _run_child(step: str, args: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, "--child-args", json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode != 0:  # report it and go on: one broken step must not hide the others' figures
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{step} failed:\n{proc.stderr[-3000:]}", file=sys.stderr)
        return {"failed": last[:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best_of(step: str, args: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Run a step ``repeat`` times in a row: its fastest time (a busy host only ever adds time,
    as timeit's documentation says) and its highest peak memory."""
    runs = [_run_child(step, args) for _ in range(max(repeat, 1))]
    failed = [r for r in runs if "failed" in r]
    if failed:
        return failed[0]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "runs": len(runs)}


def _pg_sibling(url: str, suffix: str) -> str:
    """A second PostgreSQL database beside ``url`` (for importing into an empty one)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    name = f"{u.database}_{suffix}"
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


def run(activities: int, database_url: Optional[str], workdir: Path, repeat: int = 1) -> list[dict[str, Any]]:
    from bench.synthetic import register

    register_path = workdir / f"register-{activities}.json"
    register_path.write_text(json.dumps(register(activities), ensure_ascii=False), encoding="utf-8")
    if database_url:
        db_url, import_url = database_url, _pg_sibling(database_url, "import")
    else:
        db_url = f"sqlite:///{workdir / f'bench-{activities}.db'}"
        import_url = f"sqlite:///{workdir / f'import-{activities}.db'}"
    args = {
        "db": db_url,
        "import_db": import_url,
        "register": str(register_path),
        "xlsx": str(workdir / f"register-{activities}.xlsx"),
        "ref_xlsx": str(workdir / f"ref-{activities}.xlsx"),
        "json": str(workdir / f"register-{activities}.out.json"),
        "foreign_csv": str(workdir / f"foreign-{activities}.csv"),
    }
    results: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        if not _available(step):
            results[step] = {"skipped": f"{NEEDS[step]} does not exist yet"}
            continue
        results[step] = _best_of(step, args, repeat)
    out = []
    for step, fig in results.items():
        ref = results.get(REFERENCE_OF.get(step, ""), {})
        ref_s = ref.get("seconds")
        row = {
            "step": step,
            "activities": activities,
            "seconds": fig.get("seconds"),
            "peak_rss_mb": fig.get("peak_rss_mb"),
            "reference_seconds": ref_s,
            "ratio": (fig["seconds"] / ref_s) if ref_s and fig.get("seconds") else None,
            "runs": fig.get("runs", 1),
        }
        for key in ("skipped", "failed"):
            if key in fig:
                row[key] = fig[key]
        out.append(row)
    return out


def _print_table(rows: list[dict[str, Any]]) -> None:
    def f(v: Any, fmt: str) -> str:
        return "—" if v is None else format(v, fmt)

    print(f"{'step':<22}{'N':>8}{'seconds':>10}{'peak MB':>10}{'ref s':>9}{'ratio':>8}  target")
    for r in rows:
        if r.get("skipped") or r.get("failed"):
            why = f"skipped: {r['skipped']}" if r.get("skipped") else f"FAILED: {r['failed']}"
            print(f"{r['step']:<22}{r['activities']:>8}  {why}")
            continue
        print(
            f"{r['step']:<22}{r['activities']:>8}{f(r['seconds'], '.3f'):>10}{f(r['peak_rss_mb'], '.0f'):>10}"
            f"{f(r['reference_seconds'], '.3f'):>9}{f(r['ratio'], '.2f'):>8}  {TARGETS.get(r['step'], '')}"
        )


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--activities", type=int, nargs="+", default=[10_000], metavar="N")
    p.add_argument("--database-url", help="PostgreSQL URL (its database is emptied); default: SQLite in a temp folder")
    p.add_argument("--json", action="store_true", help="one JSON object per step")
    p.add_argument("--workdir", type=Path, help="keep the generated files here")
    p.add_argument("--repeat", type=int, default=1, metavar="R", help="run each step R times: its fastest time and highest peak memory (for a noisy host)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-args", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child(args.child, json.loads(args.child_args))
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ropa-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in args.activities:
            result = run(n, args.database_url, workdir, args.repeat)
            rows += result
            if args.json:
                for r in result:
                    print(json.dumps(r), flush=True)
    if not args.json:
        if args.repeat > 1:
            print(f"each step run {args.repeat} times: its fastest time and its highest peak memory")
        _print_table(rows)
        by = {(r["step"], r["activities"]): r for r in rows}
        ns = sorted(set(args.activities))
        if len(ns) >= 2:
            lo, hi = ns[0], ns[-1]
            print(f"\nscaling {lo} → {hi} ({hi / lo:.0f}× the activities):")
            for step in STEPS:
                a, b = by.get((step, lo), {}), by.get((step, hi), {})
                if a.get("seconds") and b.get("seconds"):
                    print(f"  {step:<22}{b['seconds'] / a['seconds']:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

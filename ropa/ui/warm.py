"""Import, once per server and in one fixed order, the modules pages import only when used.

Streamlit runs each session's script in its own thread. Two first runs that import the same
packages through different paths (the Import page via ``ropa.imports``, the Export page via
``ropa.excel.export``, both reaching openpyxl's circular submodules) can make Python's import
system give up with ``_DeadlockError``. Importing them here, under one lock and after the first
page is drawn, leaves nothing for later runs to import concurrently, and costs the first page
nothing."""

from __future__ import annotations

import importlib
import sys
import threading

# What pages reach lazily (documents, workbook, import door, snapshots): heaviest first.
LATE = (
    "openpyxl",
    "docx",
    "jinja2",
    "python_calamine",
    "ropa.excel.export",
    "ropa.imports",
    "ropa.documents.typeset",
    "ropa.documents.word",
    "ropa.documents.report",
    "ropa.documents.notice_render",
    "ropa.documents.publish",
    "ropa.versions",
    "ropa.restore",
    "ropa.timeline",
)

_lock = threading.Lock()


def modules() -> None:
    """Import every module of :data:`LATE` not imported yet (cheap once they are)."""
    if all(name in sys.modules for name in LATE):
        return
    with _lock:
        for name in LATE:
            if name not in sys.modules:
                importlib.import_module(name)

"""The workbook prints what a person reads: print areas and titles on the reading sheets, pages
across where a sheet is too wide to read on one, the code lists, metadata and an empty processor
sheet hidden, rows as tall as their text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from ropa import db
from ropa.excel import layout
from ropa.excel.export import _PAGE_UNITS, write_workbook
from ropa.register.activities import create_activity
from ropa.register.organisations import create_organisation


def test_printing_the_demo_workbook(demo_engine: Any, tmp_path: Path):
    path = tmp_path / "r.xlsx"
    with db.session(demo_engine) as s:
        summary = write_workbook(s, path, lang="nb")
    assert summary.processor_activities == 0
    wb = openpyxl.load_workbook(path)
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states[layout.sheet_name("code_lists", "nb")] == "hidden"
    assert states[layout.sheet_name("metadata", "nb")] == "hidden"
    assert states[layout.sheet_name("processor", "nb")] == "hidden"
    assert wb.active.title == layout.sheet_name("cover", "nb") and wb.active.sheet_state == "visible"
    acts = wb[layout.sheet_name("activities", "nb")]
    last = openpyxl.utils.get_column_letter(layout.ACTIVITIES.visible_columns())
    assert acts.print_area == f"'{acts.title}'!$A$1:${last}${summary.activities + 1}"
    assert acts.print_title_rows == "$1:$1" and acts.print_title_cols == "$A:$D"  # organisation, ref, name repeat on each page
    assert acts.page_setup.orientation == "landscape" and acts.sheet_properties.pageSetUpPr.fitToPage
    widths = [c.width for c in layout.ACTIVITIES.columns if not c.hidden]
    frozen = sum(widths[:3])
    pages = int(acts.page_setup.fitToWidth)
    assert pages > 1 and (sum(widths) - frozen) / pages + frozen <= _PAGE_UNITS[layout.ACTIVITIES.paper]  # 75 % or larger
    # Wrapped text: a row is as tall as its longest cell needs.
    heights = [acts.row_dimensions[r].height for r in range(2, summary.activities + 2)]
    assert all(h and h > 15 for h in heights)
    assert wb[layout.sheet_name("recipients", "nb")].page_setup.fitToWidth in (1, None)


def test_a_processor_sheet_with_rows_is_printed(engine: Any, tmp_path: Path):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "B AS"}, actor="t")
        create_activity(
            s,
            "B AS",
            {
                "ref": "P-1",
                "name": "Lønn",
                "role": "processor",
                "controllers": ["K AS"],
                "purposes": ["Lønn"],
                "data_subjects": ["employee"],
                "data_categories": ["user.name"],
            },
            actor="t",
        )
        write_workbook(s, tmp_path / "p.xlsx", lang="en")
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx")[layout.sheet_name("processor", "en")]
    assert ws.sheet_state == "visible" and ws.print_area.endswith("$2")

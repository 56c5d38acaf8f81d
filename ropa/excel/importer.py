"""The names the importer had before :mod:`ropa.imports` became the one door for imports.

Kept so that code written against them goes on working; new code calls :func:`ropa.imports.plan`
and :func:`ropa.imports.import_`. The work is done in :mod:`ropa.excel.register_document` (the
document built from rows), :mod:`ropa.excel.other_registers` (anyone's register sheet),
:mod:`ropa.excel.own_workbook` (our own workbook read back) and :mod:`ropa.excel.import_plan`
(the plan and the report).
"""

from __future__ import annotations

from ropa.excel.import_plan import MODES, FileImportReport, ImportPlan, RowPlan, TablePlan
from ropa.excel.other_registers import choose_sheet, choose_sheets
from ropa.excel.own_workbook import is_own_workbook
from ropa.imports import field_choices, parse_map_options
from ropa.imports import import_ as import_file
from ropa.imports import plan as plan_file

__all__ = [
    "MODES",
    "FileImportReport",
    "ImportPlan",
    "RowPlan",
    "TablePlan",
    "choose_sheet",
    "choose_sheets",
    "field_choices",
    "import_file",
    "is_own_workbook",
    "parse_map_options",
    "plan_file",
]

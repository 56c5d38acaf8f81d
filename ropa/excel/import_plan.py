"""What an import of a file would do, and what it did: the one plan and the one report of
:mod:`ropa.imports`, for every kind of file (our own workbook, anyone's register table, CSV, JSON).

A plan says, row by row, which activity each row creates or changes (field by field) and every
problem, each with its path (``("sheet", "Activities", "row", 12, "column", "Country")``); it
also keeps the register document it read and where each record of it came from, so the import
that follows a preview writes that document without reading the file again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ropa.errors import Problem
from ropa.excel import diff, mapping
from ropa.register.interchange import ImportReport

if TYPE_CHECKING:
    from ropa.excel.register_document import Places

Progress = Callable[[int, int], None]
MODES = ("upsert", "create-only")


@dataclass(slots=True)  # one per row of a file: slots keep 100,000 of them small
class RowPlan:
    """One row of the file and what happens to it."""

    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    organisation: Optional[str] = None
    ref: Optional[str] = None
    name: Optional[str] = None
    status: str = "pending"  # new | changed | unchanged | error | example | instructions | skipped
    messages: list[str] = field(default_factory=list)
    changes: list[diff.FieldChange] = field(default_factory=list)  # a changed activity's fields, old -> new


@dataclass
class TablePlan:
    """One sheet of someone else's workbook read as a register: Art. 30(1) (controller) or 30(2) (processor)."""

    sheet: str
    role: str  # controller | processor
    header_row: int  # 1-based first header row
    header_rows: int
    columns: list[mapping.Column]


@dataclass
class ImportPlan:
    """What reading the file found, and what importing it would do (nothing is written)."""

    source: str
    kind: str  # ropa-workbook | table | json
    sheets: list[str] = field(default_factory=list)
    sheet: Optional[str] = None
    header_row: Optional[int] = None  # 1-based first header row
    header_rows: int = 1
    columns: list[mapping.Column] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    language: Optional[str] = None
    encoding: Optional[str] = None
    delimiter: Optional[str] = None
    tables: list[TablePlan] = field(default_factory=list)  # every sheet read as a register (the first is ``sheet``)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why it was not read)
    # What reading the rows found (before the document was validated): an import stops at these.
    read_errors: list[Problem] = field(default_factory=list)
    read_warnings: list[Problem] = field(default_factory=list)
    places: Optional[Places] = None  # where each record of ``document`` came from in the file
    mode: str = "upsert"
    register_mark: Optional[int] = None  # the register's last audit event when the file was read

    @property
    def unmapped(self) -> list[mapping.Column]:
        return [c for c in self.columns if not c.field and c.header]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in ("new", "changed", "unchanged", "error", "example", "instructions", "skipped")}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    @property
    def ok(self) -> bool:
        return not self.errors

    def changed_activities(self) -> list[RowPlan]:
        """The rows that create or change an activity: what the import button would do."""
        return [r for r in self.rows if r.status in ("new", "changed")]

    def summary(self) -> str:
        c = self.counts()
        read = c["new"] + c["changed"] + c["unchanged"] + c["error"]
        skipped = c["example"] + c["instructions"] + c["skipped"]
        return (
            f"{read} rows read from {self.source}: {c['new']} to create, {c['changed']} to update, {c['unchanged']} unchanged, "
            f"{skipped} skipped; {len(self.warnings)} warnings, {len(self.errors)} errors"
        )


@dataclass
class FileImportReport(ImportReport):
    """An :class:`~ropa.register.interchange.ImportReport` plus what was read and skipped in the file."""

    rows_read: int = 0
    skipped: list[str] = field(default_factory=list)
    kind: str = "table"
    sheet: Optional[str] = None
    header_row: Optional[int] = None
    columns: list[mapping.Column] = field(default_factory=list)
    whole_document: bool = False  # a JSON file imported as it is: told as the JSON import tells it
    plan: Optional[ImportPlan] = None  # a dry run's plan: what would change, row by row

    def summary(self) -> str:
        if self.whole_document:
            return ImportReport.summary(self)
        verb = "would be" if self.dry_run else "were"
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"{self.rows_read} rows read from {self.source}: {len(self.created)} {verb} created, "
            f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged{self.kept_note()}{skipped}; "
            f"organisations: {self.organisations_created} new, {self.organisations_updated} updated; "
            f"{len(self.warnings)} warnings, 0 errors"
        )

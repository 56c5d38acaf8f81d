"""What an import of a file would do, and what it did: the one plan and the one report of
:mod:`ropa.imports`, for every kind of file (our own workbook, anyone's register table, CSV, JSON).

A plan says, row by row, which activity each row creates or changes (field by field) and every
problem, each with its path (``("sheet", "Activities", "row", 12, "column", "Country")``); it
also keeps the register document it read and where each record of it came from, so the import
that follows a preview writes that document without reading the file again.

Where in the file a record came from (:class:`Origin`: sheet, row, the columns' headers) is
held here too: the builder (:mod:`ropa.excel.register_document`) tells each record's problems at
its origin as the record is added (:func:`at_origin`), and :class:`Places` finds the origin of
what only the writer can see (a copy older than the register's record) by its place in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from ropa.errors import PathPart, Problem, render_path
from ropa.excel import diff, mapping
from ropa.register.interchange import ImportReport

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


class Place(NamedTuple):
    """Where in the file a problem is: its path, its rendering (in English; :func:`told` says it in
    the user's language) and the field it is about."""

    path: tuple[PathPart, ...]
    text: str
    field: Optional[str] = None


def at_row(sheet: str, row: int, main: bool = True) -> Place:
    """A row of a sheet (the main sheet's rows need no sheet name)."""
    return Place(("sheet", sheet, "row", row), f"{'' if main else sheet + ' '}row {row}")


def at_column(sheet: str, letter: str, header: Optional[str] = None, main: bool = True) -> Place:
    """A column of a sheet, by its letter (and header, when it has one)."""
    text = f"{'' if main else sheet + ' '}column {letter}" + (f" '{header}'" if header is not None else "")
    return Place(("sheet", sheet, "column", letter), text)


def at_sheet(sheet: str) -> Place:
    return Place(("sheet", sheet), f"sheet '{sheet}'")


_NB_PLACE = re.compile(r"\b(row|column|sheet|organisation)(?= )")
_NB_WORDS = {"row": "rad", "column": "kolonne", "sheet": "ark", "organisation": "virksomhet"}


def told(text: str, lang: str) -> str:
    """A place ("Sheet row 5, 'Header'") in the user's language."""
    if lang != "nb":
        return text
    return _NB_PLACE.sub(lambda m: _NB_WORDS[m.group(1)], text)


@dataclass(slots=True)
class Origin:
    """The row of the file a record of the document was read from."""

    sheet: str
    row: int
    headers: dict[str, str]  # field key -> column header
    plan: Optional[RowPlan] = None
    main: bool = True  # on the file's main sheet (messages then need no sheet name)

    def header(self, key: Optional[str]) -> Optional[str]:
        """The column header of a field (of its parent, ``transfers`` for ``transfers.country``)."""
        header = self.headers.get(key or "") if key else None
        if key and header is None and "." in key:
            head = key.split(".")[0]
            header = self.headers.get(head) or next((h for k, h in self.headers.items() if k.startswith(head + ".")), None)
        return header

    def where(self, key: Optional[str] = None) -> str:
        prefix = "" if self.main else f"{self.sheet} "
        header = self.header(key)
        return f"{prefix}row {self.row}, '{header}'" if header else f"{prefix}row {self.row}"

    def path(self, key: Optional[str] = None) -> tuple[PathPart, ...]:
        header = self.header(key)
        row: tuple[PathPart, ...] = ("sheet", self.sheet, "row", self.row)
        return row + ("column", header) if header else row

    def at(self, key: Optional[str] = None) -> Place:
        return Place(self.path(key), self.where(key), key)


def origin_place(origin: Origin, key: Optional[str], *, own: bool) -> Place:
    """Where a problem is: our own workbook has many sheets, so its places always name the sheet."""
    text = origin.where(key)
    return Place(origin.path(key), f"{origin.sheet} {text}" if own and origin.main else text, key)


def field_key(path: Iterable[PathPart]) -> Optional[str]:
    """The field a path within one record is about (``("transfers", 0, "country")`` -> ``transfers.country``,
    ``("retention", "unit")`` -> ``retention.unit``), as :mod:`ropa.fields` names it (else its first part)."""
    from ropa.fields import ACTIVITY, ORGANISATION

    key = ".".join(x for x in path if isinstance(x, str))
    key = key if key in ACTIVITY or key in ORGANISATION else key.split(".")[0]
    return key or None


def at_origin(origin: Origin, p: Problem, rel: Iterable[PathPart], *, own: bool, lang: str, mark_rows: bool = True, field: Optional[str] = None) -> Problem:
    """A problem of one record (``rel``: its path within the record) told at the row and column the
    record was read from (``mark_rows``: and noted on the row's plan). ``field``: the record's field,
    when ``rel`` is a path within a part of it read from a row of its own (a transfer's ``country``)."""
    key = field_key(rel)
    place = origin_place(origin, key, own=own)
    q = Problem(place.path, p.code, p.message, p.severity, field=field or key, where=told(place.text, lang))
    if mark_rows and origin.plan is not None:
        origin.plan.messages.append(str(q))
        if q.severity == "error":
            origin.plan.status = "error"
    return q


@dataclass
class Places:
    """Where each record of a built document came from: the organisations in the document's order,
    each with the row of its own record (if the file has one) and the rows of its activities.

    The builder tells each record's problems as it adds it; this is for what only the writer
    (:func:`ropa.register.interchange.import_document`) meets, at a place of the document (a copy older
    than the register's record and edited since, at ``("organisations", 0, "activities", 3)``):
    the record is found by its index, and the problem told at its row and column."""

    organisations: list[tuple[str, Optional[Origin], list[Origin]]]
    own: bool = False
    lang: str = "en"  # the language places are told in

    def translate(self, problems: Iterable[Problem], *, mark_rows: bool = True) -> list[Problem]:
        """Problems at places of the document, at the rows and columns of the file (``mark_rows``: and
        noted on those rows' plans)."""
        out = []
        for p in problems:
            path = p.path
            if len(path) < 2 or path[0] != "organisations" or not isinstance(path[1], int) or path[1] >= len(self.organisations):
                out.append(p)
                continue
            name, org_origin, origins = self.organisations[path[1]]
            ai: Optional[int] = None
            rest = path[2:]
            if len(path) >= 4 and path[2] == "activities" and isinstance(path[3], int):
                ai, rest = path[3], path[4:]
            origin = origins[ai] if ai is not None and ai < len(origins) else org_origin
            if origin is None:
                text = f"organisation '{name}'" + (f", {render_path(rest)}" if rest else "")
                out.append(Problem(("organisation", name, *rest), p.code, p.message, p.severity, field=field_key(rest), where=text))
                continue
            out.append(at_origin(origin, p, rest, own=self.own, lang=self.lang, mark_rows=mark_rows))
        return out


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
    places: Optional[Places] = None  # where each record of ``document`` came from in the file (for what the writer finds)
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

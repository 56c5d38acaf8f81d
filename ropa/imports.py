"""The one door for imports: :func:`plan` says what importing a file would do, :func:`import_` does it.

Every kind of file goes through here: a JSON register file, our own workbook, anyone's
spreadsheet (.xlsx, .xlsm, .xls, .ods; an authority's template, the ICO's layout) and CSV. Both
read the file into one ``ropa-register`` document (:mod:`ropa.excel.register_document`), each
record validated as its row is read and every problem told at its row and column (a row that
fails stops the import before anything is written); :func:`import_` then hands the document to
:func:`ropa.register.interchange.import_document`, so upsert (organisation + ref), bulk inserts and audit
events (source: the file's name) are those of the JSON import, in the caller's one transaction:
every row, or nothing. The activities already validated pass through it as they are; it validates
what is still text (untouched rows of our own workbook), and what it finds (that, or a copy older
than the register's record) is told at the row by :class:`~ropa.excel.import_plan.Places`. There is one plan (:class:`ImportPlan`), one report
(:class:`FileImportReport`) and one dry-run policy: a dry run writes exactly as an import does,
then this module rolls the session back.

An import after a preview takes the preview's plan (:func:`import_` with an :class:`ImportPlan`):
the document it read is written as it is, so the file is read and converted once. Untrusted
files are read in a memory-limited child process (:mod:`ropa.isolation`), which calls these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

from sqlalchemy import func, select
from sqlmodel import Session

from ropa import access
from ropa.errors import Conflict, PermissionDenied, Problem, ValidationFailed
from ropa.excel import convert, diff, mapping, reader, xlsx_stream
from ropa.excel.import_plan import MODES, FileImportReport, ImportPlan, Progress, RowPlan, TablePlan, at_sheet
from ropa.excel.other_registers import choose_sheets, read_register_sheet
from ropa.excel.own_workbook import is_own_workbook, read_own_workbook
from ropa.excel.register_document import OrganisationDraft, RegisterBuilder
from ropa.models import AuditEvent
from ropa.register import interchange
from ropa.register.activities import activity_dict_from_doc, get_activity, stale_activity
from ropa.register.audit import conflict_problem
from ropa.register.reader import gc_paused
from ropa.schema import ActivityDoc
from ropa.validation import parse_document

Overrides = Optional[dict[str, Optional[str]]]
_SKIPPED = ("example", "instructions", "skipped")


def plan(
    session: Session,
    file: Union[str, Path],
    *,
    org: Optional[str] = None,
    sheet: Optional[str] = None,
    mapping_overrides: Overrides = None,
    mode: str = "upsert",
    progress: Optional[Progress] = None,
    lang: str = "en",
) -> ImportPlan:
    """Read the file and say what an import would do; nothing is written.

    Problems with the file itself (not a spreadsheet, zip bomb, no header row …) raise
    :class:`ValidationFailed`; problems with rows are in the plan (``errors``, row statuses), told in
    ``lang`` (nb | en). A changed activity's row lists its changes field by field (``RowPlan.changes``).
    """
    with _told_in(lang):
        mark = _mark(session)
        found = _plan(session, Path(file), org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
        _may_import(found.document, org)
        found.register_mark = mark
        return found


def _may_import(document: Any, org: Optional[str]) -> None:
    """A preview compares the file with the register field by field: it shows the register's
    values. So the reader must be one who may import into every organisation the file names, as
    the import itself will require (a viewer, or an editor naming another organisation, is refused)."""
    named = [o.get("name") for o in (document or {}).get("organisations") or [] if isinstance(o, dict)]
    names = [n for n in [org, *named] if isinstance(n, str) and n.strip()]
    p = access.reader()
    if p is not None and p.scoped:
        access.read_scope(names or None, access.IMPORT)
    elif p is not None and not access.can(p, access.IMPORT):
        raise PermissionDenied(user=p.name, role=p.role, permission=access.IMPORT)


def stale(session: Session, found: ImportPlan) -> bool:
    """Has the register changed since the plan was made? Its document was read against the register as it
    was then (which activities exist, what a row leaves alone): the file is to be read again."""
    return found.register_mark != _mark(session)


def _mark(session: Session) -> Optional[int]:
    """The register's last audit event: every write adds one, in its transaction."""
    return session.execute(select(func.max(AuditEvent.id))).scalar()


def import_(
    session: Session,
    file: Union[str, Path, ImportPlan],
    *,
    actor: Union[str, access.Principal],
    org: Optional[str] = None,
    sheet: Optional[str] = None,
    dry_run: bool = False,
    mapping_overrides: Overrides = None,
    mode: str = "upsert",
    progress: Optional[Progress] = None,
    lang: str = "en",
) -> FileImportReport:
    """Import a file (or what a :func:`plan` read from one) in the caller's transaction: every row, or nothing.

    Any error in any row raises :class:`ValidationFailed` listing them all (row and column named),
    before anything is written. ``dry_run`` reads, validates and writes exactly as a real import,
    then rolls the session back; its report carries the plan (what would change, field by field).
    Audit events carry ``import:<file name>``.
    """
    actor = access.require(session, actor, access.IMPORT)  # before reading: a refused import costs nothing
    with _told_in(lang):
        if isinstance(file, ImportPlan):
            return _import_planned(session, file, actor=actor, dry_run=dry_run, progress=progress)
        path = Path(file)
        if _whole_document(path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode):
            document = interchange.read_json(path)
            report = _write(session, document, actor=actor, source=path.name, dry_run=dry_run)
            return _report(report, dry_run=dry_run, rows_read=report.activities_read, skipped=[], kind="json", whole_document=True)
        if dry_run:
            found = _plan(session, path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
            out = _import_planned(session, found, actor=actor, dry_run=True, progress=progress)
            out.plan = found
            return out
        return _import(session, path, actor=actor, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)


@contextmanager
def _told_in(lang: str) -> Iterator[None]:
    """Problems told in ``lang`` while reading; the collector paused (a large file makes millions of objects)."""
    token = convert.LANG.set(lang if lang in ("nb", "en") else "en")
    try:
        with gc_paused():
            yield
    finally:
        convert.LANG.reset(token)


def _whole_document(path: Path, *, org: Optional[str], sheet: Optional[str], mapping_overrides: Overrides, mode: str) -> bool:
    """A JSON register file imported as it is (no organisation picked, no mode): its report reads as the JSON import's."""
    return path.suffix.lower() == ".json" and not (org or sheet or mapping_overrides or mode != "upsert")


# ---------------------------------------------------------------------------------------------
# Reading a file into a register document


def _build(
    session: Session, path: Path, *, org: Optional[str], sheet: Optional[str], mapping_overrides: Overrides, mode: str, progress: Optional[Progress]
) -> tuple[RegisterBuilder, ImportPlan]:
    try:
        return _build_once(session, path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
    except xlsx_stream.NotStreamable:  # a large sheet with something the streaming reader does not read
        token = reader.STREAMING.set(False)
        try:
            return _build_once(session, path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
        finally:
            reader.STREAMING.reset(token)


def _build_once(
    session: Session, path: Path, *, org: Optional[str], sheet: Optional[str], mapping_overrides: Overrides, mode: str, progress: Optional[Progress]
) -> tuple[RegisterBuilder, ImportPlan]:
    b = RegisterBuilder(session, path.name, org=org, mode=mode, progress=progress, ui_lang=convert.LANG.get())
    book = reader.read_book(path)
    found = ImportPlan(source=b.source, kind="table", sheets=[s.name for s in book.sheets], encoding=book.encoding, delimiter=book.delimiter, mode=mode)
    meta = is_own_workbook(book) if book.kind != "csv" and not mapping_overrides and not sheet else None
    if meta is not None:
        found.kind = "ropa-workbook"
        b.own = True
        read_own_workbook(b, book, meta)
        found.language = b.lang
        found.sheet = b.main_sheet
        found.header_row = 1
    else:
        tables, skipped = choose_sheets(book, sheet, mapping_overrides)
        found.skipped_sheets = skipped
        chosen, header, _ = tables[0]
        found.sheet, found.header_row, found.header_rows = chosen.name, header.header_row_number, header.rows
        found.columns = header.columns
        for name, why in skipped:
            b.warn(at_sheet(name), "sheet_skipped", why)
        for i, (table, head, role) in enumerate(tables):
            found.tables.append(TablePlan(table.name, role, head.header_row_number, head.rows, head.columns))
            read_register_sheet(b, table, head, role, main=i == 0)
    found.rows = b.rows
    return b, found


def _read_json_file(b: RegisterBuilder, path: Path) -> Any:
    data = interchange.read_json(path)
    if b.default_org and isinstance(data, dict) and isinstance(data.get("organisations"), list):
        wanted = b.default_org.casefold()
        data = {**data, "organisations": [o for o in data["organisations"] if isinstance(o, dict) and str(o.get("name", "")).casefold() == wanted]}
    return data


# ---------------------------------------------------------------------------------------------
# The plan


def _plan(
    session: Session, p: Path, *, org: Optional[str], sheet: Optional[str], mapping_overrides: Overrides, mode: str, progress: Optional[Progress]
) -> ImportPlan:
    if p.suffix.lower() == ".json":
        return _plan_json(session, p, org=org, mode=mode)
    b, found = _build(session, p, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
    # Every record was validated as it was added (an untouched row of our own workbook here), each
    # problem told at its row and column: the document then carries the validated activities.
    found.document = b.finish(check_all=True)
    found.places = b.places()
    for ob in b.orgs.values():
        for act_doc, origin in zip(ob.docs, ob.origins):
            if origin.plan is None or origin.plan.status in ("error", "skipped"):
                continue
            if act_doc is None:
                origin.plan.status = "error"
                continue
            current = ob.db_acts.get(act_doc.ref)
            if current is None:
                origin.plan.status = "new"
            else:
                new = activity_dict_from_doc(act_doc)
                origin.plan.status = "unchanged" if new == current else "changed"
                if new != current:
                    origin.plan.changes = diff.changes(current, new)
                    conflict = _stale_row(session, ob, act_doc, origin.plan)
                    if conflict is not None:
                        b.tell(origin, [conflict.replace(path=())])
    found.read_errors, found.read_warnings = list(b.errors), list(b.warnings)
    found.errors, found.warnings = b.errors, b.warnings
    return found


def _stale_row(session: Session, ob: OrganisationDraft, act_doc: ActivityDoc, row: RowPlan) -> Optional[Problem]:
    """For a changed row exported at an older version than the register's record: an untouched
    copy is left alone (said in the row's messages), an edited one is a conflict (returned)."""
    if act_doc.version is None or ob.db is None:
        return None
    act = get_activity(session, ob.name, act_doc.ref)
    if act.version == act_doc.version:
        return None
    try:
        stale_activity(session, act, act_doc)
    except Conflict as c:
        return conflict_problem("", c)
    row.status = "unchanged"
    row.messages.append(
        convert.say(
            f"left alone: the register's record is newer (version {act.version}) and this row is as exported (version {act_doc.version})",
            f"latt urørt: registerets versjon er nyere (versjon {act.version}), og denne raden er som eksportert (versjon {act_doc.version})",
        )
    )
    return None


def _plan_json(session: Session, path: Path, *, org: Optional[str], mode: str) -> ImportPlan:
    b = RegisterBuilder(session, path.name, org=org, mode=mode)
    data = _read_json_file(b, path)
    found = ImportPlan(source=path.name, kind="json", sheets=[], mode=mode)
    doc, problems = parse_document(data)
    found.errors = [p for p in problems if p.severity == "error"]
    found.warnings = [p for p in problems if p.severity != "error"]
    found.document = data if isinstance(data, dict) else {}
    if doc is None:
        return found
    bad = {p.path[:4] for p in found.errors if p.path[:1] == ("organisations",) and p.path[2:3] == ("activities",)}
    for oi, org_doc in enumerate(doc.organisations):
        ob = b.org(org_doc.name)
        for ai, act in enumerate(org_doc.activities):
            row = RowPlan("json", ai + 1, org_doc.name, act.ref, act.name)
            at = ("organisations", oi, "activities", ai)
            if at in bad:
                row.status = "error"
                row.messages = [str(p) for p in found.errors if p.path[:4] == at]
            elif mode == "create-only" and act.ref in ob.db_refs:
                row.status = "skipped"
            else:
                current = ob.db_acts.get(act.ref)
                new = activity_dict_from_doc(act)
                row.status = "new" if current is None else ("unchanged" if new == current else "changed")
                if row.status == "changed" and current is not None:
                    row.changes = diff.changes(current, new)
                conflict = _stale_row(session, ob, act, row) if row.status == "changed" else None
                if conflict is not None:
                    row.status = "error"
                    row.messages.append(conflict.message)
                    found.errors.append(conflict.replace(path=at))
            found.rows.append(row)
    return found


# ---------------------------------------------------------------------------------------------
# The import


def _write(session: Session, document: Any, *, actor: str, source: str, dry_run: bool) -> interchange.ImportReport:
    """The document into the register, in the caller's transaction; a dry run is rolled back here, and only here."""
    try:
        return interchange.import_document(session, document, actor=actor, source=source, dry_run=dry_run)
    finally:
        if dry_run:
            session.rollback()


def _report(
    report: interchange.ImportReport,
    *,
    dry_run: bool,
    rows_read: int,
    skipped: list[str],
    kind: str,
    warnings: Optional[list[Problem]] = None,
    found: Optional[ImportPlan] = None,
    whole_document: bool = False,
) -> FileImportReport:
    return FileImportReport(
        source=report.source,
        organisations_created=report.organisations_created,
        organisations_updated=report.organisations_updated,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        kept=report.kept,
        warnings=report.warnings if warnings is None else warnings,
        dry_run=dry_run,
        rows_read=rows_read,
        skipped=skipped,
        kind=kind,
        sheet=found.sheet if found else None,
        header_row=found.header_row if found else None,
        columns=found.columns if found else [],
        whole_document=whole_document,
    )


def _import(
    session: Session, p: Path, *, actor: str, org: Optional[str], sheet: Optional[str], mapping_overrides: Overrides, mode: str, progress: Optional[Progress]
) -> FileImportReport:
    if p.suffix.lower() == ".json":
        b = RegisterBuilder(session, p.name, org=org, mode=mode)
        document, skipped = _without_existing(b, _read_json_file(b, p), mode)
        report = _write(session, document, actor=actor, source=b.source, dry_run=False)
        out = _report(report, dry_run=False, rows_read=_rows_in(document, skipped), skipped=skipped, kind="json")
    else:
        b, found = _build(session, p, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
        document = b.finish()
        if b.errors:
            raise ValidationFailed(b.errors)
        try:
            report = _write(session, document, actor=actor, source=b.source, dry_run=False)
        except ValidationFailed as err:
            raise ValidationFailed(b.translate(err.problems)) from None
        rows_read = sum(1 for r in found.rows if r.status not in _SKIPPED)
        skipped = [f"{r.sheet} row {r.row} ({r.status})" for r in found.rows if r.status in _SKIPPED]
        out = _report(
            report, dry_run=False, rows_read=rows_read, skipped=skipped, kind=found.kind, warnings=b.warnings + b.translate(report.warnings), found=found
        )
    if progress:
        progress(1, 1)
    return out


def _import_planned(session: Session, found: ImportPlan, *, actor: str, dry_run: bool, progress: Optional[Progress]) -> FileImportReport:
    """Write the document a plan read (the file is not read again); its problems told at the file's rows."""
    if found.kind == "json":
        b = RegisterBuilder(session, found.source, org=None, mode=found.mode)
        document, skipped = _without_existing(b, found.document, found.mode)
        report = _write(session, document, actor=actor, source=found.source, dry_run=dry_run)
        out = _report(report, dry_run=dry_run, rows_read=_rows_in(document, skipped), skipped=skipped, kind="json")
    else:
        if found.read_errors:
            raise ValidationFailed(found.read_errors)
        places = found.places
        try:
            report = _write(session, found.document, actor=actor, source=found.source, dry_run=dry_run)
        except ValidationFailed as err:
            raise ValidationFailed(places.translate(err.problems, mark_rows=False) if places else err.problems) from None
        warnings = found.read_warnings + (places.translate(report.warnings, mark_rows=False) if places else report.warnings)
        rows_read = sum(1 for r in found.rows if r.status not in _SKIPPED)
        skipped = [f"{r.sheet} row {r.row} ({r.status})" for r in found.rows if r.status in _SKIPPED]
        out = _report(report, dry_run=dry_run, rows_read=rows_read, skipped=skipped, kind=found.kind, warnings=warnings, found=found)
    if progress:
        progress(1, 1)
    return out


def _rows_in(document: Any, skipped: list[str]) -> int:
    if not isinstance(document, dict):
        return 0
    return len(skipped) + sum(len(o.get("activities") or []) for o in document.get("organisations") or [] if isinstance(o, dict))


def _without_existing(b: RegisterBuilder, document: Any, mode: str) -> tuple[Any, list[str]]:
    """For ``--mode create-only``: the document without the activities the register already has, and those left out."""
    if mode != "create-only" or not isinstance(document, dict) or not isinstance(document.get("organisations"), list):
        return document, []
    orgs, skipped = [], []
    for o in document["organisations"]:
        if isinstance(o, dict) and isinstance(o.get("name"), str) and isinstance(o.get("activities"), list):
            refs = b.org(o["name"]).db_refs
            keep = [a for a in o["activities"] if not (isinstance(a, dict) and a.get("ref") in refs)]
            skipped += [f"{o['name']}/{a['ref']} (exists)" for a in o["activities"] if isinstance(a, dict) and a.get("ref") in refs]
            o = {**o, "activities": keep}
        orgs.append(o)
    return {**document, "organisations": orgs}, skipped


# ---------------------------------------------------------------------------------------------
# Choices the edges offer


def parse_map_options(items: Optional[Sequence[str]]) -> dict[str, Optional[str]]:
    """``["Header text=field", "C=purposes", "Notes=-"]`` as mapping overrides ('-' or nothing: not imported)."""
    out: dict[str, Optional[str]] = {}
    for item in items or []:
        header, sep, key = item.rpartition("=")
        if not sep or not header.strip():
            raise ValidationFailed(
                [Problem(("--map",), "bad_map", convert.say(f"'{item}' is not \"Header text=field\"", f"'{item}' er ikke \"Overskrift=felt\""))]
            )
        key = key.strip()
        if key and key != mapping.IGNORE and key not in mapping.TARGETS:
            close = [k for k in mapping.TARGETS if key.casefold() in k.casefold()]
            if close:
                hint = convert.say(f" (did you mean {', '.join(close[:3])}?)", f" (mente du {', '.join(close[:3])}?)")
            else:
                hint = convert.say(f" (fields: {', '.join(mapping.TARGETS)})", f" (felt: {', '.join(mapping.TARGETS)})")
            message = convert.say(f"'{key}' is not a field{hint}", f"'{key}' er ikke et felt{hint}")
            raise ValidationFailed([Problem(("--map",), "unknown_field", message)])
        out[header.strip()] = key or mapping.IGNORE
    return out


def field_choices(lang: str = "en") -> dict[str, str]:
    """Every field a column can map to, with its label (unique in each language, so the page shows no
    internal key such as ``legal_bases``), for the Import page's drop-downs."""
    return {k: t.label(lang) for k, t in mapping.TARGETS.items()}


__all__ = ["MODES", "FileImportReport", "ImportPlan", "RowPlan", "field_choices", "import_", "parse_map_options", "plan", "stale"]

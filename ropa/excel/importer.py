"""Import a spreadsheet (or a JSON register file) into the register: all rows or none.

:func:`plan_file` reads a file and tells what an import would do, without writing: which
sheet and header row it found, how each column maps, and every row as new / changed /
unchanged / error (or skipped: the template's example, instructions), with warnings and errors
that name the row and the column header. :func:`import_file` does the same reading, then hands
the result as one ``ropa-register`` document to :func:`ropa.interchange.import_document`, so
validation, upsert (organisation + ref), bulk inserts and audit events (source: the file's
name) are those of the JSON import, in the caller's one transaction.

Two kinds of workbook:

- **Our own** (sheet Metadata says ``format`` = ``ropa-workbook``), in either language: each
  activity and organisation row carries its record in the hidden ``ropa:json`` cells. A
  visible cell that still shows what the JSON renders to is taken from the JSON, exactly; a
  cell the DPO changed is parsed. The other sheets are read back the same way: Transfers
  (rows changed, added or deleted), Recipients (kind, country, agreement, used by),
  Processor activities, Organisations. Export -> import -> export is lossless. A row whose
  hidden ``ropa:digest`` still matches (:func:`ropa.excel.layout.row_digest`) is as exported:
  an activity row then goes on as its JSON text (:class:`~ropa.schema.ActivityJSON`, validated
  by pydantic straight from the text), and a row of another sheet is skipped, so an untouched
  workbook of 100,000 activities is neither decoded into dicts nor rendered again.
- **Anyone else's** (an authority's template, a consultant's layout, a CSV from another
  tool): the header row and the column mapping are found by :mod:`ropa.excel.mapping`, the
  cells parsed by :mod:`ropa.excel.convert`. An activity that exists (same organisation and
  ref, or, without a ref, the same name) keeps what the sheet has no column for.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlmodel import Session

from ropa import access, interchange, registry, snapshot, vocab
from ropa.errors import Conflict, Problem, ValidationFailed
from ropa.excel import convert, diff, foreign, layout, mapping, parse, reader, xlsx_stream
from ropa.excel.convert import Note
from ropa.excel.layout import Sheet
from ropa.fields import ACTIVITY, ORGANISATION
from ropa.interchange import ImportReport
from ropa.models import ProcessingActivity, Term
from ropa.schema import FORMAT_NAME, FORMAT_VERSION, ActivityDoc, ActivityJSON, normalise_name, parse_document

Progress = Callable[[int, int], None]
MODES = ("upsert", "create-only")
_PROGRESS_EVERY = 250
_ILLEGAL = layout.ILLEGAL
_MAX_CELL = layout.MAX_CELL
_PATH = re.compile(r"^organisations\[(\d+)\](?:\.activities\[(\d+)\])?(?:\.(.*))?$")


# ---------------------------------------------------------------------------------------------
# What a plan and a report say


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
        return (f"{read} rows read from {self.source}: {c['new']} to create, {c['changed']} to update, {c['unchanged']} unchanged, "
                f"{skipped} skipped; {len(self.warnings)} warnings, {len(self.errors)} errors")


@dataclass
class FileImportReport(ImportReport):
    """An :class:`~ropa.interchange.ImportReport` plus what was read and skipped in the file."""

    rows_read: int = 0
    skipped: list[str] = field(default_factory=list)
    kind: str = "table"
    sheet: Optional[str] = None
    header_row: Optional[int] = None
    columns: list[mapping.Column] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (f"{self.rows_read} rows read from {self.source}: {len(self.created)} {verb} created, "
                f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged{self.kept_note()}{skipped}; "
                f"organisations: {self.organisations_created} new, {self.organisations_updated} updated; "
                f"{len(self.warnings)} warnings, 0 errors")


# ---------------------------------------------------------------------------------------------
# Building the register document from rows


@dataclass(slots=True)
class _Origin:
    sheet: str
    row: int
    headers: dict[str, str]  # field key -> column header
    plan: Optional[RowPlan] = None
    main: bool = True  # on the file's main sheet (messages then need no sheet name)

    def where(self, key: Optional[str] = None) -> str:
        prefix = "" if self.main else f"{self.sheet} "
        header = self.headers.get(key or "") if key else None
        if key and header is None and "." in key:
            head = key.split(".")[0]
            header = self.headers.get(head) or next((h for k, h in self.headers.items() if k.startswith(head + ".")), None)
        return f"{prefix}row {self.row}, '{header}'" if header else f"{prefix}row {self.row}"


class _Org:
    """One organisation of the document being built, with what the database knows of it."""

    def __init__(self, b: _Builder, name: str) -> None:
        self.session = b.session  # not the builder itself: no cycle keeps a whole import alive after it
        self.name = name
        row = registry.find_organisation(b.session, name)
        self.db = row
        self.doc: dict[str, Any] = registry.organisation_dict(row) if row else _bare_org(name)
        if row is not None:
            self.name = self.doc["name"] = row.name
        self.doc["recipients"] = []
        self.origin: Optional[_Origin] = None
        # Each activity as a dict (read from cells, or edited), or, for a row of our own workbook that
        # still shows what was exported, its ropa:json text (ActivityJSON), parsed only if a later
        # sheet changes it: a large import then holds text, not millions of small Python objects.
        self.activities: list[Any] = []
        self.origins: list[_Origin] = []
        self.by_ref: dict[str, int] = {}
        self.originals: dict[str, ActivityJSON] = {}  # ref -> the row's ropa:json text (own workbook)
        self.edited: dict[str, set[str]] = {}  # ref -> fields changed on the activities sheet
        self.renamed: dict[str, str] = {}  # ref in the ropa:json -> the ref the DPO typed over it
        self.told_new = False
        self.named: dict[str, tuple[int, str]] = {}  # another's table: folded name -> (activity index, sheet)
        self._db_acts: Optional[dict[str, dict[str, Any]]] = None
        self._db_refs: Optional[set[str]] = None
        self.custom = b.terms(row.id if row else None)
        self.recipients: dict[str, dict[str, Any]] = {}
        if row is not None:
            self.recipients = {r.name: registry.recipient_dict(r) for r in registry.list_recipients(b.session, row.name)}
        self.layout_ctx = layout.Context(lang=b.lang, org=self.doc, custom=self.custom)
        self.strict = b.own

    def ctx(self, headers: dict[str, str]) -> convert.Context:
        return convert.Context(custom=self.custom, recipients=self.recipients, org=self.doc, labels=dict(headers),
                               strict=self.strict)

    @property
    def db_refs(self) -> set[str]:
        if self._db_refs is None:
            if self.db is None:
                self._db_refs = set()
            elif self._db_acts is not None:
                self._db_refs = set(self._db_acts)
            else:
                stmt = select(ProcessingActivity.ref).where(ProcessingActivity.organisation_id == self.db.id)
                self._db_refs = set(self.session.execute(stmt).scalars())
        return self._db_refs

    @property
    def db_acts(self) -> dict[str, dict[str, Any]]:
        if self._db_acts is None:
            self._db_acts = {} if self.db is None else {a["ref"]: a for _, a in snapshot.iter_activities(self.session, [self.db.id])}
        return self._db_acts

    def original(self, ref: str) -> Optional[dict[str, Any]]:
        """The activity as exported (its row's ropa:json), freshly decoded: the caller may change it."""
        text = self.originals.get(ref)
        return None if text is None else json.loads(text)

    def record(self, i: int) -> dict[str, Any]:
        """Activity ``i`` to read (decoded, not kept, when it is still the exported text)."""
        act = self.activities[i]
        return json.loads(act) if isinstance(act, ActivityJSON) else act  # type: ignore[no-any-return]

    def editable(self, i: int) -> dict[str, Any]:
        """Activity ``i`` to change: an untouched row's text is decoded and kept as a dict from now on."""
        act = self.activities[i]
        if isinstance(act, ActivityJSON):
            act = self.activities[i] = json.loads(act)
        return act  # type: ignore[no-any-return]

    def by_name(self, name: str) -> Optional[str]:
        """The ref of the one existing activity with this name (case and spaces ignored)."""
        if self.db is None:
            return None
        wanted = " ".join(name.split()).casefold()
        found = [ref for ref, a in self.db_acts.items() if " ".join(a["name"].split()).casefold() == wanted]
        return found[0] if len(found) == 1 else None

    def new_ref(self) -> str:
        """A free ref like :func:`ropa.registry.next_ref`, counting the refs this file takes too."""
        taken = self.db_refs | set(self.by_ref)
        prefixes = [r.rsplit("-", 1)[0] for r in taken if "-" in r]
        prefix = max(sorted(set(prefixes)), key=prefixes.count) if prefixes else (
            "".join(w[0] for w in re.findall(r"\w+", self.name)[:3]).upper() or "A")
        n = 1
        while f"{prefix}-{n:02d}" in taken:
            n += 1
        return f"{prefix}-{n:02d}"


def _bare_org(name: str) -> dict[str, Any]:
    return {"name": name, "org_number": None, "country": None, "address": None, "email": None, "phone": None, "website": None,
            "supervisory_authority": None, "public_authority": False, "establishments": [], "offers_to_eea": False,
            "monitors_eea": False, "occasional_processing": False, "fewer_than_250": False, "art30_5_assessment": None,
            "dpo": None, "representative": None}


_NB_PLACE = re.compile(r"\b(row|column|sheet|organisation)(?= )")
_NB_WORDS = {"row": "rad", "column": "kolonne", "sheet": "ark", "organisation": "virksomhet"}


class _Builder:
    def __init__(self, session: Session, source: str, *, org: Optional[str], mode: str, lang: str = "en",
                 progress: Optional[Progress] = None, ui_lang: str = "en") -> None:
        if mode not in MODES:
            raise ValidationFailed([Problem("mode", "bad_mode", f"mode must be one of {', '.join(MODES)}, not '{mode}'")])
        self.session, self.source, self.default_org, self.mode, self.lang = session, source, org, mode, lang
        self.progress = progress
        self.orgs: dict[str, _Org] = {}
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.rows: list[RowPlan] = []
        self._terms: Optional[list[Term]] = None
        self.main_sheet: Optional[str] = None
        self._only_org_told = False
        self.ui_lang = ui_lang  # the language problems are told in (the workbook's own language is ``lang``)
        self.own = False  # our own workbook: a value invalid for its column is an error

    def place(self, origin: _Origin, key: Optional[str] = None) -> str:
        """Where a problem is: our own workbook has many sheets, so its places always name the sheet."""
        text = origin.where(key)
        return self.where(f"{origin.sheet} {text}" if self.own and origin.main else text)

    def where(self, text: str) -> str:
        """A place ("Sheet row 5, 'Header'") in the user's language."""
        if self.ui_lang != "nb":
            return text
        return _NB_PLACE.sub(lambda m: _NB_WORDS[m.group(1)], text)

    # -- messages

    def note(self, origin: _Origin, notes: Iterable[Note]) -> None:
        for n in notes:
            p = Problem(self.place(origin, n.field), n.code, n.message, n.severity)
            (self.errors if n.severity == "error" else self.warnings).append(p)
            if origin.plan is not None:
                origin.plan.messages.append(str(p))
                if n.severity == "error":
                    origin.plan.status = "error"

    def warn(self, where: str, code: str, message: str, plan: Optional[RowPlan] = None) -> None:
        p = Problem(self.where(where), code, message, "warning")
        self.warnings.append(p)
        if plan is not None:
            plan.messages.append(str(p))

    def error(self, where: str, code: str, message: str, plan: Optional[RowPlan] = None) -> None:
        p = Problem(self.where(where), code, message)
        self.errors.append(p)
        if plan is not None:
            plan.messages.append(str(p))
            plan.status = "error"

    # -- lookups

    def terms(self, org_id: Optional[int]) -> dict[str, dict[str, vocab.Term]]:
        if self._terms is None:
            self._terms = list(self.session.execute(select(Term)).scalars())
        out: dict[str, dict[str, vocab.Term]] = {}
        for scope in (None, org_id):
            if scope is None and org_id is not None or scope == org_id:
                for t in self._terms:
                    if t.organisation_id == scope:
                        out.setdefault(t.kind, {})[t.key] = vocab.Term(t.key, t.label_en, t.label_nb)
        return out

    def org(self, name: str) -> _Org:
        name = normalise_name(name)  # as the register stores and finds it: every sheet agrees
        key = name.casefold()
        if key not in self.orgs:
            self.orgs[key] = _Org(self, name)
        return self.orgs[key]

    def org_for(self, cell: Any, plan: RowPlan, origin: _Origin) -> Optional[_Org]:
        name = convert.text(cell) or self.default_org
        if name:
            ob = self.org(name)
            if ob.db is None and ob.origin is None and not ob.told_new:
                ob.told_new = True
                self.warn(origin.where(), "new_organisation", f"'{ob.name}' is not in the register: it will be created "
                                                              "(with its name only; add its details afterwards)", plan)
            return ob
        names = [o.name for o in registry.list_organisations(self.session)]
        if len(names) == 1:
            if not self._only_org_told:
                self._only_org_told = True
                self.warn(origin.where(), "organisation_assumed", f"rows that name no organisation go to '{names[0]}', "
                                                                 "the register's only organisation", plan)
            return self.org(names[0])
        self.error(origin.where("organisation"), "no_organisation", "which organisation does this row belong to? The sheet has no "
                   "organisation column (or it is empty here): name it with --org NAME (or choose it on the Import page)", plan)
        return None

    # -- rows

    def add(self, ob: _Org, act: Any, origin: _Origin, ref: Optional[str] = None, name: Optional[str] = None) -> None:
        """Add an activity (a dict, or an untouched row's ActivityJSON with its ``ref`` and ``name``)
        to its organisation: duplicates and --mode checked."""
        plan = origin.plan
        if not isinstance(act, ActivityJSON):
            ref, name = act.get("ref"), act.get("name")
        if ref in ob.by_ref:
            first = ob.origins[ob.by_ref[ref]]
            self.error(origin.where("ref"), "duplicate", f"ref '{ref}' of '{ob.name}' is used twice (also {first.where()})", plan)
            return
        if self.mode == "create-only" and ref in ob.db_refs:
            if plan is not None:
                plan.status = "skipped"
            self.warn(origin.where("ref"), "exists", f"'{ob.name}' already has {ref}; not changed (create-only)", plan)
            return
        ob.by_ref[ref] = len(ob.activities)
        ob.activities.append(act)
        ob.origins.append(origin)
        if plan is not None:
            plan.organisation, plan.ref, plan.name = ob.name, ref, name

    def tick(self, done: int, total: int) -> None:
        if self.progress and done % _PROGRESS_EVERY == 0:
            self.progress(done, total)

    # -- the result

    def finish(self, decoded: bool = False) -> dict[str, Any]:
        """The ``ropa-register`` document; one definition per recipient name within an organisation.
        Untouched rows stay ActivityJSON text unless ``decoded`` (a preview, which shows them)."""
        out = []
        for ob in self.orgs.values():
            self._recipients_agree(ob)
            if decoded:
                ob.activities = [json.loads(a) if isinstance(a, ActivityJSON) else a for a in ob.activities]
            doc = dict(ob.doc)
            doc["activities"] = ob.activities
            out.append(doc)
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "organisations": out}

    def _recipients_agree(self, ob: _Org) -> None:
        # Rows still as exported agree among themselves (the register keeps one row per recipient):
        # only rows read from cells or edited, and recipients at organisation level, can disagree.
        if not ob.doc.get("recipients") and not any(isinstance(a, dict) and a.get("recipients") for a in ob.activities):
            return
        canon: dict[str, tuple[dict[str, Any], _Origin]] = {}
        for i, origin in enumerate(ob.origins):
            for r in ob.record(i).get("recipients") or []:
                if r["name"] not in canon:
                    canon[r["name"]] = (dict(r), origin)
                    continue
                first, first_origin = canon[r["name"]]
                for attr in convert.merge_recipient(first, r):
                    self.warn(origin.where("recipients"), "conflict",
                              f"recipient '{r['name']}' has {attr} '{r.get(attr)}' here but '{first.get(attr)}' in "
                              f"{first_origin.where()}; the first is kept", origin.plan)
        org_level = []
        for r in ob.doc.get("recipients") or []:
            if r["name"] in canon:  # used by an activity of the file: defined there
                convert.merge_recipient(canon[r["name"]][0], r)
            else:
                org_level.append(r)
        ob.doc["recipients"] = org_level
        for i, act in enumerate(ob.activities):
            mine = ob.record(i).get("recipients") if isinstance(act, ActivityJSON) else act.get("recipients")
            if mine:
                agreed = [dict(canon[r["name"]][0]) for r in mine]
                if agreed != mine:
                    ob.editable(i)["recipients"] = agreed

    def translate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems with JSON paths of the built document, as rows and column headers of the file."""
        obs = list(self.orgs.values())
        out = []
        for p in problems:
            m = _PATH.match(p.where)
            if not m or int(m.group(1)) >= len(obs):
                out.append(p)
                continue
            ob = obs[int(m.group(1))]
            rest = m.group(3) or ""
            key = re.sub(r"\[\d+\]", "", rest)
            key = key if key in ACTIVITY or key in ORGANISATION else key.split(".")[0]
            if m.group(2) is not None and int(m.group(2)) < len(ob.origins):
                origin = ob.origins[int(m.group(2))]
            elif ob.origin is not None:
                origin = ob.origin
            else:
                out.append(Problem(f"organisation '{ob.name}'" + (f", {rest}" if rest else ""), p.code, p.message, p.severity))
                continue
            q = Problem(self.place(origin, key or None), p.code, p.message, p.severity)
            if origin.plan is not None:
                origin.plan.messages.append(str(q))
                if q.severity == "error":
                    origin.plan.status = "error"
            out.append(q)
        return out


# ---------------------------------------------------------------------------------------------
# Anyone's table: header detection, mapping, parsing


def _read_table(b: _Builder, sheet: reader.SheetData, header: mapping.Header, role: str = "controller", main: bool = True) -> None:
    mapped = header.mapped()
    headers = {k: c.header for k, c in mapped.items()}
    if main:
        b.main_sheet = sheet.name
    total = len(sheet.rows)
    at = "" if main else f"{sheet.name} "
    data_seen = False
    for r in range(header.first_data, total):
        b.tick(r, total)
        cells = sheet.rows[r]
        if not any(v is not None and str(v).strip() for v in cells):
            continue
        plan = RowPlan(sheet.name, r + 1)
        b.rows.append(plan)
        origin = _Origin(sheet.name, r + 1, headers, plan, main=main)
        example = mapping.is_example(cells)
        if example:
            plan.status = "example"
            b.warn(f"{at}row {r + 1}", "example", convert.say(
                f"looks like the template's example ('{convert._short(example, 60)}'); not imported "
                "(delete the row, or remove the word 'example' to import it)",
                f"ser ut som malens eksempel ('{convert._short(example, 60)}'); importeres ikke "
                "(slett raden, eller fjern ordet 'eksempel' for å importere den)"), plan)
            continue
        if (not data_seen and r - header.first_data < 3 and mapping.is_instruction(cells)) or mapping.is_instruction_sentence(cells):
            plan.status = "instructions"
            b.warn(f"{at}row {r + 1}", "instructions", convert.say(
                "reads as instructions for filling in the template; not imported",
                "er en veiledning til utfyllingen av malen; importeres ikke"), plan)
            continue
        values = {k: (cells[c.index] if c.index < len(cells) else None) for k, c in mapped.items()}
        if not any(convert.text(v) and not parse.is_empty(v) for k, v in values.items() if k != "organisation"):
            plan.status = "skipped"
            b.warn(f"{at}row {r + 1}", "no_values", convert.say(
                "has values only in columns that are not imported; skipped",
                "har bare verdier i kolonner som ikke importeres; hoppes over"), plan)
            continue
        data_seen = True
        ob = b.org_for(values.get("organisation"), plan, origin)
        if ob is None:
            continue
        if "name" not in mapped:  # the ICO's layout: the activity is named after its purpose
            named = foreign.derive_name({"purposes": convert._items(values.get("purposes")),
                                         "description": convert.text(values.get("description"))})
            if named:
                values["name"] = named
        _add_table_row(b, ob, values, origin, role=role)
    if b.progress:
        b.progress(total, total)


def _add_table_row(b: _Builder, ob: _Org, values: dict[str, Any], origin: _Origin, role: Optional[str] = None) -> None:
    plan = origin.plan
    ref = convert.text(values.get("ref"))
    name = convert.text(values.get("name"))
    if not ref and name and b.mode == "upsert":
        matched = ob.by_name(name)
        if matched and matched not in ob.by_ref:
            ref = matched
            b.warn(origin.where("ref") if "ref" in origin.headers else origin.where(), "matched_by_name",
                   f"no reference: '{name}' matched the existing activity {matched} by its name", plan)
    if not ref and name and b.mode == "create-only" and ob.by_name(name):
        if plan is not None:
            plan.status = "skipped"
        b.warn(origin.where("name"), "exists", f"'{ob.name}' already has an activity called '{name}'; not changed (create-only)", plan)
        return
    folded = " ".join((name or "").split()).casefold()
    if not convert.text(values.get("ref")) and folded in ob.named and ob.named[folded][1] != origin.sheet:
        # The same activity on another sheet of the workbook (the ICO's lawful-basis or special-category tabs
        # repeat "Business function" and "Purpose"): what this row adds goes into it.
        i, first_sheet = ob.named[folded]
        target = ob.editable(i)
        b.note(origin, convert.apply_activity(target, {k: v for k, v in values.items() if k not in ("name", "ref")},
                                              ob.ctx(origin.headers)))
        if plan is not None:
            if plan.status != "error":
                plan.status = "merged"
            plan.organisation, plan.ref, plan.name = ob.name, target.get("ref"), target.get("name")
            plan.messages.append(convert.say(f"the same activity as on sheet '{first_sheet}': read into {target.get('ref')}",
                                             f"samme behandlingsaktivitet som på arket '{first_sheet}': lest inn i "
                                             f"{target.get('ref')}"))
        return
    base = ob.db_acts.get(ref) if ref and ob.db is not None else None
    act = convert.copy_activity(base) if base else convert.empty_activity()
    if role == "processor" and not convert.text(values.get("role")):
        act["role"] = "processor"  # a row of the Art. 30(2) sheet
    b.note(origin, convert.apply_activity(act, values, ob.ctx(origin.headers)))
    if not act.get("name"):
        b.note(origin, [Note("name", "missing", convert.say("is empty: every activity needs a name (or a purpose to name it by)",
                                                            "er tom: hver behandlingsaktivitet trenger et navn (eller et formål "
                                                            "å kalle den etter)"), "error")])
        return
    if ref:
        act["ref"] = ref
    else:
        act["ref"] = ob.new_ref()
        if plan is not None:
            plan.messages.append(f"row {origin.row}: no reference; it gets {act['ref']}")
    for r in act.get("recipients") or []:
        ob.recipients.setdefault(r["name"], r)
    b.add(ob, act, origin)
    if not b.own and act.get("name") and ob.activities and ob.activities[-1] is act:
        ob.named.setdefault(" ".join(act["name"].split()).casefold(), (len(ob.activities) - 1, origin.sheet))


def choose_sheets(book: reader.Book, name: Optional[str], overrides: Optional[dict[str, Optional[str]]]
                  ) -> tuple[list[tuple[reader.SheetData, mapping.Header, str]], list[tuple[str, str]]]:
    """The sheets that hold the register, best first, each with its header and role (controller: Art. 30(1),
    processor: Art. 30(2)); and the sheets left out with the reason (examples are never read silently)."""
    if name:
        sheet, header = choose_sheet(book, name, overrides)
        return [(sheet, header, foreign.sheet_role(sheet.name, [c.header for c in header.columns]).replace(
            "examples", "controller").replace("introduction", "controller"))], []
    found: list[tuple[reader.SheetData, mapping.Header, str]] = []
    skipped: list[tuple[str, str]] = []
    first_error: Optional[ValidationFailed] = None
    for sheet in book.sheets:
        if not sheet.rows:
            continue
        try:
            header = mapping.detect_header(sheet, overrides)
        except ValidationFailed as err:
            if sheet.visible and foreign.sheet_role(sheet.name) not in ("introduction",):
                first_error = first_error or err
            continue
        role = foreign.sheet_role(sheet.name, [c.header for c in header.columns])
        if role == "examples":
            skipped.append((sheet.name, convert.say("a sheet of examples: not imported (rename it to import it)",
                                                    "et ark med eksempler: importeres ikke (gi det et annet navn for å "
                                                    "importere det)")))
            continue
        if role == "introduction":
            continue
        found.append((sheet, header, role))
    if not found:
        if skipped:
            raise ValidationFailed([Problem(book.path.name, "only_examples", convert.say(
                f"the only sheet with a register, '{skipped[0][0]}', is a sheet of examples; to import it anyway, "
                f"name it (--sheet \"{skipped[0][0]}\")",
                f"det eneste arket med en protokoll, '{skipped[0][0]}', er et ark med eksempler; for å importere det likevel, "
                f"velg det (--sheet \"{skipped[0][0]}\")"))])
        if first_error is not None:
            raise first_error
        raise ValidationFailed([Problem(book.path.name, "empty", convert.say("the file has no rows", "filen har ingen rader"))])
    visible = [f for f in found if f[0].visible] or found
    best = max(len(h.mapped()) for _, h, _ in visible)
    # Another sheet is read too when it names enough fields: half the best sheet's, or, for an Art. 30(2)
    # processor sheet (which asks for fewer), three.
    keep = [f for f in visible if len(f[1].mapped()) >= max(mapping.MIN_HEADER_MATCHES + 1, best // 2 if f[2] != "processor" else 0)
            and ({"name", "purposes"} & set(f[1].mapped()) or len(f[1].mapped()) == best)]
    keep.sort(key=lambda f: -len(f[1].mapped()))
    if not keep:
        keep = [max(visible, key=lambda f: len(f[1].mapped()))]
    for sheet, header, _ in found:
        if all(sheet is not k[0] for k in keep):
            skipped.append((sheet.name, convert.say(f"only {len(header.mapped())} of its columns are register fields: not read",
                                                    f"bare {len(header.mapped())} av kolonnene er felt i protokollen: "
                                                    "leses ikke")))
    # Controller sheets first, then processor sheets, each in the workbook's order.
    order = {id(s): i for i, s in enumerate(book.sheets)}
    keep.sort(key=lambda f: (f[2] != "controller", order[id(f[0])]))
    return keep, skipped


def choose_sheet(book: reader.Book, name: Optional[str], overrides: Optional[dict[str, Optional[str]]]) -> tuple[reader.SheetData, mapping.Header]:
    """The named sheet, or the one whose header row names the most fields."""
    if name:
        sheet = book.sheet(name)
        if sheet is None:
            raise ValidationFailed([Problem(book.path.name, "no_sheet", f"no sheet called '{name}' (sheets: "
                                                                        f"{', '.join(s.name for s in book.sheets)})")])
        return sheet, mapping.detect_header(sheet, overrides)
    best: Optional[tuple[int, reader.SheetData, mapping.Header]] = None
    first_error: Optional[ValidationFailed] = None
    for sheet in sorted(book.sheets, key=lambda s: not s.visible):
        if not sheet.rows:
            continue
        try:
            header = mapping.detect_header(sheet, overrides)
        except ValidationFailed as err:
            first_error = first_error or err
            continue
        n = len(header.mapped())
        if best is None or n > best[0]:
            best = (n, sheet, header)
    if best is None:
        if first_error is not None:
            raise first_error
        raise ValidationFailed([Problem(book.path.name, "empty", "the file has no rows")])
    return best[1], best[2]


# ---------------------------------------------------------------------------------------------
# Our own workbook


def is_own_workbook(book: reader.Book) -> Optional[dict[str, str]]:
    """The Metadata sheet's key/value pairs when this is a ropa workbook, else None."""
    sheet = book.sheet(layout.METADATA[0])
    if sheet is None:
        return None
    meta = {}
    for row in sheet.rows:
        if len(row) >= 2 and isinstance(row[0], str):
            meta[row[0].strip()] = convert.text(row[1]) or ""
    return meta if meta.get("format") == layout.WORKBOOK_FORMAT else None


def _same(cell: Any, rendered: Any) -> bool:
    """Does a cell still show what the record renders to (as the exporter wrote it)?"""
    if cell == rendered and cell.__class__ is rendered.__class__:
        return True
    if rendered == "" or rendered is None:
        return cell is None or (isinstance(cell, str) and not cell.strip())
    if cell is None:
        return False
    if isinstance(rendered, str):
        r = _ILLEGAL.sub("", rendered)[:_MAX_CELL].replace("\r\n", "\n")
        c = cell.replace("\r\n", "\n") if isinstance(cell, str) else convert.text(cell)
        return c == r or (c is not None and c.strip() == r.strip())
    if isinstance(rendered, date) and not isinstance(rendered, datetime):
        if isinstance(cell, datetime):
            cell = cell.date()
        return bool(cell == rendered)
    if isinstance(rendered, bool) or isinstance(cell, bool):
        return cell is rendered
    if isinstance(rendered, (int, float)):
        return bool(cell == rendered) if isinstance(cell, (int, float)) else convert.text(cell) == convert.text(rendered)
    return bool(cell == rendered)


def _columns_of(sheet: reader.SheetData, spec: Sheet, b: _Builder, header: Optional[list[Any]] = None) -> tuple[dict[str, int], Optional[int]]:
    """Where each of the layout's columns is (by header, either language), and the ropa:json column."""
    known = {}
    for c in spec.columns:
        for lang in ("nb", "en"):
            known.setdefault(" ".join(c.header(lang).split()).casefold(), c.key)
    found: dict[str, int] = {}
    if header is None:
        header = sheet.rows[0] if sheet.rows else []
    for i, h in enumerate(header):
        text = convert.text(h)
        if not text:
            continue
        key = known.get(" ".join(text.split()).casefold())
        if key is None:
            b.warn(f"{sheet.name} column {mapping.column_letter(i)}", "unknown_column",
                   f"'{text}' is not a column of this workbook; not imported")
        elif key not in found:
            found[key] = i
    return found, found.pop(layout.JSON_COLUMN, None)


def _cells(row: list[Any], cols: dict[str, int]) -> dict[str, Any]:
    return {k: (row[i] if i < len(row) else None) for k, i in cols.items()}


def _load_json(row: list[Any], j: Optional[int]) -> tuple[Optional[dict[str, Any]], bool]:
    """The row's record from its ropa:json cells; (None, damaged?)."""
    if j is None or j >= len(row):
        return None, False
    return _decode(layout.join_json(row[j:]))


def _decode(text: str) -> tuple[Optional[dict[str, Any]], bool]:
    """A ropa:json text as a record; (None, damaged?)."""
    if not text:
        return None, False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, a number too long, or nested too deep: damaged
        return None, True
    return (value, False) if isinstance(value, dict) else (None, True)


def _edited(spec: Sheet, cells: dict[str, Any], record: Any, ctx: layout.Context, skip: Sequence[str] = ()) -> dict[str, Any]:
    """The cells that no longer show what ``record`` renders to."""
    out = {}
    for col in spec.columns:
        key = col.key
        if col.hidden or key in skip or key not in cells:
            continue
        cell = cells[key]
        rendered = col.render(record, ctx)
        if cell == rendered and cell.__class__ is rendered.__class__:
            continue
        if not _same(cell, rendered):
            out[key] = cell
    return out


def _headers(spec: Sheet, lang: str, rename: Optional[dict[str, str]] = None) -> dict[str, str]:
    out = {c.key: c.header(lang) for c in spec.columns}
    for k, v in (rename or {}).items():
        out[k] = out.get(v, v)
    return out


def _read_own(b: _Builder, book: reader.Book, meta: dict[str, str]) -> list[str]:
    lang = meta.get("language") if meta.get("language") in ("nb", "en") else "nb"
    b.lang = lang
    sheets: dict[str, reader.SheetData] = {}
    for s in book.sheets:
        key = layout.sheet_for(s.name)
        if key is None:
            key = next((k.split(":", 1)[1] for k, v in meta.items() if k.startswith("sheet:") and v == s.name), None)
        if key and key not in sheets:
            sheets[key] = s
    if "activities" not in sheets and "organisations" not in sheets:
        raise ValidationFailed([Problem(book.path.name, "no_sheet", "this ropa workbook has neither a Processing activities "
                                                                     "nor an Organisations sheet")])
    only = normalise_name(b.default_org).casefold() if b.default_org else None
    if "organisations" in sheets:
        _own_organisations(b, sheets["organisations"], lang, only)
    if "transfers" in sheets:
        sheets["transfers"].prefetch()  # read in the background while the activities are worked on
    if "activities" in sheets:
        _own_activities(b, sheets["activities"], lang, only)
    if "processor" in sheets:
        _own_processor(b, sheets["processor"], lang, only)
    if "transfers" in sheets:
        _own_transfers(b, sheets["transfers"], lang, only)
    if "recipients" in sheets:
        _own_recipients(b, sheets["recipients"], lang, only)
    if only and only not in b.orgs:
        raise ValidationFailed([Problem(book.path.name, "not_found", f"organisation '{b.default_org}' is not in this workbook")])
    return [s.name for s in book.sheets]


def _skip_org(name: Optional[str], only: Optional[str]) -> bool:
    return bool(only and normalise_name(name or "").casefold() != only)


def _own_organisations(b: _Builder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.ORGANISATIONS
    cols, j = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang)
    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        if not any(v is not None for v in row):
            continue
        cells = _cells(row, cols)
        record, damaged = _load_json(row, j)
        name = (record or {}).get("name") or convert.text(cells.get("name"))
        if not name or _skip_org(name, only):
            continue
        origin = _Origin(sheet.name, r + 1, headers, main=False)
        if damaged:
            b.warn(origin.where(), "damaged_json", "the hidden ropa:json cell is damaged; the visible cells were read instead")
        ob = b.org(name)
        ob.origin = origin
        if record is not None:
            doc = copy.deepcopy(record)
            doc.setdefault("recipients", [])
            ob.doc.clear()
            ob.doc.update(doc)
            ob.layout_ctx = layout.Context(lang=lang, org=copy.deepcopy(record), custom=ob.custom)
            edits = _edited(spec, cells, record, ob.layout_ctx)
            if "name" in edits:
                b.warn(origin.where("name"), "rename", "an organisation cannot be renamed by import (its activities name it); "
                                                      "the old name is kept: rename it in the register")
                edits.pop("name")
        else:
            edits = {k: v for k, v in cells.items() if k != "name" and v is not None}
        for rec in ob.doc.get("recipients") or []:
            ob.recipients.setdefault(rec["name"], rec)
        b.note(origin, convert.apply_organisation(ob.doc, edits))


def _own_activities(b: _Builder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.ACTIVITIES
    visible = [c.key for c in spec.columns if not c.hidden]
    total, rows = sheet.stream()  # one row at a time: the sheet is never held whole
    cols, j = _columns_of(sheet, spec, b, next(rows, []))
    headers = _headers(spec, lang)
    b.main_sheet = sheet.name
    org_col = cols.get("organisation")
    at_visible = [cols.get(k) for k in visible]
    at_digest, at_ref, at_name = cols.get(layout.DIGEST_COLUMN), cols.get("ref"), cols.get("name")
    for r, row in enumerate(rows, 1):
        b.tick(r, total)
        if not any(v is not None for v in row):
            continue
        width = len(row)
        org_cell = row[org_col] if org_col is not None and org_col < width else None
        if _skip_org(convert.text(org_cell) or b.default_org, only):
            continue
        plan = RowPlan(sheet.name, r + 1)
        b.rows.append(plan)
        origin = _Origin(sheet.name, r + 1, headers, plan)
        ob = b.org_for(org_cell, plan, origin)
        if ob is None:
            continue
        text = layout.join_json(row[j:]) if j is not None and j < width else ""
        digest = row[at_digest] if at_digest is not None and at_digest < width else None
        if text and digest and digest == layout.row_digest([row[i] if i is not None and i < width else None for i in at_visible], text):
            # Untouched since the export, JSON included: keep the text as it is, decode nothing.
            ref = convert.text(row[at_ref]) if at_ref is not None and at_ref < width else None
            name = convert.text(row[at_name]) if at_name is not None and at_name < width else None
            kept = ob.originals[ref or ""] = ActivityJSON.of(text)
            b.add(ob, kept, origin, ref=ref or "", name=name)
            continue
        cells = _cells(row, cols)
        cells.pop(layout.DIGEST_COLUMN, None)
        record, damaged = _decode(text)
        if damaged:
            b.warn(origin.where(), "damaged_json", "the hidden ropa:json cell is damaged; the visible cells were read instead", plan)
        if record is None:
            values = {k: v for k, v in cells.items() if k != "organisation"}
            _add_table_row(b, ob, values, origin)
            continue
        edits = _edited(spec, cells, record, ob.layout_ctx, skip=("organisation",))
        kept = ActivityJSON.of(text)
        act: Any = kept
        if edits:
            act = convert.copy_activity(record)
            b.note(origin, convert.apply_activity(act, edits, ob.ctx(headers)))
            if not act.get("ref"):
                act["ref"] = ob.new_ref()
            if act["ref"] != record.get("ref"):
                ob.renamed[str(record.get("ref"))] = act["ref"]
                b.warn(origin.where("ref"), "new_ref", f"the ref was changed from {record.get('ref')} to {act['ref']}: this makes "
                                                       f"a new activity {act['ref']}; {record.get('ref')} stays in the register "
                                                       "(delete it there if it is gone)", plan)
        ref = act["ref"] if edits else record.get("ref")
        ob.originals[ref or ""] = kept
        ob.edited[ref or ""] = set(edits)
        b.add(ob, act, origin, ref=ref, name=record.get("name"))
    if b.progress:
        b.progress(total, total)


def _own_processor(b: _Builder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.PROCESSOR
    cols, _ = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang)
    org_level = ("processor_contact", "dpo.name", "representative.name")
    visible = [c.key for c in spec.columns if not c.hidden]
    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        cells = _cells(row, cols)
        digest = cells.pop(layout.DIGEST_COLUMN, None)
        org_name, ref = convert.text(cells.get("organisation")), convert.text(cells.get("ref"))
        if not any(v is not None for v in row) or _skip_org(org_name, only):
            continue
        origin = _Origin(sheet.name, r + 1, headers, main=False)
        ob = b.orgs.get((org_name or "").casefold())
        ref = ob.renamed.get(ref or "", ref) if ob else ref
        if ob is None or ref not in ob.by_ref:
            b.warn(origin.where("ref"), "unknown_activity", f"{org_name} / {ref} is not on the Processing activities sheet; "
                                                            "this row was not imported (add processor activities there)")
            continue
        if ref not in ob.originals:
            continue  # a row added on the activities sheet: its details are read from there
        if digest and digest == layout.row_digest(cells.get(k) for k in visible):
            continue  # untouched since the export: it says nothing new
        original = ob.original(ref)
        edits = _edited(spec, cells, original, ob.layout_ctx, skip=("organisation", "ref"))
        for key in list(edits):
            if key in org_level:
                b.warn(origin.where(key), "not_here", "organisation details are changed on the Organisations sheet; not imported")
                edits.pop(key)
        if "processing_categories" in edits:
            edits["purposes"] = edits.pop("processing_categories")
        _apply_second(b, ob, ref, edits, origin, headers)


def _apply_second(b: _Builder, ob: _Org, ref: str, edits: dict[str, Any], origin: _Origin, headers: dict[str, str]) -> None:
    """Edits of an activity made on a second sheet; a field changed differently on two sheets is an error."""
    if not edits:
        return
    act = ob.editable(ob.by_ref[ref])
    trial = convert.copy_activity(act)
    b.note(origin, convert.apply_activity(trial, edits, ob.ctx(headers)))
    main = ob.edited.setdefault(ref, set())
    for key in edits:
        top = key.split(".")[0]
        if key in main and trial.get(top) != act.get(top):
            first = ob.origins[ob.by_ref[ref]]
            b.error(origin.where(key), "conflict", f"changed here and on {first.sheet} {first.where(key)} to different values; "
                                                   "keep one of the two", first.plan)
        else:
            act[top] = trial.get(top)
            main.add(key)
    if "transfers" in edits:
        act["recipients"] = trial.get("recipients", act.get("recipients"))


def _own_transfers(b: _Builder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.TRANSFERS
    _, rows = sheet.stream()
    cols, _ = _columns_of(sheet, spec, b, next(rows, []))
    headers = _headers(spec, lang, {"country_code": "country"})
    visible = [c.key for c in spec.columns if not c.hidden]

    at_org, at_ref, at_digest = cols.get("organisation"), cols.get("ref"), cols.get(layout.DIGEST_COLUMN)
    at_visible = [cols.get(k) for k in visible]

    def group_of(row: list[Any]) -> Optional[tuple[str, str]]:
        width = len(row)
        org_name = convert.text(row[at_org]) if at_org is not None and at_org < width else None
        ref = convert.text(row[at_ref]) if at_ref is not None and at_ref < width else None
        if _skip_org(org_name, only):
            return None
        ob = b.orgs.get((org_name or "").casefold())
        return (org_name or "").casefold(), (ob.renamed.get(ref or "", ref) if ob else ref) or ""

    # (organisation, ref) -> its rows: (row index, the place its digest vouches for: "k" or "k$" (the
    # last), or None). An activity whose rows all still are as exported, in order, is left alone
    # without decoding it; the others are compared cell by cell. The sheet is streamed, and read a
    # second time only for the rows of activities that need comparing.
    groups: dict[tuple[str, str], list[tuple[int, Optional[str]]]] = {}
    for r, row in enumerate(rows, 1):
        if not any(v is not None for v in row):
            continue
        key = group_of(row)
        if key is None:
            continue
        found = groups.setdefault(key, [])
        width = len(row)
        place, digest = None, row[at_digest] if at_digest is not None and at_digest < width else None
        if digest:
            text = layout.cells_text([row[i] if i is not None and i < width else None for i in at_visible])
            place = next((p for p in (layout.transfer_salt(len(found), True), layout.transfer_salt(len(found), False))
                          if layout.salted_digest(text, p) == digest), None)  # most activities have one transfer: last first
        found.append((r, place))
    # Activities whose transfers all left the sheet lose them, as the sheet now says.
    for key, ob in b.orgs.items():
        for ref in ob.originals:
            if (key, ref) not in groups and (ob.original(ref) or {}).get("transfers"):
                groups[(key, ref)] = []
    compare: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for key, found in groups.items():
        ob = b.orgs.get(key[0])
        if ob is None or key[1] not in ob.by_ref:
            number = found[0][0] + 1 if found else 0
            b.error(f"{sheet.name} row {number}, '{headers['ref']}'", "unknown_activity",
                    f"'{key[1]}' is not an activity on the Processing activities sheet; its transfer cannot be imported")
        elif not found or [p for _, p in found] != [layout.transfer_salt(i, i == len(found) - 1) for i in range(len(found))]:
            compare[key] = []
        # else: every row as exported, none missing: the transfers are the JSON's
    if any(groups[key] for key in compare):
        _, rows = sheet.stream()
        next(rows, None)
        for r, row in enumerate(rows, 1):
            if any(v is not None for v in row) and (key := group_of(row)) in compare:
                cells = _cells(row, cols)
                cells.pop(layout.DIGEST_COLUMN, None)
                compare[key].append((r + 1, cells))
    for (org_key, ref), found_cells in compare.items():
        ob = b.orgs[org_key]
        # A row added on the activities sheet has no JSON: its transfers cell is what the rows are compared with.
        original = ob.original(ref) or ob.record(ob.by_ref[ref])
        ctx = layout.Context(lang=lang, org=ob.layout_ctx.org, custom=ob.custom, activity=original)
        _match_transfers(b, ob, ref, original, found_cells, spec, ctx, sheet.name, headers)


def _match_transfers(b: _Builder, ob: _Org, ref: str, original: dict[str, Any], rows: list[tuple[int, dict[str, Any]]],
                     spec: Sheet, ctx: layout.Context, sheet_name: str, headers: dict[str, str]) -> None:
    before = list(original.get("transfers") or [])
    free = list(range(len(before)))
    result: list[Optional[dict[str, Any]]] = [None] * len(rows)
    changed = False
    skip = ("organisation", "ref", "name", "country_status")
    # Rows still showing a transfer exactly are that transfer, wherever they were moved.
    for i, (_, cells) in enumerate(rows):
        for k in free:
            if not _edited(spec, cells, before[k], ctx, skip=skip):
                result[i] = before[k]
                free.remove(k)
                break
    for i, (number, cells) in enumerate(rows):
        if result[i] is not None:
            continue
        origin = _Origin(sheet_name, number, headers, main=False)
        changed = True
        if free:
            k = free.pop(0)
            t = copy.deepcopy(before[k])
            edits = _edited(spec, cells, before[k], ctx, skip=("organisation", "ref"))
        else:
            t = convert.empty_transfer()
            edits = {k: v for k, v in cells.items() if v is not None and k not in ("organisation", "ref")}
        for key in ("name", "country_status"):
            if key in edits:
                edits.pop(key)
                if key == "name":
                    b.warn(origin.where("name"), "not_here", "the activity's name is changed on the Processing activities sheet; "
                                                             "not imported")
        b.note(origin, [Note(n.field, n.code, n.message, n.severity) for n in convert.apply_transfer(t, edits)])
        if not t.get("country") and not t.get("international_organisation"):
            b.note(origin, [Note("country", "missing", "a transfer needs a destination country or an international organisation",
                                 "error")])
        result[i] = t
    if free:
        changed = True
        first = ob.origins[ob.by_ref[ref]]
        for k in free:
            t = before[k]
            where = vocab.country_name(t.get("country"), ctx.lang) if t.get("country") else t.get("international_organisation")
            b.warn(first.where("transfers"), "removed", f"the transfer to {where} is no longer on the {sheet_name} sheet; "
                                                         "it is removed", first.plan)
    if not changed:
        return
    act = ob.editable(ob.by_ref[ref])
    if "transfers" in ob.edited.get(ref, set()):
        first = ob.origins[ob.by_ref[ref]]
        b.warn(first.where("transfers"), "both_edited", f"transfers were changed here and on the {sheet_name} sheet; "
                                                         f"the {sheet_name} sheet is used", first.plan)
    act["transfers"] = [t for t in result if t is not None]
    names = {r["name"] for r in act.get("recipients") or []}
    for t in act["transfers"]:
        if t.get("recipient") and t["recipient"] not in names:
            known = ob.recipients.get(t["recipient"]) or {}
            act.setdefault("recipients", []).append({"name": t["recipient"], "kind": known.get("kind") or "other",
                                                     "country": known.get("country") or t.get("country"),
                                                     "agreement": known.get("agreement")})
            names.add(t["recipient"])
    ob.edited.setdefault(ref, set()).add("transfers")


def _own_recipients(b: _Builder, sheet: reader.SheetData, lang: str, only: Optional[str]) -> None:
    spec = layout.RECIPIENTS
    cols, _ = _columns_of(sheet, spec, b)
    headers = _headers(spec, lang, {"country_code": "country"})
    visible = [c.key for c in spec.columns if not c.hidden]
    originals: dict[str, dict[str, dict[str, Any]]] = {}  # org key -> name -> recipient with used_by

    def exported(org_key: str) -> dict[str, dict[str, Any]]:
        """The organisation's recipients as exported, with the activities that used them (decoded
        the first time a row of it was edited)."""
        if org_key not in originals:
            ob = b.orgs.get(org_key)
            recs: dict[str, dict[str, Any]] = {}
            if ob is not None:
                for ref in sorted(ob.originals):
                    for r in (ob.original(ref) or {}).get("recipients") or []:
                        recs.setdefault(r["name"], {**r, "used_by": []})["used_by"].append(ref)
                for r in ob.layout_ctx.org.get("recipients") or []:
                    recs.setdefault(r["name"], {**r, "used_by": []})
            originals[org_key] = recs
        return originals[org_key]

    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        if not any(v is not None for v in row):
            continue
        cells = _cells(row, cols)
        digest = cells.pop(layout.DIGEST_COLUMN, None)
        org_name, name = convert.text(cells.get("organisation")), convert.text(cells.get("name"))
        if _skip_org(org_name, only) or not name:
            continue
        if digest and digest == layout.row_digest(cells.get(k) for k in visible):
            continue  # untouched since the export: it says nothing new
        origin = _Origin(sheet.name, r + 1, headers, main=False)
        ob = b.orgs.get((org_name or "").casefold())
        if ob is None:
            ob = b.org_for(org_name, RowPlan(sheet.name, r + 1), origin)
            if ob is None:
                continue
        original = exported((org_name or "").casefold()).get(name)
        ctx = ob.layout_ctx
        if original is not None:
            edits = _edited(spec, cells, original, ctx, skip=("organisation", "name"))
            if "used_by" in edits and _refs(edits["used_by"]) == set(original["used_by"]):
                edits.pop("used_by")
            if not edits:
                continue
            rec = {k: original[k] for k in ("name", "kind", "country", "agreement", "version") if k in original}
            used_before = set(original["used_by"])
        else:
            edits = {k: v for k, v in cells.items() if v is not None and k not in ("organisation", "name")}
            rec = {"name": name, "kind": "other", "country": None, "agreement": None}
            used_before = set()
        used = {ob.renamed.get(x, x) for x in _refs(edits.pop("used_by"))} if "used_by" in edits else used_before
        b.note(origin, convert.apply_recipient(rec, edits))
        ob.recipients[name] = rec
        _place_recipient(b, ob, rec, used, used_before, origin)


def _refs(value: Any) -> set[str]:
    return {x.strip() for x in re.split(r"[,;\n]", convert.text(value) or "") if x.strip()}


def _place_recipient(b: _Builder, ob: _Org, rec: dict[str, Any], used: set[str], used_before: set[str], origin: _Origin) -> None:
    """A recipient changed on the Recipients sheet: every activity that uses it, and those added or removed in 'used by'."""
    for ref in sorted(used - set(ob.by_ref)):
        b.error(origin.where("used_by"), "unknown_activity", f"'{ref}' is not an activity of '{ob.name}' in this workbook")
    placed = False
    for ref, i in ob.by_ref.items():
        has = any(r["name"] == rec["name"] for r in ob.record(i).get("recipients") or [])
        if not has and ref not in used:
            continue
        act = ob.editable(i)
        if ref in used:
            placed = True
            if has:
                act["recipients"] = [dict(rec) if r["name"] == rec["name"] else r for r in act["recipients"]]
            else:
                act.setdefault("recipients", []).append(dict(rec))
        else:
            act["recipients"] = [r for r in act["recipients"] if r["name"] != rec["name"]]
            for t in act.get("transfers") or []:
                if t.get("recipient") == rec["name"]:
                    t["recipient"] = None
            b.warn(origin.where("used_by"), "removed", f"'{rec['name']}' is no longer used by {ref}: removed from it")
    org_level = ob.doc.setdefault("recipients", [])
    ob.doc["recipients"] = [r for r in org_level if r["name"] != rec["name"]]
    if not placed:
        ob.doc["recipients"].append(dict(rec))


# ---------------------------------------------------------------------------------------------
# Entry points


def _source(path: Union[str, Path]) -> str:
    return Path(path).name


def _build(session: Session, path: Path, *, org: Optional[str], sheet: Optional[str],
           mapping_overrides: Optional[dict[str, Optional[str]]], mode: str, progress: Optional[Progress]) -> tuple[_Builder, ImportPlan]:
    try:
        return _build_once(session, path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
    except xlsx_stream.NotStreamable:  # a large sheet with something the streaming reader does not read
        token = reader.STREAMING.set(False)
        try:
            return _build_once(session, path, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode,
                               progress=progress)
        finally:
            reader.STREAMING.reset(token)


def _build_once(session: Session, path: Path, *, org: Optional[str], sheet: Optional[str],
                mapping_overrides: Optional[dict[str, Optional[str]]], mode: str, progress: Optional[Progress],
                ) -> tuple[_Builder, ImportPlan]:
    b = _Builder(session, _source(path), org=org, mode=mode, progress=progress, ui_lang=convert.LANG.get())
    book = reader.read_book(path)
    plan = ImportPlan(source=b.source, kind="table", sheets=[s.name for s in book.sheets], encoding=book.encoding,
                      delimiter=book.delimiter)
    meta = is_own_workbook(book) if book.kind != "csv" and not mapping_overrides and not sheet else None
    if meta is not None:
        plan.kind = "ropa-workbook"
        b.own = True
        _read_own(b, book, meta)
        plan.language = b.lang
        plan.sheet = b.main_sheet
        plan.header_row = 1
    else:
        tables, skipped = choose_sheets(book, sheet, mapping_overrides)
        plan.skipped_sheets = skipped
        chosen, header, _ = tables[0]
        plan.sheet, plan.header_row, plan.header_rows = chosen.name, header.header_row_number, header.rows
        plan.columns = header.columns
        for name, why in skipped:
            b.warn(f"sheet '{name}'", "sheet_skipped", why)
        for i, (table, head, role) in enumerate(tables):
            plan.tables.append(TablePlan(table.name, role, head.header_row_number, head.rows, head.columns))
            _read_foreign_sheet(b, table, head, role, main=i == 0)
    plan.rows = b.rows
    return b, plan


def _read_foreign_sheet(b: _Builder, sheet: reader.SheetData, header: mapping.Header, role: str, main: bool) -> None:
    """One register sheet of someone else's workbook: its columns (by header, then by values), the details above
    its header, and its rows."""
    at = "" if main else f"{sheet.name} "
    for c, before, after in foreign.refine_by_values(sheet, header):
        if after == "-":
            b.warn(f"{at}column {c.letter} '{c.header}'", "not_read_by_values", convert.say(
                f"most of its values are not a {mapping.TARGETS[before].label('en').lower()}: not imported (map it yourself "
                "if it is)",
                f"de fleste verdiene er ikke {mapping.TARGETS[before].label('nb').lower()}: importeres ikke (velg feltet selv "
                "hvis det er det)"))
            continue
        b.warn(f"{at}column {c.letter} '{c.header}'", "read_by_values", convert.say(
            f"holds {mapping.TARGETS[after].label('en').lower()} rather than "
            f"{mapping.TARGETS[before].label('en').lower() if before in mapping.TARGETS else 'nothing we know'}: read as such",
            f"inneholder {mapping.TARGETS[after].label('nb').lower()}, ikke "
            f"{mapping.TARGETS[before].label('nb').lower() if before in mapping.TARGETS else 'noe kjent felt'}: lest slik"))
    mapped = header.mapped()
    for c in header.columns:
        if c.how == "duplicate":
            b.warn(f"{at}column {c.letter} '{c.header}'", "duplicate_column",
                   f"also matches '{mapping.TARGETS[c.guess].label('en') if c.guess else ''}', which column "
                   f"{mapped[c.guess].letter if c.guess in mapped else '?'} already fills; not imported")
    if "name" not in mapped:
        source = next((k for k in ("purposes", "description") if k in mapped), None)
        if source is None:
            raise ValidationFailed([Problem(sheet.name, "no_name_column", convert.say(
                "no column was recognised as the activity's name ('Processing activity' / 'Behandlingsaktivitet') or its "
                "purpose ('Purpose of processing'); map one yourself (--map \"Header=name\")",
                "ingen kolonne ble gjenkjent som behandlingsaktivitetens navn ('Behandlingsaktivitet') eller formål "
                "('Formålet med behandlingen'); velg en selv (--map \"Overskrift=name\")"))])
        b.warn(f"sheet '{sheet.name}'", "names_from_purpose", convert.say(
            f"has no column for the activity's name: each activity is named after its '{mapped[source].header}' "
            "(first sentence) and gets a reference"
            + (f"; '{mapped['owner'].header}' is read as the owner" if "owner" in mapped else ""),
            f"har ingen kolonne for behandlingsaktivitetens navn: hver aktivitet får navn etter '{mapped[source].header}' "
            "(første setning) og en referanse"
            + (f"; '{mapped['owner'].header}' leses som ansvarlig enhet" if "owner" in mapped else "")))
    _apply_details(b, sheet, header, main)
    _read_table(b, sheet, header, role=role, main=main)


def _apply_details(b: _Builder, sheet: reader.SheetData, header: mapping.Header, main: bool) -> None:
    """The details block above the header fills what the organisation's record lacks, each value named."""
    details = foreign.read_details(sheet, header.row - header.rows + 1, width=max(12, len(header.columns)))
    if not details:
        return
    by_field = {d.field: d for d in details}
    at = "" if main else f"{sheet.name} "
    name = by_field.pop("name", None)
    if name is not None and b.default_org and " ".join(name.value.split()).casefold() != " ".join(b.default_org.split()).casefold():
        b.warn(f"{at}row {name.row}", "details_other_org", convert.say(
            f"the details above the header are about '{name.value}', not '{b.default_org}': not used",
            f"opplysningene over overskriftene gjelder '{name.value}', ikke '{b.default_org}': brukes ikke"))
        return
    if name is not None and not b.default_org:
        b.default_org = name.value
        b.warn(f"{at}row {name.row}", "org_from_details", convert.say(
            f"rows that name no organisation go to '{name.value}', named in the details above the header",
            f"rader som ikke nevner en virksomhet hører til '{name.value}', som er oppgitt over overskriftene"))
    target = b.default_org
    if not target:
        names = [o.name for o in registry.list_organisations(b.session)]
        target = names[0] if len(names) == 1 else None
    if not target:
        return
    ob = b.org(target)
    lang = 0 if b.ui_lang != "nb" else 1
    for d in by_field.values():
        head, _, tail = d.field.partition(".")
        current = (ob.doc.get(head) or {}).get(tail) if tail else ob.doc.get(head)
        label = foreign.LABELS[d.field][lang]
        if current:
            if str(current).strip() != d.value.strip():
                b.warn(f"{at}row {d.row}", "details_differ", convert.say(
                    f"'{ob.name}': the register's {label} '{current}' is kept (the file says '{d.value}')",
                    f"'{ob.name}': registerets {label} '{current}' beholdes (filen sier '{d.value}')"))
            continue
        if tail:
            sub = dict(ob.doc.get(head) or {})
            sub[tail] = d.value
            ob.doc[head] = sub
        else:
            ob.doc[head] = d.value
        b.warn(f"{at}row {d.row}", "from_details", convert.say(
            f"'{ob.name}': {label} set to '{d.value}' (from '{d.label}' above the header; the register had none)",
            f"'{ob.name}': {label} settes til '{d.value}' (fra '{d.label}' over overskriftene; registeret hadde ingen)"))


def _read_json_file(b: _Builder, path: Path) -> dict[str, Any]:
    data = interchange.read_json(path)
    if b.default_org and isinstance(data, dict) and isinstance(data.get("organisations"), list):
        wanted = b.default_org.casefold()
        data = {**data, "organisations": [o for o in data["organisations"] if isinstance(o, dict)
                                          and str(o.get("name", "")).casefold() == wanted]}
    return data


def plan_file(
    session: Session,
    path: Union[str, Path],
    *,
    org: Optional[str] = None,
    sheet: Optional[str] = None,
    mapping_overrides: Optional[dict[str, Optional[str]]] = None,
    mode: str = "upsert",
    progress: Optional[Progress] = None,
    lang: str = "en",
) -> ImportPlan:
    """Read the file and say what an import would do; nothing is written.

    Problems with the file itself (not a spreadsheet, zip bomb, no header row …) raise
    :class:`ValidationFailed`; problems with rows are in the plan (``errors``, row statuses), told in
    ``lang`` (nb | en). A changed activity's row lists its changes field by field (``RowPlan.changes``).
    """
    token = convert.LANG.set(lang if lang in ("nb", "en") else "en")
    try:
        with snapshot.gc_paused():
            return _plan(session, Path(path), org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode,
                         progress=progress)
    finally:
        convert.LANG.reset(token)


def _plan(session: Session, p: Path, *, org: Optional[str], sheet: Optional[str],
          mapping_overrides: Optional[dict[str, Optional[str]]], mode: str, progress: Optional[Progress]) -> ImportPlan:
    if p.suffix.lower() == ".json":
        return _plan_json(session, p, org=org, mode=mode)
    b, plan = _build(session, p, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
    document = b.finish(decoded=True)
    plan.document = document
    doc, problems = parse_document(document)
    translated = b.translate(problems)
    plan.errors = b.errors + [q for q in translated if q.severity == "error"]
    plan.warnings = b.warnings + [q for q in translated if q.severity != "error"]
    for oi, ob in enumerate(b.orgs.values()):
        for ai, (act, origin) in enumerate(zip(ob.activities, ob.origins)):
            if origin.plan is None or origin.plan.status in ("error", "skipped"):
                continue
            if doc is not None:
                act_doc: Optional[ActivityDoc] = doc.organisations[oi].activities[ai]
            else:  # the document as a whole did not validate: compare the activities that do
                try:
                    act_doc = ActivityDoc.model_validate(act)
                except PydanticValidationError:
                    act_doc = None
            if act_doc is None:
                origin.plan.status = "error"
                continue
            current = ob.db_acts.get(act_doc.ref)
            if current is None:
                origin.plan.status = "new"
            else:
                new = registry.activity_dict_from_doc(act_doc)
                origin.plan.status = "unchanged" if new == current else "changed"
                if new != current:
                    origin.plan.changes = diff.changes(current, new)
                    conflict = _stale_row(session, ob, act_doc, origin.plan)
                    if conflict is not None:
                        plan.errors.append(b.translate([Problem(f"organisations[{oi}].activities[{ai}]", conflict.code, conflict.message)])[0])
    return plan


def _stale_row(session: Session, ob: _Org, act_doc: ActivityDoc, row: RowPlan) -> Optional[Problem]:
    """For a changed row exported at an older version than the register's record: an untouched
    copy is left alone (said in the row's messages), an edited one is a conflict (returned)."""
    if act_doc.version is None or ob.db is None:
        return None
    act = registry.get_activity(session, ob.name, act_doc.ref)
    if act.version == act_doc.version:
        return None
    try:
        registry.stale_activity(session, act, act_doc)
    except Conflict as c:
        return registry.conflict_problem("", c)
    row.status = "unchanged"
    row.messages.append(f"left alone: the register's record is newer (version {act.version}) and this row is as exported "
                        f"(version {act_doc.version})")
    return None


def _plan_json(session: Session, path: Path, *, org: Optional[str], mode: str) -> ImportPlan:
    b = _Builder(session, path.name, org=org, mode=mode)
    data = _read_json_file(b, path)
    plan = ImportPlan(source=path.name, kind="json", sheets=[])
    doc, problems = parse_document(data)
    plan.errors = [p for p in problems if p.severity == "error"]
    plan.warnings = [p for p in problems if p.severity != "error"]
    plan.document = data if isinstance(data, dict) else {}
    if doc is None:
        return plan
    bad = {m.group(1, 2) for p in plan.errors if (m := _PATH.match(p.where))}
    for oi, org_doc in enumerate(doc.organisations):
        ob = b.org(org_doc.name)
        for ai, act in enumerate(org_doc.activities):
            row = RowPlan("json", ai + 1, org_doc.name, act.ref, act.name)
            if (str(oi), str(ai)) in bad:
                row.status = "error"
                row.messages = [str(p) for p in plan.errors if p.where.startswith(f"organisations[{oi}].activities[{ai}]")]
            elif mode == "create-only" and act.ref in ob.db_refs:
                row.status = "skipped"
            else:
                current = ob.db_acts.get(act.ref)
                new = registry.activity_dict_from_doc(act)
                row.status = "new" if current is None else ("unchanged" if new == current else "changed")
                if row.status == "changed" and current is not None:
                    row.changes = diff.changes(current, new)
                conflict = _stale_row(session, ob, act, row) if row.status == "changed" else None
                if conflict is not None:
                    row.status = "error"
                    row.messages.append(conflict.message)
                    plan.errors.append(Problem(f"organisations[{oi}].activities[{ai}]", conflict.code, conflict.message))
            plan.rows.append(row)
    return plan


def import_file(
    session: Session,
    path: Union[str, Path],
    *,
    actor: Union[str, access.Principal],
    org: Optional[str] = None,
    sheet: Optional[str] = None,
    dry_run: bool = False,
    mapping_overrides: Optional[dict[str, Optional[str]]] = None,
    mode: str = "upsert",
    progress: Optional[Progress] = None,
    lang: str = "en",
) -> FileImportReport:
    """Import a spreadsheet or JSON file in the caller's transaction: every row, or nothing.

    Any error in any row raises :class:`ValidationFailed` listing them all (row and column
    named), before anything is written. ``dry_run`` reads, validates and counts exactly as a
    real import, then rolls the session back. Audit events carry ``import:<file name>``.
    """
    actor = access.require(session, actor, access.IMPORT)  # before reading: a refused import costs nothing
    token = convert.LANG.set(lang if lang in ("nb", "en") else "en")
    try:
        with snapshot.gc_paused():
            return _import(session, Path(path), actor=actor, org=org, sheet=sheet, dry_run=dry_run,
                           mapping_overrides=mapping_overrides, mode=mode, progress=progress)
    finally:
        convert.LANG.reset(token)


def _import(session: Session, p: Path, *, actor: str, org: Optional[str], sheet: Optional[str], dry_run: bool,
            mapping_overrides: Optional[dict[str, Optional[str]]], mode: str, progress: Optional[Progress]) -> FileImportReport:
    if p.suffix.lower() == ".json":
        b = _Builder(session, p.name, org=org, mode=mode)
        document = _read_json_file(b, p)
        skipped: list[str] = []
        if mode == "create-only":
            document, skipped = _without_existing(b, document)
        rows_read = len(skipped) + sum(len(o.get("activities") or []) for o in document.get("organisations") or []
                                       if isinstance(o, dict)) if isinstance(document, dict) else 0
        kind = "json"
        plan = ImportPlan(source=p.name, kind="json")
    else:
        b, plan = _build(session, p, org=org, sheet=sheet, mapping_overrides=mapping_overrides, mode=mode, progress=progress)
        document = b.finish()
        if b.errors:
            raise ValidationFailed(b.errors)
        rows_read = sum(1 for r in plan.rows if r.status not in ("example", "instructions", "skipped"))
        skipped = [f"{r.sheet} row {r.row} ({r.status})" for r in plan.rows if r.status in ("example", "instructions", "skipped")]
        kind = plan.kind
    try:
        report = interchange.import_document(session, document, actor=actor, source=b.source, dry_run=dry_run)
    except ValidationFailed as err:
        if dry_run:
            session.rollback()
        raise ValidationFailed(b.translate(err.problems) if kind != "json" else err.problems) from None
    if dry_run:
        session.rollback()
    warnings = (b.warnings if kind != "json" else []) + (b.translate(report.warnings) if kind != "json" else report.warnings)
    out = FileImportReport(source=report.source, organisations_created=report.organisations_created,
                           organisations_updated=report.organisations_updated, created=report.created, updated=report.updated,
                           unchanged=report.unchanged, kept=report.kept, warnings=warnings, dry_run=dry_run, rows_read=rows_read,
                           skipped=skipped, kind=kind, sheet=plan.sheet, header_row=plan.header_row, columns=plan.columns)
    if progress:
        progress(1, 1)
    return out


def _without_existing(b: _Builder, document: Any) -> tuple[Any, list[str]]:
    """The document without the activities the register already has (``--mode create-only``), and those left out."""
    if not isinstance(document, dict) or not isinstance(document.get("organisations"), list):
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


def parse_map_options(items: Optional[Sequence[str]]) -> dict[str, Optional[str]]:
    """``["Header text=field", "C=purposes", "Notes=-"]`` as mapping overrides ('-' or nothing: not imported)."""
    out: dict[str, Optional[str]] = {}
    for item in items or []:
        header, sep, key = item.rpartition("=")
        if not sep or not header.strip():
            raise ValidationFailed([Problem("--map", "bad_map", f"'{item}' is not \"Header text=field\"")])
        key = key.strip()
        if key and key != mapping.IGNORE and key not in mapping.TARGETS:
            close = [k for k in mapping.TARGETS if key.casefold() in k.casefold()]
            hint = f" (did you mean {', '.join(close[:3])}?)" if close else f" (fields: {', '.join(mapping.TARGETS)})"
            raise ValidationFailed([Problem("--map", "unknown_field", f"'{key}' is not a field{hint}")])
        out[header.strip()] = key or mapping.IGNORE
    return out


def field_choices(lang: str = "en") -> dict[str, str]:
    """Every field a column can map to, with its label, for the Import page's drop-downs."""
    return {k: f"{t.label(lang)} ({k})" for k, t in mapping.TARGETS.items()}


__all__ = ["FileImportReport", "ImportPlan", "RowPlan", "field_choices", "import_file", "parse_map_options", "plan_file"]


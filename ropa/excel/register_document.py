"""The register document an import builds from the rows of a file, and where each record came from.

:class:`RegisterBuilder` gathers organisations and their activities (as dicts, or, for a row of
our own workbook still as exported, its ``ropa:json`` text), checks duplicates and ``--mode``,
and notes every problem at its row and column (:class:`Place`: a path such as ``("sheet",
"Activities", "row", 12, "column", "Country")`` and its rendering). :class:`Places` tells a
problem found later at a path of the document (by validation, or a conflict met while writing)
at the row of the file it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional

from sqlmodel import Session

from ropa import vocab
from ropa.errors import PathPart, Problem, ValidationFailed, render_path
from ropa.excel import convert, layout
from ropa.excel.cells import say
from ropa.excel.convert import Note
from ropa.excel.import_plan import MODES, Progress, RowPlan
from ropa.register import lookup, organisations, reader, recipients
from ropa.schema import FORMAT_NAME, FORMAT_VERSION, ActivityJSON, normalise_name

_PROGRESS_EVERY = 250


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


@dataclass
class Places:
    """Where each record of a built document came from: the organisations in the document's order,
    each with the row of its own record (if the file has one) and the rows of its activities. With
    it a problem found at a path of the document (``("organisations", 0, "activities", 3, "ref")``)
    is told at the row and column of the file, without reading anything back from words."""

    organisations: list[tuple[str, Optional[Origin], list[Origin]]]
    own: bool = False
    lang: str = "en"  # the language places are told in

    def translate(self, problems: Iterable[Problem], *, mark_rows: bool = True) -> list[Problem]:
        """Problems at paths of the document, at the rows and columns of the file (``mark_rows``: and
        noted on those rows' plans)."""
        from ropa.fields import ACTIVITY, ORGANISATION

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
            key = ".".join(str(x) for x in rest if isinstance(x, str))
            key = key if key in ACTIVITY or key in ORGANISATION else key.split(".")[0]
            if ai is not None and ai < len(origins):
                origin = origins[ai]
            elif org_origin is not None:
                origin = org_origin
            else:
                text = f"organisation '{name}'" + (f", {render_path(rest)}" if rest else "")
                out.append(Problem(("organisation", name, *rest), p.code, p.message, p.severity, field=key or None, where=text))
                continue
            place = origin_place(origin, key or None, own=self.own)
            q = Problem(place.path, p.code, p.message, p.severity, field=key or None, where=told(place.text, self.lang))
            if mark_rows and origin.plan is not None:
                origin.plan.messages.append(str(q))
                if q.severity == "error":
                    origin.plan.status = "error"
            out.append(q)
        return out


class OrganisationDraft:
    """One organisation of the document being built, with what the database knows of it."""

    def __init__(self, b: RegisterBuilder, name: str) -> None:
        self.session = b.session  # not the builder itself: no cycle keeps a whole import alive after it
        self.name = name
        row = lookup.find_organisation(b.session, name)
        self.db = row
        self.doc: dict[str, Any] = organisations.organisation_dict(row) if row else _bare_org(name)
        if row is not None:
            self.name = self.doc["name"] = row.name
        self.doc["recipients"] = []
        self.origin: Optional[Origin] = None
        # Each activity as a dict (read from cells, or edited), or, for a row of our own workbook that
        # still shows what was exported, its ropa:json text (ActivityJSON), parsed only if a later
        # sheet changes it: a large import then holds text, not millions of small Python objects.
        self.activities: list[Any] = []
        self.origins: list[Origin] = []
        self.by_ref: dict[Optional[str], int] = {}  # (a ref is always set by the time a row is added)
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
            self.recipients = {r.name: recipients.recipient_dict(r) for r in recipients.list_recipients(b.session, row.name)}
        self.layout_ctx = layout.Context(lang=b.lang, org=self.doc, custom=self.custom)
        self.strict = b.own

    def ctx(self, headers: dict[str, str]) -> convert.Context:
        return convert.Context(custom=self.custom, recipients=self.recipients, org=self.doc, labels=dict(headers), strict=self.strict)

    @property
    def db_refs(self) -> set[str]:
        if self._db_refs is None:
            if self.db is None or self.db.id is None:
                self._db_refs = set()
            elif self._db_acts is not None:
                self._db_refs = set(self._db_acts)
            else:
                self._db_refs = reader.activity_refs(self.session, self.db.id)
        return self._db_refs

    @property
    def db_acts(self) -> dict[str, dict[str, Any]]:
        if self._db_acts is None:
            org_id = self.db.id if self.db is not None else None
            self._db_acts = {} if org_id is None else {a["ref"]: a for _, a in reader.iter_activities(self.session, [org_id])}
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
        """A free ref like :func:`ropa.register.activities.next_ref`, counting the refs this file takes too."""
        taken = self.db_refs | {r for r in self.by_ref if r is not None}
        prefixes = [r.rsplit("-", 1)[0] for r in taken if "-" in r]
        prefix = max(sorted(set(prefixes)), key=prefixes.count) if prefixes else ("".join(w[0] for w in re.findall(r"\w+", self.name)[:3]).upper() or "A")
        n = 1
        while f"{prefix}-{n:02d}" in taken:
            n += 1
        return f"{prefix}-{n:02d}"


def _bare_org(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "org_number": None,
        "country": None,
        "address": None,
        "email": None,
        "phone": None,
        "website": None,
        "supervisory_authority": None,
        "public_authority": False,
        "establishments": [],
        "offers_to_eea": None,
        "monitors_eea": None,
        "occasional_processing": False,
        "fewer_than_250": False,
        "art30_5_assessment": None,
        "dpo": None,
        "representative": None,
    }


class RegisterBuilder:
    """Builds one ``ropa-register`` document from the rows of a file, noting where each record came
    from and every problem met on the way, at its row and column."""

    def __init__(
        self, session: Session, source: str, *, org: Optional[str], mode: str, lang: str = "en", progress: Optional[Progress] = None, ui_lang: str = "en"
    ) -> None:
        if mode not in MODES:
            raise ValidationFailed([Problem("mode", "bad_mode", f"mode must be one of {', '.join(MODES)}, not '{mode}'")])
        self.session, self.source, self.default_org, self.mode, self.lang = session, source, org, mode, lang
        self.progress = progress
        self.orgs: dict[str, OrganisationDraft] = {}
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.rows: list[RowPlan] = []
        self._terms: Optional[dict[Optional[int], dict[str, dict[str, vocab.Term]]]] = None
        self.main_sheet: Optional[str] = None
        self._only_org_told = False
        self.ui_lang = ui_lang  # the language problems are told in (the workbook's own language is ``lang``)
        self.own = False  # our own workbook: a value invalid for its column is an error

    def problem(self, place: Place, code: str, message: str, severity: str = "error") -> Problem:
        return Problem(place.path, code, message, severity, field=place.field, where=told(place.text, self.ui_lang))

    # -- messages

    def note(self, origin: Origin, notes: Iterable[Note]) -> None:
        for n in notes:
            p = self.problem(origin_place(origin, n.field, own=self.own), n.code, n.message, n.severity)
            (self.errors if n.severity == "error" else self.warnings).append(p)
            if origin.plan is not None:
                origin.plan.messages.append(str(p))
                if n.severity == "error":
                    origin.plan.status = "error"

    def warn(self, place: Place, code: str, message: str, plan: Optional[RowPlan] = None) -> None:
        p = self.problem(place, code, message, "warning")
        self.warnings.append(p)
        if plan is not None:
            plan.messages.append(str(p))

    def error(self, place: Place, code: str, message: str, plan: Optional[RowPlan] = None) -> None:
        p = self.problem(place, code, message)
        self.errors.append(p)
        if plan is not None:
            plan.messages.append(str(p))
            plan.status = "error"

    # -- lookups

    def terms(self, org_id: Optional[int]) -> dict[str, dict[str, vocab.Term]]:
        if self._terms is None:
            self._terms = reader.custom_terms(self.session)
        return reader.terms_for(self._terms, org_id)

    def org(self, name: str) -> OrganisationDraft:
        name = normalise_name(name)  # as the register stores and finds it: every sheet agrees
        key = name.casefold()
        if key not in self.orgs:
            self.orgs[key] = OrganisationDraft(self, name)
        return self.orgs[key]

    def org_for(self, cell: Any, plan: RowPlan, origin: Origin) -> Optional[OrganisationDraft]:
        name = convert.text(cell) or self.default_org
        if name:
            ob = self.org(name)
            if ob.db is None and ob.origin is None and not ob.told_new:
                ob.told_new = True
                self.warn(
                    origin.at(),
                    "new_organisation",
                    say(
                        f"'{ob.name}' is not in the register: it will be created (with its name only; add its details afterwards)",
                        f"«{ob.name}» finnes ikke i registeret: den opprettes (bare med navnet; legg inn resten etterpå)",
                    ),
                    plan,
                )
            return ob
        names = [o.name for o in organisations.list_organisations(self.session)]
        if len(names) == 1:
            if not self._only_org_told:
                self._only_org_told = True
                self.warn(
                    origin.at(),
                    "organisation_assumed",
                    say(
                        f"rows that name no organisation go to '{names[0]}', the register's only organisation",
                        f"rader uten virksomhet går til «{names[0]}», den eneste virksomheten i registeret",
                    ),
                    plan,
                )
            return self.org(names[0])
        self.error(
            origin.at("organisation"),
            "no_organisation",
            say(
                "which organisation does this row belong to? The sheet has no "
                "organisation column (or it is empty here): name it with --org NAME (or choose it on the Import page)",
                "hvilken virksomhet hører raden til? Arket har ingen kolonne for virksomhet (eller den er tom her): "
                "velg den under «Virksomhet for rader uten virksomhet» (eller --org NAVN på kommandolinjen)",
            ),
            plan,
        )
        return None

    # -- rows

    def add(self, ob: OrganisationDraft, act: Any, origin: Origin, ref: Optional[str] = None, name: Optional[str] = None) -> None:
        """Add an activity (a dict, or an untouched row's ActivityJSON with its ``ref`` and ``name``)
        to its organisation: duplicates and --mode checked."""
        plan = origin.plan
        if not isinstance(act, ActivityJSON):
            ref, name = act.get("ref"), act.get("name")
        if ref in ob.by_ref:
            first = ob.origins[ob.by_ref[ref]]
            self.error(
                origin.at("ref"),
                "duplicate",
                say(
                    f"ref '{ref}' of '{ob.name}' is used twice (also {first.where()})",
                    f"referansen «{ref}» hos «{ob.name}» er brukt to ganger (også {told(first.where(), 'nb')})",
                ),
                plan,
            )
            return
        if self.mode == "create-only" and ref in ob.db_refs:
            if plan is not None:
                plan.status = "skipped"
            self.warn(
                origin.at("ref"),
                "exists",
                say(f"'{ob.name}' already has {ref}; not changed (create-only)", f"«{ob.name}» har allerede {ref}; ikke endret (bare nye)"),
                plan,
            )
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

    def _recipients_agree(self, ob: OrganisationDraft) -> None:
        # Rows still as exported agree among themselves (the register keeps one row per recipient):
        # only rows read from cells or edited, and recipients at organisation level, can disagree.
        if not ob.doc.get("recipients") and not any(isinstance(a, dict) and a.get("recipients") for a in ob.activities):
            return
        canon: dict[str, tuple[dict[str, Any], Origin]] = {}
        for i, origin in enumerate(ob.origins):
            for r in ob.record(i).get("recipients") or []:
                if r["name"] not in canon:
                    canon[r["name"]] = (dict(r), origin)
                    continue
                first, first_origin = canon[r["name"]]
                for attr in convert.merge_recipient(first, r):
                    self.warn(
                        origin.at("recipients"),
                        "conflict",
                        f"recipient '{r['name']}' has {attr} '{r.get(attr)}' here but '{first.get(attr)}' in {first_origin.where()}; the first is kept",
                        origin.plan,
                    )
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

    def places(self) -> Places:
        """Where each record of the document (:meth:`finish`) came from."""
        return Places([(ob.name, ob.origin, ob.origins) for ob in self.orgs.values()], own=self.own, lang=self.ui_lang)

    def translate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems at paths of the built document, at the rows and column headers of the file."""
        return self.places().translate(problems)

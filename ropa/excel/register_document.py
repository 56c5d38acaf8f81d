"""The register document an import builds from the rows of a file, each record checked as it is added.

:class:`RegisterBuilder` gathers organisations and their activities, checks duplicates and
``--mode``, and validates each record against the format's models (:mod:`ropa.schema`,
:mod:`ropa.validation`) when it is added, or changed by a later sheet, with the row it came
from at hand (:class:`~ropa.excel.import_plan.Origin`): every problem is told at its sheet, row
and column (a path such as ``("sheet", "Activities", "row", 12, "column", "Country")``). A row
of our own workbook still as exported (its digest matches, or its cells all still show its JSON)
goes on as its ``ropa:json`` text
(:class:`~ropa.schema.ActivityJSON`), validated by the writer straight from the text, as the
JSON import does. What spans records (a ref used twice, a recipient defined differently in two
rows, a transfer or 'used by' naming an activity the file lacks) is checked across the rows,
each told at the row that has it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Optional

from pydantic import ValidationError
from sqlmodel import Session

from ropa import vocab
from ropa.errors import PathPart, Problem, ValidationFailed
from ropa.excel import convert, layout
from ropa.excel.cells import say
from ropa.excel.convert import Note
from ropa.excel.import_plan import MODES, Origin, Place, Places, Progress, RowPlan, at_origin, field_key, origin_place, told
from ropa.register import lookup, organisations, reader, recipients
from ropa.schema import FORMAT_NAME, FORMAT_VERSION, ActivityDoc, OrganisationDoc, RecipientDoc
from ropa.text import normalise_name
from ropa.validation import ActivityJSON, activity_problems, problems_from_validation

# A part of a record told at another row than the record's own (a transfer at its row of the
# Transfers sheet): a path within the record -> that row and the path within the part, or None.
Part = Callable[[tuple[PathPart, ...]], Optional[tuple[Origin, tuple[PathPart, ...]]]]


def fields_of_row(origin: Origin, keys: Iterable[str]) -> Part:
    """The part of an activity a row gave: the fields ``keys`` (and what lies within them), told at that row."""
    tops = {k.split(".")[0] for k in keys}

    def part(path: tuple[PathPart, ...]) -> Optional[tuple[Origin, tuple[PathPart, ...]]]:
        return (origin, path) if path and path[0] in tops else None

    return part


_PROGRESS_EVERY = 250


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
        # Each activity validated as it now is (None: not yet, or invalid; an untouched row's text is
        # validated by the writer), and the problems told of it (its path within it and code).
        self.docs: list[Optional[ActivityDoc]] = []
        self.told: dict[int, set[tuple[tuple[PathPart, ...], str]]] = {}
        # Activities a row of a later sheet changed: checked again once every sheet is read, each
        # problem told at the row that changed it (the row, and the parts read from rows of their own).
        self.changed: dict[int, list[Part]] = {}
        self.named_at: Optional[Origin] = None  # the first row that named it (when it has no row of its own)
        self.by_ref: dict[Optional[str], int] = {}  # (a ref is always set by the time a row is added)
        self.originals: dict[str, ActivityJSON] = {}  # ref -> the row's ropa:json text (own workbook)
        self.edited: dict[str, set[str]] = {}  # ref -> fields changed on the activities sheet
        self.renamed: dict[str, str] = {}  # ref in the ropa:json -> the ref the DPO typed over it
        self.told_new = False
        self.named: dict[str, tuple[int, str]] = {}  # another's table: folded name -> (activity index, sheet)
        self._db_acts: Optional[dict[str, dict[str, Any]]] = None
        self._db_refs: Optional[set[str]] = None
        self._ref_next: Optional[tuple[str, int]] = None  # new_ref's prefix and the number it reached
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
        """Activity ``i`` to change: an untouched row's text is decoded and kept as a dict from now on.
        Whoever changes it says so (:meth:`RegisterBuilder.changed`), with the row that changed it."""
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
        """A free ref like :func:`ropa.register.activities.next_ref`, counting the refs this file takes too.

        The prefix (the most common among the refs taken when the first is needed) and the number
        reached are kept, so a register of thousands of rows without a reference column costs one
        pass, not one pass per row."""
        if self._ref_next is None:
            taken = self.db_refs | {r for r in self.by_ref if r is not None}
            prefixes = Counter(r.rsplit("-", 1)[0] for r in taken if "-" in r)
            top = max(prefixes.values(), default=0)
            prefix = min(p for p, k in prefixes.items() if k == top) if prefixes else ("".join(w[0] for w in re.findall(r"\w+", self.name)[:3]).upper() or "A")
            self._ref_next = (prefix, 1)
        prefix, n = self._ref_next
        while f"{prefix}-{n:02d}" in self.db_refs or f"{prefix}-{n:02d}" in self.by_ref:
            n += 1
        self._ref_next = (prefix, n)
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
            raise ValidationFailed(
                [
                    Problem(
                        "mode",
                        "bad_mode",
                        say(f"mode must be one of {', '.join(MODES)}, not '{mode}'", f"modus må være en av {', '.join(MODES)}, ikke '{mode}'"),
                    )
                ]
            )
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
        self._told: set[tuple[tuple[PathPart, ...], str]] = set()

    def problem(self, place: Place, code: str, message: str, severity: str = "error") -> Problem:
        return Problem(place.path, code, message, severity, field=place.field, where=told(place.text, self.ui_lang))

    # -- messages

    def tell(self, origin: Origin, problems: Iterable[Problem], part: Optional[Part] = None) -> None:
        """Problems of one record (at paths within it) told at the row it was read from, and the
        column of each problem's field (``part``: a part of it read from another row)."""
        for p in problems:
            at, rel = origin, p.path
            if part is not None and (found := part(p.path)) is not None:
                at, rel = found
            q = at_origin(at, p, rel, own=self.own, lang=self.ui_lang, field=field_key(p.path), mark_rows=False)
            key = (q.path, q.code)
            if key in self._told:  # the same part checked again with another record (a recipient's row)
                continue
            self._told.add(key)
            (self.errors if q.severity == "error" else self.warnings).append(q)
            if at.plan is not None:
                at.plan.messages.append(str(q))
                if q.severity == "error":
                    at.plan.status = "error"

    def check(self, ob: OrganisationDraft, i: int, origin: Optional[Origin] = None, part: Optional[Part] = None) -> Optional[ActivityDoc]:
        """Validate activity ``i`` as it now is (its fields, and the rules that span them) and tell
        its problems at ``origin`` (default: its own row) straight away; a problem told of it before
        is not told again. Returns the validated activity (None when it is invalid), which the
        document then carries, so the writer does not validate it again."""
        act = ob.activities[i]
        doc: Optional[ActivityDoc] = None
        try:
            valid = ActivityDoc.model_validate_json(act) if isinstance(act, ActivityJSON) else ActivityDoc.model_validate(act)
        except ValidationError as exc:
            problems = problems_from_validation(exc)
        else:
            doc, problems = valid, activity_problems(valid)
        ob.docs[i] = doc
        if problems:
            seen = ob.told.setdefault(i, set())
            fresh = [p for p in problems if (p.path, p.code) not in seen]
            seen.update((p.path, p.code) for p in fresh)
            self.tell(origin or ob.origins[i], fresh, part)
        return doc

    def changed(self, ob: OrganisationDraft, i: int, part: Optional[Part] = None) -> None:
        """Activity ``i`` is complete only when every sheet is read (our own workbook), or was changed
        by another row (``part``: the fields or parts that row gave, such as a transfer on its row of
        the Transfers sheet, or :func:`fields_of_row`): it is checked once, as the last sheet left it
        (:meth:`finish`), each problem told at the row that gave that part, the rest at its own row."""
        ob.docs[i] = None
        parts = ob.changed.setdefault(i, [])
        if part is not None:
            parts.append(part)

    def _settle(self, ob: OrganisationDraft) -> None:
        """Check each changed activity once, as the last sheet left it."""
        for i, parts in ob.changed.items():

            def part(path: tuple[PathPart, ...], parts: list[Part] = parts) -> Optional[tuple[Origin, tuple[PathPart, ...]]]:
                return next((found for p in reversed(parts) if (found := p(path)) is not None), None)  # the last word first

            self.check(ob, i, part=part if parts else None)
        ob.changed.clear()

    def check_recipient(self, rec: dict[str, Any], origin: Origin) -> None:
        """Validate a recipient read from a row of its own (the Recipients sheet) and tell its problems there."""
        try:
            RecipientDoc.model_validate(rec)
        except ValidationError as exc:
            self.tell(origin, problems_from_validation(exc))

    def check_organisation(self, ob: OrganisationDraft, origin: Optional[Origin] = None) -> None:
        """Validate an organisation's own record (its activities apart) and tell its problems at its
        row (``origin``, or the Organisations sheet's), or at the first row that named it."""
        try:
            OrganisationDoc.model_validate({**ob.doc, "activities": []})
            return
        except ValidationError as exc:
            problems = problems_from_validation(exc)
        seen = ob.told.setdefault(-1, set())
        fresh = [p for p in problems if (p.path, p.code) not in seen]
        seen.update((p.path, p.code) for p in fresh)
        at = origin or ob.origin
        if at is not None:
            self.tell(at, fresh)
        elif ob.named_at is not None:
            named_at = ob.named_at
            self.tell(named_at, fresh, lambda path: (named_at, ("organisation",)) if path == ("name",) else (named_at, ()))
        else:  # named only by --org or the details above a header
            for p in fresh:
                q = p.replace(path=("organisation", ob.name, *p.path), where=f"organisation '{ob.name}', {p.where}")
                (self.errors if q.severity == "error" else self.warnings).append(q)

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
            if ob.named_at is None:
                ob.named_at = origin
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

    def add(self, ob: OrganisationDraft, act: Any, origin: Origin, ref: Optional[str] = None, name: Optional[str] = None, untouched: bool = False) -> None:
        """Add an activity (a dict, or a row's ActivityJSON text with its ``ref`` and ``name``) to its
        organisation: duplicates and --mode checked, then the activity validated and its problems
        told at the row's columns (a row of our own workbook once the sheets after it, which may
        add its transfers, recipients and processor details, are read). A row of our own workbook still as exported (``untouched``: its
        digest vouches for it, or every cell still shows its ropa:json) goes on as its text,
        unvalidated here: the writer validates it from the text, as the JSON import does, so a large
        untouched workbook is parsed once; what it finds there is told at the row (:class:`Places`)."""
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
        i = ob.by_ref[ref] = len(ob.activities)
        ob.activities.append(act)
        ob.docs.append(None)
        ob.origins.append(origin)
        if plan is not None:
            plan.organisation, plan.ref, plan.name = ob.name, ref, name
        if untouched:
            return
        if self.own:  # its transfers, recipients and processor details may be on later sheets: checked once they are read
            self.changed(ob, i)
        else:
            self.check(ob, i, origin)

    def tick(self, done: int, total: int) -> None:
        if self.progress and done % _PROGRESS_EVERY == 0:
            self.progress(done, total)

    # -- the result

    def finish(self, check_all: bool = False) -> dict[str, Any]:
        """The ``ropa-register`` document; one definition per recipient name within an organisation,
        each organisation's own record checked. Each activity is its validated model, or (an untouched
        row) its text, validated here only with ``check_all`` (a preview, which compares each row with
        the register), else by the writer."""
        out = []
        for ob in self.orgs.values():
            self._recipients_agree(ob)
            self._settle(ob)
            self.check_organisation(ob)
            if check_all:
                for i, act in enumerate(ob.activities):
                    if ob.docs[i] is None and isinstance(act, ActivityJSON):
                        self.check(ob, i)
            doc = dict(ob.doc)
            doc["activities"] = [d if d is not None else a for d, a in zip(ob.docs, ob.activities)]
            out.append(doc)
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "organisations": out}

    def _recipients_agree(self, ob: OrganisationDraft) -> None:
        # Rows still as exported agree among themselves (the register keeps one row per recipient):
        # only rows read from cells or edited, and recipients at organisation level, can disagree.
        if not ob.doc.get("recipients") and not any(isinstance(a, dict) and a.get("recipients") for a in ob.activities):
            return
        from ropa.fields import RECIPIENT, label  # the field labels, for the message in bokmål

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
                        say(
                            f"recipient '{r['name']}' has {attr} '{r.get(attr)}' here but '{first.get(attr)}' in {first_origin.where()}; the first is kept",
                            f"mottakeren '{r['name']}' har {label(attr, 'nb', RECIPIENT).lower()} '{r.get(attr)}' her, men '{first.get(attr)}' i "
                            f"{told(first_origin.where(), 'nb')}; den første beholdes",
                        ),
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
                    self.changed(ob, i)

    def places(self) -> Places:
        """Where each record of the document (:meth:`finish`) came from: for what the writer finds."""
        return Places([(ob.name, ob.origin, ob.origins) for ob in self.orgs.values()], own=self.own, lang=self.ui_lang)

    def translate(self, problems: Iterable[Problem]) -> list[Problem]:
        """What the writer found at places of the built document, at the rows and column headers of the file."""
        return self.places().translate(problems)

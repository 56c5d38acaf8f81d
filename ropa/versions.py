"""The register as it was: immutable snapshots, copies at any past moment, and what changed.

A snapshot is the whole register in the JSON format, stored once under a label and never
changed (the database refuses UPDATE and DELETE on it). A moment without a snapshot is rebuilt
from the audit trail (:mod:`ropa.timeline`). Either way the result is an :class:`AsOf`: a
register document that the export, the workbook and the report write as they write the live
register, scoped to what the reader may read.

:func:`diff` compares two states (snapshot, moment or now) activity by activity and field by
field. Taking a snapshot needs ``register.snapshot`` (dpo, admin); reading one is a read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Optional, Union
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from ropa import access, timeline
from ropa.errors import MESSAGE_LANG, NotFound, PermissionDenied, Problem, ValidationFailed
from ropa.models import Organisation, Snapshot, utcnow
from ropa.register import interchange
from ropa.register.audit import record_event, unique_name

OSLO = ZoneInfo("Europe/Oslo")
SNAP = Snapshot.__table__  # type: ignore[attr-defined]
MAX_LABEL = 120
NOW = "now"


# ---------------------------------------------------------------------------------------------
# Moments


def _say(nb: str, en: str) -> str:
    return nb if MESSAGE_LANG.get() == "nb" else en


def parse_moment(text: str) -> Optional[datetime]:
    """An ISO date or date-time as a moment in UTC, or None when ``text`` is neither. Without a
    zone it is Oslo time; a date alone means the end of that day (everything saved that day)."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day + timedelta(days=1), time(), OSLO).astimezone(UTC) - timedelta(microseconds=1)
        if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
            return None
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=OSLO)
        return moment.astimezone(UTC)
    except ValueError:
        return None
    except OverflowError:  # 9999-12-31 ends in year 10000; 0001-01-01T00:30 Oslo time begins in year 0
        raise ValidationFailed(
            [
                Problem(
                    "as_of",
                    "out_of_range",
                    _say(
                        f"«{text}» ligger utenfor datoene registeret kan regne med (år 1 til 9999)",
                        f"'{text}' is outside the dates the register can work with (years 1 to 9999)",
                    ),
                )
            ]
        ) from None


def oslo(moment: datetime) -> str:
    """A stored moment as Oslo time with its zone, e.g. ``2026-03-01 14:05 CET``."""
    return timeline.to_utc(moment).astimezone(OSLO).strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------------------------------------
# Snapshots


def _label_problem(label: str) -> Optional[str]:
    if not label:
        return "a snapshot needs a label"
    if len(label) > MAX_LABEL:
        return f"a label has at most {MAX_LABEL} characters"
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 or unicodedata.category(ch) in ("Cf", "Zl", "Zp") for ch in label):  # C0, C1
        # (\x9b is a terminal's CSI), and bidirectional overrides that show a label in another order than it reads
        return "a label cannot hold control characters"
    if label.isdigit():
        return f"'{label}' would read as a snapshot number: use words"
    try:
        moment = label.lower() == NOW or parse_moment(label) is not None
    except ValidationFailed:  # a date out of range is still a date
        moment = True
    if moment:
        return f"'{label}' would read as a moment, not a label: add words (e.g. 'year end {label}')"
    return None


def _text(document: dict[str, Any]) -> str:
    return interchange.dumps(document)


def create(session: Session, label: str, *, actor: Union[str, access.Principal], source: Optional[str] = None) -> Snapshot:
    """Store the whole register (every organisation, whoever takes it) under ``label``, with an
    audit event naming who took it."""
    name = access.require(session, actor, access.SNAPSHOT)
    label = (label or "").strip()
    problem = _label_problem(label)
    if problem:
        raise ValidationFailed([Problem("label", "bad_label", problem)])
    if session.execute(select(SNAP.c.id).where(func.lower(SNAP.c.label) == label.lower())).first():
        raise ValidationFailed([Problem("label", "duplicate", f"a snapshot labelled '{label}' already exists")])
    with access.reading_as(None):  # the copy is the whole register; reading it is scoped
        document = interchange.export_document(session)
        ids = {o.name: o.id for o in session.execute(select(Organisation)).scalars()}
    text = _text(document)
    snap = Snapshot(
        label=label,
        created_by=name,
        organisations=len(document["organisations"]),
        activities=sum(len(o["activities"]) for o in document["organisations"]),
        organisation_ids={n: ids[n] for n in (o["name"] for o in document["organisations"])},
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        content=gzip.compress(text.encode("utf-8"), 6),
    )
    session.add(snap)
    with unique_name("a snapshot", label, "label"):
        session.flush()
    assert snap.id is not None
    record_event(
        session,
        actor=name,
        action="create",
        entity="snapshot",
        entity_id=snap.id,
        key=label,
        version=1,
        source=source,
        new={"label": label, "organisations": snap.organisations, "activities": snap.activities, "digest": snap.digest},
    )
    return snap


def counts_shown() -> bool:
    """Whether the reader may see a snapshot's counts (they are of the whole register)."""
    return access.readable_orgs() is None


def list_snapshots(session: Session) -> list[Snapshot]:
    """Every snapshot, newest first (the content stays unread). Its counts are of the whole
    register: show them only when :func:`counts_shown`."""
    access.read_scope(None)
    cols = [c for c in SNAP.c if c.name != "content"]
    rows = session.execute(select(*cols).order_by(SNAP.c.created_at.desc(), SNAP.c.id.desc())).all()
    return [Snapshot(**row._mapping, content=b"") for row in rows]


def get(session: Session, ref: Union[str, int]) -> Snapshot:
    """A snapshot by label (exact, else regardless of case) or number; NotFound naming it."""
    text = str(ref).strip()
    found = session.execute(select(Snapshot).where(func.lower(Snapshot.label) == text.lower())).scalars().all()
    snap = next((s for s in found if s.label == text), found[0] if found else None)
    if snap is None and text.isascii() and text.isdigit() and len(text) <= 10 and int(text) < 2**31:  # a row id fits an INTEGER
        snap = session.get(Snapshot, int(text))
    if snap is None:
        raise NotFound(f"no snapshot labelled '{text}' (see `python -m ropa snapshot list`)")
    return snap


def content(snap: Snapshot) -> dict[str, Any]:
    """The register document a snapshot holds, whole (:func:`state_of` scopes it to the reader)."""
    return dict(json.loads(gzip.decompress(snap.content).decode("utf-8")))


# ---------------------------------------------------------------------------------------------
# The register as it was


@dataclass
class AsOf:
    """A state of the register: a snapshot, a past moment, or now; scoped to the reader."""

    label: str  # the snapshot's label, the moment in Oslo time, or "now"
    at: datetime  # UTC
    document: dict[str, Any]
    organisation_ids: dict[str, int]
    snapshot: Optional[Snapshot] = None
    gaps: list[timeline.Gap] = field(default_factory=list)

    def describe(self, lang: str = "en") -> str:
        """The state in words; in bokmål its moment as a Norwegian reads it (02.12.2026 23:59 CET), in
        English as ISO (scripts and the CLI read it)."""
        from ropa.audit import local_time

        when = local_time(self.at, "nb") if lang == "nb" else oslo(self.at)
        if self.snapshot is not None:
            return f"øyeblikksbildet «{self.label}» ({when})" if lang == "nb" else f"snapshot '{self.label}' ({when})"
        if self.label == NOW:
            return "registeret nå" if lang == "nb" else "the register now"
        return f"registeret per {when}" if lang == "nb" else f"the register as of {self.label}"

    @property
    def activities(self) -> int:
        return sum(len(o["activities"]) for o in self.document["organisations"])


def _scoped(state: AsOf, session: Session, orgs: Optional[list[str]], permission: str) -> AsOf:
    """Only the organisations the reader may read (matched by row id, so a renamed one still
    counts), narrowed to ``orgs`` (their names in that state) when given."""
    access.read_scope(None, permission)
    scope = access.readable_orgs()
    keep = state.document["organisations"]
    if scope is not None:
        # created by then: SQLite gives a new row the id of the last one deleted, and a deleted
        # organisation's past is not the new one's to read
        allowed = {
            o.id
            for o in session.execute(select(Organisation).where(Organisation.name.in_(sorted(scope)))).scalars()  # type: ignore[attr-defined]
            if timeline.to_utc(o.created_at) <= state.at
        }
        keep = [o for o in keep if state.organisation_ids.get(o["name"]) in allowed]
    if orgs:
        wanted = {n.casefold() for n in orgs}
        names = {o["name"].casefold() for o in keep}
        missing = [n for n in orgs if n.casefold() not in names]
        p = access.reader()
        # not this reader's (whether it was there then or not, which is not theirs to learn): refused, as export refuses it
        hidden = [n for n in missing if p is not None and p.scoped and not p.assigned(n)]
        if hidden and p is not None:
            raise PermissionDenied(user=p.name, role=p.role, permission=permission, organisation=hidden[0])
        if missing:
            raise NotFound(f"no organisation named '{missing[0]}' in {state.describe()}")
        keep = [o for o in keep if o["name"].casefold() in wanted]
    every = [o["name"] for o in state.document["organisations"]]
    state.document = {**state.document, "organisations": keep}
    names = {o["name"] for o in keep}

    def owner(record: str) -> Optional[str]:  # the longest name it starts with: "Foo A/S/1" is not "Foo A"'s
        return max((n for n in every if record == n or record.startswith(f"{n}/")), key=len, default=None)

    state.gaps = [g for g in state.gaps if owner(g.record) in names]
    return state


def state_of(session: Session, ref: Union[str, int, datetime, None] = None, *, orgs: Optional[list[str]] = None, permission: str = access.READ) -> AsOf:
    """The register at ``ref``: a snapshot (label or number), a moment (ISO text or datetime,
    see :func:`parse_moment`), or now (None or "now"). A label wins over a moment of the same text."""
    if ref is None or (isinstance(ref, str) and ref.strip().lower() == NOW):
        access.read_scope(orgs, permission)  # another organisation named: refused, as export refuses it
        document = interchange.export_document(session)  # only what the reader may read, already
        ids = {o.name: o.id for o in session.execute(select(Organisation)).scalars() if o.id is not None}
        return _scoped(AsOf(NOW, utcnow(), document, ids), session, orgs, permission)
    if isinstance(ref, datetime):
        moment: Optional[datetime] = timeline.to_utc(ref)
    else:
        try:
            snap = get(session, ref)
        except NotFound:
            moment = parse_moment(str(ref))
            if moment is None:
                raise NotFound(
                    f"no snapshot labelled '{ref}', and it is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM) (see `python -m ropa snapshot list`)"
                ) from None
        else:
            return _scoped(
                AsOf(snap.label, timeline.to_utc(snap.created_at), content(snap), dict(snap.organisation_ids), snapshot=snap), session, orgs, permission
            )
    assert moment is not None
    rebuilt = timeline.register_at(session, moment)
    return _scoped(AsOf(oslo(moment), moment, rebuilt.document, rebuilt.organisation_ids, gaps=rebuilt.gaps), session, orgs, permission)


# ---------------------------------------------------------------------------------------------
# What changed


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any

    def label(self, lang: str = "en") -> str:
        from ropa import fields

        if self.field in fields.ACTIVITY or self.field not in fields.ORGANISATION:
            return fields.label(self.field, lang)
        return fields.label(self.field, lang, fields.ORGANISATION)

    def text(self, value: Any, lang: str = "en", entity: str = "activity") -> str:
        """A value as the workbook shows it (labels, one item a line)."""
        from ropa import audit

        return audit.value_text(entity, self.field, None if value is None else json.dumps(value, ensure_ascii=False), lang)

    def summary(self, lang: str = "en", entity: str = "activity") -> str:
        """For a list of items (purposes, categories …): the items added (+) and removed (−), in
        words; empty for other fields, whose before and after say it."""
        old, new = self.old or [], self.new or []
        if not (isinstance(old, list) and isinstance(new, list) and all(isinstance(x, str) for x in [*old, *new])):
            return ""
        added = [self.text([x], lang, entity) for x in new if x not in old]
        removed = [self.text([x], lang, entity) for x in old if x not in new]
        return "; ".join([*(f"+ {x}" for x in added), *(f"− {x}" for x in removed)]) or ("ny rekkefølge" if lang == "nb" else "new order")


@dataclass
class RecordChange:
    """An activity (``ref`` set) or an organisation's own fields (``ref`` None) added, removed or changed."""

    organisation: str
    ref: Optional[str]
    name: str
    kind: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def entity(self) -> str:
        return "activity" if self.ref else "organisation"


@dataclass
class Diff:
    a: AsOf
    b: AsOf
    records: list[RecordChange]

    @property
    def added(self) -> list[RecordChange]:
        return [r for r in self.records if r.kind == "added" and r.ref]

    @property
    def removed(self) -> list[RecordChange]:
        return [r for r in self.records if r.kind == "removed" and r.ref]

    @property
    def changed(self) -> list[RecordChange]:
        return [r for r in self.records if r.kind == "changed" and r.ref]

    @property
    def organisations(self) -> list[RecordChange]:
        return [r for r in self.records if not r.ref]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": {"label": self.a.label, "at": self.a.at.isoformat()},
            "b": {"label": self.b.label, "at": self.b.at.isoformat()},
            "added": [_plain(r) for r in self.added],
            "removed": [_plain(r) for r in self.removed],
            "changed": [_plain(r) for r in self.changed],
            "organisations": [_plain(r) for r in self.organisations],
        }

    def lines(self, lang: str = "en") -> list[str]:
        """The differences as lines for a terminal or a text file, in ``lang``."""
        nb = lang == "nb"
        words = {"added": ("lagt til", "added"), "removed": ("fjernet", "removed"), "changed": ("endret", "changed")}
        out = [(f"Fra {self.a.describe('nb')} til {self.b.describe('nb')}:" if nb else f"From {self.a.describe()} to {self.b.describe()}:")]
        if not self.records:
            out.append("  ingen forskjeller" if nb else "  no differences")
        for r in self.records:
            what = f"{r.organisation} / {r.ref} {r.name}" if r.ref else f"{r.organisation} ({'virksomheten' if nb else 'the organisation'})"
            out.append(f"{words[r.kind][0 if nb else 1]}: {what}")
            for c in r.changes:
                summary = c.summary(lang, r.entity)
                if summary:
                    out.append(f"    {c.label(lang)}: {summary}")
                    continue
                old, new = c.text(c.old, lang, r.entity), c.text(c.new, lang, r.entity)
                out.append(f"    {c.label(lang)}: {_one_line(old) or '—'} → {_one_line(new) or '—'}")
        return out

    def rows(self, lang: str = "en") -> list[dict[str, str]]:
        """One row per change for a table: what, organisation, ref, name, field, change (items
        added/removed of a list), before, after (values as the workbook shows them); an added or
        removed record is one row."""
        words = {"added": ("lagt til", "added"), "removed": ("fjernet", "removed"), "changed": ("endret", "changed")}
        out = []
        for r in self.records:
            base = {"what": words[r.kind][0 if lang == "nb" else 1], "organisation": r.organisation, "ref": r.ref or "", "name": r.name if r.ref else ""}
            if not r.changes:
                out.append({**base, "field": "", "change": "", "before": "", "after": ""})
            for c in r.changes:
                out.append(
                    {
                        **base,
                        "field": c.label(lang),
                        "change": c.summary(lang, r.entity),
                        "before": c.text(c.old, lang, r.entity),
                        "after": c.text(c.new, lang, r.entity),
                    }
                )
        return out


def _one_line(text: str) -> str:
    return "; ".join(x for x in text.splitlines() if x)


def _plain(r: RecordChange) -> dict[str, Any]:
    return {"organisation": r.organisation, "ref": r.ref, "name": r.name, "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in r.changes]}


def _content(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the versions it was read at (bookkeeping, not content)."""
    out = {k: v for k, v in record.items() if k not in ("version", "activities", "recipients")}
    if "ref" in record:
        out["recipients"] = [{k: v for k, v in r.items() if k != "version"} for r in record.get("recipients") or []]
    return out


def compare(a: AsOf, b: AsOf) -> Diff:
    """Activities added, removed and changed (field by field) from ``a`` to ``b``, and the
    organisations' own changes. Organisations are matched by row id (a rename is a change)."""

    def keyed(state: AsOf) -> dict[Any, dict[str, Any]]:
        return {state.organisation_ids.get(o["name"], o["name"]): o for o in state.document["organisations"]}

    left, right = keyed(a), keyed(b)
    records: list[RecordChange] = []
    for key in sorted(set(left) | set(right), key=lambda k: (right.get(k) or left[k])["name"].casefold()):
        old, new = left.get(key), right.get(key)
        name = (new or old or {})["name"]
        if old is None or new is None:
            org = new or old
            assert org is not None
            kind = "added" if old is None else "removed"
            records.append(RecordChange(name, None, name, kind))
            records.extend(RecordChange(name, act["ref"], act["name"], kind) for act in org["activities"])
            continue
        own = _changes(_content(old), _content(new))
        if own:
            records.append(RecordChange(name, None, name, "changed", own))
        acts_a = {x["ref"]: x for x in old["activities"]}
        acts_b = {x["ref"]: x for x in new["activities"]}
        for ref in sorted(set(acts_a) | set(acts_b)):
            x, y = acts_a.get(ref), acts_b.get(ref)
            if x is None:
                assert y is not None
                records.append(RecordChange(name, ref, y["name"], "added"))
            elif y is None:
                records.append(RecordChange(name, ref, x["name"], "removed"))
            else:
                found = _changes(_content(x), _content(y))
                if found:
                    records.append(RecordChange(name, ref, y["name"], "changed", found))
    return Diff(a, b, records)


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    return [FieldChange(k, old.get(k), new.get(k)) for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]


def diff(session: Session, a: Union[str, int, datetime], b: Union[str, int, datetime, None] = None, *, orgs: Optional[list[str]] = None) -> Diff:
    """What changed from ``a`` to ``b`` (default: now), each a snapshot, a moment or now."""
    return compare(state_of(session, a, orgs=orgs), state_of(session, b, orgs=orgs))


# ---------------------------------------------------------------------------------------------
# Writing a past state


def write_workbook(session: Session, state: AsOf, target: Any, *, lang: str = "nb", orgs: Optional[list[str]] = None) -> Any:
    """The DPO's workbook of a past state (the live register's sheets, the state named on the
    cover); ``orgs``: the organisations the state was narrowed to, for the metadata sheet."""
    from ropa.excel.export import write_workbook as write

    return write(session, target, lang=lang, orgs=orgs, document=state.document, as_of=state.describe(lang))


def json_text(state: AsOf) -> str:
    """A past state in the JSON format, as ``export`` writes the register (each record with the
    version it had: importing the copy later cannot undo the saves made since)."""
    return interchange.dumps(state.document)

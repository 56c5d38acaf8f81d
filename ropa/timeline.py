"""The register as it was at a past moment, rebuilt from the audit trail.

Every write leaves events (:mod:`ropa.register`, :mod:`ropa.register.bulk`): a creation with the whole
record, one update per changed field with old and new values, a deletion with the whole
record. Replaying them in order (their ids) up to a moment gives each organisation,
recipient and activity as it stood then, with the version it had.

Two things the trail holds only indirectly are handled explicitly:

* an activity's recipients are shared rows, changed (and renamed) by their own events: the
  activity's trail says which recipients it used, the recipients' trail what they were at the
  moment asked for;
* a field added to the register after a record was created is absent from its creation
  event. It is shown with the format's default (what the migration gave existing rows) and
  reported as a :class:`Gap`, as is a record whose creation is not in the trail at all (left
  out, never guessed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Optional

from sqlalchemy import select
from sqlmodel import Session

from ropa.models import AuditEvent, Organisation
from ropa.schema import FORMAT_NAME, FORMAT_VERSION, ActivityDoc, Basis, Dpo, Representative, ScreeningAnswer, TransferDoc

ENTITIES = ("organisation", "recipient", "activity")
EV = AuditEvent.__table__  # type: ignore[attr-defined]


def _activity_template() -> dict[str, Any]:
    return ActivityDoc(ref="X", name="x").model_dump(mode="json")


_ORG_DEFAULTS: dict[str, Any] = {}


def organisation_defaults() -> dict[str, Any]:
    """An organisation's fields (:func:`ropa.records.organisation_record`, the register's
    ``organisation_dict``) with their defaults."""
    if not _ORG_DEFAULTS:
        from ropa.records import organisation_record

        _ORG_DEFAULTS.update(organisation_record(Organisation(name="x", establishments=[], public_fields=[])))
    return _ORG_DEFAULTS


ACTIVITY_DEFAULTS = _activity_template()
RECIPIENT_KEYS = ("name", "kind", "country", "agreement")
_BASIS, _TRANSFER, _ANSWER = tuple(Basis.model_fields), tuple(TransferDoc.model_fields), tuple(ScreeningAnswer.model_fields)


def _keys(d: Any, order: tuple[str, ...]) -> Any:
    return {k: d.get(k) for k in order} if isinstance(d, dict) else d


def ordered_activity(act: dict[str, Any]) -> dict[str, Any]:
    """An activity's keys in the export's order (the trail stores JSON with sorted keys), so a
    rebuilt register writes the same text as the export did."""
    out = {}
    for k, default in ACTIVITY_DEFAULTS.items():
        v = act.get(k, default)
        if k in ("legal_bases", "art9_conditions"):
            v = [_keys(b, _BASIS) for b in v or []]
        elif k == "transfers":
            v = [_keys(t, _TRANSFER) for t in v or []]
        elif k == "dpia" and isinstance(v, dict):
            v = {**_keys(v, tuple(default)), "screening": {c: _keys(a, _ANSWER) for c, a in (v.get("screening") or {}).items()}}
        elif isinstance(default, dict) and default:
            v = _keys(v, tuple(default))
        out[k] = v
    for k in act:
        if k not in out:
            out[k] = act[k]
    return out


def ordered_organisation(org: dict[str, Any]) -> dict[str, Any]:
    out = {k: org.get(k) for k in organisation_defaults()}
    if isinstance(out.get("dpo"), dict):
        out["dpo"] = _keys(out["dpo"], tuple(Dpo.model_fields))
    if isinstance(out.get("representative"), dict):
        out["representative"] = _keys(out["representative"], tuple(Representative.model_fields))
    return out


@dataclass(frozen=True)
class Gap:
    """Something the audit trail cannot rebuild: which record, which field (None: all of it), why."""

    record: str
    field: Optional[str]
    code: str  # not_in_trail | no_creation | organisation_unknown | recipient_unknown

    def message(self, lang: str = "en") -> str:
        nb = lang == "nb"
        if self.code == "not_in_trail":
            return (
                f"{self.record}: feltet «{self.field}» finnes ikke i revisjonssporet for denne tiden (feltet kom til senere); vist med standardverdien"
                if nb
                else f"{self.record}: the field '{self.field}' is not in the audit trail for that time (it was added to the "
                "register later); shown with its default"
            )
        if self.code == "organisation_unknown":
            return (
                f"{self.record}: organisasjonen posten hører til står ikke i revisjonssporet, så posten er utelatt"
                if nb
                else f"{self.record}: the organisation it belongs to is not in the audit trail, so it is left out"
            )
        if self.code == "no_creation":
            return (
                f"{self.record}: opprettelsen står ikke i revisjonssporet, så posten kan ikke gjenskapes og er utelatt"
                if nb
                else f"{self.record}: its creation is not in the audit trail, so it cannot be rebuilt and is left out"
            )
        return (
            f"{self.record}: mottakeren «{self.field}» finnes ikke i revisjonssporet; vist slik aktiviteten sist lagret den"
            if nb
            else f"{self.record}: the recipient '{self.field}' is not in the audit trail; shown as the activity last saved it"
        )

    def __str__(self) -> str:
        return self.message("en")


def summarise(gaps: list[Gap], lang: str = "en", limit: int = 20) -> list[str]:
    """The gaps as a few sentences: a field missing from many records' creation is said once
    with the count and an example; other gaps one by one, at most ``limit``."""
    nb = lang == "nb"
    out: list[str] = []
    fields: dict[str, list[Gap]] = {}
    others = []
    for g in gaps:
        if g.code == "not_in_trail" and g.field:
            fields.setdefault(g.field, []).append(g)
        else:
            others.append(g)
    for name, found in fields.items():
        if len(found) == 1:
            out.append(found[0].message(lang))
        else:
            out.append(
                f"feltet «{name}» finnes ikke i revisjonssporet for {len(found)} poster (f.eks. {found[0].record}; feltet kom "
                "til senere); vist med standardverdien"
                if nb
                else f"the field '{name}' is not in the audit trail for {len(found)} records (e.g. {found[0].record}; it was "
                "added to the register later); shown with its default"
            )
    out.extend(g.message(lang) for g in others[:limit])
    if len(others) > limit:
        out.append(f"… og {len(others) - limit} til" if nb else f"… and {len(others) - limit} more")
    return out


@dataclass(eq=False)
class _Life:
    """One record from its creation to its deletion (SQLite may reuse a deleted row's id)."""

    entity: str
    entity_id: int
    key: str
    state: dict[str, Any]
    version: int
    org: Optional[_Life] = None
    alive: bool = True
    recipients: dict[str, _Life] = field(default_factory=dict)  # an organisation's, by current name
    rec_refs: list[Optional[_Life]] = field(default_factory=list)  # an activity's recipients
    transfer_refs: list[Optional[_Life]] = field(default_factory=list)  # each transfer's recipient


def _decode(raw: Optional[str]) -> Any:
    return None if raw is None else json.loads(raw)


def to_utc(moment: datetime) -> datetime:
    """A moment in UTC, as the trail stores it (a naive moment is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Replay:
    """The trail replayed event by event; ``lives`` holds every record that has existed."""

    def __init__(self) -> None:
        self.lives: list[_Life] = []
        self.current: dict[tuple[str, int], _Life] = {}
        self.orgs: dict[str, _Life] = {}  # live organisations by their name at this point of the replay
        self.gaps: list[Gap] = []
        self._headless: set[tuple[str, int]] = set()
        self.last_event: Optional[int] = None
        self.last_at: Optional[datetime] = None

    # -- reading the trail

    def run(self, session: Session, *, until: Optional[datetime] = None, until_id: Optional[int] = None) -> Replay:
        stmt = select(EV).where(EV.c.entity.in_(ENTITIES))
        if until is not None:
            stmt = stmt.where(EV.c.at <= to_utc(until))
        if until_id is not None:
            stmt = stmt.where(EV.c.id <= until_id)
        for e in session.execute(stmt.order_by(EV.c.id).execution_options(yield_per=2000)):
            self.apply(e)
        return self

    def apply(self, e: Any) -> None:
        self.last_event, self.last_at = e.id, e.at
        ident = (e.entity, e.entity_id)
        if e.action == "create":
            self._create(e)
            return
        life = self.current.get(ident)
        if life is None or not life.alive:
            if ident not in self._headless and e.action in ("update", "delete"):
                self._headless.add(ident)
                self.gaps.append(Gap(e.entity_key, None, "no_creation"))
            return
        if e.action == "delete":
            self._delete(life)
        elif e.action == "update" and e.field in life.state:
            self._update(life, e.field, _decode(e.new_value), e.version, e.entity_key)

    def _create(self, e: Any) -> None:
        new = _decode(e.new_value) or {}
        said = len(self.gaps)
        if e.entity == "activity":
            org = self._org_of(e.entity_key, new.get("ref"))
            state = self._complete(new, ACTIVITY_DEFAULTS, e.entity_key)
        elif e.entity == "recipient":
            org = self._org_of(e.entity_key, new.get("name"))
            state = {k: new.get(k) for k in RECIPIENT_KEYS}
        else:
            org = None
            state = self._complete(new, organisation_defaults(), e.entity_key)
        if e.entity != "organisation" and org is None:  # left out: that is the one thing to say about it
            del self.gaps[said:]
            self.gaps.append(Gap(e.entity_key, None, "organisation_unknown"))
        life = _Life(e.entity, e.entity_id, e.entity_key, state, e.version, org=org)
        self._headless.discard((e.entity, e.entity_id))
        self.current[(e.entity, e.entity_id)] = life
        self.lives.append(life)
        if e.entity == "organisation":
            self.orgs[state["name"]] = life
        elif e.entity == "recipient" and org is not None:
            org.recipients[state["name"]] = life
        elif e.entity == "activity" and org is not None:
            self._link(life, "recipients")
            self._link(life, "transfers")

    def _update(self, life: _Life, key: str, value: Any, version: int, record: str) -> None:
        old: Any = life.state.get(key)
        life.state[key] = value
        life.version = version
        life.key = record
        if key == "name" and life.entity == "organisation":
            if self.orgs.get(old) is life:
                del self.orgs[old]
            self.orgs[value] = life
        elif key == "name" and life.entity == "recipient" and life.org is not None:
            if life.org.recipients.get(old) is life:
                del life.org.recipients[old]
            life.org.recipients[value] = life
        elif life.entity == "activity" and key in ("recipients", "transfers") and life.org is not None:
            self._link(life, key)

    def _delete(self, life: _Life) -> None:
        life.alive = False
        if life.entity == "organisation" and self.orgs.get(life.state["name"]) is life:
            del self.orgs[life.state["name"]]
        elif life.entity == "recipient" and life.org is not None and life.org.recipients.get(life.state["name"]) is life:
            del life.org.recipients[life.state["name"]]

    def _link(self, life: _Life, key: str) -> None:
        """Resolve the recipient names an activity's record holds now, while they are current."""
        pool = life.org.recipients if life.org is not None else {}
        if key == "recipients":
            life.rec_refs = [pool.get(r.get("name")) for r in life.state.get("recipients") or []]
            for r, ref in zip(life.state.get("recipients") or [], life.rec_refs):
                if ref is None:
                    self.gaps.append(Gap(life.key, r.get("name"), "recipient_unknown"))
        else:
            life.transfer_refs = [pool.get(t.get("recipient")) if t.get("recipient") else None for t in life.state.get("transfers") or []]

    def _org_of(self, key: str, own: Any) -> Optional[_Life]:
        """The live organisation a record's key (``Org name/ref``, ``Org name/recipient``) names, at
        this point of the replay: the key less the record's own ref or name (either may hold "/",
        and so may an organisation's name: "Foo A" with ref "S/1" and "Foo A/S" with ref "1" share
        a key). Without them, the longest known prefix."""
        if isinstance(own, str) and key.endswith(f"/{own}"):
            return self.orgs.get(key[: -len(own) - 1])
        best = None
        for i, ch in enumerate(key):
            if ch == "/" and key[:i] in self.orgs:
                best = self.orgs[key[:i]]
        return best

    def _complete(self, record: dict[str, Any], template: dict[str, Any], key: str) -> dict[str, Any]:
        """The record in the format's current shape; a field its event lacks gets the default, and a Gap."""
        out = {}
        for k, default in template.items():
            if k not in record:
                self.gaps.append(Gap(key, k, "not_in_trail"))
                out[k] = json.loads(json.dumps(default))
            elif isinstance(default, dict) and default and isinstance(record[k], dict):
                value = record[k]
                for sub in default:
                    if sub not in value:
                        self.gaps.append(Gap(key, f"{k}.{sub}", "not_in_trail"))
                out[k] = {sub: value.get(sub, sub_default) for sub, sub_default in default.items()}
            else:
                out[k] = record[k]
        return out

    # -- the result

    def activity(self, life: _Life, *, versions: bool = True) -> dict[str, Any]:
        """An activity as it stands in the replay, its recipients as they stand too (new dicts;
        lists of text are shared with the replay, which is not used after)."""
        act = ordered_activity(life.state)
        recs = []
        for r, ref in zip(act.get("recipients") or [], life.rec_refs):
            shown = {k: ref.state.get(k) for k in RECIPIENT_KEYS} if ref is not None and ref.alive else {k: r.get(k) for k in RECIPIENT_KEYS}
            if versions and ref is not None:
                shown["version"] = ref.version
            recs.append(shown)
        act["recipients"] = recs
        for t, ref in zip(act.get("transfers") or [], life.transfer_refs):
            if ref is not None and ref.alive:
                t["recipient"] = ref.state["name"]  # t is ordered_activity's own copy
        if versions:
            act["version"] = life.version
        return act

    def document(self) -> tuple[dict[str, Any], dict[str, int]]:
        """The register in the JSON format's shape (every record with its version), and each
        organisation's row id by its name then."""
        orgs = sorted((life for life in self.lives if life.entity == "organisation" and life.alive), key=lambda o: o.state["name"])
        by_org: dict[int, list[_Life]] = {}
        for life in self.lives:
            if life.entity == "activity" and life.alive and life.org is not None and life.org.alive:
                by_org.setdefault(id(life.org), []).append(life)
        out, ids = [], {}
        for org in orgs:
            acts = sorted(by_org.get(id(org), []), key=lambda a: a.state["ref"])
            used = {id(r) for a in acts for r in a.rec_refs if r is not None}
            unused = sorted((r for r in org.recipients.values() if r.alive and id(r) not in used), key=lambda r: r.state["name"])
            doc = ordered_organisation(org.state)
            doc["version"] = org.version
            doc["recipients"] = [{**{k: r.state.get(k) for k in RECIPIENT_KEYS}, "version": r.version} for r in unused]
            doc["activities"] = [self.activity(a) for a in acts]
            out.append(doc)
            ids[org.state["name"]] = org.entity_id
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "organisations": out}, ids


@dataclass
class Rebuilt:
    """The register as the trail rebuilds it at ``at``."""

    at: datetime
    document: dict[str, Any]
    organisation_ids: dict[str, int]
    gaps: list[Gap]
    last_event: Optional[int]


def register_at(session: Session, moment: datetime) -> Rebuilt:
    """The whole register as it was at ``moment`` (every organisation, unscoped: callers scope)."""
    replay = Replay().run(session, until=moment)
    document, ids = replay.document()
    return Rebuilt(to_utc(moment), document, ids, replay.gaps, replay.last_event)


# ---------------------------------------------------------------------------------------------
# One record through time


@dataclass
class Version:
    """One version of a record: its number, when and by whom it was written, and its content."""

    version: int
    at: datetime
    actor: str
    action: str  # create | update | delete
    record: dict[str, Any]
    event_id: int
    life: int  # 0 for the record's first life; a record deleted and created again starts a new one
    entity_id: int = 0


def _events_of(session: Session, entity: str, key: str) -> Iterator[Any]:
    """The events of every record that was ever keyed ``key`` (an activity renamed away keeps its id)."""
    ids = select(EV.c.entity_id).where(EV.c.entity == entity, EV.c.entity_key == key)
    stmt = select(EV).where(EV.c.entity == entity, EV.c.entity_id.in_(ids)).order_by(EV.c.id)
    return iter(session.execute(stmt))


def versions(session: Session, entity: str, key: str, *, org: Optional[str] = None) -> list[Version]:
    """Every version of the record(s) keyed ``key`` (``Org/REF`` for an activity), oldest first;
    a deletion is a version too (its record is the content deleted). An activity's recipients
    are shown as the activity's own events recorded them.

    With ``org``, only an activity that was ``key`` as that organisation's: a ref and an
    organisation's name may hold "/", so "Foo A/S/1" is activity "S/1" of "Foo A" or activity
    "1" of "Foo A/S" (the activity's own ref at that event tells which)."""
    out: list[Version] = []
    lives: dict[int, tuple[int, dict[str, Any]]] = {}
    keys: dict[int, set[str]] = {}  # each life's keys: SQLite reuses a deleted row's id for another record
    own = (lambda k, st: k == key and k == f"{org}/{st.get('ref')}") if org is not None else (lambda k, st: k == key)
    n = 0
    events = list(_events_of(session, entity, key))
    template = ACTIVITY_DEFAULTS if entity == "activity" else None
    replay = Replay()

    def copy(state: dict[str, Any]) -> dict[str, Any]:
        plain = json.loads(json.dumps(state))
        return ordered_activity(plain) if template is not None else plain

    for i, e in enumerate(events):
        if e.action == "create":
            state = _decode(e.new_value) or {}
            if template is not None:
                state = replay._complete(state, template, e.entity_key)
            life = n
            n += 1
            lives[e.entity_id] = (life, state)
            keys[life] = {e.entity_key} if own(e.entity_key, state) else set()
            out.append(Version(e.version, e.at, e.actor, "create", copy(state), e.id, life, e.entity_id))
            continue
        if e.entity_id not in lives:
            continue
        life, state = lives[e.entity_id]
        keys[life].update([e.entity_key] if own(e.entity_key, state) else [])
        if e.action == "delete":
            out.append(Version(e.version, e.at, e.actor, "delete", copy(state), e.id, life, e.entity_id))
            del lives[e.entity_id]
        elif e.action == "update" and e.field in state:
            state[e.field] = _decode(e.new_value)
            keys[life].update([e.entity_key] if own(e.entity_key, state) else [])  # a new ref: its key now
            nxt = events[i + 1] if i + 1 < len(events) else None
            same_save = nxt is not None and nxt.entity_id == e.entity_id and nxt.action == "update" and nxt.version == e.version and nxt.field in state
            if not same_save:  # one version per save, after its last field
                out.append(Version(e.version, e.at, e.actor, "update", copy(state), e.id, life, e.entity_id))
    return [v for v in out if key in keys[v.life]]


def record_at(session: Session, entity: str, key: str, *, version: Optional[int] = None, at: Optional[datetime] = None) -> Optional[dict[str, Any]]:
    """One record (``entity`` organisation, recipient or activity; ``key`` as the trail names it,
    e.g. ``Org/REF``) as it was at ``version`` or at the moment ``at``; None when it did not
    exist then (or, for a version, never had it). Its latest life wins when it was deleted and
    created again."""
    found = versions(session, entity, key)
    if version is not None:
        hits = [v for v in found if v.version == version and v.action != "delete"]
        return max(hits, key=lambda v: (v.life, v.event_id)).record if hits else None
    if at is None:
        raise ValueError("record_at needs a version or a moment")
    moment = to_utc(at)
    before = [v for v in found if to_utc(v.at) <= moment]
    if not before or before[-1].action == "delete":
        return None
    return before[-1].record

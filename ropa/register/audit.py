"""The audit trail: every write's events (who, when, which field from what to what), the
version check that refuses a stale save, and the reading of the trail back (history, as-of).

Events are written in the caller's transaction, with the change they record, and never updated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional, cast

from sqlalchemy import CursorResult, and_, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ropa import access
from ropa.errors import MESSAGE_LANG, Conflict, Problem, ValidationFailed
from ropa.models import (
    ActivityRecipient,
    AuditEvent,
    Organisation,
    ProcessingActivity,
)
from ropa.register.lookup import get_organisation


def event_value(value: Any) -> Optional[str]:
    """A value as an audit event stores it: JSON with sorted keys, so equal values read alike."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    key: str,
    version: int,
    source: Optional[str],
    field: Optional[str] = None,
    old: Any = None,
    new: Any = None,
) -> None:
    """Add one audit event (who, what, which record and version, the field's old and new value) to
    the session: it commits with the change it records, or not at all."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            entity_key=key,
            field=field,
            old_value=event_value(old),
            new_value=event_value(new),
            version=version,
            source=source,
        )
    )


def record_changes(
    session: Session,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    actor: str,
    entity: str,
    entity_id: int,
    key: str,
    version: int,
    source: Optional[str],
) -> list[str]:
    """One audit event per changed field; returns the names of the changed fields."""
    changed = [f for f in after if before.get(f) != after.get(f)]
    for f in changed:
        record_event(
            session,
            actor=actor,
            action="update",
            entity=entity,
            entity_id=entity_id,
            key=key,
            version=version,
            source=source,
            field=f,
            old=before.get(f),
            new=after.get(f),
        )
    return changed


@contextmanager
def unique_name(what: str, name: str, where: str = "name") -> Iterator[None]:
    """Turn the database's refusal of a duplicate name (its unique index on ``lower(name)``,
    the last word when two saves race past the checks) into a Problem naming the name."""
    try:
        yield
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower() and "duplicate" not in str(exc.orig).lower():
            raise
        raise ValidationFailed([Problem(where, "duplicate", f"{what} named '{name}' already exists (names are compared regardless of case)")]) from None


def bump_version(session: Session, table: Any, row_id: int, expected: int, *, entity: str, key: str) -> int:
    """Compare-and-set the version; raise Conflict (with the other saves) if someone was first."""
    result = cast(
        CursorResult[Any],
        session.execute(  # (an UPDATE's result: it has a row count)
            update(table).where(and_(table.id == row_id, table.version == expected)).values(version=expected + 1)
        ),
    )
    if result.rowcount != 1:
        current = session.execute(select(table.version).where(table.id == row_id)).scalar_one()
        raise Conflict(entity=entity, key=key, expected_version=expected, current_version=current, changes=changes_since(session, entity, row_id, expected))
    return expected + 1


def changes_since(session: Session, entity: str, entity_id: int, version: int) -> list[dict[str, Any]]:
    """The saves of a record after ``version`` (its audit events), oldest first."""
    return [
        {"actor": e.actor, "at": e.at, "field": e.field, "old": e.old_value, "new": e.new_value, "version": e.version}
        for e in session.execute(
            select(AuditEvent)
            .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id, col(AuditEvent.version) > version)
            .order_by(col(AuditEvent.id))
        ).scalars()
    ]


def as_of(session: Session, entity: str, entity_id: int, version: int, current: dict[str, Any]) -> dict[str, Any]:
    """A record (``current``, in its audit shape) as it was at ``version``: each field changed
    since then is wound back to the old value of its first later change."""
    state = dict(current)
    for e in reversed(changes_since(session, entity, entity_id, version)):
        if e["field"] in state:
            state[e["field"]] = None if e["old"] is None else json.loads(e["old"])
    return state


def stale_copy(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    key: str,
    seen: int,
    current_version: int,
    current: dict[str, Any],
    copy: dict[str, Any],
    comparable: Any = None,
) -> None:
    """A copy read at version ``seen`` of a record now at ``current_version``: return when the copy
    is what the register held then (untouched: the newer record is left alone), raise
    :class:`Conflict` when it was changed, since writing it would undo the saves in between."""
    same = comparable or (lambda d: d)
    if same(copy) == same(as_of(session, entity, entity_id, seen, current)):
        return
    raise Conflict(entity=entity, key=key, expected_version=seen, current_version=current_version, changes=changes_since(session, entity, entity_id, seen))


def conflict_problem(where: str, c: Conflict) -> Problem:
    """A :class:`Conflict` met by an import, as the Problem that rejects it (naming who changed what)."""
    nb = MESSAGE_LANG.get() == "nb"
    actors = ", ".join(sorted({str(x["actor"]) for x in c.changes if x.get("actor")}))
    who = actors or ("noen" if nb else "someone")
    fields = ", ".join(dict.fromkeys(str(x["field"]) for x in c.changes if x.get("field")))
    if nb:
        entity = {"activity": "behandlingsaktiviteten", "organisation": "virksomheten"}.get(c.entity, c.entity)
        message = (
            f"{entity} {c.key} ble endret i registeret etter at denne kopien ble eksportert (kopien: versjon "
            f"{c.expected_version}, registeret: versjon {c.current_version}, av {who}"
            + (f": {fields}" if fields else "")
            + "); å importere endringen din ville oppheve den endringen, så ingenting ble importert: eksporter på nytt og gjør endringen igjen"
        )
    else:
        message = (
            f"{c.entity} {c.key} was changed in the register since this copy was exported (copy: version "
            f"{c.expected_version}, register: version {c.current_version}, by {who}"
            + (f": {fields}" if fields else "")
            + "); importing your edit would undo that change, so nothing was imported: export again and redo the edit"
        )
    return Problem(where, "conflict", message)


def history(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """The audit trail of one record, oldest first."""
    stmt = select(AuditEvent).where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id)
    return list(session.execute(stmt.order_by(col(AuditEvent.id))).scalars())


def activity_history(session: Session, org: str, ref: str) -> list[AuditEvent]:
    """The audit trail of an activity (also after it was deleted), oldest first, with the
    changes (updates) of the shared recipients it uses: they change what the activity discloses."""
    o = get_organisation(session, org)
    access.read_scope([o.name])
    key = f"{o.name}/{ref}"
    from ropa import timeline  # (the key alone may be another organisation's: "Foo A" + "S/1" is "Foo A/S" + "1")

    ids = {v.entity_id for v in timeline.versions(session, "activity", key, org=o.name)}
    own = and_(col(AuditEvent.entity) == "activity", col(AuditEvent.entity_key) == key, col(AuditEvent.entity_id).in_(ids))
    used = (
        select(col(ActivityRecipient.recipient_id))
        .join(ProcessingActivity, col(ProcessingActivity.id) == col(ActivityRecipient.activity_id))
        .where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == ref)
    )
    recipients = and_(col(AuditEvent.entity) == "recipient", col(AuditEvent.action) == "update", col(AuditEvent.entity_id).in_(used))
    stmt = select(AuditEvent).where(or_(own, recipients))
    return list(session.execute(stmt.order_by(col(AuditEvent.id))).scalars())


def readable(value: Optional[str]) -> Optional[str]:
    """An audit value (stored as JSON) as a person reads it: text as is, lists one per line."""
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, str):
        return data
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return "\n".join(data)
    return json.dumps(data, ensure_ascii=False)


def recent_changes(session: Session, *, org: Optional[str] = None, limit: int = 200) -> list[AuditEvent]:
    """The newest audit events first, of one organisation's records (its own, its activities and
    recipients: their keys start with its name) or of the whole register."""
    stmt = select(AuditEvent)
    if org:
        name = get_organisation(session, org).name
        access.read_scope([name])
        stmt = stmt.where(keys_of(session, [name]))
    elif (scope := access.readable_orgs()) is not None:
        stmt = stmt.where(keys_of(session, sorted(scope)))
    return list(session.execute(stmt.order_by(col(AuditEvent.id).desc()).limit(limit)).scalars())


def keys_of(session: Session, names: list[str]) -> Any:
    """The audit keys of these organisations' records (their keys start with the name and "/"),
    less those of another organisation whose name extends one of them ("Foo A/S" for "Foo A"):
    its records are not theirs to read."""

    def under(n: str) -> Any:
        return or_(col(AuditEvent.entity_key) == n, col(AuditEvent.entity_key).startswith(f"{n}/", autoescape=True))

    folded = {n.casefold() for n in names}
    others = [m for m in session.execute(select(col(Organisation.name))).scalars() if m.casefold() not in folded and any(m.startswith(f"{n}/") for n in names)]
    # users and snapshots are keyed by their own names, which may read like an organisation's
    return and_(or_(false(), *(under(n) for n in names)), *(~under(m) for m in others), col(AuditEvent.entity).not_in(["user", "snapshot"]))

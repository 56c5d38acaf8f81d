"""Recipients: shared by an organisation's activities, so a change to one is made once and
versioned and audited of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa import access, records
from ropa.access import Principal, require
from ropa.errors import NotFound, Problem, ValidationFailed
from ropa.models import (
    ActivityRecipient,
    Organisation,
    ProcessingActivity,
    Recipient,
)
from ropa.register.audit import bump_version, record_changes, record_event, stale_copy, unique_name
from ropa.register.lookup import _doc_dict, _validate, get_organisation
from ropa.schema import (
    RecipientDoc,
)


def recipient_dict(rec: Recipient, *, version: bool = False) -> dict[str, Any]:
    """A recipient in the JSON format; ``version``: with the version it was read at (exports)."""
    return records.recipient_record(rec, version=version)


def list_recipients(session: Session, org: str) -> list[Recipient]:
    o = get_organisation(session, org)
    return list(session.execute(select(Recipient).where(col(Recipient.organisation_id) == o.id).order_by(col(Recipient.name))).scalars())


def get_recipient(session: Session, org: str, name: str) -> Recipient:
    o = get_organisation(session, org)
    rec = session.execute(select(Recipient).where(col(Recipient.organisation_id) == o.id, col(Recipient.name) == name)).scalar_one_or_none()
    if rec is None:
        raise NotFound(f"'{o.name}' has no recipient named '{name}'")
    return rec


def recipient_usage(session: Session, recipient_id: int) -> list[str]:
    """Refs of the activities that use a recipient."""
    stmt = (
        select(col(ProcessingActivity.ref))
        .join(ActivityRecipient, col(ActivityRecipient.activity_id) == col(ProcessingActivity.id))
        .where(col(ActivityRecipient.recipient_id) == recipient_id)
        .order_by(col(ProcessingActivity.ref))
    )
    return list(session.execute(stmt).scalars())


def recipients_in_use(session: Session, org: str) -> dict[str, list[str]]:
    """Each of the organisation's recipients (by name) with the refs of the activities that use
    it, in one query (the recipients page lists them all)."""
    o = get_organisation(session, org)
    stmt = (
        select(col(Recipient.name), col(ProcessingActivity.ref))
        .join(ActivityRecipient, col(ActivityRecipient.recipient_id) == col(Recipient.id))
        .join(ProcessingActivity, col(ProcessingActivity.id) == col(ActivityRecipient.activity_id))
        .where(col(Recipient.organisation_id) == o.id)
        .order_by(col(ProcessingActivity.ref))
    )
    out: dict[str, list[str]] = {}
    for name, ref in session.execute(stmt):
        out.setdefault(name, []).append(ref)
    return out


def may_delete_recipient(used_by: Sequence[str]) -> bool:
    """The in-use rule: a recipient an activity uses is kept (remove it from those activities first)."""
    return not used_by


def _apply_recipient(rec: Recipient, doc: RecipientDoc, *, name: bool) -> None:
    """Write a validated document onto a row (``name``: its name too, a rename)."""
    for column, value in records.recipient_columns(doc).items():
        if name or column != "name":
            setattr(rec, column, value)


def _upsert_recipient(
    session: Session,
    org: Organisation,
    doc: RecipientDoc,
    *,
    actor: str,
    source: Optional[str],
    cache: Optional[dict[str, Recipient]] = None,
) -> Recipient:
    """The organisation's recipient of that name, created or brought up to date (with audit)."""
    rec = cache.get(doc.name) if cache is not None else None
    if rec is None:
        rec = session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id, col(Recipient.name) == doc.name)).scalar_one_or_none()
    key = f"{org.name}/{doc.name}"
    if rec is None:
        assert org.id is not None
        _refuse_case_variant(session, org, [doc.name])
        rec = Recipient(organisation_id=org.id, **records.recipient_columns(doc))
        session.add(rec)
        with unique_name("a recipient", doc.name):
            session.flush()
        assert rec.id is not None
        record_event(
            session, actor=actor, action="create", entity="recipient", entity_id=rec.id, key=key, version=rec.version, source=source, new=recipient_dict(rec)
        )
    else:
        before = recipient_dict(rec)
        after = _doc_dict(doc)
        assert rec.id is not None
        if before != after and doc.version is not None and doc.version != rec.version:
            # An old copy of a shared recipient (an activity read, or a file exported, before
            # someone changed it): left alone when untouched, a Conflict when edited.
            stale_copy(session, entity="recipient", entity_id=rec.id, key=key, seen=doc.version, current_version=rec.version, current=before, copy=after)
        elif before != after:
            version = bump_version(session, Recipient, rec.id, rec.version, entity="recipient", key=key)
            _apply_recipient(rec, doc, name=False)
            rec.version = version
            record_changes(session, before, after, actor=actor, entity="recipient", entity_id=rec.id, key=key, version=version, source=source)
    if cache is not None:
        cache[doc.name] = rec
    return rec


def _refuse_case_variant(session: Session, org: Organisation, names: Sequence[str]) -> None:
    """Refuse new recipient names that differ only in case from one another or from one the
    organisation has (the database's unique index would refuse them less kindly)."""
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise ValidationFailed([Problem("recipients", "duplicate", f"recipients '{other}' and '{name}' differ only in case; use one spelling")])
    if not names:
        return
    lowered = list(seen)
    for i in range(0, len(lowered), 500):
        found = (
            session.execute(
                select(col(Recipient.name)).where(col(Recipient.organisation_id) == org.id, func.lower(col(Recipient.name)).in_(lowered[i : i + 500]))
            )
            .scalars()
            .first()
        )
        if found is not None and found not in names:
            raise ValidationFailed(
                [
                    Problem(
                        "recipients",
                        "duplicate",
                        f"'{org.name}' already has a recipient '{found}'; '{seen[found.lower()]}' differs only in case: use that spelling",
                    )
                ]
            )


def create_recipient(
    session: Session,
    org: str,
    data: Union[RecipientDoc, dict[str, Any]],
    *,
    actor: Union[str, Principal],
    source: Optional[str] = None,
) -> Recipient:
    actor = require(session, actor, access.EDIT_RECIPIENT, org)
    o = get_organisation(session, org)
    doc = _validate(RecipientDoc, data)
    if session.execute(select(col(Recipient.id)).where(col(Recipient.organisation_id) == o.id, func.lower(col(Recipient.name)) == doc.name.lower())).first():
        raise ValidationFailed([Problem("name", "duplicate", f"'{o.name}' already has a recipient named '{doc.name}' (names are compared regardless of case)")])
    return _upsert_recipient(session, o, doc, actor=actor, source=source)


def update_recipient(
    session: Session,
    org: str,
    name: str,
    data: Union[RecipientDoc, dict[str, Any]],
    *,
    expected_version: int,
    actor: Union[str, Principal],
    source: Optional[str] = None,
) -> Recipient:
    """Change a recipient everywhere it is used (it is shared by the organisation's activities);
    a save that changes nothing writes nothing and keeps the version."""
    actor = require(session, actor, access.EDIT_RECIPIENT, org)
    o = get_organisation(session, org)
    rec = get_recipient(session, o.name, name)
    doc = _validate(RecipientDoc, data)
    if (
        doc.name != rec.name
        and session.execute(
            select(col(Recipient.id)).where(
                col(Recipient.organisation_id) == o.id, col(Recipient.id) != rec.id, func.lower(col(Recipient.name)) == doc.name.lower()
            )
        ).first()
    ):
        raise ValidationFailed([Problem("name", "duplicate", f"'{o.name}' already has a recipient named '{doc.name}' (names are compared regardless of case)")])
    assert rec.id is not None
    before = recipient_dict(rec)
    if rec.version != expected_version:
        bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")  # raises Conflict
    if recipient_dict(Recipient(organisation_id=rec.organisation_id, **records.recipient_columns(doc))) == before:
        return rec  # nothing changed: nothing written, the version stays
    version = bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")
    _apply_recipient(rec, doc, name=True)
    rec.version = version
    record_changes(
        session, before, recipient_dict(rec), actor=actor, entity="recipient", entity_id=rec.id, key=f"{o.name}/{rec.name}", version=version, source=source
    )
    with unique_name("a recipient", doc.name):
        session.flush()
    return rec


def delete_recipient(
    session: Session,
    org: str,
    name: str,
    *,
    actor: Union[str, Principal],
    expected_version: Optional[int] = None,
    source: Optional[str] = None,
) -> None:
    """Delete a recipient that no activity uses; refuse (naming the activities) otherwise."""
    actor = require(session, actor, access.EDIT_RECIPIENT, org)
    o = get_organisation(session, org)
    rec = get_recipient(session, o.name, name)
    assert rec.id is not None
    used = recipient_usage(session, rec.id)
    if not may_delete_recipient(used):
        raise ValidationFailed([Problem("name", "in_use", f"recipient '{name}' is used by {', '.join(used)}; remove it there first")])
    if expected_version is not None:
        bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")
    record_event(
        session,
        actor=actor,
        action="delete",
        entity="recipient",
        entity_id=rec.id,
        key=f"{o.name}/{name}",
        version=rec.version,
        source=source,
        old=recipient_dict(rec),
    )
    session.delete(rec)
    session.flush()

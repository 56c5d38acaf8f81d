"""Processing activities: read (one, a filtered list, counts) and written (create, update with
its version check, retire, duplicate, delete), each write with its audit events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional, Union

from sqlalchemy import String, and_, exists, func, or_, select, true
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col

from ropa import access, records, vocab
from ropa.access import Principal, require
from ropa.errors import NotFound, Problem, ValidationFailed
from ropa.models import (
    ActivityBasis,
    ActivityRecipient,
    ActivityReview,
    Organisation,
    ProcessingActivity,
    Recipient,
    Transfer,
    utcnow,
)
from ropa.register.audit import bump_version, record_changes, record_event, stale_copy
from ropa.register.lookup import _doc_dict, _validate, get_organisation
from ropa.register.recipients import _upsert_recipient, recipient_dict
from ropa.schema import (
    ActivityDoc,
    RecipientDoc,
)
from ropa.validation import activity_problems


def validate_activity(data: Union[ActivityDoc, dict[str, Any]], where: str = "") -> ActivityDoc:
    """Validate an activity; raise :class:`ValidationFailed` with every problem found."""
    doc = _validate(ActivityDoc, data, where)
    problems = [p for p in activity_problems(doc, where) if p.severity == "error"]
    if problems:
        raise ValidationFailed(problems)
    return doc


def activity_dict(act: ProcessingActivity) -> dict[str, Any]:
    """An activity in the JSON format: what export writes and what the audit trail compares."""
    return records.activity_record(
        act,
        act.bases,
        [recipient_dict(link.recipient) for link in act.recipient_links if link.recipient],
        [records.transfer_record(t, t.recipient.name if t.recipient else None) for t in act.transfers],
    )


def activity_dict_from_doc(doc: ActivityDoc) -> dict[str, Any]:
    """A validated document in the same shape as :func:`activity_dict` of the row it becomes."""
    return _doc_dict(doc)


def _names_only(act: dict[str, Any]) -> dict[str, Any]:
    """An activity's content without its recipients' details (versioned, and conflicting, as
    recipients of their own)."""
    return {**act, "recipients": [r["name"] for r in act.get("recipients") or []]}


def stale_activity(session: Session, act: ProcessingActivity, doc: ActivityDoc) -> bool:
    """For a copy of ``act`` read at an older version (``doc.version``): True when the copy is
    untouched since (leave the newer record alone); :class:`Conflict` when it was edited. False
    when the copy is not stale (no version, or the current one)."""
    if doc.version is None or doc.version == act.version:
        return False
    assert act.id is not None and act.organisation is not None
    current = activity_dict(act)
    stale_copy(
        session,
        entity="activity",
        entity_id=act.id,
        key=f"{act.organisation.name}/{act.ref}",
        seen=doc.version,
        current_version=act.version,
        current=current,
        copy=_doc_dict(doc),
        comparable=_names_only,
    )
    return True


def _activity_query() -> Any:
    # (the ignores: SQLModel types a relationship as the value it holds, not as the attribute selectinload takes)
    return select(ProcessingActivity).options(
        selectinload(ProcessingActivity.bases),  # type: ignore[arg-type]
        selectinload(ProcessingActivity.recipient_links),  # type: ignore[arg-type]
        selectinload(ProcessingActivity.transfers),  # type: ignore[arg-type]
        selectinload(ProcessingActivity.organisation),  # type: ignore[arg-type]
    )


def get_activity(session: Session, org: str, ref: str) -> ProcessingActivity:
    o = get_organisation(session, org)
    act = session.execute(_activity_query().where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == ref)).scalar_one_or_none()
    if act is None:
        raise NotFound(f"'{o.name}' has no activity '{ref}'")
    return act


@dataclass
class ActivityFilter:
    """What the activities list can be narrowed by; every criterion is optional."""

    org: Optional[str] = None
    status: Optional[Sequence[str]] = None
    role: Optional[Sequence[str]] = None
    legal_basis: Optional[Sequence[str]] = None
    country: Optional[Sequence[str]] = None
    special_categories: Optional[bool] = None
    text: Optional[str] = None
    include_retired: bool = True
    transfer_outside_eea: Optional[bool] = None  # a transfer to a country outside the EEA (or of unknown place)
    review_due_by: Optional[date] = None  # next review on or before this day
    refs: Optional[Sequence[str]] = None


def _where(session: Session, f: ActivityFilter) -> list[Any]:
    A = ProcessingActivity
    cond: list[Any] = []
    scope = access.readable_orgs()  # an editor or viewer lists only the organisations assigned
    if scope is not None:
        cond.append(col(A.organisation_id).in_(select(col(Organisation.id)).where(col(Organisation.name).in_(sorted(scope)))))
    if f.org:
        o = get_organisation(session, f.org)
        access.read_scope([o.name])  # another organisation's activities: refused, not an empty list
        cond.append(col(A.organisation_id) == o.id)
    if f.status:
        cond.append(col(A.status).in_(list(f.status)))
    elif not f.include_retired:
        cond.append(col(A.status) != "retired")
    if f.role:
        cond.append(col(A.role).in_(list(f.role)))
    if f.legal_basis:
        cond.append(exists().where(col(ActivityBasis.activity_id) == col(A.id), col(ActivityBasis.code).in_(list(f.legal_basis))))
    if f.country:
        cond.append(exists().where(col(Transfer.activity_id) == col(A.id), col(Transfer.country).in_(list(f.country))))
    if f.special_categories is not None:
        has = sql_cast(col(A.special_categories), String) != "[]"
        cond.append(has if f.special_categories else ~has)
    if f.transfer_outside_eea is not None:
        outside = exists().where(
            col(Transfer.activity_id) == col(A.id), or_(col(Transfer.country).is_(None), col(Transfer.country).not_in(sorted(vocab.EEA_COUNTRIES)))
        )
        cond.append(outside if f.transfer_outside_eea else ~outside)
    if f.review_due_by is not None:
        cond.append(col(A.next_review) <= f.review_due_by)
    if f.refs:
        cond.append(col(A.ref).in_(list(f.refs)))
    if f.text:
        # autoescape: "%" and "_" in the search text are themselves, not LIKE wildcards.
        needle = f.text.strip().lower()
        cond.append(
            or_(
                func.lower(col(A.name)).contains(needle, autoescape=True),
                func.lower(col(A.ref)).contains(needle, autoescape=True),
                func.lower(func.coalesce(col(A.description), "")).contains(needle, autoescape=True),
                func.lower(sql_cast(col(A.purposes), String)).contains(needle, autoescape=True),
            )
        )
    return cond


def list_activities(
    session: Session,
    *,
    org: Optional[str] = None,
    include_retired: bool = True,
    filter: Optional[ActivityFilter] = None,
    limit: Optional[int] = None,
    offset: int = 0,
) -> list[ProcessingActivity]:
    """Activities matching the filter, ordered by organisation and ref, with their children loaded."""
    f = filter or ActivityFilter(org=org, include_retired=include_retired)
    stmt = (
        _activity_query()
        .join(Organisation, col(Organisation.id) == col(ProcessingActivity.organisation_id))
        .where(*_where(session, f))
        .order_by(col(Organisation.name), col(ProcessingActivity.ref))
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def count_activities(session: Session, filter: Optional[ActivityFilter] = None) -> int:
    f = filter or ActivityFilter()
    stmt = select(func.count()).select_from(ProcessingActivity).where(*_where(session, f))
    return int(session.execute(stmt).scalar_one())


def count_activities_each(session: Session, filters: dict[str, ActivityFilter]) -> dict[str, int]:
    """:func:`count_activities` for several filters in one pass over the activities (COUNT … FILTER):
    the overview's figures were a scan of the table each."""
    keys = list(filters)
    columns = [func.count().filter(and_(true(), *_where(session, filters[k]))) for k in keys]
    row = session.execute(select(*columns).select_from(ProcessingActivity)).one()
    return {k: int(n) for k, n in zip(keys, row)}


def _apply_activity(
    session: Session,
    act: ProcessingActivity,
    org: Organisation,
    doc: ActivityDoc,
    *,
    actor: str,
    source: Optional[str],
    recipient_cache: Optional[dict[str, Recipient]] = None,
) -> None:
    """Write a validated document onto a row, replacing its children."""
    for column, value in records.activity_columns(doc).items():
        setattr(act, column, value)

    # The children's activity_id (and a link's recipient_id) are set by their relationships at flush.
    act.bases = [
        ActivityBasis(position=i, code=code, note=note, documentation=documentation)  # type: ignore[call-arg]
        for i, code, note, documentation in records.basis_columns(doc)
    ]
    recipients = {rd.name: _upsert_recipient(session, org, rd, actor=actor, source=source, cache=recipient_cache) for rd in doc.recipients}
    act.recipient_links = [
        ActivityRecipient(recipient_id=rec.id, position=i, recipient=rec)  # type: ignore[call-arg,arg-type]
        for i, rec in enumerate(recipients.values())
    ]
    act.transfers = [
        Transfer(  # type: ignore[call-arg]
            position=i,
            recipient_id=recipients[t.recipient].id if t.recipient else None,
            recipient=recipients[t.recipient] if t.recipient else None,
            **records.transfer_columns(t),
        )
        for i, t in enumerate(doc.transfers)
    ]


def _settle_recipients(session: Session, org: Organisation, doc: ActivityDoc) -> ActivityDoc:
    """The document with each old but untouched copy of a shared recipient replaced by the
    register's newer one (so saving the activity does not undo it); :class:`Conflict` for an
    old copy that was edited."""
    old = {r.name: r for r in doc.recipients if r.version is not None}
    if not old:
        return doc
    current = {
        rec.name: rec
        for rec in session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id, col(Recipient.name).in_(list(old)))).scalars()
    }
    settled, changed = [], False
    for r in doc.recipients:
        rec = current.get(r.name)
        if rec is None or r.version is None or r.version == rec.version or recipient_dict(rec) == _doc_dict(r):
            settled.append(r)
            continue
        assert rec.id is not None
        stale_copy(
            session,
            entity="recipient",
            entity_id=rec.id,
            key=f"{org.name}/{rec.name}",
            seen=r.version,
            current_version=rec.version,
            current=recipient_dict(rec),
            copy=_doc_dict(r),
        )
        settled.append(RecipientDoc.model_validate({**recipient_dict(rec), "version": rec.version}))
        changed = True
    return doc.model_copy(update={"recipients": settled}) if changed else doc


def create_activity(
    session: Session,
    org: str,
    data: Union[ActivityDoc, dict[str, Any]],
    *,
    actor: Union[str, Principal],
    source: Optional[str] = None,
    recipient_cache: Optional[dict[str, Recipient]] = None,
) -> ProcessingActivity:
    """Add an activity to an organisation; the ref must be new within it."""
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    o = get_organisation(session, org)
    doc = validate_activity(data)
    if session.execute(
        select(col(ProcessingActivity.id)).where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == doc.ref)
    ).first():
        raise ValidationFailed([Problem("ref", "duplicate", f"'{o.name}' already has an activity '{doc.ref}'")])
    assert o.id is not None
    act = ProcessingActivity(organisation_id=o.id, ref=doc.ref, name=doc.name)
    act.organisation = o
    session.add(act)
    _apply_activity(session, act, o, doc, actor=actor, source=source, recipient_cache=recipient_cache)
    session.flush()
    assert act.id is not None
    record_event(
        session,
        actor=actor,
        action="create",
        entity="activity",
        entity_id=act.id,
        key=f"{o.name}/{act.ref}",
        version=act.version,
        source=source,
        new=activity_dict(act),
    )
    return act


def update_activity(
    session: Session,
    org: str,
    ref: str,
    data: Union[ActivityDoc, dict[str, Any]],
    *,
    expected_version: int,
    actor: Union[str, Principal],
    source: Optional[str] = None,
    recipient_cache: Optional[dict[str, Recipient]] = None,
) -> list[str]:
    """Save an edited activity if nobody saved it since ``expected_version``.

    Returns the fields that changed (empty when the document equals what is stored; then the
    version is not bumped). Raises :class:`Conflict` on a stale version, writing nothing.
    """
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    act = get_activity(session, org, ref)
    o = act.organisation
    assert o is not None and act.id is not None
    doc = validate_activity(data)
    if (
        doc.ref != act.ref
        and session.execute(
            select(col(ProcessingActivity.id)).where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == doc.ref)
        ).first()
    ):
        raise ValidationFailed([Problem("ref", "duplicate", f"'{o.name}' already has an activity '{doc.ref}'")])
    doc = _settle_recipients(session, o, doc)
    before = activity_dict(act)
    key = f"{o.name}/{act.ref}"
    if act.version != expected_version:
        bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    if before == _doc_dict(doc):
        return []
    version = bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    _apply_activity(session, act, o, doc, actor=actor, source=source, recipient_cache=recipient_cache)
    act.version = version
    act.updated_at = utcnow()
    session.flush()
    back_to_review(session, act, actor=actor, source=source)  # an approved activity goes back to review
    return record_changes(
        session, before, activity_dict(act), actor=actor, entity="activity", entity_id=act.id, key=f"{o.name}/{act.ref}", version=version, source=source
    )


def audit_review(session: Session, act: ProcessingActivity, *, actor: str, action: str, old: Any, new: Any, source: Optional[str]) -> None:
    """One audit event of an activity's review cycle (its ``review`` field), at the activity's version."""
    assert act.organisation is not None and act.id is not None
    record_event(
        session,
        actor=actor,
        action=action,
        entity="activity",
        entity_id=act.id,
        key=f"{act.organisation.name}/{act.ref}",
        version=act.version,
        source=source,
        field="review",
        old=old,
        new=new,
    )


def back_to_review(session: Session, act: ProcessingActivity, *, actor: str, source: Optional[str]) -> None:
    """An approved activity was edited: back to ``in_review`` (the approved record stays). The
    review cycle (:mod:`ropa.review`) builds on this module, so the step lives here, not there."""
    row = session.get(ActivityReview, act.id)
    if row is not None and row.state == "approved":
        audit_review(session, act, actor=actor, action="update", old="approved", new="in_review", source=source)
        row.state = "in_review"


def delete_activity(
    session: Session,
    org: str,
    ref: str,
    *,
    actor: Union[str, Principal],
    expected_version: Optional[int] = None,
    source: Optional[str] = None,
) -> None:
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    act = get_activity(session, org, ref)
    o = act.organisation
    assert o is not None and act.id is not None
    key = f"{o.name}/{act.ref}"
    if expected_version is not None:
        bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    record_event(
        session,
        actor=actor,
        action="delete",
        entity="activity",
        entity_id=act.id,
        key=key,
        version=act.version,
        source=source,
        old=activity_dict(act),
    )
    session.delete(act)
    session.flush()


def retire_activity(
    session: Session,
    org: str,
    ref: str,
    *,
    expected_version: int,
    actor: Union[str, Principal],
    source: Optional[str] = None,
) -> list[str]:
    """Mark an activity retired: it stays in the register (Art. 30 history) but no longer runs."""
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    data = activity_dict(get_activity(session, org, ref))
    data["status"] = "retired"
    return update_activity(session, org, ref, data, expected_version=expected_version, actor=actor, source=source)


def next_ref(session: Session, org: str, prefix: Optional[str] = None) -> str:
    """A free ref for a new activity: the organisation's usual prefix and the next number."""
    o = get_organisation(session, org)
    refs = list(session.execute(select(col(ProcessingActivity.ref)).where(col(ProcessingActivity.organisation_id) == o.id)).scalars())
    if prefix is None:
        prefixes = [r.rsplit("-", 1)[0] for r in refs if "-" in r]
        prefix = max(set(prefixes), key=prefixes.count) if prefixes else "".join(w[0] for w in o.name.split()[:3]).upper()
    n = 1
    taken = set(refs)
    while f"{prefix}-{n:02d}" in taken:
        n += 1
    return f"{prefix}-{n:02d}"


def duplicate_activity(
    session: Session,
    org: str,
    ref: str,
    *,
    actor: Union[str, Principal],
    new_ref: Optional[str] = None,
    source: Optional[str] = None,
) -> ProcessingActivity:
    """Copy an activity under a new ref, as a draft, for a similar processing."""
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    data = activity_dict(get_activity(session, org, ref))
    data["ref"] = new_ref or next_ref(session, org, ref.rsplit("-", 1)[0] if "-" in ref else None)
    data["status"] = "draft"
    return create_activity(session, org, data, actor=actor, source=source)

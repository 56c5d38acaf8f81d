"""Organisations: the controllers and processors in the register, their own fields (Art.
30(1)(a)), and the deletion of one with everything it holds, each record with its audit event.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa import access, records
from ropa.access import Principal, require
from ropa.errors import Problem, ValidationFailed
from ropa.models import (
    Organisation,
    ProcessingActivity,
    Recipient,
    Term,
    utcnow,
)
from ropa.register.activities import delete_activity, list_activities
from ropa.register.audit import bump_version, record_changes, record_event, stale_copy, unique_name
from ropa.register.lookup import _validate, find_organisation, get_organisation
from ropa.register.recipients import recipient_dict
from ropa.schema import (
    Dpo,
    OrganisationDoc,
    Representative,
)


def organisation_dict(org: Organisation) -> dict[str, Any]:
    """An organisation's own fields in the JSON format (without activities)."""
    return records.organisation_record(org)


def stale_organisation(session: Session, org: Organisation, wanted: dict[str, Any], seen: int) -> None:
    """An old copy of an organisation's own fields: return when untouched, :class:`Conflict` when edited."""
    assert org.id is not None
    stale_copy(
        session, entity="organisation", entity_id=org.id, key=org.name, seen=seen, current_version=org.version, current=organisation_dict(org), copy=wanted
    )


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation the current reader may read (:func:`ropa.access.reading_as`)."""
    stmt = select(Organisation).order_by(col(Organisation.name))
    scope = access.readable_orgs()
    if scope is not None:
        stmt = stmt.where(col(Organisation.name).in_(sorted(scope)))
    return list(session.execute(stmt).scalars())


def organisation_sizes(session: Session) -> dict[str, tuple[int, int]]:
    """Each readable organisation's number of activities (retired ones too) and recipients, in one query."""
    activities = select(func.count()).select_from(ProcessingActivity).where(col(ProcessingActivity.organisation_id) == col(Organisation.id)).scalar_subquery()
    recipients = select(func.count()).select_from(Recipient).where(col(Recipient.organisation_id) == col(Organisation.id)).scalar_subquery()
    stmt = select(col(Organisation.name), activities, recipients)
    scope = access.readable_orgs()
    if scope is not None:
        stmt = stmt.where(col(Organisation.name).in_(sorted(scope)))
    return {name: (int(n_acts), int(n_recs)) for name, n_acts, n_recs in session.execute(stmt)}


def _apply_org(org: Organisation, doc: OrganisationDoc) -> None:
    for f in records.ORG_FIELDS:
        setattr(org, f, getattr(doc, f))
    org.establishments = [c for c in dict.fromkeys(doc.establishments) if c]
    dpo = doc.dpo or Dpo()
    org.dpo_name, org.dpo_email, org.dpo_phone = dpo.name, dpo.email, dpo.phone
    rep = doc.representative or Representative()
    org.representative_name, org.representative_address = rep.name, rep.address
    org.representative_country, org.representative_email = rep.country, rep.email


def _org_input(data: Union[OrganisationDoc, dict[str, Any]]) -> OrganisationDoc:
    """The organisation's own fields, validated (its activities are not this function's business)."""
    if isinstance(data, OrganisationDoc):
        data = data.model_dump(exclude={"activities", "recipients"})
    else:
        data = {k: v for k, v in data.items() if k not in {"activities", "recipients"}}
    return _validate(OrganisationDoc, data)


def create_organisation(
    session: Session,
    data: Union[OrganisationDoc, dict[str, Any]],
    *,
    actor: Union[str, Principal],
    source: Optional[str] = None,
) -> Organisation:
    actor = require(session, actor, access.CREATE_ORGANISATION)
    doc = _org_input(data)
    if find_organisation(session, doc.name) is not None:
        raise ValidationFailed([Problem("name", "duplicate", f"an organisation named '{doc.name}' already exists")])
    org = Organisation(name=doc.name)
    _apply_org(org, doc)
    session.add(org)
    with unique_name("an organisation", doc.name):
        session.flush()
    assert org.id is not None
    record_event(
        session,
        actor=actor,
        action="create",
        entity="organisation",
        entity_id=org.id,
        key=org.name,
        version=org.version,
        source=source,
        new=organisation_dict(org),
    )
    return org


def update_organisation(
    session: Session,
    name: str,
    data: Union[OrganisationDoc, dict[str, Any]],
    *,
    expected_version: int,
    actor: Union[str, Principal],
    source: Optional[str] = None,
) -> Organisation:
    """Save an organisation's own fields if nobody saved it since ``expected_version``; a save
    that changes nothing writes nothing and keeps the version (the returned row's ``version``
    tells which)."""
    actor = require(session, actor, access.EDIT_ORGANISATION, name)
    org = get_organisation(session, name)
    doc = _org_input(data)
    if doc.name != org.name and find_organisation(session, doc.name) not in (None, org):
        raise ValidationFailed([Problem("name", "duplicate", f"an organisation named '{doc.name}' already exists")])
    before = organisation_dict(org)
    assert org.id is not None
    if org.version != expected_version:
        bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)  # raises Conflict
    wanted = Organisation(name=doc.name)
    _apply_org(wanted, doc)
    if organisation_dict(wanted) == before:
        return org  # nothing changed: nothing written, the version stays
    version = bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)
    _apply_org(org, doc)
    org.version = version
    org.updated_at = utcnow()
    record_changes(session, before, organisation_dict(org), actor=actor, entity="organisation", entity_id=org.id, key=org.name, version=version, source=source)
    with unique_name("an organisation", doc.name):
        session.flush()
    return org


def delete_organisation(
    session: Session,
    name: str,
    *,
    actor: Union[str, Principal],
    expected_version: Optional[int] = None,
    source: Optional[str] = None,
) -> None:
    """Delete an organisation with its activities (their transfers and legal bases are in each
    one's audit event), recipients and own vocabulary terms; each removed record gets its audit
    event, none goes by cascade unrecorded."""
    actor = require(session, actor, access.DELETE_ORGANISATION, name)
    org = get_organisation(session, name)
    assert org.id is not None
    if expected_version is not None:
        bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)
    for act in list_activities(session, org=org.name, include_retired=True):
        delete_activity(session, org.name, act.ref, actor=actor, source=source)
    for rec in session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id).order_by(col(Recipient.name))).scalars():
        assert rec.id is not None
        record_event(
            session,
            actor=actor,
            action="delete",
            entity="recipient",
            entity_id=rec.id,
            key=f"{org.name}/{rec.name}",
            version=rec.version,
            source=source,
            old=recipient_dict(rec),
        )
        session.delete(rec)
    for term in session.execute(select(Term).where(col(Term.organisation_id) == org.id).order_by(col(Term.kind), col(Term.key))).scalars():
        assert term.id is not None
        record_event(
            session,
            actor=actor,
            action="delete",
            entity="term",
            entity_id=term.id,
            key=f"{org.name}/{term.kind}:{term.key}",
            version=1,
            source=source,
            old={"kind": term.kind, "key": term.key, "label_en": term.label_en, "label_nb": term.label_nb},
        )
        session.delete(term)
    record_event(
        session,
        actor=actor,
        action="delete",
        entity="organisation",
        entity_id=org.id,
        key=org.name,
        version=org.version,
        source=source,
        old=organisation_dict(org),
    )
    session.delete(org)
    session.flush()

"""The register's operations: create, read, list, search, update, delete, each with its audit.

Every function takes the session as a keyword argument and only flushes: the caller owns the
transaction (``with db.transaction(engine) as s: ...``), so an import of a thousand rows and a
single save from the editor both commit all-or-nothing, together with their audit events.

Updates take the version the editor saw. The version is bumped with a conditional
``UPDATE ... WHERE version = :seen``; when another save got there first the row count is zero,
:class:`~ropa.errors.Conflict` is raised, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional, TypeVar, Union, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import CursorResult, String, and_, exists, false, func, or_, select, true, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col

from ropa import access, vocab
from ropa.access import Principal, require
from ropa.errors import Conflict, NotFound, Problem, ValidationFailed
from ropa.models import (
    ActivityBasis,
    ActivityRecipient,
    AuditEvent,
    Organisation,
    ProcessingActivity,
    Recipient,
    Term,
    Transfer,
    utcnow,
)
from ropa.schema import (
    transparency_dict,
    ActivityDoc,
    Dpo,
    OrganisationDoc,
    RecipientDoc,
    Representative,
    activity_problems,
    normalise_name,
    problems_from_validation,
)

M = TypeVar("M", bound=BaseModel)

ORG_FIELDS = ("name", "org_number", "country", "address", "email", "phone", "website", "supervisory_authority",
              "public_authority", "offers_to_eea", "monitors_eea", "occasional_processing", "fewer_than_250",
              "art30_5_assessment", "public_fields")


# ---------------------------------------------------------------------------------------------
# Validation


def _validate(model: type[M], data: Union[M, dict[str, Any]], where: str = "") -> M:
    if isinstance(data, model):
        data = _dump_with_versions(data)  # re-validate: a model built with model_construct is unchecked
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from_validation(exc, where)) from None


def _dump_with_versions(model: BaseModel) -> dict[str, Any]:
    """``model_dump()`` keeping the versions a copy was read at (left out of dumps otherwise)."""
    out = model.model_dump()

    def restore(m: Any, d: dict[str, Any]) -> None:
        if getattr(m, "version", None) is not None:
            d["version"] = m.version
        for key in ("recipients", "activities"):
            for sub, sub_d in zip(getattr(m, key, None) or [], d.get(key) or []):
                restore(sub, sub_d)

    restore(model, out)
    return out


def validate_activity(data: Union[ActivityDoc, dict[str, Any]], where: str = "") -> ActivityDoc:
    """Validate an activity; raise :class:`ValidationFailed` with every problem found."""
    doc = _validate(ActivityDoc, data, where)
    problems = [p for p in activity_problems(doc, where) if p.severity == "error"]
    if problems:
        raise ValidationFailed(problems)
    return doc


# ---------------------------------------------------------------------------------------------
# Rows -> documents (the JSON format's shape; also the audit trail's values)


def organisation_dict(org: Organisation) -> dict[str, Any]:
    """An organisation's own fields in the JSON format (without activities)."""
    dpo = {"name": org.dpo_name, "email": org.dpo_email, "phone": org.dpo_phone}
    rep = {
        "name": org.representative_name,
        "address": org.representative_address,
        "country": org.representative_country,
        "email": org.representative_email,
    }
    out: dict[str, Any] = {f: getattr(org, f) for f in ORG_FIELDS}
    out["establishments"] = list(org.establishments or [])
    out["dpo"] = dpo if any(dpo.values()) else None
    out["representative"] = rep if any(rep.values()) else None
    return out


def recipient_dict(rec: Recipient, *, version: bool = False) -> dict[str, Any]:
    """A recipient in the JSON format; ``version``: with the version it was read at (exports)."""
    out: dict[str, Any] = {"name": rec.name, "kind": rec.kind, "country": rec.country, "agreement": rec.agreement}
    if version:
        out["version"] = rec.version
    return out


def _basis(b: ActivityBasis) -> dict[str, Any]:
    return {"code": b.code, "note": b.note, "documentation": b.documentation}


def activity_dict(act: ProcessingActivity) -> dict[str, Any]:
    """An activity in the JSON format: what export writes and what the audit trail compares."""
    return {
        "ref": act.ref,
        "name": act.name,
        "description": act.description,
        "role": act.role,
        "controllers": list(act.controllers),
        "status": act.status,
        "owner": act.owner,
        "purposes": list(act.purposes),
        "legal_bases": [_basis(b) for b in act.bases if b.code.startswith("art6")],
        "special_categories": list(act.special_categories),
        "art9_conditions": [_basis(b) for b in act.bases if b.code.startswith("art9")],
        "criminal_data": bool(act.criminal_data),
        "criminal_data_basis": act.criminal_data_basis,
        "no_recipients": bool(act.no_recipients),
        "data_subjects": list(act.data_subjects),
        "data_categories": list(act.data_categories),
        "sources": list(act.sources),
        "recipients": [recipient_dict(link.recipient) for link in act.recipient_links if link.recipient],
        "transfers": [
            {
                "country": t.country,
                "international_organisation": t.international_organisation,
                "recipient": t.recipient.name if t.recipient else None,
                "mechanism": t.mechanism,
                "safeguard": t.safeguard,
                "tia_date": t.tia_date.isoformat() if t.tia_date else None,
                "frequency": t.frequency,
                "adequacy_scope_confirmed": bool(t.adequacy_scope_confirmed),
                "note": t.note,
            }
            for t in act.transfers
        ],
        "retention": {
            "period": act.retention_period,
            "unit": act.retention_unit,
            "trigger": act.retention_trigger,
            "action": act.retention_action,
            "text": act.retention_text,
        },
        "security_measures": list(act.security_measures),
        "systems": list(act.systems),
        "dpia": {"status": act.dpia_status, "ref": act.dpia_ref, "screening": dict(act.dpia_screening)},
        "last_review": act.last_review.isoformat() if act.last_review else None,
        "next_review": act.next_review.isoformat() if act.next_review else None,
        "transparency": transparency_dict(act.transparency),
    }


def _doc_dict(doc: BaseModel) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def activity_dict_from_doc(doc: ActivityDoc) -> dict[str, Any]:
    """A validated document in the same shape as :func:`activity_dict` of the row it becomes."""
    return _doc_dict(doc)


# ---------------------------------------------------------------------------------------------
# Audit


def _audit_value(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _audit(
    session: Session, *, actor: str, action: str, entity: str, entity_id: int, key: str,
    version: int, source: Optional[str], field: Optional[str] = None, old: Any = None, new: Any = None,
) -> None:
    session.add(AuditEvent(
        actor=actor, action=action, entity=entity, entity_id=entity_id, entity_key=key, field=field,
        old_value=_audit_value(old), new_value=_audit_value(new), version=version, source=source,
    ))


def _audit_changes(
    session: Session, before: dict[str, Any], after: dict[str, Any], *, actor: str, entity: str,
    entity_id: int, key: str, version: int, source: Optional[str],
) -> list[str]:
    """One audit event per changed field; returns the names of the changed fields."""
    changed = [f for f in after if before.get(f) != after.get(f)]
    for f in changed:
        _audit(session, actor=actor, action="update", entity=entity, entity_id=entity_id, key=key,
               version=version, source=source, field=f, old=before.get(f), new=after.get(f))
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
        raise ValidationFailed([Problem(where, "duplicate",
                                        f"{what} named '{name}' already exists (names are compared regardless of case)")]) from None


def _bump_version(session: Session, table: Any, row_id: int, expected: int, *, entity: str, key: str) -> int:
    """Compare-and-set the version; raise Conflict (with the other saves) if someone was first."""
    result = cast(CursorResult[Any], session.execute(  # (an UPDATE's result: it has a row count)
        update(table).where(and_(table.id == row_id, table.version == expected)).values(version=expected + 1)
    ))
    if result.rowcount != 1:
        current = session.execute(select(table.version).where(table.id == row_id)).scalar_one()
        raise Conflict(entity=entity, key=key, expected_version=expected, current_version=current,
                       changes=changes_since(session, entity, row_id, expected))
    return expected + 1


def changes_since(session: Session, entity: str, entity_id: int, version: int) -> list[dict[str, Any]]:
    """The saves of a record after ``version`` (its audit events), oldest first."""
    return [
        {"actor": e.actor, "at": e.at, "field": e.field, "old": e.old_value, "new": e.new_value, "version": e.version}
        for e in session.execute(
            select(AuditEvent).where(
                col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id, col(AuditEvent.version) > version
            ).order_by(col(AuditEvent.id))
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


def _stale_copy(
    session: Session, *, entity: str, entity_id: int, key: str, seen: int, current_version: int,
    current: dict[str, Any], copy: dict[str, Any], comparable: Any = None,
) -> None:
    """A copy read at version ``seen`` of a record now at ``current_version``: return when the copy
    is what the register held then (untouched: the newer record is left alone), raise
    :class:`Conflict` when it was changed, since writing it would undo the saves in between."""
    same = comparable or (lambda d: d)
    if same(copy) == same(as_of(session, entity, entity_id, seen, current)):
        return
    raise Conflict(entity=entity, key=key, expected_version=seen, current_version=current_version,
                   changes=changes_since(session, entity, entity_id, seen))


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
    _stale_copy(session, entity="activity", entity_id=act.id, key=f"{act.organisation.name}/{act.ref}", seen=doc.version,
                current_version=act.version, current=current, copy=_doc_dict(doc), comparable=_names_only)
    return True


def stale_organisation(session: Session, org: Organisation, wanted: dict[str, Any], seen: int) -> None:
    """An old copy of an organisation's own fields: return when untouched, :class:`Conflict` when edited."""
    assert org.id is not None
    _stale_copy(session, entity="organisation", entity_id=org.id, key=org.name, seen=seen, current_version=org.version,
                current=organisation_dict(org), copy=wanted)


def conflict_problem(where: str, c: Conflict) -> Problem:
    """A :class:`Conflict` met by an import, as the Problem that rejects it (naming who changed what)."""
    who = ", ".join(sorted({str(x["actor"]) for x in c.changes if x.get("actor")})) or "someone"
    fields = ", ".join(dict.fromkeys(str(x["field"]) for x in c.changes if x.get("field")))
    return Problem(where, "conflict", (
        f"{c.entity} {c.key} was changed in the register since this copy was exported (copy: version "
        f"{c.expected_version}, register: version {c.current_version}, by {who}" + (f": {fields}" if fields else "")
        + "); importing your edit would undo that change, so nothing was imported: export again and redo the edit"))


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
    used = (select(col(ActivityRecipient.recipient_id))
            .join(ProcessingActivity, col(ProcessingActivity.id) == col(ActivityRecipient.activity_id))
            .where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == ref))
    recipients = and_(col(AuditEvent.entity) == "recipient", col(AuditEvent.action) == "update",
                      col(AuditEvent.entity_id).in_(used))
    stmt = select(AuditEvent).where(or_(own, recipients))
    return list(session.execute(stmt.order_by(col(AuditEvent.id))).scalars())


# ---------------------------------------------------------------------------------------------
# Organisations


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
        stmt = stmt.where(_keys_of(session, [name]))
    elif (scope := access.readable_orgs()) is not None:
        stmt = stmt.where(_keys_of(session, sorted(scope)))
    return list(session.execute(stmt.order_by(col(AuditEvent.id).desc()).limit(limit)).scalars())


def _keys_of(session: Session, names: list[str]) -> Any:
    """The audit keys of these organisations' records (their keys start with the name and "/"),
    less those of another organisation whose name extends one of them ("Foo A/S" for "Foo A"):
    its records are not theirs to read."""
    def under(n: str) -> Any:
        return or_(col(AuditEvent.entity_key) == n, col(AuditEvent.entity_key).startswith(f"{n}/", autoescape=True))

    folded = {n.casefold() for n in names}
    others = [m for m in session.execute(select(col(Organisation.name))).scalars()
              if m.casefold() not in folded and any(m.startswith(f"{n}/") for n in names)]
    # users and snapshots are keyed by their own names, which may read like an organisation's
    return and_(or_(false(), *(under(n) for n in names)), *(~under(m) for m in others),
                col(AuditEvent.entity).not_in(["user", "snapshot"]))


def get_organisation(session: Session, name: str) -> Organisation:
    """By name (case-insensitive) or organisation number."""
    needle = normalise_name(name)
    # One query (an import asks for each of its organisations several times): the exact name wins.
    found = session.execute(select(Organisation).where(or_(
        col(Organisation.name) == needle, func.lower(col(Organisation.name)) == needle.lower(), col(Organisation.org_number) == needle,
    ))).scalars().all()
    org = next((o for o in found if o.name == needle), found[0] if found else None)
    if org is None:
        raise NotFound(f"no organisation named '{name}'")
    return org


def find_organisation(session: Session, name: str) -> Optional[Organisation]:
    try:
        return get_organisation(session, name)
    except NotFound:
        return None


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation the current reader may read (:func:`ropa.access.reading_as`)."""
    stmt = select(Organisation).order_by(col(Organisation.name))
    scope = access.readable_orgs()
    if scope is not None:
        stmt = stmt.where(col(Organisation.name).in_(sorted(scope)))
    return list(session.execute(stmt).scalars())


def organisation_sizes(session: Session) -> dict[str, tuple[int, int]]:
    """Each readable organisation's number of activities (retired ones too) and recipients, in one query."""
    activities = (select(func.count()).select_from(ProcessingActivity)
                  .where(col(ProcessingActivity.organisation_id) == col(Organisation.id)).scalar_subquery())
    recipients = (select(func.count()).select_from(Recipient)
                  .where(col(Recipient.organisation_id) == col(Organisation.id)).scalar_subquery())
    stmt = select(col(Organisation.name), activities, recipients)
    scope = access.readable_orgs()
    if scope is not None:
        stmt = stmt.where(col(Organisation.name).in_(sorted(scope)))
    return {name: (int(n_acts), int(n_recs)) for name, n_acts, n_recs in session.execute(stmt)}


def _apply_org(org: Organisation, doc: OrganisationDoc) -> None:
    for f in ORG_FIELDS:
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
    session: Session, data: Union[OrganisationDoc, dict[str, Any]], *, actor: Union[str, Principal],
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
    _audit(session, actor=actor, action="create", entity="organisation", entity_id=org.id, key=org.name,
           version=org.version, source=source, new=organisation_dict(org))
    return org


def update_organisation(
    session: Session, name: str, data: Union[OrganisationDoc, dict[str, Any]], *,
    expected_version: int, actor: Union[str, Principal], source: Optional[str] = None,
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
        _bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)  # raises Conflict
    wanted = Organisation(name=doc.name)
    _apply_org(wanted, doc)
    if organisation_dict(wanted) == before:
        return org  # nothing changed: nothing written, the version stays
    version = _bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)
    _apply_org(org, doc)
    org.version = version
    org.updated_at = utcnow()
    _audit_changes(session, before, organisation_dict(org), actor=actor, entity="organisation",
                   entity_id=org.id, key=org.name, version=version, source=source)
    with unique_name("an organisation", doc.name):
        session.flush()
    return org


def delete_organisation(
    session: Session, name: str, *, actor: Union[str, Principal], expected_version: Optional[int] = None,
    source: Optional[str] = None,
) -> None:
    """Delete an organisation with its activities (their transfers and legal bases are in each
    one's audit event), recipients and own vocabulary terms; each removed record gets its audit
    event, none goes by cascade unrecorded."""
    actor = require(session, actor, access.DELETE_ORGANISATION, name)
    org = get_organisation(session, name)
    assert org.id is not None
    if expected_version is not None:
        _bump_version(session, Organisation, org.id, expected_version, entity="organisation", key=org.name)
    for act in list_activities(session, org=org.name, include_retired=True):
        delete_activity(session, org.name, act.ref, actor=actor, source=source)
    for rec in session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id).order_by(col(Recipient.name))).scalars():
        assert rec.id is not None
        _audit(session, actor=actor, action="delete", entity="recipient", entity_id=rec.id, key=f"{org.name}/{rec.name}",
               version=rec.version, source=source, old=recipient_dict(rec))
        session.delete(rec)
    for term in session.execute(select(Term).where(col(Term.organisation_id) == org.id).order_by(col(Term.kind), col(Term.key))).scalars():
        assert term.id is not None
        _audit(session, actor=actor, action="delete", entity="term", entity_id=term.id, key=f"{org.name}/{term.kind}:{term.key}",
               version=1, source=source, old={"kind": term.kind, "key": term.key, "label_en": term.label_en, "label_nb": term.label_nb})
        session.delete(term)
    _audit(session, actor=actor, action="delete", entity="organisation", entity_id=org.id, key=org.name,
           version=org.version, source=source, old=organisation_dict(org))
    session.delete(org)
    session.flush()


# ---------------------------------------------------------------------------------------------
# Recipients


def list_recipients(session: Session, org: str) -> list[Recipient]:
    o = get_organisation(session, org)
    return list(session.execute(select(Recipient).where(col(Recipient.organisation_id) == o.id).order_by(col(Recipient.name))).scalars())


def get_recipient(session: Session, org: str, name: str) -> Recipient:
    o = get_organisation(session, org)
    rec = session.execute(
        select(Recipient).where(col(Recipient.organisation_id) == o.id, col(Recipient.name) == name)
    ).scalar_one_or_none()
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


def _upsert_recipient(
    session: Session, org: Organisation, doc: RecipientDoc, *, actor: str, source: Optional[str],
    cache: Optional[dict[str, Recipient]] = None,
) -> Recipient:
    """The organisation's recipient of that name, created or brought up to date (with audit)."""
    rec = cache.get(doc.name) if cache is not None else None
    if rec is None:
        rec = session.execute(
            select(Recipient).where(col(Recipient.organisation_id) == org.id, col(Recipient.name) == doc.name)
        ).scalar_one_or_none()
    key = f"{org.name}/{doc.name}"
    if rec is None:
        assert org.id is not None
        _refuse_case_variant(session, org, [doc.name])
        rec = Recipient(organisation_id=org.id, name=doc.name, kind=doc.kind or "other",
                        country=doc.country, agreement=doc.agreement)
        session.add(rec)
        with unique_name("a recipient", doc.name):
            session.flush()
        assert rec.id is not None
        _audit(session, actor=actor, action="create", entity="recipient", entity_id=rec.id, key=key,
               version=rec.version, source=source, new=recipient_dict(rec))
    else:
        before = recipient_dict(rec)
        after = _doc_dict(doc)
        assert rec.id is not None
        if before != after and doc.version is not None and doc.version != rec.version:
            # An old copy of a shared recipient (an activity read, or a file exported, before
            # someone changed it): left alone when untouched, a Conflict when edited.
            _stale_copy(session, entity="recipient", entity_id=rec.id, key=key, seen=doc.version,
                        current_version=rec.version, current=before, copy=after)
        elif before != after:
            version = _bump_version(session, Recipient, rec.id, rec.version, entity="recipient", key=key)
            rec.kind, rec.country, rec.agreement = doc.kind or "other", doc.country, doc.agreement
            rec.version = version
            _audit_changes(session, before, after, actor=actor, entity="recipient", entity_id=rec.id,
                           key=key, version=version, source=source)
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
            raise ValidationFailed([Problem("recipients", "duplicate", f"recipients '{other}' and '{name}' differ only in case; "
                                                                       "use one spelling")])
    if not names:
        return
    lowered = list(seen)
    for i in range(0, len(lowered), 500):
        found = session.execute(select(col(Recipient.name)).where(
            col(Recipient.organisation_id) == org.id, func.lower(col(Recipient.name)).in_(lowered[i:i + 500]))).scalars().first()
        if found is not None and found not in names:
            raise ValidationFailed([Problem("recipients", "duplicate", f"'{org.name}' already has a recipient '{found}'; "
                                            f"'{seen[found.lower()]}' differs only in case: use that spelling")])


def create_recipient(
    session: Session, org: str, data: Union[RecipientDoc, dict[str, Any]], *, actor: Union[str, Principal],
    source: Optional[str] = None,
) -> Recipient:
    actor = require(session, actor, access.EDIT_RECIPIENT, org)
    o = get_organisation(session, org)
    doc = _validate(RecipientDoc, data)
    if session.execute(select(col(Recipient.id)).where(col(Recipient.organisation_id) == o.id,
                                                  func.lower(col(Recipient.name)) == doc.name.lower())).first():
        raise ValidationFailed([Problem("name", "duplicate", f"'{o.name}' already has a recipient named '{doc.name}' "
                                                             "(names are compared regardless of case)")])
    return _upsert_recipient(session, o, doc, actor=actor, source=source)


def update_recipient(
    session: Session, org: str, name: str, data: Union[RecipientDoc, dict[str, Any]], *,
    expected_version: int, actor: Union[str, Principal], source: Optional[str] = None,
) -> Recipient:
    """Change a recipient everywhere it is used (it is shared by the organisation's activities);
    a save that changes nothing writes nothing and keeps the version."""
    actor = require(session, actor, access.EDIT_RECIPIENT, org)
    o = get_organisation(session, org)
    rec = get_recipient(session, o.name, name)
    doc = _validate(RecipientDoc, data)
    if doc.name != rec.name and session.execute(
        select(col(Recipient.id)).where(col(Recipient.organisation_id) == o.id, col(Recipient.id) != rec.id,
                                   func.lower(col(Recipient.name)) == doc.name.lower())
    ).first():
        raise ValidationFailed([Problem("name", "duplicate", f"'{o.name}' already has a recipient named '{doc.name}' "
                                                             "(names are compared regardless of case)")])
    assert rec.id is not None
    before = recipient_dict(rec)
    if rec.version != expected_version:
        _bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")  # raises Conflict
    if recipient_dict(Recipient(organisation_id=rec.organisation_id, name=doc.name, kind=doc.kind or "other", country=doc.country,
                                agreement=doc.agreement)) == before:
        return rec  # nothing changed: nothing written, the version stays
    version = _bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")
    rec.name, rec.kind, rec.country, rec.agreement = doc.name, doc.kind or "other", doc.country, doc.agreement
    rec.version = version
    _audit_changes(session, before, recipient_dict(rec), actor=actor, entity="recipient", entity_id=rec.id,
                   key=f"{o.name}/{rec.name}", version=version, source=source)
    with unique_name("a recipient", doc.name):
        session.flush()
    return rec


def delete_recipient(
    session: Session, org: str, name: str, *, actor: Union[str, Principal], expected_version: Optional[int] = None,
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
        _bump_version(session, Recipient, rec.id, expected_version, entity="recipient", key=f"{o.name}/{name}")
    _audit(session, actor=actor, action="delete", entity="recipient", entity_id=rec.id, key=f"{o.name}/{name}",
           version=rec.version, source=source, old=recipient_dict(rec))
    session.delete(rec)
    session.flush()


# ---------------------------------------------------------------------------------------------
# Activities


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
    act = session.execute(
        _activity_query().where(col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == ref)
    ).scalar_one_or_none()
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
        outside = exists().where(col(Transfer.activity_id) == col(A.id), or_(col(Transfer.country).is_(None),
                                                                   col(Transfer.country).not_in(sorted(vocab.EEA_COUNTRIES))))
        cond.append(outside if f.transfer_outside_eea else ~outside)
    if f.review_due_by is not None:
        cond.append(col(A.next_review) <= f.review_due_by)
    if f.refs:
        cond.append(col(A.ref).in_(list(f.refs)))
    if f.text:
        # autoescape: "%" and "_" in the search text are themselves, not LIKE wildcards.
        needle = f.text.strip().lower()
        cond.append(or_(
            func.lower(col(A.name)).contains(needle, autoescape=True),
            func.lower(col(A.ref)).contains(needle, autoescape=True),
            func.lower(func.coalesce(col(A.description), "")).contains(needle, autoescape=True),
            func.lower(sql_cast(col(A.purposes), String)).contains(needle, autoescape=True),
        ))
    return cond


def list_activities(
    session: Session, *, org: Optional[str] = None, include_retired: bool = True,
    filter: Optional[ActivityFilter] = None, limit: Optional[int] = None, offset: int = 0,
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
    session: Session, act: ProcessingActivity, org: Organisation, doc: ActivityDoc, *,
    actor: str, source: Optional[str], recipient_cache: Optional[dict[str, Recipient]] = None,
) -> None:
    """Write a validated document onto a row, replacing its children."""
    act.ref, act.name, act.description = doc.ref, doc.name, doc.description
    # (the document's lists are never None once validated; ``or []`` tells the type checker)
    act.role, act.controllers, act.status, act.owner = doc.role or "controller", doc.controllers or [], doc.status or "active", doc.owner
    act.purposes, act.special_categories = doc.purposes or [], doc.special_categories or []
    act.criminal_data, act.criminal_data_basis = doc.criminal_data, doc.criminal_data_basis
    act.no_recipients = doc.no_recipients
    act.data_subjects, act.data_categories, act.sources = doc.data_subjects or [], doc.data_categories or [], doc.sources or []
    act.security_measures, act.systems = doc.security_measures or [], doc.systems or []
    r = doc.retention
    act.retention_period, act.retention_unit, act.retention_trigger = r.period, r.unit, r.trigger
    act.retention_action, act.retention_text = r.action, r.text
    act.dpia_status, act.dpia_ref = doc.dpia.status or "not_assessed", doc.dpia.ref
    act.dpia_screening = {k: a.model_dump() for k, a in doc.dpia.screening.items()}
    act.last_review, act.next_review = doc.last_review, doc.next_review
    act.transparency = {k: v for k, v in doc.transparency.model_dump().items() if v is not None}

    # The children's activity_id (and a link's recipient_id) are set by their relationships at flush.
    act.bases = [ActivityBasis(position=i, code=b.code or "", note=b.note, documentation=b.documentation)  # type: ignore[call-arg]
                 for i, b in enumerate([*doc.legal_bases, *doc.art9_conditions])]
    recipients = {rd.name: _upsert_recipient(session, org, rd, actor=actor, source=source, cache=recipient_cache)
                  for rd in doc.recipients}
    act.recipient_links = [ActivityRecipient(recipient_id=rec.id, position=i, recipient=rec)  # type: ignore[call-arg,arg-type]
                           for i, rec in enumerate(recipients.values())]
    act.transfers = [
        Transfer(  # type: ignore[call-arg]
            position=i, country=t.country, international_organisation=t.international_organisation,
            recipient_id=recipients[t.recipient].id if t.recipient else None,
            recipient=recipients[t.recipient] if t.recipient else None,
            mechanism=t.mechanism or "unknown", safeguard=t.safeguard, tia_date=t.tia_date,
            frequency=t.frequency, adequacy_scope_confirmed=t.adequacy_scope_confirmed, note=t.note,
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
    current = {rec.name: rec for rec in session.execute(select(Recipient).where(
        col(Recipient.organisation_id) == org.id, col(Recipient.name).in_(list(old)))).scalars()}
    settled, changed = [], False
    for r in doc.recipients:
        rec = current.get(r.name)
        if rec is None or r.version is None or r.version == rec.version or recipient_dict(rec) == _doc_dict(r):
            settled.append(r)
            continue
        assert rec.id is not None
        _stale_copy(session, entity="recipient", entity_id=rec.id, key=f"{org.name}/{rec.name}", seen=r.version,
                    current_version=rec.version, current=recipient_dict(rec), copy=_doc_dict(r))
        settled.append(RecipientDoc.model_validate({**recipient_dict(rec), "version": rec.version}))
        changed = True
    return doc.model_copy(update={"recipients": settled}) if changed else doc


def create_activity(
    session: Session, org: str, data: Union[ActivityDoc, dict[str, Any]], *, actor: Union[str, Principal],
    source: Optional[str] = None, recipient_cache: Optional[dict[str, Recipient]] = None,
) -> ProcessingActivity:
    """Add an activity to an organisation; the ref must be new within it."""
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    o = get_organisation(session, org)
    doc = validate_activity(data)
    if session.execute(select(col(ProcessingActivity.id)).where(
        col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == doc.ref)).first():
        raise ValidationFailed([Problem("ref", "duplicate", f"'{o.name}' already has an activity '{doc.ref}'")])
    assert o.id is not None
    act = ProcessingActivity(organisation_id=o.id, ref=doc.ref, name=doc.name)
    act.organisation = o
    session.add(act)
    _apply_activity(session, act, o, doc, actor=actor, source=source, recipient_cache=recipient_cache)
    session.flush()
    assert act.id is not None
    _audit(session, actor=actor, action="create", entity="activity", entity_id=act.id, key=f"{o.name}/{act.ref}",
           version=act.version, source=source, new=activity_dict(act))
    return act


def update_activity(
    session: Session, org: str, ref: str, data: Union[ActivityDoc, dict[str, Any]], *,
    expected_version: int, actor: Union[str, Principal], source: Optional[str] = None,
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
    if doc.ref != act.ref and session.execute(select(col(ProcessingActivity.id)).where(
        col(ProcessingActivity.organisation_id) == o.id, col(ProcessingActivity.ref) == doc.ref)).first():
        raise ValidationFailed([Problem("ref", "duplicate", f"'{o.name}' already has an activity '{doc.ref}'")])
    doc = _settle_recipients(session, o, doc)
    before = activity_dict(act)
    key = f"{o.name}/{act.ref}"
    if act.version != expected_version:
        _bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    if before == _doc_dict(doc):
        return []
    version = _bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    _apply_activity(session, act, o, doc, actor=actor, source=source, recipient_cache=recipient_cache)
    act.version = version
    act.updated_at = utcnow()
    session.flush()
    from ropa import review  # (it builds on this module)

    review.changed(session, act, actor=actor, source=source)  # an approved activity goes back to review
    return _audit_changes(session, before, activity_dict(act), actor=actor, entity="activity", entity_id=act.id,
                          key=f"{o.name}/{act.ref}", version=version, source=source)


def delete_activity(
    session: Session, org: str, ref: str, *, actor: Union[str, Principal], expected_version: Optional[int] = None,
    source: Optional[str] = None,
) -> None:
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    act = get_activity(session, org, ref)
    o = act.organisation
    assert o is not None and act.id is not None
    key = f"{o.name}/{act.ref}"
    if expected_version is not None:
        _bump_version(session, ProcessingActivity, act.id, expected_version, entity="activity", key=key)
    _audit(session, actor=actor, action="delete", entity="activity", entity_id=act.id, key=key,
           version=act.version, source=source, old=activity_dict(act))
    session.delete(act)
    session.flush()


def retire_activity(
    session: Session, org: str, ref: str, *, expected_version: int, actor: Union[str, Principal],
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
    session: Session, org: str, ref: str, *, actor: Union[str, Principal], new_ref: Optional[str] = None,
    source: Optional[str] = None,
) -> ProcessingActivity:
    """Copy an activity under a new ref, as a draft, for a similar processing."""
    actor = require(session, actor, access.EDIT_ACTIVITY, org)
    data = activity_dict(get_activity(session, org, ref))
    data["ref"] = new_ref or next_ref(session, org, ref.rsplit("-", 1)[0] if "-" in ref else None)
    data["status"] = "draft"
    return create_activity(session, org, data, actor=actor, source=source)


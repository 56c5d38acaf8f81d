"""Read the register fast, activity by activity, in the JSON format's shape.

Exports and checks read every activity; building ORM objects for 100,000 activities and their
children would cost seconds and hundreds of MB. This reads with a few Core queries per batch
of activities and yields plain dicts equal to :func:`ropa.registry.activity_dict`, so memory
stays flat whatever the size of the register.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Optional

from sqlalchemy import String, Text, cast, exists, select, type_coerce
from sqlmodel import Session

from ropa.schema import transparency_dict
from ropa.models import ActivityBasis, ActivityRecipient, Organisation, ProcessingActivity, Recipient, Transfer, core_table

A = core_table(ProcessingActivity)
B = core_table(ActivityBasis)
L = core_table(ActivityRecipient)
R = core_table(Recipient)
T = core_table(Transfer)
ORG = core_table(Organisation)

_ACTIVITY_COLUMNS = [
    A.c.id, A.c.ref, A.c.name, A.c.description, A.c.role, A.c.controllers, A.c.status, A.c.owner, A.c.purposes,
    A.c.special_categories, A.c.criminal_data, A.c.criminal_data_basis, A.c.no_recipients, A.c.data_subjects, A.c.data_categories,
    A.c.sources, A.c.retention_period, A.c.retention_unit, A.c.retention_trigger, A.c.retention_action,
    A.c.retention_text, A.c.security_measures, A.c.systems, A.c.dpia_status, A.c.dpia_ref, A.c.dpia_screening,
    A.c.last_review, A.c.next_review, A.c.version, A.c.transparency,
]


def organisations(session: Session, names: Optional[Sequence[str]] = None) -> list[Any]:
    """Organisation rows (Core), by name; ``names`` narrows (unknown names raise NotFound)."""
    from ropa.registry import get_organisation

    from ropa import access

    stmt = select(ORG).order_by(ORG.c.name)
    names = access.read_scope(names)  # an editor or viewer reads only the organisations assigned
    if names:
        ids = [get_organisation(session, n).id for n in names]
        stmt = stmt.where(ORG.c.id.in_(ids))
    return list(session.execute(stmt))


def iter_activities(
    session: Session, organisation_ids: Optional[Sequence[int]] = None, batch_size: int = 2000, *, versions: bool = False,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(organisation_id, activity dict)`` for every activity, by organisation name then ref.

    ``versions``: each activity and each of its recipients also says the version it was read
    at (as the exports carry them, so an import of an old copy cannot undo newer saves)."""
    org_ids = list(organisation_ids) if organisation_ids is not None else [o.id for o in organisations(session)]
    for org_id in org_ids:
        rows = session.execute(select(*_ACTIVITY_COLUMNS).where(A.c.organisation_id == org_id).order_by(A.c.ref))
        while True:
            batch = rows.fetchmany(batch_size)
            if not batch:
                break
            for act in _build(session, batch, versions):
                yield org_id, act


def _build(session: Session, batch: Sequence[Any], versions: bool = False) -> list[dict[str, Any]]:
    ids = [r.id for r in batch]
    bases: dict[int, list[Any]] = defaultdict(list)
    for b in session.execute(select(B.c.activity_id, B.c.code, B.c.note, B.c.documentation)
                             .where(B.c.activity_id.in_(ids)).order_by(B.c.activity_id, B.c.position)):
        bases[b.activity_id].append(b)
    recipients: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in session.execute(select(L.c.activity_id, R.c.name, R.c.kind, R.c.country, R.c.agreement, R.c.version)
                             .join(R, R.c.id == L.c.recipient_id)
                             .where(L.c.activity_id.in_(ids)).order_by(L.c.activity_id, L.c.position)):
        rec = {"name": r.name, "kind": r.kind, "country": r.country, "agreement": r.agreement}
        if versions:
            rec["version"] = r.version
        recipients[r.activity_id].append(rec)
    transfers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in session.execute(select(T.c.activity_id, T.c.country, T.c.international_organisation, R.c.name.label("recipient"),
                                    T.c.mechanism, T.c.safeguard, T.c.tia_date, T.c.frequency,
                                    T.c.adequacy_scope_confirmed, T.c.note)
                             .outerjoin(R, R.c.id == T.c.recipient_id)
                             .where(T.c.activity_id.in_(ids)).order_by(T.c.activity_id, T.c.position)):
        transfers[t.activity_id].append({
            "country": t.country, "international_organisation": t.international_organisation, "recipient": t.recipient,
            "mechanism": t.mechanism, "safeguard": t.safeguard, "tia_date": t.tia_date.isoformat() if t.tia_date else None,
            "frequency": t.frequency, "adequacy_scope_confirmed": bool(t.adequacy_scope_confirmed), "note": t.note,
        })
    out = []
    for a in batch:
        own = bases.get(a.id, [])
        out.append({
            "ref": a.ref, "name": a.name, "description": a.description, "role": a.role,
            "controllers": list(a.controllers or []), "status": a.status, "owner": a.owner,
            "purposes": list(a.purposes or []),
            "legal_bases": [{"code": b.code, "note": b.note, "documentation": b.documentation} for b in own if b.code.startswith("art6")],
            "special_categories": list(a.special_categories or []),
            "art9_conditions": [{"code": b.code, "note": b.note, "documentation": b.documentation} for b in own if b.code.startswith("art9")],
            "criminal_data": bool(a.criminal_data), "criminal_data_basis": a.criminal_data_basis,
            "no_recipients": bool(a.no_recipients),
            "data_subjects": list(a.data_subjects or []), "data_categories": list(a.data_categories or []),
            "sources": list(a.sources or []), "recipients": recipients.get(a.id, []), "transfers": transfers.get(a.id, []),
            "retention": {"period": a.retention_period, "unit": a.retention_unit, "trigger": a.retention_trigger,
                          "action": a.retention_action, "text": a.retention_text},
            "security_measures": list(a.security_measures or []), "systems": list(a.systems or []),
            "dpia": {"status": a.dpia_status, "ref": a.dpia_ref, "screening": dict(a.dpia_screening or {})},
            "last_review": a.last_review.isoformat() if a.last_review else None,
            "next_review": a.next_review.isoformat() if a.next_review else None,
            "transparency": transparency_dict(a.transparency),
        })
        if versions:
            out[-1]["version"] = a.version
    return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch that allocates hundreds of thousands of
    small dicts and lists but makes no cycles: its repeated passes over them cost a third of a
    100,000-activity check run. Reference counting still frees everything as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def recipients(session: Session, organisation_id: int) -> list[Any]:
    """An organisation's recipients (Core rows: name, kind, country, agreement), by name."""
    return list(session.execute(select(R.c.name, R.c.kind, R.c.country, R.c.agreement)
                                .where(R.c.organisation_id == organisation_id).order_by(R.c.name)))


def _raw(value: Any) -> Any:
    """A JSON column read without its type's processing: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _fetch(session: Session, stmt: Any) -> Sequence[tuple[Any, ...]]:
    """Rows of a Core statement straight from the driver's cursor, skipping SQLAlchemy's row
    processing (half the time of a 100,000-activity check run). Only for statements whose
    parameters need no conversion and whose columns are read raw (see :func:`_raw`)."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})  # IN lists as plain parameters
    params: Any = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def iter_for_checks(session: Session, organisation_id: int, activity_ids: Optional[Sequence[int]] = None,
                    *, with_ids: bool = False) -> Iterator[Any]:
    """An organisation's activities in the shape :mod:`ropa.checks` reads, fast enough for
    100,000 activities in seconds.

    Same keys as :func:`iter_activities`, with two economies: fields the rules only test for
    emptiness (purposes, data subjects, recipients, security measures, controllers,
    description) hold ``True``/``False`` instead of their contents (the data subjects of a
    screened activity, which the DPO rule reads, and the recipients that have a country, which
    the transfer rule reads, come whole), and the columns the checks
    never read are left out, and so are retired activities, which the checks do not judge.
    JSON and dates arrive as the driver gives them (text on SQLite). ``activity_ids`` narrows
    to those activities (the ones a change touched, :mod:`ropa.findings`); ``with_ids`` yields
    ``(activity id, dict)`` pairs instead.
    """
    raw = lambda c: type_coerce(c, String)  # noqa: E731
    # Emptiness is asked of the database (lists and mappings are stored compact: "[]", "{}").
    filled = lambda c, empty="[]": cast(c, Text) != empty  # noqa: E731
    has_recipient = exists().where(L.c.activity_id == A.c.id)
    active = (A.c.organisation_id == organisation_id) & (A.c.status != "retired")
    if activity_ids is not None:
        active = active & A.c.id.in_(list(activity_ids))
    rows = _fetch(session, select(
        A.c.id, A.c.ref, A.c.role, A.c.status, filled(A.c.controllers), A.c.description, filled(A.c.purposes),
        filled(A.c.data_subjects), raw(A.c.data_subjects), raw(A.c.data_categories), filled(A.c.special_categories), raw(A.c.special_categories),
        A.c.criminal_data, A.c.criminal_data_basis, A.c.no_recipients, A.c.retention_period, A.c.retention_text, A.c.retention_trigger,
        filled(A.c.security_measures),
        A.c.dpia_status, filled(A.c.dpia_screening, "{}"), raw(A.c.dpia_screening), raw(A.c.last_review),
        raw(A.c.next_review), has_recipient,
    ).where(active).order_by(A.c.ref))
    bases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for aid, code, documented in _fetch(session,
            select(B.c.activity_id, B.c.code, B.c.documentation.isnot(None)).join(A, A.c.id == B.c.activity_id)
            .where(active).order_by(B.c.activity_id, B.c.position)):
        bases[aid].append({"code": code, "documentation": bool(documented)})
    # Recipients with a country, for the rule on recipients in third countries without a
    # recorded transfer; an activity whose recipients have no country keeps the True/False.
    located: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for aid, name, kind, country in _fetch(session,
            select(L.c.activity_id, R.c.name, R.c.kind, R.c.country).join(R, R.c.id == L.c.recipient_id)
            .join(A, A.c.id == L.c.activity_id).where(active & R.c.country.isnot(None))
            .order_by(L.c.activity_id, L.c.position)):
        located[aid].append({"name": name, "kind": kind, "country": country})
    transfers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in _fetch(session,
            select(T.c.activity_id, T.c.country, T.c.international_organisation, T.c.mechanism, raw(T.c.tia_date),
                   T.c.frequency, T.c.adequacy_scope_confirmed, R.c.name, R.c.kind).join(A, A.c.id == T.c.activity_id)
            .outerjoin(R, R.c.id == T.c.recipient_id)
            .where(active).order_by(T.c.activity_id, T.c.position)):
        transfers[t[0]].append({"country": t[1], "international_organisation": t[2], "mechanism": t[3], "tia_date": t[4],
                                "frequency": t[5], "adequacy_scope_confirmed": bool(t[6]),
                                "recipient": t[7], "recipient_kind": t[8]})
    for (aid, ref, role, status, controllers, description, purposes, subjects, subject_list, categories, has_special, special, criminal,
         criminal_basis, no_recipients, period, retention_text, retention_trigger, security, dpia_status, has_screening, screening, last, nxt, has_rec) in rows:
        own = bases.get(aid)
        act = {
            "ref": ref, "role": role, "status": status, "controllers": bool(controllers), "description": bool(description),
            "purposes": bool(purposes), "data_subjects": (_raw(subject_list) or []) if has_screening else bool(subjects), "data_categories": _raw(categories) or [],
            "special_categories": _raw(special) if has_special else [], "criminal_data": bool(criminal),
            "criminal_data_basis": criminal_basis, "recipients": located.get(aid) or bool(has_rec), "no_recipients": bool(no_recipients), "security_measures": bool(security),
            "legal_bases": [b for b in own if b["code"].startswith("art6")] if own else [],
            "art9_conditions": [b for b in own if b["code"].startswith("art9")] if own else [],
            "transfers": transfers.get(aid, []),
            "retention": {"period": period, "text": retention_text, "trigger": retention_trigger},
            "dpia": {"status": dpia_status, "screening": _raw(screening) if has_screening else {}},
            "last_review": last, "next_review": nxt,
        }
        yield (aid, act) if with_ids else act

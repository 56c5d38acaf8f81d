"""Read the register fast, activity by activity, in the JSON format's shape.

Exports and checks read every activity; building ORM objects for 100,000 activities and their
children would cost seconds and hundreds of MB. This reads with a few Core queries per batch
of activities and yields plain dicts equal to :func:`ropa.register.activities.activity_dict`
(one mapping for both: :mod:`ropa.records`), so memory
stays flat whatever the size of the register.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Optional

from sqlalchemy import String, Text, cast, exists, func, or_, select, type_coerce
from sqlmodel import Session, col

from ropa import access, records, vocab
from ropa.models import ActivityBasis, ActivityRecipient, Organisation, ProcessingActivity, Recipient, Term, Transfer, core_table
from ropa.register.lookup import get_organisation

A = core_table(ProcessingActivity)
B = core_table(ActivityBasis)
L = core_table(ActivityRecipient)
R = core_table(Recipient)
T = core_table(Transfer)
ORG = core_table(Organisation)

_ACTIVITY_COLUMNS = [A.c.id, *(A.c[name] for name in records.ACTIVITY_COLUMNS), A.c.version]


def organisations(session: Session, names: Optional[Sequence[str]] = None) -> list[Any]:
    """Organisation rows (Core), by name; ``names`` narrows (unknown names raise NotFound)."""
    stmt = select(ORG).order_by(ORG.c.name)
    names = access.read_scope(names)  # an editor or viewer reads only the organisations assigned
    if names:
        ids = [get_organisation(session, n).id for n in names]
        stmt = stmt.where(ORG.c.id.in_(ids))
    return list(session.execute(stmt))


def iter_activities(
    session: Session,
    organisation_ids: Optional[Sequence[int]] = None,
    batch_size: int = 2000,
    *,
    versions: bool = False,
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
    for b in session.execute(
        select(B.c.activity_id, B.c.code, B.c.note, B.c.documentation).where(B.c.activity_id.in_(ids)).order_by(B.c.activity_id, B.c.position)
    ):
        bases[b.activity_id].append(b)
    recipients: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in session.execute(
        select(L.c.activity_id, R.c.name, R.c.kind, R.c.country, R.c.agreement, R.c.version)
        .join(R, R.c.id == L.c.recipient_id)
        .where(L.c.activity_id.in_(ids))
        .order_by(L.c.activity_id, L.c.position)
    ):
        recipients[r.activity_id].append(records.recipient_record(r, version=versions))
    transfers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in session.execute(
        select(
            T.c.activity_id,
            T.c.country,
            T.c.international_organisation,
            R.c.name.label("recipient"),
            T.c.mechanism,
            T.c.safeguard,
            T.c.tia_date,
            T.c.frequency,
            T.c.adequacy_scope_confirmed,
            T.c.note,
        )
        .outerjoin(R, R.c.id == T.c.recipient_id)
        .where(T.c.activity_id.in_(ids))
        .order_by(T.c.activity_id, T.c.position)
    ):
        transfers[t.activity_id].append(records.transfer_record(t, t.recipient))
    out = []
    for a in batch:
        out.append(records.activity_record(a, bases.get(a.id, []), recipients.get(a.id, []), transfers.get(a.id, [])))
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
    return list(session.execute(select(R.c.name, R.c.kind, R.c.country, R.c.agreement).where(R.c.organisation_id == organisation_id).order_by(R.c.name)))


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


def iter_for_checks(session: Session, organisation_id: int, activity_ids: Optional[Sequence[int]] = None, *, with_ids: bool = False) -> Iterator[Any]:
    """An organisation's activities in the shape :mod:`ropa.checks` reads, fast enough for
    100,000 activities in seconds.

    Same keys as :func:`iter_activities`, with two economies: fields the rules only test for
    emptiness (purposes, recipients, security measures, controllers, description) hold
    ``True``/``False`` instead of their contents (the recipients that have a country, which the
    transfer rule reads, come whole, and so do the data subjects, which the DPIA screening and the
    Art. 8 rule on children read), and the columns the checks
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
    rows = _fetch(
        session,
        select(
            A.c.id,
            A.c.ref,
            A.c.role,
            A.c.status,
            filled(A.c.controllers),
            A.c.description,
            filled(A.c.purposes),
            filled(A.c.data_subjects),
            raw(A.c.data_subjects),
            raw(A.c.data_categories),
            filled(A.c.special_categories),
            raw(A.c.special_categories),
            A.c.criminal_data,
            A.c.criminal_data_basis,
            A.c.no_recipients,
            A.c.retention_period,
            A.c.retention_text,
            A.c.retention_trigger,
            filled(A.c.security_measures),
            A.c.dpia_status,
            filled(A.c.dpia_screening, "{}"),
            raw(A.c.dpia_screening),
            raw(A.c.last_review),
            raw(A.c.next_review),
            has_recipient,
        )
        .where(active)
        .order_by(A.c.ref),
    )
    bases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # The note and documentation as written: the rules read what they say (a law named, Art. 6(3) and
    # 9(2); "ikke oppgitt" is none), not only whether something was written.
    for aid, code, note, documentation in _fetch(
        session,
        select(B.c.activity_id, B.c.code, B.c.note, B.c.documentation).join(A, A.c.id == B.c.activity_id).where(active).order_by(B.c.activity_id, B.c.position),
    ):
        bases[aid].append({"code": code, "note": note, "documentation": documentation})
    # Recipients with a country, for the rule on recipients in third countries without a
    # recorded transfer; an activity whose recipients have no country keeps the True/False.
    located: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for aid, name, kind, country in _fetch(
        session,
        select(L.c.activity_id, R.c.name, R.c.kind, R.c.country)
        .join(R, R.c.id == L.c.recipient_id)
        .join(A, A.c.id == L.c.activity_id)
        .where(active & R.c.country.isnot(None))
        .order_by(L.c.activity_id, L.c.position),
    ):
        located[aid].append({"name": name, "kind": kind, "country": country})
    transfers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in _fetch(
        session,
        select(
            T.c.activity_id,
            T.c.country,
            T.c.international_organisation,
            T.c.mechanism,
            raw(T.c.tia_date),
            T.c.frequency,
            T.c.adequacy_scope_confirmed,
            R.c.name,
            R.c.kind,
        )
        .join(A, A.c.id == T.c.activity_id)
        .outerjoin(R, R.c.id == T.c.recipient_id)
        .where(active)
        .order_by(T.c.activity_id, T.c.position),
    ):
        transfers[t[0]].append(
            {
                "country": t[1],
                "international_organisation": t[2],
                "mechanism": t[3],
                "tia_date": t[4],
                "frequency": t[5],
                "adequacy_scope_confirmed": bool(t[6]),
                "recipient": t[7],
                "recipient_kind": t[8],
            }
        )
    for (
        aid,
        ref,
        role,
        status,
        controllers,
        description,
        purposes,
        subjects,
        subject_list,
        categories,
        has_special,
        special,
        criminal,
        criminal_basis,
        no_recipients,
        period,
        retention_text,
        retention_trigger,
        security,
        dpia_status,
        has_screening,
        screening,
        last,
        nxt,
        has_rec,
    ) in rows:
        own = bases.get(aid)
        act = {
            "ref": ref,
            "role": role,
            "status": status,
            "controllers": bool(controllers),
            "description": bool(description),
            "purposes": bool(purposes),
            "data_subjects": (_raw(subject_list) or []) if subjects else [],  # read by the DPIA screening and Art. 8 (children)
            "data_categories": _raw(categories) or [],
            "special_categories": _raw(special) if has_special else [],
            "criminal_data": bool(criminal),
            "criminal_data_basis": criminal_basis,
            "recipients": located.get(aid) or bool(has_rec),
            "no_recipients": bool(no_recipients),
            "security_measures": bool(security),
            "legal_bases": [b for b in own if b["code"].startswith("art6")] if own else [],
            "art9_conditions": [b for b in own if b["code"].startswith("art9")] if own else [],
            "transfers": transfers.get(aid, []),
            "retention": {"period": period, "text": retention_text, "trigger": retention_trigger},
            "dpia": {"status": dpia_status, "screening": _raw(screening) if has_screening else {}},
            "last_review": last,
            "next_review": nxt,
        }
        yield (aid, act) if with_ids else act


# ---------------------------------------------------------------------------------------------
# What the workbook and the JSON export read besides the activities


def organisation_copy(session: Session, organisation_id: int) -> dict[str, Any]:
    """An organisation's own fields as an export carries them: with the version they were read
    at (so an import of an old copy cannot undo newer saves) and the recipients no activity uses
    (they belong to the organisation in the JSON format, so nothing typed is lost)."""
    org = session.get(Organisation, organisation_id)
    assert org is not None
    doc = records.organisation_record(org)
    doc["version"] = org.version
    unused = session.execute(
        select(Recipient)
        .where(col(Recipient.organisation_id) == org.id, ~exists().where(col(ActivityRecipient.recipient_id) == col(Recipient.id)))
        .order_by(col(Recipient.name))
    ).scalars()
    doc["recipients"] = [records.recipient_record(r, version=True) for r in unused]
    return doc


def organisation_ids(session: Session, names: Sequence[str]) -> dict[str, int]:
    """The ids of the named organisations that exist (by exact name)."""
    stmt = select(col(Organisation.id), col(Organisation.name)).where(col(Organisation.name).in_(list(names)))
    return {name: id_ for id_, name in session.execute(stmt)}


def custom_terms(session: Session, organisation_ids: Optional[Sequence[int]] = None) -> dict[Optional[int], dict[str, dict[str, vocab.Term]]]:
    """The vocabulary terms organisations added, by organisation id (None: the register-wide
    ones), kind and key; ``organisation_ids`` narrows to those organisations' and the register's."""
    stmt = select(Term)
    if organisation_ids is not None:
        stmt = stmt.where(or_(col(Term.organisation_id).in_(list(organisation_ids)), col(Term.organisation_id).is_(None)))
    out: dict[Optional[int], dict[str, dict[str, vocab.Term]]] = {}
    for t in session.execute(stmt).scalars():
        out.setdefault(t.organisation_id, {}).setdefault(t.kind, {})[t.key] = vocab.Term(t.key, t.label_en, t.label_nb)
    return out


def terms_for(custom: dict[Optional[int], dict[str, dict[str, vocab.Term]]], organisation_id: Optional[int]) -> dict[str, dict[str, vocab.Term]]:
    """The terms an organisation reads: the register's, then its own (which win)."""
    terms = {kind: dict(v) for kind, v in custom.get(None, {}).items()}
    if organisation_id is not None:
        for kind, v in custom.get(organisation_id, {}).items():
            terms.setdefault(kind, {}).update(v)
    return terms


def recipients_with_use(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """The organisation's recipients, by name, each with the refs of the activities that use it (``used_by``)."""
    stmt = (
        select(R.c.name, R.c.kind, R.c.country, R.c.agreement, A.c.ref)
        .select_from(R.outerjoin(L, L.c.recipient_id == R.c.id).outerjoin(A, A.c.id == L.c.activity_id))
        .where(R.c.organisation_id == organisation_id)
        .order_by(R.c.name, A.c.ref)
    )
    out: list[dict[str, Any]] = []
    for row in session.execute(stmt):
        if not out or out[-1]["name"] != row.name:
            out.append({"name": row.name, "kind": row.kind, "country": row.country, "agreement": row.agreement, "used_by": []})
        if row.ref is not None:
            out[-1]["used_by"].append(row.ref)
    return out


def count_activities(session: Session, organisation_ids: Sequence[int]) -> int:
    """How many activities (retired ones too) the organisations have."""
    if not organisation_ids:
        return 0
    stmt = select(func.count()).select_from(A).where(A.c.organisation_id.in_(list(organisation_ids)))
    return int(session.execute(stmt).scalar_one())


def activity_refs(session: Session, organisation_id: int) -> set[str]:
    """The refs an organisation's activities have."""
    return set(session.execute(select(A.c.ref).where(A.c.organisation_id == organisation_id)).scalars())

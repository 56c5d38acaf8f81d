"""Fast creation of many activities at once, for imports and large registers.

Creating activities one ORM object at a time costs a flush per row; an import of 10,000 rows
must stay close to a plain bulk insert. This path validates nothing itself (the callers pass
validated :class:`~ropa.schema.ActivityDoc` objects) and writes each table with one
executemany on the driver's cursor, children and audit events included, in the caller's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Optional, Union

from sqlalchemy import Connection, Table, insert, select
from sqlmodel import Session, col

from ropa import records
from ropa.access import EDIT_ACTIVITY, EDIT_RECIPIENT, Principal, require
from ropa.models import (
    ActivityBasis,
    ActivityRecipient,
    AuditEvent,
    Organisation,
    ProcessingActivity,
    Recipient,
    Transfer,
    core_table,
    utcnow,
)
from ropa.register.audit import unique_name
from ropa.register.recipients import _refuse_case_variant, _upsert_recipient, recipient_dict
from ropa.schema import ActivityDoc, RecipientDoc


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_quote = json.encoder.encode_basestring  # the C encoder of one str, non-ASCII kept


def _json_text(value: Any) -> str:
    """As ropa.db stores JSON (non-ASCII kept, so LIKE finds "Formål")."""
    return json.dumps(value, ensure_ascii=False)


def _text_list(items: Optional[list[str]]) -> str:
    """:func:`_json_text` of a validated list of text, joined straight from the C string encoder:
    ``json.dumps`` builds an encoder per call, a sixth of the bulk insert for 90,000 short lists."""
    return "[" + ", ".join(map(_quote, items or ())) + "]"


class _Insert:
    """An INSERT of fixed columns run as one executemany on the driver's cursor (on PostgreSQL,
    one COPY).

    SQLAlchemy's Core executemany turns every row's dict into parameters in Python (a third of
    a 10,000-activity import); this passes tuples straight to the driver. Values must already
    be what the driver takes: JSON columns as text, and date or datetime values through
    :meth:`bind` (SQLite stores them as text in SQLAlchemy's own format)."""

    def __init__(self, conn: Connection, table: Table, columns: Sequence[str]) -> None:
        dialect = conn.dialect
        quote = dialect.identifier_preparer
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.conn, self.table, self.dialect = conn, table, dialect
        names = ", ".join(quote.quote(c) for c in columns)
        self.sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"
        self.copy = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"

    def bind(self, column: str) -> Callable[[Any], Any]:
        """The column type's own conversion of a Python value for this database (None passes)."""
        process = self.table.c[column].type._cached_bind_processor(self.dialect)
        if process is None:
            return lambda v: v
        done: dict[Any, Any] = {None: None}  # the same dates recur: convert each once

        def convert(value: Any) -> Any:
            out = done.get(value, done)
            if out is done:
                out = done[value] = process(value)
            return out

        return convert

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.dialect.name == "postgresql":  # COPY: psycopg's executemany still sends a statement per row
            raw: Any = self.conn.connection.dbapi_connection  # the same connection, in the session's transaction (psycopg's)
            assert raw is not None
            with raw.cursor() as cur, cur.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.conn.exec_driver_sql(self.sql, rows)


def ensure_recipients(
    session: Session,
    org: Organisation,
    docs: Sequence[RecipientDoc],
    *,
    actor: Union[str, Principal],
    source: Optional[str],
    cache: dict[str, Recipient],
) -> None:
    """Make sure each named recipient exists for the organisation; new ones go in with one
    multi-row INSERT (and their audit events). Existing ones that differ are updated one by one
    through the registry, with audit."""
    actor = require(session, actor, EDIT_RECIPIENT, org.name)

    wanted: dict[str, RecipientDoc] = {}
    for d in docs:
        wanted.setdefault(d.name, d)
    missing = [n for n in wanted if n not in cache]
    if missing:
        for rec in session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id, col(Recipient.name).in_(missing))).scalars():
            cache[rec.name] = rec
    for name, d in wanted.items():
        if name in cache:
            _upsert_recipient(session, org, d, actor=actor, source=source, cache=cache)
    new = [d for n, d in wanted.items() if n not in cache]
    if not new:
        return
    _refuse_case_variant(session, org, [d.name for d in new])
    table = core_table(Recipient)
    rows = [{"organisation_id": org.id, **records.recipient_columns(d), "version": 1} for d in new]
    # One executemany, then the new rows in one SELECT by name (unique within the organisation):
    # fetching each by id was a round trip per recipient.
    with unique_name("a recipient", ", ".join(d.name for d in new[:3])):
        session.execute(insert(table), rows)
    for rec in session.execute(select(Recipient).where(col(Recipient.organisation_id) == org.id, col(Recipient.name).in_([d.name for d in new]))).scalars():
        cache[rec.name] = rec
    now = utcnow()
    events = []
    for d in new:
        rec = cache[d.name]
        events.append(
            {
                "at": now,
                "actor": actor,
                "action": "create",
                "entity": "recipient",
                "entity_id": rec.id,
                "entity_key": f"{org.name}/{d.name}",
                "field": None,
                "old_value": None,
                "new_value": _dumps(recipient_dict(rec)),
                "version": 1,
                "source": source,
            }
        )
    session.execute(insert(core_table(AuditEvent)), events)


def create_activities(
    session: Session,
    org: Organisation,
    docs: Sequence[ActivityDoc],
    *,
    actor: Union[str, Principal],
    source: Optional[str],
    recipients: dict[str, Recipient],
) -> list[int]:
    """Insert validated, new activities of one organisation; returns their ids in order.

    ``recipients`` maps every recipient name the documents use to its (flushed) row.
    """
    actor = require(session, actor, EDIT_ACTIVITY, org.name)
    if not docs:
        return []
    conn = session.connection()  # straight on the connection: no ORM bookkeeping per row
    A = core_table(ProcessingActivity)
    activities = _Insert(conn, A, _ACTIVITY_COLUMNS)
    day, stamp = activities.bind("last_review"), activities.bind("created_at")
    now = utcnow()
    at = stamp(now)
    # Each column's conversion to what the driver takes: the list fields of a validated
    # ActivityDoc hold text only; mappings are JSON text; days through the column's type.
    convert = [
        _text_list if c in records.LIST_COLUMNS else _json_text if c in records.MAPPING_COLUMNS else day if c in records.DAY_COLUMNS else None
        for c in records.ACTIVITY_COLUMNS
    ]
    rows = []
    for d in docs:
        values = records.activity_columns(d).values()
        rows.append((org.id, *[v if f is None else f(v) for f, v in zip(convert, values)], 1, at, at))
    # One executemany without RETURNING (a single prepared statement on both databases), then the
    # ids by ref, which is unique within the organisation.
    activities.run(rows)
    del rows
    refs = [d.ref for d in docs]
    by_ref: dict[str, int] = {}
    for i in range(0, len(refs), 5000):
        chunk = refs[i : i + 5000]
        by_ref.update((ref, id_) for id_, ref in conn.execute(select(A.c.id, A.c.ref).where(A.c.organisation_id == org.id, A.c.ref.in_(chunk))))
    ids = [by_ref[d.ref] for d in docs]

    bases = _Insert(conn, core_table(ActivityBasis), ("activity_id", "position", "code", "note", "documentation"))
    links = _Insert(conn, core_table(ActivityRecipient), ("activity_id", "recipient_id", "position"))
    transfers = _Insert(conn, core_table(Transfer), _TRANSFER_COLUMNS)
    events = _Insert(conn, core_table(AuditEvent), _EVENT_COLUMNS)
    tia = transfers.bind("tia_date")
    when = events.bind("at")(now)
    recipient_id = {name: r.id for name, r in recipients.items()}  # plain ints: ORM attribute access per link was slow
    basis_rows, link_rows, transfer_rows, event_rows = [], [], [], []
    for act_id, d in zip(ids, docs):
        for position, code, note, documentation in records.basis_columns(d):
            basis_rows.append((act_id, position, code, note, documentation))
        for i, rd in enumerate(d.recipients):
            link_rows.append((act_id, recipient_id[rd.name], i))
        for i, t in enumerate(d.transfers):
            columns = records.transfer_columns(t)
            columns["tia_date"] = tia(columns["tia_date"])
            transfer_rows.append((act_id, i, recipient_id[t.recipient] if t.recipient else None, *[columns[c] for c in records.TRANSFER_COLUMNS]))
        # pydantic's own encoder (the fields in the format's order): the same record as the
        # registry's sorted JSON, at a fifth of the cost for a 10,000-activity import.
        event_rows.append((when, actor, "create", "activity", act_id, f"{org.name}/{d.ref}", None, None, d.model_dump_json(), 1, source))
    bases.run(basis_rows)
    links.run(link_rows)
    transfers.run(transfer_rows)
    events.run(event_rows)
    return ids


_ACTIVITY_COLUMNS = ("organisation_id", *records.ACTIVITY_COLUMNS, "version", "created_at", "updated_at")
_TRANSFER_COLUMNS = ("activity_id", "position", "recipient_id", *records.TRANSFER_COLUMNS)
_EVENT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "entity_key", "field", "old_value", "new_value", "version", "source")

"""The register's findings kept current change by change, so the dashboard need not judge
10,000 activities again after every save.

A full :func:`ropa.register.checks.check_register` takes a second or more at 10,000 activities. Every
write to the register records audit events in its own transaction, naming what it changed;
this module keeps each activity's findings, each organisation's own and its recipients', and
after a change judges again only what the new events name: an activity, the activities a
recipient serves, or one organisation whole (its details count in its activities' rules). The
result equals a full run's, in the same order (``tests/test_findings.py`` compares them after
random edits on SQLite and PostgreSQL).

Judged anew from scratch: on a new day (review dates move), after an event of a kind this
module does not know, and when the audit trail is not the one seen before (another database
behind the URL: a restored copy, a test's fresh one).

Kept across restarts (the dashboard's :func:`kept`): after a full run, and when the server
stops, the judged state is written to a file (:func:`store_path`: beside a SQLite file, else under ``ROPA_CACHE_DIR``) with the
newest audit event it took in (its id and what it said), the day and the code's version (a hash
of ropa's sources and the vocabulary packages). A restarted server reads it back and takes in
only the events written since, as a running one does; a file of another day, another version of
the code (rules), another database behind the URL, or one that cannot be read is ignored and
everything is judged anew. The file holds findings only, never code (JSON, not pickle).
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa import access, checks
from ropa.checks import Finding
from ropa.models import ActivityRecipient, AuditEvent, Organisation, ProcessingActivity, Recipient, Transfer
from ropa.register import reader
from ropa.register.lookup import get_organisation
from ropa.register.organisations import organisation_dict
from ropa.register.recipients import recipient_dict

A = ProcessingActivity
O = Organisation.__table__  # type: ignore[attr-defined]  # noqa: E741

# PostgreSQL hands out audit ids before commit: a transaction still running may commit ids below
# the newest one seen. Missing ids of the last _GAP_WINDOW are asked for again on each look until
# they appear or are _GAP_SECONDS old (a rolled-back transaction leaves its ids unused for ever).
_GAP_WINDOW = 2000
_GAP_SECONDS = 600.0
# More records than this changed at once (an import) are judged with everything, in one pass,
# rather than piece by piece (and no query names more ids than a database accepts).
_PIECEWISE = 1000
# The kept file's layout; a file of another layout is ignored.
_FORMAT = 1
# Seconds between a full run and writing the kept file (not while the page that asked is drawn).
_WRITE_DELAY = 2.0

log = logging.getLogger(__name__)


@dataclass
class _Org:
    name: str
    doc: dict[str, Any]
    findings: dict[int, list[Finding]] = field(default_factory=dict)  # activity id -> its findings
    facts: dict[int, Any] = field(default_factory=dict)  # activity id -> checks' facts of it alone (None: plain)
    order: list[int] = field(default_factory=list)  # judged activity ids, in the full run's order (by ref, in SQL)
    own: list[Finding] = field(default_factory=list)  # the organisation's findings
    recipients: list[Finding] = field(default_factory=list)
    merged: Optional[list[Finding]] = None  # all of the above, in the full run's order


def _plain(facts: Any) -> bool:
    """An activity that adds nothing but itself to its organisation's facts (most do): a controller's,
    with no large-scale, sensitive or high-risk processing (a processor's says whose records these are)."""
    return not (
        facts.large_scale_sensitive
        or facts.large_scale_monitoring
        or facts.any_large_scale_sensitive
        or facts.special_or_criminal
        or facts.high_risk
        or facts.processor_only
    )


class Register:
    """The findings of one database, brought up to date at each look."""

    def __init__(self, store: Optional[Path] = None) -> None:
        self._lock = threading.Lock()
        self._store = store  # the file the judged state is kept in across restarts (None: memory only)
        self._tried_store = store is None
        self._writer: Optional[threading.Timer] = None
        self._write_lock = threading.Lock()
        self._written: tuple[int, Optional[date], int] = (-2, None, 0)  # (stamp, day, full runs) when last written
        self.loaded = False  # the state came from the kept file
        self._today: Optional[date] = None
        self._stamp = -1  # the newest audit event taken into account
        self._marked: Any = None  # what that event said (see _mark)
        self._gaps: dict[int, float] = {}  # audit id not seen below the stamp -> when it was first missed
        self._orgs: dict[int, _Org] = {}
        self._org_order: list[int] = []
        self._where: dict[int, int] = {}  # activity id -> organisation id
        self._all: Optional[list[Finding]] = None
        self._scoped: dict[tuple[str, ...], list[Finding]] = {}
        self._counts: Optional[dict[tuple[str, str], dict[str, int]]] = None
        self.full_runs = 0  # how often everything was judged from scratch
        self.judged = 0  # activities judged, in all

    # -- reading -------------------------------------------------------------------------------

    def findings(self, session: Session, orgs: Optional[Sequence[str]] = None, today: Optional[date] = None) -> list[Finding]:
        """Every finding in the register (or in the named organisations), errors first: equal to
        ``register.checks.check_register(session, orgs, today)``. The list is shared: do not change it."""
        names = access.read_scope(orgs)  # as check_register narrows
        with self._lock:
            self._refresh(session, today or date.today())
            if not names:
                return self._everything()
            key = tuple(sorted(set(names)))
            if key not in self._scoped:
                known = {o.name for o in self._orgs.values()}
                for name in key:
                    if name not in known:
                        get_organisation(session, name)  # NotFound, as the full run says
                self._scoped[key] = [f for f in self._everything() if f.organisation in key]
            return self._scoped[key]

    def counts(self, session: Session, today: Optional[date] = None) -> dict[tuple[str, str], dict[str, int]]:
        """Findings by severity for each ``(organisation, activity ref)`` that has any: the list's
        badges. Not narrowed to a reader: look up only activities the reader was shown."""
        with self._lock:
            self._refresh(session, today or date.today())
            if self._counts is None:
                out: dict[tuple[str, str], dict[str, int]] = {}
                for f in self._everything():
                    if f.activity_ref:
                        c = out.setdefault((f.organisation, f.activity_ref), {})
                        c[f.severity] = c.get(f.severity, 0) + 1
                self._counts = out
            return self._counts

    def _everything(self) -> list[Finding]:
        if self._all is None:
            parts: list[Finding] = []
            for oid in self._org_order:
                parts.extend(self._merged(self._orgs[oid]))
            self._all = checks.by_severity(parts)
        return self._all

    @staticmethod
    def _merged(org: _Org) -> list[Finding]:
        """An organisation's findings as :func:`checks.check_documents` lists them: its
        activities by ref, then the organisation, then its recipients."""
        if org.merged is None:
            out: list[Finding] = []
            for aid in org.order:
                out.extend(org.findings[aid])
            org.merged = out + org.own + org.recipients
        return org.merged

    # -- keeping current -------------------------------------------------------------------------

    def _refresh(self, session: Session, today: date) -> None:
        with access.reading_as(None):  # the whole register is judged; a reader's scope narrows what is returned
            if not self._tried_store:
                self._tried_store = True
                self._load(today)
            stamp = int(session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0)
            if today != self._today or stamp < self._stamp or self._mark(session, self._stamp) != self._marked:
                self._full(session, today, stamp)
            elif stamp != self._stamp or self._gaps:
                self._apply(session, stamp)
            self._marked = self._mark(session, self._stamp)
            if self._store is not None and self._written[2] != self.full_runs and self._writer is None:
                # After judging everything, a moment later (not while the page that asked is drawn).
                # What saves change after that is written when the server stops (_flush_all); a
                # server that is killed leaves the file of its last full run, and the next start
                # takes in the saves since from the audit trail.
                self._writer = threading.Timer(_WRITE_DELAY, self._write)
                self._writer.daemon = True
                self._writer.start()

    @staticmethod
    def _mark(session: Session, audit_id: int) -> Any:
        """What the audit event ``audit_id`` says: when it no longer says the same, the URL names
        another database (a restored copy, a test's fresh one) and everything is judged anew."""
        if audit_id <= 0:
            return None
        row = session.execute(
            select(col(AuditEvent.at), col(AuditEvent.entity), col(AuditEvent.entity_id), col(AuditEvent.entity_key)).where(col(AuditEvent.id) == audit_id)
        ).first()
        return tuple(str(v) for v in row) if row else None  # text: the same in the kept file

    def _full(self, session: Session, today: date, stamp: int) -> None:
        self.full_runs += 1
        self._today, self._stamp, self._gaps = today, stamp, {}
        self._orgs, self._where = {}, {}
        rows = reader.organisations(session)
        self._org_order = [row.id for row in rows]
        with reader.gc_paused():
            for row in rows:
                self._load_org(session, row)
        self._changed()

    def _judge(self, session: Session, org: _Org, org_id: int, activity_ids: Optional[Sequence[int]] = None) -> None:
        """Judge the organisation's activities (or those of ``activity_ids`` that are not retired)."""
        assert self._today is not None
        for aid, act in reader.iter_for_checks(session, org_id, activity_ids, with_ids=True):
            org.findings[aid] = checks.check_activity(act, org.name, self._today, org.doc)
            facts = checks.activity_facts(act)
            org.facts[aid] = None if _plain(facts) else facts
            self._where[aid] = org_id
            self.judged += 1

    def _load_org(self, session: Session, row: Any) -> None:
        """One organisation judged whole: its activities, itself, its recipients."""
        old = self._orgs.get(row.id)
        for aid in old.findings if old else ():
            self._where.pop(aid, None)
        org = self._orgs[row.id] = _Org(row.name, organisation_dict(row))
        self._judge(session, org, row.id)
        org.order = self._order(session, row.id)
        org.own = self._own(org)
        org.recipients = self._recipients(session, org, row.id)

    @staticmethod
    def _order(session: Session, org_id: int) -> list[int]:
        """The organisation's judged activities, in the order :func:`reader.iter_for_checks` reads them."""
        return [
            int(i) for i in session.execute(select(col(A.id)).where(col(A.organisation_id) == org_id, col(A.status) != "retired").order_by(A.ref)).scalars()
        ]

    @staticmethod
    def _own(org: _Org) -> list[Finding]:
        facts = checks.activity_facts({"status": "retired"})  # nothing yet
        for aid in org.order:
            part = org.facts[aid]
            if part is None:
                facts.active += 1
                facts.processor_only = False
            else:
                facts.absorb(part)
        return checks.check_organisation(org.doc, facts)

    @staticmethod
    def _recipients(session: Session, org: _Org, org_id: int) -> list[Finding]:
        return [f for r in reader.recipients(session, org_id) for f in checks.check_recipient(org.name, recipient_dict(r), org.doc)]

    def _org_by_key(self, key: str) -> Optional[int]:
        """The organisation an audit key ("Organisation/…") belongs to: the longest name it starts with."""
        found = [(len(o.name), oid) for oid, o in self._orgs.items() if key.startswith(f"{o.name}/")]
        return max(found)[1] if found else None

    def _apply(self, session: Session, stamp: int) -> None:
        """Judge again what the audit events since the last look name."""
        now = time.monotonic()
        wanted = col(AuditEvent.id) > self._stamp
        if self._gaps:
            wanted = wanted | col(AuditEvent.id).in_(sorted(self._gaps))
        events = session.execute(
            select(col(AuditEvent.id), col(AuditEvent.entity), col(AuditEvent.entity_id), col(AuditEvent.entity_key)).where(wanted, col(AuditEvent.id) <= stamp)
        ).all()
        seen = {e.id for e in events}
        self._gaps = {i: at for i, at in self._gaps.items() if i not in seen and now - at <= _GAP_SECONDS}
        for i in range(max(self._stamp + 1, stamp - _GAP_WINDOW + 1), stamp + 1):
            if i not in seen:
                self._gaps.setdefault(i, now)
        self._stamp = stamp
        if not events:
            return
        activities: set[int] = set()
        recipients: dict[int, str] = {}
        orgs: set[int] = set()
        for e in events:
            if e.entity == "activity":
                activities.add(int(e.entity_id))
            elif e.entity == "recipient":
                recipients[int(e.entity_id)] = e.entity_key
            elif e.entity == "organisation":
                orgs.add(int(e.entity_id))
            elif e.entity == "user":
                continue  # users and roles are not judged
            else:  # a term of an organisation's vocabulary, or a kind this module does not know
                org_id = self._org_by_key(e.entity_key) if e.entity == "term" else None
                if org_id is None:
                    self._full(session, self._today or date.today(), stamp)
                    return
                orgs.add(org_id)
        if len(activities) + len(recipients) > _PIECEWISE:
            self._full(session, self._today or date.today(), stamp)
            return
        with reader.gc_paused():
            if not self._update(session, activities, recipients, orgs):
                self._full(session, self._today or date.today(), stamp)
                return
        self._changed()

    def _update(self, session: Session, activities: set[int], recipients: dict[int, str], orgs: set[int]) -> bool:
        """Judge the named records again; False when that cannot be done piecewise."""
        # A recipient's kind and country count in the rules of the activities it serves; a deleted
        # one has taken its links with it, so its organisation is judged whole.
        recipient_orgs: set[int] = set()
        if recipients:
            R = Recipient
            exists: dict[int, int] = dict(session.execute(select(col(R.id), col(R.organisation_id)).where(col(R.id).in_(sorted(recipients)))).all())  # type: ignore[arg-type]  # rows of two ints
            for rid, key in recipients.items():
                if rid in exists:
                    recipient_orgs.add(int(exists[rid]))
                    for table in (ActivityRecipient, Transfer):
                        activities.update(int(a) for a in session.execute(select(col(table.activity_id)).where(col(table.recipient_id) == rid)).scalars())
                    if len(activities) > _PIECEWISE:
                        return False
                else:
                    org_id = self._org_by_key(key)
                    if org_id is None:
                        return False
                    orgs.add(org_id)
        # Changed activities leave the organisation that held them; they are judged where they are now.
        now_in: dict[int, int] = (
            dict(session.execute(select(col(A.id), col(A.organisation_id)).where(col(A.id).in_(sorted(activities)))).all()) if activities else {}
        )  # type: ignore[arg-type]  # rows of two ints
        touched = set(recipient_orgs)
        for aid in activities:
            before = self._where.pop(aid, None)
            if before is not None and before in self._orgs:
                self._orgs[before].findings.pop(aid, None)
                self._orgs[before].facts.pop(aid, None)
                touched.add(before)
            if aid in now_in:
                touched.add(int(now_in[aid]))
        if orgs:
            rows = {row.id: row for row in session.execute(select(O).where(O.c.id.in_(sorted(orgs))))}
            for oid in orgs:
                if oid in rows:
                    self._load_org(session, rows[oid])
                else:  # deleted, with its activities
                    gone = self._orgs.pop(oid, None)
                    for aid in gone.findings if gone else ():
                        self._where.pop(aid, None)
            self._org_order = [row.id for row in reader.organisations(session)]
            if set(self._org_order) - set(self._orgs):
                return False  # an organisation no event named
        for oid in touched - orgs:
            org = self._orgs.get(oid)
            if org is None:
                continue
            org.order = self._order(session, oid)
            missing = [aid for aid in org.order if aid not in org.findings]
            if missing:
                self._judge(session, org, oid, missing)
            org.own = self._own(org)
            if oid in recipient_orgs:
                org.recipients = self._recipients(session, org, oid)
        return True

    def _changed(self) -> None:
        self._all, self._scoped, self._counts = None, {}, None
        for org in self._orgs.values():
            org.merged = None

    # -- kept across restarts ------------------------------------------------------------------

    def _write(self) -> None:
        """Write the judged state to the kept file (in a timer thread, a moment after a change)."""
        if self._store is None:
            return
        with self._write_lock:  # one write at a time; a stopping server waits for one under way
            try:
                with self._lock:
                    self._writer = None
                    if self._today is None or self._written == (self._stamp, self._today, self.full_runs):
                        return
                    payload = self._dump()
                    written = (self._stamp, self._today, self.full_runs)
                if not self._store.parent.is_dir():  # the database's folder is gone (a test's): nothing to keep
                    return
                for old in self._store.parent.glob(self._store.name + ".*.tmp"):  # left by a process killed while writing
                    if time.time() - old.stat().st_mtime > 3600:
                        old.unlink(missing_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=self._store.name + ".", suffix=".tmp", dir=self._store.parent)
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as out:
                        out.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))  # dumps: the C encoder
                    os.replace(tmp, self._store)  # whole or not at all: a reader never sees half a file
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
                self._written = written
            except Exception:  # noqa: BLE001 - a cache that cannot be written only costs the next start a full run
                log.warning("could not keep the findings in %s", self._store, exc_info=True)

    def flush(self) -> None:
        """Write the kept file now if a write is pending (tests; a clean shutdown)."""
        writer = self._writer
        if writer is not None:
            writer.cancel()
        self._write()  # nothing when all is written; waits for a write under way

    def _dump(self) -> dict[str, Any]:
        strings: dict[str, int] = {}

        def ref(value: Optional[str]) -> int:
            return -1 if value is None else strings.setdefault(value, len(strings))

        def dump(found: list[Finding]) -> list[list[int]]:
            return [[ref(getattr(f, name)) for name in _FIELDS] for f in found]

        orgs = []
        for oid, org in self._orgs.items():
            acts = [[aid, dump(found), None if org.facts.get(aid) is None else dataclasses.asdict(org.facts[aid])] for aid, found in org.findings.items()]
            orgs.append([oid, org.name, org.doc, org.order, dump(org.own), dump(org.recipients), acts])
        wall, mono = time.time(), time.monotonic()
        return {
            "format": _FORMAT,
            "code": code_version(),
            "today": self._today.isoformat() if self._today else None,
            "stamp": self._stamp,
            "marked": self._marked,
            "gaps": {str(i): wall - (mono - at) for i, at in self._gaps.items()},
            "org_order": self._org_order,
            "orgs": orgs,
            "strings": list(strings),
        }

    def _load(self, today: date) -> None:
        """Take the judged state from the kept file when it is of today and of this code."""
        assert self._store is not None
        try:
            with self._store.open(encoding="utf-8") as f:
                data = json.load(f)
            if data.get("format") != _FORMAT or data.get("code") != code_version() or data.get("today") != today.isoformat():
                return
            strings: list[Optional[str]] = [*data["strings"], None]  # -1, the last, stands for None

            def load(rows: list[list[int]]) -> list[Finding]:
                return [Finding(*map(strings.__getitem__, row)) for row in rows]  # type: ignore[arg-type]  # the optional fields are None

            blank = checks.activity_facts({"status": "retired"})
            orgs: dict[int, _Org] = {}
            where: dict[int, int] = {}
            with reader.gc_paused():
                for oid, name, doc, order, own, recipients, acts in data["orgs"]:
                    org = orgs[int(oid)] = _Org(name, doc, order=[int(a) for a in order], own=load(own), recipients=load(recipients))
                    for aid, found, facts in acts:
                        org.findings[int(aid)] = load(found)
                        org.facts[int(aid)] = None if facts is None else dataclasses.replace(blank, **facts)
                        where[int(aid)] = int(oid)
            wall, mono = time.time(), time.monotonic()
            gaps = {int(i): mono - (wall - float(at)) for i, at in data["gaps"].items()}
            marked = tuple(data["marked"]) if data["marked"] is not None else None
            org_order = [int(o) for o in data["org_order"]]
            stamp = int(data["stamp"])
        except FileNotFoundError:
            return
        except Exception:  # noqa: BLE001 - a damaged or foreign file: judge everything instead
            log.warning("ignored the kept findings in %s", self._store, exc_info=True)
            return
        self._today, self._stamp, self._marked, self._gaps = today, stamp, marked, gaps
        self._orgs, self._where, self._org_order = orgs, where, org_order
        self._written = (stamp, today, self.full_runs)
        self.loaded = True
        self._changed()


_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))
# Packages whose data the rules read (countries, adequacy, the taxonomy): their version is part of the code's.
_RULE_DATA = ("pycountry", "fideslang", "countryinfo")


@cache
def code_version() -> str:
    """A hash of every source file of ropa, the versions of the packages whose data the rules
    read and of Python: any change to the rules (or to anything else) gives another one."""
    h = hashlib.sha256(f"{_FORMAT} {sys.version}".encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _RULE_DATA:
        try:
            h.update(f"{name}=={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(name.encode())
    return h.hexdigest()


def store_path(url: str) -> Optional[Path]:
    """Where the findings of the database at ``url`` are kept across restarts: beside a SQLite
    file (``ropa.db`` -> ``ropa.db-findings.json``), else in ``ROPA_CACHE_DIR`` (default
    ``data/cache``) under a hash of the URL; None for an in-memory database."""
    from sqlalchemy.engine import make_url

    from ropa.settings import DATA_DIR

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        return Path(name).resolve().with_name(Path(name).name + "-findings.json")
    folder = Path(os.environ.get("ROPA_CACHE_DIR") or DATA_DIR / "cache")
    return folder / f"findings-{hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:24]}.json"


_REGISTERS: dict[str, Register] = {}
_REGISTERS_LOCK = threading.Lock()


@atexit.register
def _flush_all() -> None:
    """A server that stops writes what it has not written yet (the next start reads it)."""
    for register in list(_REGISTERS.values()):
        register.flush()


def kept(url: str) -> Register:
    """The findings kept for the database at ``url`` (one per process, and across restarts in
    :func:`store_path`)."""
    with _REGISTERS_LOCK:
        if url not in _REGISTERS:
            store = store_path(url)
            if store is not None and not store.parent.exists():
                try:
                    store.parent.mkdir(parents=True, mode=0o700)
                except OSError:
                    store = None  # memory only
            _REGISTERS[url] = Register(store)
        return _REGISTERS[url]

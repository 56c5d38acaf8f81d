"""The database: an engine from ``ROPA_DATABASE_URL``, the schema owned by Alembic, sessions.

SQLite is the embedded default (``data/ropa.db``, WAL and foreign keys switched on for every
connection, since SQLite ignores foreign keys otherwise); PostgreSQL serves larger installs
(``postgresql+psycopg://...``). The same code runs on both.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from ropa import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from ropa.errors import Busy
from ropa.settings import database_url, sqlite_busy_timeout

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _json_dumps(value: Any) -> str:
    # Keep non-ASCII as is, so text search with LIKE finds "Formål" in JSON list columns.
    return json.dumps(value, ensure_ascii=False)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() only folds ASCII; search must find "ØKONOMI" as "økonomi".
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    # REPLACE INTO deletes the row it replaces; only with recursive triggers on does that delete
    # meet audit_event's BEFORE DELETE trigger (the 0002 migration also refuses a reused id).
    cur.execute("PRAGMA recursive_triggers=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # A save waits this long for an import (which holds the write lock for its whole run), then
    # says plainly that the register is busy (see transaction()).
    cur.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout() * 1000)}")
    # A 64 MB page cache (SQLite's default is 2 MB), filled only as pages are used: a bulk import
    # into a register of 100,000 activities otherwise rereads its index pages from disk.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def make_engine(url: Optional[str] = None) -> Engine:
    """Create the engine for ``url`` (default: ``ROPA_DATABASE_URL`` or ``data/ropa.db``).

    A SQLite file's folder is created if missing.
    """
    url = url or database_url()
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    return engine


def describe(engine: Engine) -> str:
    """A short, password-free description of where the register lives, for the UI and CLI."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {url.database}"
    return f"PostgreSQL: {url.host}:{url.port or 5432}/{url.database}"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> Optional[str]:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest migration. Returns True when the database was empty.

    The schema is created and changed only by Alembic migrations.
    """
    was_empty = current_revision(engine) is None and not inspect(engine).get_table_names()
    if current_revision(engine) != head_revision():
        with warnings.catch_warnings():  # SQLite's batch migrations reflect tables whose case-insensitive
            # unique indexes are expressions SQLAlchemy cannot reflect; it says so on stderr, to no one's use
            warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
            command.upgrade(alembic_config(engine), "head")
    return was_empty


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit at the end, roll everything back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
                raise Busy(sqlite_busy_timeout()) from None
            raise


def session(engine: Engine) -> Session:
    """A read session (no commit); use :func:`transaction` for writes."""
    return Session(engine, expire_on_commit=False)

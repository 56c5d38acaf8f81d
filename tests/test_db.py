"""Storage: the engine, the Alembic-owned schema, the append-only audit trail."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from ropa import db, registry
from ropa.settings import DEFAULT_DATABASE_URL


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_migrate_reports_a_new_database_once(empty_engine):
    assert db.migrate(empty_engine) is True
    assert db.current_revision(empty_engine) == db.head_revision()
    assert db.migrate(empty_engine) is False
    assert {"organisation", "processing_activity", "audit_event", "transfer"} <= set(inspect(empty_engine).get_table_names())


def test_sqlite_has_foreign_keys_and_wal(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'sub' / 'r.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert (tmp_path / "sub" / "r.db").exists()


def test_default_database_is_data_ropa_db(monkeypatch):
    monkeypatch.delenv("ROPA_DATABASE_URL", raising=False)
    assert DEFAULT_DATABASE_URL.endswith("/data/ropa.db")
    assert db.make_engine().url.database.endswith("data/ropa.db")
    monkeypatch.setenv("ROPA_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert db.make_engine().url.database == "/tmp/elsewhere.db"


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"])
def test_audit_trail_is_append_only(engine, statement):
    with db.transaction(engine) as s:
        registry.create_organisation(s, {"name": "Acme AS"}, actor="alice")
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    with db.session(engine) as s:
        events = registry.history(s, "organisation", registry.get_organisation(s, "Acme AS").id)
        assert [(e.actor, e.action) for e in events] == [("alice", "create")]


def test_describe_hides_passwords():
    engine = db.make_engine("postgresql+psycopg://user:secret@db.example:5433/ropa")
    assert db.describe(engine) == "PostgreSQL: db.example:5433/ropa"

"""Storage: the engine, the Alembic-owned schema, the append-only audit trail."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from ropa import db
from ropa.register.audit import history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation
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
        create_organisation(s, {"name": "Acme AS"}, actor="alice")
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    with db.session(engine) as s:
        events = history(s, "organisation", get_organisation(s, "Acme AS").id)
        assert [(e.actor, e.action) for e in events] == [("alice", "create")]


def test_describe_hides_passwords():
    engine = db.make_engine("postgresql+psycopg://user:secret@db.example:5433/ropa")
    assert db.describe(engine) == "PostgreSQL: db.example:5433/ropa"


def _one_event(engine):
    with db.transaction(engine) as s:
        org = create_organisation(s, {"name": "Acme AS"}, actor="alice")
    with db.session(engine) as s:
        return history(s, "organisation", org.id)[0]


def test_audit_trail_refuses_replace_into(engine):
    """SQLite's REPLACE deletes the old row without the DELETE trigger firing unless
    recursive_triggers is on; PostgreSQL's nearest equivalent is an upsert on the id."""
    event = _one_event(engine)
    if engine.dialect.name == "sqlite":
        statements = [
            "REPLACE INTO audit_event (id, at, actor, action, entity, entity_id, entity_key, version) "
            "VALUES (:id, '2020-01-01 00:00:00', 'mallory', 'create', 'organisation', 1, 'Forged', 1)",
            "INSERT OR REPLACE INTO audit_event (id, at, actor, action, entity, entity_id, entity_key, version) "
            "VALUES (:id, '2020-01-01 00:00:00', 'mallory', 'create', 'organisation', 1, 'Forged', 1)",
        ]
    else:
        statements = [
            "INSERT INTO audit_event (id, at, actor, action, entity, entity_id, entity_key, version) "
            "VALUES (:id, now(), 'mallory', 'create', 'organisation', 1, 'Forged', 1) "
            "ON CONFLICT (id) DO UPDATE SET actor = EXCLUDED.actor",
        ]
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement), {"id": event.id})
    with db.session(engine) as s:
        assert [(e.actor, e.entity_key) for e in history(s, "organisation", event.entity_id)] == [("alice", "Acme AS")]


def test_audit_trail_refuses_truncate_and_raw_sqlite_connections(engine):
    """TRUNCATE (PostgreSQL) fires no row trigger; on SQLite, a connection that did not come
    from ropa.db (recursive_triggers off) is still refused by the BEFORE INSERT trigger."""
    event = _one_event(engine)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_event"))
    else:
        import sqlite3

        raw = sqlite3.connect(engine.url.database)
        try:
            assert raw.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                raw.execute(
                    "REPLACE INTO audit_event (id, at, actor, action, entity, entity_id, entity_key, version) "
                    "VALUES (?, '2020-01-01', 'mallory', 'create', 'organisation', 1, 'Forged', 1)",
                    (event.id,),
                )
            raw.rollback()
        finally:
            raw.close()
    with db.session(engine) as s:
        assert [e.actor for e in history(s, "organisation", event.entity_id)] == ["alice"]


def test_case_insensitive_unique_names_survive_every_migration(engine):
    """SQLAlchemy cannot reflect expression indexes, so autogenerate does not see them: a later
    migration that recreated a table on SQLite once dropped ``lower(name)`` silently."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        names = set(conn.execute(text(query)).scalars())
    assert {"uq_organisation_name_ci", "uq_recipient_org_name_ci"} <= names


def test_the_readmes_database_role_may_reach_every_table_the_app_uses(engine):
    """README's *A database role for the app*: the GRANTs name every table of the schema, so an
    install that follows it does not fail at the first sign-in or snapshot."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("CREATE ROLE ropa_app", 1)[1].split("```", 1)[0]
    granted = {t.strip() for m in re.finditer(r"GRANT [^;]*? ON (?!SCHEMA|ALL )([^;]*?) TO ropa_app", block) for t in m.group(1).split(",")}
    tables = set(inspect(engine).get_table_names())
    assert tables - granted == set(), sorted(tables - granted)
    assert granted - tables == set(), sorted(granted - tables)


def test_the_readmes_database_role_runs_the_app_and_cannot_rewrite_the_trail(tmp_path):
    """On PostgreSQL, a role given exactly the README's GRANTs loads a register, counts a guessed
    name, takes a snapshot, and is refused when it tries to rewrite the audit trail or a snapshot."""
    import re
    import uuid
    from pathlib import Path

    from conftest import make_test_engine
    from sqlalchemy.exc import ProgrammingError

    from ropa import users, versions
    from ropa.demo import load_demo

    engine = make_test_engine("postgresql", tmp_path)  # a database role is PostgreSQL's; SQLite has the file's permissions
    db.migrate(engine)
    role = f"ropa_app_{uuid.uuid4().hex[:8]}"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("CREATE ROLE ropa_app LOGIN PASSWORD '…';", 1)[1].split("```", 1)[0]
    grants = [re.sub(r"--.*", "", g).strip().replace("ropa_app", role) for g in block.split(";") if g.strip()]
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for grant in grants:
            conn.execute(text(grant))
    app = db.make_engine(engine.url.set(username=role).render_as_string(hide_password=False))
    try:
        with db.transaction(app) as s:
            load_demo(s, actor="test")
        with db.transaction(app) as s:
            assert users.sign_in(s, "nobody", "a guess").reason == "wrong"  # sign_in_guess: insert, update, delete
        with db.transaction(app) as s:
            versions.create(s, "Før revisjonen", actor="test")
        for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM snapshot", "TRUNCATE audit_event"):
            with pytest.raises(ProgrammingError, match="permission denied"):
                with app.begin() as conn:
                    conn.execute(text(statement))
    finally:
        app.dispose()
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        engine.dispose()

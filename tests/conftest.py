"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL cases use ``ROPA_TEST_DATABASE_URL`` (a database made for this test run; the
schema is dropped and migrated again for each test). Without it they skip with the reason
shown, except in CI, where skipping would hide a broken backend, so they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ropa import db
from ropa.demo import load_demo

# The workbook fingerprints' key for this test run (and the CLI and servers it starts): without
# it the first export made data/workbook.key in the checkout, which the app would then go on using.
os.environ.setdefault("ROPA_WORKBOOK_KEY", os.urandom(32).hex())

PG_URL = os.environ.get("ROPA_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header(config: Any) -> str:
    return f"ropa backends: sqlite, postgresql ({'ROPA_TEST_DATABASE_URL set' if PG_URL else 'skipped: ROPA_TEST_DATABASE_URL not set'})"


def _fresh_postgres() -> Any:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL cases: ROPA_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL cases need ROPA_TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/ropa_test")
    engine = db.make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return engine


def make_test_engine(backend: str, tmp_path: Path) -> Any:
    if backend == "sqlite":
        return db.make_engine(f"sqlite:///{tmp_path / 'ropa.db'}")
    return _fresh_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def empty_engine(backend: str, tmp_path: Path) -> Iterator[Any]:
    """A database with no schema yet."""
    engine = make_test_engine(backend, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Any) -> Any:
    """A migrated, empty register."""
    db.migrate(empty_engine)
    return empty_engine


@pytest.fixture
def demo_engine(engine: Any) -> Any:
    """The demo register of the five seed organisations."""
    with db.transaction(engine) as s:
        load_demo(s, actor="test")
    return engine


@pytest.fixture
def sqlite_demo_url(tmp_path: Path) -> str:
    """A SQLite file holding the demo register (for the CLI, AppTest and the browser)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        load_demo(s, actor="test")
    engine.dispose()
    return url


@pytest.fixture
def demo_url(sqlite_demo_url: str, monkeypatch: Any) -> Iterator[str]:
    """The demo register as ``ROPA_DATABASE_URL`` for AppTest, with Streamlit's resource cache cleared."""
    import streamlit as st

    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    yield sqlite_demo_url
    st.cache_resource.clear()


def app_page(name: str, lang: str = "en", *, timeout: float = 60, **session: Any) -> Any:
    """One dashboard page (``ropa/ui/pages/<name>.py``) run once through AppTest, with session state
    set first; fails on any exception the page raised. ``timeout``: seconds a run may take."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ropa" / "ui" / "pages" / f"{name}.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    for k, v in session.items():
        at.session_state[k] = v
    return rerun(at)


def rerun(at: Any) -> Any:
    """Run an AppTest again (after a click or an input); fails on any exception the page raised."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

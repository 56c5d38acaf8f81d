"""The dashboard's sign-in (AppTest): a banner while the register has no users; once it has,
the sign-in form before any page, scoped organisations, sign-out, idle timeout, and the
identity provider's button when ``[auth]`` is configured."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ropa import db, users
from ropa.demo import open_register

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


@pytest.fixture
def app(monkeypatch: Any, sqlite_demo_url: str) -> Any:
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    monkeypatch.setenv("ROPA_USER", "local-person")

    def start(url: str = sqlite_demo_url, secrets: dict[str, Any] | None = None) -> AppTest:
        monkeypatch.setenv("ROPA_DATABASE_URL", url)
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in (secrets or {}).items():
            at.secrets[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    yield start
    st.cache_resource.clear()


@pytest.fixture
def with_users(sqlite_demo_url: str) -> str:
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, email="dora@example.org", actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
    engine.dispose()
    return sqlite_demo_url


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def _sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_without_users_the_app_runs_as_local_administrator_and_says_so(app):
    at = app()
    assert any("Ingen innlogging: alle på denne datamaskinen kan endre" in w.value for w in at.warning)
    assert "local-person (lokal administrator)" in _sidebar_text(at)
    assert "SQLite" in _sidebar_text(at)  # where the register lives: an administrator's business
    assert not at.sidebar.button  # nobody to sign out
    assert {m.label: m.value for m in at.metric}["Virksomheter"] == "5"


def test_once_a_user_exists_sign_in_comes_before_any_page(app, with_users):
    at = app(with_users)
    assert at.title[0].value == "Logg inn"
    assert not at.metric and not at.warning  # no page, no banner
    at = _sign_in(at, "ed", "wrong password")
    assert at.title[0].value == "Logg inn"
    assert [e.value for e in at.error] == ["Feil brukernavn eller passord."]
    at = _sign_in(at, "ed", PASSWORD)
    assert not at.error
    assert "ed (redaktør; Janteloppet)" in _sidebar_text(at)
    assert "SQLite" not in _sidebar_text(at) and "ropa.db" not in _sidebar_text(at)  # no paths for an editor
    assert at.sidebar.selectbox[0].options == ["Janteloppet"]  # an editor works in the organisations assigned
    assert {m.label: m.value for m in at.metric}["Virksomheter"] == "1"
    at.sidebar.button(key="signout").click()
    at.run()
    assert at.title[0].value == "Logg inn"


def test_a_refused_sign_in_waits_after_its_failure_is_committed(app, with_users, monkeypatch):
    """The wait after a wrong password came inside the transaction that counts the failure, with
    the account's row locked for update (PostgreSQL) and a connection held for the whole pause:
    one user's wrong password held everyone signing in as that name. Now the app waits after it."""
    from sqlalchemy import select

    from ropa.models import UserAccount

    at = app(with_users)
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0.25")
    engine = db.make_engine(with_users)
    seen: list[tuple[float, int]] = []

    def sleep(seconds: float) -> None:  # what another connection sees while the app waits
        with db.session(engine) as s:
            seen.append((seconds, s.execute(select(UserAccount.failed_signins).where(UserAccount.name == "ed")).scalar_one()))

    monkeypatch.setattr(users, "time", type("Clock", (), {"sleep": staticmethod(sleep)}))  # the app's waits, not AppTest's polling
    _sign_in(at, "ed", "wrong password")
    _sign_in(at, "ed", "wrong again")
    engine.dispose()
    assert seen == [(0.25, 1), (0.5, 2)]  # each failure recorded (committed) before its wait, the second waits longer
    assert [e.value for e in at.error] == ["Feil brukernavn eller passord."]


def test_an_idle_session_is_signed_out(app, with_users, monkeypatch):
    monkeypatch.setenv("ROPA_SESSION_IDLE_MINUTES", "30")
    at = _sign_in(app(with_users), "dora", PASSWORD)
    assert "dora (personvernombud; alle virksomheter)" in _sidebar_text(at)
    at.session_state["ropa_seen"] = time.time() - 31 * 60
    at.run()
    assert at.title[0].value == "Logg inn"
    assert any("inaktiv for lenge" in i.value for i in at.info)


def test_a_user_disabled_meanwhile_is_signed_out_at_the_next_click(app, with_users):
    at = _sign_in(app(with_users), "ed", PASSWORD)
    engine = open_register(with_users, demo_if_new=False)
    with db.transaction(engine) as s:
        users.set_enabled(s, "ed", False, actor="dora")
    engine.dispose()
    at.run()
    assert at.title[0].value == "Logg inn"


def test_the_identity_provider_button_shows_when_auth_is_configured(app, with_users):
    at = app(with_users)
    assert not [b for b in at.button if "identitetsleverandøren" in str(b.label)]
    at = app(
        with_users,
        secrets={
            "auth": {
                "redirect_uri": "http://localhost:8501/oauth2callback",
                "cookie_secret": "a long random secret",
                "client_id": "ropa",
                "client_secret": "s3cret",
                "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
            }
        },
    )
    assert [b.label for b in at.button if "identitetsleverandøren" in str(b.label)] == ["Logg inn med identitetsleverandøren"]


def test_my_tasks_page_lets_the_dpo_approve(app, with_users):
    from ropa import review
    from ropa.register.activities import get_activity

    engine = open_register(with_users, demo_if_new=False)
    with db.transaction(engine) as s:
        review.set_owner(s, "Janteloppet", "JL-02", "ed", actor="dora")
        review.submit(s, "Janteloppet", "JL-02", actor="ed")
    at = _sign_in(app(with_users), "dora", PASSWORD)
    assert any("1 venter på godkjenning" in str(link.label) for link in at.get("page_link"))  # the overview's count
    at.switch_page("ropa/ui/pages/tasks.py").run()
    assert {m.label: m.value for m in at.metric}["Venter på godkjenning"] == "1"
    approve = [b for b in at.button if str(b.label).startswith("Godkjenn Janteloppet JL-02")]
    assert len(approve) == 1
    approve[0].click()
    at.run()
    assert not at.exception, at.exception
    with db.session(engine) as s:
        row = review.review_of(s, "Janteloppet", "JL-02")
        assert (row.state, row.approved_by) == ("approved", "dora")
        assert row.approved_version == get_activity(s, "Janteloppet", "JL-02").version
    engine.dispose()
    assert {m.label: m.value for m in at.metric}["Venter på godkjenning"] == "0"

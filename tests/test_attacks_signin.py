"""Attacks on the way in: the register without users served beyond this computer, guessing
which user names exist from how long a refusal takes, an identity provider's "unverified" said
as a string, and a single sign-on session left idle. Each test is the attack; it failed before
the fix it names."""

from __future__ import annotations

import hashlib
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlmodel import select
from streamlit import config
from streamlit.testing.v1 import AppTest

from ropa import db, users
from ropa.demo import open_register
from ropa.ui import signin

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


@pytest.fixture
def app_url(sqlite_demo_url: str, monkeypatch: Any) -> Any:
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    monkeypatch.setenv("ROPA_USER", "local-person")
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    yield sqlite_demo_url
    st.cache_resource.clear()


def _app(**secrets: Any) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    for key, value in secrets.items():
        at.secrets[key] = value
    return at


@pytest.fixture
def listening_everywhere() -> Any:
    previous = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", previous)


# ---------------------------------------------------------------------------------------------
# The register without users, reachable from the network


def test_a_register_without_users_served_beyond_this_computer_gives_a_visitor_nothing(app_url, listening_everywhere):
    """Without users everyone is the local administrator. Served on 0.0.0.0, a visitor from the
    network could read everything and make themself the first admin on the Users page: the app
    now says why and shows no page at all until a user exists or it listens on 127.0.0.1."""
    at = _app()
    at.run()
    assert not at.exception, at.exception
    assert any("0.0.0.0" in e.value and "user add" in e.value for e in at.error)
    assert not at.metric and not at.dataframe  # the overview's figures are not drawn
    at.switch_page("ropa/ui/pages/users.py").run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if "users_add" in str(b.key)]  # no form to claim the register
    assert not at.text_input
    engine = open_register(app_url, demo_if_new=False)
    with db.session(engine) as s:
        assert users.list_users(s) == []
    engine.dispose()


def test_a_register_without_users_on_this_computer_still_opens(app_url):
    at = _app()
    at.run()
    assert not at.exception, at.exception
    assert any("No sign-in" in w.value for w in at.warning)
    assert at.metric  # the overview is drawn


# ---------------------------------------------------------------------------------------------
# Which names exist: a refusal costs the same work whatever the name


@pytest.fixture
def accounts(engine: Any) -> Any:
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "sso", role="dpo", email="sso@example.org", actor="dora")
        users.add_user(s, "gone", role="dpo", password=PASSWORD, actor="dora")
        users.set_enabled(s, "gone", False, actor="dora")
    return engine


@pytest.mark.parametrize("name", ["dora", "nobody", "gone", "sso"])
def test_a_refused_sign_in_hashes_once_whether_or_not_the_name_exists(accounts, monkeypatch, name):
    """A wrong password for an existing user ran argon2 (tens of milliseconds); an unknown,
    disabled or single-sign-on-only name was refused at once: the time told which names exist."""
    verified = []
    real = users._hasher

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, hash_: Any, password: Any) -> bool:
            verified.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(users, "_hasher", Counting())
    with db.transaction(accounts) as s:
        result = users.sign_in(s, name, "not the password")
    assert not result.ok and result.reason == "wrong"
    assert len(verified) == 1


@pytest.mark.parametrize("name", ["nobody", "gone"])
def test_guessing_until_the_lock_answers_the_same_whether_or_not_the_name_exists(accounts, monkeypatch, name):
    """Guessing a real user's password until the account locked answered "locked" and waited
    longer each time; a made-up (or disabled) name stayed "wrong" at the first wait: a few guesses
    told which names exist. Now both answer alike, attempt by attempt, and both messages read the same."""
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0.5")
    told: dict[str, list[tuple[Any, ...]]] = {}
    for who in ("dora", name):
        waits: list[float] = []
        told[who] = []
        for password in ("guess 1", "guess 2", "guess 3", PASSWORD if who == "dora" else "guess 4"):
            with db.transaction(accounts) as s:
                result = users.sign_in(s, who.upper(), password)  # names are matched without case
            users.pause(result, sleep=waits.append)
            told[who].append((result.reason, result.message("nb").split(" til ")[0], tuple(waits)))
    assert told[name] == told["dora"]
    assert [reason for reason, _, _ in told["dora"]] == ["wrong", "wrong", "locked", "locked"]
    assert told["dora"][-1][2] == (0.5, 1.0)  # the same growing waits before the lock


def test_a_made_up_names_count_outlives_a_restart_and_holds_in_every_server_process(accounts, monkeypatch):
    """The count of failures at a made-up name lived in the server process: a restart, or a second
    server process behind the same address, started it again, while a real account's lock is in the
    database, so trying a name across them told whether it exists. Now both are in the database."""
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    monkeypatch.setattr(users, "_verify", lambda *_: False)  # the work is not what is tested here
    for who in ("dora", "ghost"):
        answers = []
        for attempt in range(4):
            process = db.make_engine(accounts.url.render_as_string(hide_password=False))  # a new process each time
            with db.transaction(process) as s:
                answers.append(users.sign_in(s, who, f"guess {attempt}").reason)
            process.dispose()
        assert answers == ["wrong", "wrong", "locked", "locked"], (who, answers)


def test_names_tried_are_kept_pseudonymised_and_forgotten_after_a_day(accounts, monkeypatch):
    """What is stored of a made-up name is its HMAC under the server's key, not the name nor a
    plain hash a dictionary reverses (people type passwords into the name field); a name untried
    for a day whose lock is not running is forgotten, so the table does not grow with the names
    tried; a running lock is kept whatever else is tried."""
    from datetime import timedelta

    from ropa.models import SignInGuess

    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "2")
    monkeypatch.setenv("ROPA_SIGNIN_LOCK_MINUTES", str(3 * 24 * 60))  # three days
    monkeypatch.setattr(users, "_verify", lambda *_: False)
    for name in ("ghost", "ghost", "Hunter2-typed-as-a-name"):
        with db.transaction(accounts) as s:
            users.sign_in(s, name, "x")
    with db.session(accounts) as s:
        rows = list(s.exec(select(SignInGuess)))
    keys = {r.key for r in rows}
    assert keys == {users._guess_key("ghost"), users._guess_key("hunter2-typed-as-a-name")}
    assert not keys & {hashlib.sha256(n).hexdigest() for n in (b"ghost", b"hunter2-typed-as-a-name")}  # not a plain hash
    monkeypatch.setenv("ROPA_WORKBOOK_KEY", "another server key")
    assert users._guess_key("ghost") not in keys  # the key decides: without it the table says nothing
    monkeypatch.undo()
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "2")
    monkeypatch.setenv("ROPA_SIGNIN_LOCK_MINUTES", str(3 * 24 * 60))
    monkeypatch.setattr(users, "_verify", lambda *_: False)
    later = users.utcnow() + timedelta(days=2)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    with db.transaction(accounts) as s:
        assert users.sign_in(s, "someone-else", "x").reason == "wrong"
    with db.session(accounts) as s:
        kept = {r.key for r in s.exec(select(SignInGuess))}
    assert kept == {users._guess_key("ghost"), users._guess_key("someone-else")}  # the locked one stays
    with db.transaction(accounts) as s:
        assert users.sign_in(s, "ghost", "x").reason == "locked"


@pytest.mark.parametrize("name", ["dora", "nobody"])
def test_a_count_a_day_old_starts_again_for_a_real_and_a_made_up_name_alike(accounts, monkeypatch, name):
    """A made-up name's count was forgotten after a day while a real account's never decayed: one
    more failure a day later answered "locked" for one and "wrong" for the other."""
    from datetime import timedelta

    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "1")
    monkeypatch.setattr(users, "_verify", lambda *_: False)
    for _ in range(2):
        with db.transaction(accounts) as s:
            assert users.sign_in(s, name, "x").reason == "wrong"
    later = users.utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    with db.transaction(accounts) as s:
        users.sign_in(s, "someone-else", "x")  # the sweep runs
    with db.transaction(accounts) as s:
        result = users.sign_in(s, name, "x")
    assert (result.reason, result.wait) == ("wrong", 1.0)  # counted from one again


@pytest.mark.parametrize("name", ["dora", "ghost"])
def test_guesses_sent_at_once_at_any_name_are_each_counted(accounts, monkeypatch, name):
    """On SQLite a real account's guesses sent at once each read the same count and wrote it plus
    one: eight at once left it at one failure and never locked, while a made-up name locked. Both
    are now counted in one statement per attempt, on both backends."""
    import threading

    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    results: list[str] = []
    start = threading.Barrier(6)

    def guess(i: int) -> None:
        start.wait()
        with db.transaction(accounts) as s:
            results.append(str(users.sign_in(s, name, f"guess {i}").reason))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and "locked" in results
    with db.transaction(accounts) as s:
        assert users.sign_in(s, name, "one more").reason == "locked"


def test_trying_many_other_names_does_not_unlock_a_locked_one(accounts, monkeypatch):
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "2")
    monkeypatch.setattr(users, "_verify", lambda *_: False)  # the work is not what is tested here
    for _ in range(2):
        with db.transaction(accounts) as s:
            users.sign_in(s, "ghost", "x")
    for i in range(50):  # a flood of other names
        with db.transaction(accounts) as s:
            users.sign_in(s, f"made-up-{i}", "x")
    with db.transaction(accounts) as s:
        assert users.sign_in(s, "ghost", "x").reason == "locked"


def test_the_right_password_of_a_disabled_user_is_still_refused(accounts):
    with db.transaction(accounts) as s:
        result = users.sign_in(s, "gone", PASSWORD)
    assert not result.ok and result.reason == "wrong"


# ---------------------------------------------------------------------------------------------
# Single sign-on


@pytest.mark.parametrize("verified", ["false", "False", "0", "", 0, None])
def test_an_e_mail_the_provider_calls_unverified_in_any_spelling_is_refused(accounts, verified):
    """Some providers (Amazon Cognito among them) send ``email_verified`` as the string "false":
    it was taken as verified, so anyone who could set that address at the provider became the user."""
    with db.transaction(accounts) as s:
        result = users.sign_in_oidc(s, {"email": "sso@example.org", "email_verified": verified})
    assert not result.ok


@pytest.mark.parametrize("verified", [True, "true", "TRUE"])
def test_an_e_mail_the_provider_verified_signs_in(accounts, verified):
    with db.transaction(accounts) as s:
        result = users.sign_in_oidc(s, {"email": "SSO@example.org", "email_verified": verified})
    assert result.ok and result.principal is not None and result.principal.name == "sso"


class _Provider:
    """Streamlit's ``st.user`` after a provider's sign-in, and its ``st.logout``."""

    def __init__(self, email: str) -> None:
        self.signed_in = True
        self.email = email
        self.logouts = 0

    @property
    def is_logged_in(self) -> bool:
        return self.signed_in

    def to_dict(self) -> dict[str, Any]:
        return {"is_logged_in": self.signed_in, "email": self.email, "email_verified": True}

    def logout(self) -> None:
        self.logouts += 1
        self.signed_in = False


def test_a_single_sign_on_session_idle_too_long_is_signed_out_and_not_signed_in_again(app_url, monkeypatch):
    """The idle timeout forgot the user, and the same run signed them in again from the provider's
    cookie: a browser left alone stayed signed in for as long as the provider's cookie lasted."""
    engine = open_register(app_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, email="dora@example.org", actor="setup")
    engine.dispose()
    provider = _Provider("dora@example.org")
    monkeypatch.setattr(signin, "_provider_signed_in", lambda: provider.signed_in)
    monkeypatch.setattr(st, "user", provider)
    monkeypatch.setattr(st, "logout", provider.logout)
    monkeypatch.setenv("ROPA_SESSION_IDLE_MINUTES", "30")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    secrets = tomllib.loads(text.split("```toml\n", 1)[1].split("```", 1)[0])
    at = _app(**secrets)
    at.run()
    assert not at.exception, at.exception
    assert any("dora" in c.value for c in at.sidebar.caption)
    at.session_state["ropa_seen"] = time.time() - 31 * 60
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Sign in"
    assert any("idle too long" in i.value for i in at.info)
    assert provider.logouts == 1 and not any("dora" in c.value for c in at.sidebar.caption)


# ---------------------------------------------------------------------------------------------
# DNS rebinding: another website reaching the app on 127.0.0.1 under its own name


@pytest.mark.parametrize("host", ["rebind.evil.example:8501", "rebind.evil.example", "10.0.0.7:8501"])
def test_a_register_without_users_opened_under_another_name_gives_nothing(app_url, monkeypatch, host):
    """A page of another site whose name is rebound to 127.0.0.1 talks to the app as a same-origin
    request (Streamlit checks only that the Origin's host equals the Host header): the DPO's
    browser, visiting that site, would hand it the register and the first admin account."""
    monkeypatch.setattr(signin, "_request_host", lambda: host)
    at = _app()
    at.run()
    assert not at.exception, at.exception
    assert any("DNS rebinding" in e.value for e in at.error)
    assert not at.metric
    at.switch_page("ropa/ui/pages/users.py").run()
    assert not at.exception, at.exception
    assert not at.text_input and not [b for b in at.button if "users_add" in str(b.key)]


@pytest.mark.parametrize("host", ["localhost:8501", "127.0.0.1:8501", "[::1]:8501", "LOCALHOST", None])
def test_a_register_without_users_opened_as_this_computer_opens(app_url, monkeypatch, host):
    monkeypatch.setattr(signin, "_request_host", lambda: host)
    at = _app()
    at.run()
    assert not at.exception, at.exception
    assert not at.error and at.metric


def test_the_host_is_read_from_the_request_headers(monkeypatch):
    class Context:
        headers = {"Host": "rebind.evil.example:8501"}

    monkeypatch.setattr(st, "context", Context())
    assert signin._request_host() == "rebind.evil.example:8501"
    assert signin._foreign_host() == "rebind.evil.example:8501"


def test_two_old_made_up_names_tried_at_once_do_not_deadlock(accounts, monkeypatch):
    """Each attempt held its own name's row and then swept old names, waiting for the other's row:
    two names a day old tried at once deadlocked on PostgreSQL, and the page crashed."""
    import threading
    from datetime import timedelta

    def slow(*_: Any) -> bool:
        time.sleep(0.3)  # both attempts hold their rows at the same time
        return False

    monkeypatch.setattr(users, "_verify", lambda *_: False)
    for name in ("ghost-a", "ghost-b"):
        with db.transaction(accounts) as s:
            users.sign_in(s, name, "x")
    later = users.utcnow() + timedelta(days=2)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    monkeypatch.setattr(users, "_verify", slow)
    errors: list[BaseException] = []
    answers: list[str] = []
    start = threading.Barrier(2)

    def guess(name: str) -> None:
        start.wait()
        try:
            with db.transaction(accounts) as s:
                answers.append(str(users.sign_in(s, name, "x").reason))
        except BaseException as exc:  # noqa: BLE001 - the test reports what went wrong
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(n,)) for n in ("ghost-a", "ghost-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and answers == ["wrong", "wrong"]

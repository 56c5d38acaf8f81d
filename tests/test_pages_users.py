"""The Users page (AppTest through app.py, signed in): whoever may administer users (an admin, a
dpo for all organisations) finds it in the navigation and lists, adds, disables, enables, changes
role and organisations and sets passwords there, in both languages; a scoped dpo, an editor and a
viewer find no such page, and reaching the page file anyway is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ropa import access, db, users
from ropa.demo import open_register
from ropa.models import AuditEvent, UserAccount, utcnow
from ropa.text import markdown
from tests.conftest import app_page

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
ORG, OTHER = "Janteloppet", "Allprofil AS"
USERS_PAGE = "ropa/ui/pages/users.py"


@pytest.fixture
def url(sqlite_demo_url: str, monkeypatch: Any) -> Any:
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="ada")
        users.add_user(s, "dana", role="dpo", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[ORG], actor="ada")
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    st.cache_resource.clear()
    yield sqlite_demo_url
    st.cache_resource.clear()


def _engine(url: str) -> Any:
    return open_register(url, demo_if_new=False)


def signed_in(name: str, lang: str = "nb") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def users_page(name: str, lang: str = "nb") -> AppTest:
    at = signed_in(name, lang)
    at.switch_page(USERS_PAGE).run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest) -> Any:
    return at.dataframe[0].value


def _account(url: str, name: str) -> tuple[str, list[str], bool]:
    engine = _engine(url)
    with db.session(engine) as s:
        u = users.get_user(s, name)
        found = (u.role, users.organisations_of(s, u), u.enabled)
    engine.dispose()
    return found


@pytest.mark.parametrize("who", ["ada", "dora"])
def test_whoever_may_administer_users_finds_the_page_and_the_list(url, who):
    at = users_page(who)
    assert at.title[0].value == "Brukere"
    table = _table(at)
    assert list(table.columns) == ["Navn", "E-post", "Rolle", "Virksomheter", "Aktiv", "Låst til", "Sist innlogget"]
    rows = {r["Navn"]: r for r in table.to_dict("records")}
    assert set(rows) == {"ada", "dora", "dana", "ed", "vera"}
    assert rows["ed"]["Rolle"] == "redaktør" and rows["ed"]["Virksomheter"] == ORG and rows["ed"]["Aktiv"] == "ja"
    assert rows["dora"]["Virksomheter"] == "alle virksomheter"
    assert rows[who]["Sist innlogget"].endswith((" CET", " CEST"))  # the sign-in just made, in Oslo time
    assert rows["vera"]["Sist innlogget"] == ""


@pytest.mark.parametrize("who", ["dana", "ed", "vera"])
def test_others_find_no_users_page_and_the_page_itself_refuses(url, who):
    at = signed_in(who)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(USERS_PAGE)  # not in their navigation
    engine = _engine(url)
    with db.session(engine) as s:
        me = access.load_principal(s, who)
    engine.dispose()
    at = app_page("users", "nb", ropa_principal=me)  # the page file reached directly
    assert [e.value for e in at.error] and "har ikke tillatelse til å administrere brukere (user.admin)" in at.error[0].value
    assert not at.dataframe and not at.text_input  # no list, no forms
    at = app_page("users", "en", ropa_principal=me)
    assert "is not allowed to administer users (user.admin)" in at.error[0].value


def test_an_admin_adds_a_user_with_the_password_typed_twice(url):
    at = users_page("ada")
    at.text_input(key="users_new_name").input("nina")
    at.text_input(key="users_new_email").input("Nina@Example.org")
    at.selectbox(key="users_new_role").set_value("viewer")
    at.multiselect(key="users_new_orgs").set_value([ORG, OTHER])
    at.text_input(key="users_new_password").input("a long passphrase")
    at.text_input(key="users_new_again").input("another passphrase")
    at = click(at, "users_add")
    assert at.dataframe[-1].value.to_dict("records") == [{"Hvor": "password_again", "Hva": "de to passordene er ulike; ingenting ble endret"}]
    engine = _engine(url)
    with db.session(engine) as s:
        assert not s.execute(select(UserAccount).where(UserAccount.name == "nina")).first()  # nothing written
    at.text_input(key="users_new_again").input("a long passphrase")
    at = click(at, "users_add")
    assert _account(url, "nina") == ("viewer", [OTHER, ORG], True)
    assert {r["Navn"] for r in _table(at).to_dict("records")} >= {"nina"}
    assert at.text_input(key="users_new_name").value == ""  # the form is cleared for the next one
    with db.transaction(engine) as s:
        assert users.sign_in(s, "nina", "a long passphrase").ok
        created = s.execute(select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_key == "nina", AuditEvent.action == "create")).scalar_one()
        assert (created.actor, created.source) == ("ada", "dashboard")
    engine.dispose()


def test_problems_are_shown_in_the_page_language_and_nothing_is_written(url):
    at = users_page("ada", "en")
    at.text_input(key="users_new_name").input("ED")  # taken, regardless of case
    at.selectbox(key="users_new_role").set_value("editor")  # and no organisation
    at.text_input(key="users_new_password").input("short")
    at.text_input(key="users_new_again").input("short")
    at = click(at, "users_add")
    assert at.error and at.error[0].value.startswith("The input was rejected")
    problems = at.dataframe[-1].value.to_dict("records")
    assert {p["Where"] for p in problems} == {"name", "org", "password"}
    assert any("already exists" in p["What"] for p in problems)
    at = users_page("ada", "nb")
    at.text_input(key="users_new_name").input("ED")
    at.text_input(key="users_new_password").input("a long passphrase")
    at.text_input(key="users_new_again").input("a long passphrase")
    at = click(at, "users_add")
    problems = at.dataframe[-1].value.to_dict("records")
    assert any("finnes allerede en bruker" in p["Hva"] for p in problems)


def test_an_admin_changes_role_and_organisations_disables_enables_and_sets_a_password(url, monkeypatch):
    at = users_page("ada")
    at.selectbox(key="users_pick").set_value("ed")
    at.run()
    assert at.selectbox(key="users_edit_role").value == "editor"
    assert at.multiselect(key="users_edit_orgs").value == [ORG]
    at.selectbox(key="users_edit_role").set_value("viewer")
    at.multiselect(key="users_edit_orgs").set_value([ORG, OTHER])
    at = click(at, "users_save_access")
    assert _account(url, "ed") == ("viewer", [OTHER, ORG], True)

    at = click(at, "users_toggle")  # disable
    assert _account(url, "ed")[2] is False
    assert any("ed er deaktivert" in w.value for w in at.warning)
    at = click(at, "users_toggle")  # enable again
    assert _account(url, "ed")[2] is True

    engine = _engine(url)
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "1")
    with db.transaction(engine) as s:
        assert users.sign_in(s, "ed", "guess").reason == "locked"
    at.run()
    assert any("låst til" in w.value and (" CET" in w.value or " CEST" in w.value) for w in at.warning)
    assert _table(at).set_index("Navn").loc["ed", "Låst til"].endswith(("CET", "CEST"))
    at.text_input(key="users_pw").input("a fresh passphrase")
    at.text_input(key="users_pw_again").input("a fresh passphrase")
    at = click(at, "users_set_password")
    assert not at.error
    with db.transaction(engine) as s:
        assert users.sign_in(s, "ed", "a fresh passphrase").ok  # the lock is lifted
        trail = [
            (e.field, e.actor, e.source)
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_key == "ed", AuditEvent.action == "update").order_by(AuditEvent.id)
            ).scalars()
        ]
    engine.dispose()
    assert trail == [
        ("role", "ada", "dashboard"),
        ("organisations", "ada", "dashboard"),
        ("enabled", "ada", "dashboard"),
        ("enabled", "ada", "dashboard"),
        ("password", "ada", "dashboard"),
    ]


def test_the_last_global_administrator_cannot_be_demoted_from_the_page(url):
    engine = _engine(url)
    with db.transaction(engine) as s:
        users.set_enabled(s, "dora", False, actor="ada")
    engine.dispose()
    at = users_page("ada", "en")
    at.selectbox(key="users_pick").set_value("ada")
    at.run()
    at.multiselect(key="users_edit_orgs").set_value([ORG])  # an admin of one organisation only
    at = click(at, "users_save_access")
    problems = at.dataframe[-1].value.to_dict("records")
    assert [p["Where"] for p in problems] == ["name"] and "last enabled admin" in problems[0]["What"]
    assert _account(url, "ada") == ("admin", [], True)
    at = click(at, "users_toggle")  # nor disabled
    assert "last enabled admin" in " ".join(str(v) for v in at.dataframe[-1].value.to_numpy().ravel())
    assert _account(url, "ada")[2] is True


def test_without_users_the_local_administrator_adds_the_first(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_USER", "local-person")
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["lang"] = "en"
        at.run()
        at.switch_page(USERS_PAGE).run()  # the local administrator may administer users
        assert any("no users yet" in i.value for i in at.info)
        at.text_input(key="users_new_name").input("anna")
        at.text_input(key="users_new_password").input(PASSWORD)
        at.text_input(key="users_new_again").input(PASSWORD)
        assert at.selectbox(key="users_new_role").value == "dpo"
        at.button(key="users_add").click()
        at.run()
        assert not at.exception, at.exception
        assert at.title[0].value == "Sign in"  # from now on sign-in is required
        assert _account(url, "anna") == ("dpo", [], True)
        engine = _engine(url)
        with db.session(engine) as s:
            event = s.execute(select(AuditEvent).where(AuditEvent.entity == "user")).scalar_one()
        engine.dispose()
        assert (event.actor, event.action) == ("local-person", "create")
    finally:
        st.cache_resource.clear()


def test_locks_that_ran_out_are_not_shown(url):
    engine = _engine(url)
    with db.transaction(engine) as s:
        s.execute(UserAccount.__table__.update().where(UserAccount.name == "vera").values(locked_until=utcnow()))
    with db.session(engine) as s:
        assert {a.name: a.locked_until for a in users.accounts(s, actor="ada")}["vera"] is None
    engine.dispose()


def test_a_hostile_user_name_stays_text(url):
    engine = _engine(url)
    hostile = '=HYPERLINK("http://x") ![p](http://e/p.png)'
    with db.transaction(engine) as s:
        users.add_user(s, hostile, role="viewer", password=PASSWORD, orgs=[ORG], actor="ada")
        users.set_enabled(s, hostile, False, actor="ada")
    engine.dispose()
    at = users_page("ada", "en")
    names = list(_table(at)["Name"])
    assert "'" + hostile in names  # a CSV download cannot run it
    at.selectbox(key="users_pick").set_value(hostile)
    at.run()
    warning = next(w.value for w in at.warning if "is disabled" in w.value)
    assert "![p]" not in warning and markdown(hostile) in warning  # shown as typed, loads nothing

"""Attacks by a signed-in editor or viewer of one organisation on the accountability features
(history, restore, snapshots, as-of copies, users), on SQLite and PostgreSQL: each test is a hole
that was found open and is closed now."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ropa import access, db, restore, timeline, users, versions
from ropa.errors import NotFound, PermissionDenied
from ropa.models import utcnow
from ropa.register.activities import create_activity, delete_activity, list_activities
from ropa.register.audit import activity_history, recent_changes
from ropa.register.organisations import create_organisation, delete_organisation, list_organisations

PASSWORD = "correct horse battery"
MINE, THEIRS = "Foo A", "Foo A/S"  # a Danish company suffix: one organisation's name is the other's plus "/S"


@pytest.fixture
def prefixed(engine: Any) -> Any:
    """Two organisations, one's name a prefix of the other's up to a slash; an editor and a viewer of the shorter one."""
    with db.transaction(engine) as s:
        for org in (MINE, THEIRS):
            create_organisation(s, {"name": org}, actor="setup")
        create_activity(s, MINE, {"ref": "R1", "name": "Mine", "purposes": ["Ours"]}, actor="setup")
        create_activity(s, THEIRS, {"ref": "R1", "name": "Secret payroll", "purposes": ["Theirs, secret"]}, actor="setup")
        create_activity(s, THEIRS, {"ref": "R2", "name": "Secret deleted", "purposes": ["Gone, secret"]}, actor="setup")
        delete_activity(s, THEIRS, "R2", actor="setup")
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[MINE], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[MINE], actor="ada")
    return engine


def _as(s: Any, name: str) -> Any:
    return access.reading_as(access.principal(s, name))


def test_history_of_one_organisation_leaves_out_another_whose_name_extends_it(prefixed):
    with db.session(prefixed) as s, _as(s, "vera"):
        keys = {e.entity_key for e in recent_changes(s, org=MINE)}
        assert keys and not any(k == THEIRS or k.startswith(f"{THEIRS}/") for k in keys)
        keys = {e.entity_key for e in recent_changes(s)}
        assert not any(k == THEIRS or k.startswith(f"{THEIRS}/") for k in keys)


def test_an_activity_of_another_organisation_is_not_a_version_of_mine(prefixed):
    with db.session(prefixed) as s, _as(s, "vera"):
        assert restore.deleted(s, MINE) == []  # THEIRS' deleted R2 is not MINE's 'S/R2'
        for ref in ("S/R1", "S/R2"):
            with pytest.raises(NotFound):
                restore.history(s, MINE, ref)
    with db.transaction(prefixed) as s, pytest.raises(NotFound):
        restore.restore_activity(s, MINE, "S/R2", 1, expected_version=None, actor="ed", source="test")
    with db.session(prefixed) as s:
        assert [a.ref for a in list_activities(s, org=MINE)] == ["R1"]


def test_an_activity_whose_ref_holds_a_slash_is_rebuilt_in_its_own_organisation(prefixed):
    with db.transaction(prefixed) as s:
        create_activity(s, MINE, {"ref": "S/R9", "name": "Planted", "purposes": ["Planted by an editor"]}, actor="ed")
    with db.session(prefixed) as s:
        doc = timeline.register_at(s, utcnow()).document
        acts = {o["name"]: sorted(a["ref"] for a in o["activities"]) for o in doc["organisations"]}
        assert acts == {MINE: ["R1", "S/R9"], THEIRS: ["R1"]}
        with _as(s, "vera"):
            state = versions.state_of(s, utcnow())
        assert [o["name"] for o in state.document["organisations"]] == [MINE]
        with _as(s, "vera"):
            assert [v.version for v in restore.history(s, MINE, "S/R9")] == [1]


def test_the_trail_of_another_organisation_is_not_read_by_naming_it(prefixed):
    with db.session(prefixed) as s, _as(s, "vera"):
        assert activity_history(s, MINE, "S/R1") == []  # THEIRS' R1 has that key
        with pytest.raises(PermissionDenied):
            activity_history(s, THEIRS, "R1")
        with pytest.raises(PermissionDenied):
            recent_changes(s, org=THEIRS)


def test_what_a_page_kept_for_one_user_is_gone_when_another_signs_in_on_that_browser(monkeypatch, sqlite_demo_url):
    """The Versions page keeps the files it made (the whole register, for a dpo) in the browser
    session; a viewer of one organisation signing in next on that browser must not be offered them."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ropa.demo import open_register

    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
    engine.dispose()
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        at.run()

        def sign_in(name: str) -> None:
            at.text_input(key="signin_name").input(name)
            at.text_input(key="signin_password").input(PASSWORD)
            at.button[0].click()
            at.run()
            assert not at.exception, at.exception

        sign_in("dora")
        at.switch_page("ropa/ui/pages/versions.py").run()
        at.button(key="versions_make").click().run()
        assert not at.exception, at.exception
        assert "versions_files" in at.session_state and at.session_state["versions_files"]["acts"] > 0
        whole = at.session_state["versions_files"]["acts"]
        at.sidebar.button(key="signout").click().run()
        sign_in("vera")
        at.switch_page("ropa/ui/pages/versions.py").run()
        assert not at.exception, at.exception
        left = at.session_state["versions_files"]["acts"] if "versions_files" in at.session_state else 0
        assert left < whole  # dora's whole register is not offered to vera
    finally:
        st.cache_resource.clear()


@pytest.mark.parametrize("moment", ["9999-12-31", "0001-01-01T00:30", "9999-12-31T23:59-12:00"])
def test_a_moment_beyond_the_calendar_is_a_clear_error(engine, moment):
    from ropa.errors import ValidationFailed

    with db.session(engine) as s, pytest.raises(ValidationFailed, match="years 1 to 9999"):
        versions.state_of(s, moment)
    with db.transaction(engine) as s, pytest.raises(ValidationFailed, match="would read as a moment"):
        versions.create(s, moment, actor="dora")


def test_the_cli_says_so_for_a_moment_beyond_the_calendar(tmp_path, capsys):
    from ropa import cli

    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert cli.main(["--database-url", url, "init", "--demo"]) == 0
    capsys.readouterr()
    assert cli.main(["--database-url", url, "export", "--as-of", "9999-12-31", str(tmp_path / "x.json")]) != 0
    err = capsys.readouterr().err
    assert "years 1 to 9999" in err and "unexpected" not in err
    assert not (tmp_path / "x.json").exists()


@pytest.fixture
def demo_users(demo_engine: Any) -> Any:
    with db.transaction(demo_engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=["Janteloppet"], actor="dora")
    return demo_engine


def _file_for_another_organisation(engine: Any, path: Any) -> str:
    """A JSON file naming another organisation's activity, changed: its preview would show the old values."""
    from ropa.register import interchange

    with db.session(engine) as s, access.reading_as(None):
        document = interchange.export_document(s, ["Allprofil AS"])
    act = document["organisations"][0]["activities"][0]
    act["name"] = "Renamed by an outsider"
    act.pop("version", None)
    path.write_text(interchange.dumps(document), encoding="utf-8")
    return act["ref"]


@pytest.mark.parametrize("who", ["ed", "vera"])
def test_the_import_preview_does_not_show_another_organisation(demo_users, tmp_path, who):
    from ropa import imports, isolation

    file = tmp_path / "theirs.json"
    _file_for_another_organisation(demo_users, file)
    with db.session(demo_users) as s, _as(s, who), pytest.raises(PermissionDenied):
        imports.plan(s, file)
    with db.session(demo_users) as s:
        me = access.principal(s, who)
    with access.reading_as(me), pytest.raises(PermissionDenied):
        isolation.plan_file(demo_users, file)  # the page reads uploads in a child process: the reader goes with it


@pytest.mark.parametrize("mine, theirs", [("Straße AS", "STRASSE AS"), ("Oﬃce AS", "Office AS")])
def test_an_organisation_whose_name_folds_to_mine_is_not_mine(engine, mine, theirs):
    """The register holds both (its names differ in lower case); casefold() made them one for the access rules."""
    with db.transaction(engine) as s:
        for org in (mine, theirs):
            create_organisation(s, {"name": org}, actor="setup")
        create_activity(s, theirs, {"ref": "B1", "name": "Theirs"}, actor="setup")
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[mine], actor="ada")
    with db.transaction(engine) as s, pytest.raises(PermissionDenied):
        create_activity(s, theirs, {"ref": "PLANT", "name": "Planted"}, actor="ed")
    with db.session(engine) as s, _as(s, "ed"):
        assert [o.name for o in list_organisations(s)] == [mine]
        with pytest.raises(PermissionDenied):
            versions.state_of(s, "now", orgs=[theirs])


def test_an_organisation_created_since_does_not_inherit_the_past_of_a_deleted_one(engine):
    """SQLite gives a new row the id of the last one deleted: the past of the deleted organisation
    (in a snapshot, or rebuilt from the trail) must not be read as the new one's."""
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Alpha"}, actor="setup")
        create_organisation(s, {"name": "Beta"}, actor="setup")
        create_activity(s, "Beta", {"ref": "B1", "name": "Beta's secret"}, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        versions.create(s, "before the merger", actor="dora")
    then = utcnow()
    with db.transaction(engine) as s:
        delete_organisation(s, "Beta", actor="dora")
        create_organisation(s, {"name": "Gamma"}, actor="dora")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=["Gamma"], actor="dora")
    with db.session(engine) as s, _as(s, "vera"):
        for ref in ("before the merger", then):
            state = versions.state_of(s, ref)
            assert state.document["organisations"] == [], ref
            assert versions.diff(s, ref).added == []  # Gamma's activities, if any, only


def test_a_click_in_a_session_idle_too_long_does_nothing(monkeypatch, sqlite_demo_url):
    """A button's callback runs before the sign-in check of its run: the idle timeout must hold for it too."""
    import time
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ropa.demo import open_register

    engine = open_register(sqlite_demo_url, demo_if_new=False)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0")
    monkeypatch.setenv("ROPA_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        at.run()
        at.text_input(key="signin_name").input("dora")
        at.text_input(key="signin_password").input(PASSWORD)
        at.button[0].click()
        at.run()
        at.switch_page("ropa/ui/pages/organisations.py").run()
        assert not at.exception, at.exception
        at.text_input(key="orgnew_name").input("Planted after the timeout")
        at.session_state["ropa_seen"] = time.time() - 31 * 60  # dora left the screen half an hour ago
        at.button(key="orgnew_submit").click().run()
        assert at.title[0].value == "Logg inn"
        with db.session(engine) as s:
            assert "Planted after the timeout" not in [o.name for o in list_organisations(s)]
    finally:
        st.cache_resource.clear()
        engine.dispose()


def test_nobody_can_be_named_as_the_signed_out_session_acts(engine):
    from ropa.errors import ValidationFailed

    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
    with db.transaction(engine) as s, pytest.raises(ValidationFailed, match="parentheses"):
        users.add_user(s, users.SIGNED_OUT, role="dpo", password=PASSWORD, actor="dora")
    with db.transaction(engine) as s, pytest.raises(PermissionDenied):
        create_organisation(s, {"name": "Planted"}, actor=users.SIGNED_OUT)


@pytest.mark.parametrize("ref", ["99999999999999999999", "9" * 5000, "2147483648"])
def test_a_snapshot_number_beyond_any_row_is_not_found(engine, ref):
    with db.session(engine) as s, pytest.raises(NotFound):
        versions.get(s, ref)
    with db.session(engine) as s, pytest.raises(NotFound, match="not a date"):
        versions.state_of(s, ref)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # a race needs two writers at once: SQLite lets one in
def test_two_admins_disabling_each_other_at_once_leave_one(engine, backend):
    """Each sees two enabled admins and disables the other: the second must see the first's change."""
    import threading

    from sqlalchemy import select as select_

    from ropa.errors import ValidationFailed
    from ropa.models import UserAccount

    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "bea", role="admin", password=PASSWORD, actor="ada")
    outcome: list[Any] = []

    def bea_disables_ada() -> None:
        try:
            with db.transaction(engine) as s:
                users.set_enabled(s, "ada", False, actor="bea")
            outcome.append("done")
        except ValidationFailed as err:
            outcome.append(err)

    with db.transaction(engine) as s:
        users.set_enabled(s, "bea", False, actor="ada")
        other = threading.Thread(target=bea_disables_ada)
        other.start()
        other.join(timeout=2)  # bea's save waits for ada's, or (the hole) goes through at once
    other.join(timeout=30)
    with db.session(engine) as s:
        enabled = [u.name for u in s.execute(select_(UserAccount).where(UserAccount.enabled)).scalars()]
    assert enabled == ["ada"], outcome
    assert isinstance(outcome[0], ValidationFailed)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # a race needs two writers at once: SQLite lets one in
def test_guesses_at_once_are_each_counted_towards_the_lock(engine, backend):
    """Sign-in attempts in parallel sessions read the failure count together: each must still count."""
    import threading

    from ropa.models import UserAccount

    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")

    def guess() -> None:
        with db.transaction(engine) as s:
            users.sign_in(s, "ada", "wrong guess")

    with db.transaction(engine) as s:
        assert not users.sign_in(s, "ada", "first guess").ok
        other = threading.Thread(target=guess)
        other.start()
        other.join(timeout=2)  # the second guess waits for the first, or (the hole) counts from the same 0
    other.join(timeout=30)
    with db.session(engine) as s:
        assert s.execute(select(UserAccount.failed_signins).where(UserAccount.name == "ada")).scalar_one() == 2


def test_a_user_or_snapshot_named_like_an_organisation_is_not_in_its_history(prefixed):
    with db.transaction(prefixed) as s:
        users.add_user(s, f"{MINE}/boss", role="viewer", password=PASSWORD, orgs=[THEIRS], actor="ada")
        users.set_password(s, f"{MINE}/boss", "a new secret passphrase", actor="ada")
        versions.create(s, f"{MINE} before the audit", actor="ada")
    with db.session(prefixed) as s, _as(s, "vera"):
        for events in (recent_changes(s, org=MINE), recent_changes(s)):
            assert {e.entity for e in events} <= {"organisation", "activity", "recipient", "term", "setting"}


def test_naming_another_organisation_in_a_past_state_does_not_tell_whether_it_existed(prefixed):
    with db.session(prefixed) as s, _as(s, "vera"):
        for name in (THEIRS, "Never existed AS"):
            with pytest.raises(PermissionDenied):
                versions.state_of(s, "2020-01-01", orgs=[name])
        with pytest.raises(NotFound):  # their own, before it existed
            versions.state_of(s, "2020-01-01", orgs=[MINE])


@pytest.mark.parametrize("label", ["year end \x9b2J", "year end \u202egnp.exe", "year end\u2028second line", "\x1b]0;owned\x07"])
def test_a_snapshot_label_holds_no_control_or_reordering_characters(engine, label):
    from ropa.errors import ValidationFailed

    with db.transaction(engine) as s, pytest.raises(ValidationFailed, match="control characters"):
        versions.create(s, label, actor="dora")


@pytest.mark.parametrize("name", ["ed\x1b[2J", "ed\u202enimda", "ed\x9b31m", "ed\u2028dora"])
def test_a_user_name_holds_no_control_or_reordering_characters(engine, name):
    from ropa.errors import ValidationFailed

    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
    with db.transaction(engine) as s, pytest.raises(ValidationFailed, match="control"):
        users.add_user(s, name, role="viewer", password=PASSWORD, orgs=[], actor="dora")


def test_a_tab_opened_before_sign_in_was_required_cannot_act_as_the_user_of_its_name(monkeypatch, sqlite_demo_url):
    """Without users the dashboard acts as the local administrator, named by the login (ROPA_USER).
    Once the operator adds themself under that name, a tab still open from before must not act as them."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ropa.demo import open_register

    monkeypatch.setenv("ROPA_USER", "kari")
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        at.run()
        at.switch_page("ropa/ui/pages/organisations.py").run()
        assert not at.exception, at.exception
        with db.transaction(engine) as s:
            users.add_user(s, "kari", role="dpo", password=PASSWORD, actor="kari")  # sign-in is required from now on
        at.text_input(key="orgnew_name").input("Planted from an old tab")
        at.button(key="orgnew_submit").click().run()
        assert at.title[0].value == "Logg inn"
        with db.session(engine) as s:
            assert "Planted from an old tab" not in [o.name for o in list_organisations(s)]
    finally:
        st.cache_resource.clear()
        engine.dispose()

"""Administering accounts through :mod:`ropa.users` (SQLite and PostgreSQL) and the CLI: role and
organisation changes audited item by item, the last global admin kept, the user list with the
last sign-in, and "user admin" in the role matrix for a user of an assigned and of an unassigned
organisation (every account operation, not only adding)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from ropa import cli, db, users
from ropa.demo import open_register
from ropa.errors import MESSAGE_LANG, PermissionDenied, ValidationFailed
from ropa.models import AuditEvent, UserAccount, UserOrganisation

ORG, OTHER = "Janteloppet", "Allprofil AS"
PASSWORD = "correct horse battery"


def _seed(engine: Any) -> None:
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="ada")
        users.add_user(s, "dana", role="dpo", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[ORG], actor="ada")
        users.add_user(s, "eva", role="editor", password=PASSWORD, orgs=[ORG], actor="ada")  # accounts acted on: of the
        users.add_user(s, "olav", role="editor", password=PASSWORD, orgs=[OTHER], actor="ada")  # assigned and the other


@pytest.fixture
def register(demo_engine: Any) -> Any:
    _seed(demo_engine)
    return demo_engine


def _state(engine: Any) -> tuple[Any, ...]:
    with db.session(engine) as s:
        return (
            s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            sorted(s.execute(select(UserAccount.name, UserAccount.role, UserAccount.enabled, UserAccount.password_hash)).all()),
            sorted(s.execute(select(UserOrganisation.user_id, UserOrganisation.organisation_id)).all()),
        )


def _trail(engine: Any, name: str) -> list[tuple[Any, ...]]:
    with db.session(engine) as s:
        return [
            (e.action, e.field, e.actor, e.old_value, e.new_value, e.source)
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_key == name, AuditEvent.action == "update").order_by(AuditEvent.id)
            ).scalars()
        ]


def test_role_and_organisations_change_with_one_audit_event_each(register):
    with db.transaction(register) as s:
        users.set_role(s, "ed", "viewer", actor="ada", source="test")
        users.set_organisations(s, "ed", [OTHER, ORG, ORG.upper()], actor="dora", source="test")  # each once
        users.set_access(s, "ed", role="viewer", orgs=[ORG, OTHER], actor="ada", source="test")  # no change: no event
    with db.session(register) as s:
        u = users.get_user(s, "ed")
        assert (u.role, users.organisations_of(s, u)) == ("viewer", [OTHER, ORG])
    assert _trail(register, "ed") == [
        ("update", "role", "ada", '"editor"', '"viewer"', "test"),
        ("update", "organisations", "dora", json.dumps([ORG]), json.dumps([OTHER, ORG], ensure_ascii=False), "test"),
    ]


def test_a_dpo_made_global_and_an_editor_left_without_organisations(register):
    with db.transaction(register) as s:
        users.set_organisations(s, "dana", [], actor="ada")  # a dpo with none: for all organisations
    with db.session(register) as s:
        from ropa import access

        assert access.load_principal(s, "dana") == access.Principal("dana", "dpo", None)
    with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
        users.set_organisations(s, "ed", [], actor="ada")
    assert [(p.where, p.code) for p in err.value.problems] == [("org", "required")]
    with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
        users.set_access(s, "ed", role="auditor", orgs=["Nowhere AS"], actor="ada")
    assert {(p.where, p.code) for p in err.value.problems} == {("role", "unknown"), ("org", "unknown")}


def test_the_last_enabled_global_admin_or_dpo_stays(register):
    with db.transaction(register) as s:
        users.set_access(s, "dora", role="viewer", orgs=[ORG], actor="ada")  # ada is left as the only one
    before = _state(register)
    for change in (
        lambda s: users.set_role(s, "ada", "viewer", actor="ada"),
        lambda s: users.set_organisations(s, "ada", [ORG], actor="ada"),
        lambda s: users.set_enabled(s, "ada", False, actor="ada"),
    ):
        with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
            change(s)
        assert "last_admin" in {p.code for p in err.value.problems}
    assert _state(register) == before
    with db.transaction(register) as s:  # with a second one, the first may go
        users.set_access(s, "dana", orgs=[], actor="ada")
        users.set_access(s, "ada", role="viewer", orgs=[ORG], actor="ada")
    with db.session(register) as s:
        assert users.get_user(s, "ada").role == "viewer"


def test_problems_speak_the_language_asked_for(register):
    token = MESSAGE_LANG.set("nb")
    try:
        with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
            users.add_user(s, "Ed", role="editor", password="kort", actor="ada")
    finally:
        MESSAGE_LANG.reset(token)
    assert {p.message for p in err.value.problems} == {
        "det finnes allerede en bruker som heter «Ed»",
        "rollen editor trenger minst én virksomhet (--org NAVN)",
        "et passord trenger minst 10 tegn",
    }
    with pytest.raises(ValidationFailed) as err:
        users.confirmed("one passphrase", "another one")
    assert err.value.problems[0].message == "the two passwords differ; nothing was changed"


def test_accounts_list_roles_organisations_and_the_last_sign_in(register):
    with db.transaction(register) as s:
        assert users.sign_in(s, "ed", PASSWORD).ok
        assert users.sign_in(s, "ed", PASSWORD).ok
    with db.session(register) as s:
        found = {a.name: a for a in users.accounts(s, actor="dora")}
        last = s.execute(select(func.max(AuditEvent.at)).where(AuditEvent.action == "signin")).scalar_one()
        with pytest.raises(PermissionDenied) as err:
            users.accounts(s, actor="dana")
    assert err.value.permission == "user.admin"
    assert (found["ed"].role, found["ed"].organisations, found["ed"].enabled) == ("editor", [ORG], True)
    assert found["ed"].last_sign_in is not None and found["ed"].last_sign_in.tzinfo is not None
    assert found["ed"].last_sign_in.replace(tzinfo=None) == last.replace(tzinfo=None)
    assert found["vera"].last_sign_in is None and found["dora"].organisations == []
    assert "password_hash" not in found["ed"].as_dict()


OPS: dict[str, Callable[[Any, str, str], Any]] = {
    "add": lambda s, who, org: users.add_user(s, f"new-{who}-{len(org)}", role="viewer", password=PASSWORD, orgs=[org], actor=who),
    "role": lambda s, who, org: users.set_role(s, TARGET[org], "viewer", actor=who),
    "organisations": lambda s, who, org: users.set_organisations(s, TARGET[org], [org, ORG if org == OTHER else OTHER], actor=who),
    "disable": lambda s, who, org: users.set_enabled(s, TARGET[org], False, actor=who),
    "password": lambda s, who, org: users.set_password(s, TARGET[org], "a brand new passphrase", actor=who),
    "list": lambda s, who, org: users.accounts(s, actor=who),
}
TARGET = {ORG: "eva", OTHER: "olav"}  # an account of the organisation, assigned to the actor or not
ADMINS = {"ada", "dora"}  # a global admin and a global dpo; dana is a dpo of ORG only


@pytest.mark.parametrize("who", ["ada", "dora", "dana", "ed", "vera"])
def test_user_admin_in_the_role_matrix_for_an_assigned_and_an_unassigned_organisation(register, who):
    wrong = []
    for place, org in (("assigned", ORG), ("unassigned", OTHER)):
        for op, run in OPS.items():
            before = _state(register)
            try:
                with db.transaction(register) as s:
                    run(s, who, org)
            except PermissionDenied as err:
                if who in ADMINS:
                    wrong.append(f"{who} {op} {place}: refused ({err})")
                elif err.permission != "user.admin":
                    wrong.append(f"{who} {op} {place}: refused for {err.permission}")
                if _state(register) != before:
                    wrong.append(f"{who} {op} {place}: refused but something was written")
            else:
                if who not in ADMINS:
                    wrong.append(f"{who} {op} {place}: allowed")
                elif op != "list" and _state(register)[0] <= before[0]:
                    wrong.append(f"{who} {op} {place}: no audit event")
            if who in ADMINS and op == "disable":  # put it back for the next operation
                with db.transaction(register) as s:
                    users.set_enabled(s, TARGET[org], True, actor="ada")
    assert not wrong, "\n".join(wrong)


def _cli(monkeypatch: Any, capsys: Any, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_role_in_the_cli(sqlite_demo_url, monkeypatch, capsys):
    engine = open_register(sqlite_demo_url, demo_if_new=False)
    _seed(engine)
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    monkeypatch.delenv("ROPA_USER", raising=False)
    assert _cli(monkeypatch, capsys, "--user", "ada", "user", "role", "ed", "viewer")[1].strip() == f"ed: viewer; {ORG}"
    code, out, _ = _cli(monkeypatch, capsys, "--user", "ada", "user", "role", "ed", "editor", "--org", ORG, "--org", OTHER)
    assert (code, out.strip()) == (0, f"ed: editor; {OTHER}, {ORG}")
    code, out, _ = _cli(monkeypatch, capsys, "--user", "dora", "user", "role", "dana", "dpo", "--global")
    assert (code, out.strip()) == (0, "dana: dpo; all organisations")
    code, _, err = _cli(monkeypatch, capsys, "--user", "ada", "user", "role", "vera", "viewer", "--global")
    assert code == 1 and "org: a viewer needs at least one organisation" in err and "nothing was written" in err
    code, _, err = _cli(monkeypatch, capsys, "--user", "ed", "user", "role", "ed", "dpo", "--global")
    assert code == 1 and "is not allowed to administer users (user.admin)" in err
    code, _, err = _cli(monkeypatch, capsys, "--user", "ada", "user", "role", "ed", "dpo", "--global", "--org", ORG)
    assert code == 2 and "exclude each other" in err
    code, out, _ = _cli(monkeypatch, capsys, "--user", "ada", "user", "list", "--format", "json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["ed"]["organisations"] == [OTHER, ORG] and rows["dana"]["organisations"] == []
    assert set(rows["ed"]) == {"name", "email", "role", "organisations", "enabled", "locked_until", "last_sign_in"}

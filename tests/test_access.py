"""Who may do what: the role matrix through the library (SQLite and PostgreSQL), the audit of
each write, sign-in with lock-out, the identity provider's e-mail mapping, and account rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from ropa import access, db, review, users
from ropa.errors import PermissionDenied, ValidationFailed
from ropa.models import AuditEvent, ProcessingActivity, UserAccount, utcnow
from ropa.register import interchange
from ropa.register.activities import activity_dict, create_activity, delete_activity, list_activities, update_activity
from ropa.register.audit import recent_changes
from ropa.register.checks import check_register
from ropa.register.organisations import list_organisations
from ropa.register.recipients import create_recipient

ASSIGNED, OTHER = "Janteloppet", "Allprofil AS"
PASSWORD = "correct horse battery"


def _seed_users(engine: Any) -> None:
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, email="Dora@Example.org", actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ASSIGNED], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[ASSIGNED], actor="ada")


@pytest.fixture
def register(demo_engine: Any) -> Any:
    _seed_users(demo_engine)
    return demo_engine


def _first_activity(s: Any, org: str) -> Any:
    return list_activities(s, org=org)[0]


def _op_create(s: Any, who: str, org: str) -> None:
    with access.reading_as(None):
        data = activity_dict(_first_activity(s, org))
    data["ref"] = f"NEW-{who}"
    create_activity(s, org, data, actor=who, source="test")


def _op_update(s: Any, who: str, org: str) -> None:
    act = _first_activity(s, org)
    data = activity_dict(act)
    data["description"] = f"changed by {who}"
    update_activity(s, org, act.ref, data, expected_version=act.version, actor=who, source="test")


def _op_delete(s: Any, who: str, org: str) -> None:
    act = list_activities(s, org=org)[-1]
    delete_activity(s, org, act.ref, actor=who, source="test")


def _op_import(s: Any, who: str, org: str) -> None:
    with access.reading_as(None):
        document = interchange.export_document(s, [org])
    document["organisations"][0]["activities"][0]["purposes"].append(f"imported by {who}")
    interchange.import_document(s, document, actor=who, source="test.json")


def _op_export(s: Any, who: str, org: str) -> None:
    with access.reading_as(access.principal(s, who)):
        assert interchange.export_document(s, [org])["organisations"][0]["name"] == org


def _op_check(s: Any, who: str, org: str) -> None:
    with access.reading_as(access.principal(s, who)):
        assert {f.organisation for f in check_register(s, [org])} <= {org}


def _op_user_admin(s: Any, who: str, org: str) -> None:
    users.add_user(s, f"new-{who}-{len(org)}", role="viewer", password=PASSWORD, orgs=[org], actor=who)


def _op_approve(s: Any, who: str, org: str) -> None:
    act = _first_activity(s, org)
    if review.review_of(s, org, act.ref).state != "in_review":
        review.submit(s, org, act.ref, actor="dora")
    review.approve(s, org, act.ref, expected_version=act.version, actor=who)


OPS: dict[str, Callable[[Any, str, str], None]] = {
    "create": _op_create,
    "update": _op_update,
    "delete": _op_delete,
    "import": _op_import,
    "export": _op_export,
    "check": _op_check,
    "user admin": _op_user_admin,
    "approve": _op_approve,
}
MISSING = {
    "create": "activity.edit",
    "update": "activity.edit",
    "delete": "activity.edit",
    "import": "register.import",
    "export": "register.read",
    "check": "register.read",
    "user admin": "user.admin",
    "approve": "activity.approve",
}
ALL = set(OPS)
# What each role may do in the organisation assigned to it, and in one that is not.
MATRIX = {
    "ada": ({"export", "check", "user admin"}, {"export", "check", "user admin"}),  # admin: global
    "dora": (ALL, ALL),  # dpo: global
    "ed": ({"create", "update", "delete", "import", "export", "check"}, set()),  # editor of ASSIGNED
    "vera": ({"export", "check"}, set()),  # viewer of ASSIGNED
}


def _audit_count(engine: Any) -> int:
    with db.session(engine) as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def _activities(engine: Any) -> list[tuple[str, str, int]]:
    with db.session(engine) as s:
        return [(a.ref, a.description or "", a.version) for a in s.execute(select(ProcessingActivity)).scalars()]


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_role_matrix_through_the_library(register, who):
    wrong = []
    for place, org in (("assigned", ASSIGNED), ("unassigned", OTHER)):
        allowed = MATRIX[who][0 if place == "assigned" else 1]
        for op, run in OPS.items():
            before = (_audit_count(register), _activities(register))
            try:
                with db.transaction(register) as s:
                    run(s, who, org)
            except PermissionDenied as err:
                if op in allowed:
                    wrong.append(f"{who} {op} {place}: refused ({err})")
                elif err.permission != MISSING[op] or err.user != who:
                    wrong.append(f"{who} {op} {place}: refused for '{err.permission}', expected '{MISSING[op]}'")
                if (_audit_count(register), _activities(register)) != before:
                    wrong.append(f"{who} {op} {place}: refused but something was written")
            else:
                if op not in allowed:
                    wrong.append(f"{who} {op} {place}: allowed")
                elif op in ("create", "update", "delete", "import", "user admin", "approve") and _audit_count(register) <= before[0]:
                    wrong.append(f"{who} {op} {place}: no audit event")
    assert not wrong, "\n".join(wrong)


def test_every_write_names_the_user_and_source(register):
    with db.transaction(register) as s:
        start = s.execute(select(func.max(AuditEvent.id))).scalar_one()
        _op_update(s, "ed", ASSIGNED)
        create_recipient(s, ASSIGNED, {"name": "Revisor AS", "kind": "processor"}, actor="ed", source="dashboard")
    with db.session(register) as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.field, e.actor, e.source) for e in events] == [("update", "description", "ed", "test"), ("create", None, "ed", "dashboard")]


def test_no_users_means_a_local_administrator_and_a_stranger_is_refused_once_users_exist(demo_engine):
    with db.transaction(demo_engine) as s:
        _op_update(s, "whoever", ASSIGNED)  # no users: any name acts as the local administrator
        assert access.principal(s, "whoever").local
    _seed_users(demo_engine)
    before = _activities(demo_engine)
    with pytest.raises(PermissionDenied) as err, db.transaction(demo_engine) as s:
        _op_update(s, "whoever", ASSIGNED)
    assert err.value.permission == "user.enabled" and "not an enabled user" in str(err.value)
    assert _activities(demo_engine) == before


def test_a_disabled_user_can_no_longer_write_and_the_last_global_admin_stays(register):
    with db.transaction(register) as s:
        users.set_enabled(s, "ed", False, actor="ada")
    with pytest.raises(PermissionDenied), db.transaction(register) as s:
        _op_update(s, "ed", ASSIGNED)
    with db.transaction(register) as s:
        users.set_enabled(s, "dora", False, actor="ada")
    with pytest.raises(ValidationFailed) as err, db.transaction(register) as s:
        users.set_enabled(s, "ada", False, actor="ada")
    assert err.value.problems[0].code == "last_admin"


def test_reads_are_scoped_to_the_assigned_organisations(register):
    with db.session(register) as s, access.reading_as(access.principal(s, "vera")):
        assert [o.name for o in list_organisations(s)] == [ASSIGNED]
        assert {a.organisation.name for a in list_activities(s)} == {ASSIGNED}
        assert [o["name"] for o in interchange.export_document(s)["organisations"]] == [ASSIGNED]
        assert {f.organisation for f in check_register(s)} == {ASSIGNED}
        assert {e.entity_key.split("/")[0] for e in recent_changes(s)} == {ASSIGNED}
        with pytest.raises(PermissionDenied):
            interchange.export_document(s, [OTHER])
        with pytest.raises(PermissionDenied):
            list_activities(s, org=OTHER)
    with db.session(register) as s, access.reading_as(access.principal(s, "dora")):
        assert len(list_organisations(s)) == 5


def test_first_user_must_be_a_global_admin_or_dpo_and_editors_need_an_organisation(demo_engine):
    with pytest.raises(ValidationFailed) as err, db.transaction(demo_engine) as s:
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ASSIGNED], actor="setup")
    assert err.value.problems[0].code == "first_user"
    with db.transaction(demo_engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
    with pytest.raises(ValidationFailed) as err, db.transaction(demo_engine) as s:
        users.add_user(s, "vic", role="viewer", password="short", actor="dora")
    assert {p.code for p in err.value.problems} == {"required", "too_short"}


def test_passwords_are_stored_as_argon2_hashes(register):
    with db.session(register) as s:
        stored = s.execute(select(UserAccount.password_hash).where(UserAccount.name == "ed")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_repeated_failed_sign_ins_slow_down_then_lock(register, monkeypatch):
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ROPA_SIGNIN_DELAY_SECONDS", "0.5")
    results = []
    for _ in range(3):
        with db.transaction(register) as s:
            results.append(users.sign_in(s, "ed", "wrong password"))
    assert [r.reason for r in results] == ["wrong", "wrong", "locked"]
    assert [r.wait for r in results] == [0.5, 1.0, 0.0]  # each failure waits longer (after its transaction: users.pause)
    with db.transaction(register) as s:
        assert users.sign_in(s, "ed", PASSWORD).reason == "locked"  # even the right password
    with db.session(register) as s:
        trail = [
            (e.action, e.field, e.actor)
            for e in s.execute(select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_key == "ed").order_by(AuditEvent.id)).scalars()
        ]
    assert trail[1:] == [("refused", "password", "ed")] * 3 + [("lock", None, "ed"), ("refused", "locked", "ed")]
    with db.transaction(register) as s:  # the lock runs out
        s.execute(UserAccount.__table__.update().where(UserAccount.name == "ed").values(locked_until=utcnow() - timedelta(seconds=1)))
    with db.transaction(register) as s:
        result = users.sign_in(s, "ed", PASSWORD)
    assert result.ok and result.principal == access.Principal("ed", "editor", frozenset({ASSIGNED}))


def test_a_new_password_lifts_the_lock(register, monkeypatch):
    monkeypatch.setenv("ROPA_SIGNIN_MAX_FAILURES", "1")
    with db.transaction(register) as s:
        assert users.sign_in(s, "vera", "nope").reason == "locked"
    with db.transaction(register) as s:
        users.set_password(s, "vera", "a brand new passphrase", actor="ada")
    with db.transaction(register) as s:
        assert users.sign_in(s, "vera", "a brand new passphrase").ok
    with pytest.raises(PermissionDenied), db.transaction(register) as s:  # nobody else's but one's own
        users.set_password(s, "ed", "a brand new passphrase", actor="vera")


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "dora@example.ORG", "email_verified": True}, "dora"),
        ({"email": "dora@example.org"}, "dora"),
        ({"email": "dora@example.org", "email_verified": False}, None),
        ({"email": "someone@example.org"}, None),
        ({}, None),
    ],
)
def test_identity_provider_e_mail_maps_to_a_user(register, claims, expected):
    with db.transaction(register) as s:
        result = users.sign_in_oidc(s, claims)
    assert (result.principal.name if result.principal else None) == expected
    if expected is None:
        assert result.reason == "no_user_for_email"


def test_a_disabled_user_cannot_sign_in_by_e_mail_either(register):
    with db.transaction(register) as s:
        users.add_user(s, "other", role="dpo", password=PASSWORD, actor="ada")
        users.set_enabled(s, "dora", False, actor="ada")
    with db.transaction(register) as s:
        assert not users.sign_in_oidc(s, {"email": "dora@example.org"}).ok
        assert not users.sign_in(s, "dora", PASSWORD).ok

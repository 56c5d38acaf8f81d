"""The review cycle: owner, draft -> in_review -> approved by a DPO with the version recorded, an
edit after approval back to review with the approved record kept, and the tasks (library, CLI)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ropa import cli, db, review, users
from ropa.errors import Conflict, PermissionDenied, ValidationFailed
from ropa.models import AuditEvent
from ropa.register.activities import activity_dict, get_activity, update_activity

ORG = "Janteloppet"
PASSWORD = "correct horse battery"


@pytest.fixture
def register(demo_engine: Any) -> Any:
    with db.transaction(demo_engine) as s:
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ORG], actor="dora")
    return demo_engine


def _version(engine: Any, ref: str) -> int:
    with db.session(engine) as s:
        return get_activity(s, ORG, ref).version


def test_approval_cycle(register):
    with db.transaction(register) as s:
        review.set_owner(s, ORG, "JL-01", "ed", actor="ed")
        review.submit(s, ORG, "JL-01", actor="ed")
    with pytest.raises(PermissionDenied) as err, db.transaction(register) as s:  # an editor cannot approve
        review.approve(s, ORG, "JL-01", expected_version=_version(register, "JL-01"), actor="ed")
    assert err.value.permission == "activity.approve"
    with pytest.raises(Conflict), db.transaction(register) as s:  # approve what you read, not a newer version
        review.approve(s, ORG, "JL-01", expected_version=_version(register, "JL-01") - 1, actor="dora")
    with db.transaction(register) as s:
        row = review.approve(s, ORG, "JL-01", expected_version=_version(register, "JL-01"), actor="dora", today=date(2026, 3, 31))
    with db.session(register) as s:
        act = get_activity(s, ORG, "JL-01")
        row = review.review_of(s, ORG, "JL-01")
        assert (row.state, row.approved_by, row.approved_version) == ("approved", "dora", act.version)
        assert act.last_review == date(2026, 3, 31) and act.next_review == date(2027, 3, 31)
        approved = dict(row.approved_record)
    # An edit sends it back to review; the approved version stays as it was.
    with db.transaction(register) as s:
        act = get_activity(s, ORG, "JL-01")
        data = activity_dict(act)
        data["description"] = "changed after approval"
        update_activity(s, ORG, "JL-01", data, expected_version=act.version, actor="ed", source="test")
    with db.session(register) as s:
        row = review.review_of(s, ORG, "JL-01")
        assert row.state == "in_review" and row.approved_record == approved
        assert row.approved_record["description"] != "changed after approval"
        trail = [
            (e.action, e.actor)
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.entity_key == f"{ORG}/JL-01", AuditEvent.field == "review").order_by(AuditEvent.id)
            ).scalars()
        ]
    assert trail == [("update", "ed"), ("submit", "ed"), ("approve", "dora"), ("update", "ed")]


def test_only_an_activity_in_review_can_be_approved_or_returned(register):
    with pytest.raises(ValidationFailed), db.transaction(register) as s:
        review.approve(s, ORG, "JL-02", expected_version=_version(register, "JL-02"), actor="dora")
    with db.transaction(register) as s:
        review.set_owner(s, ORG, "JL-02", "ed", actor="dora")
        review.submit(s, ORG, "JL-02", actor="ed")
        review.send_back(s, ORG, "JL-02", "name the retention period", actor="dora")
    with db.session(register) as s:
        assert [(t.kind, t.note) for t in review.tasks(s, "ed") if t.ref == "JL-02"] == [("returned", "name the retention period")]


def test_tasks_for_owner_and_dpo_and_the_cli(register, monkeypatch, capsys):
    with db.transaction(register) as s:
        for ref in ("JL-01", "JL-03"):
            review.set_owner(s, ORG, ref, "ed", actor="dora")
        review.submit(s, ORG, "JL-03", actor="ed")
        act = get_activity(s, ORG, "JL-01")
        data = activity_dict(act)
        data["next_review"] = "2020-01-01"
        update_activity(s, ORG, "JL-01", data, expected_version=act.version, actor="ed")
    with db.session(register) as s:
        assert {(t.ref, t.kind) for t in review.tasks(s, "ed")} >= {("JL-01", "overdue"), ("JL-03", "awaiting_approval")}
        assert ("JL-03", "awaiting_approval") in {(t.ref, t.kind) for t in review.tasks(s, "dora")}
        assert "JL-01" not in {t.ref for t in review.tasks(s, "dora")}  # not dora's to keep
    if register.url.get_backend_name() != "sqlite":
        return
    monkeypatch.setenv("ROPA_DATABASE_URL", str(register.url.render_as_string(hide_password=False)))
    assert cli.main(["--user", "ed", "tasks", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["user"] == "ed" and out["counts"]["overdue"] >= 1 and out["counts"]["awaiting_approval"] == 1

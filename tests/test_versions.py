"""The register as it was: snapshots (immutable, scoped, diffed), the register rebuilt from the
audit trail at past moments, as-of exports read back, and restores that are ordinary audited saves."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from ropa import access, db, restore, timeline, users, versions
from ropa.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ropa.excel import layout
from ropa.excel.export import write_workbook
from ropa.models import AuditEvent, Snapshot, utcnow
from ropa.register import interchange
from ropa.register.activities import activity_dict, activity_dict_from_doc, create_activity, delete_activity, get_activity, update_activity, validate_activity
from ropa.register.audit import activity_history, history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, organisation_dict, update_organisation
from ropa.register.recipients import update_recipient

ACME, BETA = "Acme AS", "Beta AS"
PASSWORD = "correct horse battery"
MAILER = {"name": "Mailer AS", "kind": "processor", "country": "NO", "agreement": "DPA-1"}


def _activity(ref: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "name": name,
        "purposes": [f"Purpose of {ref}"],
        "data_subjects": ["Customers"],
        "data_categories": ["Contact details"],
        "legal_bases": [{"code": "art6_1_b"}],
        "retention": {"period": 3, "unit": "years", "action": "erase"},
        "security_measures": ["Access control"],
        "recipients": [MAILER],
        **extra,
    }


def _export(engine: Any) -> dict[str, Any]:
    with db.session(engine) as s:
        return interchange.export_document(s)


@pytest.fixture
def story(engine: Any) -> dict[str, Any]:
    """Known changes around a snapshot: three activities, snapshot 's1', then A-01 edited, A-02
    deleted, A-04 created and the shared recipient's agreement changed."""
    with db.transaction(engine) as s:
        for org in (ACME, BETA):
            create_organisation(s, {"name": org, "country": "NO"}, actor="alice")
        for ref in ("A-01", "A-02", "A-03"):
            create_activity(s, ACME, _activity(ref, f"Activity {ref}"), actor="alice")
        create_activity(s, BETA, _activity("B-01", "Beta payroll"), actor="alice")
    before, t1 = _export(engine), utcnow()
    with db.transaction(engine) as s:
        versions.create(s, "s1", actor="alice", source="test")
    with db.transaction(engine) as s:
        data = activity_dict(get_activity(s, ACME, "A-01"))
        data["description"] = "Now with a description"
        data["purposes"] = ["Purpose of A-01", "Marketing"]
        update_activity(s, ACME, "A-01", data, expected_version=1, actor="bob")
        delete_activity(s, ACME, "A-02", actor="bob")
        create_activity(s, ACME, _activity("A-04", "Activity A-04"), actor="bob")
        update_recipient(s, ACME, "Mailer AS", {**MAILER, "agreement": "DPA-2"}, expected_version=1, actor="bob")
    after, t2 = _export(engine), utcnow()
    return {"before": before, "t1": t1, "after": after, "t2": t2}


def test_rebuild_at_a_past_moment_equals_what_the_register_was(engine, story):
    with db.session(engine) as s:
        then = timeline.register_at(s, story["t1"])
        now = timeline.register_at(s, story["t2"])
        empty = timeline.register_at(s, story["t1"] - timedelta(days=1))
    assert then.document == story["before"] and not then.gaps
    assert now.document == story["after"] and not now.gaps
    assert empty.document["organisations"] == []
    assert interchange.dumps(then.document) == interchange.dumps(story["before"])  # the same text as an export then


def test_snapshot_diff_names_activities_added_removed_and_changed_field_by_field(engine, story):
    with db.session(engine) as s:
        found = versions.diff(s, "s1")
        by_moment = versions.diff(s, story["t1"], story["t2"])
    assert [r.ref for r in found.added] == ["A-04"]
    assert [r.ref for r in found.removed] == ["A-02"]
    changed = {r.ref: [c.field for c in r.changes] for r in found.changed}
    # A-03 uses the shared recipient whose agreement changed: its recipients changed too.
    assert changed == {"A-01": ["description", "purposes", "recipients"], "A-03": ["recipients"]}
    a01 = next(r for r in found.changed if r.ref == "A-01")
    purposes = next(c for c in a01.changes if c.field == "purposes")
    assert purposes.old == ["Purpose of A-01"] and purposes.new == ["Purpose of A-01", "Marketing"]
    assert purposes.label("nb") == "Formålene med behandlingen" and purposes.label("en") == "Purposes of processing"
    assert by_moment.as_dict()["added"] == found.as_dict()["added"]
    assert by_moment.as_dict()["changed"] == found.as_dict()["changed"]
    lines = "\n".join(found.lines("nb"))
    assert "lagt til: Acme AS / A-04" in lines and "fjernet: Acme AS / A-02" in lines
    assert "Formålene med behandlingen: + Marketing" in lines and "Beskrivelse: — → Now with a description" in lines
    assert purposes.summary("en") == "+ Marketing"


def test_as_of_exports_read_back_as_the_register_was(engine, story, tmp_path):
    with db.session(engine) as s:
        state = versions.state_of(s, "s1", permission=access.EXPORT)
        path = tmp_path / "then.xlsx"
        write_workbook(s, path, lang="en", document=state.document, as_of=state.describe("en"))
    assert state.document == story["before"]
    book = openpyxl.load_workbook(path)
    sheet = book[layout.sheet_name("activities", "en")]
    headers = [c.value for c in sheet[1]]
    records = [json.loads("".join(v for v in row[headers.index(layout.JSON_COLUMN) :] if v)) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert [r["ref"] for r in records] == ["A-01", "A-02", "A-03", "B-01"]
    assert records[0]["description"] is None and records[0]["recipients"][0]["agreement"] == "DPA-1"
    cover = [c for row in book[layout.sheet_name("cover", "en")].iter_rows(values_only=True) for c in row if c]
    assert "The register as it was" in cover and "snapshot 's1'" in " ".join(map(str, cover))


def test_snapshots_are_immutable(engine, story):
    forged = (
        "REPLACE INTO snapshot (id, label, created_at, created_by, organisations, activities, organisation_ids, digest, content) "
        "SELECT id, 'forged', created_at, created_by, organisations, activities, organisation_ids, digest, content FROM snapshot"
        if engine.dialect.name == "sqlite"
        else "TRUNCATE snapshot"
    )
    for statement in ("UPDATE snapshot SET label = 'forged'", "DELETE FROM snapshot", forged):
        with pytest.raises(DatabaseError, match="immutable"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    with db.session(engine) as s:
        assert [x.label for x in versions.list_snapshots(s)] == ["s1"]
        snap = versions.get(s, "S1")  # labels are found regardless of case
        assert versions.content(snap) == story["before"]
        event = s.execute(select(AuditEvent).where(AuditEvent.entity == "snapshot")).scalar_one()
    assert (event.actor, event.action, event.entity_key, event.source) == ("alice", "create", "s1", "test")


def test_snapshot_labels_are_unique_and_unknown_ones_are_named(engine, story):
    with db.transaction(engine) as s:
        with pytest.raises(ValidationFailed) as err:
            versions.create(s, "S1", actor="alice")
        assert err.value.problems[0].code == "duplicate"
        for bad in ("", "2026-01-01", "42", "now"):
            with pytest.raises(ValidationFailed):
                versions.create(s, bad, actor="alice")
    with db.session(engine) as s:
        with pytest.raises(NotFound, match="no snapshot labelled 'year end'"):
            versions.state_of(s, "year end")
        assert s.execute(select(Snapshot)).scalars().all()[0].label == "s1"


def test_restore_a_field_is_an_audited_versioned_save_and_refuses_a_stale_version(engine, story):
    with db.transaction(engine) as s:
        done = restore.restore_field(s, ACME, "A-01", "description", 1, expected_version=2, actor="carol", source="test")
    assert done.changed == ["description"] and done.version == 3
    with db.session(engine) as s:
        act = get_activity(s, ACME, "A-01")
        assert act.version == 3 and act.description is None and act.purposes == ["Purpose of A-01", "Marketing"]
        last = history(s, "activity", act.id)[-1]
        assert (last.actor, last.field, last.version) == ("carol", "description", 3)
        assert last.source == "restore of version 1 (test)"
    with db.transaction(engine) as s, pytest.raises(Conflict):
        restore.restore_field(s, ACME, "A-01", "purposes", 1, expected_version=2, actor="carol")


def test_restore_a_whole_activity_and_a_deleted_one(engine, story):
    with db.transaction(engine) as s:
        done = restore.restore_activity(s, ACME, "A-01", 1, expected_version=2, actor="carol")
        assert sorted(done.changed) == ["description", "purposes"]  # the shared recipient is kept as it is now
        back = restore.restore_activity(s, ACME, "A-02", 1, expected_version=None, actor="carol")
    assert back.created and back.version == 1 and "created again" in back.message("en")
    now = {a["ref"]: a for a in _export(engine)["organisations"][0]["activities"]}
    old = {a["ref"]: a for a in story["before"]["organisations"][0]["activities"]}
    for ref in ("A-01", "A-02"):
        assert {**now[ref], "version": 0, "recipients": []} == {**old[ref], "version": 0, "recipients": []}
        assert now[ref]["recipients"][0]["agreement"] == "DPA-2"
    with db.session(engine) as s:
        event = activity_history(s, ACME, "A-02")[-1]
        assert (event.action, event.actor, event.source) == ("create", "carol", "restore of version 1")
        assert [v.action for v in restore.history(s, ACME, "A-02")] == ["create", "delete", "create"]


def test_reading_is_scoped_and_taking_a_snapshot_needs_dpo_or_admin(engine, story):
    with db.transaction(engine) as s:
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "dora", role="dpo", password=PASSWORD, actor="ada")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=[ACME], actor="ada")
        users.add_user(s, "vera", role="viewer", password=PASSWORD, orgs=[BETA], actor="ada")
    for who in ("ed", "vera"):
        with db.transaction(engine) as s, pytest.raises(PermissionDenied) as err:
            versions.create(s, f"by {who}", actor=who)
        assert err.value.permission == access.SNAPSHOT
    for who in ("ada", "dora"):
        with db.transaction(engine) as s:
            versions.create(s, f"by {who}", actor=who)
    with db.session(engine) as s:
        vera = access.load_principal(s, "vera")
        with access.reading_as(vera):
            seen = versions.state_of(s, "s1")
            assert [o["name"] for o in seen.document["organisations"]] == [BETA]
            assert [o["name"] for o in versions.state_of(s, story["t1"]).document["organisations"]] == [BETA]
            assert versions.diff(s, "s1").records == []  # nothing changed in Beta
            for ref in ("s1", "now", story["t1"]):
                with pytest.raises(PermissionDenied):
                    versions.state_of(s, ref, orgs=[ACME])
            assert [o["name"] for o in versions.state_of(s, "now").document["organisations"]] == [BETA]
        with db.transaction(engine) as w, pytest.raises(PermissionDenied):
            restore.restore_field(w, ACME, "A-01", "description", 1, expected_version=2, actor="vera")


def test_a_renamed_organisation_stays_in_its_readers_scope(engine, story):
    with db.transaction(engine) as s:
        org = get_organisation(s, ACME)
        update_organisation(s, ACME, {**organisation_dict(org), "name": "Acme Group AS"}, expected_version=org.version, actor="alice")
        users.add_user(s, "ada", role="admin", password=PASSWORD, actor="setup")
        users.add_user(s, "ed", role="editor", password=PASSWORD, orgs=["Acme Group AS"], actor="ada")
    with db.session(engine) as s, access.reading_as(access.load_principal(s, "ed")):
        assert [o["name"] for o in versions.state_of(s, "s1").document["organisations"]] == [ACME]
        found = versions.diff(s, "s1")
    assert [(r.organisation, r.ref, r.kind) for r in found.organisations] == [("Acme Group AS", None, "changed")]
    assert found.organisations[0].changes[0].field == "name"


def test_what_the_trail_cannot_rebuild_is_said_not_guessed(engine):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": ACME}, actor="alice")
        old = _activity("OLD-01", "Created before transparency existed")
        record = {k: v for k, v in activity_dict_from_doc(validate_activity(old)).items() if k not in ("transparency", "no_recipients")}
        for event in (
            AuditEvent(
                actor="legacy", action="create", entity="activity", entity_id=9001, entity_key=f"{ACME}/OLD-01", new_value=json.dumps(record), version=1
            ),
            AuditEvent(
                actor="legacy",
                action="update",
                entity="activity",
                entity_id=9002,
                entity_key=f"{ACME}/GHOST-01",
                field="name",
                old_value='"a"',
                new_value='"b"',
                version=2,
            ),
            AuditEvent(
                actor="legacy", action="create", entity="activity", entity_id=9003, entity_key="Nowhere AS/N-01", new_value=json.dumps(record), version=1
            ),
        ):
            s.add(event)
    with db.session(engine) as s:
        rebuilt = timeline.register_at(s, utcnow())
    acts = rebuilt.document["organisations"][0]["activities"]
    assert [a["ref"] for a in acts] == ["OLD-01"]  # the ghost, whose creation is not in the trail, is left out
    assert acts[0]["no_recipients"] is False and acts[0]["transparency"]["collection"] is None
    assert {(g.record, g.field, g.code) for g in rebuilt.gaps} == {
        (f"{ACME}/OLD-01", "transparency", "not_in_trail"),
        (f"{ACME}/OLD-01", "no_recipients", "not_in_trail"),
        (f"{ACME}/GHOST-01", None, "no_creation"),
        (f"{ACME}/OLD-01", "Mailer AS", "recipient_unknown"),
        ("Nowhere AS/N-01", None, "organisation_unknown"),
    }
    assert acts[0]["recipients"] == [{k: MAILER[k] for k in ("name", "kind", "country", "agreement")}]  # as the activity saved it
    assert "kom til senere" in next(g for g in rebuilt.gaps if g.code == "not_in_trail").message("nb")
    many = [timeline.Gap(f"{ACME}/X-{i:02d}", "transparency", "not_in_trail") for i in range(30)]
    many += [timeline.Gap(f"{ACME}/G-{i:02d}", None, "no_creation") for i in range(25)]
    said = timeline.summarise(many, "en")
    assert said[0].startswith("the field 'transparency' is not in the audit trail for 30 records (e.g. Acme AS/X-00")
    assert len(said) == 1 + 20 + 1 and said[-1] == "… and 5 more"


def test_moments_are_oslo_time_and_a_date_means_its_whole_day():
    assert versions.parse_moment("2026-07-01T12:00").isoformat() == "2026-07-01T10:00:00+00:00"  # CEST
    assert versions.parse_moment("2026-01-01T12:00Z").isoformat() == "2026-01-01T12:00:00+00:00"
    assert versions.parse_moment("2026-01-31").isoformat() == "2026-01-31T22:59:59.999999+00:00"
    assert versions.parse_moment("year end") is None and versions.parse_moment("2026-13-01") is None


def test_the_demo_register_rebuilds_exactly(demo_engine):
    before = copy.deepcopy(_export(demo_engine))
    with db.session(demo_engine) as s:
        assert timeline.register_at(s, utcnow()).document == before


def test_importing_an_as_of_copy_leaves_the_newer_records_alone(engine, story):
    with db.session(engine) as s:
        then = versions.state_of(s, "s1").document
        report = interchange.import_document(s, json.loads(versions.json_text(versions.state_of(s, "s1"))), actor="alice", dry_run=True)
        s.rollback()
    assert then == story["before"]
    assert report.kept == [f"{ACME}/A-01"] and report.created == [f"{ACME}/A-02"] and not report.updated

"""Nothing lost: names that round-trip, one notion of valid on both databases, unique names
in the database itself, and imports or saves that never undo someone else's work."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from ropa import db, imports
from ropa.errors import Conflict, ValidationFailed
from ropa.excel.export import write_workbook
from ropa.models import Organisation
from ropa.register import interchange
from ropa.register.activities import activity_dict, create_activity, get_activity, list_activities, update_activity
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, delete_organisation, list_organisations
from ropa.register.recipients import create_recipient, get_recipient, list_recipients, recipient_dict, update_recipient

ACT = {
    "ref": "A-01",
    "name": "Payroll",
    "purposes": ["Pay salaries"],
    "legal_bases": [{"code": "art6_1_c"}],
    "recipients": [{"name": "Bank AS", "kind": "controller", "country": "NO"}],
    "retention": {"period": 5, "unit": "years"},
}


def _org(engine: Any, name: str, activities: tuple[dict[str, Any], ...] = (ACT,)) -> str:
    with db.transaction(engine) as s:
        org = create_organisation(s, {"name": name}, actor="alice")
        for a in activities:
            create_activity(s, org.name, a, actor="alice")
        return org.name


def _codes(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [(p.where, p.code) for p in exc.problems]


# ---------------------------------------------------------------------------------------------
# Names: one normalisation everywhere


@pytest.mark.parametrize("raw", ["Nbsp\u00a0Org AS", "Double  Space AS", "Tab\tOrg AS", "New\nLine AS", "Cafe\u0301 AS"])
def test_workbook_round_trips_any_organisation_name(engine, tmp_path, raw):
    name = _org(engine, raw)
    assert name == " ".join(raw.replace("e\u0301", "\u00e9").split())
    book = tmp_path / "ropa.xlsx"
    with db.session(engine) as s:
        write_workbook(s, book, lang="en")
    with db.transaction(engine) as s:
        report = imports.import_(s, book, actor="bob")
        assert (report.created, report.updated, report.organisations_created) == ([], [], 0)
        assert report.unchanged == [f"{name}/A-01"]
    with db.session(engine) as s:
        assert [o.name for o in list_organisations(s)] == [name]
        assert get_organisation(s, raw).name == name  # the raw spelling finds it too


def test_control_character_in_a_name_is_refused_naming_the_field(engine):
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_organisation(s, {"name": "Bell\x07 AS"}, actor="alice")
    assert _codes(err.value) == [("name", "control_character")]
    name = _org(engine, "Plain AS", ())
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_activity(s, name, {**ACT, "recipients": [{"name": "Esc\x1b[2J Bank"}]}, actor="alice")
    assert _codes(err.value) == [("recipients[0].name", "control_character")]
    with db.session(engine) as s:
        assert [o.name for o in list_organisations(s)] == ["Plain AS"]


# ---------------------------------------------------------------------------------------------
# One notion of valid on SQLite and PostgreSQL


@pytest.mark.parametrize(
    "field, value, where",
    [
        ("description", "a\x00b", "description"),
        ("purposes", ["ok", "pay\x00"], "purposes"),
        ("owner", "HR\x00", "owner"),
        ("retention", {"period": 2**31, "unit": "days"}, "retention.period"),
        ("retention", {"period": 1001, "unit": "years"}, "retention.period"),
        ("retention", {"period": 12_001, "unit": "months"}, "retention.period"),
        ("transfers", [{"country": "US", "safeguard": "\x00"}], "transfers[0].safeguard"),
        ("version", 2**40, "version"),
    ],
)
def test_nul_and_out_of_range_numbers_are_refused_on_both_databases(engine, field, value, where):
    name = _org(engine, "Acme AS", ())
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_activity(s, name, {**ACT, field: value}, actor="alice")
    assert [p.where for p in err.value.problems] == [where]
    document = {"format": "ropa-register", "version": 1, "organisations": [{"name": name, "activities": [{**ACT, field: value}]}]}
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            interchange.import_document(s, document, actor="bob")
    assert [p.where for p in err.value.problems] == [f"organisations[0].activities[0].{where}"]
    with db.session(engine) as s:
        assert list_activities(s) == []
    with db.transaction(engine) as s:  # the bound itself is fine on both
        create_activity(s, name, {**ACT, "retention": {"period": 1000, "unit": "years"}}, actor="alice")


@pytest.mark.parametrize(
    "data, where", [({"address": "Street\x001"}, "address"), ({"dpo": {"email": "d\x00@x.no"}}, "dpo.email"), ({"name": "Nul\x00 AS"}, "name")]
)
def test_nul_in_an_organisation_field_is_refused(engine, data, where):
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_organisation(s, {"name": "Acme AS", **data}, actor="a")
    assert _codes(err.value) == [(where, "nul_character")]
    with db.session(engine) as s:
        assert list_organisations(s) == []


# ---------------------------------------------------------------------------------------------
# Unique names regardless of case, in the database


def test_case_variant_names_cannot_both_be_created_under_concurrency(engine):
    """Two sessions: the second passes its duplicate check before the first commits; the
    database's unique index on lower(name) then refuses it, as a clear duplicate."""
    first_flushed, second_checked = threading.Event(), threading.Event()
    errors: dict[str, BaseException] = {}

    def first() -> None:
        try:
            with db.transaction(engine) as s:
                create_organisation(s, {"name": "Race Case"}, actor="alice")
                first_flushed.set()
                assert second_checked.wait(30)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors["first"] = exc

    def second() -> None:
        assert first_flushed.wait(30)
        try:
            with db.transaction(engine) as s:
                event.listen(s, "before_flush", lambda *_: second_checked.set())
                create_organisation(s, {"name": "RACE CASE"}, actor="bob")
        except BaseException as exc:  # noqa: BLE001
            errors["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert "first" not in errors
    assert isinstance(errors.get("second"), ValidationFailed), errors
    assert _codes(errors["second"]) == [("name", "duplicate")]
    assert "RACE CASE" in str(errors["second"])
    with db.session(engine) as s:
        assert list(s.execute(select(Organisation.name)).scalars()) == ["Race Case"]


def test_case_variant_recipients_are_one_recipient(engine):
    name = _org(engine, "Acme AS")
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_recipient(s, name, {"name": "BANK AS"}, actor="bob")
    assert _codes(err.value) == [("name", "duplicate")] and "BANK AS" in str(err.value)
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            create_activity(s, name, {**ACT, "ref": "A-02", "recipients": [{"name": "bank as"}]}, actor="bob")
    assert "bank as" in str(err.value)
    with db.session(engine) as s:
        assert [r.name for r in list_recipients(s, name)] == ["Bank AS"]
        assert s.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1


# ---------------------------------------------------------------------------------------------
# An import of an old copy never undoes someone else's work


def _edit_cell(book: Path, sheet_key: str, row: int, column_key: str, value: Any) -> None:
    from openpyxl import load_workbook

    from ropa.excel import layout

    spec = {"activities": layout.ACTIVITIES, "recipients": layout.RECIPIENTS}[sheet_key]
    wb = load_workbook(book)
    ws = wb[spec.name("en")]
    headers = [c.value for c in ws[1]]
    col = headers.index(next(c for c in spec.columns if c.key == column_key).header("en")) + 1
    ws.cell(row=row, column=col, value=value)
    wb.save(book)


def _bob_edits(engine: Any, name: str, ref: str, **changes: Any) -> None:
    with db.transaction(engine) as s:
        act = get_activity(s, name, ref)
        update_activity(s, name, ref, {**activity_dict(act), **changes}, expected_version=act.version, actor="bob")


def test_workbook_exported_before_a_colleagues_edit_cannot_revert_it(engine, tmp_path):
    name = _org(engine, "Acme AS", (ACT, {**ACT, "ref": "A-02", "name": "Canteen"}))
    book = tmp_path / "ropa.xlsx"
    with db.session(engine) as s:
        write_workbook(s, book, lang="en")
    _bob_edits(engine, name, "A-01", purposes=["Pay salaries", "Report to the tax authority"])
    _bob_edits(engine, name, "A-02", owner="Facilities")

    # Untouched rows of the old workbook: left alone, and the report says so.
    with db.transaction(engine) as s:
        report = imports.import_(s, book, actor="carol")
    assert (report.updated, sorted(report.kept)) == ([], ["Acme AS/A-01", "Acme AS/A-02"])
    assert "2 left alone" in report.summary()

    # The DPO edits A-01's name in the old workbook: a conflict in the dry run, naming row, versions and bob.
    _edit_cell(book, "activities", 2, "name", "Payroll and pensions")
    with db.session(engine) as s:
        plan = imports.plan(s, book)
    assert [r.status for r in plan.rows] == ["error", "unchanged"]
    assert [p.code for p in plan.errors] == ["conflict"]
    assert plan.errors[0].path[0] == "sheet" and plan.errors[0].path[2:4] == ("row", 2)
    assert plan.errors[0].where.endswith("row 2")  # "<sheet> row 2": problems in our workbook name their sheet
    assert all(w in plan.errors[0].message for w in ("Acme AS/A-01", "version 1", "version 2", "bob", "purposes"))
    assert "left alone" in " ".join(plan.rows[1].messages)
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            imports.import_(s, book, actor="carol", dry_run=True)
    assert [(p.path[2:4], p.code) for p in err.value.problems] == [(("row", 2), "conflict")]
    with pytest.raises(ValidationFailed):
        with db.transaction(engine) as s:
            imports.import_(s, book, actor="carol")
    with db.session(engine) as s:
        a1, a2 = get_activity(s, name, "A-01"), get_activity(s, name, "A-02")
        assert (a1.name, a1.purposes, a1.version) == ("Payroll", ["Pay salaries", "Report to the tax authority"], 2)
        assert (a2.owner, a2.version) == ("Facilities", 2)

    # A fresh export carries the new versions: the same edit then goes in.
    with db.session(engine) as s:
        write_workbook(s, book, lang="en")
    _edit_cell(book, "activities", 2, "name", "Payroll and pensions")
    with db.transaction(engine) as s:
        report = imports.import_(s, book, actor="carol")
    assert report.updated == ["Acme AS/A-01"]


def test_json_document_carries_versions_and_old_copies_conflict(engine, tmp_path):
    name = _org(engine, "Acme AS", (ACT, {**ACT, "ref": "A-02", "name": "Canteen"}))
    with db.session(engine) as s:
        document = interchange.export_document(s)
    org_doc = document["organisations"][0]
    assert org_doc["version"] == 1 and [a["version"] for a in org_doc["activities"]] == [1, 1]
    assert org_doc["activities"][0]["recipients"][0]["version"] == 1
    _bob_edits(engine, name, "A-01", owner="Payroll office")
    _bob_edits(engine, name, "A-02", owner="Facilities")
    org_doc["activities"][1]["name"] = "Canteen and coffee"  # edited in the old copy
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            interchange.import_document(s, document, actor="carol", dry_run=True)
    assert [(p.path, p.code) for p in err.value.problems] == [(("organisations", 0, "activities", 1), "conflict")]
    assert "bob" in err.value.problems[0].message
    del org_doc["activities"][1]
    with db.transaction(engine) as s:
        report = interchange.import_document(s, document, actor="carol")
    assert report.kept == ["Acme AS/A-01"] and report.updated == []
    with db.session(engine) as s:
        assert get_activity(s, name, "A-01").owner == "Payroll office"
    # Without versions (an older file) the format still imports, as before.
    for a in org_doc["activities"]:
        a.pop("version")
        for r in a["recipients"]:
            r.pop("version")
    org_doc.pop("version")
    with db.transaction(engine) as s:
        interchange.import_document(s, document, actor="carol")
    schema = json_schema_text()
    assert '"version"' in schema


def json_schema_text() -> str:
    import json

    from ropa.validation import json_schema

    defs = json_schema()["$defs"]
    assert "version" in defs["ActivityDoc"]["properties"] and "version" not in defs["ActivityDoc"].get("required", [])
    assert "version" in defs["RecipientDoc"]["properties"] and "version" in defs["OrganisationDoc"]["properties"]
    return json.dumps(defs)


# ---------------------------------------------------------------------------------------------
# Shared recipients: versioned like activities


def test_an_old_copy_of_a_shared_recipient_does_not_overwrite_a_colleagues_change(engine):
    name = _org(engine, "Acme AS", (ACT, {**ACT, "ref": "A-02", "name": "Canteen"}))
    with db.session(engine) as s:
        held = activity_dict(get_activity(s, name, "A-02"))  # the editor's copy
        rec = get_recipient(s, name, "Bank AS")
        held["recipients"] = [recipient_dict(rec, version=True)]
    with db.transaction(engine) as s:
        update_recipient(
            s, name, "Bank AS", {"name": "Bank AS", "kind": "controller", "country": "NO", "agreement": "DPA-2026-7"}, expected_version=1, actor="bob"
        )
    # Saving the activity with its untouched old copy keeps bob's agreement.
    with db.transaction(engine) as s:
        changed = update_activity(s, name, "A-02", {**held, "owner": "Facilities"}, expected_version=1, actor="alice")
    assert changed == ["owner"]
    with db.session(engine) as s:
        rec = get_recipient(s, name, "Bank AS")
        assert (rec.agreement, rec.version) == ("DPA-2026-7", 2)
    # An edited old copy is a conflict naming bob; nothing is written.
    held["recipients"][0]["agreement"] = "DPA-old"
    with pytest.raises(Conflict) as err:
        with db.transaction(engine) as s:
            update_activity(s, name, "A-02", {**held, "owner": "Canteen team"}, expected_version=2, actor="alice")
    assert (err.value.entity, err.value.expected_version, err.value.current_version) == ("recipient", 1, 2)
    assert [c["actor"] for c in err.value.changes] == ["bob"]
    # The same through an import of a document holding the old copy.
    document = {"format": "ropa-register", "version": 1, "organisations": [{"name": name, "activities": [{**held, "version": 2, "owner": "Canteen team"}]}]}
    with pytest.raises(ValidationFailed) as verr:
        with db.transaction(engine) as s:
            interchange.import_document(s, document, actor="carol")
    assert [(p.path, p.code) for p in verr.value.problems] == [(("organisations", 0, "activities", 0), "conflict")]
    with db.session(engine) as s:
        assert get_recipient(s, name, "Bank AS").agreement == "DPA-2026-7"
        assert get_activity(s, name, "A-02").owner == "Facilities"
        # The recipient's change shows in the history of each activity that uses it.
        for ref in ("A-01", "A-02"):
            events = activity_history(s, name, ref)
            assert ("recipient", "agreement", "bob") in [(e.entity, e.field, e.actor) for e in events]


# ---------------------------------------------------------------------------------------------
# SQLite: a save while an import holds the write lock


def _locked_sqlite(tmp_path: Path, monkeypatch: Any, timeout: str) -> tuple[Any, Any]:
    import sqlite3

    monkeypatch.setenv("ROPA_SQLITE_BUSY_TIMEOUT", timeout)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    db.migrate(engine)
    _org(engine, "Acme AS")
    holder = sqlite3.connect(tmp_path / "busy.db", timeout=0, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # as an import's transaction does, for its whole run
    holder.execute("UPDATE organisation SET phone = '1' WHERE name = 'Acme AS'")
    return engine, holder


def test_a_save_during_an_import_says_the_register_is_busy(tmp_path, monkeypatch):
    from ropa.errors import Busy

    engine, holder = _locked_sqlite(tmp_path, monkeypatch, "0.2")
    try:
        with pytest.raises(Busy) as err:
            with db.transaction(engine) as s:
                update_activity(s, "Acme AS", "A-01", {**ACT, "owner": "HR"}, expected_version=1, actor="bob")
        assert "import" in err.value.message("en") and "import" in err.value.message("nb")
        assert "Ingenting ble lagret" in str(err.value) and "Nothing was saved" in str(err.value)
        assert "OperationalError" not in str(err.value) and "locked" not in str(err.value)
    finally:
        holder.rollback()
        holder.close()
    with db.session(engine) as s:
        assert get_activity(s, "Acme AS", "A-01").owner is None
    engine.dispose()


def test_a_save_waits_for_an_import_to_finish(tmp_path, monkeypatch):
    engine, holder = _locked_sqlite(tmp_path, monkeypatch, "60")
    saving = threading.Event()

    def finish_import() -> None:
        saving.wait(30)
        time.sleep(0.5)  # the save is now waiting for the lock (this is not a timing assertion)
        holder.execute("COMMIT")

    t = threading.Thread(target=finish_import)
    t.start()
    try:
        with db.transaction(engine) as s:
            saving.set()
            update_activity(s, "Acme AS", "A-01", {**ACT, "owner": "HR"}, expected_version=1, actor="bob")
    finally:
        t.join(60)
        holder.close()
    with db.session(engine) as s:
        assert get_activity(s, "Acme AS", "A-01").owner == "HR"
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# Deleting an organisation: every removed record has its audit event


def test_deleting_an_organisation_audits_every_removed_record(engine):
    from ropa.models import AuditEvent, Recipient, Term

    name = _org(engine, "Acme AS", ({**ACT, "transfers": [{"country": "US", "recipient": "Bank AS", "mechanism": "art46_2_c"}]},))
    with db.transaction(engine) as s:
        org = get_organisation(s, name)
        create_recipient(s, name, {"name": "Unused Cloud AS", "kind": "processor"}, actor="alice")
        s.add(Term(organisation_id=org.id, kind="data_category", key="user.custom.badge", label_en="Badge", label_nb="Adgangskort"))
    with db.session(engine) as s:
        org_id = get_organisation(s, name).id
        recipient_ids = set(s.execute(select(Recipient.id).where(Recipient.organisation_id == org_id)).scalars())
        term_ids = set(s.execute(select(Term.id).where(Term.organisation_id == org_id)).scalars())
    assert len(recipient_ids) == 2 and len(term_ids) == 1
    with db.transaction(engine) as s:
        delete_organisation(s, name, actor="dora")
    with db.session(engine) as s:
        deleted = [
            (e.entity, e.entity_id, e.entity_key)
            for e in s.execute(select(AuditEvent).where(AuditEvent.action == "delete", AuditEvent.actor == "dora")).scalars()
        ]
        assert {i for e, i, _ in deleted if e == "recipient"} == recipient_ids
        assert {i for e, i, _ in deleted if e == "term"} == term_ids
        assert ("organisation", org_id, name) in deleted
        activity = [e for e in s.execute(select(AuditEvent).where(AuditEvent.entity == "activity", AuditEvent.action == "delete")).scalars()]
        assert '"mechanism": "art46_2_c"' in activity[0].old_value  # its transfers are in its event
        assert s.execute(select(func.count()).select_from(Recipient)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Term)).scalar_one() == 0


def test_old_workbook_does_not_revert_a_recipient_change(engine, tmp_path):
    name = _org(engine, "Acme AS", (ACT, {**ACT, "ref": "A-02", "name": "Canteen"}))
    book = tmp_path / "ropa.xlsx"
    with db.session(engine) as s:
        write_workbook(s, book, lang="en")
    with db.transaction(engine) as s:
        update_recipient(
            s, name, "Bank AS", {"name": "Bank AS", "kind": "controller", "country": "NO", "agreement": "DPA-2026-7"}, expected_version=1, actor="bob"
        )
    with db.transaction(engine) as s:  # the old, untouched workbook
        report = imports.import_(s, book, actor="carol")
    assert report.updated == []
    with db.session(engine) as s:
        assert get_recipient(s, name, "Bank AS").agreement == "DPA-2026-7"
    _edit_cell(book, "recipients", 2, "agreement", "DPA-old")  # edited in the old workbook
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            imports.import_(s, book, actor="carol", dry_run=True)
    assert {p.code for p in err.value.problems} == {"conflict"}
    assert "recipient Acme AS/Bank AS" in err.value.problems[0].message and "bob" in err.value.problems[0].message
    with db.session(engine) as s:
        assert get_recipient(s, name, "Bank AS").agreement == "DPA-2026-7"

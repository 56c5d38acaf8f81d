"""The registry's operations on both backends: writes with audit, optimistic locking, search."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ropa import db
from ropa.errors import Conflict, NotFound, ValidationFailed
from ropa.models import AuditEvent, ProcessingActivity, Recipient
from ropa.register.activities import (
    ActivityFilter,
    activity_dict,
    count_activities,
    create_activity,
    delete_activity,
    duplicate_activity,
    get_activity,
    list_activities,
    retire_activity,
    update_activity,
)
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, delete_organisation, organisation_dict, update_organisation
from ropa.register.recipients import delete_recipient, get_recipient, recipient_dict, recipient_usage, update_recipient


def activity(ref="HR-01", **over):
    data = {
        "ref": ref,
        "name": "Lønnskjøring",
        "purposes": ["Utbetale lønn"],
        "legal_bases": [{"code": "art6_1_b", "note": "Arbeidsavtalen"}, {"code": "art6_1_c", "note": "Skatteforvaltningsloven"}],
        "data_subjects": ["employee"],
        "data_categories": ["user.name", "user.financial.bank_account"],
        "recipients": [
            {"name": "Skatteetaten", "kind": "public_authority", "country": "NO", "agreement": None},
            {"name": "Lønnsleverandør AS", "kind": "processor", "country": "NO", "agreement": "DBA-2024-01"},
        ],
        "transfers": [],
        "retention": {
            "period": 5,
            "unit": "years",
            "trigger": "utgangen av regnskapsåret",
            "action": "erase",
            "text": "5 år etter regnskapsårets slutt (bokføringsloven § 13)",
        },
        "security_measures": ["Tilgangsstyring"],
    }
    data.update(over)
    return data


@pytest.fixture
def org_engine(engine):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Fjordkraft Test AS", "country": "NO", "org_number": "999888777"}, actor="alice")
    return engine


def count(engine, model):
    with db.session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_activity_writes_rows_and_one_audit_event(org_engine):
    with db.transaction(org_engine) as s:
        act = create_activity(s, "Fjordkraft Test AS", activity(), actor="alice", source="test")
        assert act.version == 1
    with db.session(org_engine) as s:
        act = get_activity(s, "fjordkraft test as", "HR-01")  # names match case-insensitively
        d = activity_dict(act)
        assert d["legal_bases"][1] == {"code": "art6_1_c", "note": "Skatteforvaltningsloven", "documentation": None}
        assert [r["name"] for r in d["recipients"]] == ["Skatteetaten", "Lønnsleverandør AS"]
        assert d["retention"]["period"] == 5
        events = activity_history(s, "Fjordkraft Test AS", "HR-01")
        assert [(e.action, e.actor, e.source) for e in events] == [("create", "alice", "test")]
        assert json.loads(events[0].new_value)["name"] == "Lønnskjøring"
        assert get_organisation(s, "999888777").name == "Fjordkraft Test AS"


def test_update_records_each_changed_field(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    with db.transaction(org_engine) as s:
        changed = update_activity(
            s, "Fjordkraft Test AS", "HR-01", activity(name="Lønn og refusjoner", purposes=["Utbetale lønn", "Refusjoner"]), expected_version=1, actor="bob"
        )
        assert sorted(changed) == ["name", "purposes"]
    with db.session(org_engine) as s:
        act = get_activity(s, "Fjordkraft Test AS", "HR-01")
        assert act.version == 2
        events = [e for e in activity_history(s, "Fjordkraft Test AS", "HR-01") if e.action == "update"]
        by_field = {e.field: e for e in events}
        assert set(by_field) == {"name", "purposes"}
        assert json.loads(by_field["name"].old_value) == "Lønnskjøring"
        assert json.loads(by_field["name"].new_value) == "Lønn og refusjoner"
        assert {e.actor for e in events} == {"bob"} and {e.version for e in events} == {2}


def test_saving_the_same_document_changes_nothing(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    with db.transaction(org_engine) as s:
        assert update_activity(s, "Fjordkraft Test AS", "HR-01", activity(), expected_version=1, actor="bob") == []
    with db.session(org_engine) as s:
        assert get_activity(s, "Fjordkraft Test AS", "HR-01").version == 1


def test_stale_save_raises_conflict_showing_the_other_change_and_writes_nothing(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    # Bob and Carol both open version 1; Bob saves first.
    with db.transaction(org_engine) as s:
        update_activity(s, "Fjordkraft Test AS", "HR-01", activity(owner="HR"), expected_version=1, actor="bob")
    events_before = count(org_engine, AuditEvent)
    with pytest.raises(Conflict) as info:
        with db.transaction(org_engine) as s:
            update_activity(s, "Fjordkraft Test AS", "HR-01", activity(name="Carol's name"), expected_version=1, actor="carol")
    err = info.value
    assert (err.expected_version, err.current_version) == (1, 2)
    assert [(c["actor"], c["field"]) for c in err.changes] == [("bob", "owner")]
    assert "bob" in str(err) and "nothing was saved" in str(err)
    assert count(org_engine, AuditEvent) == events_before
    with db.session(org_engine) as s:
        act = get_activity(s, "Fjordkraft Test AS", "HR-01")
        assert (act.name, act.owner, act.version) == ("Lønnskjøring", "HR", 2)


def test_invalid_activity_is_rejected_with_every_problem(org_engine):
    bad = activity(
        ref="bad ref", role="boss", legal_bases=[{"code": "art6_1_z"}], transfers=[{"country": "XX", "mechanism": "pinky-swear"}, {"recipient": "Nobody"}]
    )
    with pytest.raises(ValidationFailed) as info:
        with db.transaction(org_engine) as s:
            create_activity(s, "Fjordkraft Test AS", bad, actor="alice")
    where = {p.where: p for p in info.value.problems}
    assert {"ref", "role", "legal_bases[0].code", "transfers[0].country", "transfers[0].mechanism"} <= set(where)
    assert where["transfers[0].country"].message == "'XX' is not an ISO 3166 country code"
    assert count(org_engine, ProcessingActivity) == 0


def test_cross_field_rules(org_engine):
    bad = activity(transfers=[{"recipient": "Nobody", "mechanism": "art46_2_c"}], retention={"period": 3})
    with pytest.raises(ValidationFailed) as info:
        with db.transaction(org_engine) as s:
            create_activity(s, "Fjordkraft Test AS", bad, actor="alice")
    codes = {(p.where, p.code) for p in info.value.problems}
    assert ("transfers[0].country", "missing") in codes
    assert ("transfers[0].recipient", "unknown_recipient") in codes
    assert ("retention.unit", "missing") in codes


def test_duplicate_ref_is_refused(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    with pytest.raises(ValidationFailed) as info:
        with db.transaction(org_engine) as s:
            create_activity(s, "Fjordkraft Test AS", activity(name="Other"), actor="alice")
    assert info.value.problems[0].code == "duplicate"
    assert count(org_engine, ProcessingActivity) == 1


def test_recipients_are_shared_within_an_organisation(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity("HR-01"), actor="alice")
        create_activity(s, "Fjordkraft Test AS", activity("HR-02", name="Reiseregning"), actor="alice")
    assert count(org_engine, Recipient) == 2
    with db.transaction(org_engine) as s:
        rec = get_recipient(s, "Fjordkraft Test AS", "Lønnsleverandør AS")
        update_recipient(
            s,
            "Fjordkraft Test AS",
            "Lønnsleverandør AS",
            {"name": "Lønnsleverandør AS", "kind": "processor", "country": "SE", "agreement": "DBA-2025"},
            expected_version=rec.version,
            actor="dpo",
        )
    with db.session(org_engine) as s:
        for ref in ("HR-01", "HR-02"):
            recs = activity_dict(get_activity(s, "Fjordkraft Test AS", ref))["recipients"]
            assert recs[1] == {"name": "Lønnsleverandør AS", "kind": "processor", "country": "SE", "agreement": "DBA-2025"}
        assert recipient_usage(s, rec.id) == ["HR-01", "HR-02"]
    with pytest.raises(ValidationFailed, match="HR-01, HR-02"):
        with db.transaction(org_engine) as s:
            delete_recipient(s, "Fjordkraft Test AS", "Lønnsleverandør AS", actor="dpo")


def test_delete_activity_keeps_its_history(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    with db.transaction(org_engine) as s:
        delete_activity(s, "Fjordkraft Test AS", "HR-01", actor="bob", expected_version=1)
    with db.session(org_engine) as s:
        with pytest.raises(NotFound):
            get_activity(s, "Fjordkraft Test AS", "HR-01")
        assert [e.action for e in activity_history(s, "Fjordkraft Test AS", "HR-01")] == ["create", "delete"]


def test_retire_and_duplicate(org_engine):
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    with db.transaction(org_engine) as s:
        retire_activity(s, "Fjordkraft Test AS", "HR-01", expected_version=1, actor="alice")
        copy = duplicate_activity(s, "Fjordkraft Test AS", "HR-01", actor="alice")
        assert (copy.ref, copy.status) == ("HR-02", "draft")
    with db.session(org_engine) as s:
        assert get_activity(s, "Fjordkraft Test AS", "HR-01").status == "retired"
        assert [a.ref for a in list_activities(s, include_retired=False)] == ["HR-02"]


def test_organisation_update_conflict_and_delete(org_engine):
    with db.transaction(org_engine) as s:
        update_organisation(
            s, "Fjordkraft Test AS", {"name": "Fjordkraft Test AS", "dpo": {"name": "Kari DPO", "email": "dpo@example.no"}}, expected_version=1, actor="alice"
        )
    with pytest.raises(Conflict):
        with db.transaction(org_engine) as s:
            update_organisation(s, "Fjordkraft Test AS", {"name": "X"}, expected_version=1, actor="bob")
    with db.transaction(org_engine) as s:
        org = get_organisation(s, "Fjordkraft Test AS")
        assert (org.dpo_name, org.version) == ("Kari DPO", 2)
        create_activity(s, org.name, activity(), actor="alice")
    with db.transaction(org_engine) as s:
        delete_organisation(s, "Fjordkraft Test AS", actor="alice")
    assert count(org_engine, ProcessingActivity) == 0
    with db.session(org_engine) as s:
        actions = s.execute(select(AuditEvent.entity, AuditEvent.action).order_by(AuditEvent.id)).all()
    # The activity, then each of its (now unused) recipients, then the organisation: nothing goes by cascade unrecorded.
    deletes = [a for a in actions if a[1] == "delete"]
    assert deletes == [("activity", "delete"), ("recipient", "delete"), ("recipient", "delete"), ("organisation", "delete")]


def test_filters_and_search(demo_engine):
    with db.session(demo_engine) as s:
        total = count_activities(s)
        assert total == len(list_activities(s)) >= 25
        page = list_activities(s, limit=10, offset=10)
        assert len(page) == 10
        f = ActivityFilter
        china = list_activities(s, filter=f(country=["CN"]))
        assert china and all(any(t.country == "CN" for t in a.transfers) for a in china)
        consent = list_activities(s, filter=f(legal_basis=["art6_1_a"]))
        assert consent and all(any(b.code == "art6_1_a" for b in a.bases) for a in consent)
        special = list_activities(s, filter=f(special_categories=True))
        assert special and all(a.special_categories for a in special)
        assert count_activities(s, f(special_categories=False)) == total - len(special)
        jl = list_activities(s, filter=f(org="Janteloppet", text="MARKEDSFØRING"))
        assert jl and all(a.organisation.name == "Janteloppet" for a in jl)
        assert count_activities(s, f(text="zzz-no-such-thing")) == 0


def test_an_update_that_changes_nothing_writes_nothing(org_engine):
    """For every kind of record: the same content again keeps the version and adds no audit event."""
    with db.transaction(org_engine) as s:
        create_activity(s, "Fjordkraft Test AS", activity(), actor="alice")
    events = count(org_engine, AuditEvent)
    with db.transaction(org_engine) as s:
        org = get_organisation(s, "Fjordkraft Test AS")
        same = update_organisation(s, org.name, organisation_dict(org), expected_version=1, actor="bob")
        assert same.version == 1
        rec = get_recipient(s, org.name, "Skatteetaten")
        same_rec = update_recipient(s, org.name, rec.name, recipient_dict(rec), expected_version=rec.version, actor="bob")
        assert same_rec.version == 1
        act = get_activity(s, org.name, "HR-01")
        assert update_activity(s, org.name, "HR-01", activity_dict(act), expected_version=1, actor="bob") == []
    with db.session(org_engine) as s:
        assert get_organisation(s, "Fjordkraft Test AS").version == 1
        assert get_recipient(s, "Fjordkraft Test AS", "Skatteetaten").version == 1
        assert get_activity(s, "Fjordkraft Test AS", "HR-01").version == 1
    assert count(org_engine, AuditEvent) == events
    # An unchanged copy of an older version is still a conflict (as for an edited one): nothing is written.
    with db.transaction(org_engine) as s:
        org = get_organisation(s, "Fjordkraft Test AS")
        update_organisation(s, org.name, {**organisation_dict(org), "phone": "+47 12 34 56 78"}, expected_version=1, actor="alice")
    with pytest.raises(Conflict), db.transaction(org_engine) as s:
        update_organisation(
            s, "Fjordkraft Test AS", {"name": "Fjordkraft Test AS", "country": "NO", "org_number": "999888777"}, expected_version=1, actor="bob"
        )

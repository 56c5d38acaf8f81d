"""One record through time (:func:`ropa.timeline.versions`, :func:`ropa.timeline.record_at`):
its versions one per save, as it was at a version or a moment, and nothing before it existed."""

from __future__ import annotations

from datetime import timedelta

from ropa import db, timeline
from ropa.models import utcnow
from ropa.register.activities import activity_dict, create_activity, delete_activity, get_activity, update_activity
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, organisation_dict, update_organisation
from ropa.register.recipients import update_recipient

ORG = "Acme AS"


def test_an_activity_and_an_organisation_at_a_version_or_a_moment(engine):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": ORG}, actor="alice")
        create_activity(s, ORG, {"ref": "A-01", "name": "First name", "purposes": ["One"]}, actor="alice")
    t1 = utcnow()
    with db.transaction(engine) as s:
        data = activity_dict(get_activity(s, ORG, "A-01"))
        data.update(name="Second name", purposes=["One", "Two"])  # one save, two fields: one version
        update_activity(s, ORG, "A-01", data, expected_version=1, actor="bob")
        org = get_organisation(s, ORG)
        update_organisation(s, ORG, {**organisation_dict(org), "email": "dpo@acme.example"}, expected_version=1, actor="bob")
    t2 = utcnow()
    with db.transaction(engine) as s:
        delete_activity(s, ORG, "A-01", actor="carol")
    with db.session(engine) as s:
        found = timeline.versions(s, "activity", f"{ORG}/A-01")
        assert [(v.version, v.action, v.actor) for v in found] == [(1, "create", "alice"), (2, "update", "bob"), (2, "delete", "carol")]
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", version=1)["name"] == "First name"
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", version=2)["purposes"] == ["One", "Two"]
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", at=t1)["name"] == "First name"
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", at=t2)["name"] == "Second name"
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", at=utcnow()) is None  # deleted since
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", at=t1 - timedelta(hours=1)) is None  # not yet created
        assert timeline.record_at(s, "organisation", ORG, at=t1)["email"] is None
        assert timeline.record_at(s, "organisation", ORG, version=2)["email"] == "dpo@acme.example"
        assert timeline.record_at(s, "activity", f"{ORG}/A-01", version=9) is None


def test_a_recipient_renamed_since_is_shown_under_the_name_it_had(engine):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": ORG}, actor="alice")
        create_activity(
            s,
            ORG,
            {
                "ref": "A-01",
                "name": "Mail",
                "recipients": [{"name": "Old Mailer", "kind": "processor"}],
                "transfers": [{"country": "US", "recipient": "Old Mailer", "mechanism": "art46_2_c"}],
            },
            actor="alice",
        )
    t1 = utcnow()
    with db.transaction(engine) as s:
        update_recipient(s, ORG, "Old Mailer", {"name": "New Mailer", "kind": "processor", "agreement": "DPA-9"}, expected_version=1, actor="bob")
    with db.session(engine) as s:
        then = timeline.register_at(s, t1).document["organisations"][0]["activities"][0]
        now = timeline.register_at(s, utcnow()).document["organisations"][0]["activities"][0]
        live = activity_dict(get_activity(s, ORG, "A-01"))
    assert then["recipients"] == [{"name": "Old Mailer", "kind": "processor", "country": None, "agreement": None, "version": 1}]
    assert then["transfers"][0]["recipient"] == "Old Mailer"
    assert now["recipients"][0]["name"] == "New Mailer" and now["transfers"][0]["recipient"] == "New Mailer"
    assert {**now, "version": None, "recipients": [{**r, "version": None} for r in now["recipients"]]} == {
        **live,
        "version": None,
        "recipients": [{**r, "version": None} for r in live["recipients"]],
    }


def test_a_reused_row_id_is_another_record(engine):
    """SQLite gives a new row the id of the last one deleted: its history is not the old one's."""
    with db.transaction(engine) as s:
        create_organisation(s, {"name": ORG}, actor="alice")
        create_organisation(s, {"name": "Beta AS"}, actor="alice")
        create_activity(s, ORG, {"ref": "A-01", "name": "Kept"}, actor="alice")
        gone = create_activity(s, ORG, {"ref": "A-02", "name": "Deleted"}, actor="alice").id
    with db.transaction(engine) as s:
        delete_activity(s, ORG, "A-02", actor="bob")
    with db.transaction(engine) as s:
        new = create_activity(s, "Beta AS", {"ref": "B-01", "name": "Another record"}, actor="bob").id
    with db.session(engine) as s:
        old = timeline.versions(s, "activity", f"{ORG}/A-02")
        other = timeline.versions(s, "activity", "Beta AS/B-01")
        register = timeline.register_at(s, utcnow()).document
    assert [(v.action, v.record["name"]) for v in old] == [("create", "Deleted"), ("delete", "Deleted")]
    assert [(v.action, v.record["name"]) for v in other] == [("create", "Another record")]
    assert [[a["ref"] for a in o["activities"]] for o in register["organisations"]] == [["A-01"], ["B-01"]]
    if engine.dialect.name == "sqlite":
        assert new == gone  # the case this guards against

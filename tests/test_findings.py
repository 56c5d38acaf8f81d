"""The findings kept change by change (ropa.findings) equal a full check run after every kind
of edit the register allows, on SQLite and PostgreSQL, without judging everything again."""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from ropa import access, db
from ropa.errors import ValidationFailed
from ropa.findings import Register
from ropa.models import AuditEvent
from ropa.register.activities import activity_dict, create_activity, delete_activity, get_activity, next_ref, update_activity
from ropa.register.checks import check_register
from ropa.register.organisations import create_organisation, delete_organisation, list_organisations, organisation_dict, update_organisation
from ropa.register.recipients import create_recipient, delete_recipient, recipient_dict, update_recipient

TODAY = date(2026, 6, 1)


def _full(engine: Any, orgs: Any = None) -> list[dict[str, Any]]:
    with db.session(engine) as s:
        return [f.as_dict() for f in check_register(s, orgs=orgs, today=TODAY)]


def _kept(engine: Any, kept: Register, orgs: Any = None) -> list[dict[str, Any]]:
    with db.session(engine) as s:
        return [f.as_dict() for f in kept.findings(s, orgs, TODAY)]


def _same(engine: Any, kept: Register, what: str) -> None:
    full = _full(engine)
    assert _kept(engine, kept) == full, what
    with db.session(engine) as s:
        names = [o.name for o in list_organisations(s)]
    if names:
        one = names[len(names) // 2]
        assert _kept(engine, kept, [one]) == _full(engine, [one]), what
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for f in full:
        if f["activity_ref"]:
            c = counts.setdefault((f["organisation"], f["activity_ref"]), {})
            c[f["severity"]] = c.get(f["severity"], 0) + 1
    with db.session(engine) as s:
        assert kept.counts(s, TODAY) == counts, what


def _pick_activity(engine: Any, rng: random.Random) -> tuple[str, str]:
    with db.session(engine) as s:
        pairs = sorted((o.name, a.ref) for o in list_organisations(s) for a in o.activities)
    return rng.choice(pairs)


def _mutate(act: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
    """One of the changes that move findings: fields Art. 30 requires, bases, special categories,
    transfers, retention, DPIA, reviews, recipients (a new processor without an agreement)."""
    act = {k: v for k, v in act.items() if k not in ("version", "organisation")}
    kind = rng.randrange(10)
    if kind == 0:
        act["purposes"] = [] if act.get("purposes") else ["Kundeoppfølging"]
    elif kind == 1:
        act["legal_bases"] = [] if act.get("legal_bases") else [{"code": "art6_1_f", "note": None, "documentation": None}]
    elif kind == 2:
        act["special_categories"] = ["user.health_and_medical"]
        act["art9_conditions"] = []
    elif kind == 3:
        act["transfers"] = [
            *act.get("transfers", []),
            {
                "country": rng.choice(["CN", "US", "JP", "SE"]),
                "mechanism": rng.choice(["none", "art45", "art49_1_a"]),
                "frequency": rng.choice([None, "regular"]),
            },
        ]
    elif kind == 4:
        act["retention"] = {"text": rng.choice(["Så lenge det er nødvendig", "5 år etter avsluttet kundeforhold", None])}
    elif kind == 5:
        act["dpia"] = {
            "status": "not_assessed",
            "ref": None,
            "screening": {"large_scale": {"answer": True, "note": None}, "sensitive_data": {"answer": True, "note": None}},
        }
        act["special_categories"] = ["user.health_and_medical"]
    elif kind == 6:
        act["next_review"] = rng.choice(["2025-01-01", "2027-01-01", None])
        act["last_review"] = None
    elif kind == 7:
        act["recipients"] = [*act.get("recipients", []), {"name": f"Ny leverandør {n}", "kind": "processor", "country": "IN", "agreement": None}]
    elif kind == 8:
        act["status"] = rng.choice(["draft", "active", "retired"])
    else:
        act["security_measures"] = [] if act.get("security_measures") else ["Tilgangsstyring"]
    return act


def _step(engine: Any, rng: random.Random, n: int) -> str:
    """One random write, in its own transaction, as the dashboard or an import would make it."""
    kind = rng.choice(["activity"] * 6 + ["create", "delete", "organisation", "recipient", "recipient_new", "recipient_delete", "org_new", "org_delete"])
    with db.transaction(engine) as s:
        orgs = list_organisations(s)
        org = rng.choice(orgs)
        if kind == "activity" and org.activities:
            a = rng.choice(org.activities)
            update_activity(s, org.name, a.ref, _mutate(activity_dict(a), rng, n), expected_version=a.version, actor="test")
        elif kind == "create" and org.activities:
            data = activity_dict(rng.choice(org.activities))
            data["ref"] = next_ref(s, org.name)
            create_activity(s, org.name, _mutate(data, rng, n), actor="test")
        elif kind == "delete" and org.activities:
            delete_activity(s, org.name, rng.choice(org.activities).ref, actor="test")
        elif kind == "organisation":
            doc = organisation_dict(org)
            change = rng.randrange(4)
            if change == 0:
                doc.update(country=rng.choice(["US", "NO", "SE"]), offers_to_eea=True)
            elif change == 1:
                doc["dpo"] = None if doc.get("dpo") else {"name": "Ombud", "email": "pvo@example.no", "phone": None}
            elif change == 2:
                doc["public_authority"] = not doc.get("public_authority")
            else:
                doc["name"] = f"{org.name} (omdøpt {n})"
            update_organisation(s, org.name, doc, expected_version=org.version, actor="test")
        elif kind == "recipient" and org.recipients:
            rec = rng.choice(org.recipients)
            doc = recipient_dict(rec)
            doc.update(
                kind=rng.choice(["processor", "controller", "sub_processor"]),
                country=rng.choice(["CN", "NO", "US", None]),
                agreement=rng.choice([None, "DBA-1", "mangler"]),
            )
            update_recipient(s, org.name, rec.name, doc, expected_version=rec.version, actor="test")
        elif kind == "recipient_new":
            create_recipient(s, org.name, {"name": f"Mottaker {n}", "kind": "processor", "country": "US", "agreement": None}, actor="test")
        elif kind == "recipient_delete" and org.recipients:
            rec = rng.choice(org.recipients)
            try:
                delete_recipient(s, org.name, rec.name, actor="test")
            except ValidationFailed:  # in use: the register refuses, nothing changes
                pass
        elif kind == "org_new":
            create_organisation(s, {"name": f"Ny virksomhet {n}", "country": "US", "offers_to_eea": True}, actor="test")
        elif kind == "org_delete" and len(orgs) > 2:
            delete_organisation(s, org.name, actor="test")
        else:
            return "nothing"
    return kind


def test_kept_findings_equal_a_full_run_after_random_edits(demo_engine):
    kept = Register()
    _same(demo_engine, kept, "start")
    assert kept.full_runs == 1
    rng = random.Random(18)
    done = []
    for n in range(60):
        done.append(_step(demo_engine, rng, n))
        _same(demo_engine, kept, f"after step {n}: {done[-1]}")
    assert {"activity", "create", "delete", "organisation", "recipient", "recipient_new", "org_new"} <= set(done)
    assert kept.full_runs == 1  # every change was taken in piece by piece


def test_a_save_judges_only_that_activity(demo_engine):
    kept = Register()
    _kept(demo_engine, kept)
    before = kept.judged
    with db.transaction(demo_engine) as s:
        a = get_activity(s, "Janteloppet", "JL-03")
        data = activity_dict(a)
        data["legal_bases"] = []
        update_activity(s, "Janteloppet", "JL-03", data, expected_version=a.version, actor="test")
    found = _kept(demo_engine, kept)
    assert kept.judged == before + 1 and kept.full_runs == 1
    assert any(f["rule"] == "legal-basis-missing" and f["activity_ref"] == "JL-03" for f in found)
    assert found == _full(demo_engine)


def test_a_new_day_and_a_register_that_went_back_are_judged_anew(demo_engine):
    kept = Register()
    with db.session(demo_engine) as s:
        first = kept.findings(s, None, TODAY)
        assert kept.findings(s, None, TODAY) is first  # nothing changed: the same list
        kept.findings(s, None, date(2030, 1, 1))
        assert kept.full_runs == 2
        kept._stamp += 10**6  # as if the URL now named another database with a shorter audit trail
        assert [f.as_dict() for f in kept.findings(s, None, TODAY)] == [f.as_dict() for f in check_register(s, today=TODAY)]
        assert kept.full_runs == 3
        kept._marked = ("another", "database")  # the same length of audit trail, but not the one seen
        kept.findings(s, None, TODAY)
        assert kept.full_runs == 4
        kept.findings(s, None, TODAY)
        assert kept.full_runs == 4


def test_a_fresh_database_behind_the_same_url_is_judged_anew(tmp_path):
    """Two registers, one after the other under one URL (a restored copy): the second is not
    taken for a continuation of the first, even with a longer audit trail."""
    from ropa.demo import load_demo

    def make(with_demo: bool) -> Any:
        path = tmp_path / "ropa.db"
        path.unlink(missing_ok=True)
        engine = db.make_engine(f"sqlite:///{path}")
        db.migrate(engine)
        with db.transaction(engine) as s:
            create_organisation(s, {"name": "Bare én AS", "country": "NO"}, actor="test")
            if with_demo:
                load_demo(s, actor="test")
        return engine

    kept = Register()
    first = make(False)
    _kept(first, kept)
    first.dispose()
    second = make(True)
    assert _kept(second, kept) == _full(second) and kept.full_runs == 2
    second.dispose()


def test_an_audit_id_committed_late_is_still_taken_in(demo_engine):
    """PostgreSQL gives out audit ids before commit: a save that commits after a later one has
    a lower id than the newest seen. The kept findings ask for such ids again."""
    kept = Register()
    _kept(demo_engine, kept)
    with db.transaction(demo_engine) as s:
        a = get_activity(s, "Janteloppet", "JL-03")
        data = activity_dict(a)
        data["purposes"] = []
        update_activity(s, "Janteloppet", "JL-03", data, expected_version=a.version, actor="test")
    with db.session(demo_engine) as s:
        newest = s.execute(select(func.max(AuditEvent.id))).scalar_one()
        oldest_new = s.execute(select(func.min(AuditEvent.id)).where(AuditEvent.id > kept._stamp)).scalar_one()
    # Pretend the events of that save were not yet committed when the newest id was first seen.
    kept._gaps = {i: time.monotonic() for i in range(oldest_new, newest + 1)}
    kept._stamp = newest
    assert _kept(demo_engine, kept) == _full(demo_engine)
    assert not kept._gaps


def test_a_reader_sees_only_the_organisations_assigned(demo_engine):
    kept = Register()
    reader = access.Principal("leser", "viewer", frozenset({"Janteloppet"}))
    with db.session(demo_engine) as s, access.reading_as(reader):
        found = kept.findings(s, None, TODAY)
        assert found and {f.organisation for f in found} == {"Janteloppet"}
        assert [f.as_dict() for f in found] == [f.as_dict() for f in check_register(s, today=TODAY)]
        with pytest.raises(access.PermissionDenied):
            kept.findings(s, ["Allprofil AS"], TODAY)


def test_a_large_import_is_judged_in_one_pass(demo_engine, monkeypatch):
    """Many records changed at once (an import) are judged with everything rather than piece by
    piece: no query then names thousands of ids."""
    from ropa import findings

    kept = Register()
    _kept(demo_engine, kept)
    monkeypatch.setattr(findings, "_PIECEWISE", 3)
    with db.transaction(demo_engine) as s:
        for ref in ("JL-01", "JL-02", "JL-03", "JL-04"):
            a = get_activity(s, "Janteloppet", ref)
            data = activity_dict(a)
            data["purposes"] = []
            update_activity(s, "Janteloppet", ref, data, expected_version=a.version, actor="test")
    assert _kept(demo_engine, kept) == _full(demo_engine)
    assert kept.full_runs == 2


# -- kept across restarts (the kept file) ------------------------------------------------------


def _restarted(engine: Any, store: Any, today: date = TODAY) -> tuple[Register, list[dict[str, Any]]]:
    """A new process's register reading the kept file, and what it says."""
    kept = Register(store)
    with db.session(engine) as s:
        return kept, [f.as_dict() for f in kept.findings(s, None, today)]


def _edit(engine: Any, ref: str = "JL-03", **fields: Any) -> None:
    with db.transaction(engine) as s:
        a = get_activity(s, "Janteloppet", ref)
        data = activity_dict(a)
        data.update(fields)
        update_activity(s, "Janteloppet", ref, data, expected_version=a.version, actor="test")


def test_kept_file_read_after_a_restart_equals_a_full_run(demo_engine, tmp_path):
    store = tmp_path / "kept" / "ropa.db-findings.json"
    store.parent.mkdir()
    first = Register(store)
    _kept(demo_engine, first)
    assert first._writer is not None  # a full run is written a moment later
    first.flush()
    assert store.is_file() and first.full_runs == 1 and first._writer is None
    again, found = _restarted(demo_engine, store)
    assert again.loaded and again.full_runs == 0 and again.judged == 0
    assert found == _full(demo_engine)
    _same(demo_engine, again, "read back")  # and per organisation, and the list's badges


def test_kept_file_takes_in_writes_made_while_the_server_was_down(demo_engine, tmp_path):
    store = tmp_path / "findings.json"
    first = Register(store)
    _kept(demo_engine, first)
    first.flush()
    _edit(demo_engine, legal_bases=[])  # written after the file: a write it does not know
    again, found = _restarted(demo_engine, store)
    assert again.loaded and again.full_runs == 0 and again.judged == 1  # only the edited activity judged
    assert found == _full(demo_engine)
    assert any(f["rule"] == "legal-basis-missing" and f["activity_ref"] == "JL-03" for f in found)
    assert again._writer is None  # a save is not written at once (no file written per save) ...
    again.flush()  # ... but when the server stops
    _edit(demo_engine, legal_bases=[{"code": "art6_1_b", "note": None, "documentation": None}])
    third, found = _restarted(demo_engine, store)
    assert third.loaded and third.judged == 1 and found == _full(demo_engine)


def test_kept_file_of_other_rules_or_another_day_is_not_used(demo_engine, tmp_path, monkeypatch):
    from ropa import findings

    store = tmp_path / "findings.json"
    first = Register(store)
    _kept(demo_engine, first)
    first.flush()
    # A new day: review dates move, everything is judged anew.
    later = date(2030, 1, 1)
    again, found = _restarted(demo_engine, store, later)
    assert not again.loaded and again.full_runs == 1
    with db.session(demo_engine) as s:
        assert found == [f.as_dict() for f in check_register(s, today=later)]
    # Other rules (another version of the code): judged anew.
    monkeypatch.setattr(findings, "code_version", lambda: "other rules")
    again, found = _restarted(demo_engine, store)
    assert not again.loaded and again.full_runs == 1 and found == _full(demo_engine)


def test_kept_file_of_another_database_or_damaged_is_not_used(tmp_path, demo_engine):
    from ropa.demo import load_demo

    store = tmp_path / "findings.json"
    first = Register(store)
    _kept(demo_engine, first)
    first.flush()
    # Another register behind the same URL (a restored copy) with a longer audit trail.
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    db.migrate(other)
    with db.transaction(other) as s:
        create_organisation(s, {"name": "Bare én AS", "country": "NO"}, actor="test")
        load_demo(s, actor="test")
    again, found = _restarted(other, store)
    assert again.full_runs == 1 and found == _full(other)
    other.dispose()
    store.write_text('{"format": 1, "code": "', encoding="utf-8")  # cut short
    again, found = _restarted(demo_engine, store)
    assert not again.loaded and again.full_runs == 1 and found == _full(demo_engine)


def test_where_the_findings_are_kept(tmp_path, monkeypatch):
    from ropa.findings import store_path

    assert store_path(f"sqlite:///{tmp_path / 'ropa.db'}") == tmp_path / "ropa.db-findings.json"
    assert store_path("sqlite://") is None and store_path("sqlite:///:memory:") is None
    monkeypatch.setenv("ROPA_CACHE_DIR", str(tmp_path / "cache"))
    pg = store_path("postgresql+psycopg://ropa:secret@db.example:5432/ropa")
    assert pg is not None and pg.parent == tmp_path / "cache" and "secret" not in pg.name
    assert pg != store_path("postgresql+psycopg://ropa:secret@db.example:5432/other")


def test_the_dashboard_keeps_a_sqlite_registers_findings_beside_it(tmp_path):
    from ropa import findings

    url = f"sqlite:///{tmp_path / 'beside.db'}"
    assert findings.kept(url)._store == tmp_path / "beside.db-findings.json"
    assert findings.kept(url) is findings.kept(url)  # one per process
    assert findings.kept("sqlite://")._store is None  # an in-memory database keeps nothing

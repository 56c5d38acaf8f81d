"""The audit trail as people read it (ropa.audit): every field, action and kind of record the code
writes to the trail has a label in bokmål and English, found by walking the code's own audit calls
and the record shapes it compares; the History page shows them, never a raw key."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, Optional

from conftest import ROOT, app_page

from ropa import audit, db
from ropa.register.activities import activity_dict, get_activity, update_activity
from ropa.register.lookup import get_organisation
from ropa.register.organisations import organisation_dict, update_organisation
from ropa.register.recipients import list_recipients, recipient_dict, update_recipient

LANGS = ("nb", "en")


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _literal(call: ast.Call, key: str) -> Optional[str]:
    value = next((k.value for k in call.keywords if k.arg == key), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _wrapper_entities(tree: ast.AST) -> dict[str, Optional[str]]:
    """The functions of a module that write one kind of record's audit events (through
    ``ropa.register.audit.record_event`` or ``AuditEvent``), with the entity they write (users.py's
    ``_audit``: "user"; ``audit_review``: "activity")."""
    found: dict[str, Optional[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and _name(call.func) in ("record_event", "AuditEvent") and _literal(call, "entity"):
                    found[node.name] = _literal(call, "entity")
    return found


def _audit_calls(path: Path, shared: dict[str, Optional[str]]) -> set[tuple[str, Optional[str], Optional[str]]]:
    """(entity, action, field) of every audit write in a module whose words are literals; a module's
    own ``_audit`` wrapper, or a public wrapper of another module (``shared``), lends its calls the
    entity it writes; ``record_event`` calls name theirs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrappers = {**shared, "record_event": None, "_audit": _wrapper_entities(tree).get("_audit")}
    found = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and (_name(call.func) in wrappers or _name(call.func) == "AuditEvent"):
            entity = _literal(call, "entity") or wrappers.get(_name(call.func))
            if entity:
                found.add((entity, _literal(call, "action"), _literal(call, "field")))
    return found


def _written_by_code() -> set[tuple[str, Optional[str], Optional[str]]]:
    paths = [p for p in sorted((ROOT / "ropa").rglob("*.py")) if "migrations" not in p.parts]
    shared: dict[str, Optional[str]] = {}
    for path in paths:
        shared.update({k: v for k, v in _wrapper_entities(ast.parse(path.read_text(encoding="utf-8"))).items() if not k.startswith("_")})
    found: set[tuple[str, Optional[str], Optional[str]]] = set()
    for path in paths:
        found |= _audit_calls(path, shared)
    return found


def _compared_fields(url: str) -> set[tuple[str, str]]:
    """(entity, field) of every field an update compares (``ropa.register.audit.record_changes`` writes one
    event per changed key of these documents)."""
    engine = db.make_engine(url)
    with db.session(engine) as s:
        act = get_activity(s, "Janteloppet", "JL-01")
        org = get_organisation(s, "Janteloppet")
        rec = list_recipients(s, "Janteloppet")[0]
        out = (
            {("activity", k) for k in activity_dict(act)}
            | {("organisation", k) for k in organisation_dict(org)}
            | {("recipient", k) for k in recipient_dict(rec)}
        )
    engine.dispose()
    return out


def test_every_audited_field_action_and_record_kind_has_a_label_in_both_languages(sqlite_demo_url):
    written = _written_by_code()
    assert ("user", "update", "password") in written and ("activity", None, "review") in written  # the walk sees the wrappers
    fields = {(e, f) for e, _, f in written if f} | _compared_fields(sqlite_demo_url)
    assert ("organisation", "dpo") in fields and ("activity", "retention") in fields and ("recipient", "kind") in fields
    for lang in LANGS:
        unlabelled = [(e, f) for e, f in sorted(fields) if audit.field_label(e, f, lang) in ("", f)]
        assert not unlabelled, f"audited fields without a {lang} label: {unlabelled}"
        actions = {a for _, a, _ in written if a}
        assert {"create", "update", "delete", "submit", "approve", "return", "signin", "lock", "refused"} <= actions | {"retire"}
        assert not [a for a in sorted(actions) if audit.action_label(a, lang) == a], lang
        assert {e for e, _, _ in written} <= set(audit.ENTITIES) and audit.entity_label("setting", "nb") == "innstilling"
    # A field keeps the meaning of its kind of record: a recipient's name is not an activity's.
    assert audit.field_label("recipient", "name", "nb") == "Mottaker" != audit.field_label("activity", "name", "nb")
    assert audit.field_label("setting", "review_interval", "nb") == "Intervall for gjennomgang (måneder)"
    assert audit.field_label("organisation", "dpo", "en") == "Data protection officer"


def _raw(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def test_values_of_users_reviews_snapshots_and_sources_are_words():
    assert audit.value_text("user", "password", _raw("(hidden)"), "nb") == "(skjult)"
    assert audit.value_text("user", "role", _raw("dpo"), "nb") == "personvernombud"
    assert audit.value_text("user", "role", _raw("viewer"), "en") == "viewer"
    assert audit.value_text("activity", "review", _raw("in_review"), "nb") == "til godkjenning"
    assert audit.value_text("activity", "review", _raw({"state": "approved", "version": 4}), "nb") == "godkjent, versjon: 4"
    assert audit.value_text("snapshot", None, _raw({"label": "Årsslutt 2026", "activities": 37}), "nb") == "Årsslutt 2026"
    assert audit.source_label("import:demo register", "nb") == "import: demoregisteret"
    assert audit.source_label("import:ropa.xlsx", "en") == "import: ropa.xlsx"
    assert audit.source_label("dashboard", "nb") == "dashbordet" and audit.source_label("cli", "en") == "command line"


def test_history_page_names_organisation_recipient_and_activity_fields(demo_url):
    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        org = get_organisation(s, "Janteloppet")
        doc = organisation_dict(org)
        update_organisation(
            s,
            "Janteloppet",
            {**doc, "dpo": {"name": "Kari Nordmann", "email": "dpo@example.org"}},
            expected_version=org.version,
            actor="kollega",
            source="dashboard",
        )
        rec = list_recipients(s, "Janteloppet")[0]
        update_recipient(s, "Janteloppet", rec.name, {**recipient_dict(rec), "kind": "processor"}, expected_version=rec.version, actor="kollega", source="cli")
        act = get_activity(s, "Janteloppet", "JL-01")
        data = activity_dict(act)
        update_activity(
            s,
            "Janteloppet",
            "JL-01",
            {**data, "retention": {**data["retention"], "period": 3, "unit": "years"}},
            expected_version=act.version,
            actor="kollega",
            source="dashboard",
        )
    engine.dispose()
    at = app_page("history", "nb", h_org="Janteloppet")
    frame = at.dataframe[0].value
    changed = frame[frame["Handling"] == "endret"]
    assert {"Personvernombud", "Type mottaker", "Lagringstid"} <= set(changed["Felt"])
    assert not {"dpo", "kind", "retention", "name"} & set(frame["Felt"])
    assert {"dashbordet", "kommandolinjen", "import: demoregisteret"} <= set(frame["Kilde"])
    assert "virksomhet · Janteloppet" in set(changed["Post"]) and "behandlingsaktivitet · JL-01" in set(changed["Post"])
    assert any(p.startswith("mottaker · ") and "Janteloppet" not in p for p in changed["Post"])  # the page names the organisation
    retention = changed[changed["Felt"] == "Lagringstid"].iloc[0]
    assert "Lagringstid (antall): 3" in retention["Etter"] and "Lagringstid (enhet): år" in retention["Etter"]
    assert retention["Før"] != retention["Etter"]  # a new period shows even when the words stay the same
    dpo = changed[changed["Felt"] == "Personvernombud"].iloc[0]["Etter"]
    assert dpo == "Personvernombud: Kari Nordmann\nPersonvernombudets e-post: dpo@example.org"

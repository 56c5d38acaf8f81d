"""The JSON format: schema, round trip, and rejection of bad files with nothing written."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from ropa import db
from ropa.demo import demo_document
from ropa.errors import ValidationFailed
from ropa.models import AuditEvent, Organisation, ProcessingActivity
from ropa.register import interchange
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import organisation_dict, update_organisation
from ropa.validation import json_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "schema" / "ropa-register.schema.json"


def snapshot(engine):
    with db.session(engine) as s:
        return (
            s.execute(select(func.count()).select_from(Organisation)).scalar_one(),
            s.execute(select(func.count()).select_from(ProcessingActivity)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            json.dumps(interchange.export_document(s), sort_keys=True),
        )


def test_published_schema_is_generated_from_the_models():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema(), (
        "schema/ropa-register.schema.json is stale: run python -m ropa schema > schema/ropa-register.schema.json"
    )


def test_demo_export_validates_against_the_schema(demo_engine):
    with db.session(demo_engine) as s:
        document = interchange.export_document(s)
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(document)
    assert document["format"] == "ropa-register" and document["version"] == 1
    assert len(document["organisations"]) == 5


def test_export_import_export_is_identical(demo_engine, tmp_path, backend):
    with db.transaction(demo_engine) as s:  # Art. 3(2) in all three states: yes, no, not recorded
        org = organisation_dict(get_organisation(s, "Janteloppet"))
        update_organisation(s, "Janteloppet", {**org, "offers_to_eea": None, "monitors_eea": False}, expected_version=1, actor="t")
    first = tmp_path / "first.json"
    with db.session(demo_engine) as s:
        interchange.write_json(s, first)
    states = {(o["offers_to_eea"], o["monitors_eea"]) for o in json.loads(first.read_text(encoding="utf-8"))["organisations"]}
    assert {(None, False), (False, False), (True, False)} <= states
    from tests.conftest import make_test_engine

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    if backend == "postgresql":  # one PostgreSQL test database: empty it and import there
        target = make_test_engine("postgresql", other_dir)
    else:
        target = make_test_engine("sqlite", other_dir)
    db.migrate(target)
    with db.transaction(target) as s:
        report = interchange.import_document(s, interchange.read_json(first), actor="t", source="first.json")
    assert len(report.created) >= 25 and not report.updated
    second = tmp_path / "second.json"
    with db.session(target) as s:
        interchange.write_json(s, second)
    # the same document, but for the version counters of this database's saves (Janteloppet was saved once more above)
    assert first.read_text(encoding="utf-8").replace('"version": 2', '"version": 1') == second.read_text(encoding="utf-8")


def test_reimport_reports_unchanged_and_updated(demo_engine):
    with db.session(demo_engine) as s:
        document = interchange.export_document(s)
    document["organisations"][0]["activities"][0]["name"] += " (revidert)"
    with db.transaction(demo_engine) as s:
        report = interchange.import_document(s, document, actor="t", source="edit.json")
    assert len(report.updated) == 1 and len(report.created) == 0
    assert len(report.unchanged) == sum(len(o["activities"]) for o in document["organisations"]) - 1
    with db.session(demo_engine) as s:
        key = report.updated[0]
        org, ref = key.rsplit("/", 1)
        events = activity_history(s, org, ref)
        assert events[-1].field == "name" and events[-1].source == "import:edit.json"


def test_dry_run_reports_but_writes_nothing(demo_engine):
    before = snapshot(demo_engine)
    document = demo_document()
    document["organisations"][0]["activities"][0]["ref"] = "NEW-01"
    with db.session(demo_engine) as s:
        report = interchange.import_document(s, document, actor="t", source="x.json", dry_run=True)
        s.rollback()
    assert report.created == [f"{document['organisations'][0]['name']}/NEW-01"]
    assert snapshot(demo_engine) == before


BAD_CASES = {  # what is done to the document, the problem's path ("{n}": the new item's index), its field and code
    "unknown legal basis": (
        lambda d: d["organisations"][1]["activities"][2]["legal_bases"].append({"code": "art6_1_x", "note": None}),
        ("organisations", 1, "activities", 2, "legal_bases", "{n}", "code"),
        "legal_bases",
        "unknown_code",
    ),
    "unknown country": (
        lambda d: d["organisations"][2]["activities"][0].update(transfers=[{"country": "XX", "mechanism": "none"}]),
        ("organisations", 2, "activities", 0, "transfers", 0, "country"),
        "transfers",
        "unknown_country",
    ),
    "unknown mechanism": (
        lambda d: d["organisations"][2]["activities"][0].update(transfers=[{"country": "CN", "mechanism": "SCC"}]),
        ("organisations", 2, "activities", 0, "transfers", 0, "mechanism"),
        "transfers",
        "unknown_code",
    ),
    "duplicate ref": (
        lambda d: d["organisations"][3]["activities"][1].update(ref=d["organisations"][3]["activities"][0]["ref"]),
        ("organisations", 3, "activities", 1, "ref"),
        "ref",
        "duplicate",
    ),
    "missing name": (lambda d: d["organisations"][4]["activities"][3].pop("name"), ("organisations", 4, "activities", 3, "name"), "name", "missing"),
    "unknown field": (
        lambda d: d["organisations"][0]["activities"][0].update(purpose=["typo"]),
        ("organisations", 0, "activities", 0, "purpose"),
        None,
        "extra_forbidden",
    ),
    "bad date": (
        lambda d: d["organisations"][0]["activities"][1].update(next_review="31.12.2026"),
        ("organisations", 0, "activities", 1, "next_review"),
        "next_review",
        "date_from_datetime_parsing",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_documents_name_the_place_and_change_nothing(demo_engine, case):
    mutate, path, field, code = BAD_CASES[case]
    document = copy.deepcopy(demo_document())
    n = len(document["organisations"][1]["activities"][2]["legal_bases"])
    document["organisations"][0]["activities"][0]["name"] = "Would be changed"
    mutate(document)
    before = snapshot(demo_engine)
    with pytest.raises(ValidationFailed) as info:
        with db.transaction(demo_engine) as s:
            interchange.import_document(s, document, actor="t")
    found = {(p.path, p.field, p.code) for p in info.value.problems}
    assert (tuple(n if part == "{n}" else part for part in path), field, code) in found, found
    assert snapshot(demo_engine) == before


def test_an_error_in_a_later_organisation_undoes_the_earlier_ones_and_every_problem_is_named(demo_engine):
    """Organisations are written one at a time; a problem in the last one still leaves the
    register as it was, and problems in several organisations are all reported."""
    document = copy.deepcopy(demo_document())
    document["organisations"][0]["activities"][0]["name"] = "Would be changed"
    document["organisations"].append(
        {**copy.deepcopy(document["organisations"][0]), "name": "New AS", "activities": [{"ref": "N-01", "name": "x", "retention": {"unit": "weeks"}}]}
    )
    document["organisations"][2]["activities"][0]["transfers"] = [{"country": "XX"}]
    before = snapshot(demo_engine)
    with pytest.raises(ValidationFailed) as info:
        with db.transaction(demo_engine) as s:
            interchange.import_document(s, document, actor="t")
    paths = {p.path for p in info.value.problems}
    assert ("organisations", 2, "activities", 0, "transfers", 0, "country") in paths
    assert ("organisations", 5, "activities", 0, "retention", "unit") in paths
    assert "organisations[5].activities[0].retention.unit" in {p.where for p in info.value.problems}  # its rendering
    assert snapshot(demo_engine) == before


def test_not_a_register_document(tmp_path):
    for content, code in [("{not json", "bad_json"), ('{"format": "something", "version": 1}', "literal_error"), ("[1, 2]", "not_a_document")]:
        path = tmp_path / "x.json"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ValidationFailed) as info:
            data = interchange.read_json(path)
            from ropa.validation import parse_document

            doc, problems = parse_document(data)
            raise ValidationFailed(problems)
        assert info.value.problems[0].code == code


def test_written_file_is_the_exported_document_one_activity_per_line(demo_engine, tmp_path):
    path = tmp_path / "register.json"
    with db.session(demo_engine) as s:
        counts = interchange.write_json(s, path)
        document = interchange.export_document(s)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == document
    assert text == interchange.dumps(document)
    assert counts == {"organisations": 5, "activities": sum(len(o["activities"]) for o in document["organisations"])}
    activity_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"ref"')]
    assert len(activity_lines) == counts["activities"]
    assert not (tmp_path / "register.json.part").exists()

"""Nothing lost: names that round-trip, one notion of valid on both databases, unique names
in the database itself, and imports or saves that never undo someone else's work."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from ropa import db, interchange, registry
from ropa.errors import Conflict, ValidationFailed
from ropa.excel import importer
from ropa.excel.export import write_workbook
from ropa.models import Organisation

ACT = {"ref": "A-01", "name": "Payroll", "purposes": ["Pay salaries"], "legal_bases": [{"code": "art6_1_c"}],
       "recipients": [{"name": "Bank AS", "kind": "controller", "country": "NO"}],
       "retention": {"period": 5, "unit": "years"}}


def _org(engine: Any, name: str, activities: tuple[dict[str, Any], ...] = (ACT,)) -> str:
    with db.transaction(engine) as s:
        org = registry.create_organisation(s, {"name": name}, actor="alice")
        for a in activities:
            registry.create_activity(s, org.name, a, actor="alice")
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
        report = importer.import_file(s, book, actor="bob")
        assert (report.created, report.updated, report.organisations_created) == ([], [], 0)
        assert report.unchanged == [f"{name}/A-01"]
    with db.session(engine) as s:
        assert [o.name for o in registry.list_organisations(s)] == [name]
        assert registry.get_organisation(s, raw).name == name  # the raw spelling finds it too


def test_control_character_in_a_name_is_refused_naming_the_field(engine):
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            registry.create_organisation(s, {"name": "Bell\x07 AS"}, actor="alice")
    assert _codes(err.value) == [("name", "control_character")]
    name = _org(engine, "Plain AS", ())
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            registry.create_activity(s, name, {**ACT, "recipients": [{"name": "Esc\x1b[2J Bank"}]}, actor="alice")
    assert _codes(err.value) == [("recipients[0].name", "control_character")]
    with db.session(engine) as s:
        assert [o.name for o in registry.list_organisations(s)] == ["Plain AS"]


# ---------------------------------------------------------------------------------------------
# One notion of valid on SQLite and PostgreSQL


@pytest.mark.parametrize("field, value, where", [
    ("description", "a\x00b", "description"),
    ("purposes", ["ok", "pay\x00"], "purposes"),
    ("owner", "HR\x00", "owner"),
    ("retention", {"period": 2**31, "unit": "days"}, "retention.period"),
    ("retention", {"period": 1001, "unit": "years"}, "retention.period"),
    ("retention", {"period": 12_001, "unit": "months"}, "retention.period"),
    ("transfers", [{"country": "US", "safeguard": "\x00"}], "transfers[0].safeguard"),
    ("version", 2**40, "version"),
])
def test_nul_and_out_of_range_numbers_are_refused_on_both_databases(engine, field, value, where):
    name = _org(engine, "Acme AS", ())
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            registry.create_activity(s, name, {**ACT, field: value}, actor="alice")
    assert [p.where for p in err.value.problems] == [where]
    document = {"format": "ropa-register", "version": 1, "organisations": [{"name": name, "activities": [{**ACT, field: value}]}]}
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            interchange.import_document(s, document, actor="bob")
    assert [p.where for p in err.value.problems] == [f"organisations[0].activities[0].{where}"]
    with db.session(engine) as s:
        assert registry.list_activities(s) == []
    with db.transaction(engine) as s:  # the bound itself is fine on both
        registry.create_activity(s, name, {**ACT, "retention": {"period": 1000, "unit": "years"}}, actor="alice")


@pytest.mark.parametrize("data, where", [({"address": "Street\x001"}, "address"), ({"dpo": {"email": "d\x00@x.no"}}, "dpo.email"),
                                         ({"name": "Nul\x00 AS"}, "name")])
def test_nul_in_an_organisation_field_is_refused(engine, data, where):
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            registry.create_organisation(s, {"name": "Acme AS", **data}, actor="a")
    assert _codes(err.value) == [(where, "nul_character")]
    with db.session(engine) as s:
        assert registry.list_organisations(s) == []


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
                registry.create_organisation(s, {"name": "Race Case"}, actor="alice")
                first_flushed.set()
                assert second_checked.wait(30)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors["first"] = exc

    def second() -> None:
        assert first_flushed.wait(30)
        try:
            with db.transaction(engine) as s:
                event.listen(s, "before_flush", lambda *_: second_checked.set())
                registry.create_organisation(s, {"name": "RACE CASE"}, actor="bob")
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
            registry.create_recipient(s, name, {"name": "BANK AS"}, actor="bob")
    assert _codes(err.value) == [("name", "duplicate")] and "BANK AS" in str(err.value)
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            registry.create_activity(s, name, {**ACT, "ref": "A-02", "recipients": [{"name": "bank as"}]}, actor="bob")
    assert "bank as" in str(err.value)
    with db.session(engine) as s:
        assert [r.name for r in registry.list_recipients(s, name)] == ["Bank AS"]
        assert s.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1

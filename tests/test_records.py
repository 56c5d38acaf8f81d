"""The record's shape is written once (ropa/records.py): the writers and readers agree with it,
and a new plain activity field needs only the models, the schema, records, the field table and
a migration (the workbook, the importer and the editor fall back on the field's kind)."""

from __future__ import annotations

import re
from pathlib import Path

from ropa import records
from ropa.fields import ACTIVITY, FieldSpec
from ropa.models import ProcessingActivity, core_table
from ropa.schema import ActivityDoc

ROOT = Path(__file__).resolve().parent.parent

BOOKKEEPING = {"id", "organisation_id", "version", "created_at", "updated_at"}


def _doc() -> ActivityDoc:
    return ActivityDoc.model_validate(
        {
            "ref": "X-01",
            "name": "Payroll",
            "purposes": ["Pay"],
            "last_review": "2026-01-02",
            "transfers": [{"country": "US", "mechanism": "art46_2_c", "tia_date": "2026-02-03"}],
        }
    )


def test_the_activity_columns_are_the_tables_own():
    table = {c.name for c in core_table(ProcessingActivity).columns}
    assert set(records.ACTIVITY_COLUMNS) == table - BOOKKEEPING
    assert list(records.activity_columns(_doc())) == list(records.ACTIVITY_COLUMNS)  # the bulk insert's order
    assert records.LIST_COLUMNS | records.MAPPING_COLUMNS | records.DAY_COLUMNS <= set(records.ACTIVITY_COLUMNS)


def test_the_transfer_columns_are_the_writers():
    assert list(records.transfer_columns(_doc().transfers[0])) == list(records.TRANSFER_COLUMNS)


def test_an_empty_record_has_the_formats_fields_and_the_models_defaults():
    empty = records.empty_activity()
    assert list(empty) == [k for k in ActivityDoc.model_fields if k != "version"]
    assert (empty["role"], empty["status"], empty["dpia"]["status"]) == ("controller", "active", "not_assessed")
    assert records.empty_transfer()["mechanism"] == "unknown"
    ActivityDoc.model_validate({**empty, "ref": "X-01", "name": "x"})  # valid once named


def test_a_record_read_back_is_the_validated_document():
    """Document -> columns -> record is the identity on the format's fields (the writer and the reader agree)."""
    doc = _doc()

    class Row:
        pass

    row = Row()
    for k, v in records.activity_columns(doc).items():
        setattr(row, k, v)
    transfers = [records.transfer_record(type("T", (), records.transfer_columns(t))(), t.recipient) for t in doc.transfers]
    assert records.activity_record(row, [], [], transfers) == {k: v for k, v in doc.model_dump(mode="json").items() if k != "version"}


PLAIN = ("owner", "systems", "sources", "description", "criminal_data_basis", "security_measures", "purposes", "no_recipients", "next_review")


def test_where_the_activity_fields_are_spelled_out():
    """The modules that name every plain activity field as a string: the field table, records, and
    four presentations that give some fields a renderer, parser or widget of their own (the
    renderers the workbook and the dashboard share (ropa/present.py), the workbook's reader, the
    editor and the Art. 30 record's cards; for a field they do not name,
    the first three fall back on its kind). A new module here restates the shape."""
    found = None
    for name in PLAIN:
        files = {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / "ropa").rglob("*.py")
            if "migrations" not in p.parts and re.search(rf"[\"'.]{name}[\"'\b]", p.read_text(encoding="utf-8"))
        }
        found = files if found is None else found & files
    assert found == {"ropa/fields.py", "ropa/records.py", "ropa/excel/convert.py", "ropa/present.py", "ropa/ui/editor/sections.py", "ropa/documents/present.py"}


def test_a_new_plain_field_reaches_the_workbook_and_the_importer_by_its_kind():
    from ropa import present
    from ropa.excel import convert, layout

    table = {**ACTIVITY, "joint_arrangement": FieldSpec("joint_arrangement", "Joint arrangement", "Felles avtale", "text")}
    columns = present.in_table_order(table, present._ACTIVITY_COLUMNS)
    assert [c.key for c in columns] == list(table)  # every field a column, in the field table's order
    act = {"joint_arrangement": "Avtale 1"}
    assert columns[-1].render(act, layout.Context(lang="en")) == "Avtale 1"
    assert [c.key for c in layout.ACTIVITIES.columns if not c.hidden] == ["organisation", *ACTIVITY]  # the sheet follows the table
    assert convert._BY_KIND["text"] is convert.HANDLERS["owner"]

"""An import in bokmål tells every problem in bokmål (issue 18: "translate every message the project
writes"): our own workbook edited in ways that raise many of the importer's warnings and errors, a
register with a recipient described two ways, a create-only import of an activity that exists, and
files the reader refuses. The codes are those of the English import; no message reads as English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ropa import db, imports
from ropa.errors import Problem, ValidationFailed
from ropa.excel.export import write_workbook
from tests.test_import import make_org, plain_workbook

# Words an English message has and a bokmål one has not (quoted values aside).
ENGLISH = re.compile(r"\b(is|the|not imported|removed|was|were|has|cannot|kept|changed|already|no longer|row|column|sheet|here)\b")


def _english(message: str) -> list[str]:
    """The English words of a message, outside what it quotes from the file ('…')."""
    return ENGLISH.findall(re.sub(r"'[^']*'", "''", message))


def _header_index(ws: Any) -> dict[str, int]:
    return {c.value: i for i, c in enumerate(ws[1], 1) if c.value}


def _edited_own_workbook(engine: Any, tmp_path: Path) -> Path:
    """Our bokmål workbook of the demo register, edited as a department might."""
    book = tmp_path / "register.xlsx"
    with db.session(engine) as s:
        write_workbook(s, book, lang="nb")
    wb = load_workbook(book)
    ws = wb["Behandlingsaktiviteter"]
    h = _header_index(ws)
    rows = {ws.cell(r, h["Referanse"]).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["JL-03"], h["ropa:json"]).value = '{"ref": "JL-03", "name": '  # damaged hidden JSON
    ws.cell(rows["JL-02"], h["Referanse"]).value = "JL-20"  # a ref typed over: a new activity
    ws.cell(1, ws.max_column + 1).value = "Fargekode"  # a column of the department's own
    transfers = wb["Overføringer"]
    th = _header_index(transfers)
    victim = (transfers.cell(2, th["Virksomhet"]).value, transfers.cell(2, th["Referanse"]).value)
    for r in range(transfers.max_row, 1, -1):  # every transfer of one activity deleted
        if (transfers.cell(r, th["Virksomhet"]).value, transfers.cell(r, th["Referanse"]).value) == victim:
            transfers.delete_rows(r)
    recipients = wb["Mottakere"]
    rh = _header_index(recipients)
    recipients.cell(2, rh["Brukes i (behandlingsaktiviteter)"]).value = "XX-99"  # an unknown activity, the others dropped
    orgs = wb["Virksomheter"]
    orgs.cell(2, _header_index(orgs)["Virksomhet"]).value = "Nytt navn AS"  # an organisation renamed
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    return edited


def _check(problems: list[Problem]) -> None:
    english = {str(p): _english(str(p)) for p in problems if _english(str(p))}
    assert english == {}, english


def test_an_import_in_bokmal_tells_every_problem_in_bokmal(demo_engine, tmp_path):
    edited = _edited_own_workbook(demo_engine, tmp_path)
    with db.session(demo_engine) as s:
        english = imports.plan(s, edited, lang="en")
        norsk = imports.plan(s, edited, lang="nb")
    codes = sorted(p.code for p in english.warnings + english.errors)
    assert {"damaged_json", "new_ref", "unknown_column", "removed", "rename", "unknown_activity"} <= set(codes)
    assert sorted(p.code for p in norsk.warnings + norsk.errors) == codes
    _check(norsk.warnings + norsk.errors)
    assert _english(next(p.message for p in english.warnings if p.code == "removed"))  # the English stays English

    # A recipient described two ways, and create-only on an activity that exists.
    make_org(demo_engine)
    two_ways = plain_workbook(
        tmp_path / "r.xlsx",
        ["Behandlingsaktivitet", "Kategorier av mottakere", "Link to contract with processor"],
        [["Lønn", "Regnskapsbyrået (databehandler)", "DBA-1"], ["Regnskap", "Regnskapsbyrået (databehandler)", "DBA-2"]],
    )
    with db.session(demo_engine) as s:
        norsk = imports.plan(s, two_ways, org="Testkommune", lang="nb")
    assert [p.code for p in norsk.warnings] == ["conflict"]
    _check(norsk.warnings)
    with db.session(demo_engine) as s:
        name = next(r.name for r in imports.plan(s, edited).rows if r.organisation == "Janteloppet" and r.ref == "JL-01")
    existing = plain_workbook(tmp_path / "c.xlsx", ["Virksomhet", "Behandlingsaktivitet"], [["Janteloppet", name]])
    with db.session(demo_engine) as s:
        norsk = imports.plan(s, existing, mode="create-only", lang="nb")
    assert [p.code for p in norsk.warnings] == ["exists"] and [r.status for r in norsk.rows] == ["skipped"]
    _check(norsk.warnings)


@pytest.mark.parametrize(("content", "code"), [(b"", "empty"), (b"PK\x03\x04 broken", "truncated"), (b"\x00\x01\x02" * 100, "not_a_spreadsheet")])
def test_a_file_refused_in_bokmal_is_told_in_bokmal(engine, tmp_path, content, code):
    path = tmp_path / "register.xlsx"
    path.write_bytes(content)
    with db.session(engine) as s, pytest.raises(ValidationFailed) as refused:
        imports.plan(s, path, lang="nb")
    assert [p.code for p in refused.value.problems] == [code]
    _check(refused.value.problems)


def test_a_register_document_in_bokmal_is_told_in_bokmal(engine, tmp_path):
    from ropa.schema import FORMAT_NAME, FORMAT_VERSION

    activity = {"ref": "A-1", "name": "Lønn", "role": "processor"}
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "organisations": [{"name": "Testkommune", "country": "NO", "activities": [activity, activity]}],
    }
    path = tmp_path / "register.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    for file in (path, broken):
        with db.session(engine) as s:
            try:
                found = imports.plan(s, file, lang="nb")
                problems = found.errors + found.warnings
            except ValidationFailed as refused:
                problems = refused.problems
        assert {p.code for p in problems} == ({"duplicate", "missing"} if file == path else {"bad_json"})
        _check(problems)


@pytest.mark.parametrize(
    "text",
    ['{"format": ', "{format: 1}", '{"format" 1}', '{"a": 1 "b": 2}', '{"a": "x', '{"a": "x\ny"}', '{"a": "\\q"}', '{"a": "\\u12"}', "{} x"],
)
def test_a_broken_json_file_is_told_in_bokmal_with_its_place(demo_engine, tmp_path, text):
    """Python's JSON decoder speaks English ("Expecting value"); a bokmål import says it in bokmål,
    and both say where (file:line:column)."""
    broken = tmp_path / "broken.json"
    broken.write_text(text, encoding="utf-8")
    told = {}
    for lang in ("nb", "en"):
        with db.session(demo_engine) as s, pytest.raises(ValidationFailed) as refused:
            imports.plan(s, broken, lang=lang)
        (problem,) = refused.value.problems
        assert problem.code == "bad_json" and "broken.json:1:" in str(problem)
        told[lang] = problem.message
    assert told["nb"].startswith("ikke gyldig JSON: ") and told["en"].startswith("not valid JSON: ")
    assert not re.search(r"Expecting|Unterminated|Invalid|Extra data|delimiter|escape", told["nb"]), told["nb"]
    assert told["nb"] != told["en"].replace("not valid JSON", "ikke gyldig JSON")  # the decoder's own words translated too

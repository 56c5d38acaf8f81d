"""Import from spreadsheets: our own workbook losslessly, other people's templates, never half-way.

The fixture files are built here: an authority-style template (title block, two-row merged
header, instructions and example rows), a Windows-1252 CSV with ';', a workbook with one bad
row among 1,000, a zip bomb, a truncated file, formula cells; and the demo register's round
trip through .xlsx (both languages) and .json.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from ropa import db, imports, isolation
from ropa.errors import ValidationFailed
from ropa.excel import mapping, own_workbook, reader
from ropa.excel.export import write_workbook
from ropa.models import AuditEvent, ProcessingActivity
from ropa.register import interchange
from ropa.register.activities import activity_dict, create_activity, get_activity, list_activities, update_activity
from ropa.register.audit import activity_history
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, organisation_dict, update_organisation
from ropa.register.recipients import get_recipient
from tests import foreign_registers

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Fixture files


def authority_template(path: Path, rows: list[list[Any]]) -> Path:
    """Like the authority's template: a title block, a two-row header with merged cells,
    an instructions row and an example row above the data."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    ws["A1"] = "Protokoll over behandlingsaktiviteter"
    ws.merge_cells("A1:J1")
    ws["A2"] = "Behandlingsansvarlig: fyll inn navn og kontaktopplysninger. Sist oppdatert: ____"
    top = [
        "Behandlingsaktivitet",
        "Formålet med behandlingen",
        "Behandlingsgrunnlag",
        "Kategorier av registrerte",
        "Kategorier av\npersonopplysninger",
        "Kategorier av mottakere",
        "Overføring til tredjeland",
        None,
        "Planlagte tidsfrister for sletting",
        "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
    ]
    for i, h in enumerate(top, 1):
        if h:
            ws.cell(4, i, h)
    ws.cell(5, 7, "Land")
    ws.cell(5, 8, "Grunnlag")
    for col in "ABCDEFIJ":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("G4:H4")
    ws.append(
        [
            "Beskriv behandlingen kort",
            "Hva er formålet?",
            "Hvilket grunnlag i art. 6?",
            "Hvem gjelder det?",
            "Hvilke opplysninger?",
            "Hvem utleveres de til?",
            "Hvilket land?",
            "Hvilket grunnlag?",
            "Hvor lenge?",
            "Beskriv tiltakene",
        ]
    )
    ws.append(["Eksempel: Lønnsutbetaling", "Utbetale lønn", "Art. 6(1)(c)", "Ansatte", "Kontonummer", "Banken", None, None, "5 år", "Tilgangsstyring"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


TEMPLATE_ROWS = [
    [
        "Lønn og personal",
        "Utbetale lønn\nFøre personalregister",
        "Art. 6(1)(c) – skatteforvaltningsloven\nAvtale",
        "Ansatte",
        "Navn; Fødselsnummer; Bankkonto",
        "Skatteetaten\nLønnsleverandøren (databehandler)",
        "USA",
        "SCC",
        "5 år etter utgangen av regnskapsåret",
        "• Tilgangsstyring\n• Kryptering",
    ],
    [
        "Nyhetsbrev",
        "Sende nyhetsbrev",
        "because we must",
        "Kunder",
        "E-postadresse",
        "Utsendelsestjenesten",
        "Storbritannia",
        "adekvansbeslutning",
        "til kunden melder seg av",
        "-",
    ],
]


def plain_workbook(path: Path, header: list[str], rows: list[list[Any]], title: str = "Ark1") -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def handmade_xlsx(path: Path, sheet_xml: str, extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .xlsx written part by part, for cells openpyxl cannot make (cached formula values)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Register" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def _is(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[str], prolog: str = "") -> str:
    body = "".join(f'<row r="{i}">{cells}</row>' for i, cells in enumerate(rows, 1))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    )


def count_rows(engine: Any) -> tuple[int, int]:
    with db.session(engine) as s:
        return (
            s.execute(select(func.count()).select_from(ProcessingActivity)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


def activities(engine: Any, org: str) -> dict[str, dict[str, Any]]:
    with db.session(engine) as s:
        return {a.ref: activity_dict(a) for a in list_activities(s, org=org)}


def make_org(engine: Any, name: str = "Testkommune") -> None:
    with db.transaction(engine) as s:
        create_organisation(s, {"name": name, "country": "NO"}, actor="test")


def second_engine(backend: str, tmp_path: Path) -> Any:
    """An empty register beside the first (PostgreSQL has one test database: it is emptied)."""
    from tests.conftest import make_test_engine

    other = tmp_path / "other"
    other.mkdir(exist_ok=True)
    engine = make_test_engine(backend, other)
    db.migrate(engine)
    return engine


# ---------------------------------------------------------------------------------------------
# Our own workbook and JSON: the demo register's round trip


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_demo_round_trip_through_the_workbook_is_lossless(demo_engine, tmp_path, backend, lang):
    book = tmp_path / f"register-{lang}.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang=lang)
        before = interchange.dumps(interchange.export_document(s))
    target = second_engine(backend, tmp_path)
    with db.session(target) as s:
        plan = imports.plan(s, book)
    assert plan.kind == "ropa-workbook" and plan.language == lang
    assert plan.errors == [] and plan.warnings == []
    assert {r.status for r in plan.rows} == {"new"} and len(plan.rows) >= 25
    with db.transaction(target) as s:
        report = imports.import_(s, book, actor="test")
    assert len(report.created) == len(plan.rows) and not report.updated and report.organisations_created == 5
    with db.session(target) as s:
        after = interchange.dumps(interchange.export_document(s))
        sources = set(s.execute(select(AuditEvent.source)).scalars())
    assert after == before
    assert sources == {f"import:{book.name}"}
    # Importing the same workbook again changes nothing.
    with db.transaction(target) as s:
        again = imports.import_(s, book, actor="test")
    assert not again.created and not again.updated and len(again.unchanged) == len(plan.rows)


def test_a_workbook_whose_findings_sheet_is_still_called_avvik_reads_as_before(demo_engine, tmp_path, backend):
    """Until 2026-12 the bokmål findings sheet was "Avvik"; such a workbook still reads without a word."""
    from openpyxl import load_workbook

    from ropa.excel import layout

    book = tmp_path / "old.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="nb")
    wb = load_workbook(book)
    wb["Funn"].title = "Avvik"
    meta = wb[layout.sheet_name("metadata", "nb")]
    for row in meta.iter_rows():
        if row[0].value == "sheet:findings":
            row[1].value = "Avvik"
    wb.save(book)
    assert layout.sheet_for("Avvik") == layout.sheet_for("Funn") == layout.sheet_for("findings") == "findings"
    with db.session(second_engine(backend, tmp_path)) as s:
        plan = imports.plan(s, book)
    assert plan.kind == "ropa-workbook" and plan.errors == [] and plan.warnings == []
    assert {r.status for r in plan.rows} == {"new"} and len(plan.rows) >= 25


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_untouched_rows_are_recognised_by_their_digest_and_edited_ones_are_not(demo_engine, tmp_path, lang, monkeypatch):
    """The exporter fingerprints each row (an activity's with its JSON, a transfer's with its
    place); read back unchanged, every row matches, so the importer neither decodes nor renders
    it: the activity goes on as its JSON text. An edited row does not match and is compared
    cell by cell, as before."""
    from ropa.excel import layout
    from ropa.validation import ActivityJSON

    book = tmp_path / f"digest-{lang}.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang=lang)
    sheet = next(x for x in reader.read_book(book).sheets if x.name == layout.ACTIVITIES.name(lang))
    header = sheet.rows[0]
    keys = [c.key for c in layout.ACTIVITIES.columns]
    at = {k: header.index(layout.ACTIVITIES.columns[i].header(lang)) for i, k in enumerate(keys)}
    visible = [c.key for c in layout.ACTIVITIES.columns if not c.hidden]
    rows = sheet.rows[1:]
    assert len(rows) == 37
    for row in rows:
        text = layout.join_json(row[at[layout.JSON_COLUMN] :])
        assert row[at[layout.DIGEST_COLUMN]] == layout.row_digest((row[at[k]] for k in visible), text)
        assert row[at[layout.DIGEST_COLUMN]] != layout.row_digest(row[at[k]] for k in visible)  # the JSON counts

    compared = []
    real = own_workbook.edited
    monkeypatch.setattr(own_workbook, "edited", lambda spec, *a, **kw: compared.append(spec.key) or real(spec, *a, **kw))
    with db.session(demo_engine) as s:
        b, _ = imports._build(s, book, org=None, sheet=None, mapping_overrides=None, mode="upsert", progress=None)
        document = b.finish()
    assert set(compared) == {"organisations"}  # no other sheet's row was rendered and compared (5 organisations are)
    acts = [a for o in document["organisations"] for a in o["activities"]]
    assert len(acts) == 37 and all(isinstance(a, ActivityJSON) for a in acts)
    with db.session(demo_engine) as s:
        plan = imports.plan(s, book)
    assert {r.status for r in plan.rows} == {"unchanged"}

    wb = load_workbook(book)
    ws = wb[layout.ACTIVITIES.name(lang)]
    ws.cell(row=2, column=at["owner"] + 1, value="Økonomi")
    wb.save(book)
    compared.clear()
    with db.session(demo_engine) as s:
        plan = imports.plan(s, book)
    assert compared.count("activities") == 1  # only the edited row is compared
    assert [r.status for r in plan.rows].count("changed") == 1

    # A hidden JSON cell changed by hand no longer matches its digest either: it is read and compared.
    wb = load_workbook(book)
    ws = wb[layout.ACTIVITIES.name(lang)]
    cell = ws.cell(row=3, column=at[layout.JSON_COLUMN] + 1)
    assert '"status":"active"' in cell.value
    cell.value = cell.value.replace('"status":"active"', '"status":"planned"', 1)
    wb.save(book)
    compared.clear()
    with db.session(demo_engine) as s:
        plan = imports.plan(s, book)
    assert compared.count("activities") == 2
    assert [r.status for r in plan.rows].count("changed") == 1  # its visible cells still say active, and win


def test_a_workbook_without_digests_imports_losslessly_cell_by_cell(demo_engine, tmp_path, backend):
    """A workbook from before the digests (or one whose hidden digests were cleared) is read by
    comparing every row with its JSON, and imports the same."""
    from ropa.excel import layout

    book = tmp_path / "old.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="en")
        before = interchange.dumps(interchange.export_document(s))
    wb = load_workbook(book)
    cleared = 0
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        if layout.DIGEST_COLUMN in header:
            col = header.index(layout.DIGEST_COLUMN) + 1
            for r in range(2, ws.max_row + 1):
                cleared += ws.cell(r, col).value is not None
                ws.cell(r, col).value = None
    wb.save(book)
    assert cleared > 35  # activities, transfers, recipients and processor rows
    target = second_engine(backend, tmp_path)
    with db.transaction(target) as s:
        report = imports.import_(s, book, actor="test")
    assert len(report.created) == 37 and report.warnings == []
    with db.session(target) as s:
        assert interchange.dumps(interchange.export_document(s)) == before


def test_demo_round_trip_through_json(demo_engine, tmp_path, backend):
    path = tmp_path / "register.json"
    with db.session(demo_engine) as s:
        interchange.write_json(s, path)
    target = second_engine(backend, tmp_path)
    with db.session(target) as s:
        plan = imports.plan(s, path)
    assert plan.kind == "json" and {r.status for r in plan.rows} == {"new"}
    with db.transaction(target) as s:
        report = imports.import_(s, path, actor="test")
    assert report.kind == "json" and len(report.created) == len(plan.rows)
    again = tmp_path / "again.json"
    with db.session(target) as s:
        interchange.write_json(s, again)
    assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def _header_index(ws: Any) -> dict[str, int]:
    return {c.value: i for i, c in enumerate(ws[1], 1) if c.value}


def test_edits_in_our_own_workbook_are_read_from_every_sheet(demo_engine, tmp_path):
    book = tmp_path / "register.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="nb")
    wb = load_workbook(book)
    ws = wb["Behandlingsaktiviteter"]
    h = _header_index(ws)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, h["Referanse"]).value == "AP-01")
    ws.cell(row, h["Behandlingsaktivitet"]).value = "Kunderegister (revidert)"
    ws.cell(row, h["Behandlingsgrunnlag"]).value = "Art. 6(1)(b) – avtale: ny merknad\nbecause we must"
    ws.cell(row, h["Planlagte tidsfrister for sletting"]).value = "5 år etter avsluttet kundeforhold"
    transfers = wb["Overføringer"]
    th = _header_index(transfers)
    first = [c.value for c in transfers[2]]
    transfers.cell(2, th["Overføringsgrunnlag"]).value = "BCR"
    new_row = transfers.max_row + 1
    transfers.cell(new_row, th["Virksomhet"]).value = first[0]
    transfers.cell(new_row, th["Referanse"]).value = first[1]
    transfers.cell(new_row, th["Land"]).value = "Kina"
    transfers.cell(new_row, th["Overføringsgrunnlag"]).value = "standardpersonvernbestemmelser"
    recipients = wb["Mottakere"]
    rh = _header_index(recipients)
    rec_org, rec_name = recipients.cell(2, rh["Virksomhet"]).value, recipients.cell(2, rh["Mottaker"]).value
    recipients.cell(2, rh["Databehandleravtale"]).value = "DBA-2025-01"
    orgs = wb["Virksomheter"]
    oh = _header_index(orgs)
    org_name = orgs.cell(2, oh["Virksomhet"]).value
    orgs.cell(2, oh["E-post"]).value = "personvern@example.no"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    with db.session(demo_engine) as s:
        plan = imports.plan(s, edited)
    changed = {r.ref for r in plan.rows if r.status == "changed"}
    assert {"AP-01", first[1]} <= changed
    assert [str(w) for w in plan.warnings] == [f"Behandlingsaktiviteter row {row}, 'Behandlingsgrunnlag': 'because we must' not recognised, kept as note"]
    with db.transaction(demo_engine) as s:
        report = imports.import_(s, edited, actor="dpo")
    assert report.organisations_updated == 1
    ap = activities(demo_engine, "Allprofil AS")["AP-01"]
    assert ap["name"] == "Kunderegister (revidert)"
    assert ap["legal_bases"][0]["code"] == "art6_1_b" and ap["legal_bases"][0]["note"] == "ny merknad; because we must"
    assert ap["retention"]["period"] == 5 and ap["retention"]["unit"] == "years"
    assert ap["retention"]["text"] == "5 år etter avsluttet kundeforhold"
    moved = activities(demo_engine, first[0])[first[1]]["transfers"]
    assert moved[0]["mechanism"] == "art46_2_b" and moved[-1]["country"] == "CN" and moved[-1]["mechanism"] == "art46_2_c"
    with db.session(demo_engine) as s:
        assert get_recipient(s, rec_org, rec_name).agreement == "DBA-2025-01"
        assert get_organisation(s, org_name).email == "personvern@example.no"
        history = activity_history(s, "Allprofil AS", "AP-01")
    assert history[-1].source == "import:edited.xlsx" and history[-1].actor == "dpo"


# ---------------------------------------------------------------------------------------------
# Other people's layouts


def test_authority_template_header_examples_and_instructions(engine, tmp_path):
    make_org(engine)
    path = authority_template(tmp_path / "mal.xlsx", TEMPLATE_ROWS)
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert plan.sheet == "Protokoll" and plan.header_row == 4 and plan.header_rows == 2
    fields = {c.letter: c.field for c in plan.columns}
    assert fields == {
        "A": "name",
        "B": "purposes",
        "C": "legal_bases",
        "D": "data_subjects",
        "E": "data_categories",
        "F": "recipients",
        "G": "transfers",
        "H": "transfers.mechanism",
        "I": "retention.text",
        "J": "security_measures",
    }
    statuses = [(r.row, r.status) for r in plan.rows]
    assert statuses == [(6, "instructions"), (7, "example"), (8, "new"), (9, "new")]
    assert "row 7: looks like the template's example" in str([str(w) for w in plan.warnings])
    assert "row 9, 'Behandlingsgrunnlag': 'because we must' not recognised as an Art. 6(1) lawful basis, kept as note in the description" in [
        str(w) for w in plan.warnings
    ]
    assert plan.errors == []

    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="test", org="Testkommune")
    assert len(report.created) == 2 and report.skipped == ["Protokoll row 6 (instructions)", "Protokoll row 7 (example)"]
    acts = activities(engine, "Testkommune")
    assert set(acts) == {"T-01", "T-02"}
    pay, news = acts["T-01"], acts["T-02"]
    assert pay["name"] == "Lønn og personal" and pay["purposes"] == ["Utbetale lønn", "Føre personalregister"]
    assert [b["code"] for b in pay["legal_bases"]] == ["art6_1_c", "art6_1_b"]
    assert pay["legal_bases"][0]["note"] == "Art. 6(1)(c) – skatteforvaltningsloven"
    assert pay["data_categories"] == ["user.name", "user.government_id.national_identification_number", "Bankkonto"]
    assert [(r["name"], r["kind"]) for r in pay["recipients"]] == [("Skatteetaten", "other"), ("Lønnsleverandøren", "processor")]
    assert [(t["country"], t["mechanism"]) for t in pay["transfers"]] == [("US", "art46_2_c")]
    assert pay["retention"] == {
        "period": 5,
        "unit": "years",
        "trigger": "utgangen av regnskapsåret",
        "action": None,
        "text": "5 år etter utgangen av regnskapsåret",
    }
    assert pay["security_measures"] == ["Tilgangsstyring", "Kryptering"]
    assert pay["data_subjects"] == ["employee"] and news["data_subjects"] == ["customer"]
    assert news["legal_bases"] == [] and "because we must" in news["description"]
    assert [(t["country"], t["mechanism"]) for t in news["transfers"]] == [("GB", "art45")]
    assert news["retention"]["text"] == "til kunden melder seg av" and news["retention"]["period"] is None
    assert news["security_measures"] == []


# The ICO template's columns (tests/foreign_registers.py) without its special-category and DPIA ones.
ICO_HEADERS = [h for h in foreign_registers.ICO_HEADERS if not h.startswith(("Article 9", "Data Protection Impact", "DPIA", "Link to DPIA"))]


def test_ico_wording_is_matched():
    cols = mapping.map_columns(ICO_HEADERS)
    assert [c.field for c in cols] == [
        "owner",
        "purposes",
        "controllers",
        "data_subjects",
        "data_categories",
        "recipients",
        "recipients.agreement",
        "transfers",
        "transfers.safeguard",
        "retention.text",
        "security_measures",
        "legal_bases",
        "legal_bases.legitimate_interest",
        "legal_bases.lia",
        None,
    ]


@pytest.mark.parametrize(
    "header,field",
    [
        ("PURPOSE OF PROCESSING", "purposes"),
        ("Purpose  of\nprocessing:", "purposes"),
        ("Purpse of procesing", "purposes"),
        ("Lawfull basis for procesing", "legal_bases"),
        ("Kategorier av\nregistrerte", "data_subjects"),
        ("Planlagte tidsfrister for sletting (hvis mulig)", "retention.text"),
        ("Next review", "next_review"),
        ("Last review", "last_review"),
        ("Referanse", "ref"),
        ("Favourite colour", None),
    ],
)
def test_header_matching_is_tolerant_but_has_a_threshold(header, field):
    assert mapping.match_header(header)[0] == field


def test_ico_template_row_goes_into_the_right_places(engine, tmp_path):
    make_org(engine, "ICO Ltd")
    row = [
        "Payroll",
        "Paying staff",
        None,
        "Employees",
        "Bank details",
        "Payroll bureau (processor)",
        "https://contracts/42",
        "India",
        "Standard contractual clauses, signed 2024",
        "6 years after the end of the contract",
        "Encryption",
        "Legitimate interests",
        "Paying staff efficiently",
        "LIA-7",
        "Access",
    ]
    path = plain_workbook(tmp_path / "ico.xlsx", ICO_HEADERS, [row])
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="ICO Ltd")
    (act,) = activities(engine, "ICO Ltd").values()
    assert act["recipients"] == [{"name": "Payroll bureau", "kind": "processor", "country": None, "agreement": "https://contracts/42"}]
    assert act["transfers"][0]["country"] == "IN" and act["transfers"][0]["mechanism"] == "art46_2_c"
    assert act["transfers"][0]["safeguard"] == "Standard contractual clauses, signed 2024"
    assert act["legal_bases"] == [{"code": "art6_1_f", "note": "Paying staff efficiently", "documentation": "LIA-7"}]
    assert act["retention"]["period"] == 6 and act["retention"]["trigger"] == "the end of the contract"
    assert act["data_subjects"] == ["employee"] and act["data_categories"] == ["Bank details"]


def test_csv_in_windows_1252_with_semicolons(engine, tmp_path):
    make_org(engine)
    text = (
        "Behandlingsaktivitet;Formål;Behandlingsgrunnlag;Kategorier av registrerte;Lagringstid\r\n"
        'Søknader om barnehageplass;Tildele plass;Rettslig forpliktelse;"Foreldre; barn";3 år\r\n'
        '"Klagebehandling";"Behandle klager; føre logg";samtykke;Innbyggere;36 måneder\r\n'
    )
    path = tmp_path / "eksport.csv"
    path.write_bytes(text.encode("cp1252"))
    book = reader.read_book(path)
    assert book.encoding == "cp1252" and book.delimiter == ";"
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t", org="Testkommune")
    assert len(report.created) == 2
    acts = {a["name"]: a for a in activities(engine, "Testkommune").values()}
    assert set(acts) == {"Søknader om barnehageplass", "Klagebehandling"}
    assert acts["Klagebehandling"]["purposes"] == ["Behandle klager", "føre logg"]
    assert acts["Klagebehandling"]["retention"]["period"] == 36 and acts["Klagebehandling"]["retention"]["unit"] == "months"
    assert acts["Søknader om barnehageplass"]["legal_bases"][0]["code"] == "art6_1_c"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_csv_in_utf8_with_and_without_bom_and_commas(engine, tmp_path, encoding, bom):
    make_org(engine)
    path = tmp_path / "export.csv"
    path.write_bytes(bom + "Processing activity,Purpose of processing,Country\nPåmelding,Registrere deltakere,NO\n".encode(encoding))
    book = reader.read_book(path)
    assert book.delimiter == "," and book.sheets[0].rows[0][0] == "Processing activity"
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Testkommune")
    assert [a["name"] for a in activities(engine, "Testkommune").values()] == ["Påmelding"]


def test_one_bad_row_among_a_thousand_is_named_and_nothing_is_written(engine, tmp_path):
    make_org(engine)
    rows = [[f"A-{i:04d}", f"Behandling {i}", "Formål", "samtykke", "2026-01-31"] for i in range(1, 1001)]
    rows[613][4] = "31.02.2026"
    path = plain_workbook(tmp_path / "big.xlsx", ["Ref", "Behandlingsaktivitet", "Formål", "Behandlingsgrunnlag", "Neste gjennomgang"], rows)
    before = count_rows(engine)
    with pytest.raises(ValidationFailed) as err, db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Testkommune")
    assert [(p.path, p.field, p.code) for p in err.value.problems] == [
        (("sheet", "Ark1", "row", 615, "column", "Neste gjennomgang"), "next_review", "not_a_date")
    ]
    assert err.value.problems[0].where == "row 615, 'Neste gjennomgang'"
    assert "'31.02.2026' is not a date" in str(err.value)
    assert count_rows(engine) == before
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert [r.row for r in plan.rows if r.status == "error"] == [615]
    assert plan.counts()["new"] == 999


def test_schema_errors_are_translated_to_rows_and_headers(engine, tmp_path):
    make_org(engine)
    path = plain_workbook(
        tmp_path / "refs.xlsx", ["Ref", "Processing activity", "Retention period"], [["X 1 !", "Bad ref", None], ["B-1", "Ok", None], ["B-1", "Twice", None]]
    )
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert sorted((p.path, p.field, p.code) for p in plan.errors) == [
        (("sheet", "Ark1", "row", 2, "column", "Ref"), "ref", "string_pattern_mismatch"),
        (("sheet", "Ark1", "row", 4, "column", "Ref"), "ref", "duplicate"),
    ]
    assert [r.status for r in plan.rows] == ["error", "new", "error"]
    path = plain_workbook(tmp_path / "period.xlsx", ["Ref", "Processing activity", "Retention period"], [["B-1", "Ok", "3"]])
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert [(p.path, p.field, p.code) for p in plan.errors] == [(("sheet", "Ark1", "row", 2, "column", "Retention period"), "retention.unit", "missing")]


def test_upsert_keeps_what_the_sheet_has_no_column_for_and_create_only_leaves_existing_alone(demo_engine, tmp_path):
    before = activities(demo_engine, "Janteloppet")["JL-01"]
    path = plain_workbook(
        tmp_path / "update.xlsx",
        ["Virksomhet", "Referanse", "Behandlingsaktivitet", "Sist gjennomgått"],
        [["Janteloppet", "JL-01", before["name"], "2026-03-01"], ["Janteloppet", None, "Helt ny behandling", None]],
    )
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path, mode="create-only")
    assert [r.status for r in plan.rows] == ["skipped", "new"]
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path)
    assert [r.status for r in plan.rows] == ["changed", "new"]
    with db.transaction(demo_engine) as s:
        report = imports.import_(s, path, actor="t")
    assert report.updated == ["Janteloppet/JL-01"] and len(report.created) == 1
    after = activities(demo_engine, "Janteloppet")
    assert after["JL-01"] == {**before, "last_review": "2026-03-01"}
    new_ref = report.created[0].split("/")[1]
    assert new_ref.startswith("JL-") and after[new_ref]["name"] == "Helt ny behandling"
    # The same file again: the row without a ref finds its activity by name.
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path)
    assert [r.status for r in plan.rows] == ["unchanged", "unchanged"]


def test_mapping_overrides_and_saved_mappings(engine, tmp_path):
    make_org(engine)
    path = plain_workbook(tmp_path / "odd.xlsx", ["Hva", "Hvorfor", "Merknad"], [["Kantine", "Salg av mat", "intern"]])
    with pytest.raises(ValidationFailed) as err, db.session(engine) as s:
        imports.plan(s, path, org="Testkommune")
    assert err.value.problems[0].code == "no_header"
    overrides = imports.parse_map_options(["Hva=name", "Hvorfor=purposes", "C=-"])
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune", mapping_overrides=overrides)
    assert [(c.field, c.how) for c in plan.columns] == [("name", "override"), ("purposes", "override"), (None, "ignored")]
    folder = tmp_path / "mappings"
    mapping.save_mapping("Kantinemal", plan.columns, folder=folder)
    assert mapping.list_mappings(folder=folder) == ["Kantinemal"]
    loaded = mapping.load_mapping("Kantinemal", folder=folder)
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Testkommune", mapping_overrides=loaded)
    (act,) = activities(engine, "Testkommune").values()
    assert act["name"] == "Kantine" and act["purposes"] == ["Salg av mat"]
    with pytest.raises(ValidationFailed):
        imports.parse_map_options(["Hva=navnet"])


def test_rows_need_an_organisation(engine, tmp_path):
    make_org(engine, "A")
    make_org(engine, "B")
    path = plain_workbook(tmp_path / "x.xlsx", ["Behandlingsaktivitet", "Formål"], [["Lønn", "Betale"]])
    with db.session(engine) as s:
        plan = imports.plan(s, path)
    assert [p.code for p in plan.errors] == ["no_organisation"]


# ---------------------------------------------------------------------------------------------
# Hostile and broken files


def test_zip_bomb_by_ratio_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(8):
                member.write(b" " * 2**20)
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(path)
    assert err.value.problems[0].code == "zip_bomb" and "zip bomb" in str(err.value)


def test_zip_bomb_that_lies_about_its_size_is_caught_while_inflating(tmp_path):
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a/>" + b" " * (3 * 2**20))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    patched = bytes(data).replace(real, fake)  # local header and central directory both claim 1,000 bytes
    assert patched != bytes(data)
    path.write_bytes(patched)
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(path)
    assert err.value.problems[0].code == "zip_bomb" and "more than it declares" in str(err.value)


def test_truncated_workbook(demo_engine, tmp_path):
    path = tmp_path / "register.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, path, lang="nb")
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(cut)
    assert err.value.problems[0].code == "truncated" and "truncated" in str(err.value)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not_a_spreadsheet"),
        ("report.docx.xlsx", None, "not_a_spreadsheet"),
        ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 500, "password_protected"),
        ("empty.xlsx", b"", "empty"),
        ("binary.csv", bytes(range(256)) * 8, "not_a_spreadsheet"),
    ],
)
def test_files_that_are_not_spreadsheets(tmp_path, name, content, code):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml", "<document/>")
    else:
        path.write_bytes(content)
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(path)
    assert err.value.problems[0].code == code


def test_over_50_mb_is_refused_unread(tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as f:
        f.truncate(reader.MAX_BYTES + 1)
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(path)
    assert err.value.problems[0].code == "too_large" and "50 MB" in str(err.value)


def test_xml_entities_are_refused(tmp_path):
    prolog = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    path = handmade_xlsx(tmp_path / "lol.xlsx", sheet_xml([_is("A1", "Processing activity") + _is("B1", "&lol2;")], prolog))
    with pytest.raises(ValidationFailed) as err:
        reader.read_book(path)
    assert err.value.problems[0].code == "xml_entities"


def test_formula_cells_give_their_cached_values_and_are_never_evaluated(engine, tmp_path):
    make_org(engine)
    rows = [
        _is("A1", "Processing activity") + _is("B1", "Purpose of processing") + _is("C1", "Retention period") + _is("D1", "Retention unit"),
        '<c r="A2" t="str"><f>CONCATENATE("Pay","roll")</f><v>Payroll</v></c>'
        '<c r="B2" t="str"><f>HYPERLINK("http://example.invalid/x","click")</f><v>Paying staff</v></c>'
        '<c r="C2"><f>1+1</f><v>5</v></c>' + _is("D2", "years"),
        '<c r="A3" t="str"><f>cmd|\' /C calc\'!A0</f><v>Canteen</v></c>' + _is("B3", "Selling food"),
    ]
    path = handmade_xlsx(tmp_path / "formulas.xlsx", sheet_xml(rows))
    book = reader.read_book(path)
    assert book.sheets[0].rows[1][:3] == ["Payroll", "Paying staff", 5]
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Testkommune")
    acts = {a["name"]: a for a in activities(engine, "Testkommune").values()}
    assert set(acts) == {"Payroll", "Canteen"}
    assert acts["Payroll"]["retention"]["period"] == 5  # the cached value, not 1+1
    assert acts["Payroll"]["purposes"] == ["Paying staff"]


def test_row_numbers_follow_the_sheet_even_after_empty_leading_rows(engine, tmp_path):
    make_org(engine)
    wb = Workbook()
    ws = wb.active
    ws["C5"] = "Behandlingsaktivitet"
    ws["D5"] = "Neste gjennomgang"
    ws["C6"] = "Lønn"
    ws["D6"] = "i morgen"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert plan.header_row == 5
    assert [p.where for p in plan.errors] == ["row 6, 'Neste gjennomgang'"]
    assert load_workbook(path).active["D6"].value == "i morgen"  # the same row, as Excel numbers it


# ---------------------------------------------------------------------------------------------
# The command line


def ropa(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROPA_DATABASE_URL": url, "ROPA_USER": "cli-test", "ROPA_MAPPINGS_DIR": str(Path(url[10:]).parent / "maps")}
    return subprocess.run([sys.executable, "-m", "ropa", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_cli_dry_run_writes_nothing_then_imports(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = authority_template(tmp_path / "mal.xlsx", TEMPLATE_ROWS)
    r = ropa("import", str(path), "--org", "Testkommune", "--dry-run", "--save-mapping", "Kommunemal", url=url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("sheet 'Protokoll', header row 4:") and "'Overføring til tredjeland / Land' -> transfers" in r.stdout
    assert "dry run: 2 rows read from mal.xlsx: 2 would be created" in r.stdout
    assert "warning: row 7: looks like the template's example" in r.stderr
    assert "mapping saved as 'Kommunemal'" in r.stderr
    assert json.loads(ropa("list", "--format", "json", url=url).stdout) == []
    r = ropa("import", str(path), "--org", "Testkommune", "--mapping", "Kommunemal", url=url)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(ropa("list", "--format", "json", url=url).stdout)) == 2


def test_cli_rejects_a_bad_row_with_exit_code_1(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = plain_workbook(tmp_path / "bad.xlsx", ["Behandlingsaktivitet", "Sist gjennomgått"], [["Lønn", "i fjor"]])
    r = ropa("import", str(path), "--org", "Testkommune", url=url)
    assert r.returncode == 1
    assert "error: row 2, 'Sist gjennomgått': 'i fjor' is not a date" in r.stderr
    assert "nothing was written" in r.stderr and "Traceback" not in r.stderr
    r = ropa("import", str(tmp_path / "x.pdf"), url=url)
    assert r.returncode == 2 and "cannot import" in r.stderr
    r = ropa("import", str(path), "--map", "Behandlingsaktivitet=nonsense", url=url)
    assert r.returncode == 1 and "'nonsense' is not a field" in r.stderr


def test_cli_imports_our_own_workbook(sqlite_demo_url, tmp_path):
    book = tmp_path / "register.xlsx"
    assert ropa("export", str(book), "--lang", "en", url=sqlite_demo_url).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    r = ropa("import", str(book), url=other)
    assert r.returncode == 0, r.stderr
    assert "were created" in r.stdout and "organisations: 5 new" in r.stdout


def test_workbook_bytes_stream_is_not_needed_for_reading(tmp_path):
    """The reader works from a path (the page writes uploads to a temporary file first)."""
    buf = io.BytesIO()
    Workbook().save(buf)
    path = tmp_path / "blank.xlsx"
    path.write_bytes(buf.getvalue())
    book = reader.read_book(path)
    assert book.kind == "xlsx" and [s.name for s in book.sheets] == ["Sheet"]


# ---------------------------------------------------------------------------------------------
# The Import page


def test_import_page_previews_maps_and_imports(tmp_path, monkeypatch):
    import hashlib

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    url = f"sqlite:///{tmp_path / 'page.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    make_org(engine)
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_MAPPINGS_DIR", str(tmp_path / "maps"))
    data = authority_template(tmp_path / "mal.xlsx", TEMPLATE_ROWS).read_bytes()
    reads: list[str] = []  # the file is read once per set of choices, in the child process, and not again to import
    real_plan, real_read = isolation.plan_file, reader.read_book
    monkeypatch.setattr(isolation, "plan_file", lambda *a, **kw: reads.append("plan") or real_plan(*a, **kw))
    monkeypatch.setattr(reader, "read_book", lambda *a, **kw: reads.append("read here") or real_read(*a, **kw))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "ropa" / "ui" / "pages" / "import.py"), default_timeout=60)
        at.session_state["lang"] = "en"
        at.session_state["import_file"] = {"name": "mal.xlsx", "data": data, "digest": hashlib.sha256(data).hexdigest()}
        at.run()
        assert not at.exception, at.exception
        at.selectbox(key="import_org").set_value("Testkommune")
        at.run()
        assert not at.exception, at.exception
        assert "Header rows: 4–5 (two rows)" in " ".join(m.value for m in at.markdown)
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["New"] == "2" and metrics["Skipped"] == "2" and metrics["With errors"] == "0"
        shown = " ".join(d.value.to_string() for d in at.dataframe)
        assert "row 9, 'Behandlingsgrunnlag'" in shown and "instructions (skipped)" in shown
        at.session_state["import_overrides"] = {"J": "-"}  # what choosing '(not imported)' in the mapping table does
        at.run()
        assert not at.exception, at.exception
        assert any("Not imported: J «Generell beskrivelse" in c.value for c in at.caption)
        confirm = at.button(key="import_confirm")
        assert confirm.label == "Import: 2 new activities" and not confirm.disabled
        assert reads == ["plan"] * 3  # no organisation chosen, then Testkommune, then column J left out
        confirm.click()
        at.run()
        assert not at.exception, at.exception
        assert "2 new, 0 updated" in at.success[-1].value
        assert reads == ["plan"] * 3  # the import wrote what the preview read
        assert count_rows(engine)[0] == 2
        assert all(a["security_measures"] == [] for a in activities(engine, "Testkommune").values())
    finally:
        st.cache_resource.clear()
        engine.dispose()


def test_an_import_after_a_plan_writes_what_the_plan_read(tmp_path, monkeypatch):
    """imports.import_ with a plan does not read the file again; a plan made before the register
    changed is stale (the Import page then reads the file again)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    db.migrate(engine)
    make_org(engine)
    path = authority_template(tmp_path / "mal.xlsx", TEMPLATE_ROWS)
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
        assert not imports.stale(s, plan)
    monkeypatch.setattr(reader, "read_book", lambda *a, **kw: pytest.fail("the file was read again"))
    with db.transaction(engine) as s:
        report = imports.import_(s, plan, actor="test", dry_run=True)
    assert report.dry_run and len(report.created) == 2 and count_rows(engine)[0] == 0  # rolled back by the door
    with db.transaction(engine) as s:
        report = imports.import_(s, plan, actor="test")
    assert len(report.created) == 2 and count_rows(engine)[0] == 2
    with db.session(engine) as s:
        assert imports.stale(s, plan)  # the import itself changed the register


# ---------------------------------------------------------------------------------------------
# More of our own workbook, and other formats


def _own_book(engine: Any, path: Path, lang: str = "nb") -> Any:
    with db.session(engine) as s:
        write_workbook(s, path, lang=lang)
    return load_workbook(path)


def test_new_rows_renamed_refs_deleted_transfers_and_damaged_json(demo_engine, tmp_path):
    wb = _own_book(demo_engine, tmp_path / "register.xlsx", lang="en")
    ws = wb["Processing activities"]
    h = _header_index(ws)
    rows = {ws.cell(r, h["Reference"]).value: r for r in range(2, ws.max_row + 1)}
    # A new activity typed at the bottom, without the hidden JSON.
    new = ws.max_row + 1
    ws.cell(new, h["Organisation"]).value = "Janteloppet"
    ws.cell(new, h["Processing activity"]).value = "Løpsfoto"
    ws.cell(new, h["Purposes of processing"]).value = "Publisere bilder fra løpet"
    ws.cell(new, h["Lawful basis for processing"]).value = "berettiget interesse"
    # A ref typed over.
    ws.cell(rows["JL-02"], h["Reference"]).value = "JL-20"
    # A damaged JSON cell: the visible cells are read instead.
    ws.cell(rows["JL-03"], h["ropa:json"]).value = '{"ref": "JL-03", "name": '
    # Every transfer row of one activity deleted.
    transfers = wb["Transfers"]
    th = _header_index(transfers)
    victim = (transfers.cell(2, th["Organisation"]).value, transfers.cell(2, th["Reference"]).value)
    for r in range(transfers.max_row, 1, -1):
        if (transfers.cell(r, th["Organisation"]).value, transfers.cell(r, th["Reference"]).value) == victim:
            transfers.delete_rows(r)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    with db.session(demo_engine) as s:
        plan = imports.plan(s, edited)
    assert plan.errors == [], plan.errors
    codes = {p.code for p in plan.warnings}
    assert {"new_ref", "damaged_json", "removed"} <= codes
    by_ref = {(r.organisation, r.ref): r.status for r in plan.rows}
    assert by_ref[("Janteloppet", "JL-20")] == "new" and by_ref[("Janteloppet", "JL-03")] == "unchanged"
    new_refs = [ref for (org, ref), status in by_ref.items() if org == "Janteloppet" and status == "new" and ref != "JL-20"]
    assert len(new_refs) == 1
    with db.transaction(demo_engine) as s:
        imports.import_(s, edited, actor="t")
    jl = activities(demo_engine, "Janteloppet")
    assert jl[new_refs[0]]["name"] == "Løpsfoto" and jl[new_refs[0]]["legal_bases"][0]["code"] == "art6_1_f"
    assert jl["JL-20"]["name"] == jl["JL-02"]["name"]
    assert activities(demo_engine, victim[0])[victim[1]]["transfers"] == []


def _three_transfers(engine: Any, tmp_path: Path) -> tuple[Path, Any]:
    make_org(engine)
    with db.transaction(engine) as s:
        create_activity(
            s,
            "Testkommune",
            {
                "ref": "T-01",
                "name": "Lønn",
                "recipients": [{"name": "Sky AS", "kind": "processor", "country": "US"}],
                "transfers": [
                    {"country": "US", "recipient": "Sky AS", "mechanism": "art46_2_c"},
                    {"country": "IN", "mechanism": "art46_2_c", "safeguard": "SCC"},
                    {"country": "CN", "mechanism": "art49_1_a", "frequency": "occasional"},
                ],
            },
            actor="t",
        )
        create_activity(s, "Testkommune", {"ref": "T-02", "name": "Regnskap", "transfers": [{"country": "SG"}]}, actor="t")
    path = tmp_path / "t.xlsx"
    wb = _own_book(engine, path, lang="en")
    return path, wb["Transfers"]


def _countries(engine: Any, ref: str) -> list[str]:
    return [t["country"] for t in activities(engine, "Testkommune")[ref]["transfers"]]


@pytest.mark.parametrize("change", ["delete_last", "delete_middle", "copy_over", "move", "copy_to_other"])
def test_transfer_rows_still_as_exported_but_deleted_copied_or_moved_are_noticed(engine, tmp_path, change):
    """Each transfer row's digest vouches for its cells and its place among its activity's
    transfers, so rows that are each untouched still tell a deletion, a copy or a move."""
    path, ws = _three_transfers(engine, tmp_path)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[5] for r in rows] == ["US", "IN", "CN", "SG"]  # the country code column
    if change == "delete_last":
        ws.delete_rows(4)
        expect = {"T-01": ["US", "IN"], "T-02": ["SG"]}
    elif change == "delete_middle":
        ws.delete_rows(3)
        expect = {"T-01": ["US", "CN"], "T-02": ["SG"]}
    elif change == "copy_over":  # row 2 copied, hidden digest and all, over row 3
        for i, v in enumerate(rows[0], 1):
            ws.cell(3, i).value = v
        expect = {"T-01": ["US", "US", "CN"], "T-02": ["SG"]}
    elif change == "move":  # the rows of T-01 in another order: the same transfers
        for r, values in zip((2, 3, 4), (rows[2], rows[0], rows[1])):
            for i, v in enumerate(values, 1):
                ws.cell(r, i).value = v
        expect = {"T-01": ["US", "IN", "CN"], "T-02": ["SG"]}
    else:  # T-02's row copied, digest and all, below T-01's rows but given T-01's ref
        ws.delete_rows(5)
        for i, v in enumerate(rows[3], 1):
            ws.cell(5, i).value = v
        ws.cell(5, 2).value = "T-01"
        expect = {"T-01": ["US", "IN", "CN", "SG"], "T-02": []}
    ws.parent.save(path)
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t")
    assert {ref: _countries(engine, ref) for ref in expect} == expect


def test_recipient_defined_differently_in_two_rows_keeps_the_first_with_a_warning(engine, tmp_path):
    make_org(engine)
    path = plain_workbook(
        tmp_path / "r.xlsx",
        ["Behandlingsaktivitet", "Kategorier av mottakere", "Link to contract with processor"],
        [["Lønn", "Regnskapsbyrået (databehandler)", "DBA-1"], ["Regnskap", "Regnskapsbyrået (databehandler)", "DBA-2"]],
    )
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune")
    assert [(p.where, p.code) for p in plan.warnings] == [("row 3, 'Kategorier av mottakere'", "conflict")]
    assert "'DBA-2' here but 'DBA-1' in row 2" in plan.warnings[0].message
    assert plan.errors == []


def test_example_words_inside_a_value_do_not_skip_the_row():
    assert mapping.is_example(["Eksempelvis kundeservice", "x"]) is None
    assert mapping.is_example([None, "Eksempel: Lønn", "x"]) == "Eksempel: Lønn"
    assert mapping.is_example(["Lønn", "e.g. payroll"]) is None
    assert mapping.is_example(["(Example) Payroll"]) == "(Example) Payroll"


def test_ods_spreadsheet(engine, tmp_path):
    make_org(engine)

    def cell(v: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Protokoll">'
        f"<table:table-row>{cell('Behandlingsaktivitet')}{cell('Formål')}{cell('Lagringstid')}</table:table-row>"
        f"<table:table-row>{cell('Medlemsregister')}{cell('Administrere medlemskap')}{cell('2 år etter utmelding')}</table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    path = tmp_path / "protokoll.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    assert reader.read_book(path).kind == "ods"
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Testkommune")
    (act,) = activities(engine, "Testkommune").values()
    assert act["name"] == "Medlemsregister" and act["retention"]["period"] == 2 and act["retention"]["trigger"] == "utmelding"


def test_json_create_only_leaves_existing_activities_alone(demo_engine, tmp_path):
    path = tmp_path / "register.json"
    with db.session(demo_engine) as s:
        document = interchange.export_document(s)
    document["organisations"][0]["activities"][0]["name"] = "Endret navn"
    document["organisations"][0]["activities"].append({**document["organisations"][0]["activities"][0], "ref": "NY-01"})
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path, mode="create-only")
    assert [r.status for r in plan.rows].count("new") == 1 and [r.status for r in plan.rows].count("skipped") == len(plan.rows) - 1
    with db.transaction(demo_engine) as s:
        report = imports.import_(s, path, actor="t", mode="create-only")
    org = document["organisations"][0]["name"]
    assert report.created == [f"{org}/NY-01"] and not report.updated and len(report.skipped) == report.rows_read - 1
    first = document["organisations"][0]["activities"][0]["ref"]
    assert activities(demo_engine, org)[first]["name"] != "Endret navn"


def test_the_sheet_with_the_register_is_found_or_named(engine, tmp_path):
    make_org(engine)
    wb = Workbook()
    intro = wb.active
    intro.title = "Veiledning"
    intro["A1"] = "Slik fyller du ut protokollen"
    intro["A2"] = "Formål: skriv formålet med behandlingen"
    data = wb.create_sheet("Behandlinger")
    data.append(["Behandlingsaktivitet", "Formål", "Kategorier av registrerte"])
    data.append(["Lønn", "Betale lønn", "Ansatte"])
    other = wb.create_sheet("Gamle")
    other.append(["Behandlingsaktivitet", "Formål"])
    other.append(["Arkiv", "Arkivere"])
    path = tmp_path / "ark.xlsx"
    wb.save(path)
    with db.session(engine) as s:
        assert imports.plan(s, path, org="Testkommune").sheet == "Behandlinger"
        plan = imports.plan(s, path, org="Testkommune", sheet="gamle")
        assert plan.sheet == "Gamle" and [r.name for r in plan.rows] == ["Arkiv"]
        with pytest.raises(ValidationFailed) as err:
            imports.plan(s, path, org="Testkommune", sheet="Nope")
    assert "no sheet called 'Nope' (sheets: Veiledning, Behandlinger, Gamle)" in str(err.value)


def test_organisation_facts_of_issue_15_round_trip_and_read_from_typed_cells(demo_engine, tmp_path, backend):
    """Establishments, Art. 3(2), Art. 27(2)/30(5) facts and "disclosed to no one" survive the workbook with and
    without its hidden JSON, and words typed into the Organisations sheet are read."""
    from ropa.excel import layout

    with db.transaction(demo_engine) as s:
        org = organisation_dict(get_organisation(s, "EnterTalkPro Ltd"))
        org.update(
            establishments=["SG", "GB"],
            offers_to_eea=None,  # Art. 3(2): not recorded, kept apart from no (Allprofil records no to both)
            monitors_eea=True,
            occasional_processing=True,
            fewer_than_250=True,
            art30_5_assessment="Fewer than 250 staff; processing is occasional.",
        )
        update_organisation(s, "EnterTalkPro Ltd", org, expected_version=1, actor="test")
        act = get_activity(s, "Janteloppet", "JL-08")
        data = {**activity_dict(act), "no_recipients": True}
        update_activity(s, "Janteloppet", "JL-08", data, expected_version=act.version, actor="test")
    book = tmp_path / "facts.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="nb")
        before = interchange.dumps(interchange.export_document(s))
    cover = [r for r in load_workbook(book)["Forside"].iter_rows(values_only=True)]
    assert ("Vurdering etter art. 30 nr. 5", "Fewer than 250 staff; processing is occasional.") in [tuple(r[:2]) for r in cover]
    assert ("Andre etableringer (land)", "Singapore, Storbritannia") in [tuple(r[:2]) for r in cover]
    wb = load_workbook(book)
    for ws in wb.worksheets:  # no digests: every row is compared cell by cell with its JSON
        header = [c.value for c in ws[1]]
        if layout.DIGEST_COLUMN in header:
            col = header.index(layout.DIGEST_COLUMN) + 1
            for r in range(2, ws.max_row + 1):
                ws.cell(r, col).value = None
    wb.save(book)
    target = second_engine(backend, tmp_path)
    with db.transaction(target) as s:
        imports.import_(s, book, actor="test")
    with db.session(target) as s:  # versions count this database's saves: the copy starts again at 1
        assert _unversioned(interchange.dumps(interchange.export_document(s))) == _unversioned(before)
    # typed by hand
    wb = load_workbook(book)
    ws = wb["Virksomheter"]
    h = _header_index(ws)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, h["Virksomhet"]).value == "Allprofil AS")
    ws.cell(row, h["Andre etableringer (land)"]).value = "Sverige; Danmark"
    ws.cell(row, h["Færre enn 250 ansatte"]).value = "ja"
    assert ws.cell(row, h["Tilbyr varer eller tjenester til personer i EØS"]).value == "Nei"
    ws.cell(row, h["Tilbyr varer eller tjenester til personer i EØS"]).value = None  # cleared: not recorded
    ws.cell(row, h["Overvåker atferden til personer i EØS"]).value = "ja"
    etp = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, h["Virksomhet"]).value == "EnterTalkPro Ltd")
    assert ws.cell(etp, h["Tilbyr varer eller tjenester til personer i EØS"]).value is None  # not recorded: an empty cell
    wb.save(book)
    with db.transaction(target) as s:
        imports.import_(s, book, actor="test")
    with db.session(target) as s:
        got = organisation_dict(get_organisation(s, "Allprofil AS"))
        etp_got = organisation_dict(get_organisation(s, "EnterTalkPro Ltd"))
    assert got["establishments"] == ["SE", "DK"] and got["fewer_than_250"] is True
    assert (got["offers_to_eea"], got["monitors_eea"]) == (None, True)
    assert (etp_got["offers_to_eea"], etp_got["monitors_eea"]) == (None, True)


def _unversioned(document: str) -> str:
    """A JSON export without the records' version counters (they belong to the database they came from)."""
    import re

    return re.sub(r'"version": \d+', '"version": 0', document)


# ---------------------------------------------------------------------------------------------
# Each row checked as it is read: its problems at its sheet, row and column


def test_a_bad_cell_in_our_own_workbook_is_told_at_its_sheet_row_and_column_and_nothing_is_stored(demo_engine, tmp_path):
    wb = _own_book(demo_engine, tmp_path / "register.xlsx", lang="en")
    ws = wb["Processing activities"]
    h = _header_index(ws)
    rows = {ws.cell(r, h["Reference"]).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["JL-02"], h["Reference"]).value = "JL 02 !"  # not a valid reference
    ws.cell(rows["JL-03"], h["Retention period"]).value = 99999  # more than a thousand years
    transfers = wb["Transfers"]
    th = _header_index(transfers)
    transfers.cell(2, th["Country"]).value = None  # a transfer to nowhere
    transfers.cell(2, th["International organisation"]).value = None
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    before = count_rows(demo_engine)
    with db.session(demo_engine) as s:
        plan = imports.plan(s, edited)
    found = {(p.path, p.code, p.field) for p in plan.errors}
    assert (("sheet", "Processing activities", "row", rows["JL-02"], "column", "Reference"), "string_pattern_mismatch", "ref") in found
    assert (("sheet", "Processing activities", "row", rows["JL-03"], "column", "Retention period"), "out_of_range", "retention.period") in found, found
    assert (("sheet", "Transfers", "row", 2, "column", "Country"), "missing", "transfers") in found, found
    status = {r.row: r.status for r in plan.rows}
    assert status[rows["JL-02"]] == status[rows["JL-03"]] == "error"
    where = {p.where for p in plan.errors}
    assert f"Processing activities row {rows['JL-02']}, 'Reference'" in where
    for dry_run in (True, False):
        with pytest.raises(ValidationFailed) as err, db.transaction(demo_engine) as s:
            imports.import_(s, edited, actor="t", dry_run=dry_run)
        assert {(p.path, p.code, p.field) for p in err.value.problems} == found
    assert count_rows(demo_engine) == before
    # In the user's language: the same places, named in bokmål.
    with db.session(demo_engine) as s:
        plan = imports.plan(s, edited, lang="nb")
    assert f"Processing activities rad {rows['JL-02']}, 'Reference'" in {p.where for p in plan.errors}


def test_a_bad_cell_in_someone_elses_register_is_told_at_its_row_and_column_and_nothing_is_stored(engine, tmp_path):
    make_org(engine)
    path = plain_workbook(
        tmp_path / "theirs.xlsx",
        ["Ref", "Behandlingsaktivitet", "Retention period"],
        [["B-1", "Lønn", None], ["B-2", "Kantine", "3"], ["B 3 !", "Opptak", None]],
    )
    before = count_rows(engine)
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Testkommune", lang="nb")
    assert sorted((p.path, p.code, p.field) for p in plan.errors) == [
        (("sheet", "Ark1", "row", 3, "column", "Retention period"), "missing", "retention.unit"),
        (("sheet", "Ark1", "row", 4, "column", "Ref"), "string_pattern_mismatch", "ref"),
    ]
    assert {p.where for p in plan.errors} == {"rad 3, 'Retention period'", "rad 4, 'Ref'"}
    assert [r.status for r in plan.rows] == ["new", "error", "error"]
    for dry_run in (True, False):
        with pytest.raises(ValidationFailed) as err, db.transaction(engine) as s:
            imports.import_(s, path, actor="t", org="Testkommune", dry_run=dry_run)
        assert sorted((p.path, p.code) for p in err.value.problems) == sorted((p.path, p.code) for p in plan.errors)
    # An import after the preview stops at the same rows, unwritten.
    with pytest.raises(ValidationFailed) as err, db.transaction(engine) as s:
        imports.import_(s, plan, actor="t")
    assert sorted((p.path, p.code) for p in err.value.problems) == sorted((p.path, p.code) for p in plan.errors)
    assert count_rows(engine) == before

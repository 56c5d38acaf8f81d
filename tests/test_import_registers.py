"""Import the registers DPOs actually have (issue 16), and edits that never vanish.

Fixtures built here with openpyxl: an ICO-shaped workbook (an introduction sheet, a controller
sheet with a details block, free-text retention and flag + details transfer columns, a
processor sheet and an examples sheet); a Datatilsynet-style sheet with an instruction row and
Art. 9 conditions in the legal-basis column; our own workbook with an invalid edit in each kind
of field.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from ropa import db, imports
from ropa.errors import ValidationFailed
from ropa.excel import convert, diff, foreign, mapping, parse
from ropa.excel.export import write_workbook
from ropa.register.activities import activity_dict, list_activities
from ropa.register.lookup import find_organisation
from ropa.register.organisations import create_organisation, list_organisations, organisation_dict
from ropa.schema import ActivityDoc
from ropa.validation import problems_from_validation

ROOT = Path(__file__).resolve().parent.parent

ICO_CONTROLLER = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Is personal data transferred outside the UK?",
    "Recipient name and address",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention period",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
]
ICO_ROWS = [
    [
        "HR",
        "Paying staff. Also pension contributions.",
        "N/A",
        "Employees",
        "Bank details",
        "Payroll bureau",
        "n/a",
        "No",
        "—",
        "-",
        "7 years from the end of the tax year",
        "Encryption",
        "Art. 6(1)(c) legal obligation",
    ],
    [
        "Marketing",
        "Sending the newsletter",
        "None",
        "Customers",
        "Email address",
        "Mailer Pte Ltd",
        "https://contracts/7",
        "Yes",
        "Mailer Pte Ltd, 22 Harbour Road, Singapore",
        "SCCs signed 2024",
        "until 1 year after the contract ends",
        "MFA",
        "Consent",
    ],
    [
        "Finance",
        "Keeping the accounts",
        "Not applicable",
        "Suppliers",
        "Invoices",
        "Auditor",
        None,
        "Yes",
        "Group Services Inc., 1 Main Street, Boston, USA",
        "BCRs approved by the CNIL",
        "3 years + current",
        "Access control",
        "Legal obligation",
    ],
    ["Facilities", "Visitor log", None, "Visitors", "Name", None, None, "No", None, None, "Until the building is sold", None, "Legitimate interests"],
]
ICO_PROCESSOR = [
    "Name and contact details of controller",
    "Categories of processing",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "General description of technical and organisational security measures (if possible)",
]


def ico_workbook(path: Path, *, details: bool = True) -> Path:
    wb = Workbook()
    intro = wb.active
    intro.title = "Introduction"
    intro["A1"] = "Documentation template for controllers"
    intro["A3"] = "Use this template to record your processing activities. Add one line per processing activity."
    intro["A4"] = "Purpose of processing, Categories of individuals and Categories of personal data are required."
    ws = wb.create_sheet("Controller")
    ws["A1"] = "Record of processing activities (Article 30(1))"
    if details:
        ws["A2"], ws["B2"] = (
            "Name and contact details of controller",
            "Harbour Books Ltd\n1 Quay Street, Bristol BS1 4DJ\nprivacy@harbourbooks.example\n+44 117 496 0000",
        )
        ws["A3"], ws["B3"] = "Data Protection Officer", "Jane Doe, dpo@harbourbooks.example"
        ws["A4"], ws["B4"] = "Representative", "Rep Europe GmbH, Hauptstraße 1, Berlin"
    for i, h in enumerate(ICO_CONTROLLER, 1):
        ws.cell(6, i, h)
    ws.cell(7, 1, "Add one line per processing activity below")
    for r, row in enumerate(ICO_ROWS, 8):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    proc = wb.create_sheet("Processor")
    for i, h in enumerate(ICO_PROCESSOR, 1):
        proc.cell(1, i, h)
    proc.append(["Clinic AS, post@clinic.example", "Hosting the booking system", "N/A", "Backups encrypted"])
    ex = wb.create_sheet("Examples")
    for i, h in enumerate(ICO_CONTROLLER, 1):
        ex.cell(1, i, h)
    ex.append(["Sales", "Selling books", None, "Customers", "Name", "Courier", None, "No", None, None, "6 years", "TLS", "Contract"])
    wb.save(path)
    return path


def datatilsynet_sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    ws["A1"] = "Protokoll over behandlingsaktiviteter"
    ws["A2"], ws["B2"] = "Behandlingsansvarlig", "Fjordkommune"
    ws["A3"], ws["B3"] = "Personvernombud", "Ola Nordmann, personvernombud@fjord.example"
    headers = [
        "Behandlingsaktivitet",
        "Formålet med behandlingen",
        "Behandlingsgrunnlag",
        "Kategorier av registrerte",
        "Kategorier av personopplysninger",
        "Kategorier av mottakere",
        "Overføring til tredjeland",
        "Planlagte tidsfrister for sletting",
        "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
    ]
    for i, h in enumerate(headers, 1):
        ws.cell(5, i, h)
    ws.cell(6, 1, "Bruk én linje for hver behandling, og slett eksemplene")
    rows = [
        [
            "Helsetjeneste i skolen",
            "Oppfølging av elevers helse",
            "art. 6 nr. 1 c) og art. 9 nr. 2 h)",
            "Elever",
            "Helseopplysninger",
            "Ingen",
            "Ikke relevant",
            "10 år etter siste kontakt",
            "Tilgangsstyring",
        ],
        ["Barnevern", "Saksbehandling", "6(1)(e) + 9(2)(g)", "Barn", "Helseopplysninger", "—", "-", "Ikke relevant", "Logging"],
        ["Forskning", "Forskningsprosjekt", "explicit consent", "Deltakere", "Helseopplysninger", "N/A", "N/A", "5 år", "Kryptering"],
    ]
    for r, row in enumerate(rows, 7):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    wb.save(path)
    return path


def acts(engine: Any, org: str) -> dict[str, dict[str, Any]]:
    with db.session(engine) as s:
        return {a.ref: activity_dict(a) for a in list_activities(s, org=org)}


def by_name(engine: Any, org: str) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in acts(engine, org).values()}


# ---------------------------------------------------------------------------------------------
# The ICO's layout


def test_ico_workbook_dry_run_names_what_it_reads_and_skips(engine, tmp_path):
    path = ico_workbook(tmp_path / "ico.xlsx")
    with db.session(engine) as s:
        plan = imports.plan(s, path)
    assert plan.errors == [], [str(e) for e in plan.errors]
    assert [(t.sheet, t.role) for t in plan.tables] == [("Controller", "controller"), ("Processor", "processor")]
    assert [name for name, _ in plan.skipped_sheets] == ["Examples"]
    assert "examples" in plan.skipped_sheets[0][1]
    assert all(r.sheet != "Examples" and r.sheet != "Introduction" for r in plan.rows)
    statuses = [(r.sheet, r.row, r.status) for r in plan.rows]
    assert statuses[0] == ("Controller", 7, "instructions")
    assert [s for _, _, s in statuses[1:]] == ["new"] * 5
    codes = [w.code for w in plan.warnings]
    assert codes.count("names_from_purpose") == 2  # said once per sheet, not once per row
    details = {str(w) for w in plan.warnings if w.code == "from_details"}
    assert any("data protection officer set to 'Jane Doe'" in d for d in details), details
    assert any("Art. 27 representative set to 'Rep Europe GmbH'" in d for d in details), details
    assert any("org_from_details" == w.code and "'Harbour Books Ltd'" in w.message for w in plan.warnings)
    fields = {c.header: c.field for c in plan.columns}
    assert fields["Business function"] == "owner" and fields["Retention period"] == "retention.text"
    assert fields["Is personal data transferred outside the UK?"] == "transfers.flag"
    assert fields["Recipient name and address"] == "transfers.recipient"


def test_ico_workbook_imports_controller_and_processor_activities(engine, backend, tmp_path):
    path = ico_workbook(tmp_path / "ico.xlsx")
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t")
    assert len(report.created) == 5
    assert "Controller row 7 (instructions)" in report.skipped
    got = by_name(engine, "Harbour Books Ltd")
    assert set(got) == {"Paying staff", "Sending the newsletter", "Keeping the accounts", "Visitor log", "Hosting the booking system"}
    pay = got["Paying staff"]
    assert pay["owner"] == "HR" and pay["purposes"] == ["Paying staff. Also pension contributions."]
    assert pay["controllers"] == [] and pay["transfers"] == [] and pay["recipients"][0]["agreement"] is None
    assert pay["retention"] == {
        "period": 7,
        "unit": "years",
        "trigger": "the end of the tax year",
        "action": None,
        "text": "7 years from the end of the tax year",
    }
    news = got["Sending the newsletter"]
    assert [(t["country"], t["recipient"], t["mechanism"]) for t in news["transfers"]] == [("SG", "Mailer Pte Ltd", "art46_2_c")]
    assert news["retention"]["period"] == 1 and news["retention"]["trigger"] == "the contract ends"
    assert news["retention"]["text"] == "until 1 year after the contract ends"
    accounts = got["Keeping the accounts"]
    assert [(t["country"], t["recipient"], t["mechanism"]) for t in accounts["transfers"]] == [("US", "Group Services Inc.", "art46_2_b")]
    assert accounts["retention"]["period"] == 3 and accounts["retention"]["trigger"] == "the end of the current year"
    visitors = got["Visitor log"]
    assert visitors["retention"] == {"period": None, "unit": None, "trigger": None, "action": None, "text": "Until the building is sold"}
    hosting = got["Hosting the booking system"]
    assert hosting["role"] == "processor" and hosting["controllers"] == ["Clinic AS, post@clinic.example"]
    assert hosting["transfers"] == [] and hosting["security_measures"] == ["Backups encrypted"]
    refs = sorted(acts(engine, "Harbour Books Ltd"))
    assert refs == ["HBL-01", "HBL-02", "HBL-03", "HBL-04", "HBL-05"]
    with db.session(engine) as s:
        org = organisation_dict(find_organisation(s, "Harbour Books Ltd"))
    assert org["address"] == "1 Quay Street, Bristol BS1 4DJ" and org["email"] == "privacy@harbourbooks.example"
    assert org["phone"] == "+44 117 496 0000"
    assert org["dpo"]["name"] == "Jane Doe" and org["dpo"]["email"] == "dpo@harbourbooks.example"
    assert org["representative"]["name"] == "Rep Europe GmbH"
    # The same file again changes nothing: the derived names find their activities.
    with db.session(engine) as s:
        plan = imports.plan(s, path)
    assert [r.status for r in plan.rows if r.status not in ("instructions",)] == ["unchanged"] * 5


def test_details_block_does_not_overwrite_what_the_register_has(engine, tmp_path):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Harbour Books Ltd", "country": "GB", "dpo": {"name": "Kim Keep"}}, actor="t")
    path = ico_workbook(tmp_path / "ico.xlsx")
    with db.transaction(engine) as s:
        imports.import_(s, path, actor="t", org="Harbour Books Ltd")
    with db.session(engine) as s:
        org = organisation_dict(find_organisation(s, "Harbour Books Ltd"))
    assert org["dpo"]["name"] == "Kim Keep" and org["address"] == "1 Quay Street, Bristol BS1 4DJ"


def test_ico_without_details_needs_an_organisation_and_says_so_in_bokmal(engine, tmp_path):
    path = ico_workbook(tmp_path / "ico.xlsx", details=False)
    with db.session(engine) as s:
        plan = imports.plan(s, path, lang="nb")
    assert plan.errors and all(e.code == "no_organisation" for e in plan.errors)
    assert plan.errors[0].where.startswith("rad 8")


# ---------------------------------------------------------------------------------------------
# Datatilsynet's template


def test_datatilsynet_sheet_instruction_row_and_art9_in_the_legal_basis(engine, backend, tmp_path):
    path = datatilsynet_sheet(tmp_path / "protokoll.xlsx")
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t", lang="nb")
    assert report.skipped == ["Protokoll row 6 (instructions)"] and len(report.created) == 3
    got = by_name(engine, "Fjordkommune")
    school = got["Helsetjeneste i skolen"]
    assert [b["code"] for b in school["legal_bases"]] == ["art6_1_c"]
    assert [c["code"] for c in school["art9_conditions"]] == ["art9_2_h"]
    assert school["recipients"] == [] and school["transfers"] == []
    child = got["Barnevern"]
    assert [b["code"] for b in child["legal_bases"]] == ["art6_1_e"] and [c["code"] for c in child["art9_conditions"]] == ["art9_2_g"]
    assert child["retention"]["text"] is None and child["transfers"] == [] and child["recipients"] == []
    research = got["Forskning"]
    assert [c["code"] for c in research["art9_conditions"]] == ["art9_2_a"]
    assert "explicit consent" not in (research["description"] or "")
    with db.session(engine) as s:
        org = organisation_dict(find_organisation(s, "Fjordkommune"))
    assert org["dpo"] == {"name": "Ola Nordmann", "email": "personvernombud@fjord.example", "phone": None}


@pytest.mark.parametrize("value", ["N/A", "n/a", "-", "—", "None", "Ingen", "Not applicable", "Ikke relevant"])
def test_empty_is_empty_in_every_kind_of_field(value):
    act = convert.empty_activity()
    notes = convert.apply_activity(
        act,
        {
            "name": "X",
            "legal_bases": value,
            "transfers": value,
            "recipients": value,
            "data_subjects": value,
            "retention.text": value,
            "owner": value,
            "dpia.status": value,
            "criminal_data": value,
            "last_review": value,
        },
        convert.Context(),
    )
    assert notes == []
    assert act["legal_bases"] == [] and act["transfers"] == [] and act["recipients"] == [] and act["data_subjects"] == []
    assert act["retention"]["text"] is None and act["owner"] is None and act["dpia"]["status"] == "not_assessed"
    assert act["criminal_data"] is False and act["last_review"] is None and act["description"] is None


@pytest.mark.parametrize(
    "text,country",
    [
        ("Mailer Pte Ltd, 22 Harbour Road, Singapore", "SG"),
        ("Hosting AS, Oslo, Norge", "NO"),
        ("Skyleverandør i Sør-Korea", "KR"),
        ("Acme Inc, Atlanta, Georgia, United States", "US"),
        ("Data centre in Frankfurt, Tyskland", "DE"),
    ],
)
def test_a_country_is_found_inside_free_text(text, country):
    assert parse.countries_in_text(text)[0] == country


@pytest.mark.parametrize(
    "words,code", [("BCRs approved by the CNIL", "art46_2_b"), ("SCCs signed 2024", "art46_2_c"), ("EU-US Data Privacy Framework", "art45")]
)
def test_mechanism_from_the_safeguards_wording(words, code):
    act = convert.empty_activity()
    convert.apply_activity(
        act, {"transfers.flag": "Yes", "transfers.recipient": "Vendor Ltd, Toronto, Canada", "transfers.safeguard": words}, convert.Context()
    )
    assert [(t["country"], t["mechanism"], t["recipient"]) for t in act["transfers"]] == [("CA", code, "Vendor Ltd")]


def test_no_makes_no_transfer_and_yes_without_a_country_keeps_the_text():
    act = convert.empty_activity()
    notes = convert.apply_activity(act, {"transfers.flag": "No", "transfers.recipient": "Mailer Pte Ltd, Singapore"}, convert.Context())
    assert act["transfers"] == [] and [n.code for n in notes] == ["flag_no"]
    act = convert.empty_activity()
    notes = convert.apply_activity(
        act, {"transfers.flag": "Yes", "transfers.recipient": "Our cloud vendor (see contract)"}, convert.Context(labels={"transfers.recipient": "Recipient"})
    )
    assert act["transfers"] == [] and "Recipient: Our cloud vendor (see contract)" in act["description"]
    assert [(n.code, n.severity) for n in notes] == [("no_country", "warning")]


@pytest.mark.parametrize(
    "text,period,unit,trigger",
    [
        ("7 years from the end of the tax year", 7, "years", "the end of the tax year"),
        ("until 1 year after the contract ends", 1, "years", "the contract ends"),
        ("3 years + current", 3, "years", "the end of the current year"),
        ("Current year + 6 years", 6, "years", "Current year"),
    ],
)
def test_free_text_retention_under_a_numeric_header_is_parsed_and_kept(text, period, unit, trigger):
    act = convert.empty_activity()
    notes = convert.apply_activity(act, {"retention.period": text}, convert.Context())
    assert notes == []
    assert act["retention"] == {"period": period, "unit": unit, "trigger": trigger, "action": None, "text": text}


def test_unparseable_retention_under_a_numeric_header_is_a_warning_not_a_rejection(engine, tmp_path):
    path = tmp_path / "r.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Processing activity", "Purpose", "Retention period (years)"])
    ws.append(["Payroll", "Pay", "As long as the law says"])
    ws.append(["CCTV", "Safety", 30])
    wb.save(path)
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t", org="Org")
    assert len(report.created) == 2
    got = by_name(engine, "Org")
    assert got["Payroll"]["retention"]["text"] == "As long as the law says" and got["Payroll"]["retention"]["period"] is None
    assert any(w.code == "kept_as_text" for w in report.warnings)


def test_unknown_country_in_a_csv_is_the_same_error_as_json(engine, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Processing activity;Purpose;Third countries\nPayroll;Pay;Narnia\nCRM;Sell;USA\n", encoding="utf-8")
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Org")
    assert [(e.where, e.code) for e in plan.errors] == [("row 2, 'Third countries'", "unknown_country")]
    assert "'Narnia' is not a country" in plan.errors[0].message
    assert [r.status for r in plan.rows] == ["error", "new"]
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Org", lang="nb")
    assert plan.errors[0].where == "rad 2, 'Third countries'" and "'Narnia' er ikke et land" in plan.errors[0].message
    with db.transaction(engine) as s, pytest.raises(ValidationFailed):
        imports.import_(s, path, actor="t", org="Org")


def test_instruction_sentences_are_flagged_but_short_names_are_data():
    assert mapping.is_instruction_sentence(["Bruk én linje for hver behandling, og slett eksemplene", None, None])
    assert mapping.is_instruction_sentence(["Add one line per processing activity below"])
    assert not mapping.is_instruction_sentence(["Payroll"])
    assert not mapping.is_instruction_sentence(["Lønn og personal for ansatte i kommunen"])


def test_sheet_roles():
    assert foreign.sheet_role("Examples") == foreign.sheet_role("Eksempel") == foreign.sheet_role("Example") == "examples"
    assert foreign.sheet_role("Introduction") == "introduction"
    assert foreign.sheet_role("Processor activities") == foreign.sheet_role("Databehandler") == "processor"
    assert foreign.sheet_role("Sheet1", ["Categories of processing carried out on behalf of each controller"]) == "processor"
    assert foreign.sheet_role("Controller") == "controller"


# ---------------------------------------------------------------------------------------------
# Edits never vanish: our own workbook


def _header_index(ws: Any) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


INVALID = {  # (sheet key, column header en, column header nb, value): what each kind of field refuses
    "code": ("Status", "Status", "kanskje"),
    "unit": ("Retention unit", "Lagringstid (enhet)", "tiår"),
    "number": ("Retention period", "Lagringstid (antall)", "mange"),
    "date": ("Next review", "Neste gjennomgang", "i fjor"),
}


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_invalid_edits_in_our_own_workbook_are_errors_naming_sheet_row_column_and_value(demo_engine, backend, tmp_path, lang):
    path = tmp_path / "register.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, path, lang=lang)
    wb = load_workbook(path)
    sheet_name = "Processing activities" if lang == "en" else "Behandlingsaktiviteter"
    ws = wb[sheet_name]
    h = _header_index(ws)
    edited = {}
    for row, (kind, (en, nb, value)) in enumerate(INVALID.items(), 2):
        ws.cell(row, h[en if lang == "en" else nb], value)
        edited[kind] = (row, en if lang == "en" else nb, value)
    tws = wb["Transfers" if lang == "en" else "Overføringer"]
    th = _header_index(tws)
    code_header = "Country code (ISO 3166)" if lang == "en" else "Landkode (ISO 3166)"
    tws.cell(2, th[code_header], "XX")
    wb.save(path)
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path, lang=lang)
    errors = {(e.where, e.code): e.message for e in plan.errors}
    row_word = "row" if lang == "en" else "rad"
    for kind, (row, header, value) in edited.items():
        key = next((k for k in errors if k[0] == f"{sheet_name} {row_word} {row}, '{header}'"), None)
        assert key is not None, (kind, list(errors))
        assert f"'{value}'" in errors[key]
    country = [m for (where, code), m in errors.items() if where.startswith(f"{tws.title} {row_word} 2, ") and code == "unknown_country"]
    assert len(country) == 1 and "'XX'" in country[0], list(errors)
    if lang == "nb":
        assert any("er ikke" in m for m in errors.values()) and not any("is not" in m for m in errors.values())
    statuses = {r.row: r.status for r in plan.rows if r.sheet == sheet_name}
    assert all(statuses[row] == "error" for row, _, _ in edited.values())
    before = acts(demo_engine, list_organisations(db.session(demo_engine).__enter__())[0].name)
    with db.transaction(demo_engine) as s, pytest.raises(ValidationFailed):
        imports.import_(s, path, actor="t", lang=lang)
    after = acts(demo_engine, list_organisations(db.session(demo_engine).__enter__())[0].name)
    assert before == after


def test_a_valid_edit_shows_field_by_field_in_the_dry_run(demo_engine, tmp_path):
    path = tmp_path / "register.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, path, lang="en")
    wb = load_workbook(path)
    ws = wb["Processing activities"]
    h = _header_index(ws)
    ref, old_status = ws.cell(2, h["Reference"]).value, ws.cell(2, h["Status"]).value
    ws.cell(2, h["Status"], "Retired")
    ws.cell(2, h["Retention period"], 9)
    ws.cell(2, h["Retention unit"], "years")
    wb.save(path)
    with db.session(demo_engine) as s:
        plan = imports.plan(s, path)
    (row,) = plan.changed_activities()
    assert row.ref == ref and row.status == "changed"
    lines = [c.line("en") for c in row.changes]
    assert "Status: active → retired" in lines, lines
    assert any(line.startswith("Retention period: ") and line.endswith("→ 9") for line in lines), lines
    assert old_status


def test_cli_dry_run_prints_changes_field_by_field(sqlite_demo_url, tmp_path):
    book = tmp_path / "register.xlsx"
    env = {**os.environ, "ROPA_DATABASE_URL": sqlite_demo_url, "OPENPYXL_LXML": "False"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "ropa", *a], capture_output=True, text=True, env=env, cwd=ROOT)  # noqa: E731
    assert run("export", str(book), "--lang", "en").returncode == 0
    wb = load_workbook(book)
    ws = wb["Processing activities"]
    h = _header_index(ws)
    ws.cell(2, h["Retention period"], 11)
    ws.cell(2, h["Retention unit"], "months")
    wb.save(book)
    r = run("import", str(book), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "changed: " in r.stdout and "Retention period: " in r.stdout and "→ 11" in r.stdout
    r = run("import", str(book), "--dry-run", "--lang", "nb")
    assert "endres: " in r.stdout and "Lagringstid (antall): " in r.stdout


def test_diff_renders_lists_and_nothing():
    assert diff.render(None) == "–" and diff.render(["a", "b"]) == "a; b" and diff.render(True, "nb") == "ja"
    changes = diff.changes(
        {"name": "A", "retention": {"period": 1, "unit": "years"}, "purposes": ["x"]},
        {"name": "A", "retention": {"period": 2, "unit": "years"}, "purposes": ["x"]},
    )
    assert [(c.field, c.old, c.new) for c in changes] == [("retention.period", 1, 2)]


# ---------------------------------------------------------------------------------------------
# pydantic's messages in bokmål


def test_validation_messages_are_translated_to_bokmal():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        ActivityDoc.model_validate({"ref": "A-1", "name": 5, "retention": {"period": "x"}, "last_review": "yesterday"})
    en = {p.path: p.message for p in problems_from_validation(err.value)}
    nb = {p.path: p.message for p in problems_from_validation(err.value, lang="nb")}
    assert set(en) == set(nb)
    assert nb[("name",)] == "må være tekst" and en[("name",)] != nb[("name",)]
    assert nb[("retention", "period")].startswith("må være et heltall")
    assert nb[("last_review",)].startswith("må være en gyldig dato")


def test_an_unknown_code_in_a_list_names_its_item_by_path_in_both_languages():
    """The item's index travels in the error's context; nothing is read back from the message."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        ActivityDoc.model_validate({"ref": "A-1", "name": "x", "legal_bases": [{"code": "art6_1_a"}, {"code": "art6_1_q"}]})
    for lang, words in (("en", "'art6_1_q' is not a legal basis code"), ("nb", "'art6_1_q' er ikke en gyldig kode for legal basis code")):
        [p] = problems_from_validation(err.value, ("organisations", 0, "activities", 4), lang=lang)
        assert (p.path, p.field, p.code) == (("organisations", 0, "activities", 4, "legal_bases", 1, "code"), "legal_bases", "unknown_code")
        assert p.where == "organisations[0].activities[4].legal_bases[1].code" and p.message.startswith(words)


def test_a_second_sheet_about_the_same_activities_adds_to_them(engine, tmp_path):
    path = tmp_path / "two-tabs.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Record of processing"
    ws.append(["Business function", "Purpose of processing", "Categories of individuals", "Categories of personal data"])
    ws.append(["HR", "Recruitment", "Applicants", "CVs"])
    ws.append(["Sales", "Invoicing", "Customers", "Addresses"])
    lb = wb.create_sheet("Lawful basis")
    lb.append(
        [
            "Business function",
            "Purpose of processing",
            "Article 6 lawful basis for processing personal data",
            "Article 9 basis for processing special category data",
        ]
    )
    lb.append(["HR", "Recruitment", "Contract", "Art. 9(2)(b)"])
    lb.append(["Sales", "Invoicing", "Legal obligation", "N/A"])
    wb.save(path)
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t", org="Org")
    assert len(report.created) == 2
    got = by_name(engine, "Org")
    assert [b["code"] for b in got["Recruitment"]["legal_bases"]] == ["art6_1_b"]
    assert [c["code"] for c in got["Recruitment"]["art9_conditions"]] == ["art9_2_b"]
    assert got["Recruitment"]["data_subjects"] == ["Applicants"] or got["Recruitment"]["data_subjects"]
    assert [b["code"] for b in got["Invoicing"]["legal_bases"]] == ["art6_1_c"] and got["Invoicing"]["art9_conditions"] == []


def test_a_column_of_other_words_is_left_out_but_a_stray_value_is_an_error(engine, tmp_path):
    path = tmp_path / "status.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Processing activity", "Purpose", "Status", "DPIA"])
    ws.append(["Payroll", "Pay", "Ask Kim", "Not required"])
    ws.append(["CRM", "Sell", "See notes", "Completed"])
    ws.append(["CCTV", "Safety", "Awaiting sign-off by Legal", "Maybe later"])
    wb.save(path)
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Org")
    status = next(c for c in plan.columns if c.header == "Status")
    assert status.field is None and status.how == "values"
    assert any(w.code == "not_read_by_values" and "'Status'" in w.where for w in plan.warnings)
    assert [(e.where, e.code) for e in plan.errors] == [("row 4, 'DPIA'", "invalid_value")]
    assert "'Maybe later'" in plan.errors[0].message


def test_import_page_shows_the_diff_counts_changes_and_then_the_result(tmp_path, monkeypatch):
    import hashlib

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ropa.demo import load_demo

    url = f"sqlite:///{tmp_path / 'page.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        load_demo(s, actor="test")
    path = tmp_path / "register.xlsx"
    with db.session(engine) as s:
        write_workbook(s, path, lang="nb")
    wb = load_workbook(path)
    ws = wb["Behandlingsaktiviteter"]
    h = _header_index(ws)
    ref = ws.cell(3, h["Referanse"]).value
    ws.cell(3, h["Status"], "Avsluttet")
    wb.save(path)
    data = path.read_bytes()
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    monkeypatch.setenv("ROPA_MAPPINGS_DIR", str(tmp_path / "maps"))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "ropa" / "ui" / "pages" / "import.py"), default_timeout=90)
        at.session_state["lang"] = "nb"
        at.session_state["import_file"] = {"name": "register.xlsx", "data": data, "digest": hashlib.sha256(data).hexdigest()}
        at.run()
        assert not at.exception, at.exception
        frames = [d.value for d in at.dataframe]
        diff_frame = next(f for f in frames if "Før" in f.columns)
        assert list(diff_frame["Ref"]) == [ref] and list(diff_frame["Felt"]) == ["Status"]
        assert list(diff_frame["Før"]) == ["aktiv"] and list(diff_frame["Etter"]) == ["avsluttet"]
        at.toggle(key="import_only_changes").set_value(False)
        at.run()
        diff_frame = next(d.value for d in at.dataframe if "Før" in d.value.columns)
        assert len(diff_frame) > 1 and "uendret" in set(diff_frame["Status"])
        confirm = at.button(key="import_confirm")
        assert confirm.label == "Importer: 1 endres"
        confirm.click()
        at.run()
        assert not at.exception, at.exception
        assert "1 oppdaterte" in at.success[0].value
        assert not any("Før" in d.value.columns for d in at.dataframe)  # the result, not the stale preview
        assert any(ref in d.value.to_string() for d in at.dataframe)
    finally:
        st.cache_resource.clear()
        engine.dispose()


def test_details_about_another_organisation_than_org_are_not_used(engine, tmp_path):
    path = ico_workbook(tmp_path / "ico.xlsx")
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Other Ltd")
    assert any(w.code == "details_other_org" for w in plan.warnings)
    assert not any(w.code == "from_details" for w in plan.warnings)
    assert {r.organisation for r in plan.rows if r.status == "new"} == {"Other Ltd"}

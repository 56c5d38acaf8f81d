"""The DPO's workbook: read back with openpyxl and python-calamine, in both languages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from ropa import db, vocab
from ropa.errors import InvalidOption, NotFound, RopaError, explain
from ropa.excel import export, layout
from ropa.excel.export import write_workbook
from ropa.fields import ACTIVITY, TRANSFER
from ropa.register.activities import activity_dict, create_activity, get_activity, list_activities, update_activity
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, list_organisations, organisation_dict, update_organisation

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)
SHEETS = {
    "nb": ["Forside", "Behandlingsaktiviteter", "Overføringer", "Mottakere", "Databehandler", "Virksomheter", "Kodeverk", "Metadata"],
    "en": ["Cover", "Processing activities", "Transfers", "Recipients", "Processor activities", "Organisations", "Code lists", "Metadata"],
}


@dataclass
class FakeFinding:
    rule: str
    severity: str
    organisation: str
    activity_ref: Optional[str]
    article: str
    message_en: str
    message_nb: str
    fix_en: str
    fix_nb: str


@pytest.fixture
def no_checks(monkeypatch):
    """As if ropa.register.checks did not exist (yet)."""
    monkeypatch.setitem(sys.modules, "ropa.register.checks", None)


@pytest.fixture
def fake_checks(monkeypatch):
    """A stand-in ropa.register.checks with two findings on Janteloppet."""
    module = types.ModuleType("ropa.register.checks")
    seen: dict[str, Any] = {}

    def check_register(session, orgs=None, today=None):
        seen.update(orgs=orgs, today=today)
        return [
            FakeFinding(
                "retention_missing",
                "warning",
                "Janteloppet",
                "JL-01",
                "Art. 30(1)(f)",
                "No retention period",
                "Ingen lagringstid",
                "Record the period",
                "Før opp lagringstiden",
            ),
            FakeFinding(
                "no_dpo", "info", "Janteloppet", None, "Art. 37", "=No DPO recorded", "=Intet personvernombud", "Record the DPO", "Før opp personvernombudet"
            ),
        ]

    module.check_register = check_register  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ropa.register.checks", module)
    return seen


def write(engine: Any, path: Path, **kw: Any) -> export.WorkbookSummary:
    with db.session(engine) as s:
        return write_workbook(s, path, today=TODAY, **kw)


def rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def register_counts(engine: Any, org: Optional[str] = None) -> tuple[int, int]:
    with db.session(engine) as s:
        acts = [activity_dict(a) for a in list_activities(s, org=org)]
    return len(acts), sum(len(a["transfers"]) for a in acts)


def json_of(row: list[Any], start: int) -> Any:
    return json.loads(layout.join_json(row[start:]))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_sheet_names_and_headers_per_language(demo_engine, tmp_path, lang, no_checks):
    path = tmp_path / "register.xlsx"
    write(demo_engine, path, lang=lang)
    assert load_workbook(path).sheetnames == SHEETS[lang]
    assert CalamineWorkbook.from_path(str(path)).sheet_names == SHEETS[lang]
    headers = rows(path, SHEETS[lang][1])[0]
    assert headers == layout.ACTIVITIES.headers(lang)
    assert headers[:3] == (["Virksomhet", "Referanse", "Behandlingsaktivitet"] if lang == "nb" else ["Organisation", "Reference", "Processing activity"])
    authority = (
        {
            "Behandlingsansvarlig",
            "Formålene med behandlingen",
            "Kategorier av registrerte",
            "Kategorier av personopplysninger",
            "Kategorier av mottakere",
            "Overføring til tredjestat eller internasjonal organisasjon",
            "Planlagte tidsfrister for sletting",
            "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
        }
        if lang == "nb"
        else {"Purposes of processing", "Categories of individuals", "Categories of personal data", "Categories of recipients"}
    )
    assert authority <= set(headers)
    # Art. 30(1) order: controller, purposes, subjects and data, recipients, transfers, retention, security
    order = ["controllers", "purposes", "data_subjects", "data_categories", "recipients", "transfers", "retention.text", "security_measures"]
    positions = [headers.index(ACTIVITY[k].label(lang)) for k in order]
    assert positions == sorted(positions)
    assert headers[-1] == "ropa:json"
    assert rows(path, SHEETS[lang][2])[0] == layout.TRANSFERS.headers(lang)
    assert TRANSFER["country"].label(lang) in rows(path, SHEETS[lang][2])[0]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_one_row_per_activity_and_per_transfer(demo_engine, tmp_path, lang):
    path = tmp_path / "register.xlsx"
    summary = write(demo_engine, path, lang=lang)
    n_activities, n_transfers = register_counts(demo_engine)
    assert n_transfers > 0
    activities = rows(path, SHEETS[lang][1])[1:]
    transfers = rows(path, SHEETS[lang][2])[1:]
    assert len(activities) == n_activities == summary.activities
    assert len(transfers) == n_transfers == summary.transfers
    with db.session(demo_engine) as s:
        expected = [(a.organisation.name, a.ref) for a in list_activities(s)]
    assert [(r[0], r[1]) for r in activities] == expected
    wb = load_workbook(path, read_only=True)
    assert sum(1 for _ in wb[SHEETS[lang][1]].iter_rows(min_row=2)) == n_activities


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_cells_read_like_the_register_in_the_chosen_language(demo_engine, tmp_path, lang):
    path = tmp_path / "register.xlsx"
    write(demo_engine, path, lang=lang)
    sheet = layout.ACTIVITIES
    by_ref = {r[1]: r for r in rows(path, SHEETS[lang][1])[1:]}
    jl01 = by_ref["JL-01"]
    basis = jl01[sheet.index("legal_bases")]
    assert basis.split("\n")[0] == (
        "Art. 6(1)(b) – avtale: Nødvendig for å oppfylle en kontrakt" if lang == "nb" else "Art. 6(1)(b) – contract: Nødvendig for å oppfylle en kontrakt"
    )
    assert jl01[sheet.index("controllers")].split("\n") == ["Janteloppet", "notices@janteloppet.com"]
    assert jl01[sheet.index("data_subjects")].split("\n") == [vocab.taxonomy_label("data_subject", k, lang) for k in ("customer", "employee")]
    categories = jl01[sheet.index("data_categories")].split("\n")  # one item per line
    assert categories[0] == vocab.taxonomy_label("data_category", "user.name", lang)
    assert "nasjonalitet" in categories  # free text stays as written
    assert jl01[sheet.index("role")] == vocab.ROLES["controller"].label(lang)
    assert jl01[sheet.index("retention.period")] == 6
    transfers = rows(path, SHEETS[lang][2])[1:]
    hk = next(r for r in transfers if r[layout.TRANSFERS.index("country_code")] == "CN")
    assert hk[layout.TRANSFERS.index("country")] == vocab.country_name("CN", lang)
    assert hk[layout.TRANSFERS.index("country_status")] == vocab.COUNTRY_STATUSES["third_country"].label(lang)
    assert hk[layout.TRANSFERS.index("mechanism")] == vocab.MECHANISMS["unknown"].label(lang)


def test_the_json_column_gives_back_exactly_what_is_stored(demo_engine, tmp_path):
    path = tmp_path / "register.xlsx"
    write(demo_engine, path)
    with db.session(demo_engine) as s:
        stored = {(a.organisation.name, a.ref): activity_dict(a) for a in list_activities(s)}
        orgs = {o.name: organisation_dict(o) for o in list_organisations(s)}
    col = layout.ACTIVITIES.index(layout.JSON_COLUMN)
    for row in rows(path, "Behandlingsaktiviteter")[1:]:
        act = json_of(row, col)
        assert act.pop("version") == 1 and all(r.pop("version") == 1 for r in act["recipients"])  # the version read at
        assert act == stored[(row[0], row[1])]
    col = layout.ORGANISATIONS.index(layout.JSON_COLUMN)
    for row in rows(path, "Virksomheter")[1:]:
        doc = json_of(row, col)
        assert {k: v for k, v in doc.items() if k not in ("recipients", "version")} == orgs[doc["name"]]
    ws = load_workbook(path)["Behandlingsaktiviteter"]
    letter = ws.cell(1, layout.ACTIVITIES.index(layout.JSON_COLUMN) + 1).column_letter
    assert ws.column_dimensions[letter].hidden


def test_long_text_is_split_over_hidden_cells_and_control_characters_stay_in_the_json(engine, tmp_path):
    long = "Lang beskrivelse. " * 2500  # 45,000 characters: more than an Excel cell holds
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Testvirksomhet AS"}, actor="test")
        create_activity(s, "Testvirksomhet AS", {"ref": "T-01", "name": "Lang tekst", "owner": "Lønn\x07 og HR", "description": long}, actor="test")
    path = tmp_path / "long.xlsx"
    write(engine, path)
    row = rows(path, "Behandlingsaktiviteter")[1]
    col = layout.ACTIVITIES.index(layout.JSON_COLUMN)
    assert len(row[layout.ACTIVITIES.index("description")]) == 32_767
    assert sum(1 for c in row[col:] if c) == 2
    act = json_of(row, col)
    assert act["description"] == long.strip() and act["owner"] == "Lønn\x07 og HR"  # (names cannot hold one)
    assert row[layout.ACTIVITIES.index("owner")] == "Lønn og HR"  # XML cannot hold \x07


def test_organisation_filter(demo_engine, tmp_path):
    path = tmp_path / "janteloppet.xlsx"
    summary = write(demo_engine, path, lang="en", orgs=["Janteloppet"])
    n_activities, n_transfers = register_counts(demo_engine, "Janteloppet")
    activities = rows(path, "Processing activities")[1:]
    assert len(activities) == n_activities == summary.activities and summary.organisations == 1
    assert {r[0] for r in activities} == {"Janteloppet"} and all(r[1].startswith("JL-") for r in activities)
    assert len(rows(path, "Transfers")) - 1 == n_transfers
    assert [r[0] for r in rows(path, "Organisations")[1:]] == ["Janteloppet"]
    assert {r[0] for r in rows(path, "Recipients")[1:]} <= {"Janteloppet"}
    cover = " ".join(str(c) for r in rows(path, "Cover") for c in r)
    assert "Janteloppet" in cover and "Allprofil" not in cover
    with pytest.raises(NotFound):
        write(demo_engine, tmp_path / "none.xlsx", orgs=["No Such Organisation"])
    assert not (tmp_path / "none.xlsx").exists()


def test_a_language_the_workbook_does_not_offer_is_a_typed_refusal(demo_engine, tmp_path):
    """The edges turn a RopaError into words (in the user's language) and an exit code; nothing is written."""
    with pytest.raises(InvalidOption) as err:
        write(demo_engine, tmp_path / "de.xlsx", lang="de")
    assert isinstance(err.value, RopaError) and not isinstance(err.value, ValueError)
    assert (err.value.option, err.value.value, err.value.allowed) == ("language", "de", ("nb", "en"))
    assert explain(err.value, "nb") == "språk må være 'nb' eller 'en', ikke 'de'"
    assert not (tmp_path / "de.xlsx").exists()


def test_dates_are_excel_dates(demo_engine, tmp_path):
    with db.transaction(demo_engine) as s:
        act = get_activity(s, "Ukjent selskap, Panyu District, Guangzhou", "GZP-01")
        data = activity_dict(act)
        data["last_review"], data["next_review"] = "2026-03-01", "2027-03-01"
        data["transfers"][0]["tia_date"] = "2025-12-15"
        update_activity(s, "Ukjent selskap, Panyu District, Guangzhou", "GZP-01", data, expected_version=act.version, actor="test")
    path = tmp_path / "dates.xlsx"
    write(demo_engine, path)
    ws = load_workbook(path)["Behandlingsaktiviteter"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "GZP-01")
    last = row[layout.ACTIVITIES.index("last_review")]
    assert last.is_date and last.value == datetime(2026, 3, 1) and last.number_format == "dd.mm.yyyy"
    assert row[layout.ACTIVITIES.index("next_review")].value == datetime(2027, 3, 1)
    by_ref = {r[1]: r for r in rows(path, "Behandlingsaktiviteter")[1:]}
    assert by_ref["GZP-01"][layout.ACTIVITIES.index("last_review")] == date(2026, 3, 1)  # calamine: a date
    tia = next(r for r in rows(path, "Overføringer")[1:] if r[1] == "GZP-01")[layout.TRANSFERS.index("tia_date")]
    assert tia == date(2025, 12, 15)
    assert rows(path, "Forside")[3][1] == TODAY
    assert load_workbook(path)["Forside"]["B4"].is_date


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_drop_downs_freeze_panes_filter_and_print_setup(demo_engine, tmp_path, lang):
    path = tmp_path / "format.xlsx"
    write(demo_engine, path, lang=lang)
    wb = load_workbook(path)
    ws = wb[SHEETS[lang][1]]
    n = ws.max_row
    assert ws.freeze_panes == "D2"  # below the header, after the activity's name
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, layout.ACTIVITIES.visible_columns()).column_letter}{n}"
    assert ws.print_title_rows == "$1:$1"  # the header row on every page
    # Too wide for one readable page: several pages across, the frozen columns repeated on each
    # (one page wide printed the activities at about 4 pt on A3).
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.fitToWidth) > 1
    assert ws.print_title_cols == "$A:$D"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.conditional_formatting  # banded rows
    header = ws[1][0]
    assert header.font.b and header.alignment.wrap_text
    assert ws.cell(2, layout.ACTIVITIES.index("purposes") + 1).alignment.wrap_text
    codes = wb[SHEETS[lang][6]]

    def validation(sheet, key):
        letter = sheet.cell(1, sheet_layout[sheet.title].index(key) + 1).column_letter
        found = [dv for dv in sheet.data_validations.dataValidation if f"{letter}2" in str(dv.sqref)]
        assert found, key
        dv = found[0]
        assert dv.type == "list" and dv.formula1.startswith(f"'{SHEETS[lang][6]}'!")
        cells = dv.formula1.split("!")[1].replace("$", "")
        return [c.value for row in codes[cells] for c in row]

    sheet_layout = {SHEETS[lang][1]: layout.ACTIVITIES, SHEETS[lang][2]: layout.TRANSFERS}
    assert validation(ws, "legal_bases") == [t.display(lang) for t in vocab.LEGAL_BASES.values()]
    assert validation(ws, "role") == [t.label(lang) for t in vocab.ROLES.values()]
    assert validation(ws, "status") == [t.label(lang) for t in vocab.STATUSES.values()]
    transfers = wb[SHEETS[lang][2]]
    assert transfers.freeze_panes == "D2" and transfers.auto_filter.ref
    assert validation(transfers, "mechanism") == [t.display(lang) for t in vocab.MECHANISMS.values()]
    assert validation(transfers, "country") == [name for _, name in vocab.countries(lang)]
    assert "US" in validation(transfers, "country_code")


def test_text_that_looks_like_a_formula_stays_text(engine, tmp_path):
    evil = ['=HYPERLINK("http://evil.example","klikk")', "+47 22 39 69 00", "-1+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "=Evil AS", "phone": "+47 22 39 69 00"}, actor="test")
        create_activity(
            s,
            "=Evil AS",
            {
                "ref": "E-01",
                "name": evil[0],
                "purposes": evil,
                "owner": "@avdeling",
                "recipients": [{"name": "-Mottaker", "kind": "processor"}],
                "transfers": [{"country": "US", "recipient": "-Mottaker", "mechanism": "art46_2_c", "safeguard": "=SCC"}],
            },
            actor="test",
        )
    for lang in ("nb", "en"):
        path = tmp_path / f"evil-{lang}.xlsx"
        write(engine, path, lang=lang)
        wb = load_workbook(path)
        texts = []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
                        if cell.value[:1] in "=+-@":
                            assert cell.quotePrefix, (ws.title, cell.coordinate)
        assert evil[0] in texts and "=Evil AS" in texts and "-Mottaker" in texts and "=SCC" in texts
        assert "\n".join(evil) in texts  # the visible text is unchanged
        calamine = [c for name in CalamineWorkbook.from_path(str(path)).sheet_names for r in rows(path, name) for c in r]
        assert evil[0] in calamine and "@avdeling" in calamine


def test_tab_and_carriage_return_at_the_start_are_neutralised_too(tmp_path):
    wb = Workbook(write_only=True)
    styles = export._Styles(wb, "en")
    ws = export._StreamSheet(wb, "s", styles)
    ws.width(1, 20)
    ws.append(["\t=1+1", "\r=2+2", "=3+3", "plain", "a < b & c", " padded "])
    wb.save(tmp_path / "s.xlsx")
    cells = list(load_workbook(tmp_path / "s.xlsx")["s"].iter_rows())[0]
    assert [c.value for c in cells] == ["\t=1+1", "\r=2+2", "=3+3", "plain", "a < b & c", " padded "]
    assert all(c.data_type == "s" for c in cells)
    assert [bool(c.quotePrefix) for c in cells] == [True, True, True, False, False, False]


def test_processor_activities_sheet_is_the_art_30_2_record(demo_engine, tmp_path):
    with db.transaction(demo_engine) as s:
        create_activity(
            s,
            "Janteloppet",
            {
                "ref": "JL-90",
                "name": "Påmelding for kunder",
                "role": "processor",
                "controllers": ["Kunde A AS", "Kunde B AS"],
                "purposes": ["Ta imot påmeldinger"],
                "security_measures": ["Tilgangsstyring"],
                "recipients": [{"name": "Sky AS", "kind": "sub_processor", "country": "US"}],
                "transfers": [{"country": "US", "recipient": "Sky AS", "mechanism": "art46_2_c"}],
            },
            actor="test",
        )
    path = tmp_path / "processor.xlsx"
    summary = write(demo_engine, path, lang="en")
    sheet = layout.PROCESSOR
    found = rows(path, "Processor activities")
    assert found[0] == sheet.headers("en") and summary.processor_activities == len(found) - 1 == 1
    row = found[1]
    assert row[sheet.index("ref")] == "JL-90" and row[0] == "Janteloppet"
    assert row[sheet.index("controllers")] == "Kunde A AS\nKunde B AS"
    assert row[sheet.index("processing_categories")] == "Ta imot påmeldinger"
    assert row[sheet.index("transfers")] == "United States: Art. 46(2)(c) – standard contractual clauses (SCC) (Sky AS)"
    by_ref = {r[1]: r for r in rows(path, "Processing activities")[1:]}
    assert by_ref["JL-90"][layout.ACTIVITIES.index("controllers")] == "Kunde A AS\nKunde B AS"
    recipients = {r[1]: r for r in rows(path, "Recipients")[1:]}
    assert recipients["Sky AS"][layout.RECIPIENTS.index("used_by")] == "JL-90"


def test_findings_sheet_and_count_when_the_checks_exist(demo_engine, tmp_path, fake_checks):
    path = tmp_path / "findings.xlsx"
    summary = write(demo_engine, path, lang="nb", orgs=["Janteloppet"])
    assert fake_checks == {"orgs": ["Janteloppet"], "today": TODAY}
    assert summary.findings == 2
    assert load_workbook(path).sheetnames == [*SHEETS["nb"][:6], "Funn", *SHEETS["nb"][6:]]
    found = rows(path, "Funn")
    assert found[0] == layout.FINDINGS.headers("nb")
    first = found[1]
    assert first[layout.FINDINGS.index("ref")] == "JL-01" and first[layout.FINDINGS.index("finding.message")] == "Ingen lagringstid"
    assert first[layout.FINDINGS.index("name")] == "Kunderegister og bestillinger"
    assert found[2][layout.FINDINGS.index("finding.message")] == "=Intet personvernombud"
    cover = {r[0]: r[1] for r in rows(path, "Forside") if r and r[0]}
    assert cover["Åpne funn"] == 2
    meta = {r[0]: r[1] for r in rows(path, "Metadata")[1:]}
    assert meta["sheet:findings"] == "Funn"
    header, *described = rows(path, "Metadata")
    assert header == ["nøkkel", "verdi", "betydning"]
    assert dict((r[0], r[2]) for r in described)["format"].startswith("Filen er en ropa-arbeidsbok")


def test_the_real_findings_sheet_equals_the_checks(demo_engine, tmp_path):
    from ropa import checks
    from ropa.register.checks import check_register

    path = tmp_path / "real-findings.xlsx"
    summary = write(demo_engine, path, lang="nb")
    with db.session(demo_engine) as s:
        expected = check_register(s, today=TODAY)
    found = rows(path, "Funn")[1:]
    assert summary.findings == len(expected) == len(found) > 50
    col = layout.FINDINGS.index
    assert [r[col("finding.code")] for r in found] == [f.rule for f in expected]
    assert [r[col("finding.rule")] for r in found] == [checks.rule_title(f.rule, "nb") for f in expected]
    assert not any(r[col("finding.rule")] == r[col("finding.code")] for r in found)  # the rule in bokmål, not its code
    assert {r[col("finding.severity")] for r in found} <= {"feil", "advarsel", "merknad"}
    assert [r[col("finding.message")] for r in found] == [f.message_nb for f in expected]
    recipient_rows = [r for r in found if r[col("finding.code")] == "processor-without-agreement"]
    assert recipient_rows and all(r[col("name")] for r in recipient_rows)  # the recipient is named
    cover = {r[0]: r[1] for r in rows(path, "Forside") if r and r[0]}
    assert cover["Åpne funn"] == len(expected)


def test_cover_and_metadata_without_the_checks(demo_engine, tmp_path, no_checks):
    path = tmp_path / "cover.xlsx"
    summary = write(demo_engine, path, lang="en")
    assert summary.findings is None
    cover = rows(path, "Cover")
    assert cover[0][0] == "Record of processing activities"
    facts = {r[0]: r[1] for r in cover if r and r[0]}
    n_activities, n_transfers = register_counts(demo_engine)
    assert facts["Processing activities"] == n_activities and facts["Transfers to third countries"] == n_transfers
    assert facts["Open findings"] == "–"
    assert facts["Generated"] == TODAY
    with db.session(demo_engine) as s:
        names = [o.name for o in list_organisations(s)]
    text = [c for r in cover for c in r]
    assert all(name in text for name in names)
    assert {"Organisation number", "Address", "Data protection officer", "EU representative"} <= set(text)
    meta = {r[0]: r[1] for r in rows(path, "Metadata")[1:]}
    assert meta["format"] == layout.WORKBOOK_FORMAT and meta["version"] == layout.WORKBOOK_VERSION
    assert meta["language"] == "en" and meta["generated"] == TODAY and meta["generator"].startswith("ropa ")
    assert meta["sheet:activities"] == "Processing activities" and "sheet:findings" not in meta
    assert all(layout.sheet_for(meta[f"sheet:{key}"]) == key for key in ("cover", "activities", "code_lists"))


def test_write_to_a_stream_with_progress(demo_engine):
    calls: list[tuple[int, int]] = []
    buffer = io.BytesIO()
    with db.session(demo_engine) as s:
        summary = write_workbook(s, buffer, lang="en", progress=lambda done, total: calls.append((done, total)))
    total = summary.activities
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    buffer.seek(0)
    assert load_workbook(buffer).sheetnames[0] == "Cover"


def test_cli_exports_the_workbook(sqlite_demo_url, tmp_path):
    out = tmp_path / "x.xlsx"
    env = {**os.environ, "ROPA_DATABASE_URL": sqlite_demo_url, "ROPA_USER": "cli-test"}
    r = subprocess.run(
        [sys.executable, "-m", "ropa", "export", str(out), "--lang", "en", "--org", "Janteloppet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"wrote {out}: 1 organisation,")
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names[:2] == ["Cover", "Processing activities"]
    refs = [row[1] for row in book.get_sheet_by_name("Processing activities").to_python()[1:]]
    assert refs and all(ref.startswith("JL-") for ref in refs)
    r = subprocess.run(
        [sys.executable, "-m", "ropa", "export", str(tmp_path / "y.xlsx"), "--org", "Nobody"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert r.returncode == 2 and "no organisation named 'Nobody'" in r.stderr and "Traceback" not in r.stderr


def test_export_page_offers_both_downloads(sqlite_demo_url, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ROPA_DATABASE_URL", sqlite_demo_url)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.switch_page("ropa/ui/pages/export.py")
        at.run()
        assert not at.exception, at.exception
        assert at.title[0].value == "Eksport"
        assert at.radio(key="export_lang").value == "nb"
        at.multiselect(key="export_orgs").set_value(["Janteloppet"])
        at.button[0].click()
        at.run()
        assert not at.exception, at.exception
        assert "behandlingsaktiviteter" in at.success[0].value
        downloads = at.get("download_button")
        assert len(downloads) == 2
    finally:
        st.cache_resource.clear()


def test_an_empty_register_gives_a_workbook_with_headers_only(engine, tmp_path):
    path = tmp_path / "empty.xlsx"
    summary = write(engine, path, lang="en")
    assert summary.activities == summary.transfers == summary.organisations == 0
    assert rows(path, "Processing activities") == [layout.ACTIVITIES.headers("en")]
    assert load_workbook(path)["Processing activities"].auto_filter.ref


@pytest.mark.parametrize("lang, header", [("en", "Art. 30(5) assessment"), ("nb", "Vurdering etter art. 30 nr. 5")])
def test_the_art_30_5_assessment_is_in_the_workbook(demo_engine, tmp_path, lang, header):
    """Issue 15: an organisation's Art. 30(5) assessment shows in the workbook, in both languages."""
    text = "Færre enn 250 ansatte; påmelding to ganger i året, ingen særlige kategorier."
    with db.transaction(demo_engine) as s:
        org = get_organisation(s, "Janteloppet")
        data = {**organisation_dict(org), "fewer_than_250": True, "art30_5_assessment": text}
        update_organisation(s, "Janteloppet", data, expected_version=org.version, actor="test")
    path = tmp_path / f"art30_5_{lang}.xlsx"
    write(demo_engine, path, lang=lang)
    sheet = rows(path, SHEETS[lang][5])
    column = sheet[0].index(header)
    assert {r[0]: r[column] for r in sheet[1:]}["Janteloppet"] == text

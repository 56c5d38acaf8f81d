"""Registers nobody here wrote, in the layouts DPOs bring them (built by tests/foreign_registers.py): each
imports completely and correctly, field by field, or is refused with errors naming the sheet, row and
column, storing nothing. Columns that are no field are named and their values kept in the description.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional

import pytest
from conftest import make_test_engine
from foreign_registers import (
    cnil_register,
    danish_register,
    datatilsynet_template,
    fides_datamap_csv,
    german_register,
    hand_register,
    hand_register_csv,
    hand_register_with_mistakes,
    iapp_inventory,
    ico_template,
    matrix_register,
    merged_rows_register,
    onetrust_export,
    swedish_register,
    two_tables_register,
)

from ropa import db, imports
from ropa.errors import ValidationFailed
from ropa.excel import mapping, parse
from ropa.register.activities import activity_dict, list_activities
from ropa.register.lookup import find_organisation
from ropa.register.organisations import list_organisations, organisation_dict

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lite(tmp_path: Path) -> Any:
    """A migrated, empty SQLite register (the PostgreSQL cases are the tests that take ``engine``)."""
    engine = make_test_engine("sqlite", tmp_path)
    db.migrate(engine)
    yield engine
    engine.dispose()


def run_import(engine: Any, path: Path, org: Optional[str] = None, lang: str = "en") -> tuple[Any, Any, dict[str, dict[str, Any]]]:
    """The dry run's plan, the import's report, and what is stored (activities by name)."""
    with db.session(engine) as s:
        plan = imports.plan(s, path, org=org, lang=lang)
    assert plan.errors == [], [str(e) for e in plan.errors]
    with db.transaction(engine) as s:
        report = imports.import_(s, path, actor="t", org=org, lang=lang)
    return plan, report, stored(engine)


def stored(engine: Any) -> dict[str, dict[str, Any]]:
    with db.session(engine) as s:
        return {a.name: {**activity_dict(a), "organisation": a.organisation.name} for a in list_activities(s)}


def again_unchanged(engine: Any, path: Path, org: Optional[str] = None) -> None:
    with db.session(engine) as s:
        plan = imports.plan(s, path, org=org)
    assert {r.status for r in plan.rows} <= {"unchanged", "instructions", "example", "skipped", "merged"}, [(r.row, r.status, r.changes) for r in plan.rows]


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [i["code"] for i in items]


def transfers(act: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(t["country"], t["mechanism"], t["recipient"]) for t in act["transfers"]]


def warned(plan: Any, code: str) -> list[str]:
    return [f"{w.where}: {w.message}" for w in plan.warnings if w.code == code]


# ---------------------------------------------------------------------------------------------
# The ICO's template


def test_ico_template_controller_and_processor_sheets(engine, tmp_path):
    path = ico_template(tmp_path / "ico.xlsx")
    plan, report, got = run_import(engine, path)
    assert [(t.sheet, t.role, t.header_row) for t in plan.tables] == [("Controller - ROPA", "controller", 8), ("Processor - ROPA", "processor", 4)]
    assert [(r.row, r.status) for r in plan.rows if r.sheet == "Controller - ROPA"][:2] == [(9, "instructions"), (10, "example")]
    assert len(report.created) == 4 and set(got) == {
        "Payroll: paying staff and making statutory deductions",
        "Sending our monthly newsletter",
        "Occupational health referrals",
        "Hosting the pupil database",
    }
    pay = got["Payroll: paying staff and making statutory deductions"]
    assert pay["organisation"] == "Meadow Trust Ltd" and pay["owner"] == "Finance" and pay["role"] == "controller"
    assert pay["controllers"] == [] and pay["data_subjects"] == ["employee", "Contractors"]
    assert pay["data_categories"] == ["Bank details", "Salary", "National insurance number"]
    assert [r["name"] for r in pay["recipients"]] == ["HMRC", "Pension provider"] and pay["transfers"] == []
    assert codes(pay["legal_bases"]) == ["art6_1_c"] and pay["art9_conditions"] == []
    assert pay["retention"]["period"] == 6 and pay["retention"]["unit"] == "years" and pay["retention"]["trigger"] == "the end of the tax year"
    assert pay["security_measures"] == ["Role-based access", "encryption at rest"] and pay["dpia"]["status"] == "not_needed"
    # the contract link has no single processor to go to, and the rights column is no field: both kept, both said
    assert pay["description"] == "Link to contract with processor: https://intranet/contracts/payroll\nRights available to individuals: Access, rectification"
    news = got["Sending our monthly newsletter"]
    assert news["recipients"] == [{"name": "Mailing house", "kind": "processor", "country": None, "agreement": "https://intranet/contracts/mailer"}]
    assert transfers(news) == [("US", "art46_2_c", None)] and news["transfers"][0]["safeguard"] == "Standard contractual clauses"
    assert news["legal_bases"] == [{"code": "art6_1_f", "note": "Direct marketing to existing customers", "documentation": "https://intranet/lia/newsletter"}]
    assert news["retention"] == {"period": None, "unit": None, "trigger": None, "action": None, "text": "Until consent is withdrawn"}
    # "DPIA required?" yes, and its progress "Completed": done
    assert news["dpia"] == {"status": "done", "ref": "https://intranet/dpia/7", "screening": {}}
    health = got["Occupational health referrals"]
    assert codes(health["legal_bases"]) == ["art6_1_b"] and codes(health["art9_conditions"]) == ["art9_2_b"]
    assert health["retention"]["trigger"] == "employment ends" and health["description"] is None
    hosting = got["Hosting the pupil database"]
    assert hosting["role"] == "processor" and hosting["controllers"] == ["Oak School, office@oak.example"]
    assert hosting["security_measures"] == ["Backups encrypted", "Access logging"] and hosting["transfers"] == []
    assert warned(plan, "column_kept_as_note") == [
        "column S 'Rights available to individuals': is no field of the register: its values are kept in each activity's description "
        "('Rights available to individuals: …'; map it to a field with --map, or skip it with \"=-\")"
    ]
    with db.session(engine) as s:
        org = organisation_dict(find_organisation(s, "Meadow Trust Ltd"))
    assert org["address"] == "4 Mill Lane, Leeds LS1 4AP" and org["email"] == "info@meadow.example"
    assert org["dpo"]["name"] == "Sam Patel" and org["dpo"]["email"] == "dpo@meadow.example"
    assert not (org.get("representative") or {}).get("name")  # "N/A" is no representative
    again_unchanged(engine, path)


# ---------------------------------------------------------------------------------------------
# Datatilsynet's template


def test_datatilsynet_protokoll(lite, tmp_path):
    path = datatilsynet_template(tmp_path / "protokoll.xlsx")
    plan, report, got = run_import(lite, path, lang="nb")
    assert [(r.row, r.status) for r in plan.rows] == [(6, "instructions"), (7, "example"), (8, "new"), (9, "new"), (10, "new")]
    fields = {c.header: c.field for c in plan.columns}
    assert fields["Dokumentasjon av nødvendige garantier ved overføring"] == "transfers.safeguard" and fields["Sist oppdatert"] == "last_review"
    assert plan.unmapped == []
    pay = got["Lønn og personal"]
    assert pay["organisation"] == "Fjellbygd kommune" and pay["purposes"] == ["Utbetaling av lønn", "Personaloppfølging"]
    assert codes(pay["legal_bases"]) == ["art6_1_b", "art6_1_c"]  # "bokstav b (avtale) og c (rettslig forpliktelse)"
    assert pay["data_categories"] == ["user.name", "user.government_id.national_identification_number", "kontonummer"]
    assert [r["name"] for r in pay["recipients"]] == ["Skatteetaten", "NAV", "Storebrand (pensjon)"] and pay["transfers"] == []
    assert pay["retention"]["period"] == 5 and pay["retention"]["trigger"] == "avsluttet arbeidsforhold"
    assert pay["security_measures"] == ["Tilgangsstyring", "Logging"] and pay["last_review"] == "2025-03-01"
    school = got["Skolehelsetjenesten"]
    assert codes(school["legal_bases"]) == ["art6_1_c"] and codes(school["art9_conditions"]) == ["art9_2_h"]
    assert school["recipients"] == [] and school["transfers"] == [] and school["last_review"] == "2024-11-15"
    dialog = got["Innbyggerdialog"]
    assert dialog["recipients"][0]["name"] == "Microsoft Ireland" and dialog["recipients"][0]["kind"] == "processor"
    assert transfers(dialog) == [("US", "art45", None)] and dialog["transfers"][0]["safeguard"] == "EU-U.S. Data Privacy Framework"
    assert dialog["retention"]["text"] == "Så lenge det er nødvendig" and dialog["retention"]["period"] is None
    assert dialog["last_review"] == "2025-01-15"  # "15.1.2025"
    assert all(a["description"] is None for a in got.values())
    with db.session(lite) as s:
        org = organisation_dict(find_organisation(s, "Fjellbygd kommune"))
    assert org["address"] == "Rådhusgata 1, 3800 Bø" and org["dpo"]["name"] == "Kari Nordmann"
    again_unchanged(lite, path)


# ---------------------------------------------------------------------------------------------
# CNIL, German, Danish, Swedish


def test_cnil_register_in_french(lite, tmp_path):
    path = cnil_register(tmp_path / "registre.xlsx")
    plan, _, got = run_import(lite, path)
    assert plan.unmapped == [] and plan.header_row == 4
    pay = got["Gestion de la paie"]
    assert pay["organisation"] == "Boulangerie Dupont SARL"  # "Responsable du traitement" above the header
    assert pay["purposes"] == ["Paiement des salaires"] and codes(pay["legal_bases"]) == ["art6_1_c"]
    assert pay["data_subjects"] == ["Salariés"] and pay["data_categories"] == ["Identité", "Coordonnées bancaires"]
    assert pay["transfers"] == [] and pay["retention"]["period"] == 5 and pay["retention"]["unit"] == "years"
    assert pay["last_review"] == "2025-03-12" and pay["description"] is None
    clients = got["Fichier clients"]
    assert codes(clients["legal_bases"]) == ["art6_1_b"] and transfers(clients) == [("US", "unknown", None)]
    assert clients["retention"]["period"] == 3 and clients["retention"]["trigger"] == "la fin de la relation commerciale"
    assert clients["last_review"] == "2025-01-20"


@pytest.mark.parametrize(
    "build,org,name,expect",
    [
        (
            german_register,
            "Muster GmbH",
            "Bewerbermanagement",
            {"legal": ["art6_1_b"], "retention": (6, "months", "Abschluss des Verfahrens"), "transfers": [], "categories": ["Lebenslauf", "Zeugnisse"]},
        ),
        (german_register, "Muster GmbH", "Newsletter", {"legal": ["art6_1_a"], "retention": (None, None, None), "transfers": [("US", "unknown", None)]}),
        (danish_register, "Dansk ApS", "Løn", {"legal": ["art6_1_c"], "retention": (5, "years", None), "transfers": [], "categories": ["CPR-nummer"]}),
        (swedish_register, "Svensk AB", "Kundregister", {"legal": ["art6_1_b"], "retention": (2, "years", None), "transfers": [], "recipients": []}),
    ],
)
def test_german_danish_swedish_registers(lite, tmp_path, build, org, name, expect):
    path = build(tmp_path / f"{org}.xlsx")
    plan, _, got = run_import(lite, path, org=org)
    assert plan.unmapped == [] and len(plan.columns) == 9
    act = got[name]
    assert act["organisation"] == org and codes(act["legal_bases"]) == expect["legal"]
    assert (act["retention"]["period"], act["retention"]["unit"], act["retention"]["trigger"]) == expect["retention"]
    assert transfers(act) == expect["transfers"] and act["description"] is None
    if "categories" in expect:
        assert act["data_categories"] == expect["categories"]
    if "recipients" in expect:
        assert act["recipients"] == expect["recipients"]


# ---------------------------------------------------------------------------------------------
# Tools' layouts


def test_iapp_inventory(lite, tmp_path):
    path = iapp_inventory(tmp_path / "inventory.xlsx")
    plan, _, got = run_import(lite, path, org="Acme Ltd")
    fields = {c.header: c.field for c in plan.columns}
    assert fields["Retention Period"] == "retention.text" and fields["Special Categories (Y/N)"] is None
    assert warned(plan, "not_read_by_values") and "'Special Categories (Y/N)'" in warned(plan, "not_read_by_values")[0]
    support = got["Customer support"]
    assert support["owner"] == "Head of Support" and codes(support["legal_bases"]) == ["art6_1_b"]
    assert support["data_categories"] == ["user.name", "email", "ticket history"]  # "Name, email, ticket history"
    assert support["special_categories"] == [] and support["description"] == "Special Categories (Y/N): N"
    assert support["sources"] == ["Data subject"] and support["systems"] == ["Zendesk"]
    assert support["recipients"] == [{"name": "Zendesk Inc.", "kind": "processor", "country": None, "agreement": None}]
    assert transfers(support) == [("US", "art46_2_c", None)]
    assert support["retention"]["period"] == 24 and support["retention"]["unit"] == "months" and support["retention"]["trigger"] == "ticket closure"
    assert support["security_measures"] == ["SSO", "encryption", "Staff training"] and support["dpia"]["status"] == "not_needed"
    assert warned(plan, "joined_column") == [
        "column O 'Organisational Measures': also names 'General description of technical and organisational security measures': "
        "its items are added to column N's"
    ]
    assert support["last_review"] == "2025-03-03"  # "March 3, 2025"
    wellbeing = got["Employee wellbeing"]
    assert wellbeing["description"] == "Special Categories (Y/N): Y" and wellbeing["dpia"]["status"] == "planned"
    assert wellbeing["transfers"] == [] and wellbeing["sources"] == ["Employee", "GP"] and wellbeing["retention"]["period"] == 7
    assert wellbeing["security_measures"] == ["Restricted access"]


def test_onetrust_export(lite, tmp_path):
    path = onetrust_export(tmp_path / "onetrust.xlsx")
    plan, report, got = run_import(lite, path)
    assert len(report.created) == 2 and report.skipped == []
    kept = warned(plan, "column_kept_as_note")
    assert [k.split(":")[0] for k in kept] == ["column P 'Date Created'", "column R 'Risk Level'"]
    recruit = got["Recruitment"]
    assert recruit["ref"] == "PA-0001" and recruit["organisation"] == "Nordlys AS" and recruit["status"] == "active"
    assert recruit["description"] == "Hiring new staff\nDate Created: 2023-04-01\nRisk Level: Medium"
    assert recruit["owner"] == "HR" and codes(recruit["legal_bases"]) == ["art6_1_f"]
    assert recruit["data_subjects"] == ["job_applicant"] and recruit["data_categories"] == ["user.name", "Email Address", "CV"]
    assert recruit["systems"] == ["Workday"] and [r["name"] for r in recruit["recipients"]] == ["Workday Ltd"]
    assert transfers(recruit) == [("GB", "art45", None)] and recruit["retention"]["period"] == 6 and recruit["retention"]["unit"] == "months"
    assert recruit["last_review"] == "2025-02-14"
    analytics = got["Website analytics"]
    assert analytics["ref"] == "PA-0002" and analytics["status"] == "draft" and transfers(analytics) == [("US", "art45", None)]
    assert analytics["data_categories"] == ["user.device.ip_address", "user.device.cookie_id"] and analytics["retention"]["period"] == 14
    again_unchanged(lite, path)


def test_fides_datamap_csv(lite, tmp_path):
    path = fides_datamap_csv(tmp_path / "datamap.csv")
    plan, _, got = run_import(lite, path)
    assert plan.unmapped == [] and plan.delimiter == ","
    mail = got["Mailchimp"]
    assert mail["organisation"] == "Nordlys AS" and mail["description"] == "Email marketing platform" and mail["owner"] == "Marketing"
    assert mail["role"] == "processor" and mail["purposes"] == ["Marketing communications"]
    assert mail["data_categories"] == ["user.contact.email", "user.name"] and mail["data_subjects"] == ["customer"]
    assert codes(mail["legal_bases"]) == ["art6_1_a"] and transfers(mail) == [("US", "unknown", None)]
    assert mail["retention"]["period"] == 2 and mail["dpia"]["status"] == "not_needed"  # is_required: false
    payroll = got["Payroll"]
    assert payroll["role"] == "controller" and payroll["data_categories"] == ["user.financial.bank_account"]
    assert codes(payroll["legal_bases"]) == ["art6_1_c"] and payroll["transfers"] == [] and payroll["retention"]["period"] == 5


# ---------------------------------------------------------------------------------------------
# A register made by hand


def test_hand_made_register_with_every_quirk(engine, tmp_path):
    path = hand_register(tmp_path / "behandlinger.xlsx")
    org = "Fjordkraft Sport AS"
    plan, report, got = run_import(engine, path, org=org)
    assert (plan.header_row, plan.header_rows) == (4, 2)
    fields = {c.letter: c.field for c in plan.columns}
    assert fields["H"] == "recipients" and fields["I"] == "transfers" and fields["J"] == "transfers.mechanism"
    assert fields["L"] == "dpia.progress" and fields["N"] is None and fields["O"] is None
    assert [(r.row, r.status) for r in plan.rows] == [(6, "new"), (8, "new"), (11, "new"), (12, "new"), (14, "skipped")]
    assert warned(plan, "totals") == ["row 14: a totals row ('Sum'); not imported"]
    assert [w.split(":")[0] for w in warned(plan, "column_kept_as_note")] == ["column N 'Kontroll / Kommentarer'", "column O 'Intern note'"]
    assert "Norge" in warned(plan, "eea_not_transfer")[0]
    assert len(report.created) == 4 and "row 14 (skipped)" in report.skipped[0]
    members = got["Medlemsregister"]
    assert members["ref"] == "1" and members["owner"] == "Klubbkontoret" and members["purposes"] == ["Administrere medlemskap", "Sende faktura"]
    assert members["legal_bases"] == [{"code": "art6_1_b", "note": "Art. 6(1)(b) GDPR – contract", "documentation": None}]
    assert members["data_subjects"] == ["Medlemmer", "Foresatte"]
    assert members["data_categories"] == ["user.name", "user.contact.address", "user.demographic.date_of_birth"]  # bullets
    assert members["recipients"] == [{"name": "Regnskapsbyrå", "kind": "processor", "country": None, "agreement": None}]
    assert members["transfers"] == []  # Norway is no third country
    assert members["retention"] == {
        "period": 5,
        "unit": "years",
        "trigger": "avsluttet kundeforhold",
        "action": None,
        "text": "5 år etter avsluttet kundeforhold",
    }
    assert members["dpia"]["status"] == "not_assessed" and members["last_review"] == "2025-03-01"  # "1. mars 2025"
    assert members["description"] == "Mottakere og overføring / Land: Norge\nKommentarer: Gjennomgått med styret\nIntern note: sjekk avtalen"
    news = got["Nyhetsbrev"]
    assert codes(news["legal_bases"]) == ["art6_1_a"] and transfers(news) == [("US", "art46_2_c", None)]
    assert news["dpia"]["status"] == "done" and news["last_review"] == "2025-02-03" and news["description"] is None
    assert news["retention"]["text"] == "Til samtykket trekkes tilbake" and news["retention"]["period"] is None
    diary = got["Treningsdagbok"]
    assert codes(diary["legal_bases"]) == ["art6_1_f"] and transfers(diary) == [("US", "art45", None)]
    assert diary["data_categories"] == ["Treningsdata", "user.health_and_medical"] and diary["last_review"] == "2025-01-15"
    assert diary["description"] == "Kommentarer: Helseopplysninger: se art. 9"
    camera = got["Kameraovervåking"]
    assert codes(camera["legal_bases"]) == ["art6_1_f"] and transfers(camera) == [("GB", "art45", None)]  # "Storbritannia"
    assert camera["retention"]["period"] == 7 and camera["retention"]["unit"] == "days" and camera["last_review"] == "2024-12-15"
    again_unchanged(engine, path, org=org)


def test_hand_made_register_with_mistakes_is_refused_and_stores_nothing(engine, tmp_path):
    path = hand_register_with_mistakes(tmp_path / "feil.xlsx")
    with db.session(engine) as s:
        plan = imports.plan(s, path, org="Fjordkraft Sport AS", lang="nb")
    assert [(e.path, e.field) for e in plan.errors] == [
        (("sheet", "Behandlinger 2025", "row", 8, "column", "Sist revidert"), "last_review"),
        (("sheet", "Behandlinger 2025", "row", 11, "column", "Mottakere og overføring / Land"), "transfers"),
    ]
    assert "'neste vår' er ikke en dato" in plan.errors[0].message and "'Atlantis' er ikke et land" in plan.errors[1].message
    with pytest.raises(ValidationFailed) as err:
        with db.transaction(engine) as s:
            imports.import_(s, path, actor="t", org="Fjordkraft Sport AS")
    assert [p.where for p in err.value.problems] == ["row 8, 'Sist revidert'", "row 11, 'Mottakere og overføring / Land'"]
    assert stored(engine) == {}
    with db.session(engine) as s:
        assert list_organisations(s) == []


def test_hand_made_csv_in_windows_1252_with_semicolons(lite, tmp_path):
    path = hand_register_csv(tmp_path / "behandlinger.csv")
    plan, _, got = run_import(lite, path, org="Fjordkraft Sport AS")
    assert plan.encoding == "cp1252" and plan.delimiter == ";"
    assert [(r.row, r.status) for r in plan.rows] == [(2, "new"), (3, "new"), (5, "skipped")]
    support = got["Kundeservice"]
    assert support["data_categories"] == ["user.name", "E-post", "Telefon"]
    # the transfer's importer "Zendesk Inc., 989 Market St, …" is the recipient "Zendesk (databehandler)"
    assert support["recipients"] == [{"name": "Zendesk", "kind": "processor", "country": None, "agreement": None}]
    assert transfers(support) == [("US", "unknown", "Zendesk")]
    assert support["retention"]["trigger"] == "siste henvendelse" and support["last_review"] == "2025-02-01"
    assert support["description"] == "Merknader: Se DPA"
    books = got["Regnskap"]
    assert books["transfers"] == [] and books["data_subjects"] == ["customer", "supplier_vendor"] and books["description"] is None
    assert codes(books["legal_bases"]) == ["art6_1_c"] and books["retention"]["trigger"] == "regnskapsårets slutt"


def test_an_activity_over_several_rows_and_sheets_that_are_no_register(engine, tmp_path):
    path = merged_rows_register(tmp_path / "register.xlsx")
    plan, report, got = run_import(engine, path, org="Nettbutikk AS")
    assert [name for name, _ in plan.skipped_sheets] == ["Lists", "Fiche 1"]
    assert "drop-down lists" in plan.skipped_sheets[0][1] and "no header row" in plan.skipped_sheets[1][1]
    assert [(r.row, r.status) for r in plan.rows] == [(2, "new"), (3, "merged"), (4, "merged"), (5, "new"), (6, "new"), (7, "merged")]
    assert warned(plan, "continuation")[0] == "row 3: names no activity of its own: read as part of row 2's ('Nettbutikk')"
    assert len(report.created) == 3 and set(got) == {"Nettbutikk", "Ansatte", "Kamera"}
    shop = got["Nettbutikk"]
    assert shop["purposes"] == ["Selge varer"] and shop["data_categories"] == ["user.name", "user.contact.address", "user.payment"]
    assert [(r["name"], r["kind"]) for r in shop["recipients"]] == [("Posten", "processor"), ("Mailchimp", "processor")]
    assert shop["retention"]["period"] == 5 and shop["description"] == "Merknad: Bokføringsloven; Nyhetsbrev\nLand: USA"
    camera = got["Kamera"]
    assert camera["data_categories"] == ["Videoopptak", "Bilder av ansikt"] and [r["name"] for r in camera["recipients"]] == ["Politiet"]
    # a second, different retention on a continuation row is kept in words, not dropped
    assert camera["retention"]["period"] == 7 and camera["retention"]["unit"] == "days" and camera["description"] == "Lagringstid: 30 dager"
    assert got["Ansatte"]["description"] is None and got["Ansatte"]["data_categories"] == ["Kontonummer"]
    again_unchanged(engine, path, org="Nettbutikk AS")


def test_a_repeated_header_and_a_second_table_with_its_title(lite, tmp_path):
    path = two_tables_register(tmp_path / "protokoll.xlsx")
    plan, _, got = run_import(lite, path, org="Drift AS")
    assert [(r.row, r.status) for r in plan.rows] == [(2, "new"), (3, "skipped"), (4, "new"), (6, "skipped"), (7, "skipped"), (8, "new")]
    assert warned(plan, "header_again") == [
        "row 3: repeats the header row; not imported",
        "row 7: is a second table's header: the rows below are read by its columns",
    ]
    assert warned(plan, "title") == ["row 6: a title ('Behandling som databehandler'); not imported"]
    assert set(got) == {"Lønn", "Rekruttering", "Drift av kundesystem"}
    assert got["Lønn"]["role"] == "controller" and got["Lønn"]["retention"]["period"] == 5
    assert got["Rekruttering"]["data_subjects"] == ["Søkere"] and got["Rekruttering"]["retention"]["unit"] == "months"
    ops = got["Drift av kundesystem"]
    assert ops["role"] == "processor" and ops["controllers"] == ["Kunde AS"] and ops["security_measures"] == ["Kryptering"]
    assert ops["data_subjects"] == [] and ops["retention"]["text"] is None


def test_a_matrix_of_ticks(lite, tmp_path):
    path = matrix_register(tmp_path / "oversikt.xlsx")
    plan, _, got = run_import(lite, path, org="Kryss AS")
    assert (plan.header_row, plan.header_rows) == (1, 2) and [r.row for r in plan.rows] == [3, 4, 5]
    assert [(c.letter, c.how, c.guess, c.item) for c in plan.columns if c.how == "mark"] == [
        ("C", "mark", "data_categories", "Navn"),
        ("D", "mark", "data_categories", "Adresse"),
        ("E", "mark", "data_categories", "Fødselsnummer"),
        ("F", "mark", "data_categories", "Helseopplysninger"),
        ("G", "mark", "data_subjects", "Ansatte"),
        ("H", "mark", "data_subjects", "Kunder"),
    ]
    assert [w.split(":")[0] for w in warned(plan, "matrix")] == ["column C–F", "column G–H"]
    assert not warned(plan, "column_kept_as_note") and not warned(plan, "duplicate_column")
    assert got["Lønn"]["data_categories"] == ["user.name", "user.contact.address", "user.government_id.national_identification_number"]
    assert got["Lønn"]["data_subjects"] == ["employee"] and got["Lønn"]["retention"]["period"] == 5
    assert got["Kundeservice"]["data_categories"] == ["user.name", "user.contact.address"] and got["Kundeservice"]["data_subjects"] == ["customer"]
    assert got["Bedriftshelse"]["data_categories"] == ["user.name", "user.government_id.national_identification_number", "user.health_and_medical"]
    assert all(a["description"] is None for a in got.values())
    again_unchanged(lite, path, org="Kryss AS")


def test_a_column_the_user_skips_is_not_kept(lite, tmp_path):
    path = onetrust_export(tmp_path / "onetrust.xlsx")
    with db.transaction(lite) as s:
        report = imports.import_(s, path, actor="t", mapping_overrides={"Risk Level": None, "Date Created": "-"})
    assert not [w for w in report.warnings if w.code == "column_kept_as_note"]
    assert stored(lite)["Recruitment"]["description"] == "Hiring new staff"


def test_kept_columns_replace_their_line_on_the_next_import(lite, tmp_path):
    path = onetrust_export(tmp_path / "onetrust.xlsx")
    run_import(lite, path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["R2"] = "High"
    wb.save(path)
    with db.transaction(lite) as s:
        imports.import_(s, path, actor="t")
    assert stored(lite)["Recruitment"]["description"] == "Hiring new staff\nDate Created: 2023-04-01\nRisk Level: High"


def test_cli_dry_run_and_import_of_a_foreign_register(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "ROPA_DATABASE_URL": url, "OPENPYXL_LXML": "False"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "ropa", *a], capture_output=True, text=True, env=env, cwd=ROOT)  # noqa: E731
    assert run("init").returncode == 0
    path = hand_register(tmp_path / "behandlinger.xlsx")
    r = run("import", str(path), "--org", "Fjordkraft Sport AS", "--dry-run", "--lang", "nb")
    assert r.returncode == 0, r.stderr
    assert "ny: Fjordkraft Sport AS / 1 Medlemsregister" in r.stdout and "rad 14: en summeringsrad ('Sum')" in r.stderr
    assert "kolonne N 'Kontroll / Kommentarer': er ikke et felt i protokollen" in r.stderr
    assert "0 activities" in run("list").stdout
    r = run("import", str(path), "--org", "Fjordkraft Sport AS")
    assert r.returncode == 0, r.stderr
    assert "4 were created" in r.stdout
    shown = run("show", "Fjordkraft Sport AS", "2").stdout
    assert "Nyhetsbrev" in shown and "Til samtykket trekkes tilbake" in shown
    bad = hand_register_with_mistakes(tmp_path / "feil.xlsx")
    r = run("import", str(bad), "--org", "Other AS", "--lang", "nb")
    assert r.returncode == 1 and "rad 8, 'Sist revidert': 'neste vår' er ikke en dato" in r.stderr and "nothing was written" in r.stderr
    assert "Other AS" not in run("list").stdout


# ---------------------------------------------------------------------------------------------
# The parsers and the matcher, on what these registers write


@pytest.mark.parametrize(
    "header,field",
    [
        ("Finalité(s) du traitement", "purposes"),
        ("Catégories de personnes concernées", "data_subjects"),
        ("Rechtsgrundlage", "legal_bases"),
        ("Löschfristen", "retention.text"),
        ("Kategorier af modtagere", "recipients"),
        ("Ändamål med behandlingen", "purposes"),
        ("system.privacy_declaration.data_categories", "data_categories"),
        ("Destination Countries", "transfers"),
        ("DPIA progress", "dpia.progress"),
        ("Sist oppdatert", "last_review"),
        ("1. Name of processing activity", "name"),
        ("a) Formål", "purposes"),
        ("Art. 30(1)(b) Purposes", "purposes"),
        ("Artikkel 30 nr. 1 bokstav c – Kategorier av registrerte", "data_subjects"),
        ("Purpose: why do you process the data?", "purposes"),
        ("2.1 Categories of personal data", "data_categories"),
        ("Art. 6 lawful basis", "legal_bases"),
        ("Technical measures", "security_measures"),
        ("Processors", "recipients"),
        ("Storage location", "systems"),
        ("Personvernkonsekvensvurdering (DPIA) gjennomført", "dpia.progress"),
    ],
)
def test_headers_of_other_languages_and_tools(header, field):
    assert mapping.match_header(header)[0] == field


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Art. 6 nr. 1 bokstav b (avtale) og c (rettslig forpliktelse)", ["art6_1_b", "art6_1_c"]),
        ("Art. 6(1)(b) GDPR – contract", ["art6_1_b"]),
        ("6(1)(b) and (f)", ["art6_1_b", "art6_1_f"]),
        ("6(1)(b) and a legitimate interest", ["art6_1_b"]),
        ("Art. 6 Abs. 1 lit. b DSGVO", ["art6_1_b"]),
        ("art. 6, stk. 1, litra c", ["art6_1_c"]),
        ("samtykke", ["art6_1_a"]),
        ("Exécution d'un contrat", ["art6_1_b"]),
        ("Einwilligung", ["art6_1_a"]),
        ("Rättslig förpliktelse", ["art6_1_c"]),
    ],
)
def test_legal_bases_in_prose(text, expected):
    assert parse.parse_legal_bases(text).codes == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1. mars 2025", date(2025, 3, 1)),
        ("March 3, 2025", date(2025, 3, 3)),
        ("3 Mar 2025", date(2025, 3, 3)),
        ("15 juin 2025", date(2025, 6, 15)),
        ("2025.01.15", date(2025, 1, 15)),
        ("15.12.24", date(2024, 12, 15)),
        ("03/02/2025", date(2025, 2, 3)),
        ("2025-01-10T00:00:00Z", date(2025, 1, 10)),
        (45658, date(2025, 1, 1)),
    ],
)
def test_dates_as_text(text, expected):
    assert parse.parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["neste vår", "Q1 2025", "31.02.2025", 12])
def test_what_is_no_date_stays_an_error(text):
    assert parse.parse_date(text)[0] is None


@pytest.mark.parametrize(
    "text,code",
    [("États-Unis", "US"), ("Vereinigte Staaten", "US"), ("Storbritannien", "GB"), ("Storbritannia", "GB"), ("USA", "US"), ("GBR", "GB")],
)
def test_countries_in_other_languages(text, code):
    assert parse.parse_country(text) == (code, None)


@pytest.mark.parametrize(
    "text,period,unit,trigger",
    [
        ("5 år etter avsluttet kundeforhold", 5, "years", "avsluttet kundeforhold"),
        ("3 ans après la fin du contrat", 3, "years", "la fin du contrat"),
        ("6 Monate nach Abschluss des Verfahrens", 6, "months", "Abschluss des Verfahrens"),
        ("2 uger", 14, "days", None),
    ],
)
def test_retention_in_prose(text, period, unit, trigger):
    r = parse.parse_retention(text)
    assert (r.period, r.unit, r.trigger, r.text) == (period, unit, trigger, text)


@pytest.mark.parametrize("cells,word", [(["Sum", 4], "Sum"), (["Total: ", None, "12"], "Total:"), (["Totalt", "2"], "Totalt")])
def test_totals_rows(cells, word):
    assert mapping.is_totals(cells) == word


@pytest.mark.parametrize("cells", [["Summer camp", "Registering children"], ["Total rewards", "Paying bonuses"], ["Sum", "x"]])
def test_a_row_that_names_an_activity_is_no_totals_row(cells):
    assert mapping.is_totals(cells) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("USA, India", [("US", None), ("IN", None)]),
        ("Storbritannia og USA", [("GB", None), ("US", None)]),
        ("USA (Microsoft), UK", [("US", "Microsoft"), ("GB", None)]),
        ("Yes - USA", [("US", None)]),
        ("India - SCC, USA - DPF", [("IN", None), ("US", None)]),
        ("Mailer Pte Ltd, 22 Harbour Road, Singapore", [("SG", "Mailer Pte Ltd")]),
        ("EU/EEA only", []),
        ("None outside EEA", []),
    ],
)
def test_destinations_written_together(text, expected):
    from ropa.excel import convert

    act = convert.empty_activity()
    convert.apply_activity(act, {"name": "x", "transfers": text}, convert.Context())
    assert [(t["country"], t["recipient"]) for t in act["transfers"]] == expected
    assert act["description"] is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Salesforce, Mailchimp, Zendesk (processor)", [("Salesforce", "other"), ("Mailchimp", "other"), ("Zendesk", "processor")]),
        ("Zendesk, Inc.", [("Zendesk, Inc.", "other")]),
        ("Mailer Pte Ltd, 22 Harbour Road, Singapore", [("Mailer Pte Ltd, 22 Harbour Road, Singapore", "other")]),
        ("Skatteetaten; NAV", [("Skatteetaten", "other"), ("NAV", "other")]),
    ],
)
def test_recipients_named_with_commas(text, expected):
    from ropa.excel import convert

    act = convert.empty_activity()
    convert.apply_activity(act, {"name": "x", "recipients": text}, convert.Context())
    assert [(r["name"], r["kind"]) for r in act["recipients"]] == expected


def test_a_csv_named_like_a_sheet_of_choices_is_read(lite, tmp_path):
    path = tmp_path / "list.csv"  # a CSV's one sheet is named after the file
    path.write_text("Behandlingsaktivitet;Formål\nLønn;Utbetale lønn\n", encoding="utf-8")
    plan, _, got = run_import(lite, path, org="X AS")
    assert plan.skipped_sheets == [] and got["Lønn"]["purposes"] == ["Utbetale lønn"]


def test_rows_without_a_reference_get_the_next_free_refs_of_the_organisations_prefix(lite, tmp_path):
    """Refs given to rows without one continue the organisation's most common prefix, skip refs the
    register and the file already hold, and stay unique over a long sheet (new_ref keeps its place)."""
    from ropa.register.activities import create_activity
    from ropa.register.organisations import create_organisation

    with db.transaction(lite) as s:
        create_organisation(s, {"name": "Acme AS", "country": "NO"}, actor="t")
        for ref in ("AC-01", "AC-03", "X-01"):
            create_activity(s, "Acme AS", {"ref": ref, "name": f"Old {ref}"}, actor="t")
    path = tmp_path / "acme.csv"
    rows = ["Organisation;Ref;Name of processing activity;Purpose"]
    rows += ["Acme AS;;Row A;Sales", "Acme AS;AC-04;Row B;Sales", "Acme AS;;Row C;Sales"]
    rows += [f"Acme AS;;Bulk {i};Sales" for i in range(300)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, _, got = run_import(lite, path)
    assert got["Row A"]["ref"] == "AC-02" and got["Row B"]["ref"] == "AC-04" and got["Row C"]["ref"] == "AC-05"
    refs = [a["ref"] for a in got.values()]
    assert len(refs) == len(set(refs)) == 306 and got["Bulk 299"]["ref"] == "AC-305"

"""Registers in the layouts DPOs bring, written by code for tests/test_import_foreign.py: the ICO's
template (controller and processor sheets, instruction rows, merged group headers, an example
row), Datatilsynet's 'Protokoll over behandlingsaktiviteter', a CNIL-style French register, German,
Danish and Swedish ones, an IAPP-style inventory, a OneTrust export, a Fides data-map CSV and a
hand-made register with every quirk of a real file.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def _put(ws: Any, row: int, values: list[Any], col: int = 1) -> None:
    for i, v in enumerate(values):
        if v is not None:
            ws.cell(row, col + i, v)


# ---------------------------------------------------------------------------------------------
# The ICO's documentation template

ICO_GROUPS = [  # (title, first column, last column) of the merged group row above the header
    ("Article 30 Record of Processing Activities", 1, 11),
    ("Lawful basis", 12, 15),
    ("Data Protection Impact Assessment", 16, 18),
]
ICO_HEADERS = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 basis for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Data Protection Impact Assessment required?",
    "DPIA progress",
    "Link to DPIA",
    "Rights available to individuals",
]
ICO_ROWS = [
    [
        "Finance",
        "Payroll: paying staff and making statutory deductions",
        "N/A",
        "Employees\nContractors",
        "Bank details\nSalary\nNational insurance number",
        "HMRC\nPension provider",
        "https://intranet/contracts/payroll",
        "N/A",
        "N/A",
        "6 years from the end of the tax year",
        "Role-based access; encryption at rest",
        "Article 6(1)(c) - legal obligation",
        None,
        None,
        None,
        "No",
        None,
        None,
        "Access, rectification",
    ],
    [
        "Marketing",
        "Sending our monthly newsletter",
        None,
        "Customers",
        "Name; Email address",
        "Mailing house (processor)",
        "https://intranet/contracts/mailer",
        "United States",
        "Standard contractual clauses",
        "Until consent is withdrawn",
        "MFA",
        "Article 6(1)(f) - legitimate interests",
        None,
        "Direct marketing to existing customers",
        "https://intranet/lia/newsletter",
        "Yes",
        "Completed",
        "https://intranet/dpia/7",
        "Object",
    ],
    [
        "HR",
        "Occupational health referrals",
        None,
        "Employees",
        "Health data",
        "Occupational health provider",
        None,
        None,
        None,
        "3 years after employment ends",
        "Sealed files",
        "6(1)(b) contract",
        "Article 9(2)(b) employment",
        None,
        None,
        "No",
        None,
        None,
        None,
    ],
]


def ico_template(path: Path) -> Path:
    """The ICO's controller and processor record, with its introduction, details block, merged group row,
    instruction row and an example row marked 'e.g.'."""
    wb = Workbook()
    intro = wb.active
    intro.title = "Introduction"
    intro["A1"] = "Documentation template for controllers"
    intro["A3"] = "This template is designed to help you document your processing activities."
    ws = wb.create_sheet("Controller - ROPA")
    ws["A1"] = "Record of Processing Activities (Controller)"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A3"], ws["C3"] = "Name and contact details of controller", "Meadow Trust Ltd, 4 Mill Lane, Leeds LS1 4AP, info@meadow.example"
    ws["A4"], ws["C4"] = "Data Protection Officer", "Sam Patel, dpo@meadow.example"
    ws["A5"], ws["C5"] = "Representative", "N/A"
    for title, first, last in ICO_GROUPS:
        ws.cell(7, first, title)
        ws.merge_cells(start_row=7, start_column=first, end_row=7, end_column=last)
    _put(ws, 8, ICO_HEADERS)
    ws.cell(9, 1, "Please use one row per processing activity. Delete the example row before use.")
    _put(ws, 10, ["e.g. Sales", "Selling products", None, "Customers", "Contact details", "Couriers", None, None, None, "6 years", "TLS", "Contract"])
    for r, row in enumerate(ICO_ROWS, 11):
        _put(ws, r, row)
    proc = wb.create_sheet("Processor - ROPA")
    proc["A1"] = "Record of Processing Activities (Processor)"
    proc["A2"], proc["B2"] = "Name and contact details of processor", "Meadow Trust Ltd, 4 Mill Lane, Leeds"
    _put(
        proc,
        4,
        [
            "Name and contact details of controller",
            "Name and contact details of controller's representative (if applicable)",
            "Categories of processing",
            "Names of third countries or international organisations that personal data are transferred to (if applicable)",
            "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
            "General description of technical and organisational security measures (if possible)",
        ],
    )
    _put(proc, 5, ["Oak School, office@oak.example", "N/A", "Hosting the pupil database", "None", None, "Backups encrypted\nAccess logging"])
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Datatilsynet's template

DT_HEADERS = [
    "Behandlingsaktivitet",
    "Formålet med behandlingen",
    "Behandlingsgrunnlag (art. 6)",
    "Unntak for særlige kategorier (art. 9)",
    "Kategorier av registrerte",
    "Kategorier av personopplysninger",
    "Kategorier av mottakere",
    "Overføring til tredjeland eller internasjonale organisasjoner",
    "Dokumentasjon av nødvendige garantier ved overføring",
    "Planlagte tidsfrister for sletting",
    "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
    "Sist oppdatert",
]


def datatilsynet_template(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"  # a sheet's name has at most 31 characters
    ws["A1"] = "Protokoll over behandlingsaktiviteter (behandlingsansvarlig)"
    ws["A2"], ws["B2"] = "Navn og kontaktopplysninger til behandlingsansvarlig", "Fjellbygd kommune, Rådhusgata 1, 3800 Bø, postmottak@fjellbygd.example"
    ws["A3"], ws["B3"] = "Personvernombud", "Kari Nordmann, personvernombud@fjellbygd.example"
    _put(ws, 5, DT_HEADERS)
    ws.cell(6, 1, "Bruk én linje for hver behandling, og slett eksemplene")
    _put(ws, 7, ["Eksempel: Lønn", "Utbetale lønn", "avtale", None, "Ansatte", "Kontonummer", "Skatteetaten", None, None, "5 år", "Tilgangsstyring"])
    rows = [
        [
            "Lønn og personal",
            "Utbetaling av lønn\nPersonaloppfølging",
            "Art. 6 nr. 1 bokstav b (avtale) og c (rettslig forpliktelse)",
            None,
            "Ansatte",
            "Navn; fødselsnummer; kontonummer",
            "Skatteetaten; NAV; Storebrand (pensjon)",
            "Ingen",
            None,
            "5 år etter avsluttet arbeidsforhold",
            "• Tilgangsstyring\n• Logging",
            "01.03.2025",
        ],
        [
            "Skolehelsetjenesten",
            "Oppfølging av elevers helse",
            "rettslig forpliktelse",
            "art. 9 nr. 2 bokstav h",
            "Elever",
            "Helseopplysninger",
            "Ingen",
            "Nei",
            None,
            "10 år etter siste kontakt",
            "Journalsystem med logging",
            "2024-11-15",
        ],
        [
            "Innbyggerdialog",
            "Besvare henvendelser fra innbyggere",
            "allmennhetens interesse",
            None,
            "Innbyggere",
            "Navn\nE-post\nHenvendelsens innhold",
            "Microsoft Ireland (databehandler)",
            "USA",
            "EU-U.S. Data Privacy Framework",
            "Så lenge det er nødvendig",
            "Kryptering",
            "15.1.2025",
        ],
    ]
    for r, row in enumerate(rows, 8):
        _put(ws, r, row)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# CNIL, German, Danish and Swedish registers

CNIL_HEADERS = [
    "Nom / sigle de l'activité",
    "Finalité(s) du traitement",
    "Base légale",
    "Catégories de personnes concernées",
    "Catégories de données personnelles",
    "Catégories de destinataires",
    "Transferts hors UE",
    "Durée de conservation",
    "Mesures de sécurité",
    "Date de dernière mise à jour",
]


def cnil_register(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Registre des activités"
    ws["A1"] = "Registre des activités de traitement"
    ws["A2"], ws["B2"] = "Responsable du traitement", "Boulangerie Dupont SARL"
    _put(ws, 4, CNIL_HEADERS)
    _put(
        ws,
        5,
        [
            "Gestion de la paie",
            "Paiement des salaires",
            "Obligation légale",
            "Salariés",
            "Identité\nCoordonnées bancaires",
            "Expert-comptable",
            "Aucun",
            "5 ans",
            "Accès restreint",
            "12/03/2025",
        ],
    )
    _put(
        ws,
        6,
        [
            "Fichier clients",
            "Gestion des commandes",
            "Exécution d'un contrat",
            "Clients",
            "Nom; adresse",
            "Transporteur",
            "États-Unis",
            "3 ans après la fin de la relation commerciale",
            "Mot de passe",
            "2025-01-20",
        ],
    )
    wb.save(path)
    return path


def german_register(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Verzeichnis"
    _put(
        ws,
        1,
        [
            "Verarbeitungstätigkeit",
            "Zweck der Verarbeitung",
            "Rechtsgrundlage",
            "Kategorien betroffener Personen",
            "Kategorien personenbezogener Daten",
            "Kategorien von Empfängern",
            "Übermittlung an Drittländer",
            "Löschfristen",
            "Technische und organisatorische Maßnahmen (TOM)",
        ],
    )
    _put(
        ws,
        2,
        [
            "Bewerbermanagement",
            "Durchführung des Bewerbungsverfahrens",
            "Art. 6 Abs. 1 lit. b DSGVO",
            "Bewerber",
            "Lebenslauf; Zeugnisse",
            "Fachabteilung",
            "keine",
            "6 Monate nach Abschluss des Verfahrens",
            "Verschlüsselung",
        ],
    )
    _put(
        ws,
        3,
        [
            "Newsletter",
            "Versand des Newsletters",
            "Einwilligung",
            "Abonnenten",
            "E-Mail-Adresse",
            "Versanddienstleister",
            "USA",
            "bis zum Widerruf",
            "Double-Opt-In",
        ],
    )
    wb.save(path)
    return path


def danish_register(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Fortegnelse"
    _put(
        ws,
        1,
        [
            "Behandlingsaktivitet",
            "Formål med behandlingen",
            "Retsgrundlag",
            "Kategorier af registrerede",
            "Kategorier af personoplysninger",
            "Kategorier af modtagere",
            "Overførsel til tredjelande",
            "Tidsfrister for sletning",
            "Tekniske og organisatoriske sikkerhedsforanstaltninger",
        ],
    )
    _put(ws, 2, ["Løn", "Lønudbetaling", "Retlig forpligtelse", "Medarbejdere", "CPR-nummer", "Skattestyrelsen", "Ingen", "5 år", "Adgangskontrol"])
    wb.save(path)
    return path


def swedish_register(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Registerförteckning"
    _put(
        ws,
        1,
        [
            "Behandling",
            "Ändamål med behandlingen",
            "Rättslig grund",
            "Kategorier av registrerade",
            "Kategorier av personuppgifter",
            "Kategorier av mottagare",
            "Överföring till tredjeland",
            "Gallringsfrist",
            "Säkerhetsåtgärder",
        ],
    )
    _put(ws, 2, ["Kundregister", "Hantera kundrelationen", "Avtal", "Kunder", "Namn; adress", "Inga", "Nej", "2 år", "Behörighetsstyrning"])
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Tools' layouts: an IAPP-style inventory, a OneTrust export, a Fides data-map CSV

IAPP_HEADERS = [
    "Processing Activity",
    "Business Owner",
    "Purpose",
    "Lawful Basis",
    "Data Subjects",
    "Personal Data Elements",
    "Special Categories (Y/N)",
    "Source",
    "Systems / Applications",
    "Recipients / Third Parties",
    "Cross-Border Transfers",
    "Transfer Mechanism",
    "Retention Period",
    "Security Measures",
    "Organisational Measures",
    "DPIA Required (Y/N)",
    "Date Last Reviewed",
]


def iapp_inventory(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data Inventory"
    _put(ws, 1, IAPP_HEADERS)
    _put(
        ws,
        2,
        [
            "Customer support",
            "Head of Support",
            "Answering customer questions",
            "Contract",
            "Customers",
            "Name, email, ticket history",
            "N",
            "Data subject",
            "Zendesk",
            "Zendesk Inc. (processor)",
            "US",
            "SCCs",
            "24 months after ticket closure",
            "SSO; encryption",
            "Staff training",
            "N",
            "March 3, 2025",
        ],
    )
    _put(
        ws,
        3,
        [
            "Employee wellbeing",
            "HR Director",
            "Supporting staff on sick leave",
            "Legal obligation",
            "Employees",
            "Sickness records",
            "Y",
            "Employee; GP",
            "HR system",
            "Insurer",
            "N/A",
            None,
            "7 years",
            "Restricted access",
            None,
            "Y",
            "2025-02-01",
        ],
    )
    wb.save(path)
    return path


ONETRUST_HEADERS = [
    "ID",
    "Name",
    "Organization",
    "Description",
    "Business Process Owner",
    "Status",
    "Purpose of Processing",
    "Legal Basis",
    "Data Subject Types",
    "Data Elements",
    "Assets",
    "Vendors",
    "Destination Countries",
    "Transfer Mechanism",
    "Retention Period",
    "Date Created",
    "Last Updated",
    "Risk Level",
]


def onetrust_export(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Processing Activities"
    _put(ws, 1, ONETRUST_HEADERS)
    _put(
        ws,
        2,
        [
            "PA-0001",
            "Recruitment",
            "Nordlys AS",
            "Hiring new staff",
            "HR",
            "Active",
            "Recruiting candidates",
            "Legitimate Interests",
            "Job Applicants",
            "Name, Email Address, CV",
            "Workday",
            "Workday Ltd",
            "United Kingdom",
            "Adequacy Decision",
            "6 Months",
            "2023-04-01",
            date(2025, 2, 14),
            "Medium",
        ],
    )
    _put(
        ws,
        3,
        [
            "PA-0002",
            "Website analytics",
            "Nordlys AS",
            "Measuring use of the website",
            "Marketing",
            "Draft",
            "Analytics",
            "Consent",
            "Website Visitors",
            "IP Address, Cookie ID",
            "Google Analytics",
            "Google LLC",
            "United States",
            "EU-US Data Privacy Framework",
            "14 Months",
            "2024-01-10",
            "2025-01-10",
            "High",
        ],
    )
    wb.save(path)
    return path


FIDES_HEADERS = [
    "system.name",
    "system.description",
    "system.administrating_department",
    "system.data_responsibility_title",
    "system.privacy_declaration.data_use.name",
    "system.privacy_declaration.data_categories",
    "system.privacy_declaration.data_subjects",
    "system.privacy_declaration.data_use.legal_basis",
    "system.privacy_declaration.data_use.special_category",
    "system.third_country_transfers",
    "dataset.retention",
    "system.data_protection_impact_assessment.is_required",
    "organization.name",
]


def fides_datamap_csv(path: Path) -> Path:
    rows = [
        FIDES_HEADERS,
        [
            "Mailchimp",
            "Email marketing platform",
            "Marketing",
            "Processor",
            "Marketing communications",
            "user.contact.email, user.name",
            "customer",
            "Consent",
            "",
            "USA",
            "2 years",
            "false",
            "Nordlys AS",
        ],
        [
            "Payroll",
            "Salary payments",
            "Finance",
            "Controller",
            "Payroll",
            "user.financial.bank_account",
            "employee",
            "Legal Obligation",
            "",
            "",
            "5 years",
            "false",
            "Nordlys AS",
        ],
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


# ---------------------------------------------------------------------------------------------
# A register made by hand

HAND_GROUPS = ["", "", "Behandlingen", "", "", "Opplysningene", "", "Mottakere og overføring", "", "", "Lagring", "Kontroll", "", ""]
HAND_SUBS = [
    "Nr",
    "Behandling",
    "Formål",
    "Rettslig grunnlag",
    "Ansvarlig",
    "Registrerte",
    "Personopplysninger",
    "Mottakere",
    "Land",
    "Grunnlag",
    "Lagringstid",
    "DPIA gjennomført?",
    "Sist revidert",
    "Kommentarer",
    "Intern note",  # a hidden column
]


def hand_register(path: Path) -> Path:
    """Two header rows (group titles merged over sub-headers), a hidden column, a notes column, empty rows in the
    middle, a totals row, lists split by newlines, semicolons and bullets, yes/no, dates as text, countries in
    bokmål, English and ISO codes, legal bases and retention in prose."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Behandlinger 2025"
    ws["A1"] = "Oversikt over behandlinger – Fjordkraft Sport AS"
    ws["A2"] = "Oppdatert av personvernombudet"
    _put(ws, 4, HAND_GROUPS)
    for start, end in ((3, 5), (6, 7), (8, 10), (12, 13)):
        ws.merge_cells(start_row=4, start_column=start, end_row=4, end_column=end)
    _put(ws, 5, HAND_SUBS)
    ws.column_dimensions["O"].hidden = True
    rows = [
        [
            1,
            "Medlemsregister",
            "Administrere medlemskap\nSende faktura",
            "Art. 6(1)(b) GDPR – contract",
            "Klubbkontoret",
            "Medlemmer; Foresatte",
            "• Navn\n• Adresse\n• Fødselsdato",
            "Regnskapsbyrå (databehandler)",
            "Norge",
            None,
            "5 år etter avsluttet kundeforhold",
            "Nei",
            "1. mars 2025",
            "Gjennomgått med styret",
            "sjekk avtalen",
        ],
        None,
        [
            2,
            "Nyhetsbrev",
            "Sende nyhetsbrev",
            "samtykke",
            "Markedsføring",
            "Medlemmer",
            "E-post",
            "Mailchimp (databehandler)",
            "USA",
            "SCC",
            "Til samtykket trekkes tilbake",
            "Ja",
            "03/02/2025",
            None,
            None,
        ],
        None,
        None,
        [
            3,
            "Treningsdagbok",
            "Følge opp utøvernes trening",
            "berettiget interesse",
            "Trenerteamet",
            "Utøvere",
            "Treningsdata; helseopplysninger",
            "Strava (databehandler)",
            "US",
            "DPF",
            "2 år",
            "Ja",
            "2025.01.15",
            "Helseopplysninger: se art. 9",
            None,
        ],
        [
            4,
            "Kameraovervåking",
            "Forebygge tyveri",
            "Art. 6 nr. 1 bokstav f",
            "Vaktmester",
            "Besøkende",
            "Videoopptak",
            "Securitas (databehandler)",
            "Storbritannia",
            "Adekvansbeslutning",
            "7 dager",
            "Nei",
            "15.12.24",
            None,
            None,
        ],
        None,
        ["Sum", 4, None, None, None, None, None, None, None, None, None, None, None, None, None],
    ]
    for r, row in enumerate(rows, 6):
        if row:
            _put(ws, r, row)
    wb.save(path)
    return path


def hand_register_csv(path: Path) -> Path:
    """The same kind of register saved from Excel as CSV: Windows-1252, semicolons, lists in one cell."""
    rows = [
        [
            "Behandling",
            "Formål",
            "Behandlingsgrunnlag",
            "Registrerte",
            "Personopplysninger",
            "Mottakere",
            "Overføres ut av EØS?",
            "Mottaker og land",
            "Lagringstid",
            "Sist revidert",
            "Merknader",
        ],
        [
            "Kundeservice",
            "Besvare kunder",
            "avtale",
            "Kunder",
            "Navn • E-post • Telefon",
            "Zendesk (databehandler)",
            "Ja",
            "Zendesk Inc., 989 Market St, San Francisco, USA",
            "3 år etter siste henvendelse",
            "1.2.2025",
            "Se DPA",
        ],
        [
            "Regnskap",
            "Bokføring",
            "rettslig forpliktelse",
            "Kunder; Leverandører",
            "Fakturaer",
            "Revisor",
            "Nei",
            "",
            "5 år etter regnskapsårets slutt",
            "2025-01-31",
            "",
        ],
        ["", "", "", "", "", "", "", "", "", "", ""],
        ["Totalt", "2", "", "", "", "", "", "", "", "", ""],
    ]
    with path.open("w", newline="", encoding="cp1252") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    return path


def hand_register_with_mistakes(path: Path) -> Path:
    """The hand-made register with a date that is no date and a destination that is no country."""
    hand_register(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    ws["M8"] = "neste vår"
    ws["I11"] = "Atlantis"
    wb.save(path)
    return path


def merged_rows_register(path: Path) -> Path:
    """One activity over several rows (its name and purpose merged down, one data category or recipient a row), another
    spread over rows with its name left empty; a sheet of drop-down choices; a sheet laid out as a form."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    _put(ws, 1, ["Behandlingsaktivitet", "Formål", "Kategorier av personopplysninger", "Mottakere", "Land", "Lagringstid", "Merknad"])
    _put(ws, 2, ["Nettbutikk", "Selge varer", "Navn", "Posten (databehandler)", None, "5 år", "Bokføringsloven"])
    _put(ws, 3, [None, None, "Adresse", "Mailchimp (databehandler)", "USA", None, "Nyhetsbrev"])
    _put(ws, 4, [None, None, "Betalingsopplysninger", None, None, None, None])
    for col in (1, 2):
        ws.merge_cells(start_row=2, start_column=col, end_row=4, end_column=col)
    _put(ws, 5, ["Ansatte", "Lønn", "Kontonummer", "Skatteetaten", None, "5 år", None])
    _put(ws, 6, ["Kamera", "Hindre tyveri", "Videoopptak", None, None, "7 dager", None])
    _put(ws, 7, [None, None, "Bilder av ansikt", "Politiet", None, "30 dager", None])
    lists = wb.create_sheet("Lists")
    _put(lists, 1, ["Lawful basis", "Categories of individuals", "Purpose"])
    _put(lists, 2, ["Consent", "Customers", "Marketing"])
    _put(lists, 3, ["Contract", "Employees", "Payroll"])
    form = wb.create_sheet("Fiche 1")
    for r, (label, value) in enumerate([("Fiche de registre", None), ("Responsable", "Nettbutikk AS"), ("Remarques", "voir le registre")], 1):
        _put(form, r, [label, value])
    wb.save(path)
    return path


def two_tables_register(path: Path) -> Path:
    """A sheet printed page by page (the header repeated) with a second table below, under its title, for the
    processing done for others (other columns)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    head = ["Behandlingsaktivitet", "Formål", "Kategorier av registrerte", "Kategorier av personopplysninger", "Lagringstid"]
    _put(ws, 1, head)
    _put(ws, 2, ["Lønn", "Utbetale lønn", "Ansatte", "Kontonummer", "5 år"])
    _put(ws, 3, head)
    _put(ws, 4, ["Rekruttering", "Ansette folk", "Søkere", "CV", "6 måneder"])
    _put(ws, 6, ["Behandling som databehandler"])
    _put(ws, 7, ["Behandlingsaktivitet", "Formål", "Behandlingsansvarlig", "Sikkerhetstiltak"])
    _put(ws, 8, ["Drift av kundesystem", "Drift og brukerstøtte", "Kunde AS", "Kryptering"])
    wb.save(path)
    return path


def matrix_register(path: Path) -> Path:
    """Data categories and data subjects as columns ticked per activity ('x', '✓', 'Ja'), under merged group titles."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Oversikt"
    _put(ws, 1, ["Behandling", "Formål", "Personopplysninger", None, None, None, "Registrerte", None, "Lagringstid"])
    ws.merge_cells("C1:F1")
    ws.merge_cells("G1:H1")
    _put(ws, 2, [None, None, "Navn", "Adresse", "Fødselsnummer", "Helseopplysninger", "Ansatte", "Kunder", None])
    _put(ws, 3, ["Lønn", "Utbetale lønn", "x", "x", "x", None, "x", None, "5 år"])
    _put(ws, 4, ["Kundeservice", "Svare kunder", "X", "✓", None, "Nei", None, "Ja", "1 år"])
    _put(ws, 5, ["Bedriftshelse", "Oppfølging", "x", None, "x", "x", "x", None, "10 år"])
    wb.save(path)
    return path

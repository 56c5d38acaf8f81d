"""The one field table: every field of an activity, organisation, recipient and transfer with
its labels in English and bokmål, its Art. 30 reference and the vocabulary it draws from.

The dashboard's form labels, the workbook's column headers and the importer's header matching
all come from here, so a field is named the same everywhere and in both languages. Bokmål
labels use Datatilsynet's words and English labels the ICO's where the template has one;
``aliases`` are further headers the importer recognises (the authorities' templates, other
tools), in any language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class FieldSpec:
    key: str  # key in the JSON format; dotted for nested ("retention.period", "dpia.status")
    en: str
    nb: str
    kind: str  # text | longtext | list | code | codes | bool | yesno (yes, no or not recorded) | date | int | recipients | transfers
    vocab: Optional[str] = None  # attribute of ropa.vocab for code/codes kinds
    article: Optional[str] = None
    required: bool = False
    help_en: str = ""
    help_nb: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def label(self, lang: str = "en") -> str:
        return self.nb if lang == "nb" else self.en

    def help(self, lang: str = "en") -> str:
        return self.help_nb if lang == "nb" else self.help_en


# Activities, in the order of Art. 30(1) (then what a DPO adds), which is also the workbook's order.
ACTIVITY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "ref",
        "Reference",
        "Referanse",
        "text",
        required=True,
        help_en="Short unique reference within the organisation, e.g. JL-03.",
        help_nb="Kort, unik referanse i virksomheten, f.eks. JL-03.",
        aliases=("Ref", "ID", "Ref.", "Nr", "Nummer", "Activity ID"),
    ),
    FieldSpec(
        "name",
        "Processing activity",
        "Behandlingsaktivitet",
        "text",
        required=True,
        help_en="What the processing is called in the organisation.",
        help_nb="Hva behandlingen kalles i virksomheten.",
        aliases=(
            "Name",
            "Navn",
            "Activity",
            "Behandling",
            "Navn på behandlingen",
            "Processing operation",
            "Behandlingsaktivitet/prosess",
            "Prosess",
            "Behandlingsprosess",
            "Process",
            "Process name",
            "Activity name",
            "Name of processing",
            "Processing activity / process",
            "Name of processing activity",
            "Processing activity name",
        ),
    ),
    FieldSpec("description", "Description", "Beskrivelse", "longtext", aliases=("Beskrivelse av behandlingen", "Description of processing")),
    FieldSpec(
        "role",
        "Role",
        "Rolle",
        "code",
        vocab="ROLES",
        article="Art. 30(1)/(2)",
        help_en="Controller, joint controller (Art. 26) or processor (Art. 28).",
        help_nb="Behandlingsansvarlig, felles behandlingsansvarlig (art. 26) eller databehandler (art. 28).",
        aliases=("Controller or processor", "Behandlingsansvarlig eller databehandler"),
    ),
    FieldSpec(
        "controllers",
        "Controller (for whom / with whom)",
        "Behandlingsansvarlig",
        "list",
        article="Art. 30(1)(a), 30(2)(a)",
        help_en="For a processor: the controllers it acts for. For a joint controller: the others.",
        help_nb="For databehandler: behandlingsansvarlige det behandles for. For felles behandlingsansvar: de andre.",
        aliases=(
            "Name and contact details of controller",
            "Navn og kontaktopplysninger til behandlingsansvarlig",
            "Joint controller",
            "Felles behandlingsansvarlig",
            "Name of controller",
        ),
    ),
    FieldSpec(
        "owner",
        "Owner",
        "Ansvarlig enhet",
        "text",
        aliases=(
            "Business owner",
            "Department",
            "Avdeling",
            "Eier",
            "Ansvarlig",
            "Process owner",
            "Business function",
            "Business area",
            "Business unit",
            "Function",
            "Team",
            "Enhet",
            "Seksjon",
            "Virksomhetsområde",
            "Fagområde",
            "Ansvarlig avdeling",
            "Department / function",
            "Owner / department",
        ),
    ),
    FieldSpec(
        "purposes",
        "Purposes of processing",
        "Formålene med behandlingen",
        "list",
        article="Art. 30(1)(b)",
        required=True,
        aliases=(
            "Purpose of processing",
            "Purpose",
            "Formål",
            "Formålet med behandlingen",
            "Purposes",
            "Behandlingens formål",
            "Formål med behandlingen",
            "Categories of processing",
            "Categories of processing carried out on behalf of each controller",
            "Kategorier av behandling",
            "Kategorier av behandling utført på vegne av hver behandlingsansvarlig",
        ),
    ),
    FieldSpec(
        "legal_bases",
        "Lawful basis for processing",
        "Behandlingsgrunnlag",
        "codes",
        vocab="LEGAL_BASES",
        article="Art. 6(1)",
        aliases=(
            "Article 6 lawful basis for processing personal data",
            "Lawful basis",
            "Legal basis",
            "Rettslig grunnlag",
            "Behandlingsgrunnlag etter art. 6",
            "Grunnlag",
        ),
    ),
    FieldSpec(
        "data_subjects",
        "Categories of individuals",
        "Kategorier av registrerte",
        "list",
        vocab="DATA_SUBJECTS",
        article="Art. 30(1)(c)",
        required=True,
        aliases=("Categories of data subjects", "Data subjects", "Registrerte", "De registrerte"),
    ),
    FieldSpec(
        "data_categories",
        "Categories of personal data",
        "Kategorier av personopplysninger",
        "list",
        vocab="DATA_CATEGORIES",
        article="Art. 30(1)(c)",
        required=True,
        aliases=("Personal data", "Personopplysninger", "Typer personopplysninger", "Data categories"),
    ),
    FieldSpec(
        "special_categories",
        "Special category data",
        "Særlige kategorier av personopplysninger",
        "list",
        vocab="DATA_CATEGORIES",
        article="Art. 9(1)",
        aliases=("Special categories", "Sensitive personopplysninger", "Særlige kategorier"),
    ),
    FieldSpec(
        "art9_conditions",
        "Article 9 condition",
        "Unntak etter art. 9 nr. 2",
        "codes",
        vocab="ART9_CONDITIONS",
        article="Art. 9(2)",
        aliases=(
            "Article 9 basis for processing special category data",
            "Condition for processing special category data",
            "Grunnlag for særlige kategorier",
            "Art. 9 condition",
        ),
    ),
    FieldSpec(
        "criminal_data",
        "Criminal offence data",
        "Opplysninger om straffedommer og lovovertredelser",
        "bool",
        article="Art. 10",
        aliases=("Criminal offence data", "Art. 10", "Straffbare forhold"),
    ),
    FieldSpec("criminal_data_basis", "Basis for criminal offence data", "Grunnlag for opplysninger om lovovertredelser", "text", article="Art. 10"),
    FieldSpec("sources", "Source of personal data", "Kilde til opplysningene", "list", aliases=("Source", "Sources", "Kilde", "Hvor opplysningene kommer fra")),
    FieldSpec(
        "recipients",
        "Categories of recipients",
        "Kategorier av mottakere",
        "recipients",
        article="Art. 30(1)(d)",
        aliases=("Recipients", "Mottakere", "Who the data is shared with", "Utlevering"),
    ),
    FieldSpec(
        "no_recipients",
        "Disclosed to no one",
        "Utleveres ikke til noen",
        "bool",
        article="Art. 30(1)(d)",
        help_en="Tick when the data are not and will not be disclosed to any recipient, so an empty recipient list is an answer.",
        help_nb="Kryss av når opplysningene ikke er og ikke vil bli utlevert til noen mottaker, slik at en tom mottakerliste er et svar.",
        aliases=("No recipients", "Ingen mottakere"),
    ),
    FieldSpec(
        "transfers",
        "Transfers to third countries or international organisations",
        "Overføring til tredjestat eller internasjonal organisasjon",
        "transfers",
        article="Art. 30(1)(e)",
        aliases=(
            "Names of third countries or international organisations that personal data are transferred to",
            "Third countries",
            "Tredjeland",
            "Overføring til tredjeland",
            "International transfers",
            "Overføringer til tredjestat eller internasjonal organisasjon",
            "Overføring til tredjeland eller internasjonale organisasjoner",
            "Transfers",
            "Destination country",
            "Country of destination",
            "Destination",
            "Where is the data transferred to",
            "Mottakerland",
            "Land utenfor EØS",
        ),
    ),
    FieldSpec(
        "retention.text",
        "Retention schedule",
        "Planlagte tidsfrister for sletting",
        "longtext",
        article="Art. 30(1)(f)",
        aliases=(
            "Retention schedule (if possible)",
            "Retention",
            "Lagringstid",
            "Sletting",
            "Slettefrister",
            "Time limits for erasure",
            "Tidsfrister for sletting",
            "Lagringsperiode",
            "Sletterutiner",
            "How long is the data kept",
        ),
    ),
    FieldSpec("retention.period", "Retention period", "Lagringstid (antall)", "int", article="Art. 30(1)(f)"),
    FieldSpec("retention.unit", "Retention unit", "Lagringstid (enhet)", "code", vocab="RETENTION_UNITS"),
    FieldSpec("retention.trigger", "Retention starts at", "Lagringstiden regnes fra", "text"),
    FieldSpec("retention.action", "At the end of retention", "Ved utløp", "code", vocab="RETENTION_ACTIONS"),
    FieldSpec(
        "security_measures",
        "General description of technical and organisational security measures",
        "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
        "list",
        article="Art. 30(1)(g)",
        aliases=(
            "General description of technical and organisational security measures (if possible)",
            "Security measures",
            "Sikkerhetstiltak",
            "Tekniske og organisatoriske tiltak",
            "Beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
            "Technical and organisational measures",
            "TOMs",
        ),
    ),
    FieldSpec(
        "systems", "Systems", "Systemer", "list", aliases=("Location of personal data", "Where the data is stored", "System", "IT-systemer", "Lagringssted")
    ),
    FieldSpec(
        "dpia.status",
        "DPIA",
        "DPIA (vurdering av personvernkonsekvenser)",
        "code",
        vocab="DPIA_STATUSES",
        article="Art. 35",
        aliases=(
            "DPIA required",
            "Is a DPIA required?",
            "Personvernkonsekvensvurdering",
            "DPIA status",
            "Data Protection Impact Assessment required",
            "Data Protection Impact Assessment",
            "DPIA progress",
            "Behov for DPIA",
            "Er DPIA nødvendig",
        ),
    ),
    FieldSpec(
        "dpia.ref",
        "DPIA reference",
        "DPIA-referanse",
        "text",
        article="Art. 35",
        aliases=("Link to DPIA", "DPIA link", "Lenke til DPIA", "Link to Data Protection Impact Assessment"),
    ),
    FieldSpec(
        "dpia.screening",
        "DPIA screening",
        "Vurdering av behovet for DPIA",
        "screening",
        vocab="DPIA_CRITERIA",
        article="Art. 35(1), 35(3)",
        help_en="The nine WP248 criteria and the Art. 35(3) cases, each yes/no with a note.",
        help_nb="De ni kriteriene i WP248 og tilfellene i art. 35 nr. 3, hver med ja/nei og merknad.",
    ),
    FieldSpec("status", "Status", "Status", "code", vocab="STATUSES"),
    FieldSpec(
        "transparency.collection",
        "Data collected",
        "Opplysningene samles inn",
        "code",
        vocab="COLLECTION",
        article="Art. 13, 14",
        help_en="From the person (Art. 13 notice), from elsewhere (Art. 14 notice) or both.",
        help_nb="Fra den registrerte (informasjon etter art. 13), fra andre (art. 14) eller begge deler.",
    ),
    FieldSpec("transparency.sources_public", "From publicly accessible sources", "Fra offentlig tilgjengelige kilder", "bool", article="Art. 14(2)(f)"),
    FieldSpec(
        "transparency.provision",
        "Statutory or contractual requirement",
        "Lovpålagt eller avtalefestet",
        "code",
        vocab="PROVISION_REQUIREMENTS",
        article="Art. 13(2)(e)",
        help_en="Whether the person must provide the data (law, contract, to enter a contract) or may choose.",
        help_nb="Om den registrerte må gi opplysningene (lov, avtale, for å inngå avtale) eller kan velge.",
    ),
    FieldSpec(
        "transparency.provision_consequences",
        "Consequences of not providing the data",
        "Konsekvenser av ikke å gi opplysningene",
        "longtext",
        article="Art. 13(2)(e)",
    ),
    FieldSpec(
        "transparency.automated_decisions",
        "Automated decisions, including profiling",
        "Automatiserte avgjørelser, herunder profilering",
        "bool",
        article="Art. 13(2)(f), 22",
    ),
    FieldSpec(
        "transparency.automated_logic",
        "Logic, significance and consequences of automated decisions",
        "Logikken, betydningen og konsekvensene av automatiserte avgjørelser",
        "longtext",
        article="Art. 13(2)(f)",
    ),
    FieldSpec("last_review", "Last review", "Sist gjennomgått", "date", aliases=("Last reviewed", "Date of last review", "Sist revidert")),
    FieldSpec("next_review", "Next review", "Neste gjennomgang", "date", aliases=("Review date", "Next review date", "Neste revisjon")),
)

ORGANISATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Organisation", "Virksomhet", "text", required=True, aliases=("Name", "Navn", "Controller", "Behandlingsansvarlig", "Organisation name")),
    FieldSpec("org_number", "Organisation number", "Organisasjonsnummer", "text", aliases=("Org. no.", "Org.nr.", "Company number")),
    FieldSpec("country", "Country", "Land", "code", vocab="countries"),
    FieldSpec("address", "Address", "Adresse", "longtext"),
    FieldSpec("email", "E-mail", "E-post", "text"),
    FieldSpec("phone", "Phone", "Telefon", "text"),
    FieldSpec("website", "Website", "Nettsted", "text"),
    FieldSpec("supervisory_authority", "Supervisory authority", "Tilsynsmyndighet", "text"),
    FieldSpec("public_authority", "Public authority or body", "Offentlig myndighet eller organ", "bool", article="Art. 37(1)(a)"),
    FieldSpec(
        "establishments",
        "Other establishments (countries)",
        "Andre etableringer (land)",
        "countries",
        vocab="countries",
        article="Art. 3(1)",
        help_en="Countries where the organisation has a further establishment (branch, office), besides its country.",
        help_nb="Land der virksomheten har en annen etablering (filial, kontor) i tillegg til landet over.",
        aliases=("Establishments", "Etableringer"),
    ),
    FieldSpec(
        "offers_to_eea",
        "Offers goods or services to people in the EEA",
        "Tilbyr varer eller tjenester til personer i EØS",
        "yesno",
        article="Art. 3(2)(a)",
        help_en="For an organisation with no establishment in the EEA: yes brings its processing under the GDPR (Art. 3(2)(a)); "
        "no, with no monitoring either, puts it outside (Art. 3); leave it empty while not known.",
        help_nb="For en virksomhet uten etablering i EØS: ja gjør at forordningen gjelder for behandlingen (art. 3 nr. 2 bokstav a); "
        "nei, og heller ingen overvåking, gjør at den faller utenfor (art. 3); la feltet stå tomt så lenge det ikke er kjent.",
    ),
    FieldSpec(
        "monitors_eea",
        "Monitors the behaviour of people in the EEA",
        "Overvåker atferden til personer i EØS",
        "yesno",
        article="Art. 3(2)(b)",
        help_en="E.g. tracking or profiling people in the EEA online (Art. 3(2)(b), recital 24).",
        help_nb="F.eks. sporing eller profilering av personer i EØS på nett (art. 3 nr. 2 bokstav b, fortalepunkt 24).",
    ),
    FieldSpec(
        "occasional_processing",
        "Processing is occasional and unlikely to result in a risk",
        "Behandlingen skjer sporadisk og medfører neppe en risiko",
        "bool",
        article="Art. 27(2)(a), 30(5)",
        help_en="Assessed by the organisation: its processing is occasional and unlikely to result in a risk to people.",
        help_nb="Virksomhetens vurdering: behandlingen skjer sporadisk og medfører neppe en risiko for de registrerte.",
    ),
    FieldSpec("fewer_than_250", "Fewer than 250 employees", "Færre enn 250 ansatte", "bool", article="Art. 30(5)"),
    FieldSpec(
        "art30_5_assessment",
        "Art. 30(5) assessment",
        "Vurdering etter art. 30 nr. 5",
        "longtext",
        article="Art. 30(5)",
        help_en="Why the processing is occasional, unlikely to result in a risk and includes no special categories or "
        "criminal-offence data (the exemption from keeping records).",
        help_nb="Hvorfor behandlingen skjer sporadisk, neppe medfører risiko og ikke omfatter særlige kategorier eller "
        "straffeopplysninger (unntaket fra plikten til å føre protokoll).",
        aliases=("Art. 30(5)", "Artikkel 30 nr. 5"),
    ),
    FieldSpec(
        "dpo.name",
        "Data protection officer",
        "Personvernombud",
        "text",
        article="Art. 37",
        aliases=("DPO", "Name and contact details of DPO", "Personvernombud (navn)"),
    ),
    FieldSpec("dpo.email", "DPO e-mail", "Personvernombudets e-post", "text", article="Art. 37"),
    FieldSpec("dpo.phone", "DPO phone", "Personvernombudets telefon", "text", article="Art. 37"),
    FieldSpec(
        "representative.name",
        "EU representative",
        "Representant i EU/EØS",
        "text",
        article="Art. 27",
        aliases=("Representative", "Name and contact details of representative"),
    ),
    FieldSpec("representative.address", "Representative's address", "Representantens adresse", "longtext", article="Art. 27"),
    FieldSpec("representative.country", "Representative's country", "Representantens land", "code", vocab="countries", article="Art. 27"),
    FieldSpec("representative.email", "Representative's e-mail", "Representantens e-post", "text", article="Art. 27"),
    FieldSpec(
        "public_fields",
        "Fields in the public register",
        "Felt i den offentlige protokollen",
        "list",
        help_en="Activity fields `ropa publish` shows (empty: purposes, legal bases, data subjects and data, recipients, transfers, retention).",
        help_nb="Feltene `ropa publish` viser (tom: formål, grunnlag, opplysninger, mottakere, overføringer, lagringstid).",
    ),
)

RECIPIENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Recipient", "Mottaker", "text", required=True, article="Art. 30(1)(d)"),
    FieldSpec("kind", "Kind of recipient", "Type mottaker", "code", vocab="RECIPIENT_KINDS"),
    FieldSpec("country", "Country", "Land", "code", vocab="countries"),
    FieldSpec(
        "agreement",
        "Data processing agreement",
        "Databehandleravtale",
        "text",
        article="Art. 28(3)",
        aliases=("Link to contract with processor", "Contract", "DPA", "Avtale", "Lenke til databehandleravtale"),
    ),
)

TRANSFER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "country",
        "Country",
        "Land",
        "code",
        vocab="countries",
        article="Art. 30(1)(e)",
        aliases=(
            "Names of third countries or international organisations that personal data are transferred to",
            "Third country",
            "Tredjestat",
            "Mottakerland",
        ),
    ),
    FieldSpec("international_organisation", "International organisation", "Internasjonal organisasjon", "text"),
    FieldSpec("recipient", "Recipient", "Mottaker", "text"),
    FieldSpec(
        "mechanism",
        "Transfer mechanism",
        "Overføringsgrunnlag",
        "code",
        vocab="MECHANISMS",
        article="Art. 44–49",
        aliases=("Safeguards", "Transfer safeguard", "Grunnlag for overføring", "Transfer tool"),
    ),
    FieldSpec(
        "safeguard",
        "Safeguard document",
        "Garantier (dokument)",
        "text",
        article="Art. 46, 49(1)",
        aliases=(
            "Safeguards for exceptional transfers of personal data to third countries or international organisations",
            "Documentation of suitable safeguards",
            "Dokumentasjon av nødvendige garantier",
        ),
    ),
    FieldSpec("tia_date", "Transfer impact assessment", "Vurdering av overføringen (TIA)", "date", aliases=("TIA date", "TIA")),
    FieldSpec(
        "frequency",
        "Frequency",
        "Hyppighet",
        "code",
        vocab="TRANSFER_FREQUENCIES",
        article="Art. 49(1)",
        help_en="Only the derogations in Art. 49(1)(b), (c) and (e) are limited to occasional transfers (recital 111), and the "
        "second subparagraph (compelling legitimate interests) to transfers that are not repetitive; (a), (d), (f) "
        "and (g) are not limited by frequency (EDPB Guidelines 2/2018).",
        help_nb="Bare unntakene i art. 49 nr. 1 bokstav b, c og e er begrenset til enkeltstående overføringer (fortalepunkt 111), "
        "og annet ledd (tvingende berettigede interesser) til overføringer som ikke gjentas; bokstav a, d, f og g er "
        "ikke begrenset av hyppighet (EDPBs retningslinjer 2/2018).",
    ),
    FieldSpec(
        "adequacy_scope_confirmed",
        "Within the adequacy decision's scope (checked)",
        "Innenfor adekvansbeslutningens virkeområde (kontrollert)",
        "bool",
        article="Art. 45",
        help_en="E.g. the US recipient's certification under the EU-US Data Privacy Framework was verified.",
        help_nb="F.eks. at mottakeren i USA er sertifisert under EU-US Data Privacy Framework.",
    ),
    FieldSpec("note", "Note", "Merknad", "longtext"),
)


def by_key(fields: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
    return {f.key: f for f in fields}


ACTIVITY = by_key(ACTIVITY_FIELDS)
ORGANISATION = by_key(ORGANISATION_FIELDS)
RECIPIENT = by_key(RECIPIENT_FIELDS)
TRANSFER = by_key(TRANSFER_FIELDS)


# Fields stored as one object ("retention" holds period, unit, …): the audit trail and the version
# comparisons name them whole.
GROUPS: dict[str, FieldSpec] = by_key(
    (
        FieldSpec("retention", "Retention", "Lagringstid", "group", article="Art. 30(1)(f)"),
        FieldSpec("dpia", "DPIA", "DPIA (vurdering av personvernkonsekvenser)", "group", article="Art. 35"),
        FieldSpec("transparency", "Information to data subjects", "Informasjon til de registrerte", "group", article="Art. 13, 14"),
        FieldSpec("dpo", "Data protection officer", "Personvernombud", "group", article="Art. 37"),
        FieldSpec("representative", "EU representative", "Representant i EU/EØS", "group", article="Art. 27"),
    )
)


def label(key: str, lang: str = "en", table: Optional[dict[str, FieldSpec]] = None) -> str:
    """The label of a field (or of a group such as "retention") in a language; the key itself if
    the field is unknown."""
    spec = (table or ACTIVITY).get(key) or GROUPS.get(key)
    return spec.label(lang) if spec else key


# Columns that exist only in the workbook (derived for the reader, or machine columns for the
# importer); the workbook's other columns use the tables above.
WORKBOOK_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("country_code", "Country code (ISO 3166)", "Landkode (ISO 3166)", "code", vocab="countries", aliases=("ISO code", "ISO-kode", "Landkode")),
    FieldSpec(
        "country_status",
        "Country status",
        "Landets status",
        "code",
        vocab="COUNTRY_STATUSES",
        article="Art. 45",
        help_en="EEA, adequacy decision (with any condition) or third country.",
        help_nb="EØS, adekvansbeslutning (med eventuelle vilkår) eller tredjestat.",
    ),
    FieldSpec("used_by", "Used by (activities)", "Brukes i (behandlingsaktiviteter)", "list"),
    FieldSpec("processor_contact", "Processor's contact details", "Databehandlerens kontaktopplysninger", "longtext", article="Art. 30(2)(a)"),
    FieldSpec(
        "processing_categories",
        "Categories of processing carried out on behalf of each controller",
        "Kategorier av behandling som utføres på vegne av hver behandlingsansvarlig",
        "list",
        article="Art. 30(2)(b)",
    ),
    FieldSpec("finding.severity", "Severity", "Alvorlighet", "text"),
    FieldSpec("finding.rule", "Rule", "Regel", "text"),
    FieldSpec(
        "finding.code",
        "Rule code",
        "Regelkode",
        "text",
        help_en="The rule's stable code, as `python -m ropa check` prints it.",
        help_nb="Regelens faste kode, slik `python -m ropa check` skriver den.",
    ),
    FieldSpec("finding.article", "Article", "Artikkel", "text"),
    FieldSpec("finding.message", "Finding", "Funn", "longtext"),
    FieldSpec("finding.fix", "How to fix it", "Slik retter du det", "longtext"),
    FieldSpec("code", "Code", "Kode", "text"),
    FieldSpec("yes_no", "Yes/no", "Ja/nei", "bool"),
    FieldSpec(
        "ropa:digest",
        "ropa:digest",
        "ropa:digest",
        "text",
        help_en="A fingerprint of the row as exported: an import that finds it unchanged takes the row as it was exported.",
        help_nb="Et fingeravtrykk av raden slik den ble eksportert: er den uendret, tar importen den som den ble eksportert.",
    ),
    FieldSpec(
        "ropa:json",
        "ropa:json",
        "ropa:json",
        "json",
        help_en="The record in the JSON format, so an import gets back exactly what was exported.",
        help_nb="Posten i JSON-formatet, slik at en import får tilbake nøyaktig det som ble eksportert.",
    ),
)
WORKBOOK = by_key(WORKBOOK_FIELDS)

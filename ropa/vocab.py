"""The controlled vocabularies of the register, every item labelled in English and bokmål.

Legal bases (Art. 6(1)), Art. 9(2) conditions, Art. 10, transfer mechanisms (Chapter V),
roles, statuses, recipient kinds, retention units and actions, DPIA statuses and the DPIA
screening criteria (WP248 rev.01 and Art. 35(3)); countries from pycountry with their
Norwegian names; EEA membership and the adequacy decisions in force; and fideslang's data
categories, data uses and data subjects.

Countries, EEA membership and the adequacy table live in :mod:`ropa.countries`, the
:class:`Term` type in :mod:`ropa.terms`; both are offered from here as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Optional

from ropa.countries import (
    _ALIASES as _ALIASES,
)
from ropa.countries import (
    _ALL as _ALL,
)
from ropa.countries import (
    _NB_COMMON as _NB_COMMON,
)
from ropa.countries import (
    _SEARCH_ALIASES as _SEARCH_ALIASES,
)
from ropa.countries import (
    ADEQUACY_DECISIONS as ADEQUACY_DECISIONS,
)
from ropa.countries import (
    COUNTRY_STATUSES as COUNTRY_STATUSES,
)
from ropa.countries import (
    EEA_COUNTRIES as EEA_COUNTRIES,
)
from ropa.countries import (
    EEA_EFTA_COUNTRIES as EEA_EFTA_COUNTRIES,
)
from ropa.countries import (
    AdequacyDecision as AdequacyDecision,
)
from ropa.countries import (
    CountryStatus as CountryStatus,
)
from ropa.countries import (
    _ad as _ad,
)
from ropa.countries import (
    _alpha2 as _alpha2,
)
from ropa.countries import (
    _fold as _fold,
)
from ropa.countries import (
    _name_index as _name_index,
)
from ropa.countries import (
    _nb_catalogue as _nb_catalogue,
)
from ropa.countries import (
    _search_index as _search_index,
)
from ropa.countries import (
    _sort_key as _sort_key,
)
from ropa.countries import (
    _strip_accents as _strip_accents,
)
from ropa.countries import (
    adequacy as adequacy,
)
from ropa.countries import (
    adequacy_in_force as adequacy_in_force,
)
from ropa.countries import (
    countries as countries,
)
from ropa.countries import (
    country_name as country_name,
)
from ropa.countries import (
    country_names as country_names,
)
from ropa.countries import (
    country_status as country_status,
)
from ropa.countries import (
    country_status_label as country_status_label,
)
from ropa.countries import (
    find_country as find_country,
)
from ropa.countries import (
    fold_name as fold_name,
)
from ropa.countries import (
    is_country as is_country,
)
from ropa.countries import (
    search_countries as search_countries,
)
from ropa.terms import (
    _ARTICLE_WORDS_NB as _ARTICLE_WORDS_NB,
)
from ropa.terms import (
    Term as Term,
)
from ropa.terms import (
    _terms as _terms,
)
from ropa.terms import (
    article_in as article_in,
)

LEGAL_BASES = _terms(
    ("art6_1_a", "consent", "samtykke", "Art. 6(1)(a)"),
    ("art6_1_b", "contract", "avtale", "Art. 6(1)(b)"),
    ("art6_1_c", "legal obligation", "rettslig forpliktelse", "Art. 6(1)(c)"),
    ("art6_1_d", "vital interests", "vitale interesser", "Art. 6(1)(d)"),
    ("art6_1_e", "public task", "allmennhetens interesse eller offentlig myndighet", "Art. 6(1)(e)"),
    ("art6_1_f", "legitimate interests", "berettiget interesse", "Art. 6(1)(f)"),
)

ART9_CONDITIONS = _terms(
    ("art9_2_a", "explicit consent", "uttrykkelig samtykke", "Art. 9(2)(a)"),
    ("art9_2_b", "employment, social security and social protection law", "arbeidsrett, trygderett og sosialrett", "Art. 9(2)(b)"),
    ("art9_2_c", "vital interests where consent cannot be given", "vitale interesser når samtykke ikke kan gis", "Art. 9(2)(c)"),
    ("art9_2_d", "not-for-profit body (foundation, association, trade union)", "ideell organisasjon (stiftelse, forening, fagforening)", "Art. 9(2)(d)"),
    ("art9_2_e", "manifestly made public by the data subject", "åpenbart offentliggjort av den registrerte", "Art. 9(2)(e)"),
    ("art9_2_f", "legal claims or courts", "rettskrav eller domstolenes virksomhet", "Art. 9(2)(f)"),
    ("art9_2_g", "substantial public interest", "viktige allmenne interesser", "Art. 9(2)(g)"),
    (
        "art9_2_h",
        "health or social care, preventive or occupational medicine",
        "helse- og sosialtjenester, forebyggende medisin eller arbeidsmedisin",
        "Art. 9(2)(h)",
    ),
    ("art9_2_i", "public health", "folkehelse", "Art. 9(2)(i)"),
    ("art9_2_j", "archiving, research or statistics", "arkiv, forskning eller statistikk", "Art. 9(2)(j)"),
)

MECHANISMS = _terms(
    ("art45", "adequacy decision", "adekvansbeslutning", "Art. 45"),
    ("art46_2_a", "legally binding instrument between public authorities", "rettslig bindende instrument mellom offentlige myndigheter", "Art. 46(2)(a)"),
    ("art46_2_b", "binding corporate rules (BCR)", "bindende virksomhetsregler (BCR)", "Art. 46(2)(b)"),
    ("art46_2_c", "standard contractual clauses (SCC)", "standardpersonvernbestemmelser (SCC)", "Art. 46(2)(c)"),
    ("art46_2_d", "standard clauses adopted by a supervisory authority", "standardbestemmelser vedtatt av en tilsynsmyndighet", "Art. 46(2)(d)"),
    ("art46_2_e", "approved code of conduct", "godkjente atferdsnormer", "Art. 46(2)(e)"),
    ("art46_2_f", "approved certification mechanism", "godkjent sertifiseringsordning", "Art. 46(2)(f)"),
    ("art46_3_a", "contractual clauses authorised by the supervisory authority", "avtalevilkår godkjent av tilsynsmyndigheten", "Art. 46(3)(a)"),
    (
        "art46_3_b",
        "provisions in administrative arrangements between public authorities",
        "bestemmelser i administrative ordninger mellom offentlige myndigheter",
        "Art. 46(3)(b)",
    ),
    ("art49_1_a", "derogation: explicit consent", "unntak: uttrykkelig samtykke", "Art. 49(1)(a)"),
    ("art49_1_b", "derogation: contract with the data subject", "unntak: avtale med den registrerte", "Art. 49(1)(b)"),
    ("art49_1_c", "derogation: contract in the data subject's interest", "unntak: avtale i den registrertes interesse", "Art. 49(1)(c)"),
    ("art49_1_d", "derogation: important reasons of public interest", "unntak: viktige allmenne interesser", "Art. 49(1)(d)"),
    ("art49_1_e", "derogation: legal claims", "unntak: rettskrav", "Art. 49(1)(e)"),
    ("art49_1_f", "derogation: vital interests", "unntak: vitale interesser", "Art. 49(1)(f)"),
    ("art49_1_g", "derogation: public register", "unntak: offentlig register", "Art. 49(1)(g)"),
    (
        "art49_1_2",
        "compelling legitimate interests (transfer not repetitive)",
        "tvingende berettigede interesser (overføring som ikke gjentas)",
        "Art. 49(1) second subparagraph",
    ),
    ("none", "no transfer mechanism", "ingen overføringsgrunnlag", None),
    ("unknown", "not stated", "ikke oppgitt", None),
)

ROLES = _terms(
    ("controller", "controller", "behandlingsansvarlig", "Art. 30(1)"),
    ("joint_controller", "joint controller", "felles behandlingsansvarlig", "Art. 26"),
    ("processor", "processor", "databehandler", "Art. 30(2)"),
)
STATUSES = _terms(("draft", "draft", "utkast"), ("active", "active", "aktiv"), ("retired", "retired", "avsluttet"))
RECIPIENT_KINDS = _terms(
    ("processor", "processor", "databehandler", "Art. 28"),
    ("sub_processor", "sub-processor", "underdatabehandler", "Art. 28(2)"),
    ("controller", "independent controller", "selvstendig behandlingsansvarlig"),
    ("joint_controller", "joint controller", "felles behandlingsansvarlig", "Art. 26"),
    ("public_authority", "public authority", "offentlig myndighet"),
    ("affiliate", "affiliate", "konsernselskap"),
    ("own_establishment", "own establishment (same legal entity)", "egen etablering (samme juridiske person)", "Art. 3(1)"),
    ("other", "other", "annen"),
)
RETENTION_UNITS = _terms(("days", "days", "dager"), ("months", "months", "måneder"), ("years", "years", "år"))
RETENTION_ACTIONS = _terms(("erase", "erase", "slett"), ("anonymise", "anonymise", "anonymiser"), ("review", "review", "vurder på nytt"))
DPIA_STATUSES = _terms(
    ("not_assessed", "not assessed", "ikke vurdert"),
    ("not_needed", "not needed", "ikke nødvendig"),
    ("planned", "planned", "planlagt"),
    ("in_progress", "in progress", "pågår"),
    ("done", "done", "gjennomført"),
)
# Art. 49: which derogations the Regulation limits by frequency (recital 111; EDPB Guidelines 2/2018,
# section 2.1). (b), (c) and (e) only for occasional transfers; the second subparagraph only for a
# transfer that is not repetitive; (a), (d), (f) and (g) carry no such limit.
ART49_OCCASIONAL_ONLY = frozenset({"art49_1_b", "art49_1_c", "art49_1_e"})
ART49_NOT_REPETITIVE = frozenset({"art49_1_2"})

# Art. 13(2)(e): whether giving the data is required by law or contract, and what follows if not.
PROVISION_REQUIREMENTS = _terms(
    ("statutory", "required by law", "lovpålagt", "Art. 13(2)(e)"),
    ("contractual", "required by a contract", "avtalefestet", "Art. 13(2)(e)"),
    ("contract_precondition", "needed to enter into a contract", "nødvendig for å inngå avtale", "Art. 13(2)(e)"),
    ("voluntary", "voluntary", "frivillig", "Art. 13(2)(e)"),
)
# Art. 13 (from the person) or Art. 14 (from elsewhere): which notice the activity belongs in.
COLLECTION = _terms(
    ("subject", "from the data subject", "fra den registrerte", "Art. 13"),
    ("elsewhere", "from elsewhere", "fra andre enn den registrerte", "Art. 14"),
    ("both", "both", "begge deler", "Art. 13, 14"),
)
TRANSFER_FREQUENCIES = _terms(("occasional", "occasional", "enkeltstående"), ("regular", "regular, repeated", "regelmessig"))


@dataclass(frozen=True)
class ListedProcessing:
    """One kind of processing on Datatilsynet's Art. 35(4) list: it always requires a DPIA.

    ``with_another``: the list names it "together with at least one other criterion" of WP248,
    not counting ``not_another`` (the criterion the item already is, e.g. genetic data are
    sensitive data). ``categories``: data-category keys (prefixes) that are this kind of data,
    so the register can see the match without the question being answered.
    """

    key: str
    en: str
    nb: str
    with_another: bool = False
    not_another: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        return self.nb if lang == "nb" else self.en


# Datatilsynet's list of processing that always requires a DPIA (Art. 35(4)): "Datatilsynets liste over
# behandlingsaktiviteter som alltid krever vurdering [av personvernkonsekvenser]" (the name Datatilsynet
# gives it in "Når må man gjennomføre en vurdering av personvernkonsekvenser?", datatilsynet.no/regelverk-og-verktoy/
# veiledere/vurdering-av-personvernkonsekvenser/nar-ma-man-gjennomfore-en-vurdering-av-personvernkonsekvenser/:
# "1. Sjekk om den aktuelle behandlingen står på Datatilsynets liste over behandlingsaktiviteter som alltid
# krever vurdering"), in the register's words: bokmål after Datatilsynet's, English ours. The list's own page
# is not in the stored corpus (searched 2026-11-24 and 2026-12-02); each item cites what was found of it:
#   [WR] Wikborg Rein, "List of processing operations where a DPIA is always required",
#        https://www.wr.no/en/news/list-of-processing-operations-where-a-dpia-is-always-required/
#   [EC] EuroCloud, "Norwegian DPA publishes list of processing activities with mandatory DPIA",
#        https://eurocloud.org/news/article/norwegian-dpa-publishes-list-of-processing-activities-with-mandatory-dpia/
#   [WH] Wiersholm, "Ny veiledning fra Datatilsynet om GDPR", https://wiersholm.no/nyhetsbrev/ny-veiledning-fra-datatilsynet-om-gdpr/
# UNVERIFIED: the two items marked so (genetic data; learning, coping and well-being in schools and
# kindergartens) were on the list as this table had it and are in none of the excerpts found; they are
# kept, not confirmed. Check them, and the wording of every item, against datatilsynet.no before relying
# on them. (The genetic item's "with at least one other criterion" is how the EDPB had the EEA lists
# phrase genetic data, e.g. EDPB Opinion 7/2018 on Greece's list, section "Genetic data"; that is no
# source for Norway's list.)
DPIA_LIST_NO: tuple[ListedProcessing, ...] = (
    # [EC] "Processing of biometric data for ..." (identification); "with at least one other criterion" not in the excerpt
    ListedProcessing(
        "no_biometric",
        "biometric data to identify a person uniquely, with at least one other WP248 criterion",
        "biometriske opplysninger for entydig identifisering, sammen med minst ett annet WP248-kriterium",
        True,
        ("sensitive_data",),
        ("user.biometric", "user.authorization.biometric"),
    ),
    # UNVERIFIED (see above)
    ListedProcessing(
        "no_genetic",
        "genetic data, with at least one other WP248 criterion",
        "genetiske opplysninger, sammen med minst ett annet WP248-kriterium",
        True,
        ("sensitive_data",),
        ("user.health_and_medical.genetic",),
    ),
    # [WR] "processing of location data in conjunction with at least one other criterion"; [WH] "Der det benyttes lokasjonsdata.
    # Der lokasjonsdata kombineres med helseopplysninger, slik som helse- eller treningsapper, der lokasjonsdata registreres i
    # stor skala ..."
    ListedProcessing(
        "no_location",
        "location data, with at least one other WP248 criterion",
        "lokasjonsdata, sammen med minst ett annet WP248-kriterium",
        True,
        (),
        ("user.location",),
    ),
    # [WR] "data collected via third parties in conjunction with at least one other criterion"
    ListedProcessing(
        "no_third_party",
        "personal data collected from third parties, with at least one other WP248 criterion",
        "personopplysninger innhentet fra tredjepart, sammen med minst ett annet WP248-kriterium",
        True,
    ),
    # [WR] "processing of personal data without consent for scientific or historical purposes in conjunction with at
    # least one other criterion"
    ListedProcessing(
        "no_research_no_consent",
        "scientific or historical research without consent, with at least one other WP248 criterion",
        "vitenskapelig eller historisk forskning uten samtykke, sammen med minst ett annet WP248-kriterium",
        True,
    ),
    # [WR] "measures for systematic monitoring of employee activities"; [WH] "systematisk monitorering av ansatte ...
    # kontrolltiltak med hjemmel i arbeidsmiljøloven kapittel 9, slik som kameraovervåkning eller overvåking av ansattes
    # internettaktivitet"
    ListedProcessing(
        "no_employee_monitoring",
        "systematic monitoring of employees' activity (control measures under the Working Environment Act "
        "chapter 9, e.g. camera surveillance, monitoring of e-mail or internet use)",
        "systematisk monitorering av ansattes aktivitet (kontrolltiltak etter arbeidsmiljøloven kapittel 9, "
        "f.eks. kameraovervåking, innsyn i e-post eller overvåking av internettbruk)",
    ),
    # [EC] "Collecting and combining data from third party sources for the purpose of deciding whether the data subject
    # will be offered a certain service"; [WH] "opplysninger som er mottatt fra en tredjepart for å kunne gi tilbud om et
    # produkt eller en tjeneste"
    ListedProcessing(
        "no_third_party_offer",
        "combining data from third parties to decide whether a person is offered, keeps or is refused a service or contract",
        "sammenstilling av opplysninger fra tredjeparter for å avgjøre om en person får, beholder eller nektes en tjeneste eller avtale",
    ),
    # [WH] "analysemodeller ... for å forutsi personlige preferanser, interesser eller bevegelsesmønster"
    ListedProcessing(
        "no_prediction",
        "analysis models (profiling) that predict a person's preferences, interests, behaviour, location or movements, e.g. for online advertising",
        "analysemodeller (profilering) som forutsier personlige preferanser, interesser, atferd, posisjon eller "
        "bevegelsesmønster, f.eks. for annonsering på nett",
    ),
    # [WR] "processing of sensitive or highly personal data ..."; [WH] "innovativ teknologi ... kunstig intelligens eller
    # andre innovative tekniske løsninger benyttes for algoritmetrening"
    ListedProcessing(
        "no_algorithm_training",
        "special categories or highly personal data used to train algorithms (artificial intelligence)",
        "særlige kategorier eller svært personlige opplysninger brukt til algoritmetrening (kunstig intelligens)",
    ),
    # UNVERIFIED (see above)
    ListedProcessing(
        "no_school",
        "evaluating learning, coping or well-being in schools or kindergartens",
        "evaluering av læring, mestring eller trivsel i skoler eller barnehager",
    ),
)
DPIA_LIST = {item.key: item for item in DPIA_LIST_NO}

# WP248 rev.01 (endorsed by the EDPB) nine criteria, then the Art. 35(3) cases, then Datatilsynet's list.
DPIA_CRITERIA = _terms(
    ("evaluation_scoring", "evaluation or scoring, including profiling", "evaluering eller poengsetting, herunder profilering", "WP248 1"),
    (
        "automated_decisions",
        "automated decisions with legal or similar significant effect",
        "automatiserte avgjørelser med rettslig eller tilsvarende betydelig virkning",
        "WP248 2",
    ),
    ("systematic_monitoring", "systematic monitoring", "systematisk overvåking", "WP248 3"),
    ("sensitive_data", "sensitive or highly personal data", "særlige kategorier eller svært personlige opplysninger", "WP248 4"),
    ("large_scale", "data processed on a large scale", "behandling i stor skala", "WP248 5"),
    ("matching_datasets", "matching or combining datasets", "sammenstilling av datasett", "WP248 6"),
    ("vulnerable_subjects", "data concerning vulnerable data subjects", "sårbare registrerte", "WP248 7"),
    ("innovative_technology", "innovative use or new technology", "innovativ bruk eller ny teknologi", "WP248 8"),
    (
        "prevents_rights",
        "prevents exercising a right or using a service or contract",
        "hindrer utøvelse av en rettighet eller bruk av en tjeneste eller avtale",
        "WP248 9",
    ),
    (
        "art35_3_a",
        "systematic and extensive evaluation with legal or similarly significant effects",
        "systematisk og omfattende vurdering med rettsvirkning eller tilsvarende betydelig virkning",
        "Art. 35(3)(a)",
    ),
    (
        "art35_3_b",
        "large-scale special categories (Art. 9) or criminal data (Art. 10)",
        "særlige kategorier (art. 9) eller straffeopplysninger (art. 10) i stor skala",
        "Art. 35(3)(b)",
    ),
    (
        "art35_3_c",
        "systematic monitoring of a publicly accessible area on a large scale",
        "systematisk overvåking av offentlig tilgjengelig område i stor skala",
        "Art. 35(3)(c)",
    ),
    *((item.key, item.en, item.nb, "Art. 35(4)") for item in DPIA_LIST_NO),
)
# How serious a finding of the checks is (ropa.checks).
SEVERITIES = _terms(("error", "error", "feil"), ("warning", "warning", "advarsel"), ("info", "note", "merknad"))

# What the screening concludes (ropa.dpia.screen).
DPIA_RESULTS = _terms(
    ("required", "DPIA required", "DPIA påkrevd", "Art. 35(3), 35(4)"),
    ("likely", "DPIA likely needed", "DPIA sannsynligvis nødvendig", "Art. 35(1)"),
    ("consider", "DPIA to be considered", "DPIA bør vurderes", "Art. 35(1)"),
    ("not_needed", "DPIA not needed", "DPIA ikke nødvendig", "Art. 35(1)"),
    ("incomplete", "screening incomplete", "vurderingen er ikke fullført", "Art. 35(1)"),
)
WP248_CRITERIA = tuple(k for k, t in DPIA_CRITERIA.items() if (t.article or "").startswith("WP248"))
ART35_3_CASES = tuple(k for k in DPIA_CRITERIA if k.startswith("art35"))


def term_label(vocab: dict[str, Term], code: Optional[str], lang: str = "en") -> str:
    """The label of a code, or the code itself when the vocabulary does not know it."""
    if code is None:
        return ""
    term = vocab.get(code)
    return term.label(lang) if term else code


# --- fideslang taxonomy --------------------------------------------------------------------------

_CATEGORY_NB = {
    "system": "systemdata",
    "system.authentication": "autentiseringsdata",
    "system.operations": "driftsdata",
    "user": "brukerdata",
    "user.account": "kontoinformasjon",
    "user.authorization": "tilgangsinformasjon",
    "user.behavior": "observert atferd",
    "user.biometric": "biometriske opplysninger",
    "user.childrens": "opplysninger om barn",
    "user.contact": "kontaktopplysninger",
    "user.content": "brukerinnhold",
    "user.demographic": "demografiske opplysninger",
    "user.location": "posisjonsdata",
    "user.device": "enhetsdata",
    "user.payment": "betalingsopplysninger",
    "user.social": "sosiale data",
    "user.unique_id": "unik identifikator",
    "user.telemetry": "telemetridata",
    "user.user_sensor": "sensordata fra brukeren",
    "user.workplace": "arbeidssted",
    "user.sensor": "sensordata",
    "user.financial": "økonomiske opplysninger",
    "user.government_id": "offentlig identifikasjon",
    "user.health_and_medical": "helseopplysninger",
    "user.name": "navn",
    "user.criminal_history": "straffehistorikk",
    "user.privacy_preferences": "personvernvalg",
    "user.job_title": "stillingstittel",
    "user.account.settings": "kontoinnstillinger",
    "user.account.username": "brukernavn",
    "user.authorization.credentials": "passord for konto",
    "user.authorization.biometric": "biometrisk pålogging",
    "user.authorization.password": "passord",
    "user.behavior.browsing_history": "nettleserhistorikk",
    "user.behavior.media_consumption": "mediebruk",
    "user.behavior.purchase_history": "kjøpshistorikk",
    "user.behavior.search_history": "søkehistorikk",
    "user.biometric.fingerprint": "fingeravtrykk",
    "user.biometric.retinal": "netthinneskanning",
    "user.biometric.voice": "stemmeopptak",
    "user.biometric.health": "biometriske helseopplysninger",
    "user.contact.address": "adresse",
    "user.contact.email": "e-postadresse",
    "user.contact.phone_number": "telefonnummer",
    "user.contact.url": "nettsted",
    "user.contact.fax_number": "faksnummer",
    "user.contact.organization": "organisasjon",
    "user.contact.address.city": "poststed",
    "user.contact.address.country": "land",
    "user.contact.address.postal_code": "postnummer",
    "user.contact.address.state": "fylke/delstat",
    "user.contact.address.street": "gateadresse",
    "user.content.private": "privat innhold",
    "user.content.public": "offentlig innhold",
    "user.content.self_image": "bilde av brukeren",
    "user.demographic.age_range": "aldersgruppe",
    "user.demographic.date_of_birth": "fødselsdato",
    "user.demographic.gender": "kjønn",
    "user.demographic.language": "språk",
    "user.demographic.marital_status": "sivilstand",
    "user.demographic.political_opinion": "politisk oppfatning",
    "user.demographic.profile": "brukerprofil",
    "user.demographic.race_ethnicity": "etnisk opprinnelse",
    "user.demographic.religious_belief": "religion",
    "user.demographic.sexual_orientation": "seksuell orientering",
    "user.device.cookie": "informasjonskapsel",
    "user.device.cookie_id": "informasjonskapsel-ID",
    "user.device.device_id": "enhets-ID",
    "user.device.ip_address": "IP-adresse",
    "user.financial.bank_account": "bankkontoopplysninger",
    "user.financial.credit_card": "kredittkortopplysninger",
    "user.government_id.birth_certificate": "fødselsattest",
    "user.government_id.drivers_license_number": "førerkortnummer",
    "user.government_id.immigration": "utlendingsidentitet",
    "user.government_id.national_identification_number": "fødselsnummer",
    "user.government_id.passport_number": "passnummer",
    "user.government_id.vehicle_registration": "kjøretøyregistrering",
    "user.health_and_medical.genetic": "genetiske opplysninger",
    "user.health_and_medical.insurance_beneficiary_id": "helseforsikrings-ID",
    "user.health_and_medical.record_id": "journalnummer",
    "user.location.imprecise": "omtrentlig posisjon",
    "user.location.precise": "nøyaktig posisjon",
    "user.name.first": "fornavn",
    "user.name.last": "etternavn",
    "user.unique_id.pseudonymous": "pseudonym bruker-ID",
}
_USE_NB = {
    "analytics": "analyse",
    "analytics.reporting": "analyse for rapportering",
    "collect": "innsamling",
    "employment": "arbeidsforhold",
    "employment.recruitment": "rekruttering",
    "essential": "nødvendig",
    "essential.fraud_detection": "svindelavdekking",
    "essential.legal_obligation": "rettslig forpliktelse",
    "essential.service": "nødvendig for tjenesten",
    "essential.service.authentication": "autentisering",
    "essential.service.notifications": "varsler",
    "essential.service.operations": "drift",
    "essential.service.payment_processing": "betalingsbehandling",
    "essential.service.security": "sikkerhet",
    "finance": "økonomi",
    "functional": "funksjonell",
    "functional.service.improve": "forbedring av tjenesten",
    "marketing": "markedsføring",
    "marketing.advertising": "reklame og markedsføring",
    "marketing.communications": "markedsføringshenvendelser",
    "marketing.communications.email": "markedsføring på e-post",
    "marketing.communications.sms": "markedsføring på SMS",
    "marketing.advertising.profiling": "profilering for reklame",
    "marketing.advertising.third_party": "tredjepartsreklame",
    "operations": "drift",
    "personalize": "tilpasning",
    "personalize.profiling": "profilering for tilpasning",
    "sales": "salg",
    "third_party_sharing": "deling med tredjeparter",
    "third_party_sharing.legal_obligation": "utlevering etter rettslig forpliktelse",
    "train_ai_system": "trening av KI-system",
}
_SUBJECT_NB = {
    "anonymous_user": "anonym bruker",
    "citizen_voter": "innbygger/velger",
    "commuter": "pendler",
    "consultant": "konsulent",
    "customer": "kunde",
    "employee": "ansatt",
    "job_applicant": "jobbsøker",
    "next_of_kin": "pårørende",
    "passenger": "passasjer",
    "patient": "pasient",
    "prospect": "potensiell kunde",
    "shareholder": "aksjonær",
    "supplier_vendor": "leverandør",
    "trainee": "lærling/trainee",
    "visitor": "besøkende",
}


def lower_case(title: str) -> str:
    """fideslang's Title Case names in lower case like every other label ("Date of Birth" -> "date of birth");
    acronyms stay ("IP Address" -> "IP address")."""
    return re.sub(r"\b([A-Z])(?=[a-z'])", lambda m: m.group(1).lower(), title)


@cache
def _taxonomy() -> tuple[dict[str, Term], dict[str, Term], dict[str, Term]]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY as t

    def build(items: list, nb: dict[str, str]) -> dict[str, Term]:
        return {i.fides_key: Term(i.fides_key, lower_case(i.name), nb.get(i.fides_key, lower_case(i.name))) for i in items}

    return build(t.data_category, _CATEGORY_NB), build(t.data_use, _USE_NB), build(t.data_subject, _SUBJECT_NB)


DATA_CATEGORIES, DATA_USES, DATA_SUBJECTS = _taxonomy()

# Art. 9(1) categories in fideslang's taxonomy. A voice recording (fideslang "user.biometric.voice",
# e.g. a recorded support call) is biometric data only when processed to identify someone
# uniquely (Art. 4(14)); it is left out here, and a DPO records it as special where it is.
SPECIAL_CATEGORY_KEYS = frozenset(
    k
    for k in DATA_CATEGORIES
    if (k.startswith(("user.health_and_medical", "user.biometric", "user.authorization.biometric")) and k != "user.biometric.voice")
    or k
    in {"user.demographic.political_opinion", "user.demographic.race_ethnicity", "user.demographic.religious_belief", "user.demographic.sexual_orientation"}
)
CRIMINAL_CATEGORY_KEYS = frozenset(k for k in DATA_CATEGORIES if k.startswith("user.criminal_history"))
TAXONOMIES = {"data_category": DATA_CATEGORIES, "data_use": DATA_USES, "data_subject": DATA_SUBJECTS}


def taxonomy_label(kind: str, key: str, lang: str = "en", custom: Optional[dict[str, Term]] = None) -> str:
    """The label of a taxonomy key; an organisation's own terms win; free text comes back as is."""
    if custom and key in custom:
        return custom[key].label(lang)
    term = TAXONOMIES[kind].get(key)
    return term.label(lang) if term else key

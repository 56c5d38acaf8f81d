"""The controlled vocabularies of the register, every item labelled in English and bokmål.

Legal bases (Art. 6(1)), Art. 9(2) conditions, Art. 10, transfer mechanisms (Chapter V),
roles, statuses, recipient kinds, retention units and actions, DPIA statuses and the DPIA
screening criteria (WP248 rev.01 and Art. 35(3)); countries from pycountry with their
Norwegian names; EEA membership and the adequacy decisions in force; and fideslang's data
categories, data uses and data subjects.

The adequacy table below is the one place to update when the Commission adopts, renews or
withdraws a decision. Last checked 2026-11-24. Each decision keeps both of its dates: the
Commission's adoption, and its incorporation into the EEA Agreement (None where no source for it
was found; today that is every decision, see the note above the table). For an exporter in an
EEA EFTA state (Norway, Iceland, Liechtenstein) a decision applies from its incorporation; where
that date is not recorded, :func:`adequacy_in_force` judges by the adoption date, and every
finding that cites a decision says which date it relied on
(:meth:`AdequacyDecision.date_note`: "the Commission's adoption; the EEA incorporation date is
not recorded").
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache
from typing import Optional

import pycountry

@dataclass(frozen=True)
class Term:
    """One vocabulary item: a stable code, its labels, and the article it rests on."""

    code: str
    en: str
    nb: str
    article: Optional[str] = None

    def label(self, lang: str = "en") -> str:
        return self.nb if lang == "nb" else self.en

    def display(self, lang: str = "en") -> str:
        """With the article, as DPOs cite it: "Art. 6(1)(b) – avtale"."""
        if not self.article:
            return self.label(lang)
        return f"{article_in(self.article, lang)} – {self.label(lang)}"


# Citations whose words differ in bokmål; the rest ("Art. 6(1)(b)") read the same in both languages.
_ARTICLE_WORDS_NB = (("second subparagraph", "annet ledd"), ("recital", "fortalepunkt"))


def article_in(article: Optional[str], lang: str) -> str:
    """An article citation in the language: "Art. 49(1) second subparagraph" is "Art. 49(1) annet ledd" in bokmål."""
    if not article:
        return ""
    if lang == "nb":
        for en, nb in _ARTICLE_WORDS_NB:
            article = article.replace(en, nb)
    return article


def _terms(*items: tuple[str, str, str] | tuple[str, str, str, Optional[str]]) -> dict[str, Term]:
    return {item[0]: Term(*item) for item in items}


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
    ("art9_2_d", "not-for-profit body (foundation, association, trade union)",
     "ideell organisasjon (stiftelse, forening, fagforening)", "Art. 9(2)(d)"),
    ("art9_2_e", "manifestly made public by the data subject", "åpenbart offentliggjort av den registrerte", "Art. 9(2)(e)"),
    ("art9_2_f", "legal claims or courts", "rettskrav eller domstolenes virksomhet", "Art. 9(2)(f)"),
    ("art9_2_g", "substantial public interest", "viktige allmenne interesser", "Art. 9(2)(g)"),
    ("art9_2_h", "health or social care, preventive or occupational medicine",
     "helse- og sosialtjenester, forebyggende medisin eller arbeidsmedisin", "Art. 9(2)(h)"),
    ("art9_2_i", "public health", "folkehelse", "Art. 9(2)(i)"),
    ("art9_2_j", "archiving, research or statistics", "arkiv, forskning eller statistikk", "Art. 9(2)(j)"),
)

MECHANISMS = _terms(
    ("art45", "adequacy decision", "adekvansbeslutning", "Art. 45"),
    ("art46_2_a", "legally binding instrument between public authorities",
     "rettslig bindende instrument mellom offentlige myndigheter", "Art. 46(2)(a)"),
    ("art46_2_b", "binding corporate rules (BCR)", "bindende virksomhetsregler (BCR)", "Art. 46(2)(b)"),
    ("art46_2_c", "standard contractual clauses (SCC)", "standardpersonvernbestemmelser (SCC)", "Art. 46(2)(c)"),
    ("art46_2_d", "standard clauses adopted by a supervisory authority",
     "standardbestemmelser vedtatt av en tilsynsmyndighet", "Art. 46(2)(d)"),
    ("art46_2_e", "approved code of conduct", "godkjente atferdsnormer", "Art. 46(2)(e)"),
    ("art46_2_f", "approved certification mechanism", "godkjent sertifiseringsordning", "Art. 46(2)(f)"),
    ("art46_3_a", "contractual clauses authorised by the supervisory authority",
     "avtalevilkår godkjent av tilsynsmyndigheten", "Art. 46(3)(a)"),
    ("art46_3_b", "provisions in administrative arrangements between public authorities",
     "bestemmelser i administrative ordninger mellom offentlige myndigheter", "Art. 46(3)(b)"),
    ("art49_1_a", "derogation: explicit consent", "unntak: uttrykkelig samtykke", "Art. 49(1)(a)"),
    ("art49_1_b", "derogation: contract with the data subject", "unntak: avtale med den registrerte", "Art. 49(1)(b)"),
    ("art49_1_c", "derogation: contract in the data subject's interest",
     "unntak: avtale i den registrertes interesse", "Art. 49(1)(c)"),
    ("art49_1_d", "derogation: important reasons of public interest", "unntak: viktige allmenne interesser", "Art. 49(1)(d)"),
    ("art49_1_e", "derogation: legal claims", "unntak: rettskrav", "Art. 49(1)(e)"),
    ("art49_1_f", "derogation: vital interests", "unntak: vitale interesser", "Art. 49(1)(f)"),
    ("art49_1_g", "derogation: public register", "unntak: offentlig register", "Art. 49(1)(g)"),
    ("art49_1_2", "compelling legitimate interests (transfer not repetitive)",
     "tvingende berettigede interesser (overføring som ikke gjentas)", "Art. 49(1) second subparagraph"),
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
RETENTION_ACTIONS = _terms(("erase", "erase", "slett"), ("anonymise", "anonymise", "anonymiser"),
                           ("review", "review", "vurder på nytt"))
DPIA_STATUSES = _terms(
    ("not_assessed", "not assessed", "ikke vurdert"), ("not_needed", "not needed", "ikke nødvendig"),
    ("planned", "planned", "planlagt"), ("in_progress", "in progress", "pågår"), ("done", "done", "gjennomført"),
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


# Datatilsynet's list of processing that always requires a DPIA (Art. 35(4); "Liste over behandlinger
# som alltid krever vurdering av personvernkonsekvenser", datatilsynet.no, 2019), in the register's
# words: bokmål after Datatilsynet's, English ours. Checked against what was found of the list
# (the list's own page is not in the stored corpus):
#   [WR] Wikborg Rein, "List of processing operations where a DPIA is always required",
#        https://www.wr.no/en/news/list-of-processing-operations-where-a-dpia-is-always-required/
#   [EC] EuroCloud, "Norwegian DPA publishes list of processing activities with mandatory DPIA",
#        https://eurocloud.org/news/article/norwegian-dpa-publishes-list-of-processing-activities-with-mandatory-dpia/
#   [WH] Wiersholm, "Ny veiledning fra Datatilsynet om GDPR", https://wiersholm.no/nyhetsbrev/ny-veiledning-fra-datatilsynet-om-gdpr/
# Each item names the sources that show it; the two marked [kept] were on the list as this table
# had it and are not in the excerpts found: check them against datatilsynet.no when it changes.
DPIA_LIST_NO: tuple[ListedProcessing, ...] = (
    # [EC] "Processing of biometric data for ..." (identification), [kept] "with at least one other criterion"
    ListedProcessing("no_biometric", "biometric data to identify a person uniquely, with at least one other WP248 criterion",
                     "biometriske opplysninger for entydig identifisering, sammen med minst ett annet WP248-kriterium",
                     True, ("sensitive_data",), ("user.biometric", "user.authorization.biometric")),
    # [kept]
    ListedProcessing("no_genetic", "genetic data, with at least one other WP248 criterion",
                     "genetiske opplysninger, sammen med minst ett annet WP248-kriterium",
                     True, ("sensitive_data",), ("user.health_and_medical.genetic",)),
    # [WR] "processing of location data in conjunction with at least one other criterion"; [WH] "Der det benyttes lokasjonsdata"
    ListedProcessing("no_location", "location data, with at least one other WP248 criterion",
                     "lokasjonsdata, sammen med minst ett annet WP248-kriterium", True, (), ("user.location",)),
    # [WR] "data collected via third parties in conjunction with at least one other criterion"
    ListedProcessing("no_third_party", "personal data collected from third parties, with at least one other WP248 criterion",
                     "personopplysninger innhentet fra tredjepart, sammen med minst ett annet WP248-kriterium", True),
    # [WR] "processing of personal data without consent for scientific or historical purposes in conjunction with at
    # least one other criterion"
    ListedProcessing("no_research_no_consent",
                     "scientific or historical research without consent, with at least one other WP248 criterion",
                     "vitenskapelig eller historisk forskning uten samtykke, sammen med minst ett annet WP248-kriterium", True),
    # [WR] "measures for systematic monitoring of employee activities"; [WH] "systematisk monitorering av ansatte ...
    # kontrolltiltak med hjemmel i arbeidsmiljøloven kapittel 9, slik som kameraovervåkning eller overvåking av ansattes
    # internettaktivitet"
    ListedProcessing("no_employee_monitoring",
                     "systematic monitoring of employees' activity (control measures under the Working Environment Act "
                     "chapter 9, e.g. camera surveillance, monitoring of e-mail or internet use)",
                     "systematisk monitorering av ansattes aktivitet (kontrolltiltak etter arbeidsmiljøloven kapittel 9, "
                     "f.eks. kameraovervåking, innsyn i e-post eller overvåking av internettbruk)"),
    # [EC] "Collecting and combining data from third party sources for the purpose of deciding whether the data subject
    # will be offered a certain service"; [WH] "opplysninger som er mottatt fra en tredjepart for å kunne gi tilbud om et
    # produkt eller en tjeneste"
    ListedProcessing("no_third_party_offer",
                     "combining data from third parties to decide whether a person is offered, keeps or is refused a service or contract",
                     "sammenstilling av opplysninger fra tredjeparter for å avgjøre om en person får, beholder eller nektes en tjeneste "
                     "eller avtale"),
    # [WH] "analysemodeller ... for å forutsi personlige preferanser, interesser eller bevegelsesmønster"
    ListedProcessing("no_prediction",
                     "analysis models (profiling) that predict a person's preferences, interests, behaviour, location or movements, "
                     "e.g. for online advertising",
                     "analysemodeller (profilering) som forutsier personlige preferanser, interesser, atferd, posisjon eller "
                     "bevegelsesmønster, f.eks. for annonsering på nett"),
    # [WR] "processing of sensitive or highly personal data ..."; [WH] "innovativ teknologi ... kunstig intelligens eller
    # andre innovative tekniske løsninger benyttes for algoritmetrening"
    ListedProcessing("no_algorithm_training",
                     "special categories or highly personal data used to train algorithms (artificial intelligence)",
                     "særlige kategorier eller svært personlige opplysninger brukt til algoritmetrening (kunstig intelligens)"),
    # [kept]
    ListedProcessing("no_school", "evaluating learning, coping or well-being in schools or kindergartens",
                     "evaluering av læring, mestring eller trivsel i skoler eller barnehager"),
)
DPIA_LIST = {item.key: item for item in DPIA_LIST_NO}

# WP248 rev.01 (endorsed by the EDPB) nine criteria, then the Art. 35(3) cases, then Datatilsynet's list.
DPIA_CRITERIA = _terms(
    ("evaluation_scoring", "evaluation or scoring, including profiling", "evaluering eller poengsetting, herunder profilering", "WP248 1"),
    ("automated_decisions", "automated decisions with legal or similar significant effect",
     "automatiserte avgjørelser med rettslig eller tilsvarende betydelig virkning", "WP248 2"),
    ("systematic_monitoring", "systematic monitoring", "systematisk overvåking", "WP248 3"),
    ("sensitive_data", "sensitive or highly personal data", "særlige kategorier eller svært personlige opplysninger", "WP248 4"),
    ("large_scale", "data processed on a large scale", "behandling i stor skala", "WP248 5"),
    ("matching_datasets", "matching or combining datasets", "sammenstilling av datasett", "WP248 6"),
    ("vulnerable_subjects", "data concerning vulnerable data subjects", "sårbare registrerte", "WP248 7"),
    ("innovative_technology", "innovative use or new technology", "innovativ bruk eller ny teknologi", "WP248 8"),
    ("prevents_rights", "prevents exercising a right or using a service or contract",
     "hindrer utøvelse av en rettighet eller bruk av en tjeneste eller avtale", "WP248 9"),
    ("art35_3_a", "systematic and extensive evaluation with legal or similarly significant effects",
     "systematisk og omfattende vurdering med rettsvirkning eller tilsvarende betydelig virkning", "Art. 35(3)(a)"),
    ("art35_3_b", "large-scale special categories (Art. 9) or criminal data (Art. 10)",
     "særlige kategorier (art. 9) eller straffeopplysninger (art. 10) i stor skala", "Art. 35(3)(b)"),
    ("art35_3_c", "systematic monitoring of a publicly accessible area on a large scale",
     "systematisk overvåking av offentlig tilgjengelig område i stor skala", "Art. 35(3)(c)"),
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


# --- Countries -----------------------------------------------------------------------------------


class CountryStatus(str, Enum):
    EEA = "eea"
    ADEQUATE = "adequate"
    ADEQUATE_CONDITIONAL = "adequate_conditional"
    THIRD_COUNTRY = "third_country"


COUNTRY_STATUSES = _terms(
    ("eea", "EEA", "EØS"),
    ("adequate", "Adequacy decision", "Adekvansbeslutning", "Art. 45"),
    ("adequate_conditional", "Adequacy with conditions", "Adekvans med vilkår", "Art. 45"),
    ("third_country", "Third country", "Tredjestat"),
)

EEA_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # the 27 EU member states
    "IS", "LI", "NO",  # EEA EFTA states
})


@dataclass(frozen=True)
class AdequacyDecision:
    """A Commission decision under Art. 45 (or Directive 95/46 Art. 25(6), kept by Art. 45(9)).

    ``confirm`` says when a transfer must confirm that the importer is covered: ``"recipient"``
    for every importer (the United States: only organisations certified under the DPF; Canada:
    only commercial organisations subject to PIPEDA), ``"public_authority"`` only where the
    importer is a public body (Japan: the private sector only), None where the decision covers
    the importers the register can tell apart (Korea's exclusion, credit information held by
    financial institutions, is not one the register records).
    """

    country: str
    decision: str
    adopted: date
    conditional: bool
    scope_en: str
    scope_nb: str
    eea_incorporated: Optional[date] = None  # EEA Joint Committee decision in force; None: not recorded here
    confirm: Optional[str] = None

    def scope(self, lang: str = "en") -> str:
        return self.scope_nb if lang == "nb" else self.scope_en

    def needs_confirmation(self, recipient_kind: Optional[str]) -> bool:
        """Whether a transfer to this importer must confirm it is covered (see ``confirm``)."""
        if self.confirm == "recipient":
            return True
        return self.confirm == "public_authority" and recipient_kind == "public_authority"

    def relied_on(self, eea_efta: bool) -> tuple[str, date]:
        """Which date governs the decision for an exporter: ("eea", incorporation) for one in an EEA
        EFTA state when recorded; otherwise ("adoption", the Commission's adoption date), for an
        EEA EFTA exporter too when the incorporation is not recorded (and the note says so)."""
        if eea_efta and self.eea_incorporated:
            return "eea", self.eea_incorporated
        return "adoption", self.adopted

    def date_note(self, eea_efta: bool, lang: str = "en") -> str:
        """The date a judgement relied on, in words, e.g. "Commission Implementing Decision (EU)
        2023/1795, adopted by the Commission on 2023-07-10 (the date relied on: the Commission's
        adoption; the EEA incorporation date is not recorded)" for an exporter in Norway."""
        which, when = self.relied_on(eea_efta)
        nb = lang == "nb"
        if which == "eea":
            return (f"{self.decision}, innlemmet i EØS-avtalen {when.isoformat()} (datoen som er lagt til grunn: "
                    f"innlemmelsen i EØS-avtalen; Kommisjonen vedtok den {self.adopted.isoformat()})" if nb
                    else f"{self.decision}, incorporated into the EEA Agreement on {when.isoformat()} (the date relied on: "
                    f"the EEA incorporation; the Commission adopted it on {self.adopted.isoformat()})")
        if eea_efta:
            return (f"{self.decision}, vedtatt av Kommisjonen {when.isoformat()} (datoen som er lagt til grunn: Kommisjonens "
                    "vedtak; datoen for innlemmelse i EØS-avtalen er ikke registrert)" if nb
                    else f"{self.decision}, adopted by the Commission on {when.isoformat()} (the date relied on: the "
                    "Commission's adoption; the EEA incorporation date is not recorded)")
        return (f"{self.decision}, vedtatt av Kommisjonen {when.isoformat()} (datoen som er lagt til grunn: Kommisjonens vedtak)"
                if nb else f"{self.decision}, adopted by the Commission on {when.isoformat()} (the date relied on: the "
                "Commission's adoption)")


def _ad(country: str, decision: str, adopted: date, scope_en: str, scope_nb: str, conditional: bool = False,
        eea_incorporated: Optional[date] = None, confirm: Optional[str] = None) -> AdequacyDecision:
    return AdequacyDecision(country, decision, adopted, conditional, scope_en, scope_nb, eea_incorporated, confirm)


# The EEA incorporation dates (EEA Joint Committee decisions amending Annex XI) are None for every
# decision: searched for (EFTA, regjeringen.no's EØS-notatbase, europalov.no, EUR-Lex) and not found
# for any decision in this table, so none is recorded. The one found, JCD No 144/2017 of 7 July 2017
# (hsfnotes.com, "EU-US Privacy Shield adequacy decision incorporated into the EEA Agreement"), is
# for the Privacy Shield decision (EU) 2016/1250, invalidated in Schrems II and not in this table.
# Record a date here only with its Joint Committee decision number as the source.
# Why the adoption date is a sound fallback for an exporter in Norway, Iceland or Liechtenstein:
# JCD No 154/2018 of 6 July 2018 (incorporating the GDPR; German text at gesetze.li, LGBl.
# 2018/154), adaptation (e), inserts an Art. 45(1a) for the EFTA States: "Bis ein Beschluss des
# Gemeinsamen EWR-Ausschusses über die Aufnahme eines gemäss den Abs. 3 oder 5 dieses Artikels
# erlassenen Durchführungsrechtsakts in das EWR-Abkommen vorliegt, kann ein E[FTA-Staat] ..."
# (pending incorporation an EFTA State may apply it), and Datatilsynet said of the DPF decision of
# 2023-07-10 "Reglene trer i kraft umiddelbart" (datatilsynet.no, "Nye regler for overføring av
# personopplysninger til USA", 2023).
_ALL = ("All transfers under the GDPR.", "Alle overføringer etter personvernforordningen.")
ADEQUACY_DECISIONS: dict[str, AdequacyDecision] = {d.country: d for d in (
    _ad("AD", "Commission Decision 2010/625/EU", date(2010, 10, 19), *_ALL),
    _ad("AR", "Commission Decision 2003/490/EC", date(2003, 6, 30), *_ALL),
    _ad("BR", "Commission Implementing Decision (EU) 2026/179", date(2026, 1, 26), *_ALL),
    _ad("CA", "Commission Decision 2002/2/EC", date(2001, 12, 20),
        "Only commercial organisations subject to PIPEDA (Personal Information Protection and Electronic Documents Act).",
        "Bare kommersielle virksomheter som er omfattet av PIPEDA (kanadisk personvernlov for privat sektor).", True,
        confirm="recipient"),
    _ad("CH", "Commission Decision 2000/518/EC", date(2000, 7, 26), *_ALL),
    _ad("FO", "Commission Decision 2010/146/EU", date(2010, 3, 5), *_ALL),
    _ad("GB", "Commission Implementing Decision (EU) 2021/1772", date(2021, 6, 28),
        "All transfers under the GDPR; renewed by the Commission on 2025-12-19 until 2031-12-27.",
        "Alle overføringer etter personvernforordningen; fornyet av Kommisjonen 19.12.2025 til 27.12.2031."),
    _ad("GG", "Commission Decision 2003/821/EC", date(2003, 11, 21), *_ALL),
    _ad("IL", "Commission Decision 2011/61/EU", date(2011, 1, 31), *_ALL),
    _ad("IM", "Commission Decision 2004/411/EC", date(2004, 4, 28), *_ALL),
    _ad("JE", "Commission Decision 2008/393/EC", date(2008, 5, 8), *_ALL),
    _ad("JP", "Commission Implementing Decision (EU) 2019/419", date(2019, 1, 23),
        "Only private-sector business operators subject to the APPI (Act on the Protection of Personal Information).",
        "Bare private virksomheter som er omfattet av APPI (japansk personopplysningslov).", True,
        confirm="public_authority"),
    _ad("KR", "Commission Implementing Decision (EU) 2022/254", date(2021, 12, 17),
        "Organisations subject to PIPA; not e.g. personal credit information processed by financial institutions "
        "under the Credit Information Act.",
        "Virksomheter omfattet av PIPA; ikke f.eks. kredittopplysninger som finansinstitusjoner behandler etter "
        "Credit Information Act.", True),
    _ad("NZ", "Commission Implementing Decision 2013/65/EU", date(2012, 12, 19), *_ALL),
    _ad("US", "Commission Implementing Decision (EU) 2023/1795", date(2023, 7, 10),
        "Only organisations certified under the EU-US Data Privacy Framework (DPF).",
        "Bare virksomheter som er sertifisert under EU-US Data Privacy Framework (DPF).", True,
        confirm="recipient"),
    _ad("UY", "Commission Implementing Decision 2012/484/EU", date(2012, 8, 21), *_ALL),
)}


def adequacy(code: Optional[str]) -> Optional[AdequacyDecision]:
    return ADEQUACY_DECISIONS.get(code or "")


@cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: Optional[str]) -> bool:
    """A valid ISO 3166-1 alpha-2 code (upper case)."""
    return bool(code) and code in _alpha2()


EEA_EFTA_COUNTRIES = frozenset({"IS", "LI", "NO"})


def adequacy_in_force(code: Optional[str], on: Optional[date] = None, *, eea_efta: bool = False) -> bool:
    """Whether ``code`` has an adequacy decision in force on ``on`` (any date when None), judged
    by the date :meth:`AdequacyDecision.relied_on` picks for the exporter."""
    decision = ADEQUACY_DECISIONS.get(code or "")
    if decision is None:
        return False
    return on is None or decision.relied_on(eea_efta)[1] <= on


@cache
def country_status(code: Optional[str], on: Optional[date] = None, *, eea_efta: bool = False) -> Optional[CountryStatus]:
    """EEA, adequate, adequate with conditions, or third country; None for no/unknown code.

    A decision not yet in force on ``on`` does not count (to judge a transfer as of a date): for an
    exporter in an EEA EFTA state (``eea_efta``) from its incorporation into the EEA Agreement
    where recorded, otherwise from the Commission's adoption.
    """
    if not code or not is_country(code):
        return None
    if code in EEA_COUNTRIES:
        return CountryStatus.EEA
    decision = ADEQUACY_DECISIONS.get(code)
    if decision and adequacy_in_force(code, on, eea_efta=eea_efta):
        return CountryStatus.ADEQUATE_CONDITIONAL if decision.conditional else CountryStatus.ADEQUATE
    return CountryStatus.THIRD_COUNTRY


def country_status_label(code: Optional[str], lang: str = "en") -> str:
    """E.g. "Adequacy with conditions: Only organisations certified under the EU-US DPF"."""
    status = country_status(code)
    if status is None:
        return ""
    label = COUNTRY_STATUSES[status.value].label(lang)
    decision = adequacy(code)
    if status == CountryStatus.ADEQUATE_CONDITIONAL and decision:
        return f"{label}: {decision.scope(lang)}"
    return label


@cache
def _nb_catalogue() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nb_NO", "nb"])
    except OSError:  # pragma: no cover - pycountry always ships nb_NO
        return gettext.NullTranslations()


# Where pycountry's catalogue gives the formal name, the name Norwegians write.
_NB_COMMON = {"US": "USA", "KR": "Sør-Korea", "KP": "Nord-Korea", "RU": "Russland", "TW": "Taiwan", "IR": "Iran",
              "VN": "Vietnam", "SY": "Syria", "BO": "Bolivia", "VE": "Venezuela", "TZ": "Tanzania", "MD": "Moldova",
              "LA": "Laos", "CZ": "Tsjekkia"}


@cache
def country_name(code: Optional[str], lang: str = "en") -> str:
    """The country's name in English or bokmål; the code itself if unknown (cached: exports and
    checks ask for the same few countries hundreds of thousands of times)."""
    if not code:
        return ""
    if lang == "nb" and code in _NB_COMMON:
        return _NB_COMMON[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if lang != "nb":
        return english
    translated = _nb_catalogue().gettext(country.name)
    return translated if translated != country.name or not hasattr(country, "common_name") else english


def _sort_key(text: str) -> tuple[int, ...]:
    # Norwegian order: æ, ø, å after z.
    order = {"æ": 27, "ø": 28, "å": 29}
    return tuple(order.get(ch, ord(ch) - 96 if "a" <= ch <= "z" else 30 + ord(ch)) for ch in _strip_accents(text.lower()))


def _strip_accents(text: str) -> str:
    keep = {"æ", "ø", "å"}
    return "".join(ch if ch in keep else c for ch in text for c in unicodedata.normalize("NFKD", ch)[:1])


@cache
def countries(lang: str = "en") -> list[tuple[str, str]]:
    """Every country as (code, name in the language), in that language's alphabetical order."""
    items = [(c.alpha_2, country_name(c.alpha_2, lang)) for c in pycountry.countries]
    return sorted(items, key=lambda item: _sort_key(item[1]))


_ALIASES = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "amerika": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "storbritannia": "GB", "det forente kongerike": "GB",
    "south korea": "KR", "korea": "KR", "sør-korea": "KR", "sor-korea": "KR", "republic of korea": "KR",
    "russia": "RU", "russland": "RU", "hong kong": "HK", "hongkong": "HK", "taiwan": "TW", "vietnam": "VN",
    "iran": "IR", "syria": "SY", "czech republic": "CZ", "tsjekkia": "CZ", "holland": "NL", "nederland": "NL",
}


def _fold(text: str) -> str:
    return " ".join(_strip_accents(text.strip().casefold()).split())


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None), country_name(c.alpha_2, "nb")):
            if name:
                index.setdefault(_fold(name), c.alpha_2)
        index.setdefault(_fold(c.alpha_3), c.alpha_2)
    for alias, code in _ALIASES.items():
        index[_fold(alias)] = code
    return index


def fold_name(text: str) -> str:
    """A name as the country index compares it: lower case, accents off (æ ø å kept), spaces collapsed."""
    return _fold(text)


def country_names() -> dict[str, str]:
    """Every name, code and alias a country is written with (folded, see :func:`fold_name`) -> its ISO code."""
    return _name_index()


def find_country(text: Optional[str]) -> Optional[str]:
    """A country code from a code, alpha-3 code, English or bokmål name or common alias; else None."""
    if not text or not text.strip():
        return None
    raw = text.strip()
    if len(raw) == 2 and is_country(raw.upper()):
        return raw.upper()
    return _name_index().get(_fold(raw))


# --- fideslang taxonomy --------------------------------------------------------------------------

_CATEGORY_NB = {
    "system": "systemdata", "system.authentication": "autentiseringsdata", "system.operations": "driftsdata",
    "user": "brukerdata", "user.account": "kontoinformasjon", "user.authorization": "tilgangsinformasjon",
    "user.behavior": "observert atferd", "user.biometric": "biometriske opplysninger", "user.childrens": "opplysninger om barn",
    "user.contact": "kontaktopplysninger", "user.content": "brukerinnhold", "user.demographic": "demografiske opplysninger",
    "user.location": "posisjonsdata", "user.device": "enhetsdata", "user.payment": "betalingsopplysninger",
    "user.social": "sosiale data", "user.unique_id": "unik identifikator", "user.telemetry": "telemetridata",
    "user.user_sensor": "sensordata fra brukeren", "user.workplace": "arbeidssted", "user.sensor": "sensordata",
    "user.financial": "økonomiske opplysninger", "user.government_id": "offentlig identifikasjon",
    "user.health_and_medical": "helseopplysninger", "user.name": "navn", "user.criminal_history": "straffehistorikk",
    "user.privacy_preferences": "personvernvalg", "user.job_title": "stillingstittel",
    "user.account.settings": "kontoinnstillinger", "user.account.username": "brukernavn",
    "user.authorization.credentials": "passord for konto", "user.authorization.biometric": "biometrisk pålogging",
    "user.authorization.password": "passord", "user.behavior.browsing_history": "nettleserhistorikk",
    "user.behavior.media_consumption": "mediebruk", "user.behavior.purchase_history": "kjøpshistorikk",
    "user.behavior.search_history": "søkehistorikk", "user.biometric.fingerprint": "fingeravtrykk",
    "user.biometric.retinal": "netthinneskanning", "user.biometric.voice": "stemmeopptak",
    "user.biometric.health": "biometriske helseopplysninger", "user.contact.address": "adresse",
    "user.contact.email": "e-postadresse", "user.contact.phone_number": "telefonnummer", "user.contact.url": "nettsted",
    "user.contact.fax_number": "faksnummer", "user.contact.organization": "organisasjon",
    "user.contact.address.city": "poststed", "user.contact.address.country": "land",
    "user.contact.address.postal_code": "postnummer", "user.contact.address.state": "fylke/delstat",
    "user.contact.address.street": "gateadresse", "user.content.private": "privat innhold",
    "user.content.public": "offentlig innhold", "user.content.self_image": "bilde av brukeren",
    "user.demographic.age_range": "aldersgruppe", "user.demographic.date_of_birth": "fødselsdato",
    "user.demographic.gender": "kjønn", "user.demographic.language": "språk", "user.demographic.marital_status": "sivilstand",
    "user.demographic.political_opinion": "politisk oppfatning", "user.demographic.profile": "brukerprofil",
    "user.demographic.race_ethnicity": "etnisk opprinnelse", "user.demographic.religious_belief": "religion",
    "user.demographic.sexual_orientation": "seksuell orientering", "user.device.cookie": "informasjonskapsel",
    "user.device.cookie_id": "informasjonskapsel-ID", "user.device.device_id": "enhets-ID",
    "user.device.ip_address": "IP-adresse", "user.financial.bank_account": "bankkontoopplysninger",
    "user.financial.credit_card": "kredittkortopplysninger", "user.government_id.birth_certificate": "fødselsattest",
    "user.government_id.drivers_license_number": "førerkortnummer", "user.government_id.immigration": "utlendingsidentitet",
    "user.government_id.national_identification_number": "fødselsnummer", "user.government_id.passport_number": "passnummer",
    "user.government_id.vehicle_registration": "kjøretøyregistrering", "user.health_and_medical.genetic": "genetiske opplysninger",
    "user.health_and_medical.insurance_beneficiary_id": "helseforsikrings-ID",
    "user.health_and_medical.record_id": "journalnummer", "user.location.imprecise": "omtrentlig posisjon",
    "user.location.precise": "nøyaktig posisjon", "user.name.first": "fornavn", "user.name.last": "etternavn",
    "user.unique_id.pseudonymous": "pseudonym bruker-ID",
}
_USE_NB = {
    "analytics": "analyse", "analytics.reporting": "analyse for rapportering", "collect": "innsamling",
    "employment": "arbeidsforhold", "employment.recruitment": "rekruttering", "essential": "nødvendig",
    "essential.fraud_detection": "svindelavdekking", "essential.legal_obligation": "rettslig forpliktelse",
    "essential.service": "nødvendig for tjenesten", "essential.service.authentication": "autentisering",
    "essential.service.notifications": "varsler", "essential.service.operations": "drift",
    "essential.service.payment_processing": "betalingsbehandling", "essential.service.security": "sikkerhet",
    "finance": "økonomi", "functional": "funksjonell", "functional.service.improve": "forbedring av tjenesten",
    "marketing": "markedsføring", "marketing.advertising": "reklame og markedsføring",
    "marketing.communications": "markedsføringshenvendelser", "marketing.communications.email": "markedsføring på e-post",
    "marketing.communications.sms": "markedsføring på SMS", "marketing.advertising.profiling": "profilering for reklame",
    "marketing.advertising.third_party": "tredjepartsreklame", "operations": "drift", "personalize": "tilpasning",
    "personalize.profiling": "profilering for tilpasning", "sales": "salg", "third_party_sharing": "deling med tredjeparter",
    "third_party_sharing.legal_obligation": "utlevering etter rettslig forpliktelse", "train_ai_system": "trening av KI-system",
}
_SUBJECT_NB = {
    "anonymous_user": "anonym bruker", "citizen_voter": "innbygger/velger", "commuter": "pendler", "consultant": "konsulent",
    "customer": "kunde", "employee": "ansatt", "job_applicant": "jobbsøker", "next_of_kin": "pårørende",
    "passenger": "passasjer", "patient": "pasient", "prospect": "potensiell kunde", "shareholder": "aksjonær",
    "supplier_vendor": "leverandør", "trainee": "lærling/trainee", "visitor": "besøkende",
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
    k for k in DATA_CATEGORIES
    if (k.startswith(("user.health_and_medical", "user.biometric", "user.authorization.biometric")) and k != "user.biometric.voice")
    or k in {"user.demographic.political_opinion", "user.demographic.race_ethnicity", "user.demographic.religious_belief",
             "user.demographic.sexual_orientation"}
)
CRIMINAL_CATEGORY_KEYS = frozenset(k for k in DATA_CATEGORIES if k.startswith("user.criminal_history"))
TAXONOMIES = {"data_category": DATA_CATEGORIES, "data_use": DATA_USES, "data_subject": DATA_SUBJECTS}


def taxonomy_label(kind: str, key: str, lang: str = "en", custom: Optional[dict[str, Term]] = None) -> str:
    """The label of a taxonomy key; an organisation's own terms win; free text comes back as is."""
    if custom and key in custom:
        return custom[key].label(lang)
    term = TAXONOMIES[kind].get(key)
    return term.label(lang) if term else key


# --- Country search ------------------------------------------------------------------------------------

# What people type for a country that its names do not start with (either language).
_SEARCH_ALIASES = {
    **_ALIASES, "kina": "CN", "folkerepublikken kina": "CN", "prc": "CN", "amerikas forente stater": "US", "statene": "US",
    "sveits": "CH", "tyskland": "DE", "frankrike": "FR", "spania": "ES", "nederland": "NL", "sør-afrika": "ZA",
    "emiratene": "AE", "uae": "AE", "de forente arabiske emirater": "AE",
}


@cache
def _search_index(lang: str) -> list[tuple[str, tuple[str, ...]]]:
    """(code, folded names) in the language's order: the name in the language first, then the other
    language's, the English official name, the alpha-3 code and aliases."""
    other = "en" if lang == "nb" else "nb"
    aliases: dict[str, list[str]] = {}
    for alias, code in _SEARCH_ALIASES.items():
        aliases.setdefault(code, []).append(_fold(alias))
    out = []
    for code, name in countries(lang):
        c = pycountry.countries.get(alpha_2=code)
        names = [name, country_name(code, other), getattr(c, "official_name", None) or "", c.name if c else ""]
        folded = tuple(dict.fromkeys(n for n in (*(_fold(x) for x in names if x), *aliases.get(code, ())) if n))
        out.append((code, folded))
    return out


def search_countries(query: Optional[str], lang: str = "en", limit: Optional[int] = None) -> list[str]:
    """Country codes matching what a person typed, best first: the ISO code (alpha-2 or alpha-3) or a
    whole name or alias ("USA", "UK", "Kina"), then names starting with it, then names with a word
    starting with it, then names containing it; ties in the language's alphabetical order. An empty
    query gives every country in that order."""
    q = _fold(query or "")
    index = _search_index(lang)
    if not q:
        codes = [code for code, _ in index]
        return codes[:limit] if limit else codes
    exact_code = q.upper() if len(q) == 2 and is_country(q.upper()) else None
    alpha3 = pycountry.countries.get(alpha_3=q.upper()) if len(q) == 3 and q.isalpha() else None
    ranked: list[tuple[int, int, str]] = []
    for position, (code, names) in enumerate(index):
        if code == exact_code or (alpha3 is not None and code == alpha3.alpha_2) or q in names:
            rank = 0
        elif any(n.startswith(q) for n in names):
            rank = 1 if names[0].startswith(q) else 2
        elif any(w.startswith(q) for n in names for w in n.replace("-", " ").split()):
            rank = 3
        elif any(q in n for n in names):
            rank = 4
        else:
            continue
        ranked.append((rank, position, code))
    codes = [code for _, _, code in sorted(ranked)]
    return codes[:limit] if limit else codes

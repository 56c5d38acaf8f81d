"""The rules on an organisation and its recipients: contact details (Art. 30(1)(a), 30(2)(a)), the
representative (Art. 27), the Art. 30(5) exemption, the DPO (Art. 37) and processors' agreements
(Art. 28(3)). The facts they need from the organisation's activities are gathered in
:class:`_OrgFacts` while the activities are checked; see :mod:`ropa.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ropa import dpia, vocab
from ropa.activity_checks import has_criminal_data, special_categories
from ropa.rulebook import Finding, _Emit
from ropa.transfers import _country, establishment_countries, subject_to_gdpr, territorial_scope
from ropa.wording import has_agreement

# Data subjects whose processing is a support function, not a core activity (WP243 rev.01 2.1.2:
# paying employees or standard IT support are "ancillary", not core).
_ANCILLARY_SUBJECTS = frozenset({"employee", "job_applicant", "trainee", "consultant"})


@dataclass
class _OrgFacts:
    """What the organisation rules need from its activities, gathered while they are checked."""

    active: int = 0
    processor_only: bool = True  # every active activity is one the organisation does as a processor (Art. 30(2))
    large_scale_sensitive: bool = False  # Art. 37(1)(c): a core activity of large-scale special/criminal data
    large_scale_monitoring: bool = False  # Art. 37(1)(b)
    any_large_scale_sensitive: bool = False  # Art. 27(2)(a): any large-scale special/criminal data, core or not
    special_or_criminal: list[str] = field(default_factory=list)  # Art. 30(5): refs of activities with such data
    high_risk: list[str] = field(default_factory=list)  # Art. 30(5): refs of activities whose screening expects a DPIA

    def add(self, act: Mapping[str, Any]) -> None:
        if act.get("status") == "retired":
            return
        self.active += 1
        if act.get("role") != "processor":
            self.processor_only = False
        screening = (act.get("dpia") or {}).get("screening") or {}
        yes = {k for k, v in screening.items() if (v or {}).get("answer") is True}
        sensitive = bool(special_categories(act) or has_criminal_data(act))
        ref = act.get("ref") or ""
        if sensitive:
            self.special_or_criminal.append(ref)
        if screening and dpia.screen(screening, act).dpia_expected:
            self.high_risk.append(ref)
        large_sensitive = "art35_3_b" in yes or ("large_scale" in yes and sensitive)
        if large_sensitive:
            self.any_large_scale_sensitive = True
            if _core(act):
                self.large_scale_sensitive = True
        if ("art35_3_c" in yes or ("large_scale" in yes and "systematic_monitoring" in yes)) and _core(act):
            self.large_scale_monitoring = True

    def absorb(self, other: _OrgFacts) -> None:
        """Take in the facts of more activities (as if they had been added after these): an
        organisation's facts are the sum of its activities' own, so one change need not re-read all."""
        self.active += other.active
        self.processor_only &= other.processor_only
        self.large_scale_sensitive |= other.large_scale_sensitive
        self.large_scale_monitoring |= other.large_scale_monitoring
        self.any_large_scale_sensitive |= other.any_large_scale_sensitive
        self.special_or_criminal.extend(other.special_or_criminal)
        self.high_risk.extend(other.high_risk)


def activity_facts(act: Mapping[str, Any]) -> _OrgFacts:
    """What one activity adds to its organisation's facts (for :func:`check_organisation`)."""
    facts = _OrgFacts()
    facts.add(act)
    return facts


def _core(act: Mapping[str, Any]) -> bool:
    """Whether the activity can be a core activity (Art. 37(1)(b), (c)): not one whose data
    subjects are only the organisation's own staff (HR is a support function, WP243)."""
    subjects = act.get("data_subjects")
    if not isinstance(subjects, list) or not subjects:
        return True
    return not set(subjects) <= _ANCILLARY_SUBJECTS


def _representative(org: Mapping[str, Any], facts: _OrgFacts, emit: _Emit) -> None:
    """Art. 27: a controller or processor not established in the EEA to which Art. 3(2) applies
    designates a representative, unless Art. 27(2) exempts it."""
    where = establishment_countries(org)
    if not where or where & vocab.EEA_COUNTRIES:
        return
    if not (org.get("offers_to_eea") or org.get("monitors_eea")):
        return  # Art. 3(2) is not recorded as applying
    rep = org.get("representative") or {}
    rep_country = rep.get("country") if isinstance(rep, Mapping) else None
    if rep and rep_country and rep_country not in vocab.EEA_COUNTRIES and vocab.is_country(rep_country):
        ren, rnb = _country(rep_country)
        emit(
            "representative-missing",
            (
                f"{org['name']}'s representative is recorded in {ren}; a representative under Art. 27 is established in an EEA state "
                "where the data subjects are (Art. 27(3)).",
                f"Representanten til {org['name']} er registrert i {rnb}; en representant etter art. 27 skal være etablert i en EØS-stat "
                "der de registrerte befinner seg (art. 27 nr. 3).",
            ),
            (
                "Designate a representative established in an EEA state where the data subjects are, or correct the representative's country.",
                "Utpek en representant etablert i en EØS-stat der de registrerte befinner seg, eller rett representantens land.",
            ),
            field="representative.country",
            article="Art. 27(3)",
        )
        return
    if rep:
        return
    if org.get("public_authority"):
        return  # Art. 27(2)(b)
    if org.get("occasional_processing") and not facts.any_large_scale_sensitive and not facts.high_risk:
        return  # Art. 27(2)(a): occasional, no large-scale special/criminal data, unlikely to result in a risk
    country = org.get("country") or sorted(where)[0]
    cen, cnb = _country(country)
    how_en = " and ".join(
        x
        for x, on in (
            ("offers goods or services to people in the EEA (Art. 3(2)(a))", org.get("offers_to_eea")),
            ("monitors their behaviour (Art. 3(2)(b))", org.get("monitors_eea")),
        )
        if on
    )
    how_nb = " og ".join(
        x
        for x, on in (
            ("tilbyr varer eller tjenester til personer i EØS (art. 3 nr. 2 bokstav a)", org.get("offers_to_eea")),
            ("overvåker atferden deres (art. 3 nr. 2 bokstav b)", org.get("monitors_eea")),
        )
        if on
    )
    emit(
        "representative-missing",
        (
            f"{org['name']} is established in {cen}, with no establishment in the EEA, {how_en}, and no Art. 27 representative is recorded.",
            f"{org['name']} er etablert i {cnb}, uten etablering i EØS, {how_nb}, og ingen representant etter art. 27 er registrert.",
        ),
        (
            "Designate in writing a representative in an EEA state where the data subjects are, unless Art. 27(2) applies "
            "(occasional processing, no large-scale special categories or criminal data, unlikely to result in a risk; or a public authority).",
            "Utpek skriftlig en representant i en EØS-stat der de registrerte befinner seg, med mindre art. 27 nr. 2 gjelder "
            "(behandling av og til, ikke særlige kategorier eller straffeopplysninger i stor skala, lite sannsynlig risiko; eller offentlig myndighet).",
        ),
        field="representative.name",
    )


def _art30_5(org: Mapping[str, Any], facts: _OrgFacts, emit: _Emit) -> None:
    """Art. 30(5): the exemption holds only for fewer than 250 employees, and processing that is
    occasional, unlikely to result in a risk and without special categories or criminal data."""
    if not org.get("art30_5_assessment"):
        return
    reasons_en, reasons_nb = [], []
    if not org.get("fewer_than_250"):
        reasons_en.append("it is not recorded that the organisation has fewer than 250 employees")
        reasons_nb.append("det er ikke registrert at virksomheten har færre enn 250 ansatte")
    if not org.get("occasional_processing"):
        reasons_en.append("the processing is not recorded as occasional and unlikely to result in a risk")
        reasons_nb.append("behandlingen er ikke registrert som sporadisk og uten sannsynlig risiko")
    if facts.special_or_criminal:
        refs = ", ".join(facts.special_or_criminal[:10])
        reasons_en.append(f"special categories or criminal-offence data are processed ({refs})")
        reasons_nb.append(f"særlige kategorier eller straffeopplysninger behandles ({refs})")
    if facts.high_risk:
        refs = ", ".join(facts.high_risk[:10])
        reasons_en.append(f"the DPIA screening finds a likely high risk ({refs})")
        reasons_nb.append(f"DPIA-vurderingen tilsier sannsynlig høy risiko ({refs})")
    if reasons_en:
        emit(
            "art30-5-exemption-not-met",
            (
                "The Art. 30(5) exemption from keeping records is claimed, but " + "; ".join(reasons_en) + ".",
                "Unntaket i art. 30 nr. 5 fra plikten til å føre protokoll er påberopt, men " + "; ".join(reasons_nb) + ".",
            ),
            (
                "Keep the record of processing activities for this processing (Art. 30(1)), or correct the assessment.",
                "Før protokoll over behandlingsaktivitetene for denne behandlingen (art. 30 nr. 1), eller rett vurderingen.",
            ),
            field="art30_5_assessment",
        )


def _where(org: Mapping[str, Any]) -> tuple[str, str]:
    """The countries the organisation is established in, named in both languages."""
    names = [_country(c) for c in sorted(establishment_countries(org))]
    return ", ".join(n[0] for n in names), ", ".join(n[1] for n in names)


def _territorial_scope(org: Mapping[str, Any], facts: _OrgFacts, emit: _Emit) -> bool:
    """Art. 3: an organisation established only outside the EEA is subject to the GDPR only where
    it offers goods or services to or monitors people in the EEA (Art. 3(2)). Recorded as doing
    neither: one note and nothing else (False: judge no further). Not recorded: one finding asking
    for the answer, and the rest judged as if the GDPR applies."""
    scope = territorial_scope(org)
    if scope not in ("outside", "unrecorded"):
        return True
    wen, wnb = _where(org)
    if scope == "outside":
        n = facts.active
        acts_en = "its activity" if n == 1 else f"its {n} activities"
        acts_nb = "behandlingsaktiviteten" if n == 1 else f"de {n} behandlingsaktivitetene"
        emit(
            "outside-territorial-scope",
            (
                f"{org['name']} is established only in {wen}, outside the EEA, and records that it neither offers goods or services to "
                f"nor monitors the behaviour of people in the EEA: the GDPR does not apply to its processing (Art. 3(1), 3(2)), so "
                f"{acts_en}, its recipients and its transfers are not judged.",
                f"{org['name']} er etablert bare i {wnb}, utenfor EØS, og har registrert at den verken tilbyr varer eller tjenester til "
                f"eller overvåker atferden til personer i EØS: personvernforordningen gjelder ikke for behandlingen (art. 3 nr. 1 og 2), "
                f"så {acts_nb}, mottakerne og overføringene blir ikke vurdert.",
            ),
            (
                "If it does offer goods or services to people in the EEA or monitor their behaviour there, record that (Art. 3(2)): "
                "the GDPR then applies and its activities are judged.",
                "Hvis den likevel tilbyr varer eller tjenester til personer i EØS eller overvåker atferden deres der, registrer det "
                "(art. 3 nr. 2): da gjelder forordningen, og aktivitetene blir vurdert.",
            ),
            field="offers_to_eea",
        )
        return False
    missing = "monitors_eea" if org.get("offers_to_eea") is False else "offers_to_eea"
    emit(
        "territorial-scope-unrecorded",
        (
            f"{org['name']} is established only in {wen}, outside the EEA, and the record does not say whether it offers goods or "
            "services to or monitors the behaviour of people in the EEA: whether the GDPR applies (Art. 3(2)) and whether a "
            "representative is owed (Art. 27) depend on it.",
            f"{org['name']} er etablert bare i {wnb}, utenfor EØS, og det er ikke registrert om den tilbyr varer eller tjenester til "
            "eller overvåker atferden til personer i EØS: om forordningen gjelder (art. 3 nr. 2), og om det trengs en representant "
            "(art. 27), avhenger av det.",
        ),
        (
            "Record whether it offers goods or services to people in the EEA (Art. 3(2)(a)) and whether it monitors their behaviour "
            "there (Art. 3(2)(b)); until then its activities are judged as if the GDPR applies.",
            "Registrer om den tilbyr varer eller tjenester til personer i EØS (art. 3 nr. 2 bokstav a) og om den overvåker atferden "
            "deres der (bokstav b); inntil da blir aktivitetene vurdert som om forordningen gjelder.",
        ),
        field=missing,
    )
    return True


def check_organisation(org: Mapping[str, Any], facts: _OrgFacts) -> list[Finding]:
    emit = _Emit(org["name"], None)
    if not facts.active:
        return []
    if not _territorial_scope(org, facts, emit):
        return emit.out
    if not any(org.get(k) for k in ("email", "phone", "address")):
        if facts.processor_only:  # its records are a processor's (Art. 30(2)(a))
            who_en, who_nb, contact, contact_nb = "processor's", "databehandleren", "Art. 30(2)(a)", "art. 30 nr. 2 bokstav a"
        else:
            who_en, who_nb, contact, contact_nb = "controller's", "den behandlingsansvarlige", "Art. 30(1)(a)", "art. 30 nr. 1 bokstav a"
        emit(
            "art30-missing-field",
            (f"The {who_en} contact details are empty.", f"Kontaktopplysningene til {who_nb} er tomme."),
            (f"Record an address, e-mail or phone number ({contact}).", f"Registrer adresse, e-post eller telefon ({contact_nb})."),
            field="email",
            article=contact,
        )
    _representative(org, facts, emit)
    _art30_5(org, facts, emit)
    if not org.get("dpo"):
        why = article = None
        if org.get("public_authority"):
            why = (
                "it is a public authority or body (Art. 37(1)(a); courts acting in their judicial capacity excepted)",
                "den er en offentlig myndighet eller et offentlig organ (art. 37 nr. 1 bokstav a; domstoler i sin dømmende virksomhet unntatt)",
            )
            article = "Art. 37(1)(a)"
        elif facts.large_scale_sensitive:
            why = (
                "its core activities consist of processing special categories or criminal-offence data on a large scale (Art. 37(1)(c))",
                "kjerneaktiviteten består av behandling av særlige kategorier eller straffeopplysninger i stor skala (art. 37 nr. 1 bokstav c)",
            )
            article = "Art. 37(1)(c)"
        elif facts.large_scale_monitoring:
            why = (
                "its core activities include regular and systematic monitoring of people on a large scale (Art. 37(1)(b))",
                "kjerneaktiviteten omfatter regelmessig og systematisk overvåking av personer i stor skala (art. 37 nr. 1 bokstav b)",
            )
            article = "Art. 37(1)(b)"
        if why:
            emit(
                "dpo-missing",
                (f"No data protection officer is recorded, though {why[0]}.", f"Ikke noe personvernombud er registrert, selv om {why[1]}."),
                (
                    "Designate a DPO, publish the contact details and tell Datatilsynet (Art. 37(7)).",
                    "Utpek et personvernombud, publiser kontaktopplysningene og meld fra til Datatilsynet (art. 37 nr. 7).",
                ),
                field="dpo.name",
                severity="error" if org.get("public_authority") else "warning",
                article=article,
            )
    return emit.out


def check_recipient(org: str, rec: Mapping[str, Any], organisation: Optional[Mapping[str, Any]] = None) -> list[Finding]:
    """Findings about one recipient of ``org``; none where ``organisation`` (its dict) is outside
    the GDPR's territorial scope (Art. 3)."""
    if not subject_to_gdpr(organisation):
        return []
    emit = _Emit(org, None)
    if rec.get("kind") in ("processor", "sub_processor") and not has_agreement(rec.get("agreement")):
        said_en = said_nb = ""
        if (rec.get("agreement") or "").strip():
            said_en = f' (the reference says "{rec["agreement"].strip()}")'
            said_nb = f" (referansen sier «{rec['agreement'].strip()}»)"
        emit(
            "processor-without-agreement",
            (
                f"{rec['name']} processes data on the organisation's behalf, but no data processing agreement is recorded{said_en}.",
                f"{rec['name']} behandler opplysninger på vegne av virksomheten, men ingen databehandleravtale er registrert{said_nb}.",
            ),
            (
                "Conclude an Art. 28(3) agreement (or check the sub-processor's authorisation, Art. 28(2), (4)) and record its reference.",
                "Inngå en databehandleravtale etter art. 28 nr. 3 (eller kontroller godkjenningen av underdatabehandleren, "
                "art. 28 nr. 2 og 4) og registrer referansen.",
            ),
            field="agreement",
            recipient=rec["name"],
        )
    return emit.out


def art30_5_statement(org: Mapping[str, Any], lang: str = "en") -> Optional[str]:
    """The organisation's Art. 30(5) assessment as one sentence for the findings page and the
    workbook, or None when it records none."""
    text = (org.get("art30_5_assessment") or "").strip()
    if not text:
        return None
    nb = lang == "nb"
    facts = []
    if org.get("fewer_than_250"):
        facts.append("færre enn 250 ansatte" if nb else "fewer than 250 employees")
    if org.get("occasional_processing"):
        facts.append("sporadisk behandling som neppe medfører risiko" if nb else "occasional processing unlikely to result in a risk")
    said = f" ({', '.join(facts)})" if facts else ""
    return f"{org['name']} har vurdert unntaket i art. 30 nr. 5{said}: {text}" if nb else f"{org['name']} records an Art. 30(5) assessment{said}: {text}"

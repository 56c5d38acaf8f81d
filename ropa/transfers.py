"""Chapter V: the transfer rules (Art. 30(1)(e), 44-49) that :mod:`ropa.checks` runs on an activity.

Kept apart from the other rules because they carry their own geography: where the organisation is
established (Art. 3), whether it is subject to the GDPR at all (Chapter V binds only such an
exporter), and what each destination's adequacy status was on the date judged. Pure functions of
the same plain dicts as every rule; the findings go to the ``emit`` the caller passes in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Optional

from ropa import vocab
from ropa.grammar import possessive

# The collector a rule reports through (ropa.checks._Emit): rule code, (en, nb) message, (en, nb) fix, keywords.
Emit = Callable[..., None]

_NO_MECHANISM = (None, "", "none", "unknown")
# Instruments "between public authorities or bodies" (Art. 46(2)(a), 46(3)(b)): open only to an
# exporter that is one (EDPB Guidelines 2/2020: from EEA public bodies to public bodies abroad or
# international organisations).
# Art. 49(3): not for activities of public authorities in the exercise of their public powers (with the article in bokmål).
_NOT_FOR_PUBLIC_POWERS = {
    "art49_1_a": "art. 49 nr. 1 bokstav a",
    "art49_1_b": "art. 49 nr. 1 bokstav b",
    "art49_1_c": "art. 49 nr. 1 bokstav c",
    "art49_1_2": "art. 49 nr. 1 annet ledd",
}
_PUBLIC_BODIES_ONLY = {"art46_2_a": "art. 46 nr. 2 bokstav a", "art46_3_b": "art. 46 nr. 3 bokstav b"}  # with the article in bokmål


def establishment_countries(org: Optional[Mapping[str, Any]]) -> set[str]:
    """Where the organisation is established (Art. 3(1)): its country and its other establishments."""
    if not org:
        return set()
    return {c for c in (org.get("country"), *(org.get("establishments") or [])) if c}


def _efta_state(org: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The EEA EFTA state an exporter is established in (and not in the EU), which decides the
    date an adequacy decision applies from (:meth:`ropa.countries.AdequacyDecision.relied_on`):
    Norway first (it applies decisions from the Commission's adoption), then Iceland, Liechtenstein."""
    where = establishment_countries(org)
    if not where & vocab.EEA_EFTA_COUNTRIES or where & (vocab.EEA_COUNTRIES - vocab.EEA_EFTA_COUNTRIES):
        return None
    return next(c for c in ("NO", "IS", "LI") if c in where)


def _country(code: Optional[str]) -> tuple[str, str]:
    return vocab.country_name(code, "en") or str(code), vocab.country_name(code, "nb") or str(code)


def _mechanism(code: Optional[str]) -> tuple[str, str]:
    term = vocab.MECHANISMS.get(code or "unknown")
    return (term.display("en"), term.display("nb")) if term else (str(code), str(code))


def _kind(kind: Optional[str], lang: str) -> str:
    term = vocab.RECIPIENT_KINDS.get(kind or "other")
    return term.label(lang) if term else str(kind)


def _recipient_kind(act: Mapping[str, Any], t: Mapping[str, Any]) -> Optional[str]:
    if "recipient_kind" in t:
        return t.get("recipient_kind")
    recipients = act.get("recipients")
    if t.get("recipient") and isinstance(recipients, list):
        return next((r.get("kind") for r in recipients if r.get("name") == t["recipient"]), None)
    return None


def _own_processing(act: Mapping[str, Any], t: Mapping[str, Any], where: set[str]) -> bool:
    """Data the organisation keeps within itself: in a country where it is established, or with
    its own establishment (the same legal entity) anywhere. No disclosure to another controller
    or processor, so no transfer (EDPB Guidelines 05/2021, criterion 2; its own collection from
    people abroad is not one either)."""
    if t.get("international_organisation"):
        return False
    if t.get("recipient") and _recipient_kind(act, t) == "own_establishment":
        return True
    return t.get("country") in where and not t.get("recipient")


def art3_2(org: Optional[Mapping[str, Any]]) -> Optional[bool]:
    """Art. 3(2) as recorded: True where the organisation offers goods or services to (a) or
    monitors (b) people in the EEA, False where both are recorded as no, None where not recorded."""
    if not org:
        return None
    offers, monitors = org.get("offers_to_eea"), org.get("monitors_eea")
    if offers or monitors:
        return True
    return False if offers is False and monitors is False else None


def territorial_scope(org: Optional[Mapping[str, Any]]) -> str:
    """Why the GDPR reaches the organisation (Art. 3): ``"art3_1"`` (established in the EEA),
    ``"art3_2"`` (established only outside it, targeting or monitoring people there),
    ``"outside"`` (established only outside it, recorded as doing neither), ``"unrecorded"``
    (established only outside it, Art. 3(2) not answered) or ``"unknown"`` (no country recorded)."""
    where = establishment_countries(org)
    if not where:
        return "unknown"
    if where & vocab.EEA_COUNTRIES:
        return "art3_1"
    return {True: "art3_2", False: "outside", None: "unrecorded"}[art3_2(org)]


def subject_to_gdpr(org: Optional[Mapping[str, Any]]) -> bool:
    """Whether the organisation is to be judged by the GDPR (Art. 3): established in the EEA, or
    offering goods or services to or monitoring people there (Art. 3(2)). Only an organisation
    established only outside the EEA that records no to both is not; unknown (no organisation, no
    country, Art. 3(2) not answered) counts as subject, and the unanswered Art. 3(2) is a finding
    of its own. Chapter V binds only an exporter subject to the GDPR (EDPB Guidelines 05/2021,
    criterion 1)."""
    return territorial_scope(org) != "outside"


def transfers(act: Mapping[str, Any], emit: Emit, today: date, org: Optional[Mapping[str, Any]] = None) -> None:
    where_established = establishment_countries(org)
    efta = _efta_state(org)
    for i, t in enumerate(act.get("transfers") or []):
        code, mech, io = t.get("country"), t.get("mechanism"), t.get("international_organisation")
        where = f"transfers[{i}]"
        if not code and not io:
            emit(
                "transfer-destination-missing",
                (
                    "A transfer names no destination country or international organisation.",
                    "En overføring oppgir verken mottakerland eller internasjonal organisasjon.",
                ),
                ("Record where the data go (Art. 30(1)(e)).", "Registrer hvor opplysningene overføres (art. 30 nr. 1 bokstav e)."),
                field=where,
            )
            continue
        if _own_processing(act, t, where_established):
            continue
        # An international organisation is judged as such, wherever its seat: no adequacy decision covers one.
        status = vocab.CountryStatus.THIRD_COUNTRY if io else vocab.country_status(code, today, efta_state=efta)
        if status == vocab.CountryStatus.EEA or status is None:
            continue
        if io:
            den, dnb = f"the international organisation {io}", f"den internasjonale organisasjonen {io}"
            what_en = what_nb = ""  # named as what it is; never "a third country without an adequacy decision"
        else:
            cen, cnb = _country(code)
            den, dnb = cen, cnb
            what_en, what_nb = "a third country without an adequacy decision", "en tredjestat uten adekvansbeslutning"
        men, mnb = _mechanism(mech)
        decision = None if io else vocab.adequacy(code)
        kind = _recipient_kind(act, t)
        # An organisation recorded (public_authority false, the model's default) as no public authority or body.
        private_exporter = mech in _PUBLIC_BODIES_ONLY and org is not None and not org.get("public_authority")
        # A partial decision never reaches some importers (Canada's PIPEDA, Japan's APPI and the DPF
        # cover no public authority): for them the country is a third country without adequacy.
        outside = bool(decision and status != vocab.CountryStatus.THIRD_COUNTRY and decision.excludes(kind))
        if outside and decision:
            status = vocab.CountryStatus.THIRD_COUNTRY
            what_en = f"whose adequacy decision does not cover the importer, a {_kind(kind, 'en')} ({decision.scope('en')})"
            what_nb = f"der adekvansbeslutningen ikke omfatter mottakeren, en {_kind(kind, 'nb')} ({decision.scope('nb')})"
        if status == vocab.CountryStatus.THIRD_COUNTRY:
            if mech in _NO_MECHANISM:
                said = "none is recorded" if mech in (None, "", "none") else "the record says it is unknown"
                said_nb = "ingen er registrert" if mech in (None, "", "none") else "registeret sier at det er ukjent"
                not_yet_en = not_yet_nb = ""
                if decision and not outside:  # a decision exists but is not in force on the date judged
                    not_yet_en = f" ({decision.date_note(efta, 'en')}; not in force on {today.isoformat()})"
                    not_yet_nb = f" ({decision.date_note(efta, 'nb')}; ikke i kraft {today.isoformat()})"
                emit(
                    "transfer-without-mechanism",
                    (
                        f"Transfer to {den}{', ' + what_en if what_en else ''}{not_yet_en}, with no transfer mechanism: {said}.",
                        f"Overføring til {dnb}{', ' + what_nb if what_nb else ''}{not_yet_nb}, uten overføringsgrunnlag: {said_nb}.",
                    ),
                    (
                        (
                            "Put Art. 46 safeguards in place (with an international organisation usually a legally binding instrument or "
                            "an administrative arrangement, Art. 46(2)(a), 46(3)(b)), rely on an Art. 49 derogation where it fits, or stop "
                            "the transfer.",
                            "Etabler garantier etter art. 46 (med en internasjonal organisasjon vanligvis et rettslig bindende instrument "
                            "eller en administrativ ordning, art. 46 nr. 2 bokstav a og nr. 3 bokstav b), bruk et unntak etter art. 49 der "
                            "det passer, eller stans overføringen.",
                        )
                        if io
                        else (
                            "Put standard contractual clauses (Art. 46(2)(c)) or BCRs in place, with a transfer impact assessment, or stop the transfer.",
                            "Inngå standardpersonvernbestemmelser (art. 46 nr. 2 bokstav c) eller BCR, med en vurdering av overføringen (TIA), "
                            "eller stans overføringen.",
                        )
                    ),
                    field=where,
                )
            elif mech == "art45":
                when_en = when_nb = ""
                if decision and not outside:  # one exists, but not in force on the date judged (by the date relied on)
                    when_en = f" on {today.isoformat()} ({decision.date_note(efta, 'en')})"
                    when_nb = f" {today.isoformat()} ({decision.date_note(efta, 'nb')})"
                claimed = (
                    (
                        f"Adequacy (Art. 45) is claimed for {den}, but its adequacy decision ({decision.date_note(efta, 'en')}) does not cover "
                        f"the importer, a {_kind(kind, 'en')}: {decision.scope('en')}",
                        f"Adekvans (art. 45) er oppgitt for {dnb}, men adekvansbeslutningen ({decision.date_note(efta, 'nb')}) omfatter ikke "
                        f"mottakeren, en {_kind(kind, 'nb')}: {decision.scope('nb')}",
                    )
                    if outside and decision
                    else (
                        f"Adequacy (Art. 45) is claimed for {den}, but there is no adequacy decision in force for it{when_en}.",
                        f"Adekvans (art. 45) er oppgitt for {dnb}, men det finnes ingen adekvansbeslutning i kraft for den{when_nb}.",
                    )
                )
                emit(
                    "transfer-adequacy-scope",
                    claimed,
                    (
                        "Use another mechanism, normally standard contractual clauses (Art. 46(2)(c)).",
                        "Bruk et annet overføringsgrunnlag, normalt standardpersonvernbestemmelser (art. 46 nr. 2 bokstav c).",
                    ),
                    field=where,
                    severity="error",
                )
            elif mech.startswith("art46") and not t.get("tia_date") and not io and not private_exporter:  # a TIA weighs a country's law
                emit(
                    "transfer-tia-missing",
                    (
                        f"Transfer to {den} under {men} without a recorded transfer impact assessment.",
                        f"Overføring til {dnb} med {mnb} uten registrert vurdering av overføringen (TIA).",
                    ),
                    (
                        "Assess the law and practice of the destination (EDPB Recommendations 01/2020) and record the date.",
                        "Vurder lov og praksis i mottakerlandet (EDPBs anbefalinger 01/2020) og registrer datoen.",
                    ),
                    field=where,
                )
        elif (
            status == vocab.CountryStatus.ADEQUATE_CONDITIONAL
            and mech in ("art45", *_NO_MECHANISM)
            and not t.get("adequacy_scope_confirmed")
            and decision
            and decision.needs_confirmation(kind)
        ):
            scope_en, scope_nb = (decision.scope("en"), decision.scope("nb")) if decision else ("", "")
            note_en, note_nb = (decision.date_note(efta, "en"), decision.date_note(efta, "nb")) if decision else ("", "")
            emit(
                "transfer-adequacy-scope",
                (
                    f"{possessive(den)} adequacy decision ({note_en}) is limited ({scope_en}) and it is not confirmed that the recipient is covered.",
                    f"Adekvansbeslutningen for {dnb} ({note_nb}) er avgrenset ({scope_nb}), og det er ikke bekreftet at mottakeren er omfattet.",
                ),
                (
                    "Confirm the recipient is covered (for the United States: its active DPF certification) and tick 'scope confirmed', "
                    "or use standard contractual clauses.",
                    "Bekreft at mottakeren er omfattet (for USA: aktiv DPF-sertifisering) og kryss av for «omfang bekreftet», "
                    "eller bruk standardpersonvernbestemmelser.",
                ),
                field=where,
            )
        if private_exporter and status != vocab.CountryStatus.ADEQUATE and org is not None:
            emit(
                "transfer-mechanism-not-available",
                (
                    f"The transfer to {den} relies on {men} ({vocab.MECHANISMS[mech].article}), an instrument between public authorities "
                    f"or bodies, but {org.get('name') or 'the organisation'} is not recorded as a public authority or body: only one may "
                    "rely on it as exporter (Art. 46(2)(a), 46(3)(b); EDPB Guidelines 2/2020).",
                    f"Overføringen til {dnb} bygger på {mnb} ({_PUBLIC_BODIES_ONLY[mech]}), et instrument mellom offentlige "
                    f"myndigheter eller organer, men {org.get('name') or 'virksomheten'} er ikke registrert som offentlig myndighet eller "
                    "organ: bare en slik kan bruke det som eksportør (art. 46 nr. 2 bokstav a og nr. 3 bokstav b; EDPBs retningslinjer 2/2020).",
                ),
                (
                    "Use a mechanism open to a private exporter, normally standard contractual clauses (Art. 46(2)(c)) with a transfer "
                    "impact assessment, or correct the record if the organisation is a public authority or body.",
                    "Bruk et overføringsgrunnlag en privat eksportør kan bruke, normalt standardpersonvernbestemmelser (art. 46 nr. 2 "
                    "bokstav c) med vurdering av overføringen (TIA), eller rett registreringen hvis virksomheten er en offentlig myndighet eller et organ.",
                ),
                field=f"{where}.mechanism",
                article=vocab.MECHANISMS[mech].article,
            )
        if mech in _NOT_FOR_PUBLIC_POWERS and org is not None and org.get("public_authority") and status != vocab.CountryStatus.ADEQUATE:
            emit(
                "transfer-mechanism-not-available",
                (
                    f"The transfer to {den} relies on {men} ({vocab.MECHANISMS[mech].article}), which does not apply to activities "
                    "of public authorities in the exercise of their public powers (Art. 49(3)), and the organisation is a public authority or body.",
                    f"Overføringen til {dnb} bygger på {mnb} ({_NOT_FOR_PUBLIC_POWERS[mech]}), som ikke gjelder for offentlige "
                    "myndigheters virksomhet når de utøver offentlig myndighet (art. 49 nr. 3), og virksomheten er en offentlig myndighet eller et organ.",
                ),
                (
                    "For a task in the exercise of public powers use Art. 46 safeguards (e.g. Art. 46(2)(a) with a public body) or an "
                    "Art. 49(1)(d) public-interest derogation recognised in law; say so where the transfer is outside those powers.",
                    "For en oppgave som ledd i offentlig myndighetsutøvelse, bruk garantier etter art. 46 (f.eks. art. 46 nr. 2 bokstav a "
                    "med et offentlig organ) eller unntaket for viktige allmenne interesser anerkjent i lov (art. 49 nr. 1 bokstav d); "
                    "si fra der overføringen ligger utenfor myndighetsutøvelsen.",
                ),
                field=f"{where}.mechanism",
                article="Art. 49(3)",
                severity="warning",
            )
        if mech in vocab.ART49_NOT_REPETITIVE and status != vocab.CountryStatus.ADEQUATE and not (t.get("safeguard") or "").strip():
            emit(
                "art30-missing-field",
                (
                    f"The transfer to {den} relies on compelling legitimate interests (Art. 49(1) second subparagraph), "
                    "but the record does not document the suitable safeguards.",
                    f"Overføringen til {dnb} bygger på tvingende berettigede interesser (art. 49 nr. 1 annet ledd), "
                    "men protokollen dokumenterer ikke de nødvendige garantiene.",
                ),
                (
                    "Record the assessment and the suitable safeguards (Art. 30(1)(e), 30(2)(c), 49(6)), and inform the supervisory authority "
                    "and the data subject (Art. 49(1) second subparagraph).",
                    "Registrer vurderingen og garantiene (art. 30 nr. 1 bokstav e, nr. 2 bokstav c og art. 49 nr. 6), og informer "
                    "tilsynsmyndigheten og den registrerte (art. 49 nr. 1 annet ledd).",
                ),
                field=f"{where}.safeguard",
                article="Art. 30(1)(e), 49(6)",
                severity="warning",
            )
        if (
            t.get("frequency") == "regular" and mech in vocab.ART49_OCCASIONAL_ONLY | vocab.ART49_NOT_REPETITIVE and status != vocab.CountryStatus.ADEQUATE
        ):  # an adequate country needs no derogation at all
            if mech in vocab.ART49_NOT_REPETITIVE:
                limit_en = "is only for a transfer that is not repetitive (and concerns a limited number of data subjects)"
                limit_nb = "gjelder bare en overføring som ikke gjentas (og som gjelder et begrenset antall registrerte)"
            else:
                limit_en = "is only for occasional transfers (recital 111)"
                limit_nb = "gjelder bare enkeltstående overføringer (fortalepunkt 111)"
            emit(
                "transfer-derogation-repeated",
                (
                    f"The derogation {men} {limit_en}, but it is used for a regular, repeated transfer to {den}.",
                    f"Unntaket {mnb} {limit_nb}, men brukes for en regelmessig, gjentatt overføring til {dnb}.",
                ),
                (
                    "Only Art. 49(1)(b), (c) and (e) are limited to occasional transfers, and the second subparagraph to transfers "
                    "that are not repetitive (EDPB Guidelines 2/2018): for a regular transfer put Art. 46 safeguards in place.",
                    "Bare art. 49 nr. 1 bokstav b, c og e er begrenset til enkeltstående overføringer, og annet ledd til overføringer "
                    "som ikke gjentas (EDPBs retningslinjer 2/2018): for en regelmessig overføring, bruk garantier etter art. 46.",
                ),
                field=where,
                article=vocab.MECHANISMS[mech].article,
            )


def recipients_abroad(act: Mapping[str, Any], emit: Emit) -> None:
    """A recipient located in a third country with no transfer to that country recorded (Art.
    30(1)(e), 44). Disclosure to another controller or processor there is a transfer even where
    the organisation is itself established in that country (EDPB Guidelines 05/2021, criterion 3);
    only its own establishment (the same legal entity) is not another party."""
    recipients = act.get("recipients")
    if not isinstance(recipients, list):
        return
    recorded = {t.get("country") for t in act.get("transfers") or [] if t.get("country")}
    for r in recipients:
        code = r.get("country")
        if not code or code in recorded or r.get("kind") == "own_establishment":
            continue
        status = vocab.country_status(code)
        if status in (None, vocab.CountryStatus.EEA):
            continue
        cen, cnb = _country(code)
        adequate_en = adequate_nb = ""
        if status != vocab.CountryStatus.THIRD_COUNTRY:  # adequacy makes it lawful, not unrecorded (Art. 30(1)(e))
            adequate_en = " (an adequacy decision may cover it, but the transfer is still to be recorded)"
            adequate_nb = " (en adekvansbeslutning kan dekke den, men overføringen skal likevel registreres)"
        emit(
            "recipient-transfer-missing",
            (
                f"{r['name']} is located in {cen}, a third country, but the activity records no transfer to {cen}{adequate_en}.",
                f"{r['name']} holder til i {cnb}, en tredjestat, men aktiviteten har ingen registrert overføring til {cnb}{adequate_nb}.",
            ),
            (
                f"Record the transfer to {cen} with its mechanism (Art. 30(1)(e), 44–49), or correct the recipient's country.",
                f"Registrer overføringen til {cnb} med overføringsgrunnlag (art. 30 nr. 1 bokstav e og 44–49), eller rett mottakerens land.",
            ),
            field="transfers",
            recipient=r["name"],
        )

"""The rules on one activity: the Art. 30 fields, the legal basis (Art. 6, 9, 10), retention, the
DPIA and the review, and (from :mod:`ropa.transfers`) Chapter V. Pure functions of an activity's
plain dict (and its organisation's, for where it is established); see :mod:`ropa.checks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Optional

from ropa import dpia, vocab
from ropa.rulebook import Finding, _Emit, _label
from ropa.terms import article_in
from ropa.transfers import recipients_abroad as _recipients_abroad
from ropa.transfers import subject_to_gdpr
from ropa.transfers import transfers as _transfers
from ropa.wording import _ART6_ONLY, _says_none, is_open_ended_retention, is_vague_retention


def special_categories(act: Mapping[str, Any]) -> set[str]:
    """Special categories recorded, or implied by the data categories (fideslang keys)."""
    return set(act.get("special_categories") or []) | (set(act.get("data_categories") or []) & vocab.SPECIAL_CATEGORY_KEYS)


def has_criminal_data(act: Mapping[str, Any]) -> bool:
    return bool(act.get("criminal_data")) or bool(set(act.get("data_categories") or []) & vocab.CRIMINAL_CATEGORY_KEYS)


def _missing_fields(act: Mapping[str, Any], emit: _Emit) -> None:
    role = act.get("role") or "controller"
    if role == "processor":  # Art. 30(2): whom it acts for and what it does for them
        missing = [] if act.get("controllers") else [("controllers", "Art. 30(2)(a)")]
        if not act.get("purposes") and not act.get("description"):
            missing.append(("purposes", "Art. 30(2)(b)"))
        where_possible = [("security_measures", "Art. 30(2)(d)")]
    else:
        required = [("purposes", "Art. 30(1)(b)"), ("data_subjects", "Art. 30(1)(c)"), ("data_categories", "Art. 30(1)(c)")]
        if not act.get("no_recipients"):  # "have been or will be disclosed": recording that there are none answers it
            required.append(("recipients", "Art. 30(1)(d)"))
        if role == "joint_controller":
            required.append(("controllers", "Art. 26, 30(1)(a)"))
        # special categories and criminal-offence data are categories of personal data too (Art. 30(1)(c))
        categories = act.get("data_categories") or act.get("special_categories") or act.get("criminal_data")
        missing = [(k, a) for k, a in required if not (categories if k == "data_categories" else act.get(k))]
        where_possible = [("security_measures", "Art. 30(1)(g)")]
    for key, article in missing:
        en, nb = _label(key)
        emit(
            "art30-missing-field",
            (f"'{en}' is empty.", f"«{nb}» er tomt."),
            (f"Record the {en[0].lower() + en[1:]} ({article}).", f"Fyll inn «{nb}» ({article_in(article, 'nb')})."),
            field=key,
            article=article,
        )
    for key, article in where_possible:
        if act.get(key):
            continue
        en, nb = _label(key)
        emit(
            "art30-missing-field",
            (f"'{en}' is empty.", f"«{nb}» er tomt."),
            (
                "Describe the technical and organisational measures (Art. 32) where possible.",
                "Beskriv de tekniske og organisatoriske tiltakene (art. 32) der det er mulig.",
            ),
            field=key,
            article=article,
            severity="warning",
        )


def _legal_bases(act: Mapping[str, Any], emit: _Emit, org: Optional[Mapping[str, Any]] = None) -> None:
    if act.get("role") == "processor":
        return  # the controller's basis, not the processor's
    bases = act.get("legal_bases") or []
    if not bases:
        emit(
            "legal-basis-missing",
            ("No Art. 6(1) legal basis is recorded for the purposes.", "Ingen behandlingsgrunnlag etter art. 6 nr. 1 er registrert for formålene."),
            (
                "Pick the basis for each purpose: consent, contract, legal obligation, vital interests, public task or legitimate interests.",
                "Velg grunnlag for hvert formål: samtykke, avtale, rettslig forpliktelse, vitale interesser, "
                "allmennhetens interesse eller berettiget interesse.",
            ),
            field="legal_bases",
        )
    if org and org.get("public_authority") and any(b.get("code") == "art6_1_f" for b in bases):
        emit(
            "legitimate-interest-public-authority",
            (
                "Legitimate interests (Art. 6(1)(f)) is relied on by a public authority; it does not apply to processing "
                "by public authorities in the performance of their tasks (Art. 6(1) second subparagraph).",
                "Berettiget interesse (art. 6 nr. 1 bokstav f) er brukt av en offentlig myndighet; det gjelder ikke for "
                "behandling som offentlige myndigheter utfører som ledd i sine oppgaver (art. 6 nr. 1 annet ledd).",
            ),
            (
                "Base processing for the authority's tasks on a legal obligation or a public task laid down by law (Art. 6(1)(c), (e), 6(3)); "
                "keep Art. 6(1)(f) only for processing outside those tasks, and say so.",
                "Bygg behandling som ledd i myndighetens oppgaver på rettslig forpliktelse eller offentlig myndighetsutøvelse fastsatt i lov "
                "(art. 6 nr. 1 bokstav c og e, nr. 3); bruk bokstav f bare for behandling utenfor disse oppgavene, og si hvorfor.",
            ),
            field="legal_bases",
        )
    if org and org.get("public_authority") and any(b.get("code") == "art6_1_a" for b in bases):
        emit(
            "consent-public-authority",
            (
                "Consent (Art. 6(1)(a)) is relied on by a public authority. Consent must be freely given (Art. 4(11), 7(4)), and "
                "it is unlikely to be where there is a clear imbalance between the person and the controller, in particular a "
                "public authority (recital 43; EDPB Guidelines 05/2020).",
                "Samtykke (art. 6 nr. 1 bokstav a) er brukt av en offentlig myndighet. Samtykket må være frivillig (art. 4 nr. 11 "
                "og art. 7 nr. 4), og det er lite trolig der det er en klar skjevhet mellom den registrerte og den "
                "behandlingsansvarlige, særlig en offentlig myndighet (fortalepunkt 43; EDPBs retningslinjer 05/2020).",
            ),
            (
                "Base processing for the authority's tasks on a legal obligation or a public task laid down by law (Art. 6(1)(c), (e)); "
                "keep consent only where refusing it has no consequence for the person, and record why.",
                "Bygg behandling som ledd i myndighetens oppgaver på rettslig forpliktelse eller offentlig myndighetsutøvelse fastsatt "
                "i lov (art. 6 nr. 1 bokstav c og e); bruk samtykke bare der det ikke får følger for den registrerte å si nei, og "
                "noter hvorfor.",
            ),
            field="legal_bases",
        )
    for b in bases:
        if b.get("code") in _ART6_NEEDS_LAW:
            if not _says_something(b):
                letter = str(b["code"])[-1]
                what_en, what_nb = _ART6_NEEDS_LAW[str(b["code"])]
                emit(
                    "legal-basis-without-law",
                    (
                        f"The legal basis Art. 6(1)({letter}) ({what_en}) must be laid down by Union or Member State law (Art. 6(3)), and none is named.",
                        f"Behandlingsgrunnlaget art. 6 nr. 1 bokstav {letter} ({what_nb}) krever et supplerende rettsgrunnlag i lov "
                        "eller forskrift, norsk rett eller EU-rett (art. 6 nr. 3), og ingen hjemmel er oppgitt.",
                    ),
                    (
                        "Name the law that lays down the obligation or the task (e.g. bokføringsloven § 13, a-opplysningsloven § 4) "
                        "in the basis's note or documentation.",
                        "Oppgi loven eller forskriften som fastsetter plikten eller oppgaven (f.eks. bokføringsloven § 13, "
                        "a-opplysningsloven § 4) i merknaden eller dokumentasjonen til grunnlaget.",
                    ),
                    field="legal_bases",
                )
        if b.get("code") == "art6_1_f" and not b.get("documentation"):
            emit(
                "legitimate-interest-without-assessment",
                (
                    "Legitimate interests (Art. 6(1)(f)) is relied on, but no balancing test is recorded.",
                    "Berettiget interesse (art. 6 nr. 1 bokstav f) er brukt, men ingen interesseavveining er registrert.",
                ),
                (
                    "Carry out and record the three-part test (purpose, necessity, balancing) and link it in the basis' documentation.",
                    "Gjennomfør og dokumenter trestegstesten (formål, nødvendighet, avveining) og lenk den i grunnlagets dokumentasjon.",
                ),
                field="legal_bases",
            )


def _special(act: Mapping[str, Any], emit: _Emit) -> None:
    special = special_categories(act)
    if special and not act.get("art9_conditions"):
        names = ", ".join(vocab.taxonomy_label("data_category", k, "en") for k in sorted(special))
        names_nb = ", ".join(vocab.taxonomy_label("data_category", k, "nb") for k in sorted(special))
        emit(
            "special-category-without-condition",
            (
                f"Special categories are processed ({names}) but no Art. 9(2) condition is recorded.",
                f"Særlige kategorier behandles ({names_nb}), men ikke noe unntak etter art. 9 nr. 2 er registrert.",
            ),
            (
                "Record the Art. 9(2) condition (e.g. explicit consent, 9(2)(a)), or stop processing these data.",
                "Registrer unntaket etter art. 9 nr. 2 (f.eks. uttrykkelig samtykke, bokstav a), eller slutt å behandle opplysningene.",
            ),
            field="art9_conditions",
        )
    basis = " ".join(str(act.get("criminal_data_basis") or "").split())
    said_en = said_nb = ""
    if basis and not _says_none(basis) and _ART6_ONLY.match(basis):
        said_en = f' ("{basis}" is an Art. 6 ground, not an authorisation under Art. 10)'
        said_nb = f" («{basis}» er et grunnlag etter art. 6, ikke en adgang etter art. 10)"
    if has_criminal_data(act) and (not basis or _says_none(basis) or said_en):
        emit(
            "criminal-data-without-basis",
            (
                f"Criminal-offence data are processed but no Art. 10 basis (official authority or a law authorising it) is recorded{said_en}.",
                f"Opplysninger om straffedommer og lovovertredelser behandles, men grunnlaget etter art. 10 er ikke registrert{said_nb}.",
            ),
            (
                "Name the official authority or the national law (e.g. personopplysningsloven § 11) that authorises it.",
                "Angi offentlig myndighet eller lovhjemmelen (f.eks. personopplysningsloven § 11) som gir adgang.",
            ),
            field="criminal_data_basis",
        )


def _says_something(item: Mapping[str, Any]) -> bool:
    """Whether a basis's or a condition's note or documentation says anything: text that is not
    words saying there is none ("ikke oppgitt", "N/A"). What the law needs named, Art. 6(3) and
    9(2)(b), (g)-(j), is then for the DPO to judge."""
    return any(x and not _says_none(x) for x in (" ".join(str(item.get(k) or "").split()) for k in ("note", "documentation")))


# Art. 6(1)(c) and (e) rest on a law that lays down the obligation or the task (Art. 6(3)): in
# Norway the "supplerende rettsgrunnlag" a record names beside the basis.
_ART6_NEEDS_LAW: dict[str, tuple[str, str]] = {
    "art6_1_c": ("a legal obligation", "rettslig forpliktelse"),
    "art6_1_e": ("a task in the public interest or official authority", "allmennhetens interesse eller offentlig myndighet"),
}

# Art. 9(2) conditions that hold only on the basis of Union or Member State law (or, for (b), a
# collective agreement; for (h), a contract with a health professional): what the law says, in both languages.
_ART9_NEEDS_LAW: dict[str, tuple[str, str]] = {
    "art9_2_b": ("authorised by Union or Member State law or a collective agreement", "er tillatt i lov eller tariffavtale"),
    "art9_2_g": ("on the basis of Union or Member State law", "på grunnlag av lov"),
    "art9_2_h": (
        "on the basis of Union or Member State law or a contract with a health professional (Art. 9(3))",
        "på grunnlag av lov eller avtale med helsepersonell (art. 9 nr. 3)",
    ),
    "art9_2_i": ("on the basis of Union or Member State law", "på grunnlag av lov"),
    "art9_2_j": ("based on Union or Member State law, with the safeguards of Art. 89(1)", "på grunnlag av lov, med garantiene i art. 89 nr. 1"),
}


def _art9_law(act: Mapping[str, Any], emit: _Emit) -> None:
    """Art. 9(2)(b), (g)-(j) hold only where a law (or agreement) provides for the processing: a
    recorded condition with neither a note nor documentation names none. A bare code (no note or
    documentation recorded at all) says nothing either way."""
    for c in act.get("art9_conditions") or []:
        if not isinstance(c, Mapping) or c.get("code") not in _ART9_NEEDS_LAW:
            continue
        if _says_something(c):
            continue
        code = str(c["code"])
        letter = code.rsplit("_", 1)[-1]
        article = f"Art. 9(2)({letter})"
        term = vocab.ART9_CONDITIONS.get(code)
        name_en, name_nb = (term.label("en"), term.label("nb")) if term else (code, code)
        need_en, need_nb = _ART9_NEEDS_LAW[code]
        emit(
            "art9-condition-without-law",
            (
                f"The {article} condition ({name_en}) applies only {need_en}, and none is named.",
                f"Unntaket i art. 9 nr. 2 bokstav {letter} ({name_nb}) gjelder bare når behandlingen {need_nb}, og ingen hjemmel er oppgitt."
                if code == "art9_2_b"
                else f"Unntaket i art. 9 nr. 2 bokstav {letter} ({name_nb}) gjelder bare {need_nb}, og ingen hjemmel er oppgitt.",
            ),
            (
                "Name the law (e.g. personopplysningsloven § 6, helseregisterloven, arbeidsmiljøloven) or agreement in the condition's note.",
                "Oppgi loven (f.eks. personopplysningsloven § 6, helseregisterloven, arbeidsmiljøloven) eller avtalen i merknaden til unntaket.",
            ),
            field="art9_conditions",
            article=article,
        )


def _basis_codes(act: Mapping[str, Any]) -> set[Any]:
    """The codes of an activity's Art. 6 bases (stored as mappings, or as bare codes in a lean record)."""
    return {b.get("code") if isinstance(b, Mapping) else b for b in act.get("legal_bases") or []}


def _automated(act: Mapping[str, Any], emit: _Emit) -> None:
    """Art. 22: a decision based solely on automated processing with legal or similarly significant
    effects is allowed only where necessary for a contract, authorised by law, or with explicit
    consent (22(2)); on special categories only with explicit consent or substantial public
    interest under law (22(4): Art. 9(2)(a) or (g))."""
    if (act.get("transparency") or {}).get("automated_decisions") is not True:
        return
    bases = _basis_codes(act)
    if bases and not bases & {"art6_1_a", "art6_1_b", "art6_1_c", "art6_1_e"}:
        emit(
            "automated-decision-without-basis",
            (
                "Decisions based solely on automated processing are recorded, but the legal basis is neither a contract, a law nor "
                "consent: Art. 22(2) allows them only where necessary for a contract, authorised by Union or Member State law, "
                "or based on explicit consent.",
                "Avgjørelser som utelukkende bygger på automatisert behandling er registrert, men behandlingsgrunnlaget er verken avtale, "
                "lov eller samtykke: art. 22 nr. 2 tillater dem bare når det er nødvendig for en avtale, er hjemlet i lov, "
                "eller bygger på uttrykkelig samtykke.",
            ),
            (
                "Record the Art. 22(2) ground (contract, law or explicit consent) and the safeguards of Art. 22(3), or let a person take the decision.",
                "Registrer grunnlaget etter art. 22 nr. 2 (avtale, lov eller uttrykkelig samtykke) og garantiene i art. 22 nr. 3, "
                "eller la et menneske treffe avgjørelsen.",
            ),
            field="transparency.automated_decisions",
        )
    conditions = {c.get("code") if isinstance(c, Mapping) else c for c in act.get("art9_conditions") or []}
    if special_categories(act) and conditions and not conditions & {"art9_2_a", "art9_2_g"}:
        emit(
            "automated-decision-without-basis",
            (
                "Automated decisions are based on special categories of data, but the Art. 9(2) condition is neither explicit consent "
                "(9(2)(a)) nor substantial public interest under law (9(2)(g)), the only two Art. 22(4) allows.",
                "Automatiserte avgjørelser bygger på særlige kategorier av opplysninger, men unntaket etter art. 9 nr. 2 er verken "
                "uttrykkelig samtykke (bokstav a) eller viktige allmenne interesser med hjemmel i lov (bokstav g), de eneste art. 22 nr. 4 tillater.",
            ),
            (
                "Base the decisions on explicit consent or a law for a substantial public interest, with suitable safeguards, or leave the "
                "special categories out of them.",
                "Bygg avgjørelsene på uttrykkelig samtykke eller lov om viktige allmenne interesser, med egnede garantier, eller hold de "
                "særlige kategoriene utenfor.",
            ),
            field="transparency.automated_decisions",
            article="Art. 22(4)",
        )


# Words that say children are among the data subjects, in a subject typed as text. Not the possessive
# ("barns lærere", "elevenes foresatte": someone else's), and a subject about their parents or
# guardians ("foreldre til barn", "parents of pupils") is not the children.
_CHILDREN = re.compile(r"\b(barn|barna|elev|elever|elevene|mindreårige?|child|children|pupils?|minors?)\b", re.IGNORECASE)
_GUARDIANS = re.compile(r"\b(foreldre\w*|foresatte|verger?|parents?|guardians?)\b", re.IGNORECASE)


def children_concerned(act: Mapping[str, Any]) -> bool:
    """Whether the record says children are data subjects: the taxonomy's children's data, or a
    data subject that names them ("elever", "barn under 13", "children"), not their parents."""
    if "user.childrens" in (act.get("data_categories") or []):
        return True
    return any(isinstance(x, str) and _CHILDREN.search(x) and not _GUARDIANS.search(x) for x in act.get("data_subjects") or [])


def _children(act: Mapping[str, Any], emit: _Emit) -> None:
    """Art. 8: where consent is the basis and an information society service is offered directly
    to a child, the child's own consent counts only from 16, or the lower age (not below 13) a
    member state has set: 13 in Norway (personopplysningsloven § 5). Which state's age applies
    follows the children the service is offered to, not only where the controller is (EDPB
    Guidelines 05/2020 on consent, on the age in Art. 8(1)), so the note names both. Below the age, the holder of
    parental responsibility gives or authorises consent, and the controller makes reasonable
    efforts to verify that (8(2)). The register does not say whether the activity is such a
    service, so this is a note to settle, not an error."""
    if "art6_1_a" not in _basis_codes(act) or not children_concerned(act):
        return
    age_en = "13 for children in Norway (personopplysningsloven § 5), elsewhere 16 or the lower age (not below 13) their member state has set"
    age_nb = "13 år for barn i Norge (personopplysningsloven § 5), ellers 16 år eller den lavere alderen (ikke under 13) barnets medlemsstat har fastsatt"
    emit(
        "child-consent",
        (
            f"Consent is a legal basis and children are among the data subjects. If the activity offers an information society "
            f"service directly to children, a child's own consent counts only from the age of {age_en}; below it, the holder "
            "of parental responsibility must give or authorise it, and the controller must make reasonable efforts to verify that (Art. 8(2)).",
            f"Samtykke er behandlingsgrunnlag, og barn er blant de registrerte. Tilbyr aktiviteten en informasjonssamfunnstjeneste "
            f"direkte til barn, gjelder barnets eget samtykke først fra {age_nb}; under denne alderen må den som har "
            "foreldreansvaret, gi eller godkjenne samtykket, og den behandlingsansvarlige må gjøre rimelige anstrengelser "
            "for å kontrollere det (art. 8 nr. 2).",
        ),
        (
            "Record how age is established and how parental consent is obtained and verified, or note why the activity is no "
            "information society service offered directly to children.",
            "Registrer hvordan alderen fastslås og hvordan samtykke fra foreldre innhentes og kontrolleres, eller noter hvorfor "
            "aktiviteten ikke er en informasjonssamfunnstjeneste som tilbys direkte til barn.",
        ),
        field="legal_bases",
    )


def _retention(act: Mapping[str, Any], emit: _Emit) -> None:
    r = act.get("retention") or {}
    if r.get("period") is not None:
        return
    # what starts the clock, recorded without a period, is an end in words ("until the contract ends")
    text = " ".join(x.strip() for x in (r.get("text"), r.get("trigger")) if x and x.strip())
    if not text:
        msg = ("No retention period or schedule is recorded.", "Ingen lagringstid eller slettefrist er registrert.")
    elif is_vague_retention(text):
        short = text if len(text) <= 120 else text[:117] + "…"
        msg = (f'Retention is only described vaguely: "{short}".', f"Lagringstiden er bare beskrevet vagt: «{short}».")
    elif is_open_ended_retention(text):
        short = text if len(text) <= 120 else text[:117] + "…"
        emit(
            "retention-unspecified",
            (
                f'Retention is open-ended: "{short}" sets no end the controller keeps.',
                f"Lagringstiden er uten sluttpunkt: «{short}» setter ingen frist den behandlingsansvarlige selv holder.",
            ),
            (
                "Set an end the controller keeps (e.g. erase 2 years after the last contact), besides erasure on request (Art. 5(1)(e), 17).",
                "Sett en frist virksomheten selv holder (f.eks. slett 2 år etter siste kontakt), i tillegg til sletting på forespørsel "
                "(art. 5 nr. 1 bokstav e og 17).",
            ),
            field="retention.period",
        )
        return
    else:
        return  # words with a concrete end ("until the customer relationship ends") are a schedule
    emit(
        "retention-unspecified",
        msg,
        (
            "Set a period and what starts the clock (e.g. 5 years after the end of the contract), and what happens at the end.",
            "Angi en periode og hva som starter fristen (f.eks. 5 år etter at avtalen opphører), og hva som skjer ved utløp.",
        ),
        field="retention.period",
    )


def _dpia(act: Mapping[str, Any], emit: _Emit) -> None:
    d = act.get("dpia") or {}
    done = d.get("status") == "done"
    s = dpia.screen(d.get("screening") or {}, act)
    if s.dpia_expected and not done:
        article = "Art. 35(4)" if s.listed and not s.art35_3 else "Art. 35(3)" if s.art35_3 else None
        emit(
            "dpia-required",
            (f"{s.explain('en')} No DPIA is recorded as done.", f"{s.explain('nb')} Ingen DPIA er registrert som gjennomført."),
            (
                "Carry out the DPIA before processing (Art. 35(1)) and record its reference; consult Datatilsynet if high risk remains (Art. 36).",
                "Gjennomfør DPIA før behandlingen (art. 35 nr. 1) og registrer referansen; rådfør deg med Datatilsynet hvis høy risiko gjenstår (art. 36).",
            ),
            field="dpia.status",
            severity="error" if s.result == "required" else "warning",
            article=article,
        )
    elif s.result == "consider" and d.get("status") in (None, "not_assessed"):
        emit(
            "dpia-consider",
            (f"{s.explain('en')}", f"{s.explain('nb')}"),
            (
                "Decide whether a DPIA is needed and record the decision and its reason (status 'not needed' or 'planned').",
                "Avgjør om DPIA trengs, og registrer avgjørelsen og begrunnelsen (status «ikke nødvendig» eller «planlagt»).",
            ),
            field="dpia.status",
        )
    elif not d.get("screening") and d.get("status") in (None, "not_assessed") and (special_categories(act) or has_criminal_data(act)):
        emit(
            "dpia-screening-missing",
            (
                "Special categories or criminal-offence data are processed and the DPIA screening is not answered.",
                "Særlige kategorier eller straffeopplysninger behandles, og vurderingen av behovet for DPIA er ikke besvart.",
            ),
            ("Answer the screening questions (WP248 criteria and Art. 35(3)).", "Besvar spørsmålene i vurderingen (WP248-kriteriene og art. 35 nr. 3)."),
            field="dpia.screening",
        )


def _review(act: Mapping[str, Any], emit: _Emit, today: date) -> None:
    nxt, last = act.get("next_review"), act.get("last_review")
    if nxt and date.fromisoformat(str(nxt)[:10]) < today:
        emit(
            "review-overdue",
            (f"The review planned for {nxt} is overdue.", f"Gjennomgangen planlagt {nxt} er på overtid."),
            (
                "Review the activity with its owner, then record the review date and the next one.",
                "Gå gjennom aktiviteten med ansvarlig enhet, og registrer datoen og neste gjennomgang.",
            ),
            field="next_review",
        )
    elif not nxt and not last:
        emit(
            "review-missing",
            ("The activity has never been reviewed and no review is planned.", "Aktiviteten er aldri gjennomgått, og ingen gjennomgang er planlagt."),
            (
                "Plan a review date: the register must stay current (Art. 24(1), 30).",
                "Sett en dato for gjennomgang: protokollen skal holdes oppdatert (art. 24 nr. 1 og 30).",
            ),
            field="next_review",
        )


def check_activity(act: Mapping[str, Any], organisation: str, today: Optional[date] = None, org: Optional[Mapping[str, Any]] = None) -> list[Finding]:
    """Every finding about one activity (not its organisation or its recipients). ``org`` (the
    organisation's dict) tells where it is established: its own processing there is no transfer,
    and an organisation outside the GDPR's territorial scope (Art. 3) gets none."""
    if act.get("status") == "retired" or not subject_to_gdpr(org):
        return []  # an organisation the GDPR does not reach (Art. 3): its organisation's note says why
    today = today or date.today()
    emit = _Emit(organisation, act.get("ref"))
    # The legal basis, Art. 9(2)/10 conditions, retention (Art. 30(1)(f)) and the DPIA (Art. 35) are the
    # controller's: a processor's record (Art. 30(2)) asks for none of them.
    controller = act.get("role") != "processor"
    _missing_fields(act, emit)
    if controller:
        _legal_bases(act, emit, org)
        _special(act, emit)
        _art9_law(act, emit)
        _automated(act, emit)
        _children(act, emit)
    _transfers(act, emit, today, org)
    _recipients_abroad(act, emit)
    if controller:
        _retention(act, emit)
        _dpia(act, emit)
    _review(act, emit, today)
    return emit.out

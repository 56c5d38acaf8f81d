"""Rule checks: the registry judges the register, citing the article and saying what to fix.

Every rule is a pure function of plain dicts in the JSON format's shape (an activity from
:func:`ropa.registry.activity_dict` or :mod:`ropa.snapshot`, an organisation from
:func:`ropa.registry.organisation_dict`), so the same rules judge one activity in the editor
and 100,000 in a batch, and nothing here writes. A finding carries a stable rule code, a
severity, where it is (organisation, activity ref, recipient), the article, and a message and
a fix in English and bokmål.

Retired activities are not judged: they are kept for the record, not processed. A processor's
activities are judged by Art. 30(2) (the legal basis, Art. 9(2)/10 conditions, retention and the
DPIA are its controller's), and transfers only where the organisation is recorded as subject to
the GDPR (established in the EEA, or Art. 3(2)).

The rules import nothing of the register: :func:`ropa.register.checks.check_register` reads the
whole register and runs them; the Chapter V rules are in :mod:`ropa.transfers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Optional

from ropa import dpia, vocab
from ropa.fields import ACTIVITY

# Chapter V lives in its own module; its public names stay importable from here.
from ropa.transfers import _country, establishment_countries, subject_to_gdpr
from ropa.transfers import recipients_abroad as _recipients_abroad
from ropa.transfers import transfers as _transfers

SEVERITIES = ("error", "warning", "info")
SEVERITY_TERMS = vocab.SEVERITIES


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs twice as much, and a check run makes 100,000s
class Finding:
    rule: str
    severity: str
    organisation: str
    activity_ref: Optional[str]
    article: str
    message_en: str
    message_nb: str
    fix_en: str
    fix_nb: str
    field: Optional[str] = None  # the field the finding is about, for the editor to point at
    recipient: Optional[str] = None  # for findings about a recipient rather than an activity

    def message(self, lang: str = "en") -> str:
        return self.message_nb if lang == "nb" else self.message_en

    def fix(self, lang: str = "en") -> str:
        return self.fix_nb if lang == "nb" else self.fix_en

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape (``python -m ropa check --format json``)."""
        d = asdict(self)
        return {
            k: d[k]
            for k in ("rule", "severity", "organisation", "activity_ref", "article", "message_en", "message_nb", "fix_en", "fix_nb", "field", "recipient")
        }


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    article: str
    title_en: str
    title_nb: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("art30-missing-field", "error", "Art. 30", "A field Art. 30 requires is empty", "Et felt artikkel 30 krever, er tomt"),
        Rule("legal-basis-missing", "error", "Art. 6(1)", "No legal basis", "Mangler behandlingsgrunnlag"),
        Rule(
            "special-category-without-condition",
            "error",
            "Art. 9(2)",
            "Special categories without an Art. 9(2) condition",
            "Særlige kategorier uten unntak etter art. 9 nr. 2",
        ),
        Rule("criminal-data-without-basis", "error", "Art. 10", "Criminal-offence data without a basis", "Opplysninger om straffbare forhold uten grunnlag"),
        Rule(
            "transfer-without-mechanism",
            "error",
            "Art. 44, 46",
            "Transfer to a third country or international organisation without a mechanism",
            "Overføring til tredjestat eller internasjonal organisasjon uten overføringsgrunnlag",
        ),
        Rule("transfer-adequacy-scope", "warning", "Art. 45", "Adequacy may not cover the transfer", "Adekvansbeslutningen dekker kanskje ikke overføringen"),
        Rule(
            "transfer-derogation-repeated",
            "warning",
            "Art. 49(1)",
            "A derogation limited to occasional or non-repetitive transfers used for a regular one",
            "Et unntak som bare gjelder enkeltstående overføringer, brukt for en regelmessig overføring",
        ),
        Rule(
            "recipient-transfer-missing",
            "warning",
            "Art. 30(1)(e), 44",
            "Recipient in a third country, no transfer recorded",
            "Mottaker i tredjestat, ingen overføring registrert",
        ),
        Rule("transfer-tia-missing", "info", "Art. 46(1)", "No transfer impact assessment", "Mangler vurdering av overføringen (TIA)"),
        Rule("transfer-destination-missing", "warning", "Art. 30(1)(e)", "Transfer without a destination", "Overføring uten mottakerland"),
        Rule("representative-missing", "warning", "Art. 27(1)", "No EU representative", "Mangler representant i EU/EØS"),
        Rule(
            "art30-5-exemption-not-met",
            "warning",
            "Art. 30(5)",
            "The Art. 30(5) exemption is claimed but does not hold",
            "Unntaket i art. 30 nr. 5 er påberopt, men vilkårene er ikke oppfylt",
        ),
        Rule("retention-unspecified", "warning", "Art. 30(1)(f), 5(1)(e)", "Retention not specified", "Lagringstiden er ikke angitt"),
        Rule(
            "legitimate-interest-without-assessment",
            "warning",
            "Art. 6(1)(f)",
            "Legitimate interests without a balancing test",
            "Berettiget interesse uten interesseavveining",
        ),
        Rule(
            "legitimate-interest-public-authority",
            "warning",
            "Art. 6(1) second subparagraph",
            "A public authority relies on legitimate interests",
            "En offentlig myndighet bruker berettiget interesse som grunnlag",
        ),
        Rule("processor-without-agreement", "error", "Art. 28(3)", "Processor without a data processing agreement", "Databehandler uten databehandleravtale"),
        Rule("dpia-required", "error", "Art. 35", "DPIA needed but not done", "DPIA trengs, men er ikke gjennomført"),
        Rule("dpia-consider", "info", "Art. 35(1)", "One WP248 criterion: consider a DPIA", "Ett WP248-kriterium: vurder DPIA"),
        Rule("dpia-screening-missing", "info", "Art. 35(1)", "Sensitive processing not screened for a DPIA", "Sensitiv behandling er ikke vurdert for DPIA"),
        Rule("review-overdue", "warning", "Art. 24(1)", "Review overdue", "Gjennomgang på overtid"),
        Rule("review-missing", "info", "Art. 24(1)", "Never reviewed, no review planned", "Aldri gjennomgått, ingen gjennomgang planlagt"),
        Rule("dpo-missing", "warning", "Art. 37(1)", "No DPO recorded", "Mangler personvernombud"),
    )
}

# "As long as necessary" and its kin: wording that names no period (Art. 5(1)(e) wants one). A need
# word close after "as long as" / "så lenge" (in the same clause) makes it vague; "as long as your
# account is active" or "så lenge kundeforholdet varer" names an end and is not.
_NEED_EN = r"(?:necessary|needed|required|reasonabl\w*|need(?:s|ed)?\b)"
_NEED_NB = r"(?:nødvendig\w*|påkrevd\w*|påkrevet|trengs|trenger|behov\w*|behøv\w*|formålstjenlig\w*)"
_VAGUE_RETENTION = re.compile(
    rf"\bas long as\b[^.;]{{0,40}}?\b{_NEED_EN}|\b(?:no|not) longer than\b[^.;]{{0,30}}?\b{_NEED_EN}|\bas required by law"
    rf"|\bså lenge\b[^.;]{{0,40}}?\b{_NEED_NB}|\b(?:lenger|lengre)\s+enn\b[^.;]{{0,30}}?\b{_NEED_NB}"
    # "until / when no longer needed", "for the period necessary", "i den tid det er nødvendig"
    rf"|\b(?:until|when|once)\b[^.;]{{0,25}}?\bno longer\b[^.;]{{0,20}}?\b{_NEED_EN}|\b(?:for )?the (?:period|time) {_NEED_EN}"
    rf"|\b(?:når|inntil|til)\b[^.;]{{0,30}}?\bikke (?:lenger|lengre)\b[^.;]{{0,20}}?\b{_NEED_NB}|\bi den tid\b[^.;]{{0,25}}?\b{_NEED_NB}"
    # "until the purpose is fulfilled", "as long as the purpose requires", "når formålet er oppfylt", "så lenge formålet tilsier"
    r"|\b(?:until|when|once|as long as)\b[^.;]{0,15}?\b(?:the |its |their )?purposes? (?:is |are |has been |have been )?(?:fulfill?ed|achieved|met|served|requires?)"
    r"|\b(?:til|inntil|når|så lenge)\b[^.;]{0,15}?\bformål\w* (?:er |har blitt |blir )?(?:oppfylt|nådd|tilsier|krever)"
    # "as long as the law requires", "så lenge loven krever"
    r"|\bas long as (?:the )?(?:law|legislation) requires|\bså lenge (?:loven|lovgivningen|regelverket) krever",
    re.IGNORECASE,
)
# A period stated in numbers ("5 years", "maks 3 år") makes "as long as necessary" a schedule with an end.
_STATED_PERIOD = re.compile(r"\d+\s*(?:år|years?|months?|måneder|mnd|days?|dager|weeks?|uker)\b", re.IGNORECASE)
# Open-ended schedules: no end the controller keeps ("until further notice", "indefinitely"), or
# an end only the data subject's request or withdrawal brings.
_OPEN_ENDED = re.compile(
    r"inntil videre|until further notice|\bindefinite(?:ly)?\b|ubestemt tid|uten tidsbegrensning|tidsubegrenset|ingen tidsbegrensning"
    r"|ubegrenset (?:tid|periode)|til evig tid|without (?:a |any )?time limit|no time limit|\bfor ever\b|\bforever\b|for alltid"
    r"|(?:stored|kept|retained|held|saved)\s+permanently|permanently\s+(?:stored|kept|retained|held)"
    r"|(?:lagres|lagrer vi|oppbevares|oppbevarer vi|beholdes|beholder vi)\s+(?:\w+\s+)?permanent\b|\bpermanent (?:lagring|oppbevaring|storage|retention)",
    re.IGNORECASE,
)
_ON_REQUEST = re.compile(
    r"(?:until|till?|inntil|frem til|fram til)\s+(?:(?:you|the data subject|the user|the customer|the person|den registrerte"
    r"|du|kunden|brukeren|vedkommende|personen)\s+)?(?:asks?|requests?|withdraws?|objects?|unsubscribes?|opts? out|ber|krever"
    r"|trekker|reserverer|protesterer|melder (?:deg|seg) av)\b[^.;]*"
    r"|(?:until|till?|inntil|frem til)\s+(?:erasure|deletion|sletting)\s+(?:is\s+)?(?:requested|kreves|blir krevd|bes om)[^.;]*"
    r"|(?:until|till?|inntil)\s+(?:consent|samtykke\w*)\s+(?:is\s+)?(?:withdrawn|trekkes|blir trukket)[^.;]*"
    # "we delete them when you ask", "vi sletter opplysningene når du ber om det"
    r"|(?:when|if|once|når|dersom|hvis)\s+(?:you|the data subject|the user|du|den registrerte|brukeren|kunden)\s+(?:asks?|requests?|ber|krever)\b[^.;]*",
    re.IGNORECASE,
)
# An end the controller keeps: a period, or an event that ends the relationship.
_CONCRETE_END = re.compile(
    r"\d+\s*(?:år|years?|months?|måneder|mnd|days?|dager|weeks?|uker)\b|\b(?:ends?|ended|expires?|terminat\w*)\b"
    r"|opphør\w*|avslutt\w*|utløp\w*|slutten av|end of"
    # closing or deleting the account or membership ends the contract: an end, not a request for erasure
    r"|\b(?:delete|deletes|close|closes|cancel|cancels|sletter|lukker|sier opp)\s+(?:\w+\s+)?(?:account|konto\w*|profile|profil\w*"
    r"|membership|medlemskap\w*|subscription|abonnement\w*)",
    re.IGNORECASE,
)
# An agreement reference that says there is none is no agreement (Art. 28(3) wants a contract).
_NO_AGREEMENT = re.compile(
    r"^(?:-+|–|—|\?+|n/?a|n\.a\.?|none|nil|null|no|nei|ingen|mangler|missing|ikke oppgitt|not given|not stated|not provided"
    r"|unknown|ukjent|not applicable|ikke relevant|ikke aktuelt|tbd|tba|ikke avklart|not available|ikke tilgjengelig"
    r"|ikke inngått|ikke signert|not concluded|not signed|pending|under forhandling|under arbeid|to be signed|skal inngås"
    r"|(?:ingen|no|mangler|missing)\s+(?:avtale|agreement|dpa|databehandleravtale|contract|kontrakt)\w*"
    r"|(?:avtale|agreement|dpa|databehandleravtale)\s*:?\s*(?:mangler|missing|not given|ikke oppgitt|ikke inngått|not concluded"
    r"|none|ingen|n/?a|ukjent|unknown|pending))"
    r"[\s.!]*$",
    re.IGNORECASE,
)


def is_vague_retention(text: Optional[str]) -> bool:
    """True when the wording only says "as long as necessary", "until no longer needed", "until the
    purpose is fulfilled" or "as long as the law requires" (in English or bokmål) and states no
    period in numbers ("as long as necessary, at most 5 years" names one)."""
    return bool(text) and bool(_VAGUE_RETENTION.search(text or "")) and not _STATED_PERIOD.search(text or "")


def is_open_ended_retention(text: Optional[str]) -> bool:
    """True when the schedule sets no end the controller keeps: "inntil videre", "until further
    notice", "indefinitely", or only an end the person's request or withdrawal brings (e.g.
    "until a customer relationship is established or the data subject asks for erasure")."""
    if not text:
        return False
    if not (_OPEN_ENDED.search(text) or _ON_REQUEST.search(text)):
        return False
    return not _CONCRETE_END.search(_ON_REQUEST.sub(" ", text))


# Art. 10 wants official authority or Union or Member State law; an Art. 6 ground named alone is neither.
_ART6_ONLY = re.compile(
    r"^(?:art(?:icle|ikkel|\.)?\s*6(?:\s*(?:\(1\)|nr\.?\s*1))?\s*(?:\(?[bf]\)?|bokstav [bf])\s*[:,-]?\s*)?"
    r"(?:legitimate interests?|berettiget interesse|berettigede interesser|interesseavveining|balancing test"
    r"|contract|avtale|performance of (?:a|the) contract|oppfyllelse av (?:en )?avtale|art6_1_[bf])?[\s.]*$",
    re.IGNORECASE,
)


def _says_none(text: str) -> bool:
    """Words that say there is none ("ikke oppgitt", "mangler", "N/A", "none")."""
    return bool(_NO_AGREEMENT.match(" ".join(text.split())))


def has_agreement(reference: Optional[str]) -> bool:
    """Whether an agreement reference names an agreement: empty text, and words saying there is
    none ("ikke oppgitt", "mangler", "N/A", "not given", "none", "ingen", "-"), do not."""
    text = " ".join((reference or "").split())
    return bool(text) and not _NO_AGREEMENT.match(text)


def special_categories(act: Mapping[str, Any]) -> set[str]:
    """Special categories recorded, or implied by the data categories (fideslang keys)."""
    return set(act.get("special_categories") or []) | (set(act.get("data_categories") or []) & vocab.SPECIAL_CATEGORY_KEYS)


def has_criminal_data(act: Mapping[str, Any]) -> bool:
    return bool(act.get("criminal_data")) or bool(set(act.get("data_categories") or []) & vocab.CRIMINAL_CATEGORY_KEYS)


# ---------------------------------------------------------------------------------------------
# Building findings


class _Emit:
    """Collects the findings of one organisation or activity."""

    def __init__(self, org: str, ref: Optional[str]) -> None:
        self.org, self.ref = org, ref
        self.out: list[Finding] = []

    def __call__(
        self,
        rule: str,
        message: tuple[str, str],
        fix: tuple[str, str],
        *,
        field: Optional[str] = None,
        severity: Optional[str] = None,
        article: Optional[str] = None,
        recipient: Optional[str] = None,
    ) -> None:
        r = RULES[rule]
        self.out.append(
            Finding(rule, severity or r.severity, self.org, self.ref, article or r.article, message[0], message[1], fix[0], fix[1], field, recipient)
        )


def _label(key: str, table: Mapping[str, Any] = ACTIVITY) -> tuple[str, str]:
    spec = table[key]
    return spec.label("en"), spec.label("nb")


# ---------------------------------------------------------------------------------------------
# Activity rules


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
            (f"Record the {en[0].lower() + en[1:]} ({article}).", f"Fyll inn «{nb}» ({_nb_article(article)})."),
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


def _nb_article(article: str) -> str:
    """ "Art. 30(1)(b)" as Norwegian law writes it: "art. 30 nr. 1 bokstav b"."""
    out = re.sub(r"\((\d+)\)", r" nr. \1", article.replace("Art.", "art."))
    return re.sub(r"\(([a-z])\)", r" bokstav \1", out)


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
    for b in bases:
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
    organisation's dict) tells where it is established: its own processing there is no transfer."""
    if act.get("status") == "retired":
        return []
    today = today or date.today()
    emit = _Emit(organisation, act.get("ref"))
    # The legal basis, Art. 9(2)/10 conditions, retention (Art. 30(1)(f)) and the DPIA (Art. 35) are the
    # controller's: a processor's record (Art. 30(2)) asks for none of them.
    controller = act.get("role") != "processor"
    _missing_fields(act, emit)
    if controller:
        _legal_bases(act, emit, org)
        _special(act, emit)
    if subject_to_gdpr(org):  # no exporter under the GDPR, no transfer in Chapter V's sense
        _transfers(act, emit, today, org)
        _recipients_abroad(act, emit)
    if controller:
        _retention(act, emit)
        _dpia(act, emit)
    _review(act, emit, today)
    return emit.out


# ---------------------------------------------------------------------------------------------
# Organisation and recipient rules


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


def check_organisation(org: Mapping[str, Any], facts: _OrgFacts) -> list[Finding]:
    emit = _Emit(org["name"], None)
    if not facts.active:
        return []
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


def check_recipient(org: str, rec: Mapping[str, Any]) -> list[Finding]:
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


# ---------------------------------------------------------------------------------------------
# The register


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; within each, the order they were found in (organisation
    by name, its activities by ref, then the organisation itself and its recipients)."""
    buckets: dict[str, list[Finding]] = {sev: [] for sev in SEVERITIES}
    for f in findings:
        buckets[f.severity].append(f)
    return [f for sev in SEVERITIES for f in buckets[sev]]


_by_severity = by_severity


def check_documents(
    organisations: Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]], Iterable[Mapping[str, Any]]]], today: Optional[date] = None
) -> list[Finding]:
    """Findings for ``(organisation, activities, recipients)`` triples of plain dicts."""
    today = today or date.today()
    out: list[Finding] = []
    for org, activities, recipients in organisations:
        facts = _OrgFacts()
        for act in activities:
            facts.add(act)
            out.extend(check_activity(act, org["name"], today, org))
        out.extend(check_organisation(org, facts))
        for rec in recipients:
            out.extend(check_recipient(org["name"], rec))
    return by_severity(out)


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by severity (every severity present, zero or not)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def activity_findings(
    act: Mapping[str, Any],
    organisation: str,
    *,
    org: Optional[Mapping[str, Any]] = None,
    recipients: Optional[Mapping[str, Mapping[str, Any]]] = None,
    today: Optional[date] = None,
) -> list[Finding]:
    """What belongs to one activity: its own findings and those of the recipients it discloses to
    (``recipients``: the organisation's, by name, as stored; the activity's copy where missing)."""
    found = check_activity(act, organisation, today, org)
    for r in act.get("recipients") or []:
        found += check_recipient(organisation, (recipients or {}).get(r["name"], r))
    return found


def counts_by_activity(findings: Iterable[Finding]) -> dict[tuple[str, str], dict[str, int]]:
    """Each activity's (organisation, ref) findings counted by severity (the list's badges)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for f in findings:
        if f.activity_ref:
            counts = out.setdefault((f.organisation, f.activity_ref), {})
            counts[f.severity] = counts.get(f.severity, 0) + 1
    return out


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


def rule_title(code: str, lang: str = "en") -> str:
    r = RULES.get(code)
    return (r.title_nb if lang == "nb" else r.title_en) if r else code


def severity_label(severity: str, lang: str = "en") -> str:
    return SEVERITY_TERMS[severity].label(lang) if severity in SEVERITY_TERMS else severity

"""Privacy notices drafted from the register (GDPR Art. 13 and 14), in plain bokmål or English.

A notice covers one organisation's activities, all of them or those about one group of
people (customers, employees, applicants). It is layered as WP260 rev.01 advises: a short
summary first, then one section per thing the person is entitled to know, each citing the
paragraph it answers. Where the register lacks something Art. 13 or 14 requires, the draft
says so in place ("[MISSING: …]") and lists the gap with its paragraph; a notice with gaps is
marked as a draft. The wording is this project's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Optional, Union

from sqlmodel import Session

from ropa import vocab
from ropa.documents.present import Presenter, check_folder, load
from ropa.errors import NotFound, RopaError

FORMATS = (".html", ".md", ".docx", ".pdf")

DATATILSYNET = {
    "nb": "Datatilsynet, Postboks 458 Sentrum, 0105 Oslo, telefon 22 39 69 00, www.datatilsynet.no",
    "en": "Datatilsynet (the Norwegian Data Protection Authority), PO Box 458 Sentrum, 0105 Oslo, Norway, phone +47 22 39 69 00, www.datatilsynet.no",
}


@dataclass
class Seg:
    """A piece of a paragraph: plain text, a gap marker, or emphasis."""

    text: str
    kind: str = "text"  # text | gap | strong


Para = list[Seg]


@dataclass
class Block:
    kind: str  # p | ul | head (an activity's name over its items: kept with them on the page)
    paras: list[Para]


@dataclass
class NoticeSection:
    title: str
    article: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Gap:
    """Something Art. 13/14 requires that the register does not hold."""

    article: str
    what: str
    activity: Optional[str] = None  # ref, or None for the organisation


@dataclass
class Notice:
    organisation: str
    lang: str
    title: str
    intro: str
    subjects: Optional[str]
    activities: list[str]  # refs covered
    summary: list[str]
    sections: list[NoticeSection]
    gaps: list[Gap]
    made: datetime

    @property
    def draft(self) -> bool:
        return bool(self.gaps)

    def text(self) -> str:
        """All the notice's words, for search and tests."""
        out = [self.title, self.intro, *self.summary]
        for s in self.sections:
            out.append(s.title)
            for b in s.blocks:
                for p in b.paras:
                    out.append("".join(seg.text for seg in p))
        return "\n".join(out)


# Where Art. 14 (data obtained elsewhere) asks what Art. 13 asks; Art. 13(2)(e) has no counterpart.
ART14 = {
    "13(1)(a)": "14(1)(a)",
    "13(1)(b)": "14(1)(b)",
    "13(1)(c)": "14(1)(c)",
    "13(1)(d)": "14(2)(b)",
    "13(1)(e)": "14(1)(e)",
    "13(1)(f)": "14(1)(f)",
    "13(2)(a)": "14(2)(a)",
    "13(2)(b)": "14(2)(c)",
    "13(2)(c)": "14(2)(d)",
    "13(2)(d)": "14(2)(e)",
    "13(2)(f)": "14(2)(g)",
    "12(2)": "12(2)",
}


def cite(article: str, collections: set[Optional[str]]) -> str:
    """The paragraph a gap answers, for how the data are collected: Art. 13 from the person,
    Art. 14 from elsewhere, both when both or not known ("Art. 13(1)(c), 14(1)(c)")."""
    m = re.fullmatch(r"Art\. (1[23]\(\d\)(?:\([a-z]\))?)", article)
    if not m or m.group(1) not in ART14 or m.group(1).startswith("12"):
        return article
    own, other = m.group(1), ART14[m.group(1)]
    if collections == {"subject"}:
        return article
    if collections == {"elsewhere"}:
        return f"Art. {other}"
    return f"Art. {own}, {other}"


class _Writer:
    """Plain-language phrases, and the gap book-keeping."""

    def __init__(self, lang: str) -> None:
        self.p = Presenter(lang)
        self.lang = lang
        self.gaps: list[Gap] = []
        self.collection: dict[str, Optional[str]] = {}  # activity ref -> subject | elsewhere | both | None

    def t(self, nb: str, en: str) -> str:
        return self.p.t(nb, en)

    def gap(self, article: str, nb: str, en: str, activity: Optional[str] = None) -> Seg:
        what = self.t(nb, en)
        article = cite(article, {self.collection.get(activity)} if activity else set(self.collection.values()) or {None})
        self.gaps.append(Gap(article, what, activity))
        return Seg(self.t(f"[MANGLER: {what} – {article}]", f"[MISSING: {what} – {article}]"), "gap")

    def basis(self, b: dict[str, Any], ref: str) -> Para:
        code = b.get("code")
        plain = {
            "art6_1_a": ("Du har gitt samtykke.", "You have given your consent."),
            "art6_1_b": (
                "Det er nødvendig for å oppfylle en avtale med deg, eller for å inngå en.",
                "We need it to carry out a contract with you, or to enter into one.",
            ),
            "art6_1_c": ("Vi er pålagt det ved lov.", "The law requires us to."),
            "art6_1_d": ("Det er nødvendig for å verne ditt eller andres liv eller helse.", "We need it to protect your life or health, or someone else's."),
            "art6_1_e": (
                "Det er nødvendig for en oppgave i allmennhetens interesse eller for å utøve offentlig myndighet.",
                "We need it for a task in the public interest or to exercise official authority.",
            ),
            "art6_1_f": (
                "Vi har en berettiget interesse som veier tyngre enn hensynet til ditt personvern.",
                "We have a legitimate interest that outweighs your privacy interests.",
            ),
        }.get(code or "")
        term = vocab.LEGAL_BASES.get(code or "")
        if plain is None or term is None:
            return [self.gap("Art. 13(1)(c)", "behandlingsgrunnlag", "legal basis", ref)]
        out = [Seg(self.t(*plain) + " "), Seg(f"({self._article(term.article or '')})")]
        if code == "art6_1_f":
            if b.get("note"):
                out.insert(1, Seg(self.t("Interessen er: ", "The interest is: ") + b["note"].rstrip(".") + ". "))
            else:
                out.insert(1, self.gap("Art. 13(1)(d)", "hvilken berettiget interesse vi forfølger", "the legitimate interest we pursue", ref))
                out.insert(2, Seg(" "))
        return out

    def art9(self, c: dict[str, Any], ref: str) -> Para:
        """The Art. 9(2) condition for special categories, in plain words with its article
        (Art. 13(1)(c) asks for the legal basis; for special categories that includes it)."""
        term = vocab.ART9_CONDITIONS.get(c.get("code") or "")
        if term is None:
            return [self.gap("Art. 13(1)(c)", "unntaket etter artikkel 9 nr. 2 for særlige kategorier", "the Art. 9(2) condition for special categories", ref)]
        plain = {
            "art9_2_a": ("Du har gitt uttrykkelig samtykke.", "You have given your explicit consent."),
            "art9_2_b": (
                "Det er nødvendig for å oppfylle plikter eller utøve rettigheter i arbeidslivet eller etter trygde- og sosialretten.",
                "We need it to meet obligations or exercise rights under employment, social security or social protection law.",
            ),
            "art9_2_e": ("Du har selv gjort opplysningene offentlig kjent.", "You have made the data public yourself."),
            "art9_2_f": (
                "Det er nødvendig for å fastsette, gjøre gjeldende eller forsvare rettskrav.",
                "We need it to establish, exercise or defend legal claims.",
            ),
        }.get(c["code"], (f"Unntaket for {term.label('nb')}.", f"The condition for {term.label('en')}."))
        # The condition's note is the DPO's justification, not words for the public: left out.
        return [Seg(self.t(*plain) + " "), Seg(f"({self._article(term.article or '')})")]

    def _article(self, article: str) -> str:
        """ "Art. 6(1)(b)" -> "personvernforordningen artikkel 6 nr. 1 bokstav b" (nb)."""
        m = re.match(r"Art\. (\d+)\((\d+)\)(?:\(([a-z])\))?", article)
        if not m:
            return article
        art, para, letter = m.groups()
        if self.lang == "nb":
            return f"personvernforordningen artikkel {art} nr. {para}" + (f" bokstav {letter}" if letter else "")
        return f"GDPR Article {art}({para})" + (f"({letter})" if letter else "")

    def mechanism(self, t: dict[str, Any], contact: Optional[str], ref: str) -> Para:
        code = t.get("mechanism") or "unknown"
        where = self.p.country(t.get("country")) or (t.get("international_organisation") or "")
        head = Seg(where + (f" ({t['recipient']})" if t.get("recipient") else "") + ": ", "strong")
        if code in ("unknown", "none"):
            return [
                head,
                self.gap(
                    "Art. 13(1)(f)", f"grunnlaget og garantiene for overføringen til {where}", f"the basis and safeguards for the transfer to {where}", ref
                ),
            ]
        term = vocab.MECHANISMS[code]
        if code == "art45":
            return [
                head,
                Seg(
                    self.t(
                        "EU-kommisjonen har bestemt at landet beskytter personopplysninger godt nok (adekvansbeslutning, personvernforordningen artikkel 45).",
                        "The European Commission has decided that the country protects personal data adequately (adequacy decision, GDPR Article 45).",
                    )
                ),
            ]
        words = {
            "art46_2_c": (
                "Vi har inngått EUs standardpersonvernbestemmelser med mottakeren.",
                "We have signed the EU standard contractual clauses with the recipient.",
            ),
            "art46_2_b": (
                "Mottakeren følger bindende virksomhetsregler godkjent av en tilsynsmyndighet.",
                "The recipient follows binding corporate rules approved by a supervisory authority.",
            ),
        }.get(code, (f"Overføringen bygger på {term.label('nb')} ({term.article}).", f"The transfer relies on {term.label('en')} ({term.article})."))
        out = [head, Seg(self.t(*words) + " ")]
        if code.startswith("art46"):
            if t.get("safeguard"):
                out.append(Seg(self.t(f"Garantiene står i «{t['safeguard']}». ", f"The safeguards are set out in “{t['safeguard']}”. ")))
            if contact:
                out.append(Seg(self.t(f"Du kan få en kopi av dem ved å kontakte oss på {contact}.", f"You can get a copy by contacting us at {contact}.")))
            else:
                out.append(self.gap("Art. 13(1)(f)", "hvor man får en kopi av garantiene", "where to obtain a copy of the safeguards", ref))
        return out


def _matches(subjects: Optional[str], act: dict[str, Any], p_nb: Presenter, p_en: Presenter, loose: bool = False) -> bool:
    """Whether an activity concerns the group asked for: its key or label in either language,
    singular or plural ("Kunder", "kunde", "customers", "customer"). ``loose`` also takes the
    group as the head of a longer label ("applicants" -> "job applicant", "søkere" -> "jobbsøker"),
    used only when nothing matches exactly, so "Kunder" never brings in "potensiell kunde"."""
    if not subjects:
        return True
    wanted = " ".join(subjects.casefold().split())
    for key in act.get("data_subjects", []):
        for label in (key, p_nb.subject(key), p_en.subject(key)):
            label = label.casefold()
            forms = {label} | {label + suffix for suffix in ("r", "er", "e", "s", "es")}
            if wanted in forms:
                return True
            if loose and len(wanted) >= 4:
                heads = {wanted} | {wanted[: -len(x)] for x in ("er", "e", "r", "es", "s") if wanted.endswith(x)}
                if any(len(h) >= 4 and (label.endswith(" " + h) or label.endswith("_" + h) or label.endswith(h)) for h in heads):
                    return True
    return False


def _some(items: Sequence[str], limit: int, t: Any, sep: str) -> str:
    """The first ``limit`` items as written, and how many more ("…; og 3 til"), never silently cut."""
    shown = sep.join(items[:limit])
    rest = len(items) - limit
    return shown + (t(f" og {rest} til", f" and {rest} more") if rest > 0 else "")


def build_notice(org: dict[str, Any], *, lang: str = "nb", subjects: Optional[str] = None, made: Optional[datetime] = None) -> Notice:
    """The notice for one organisation's active activities (those about ``subjects`` if given)."""
    w = _Writer(lang)
    p, t = w.p, w.t
    candidates = [a for a in org.get("activities", []) if a.get("status") != "retired" and a.get("role") != "processor"]
    p_nb, p_en = Presenter("nb"), Presenter("en")
    acts = [a for a in candidates if _matches(subjects, a, p_nb, p_en)] or [a for a in candidates if _matches(subjects, a, p_nb, p_en, loose=True)]
    if not acts:
        raise NotFound(
            t(
                f"{org['name']} har ingen aktive behandlingsaktiviteter som behandlingsansvarlig" + (f" om «{subjects}»." if subjects else "."),
                f"{org['name']} has no active processing activities as controller" + (f" about “{subjects}”." if subjects else "."),
            )
        )
    w.collection = {a["ref"]: (a.get("transparency") or {}).get("collection") for a in acts}
    name = org["name"]
    contact = org.get("email") or org.get("phone") or org.get("website")
    sections: list[NoticeSection] = []

    # Art. 13(1)(a), 14(1)(a): who we are
    who: Para = [
        Seg(t(f"{name} er behandlingsansvarlig for personopplysningene som beskrives her. ", f"{name} is the controller of the personal data described here. "))
    ]
    details = [d for d in (org.get("address"), org.get("email"), org.get("phone"), org.get("website")) if d]
    if details:
        who.append(Seg(t("Du når oss på: ", "You can reach us at: ") + ", ".join(details) + "."))
    else:
        who.append(w.gap("Art. 13(1)(a)", "kontaktopplysninger til den behandlingsansvarlige", "the controller's contact details"))
    blocks = [Block("p", [who])]
    rep = p.representative(org)
    if org.get("country") and not vocab.country_status(org["country"]) == vocab.CountryStatus.EEA and not rep:
        blocks.append(Block("p", [[w.gap("Art. 13(1)(a)", "representant i EØS (art. 27)", "representative in the EEA (Art. 27)")]]))
    elif rep:
        blocks.append(Block("p", [[Seg(t("Vår representant i EØS er ", "Our representative in the EEA is ") + ", ".join(rep) + ".")]]))
    dpo = p.dpo(org)
    if dpo:
        blocks.append(Block("p", [[Seg(t("Personvernombudet vårt: ", "Our data protection officer: ") + ", ".join(dpo) + ".")]]))
    else:
        blocks.append(
            Block(
                "p",
                [
                    [
                        w.gap(
                            "Art. 13(1)(b)",
                            "kontaktopplysninger til personvernombudet, om vi har et",
                            "the data protection officer's contact details, where there is one",
                        )
                    ]
                ],
            )
        )
    for a in acts:  # joint controllers (Art. 26): who they are, and the essence of the arrangement (Art. 26(2))
        if a.get("role") != "joint_controller":
            continue
        partners = ", ".join(a.get("controllers") or [])
        joint: Para = [Seg(a["name"] + ": ", "strong")]
        joint.append(
            Seg(
                t(
                    f"Her er vi felles behandlingsansvarlige med {partners} (personvernforordningen artikkel 26). ",
                    f"Here we are joint controllers with {partners} (GDPR Article 26). ",
                )
            )
            if partners
            else w.gap("Art. 13(1)(a)", "hvem vi er felles behandlingsansvarlige med", "who the joint controllers are", a["ref"])
        )
        joint.append(w.gap("Art. 26(2)", "hovedinnholdet i avtalen om felles behandlingsansvar", "the essence of the joint-controller arrangement", a["ref"]))
        blocks.append(Block("p", [joint]))
    sections.append(
        NoticeSection(
            t("Hvem vi er", "Who we are"),
            "Art. 13(1)(a)–(b), 14(1)(a)–(b), 26(2)" if any(a.get("role") == "joint_controller" for a in acts) else "Art. 13(1)(a)–(b), 14(1)(a)–(b)",
            blocks,
        )
    )

    # Art. 13(1)(c)-(d): purposes and legal bases, per activity
    blocks = []
    for a in acts:
        ref = a["ref"]
        paras: list[Para] = []
        if a.get("purposes"):
            paras.append([Seg(t("Formål: ", "Purpose: "), "strong"), Seg("; ".join(a["purposes"]) + ".")])
        else:
            paras.append([Seg(t("Formål: ", "Purpose: "), "strong"), w.gap("Art. 13(1)(c)", "formålet", "the purpose", ref)])
        bases = a.get("legal_bases") or []
        if not bases:
            paras.append([Seg(t("Grunnlag: ", "Legal basis: "), "strong"), w.gap("Art. 13(1)(c)", "behandlingsgrunnlaget", "the legal basis", ref)])
        for b in bases:
            paras.append([Seg(t("Grunnlag: ", "Legal basis: "), "strong"), *w.basis(b, ref)])
        for c in a.get("art9_conditions") or []:
            paras.append([Seg(t("Særlige kategorier: ", "Special categories: "), "strong"), *w.art9(c, ref)])
        blocks.append(Block("head", [[Seg(a["name"])]]))
        blocks.append(Block("ul", paras))
    sections.append(
        NoticeSection(
            t("Hva vi bruker opplysningene til, og hvorfor vi har lov", "What we use your data for, and why we may"),
            "Art. 13(1)(c)–(d), 14(1)(c), 14(2)(b)",
            blocks,
        )
    )

    # Art. 14(1)(d), 14(2)(f): which data, and where they come from
    blocks = []
    for a in acts:
        ref, tr = a["ref"], a.get("transparency") or {}
        cats = [p.category(c) for c in [*a.get("data_categories", []), *a.get("special_categories", [])]]
        paras = [
            [
                Seg(t("Opplysninger: ", "Data: "), "strong"),
                Seg(", ".join(dict.fromkeys(cats)) + ".") if cats else w.gap("Art. 14(1)(d)", "hvilke opplysninger", "which data", ref),
            ]
        ]
        collection = tr.get("collection")
        if collection == "subject":
            paras.append([Seg(t("Kilde: ", "Source: "), "strong"), Seg(t("Du gir oss opplysningene selv.", "You give us the data yourself."))])
        else:
            src: Para = [Seg(t("Kilde: ", "Source: "), "strong")]
            src.append(
                Seg("; ".join(a["sources"]) + ". ")
                if a.get("sources")
                else w.gap("Art. 14(2)(f)", "hvor opplysningene kommer fra", "where the data come from", ref)
            )
            if src[-1].kind == "gap":
                src.append(Seg(" "))
            if collection is None:
                src.append(
                    w.gap("Art. 13/14", "om opplysningene samles inn fra deg eller fra andre", "whether the data are collected from you or from elsewhere", ref)
                )
            elif tr.get("sources_public") is True:
                src.append(
                    Seg(t("Noen av opplysningene kommer fra offentlig tilgjengelige kilder.", "Some of the data come from publicly accessible sources."))
                )
            elif tr.get("sources_public") is False:
                src.append(Seg(t("Opplysningene kommer ikke fra offentlig tilgjengelige kilder.", "The data do not come from publicly accessible sources.")))
            else:
                src.append(w.gap("Art. 14(2)(f)", "om kilden er offentlig tilgjengelig", "whether the source is publicly accessible", ref))
            paras.append(src)
        blocks.append(Block("head", [[Seg(a["name"])]]))
        blocks.append(Block("ul", paras))
    sections.append(
        NoticeSection(t("Hvilke opplysninger vi har, og hvor de kommer fra", "What data we have, and where they come from"), "Art. 14(1)(d), 14(2)(f)", blocks)
    )

    # Art. 13(1)(e): recipients
    recipients: dict[str, dict[str, Any]] = {}
    for a in acts:
        for r in a.get("recipients", []):
            recipients.setdefault(r["name"], r)
    # An empty list is an answer only where the register says the data go to no one (no_recipients).
    unanswered = [a for a in acts if not a.get("recipients") and not a.get("no_recipients")]
    blocks = []
    if recipients:
        blocks.append(Block("ul", [[Seg(r["name"]), Seg(f" ({p.term(vocab.RECIPIENT_KINDS, r.get('kind'))})")] for r in recipients.values()]))
    elif not unanswered:
        blocks.append(Block("p", [[Seg(t("Vi deler ikke opplysningene med andre.", "We do not share the data with anyone."))]]))
    if unanswered:
        blocks.append(
            Block(
                "ul",
                [
                    [
                        Seg(a["name"] + ": ", "strong"),
                        w.gap(
                            "Art. 13(1)(e)",
                            "mottakerne, eller at opplysningene ikke utleveres til noen",
                            "the recipients, or that the data are disclosed to no one",
                            a["ref"],
                        ),
                    ]
                    for a in unanswered
                ],
            )
        )
    sections.append(NoticeSection(t("Hvem vi deler opplysningene med", "Who we share the data with"), "Art. 13(1)(e), 14(1)(e)", blocks))

    # Art. 13(1)(f): transfers outside the EEA
    transfers = [(a, tr) for a in acts for tr in a.get("transfers", []) if vocab.country_status(tr.get("country")) != vocab.CountryStatus.EEA]
    if transfers:
        seen, paras = set(), []
        for a, tr in transfers:
            key = (tr.get("country"), tr.get("international_organisation"), tr.get("recipient"), tr.get("mechanism"), tr.get("safeguard"))
            if key in seen:
                continue
            seen.add(key)
            paras.append(w.mechanism(tr, org.get("email"), a["ref"]))
        blocks = [
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Vi overfører opplysninger til land utenfor EØS eller internasjonale organisasjoner:",
                                "We transfer data to countries outside the EEA or international organisations:",
                            )
                            if any(tr.get("international_organisation") and not tr.get("country") for _, tr in transfers)
                            else t("Vi overfører opplysninger til land utenfor EØS:", "We transfer data to countries outside the EEA:")
                        )
                    ]
                ],
            ),
            Block("ul", paras),
        ]
    # A recipient outside the EEA with no transfer recorded for it: the register contradicts "no transfer".
    unrecorded = [
        (a, r)
        for a in acts
        for r in a.get("recipients", [])
        if r.get("country")
        and r.get("kind") != "own_establishment"
        and vocab.country_status(r["country"]) not in (None, vocab.CountryStatus.EEA)
        and not any(tr.get("country") == r["country"] for tr in a.get("transfers", []))
    ]
    if unrecorded:
        if not transfers:
            blocks = []
        blocks.append(
            Block(
                "ul",
                [
                    [
                        Seg(f"{p.country(r['country'])} ({r['name']}): ", "strong"),
                        w.gap(
                            "Art. 13(1)(f)",
                            f"overføringen til {p.country(r['country'])}: mottakeren er der, men ingen overføring er registrert",
                            f"the transfer to {p.country(r['country'])}: the recipient is there, but no transfer is recorded",
                            a["ref"],
                        ),
                    ]
                    for a, r in unrecorded
                ],
            )
        )
    elif not transfers:
        blocks = [Block("p", [[Seg(t("Vi overfører ikke opplysningene til land utenfor EØS.", "We do not transfer the data to countries outside the EEA."))]])]
    sections.append(NoticeSection(t("Overføring til land utenfor EØS", "Transfers outside the EEA"), "Art. 13(1)(f), 14(1)(f)", blocks))

    # Art. 13(2)(a): retention
    paras = []
    for a in acts:
        ret = a.get("retention") or {}
        rule = p.retention(ret)
        text = rule[:1].upper() + rule[1:] + "." if rule else (ret.get("text") or "")
        paras.append(
            [
                Seg(a["name"] + ": ", "strong"),
                Seg(text) if text else w.gap("Art. 13(2)(a)", "hvor lenge opplysningene lagres", "how long the data are kept", a["ref"]),
            ]
        )
    sections.append(NoticeSection(t("Hvor lenge vi tar vare på opplysningene", "How long we keep the data"), "Art. 13(2)(a), 14(2)(a)", [Block("ul", paras)]))

    # Art. 13(2)(b)-(c): rights
    consent = any(b.get("code") in ("art6_1_a",) for a in acts for b in a.get("legal_bases", [])) or any(
        c.get("code") == "art9_2_a" for a in acts for c in a.get("art9_conditions", [])
    )
    objection = any(b.get("code") in ("art6_1_e", "art6_1_f") for a in acts for b in a.get("legal_bases", []))
    portability = any(b.get("code") in ("art6_1_a", "art6_1_b") for a in acts for b in a.get("legal_bases", []))
    rights = [
        t("be om innsyn i opplysningene vi har om deg, og få en kopi (artikkel 15)", "ask what data we hold about you and get a copy (Article 15)"),
        t("få uriktige opplysninger rettet (artikkel 16)", "have wrong data corrected (Article 16)"),
        t(
            "få opplysninger slettet når vi ikke lenger har grunnlag for å ha dem (artikkel 17)",
            "have data erased when we no longer have grounds to keep them (Article 17)",
        ),
        t(
            "be oss begrense bruken av opplysningene mens noe avklares (artikkel 18)",
            "ask us to restrict the use of the data while something is being settled (Article 18)",
        ),
    ]
    if portability:
        rights.append(
            t(
                "få opplysninger du har gitt oss, i et maskinlesbart format, og flytte dem (artikkel 20)",
                "get data you gave us in a machine-readable format and take them elsewhere (Article 20)",
            )
        )
    blocks = [Block("p", [[Seg(t("Du har rett til å", "You have the right to"))]]), Block("ul", [[Seg(r)] for r in rights])]
    if objection:
        blocks.append(
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Du kan protestere mot behandling som bygger på berettiget interesse eller allmennhetens interesse, "
                                "og mot direkte markedsføring når som helst (artikkel 21).",
                                "You may object to processing based on legitimate interests or the public interest, and to "
                                "direct marketing at any time (Article 21).",
                            ),
                            "strong",
                        )
                    ]
                ],
            )
        )
    if consent:
        blocks.append(
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Der vi bygger på samtykke, kan du når som helst trekke det tilbake. Det er like enkelt som å gi det, "
                                "og det endrer ikke at bruken før du trakk det tilbake var lovlig.",
                                "Where we rely on your consent, you may withdraw it at any time. It is as easy as giving it, "
                                "and it does not make earlier use unlawful.",
                            )
                        )
                    ]
                ],
            )
        )
    blocks.append(
        Block(
            "p",
            [
                [
                    Seg(t("Kontakt oss for å bruke rettighetene dine: ", "Contact us to use your rights: ")),
                    Seg(contact) if contact else w.gap("Art. 12(2)", "hvordan man kontakter oss", "how to contact us"),
                ]
            ],
        )
    )
    sections.append(NoticeSection(t("Rettighetene dine", "Your rights"), "Art. 13(2)(b)–(c), 14(2)(c)–(d)", blocks))

    # Art. 13(2)(d): complaint (Art. 77: where the person lives or works, or where the infringement took place)
    authority = (org.get("supervisory_authority") or "").strip()
    if authority and "datatilsynet" not in authority.casefold():  # another lead authority is recorded: name it first
        complaint = [
            Seg(
                t(
                    "Mener du at vi behandler opplysningene dine i strid med regelverket, kan du klage til vår tilsynsmyndighet: ",
                    "If you think we handle your data unlawfully, you can complain to our supervisory authority: ",
                )
            ),
            Seg(authority.rstrip(".") + "."),
            Seg(
                t(
                    " Du kan også klage til tilsynsmyndigheten der du bor eller arbeider; i Norge er det Datatilsynet: ",
                    " You may also complain to the supervisory authority where you live or work; in Norway that is Datatilsynet: ",
                )
            ),
            Seg(DATATILSYNET[lang] + "."),
        ]
        title = t("Klage til tilsynsmyndigheten", "Complaints to the supervisory authority")
    else:
        complaint = [
            Seg(
                t(
                    "Mener du at vi behandler opplysningene dine i strid med regelverket, kan du klage til Datatilsynet: ",
                    "If you think we handle your data unlawfully, you can complain to Datatilsynet: ",
                )
            ),
            Seg(DATATILSYNET[lang] + "."),
            Seg(
                t(
                    " Du kan også klage til tilsynsmyndigheten der du bor eller arbeider.",
                    " You may also complain to the supervisory authority where you live or work.",
                )
            ),
        ]
        title = t("Klage til Datatilsynet", "Complaints to Datatilsynet")
    sections.append(NoticeSection(title, "Art. 13(2)(d), 14(2)(e)", [Block("p", [complaint])]))

    # Art. 13(2)(e): statutory or contractual requirement
    paras = []
    for a in acts:
        tr = a.get("transparency") or {}
        if tr.get("collection") == "elsewhere":
            continue
        code = tr.get("provision")
        line: Para = [Seg(a["name"] + ": ", "strong")]
        if not code:
            line.append(
                w.gap(
                    "Art. 13(2)(e)",
                    "om du må gi opplysningene, og hva som skjer om du ikke gjør det",
                    "whether you must provide the data, and what happens if you do not",
                    a["ref"],
                )
            )
        else:
            line.append(
                Seg(
                    {
                        "statutory": t("Loven krever at du gir oss opplysningene. ", "The law requires you to give us the data. "),
                        "contractual": t("Avtalen med deg krever at du gir oss opplysningene. ", "Our contract with you requires the data. "),
                        "contract_precondition": t(
                            "Vi trenger opplysningene for å kunne inngå avtale med deg. ", "We need the data to enter into a contract with you. "
                        ),
                        "voluntary": t("Det er frivillig å gi oss opplysningene. ", "Giving us the data is voluntary. "),
                    }[code]
                )
            )
            if tr.get("provision_consequences"):
                line.append(Seg(t("Gir du dem ikke: ", "If you do not: ") + tr["provision_consequences"]))
            elif code != "voluntary":
                line.append(w.gap("Art. 13(2)(e)", "hva som skjer om du ikke gir opplysningene", "what happens if you do not provide the data", a["ref"]))
        paras.append(line)
    if paras:
        sections.append(NoticeSection(t("Må du gi oss opplysningene?", "Do you have to give us the data?"), "Art. 13(2)(e)", [Block("ul", paras)]))

    # Art. 13(2)(f), 14(2)(g): automated decisions and profiling
    paras = []
    for a in acts:
        tr = a.get("transparency") or {}
        flag = tr.get("automated_decisions")
        if flag is False:
            continue
        line = [Seg(a["name"] + ": ", "strong")]
        if flag is None:
            line.append(
                w.gap(
                    "Art. 13(2)(f)",
                    "om vi tar automatiserte avgjørelser, herunder profilering",
                    "whether we make automated decisions, including profiling",
                    a["ref"],
                )
            )
        elif tr.get("automated_logic"):
            line.append(
                Seg(
                    t(
                        "Vi tar automatiserte avgjørelser om deg. Slik fungerer det og dette betyr det for deg: ",
                        "We make automated decisions about you. How it works and what it means for you: ",
                    )
                    + tr["automated_logic"]
                )
            )
        else:
            line.append(
                w.gap(
                    "Art. 13(2)(f)",
                    "logikken bak de automatiserte avgjørelsene, og betydningen for deg",
                    "the logic of the automated decisions and what they mean for you",
                    a["ref"],
                )
            )
        paras.append(line)
    blocks = (
        [Block("ul", paras)]
        if paras
        else [
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Vi tar ingen avgjørelser om deg som bare bygger på automatisk behandling, heller ikke profilering.",
                                "We make no decisions about you based solely on automated processing, including profiling.",
                            )
                        )
                    ]
                ],
            )
        ]
    )
    sections.append(NoticeSection(t("Automatiserte avgjørelser og profilering", "Automated decisions and profiling"), "Art. 13(2)(f), 14(2)(g)", blocks))

    who_for = f" – {subjects}" if subjects else ""
    purposes = list(dict.fromkeys(x for a in acts for x in a.get("purposes", [])))
    summary = [
        (
            t(f"{name} behandler opplysninger om deg for disse formålene: ", f"{name} uses data about you for these purposes: ")
            + _some(purposes, 6, t, "; ")
            + "."
            if purposes
            else t(f"{name} behandler opplysninger om deg; formålene står nedenfor.", f"{name} uses data about you; the purposes are set out below.")
        ),
        (
            t("Vi deler opplysninger med ", "We share data with ") + _some(list(recipients), 4, t, ", ") + "."
            if recipients
            else t("Hvem vi deler opplysningene med, står nedenfor.", "Who we share the data with is set out below.")
            if unanswered
            else t("Vi deler ikke opplysningene med andre.", "We do not share the data with anyone.")
        ),
        (
            (
                t(
                    "Noen opplysninger overføres til land utenfor EØS eller internasjonale organisasjoner: ",
                    "Some data go to countries outside the EEA or international organisations: ",
                )
                if any(tr.get("international_organisation") and not tr.get("country") for _, tr in transfers)
                else t("Noen opplysninger overføres til land utenfor EØS: ", "Some data go to countries outside the EEA: ")
            )
            + ", ".join(dict.fromkeys(p.country(tr.get("country")) or (tr.get("international_organisation") or "") for _, tr in transfers))
            + "."
            if transfers
            else t("Overføringer til land utenfor EØS står nedenfor.", "Transfers outside the EEA are set out below.")
            if unrecorded
            else t("Opplysningene blir i EØS.", "The data stay in the EEA.")
        ),
        (
            t(
                "Du kan be om innsyn, retting og sletting, og klage til tilsynsmyndigheten.",
                "You can ask for access, correction and erasure, and complain to the supervisory authority.",
            )
            if authority and "datatilsynet" not in authority.casefold()
            else t(
                "Du kan be om innsyn, retting og sletting, og klage til Datatilsynet.",
                "You can ask for access, correction and erasure, and complain to Datatilsynet.",
            )
        ),
    ]
    gaps = w.gaps
    intro = t(
        "Her forklarer vi hvordan vi bruker personopplysninger om deg. Først en kort oppsummering, deretter detaljene.",
        "This notice explains how we use personal data about you. First a short summary, then the details.",
    )
    return Notice(
        name,
        lang,
        t(f"Personvernerklæring – {name}{who_for}", f"Privacy notice – {name}{who_for}"),
        intro,
        subjects,
        [a["ref"] for a in acts],
        summary,
        sections,
        gaps,
        made or datetime.now(UTC),
    )


def _labels(n: Notice) -> dict[str, str]:
    t = Presenter(n.lang).t
    return {
        "draft": t(
            f"UTKAST – ikke klar til bruk: {len(n.gaps)} opplysninger som personvernforordningen krever, mangler i protokollen.",
            f"DRAFT – not ready to use: {len(n.gaps)} items the GDPR requires are missing from the register.",
        ),
        "summary": t("Kort fortalt", "In short"),
        "gaps": t("Dette mangler", "What is missing"),
        "made": t("Laget fra behandlingsprotokollen", "Drafted from the record of processing activities"),
        "date": Presenter(n.lang).date(n.made.date()),
        "page": t("Side", "Page"),
        "of": t("av", "of"),
    }


_MD_SPECIAL = set("\\`*_[]<>|#~&$")


def escape_markdown(text: str) -> str:
    """Stored text as Markdown that shows exactly that text: inline markup, HTML and LaTeX
    escaped everywhere, Streamlit's ``:name[...]`` directives disarmed (the Notices page
    previews this Markdown), list and heading syntax at the start of a line. The document's
    own words and addresses are not passed through here, so its links stay links."""
    lines = []
    for line in re.split(r"\r\n?|\n", text):  # CommonMark ends a line at CR too
        out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in line)
        out = re.sub(r":(?=[A-Za-z])", r"\\:", out)
        out = re.sub(r"^(\s*)([-+=])", r"\1\\\2", out)
        out = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", out)
        lines.append(out)
    return "  \n".join(lines)


def render_markdown(n: Notice) -> str:
    L = _labels(n)
    e = escape_markdown

    def para(p: Para) -> str:
        return "".join(f"**{e(s.text.strip())}**" + (" " if s.text.endswith(" ") else "") if s.kind in ("gap", "strong") else e(s.text) for s in p)

    out = [f"# {e(n.title)}", ""]
    if n.draft:
        out += [f"> **{e(L['draft'])}**", ""]
    out += [e(n.intro), "", f"## {e(L['summary'])}", ""] + [f"- {e(s)}" for s in n.summary] + [""]
    for s in n.sections:
        out += [f"## {e(s.title)}", "", f"*{e(s.article)}*", ""]
        for b in s.blocks:
            out += (
                [f"- {para(p)}" for p in b.paras] if b.kind == "ul" else [f"### {para(p)}" for p in b.paras] if b.kind == "head" else [para(p) for p in b.paras]
            )
            out.append("")
    if n.gaps:
        out += [f"## {e(L['gaps'])}", ""] + [f"- {e(g.article)}{e(' (' + g.activity + ')') if g.activity else ''}: {e(g.what)}" for g in n.gaps] + [""]
    out += [f"*{e(L['made'])}, {e(L['date'])}.*", ""]
    return "\n".join(out)


def _jinja() -> Any:
    import jinja2

    from ropa.documents.typeset import TEMPLATES

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


def render_html(n: Notice) -> str:
    return str(_jinja().get_template("notice.html.j2").render(n=n, L=_labels(n)))


def render_pdf(n: Notice) -> bytes:
    from ropa.documents import typeset

    return typeset.render_pdf("notice.typ.j2", {"n": n, "L": _labels(n)}, when=n.made)


def render_docx(n: Notice, out: Union[str, Path, IO[bytes]]) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    from ropa.documents import word

    L = _labels(n)
    doc = word.new_document(
        title=n.title,
        author=n.organisation,
        lang=n.lang,
        subject=n.title,
        header=n.title,
        page_word=Presenter(n.lang).t("Side", "Page"),
        of_word=Presenter(n.lang).t("av", "of"),
    )

    def fill(paragraph: Any, p: Para) -> None:
        for s in p:
            run = paragraph.add_run(word._clean(s.text))
            if s.kind in ("gap", "strong"):
                run.bold = True
            if s.kind == "gap":
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    doc.add_heading(word._clean(n.title), 0)
    if n.draft:
        r = doc.add_paragraph().add_run(L["draft"])
        r.bold = True
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    doc.add_paragraph(n.intro)
    doc.add_heading(L["summary"], 1)
    for s in n.summary:
        doc.add_paragraph(word._clean(s), style="List Bullet")
    for sec in n.sections:
        doc.add_heading(word._clean(sec.title), 1)
        doc.add_paragraph().add_run(sec.article).italic = True
        for b in sec.blocks:
            for p in b.paras:
                paragraph = doc.add_paragraph(style="List Bullet" if b.kind == "ul" else None)
                fill(paragraph, p)
                if b.kind == "head":  # an activity's name stays with its items
                    paragraph.paragraph_format.keep_with_next = True
                    for run in paragraph.runs:
                        run.bold = True
    if n.gaps:
        doc.add_heading(L["gaps"], 1)
        for g in n.gaps:
            doc.add_paragraph(word._clean(f"{g.article}{' (' + g.activity + ')' if g.activity else ''}: {g.what}"), style="List Bullet")
    doc.add_paragraph().add_run(f"{L['made']}, {L['date']}.").italic = True
    doc.save(out)


def render(n: Notice, suffix: str) -> bytes:
    """The notice as the bytes of a file of this kind (.html, .md, .docx, .pdf)."""
    import io

    if suffix == ".html":
        return render_html(n).encode("utf-8")
    if suffix == ".md":
        return render_markdown(n).encode("utf-8")
    if suffix == ".pdf":
        return render_pdf(n)
    if suffix == ".docx":
        buf = io.BytesIO()
        render_docx(n, buf)
        return buf.getvalue()
    raise RopaError(f"cannot write a notice as '{suffix or 'no extension'}' (use {', '.join(FORMATS)})")


def make_notice(session: Session, org: str, *, lang: str = "nb", subjects: Optional[str] = None) -> Notice:
    organisations = load(session, [org])
    return build_notice(organisations[0], lang=lang, subjects=subjects)


def write_notice(session: Session, path: Union[str, Path], org: str, *, lang: str = "nb", subjects: Optional[str] = None) -> Notice:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RopaError(f"{path}: cannot write a notice as '{suffix or 'no extension'}' (use {', '.join(FORMATS)})")
    check_folder(path)
    n = make_notice(session, org, lang=lang, subjects=subjects)
    data = render(n, suffix)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return n


def subject_groups(organisations: Sequence[dict[str, Any]], lang: str = "nb") -> list[str]:
    """The groups of data subjects an organisation's activities concern, as labels (for the page)."""
    p = Presenter(lang)
    keys = dict.fromkeys(k for o in organisations for a in o.get("activities", []) for k in a.get("data_subjects", []))
    return [p.subject(k) for k in keys]

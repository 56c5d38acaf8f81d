"""The notice's recurring phrases (legal bases, Art. 9 conditions, transfer mechanisms), the Art. 13
<-> 14 citations of a gap, and which activities concern a group of people: the words, apart from
the order of the sections (:mod:`ropa.documents.notice`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Optional

from ropa import vocab
from ropa.documents.notice_parts import Gap, Para, Seg
from ropa.documents.present import Presenter

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


class Writer:
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
        cited = vocab.article_in(article, self.lang)
        self.gaps.append(Gap(article, what, activity, cited))
        return Seg(self.t(f"[MANGLER: {what} – {cited}]", f"[MISSING: {what} – {cited}]"), "gap")

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
        """A citation for the public: the regulation named and "artikkel" written out, "Art. 6(1)(b)"
        -> "personvernforordningen artikkel 6 nr. 1 bokstav b" (the citation itself from
        :func:`ropa.terms.article_in`), "GDPR Article 6(1)(b)" in English."""
        if not article.startswith("Art. "):
            return article
        if self.lang == "nb":
            return "personvernforordningen " + vocab.article_in(article, "nb").replace("art.", "artikkel", 1)
        return "GDPR " + article.replace("Art.", "Article", 1)

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
        }.get(
            code,
            (
                f"Overføringen bygger på {term.label('nb')} ({self._article(term.article or '')}).",
                f"The transfer relies on {term.label('en')} ({self._article(term.article or '')}).",
            ),
        )
        out = [head, Seg(self.t(*words) + " ")]
        if code.startswith("art46"):
            if t.get("safeguard"):
                out.append(Seg(self.t(f"Garantiene står i «{t['safeguard']}». ", f"The safeguards are set out in “{t['safeguard']}”. ")))
            if contact:
                out.append(Seg(self.t(f"Du kan få en kopi av dem ved å kontakte oss på {contact}.", f"You can get a copy by contacting us at {contact}.")))
            else:
                out.append(self.gap("Art. 13(1)(f)", "hvor man får en kopi av garantiene", "where to obtain a copy of the safeguards", ref))
        return out


def concerns(subjects: Optional[str], act: dict[str, Any], p_nb: Presenter, p_en: Presenter, loose: bool = False) -> bool:
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


def some_of(items: Sequence[str], limit: int, t: Any, sep: str) -> str:
    """The first ``limit`` items as written, and how many more ("…; og 3 til"), never silently cut."""
    shown = sep.join(items[:limit])
    rest = len(items) - limit
    return shown + (t(f" og {rest} til", f" and {rest} more") if rest > 0 else "")

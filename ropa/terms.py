"""A vocabulary item (:class:`Term`): a stable code with its English and bokmål labels and the
article it rests on, and article citations in either language. Every vocabulary is built of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional


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
        """With the article, as DPOs cite it: "Art. 6(1)(b) – avtale". The vocabulary's own names keep
        the EU's short citation in both languages (only its words translated: "Art. 49(1) annet
        ledd"): they are what a workbook's cells hold and what an import matches, in files written
        before as after. Citations shown as citations go through :func:`article_in`."""
        if not self.article:
            return self.label(lang)
        return f"{_words_in(self.article, lang)} – {self.label(lang)}"


# Citations whose words differ in bokmål.
_ARTICLE_WORDS_NB = (("second subparagraph", "annet ledd"), ("recital", "fortalepunkt"))


def _words_in(article: str, lang: str) -> str:
    if lang == "nb":
        for en, nb in _ARTICLE_WORDS_NB:
            article = article.replace(en, nb)
    return article


def article_in(article: Optional[str], lang: str) -> str:
    """An article citation as the language writes it. English keeps the EU's "Art. 30(1)(b)";
    bokmål writes it as Norwegian law does (personvernforordningen on Lovdata): "art. 30 nr. 1
    bokstav b", "art. 49 nr. 1 annet ledd", "fortalepunkt 111". Every citation the app shows in
    bokmål (findings, field labels and help, the workbook) goes through here."""
    if not article:
        return ""
    if lang != "nb":
        return article
    article = re.sub(r"\bArt\.", "art.", _words_in(article, lang))
    article = re.sub(r"\((\d+)\)", r" nr. \1", article)
    article = re.sub(r"\(([a-z])\)–\(([a-z])\)", r" bokstav \1–\2", article)  # "13(1)(a)–(b)": "13 nr. 1 bokstav a–b"
    article = re.sub(r"\(([a-z])\)", r" bokstav \1", article)
    return re.sub(r"/ (nr\.|bokstav) ", r"/\1 ", article)  # "Art. 30(1)/(2)": "art. 30 nr. 1/nr. 2"


def _terms(*items: tuple[str, str, str] | tuple[str, str, str, Optional[str]]) -> dict[str, Term]:
    return {item[0]: Term(*item) for item in items}

"""A vocabulary item (:class:`Term`): a stable code with its English and bokmål labels and the
article it rests on, and article citations in either language. Every vocabulary is built of these.
"""

from __future__ import annotations

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

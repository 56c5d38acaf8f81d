"""The parts of a privacy notice (sections of paragraphs, and the gaps the register leaves): what the
drafting builds and every renderer reads, so neither has to import the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional


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
    article: str  # the EU's form, "Art. 13(1)(e), 14(1)(e)": what code and tests match
    blocks: list[Block] = field(default_factory=list)
    cited: str = ""  # the article as the notice's language writes it (set when the notice is built)


@dataclass
class Gap:
    """Something Art. 13/14 requires that the register does not hold."""

    article: str  # the EU's form, "Art. 13(1)(f), 14(1)(f)": what code and tests match
    what: str
    activity: Optional[str] = None  # ref, or None for the organisation
    cited: str = ""  # the article as the notice's language writes it: "art. 13 nr. 1 bokstav f" in bokmål


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

"""What every kind of cell conversion shares: the notes it reports, the context a row is read
in, text of a cell, and the coded values read from a code, a label in either language or words.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from ropa import vocab
from ropa.errors import MESSAGE_LANG
from ropa.excel import parse

NONE_WORDS = frozenset(
    {
        "none",
        "ingen",
        "n/a",
        "na",
        "nei",
        "no",
        "-",
        "–",
        "ikke aktuelt",
        "not applicable",
        "no transfers",
        "ingen overføringer",
        "ingen overføring",
        "nil",
        "ingen tredjelandsoverføring",
    }
)


LANG: ContextVar[str] = MESSAGE_LANG  # the language problems are told in (nb | en)


def say(en: str, nb: str) -> str:
    """A message in the language of the import under way (:data:`LANG`)."""
    return nb if LANG.get() == "nb" else en


@dataclass
class Note:
    """Something to tell about one field of one record: a warning (kept as words) or an error."""

    field: str
    code: str
    message: str
    severity: str = "warning"


@dataclass
class Context:
    """What parsing a row needs beyond its cells."""

    custom: dict[str, dict[str, vocab.Term]] = field(default_factory=dict)  # kind -> key -> the organisation's own terms
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> known recipient (for kind, country, agreement)
    org: dict[str, Any] = field(default_factory=dict)  # the organisation's own fields (to drop its contact from 'controllers')
    labels: dict[str, str] = field(default_factory=dict)  # field key -> the column header, for notes kept in the description
    # Our own workbook: every column is one field, so a value invalid for it is an error. In anyone else's
    # table a free-text value under a structured header ("Retention period": "7 years from …") is read as words.
    strict: bool = False


def text(value: Any) -> Optional[str]:
    """A cell as text: None when empty; whole numbers without '.0'; dates in ISO form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    return s or None


def _short(value: Any, limit: int = 80) -> str:
    s = " ".join(str(value).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _set(record: dict[str, Any], key: str, value: Any) -> None:
    head, _, tail = key.partition(".")
    if tail:
        record.setdefault(head, {})
        if record[head] is None:
            record[head] = {}
        record[head][tail] = value
    else:
        record[key] = value


def keep_as_note(act: dict[str, Any], label: str, words: str) -> None:
    """Keep text that fits nowhere as a line of the description (once: re-imports do not repeat it)."""
    line = f"{label}: {words}"
    current = act.get("description") or ""
    if line in current:
        return
    act["description"] = f"{current}\n{line}" if current else line


def _find_term(terms: dict[str, vocab.Term], value: str, *, display: bool = True) -> Optional[str]:
    folded = parse.fold(value)
    for code, term in terms.items():
        options = {parse.fold(code), parse.fold(term.en), parse.fold(term.nb)}
        if display:
            options |= {parse.fold(term.display("en")), parse.fold(term.display("nb"))}
        if folded in options:
            return code
    return None


_TAXONOMY_INDEX: dict[str, dict[str, str]] = {}


def _taxonomy_key(kind: str, item: str, custom: Optional[dict[str, vocab.Term]]) -> str:
    """A taxonomy key from a key or a label in either language; free text stays as written."""
    if custom:
        for key, term in custom.items():
            if item in (key, term.en, term.nb):
                return key
    terms = vocab.TAXONOMIES[kind]
    if item in terms:
        return item
    index = _TAXONOMY_INDEX.get(kind)
    if index is None:
        index = {}
        for key, term in terms.items():
            index.setdefault(parse.fold(term.en), key)
            index.setdefault(parse.fold(term.nb), key)
        _TAXONOMY_INDEX[kind] = index
    folded = parse.fold(item)
    # Headers and cells speak in plurals ("Ansatte", "Kunder", "Employees"); the labels are singular.
    for variant in (folded, folded[:-1] if folded[-1:] in ("s", "e", "r") else "", folded[:-2] if folded[-2:] in ("er", "es") else ""):
        if variant and variant in index:
            return index[variant]
    return item


# ---------------------------------------------------------------------------------------------
# Coded single values


_ROLE_WORDS = [("joint_controller", r"joint|felles"), ("processor", r"processor|databehandler"), ("controller", r"controller|behandlingsansvarlig")]
_STATUS_WORDS = [
    (
        "retired",
        r"\b(?:retired|avsluttet|avviklet|ended|inactive|inaktiv|historisk|ceased|discontinued|archived|arkivert|"
        r"closed|stopped|no longer|ikke lenger|decommissioned|utfaset)\b",
    ),
    (
        "draft",
        r"\b(?:draft|utkast|planned|planlagt|under arbeid|proposed|pending|under review|in review|to do|todo|"
        r"tbc|tbd|not started|ikke startet|in progress|påbegynt|under utarbeidelse|new|ny)\b",
    ),
    (
        "active",
        r"\b(?:active|aktiv|i bruk|in use|live|pågående|ongoing|current|complete|completed|ferdig|done|approved|"
        r"godkjent|reviewed|in place|operational|implemented|gjeldende|yes|ja)\b",
    ),
]
_DPIA_WORDS = [
    (
        "not_needed",
        r"^(no|nei|n)\b|not (required|needed|necessary)|ikke (nødvendig|påkrevd|behov)|unødvendig|"
        r"low risk|lav risiko",
    ),
    (
        "done",
        r"^(done|completed?|ferdig|gjennomført|utført|yes,? (done|completed))|completed|gjennomført|dpia done|"
        r"approved|godkjent|signed off",
    ),
    ("in_progress", r"in progress|pågår|ongoing|under arbeid|started|startet"),
    ("planned", r"planned|planlagt|required|nødvendig|needed|^yes$|^ja$|^y$|^j$|^x$"),
    ("not_needed", r"not (required|needed|necessary)|ikke (nødvendig|påkrevd)|unødvendig|^no$|^nei$|^n$"),
    ("not_assessed", r"not assessed|ikke vurdert|unknown|ukjent|\?|\btb[cd]\b|to be (?:confirmed|assessed)"),
]
_UNIT_WORDS = [("years", r"^(år|years?|yrs?|aar)$"), ("months", r"^(måneder|måned|mnd\.?|months?|mths?)$"), ("days", r"^(dager|dag|days?|døgn)$")]
_ACTION_WORDS = [("anonymise", r"anonymi"), ("erase", r"slett|erase|delet|destroy|makuler|fjern"), ("review", r"vurder|review|gjennomg")]


def _coded(value: Any, terms: dict[str, vocab.Term], words: list[tuple[str, str]]) -> tuple[Optional[str], Optional[str]]:
    """A code from the code, a label (either language) or a common word; (None, text) otherwise."""
    raw = text(value)
    if raw is None:
        return None, None
    code, _ = parse.parse_code(raw, terms)
    if code:
        return code, None
    folded = parse.fold(raw)
    for c, pattern in words:
        if re.search(pattern, folded):
            return c, None
    return None, raw


def _items(value: Any) -> list[str]:
    """A list cell's items; a cell that only says 'none' ('-', 'ingen', 'n/a') is an empty list."""
    raw = value if isinstance(value, str) else text(value)
    if raw is None or parse.fold(raw) in NONE_WORDS:
        return []
    return parse.split_list(raw)


_WHAT_NB = {
    "role": "en rolle",
    "status": "en status",
    "retention unit": "en enhet for lagringstid",
    "retention action": "en handling ved utløp",
    "DPIA status": "en DPIA-status",
    "kind of recipient": "en type mottaker",
    "frequency": "en hyppighet",
}


def _not_yes_no(key: str, raw: str) -> Note:
    return Note(key, "invalid_value", say(f"'{_short(raw)}' is not yes or no", f"'{_short(raw)}' er ikke ja eller nei"), "error")

"""Which row holds the headers, and which register field each column is.

Headers are matched against the field table (:mod:`ropa.fields`): both languages' labels and
the aliases, which include the authorities' template wording (Datatilsynet, ICO). Matching is
tolerant of case, punctuation, line breaks, parentheticals such as "(if possible)" and typos:
an exact match of the normalised text first, then a fuzzy ratio (rapidfuzz) of at least
:data:`THRESHOLD`. Each field takes one column; a second column matching the same field is
left unmapped with a note, never merged silently.

The header row is found by itself: the first 30 rows are scored by how many fields they name,
alone and as a two-row header (a group title above, merged or not, and sub-headers below).
Rows under the header that read as instructions ("Beskriv formålet …") or as the template's
example ("Eksempel: …", "e.g. …") are flagged, not imported.

A mapping the user corrected can be saved under a name (one JSON file per mapping in
:func:`mappings_dir`) and applied to the next file from the same template.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from rapidfuzz import fuzz, process

from ropa.errors import MESSAGE_LANG, Problem, ValidationFailed
from ropa.excel import header_words
from ropa.excel.reader import SheetData
from ropa.fields import ACTIVITY_FIELDS, ORGANISATION, RECIPIENT, TRANSFER, FieldSpec
from ropa.settings import DATA_DIR

THRESHOLD = 85.0
MAX_HEADER_SCAN = 30
MIN_HEADER_MATCHES = 2
IGNORE = "-"  # a mapping value meaning "do not import this column"


@dataclass(frozen=True)
class Target:
    """Something a column can be imported into: an activity field or one of the importer's extras."""

    key: str
    en: str
    nb: str
    kind: str
    phrases: tuple[str, ...]  # every wording recognised, as written

    def label(self, lang: str = "en") -> str:
        return self.nb if lang == "nb" else self.en


def _from_spec(spec: FieldSpec, key: Optional[str] = None, *extra: str, aliases: bool = True) -> Target:
    key = key or spec.key
    phrases = (spec.en, spec.nb, *(spec.aliases if aliases else ()), *extra, *header_words.FOREIGN.get(key, ()))
    return Target(key, spec.en, spec.nb, spec.kind, phrases)


def _targets() -> dict[str, Target]:
    out: dict[str, Target] = {}
    out["organisation"] = _from_spec(
        ORGANISATION["name"],
        "organisation",
        "Organisation name",
        "Organization",
        "Company",
        "Virksomhetens navn",
        "Foretak",
        "Selskap",
        "Legal entity",
        "Juridisk enhet",
        aliases=False,
    )
    for spec in ACTIVITY_FIELDS:
        out[spec.key] = _from_spec(spec)
    # Columns of templates that describe a part of a field: they refine what the main column gives.
    out["transfers.mechanism"] = _from_spec(TRANSFER["mechanism"], "transfers.mechanism")
    out["transfers.safeguard"] = _from_spec(TRANSFER["safeguard"], "transfers.safeguard")
    out["recipients.agreement"] = _from_spec(RECIPIENT["agreement"], "recipients.agreement")
    # A yes/no transfer column beside free text for the destination or recipient, the parts of a lawful basis,
    # a DPIA's progress beside "DPIA required?" (ropa.excel.header_words).
    for key, (en, nb, kind, more) in header_words.EXTRAS.items():
        out[key] = Target(key, en, nb, kind, (en, nb, *more))
    return out


TARGETS: dict[str, Target] = _targets()


# ---------------------------------------------------------------------------------------------
# Normalising and matching


_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^\w]+")


def norm(text: Any) -> str:
    """Lower case, no punctuation or line breaks, spaces collapsed: 'Purpose(s) of\\nprocessing:' -> 'purpose s of processing'."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold().replace("_", " ")
    return " ".join(_NON_WORD.sub(" ", s).split())


# What templates put before a header's words: a number ("3.", "b)", "2.1"), the article it answers ("Art. 30(1)(b) –",
# "Artikkel 30 nr. 1 bokstav b:"); and after them: a hint after a colon or dash ("Purpose: why do you …").
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[a-zA-Z][.)])\s+")
_ARTICLE = re.compile(
    r"^\s*(?:art(?:ikkel|icle|\.)?\s*)?30\s*(?:\(\s*[12]\s*\)|nr\.?\s*[12]|[.]\s*[12])?\s*(?:\(\s*[a-g]\s*\)|(?:bokstav|letter|lit\.?)?\s*[a-g]\b\)?)?\s*(?:gdpr|gdpr|personvernforordningen)?\s*[-–—:]?\s*",
    re.IGNORECASE,
)
_HINT = re.compile(r"\s*(?::|\s[-–—]\s).*$", re.DOTALL)


def _variants(header: str) -> list[str]:
    """The header, without parentheticals, and its first line (templates put hints below the title); each also
    without a leading number or Art. 30 reference, and without a hint after a colon or dash."""
    text = str(header).strip()
    first = text.splitlines()[0] if text else ""
    forms = [text, _PAREN.sub(" ", text), first, _PAREN.sub(" ", first)]
    for f in list(forms):
        stripped = _ARTICLE.sub("", _NUMBERING.sub("", f), count=1) if re.match(r"\s*(?:\d|[a-zA-Z][.)]|art)", f, re.IGNORECASE) else f
        forms.append(stripped)
        head = _HINT.sub("", stripped)
        if len(head) >= 4:
            forms.append(head)
    out: list[str] = []
    for f in forms:
        v = norm(f)
        if v and v not in out:
            out.append(v)
    return out


@dataclass(frozen=True)
class _Index:
    phrases: list[str]
    keys: list[str]
    exact: dict[str, str]


def _build_index(targets: dict[str, Target]) -> _Index:
    phrases: list[str] = []
    keys: list[str] = []
    exact: dict[str, str] = {}
    # Labels first, then aliases, then both without their parentheses: a label always wins over
    # another field's alias that reads the same ("Lagringstid" vs "Lagringstid (antall)").
    labels = [(t.key, norm(p)) for t in targets.values() for p in t.phrases[:2]]
    aliases = [(t.key, norm(p)) for t in targets.values() for p in t.phrases[2:]]
    bare = [(t.key, norm(_PAREN.sub(" ", p))) for t in targets.values() for p in t.phrases]
    for key, v in labels + aliases + bare:
        if v and v not in exact:
            exact[v] = key
            phrases.append(v)
            keys.append(key)
    return _Index(phrases, keys, exact)


_INDEX = _build_index(TARGETS)


def match_header(header: Any) -> tuple[Optional[str], float]:
    """The best target for a header and its score (100 = exact); (None, best score) below the threshold."""
    if header is None or not str(header).strip():
        return None, 0.0
    return _match(str(header))


# Headers of the templates that name no field of an activity, so they never fuzzily match one: on a processor's
# sheet, its own contact details (not the controller's).
_NOT_FIELDS = {
    norm(p)
    for p in (
        "Name and contact details of processor",
        "Name and contact details of the processor",
        "Processor name and contact details",
        "Navn og kontaktopplysninger til databehandler",
        "Databehandlerens navn og kontaktopplysninger",
        "Name and contact details of controller's representative",
        "Name and contact details of processor's representative",
        "Rights available to individuals",
        "Existence of automated decision-making, including profiling",
        "Personal data breaches",
    )
}


@lru_cache(maxsize=4096)
def _match(header: str) -> tuple[Optional[str], float]:
    best_key, best = None, 0.0
    if any(v in _NOT_FIELDS for v in _variants(str(header))):
        return None, 0.0
    for v in _variants(str(header)):
        key = _INDEX.exact.get(v)
        if key:
            return key, 100.0
        if len(v) < 5:  # short headers ("ID", "Nr") only match exactly
            continue
        found = process.extractOne(v, _INDEX.phrases, scorer=fuzz.ratio, score_cutoff=best)
        if found:
            phrase, score, i = found
            if len(phrase) >= 5 and score > best:
                best_key, best = _INDEX.keys[i], float(score)
    if best >= THRESHOLD:
        return best_key, best
    return None, best


# ---------------------------------------------------------------------------------------------
# The header row


@dataclass
class Column:
    """One column of the sheet and where it goes."""

    index: int  # 0-based
    header: str
    field: Optional[str]  # a TARGETS key, or None: not imported
    score: float = 0.0
    how: str = "none"  # exact | fuzzy | override | saved | none | duplicate | ignored | values | mark
    guess: Optional[str] = None  # the best match even when below the threshold, for the UI
    item: Optional[str] = None  # how "mark": a ticked cell adds this item to the field ``guess`` (a matrix of ticks)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Header:
    """Where the header is and what each column means; data start at ``first_data`` (0-based row)."""

    row: int  # 0-based index of the (last) header row
    rows: int  # 1 or 2
    columns: list[Column]
    notes: list[Problem] = field(default_factory=list)

    @property
    def first_data(self) -> int:
        return self.row + 1

    @property
    def header_row_number(self) -> int:
        """1-based number of the first header row, as the spreadsheet shows it."""
        return self.row - self.rows + 2

    def mapped(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}

    def unmapped(self) -> list[Column]:
        return [c for c in self.columns if not c.field and c.header]


def column_letter(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(v: Any) -> str:
    return "" if v is None else " ".join(str(v).split()) if not isinstance(v, str) else v.strip()


def _fill_merged(sheet: SheetData, row: int, values: list[str]) -> list[str]:
    """A merged cell's text over every column it spans (calamine gives it to the first only)."""
    out = list(values)
    reach = -1  # the columns up to here are done (merged ranges do not overlap; if they do, the first wins)
    for (r0, c0), (_r1, c1) in sorted((m for m in sheet.merged if m[0][0] <= row <= m[1][0]), key=lambda m: m[0][::-1]):
        v = _text(sheet.cell(r0, c0))
        for c in range(max(c0, reach + 1), min(c1 + 1, len(out))):  # never past the row's width
            if not out[c]:
                out[c] = v
        reach = max(reach, c1)
    return out


def _row_texts(sheet: SheetData, row: int, width: int) -> list[str]:
    cells = sheet.rows[row] if row < len(sheet.rows) else []
    return _fill_merged(sheet, row, [_text(cells[c]) if c < len(cells) else "" for c in range(width)])


# Sub-headers under a group title mean a part of the group's field: "Overføring til tredjeland"
# over "Land" and "Grunnlag" is the destination and the transfer mechanism, not the legal basis.
FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "transfers": {
        "transfers": (
            "Land",
            "Country",
            "Countries",
            "Mottakerland",
            "Tredjeland",
            "Destination",
            "Destinasjon",
            "Hvor",
            *TRANSFER["country"].aliases,
            TRANSFER["country"].en,
            TRANSFER["country"].nb,
        ),
        "transfers.mechanism": (
            "Grunnlag",
            "Overføringsgrunnlag",
            "Mechanism",
            "Basis",
            "Lawful basis",
            "Rettslig grunnlag",
            "Tool",
            *TRANSFER["mechanism"].aliases,
            TRANSFER["mechanism"].en,
            TRANSFER["mechanism"].nb,
        ),
        "transfers.safeguard": (
            "Garantier",
            "Safeguards",
            "Dokumentasjon",
            "Documentation",
            "Sikringstiltak",
            *TRANSFER["safeguard"].aliases,
            TRANSFER["safeguard"].en,
            TRANSFER["safeguard"].nb,
        ),
    },
    "recipients": {
        "recipients": ("Navn", "Name", "Mottaker", "Recipient", "Kategori", "Category", "Hvem", "Who"),
        "recipients.agreement": ("Avtale", "Agreement", "Contract", "Kontrakt", "Databehandleravtale", "DPA", *RECIPIENT["agreement"].aliases),
    },
    "dpia.status": {
        "dpia.status": ("Status", "Required", "Påkrevd", "Nødvendig", "Needed", "Progress", "Gjennomført"),
        "dpia.ref": ("Link", "Lenke", "Reference", "Referanse", "Ref", "Dokument", "Document"),
    },
    "retention.text": {
        "retention.text": ("Beskrivelse", "Description", "Tekst", "Text", "Regel", "Rule", "Schedule"),
        "retention.period": ("Periode", "Period", "Antall", "Number", "Lengde", "Length", "Tid", "Time"),
        "retention.unit": ("Enhet", "Unit"),
        "retention.trigger": ("Fra", "From", "Starter", "Starts", "Regnes fra", "Trigger", "Start"),
        "retention.action": ("Deretter", "Then", "Handling", "Action", "Ved utløp", "At the end"),
    },
}
_FAMILY_INDEX = {g: {norm(p): k for k, phrases in fam.items() for p in phrases} for g, fam in FAMILIES.items()}


# A group title that names more than one field ("Mottakere og overføring", "Recipients and transfers"): its words
# say which families its sub-headers may belong to.
_GROUP_WORDS = {
    "transfers": re.compile(r"overf|transfer|tredjeland|tredjestat|third countr|übermittlung|drittland|överföring", re.IGNORECASE),
    "recipients": re.compile(r"mottak|recipient|modtager|empfänger|destinataire|mottagare", re.IGNORECASE),
    "retention.text": re.compile(r"lagring|sletting|retention|oppbevaring|storage", re.IGNORECASE),
    "dpia.status": re.compile(r"dpia|personvernkonsekvens|impact assessment", re.IGNORECASE),
}


def _family_match(group: str, sub: str) -> Optional[str]:
    key, _ = match_header(group)
    keys = [key] if key in _FAMILY_INDEX else []
    keys += [k for k, words in _GROUP_WORDS.items() if k not in keys and words.search(group)]
    for k in keys:
        index = _FAMILY_INDEX[k]
        for v in _variants(sub):
            if v in index:
                return index[v]
        found = process.extractOne(norm(sub), list(index), scorer=fuzz.ratio, score_cutoff=THRESHOLD)
        if found and len(found[0]) >= 5:
            return index[found[0]]
    return None


def _score(headers: Sequence[str], overrides: dict[str, str], forced: Optional[dict[int, str]] = None) -> int:
    """How many distinct fields a header row names."""
    keys: set[Optional[str]] = set()
    for i, h in enumerate(headers):
        if forced and i in forced:
            keys.add(forced[i])
        elif h and norm(h) in overrides:
            keys.add(overrides[norm(h)])
        elif h:
            keys.add(match_header(h)[0])
    keys.discard(None)
    keys.discard(IGNORE)
    return len(keys)


def _two_row(top: list[str], sub: list[str]) -> tuple[list[str], dict[int, str]]:
    """Per column, the group title above and the sub-header below, joined as they match best;
    and the columns whose sub-header names a part of the group's field."""
    filled = list(top)
    for c in range(1, len(filled)):  # a group title spans the empty cells to its right, where there are sub-headers
        if not filled[c] and sub[c] and filled[c - 1] and sub[c - 1]:
            filled[c] = filled[c - 1]
    out: list[str] = []
    forced: dict[int, str] = {}
    for c, (t, s) in enumerate(zip(filled, sub)):
        if t and s and t != s:
            part = _family_match(t, s)
            if part:
                out.append(f"{t} / {s}")
                forced[c] = part
                continue
        options = [x for x in (s, f"{t} / {s}" if t and s and t != s else "", t if not s else "") if x]
        best, best_score = (options[0] if options else ""), -1.0
        for o in options:
            key, score = match_header(o)
            score = score + (1000 if key else 0)
            if score > best_score:
                best, best_score = o, score
        out.append(best)
    return out, forced


def detect_header(sheet: SheetData, overrides: Optional[dict[str, Optional[str]]] = None) -> Header:
    """Find the header row (or two) in the first rows of a sheet and map its columns."""
    ov = {norm(k): (v or IGNORE) for k, v in (overrides or {}).items() if not _is_letter(k)}
    width = max((len(r) for r in sheet.rows[: MAX_HEADER_SCAN + 2]), default=0)
    best: Optional[tuple[int, int, int, list[str], dict[int, str]]] = None  # (matches, row, rows, headers, forced)
    limit = min(len(sheet.rows), MAX_HEADER_SCAN)
    singles: dict[int, tuple[int, list[str]]] = {}
    for r in range(limit):
        texts = _row_texts(sheet, r, width)
        if not any(texts):
            continue
        n = _score(texts, ov)
        singles[r] = (n, texts)
        if best is None or n > best[0]:
            best = (n, r, 1, texts, {})
    for r in range(limit - 1):
        if r not in singles or r + 1 not in singles or not singles[r][0] and not singles[r + 1][0]:
            continue
        combined, forced = _two_row(singles[r][1], singles[r + 1][1])
        n = _score(combined, ov, forced)
        if best is not None and n > max(singles[r][0], singles[r + 1][0]) and n > best[0]:
            best = (n, r + 1, 2, combined, forced)
    if best is None or best[0] < MIN_HEADER_MATCHES and not (overrides and best[0] >= 1):
        raise ValidationFailed(
            [
                Problem(
                    sheet.name,
                    "no_header",
                    _say(
                        f"no header row found in sheet '{sheet.name}': none of the first {MAX_HEADER_SCAN} rows names at least "
                        f"{MIN_HEADER_MATCHES} of the register's fields (e.g. 'Processing activity', 'Purpose of processing'); "
                        'map the columns yourself (--map "Header=field")',
                        f"fant ingen overskriftsrad i arket '{sheet.name}': ingen av de første {MAX_HEADER_SCAN} radene nevner minst "
                        f"{MIN_HEADER_MATCHES} av registerets felt (f.eks. 'Behandlingsaktivitet', 'Formål med behandlingen'); "
                        'koble kolonnene selv (--map "Overskrift=felt")',
                    ),
                )
            ]
        )
    _, row, rows, headers, forced = best
    return Header(row=row, rows=rows, columns=map_columns(headers, overrides, forced))


def _say(en: str, nb: str) -> str:
    """A message in the language problems are told in (as :func:`ropa.excel.cells.say`)."""
    return nb if MESSAGE_LANG.get() == "nb" else en


def _is_letter(key: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{1,3}", key.strip()))


def map_columns(headers: Sequence[str], overrides: Optional[dict[str, Optional[str]]] = None, forced: Optional[dict[int, str]] = None) -> list[Column]:
    """Each header's field: overrides (by header text or column letter) first, then the best match;
    a field goes to one column only (the best-scoring), others are left unmapped with a note."""
    by_text = {norm(k): v for k, v in (overrides or {}).items() if not _is_letter(k)}
    by_letter = {k.strip(): v for k, v in (overrides or {}).items() if _is_letter(k)}
    columns = []
    for i, h in enumerate(headers):
        h = h or ""
        letter = column_letter(i)
        if letter in by_letter or (h and norm(h) in by_text):
            value = by_letter.get(letter, by_text.get(norm(h)))
            if not value or value == IGNORE:
                columns.append(Column(i, h, None, 100.0, "ignored"))
            else:
                if value not in TARGETS:
                    raise ValidationFailed(
                        [
                            Problem(
                                f"column {letter} '{h}'",
                                "unknown_field",
                                _say(
                                    f"'{value}' is not a field; use one of: {', '.join(TARGETS)}",
                                    f"'{value}' er ikke et felt; bruk ett av: {', '.join(TARGETS)}",
                                ),
                            )
                        ]
                    )
                columns.append(Column(i, h, value, 100.0, "override"))
            continue
        if forced and i in forced:
            columns.append(Column(i, h, forced[i], 100.0, "exact", forced[i]))
            continue
        key, score = match_header(h)
        if key:
            columns.append(Column(i, h, key, score, "exact" if score >= 100 else "fuzzy", key))
        else:
            guess, _ = _best_guess(h)
            columns.append(Column(i, h, None, score, "none", guess))
    taken: dict[str, Column] = {}
    for c in sorted(columns, key=lambda c: (c.how != "override", -c.score, c.index)):
        if not c.field:
            continue
        if c.field in taken:
            c.guess, c.field, c.how = c.field, None, "duplicate"
        else:
            taken[c.field] = c
    return columns


def _best_guess(header: str) -> tuple[Optional[str], float]:
    if not header.strip():
        return None, 0.0
    best_key, best = None, 0.0
    for v in _variants(header):
        found = process.extractOne(v, _INDEX.phrases, scorer=fuzz.token_set_ratio)
        if found and found[1] > best:
            best_key, best = _INDEX.keys[found[2]], float(found[1])
    return (best_key, best) if best >= 60 else (None, best)


# ---------------------------------------------------------------------------------------------
# Rows that are not data


_EXAMPLE = re.compile(r"^\s*\(?(?:eksempel|example|sample|e\.\s?g\.|eg:|f\.\s?eks\.?|for eksempel|for example|eks\.|eks:)(?!\w)", re.IGNORECASE)
_INSTRUCTION = re.compile(
    r"^\s*(?:beskriv|angi|oppgi|skriv|list|fyll|velg|før opp|legg inn|hvilke|hva|hvem|hvor|hvordan|når|describe|enter|state|"
    r"specify|provide|include|select|choose|give|record|insert|what|which|who|where|how|when|if |hvis|dersom|eg |e\.g)\b",
    re.IGNORECASE,
)


def is_example(cells: Sequence[Any]) -> Optional[str]:
    """The text that marks a row as the template's example (its first cell says so), or None."""
    for v in cells:
        if v is None or not str(v).strip():
            continue
        return v.strip() if isinstance(v, str) and _EXAMPLE.match(v) else None
    return None


def is_instruction(cells: Sequence[Any]) -> bool:
    """A row of guidance under the headers: most of its texts ask or tell, none is a plain value."""
    texts = [v for v in cells if v is not None and str(v).strip()]
    if len(texts) < 2:
        return False
    telling = sum(1 for v in texts if isinstance(v, str) and (_INSTRUCTION.match(v) or v.rstrip().endswith("?")))
    return telling * 2 > len(texts) and telling >= 2


_TELLING = re.compile(
    r"^\s*(?:bruk (?:én|en|ei|ett|denne|dette)|use (?:one|a (?:new )?(?:line|row)|this)|add (?:one|a|your|each|new|the)|"
    r"legg (?:til|inn)|slett|delete|remove|fjern|fill in|fyll (?:ut|inn)|complete (?:this|the|one)|please|vennligst|"
    r"start (?:here|below)|begynn)\b|"
    r"\b(?:one (?:line|row) (?:per|for)|(?:én|en|ei) (?:linje|rad) (?:per|for)|slett eksempl\w*|delete the examples?|"
    r"this template|denne malen|this sheet|dette arket)\b",
    re.IGNORECASE,
)


def is_instruction_sentence(cells: Sequence[Any]) -> bool:
    """A row whose only text is a sentence telling how to fill in the sheet ("Bruk én linje for hver behandling, og slett
    eksemplene", "Add one line per processing activity below")."""
    texts = [v for v in cells if v is not None and str(v).strip()]
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    words = texts[0].split()
    return len(words) >= 4 and bool(_TELLING.search(texts[0]))


def fields_named(cells: Sequence[Any]) -> int:
    """How many distinct fields a row's cells name exactly (after normalising): a header row met among the data (the
    header repeated, or a second table's) names several; a data row, hardly ever."""
    keys = {_INDEX.exact.get(norm(v)) for v in cells if isinstance(v, str) and 0 < len(v) <= 120}
    keys.discard(None)
    return len(keys)


_TOTALS = re.compile(
    r"^\s*(?:sum|sums|summe|summer|total|totals|totalt|grand total|i alt|gesamt|totaal|antall|antal|count|sous-total|sub-?total)\b",
    re.IGNORECASE,
)


def is_totals(cells: Sequence[Any]) -> Optional[str]:
    """The word of a totals row ("Sum", "Total: 12", "Totalt 4 behandlinger") when its other cells hold only numbers, else None."""
    filled = [v for v in cells if v is not None and str(v).strip()]
    if not filled or not isinstance(filled[0], str) or not _TOTALS.match(filled[0]) or len(filled[0].split()) > 4:
        return None
    for v in filled[1:]:
        if isinstance(v, bool) or not (isinstance(v, (int, float)) or re.fullmatch(r"[\d\s.,%]+", str(v))):
            return None
    return filled[0].strip()


# ---------------------------------------------------------------------------------------------
# Saved mappings


def mappings_dir() -> Path:
    """``ROPA_MAPPINGS_DIR``, or ``data/mappings``."""
    return Path(os.environ.get("ROPA_MAPPINGS_DIR") or DATA_DIR / "mappings")


# A mapping's name is its file name: letters, digits, space, "_", "-", ".", "(" and ")" (not leading, no
# ".."), so a name can never leave the folder, and names are equal exactly when their files are
# (case-insensitively, as on Windows and macOS file systems).
_NAME = re.compile(r"[^\W][\w .()-]{0,79}")
MAX_NAME = 80


def _check_name(name: str) -> str:
    clean = unicodedata.normalize("NFC", str(name)).strip()
    if not _NAME.fullmatch(clean) or ".." in clean or clean.endswith("."):
        raise ValidationFailed(
            [
                Problem(
                    "mapping",
                    "bad_name",
                    _say(
                        f"'{name}' cannot be a mapping name: use letters, digits, spaces, '.', '-', '_' and brackets "
                        f"(at most {MAX_NAME} characters), not '/', '\\' or '..'",
                        f"'{name}' kan ikke være navnet på et kolonneoppsett: bruk bokstaver, sifre, mellomrom, '.', '-', '_' og parenteser "
                        f"(høyst {MAX_NAME} tegn), ikke '/', '\\' eller '..'",
                    ),
                )
            ]
        )
    return clean


def _mapping_file(name: str, folder: Optional[Path]) -> Path:
    return (folder or mappings_dir()) / f"{_check_name(name).casefold()}.json"


def _read(path: Path) -> tuple[Optional[str], dict[str, Optional[str]]]:
    """A saved mapping file's name and columns; ValidationFailed when it is damaged."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        doc = None
    columns = doc.get("columns") if isinstance(doc, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(v, (str, type(None))) for v in columns.values()):
        raise ValidationFailed(
            [
                Problem(
                    f"mapping '{path.stem}'",
                    "bad_mapping",
                    _say(
                        "the saved mapping is damaged (not a ropa mapping file); save it again",
                        "det lagrede kolonneoppsettet er skadet (ikke en ropa-fil for kolonneoppsett); lagre det på nytt",
                    ),
                )
            ]
        )
    name = doc.get("name") if isinstance(doc, dict) else None
    return (name if isinstance(name, str) else None), columns


def save_mapping(name: str, columns: Iterable[Column] | dict[str, Optional[str]], *, folder: Optional[Path] = None, sheet: Optional[str] = None) -> Path:
    """Store a mapping (header text -> field, or None for 'not imported') under a name."""
    if isinstance(columns, dict):
        mapping = {h: (v if v and v != IGNORE else None) for h, v in columns.items()}
    else:
        mapping = {c.header: c.field for c in columns if c.header}
    path = _mapping_file(name, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": "ropa-mapping", "version": 1, "name": _check_name(name), "sheet": sheet, "columns": mapping}
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def load_mapping(name: str, *, folder: Optional[Path] = None) -> dict[str, Optional[str]]:
    """A saved mapping as overrides for :func:`map_columns` (None becomes 'not imported')."""
    _check_name(name)  # a bad name is said so, not reported as missing
    path = next((p for p in _paths(name, folder or mappings_dir()) if p.is_file()), None)
    if path is None:
        known = ", ".join(list_mappings(folder=folder)) or _say("none saved", "ingen lagret")
        message = _say(f"no saved mapping called '{name}' ({known})", f"intet lagret kolonneoppsett som heter '{name}' ({known})")
        raise ValidationFailed([Problem("mapping", "not_found", message)])
    _, columns = _read(path)
    return {str(h): (v if v else IGNORE) for h, v in columns.items()}


def list_mappings(*, folder: Optional[Path] = None) -> list[str]:
    """The saved mappings' names; a damaged file is listed by its file name, so choosing it
    reports the damage instead of hiding the file."""
    d = folder or mappings_dir()
    out = []
    for p in sorted(d.glob("*.json")) if d.is_dir() else []:
        try:
            name, _ = _read(p)
        except ValidationFailed:
            name = None
        if name is None or p not in _paths(name, d):
            name = p.stem
        if _paths(name, d):  # else not a file this module could have written or read back
            out.append(name)
    return out


def _paths(name: str, folder: Path) -> tuple[Path, ...]:
    """Where a mapping of this name is stored (and where it was before names were case-folded)."""
    try:
        clean = _check_name(name)
    except ValidationFailed:
        return ()
    return folder / f"{clean.casefold()}.json", folder / f"{clean}.json"

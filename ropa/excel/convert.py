"""Cells into the register's JSON shape: one function per kind of field, over the parsers of
:mod:`ropa.excel.parse`.

Each ``apply_*`` function writes the values it is given into a record dict (an activity,
transfer, recipient or organisation in the ``ropa-register`` shape) and leaves every other
field as it was, so a sheet with a few columns updates those and nothing else. What cannot be
parsed for certain is kept in words (a basis note, a transfer note, the retention text, or a
line of the description) and reported as a :class:`Note`; what cannot be kept at all (a date
that is not a date) is an error.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from ropa import records, vocab
from ropa.errors import MESSAGE_LANG
from ropa.excel import parse
from ropa.fields import ACTIVITY, ORGANISATION

NONE_WORDS = frozenset({"none", "ingen", "n/a", "na", "nei", "no", "-", "–", "ikke aktuelt", "not applicable", "no transfers",
                        "ingen overføringer", "ingen overføring", "nil", "ingen tredjelandsoverføring"})


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


empty_activity = records.empty_activity
empty_transfer = records.empty_transfer


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


_ROLE_WORDS = [("joint_controller", r"joint|felles"), ("processor", r"processor|databehandler"),
               ("controller", r"controller|behandlingsansvarlig")]
_STATUS_WORDS = [("retired", r"\b(?:retired|avsluttet|avviklet|ended|inactive|inaktiv|historisk|ceased|discontinued|archived|arkivert|"
                             r"closed|stopped|no longer|ikke lenger|decommissioned|utfaset)\b"),
                 ("draft", r"\b(?:draft|utkast|planned|planlagt|under arbeid|proposed|pending|under review|in review|to do|todo|"
                           r"tbc|tbd|not started|ikke startet|in progress|påbegynt|under utarbeidelse|new|ny)\b"),
                 ("active", r"\b(?:active|aktiv|i bruk|in use|live|pågående|ongoing|current|complete|completed|ferdig|done|approved|"
                            r"godkjent|reviewed|in place|operational|implemented|gjeldende|yes|ja)\b")]
_DPIA_WORDS = [("not_needed", r"^(no|nei|n)\b|not (required|needed|necessary)|ikke (nødvendig|påkrevd|behov)|unødvendig|"
                             r"low risk|lav risiko"),
               ("done", r"^(done|completed?|ferdig|gjennomført|utført|yes,? (done|completed))|completed|gjennomført|dpia done|"
                        r"approved|godkjent|signed off"),
               ("in_progress", r"in progress|pågår|ongoing|under arbeid|started|startet"),
               ("planned", r"planned|planlagt|required|nødvendig|needed|^yes$|^ja$|^y$|^j$|^x$"),
               ("not_needed", r"not (required|needed|necessary)|ikke (nødvendig|påkrevd)|unødvendig|^no$|^nei$|^n$"),
               ("not_assessed", r"not assessed|ikke vurdert|unknown|ukjent|\?|\btb[cd]\b|to be (?:confirmed|assessed)")]
_UNIT_WORDS = [("years", r"^(år|years?|yrs?|aar)$"), ("months", r"^(måneder|måned|mnd\.?|months?|mths?)$"),
               ("days", r"^(dager|dag|days?|døgn)$")]
_ACTION_WORDS = [("anonymise", r"anonymi"), ("erase", r"slett|erase|delet|destroy|makuler|fjern"),
                 ("review", r"vurder|review|gjennomg")]


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


# ---------------------------------------------------------------------------------------------
# Activity fields


Handler = Callable[[dict[str, Any], Any, Context, list[Note], str], None]


def _text_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    _set(act, key, text(value))


def _items(value: Any) -> list[str]:
    """A list cell's items; a cell that only says 'none' ('-', 'ingen', 'n/a') is an empty list."""
    raw = value if isinstance(value, str) else text(value)
    if raw is None or parse.fold(raw) in NONE_WORDS:
        return []
    return parse.split_list(raw)


def _list_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    items = _items(value)
    if key == "controllers" and ctx.org:
        own = {parse.fold(str(v)) for v in (ctx.org.get("name"), ctx.org.get("email"), ctx.org.get("phone")) if v}
        items = [i for i in items if parse.fold(i) not in own]
    _set(act, key, items)


def _taxonomy_field(kind: str) -> Handler:
    def handle(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
        items = _items(value)
        out: list[str] = []
        for i in items:
            k = _taxonomy_key(kind, i, ctx.custom.get(kind))
            if k not in out:
                out.append(k)
        _set(act, key, out)
    return handle


def _code_field(terms: dict[str, vocab.Term], words: list[tuple[str, str]], what: str) -> Handler:
    def handle(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
        code, rest = _coded(value, terms, words)
        if code:
            _set(act, key, code)
        elif rest is not None:
            nb_what = _WHAT_NB.get(what, what)
            notes.append(Note(key, "invalid_value", say(
                f"'{_short(rest)}' is not a {what} (expected one of: {', '.join(t.en for t in terms.values())})",
                f"'{_short(rest)}' er ikke {nb_what} (gyldige verdier: {', '.join(t.nb for t in terms.values())})"), "error"))
        elif key in ("retention.unit", "retention.action"):
            _set(act, key, None)
    return handle


_WHAT_NB = {"role": "en rolle", "status": "en status", "retention unit": "en enhet for lagringstid",
            "retention action": "en handling ved utløp", "DPIA status": "en DPIA-status", "kind of recipient": "en type mottaker",
            "frequency": "en hyppighet"}


def _optional_bool(act: dict[str, Any], value: Any, notes: list[Note], key: str) -> None:
    """Yes, no, or an empty cell for 'not answered' (kept apart from no)."""
    flag, rest = parse.parse_bool(value)
    if rest:
        notes.append(Note(key, "not_recognised", f"'{_short(rest)}' is not yes or no (ignored)"))
        return
    _set(act, key, flag)


def _bool_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    flag, rest = parse.parse_bool(value)
    if flag is not None:
        _set(act, key, flag)
        return
    if rest is None:
        _set(act, key, False)
        return
    folded = parse.fold(rest)
    if re.match(r"^(ja|yes|j|y)\b", folded):
        _set(act, key, True)
        if key == "criminal_data" and not act.get("criminal_data_basis"):
            act["criminal_data_basis"] = rest
        return
    if re.match(r"^(nei|no|n)\b", folded):
        _set(act, key, False)
        return
    notes.append(Note(key, "invalid_value", say(f"'{_short(rest)}' is not yes or no", f"'{_short(rest)}' er ikke ja eller nei"),
                      "error"))


def _int_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    n, rest = parse.parse_int(value)
    if rest is not None:
        notes.append(Note(key, "not_a_number", say(f"'{_short(rest)}' is not a whole number",
                                                   f"'{_short(rest)}' er ikke et heltall"), "error"))
        return
    if n is not None and n < 0:
        notes.append(Note(key, "not_a_number", say(f"{n} is negative", f"{n} er negativt"), "error"))
        return
    _set(act, key, n)


def _date_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    d, rest = parse.parse_date(value)
    if rest is not None:
        notes.append(Note(key, "not_a_date", say(f"'{_short(rest)}' is not a date (write e.g. 2025-03-31 or 31.03.2025)",
                                                 f"'{_short(rest)}' er ikke en dato (skriv f.eks. 31.03.2025 eller 2025-03-31)"),
                          "error"))
        return
    _set(act, key, d.isoformat() if d else None)


def _basis_line(line: str, terms: dict[str, vocab.Term]) -> Optional[tuple[str, Optional[str]]]:
    """Our own rendering of a basis, "Art. 6(1)(b) – avtale: the note", in either language."""
    for code, term in terms.items():
        for shown in (term.display("nb"), term.display("en"), term.nb, term.en):
            if line == shown:
                return code, None
            if line.startswith(shown + ": "):
                return code, line[len(shown) + 2:].strip() or None
    return None


def _bases_field(terms: dict[str, vocab.Term], parser: Callable[[Any], parse.Parsed], what: str) -> Handler:
    def handle(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
        before = {b["code"]: b for b in act.get(key) or []}
        out: list[dict[str, Any]] = []
        seen: dict[str, dict[str, Any]] = {}
        unplaced: list[str] = []
        raw = value if isinstance(value, str) else text(value)
        lines = parse.split_list(raw)
        if key == "legal_bases" and not ctx.strict:
            lines = _art9_from_bases(act, lines)
        for line in lines:
            own = _basis_line(line, terms)
            if own:
                code, note = own
                basis = {"code": code, "note": note, "documentation": (before.get(code) or {}).get("documentation")}
            else:
                parsed = parser(line)
                unplaced += parsed.unrecognised
                if not parsed.codes:
                    continue
                for code in parsed.codes:
                    old = before.get(code) or {}
                    note = parsed.notes.get(code) or old.get("note")
                    basis = {"code": code, "note": note, "documentation": old.get("documentation")}
                    if code not in seen:
                        seen[code] = basis
                        out.append(basis)
                continue
            if code not in seen:
                seen[code] = basis
                out.append(basis)
        for words in unplaced:
            if out:
                first = out[0]
                if words not in (first.get("note") or ""):
                    first["note"] = f"{first['note']}; {words}" if first.get("note") else words
                notes.append(Note(key, "kept_as_note", say(f"'{_short(words)}' not recognised, kept as note",
                                                           f"'{_short(words)}' ble ikke gjenkjent; beholdt som merknad")))
            else:
                keep_as_note(act, ctx.labels.get(key, key), words)
                notes.append(Note(key, "kept_as_note", say(
                    f"'{_short(words)}' not recognised as {what}, kept as note in the description",
                    f"'{_short(words)}' ble ikke gjenkjent som {_BASIS_NB.get(what, what)}; beholdt som merknad i beskrivelsen")))
        act[key] = out
    return handle


_BASIS_NB = {"an Art. 6(1) lawful basis": "et behandlingsgrunnlag etter art. 6 nr. 1",
             "an Art. 9(2) condition": "et unntak etter art. 9 nr. 2"}
_ART9_JOIN = re.compile(r"^\s*(?:og|and|\+|&|,|;|/|samt|with|med)\s*|\s*(?:og|and|\+|&|,|;|/|samt|with|med)\s*$", re.IGNORECASE)


_ART9_ANY_CASE = re.compile(parse._ART9.pattern + r"\)?", re.IGNORECASE)


def _art9_from_bases(act: dict[str, Any], lines: list[str]) -> list[str]:
    """Art. 9(2) conditions written in the lawful-basis column ('art. 6 nr. 1 c) og art. 9 nr. 2 h)', '6(1)(e) + 9(2)(g)',
    'explicit consent') go to the activity's Art. 9 conditions; the lines keep the rest."""
    found: list[tuple[str, str]] = []
    out = []
    for line in lines:
        codes = [f"art9_2_{a or b}".lower() for a, b in _ART9_ANY_CASE.findall(line)]
        rest = _ART9_ANY_CASE.sub(" ", line) if codes else line
        if not codes:
            words = parse.parse_art9_conditions(line)
            if "art9_2_a" in words.codes:  # "explicit consent": Art. 9(2)(a), and consent under Art. 6(1)(a)
                codes = ["art9_2_a"]
                rest = line
        for c in codes:
            found.append((c, line.strip()))
        for _ in range(3):
            rest = _ART9_JOIN.sub("", rest.strip(" ,.;:")).strip()
        if codes and rest and not parse.parse_legal_bases(rest).codes:
            rest = ""  # the words of the Art. 9 condition ("Article 9(2)(b) employment"): in its note
        if rest:
            out.append(rest if codes else line)
    if found:
        have = {c["code"] for c in act.get("art9_conditions") or []}
        for code, note in found:
            if code in vocab.ART9_CONDITIONS and code not in have:
                act.setdefault("art9_conditions", []).append({"code": code, "note": note, "documentation": None})
                have.add(code)
    return out


_RECIPIENT_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def parse_recipient(item: str) -> dict[str, Any]:
    """'Name (kind, country)' as our workbook writes it; parentheses that say something else stay in the name."""
    m = _RECIPIENT_PAREN.match(item)
    out: dict[str, Any] = {"name": item.strip(), "kind": None, "country": None}
    if not m or not m.group(1).strip():
        return out
    kind = country = None
    for part in (p.strip() for p in m.group(2).split(",")):
        k = _find_term(vocab.RECIPIENT_KINDS, part)
        if k and not kind:
            kind = k
            continue
        c, _ = parse.parse_country(part)
        if c and not country:
            country = c
            continue
        return out
    return {"name": m.group(1).strip(), "kind": kind, "country": country}


def _recipients_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    before = {r["name"]: r for r in act.get("recipients") or []}
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for item in parse.split_list(value if isinstance(value, str) else text(value)):
        if parse.fold(item) in NONE_WORDS:
            continue
        p = parse_recipient(item)
        if p["name"] in names:
            continue
        names.add(p["name"])
        known = before.get(p["name"]) or ctx.recipients.get(p["name"]) or {}
        out.append({"name": p["name"], "kind": p["kind"] or known.get("kind") or records.RECIPIENT_KIND,
                    "country": p["country"] or known.get("country"), "agreement": known.get("agreement")})
    act["recipients"] = out
    # Transfers naming a recipient that is gone lose the link rather than fail.
    for t in act.get("transfers") or []:
        if t.get("recipient") and t["recipient"] not in names:
            t["recipient"] = None


def _mechanism_prefix(rest: str) -> tuple[Optional[str], str]:
    """Our own rendering "Art. 46(2)(c) – standardpersonvernbestemmelser (SCC) (Recipient)": the code and what follows."""
    for code, term in vocab.MECHANISMS.items():
        for shown in (term.display("nb"), term.display("en"), term.nb, term.en):
            if rest.startswith(shown):
                return code, rest[len(shown):].strip()
    return None, rest


def parse_transfer(item: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """One destination: 'USA', 'Kina: SCC', 'India – standard contractual clauses (Vendor)'.
    Returns the transfer (mechanism None when not stated) and the words not understood."""
    raw = item.strip()
    if parse.fold(raw) in NONE_WORDS:
        return None, None
    t = empty_transfer()
    t["mechanism"] = None
    country, _ = parse.parse_country(raw)
    if country:
        t["country"] = country
        return t, None
    m = re.match(r"^(.*?)\s*(?::|\s[–—-]\s|\()\s*(.*)$", raw)
    head, rest = (m.group(1), m.group(2)) if m else (raw, "")
    if m and raw[m.end(1):].lstrip().startswith("("):
        rest = "(" + rest
    country, _ = parse.parse_country(head)
    if country:
        t["country"] = country
    else:
        t["international_organisation"] = head.strip() or raw
    if rest:
        code, after = _mechanism_prefix(rest)
        if code:
            t["mechanism"] = code
            pm = re.match(r"^\((.*)\)$", after)
            if pm:
                t["recipient"] = pm.group(1).strip() or None
            elif after:
                t["note"] = raw
        else:
            pm = re.match(r"^(.*?)\s*\(([^()]*)\)$", rest)
            code, _ = parse.parse_mechanism(rest)
            if code:
                t["mechanism"] = code
            elif pm and parse.parse_mechanism(pm.group(1))[0]:
                t["mechanism"] = parse.parse_mechanism(pm.group(1))[0]
                t["recipient"] = pm.group(2).strip() or None
            elif country and re.fullmatch(r"\(([^()]+)\)", rest.strip()) and len(rest.split()) <= 6:
                t["recipient"] = rest.strip()[1:-1].strip()  # "USA (Mailchimp)": the recipient there
            else:
                t["note"] = raw
    unknown = None if country else raw
    return t, unknown


# "No transfers", "None outside the EEA", "EEA only", "Kun innenfor EØS": no transfer to a third country.
_NO_TRANSFER = re.compile(
    r"^(?:(?:no|none|nei|ingen)\b(?!.*\b(?:except|unntatt|but|men)\b).*|"
    r"(?:only |kun |bare )?(?:within |in |innenfor |i )?(?:the )?(?:eea|eu|eøs|eu/eøs|eu/eea|european union|european economic area|"
    r"europe|europa)(?: only| kun)?\.?)$")


def transfer_from_text(words: str, recipient_text: Optional[str] = None) -> Optional[dict[str, Any]]:
    """A transfer from free text: the country named inside it ('Mailer Pte Ltd, 22 Harbour Road, Singapore' -> SG,
    recipient 'Mailer Pte Ltd'), the mechanism from its wording ('BCRs approved by the CNIL' -> BCR), or an
    international organisation named as one; None when it names no destination."""
    t = empty_transfer()
    t["mechanism"] = None
    countries = parse.countries_in_text(words) or (parse.countries_in_text(recipient_text) if recipient_text else [])
    if countries:
        t["country"] = countries[0]
    elif parse.is_international_organisation(words):
        t["international_organisation"] = words.strip()
    else:
        return None
    code, _ = parse.parse_mechanism(words)
    if code and code not in ("none", "unknown"):
        t["mechanism"] = code
    name_from = recipient_text or words
    first = re.split(r",|\n| – | - ", name_from.strip())[0].strip(" ;:")
    if first and not parse.countries_in_text(first) == [t["country"]] and vocab.find_country(first) is None \
            and not parse.parse_mechanism(first)[0] and len(first.split()) <= 8 and t["country"]:
        t["recipient"] = first
    if len(countries) > 1:
        t["note"] = words.strip()
    return t


def _transfers_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    before = list(act.get("transfers") or [])
    out: list[dict[str, Any]] = []
    for item in parse.split_list(value if isinstance(value, str) else text(value)):
        if parse.is_empty(item) or _NO_TRANSFER.match(parse.fold(item)):
            continue
        t, unknown = parse_transfer(item)
        if t is None:
            continue
        if unknown:
            found = transfer_from_text(item)
            if found is None and not ctx.strict and (len(item.split()) > 3 or re.search(r"[,\d]", item)):
                keep_as_note(act, ctx.labels.get(key, key), item)
                notes.append(Note(key, "no_country", say(f"no country found in '{_short(item)}'; kept as note in the description",
                                                         f"fant ikke noe land i '{_short(item)}'; beholdt som merknad i "
                                                         "beskrivelsen")))
                continue
            if found is None:
                notes.append(Note(key, "unknown_country", say(
                    f"'{_short(unknown)}' is not a country (write its name in English or Norwegian, or its ISO 3166 code) "
                    "nor an international organisation",
                    f"'{_short(unknown)}' er ikke et land (skriv navnet på norsk eller engelsk, eller ISO 3166-koden) "
                    "eller en internasjonal organisasjon"), "error"))
                continue
            t = found
        elif t.get("note"):
            notes.append(Note(key, "kept_as_note", f"'{_short(item)}': transfer mechanism not recognised, kept as note"))
        # The same destination as before keeps its details (safeguard, TIA, frequency …).
        match = next((b for b in before if b.get("country") == t["country"] and b.get("international_organisation") ==
                      t["international_organisation"] and (t["recipient"] is None or b.get("recipient") == t["recipient"])), None)
        if match is not None:
            before.remove(match)
            merged = dict(match)
            if t["mechanism"]:
                merged["mechanism"] = t["mechanism"]
            if t["recipient"]:
                merged["recipient"] = t["recipient"]
            if t["note"] and not merged.get("note"):
                merged["note"] = t["note"]
            out.append(merged)
        else:
            out.append(t)
    names = {r["name"] for r in act.get("recipients") or []}
    for t in out:
        if t["recipient"] and t["recipient"] not in names:
            known = ctx.recipients.get(t["recipient"]) or {}
            act.setdefault("recipients", []).append({"name": t["recipient"], "kind": known.get("kind") or records.RECIPIENT_KIND,
                                                     "country": known.get("country") or t["country"], "agreement": known.get("agreement")})
            names.add(t["recipient"])
            notes.append(Note(key, "added_recipient", f"recipient '{t['recipient']}' of a transfer was added to the recipients"))
    act["transfers"] = out


def _retention_text(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str, *,
                    structured: frozenset[str] = frozenset()) -> None:
    raw = text(value)
    r = act.setdefault("retention", {"period": None, "unit": None, "trigger": None, "action": None, "text": None})
    r["text"] = raw
    if raw is None:
        return
    parsed = parse.parse_retention(raw)
    if parsed.recognised:
        for k in ("period", "unit", "trigger", "action"):
            # A start or an end the words do not mention is kept from before.
            if f"retention.{k}" not in structured and (k in ("period", "unit") or getattr(parsed, k)):
                r[k] = getattr(parsed, k)
    else:
        for k in ("period", "unit", "trigger"):
            if f"retention.{k}" not in structured:
                r[k] = None
        if "retention.action" not in structured and parsed.action:
            r["action"] = parsed.action
        if not parsed.vague:
            notes.append(Note(key, "kept_as_text", say(f"no retention period recognised in '{_short(raw)}', kept as text",
                                                       f"fant ingen lagringstid i '{_short(raw)}'; teksten er beholdt")))


def _dpia_status(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    raw = text(value)
    dpia = act.setdefault("dpia", records.empty_dpia())
    if raw is None:
        dpia["status"] = records.DPIA_STATUS
        return
    code, rest = _coded(raw, vocab.DPIA_STATUSES, _DPIA_WORDS)
    if code:
        dpia["status"] = code
        if code == "planned" and parse.fold(raw) in {"yes", "ja", "y", "j", "x", "required", "nødvendig"}:
            notes.append(Note(key, "interpreted", f"'{raw}' read as: a DPIA is needed, status 'planned'"))
        return
    notes.append(Note(key, "invalid_value", say(
        f"'{_short(raw)}' is not a DPIA status (expected one of: {', '.join(t.en for t in vocab.DPIA_STATUSES.values())})",
        f"'{_short(raw)}' er ikke en DPIA-status (gyldige verdier: {', '.join(t.nb for t in vocab.DPIA_STATUSES.values())})"),
        "error"))


_YES_NO = ("Ja", "Nei", "Yes", "No", "ikke besvart", "not answered")


def _screening(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    """Lines "criterion: yes – note" as the workbook writes them."""
    out: dict[str, dict[str, Any]] = {}
    raw = value if isinstance(value, str) else text(value)
    for i, line in enumerate(parse.split_list(raw) if raw else []):
        crit, _, rest = line.partition(":")
        code = _find_term(vocab.DPIA_CRITERIA, crit.strip())
        if not code and i == 0 and not rest.strip().startswith(tuple(_YES_NO)):
            continue  # the workbook's first line is the screening's result, not an answer
        if not code:
            notes.append(Note(key, "not_recognised", f"'{_short(line)}' is not a DPIA screening criterion (ignored)"))
            continue
        answer_text, _, note = rest.strip().partition(" – ")
        answer, _ = parse.parse_bool(answer_text)
        out[code] = {"answer": answer, "note": note.strip() or None}
    act.setdefault("dpia", records.empty_dpia())["screening"] = out


HANDLERS: dict[str, Handler] = {
    "ref": _text_field, "name": _text_field, "description": _text_field, "owner": _text_field,
    "criminal_data_basis": _text_field, "retention.trigger": _text_field, "dpia.ref": _text_field,
    "controllers": _list_field, "purposes": _list_field, "sources": _list_field, "security_measures": _list_field,
    "systems": _list_field,
    "data_subjects": _taxonomy_field("data_subject"), "data_categories": _taxonomy_field("data_category"),
    "special_categories": _taxonomy_field("data_category"),
    "role": _code_field(vocab.ROLES, _ROLE_WORDS, "role"),
    "status": _code_field(vocab.STATUSES, _STATUS_WORDS, "status"),
    "retention.unit": _code_field(vocab.RETENTION_UNITS, _UNIT_WORDS, "retention unit"),
    "retention.action": _code_field(vocab.RETENTION_ACTIONS, _ACTION_WORDS, "retention action"),
    "legal_bases": _bases_field(vocab.LEGAL_BASES, parse.parse_legal_bases, "an Art. 6(1) lawful basis"),
    "art9_conditions": _bases_field(vocab.ART9_CONDITIONS, parse.parse_art9_conditions, "an Art. 9(2) condition"),
    "criminal_data": _bool_field, "no_recipients": _bool_field,
    "retention.period": _int_field,
    "last_review": _date_field, "next_review": _date_field,
    "recipients": _recipients_field, "transfers": _transfers_field,
    "dpia.status": _dpia_status, "dpia.screening": _screening,
    "transparency.collection": _code_field(vocab.COLLECTION, [("both", r"begge|both"), ("elsewhere", r"andre|elsewhere|art\.? ?14"),
                                                              ("subject", r"registrerte|subject|person|art\.? ?13")], "collection"),
    "transparency.provision": _code_field(vocab.PROVISION_REQUIREMENTS, [("contract_precondition", r"inngå|enter"),
                                                                         ("statutory", r"lov|statut|law"),
                                                                         ("contractual", r"avtale|contract"),
                                                                         ("voluntary", r"frivillig|voluntary")], "provision requirement"),
    "transparency.provision_consequences": _text_field, "transparency.automated_logic": _text_field,
    "transparency.sources_public": lambda act, value, ctx, notes, key: _optional_bool(act, value, notes, key),
    "transparency.automated_decisions": lambda act, value, ctx, notes, key: _optional_bool(act, value, notes, key),
}
assert set(HANDLERS) | {"retention.text"} == set(ACTIVITY), set(ACTIVITY) ^ set(HANDLERS)


def _on_basis(act: dict[str, Any], code: str, attr: str, words: str, ctx: Context, notes: list[Note], key: str) -> None:
    basis = next((b for b in act.get("legal_bases") or [] if b["code"] == code), None)
    if basis is None:
        label = vocab.LEGAL_BASES[code].display("en")
        keep_as_note(act, ctx.labels.get(key, key), words)
        notes.append(Note(key, "kept_as_note", f"given, but {label} is not among the lawful bases; kept as note in the description"))
        return
    basis[attr] = words


_FLAG_YES = re.compile(r"^(ja|yes|y|j|true|x|✓|✔)\b", re.IGNORECASE)
_FLAG_NO = re.compile(r"^(nei|no|n|false|none|ingen)\b", re.IGNORECASE)


def _flagged_transfers(act: dict[str, Any], values: dict[str, Any], ctx: Context, notes: list[Note]) -> None:
    """A yes/no column for transfers beside free text for the destination or the recipient's name and address."""
    raw_flag = text(values.get("transfers.flag"))
    who = text(values.get("transfers.recipient"))
    flag: Optional[bool] = None
    if raw_flag is not None:
        folded = parse.fold(raw_flag)
        flag = True if _FLAG_YES.match(folded) else False if _FLAG_NO.match(folded) else None
        if flag is None and not parse.countries_in_text(raw_flag):
            notes.append(_not_yes_no("transfers.flag", raw_flag))
            return
        if flag is None:  # "Yes – USA" or just the destination written in the flag column
            flag = True
            if not act.get("transfers") and "transfers" not in values:
                values = {**values, "transfers": raw_flag}
    if flag is False:
        if act.get("transfers") or who:
            shown = who or ", ".join(t.get("country") or t.get("international_organisation") or "" for t in act["transfers"])
            notes.append(Note("transfers.flag", "flag_no", say(
                f"says no transfer, so none is recorded (the row also names '{_short(shown)}': check it)",
                f"sier ingen overføring, så ingen registreres (raden nevner også '{_short(shown)}': sjekk det)")))
        act["transfers"] = []
        return
    transfers = act.get("transfers") or []
    if not transfers and (flag or who):
        words = text(values.get("transfers")) or who or ""
        t = transfer_from_text(words, who) if words else None
        if t is None:
            if words:
                keep_as_note(act, ctx.labels.get("transfers.recipient", ctx.labels.get("transfers.flag", "transfer")), words)
                notes.append(Note("transfers.recipient" if who else "transfers.flag", "no_country", say(
                    f"a transfer, but no country found in '{_short(words)}'; kept as note in the description",
                    f"en overføring, men fant ikke noe land i '{_short(words)}'; beholdt som merknad i beskrivelsen")))
            elif flag:
                notes.append(Note("transfers.flag", "no_country", say(
                    "says yes, but the row names no destination country", "sier ja, men raden nevner ikke noe mottakerland")))
            return
        transfers = act["transfers"] = [t]
    if who:
        name = re.split(r",|\n| – ", who)[0].strip(" ;:")
        if name and vocab.find_country(name) is None:
            for t in transfers:
                t["recipient"] = t.get("recipient") or name
    names = {r["name"] for r in act.get("recipients") or []}
    for t in transfers:
        if t.get("recipient") and t["recipient"] not in names:
            known = ctx.recipients.get(t["recipient"]) or {}
            act.setdefault("recipients", []).append({"name": t["recipient"], "kind": known.get("kind") or records.RECIPIENT_KIND,
                                                     "country": known.get("country") or t.get("country"),
                                                     "agreement": known.get("agreement")})
            names.add(t["recipient"])


def _apply_extras(act: dict[str, Any], values: dict[str, Any], ctx: Context, notes: list[Note]) -> None:
    """Columns that refine the main ones: whether data leaves the country and to whom, a transfer's mechanism and
    safeguards, a processor's contract, an LIA."""
    if "transfers.flag" in values or "transfers.recipient" in values:
        _flagged_transfers(act, values, ctx, notes)
    transfers = act.get("transfers") or []
    raw = text(values.get("transfers.mechanism"))
    if "transfers.mechanism" in values and raw:
        lines = parse.split_list(raw)
        if not transfers:
            keep_as_note(act, ctx.labels.get("transfers.mechanism", "transfer mechanism"), raw)
            notes.append(Note("transfers.mechanism", "kept_as_note", "a transfer mechanism but no destination country; kept as note"))
        for i, t in enumerate(transfers):
            words = lines[i] if len(lines) == len(transfers) else raw
            code, rest = parse.parse_mechanism(words)
            if code:
                if t.get("mechanism") in (None, "unknown") or len(lines) == len(transfers):
                    t["mechanism"] = code
            else:
                t["note"] = t.get("note") or words
                notes.append(Note("transfers.mechanism", "kept_as_note", f"'{_short(words)}' not recognised as a transfer "
                                                                         "mechanism, kept as note"))
    raw = text(values.get("transfers.safeguard"))
    if "transfers.safeguard" in values and raw:
        if not transfers:
            keep_as_note(act, ctx.labels.get("transfers.safeguard", "safeguards"), raw)
            notes.append(Note("transfers.safeguard", "kept_as_note", "safeguards but no destination country; kept as note"))
        for t in transfers:
            t["safeguard"] = raw
            if t.get("mechanism") in (None, "unknown"):
                code, _ = parse.parse_mechanism(raw)
                if code:
                    t["mechanism"] = code
    for t in transfers:
        if not t.get("mechanism"):
            t["mechanism"] = "unknown"
    raw = text(values.get("recipients.agreement"))
    if "recipients.agreement" in values and raw:
        recipients = act.get("recipients") or []
        processors = [r for r in recipients if r.get("kind") in ("processor", "sub_processor")]
        targets = recipients if len(recipients) == 1 else processors
        if targets:
            for r in targets:
                r["agreement"] = raw
        else:
            keep_as_note(act, ctx.labels.get("recipients.agreement", "processor contract"), raw)
            notes.append(Note("recipients.agreement", "kept_as_note", "a processor contract, but no single recipient or processor "
                                                                      "to attach it to; kept as note"))
    for key, code, attr in (("legal_bases.legitimate_interest", "art6_1_f", "note"), ("legal_bases.lia", "art6_1_f", "documentation"),
                            ("legal_bases.consent_record", "art6_1_a", "documentation")):
        raw = text(values.get(key))
        if key in values and raw:
            _on_basis(act, code, attr, raw, ctx, notes, key)


EXTRAS = ("transfers.flag", "transfers.recipient", "transfers.mechanism", "transfers.safeguard", "recipients.agreement", "legal_bases.legitimate_interest",
          "legal_bases.lia", "legal_bases.consent_record")


def _retention_words(act: dict[str, Any], values: dict[str, Any], ctx: Context, notes: list[Note]) -> dict[str, Any]:
    """In anyone's table, words under a structured retention header ("Retention period": "7 years from the end of the
    tax year") are the retention rule in words: parsed into period, unit and start, the text kept."""
    out = dict(values)
    for key, ok in (("retention.period", lambda v: parse.parse_int(v)[1] is None),
                    ("retention.unit", lambda v: _coded(v, vocab.RETENTION_UNITS, _UNIT_WORDS)[0] is not None)):
        v = out.get(key)
        if v is None or ok(v):
            continue
        del out[key]
        if text(out.get("retention.text")) is None:
            out["retention.text"] = v
            ctx.labels.setdefault("retention.text", ctx.labels.get(key, key))
        else:
            keep_as_note(act, ctx.labels.get(key, key), text(v) or "")
            notes.append(Note(key, "kept_as_note", say(f"'{_short(v)}' is not a number or unit; kept as note in the description",
                                                       f"'{_short(v)}' er ikke et tall eller en enhet; beholdt som merknad i "
                                                       "beskrivelsen")))
    return out


def apply_activity(act: dict[str, Any], values: dict[str, Any], ctx: Context) -> list[Note]:
    """Write the given cells (field key -> cell value) into an activity; the rest stays as it is."""
    notes: list[Note] = []
    values = {k: (None if isinstance(v, str) and parse.is_empty(v) else v) for k, v in values.items()}
    if not ctx.strict:
        values = _retention_words(act, values, ctx, notes)
    structured = frozenset(k for k in ("retention.period", "retention.unit", "retention.trigger", "retention.action")
                           if k in values and text(values[k]) is not None)
    # Recipients before transfers (a transfer names one), the retention text before its parts.
    order = sorted(values, key=lambda k: (k != "recipients", k != "retention.text", k))
    for key in order:
        if key in EXTRAS or key == "organisation":
            continue
        if key == "retention.text":
            _retention_text(act, values[key], ctx, notes, key, structured=structured)
        elif key in HANDLERS:
            if key in ("retention.period", "retention.unit", "retention.trigger", "retention.action") and \
                    text(values[key]) is None and "retention.text" in values:
                continue  # the parsed text fills what these columns leave empty
            HANDLERS[key](act, values[key], ctx, notes, key)
    if any(k in values for k in EXTRAS):
        _apply_extras(act, values, ctx, notes)
    return notes


# ---------------------------------------------------------------------------------------------
# Transfers, recipients and organisations (the other sheets of our own workbook)


def _country_cell(target: dict[str, Any], key: str, raw: Optional[str], values: dict[str, Any], notes: list[Note]) -> None:
    """The country of a row on the Transfers or Recipients sheet: its ISO code column when the
    sheet has one (it wins over the name column), else the name in English or Norwegian."""
    if key == "country_code":
        code = raw.upper() if raw and vocab.is_country(raw.upper()) else None
        if raw and not code and not parse.is_empty(raw):
            notes.append(_not_a_country(key, raw))
        else:
            target["country"] = code
    elif "country_code" not in values:
        code, rest = parse.parse_country(None if parse.is_empty(raw) else raw)
        if rest:
            notes.append(_not_a_country(key, rest))
        else:
            target["country"] = code


def _not_a_country(key: str, raw: str) -> Note:
    return Note(key, "unknown_country", say(f"'{_short(raw)}' is not a country (write its name or its ISO 3166 code)",
                                            f"'{_short(raw)}' er ikke et land (skriv navnet eller ISO 3166-koden)"), "error")


def _invalid(key: str, raw: str, what: str, terms: dict[str, vocab.Term]) -> Note:
    return Note(key, "invalid_value", say(
        f"'{_short(raw)}' is not a {what} (expected one of: {', '.join(t.en for t in terms.values())})",
        f"'{_short(raw)}' er ikke {_WHAT_NB.get(what, what)} (gyldige verdier: {', '.join(t.nb for t in terms.values())})"), "error")


def _not_yes_no(key: str, raw: str) -> Note:
    return Note(key, "invalid_value", say(f"'{_short(raw)}' is not yes or no", f"'{_short(raw)}' er ikke ja eller nei"), "error")


def apply_transfer(t: dict[str, Any], values: dict[str, Any]) -> list[Note]:
    notes: list[Note] = []
    for key, value in values.items():
        raw = text(value)
        if key in ("country_code", "country"):
            _country_cell(t, key, raw, values, notes)
        elif key in ("recipient", "international_organisation", "safeguard", "note"):
            t[key] = raw
        elif key == "mechanism":
            code, rest = parse.parse_mechanism(raw)
            if rest:
                t["note"] = t.get("note") or rest
                notes.append(Note(key, "kept_as_note", say(f"'{_short(rest)}' not recognised as a transfer mechanism, kept as note",
                                                           f"'{_short(rest)}' ble ikke gjenkjent som overføringsgrunnlag; beholdt "
                                                           "som merknad")))
            t["mechanism"] = code or records.MECHANISM
        elif key == "frequency":
            code, rest = _coded(raw, vocab.TRANSFER_FREQUENCIES, [("occasional", r"occasional|enkeltstående|sporadisk"),
                                                                  ("regular", r"regular|regelmessig|løpende|continuous")])
            if rest:
                notes.append(_invalid(key, rest, "frequency", vocab.TRANSFER_FREQUENCIES))
            else:
                t["frequency"] = code
        elif key == "tia_date":
            d, rest = parse.parse_date(value)
            if rest:
                notes.append(Note(key, "not_a_date", say(f"'{_short(rest)}' is not a date (write e.g. 2025-03-31 or 31.03.2025)",
                                                         f"'{_short(rest)}' er ikke en dato (skriv f.eks. 31.03.2025)"), "error"))
            else:
                t["tia_date"] = d.isoformat() if d else None
        elif key == "adequacy_scope_confirmed":
            flag, rest = parse.parse_bool(value)
            if rest:
                notes.append(_not_yes_no(key, rest))
            else:
                t[key] = bool(flag)
    return notes


def apply_recipient(r: dict[str, Any], values: dict[str, Any]) -> list[Note]:
    notes: list[Note] = []
    for key, value in values.items():
        raw = text(value)
        if key == "kind":
            code, rest = _coded(raw, vocab.RECIPIENT_KINDS, [("sub_processor", r"sub|under"), ("processor", r"processor|databehandler"),
                                                             ("public_authority", r"authority|myndighet"), ("affiliate", r"konsern|affiliate")])
            if rest:
                notes.append(_invalid(key, rest, "kind of recipient", vocab.RECIPIENT_KINDS))
            else:
                r["kind"] = code or records.RECIPIENT_KIND
        elif key in ("country_code", "country"):
            _country_cell(r, key, raw, values, notes)
        elif key == "agreement":
            r["agreement"] = raw
    return notes


def apply_organisation(org: dict[str, Any], values: dict[str, Any]) -> list[Note]:
    notes: list[Note] = []
    for key, value in values.items():
        raw = text(value)
        spec = ORGANISATION.get(key)
        if spec is None or key == "name":
            continue
        head, _, tail = key.partition(".")
        if spec.kind == "countries":
            codes, unknown = [], []
            for part in (p.strip() for p in re.split(r"[,;\n]", raw or "")):
                code, rest = parse.parse_country(part) if part else (None, None)
                if rest or (part and not code):
                    unknown.append(part)
                elif code:
                    codes.append(code)
            if unknown:
                notes.append(Note(key, "not_recognised", f"'{_short(', '.join(unknown))}' is not a country (ignored)"))
            new: Any = list(dict.fromkeys(codes))
        elif spec.vocab == "countries":
            code, rest = parse.parse_country(None if parse.is_empty(raw) else raw)
            if rest:
                notes.append(_not_a_country(key, rest))
                continue
            new = code
        elif spec.kind == "bool":
            flag, rest = parse.parse_bool(value)
            if rest:
                notes.append(_not_yes_no(key, rest))
                continue
            new = bool(flag)
        elif spec.kind == "list":
            new = _items(value)
        else:
            new = raw
        if tail:
            sub = dict(org.get(head) or {})
            sub[tail] = new
            org[head] = sub if any(sub.values()) else None
        else:
            org[key] = new
    return notes


def merge_recipient(into: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Fill what ``into`` lacks from ``other``; the attributes where both have different values."""
    clashes = []
    for k in ("kind", "country", "agreement"):
        a, b = into.get(k), other.get(k)
        if k == "kind":
            a, b = (None if a == "other" else a), (None if b == "other" else b)
        if a is None and b is not None:
            into[k] = b
        elif a is not None and b is not None and a != b:
            clashes.append(k)
    return clashes


def copy_activity(act: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(act)


"""Cells into the register's JSON shape: one function per kind of field, over the parsers of
:mod:`ropa.excel.parse` (what all share is in :mod:`ropa.excel.cells`; recipients and transfers
in :mod:`ropa.excel.disclosures`; the other sheets' rows in :mod:`ropa.excel.sheet_rows`, whose
names this module still offers).

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
from typing import Any, Optional

from ropa import records, vocab
from ropa.excel import parse
from ropa.excel.cells import (
    _ACTION_WORDS as _ACTION_WORDS,
)
from ropa.excel.cells import (
    _DPIA_WORDS as _DPIA_WORDS,
)
from ropa.excel.cells import (
    _ROLE_WORDS as _ROLE_WORDS,
)
from ropa.excel.cells import (
    _STATUS_WORDS as _STATUS_WORDS,
)
from ropa.excel.cells import (
    _UNIT_WORDS as _UNIT_WORDS,
)
from ropa.excel.cells import (
    _WHAT_NB as _WHAT_NB,
)
from ropa.excel.cells import (
    LANG as LANG,
)
from ropa.excel.cells import (
    NONE_WORDS as NONE_WORDS,
)
from ropa.excel.cells import (
    Context as Context,
)
from ropa.excel.cells import (
    Note as Note,
)
from ropa.excel.cells import (
    _coded as _coded,
)
from ropa.excel.cells import (
    _find_term as _find_term,
)
from ropa.excel.cells import (
    _items as _items,
)
from ropa.excel.cells import (
    _not_yes_no as _not_yes_no,
)
from ropa.excel.cells import (
    _set as _set,
)
from ropa.excel.cells import (
    _short as _short,
)
from ropa.excel.cells import (
    _taxonomy_key as _taxonomy_key,
)
from ropa.excel.cells import (
    keep_as_note as keep_as_note,
)
from ropa.excel.cells import (
    say as say,
)
from ropa.excel.cells import (
    text as text,
)
from ropa.excel.disclosures import (
    _flagged_transfers as _flagged_transfers,
)
from ropa.excel.disclosures import (
    _recipients_field as _recipients_field,
)
from ropa.excel.disclosures import (
    _transfers_field as _transfers_field,
)
from ropa.excel.disclosures import (
    parse_recipient as parse_recipient,
)
from ropa.excel.disclosures import (
    parse_transfer as parse_transfer,
)
from ropa.excel.disclosures import (
    transfer_from_text as transfer_from_text,
)
from ropa.excel.sheet_rows import (
    apply_organisation as apply_organisation,
)
from ropa.excel.sheet_rows import (
    apply_recipient as apply_recipient,
)
from ropa.excel.sheet_rows import (
    apply_transfer as apply_transfer,
)
from ropa.excel.sheet_rows import (
    merge_recipient as merge_recipient,
)
from ropa.fields import ACTIVITY

# ---------------------------------------------------------------------------------------------
# Activity fields

empty_activity = records.empty_activity
empty_transfer = records.empty_transfer


Handler = Callable[[dict[str, Any], Any, Context, list[Note], str], None]


def _text_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    _set(act, key, text(value))


def _list_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    items = _items(value)
    if key == "systems" and not ctx.strict:
        items = _commas(items)
    if key == "controllers" and ctx.org:
        own = {parse.fold(str(v)) for v in (ctx.org.get("name"), ctx.org.get("email"), ctx.org.get("phone")) if v}
        items = [i for i in items if parse.fold(i) not in own]
    _set(act, key, items)


def _commas(items: list[str]) -> list[str]:
    """One item listing short names with commas, as tools export them ("Name, Email Address, CV",
    "user.contact.email, user.name"): the names. A sentence with a comma stays one item."""
    if len(items) != 1 or "," not in items[0]:
        return items
    parts = [p.strip() for p in items[0].split(",")]
    if len(parts) < 2 or any(not p or len(p.split()) > 4 for p in parts):
        return items
    return parts


def _taxonomy_field(kind: str) -> Handler:
    def handle(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
        items = _items(value) if ctx.strict else _commas(_items(value))
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
            notes.append(
                Note(
                    key,
                    "invalid_value",
                    say(
                        f"'{_short(rest)}' is not a {what} (expected one of: {', '.join(t.en for t in terms.values())})",
                        f"'{_short(rest)}' er ikke {nb_what} (gyldige verdier: {', '.join(t.nb for t in terms.values())})",
                    ),
                    "error",
                )
            )
        elif key in ("retention.unit", "retention.action"):
            _set(act, key, None)

    return handle


def _optional_bool(act: dict[str, Any], value: Any, notes: list[Note], key: str) -> None:
    """Yes, no, or an empty cell for 'not answered' (kept apart from no)."""
    flag, rest = parse.parse_bool(value)
    if rest:
        notes.append(Note(key, "not_recognised", say(f"'{_short(rest)}' is not yes or no (ignored)", f"'{_short(rest)}' er ikke ja eller nei (ignorert)")))
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
    notes.append(Note(key, "invalid_value", say(f"'{_short(rest)}' is not yes or no", f"'{_short(rest)}' er ikke ja eller nei"), "error"))


def _int_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    n, rest = parse.parse_int(value)
    if rest is not None:
        notes.append(Note(key, "not_a_number", say(f"'{_short(rest)}' is not a whole number", f"'{_short(rest)}' er ikke et heltall"), "error"))
        return
    if n is not None and n < 0:
        notes.append(Note(key, "not_a_number", say(f"{n} is negative", f"{n} er negativt"), "error"))
        return
    _set(act, key, n)


def _date_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    d, rest = parse.parse_date(value)
    if rest is not None:
        notes.append(
            Note(
                key,
                "not_a_date",
                say(
                    f"'{_short(rest)}' is not a date (write e.g. 2025-03-31 or 31.03.2025)",
                    f"'{_short(rest)}' er ikke en dato (skriv f.eks. 31.03.2025 eller 2025-03-31)",
                ),
                "error",
            )
        )
        return
    _set(act, key, d.isoformat() if d else None)


def _basis_line(line: str, terms: dict[str, vocab.Term]) -> Optional[tuple[str, Optional[str]]]:
    """Our own rendering of a basis, "Art. 6(1)(b) – avtale: the note", in either language."""
    for code, term in terms.items():
        for shown in (term.display("nb"), term.display("en"), term.nb, term.en):
            if line == shown:
                return code, None
            if line.startswith(shown + ": "):
                return code, line[len(shown) + 2 :].strip() or None
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
                notes.append(
                    Note(
                        key,
                        "kept_as_note",
                        say(f"'{_short(words)}' not recognised, kept as note", f"'{_short(words)}' ble ikke gjenkjent; beholdt som merknad"),
                    )
                )
            else:
                keep_as_note(act, ctx.labels.get(key, key), words)
                notes.append(
                    Note(
                        key,
                        "kept_as_note",
                        say(
                            f"'{_short(words)}' not recognised as {what}, kept as note in the description",
                            f"'{_short(words)}' ble ikke gjenkjent som {_BASIS_NB.get(what, what)}; beholdt som merknad i beskrivelsen",
                        ),
                    )
                )
        act[key] = out

    return handle


_BASIS_NB = {"an Art. 6(1) lawful basis": "et behandlingsgrunnlag etter art. 6 nr. 1", "an Art. 9(2) condition": "et unntak etter art. 9 nr. 2"}
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


def _retention_text(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str, *, structured: frozenset[str] = frozenset()) -> None:
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
            notes.append(
                Note(
                    key,
                    "kept_as_text",
                    say(f"no retention period recognised in '{_short(raw)}', kept as text", f"fant ingen lagringstid i '{_short(raw)}'; teksten er beholdt"),
                )
            )


def _dpia_status(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    raw = text(value)
    dpia = act.setdefault("dpia", records.empty_dpia())
    if raw is None:
        dpia["status"] = records.DPIA_STATUS
        return
    flag, _ = parse.parse_bool(raw)  # "DPIA required?": true / false, 1 / 0 as tools export it
    code, rest = ("planned" if flag else "not_needed", None) if flag is not None else _coded(raw, vocab.DPIA_STATUSES, _DPIA_WORDS)
    if code:
        dpia["status"] = code
        if code == "planned" and parse.fold(raw) in {"yes", "ja", "y", "j", "x", "required", "nødvendig"}:
            notes.append(
                Note(key, "interpreted", say(f"'{raw}' read as: a DPIA is needed, status 'planned'", f"'{raw}' lest som: en DPIA trengs, status 'planlagt'"))
            )
        return
    notes.append(
        Note(
            key,
            "invalid_value",
            say(
                f"'{_short(raw)}' is not a DPIA status (expected one of: {', '.join(t.en for t in vocab.DPIA_STATUSES.values())})",
                f"'{_short(raw)}' er ikke en DPIA-status (gyldige verdier: {', '.join(t.nb for t in vocab.DPIA_STATUSES.values())})",
            ),
            "error",
        )
    )


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
            notes.append(
                Note(
                    key,
                    "not_recognised",
                    say(
                        f"'{_short(line)}' is not a DPIA screening criterion (ignored)", f"'{_short(line)}' er ikke et kriterium i DPIA-vurderingen (ignorert)"
                    ),
                )
            )
            continue
        answer_text, _, note = rest.strip().partition(" – ")
        answer, _ = parse.parse_bool(answer_text)
        out[code] = {"answer": answer, "note": note.strip() or None}
    act.setdefault("dpia", records.empty_dpia())["screening"] = out


HANDLERS: dict[str, Handler] = {
    "ref": _text_field,
    "name": _text_field,
    "description": _text_field,
    "owner": _text_field,
    "criminal_data_basis": _text_field,
    "retention.trigger": _text_field,
    "dpia.ref": _text_field,
    "controllers": _list_field,
    "purposes": _list_field,
    "sources": _list_field,
    "security_measures": _list_field,
    "systems": _list_field,
    "data_subjects": _taxonomy_field("data_subject"),
    "data_categories": _taxonomy_field("data_category"),
    "special_categories": _taxonomy_field("data_category"),
    "role": _code_field(vocab.ROLES, _ROLE_WORDS, "role"),
    "status": _code_field(vocab.STATUSES, _STATUS_WORDS, "status"),
    "retention.unit": _code_field(vocab.RETENTION_UNITS, _UNIT_WORDS, "retention unit"),
    "retention.action": _code_field(vocab.RETENTION_ACTIONS, _ACTION_WORDS, "retention action"),
    "legal_bases": _bases_field(vocab.LEGAL_BASES, parse.parse_legal_bases, "an Art. 6(1) lawful basis"),
    "art9_conditions": _bases_field(vocab.ART9_CONDITIONS, parse.parse_art9_conditions, "an Art. 9(2) condition"),
    "criminal_data": _bool_field,
    "no_recipients": _bool_field,
    "retention.period": _int_field,
    "last_review": _date_field,
    "next_review": _date_field,
    "recipients": _recipients_field,
    "transfers": _transfers_field,
    "dpia.status": _dpia_status,
    "dpia.screening": _screening,
    "transparency.collection": _code_field(
        vocab.COLLECTION,
        [("both", r"begge|both"), ("elsewhere", r"andre|elsewhere|art\.? ?14"), ("subject", r"registrerte|subject|person|art\.? ?13")],
        "collection",
    ),
    "transparency.provision": _code_field(
        vocab.PROVISION_REQUIREMENTS,
        [
            ("contract_precondition", r"inngå|enter"),
            ("statutory", r"lov|statut|law"),
            ("contractual", r"avtale|contract"),
            ("voluntary", r"frivillig|voluntary"),
        ],
        "provision requirement",
    ),
    "transparency.provision_consequences": _text_field,
    "transparency.automated_logic": _text_field,
    "transparency.sources_public": lambda act, value, ctx, notes, key: _optional_bool(act, value, notes, key),
    "transparency.automated_decisions": lambda act, value, ctx, notes, key: _optional_bool(act, value, notes, key),
}
# A plain field no entry above names is read by its kind: a new field reaches the importer from the field table.
_BY_KIND: dict[str, Handler] = {"text": _text_field, "longtext": _text_field, "list": _list_field, "bool": _bool_field, "date": _date_field, "int": _int_field}
HANDLERS.update({key: _BY_KIND[spec.kind] for key, spec in ACTIVITY.items() if key not in HANDLERS and key != "retention.text" and spec.kind in _BY_KIND})
assert set(HANDLERS) | {"retention.text"} == set(ACTIVITY), set(ACTIVITY) ^ set(HANDLERS)


def _on_basis(act: dict[str, Any], code: str, attr: str, words: str, ctx: Context, notes: list[Note], key: str) -> None:
    basis = next((b for b in act.get("legal_bases") or [] if b["code"] == code), None)
    if basis is None:
        label, label_nb = vocab.LEGAL_BASES[code].display("en"), vocab.LEGAL_BASES[code].display("nb")
        keep_as_note(act, ctx.labels.get(key, key), words)
        notes.append(
            Note(
                key,
                "kept_as_note",
                say(
                    f"given, but {label} is not among the lawful bases; kept as note in the description",
                    f"oppgitt, men {label_nb} er ikke blant behandlingsgrunnlagene; beholdt som merknad i beskrivelsen",
                ),
            )
        )
        return
    basis[attr] = words


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
            notes.append(
                Note(
                    "transfers.mechanism",
                    "kept_as_note",
                    say(
                        "a transfer mechanism but no destination country; kept as note",
                        "et overføringsgrunnlag, men ikke noe mottakerland; beholdt som merknad",
                    ),
                )
            )
        for i, t in enumerate(transfers):
            words = lines[i] if len(lines) == len(transfers) else raw
            code, rest = parse.parse_mechanism(words)
            if code:
                if t.get("mechanism") in (None, "unknown") or len(lines) == len(transfers):
                    t["mechanism"] = code
            else:
                t["note"] = t.get("note") or words
                notes.append(
                    Note(
                        "transfers.mechanism",
                        "kept_as_note",
                        say(
                            f"'{_short(words)}' not recognised as a transfer mechanism, kept as note",
                            f"'{_short(words)}' ble ikke gjenkjent som overføringsgrunnlag; beholdt som merknad",
                        ),
                    )
                )
    raw = text(values.get("transfers.safeguard"))
    if "transfers.safeguard" in values and raw:
        if not transfers:
            keep_as_note(act, ctx.labels.get("transfers.safeguard", "safeguards"), raw)
            notes.append(
                Note(
                    "transfers.safeguard",
                    "kept_as_note",
                    say("safeguards but no destination country; kept as note", "garantier, men ikke noe mottakerland; beholdt som merknad"),
                )
            )
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
            notes.append(
                Note(
                    "recipients.agreement",
                    "kept_as_note",
                    say(
                        "a processor contract, but no single recipient or processor to attach it to; kept as note",
                        "en databehandleravtale, men ingen enkelt mottaker eller databehandler å knytte den til; beholdt som merknad",
                    ),
                )
            )
    if "dpia.progress" in values:
        _dpia_progress(act, values["dpia.progress"], notes)
    for key, code, attr in (
        ("legal_bases.legitimate_interest", "art6_1_f", "note"),
        ("legal_bases.lia", "art6_1_f", "documentation"),
        ("legal_bases.consent_record", "art6_1_a", "documentation"),
    ):
        raw = text(values.get(key))
        if key in values and raw:
            _on_basis(act, code, attr, raw, ctx, notes, key)


_NOT_STARTED = re.compile(r"not (yet )?started|ikke (på)?begynt|ikke startet|to do|todo|pending|venter", re.IGNORECASE)


def _dpia_progress(act: dict[str, Any], value: Any, notes: list[Note]) -> None:
    """A DPIA's progress beside "DPIA required?" ("Completed", "In progress", "Not started"), or a yes/no column
    "DPIA gjennomført?": it says more than the required column, so it wins where it says something."""
    raw = text(value)
    if raw is None:
        return
    dpia = act.setdefault("dpia", records.empty_dpia())
    flag, _ = parse.parse_bool(raw)
    if flag is True:
        dpia["status"] = "done"
        return
    if flag is False:
        if dpia.get("status") in (None, "done", records.DPIA_STATUS):
            dpia["status"] = records.DPIA_STATUS
        return
    code = "planned" if _NOT_STARTED.search(raw) else _coded(raw, vocab.DPIA_STATUSES, _DPIA_WORDS)[0]
    if code is None:
        notes.append(
            Note(
                "dpia.progress",
                "invalid_value",
                say(
                    f"'{_short(raw)}' is not a DPIA status (expected one of: {', '.join(t.en for t in vocab.DPIA_STATUSES.values())})",
                    f"'{_short(raw)}' er ikke en DPIA-status (gyldige verdier: {', '.join(t.nb for t in vocab.DPIA_STATUSES.values())})",
                ),
                "error",
            )
        )
        return
    dpia["status"] = code


def keep_columns(act: dict[str, Any], columns: list[tuple[str, Any]]) -> None:
    """Columns that are no field of the register, kept in the description as 'Header: value' lines; a line of the same
    header is replaced, so importing the file again changes nothing."""
    lines = (act.get("description") or "").split("\n") if act.get("description") else []
    by_label: dict[str, list[str]] = {}  # an activity read from several rows has several values under one header
    for label, value in columns:
        if isinstance(value, str) and parse.is_empty(value):
            continue
        words = text(value.isoformat() if hasattr(value, "isoformat") else value)
        if words is None:
            continue
        words = "; ".join(parse.split_list(words)) if "\n" in words else words
        if words not in by_label.setdefault(label, []):
            by_label[label].append(words)
    for label, all_words in by_label.items():
        line = f"{label}: {'; '.join(all_words)}"
        at = next((i for i, x in enumerate(lines) if x.startswith(f"{label}: ")), None)
        if at is None:
            lines.append(line)
        else:
            lines[at] = line
    act["description"] = "\n".join(lines) or None


EXTRAS = (
    "dpia.progress",
    "transfers.flag",
    "transfers.recipient",
    "transfers.mechanism",
    "transfers.safeguard",
    "recipients.agreement",
    "legal_bases.legitimate_interest",
    "legal_bases.lia",
    "legal_bases.consent_record",
)


def _retention_words(act: dict[str, Any], values: dict[str, Any], ctx: Context, notes: list[Note]) -> dict[str, Any]:
    """In anyone's table, words under a structured retention header ("Retention period": "7 years from the end of the
    tax year") are the retention rule in words: parsed into period, unit and start, the text kept."""
    out = dict(values)
    for key, ok in (
        ("retention.period", lambda v: parse.parse_int(v)[1] is None),
        ("retention.unit", lambda v: _coded(v, vocab.RETENTION_UNITS, _UNIT_WORDS)[0] is not None),
    ):
        v = out.get(key)
        if v is None or ok(v):
            continue
        del out[key]
        if text(out.get("retention.text")) is None:
            out["retention.text"] = v
            ctx.labels.setdefault("retention.text", ctx.labels.get(key, key))
        else:
            keep_as_note(act, ctx.labels.get(key, key), text(v) or "")
            notes.append(
                Note(
                    key,
                    "kept_as_note",
                    say(
                        f"'{_short(v)}' is not a number or unit; kept as note in the description",
                        f"'{_short(v)}' er ikke et tall eller en enhet; beholdt som merknad i beskrivelsen",
                    ),
                )
            )
    return out


def apply_activity(act: dict[str, Any], values: dict[str, Any], ctx: Context) -> list[Note]:
    """Write the given cells (field key -> cell value) into an activity; the rest stays as it is."""
    notes: list[Note] = []
    values = {k: (None if isinstance(v, str) and parse.is_empty(v) else v) for k, v in values.items()}
    if not ctx.strict:
        values = _retention_words(act, values, ctx, notes)
    structured = frozenset(
        k for k in ("retention.period", "retention.unit", "retention.trigger", "retention.action") if k in values and text(values[k]) is not None
    )
    # Recipients before transfers (a transfer names one), the retention text before its parts.
    order = sorted(values, key=lambda k: (k != "recipients", k != "retention.text", k))
    for key in order:
        if key in EXTRAS or key in ("organisation", UNMAPPED):
            continue
        if key == "retention.text":
            _retention_text(act, values[key], ctx, notes, key, structured=structured)
        elif key in HANDLERS:
            if (
                key in ("retention.period", "retention.unit", "retention.trigger", "retention.action")
                and text(values[key]) is None
                and "retention.text" in values
            ):
                continue  # the parsed text fills what these columns leave empty
            HANDLERS[key](act, values[key], ctx, notes, key)
    if any(k in values for k in EXTRAS):
        _apply_extras(act, values, ctx, notes)
    if UNMAPPED in values:
        keep_columns(act, values[UNMAPPED])
    return notes


UNMAPPED = "_unmapped"  # a row's cells in columns that are no field: [(header, value)], kept by keep_columns


def copy_activity(act: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(act)

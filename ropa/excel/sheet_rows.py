"""Rows of the other sheets of our own workbook into records: a transfer, a recipient, an
organisation; each writes the values it is given and leaves every other field as it was.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ropa import records, vocab
from ropa.excel import parse
from ropa.excel.cells import _WHAT_NB, Note, _coded, _items, _not_yes_no, _short, say, text
from ropa.fields import ORGANISATION


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
    return Note(
        key,
        "unknown_country",
        say(f"'{_short(raw)}' is not a country (write its name or its ISO 3166 code)", f"'{_short(raw)}' er ikke et land (skriv navnet eller ISO 3166-koden)"),
        "error",
    )


def _invalid(key: str, raw: str, what: str, terms: dict[str, vocab.Term]) -> Note:
    return Note(
        key,
        "invalid_value",
        say(
            f"'{_short(raw)}' is not a {what} (expected one of: {', '.join(t.en for t in terms.values())})",
            f"'{_short(raw)}' er ikke {_WHAT_NB.get(what, what)} (gyldige verdier: {', '.join(t.nb for t in terms.values())})",
        ),
        "error",
    )


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
                notes.append(
                    Note(
                        key,
                        "kept_as_note",
                        say(
                            f"'{_short(rest)}' not recognised as a transfer mechanism, kept as note",
                            f"'{_short(rest)}' ble ikke gjenkjent som overføringsgrunnlag; beholdt som merknad",
                        ),
                    )
                )
            t["mechanism"] = code or records.MECHANISM
        elif key == "frequency":
            code, rest = _coded(
                raw, vocab.TRANSFER_FREQUENCIES, [("occasional", r"occasional|enkeltstående|sporadisk"), ("regular", r"regular|regelmessig|løpende|continuous")]
            )
            if rest:
                notes.append(_invalid(key, rest, "frequency", vocab.TRANSFER_FREQUENCIES))
            else:
                t["frequency"] = code
        elif key == "tia_date":
            d, rest = parse.parse_date(value)
            if rest:
                notes.append(
                    Note(
                        key,
                        "not_a_date",
                        say(
                            f"'{_short(rest)}' is not a date (write e.g. 2025-03-31 or 31.03.2025)",
                            f"'{_short(rest)}' er ikke en dato (skriv f.eks. 31.03.2025)",
                        ),
                        "error",
                    )
                )
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
            code, rest = _coded(
                raw,
                vocab.RECIPIENT_KINDS,
                [
                    ("sub_processor", r"sub|under"),
                    ("processor", r"processor|databehandler"),
                    ("public_authority", r"authority|myndighet"),
                    ("affiliate", r"konsern|affiliate"),
                ],
            )
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
                notes.append(
                    Note(
                        key,
                        "not_recognised",
                        say(f"'{_short(', '.join(unknown))}' is not a country (ignored)", f"'{_short(', '.join(unknown))}' er ikke et land (ignorert)"),
                    )
                )
            new: Any = list(dict.fromkeys(codes))
        elif spec.vocab == "countries":
            code, rest = parse.parse_country(None if parse.is_empty(raw) else raw)
            if rest:
                notes.append(_not_a_country(key, rest))
                continue
            new = code
        elif spec.kind in ("bool", "yesno"):
            flag, rest = parse.parse_bool(value)
            if rest:
                notes.append(_not_yes_no(key, rest))
                continue
            new = bool(flag) if spec.kind == "bool" else flag  # yesno: an empty cell is "not recorded"
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

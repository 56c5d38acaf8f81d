"""Between an activity document and the editor's rows: plain Python, so the dashboard's editor
holds no logic of its own and this is tested without Streamlit.

Table editors show labels ("Art. 6(1)(b) – contract", "China (CN) · Third country") where the
register stores codes; these functions turn one into the other in either language and drop
the blank rows a table editor leaves behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Optional

from ropa import vocab


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if value != value:  # NaN from pandas
            return True
    except Exception:  # noqa: BLE001
        return False
    return isinstance(value, str) and not value.strip()


def clean(value: Any) -> Optional[Any]:
    """None for blank cells (None, NaN, empty text); stripped text otherwise."""
    if _blank(value):
        return None
    return value.strip() if isinstance(value, str) else value


def list_rows(values: Iterable[str]) -> list[dict[str, str]]:
    return [{"value": v} for v in values]


def list_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(clean(r.get("value"))) for r in rows if clean(r.get("value")) is not None]


# --- Coded pickers ----------------------------------------------------------------------------------


def code_options(terms: Mapping[str, vocab.Term], lang: str, display: bool = True) -> dict[str, str]:
    """label -> code for a vocabulary (display labels carry the article)."""
    return {(t.display(lang) if display else t.label(lang)): code for code, t in terms.items()}


def _option(options: Mapping[str, str], text: Any, default: Any) -> Any:
    """The code of an option's text; ``default`` for any other cell (blank, typed, unknown)."""
    return options.get(text, default) if isinstance(text, str) else default


def code_label(terms: Mapping[str, vocab.Term], code: Optional[str], lang: str, display: bool = True) -> Optional[str]:
    if code is None:
        return None
    term = terms.get(code)
    if term is None:
        return code
    return term.display(lang) if display else term.label(lang)


def basis_rows(bases: Iterable[Mapping[str, Any]], terms: Mapping[str, vocab.Term], lang: str) -> list[dict[str, Any]]:
    return [{"basis": code_label(terms, b.get("code"), lang), "note": b.get("note"), "documentation": b.get("documentation")} for b in bases]


def bases_from_rows(rows: Iterable[Mapping[str, Any]], terms: Mapping[str, vocab.Term], lang: str) -> list[dict[str, Any]]:
    """Rows with a picked basis; a row with only a note keeps the note under an unknown code so
    validation names it instead of the note silently disappearing."""
    options = code_options(terms, lang)
    out = []
    for r in rows:
        label, note, doc = clean(r.get("basis")), clean(r.get("note")), clean(r.get("documentation"))
        if label is None and note is None and doc is None:
            continue
        out.append({"code": _option(options, label, label or ""), "note": note, "documentation": doc})
    return out


def country_option(code: str, lang: str) -> str:
    """ "China (CN) · Third country": the picker shows whether a country is EEA, adequate or not."""
    status = vocab.country_status(code)
    label = vocab.COUNTRY_STATUSES[status.value].label(lang) if status else ""
    return f"{vocab.country_name(code, lang)} ({code}) · {label}"


def country_options(lang: str) -> dict[str, str]:
    """option text -> code, for every country, sorted by name in the language."""
    return {country_option(code, lang): code for code, _ in vocab.countries(lang)}


def _date(value: Any) -> Optional[str]:
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date().isoformat()
    return str(value)[:10]


def transfer_rows(transfers: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for t in transfers:
        out.append(
            {
                "country": country_option(t["country"], lang) if t.get("country") else None,
                "international_organisation": t.get("international_organisation"),
                "recipient": t.get("recipient"),
                "mechanism": code_label(vocab.MECHANISMS, t.get("mechanism"), lang),
                "safeguard": t.get("safeguard"),
                "tia_date": date.fromisoformat(t["tia_date"]) if t.get("tia_date") else None,
                "frequency": code_label(vocab.TRANSFER_FREQUENCIES, t.get("frequency"), lang, display=False),
                "adequacy_scope_confirmed": bool(t.get("adequacy_scope_confirmed")),
                "note": t.get("note"),
            }
        )
    return out


def transfers_from_rows(rows: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    countries = country_options(lang)
    mechanisms = code_options(vocab.MECHANISMS, lang)
    frequencies = code_options(vocab.TRANSFER_FREQUENCIES, lang, display=False)
    out = []
    for r in rows:
        values = {k: clean(v) for k, v in r.items()}
        if all(v in (None, False) for v in values.values()):
            continue
        country = values.get("country")
        out.append(
            {
                "country": _option(countries, country, country) if country else None,
                "international_organisation": values.get("international_organisation"),
                "recipient": values.get("recipient"),
                "mechanism": _option(mechanisms, values.get("mechanism"), values.get("mechanism") or "unknown"),
                "safeguard": values.get("safeguard"),
                "tia_date": _date(values.get("tia_date")),
                "frequency": _option(frequencies, values.get("frequency"), values.get("frequency")),
                "adequacy_scope_confirmed": bool(values.get("adequacy_scope_confirmed")),
                "note": values.get("note"),
            }
        )
    return out


def recipients_from(picked: Iterable[str], known: Mapping[str, Mapping[str, Any]], new_rows: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The organisation's recipients picked by name, then new ones typed as rows."""
    kinds = code_options(vocab.RECIPIENT_KINDS, lang, display=False)
    countries = country_options(lang)
    out = [dict(known[name]) for name in picked if name in known]
    for r in new_rows:
        name = clean(r.get("name"))
        if name is None:
            continue
        kind, country = clean(r.get("kind")), clean(r.get("country"))
        out.append(
            {
                "name": name,
                "kind": _option(kinds, kind, kind or "other"),
                "country": _option(countries, country, country),
                "agreement": clean(r.get("agreement")),
            }
        )
    return out


def screening_from(answers: Mapping[str, Optional[bool]], notes: Mapping[str, Optional[str]]) -> dict[str, dict[str, Any]]:
    """The screening as stored: only criteria answered or explained."""
    out = {}
    for key in vocab.DPIA_CRITERIA:
        answer, note = answers.get(key), clean(notes.get(key))
        if answer is not None or note:
            out[key] = {"answer": answer, "note": note}
    return out


def errors_for(problems: Iterable[Any], key: str) -> list[str]:
    """The messages of the problems about one field (``transfers`` takes ``("transfers", 2, "country")``)."""
    parts = tuple(key.split("."))
    return [p.message for p in problems if tuple(x for x in p.path if isinstance(x, str))[: len(parts)] == parts]


def mechanism_options(lang: str) -> dict[str, str]:
    """label -> code for the transfer mechanism picker, "no mechanism" and "not stated" first: a table
    cell's type-ahead matches anywhere in a label, and "ingen" must find "ingen overføringsgrunnlag"
    before "tvingende berettigede interesser" (Art. 49(1) second subparagraph)."""
    first = ("none", "unknown")
    order = [*first, *(c for c in vocab.MECHANISMS if c not in first)]
    return {vocab.MECHANISMS[c].display(lang): c for c in order}


def country_choices(query: Optional[str], lang: str, limit: int = 12) -> dict[str, str]:
    """option text -> code for what a person typed, best match first (:func:`ropa.vocab.search_countries`)."""
    return {country_option(code, lang): code for code in vocab.search_countries(query, lang, limit=limit)}


def apply_edits(rows: list[dict[str, Any]], edits: Optional[Mapping[str, Any]], columns: Iterable[str]) -> list[dict[str, Any]]:
    """A table editor's rows after its pending edits (``{"edited_rows", "added_rows", "deleted_rows"}``,
    as Streamlit keeps them): used to carry a user's unsaved edits into a table that must be drawn
    afresh (e.g. because its choices changed)."""
    columns = list(columns)
    out = [dict(r) for r in rows]
    if not edits:
        return out
    for index, change in (edits.get("edited_rows") or {}).items():
        i = int(index)
        if 0 <= i < len(out):
            out[i].update({k: v for k, v in change.items() if k in columns})
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in edits.get("added_rows") or []:
        out.append({c: added.get(c) for c in columns})
    return out


# --- Merging after a conflict ---------------------------------------------------------------------


def merge_fields(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields where my copy and the saved one differ, with a suggested choice: the side that
    changed it since ``base`` (what I opened); where both changed it, mine, marked ``both``."""
    out = []
    for key in dict.fromkeys([*mine, *theirs]):
        if key in ("version", "organisation") or mine.get(key) == theirs.get(key):
            continue
        i_changed, they_changed = mine.get(key) != base.get(key), theirs.get(key) != base.get(key)
        out.append(
            {
                "field": key,
                "mine": mine.get(key),
                "theirs": theirs.get(key),
                "choice": "theirs" if they_changed and not i_changed else "mine",
                "both": i_changed and they_changed,
            }
        )
    return out


def merged(mine: Mapping[str, Any], theirs: Mapping[str, Any], choices: Mapping[str, str]) -> dict[str, Any]:
    """The saved copy with the fields chosen as ``"mine"`` taken from my copy."""
    out = dict(theirs)
    for key, choice in choices.items():
        if choice == "mine":
            out[key] = mine.get(key)
    return {k: v for k, v in out.items() if k not in ("version", "organisation")}

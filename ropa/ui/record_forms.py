"""Form pieces the organisation and recipient pages share: a field's widget with its label
from the field table, country pickers, problems shown beside the field they name, conflicts.

Only drawing and turning errors into words here; the writes are :mod:`ropa.register`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional

import streamlit as st

from ropa import vocab
from ropa.audit import local_time
from ropa.errors import Conflict, ValidationFailed
from ropa.fields import FieldSpec
from ropa.text import Words, markdown
from ropa.text import table as safe_table

TEXT = {
    "none": Words(nb="—", en="—"),
    "required": Words(nb="Må fylles ut.", en="Required."),
    "not_recorded": Words(nb="Ikke registrert", en="Not recorded"),
    "yes": Words(nb="Ja", en="Yes"),
    "no": Words(nb="Nei", en="No"),
    "unknown_country": Words(nb="Ikke en landkode etter ISO 3166.", en="Not an ISO 3166 country code."),
    "conflict": Words(
        nb="{entity} «{key}» ble endret{by} etter at du åpnet den (du redigerte versjon {expected}, nå er den versjon {current}). Ingenting ble lagret.",
        en="{entity} {key} was changed{by} after you opened it (you edited version {expected}, it is now version {current}); nothing was saved",
    ),
    "by": Words(nb=" av {who}", en=" by {who}"),
    "organisation": Words(nb="Virksomheten", en="organisation"),
    "recipient": Words(nb="Mottakeren", en="recipient"),
    "activity": Words(nb="Behandlingsaktiviteten", en="activity"),
    "col_actor": Words(nb="Hvem", en="Who"),
    "col_at": Words(nb="Når", en="When"),
    "col_field": Words(nb="Felt", en="Field"),
    "col_old": Words(nb="Før", en="Before"),
    "col_new": Words(nb="Etter", en="After"),
    "col_version": Words(nb="Versjon", en="Version"),
    "deleted": Words(nb="(slettet)", en="(deleted)"),
}


def words(key: str, lang: str) -> str:
    return TEXT[key].in_(lang)


# ---------------------------------------------------------------------------------------------
# Widgets


def label(spec: FieldSpec, lang: str) -> str:
    """The field table's label; required fields are marked with an asterisk."""
    return spec.label(lang) + (" *" if spec.required else "")


def help_text(spec: FieldSpec, lang: str) -> Optional[str]:
    """The field table's help with the article the field rests on."""
    parts = [p for p in (spec.help(lang), vocab.article_in(spec.article, lang)) if p]
    return " · ".join(parts) or None


def country_options(lang: str, current: Optional[str] = None) -> list[str]:
    """ "" (no country) and every ISO code in the language's alphabetical order of names."""
    codes = ["", *(code for code, _ in vocab.countries(lang))]
    if current and current not in codes:  # a code pycountry no longer knows: keep it pickable
        codes.append(current)
    return codes


def country_format(lang: str) -> Callable[[str], str]:
    names = dict(vocab.countries(lang))

    def fmt(code: str) -> str:
        if not code:
            return words("none", lang)
        status = vocab.country_status_label(code, lang)
        status = status.split(":")[0] if status else ""
        return f"{names.get(code, code)} ({code})" + (f" · {status}" if status else "")

    return fmt


def code_format(terms: Mapping[str, vocab.Term], lang: str) -> Callable[[str], str]:
    return lambda code: terms[code].display(lang) if code in terms else (code or words("none", lang))


def field_widget(
    spec: FieldSpec,
    key: str,
    lang: str,
    errors: Mapping[str, Sequence[str]] | None = None,
    options: Optional[Sequence[str]] = None,
    fmt: Optional[Callable[[str], str]] = None,
) -> None:
    """One field's widget (its value lives in ``st.session_state[key]``) and its problems under it."""
    text, help_ = label(spec, lang), help_text(spec, lang)
    if spec.kind == "bool":
        st.checkbox(text, key=key, help=help_)
    elif spec.kind == "yesno":  # yes, no, or not recorded (kept apart from no)
        names = {None: TEXT["not_recorded"].in_(lang), True: TEXT["yes"].in_(lang), False: TEXT["no"].in_(lang)}
        st.selectbox(text, [None, True, False], key=key, help=help_, placeholder=names[None], format_func=lambda v: names.get(v, str(v)))
    elif spec.kind == "countries":
        chosen = list(st.session_state.get(key) or [])
        codes = [c for c, _ in vocab.countries(lang)]
        st.multiselect(
            text,
            codes + [c for c in chosen if c not in codes],
            key=key,
            help=help_,
            format_func=country_format(lang),
            placeholder="Velg land …" if lang == "nb" else "Choose countries …",
        )
    elif spec.kind == "code":
        if spec.vocab == "countries":
            options = country_options(lang, st.session_state.get(key))
            fmt = country_format(lang)
        elif options and st.session_state.get(key) not in options:  # a code the vocabulary does not know
            options = [*options, st.session_state.get(key) or ""]
        st.selectbox(text, list(options or []), placeholder="—", key=key, help=help_, format_func=fmt or str)
    elif spec.kind == "list":
        choices = list_choices(spec, lang)
        current = list(st.session_state.get(key) or [])
        st.multiselect(
            text,
            list(dict.fromkeys([*choices, *current])),
            key=key,
            help=help_,
            format_func=lambda v: choices.get(v, v),
            accept_new_options=not choices,
            placeholder=("Velg eller skriv inn …" if lang == "nb" else "Choose or type …"),
        )
    elif spec.kind == "longtext":
        st.text_area(text, key=key, help=help_, height=80)
    else:
        st.text_input(text, key=key, help=help_)
    for message in (errors or {}).get(spec.key, []):
        st.error(markdown(message), icon=":material/error:")


def list_choices(spec: FieldSpec, lang: str) -> dict[str, str]:
    """The values a list field may hold, with their labels ({} when free text)."""
    if spec.key == "public_fields":  # the activity fields the public register may show
        from ropa.fields import ACTIVITY
        from ropa.public_fields import PUBLISHABLE

        return {k: ACTIVITY[k].label(lang) for k in PUBLISHABLE}
    return {}


def fill(prefix: str, specs: Sequence[FieldSpec], values: Mapping[str, Any]) -> None:
    """Put a record's values into the widgets' state (before the widgets are drawn)."""
    for spec in specs:
        value = values.get(spec.key)
        if spec.kind == "bool":
            value = bool(value)
        elif spec.kind == "yesno":
            value = None if value is None else bool(value)
        elif spec.kind in ("countries", "list"):
            value = list(value or [])
        elif value is None:
            value = ""
        st.session_state[prefix + spec.key] = value


def clear(prefix: str, specs: Sequence[FieldSpec]) -> None:
    for spec in specs:
        st.session_state.pop(prefix + spec.key, None)


def filled(prefix: str, specs: Sequence[FieldSpec]) -> bool:
    """Whether the widgets still hold state (they lose it when the user visits another page)."""
    return all(prefix + spec.key in st.session_state for spec in specs)


def read(prefix: str, specs: Sequence[FieldSpec]) -> dict[str, Any]:
    """The widgets' values by field key; empty text becomes None."""
    out: dict[str, Any] = {}
    for spec in specs:
        value = st.session_state.get(prefix + spec.key)
        if isinstance(value, str):
            value = value.strip() or None
        if spec.kind == "countries":
            value = list(value or [])
        if spec.kind == "yesno":
            value = value if isinstance(value, bool) else None
        out[spec.key] = bool(value) if spec.kind == "bool" else value
    return out


def flatten(record: Mapping[str, Any], specs: Sequence[FieldSpec]) -> dict[str, Any]:
    """``{"dpo": {"email": x}}`` -> ``{"dpo.email": x}`` for the keys of the field table."""
    out: dict[str, Any] = {}
    for spec in specs:
        head, _, tail = spec.key.partition(".")
        value = record.get(head)
        out[spec.key] = (value or {}).get(tail) if tail else value
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"dpo.email": x}`` -> ``{"dpo": {"email": x}}`` (the registry's input shape)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, tail = key.partition(".")
        if tail:
            out.setdefault(head, {})[tail] = value
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# Errors into words


def problems_by_field(err: ValidationFailed, lang: str, messages: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Each problem under the field key it names (``"name"``, ``"dpo.email"``); ``""`` for the rest.

    ``messages`` maps a problem code to the page's own words for it (e.g. ``duplicate``).
    """
    out: dict[str, list[str]] = {}
    for p in err.problems:
        if messages and p.code in messages:
            text = messages[p.code]
        elif p.code in {"missing", "string_type"}:
            text = words("required", lang)
        elif p.code == "unknown_country":
            text = words("unknown_country", lang)
        else:
            text = p.message
        out.setdefault(p.where, []).append(text)
    return out


def _readable(value: Optional[str], lang: str) -> str:
    if value is None:
        return words("none", lang)
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return value
    if decoded is None:
        return words("none", lang)
    if isinstance(decoded, dict):
        return ", ".join(f"{k}: {v}" for k, v in decoded.items() if v not in (None, "", [], {})) or words("none", lang)
    if isinstance(decoded, list):
        return ", ".join(str(v) for v in decoded)
    return str(decoded)


def _field_label(key: Optional[str], table: Mapping[str, FieldSpec], lang: str) -> str:
    if not key:
        return words("deleted", lang)
    spec = table.get(key) or table.get(f"{key}.name") or table.get(f"{key}.text")
    return spec.label(lang) if spec else key


def conflict_view(err: Conflict, table: Mapping[str, FieldSpec], lang: str) -> dict[str, Any]:
    """The conflict as a sentence and the other saves as rows (plain data, kept in session state)."""
    if lang == "nb":
        who = sorted({str(c["actor"]) for c in err.changes if c.get("actor")})
        entity = words(err.entity, lang) if err.entity in {"organisation", "recipient", "activity"} else err.entity
        message = words("conflict", lang).format(
            entity=entity,
            key=err.key,
            expected=err.expected_version,
            current=err.current_version,
            by=words("by", lang).format(who=", ".join(who)) if who else "",
        )
    else:
        message = str(err)
    rows = [
        {
            words("col_version", lang): c.get("version"),
            words("col_actor", lang): c.get("actor"),
            words("col_at", lang): local_time(c["at"], lang) if isinstance(c.get("at"), datetime) else c.get("at"),
            words("col_field", lang): _field_label(c.get("field"), table, lang),
            words("col_old", lang): _readable(c.get("old"), lang),
            words("col_new", lang): _readable(c.get("new"), lang),
        }
        for c in err.changes
    ]
    return {"message": message, "rows": rows}


def show_outcome(outcome: Optional[Mapping[str, Any]]) -> None:
    """Draw what a save left behind: a conflict with the other saves, or an unexpected error.

    Problems that name a field are drawn beside that field by :func:`field_widget`; the ones
    naming no known field are drawn here.
    """
    if not outcome:
        return
    if outcome.get("conflict"):
        st.error(markdown(outcome["conflict"]["message"]), icon=":material/sync_problem:")
        if outcome["conflict"]["rows"]:
            st.dataframe(safe_table(outcome["conflict"]["rows"]), hide_index=True, width="stretch")
    if outcome.get("error"):
        st.error(markdown(outcome["error"]), icon=":material/error:")
    for message in outcome.get("other", []):
        st.error(markdown(message), icon=":material/error:")


def split_problems(problems: Mapping[str, list[str]], keys: Sequence[str]) -> dict[str, Any]:
    """An outcome with the problems by known field, and the rest under ``other``."""
    known = {k: v for k, v in problems.items() if k in keys}
    other = [f"{k}: {m}" if k else m for k, v in problems.items() if k not in keys for m in v]
    return {"errors": known, "other": other}

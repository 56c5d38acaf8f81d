"""How an activity's fields read as text, in bokmål or English: the renderers and the columns of
an activity that the workbook (:mod:`ropa.excel.layout`), the dashboard's activity view and the
audit trail's wording all show. Here, below the workbook, so that the UI and the audit trail need
not import the workbook to show an activity; the workbook adds only its own (widths, drop-downs,
the hidden digest and JSON columns) on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from ropa import vocab
from ropa.fields import ACTIVITY, ORGANISATION, FieldSpec
from ropa.text import Words

# Words of the cover, the footer and the metadata sheet (not column headers: those are in fields.py).
TEXTS: dict[str, Words] = {
    "title": Words(en="Record of processing activities", nb="Protokoll over behandlingsaktiviteter"),
    "subtitle": Words(en="GDPR Article 30", nb="Personvernforordningen artikkel 30"),
    "generated": Words(en="Generated", nb="Generert"),
    "activities": Words(en="Processing activities", nb="Antall behandlingsaktiviteter"),
    "transfers": Words(en="Transfers to third countries", nb="Antall overføringer til tredjestat"),
    "findings": Words(en="Open findings", nb="Åpne funn"),
    "organisations": Words(en="Organisations", nb="Virksomheter"),
    "as_of": Words(en="The register as it was", nb="Registeret slik det var"),
    "yes": Words(en="Yes", nb="Ja"),
    "no": Words(en="No", nb="Nei"),
    "unanswered": Words(en="not answered", nb="ikke besvart"),
    "page": Words(en="Page &P of &N", nb="Side &P av &N"),
    "none": Words(en="–", nb="–"),
}


def text(key: str, lang: str) -> str:
    return TEXTS[key].in_(lang)


@dataclass
class Context:
    """What a cell's rendering needs beyond its record: the language, the organisation the record
    belongs to (:func:`ropa.register.organisations.organisation_dict`), its own taxonomy terms, and for a
    transfer the activity it belongs to."""

    lang: str
    org: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, dict[str, vocab.Term]] = field(default_factory=dict)  # kind -> key -> term
    activity: Optional[dict[str, Any]] = None


Render = Callable[[Any, Context], Any]


@dataclass(frozen=True)
class Column:
    """A column: the field it shows, how to render it, and its drop-down code list if any."""

    key: str  # the FieldSpec's key in ``spec``'s table (or ropa.fields.WORKBOOK)
    spec: FieldSpec
    render: Render
    width: float = 18
    codes: Optional[str] = None  # key of a CODE_LISTS entry feeding the cell's drop-down
    single: bool = True  # one code per cell (warn on other values) or a list (drop-down only suggests)
    code_values: bool = False  # the cell holds the code itself (e.g. "US"), not its label
    hidden: bool = False

    def header(self, lang: str) -> str:
        return self.spec.label(lang)


# ---------------------------------------------------------------------------------------------
# Rendering helpers (each returns None for "nothing", so the cell stays empty)


def lines(items: Sequence[str]) -> Optional[str]:
    return "\n".join(items) if items else None


def yes_no(value: Any, lang: str) -> str:
    return text("yes" if value else "no", lang)


def as_date(value: Any) -> Optional[date]:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def code_label(terms: dict[str, vocab.Term], code: Optional[str], lang: str) -> Optional[str]:
    if code is None:
        return None
    term = terms.get(code)
    return term.display(lang) if term else code


def term_text(terms: dict[str, vocab.Term], code: Optional[str], lang: str) -> Optional[str]:
    if code is None:
        return None
    term = terms.get(code)
    return term.label(lang) if term else code


def bases(items: Sequence[dict[str, Any]], terms: dict[str, vocab.Term], lang: str) -> Optional[str]:
    """One line per basis: "Art. 6(1)(b) – avtale: the note"."""
    out = []
    for b in items:
        line = code_label(terms, b.get("code"), lang) or ""
        if b.get("note"):
            line = f"{line}: {b['note']}"
        out.append(line)
    return lines(out)


def taxonomy(kind: str, keys: Sequence[str], ctx: Context) -> Optional[str]:
    custom = ctx.custom.get(kind)
    return lines([vocab.taxonomy_label(kind, k, ctx.lang, custom) for k in keys])


def country(code: Optional[str], lang: str) -> Optional[str]:
    return vocab.country_name(code, lang) if code else None


def org_contact(org: dict[str, Any]) -> Optional[str]:
    return lines([v for v in (org.get("address"), org.get("email"), org.get("phone"), org.get("website")) if v])


def person(value: Optional[dict[str, Any]], lang: str, keys: Sequence[str] = ("name", "address", "country", "email", "phone")) -> Optional[str]:
    """A DPO or representative as one line per detail."""
    if not value:
        return None
    out = []
    for k in keys:
        v = value.get(k)
        if v:
            out.append(vocab.country_name(v, lang) if k == "country" else v)
    return lines(out)


def controller(act: dict[str, Any], ctx: Context) -> Optional[str]:
    """Art. 30(1)(a): the organisation and its contact for its own processing; the controllers
    served (processor) or shared with (joint controller) otherwise."""
    if act["role"] == "controller" and not act["controllers"]:
        return lines([ctx.org["name"], *[v for v in (ctx.org.get("email"), ctx.org.get("phone")) if v]])
    return lines(act["controllers"])


def recipients(items: Sequence[dict[str, Any]], lang: str) -> Optional[str]:
    out = []
    for r in items:
        extra = [x for x in (term_text(vocab.RECIPIENT_KINDS, r.get("kind"), lang), country(r.get("country"), lang)) if x]
        out.append(f"{r['name']} ({', '.join(extra)})" if extra else r["name"])
    return lines(out)


def transfer_line(t: dict[str, Any], lang: str) -> str:
    where = country(t.get("country"), lang) or t.get("international_organisation") or "?"
    line = f"{where}: {code_label(vocab.MECHANISMS, t.get('mechanism'), lang)}"
    return f"{line} ({t['recipient']})" if t.get("recipient") else line


def retention_text(r: dict[str, Any], lang: str) -> Optional[str]:
    """The recorded words; else the structured rule spelled out."""
    if r.get("text"):
        return str(r["text"])
    parts = []
    if r.get("period") is not None:
        parts.append(f"{r['period']} {term_text(vocab.RETENTION_UNITS, r.get('unit'), lang) or ''}".strip())
    if r.get("trigger"):
        parts.append(str(r["trigger"]))
    if r.get("action"):
        parts.append(term_text(vocab.RETENTION_ACTIONS, r["action"], lang) or "")
    return ", ".join(parts) or None


def screening(items: dict[str, dict[str, Any]], lang: str) -> Optional[str]:
    """The screening's result and why (:func:`ropa.dpia.screen`), then one line per answer."""
    from ropa import dpia

    out = [dpia.screen(items).explain(lang)] if items else []
    for key, ans in items.items():
        answer = ans.get("answer")
        mark = text("unanswered", lang) if answer is None else yes_no(answer, lang)
        line = f"{term_text(vocab.DPIA_CRITERIA, key, lang)}: {mark}"
        out.append(f"{line} – {ans['note']}" if ans.get("note") else line)
    return lines(out)


def _col(table: dict[str, FieldSpec], key: str, render: Render, width: float = 18, **kw: Any) -> Column:
    return Column(key=key, spec=table[key], render=render, width=width, **kw)


def _org_name() -> Column:
    return Column("organisation", ORGANISATION["name"], lambda r, c: c.org["name"], 20)


def _tr(a: dict[str, Any], key: str) -> Any:
    return (a.get("transparency") or {}).get(key)


def _opt_yes_no(value: Any, lang: str) -> Any:
    """Yes, no, or an empty cell for 'not answered'."""
    return None if value is None else yes_no(value, lang)


def _value(record: dict[str, Any], key: str) -> Any:
    """A field of a record by its (dotted) key."""
    value: Any = record
    for part in key.split("."):
        value = (value or {}).get(part)
    return value


_PLAIN: dict[str, Callable[[Any, Context], Any]] = {
    "text": lambda v, c: v,
    "longtext": lambda v, c: v,
    "int": lambda v, c: v,
    "list": lambda v, c: lines(v or []),
    "bool": lambda v, c: yes_no(v, c.lang),
    "date": lambda v, c: as_date(v),
}


def _plain_columns(table: dict[str, FieldSpec], shown: Sequence[Column]) -> tuple[Column, ...]:
    """A column for each plain field (text, list, yes/no, date, number) of the table that no
    column above shows, rendered by its kind: a new field reaches the workbook from the field table."""
    keys = {c.key for c in shown}

    def renderer(key: str, kind: str) -> Render:
        return lambda r, c: _PLAIN[kind](_value(r, key), c)

    return tuple(
        _col(table, key, renderer(key, spec.kind), 20, **({"codes": "yes_no"} if spec.kind == "bool" else {}))
        for key, spec in table.items()
        if key not in keys and spec.kind in _PLAIN
    )


def in_table_order(table: dict[str, FieldSpec], own: Sequence[Column]) -> tuple[Column, ...]:
    """The columns of a table's fields in the table's order (Art. 30's, the workbook's): a field's
    own column where it has one, else one rendered by its kind, so that a new field takes its place
    in the workbook and on the dashboard from the field table alone, not at the end of the sheet."""
    by_key = {c.key: c for c in (*own, *_plain_columns(table, own))}
    return tuple(by_key[key] for key in table if key in by_key)


A = ACTIVITY
# The activity fields with a renderer or a width of their own.
_ACTIVITY_COLUMNS = (
    _col(A, "ref", lambda a, c: a["ref"], 10),
    _col(A, "name", lambda a, c: a["name"], 30),
    _col(A, "description", lambda a, c: a["description"], 45),
    _col(A, "role", lambda a, c: term_text(vocab.ROLES, a["role"], c.lang), 21, codes="roles"),
    _col(A, "controllers", controller, 26),
    _col(A, "owner", lambda a, c: a["owner"], 16),
    _col(A, "purposes", lambda a, c: lines(a["purposes"]), 36),
    _col(A, "legal_bases", lambda a, c: bases(a["legal_bases"], vocab.LEGAL_BASES, c.lang), 38, codes="legal_bases", single=False),
    _col(A, "data_subjects", lambda a, c: taxonomy("data_subject", a["data_subjects"], c), 22),
    _col(A, "data_categories", lambda a, c: taxonomy("data_category", a["data_categories"], c), 28),
    _col(A, "special_categories", lambda a, c: taxonomy("data_category", a["special_categories"], c), 22),
    _col(A, "art9_conditions", lambda a, c: bases(a["art9_conditions"], vocab.ART9_CONDITIONS, c.lang), 32, codes="art9_conditions", single=False),
    _col(A, "criminal_data", lambda a, c: yes_no(a["criminal_data"], c.lang), 13, codes="yes_no"),
    _col(A, "criminal_data_basis", lambda a, c: a["criminal_data_basis"], 20),
    _col(A, "sources", lambda a, c: lines(a["sources"]), 30),
    _col(A, "recipients", lambda a, c: recipients(a["recipients"], c.lang), 34),
    _col(A, "no_recipients", lambda a, c: yes_no(a.get("no_recipients"), c.lang), 13, codes="yes_no"),
    _col(A, "transfers", lambda a, c: lines([transfer_line(t, c.lang) for t in a["transfers"]]), 34),
    _col(A, "retention.text", lambda a, c: retention_text(a["retention"], c.lang), 32),
    _col(A, "retention.period", lambda a, c: a["retention"]["period"], 10),
    _col(A, "retention.unit", lambda a, c: term_text(vocab.RETENTION_UNITS, a["retention"]["unit"], c.lang), 11, codes="retention_units"),
    _col(A, "retention.trigger", lambda a, c: a["retention"]["trigger"], 22),
    _col(A, "retention.action", lambda a, c: term_text(vocab.RETENTION_ACTIONS, a["retention"]["action"], c.lang), 13, codes="retention_actions"),
    _col(A, "security_measures", lambda a, c: lines(a["security_measures"]), 34),
    _col(A, "systems", lambda a, c: lines(a["systems"]), 22),
    _col(A, "dpia.status", lambda a, c: term_text(vocab.DPIA_STATUSES, a["dpia"]["status"], c.lang), 15, codes="dpia_statuses"),
    _col(A, "dpia.ref", lambda a, c: a["dpia"]["ref"], 16),
    _col(A, "dpia.screening", lambda a, c: screening(a["dpia"]["screening"], c.lang), 30),
    _col(A, "status", lambda a, c: term_text(vocab.STATUSES, a["status"], c.lang), 11, codes="statuses"),
    _col(A, "transparency.collection", lambda a, c: term_text(vocab.COLLECTION, _tr(a, "collection"), c.lang), 18, codes="collection"),
    _col(A, "transparency.sources_public", lambda a, c: _opt_yes_no(_tr(a, "sources_public"), c.lang), 13, codes="yes_no"),
    _col(A, "transparency.provision", lambda a, c: term_text(vocab.PROVISION_REQUIREMENTS, _tr(a, "provision"), c.lang), 20, codes="provision"),
    _col(A, "transparency.provision_consequences", lambda a, c: _tr(a, "provision_consequences"), 30),
    _col(A, "transparency.automated_decisions", lambda a, c: _opt_yes_no(_tr(a, "automated_decisions"), c.lang), 13, codes="yes_no"),
    _col(A, "transparency.automated_logic", lambda a, c: _tr(a, "automated_logic"), 30),
    _col(A, "last_review", lambda a, c: as_date(a["last_review"]), 12),
    _col(A, "next_review", lambda a, c: as_date(a["next_review"]), 12),
)


#: An activity's columns as shown (the workbook's activities sheet adds its hidden digest and JSON columns).
ACTIVITY_COLUMNS: tuple[Column, ...] = (_org_name(), *in_table_order(A, _ACTIVITY_COLUMNS))

"""The workbook's layout, shared by the exporter and the importer: for each sheet its name in
both languages and its columns, each column tied to a :class:`~ropa.fields.FieldSpec` (whose
labels are the headers and whose aliases the importer also accepts) and to the function that
renders the cell from the register.

The exporter writes ``column.render(record, ctx)`` under ``column.header(lang)``. The importer
finds a sheet by either language's name (:func:`sheet_for`), matches headers against the same
specs, and can tell an edited cell from an untouched one by rendering the record from the
row's ``ropa:json`` cell and comparing: equal means "take the JSON's exact value", different
means "the DPO changed this cell, parse it". Rendered codes are labels in the workbook's
language; the code lists (sheet Kodeverk / Code lists) map them back.

Workbook conventions the importer can rely on:

- Row 1 of every data sheet is the header row; data start in row 2, one record per row.
- Lists within a cell are one item per line (``\\n``).
- The last column of Behandlingsaktiviteter / Processing activities and of Virksomheter /
  Organisations is ``ropa:json`` (hidden): the record in the ``ropa-register`` JSON format
  (:func:`ropa.registry.activity_dict`; for an organisation :func:`~ropa.registry.organisation_dict`
  plus ``recipients``, the ones no activity uses). Text longer than :data:`JSON_CHUNK`
  characters continues in the cells to its right (an Excel cell holds at most 32,767).
- The hidden ``ropa:digest`` column (the activities sheet's just before ``ropa:json``; the last
  column of Overføringer / Transfers, Mottakere / Recipients and Databehandler / Processor
  activities) holds :func:`row_digest` of the row as written: its visible cells, plus the
  ``ropa:json`` text on the activities sheet and, on the transfers sheet, the transfer's place
  among its activity's (:func:`transfer_salt`). An importer that computes the same digest from
  what it reads knows nobody edited the row, without parsing or rendering anything.
- Text that would start a formula (``= + - @``, tab, CR) is written as a plain string cell
  with Excel's quote-prefix flag: the text itself is unchanged.
- Sheet Metadata is a key/value table: ``format`` = :data:`WORKBOOK_FORMAT`, ``version`` =
  :data:`WORKBOOK_VERSION`, ``language``, ``generated``, ``generator``, ``register_format`` /
  ``register_version`` (the JSON format of the ``ropa:json`` cells), ``organisations`` (``*``
  or the names exported, one per line) and ``sheet:<key>`` = the sheet's name for each sheet.
- Code lists (sheet Kodeverk / Code lists): for each entry of :data:`CODE_LISTS`, a label column
  then a code column (:func:`code_list_columns`), header in row 1; the drop-downs of the data
  sheets refer to these ranges.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from ropa import vocab
from ropa.fields import ACTIVITY, ORGANISATION, ORGANISATION_FIELDS, RECIPIENT, TRANSFER, WORKBOOK, FieldSpec
from ropa.text import Words

WORKBOOK_FORMAT = "ropa-workbook"
WORKBOOK_VERSION = 1
JSON_COLUMN = "ropa:json"
DIGEST_COLUMN = "ropa:digest"
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0: dropped when written
MAX_CELL = 32_767  # an Excel cell holds at most this many characters
JSON_CHUNK = 32_000
JSON_SPARE_COLUMNS = 16  # hidden columns reserved for ropa:json and its continuation cells

# Words of the cover, the footer and the metadata sheet (not column headers: those are in fields.py).
TEXTS: dict[str, Words] = {
    "title": Words(en="Record of processing activities", nb="Protokoll over behandlingsaktiviteter"),
    "subtitle": Words(en="GDPR Article 30", nb="Personvernforordningen artikkel 30"),
    "generated": Words(en="Generated", nb="Generert"),
    "activities": Words(en="Processing activities", nb="Antall behandlingsaktiviteter"),
    "transfers": Words(en="Transfers to third countries", nb="Antall overføringer til tredjestat"),
    "findings": Words(en="Open findings", nb="Åpne avvik"),
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
    belongs to (:func:`ropa.registry.organisation_dict`), its own taxonomy terms, and for a
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


@dataclass(frozen=True)
class Sheet:
    """A data sheet: header row, then one record per row."""

    key: str
    en: str
    nb: str
    columns: tuple[Column, ...]
    freeze_after: Optional[str] = None  # panes frozen below the header and right of this column
    paper: str = "9"  # printed landscape, fit to width: 9 = A4, 8 = A3 for the widest sheets

    def name(self, lang: str) -> str:
        return self.nb if lang == "nb" else self.en

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]

    def index(self, key: str) -> int:
        """0-based position of a column."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def freeze_cell(self) -> str:
        from openpyxl.utils import get_column_letter

        col = self.index(self.freeze_after) + 2 if self.freeze_after else 1
        return f"{get_column_letter(col)}2"

    def visible_columns(self) -> int:
        return sum(1 for c in self.columns if not c.hidden)


@dataclass(frozen=True)
class CodeList:
    """A vocabulary on the code-list sheet: labels (what cells show) beside their codes."""

    key: str
    spec: FieldSpec
    items: Callable[[str], list[tuple[str, str]]]  # lang -> [(code, label)]


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


def cell_key(value: Any) -> str:
    """A non-text cell's value as text that is the same whether it is what the exporter wrote or
    what a reader gets back (dates as dates, whole numbers as integers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_digest(values: Iterable[Any], salt: str = "") -> str:
    """The fingerprint of a row (see :data:`DIGEST_COLUMN`): its visible cells, then ``salt`` (the
    ``ropa:json`` text, or a transfer's place). Text is taken as it is: text a spreadsheet changes
    on the way (control characters dropped, over-long cells cut) simply does not match, and the
    importer then compares the row cell by cell."""
    return salted_digest(cells_text(values), salt)


def cells_text(values: Iterable[Any]) -> str:
    """The cells as :func:`row_digest` reads them (to try several salts on one row)."""
    return "\x1f".join([v if v.__class__ is str else "" if v is None else cell_key(v) for v in values])


def salted_digest(cells: str, salt: str) -> str:
    return hashlib.blake2b(f"{cells}\x1e{salt}".encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def transfer_salt(position: int, last: bool) -> str:
    """A transfer row's place among its activity's transfers, in its digest: a row moved, a row
    deleted (the one before it then becomes the last) or copied over another no longer matches."""
    return f"{position}{'$' if last else ''}"


def _digest_column() -> Column:
    return Column(DIGEST_COLUMN, WORKBOOK[DIGEST_COLUMN], lambda r, c: None, 10, hidden=True)


def _json_column() -> Column:
    return Column(JSON_COLUMN, WORKBOOK[JSON_COLUMN], lambda r, c: None, 10, hidden=True)


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
    "text": lambda v, c: v, "longtext": lambda v, c: v, "int": lambda v, c: v,
    "list": lambda v, c: lines(v or []), "bool": lambda v, c: yes_no(v, c.lang), "date": lambda v, c: as_date(v),
}


def _plain_columns(table: dict[str, FieldSpec], shown: Sequence[Column]) -> tuple[Column, ...]:
    """A column for each plain field (text, list, yes/no, date, number) of the table that no
    column above shows, rendered by its kind: a new field reaches the workbook from the field table."""
    keys = {c.key for c in shown}

    def renderer(key: str, kind: str) -> Render:
        return lambda r, c: _PLAIN[kind](_value(r, key), c)

    return tuple(
        _col(table, key, renderer(key, spec.kind), 20, **({"codes": "yes_no"} if spec.kind == "bool" else {}))
        for key, spec in table.items() if key not in keys and spec.kind in _PLAIN
    )


A = ACTIVITY
_ACTIVITY_COLUMNS = (
    _org_name(),
    _col(A, "ref", lambda a, c: a["ref"], 10),
    _col(A, "name", lambda a, c: a["name"], 30),
    _col(A, "description", lambda a, c: a["description"], 45),
    _col(A, "role", lambda a, c: term_text(vocab.ROLES, a["role"], c.lang), 21, codes="roles"),
    _col(A, "controllers", controller, 26),
    _col(A, "owner", lambda a, c: a["owner"], 16),
    _col(A, "purposes", lambda a, c: lines(a["purposes"]), 36),
    _col(A, "legal_bases", lambda a, c: bases(a["legal_bases"], vocab.LEGAL_BASES, c.lang), 38,
         codes="legal_bases", single=False),
    _col(A, "data_subjects", lambda a, c: taxonomy("data_subject", a["data_subjects"], c), 22),
    _col(A, "data_categories", lambda a, c: taxonomy("data_category", a["data_categories"], c), 28),
    _col(A, "special_categories", lambda a, c: taxonomy("data_category", a["special_categories"], c), 22),
    _col(A, "art9_conditions", lambda a, c: bases(a["art9_conditions"], vocab.ART9_CONDITIONS, c.lang), 32,
         codes="art9_conditions", single=False),
    _col(A, "criminal_data", lambda a, c: yes_no(a["criminal_data"], c.lang), 13, codes="yes_no"),
    _col(A, "criminal_data_basis", lambda a, c: a["criminal_data_basis"], 20),
    _col(A, "sources", lambda a, c: lines(a["sources"]), 30),
    _col(A, "recipients", lambda a, c: recipients(a["recipients"], c.lang), 34),
    _col(A, "no_recipients", lambda a, c: yes_no(a.get("no_recipients"), c.lang), 13, codes="yes_no"),
    _col(A, "transfers", lambda a, c: lines([transfer_line(t, c.lang) for t in a["transfers"]]), 34),
    _col(A, "retention.text", lambda a, c: retention_text(a["retention"], c.lang), 32),
    _col(A, "retention.period", lambda a, c: a["retention"]["period"], 10),
    _col(A, "retention.unit", lambda a, c: term_text(vocab.RETENTION_UNITS, a["retention"]["unit"], c.lang), 11,
         codes="retention_units"),
    _col(A, "retention.trigger", lambda a, c: a["retention"]["trigger"], 22),
    _col(A, "retention.action", lambda a, c: term_text(vocab.RETENTION_ACTIONS, a["retention"]["action"], c.lang), 13,
         codes="retention_actions"),
    _col(A, "security_measures", lambda a, c: lines(a["security_measures"]), 34),
    _col(A, "systems", lambda a, c: lines(a["systems"]), 22),
    _col(A, "dpia.status", lambda a, c: term_text(vocab.DPIA_STATUSES, a["dpia"]["status"], c.lang), 15,
         codes="dpia_statuses"),
    _col(A, "dpia.ref", lambda a, c: a["dpia"]["ref"], 16),
    _col(A, "dpia.screening", lambda a, c: screening(a["dpia"]["screening"], c.lang), 30),
    _col(A, "status", lambda a, c: term_text(vocab.STATUSES, a["status"], c.lang), 11, codes="statuses"),
    _col(A, "transparency.collection", lambda a, c: term_text(vocab.COLLECTION, _tr(a, "collection"), c.lang), 18,
         codes="collection"),
    _col(A, "transparency.sources_public", lambda a, c: _opt_yes_no(_tr(a, "sources_public"), c.lang), 13, codes="yes_no"),
    _col(A, "transparency.provision", lambda a, c: term_text(vocab.PROVISION_REQUIREMENTS, _tr(a, "provision"), c.lang), 20,
         codes="provision"),
    _col(A, "transparency.provision_consequences", lambda a, c: _tr(a, "provision_consequences"), 30),
    _col(A, "transparency.automated_decisions", lambda a, c: _opt_yes_no(_tr(a, "automated_decisions"), c.lang), 13,
         codes="yes_no"),
    _col(A, "transparency.automated_logic", lambda a, c: _tr(a, "automated_logic"), 30),
    _col(A, "last_review", lambda a, c: as_date(a["last_review"]), 12),
    _col(A, "next_review", lambda a, c: as_date(a["next_review"]), 12),
)
ACTIVITIES = Sheet("activities", "Processing activities", "Behandlingsaktiviteter", freeze_after="name", paper="8", columns=(
    *_ACTIVITY_COLUMNS, *_plain_columns(A, _ACTIVITY_COLUMNS), _digest_column(), _json_column(),
))

T = TRANSFER


def _of_activity(c: Context) -> dict[str, Any]:
    """The activity a transfer row belongs to (a transfer is always rendered with it)."""
    assert c.activity is not None
    return c.activity


TRANSFERS = Sheet("transfers", "Transfers", "Overføringer", freeze_after="name", columns=(
    _org_name(),
    _col(A, "ref", lambda t, c: _of_activity(c)["ref"], 10),
    _col(A, "name", lambda t, c: _of_activity(c)["name"], 30),
    _col(T, "recipient", lambda t, c: t["recipient"], 28),
    _col(T, "country", lambda t, c: country(t["country"], c.lang), 18, codes="countries"),
    _col(WORKBOOK, "country_code", lambda t, c: t["country"], 11, codes="countries", code_values=True),
    _col(WORKBOOK, "country_status", lambda t, c: vocab.country_status_label(t["country"], c.lang) or None, 30),
    _col(T, "international_organisation", lambda t, c: t["international_organisation"], 18),
    _col(T, "mechanism", lambda t, c: code_label(vocab.MECHANISMS, t["mechanism"], c.lang), 36, codes="mechanisms"),
    _col(T, "safeguard", lambda t, c: t["safeguard"], 28),
    _col(T, "tia_date", lambda t, c: as_date(t["tia_date"]), 14),
    _col(T, "frequency", lambda t, c: term_text(vocab.TRANSFER_FREQUENCIES, t["frequency"], c.lang), 14,
         codes="frequencies"),
    _col(T, "adequacy_scope_confirmed", lambda t, c: yes_no(t["adequacy_scope_confirmed"], c.lang), 18, codes="yes_no"),
    _col(T, "note", lambda t, c: t["note"], 30),
    _digest_column(),
))

RECIPIENTS = Sheet("recipients", "Recipients", "Mottakere", freeze_after="name", columns=(
    _org_name(),
    _col(RECIPIENT, "name", lambda r, c: r["name"], 36),
    _col(RECIPIENT, "kind", lambda r, c: term_text(vocab.RECIPIENT_KINDS, r["kind"], c.lang), 22, codes="recipient_kinds"),
    _col(RECIPIENT, "country", lambda r, c: country(r["country"], c.lang), 18, codes="countries"),
    _col(WORKBOOK, "country_code", lambda r, c: r["country"], 11, codes="countries", code_values=True),
    _col(RECIPIENT, "agreement", lambda r, c: r["agreement"], 30),
    _col(WORKBOOK, "used_by", lambda r, c: ", ".join(r["used_by"]) or None, 40),
    _digest_column(),
))

PROCESSOR = Sheet("processor", "Processor activities", "Databehandler", freeze_after="name", columns=(
    _org_name(),
    _col(WORKBOOK, "processor_contact", lambda a, c: org_contact(c.org), 28),
    _col(ORGANISATION, "dpo.name", lambda a, c: person(c.org.get("dpo"), c.lang), 24),
    _col(ORGANISATION, "representative.name", lambda a, c: person(c.org.get("representative"), c.lang), 24),
    _col(A, "ref", lambda a, c: a["ref"], 10),
    _col(A, "name", lambda a, c: a["name"], 30),
    _col(A, "controllers", lambda a, c: lines(a["controllers"]), 28),
    _col(WORKBOOK, "processing_categories", lambda a, c: lines(a["purposes"]) or a["description"], 40),
    _col(A, "transfers", lambda a, c: lines([transfer_line(t, c.lang) for t in a["transfers"]]), 34),
    _col(A, "security_measures", lambda a, c: lines(a["security_measures"]), 34),
    _col(A, "status", lambda a, c: term_text(vocab.STATUSES, a["status"], c.lang), 11, codes="statuses"),
    _digest_column(),
))


def _org_field(key: str) -> Render:
    head, _, tail = key.partition(".")
    if tail:
        return lambda o, c: (o.get(head) or {}).get(tail)
    return lambda o, c: o.get(key)


def _org_column(spec: FieldSpec) -> Column:
    render = _org_field(spec.key)
    if spec.kind == "bool":
        return Column(spec.key, spec, lambda o, c: yes_no(render(o, c), c.lang), 14, codes="yes_no")
    if spec.kind == "countries":
        return Column(spec.key, spec, lambda o, c: ", ".join(country(x, c.lang) or "" for x in render(o, c) or []), 20)
    if spec.vocab == "countries":
        return Column(spec.key, spec, lambda o, c: country(render(o, c), c.lang), 16, codes="countries")
    if spec.kind == "list":
        return Column(spec.key, spec, lambda o, c: lines(render(o, c) or []), 30)
    return Column(spec.key, spec, render, 30 if spec.kind == "longtext" else 20)


ORGANISATIONS = Sheet("organisations", "Organisations", "Virksomheter", freeze_after="name",
                      columns=(*(_org_column(s) for s in ORGANISATION_FIELDS), _json_column()))


def _rule_title(code: str, lang: str) -> str:
    from ropa import checks  # imported late: checks reads no workbook, and layout stays light

    title = getattr(checks, "rule_title", None)  # a stand-in checks module in tests has none
    return title(code, lang) if title else code


def _finding(attr: str) -> Render:
    return lambda f, c: getattr(f, f"{attr}_{c.lang}" if c.lang in ("en", "nb") else f"{attr}_en", None)


FINDINGS = Sheet("findings", "Findings", "Avvik", freeze_after="finding.severity", columns=(
    Column("finding.severity", WORKBOOK["finding.severity"], lambda f, c: vocab.term_label(vocab.SEVERITIES, f.severity, c.lang), 12),
    _org_name(),
    _col(A, "ref", lambda f, c: f.activity_ref, 10),
    _col(A, "name", lambda f, c: c.activity["name"] if c.activity else getattr(f, "recipient", None), 30),
    Column("finding.rule", WORKBOOK["finding.rule"], lambda f, c: _rule_title(f.rule, c.lang), 30),
    Column("finding.article", WORKBOOK["finding.article"], lambda f, c: vocab.article_in(f.article, c.lang), 14),
    Column("finding.message", WORKBOOK["finding.message"], _finding("message"), 60),
    Column("finding.fix", WORKBOOK["finding.fix"], _finding("fix"), 50),
    Column("finding.code", WORKBOOK["finding.code"], lambda f, c: f.rule, 24, hidden=True),  # for filters and scripts
))

DATA_SHEETS: tuple[Sheet, ...] = (ACTIVITIES, TRANSFERS, RECIPIENTS, PROCESSOR, ORGANISATIONS, FINDINGS)

# The names of the sheets without a header-row layout.
COVER = Words(en="Cover", nb="Forside")
CODE_LISTS_SHEET = Words(en="Code lists", nb="Kodeverk")
METADATA = Words(en="Metadata", nb="Metadata")
METADATA_HEADERS = {"en": ("key", "value", "meaning"), "nb": ("nøkkel", "verdi", "betydning")}
# The keys stay machine words (the importer reads them); the third column says what each means.
METADATA_MEANINGS: dict[str, Words] = {
    "format": Words(en="This file is a ropa workbook; the importer recognises it by this sheet.",
                    nb="Filen er en ropa-arbeidsbok; importen kjenner den igjen på dette arket."),
    "version": Words(en="Version of the workbook's layout.", nb="Versjon av arbeidsbokens oppsett."),
    "language": Words(en="Language of the headers and labels (nb bokmål, en English).", nb="Språket i overskrifter og etiketter (nb bokmål, en engelsk)."),
    "generated": Words(en="Date the workbook was written.", nb="Datoen arbeidsboken ble skrevet."),
    "generated_at": Words(en="Time the workbook was written.", nb="Tidspunktet arbeidsboken ble skrevet."),
    "generator": Words(en="Program and version that wrote it.", nb="Programmet og versjonen som skrev den."),
    "register_format": Words(en="Format of the hidden ropa:json cells.", nb="Formatet på de skjulte ropa:json-cellene."),
    "register_version": Words(en="Version of that format.", nb="Versjonen av det formatet."),
    "organisations": Words(en="Organisations included (* for all).", nb="Virksomhetene som er med (* for alle)."),
    "sheet": Words(en="Name of a sheet in this workbook.", nb="Navnet på et ark i arbeidsboken."),
    "as_of": Words(en="The state of the register written: a snapshot or a past moment (absent: the register then).",
                   nb="Hvilken tilstand av registeret som er skrevet: et øyeblikksbilde eller et tidligere tidspunkt (mangler: registeret da)."),
}
SHEET_ORDER = ("cover", "activities", "transfers", "recipients", "processor", "organisations", "findings",
               "code_lists", "metadata")


def sheet_name(key: str, lang: str) -> str:
    """The name of a sheet (any of SHEET_ORDER) in a language."""
    for s in DATA_SHEETS:
        if s.key == key:
            return s.name(lang)
    return {"cover": COVER, "code_lists": CODE_LISTS_SHEET, "metadata": METADATA}[key].in_(lang)


def sheet_for(name: str) -> Optional[str]:
    """The key of a sheet from its name in either language (case and spaces ignored)."""
    wanted = " ".join(name.split()).casefold()
    for key in SHEET_ORDER:
        if wanted in {sheet_name(key, lang).casefold() for lang in ("en", "nb")}:
            return key
    return None


def _terms(terms: dict[str, vocab.Term], display: bool = False) -> Callable[[str], list[tuple[str, str]]]:
    return lambda lang: [(code, t.display(lang) if display else t.label(lang)) for code, t in terms.items()]


CODE_LISTS: tuple[CodeList, ...] = (
    CodeList("legal_bases", A["legal_bases"], _terms(vocab.LEGAL_BASES, display=True)),
    CodeList("art9_conditions", A["art9_conditions"], _terms(vocab.ART9_CONDITIONS, display=True)),
    CodeList("mechanisms", T["mechanism"], _terms(vocab.MECHANISMS, display=True)),
    CodeList("roles", A["role"], _terms(vocab.ROLES)),
    CodeList("statuses", A["status"], _terms(vocab.STATUSES)),
    CodeList("dpia_statuses", A["dpia.status"], _terms(vocab.DPIA_STATUSES)),
    CodeList("recipient_kinds", RECIPIENT["kind"], _terms(vocab.RECIPIENT_KINDS)),
    CodeList("retention_units", A["retention.unit"], _terms(vocab.RETENTION_UNITS)),
    CodeList("retention_actions", A["retention.action"], _terms(vocab.RETENTION_ACTIONS)),
    CodeList("frequencies", T["frequency"], _terms(vocab.TRANSFER_FREQUENCIES)),
    CodeList("collection", A["transparency.collection"], _terms(vocab.COLLECTION)),
    CodeList("provision", A["transparency.provision"], _terms(vocab.PROVISION_REQUIREMENTS)),
    CodeList("country_statuses", WORKBOOK["country_status"], _terms(vocab.COUNTRY_STATUSES)),
    CodeList("yes_no", WORKBOOK["yes_no"], lambda lang: [("true", text("yes", lang)), ("false", text("no", lang))]),
    CodeList("countries", T["country"], lambda lang: vocab.countries(lang)),
)


def join_json(cells: Sequence[Any]) -> str:
    """The ``ropa:json`` text of a row, from its ``ropa:json`` cell and the cells after it."""
    return "".join(str(c) for c in cells if c not in (None, ""))


def code_list_columns() -> dict[str, tuple[int, int]]:
    """Where each code list sits on the code-list sheet: (label column, code column), 1-based.
    Each list has its label column then its code column; row 1 is the header."""
    return {c.key: (2 * i + 1, 2 * i + 2) for i, c in enumerate(CODE_LISTS)}

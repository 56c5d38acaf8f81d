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
  (:func:`ropa.register.activities.activity_dict`; for an organisation :func:`~ropa.register.organisations.organisation_dict`
  plus ``recipients``, the ones no activity uses). Text longer than :data:`JSON_CHUNK`
  characters continues in the cells to its right (an Excel cell holds at most 32,767).
- The hidden ``ropa:digest`` column (the activities sheet's just before ``ropa:json``; the last
  column of Overføringer / Transfers, Mottakere / Recipients and Databehandler / Processor
  activities) holds :func:`row_digest` (keyed: :func:`ropa.settings.workbook_key`) of the row as written: its visible cells, plus the
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
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Optional

from ropa import settings, vocab
from ropa.fields import ORGANISATION, ORGANISATION_FIELDS, RECIPIENT, TRANSFER, WORKBOOK, FieldSpec
from ropa.present import (
    _ACTIVITY_COLUMNS as _ACTIVITY_COLUMNS,
)
from ropa.present import (
    _PLAIN as _PLAIN,
)
from ropa.present import (
    ACTIVITY_COLUMNS as ACTIVITY_COLUMNS,
)
from ropa.present import (
    TEXTS as TEXTS,
)

# The renderers and an activity's columns live in ropa.present (the UI shows them too); still importable from here.
from ropa.present import (  # noqa: F401
    A as A,
)
from ropa.present import (
    Column as Column,
)
from ropa.present import (
    Context as Context,
)
from ropa.present import (
    Render as Render,
)
from ropa.present import (
    _col as _col,
)
from ropa.present import (
    _opt_yes_no as _opt_yes_no,
)
from ropa.present import (
    _org_name as _org_name,
)
from ropa.present import (
    _plain_columns as _plain_columns,
)
from ropa.present import (
    _tr as _tr,
)
from ropa.present import (
    _value as _value,
)
from ropa.present import (
    as_date as as_date,
)
from ropa.present import (
    bases as bases,
)
from ropa.present import (
    code_label as code_label,
)
from ropa.present import (
    controller as controller,
)
from ropa.present import (
    country as country,
)
from ropa.present import (
    lines as lines,
)
from ropa.present import (
    org_contact as org_contact,
)
from ropa.present import (
    person as person,
)
from ropa.present import (
    recipients as recipients,
)
from ropa.present import (
    retention_text as retention_text,
)
from ropa.present import (
    screening as screening,
)
from ropa.present import (
    taxonomy as taxonomy,
)
from ropa.present import (
    term_text as term_text,
)
from ropa.present import (
    text as text,
)
from ropa.present import (
    transfer_line as transfer_line,
)
from ropa.present import (
    yes_no as yes_no,
)
from ropa.text import Words

WORKBOOK_FORMAT = "ropa-workbook"
WORKBOOK_VERSION = 1
JSON_COLUMN = "ropa:json"
DIGEST_COLUMN = "ropa:digest"
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0: dropped when written
MAX_CELL = 32_767  # an Excel cell holds at most this many characters
JSON_CHUNK = 32_000
JSON_SPARE_COLUMNS = 16  # hidden columns reserved for ropa:json and its continuation cells


@dataclass(frozen=True)
class Sheet:
    """A data sheet: header row, then one record per row."""

    key: str
    en: str
    nb: str
    columns: tuple[Column, ...]
    freeze_after: Optional[str] = None  # panes frozen below the header and right of this column
    paper: str = "9"  # printed landscape, fit to width: 9 = A4, 8 = A3 for the widest sheets
    former: tuple[str, ...] = ()  # names earlier versions gave the sheet: their workbooks are still read

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
    # Keyed (ropa.settings.workbook_key): with the public algorithm alone, whoever edits the hidden
    # ropa:json cell could write a matching fingerprint and have the hidden text overrule the cells the DPO reads.
    return hashlib.blake2b(f"{cells}\x1e{salt}".encode("utf-8", "surrogatepass"), digest_size=12, key=settings.workbook_key()).hexdigest()


def transfer_salt(position: int, last: bool) -> str:
    """A transfer row's place among its activity's transfers, in its digest: a row moved, a row
    deleted (the one before it then becomes the last) or copied over another no longer matches."""
    return f"{position}{'$' if last else ''}"


def _digest_column() -> Column:
    return Column(DIGEST_COLUMN, WORKBOOK[DIGEST_COLUMN], lambda r, c: None, 10, hidden=True)


def _json_column() -> Column:
    return Column(JSON_COLUMN, WORKBOOK[JSON_COLUMN], lambda r, c: None, 10, hidden=True)


ACTIVITIES = Sheet(
    "activities",
    "Processing activities",
    "Behandlingsaktiviteter",
    freeze_after="name",
    paper="8",
    columns=(
        *ACTIVITY_COLUMNS,
        _digest_column(),
        _json_column(),
    ),
)

T = TRANSFER


def _of_activity(c: Context) -> dict[str, Any]:
    """The activity a transfer row belongs to (a transfer is always rendered with it)."""
    assert c.activity is not None
    return c.activity


TRANSFERS = Sheet(
    "transfers",
    "Transfers",
    "Overføringer",
    freeze_after="name",
    columns=(
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
        _col(T, "frequency", lambda t, c: term_text(vocab.TRANSFER_FREQUENCIES, t["frequency"], c.lang), 14, codes="frequencies"),
        _col(T, "adequacy_scope_confirmed", lambda t, c: yes_no(t["adequacy_scope_confirmed"], c.lang), 18, codes="yes_no"),
        _col(T, "note", lambda t, c: t["note"], 30),
        _digest_column(),
    ),
)

RECIPIENTS = Sheet(
    "recipients",
    "Recipients",
    "Mottakere",
    freeze_after="name",
    columns=(
        _org_name(),
        _col(RECIPIENT, "name", lambda r, c: r["name"], 36),
        _col(RECIPIENT, "kind", lambda r, c: term_text(vocab.RECIPIENT_KINDS, r["kind"], c.lang), 22, codes="recipient_kinds"),
        _col(RECIPIENT, "country", lambda r, c: country(r["country"], c.lang), 18, codes="countries"),
        _col(WORKBOOK, "country_code", lambda r, c: r["country"], 11, codes="countries", code_values=True),
        _col(RECIPIENT, "agreement", lambda r, c: r["agreement"], 30),
        _col(WORKBOOK, "used_by", lambda r, c: ", ".join(r["used_by"]) or None, 40),
        _digest_column(),
    ),
)

PROCESSOR = Sheet(
    "processor",
    "Processor activities",
    "Databehandler",
    freeze_after="name",
    columns=(
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
    ),
)


def _org_field(key: str) -> Render:
    head, _, tail = key.partition(".")
    if tail:
        return lambda o, c: (o.get(head) or {}).get(tail)
    return lambda o, c: o.get(key)


def _org_column(spec: FieldSpec) -> Column:
    render = _org_field(spec.key)
    if spec.kind == "bool":
        return Column(spec.key, spec, lambda o, c: yes_no(render(o, c), c.lang), 14, codes="yes_no")
    if spec.kind == "yesno":  # an empty cell: not recorded
        return Column(spec.key, spec, lambda o, c: _opt_yes_no(render(o, c), c.lang), 14, codes="yes_no")
    if spec.kind == "countries":
        return Column(spec.key, spec, lambda o, c: ", ".join(country(x, c.lang) or "" for x in render(o, c) or []), 20)
    if spec.vocab == "countries":
        return Column(spec.key, spec, lambda o, c: country(render(o, c), c.lang), 16, codes="countries")
    if spec.kind == "list":
        return Column(spec.key, spec, lambda o, c: lines(render(o, c) or []), 30)
    return Column(spec.key, spec, render, 30 if spec.kind == "longtext" else 20)


ORGANISATIONS = Sheet(
    "organisations", "Organisations", "Virksomheter", freeze_after="name", columns=(*(_org_column(s) for s in ORGANISATION_FIELDS), _json_column())
)


def _rule_title(code: str, lang: str) -> str:
    from ropa import checks  # imported late: checks reads no workbook, and layout stays light

    title = getattr(checks, "rule_title", None)  # a stand-in checks module in tests has none
    return title(code, lang) if title else code


def _finding(attr: str) -> Render:
    return lambda f, c: getattr(f, f"{attr}_{c.lang}" if c.lang in ("en", "nb") else f"{attr}_en", None)


FINDINGS = Sheet(
    "findings",
    "Findings",
    "Funn",  # "Avvik" until 2026-12: DPOs say "avvik" of a breach (avviksmelding), a check finds "funn"
    freeze_after="finding.severity",
    former=("Avvik",),
    columns=(
        Column("finding.severity", WORKBOOK["finding.severity"], lambda f, c: vocab.term_label(vocab.SEVERITIES, f.severity, c.lang), 12),
        _org_name(),
        _col(A, "ref", lambda f, c: f.activity_ref, 10),
        _col(A, "name", lambda f, c: c.activity["name"] if c.activity else getattr(f, "recipient", None), 30),
        Column("finding.rule", WORKBOOK["finding.rule"], lambda f, c: _rule_title(f.rule, c.lang), 30),
        Column("finding.article", WORKBOOK["finding.article"], lambda f, c: vocab.article_in(f.article, c.lang), 14),
        Column("finding.message", WORKBOOK["finding.message"], _finding("message"), 60),
        Column("finding.fix", WORKBOOK["finding.fix"], _finding("fix"), 50),
        Column("finding.code", WORKBOOK["finding.code"], lambda f, c: f.rule, 24, hidden=True),  # for filters and scripts
    ),
)

DATA_SHEETS: tuple[Sheet, ...] = (ACTIVITIES, TRANSFERS, RECIPIENTS, PROCESSOR, ORGANISATIONS, FINDINGS)

# The names of the sheets without a header-row layout.
COVER = Words(en="Cover", nb="Forside")
CODE_LISTS_SHEET = Words(en="Code lists", nb="Kodeverk")
METADATA = Words(en="Metadata", nb="Metadata")
METADATA_HEADERS = {"en": ("key", "value", "meaning"), "nb": ("nøkkel", "verdi", "betydning")}
# The keys stay machine words (the importer reads them); the third column says what each means.
METADATA_MEANINGS: dict[str, Words] = {
    "format": Words(
        en="This file is a ropa workbook; the importer recognises it by this sheet.",
        nb="Filen er en ropa-arbeidsbok; importen kjenner den igjen på dette arket.",
    ),
    "version": Words(en="Version of the workbook's layout.", nb="Versjon av arbeidsbokens oppsett."),
    "language": Words(en="Language of the headers and labels (nb bokmål, en English).", nb="Språket i overskrifter og etiketter (nb bokmål, en engelsk)."),
    "generated": Words(en="Date the workbook was written.", nb="Datoen arbeidsboken ble skrevet."),
    "generated_at": Words(en="Time the workbook was written.", nb="Tidspunktet arbeidsboken ble skrevet."),
    "generator": Words(en="Program and version that wrote it.", nb="Programmet og versjonen som skrev den."),
    "register_format": Words(en="Format of the hidden ropa:json cells.", nb="Formatet på de skjulte ropa:json-cellene."),
    "register_version": Words(en="Version of that format.", nb="Versjonen av det formatet."),
    "organisations": Words(en="Organisations included (* for all).", nb="Virksomhetene som er med (* for alle)."),
    "sheet": Words(en="Name of a sheet in this workbook.", nb="Navnet på et ark i arbeidsboken."),
    "as_of": Words(
        en="The state of the register written: a snapshot or a past moment (absent: the register then).",
        nb="Hvilken tilstand av registeret som er skrevet: et øyeblikksbilde eller et tidligere tidspunkt (mangler: registeret da).",
    ),
}
SHEET_ORDER = ("cover", "activities", "transfers", "recipients", "processor", "organisations", "findings", "code_lists", "metadata")


def sheet_name(key: str, lang: str) -> str:
    """The name of a sheet (any of SHEET_ORDER) in a language."""
    for s in DATA_SHEETS:
        if s.key == key:
            return s.name(lang)
    return {"cover": COVER, "code_lists": CODE_LISTS_SHEET, "metadata": METADATA}[key].in_(lang)


def sheet_for(name: str) -> Optional[str]:
    """The key of a sheet from its name in either language (case and spaces ignored)."""
    wanted = " ".join(name.split()).casefold()
    former = {s.key: s.former for s in DATA_SHEETS}
    for key in SHEET_ORDER:
        if wanted in {sheet_name(key, lang).casefold() for lang in ("en", "nb")} | {n.casefold() for n in former.get(key, ())}:
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

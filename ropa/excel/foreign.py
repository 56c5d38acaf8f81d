"""What other people's registers hold besides a header and rows: the parts the importer must understand
before it reads a row.

- **The details block**: label/value cells above the header ("Name and contact details of
  controller", "Data Protection Officer", "Representative", "Adresse: …"), read by
  :func:`read_details` into the organisation's fields (``address``, ``dpo.name`` …).
- **Which sheets are the register**: a workbook can hold an introduction, a controller sheet
  (Art. 30(1)), a processor sheet (Art. 30(2)) and a sheet of examples; :func:`sheet_role` tells
  them apart by name and headers.
- **A column's meaning from its values**: :func:`refine_by_values` moves a column whose header
  sounds structured but whose cells are words ("Retention period": "7 years from the end of the
  tax year") to the field the words belong to, and a yes/no column under a transfer header to the
  transfer flag.
- **No name column** (the ICO's layout): :func:`derive_name` names an activity after its purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from ropa.excel import mapping, parse
from ropa.excel.reader import SheetData

# ---------------------------------------------------------------------------------------------
# The details block above the header

_SECTION_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "dpo",
        re.compile(
            r"\b(dpo|data protection officer|personvernombud|personvernombudet|privacy officer|délégué à la protection des données|dpd|"
            r"datenschutzbeauftragter?|databeskyttelsesrådgiver|dataskyddsombud)\b"
        ),
    ),
    ("representative", re.compile(r"\b(representative|representant|representanten|art(icle|ikkel)?\.? 27)\b")),
    (
        "org",
        re.compile(
            r"\b(controller|data controller|organi[sz]ation|company|business|virksomhet|virksomheten|"
            r"virksomhetens|behandlingsansvarlig|behandlingsansvarlige|processor|databehandler|foretak|"
            r"selskap|firma|entity|enhet|responsable du traitement|responsable de traitement|verantwortliche?r?|dataansvarlig|"
            r"personuppgiftsansvarig)\b"
        ),
    ),
]
_ATTRIBUTE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\b(e ?mail|e ?post|epost)\b")),
    ("phone", re.compile(r"\b(phone|telephone|tel|telefon|tlf|mobile|mobil)\b")),
    ("address", re.compile(r"\b(address|adresse|postadresse|besøksadresse)\b")),
    (
        "org_number",
        re.compile(
            r"\b(organi[sz]ation number|company number|registration number|org ?nr|organisasjonsnummer|"
            r"org no|orgnr|foretaksnummer)\b"
        ),
    ),
    ("website", re.compile(r"\b(website|web site|nettsted|nettside|url)\b")),
    ("contact", re.compile(r"\b(contact|contact details|kontakt|kontaktopplysninger|kontaktinformasjon)\b")),
    ("name", re.compile(r"\b(name|navn)\b")),
]
_NOT_A_VALUE = re.compile(r"_{3,}|\.{4,}|^\[.*\]$|^<.*>$|\b(fyll inn|fill in|insert|enter|skriv inn|oppgi|angi|tbc|tbd)\b", re.IGNORECASE)
_FIELDS = {  # (section, attribute) -> the organisation's field
    ("org", "name"): "name",
    ("org", "address"): "address",
    ("org", "email"): "email",
    ("org", "phone"): "phone",
    ("org", "org_number"): "org_number",
    ("org", "website"): "website",
    ("dpo", "name"): "dpo.name",
    ("dpo", "email"): "dpo.email",
    ("dpo", "phone"): "dpo.phone",
    ("representative", "name"): "representative.name",
    ("representative", "address"): "representative.address",
    ("representative", "email"): "representative.email",
}
LABELS = {  # the organisation's field -> (en, nb), for the dry run
    "name": ("name", "navn"),
    "address": ("address", "adresse"),
    "email": ("e-mail", "e-post"),
    "phone": ("phone", "telefon"),
    "org_number": ("organisation number", "organisasjonsnummer"),
    "website": ("website", "nettsted"),
    "dpo.name": ("data protection officer", "personvernombud"),
    "dpo.email": ("DPO's e-mail", "personvernombudets e-post"),
    "dpo.phone": ("DPO's phone", "personvernombudets telefon"),
    "representative.name": ("Art. 27 representative", "representant (art. 27)"),
    "representative.address": ("representative's address", "representantens adresse"),
    "representative.email": ("representative's e-mail", "representantens e-post"),
}


@dataclass(frozen=True)
class Detail:
    """One value of the details block: the organisation's field, the value and where it was."""

    field: str
    value: str
    row: int  # 1-based
    label: str


def _cell_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _section(label: str) -> Optional[str]:
    folded = mapping.norm(label)
    for key, pattern in _SECTION_WORDS:
        if pattern.search(folded):
            return key
    return None


def _attribute(label: str) -> Optional[str]:
    folded = mapping.norm(label)
    found = [key for key, pattern in _ATTRIBUTE_WORDS if pattern.search(folded)]
    if "name" in found and "contact" in found:
        return "contact"  # "Name and contact details of …": a block of lines
    return found[0] if found else None


def _contact_lines(value: str) -> dict[str, str]:
    """'Acme Ltd\\n1 High St, London\\nprivacy@acme.com\\n+44 20 …' as name, address, e-mail and phone."""
    out: dict[str, str] = {}
    address: list[str] = []
    parts = [p.strip() for p in re.split(r"\n|;|\|", value) if p.strip()]
    if len(parts) == 1 and "," in value:
        parts = [p.strip() for p in value.split(",") if p.strip()]
    for i, part in enumerate(parts):
        email = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", part)
        if email and "email" not in out:
            out["email"] = email.group(0)
            rest = part.replace(email.group(0), "").strip(" ,:-–()")
            rest = re.sub(r"^(e-?mail|e-?post)\s*:?\s*", "", rest, flags=re.IGNORECASE)
            if rest and i == 0:
                out["name"] = rest
            continue
        if re.fullmatch(r"(?:(?:tel|phone|telefon|tlf)\.?\s*:?\s*)?\+?[\d ()\-.]{6,}", part, re.IGNORECASE) and "phone" not in out:
            out["phone"] = re.sub(r"^(tel|phone|telefon|tlf)\.?\s*:?\s*", "", part, flags=re.IGNORECASE)
            continue
        if i == 0 and "name" not in out:
            out["name"] = part
        else:
            address.append(part)
    if address:
        out["address"] = ", ".join(address)
    return out


def read_details(sheet: SheetData, header_first_row: int, width: int = 12) -> list[Detail]:
    """The label/value cells above the header (0-based first header row): the controller's (or processor's)
    name, address and contacts, the DPO and the representative. Placeholders ("____", "[insert]") are skipped."""
    out: dict[str, Detail] = {}
    section = "org"
    for r in range(min(header_first_row, len(sheet.rows))):
        cells = [_cell_text(v) for v in sheet.rows[r][:width]]
        filled = [(i, c) for i, c in enumerate(cells) if c]
        if not filled:
            continue
        i = 0
        while i < len(filled):
            col, label = filled[i]
            value = ""
            if i + 1 < len(filled) and len(label) <= 90:
                value = filled[i + 1][1]
                step = 2
            else:
                step = 1
                head, sep, tail = label.partition(":")
                if sep and tail.strip() and len(head) <= 60:
                    label, value = head, tail.strip()
            sec = _section(label)
            attr = _attribute(label)
            if not value:
                if sec and len(label) <= 60 and len(filled) == 1:
                    section = sec  # a section title: the rows below belong to it
                i += step
                continue
            if sec is None and attr is None or _NOT_A_VALUE.search(value) or parse.is_empty(value) or len(label) > 90:
                i += 1  # not a label: the next cell may be one
                continue
            sec = sec or section
            if sec != section and attr in (None, "name", "contact"):
                section = sec
            values = _contact_lines(value) if attr in (None, "contact") else {attr: value} if attr else {}
            for a, v in values.items():
                key = _FIELDS.get((sec, a))
                if key and key not in out and v:
                    out[key] = Detail(key, v, r + 1, label.strip(" :"))
            i += step
    return list(out.values())


# ---------------------------------------------------------------------------------------------
# Which sheets are the register

_EXAMPLE_SHEET = re.compile(
    r"^\s*(worked\s+)?(examples?|eksempl(?:er|ene)?|eksempel|sample|samples|demo|illustrat\w*)\b|"
    r"\b(examples?|eksempl(?:er|ene)?|eksempel)\s*$",
    re.IGNORECASE,
)
_INTRO_SHEET = re.compile(
    r"^\s*(intro\w*|instructions?|guidance|veiledning|les meg|readme|read me|about|cover|forside|"
    r"how to|help|hjelp|innledning|contents|innhold)\b",
    re.IGNORECASE,
)
_LISTS_SHEET = re.compile(
    r"^\s*(lists?|lister|listes?|listen|dropdowns?|drop-?down lists?|nedtrekks\w*|lookups?|values|verdier|kodelister|code ?lists?|"
    r"valg|options|choices|data ?validation|config\w*|settings|innstillinger|reference data|ref data|hjelpetabell\w*|hidden)\s*$",
    re.IGNORECASE,
)
_PROCESSOR = re.compile(r"processor|databehandler|30\s*\(\s*2\s*\)|30 nr\.? 2|on behalf|på vegne", re.IGNORECASE)


def sheet_role(name: str, headers: Sequence[str] = ()) -> str:
    """'examples', 'introduction', 'lists' (the choices of a template's drop-down lists), 'processor' or 'controller'
    for a sheet, by its name and then its headers."""
    if _EXAMPLE_SHEET.search(name):
        return "examples"
    if _INTRO_SHEET.search(name):
        return "introduction"
    if _LISTS_SHEET.search(name):
        return "lists"
    if _PROCESSOR.search(name):
        return "processor"
    folded = " ".join(mapping.norm(h) for h in headers if h)
    if re.search(
        r"on behalf of each controller|carried out on behalf|på vegne av hver|each controller|hver behandlingsansvarlig|"
        r"name and contact details of processor|categories of processing",
        folded,
    ):
        return "processor"
    return "controller"


# ---------------------------------------------------------------------------------------------
# A column's meaning from its values

_SAMPLE = 200


def _samples(sheet: SheetData, header: mapping.Header, index: int) -> list[Any]:
    out = []
    for r in range(header.first_data, min(len(sheet.rows), header.first_data + _SAMPLE)):
        row = sheet.rows[r]
        v = row[index] if index < len(row) else None
        if v is not None and str(v).strip() and not parse.is_empty(v):
            out.append(v)
    return out


_YES_NO = re.compile(r"^(ja|nei|yes|no|y|n|j|x|true|false|✓|✔|oui|non|nein|nej)\b", re.IGNORECASE)
_TRANSFER_HEADER = re.compile(r"transfer|outside|abroad|third countr|overf|utenfor|tredje|eøs|eea|international|leave|forlate", re.IGNORECASE)


def _fits(key: str) -> Optional[Callable[[Any], bool]]:
    """Whether a cell's value is one the field takes, for the fields that take only some values."""
    from ropa import vocab
    from ropa.excel import convert

    codes = {
        "status": (vocab.STATUSES, convert._STATUS_WORDS),
        "role": (vocab.ROLES, convert._ROLE_WORDS),
        "dpia.status": (vocab.DPIA_STATUSES, convert._DPIA_WORDS),
        "retention.action": (vocab.RETENTION_ACTIONS, convert._ACTION_WORDS),
    }
    if key in codes:
        terms, words = codes[key]
        return lambda v: convert._coded(v, terms, words)[0] is not None
    if key in ("last_review", "next_review"):
        return lambda v: parse.parse_date(v)[1] is None
    if key == "criminal_data":
        return lambda v: parse.parse_bool(v)[1] is None or bool(_YES_NO.match(str(v).strip()))
    return None


def refine_by_values(sheet: SheetData, header: mapping.Header) -> list[tuple[mapping.Column, str, str]]:
    """Columns whose cells say they mean something else than their header: (column, from, to), applied;
    ``to`` is "-" for a column left out because its values are not what its field takes (e.g. a "Status"
    column of review notes): a few odd values in a column are errors, a column of them is another column."""
    changed = []
    taken = set(header.mapped())
    for c in header.columns:
        if c.how in ("override", "ignored", "saved"):
            continue
        values = _samples(sheet, header, c.index)
        if not values:
            continue
        texts = [str(v).strip() for v in values]
        fits = _fits(c.field) if c.field else None
        if c.field and mapping.TARGETS[c.field].kind == "list" and sum(1 for t in texts if _YES_NO.fullmatch(t)) * 10 >= len(values) * 8:
            # "Special Categories (Y/N)": answers, not the categories; kept in the description as they are
            changed.append((c, c.field, "-"))
            taken.discard(c.field)
            c.guess, c.field, c.how = c.field, None, "values"
            continue
        if fits is not None and len(values) >= 3 and sum(1 for v in values if fits(v)) * 3 < len(values):
            changed.append((c, c.field or "-", "-"))
            taken.discard(c.field or "")
            c.guess, c.field, c.how = c.field, None, "values"
            continue
        if c.field in ("retention.period", "retention.unit") and "retention.text" not in taken:
            words = sum(1 for v in values if isinstance(v, str) and len(v.split()) > 1 and parse.parse_int(v)[1] is not None)
            if words * 2 >= len(values):
                changed.append((c, c.field, "retention.text"))
                taken.discard(c.field)
                c.field, c.how = "retention.text", "values"
                taken.add("retention.text")
        elif c.field == "transfers" and "transfers.flag" not in taken:
            flags = sum(1 for t in texts if _YES_NO.match(t) and len(t.split()) <= 3)
            if flags * 10 >= len(values) * 8:
                changed.append((c, c.field, "transfers.flag"))
                taken.discard("transfers")
                c.field, c.how = "transfers.flag", "values"
                taken.add("transfers.flag")
        elif c.field is None and c.how == "none" and c.header and _TRANSFER_HEADER.search(c.header) and "transfers.flag" not in taken:
            flags = sum(1 for t in texts if _YES_NO.match(t) and len(t.split()) <= 3)
            if flags * 10 >= len(values) * 8:
                changed.append((c, "-", "transfers.flag"))
                c.field, c.how, c.score = "transfers.flag", "values", 0.0
                taken.add("transfers.flag")
    return changed


# ---------------------------------------------------------------------------------------------
# No name column

_MAX_NAME = 80


def derive_name(act: dict[str, Any]) -> Optional[str]:
    """An activity's name from its first purpose (else its description): the first sentence, at most 80 characters."""
    for source in (act.get("purposes") or [], [act.get("description")] if act.get("description") else []):
        for item in source:
            text = " ".join(str(item).split())
            if not text:
                continue
            first = re.split(r"(?<=[.!?])\s", text)[0].rstrip(".")
            if len(first) > _MAX_NAME:
                cut = first[:_MAX_NAME].rsplit(" ", 1)[0]
                first = cut.rstrip(",;:-– ") + "…"
            return first[:1].upper() + first[1:]
    return None


# ---------------------------------------------------------------------------------------------
# A matrix of ticks

MARK = re.compile(r"^\s*(x|✓|✔|☑|•|ja|yes|y|j|1|true|sant)\s*$", re.IGNORECASE)
_UNMARK = re.compile(r"^\s*(nei|no|n|0|false|-|–|—)\s*$", re.IGNORECASE)


def read_matrix(sheet: SheetData, header: mapping.Header) -> list[tuple[str, list[mapping.Column]]]:
    """A list field whose title spans several columns ("Personopplysninger" merged over "Navn", "Adresse", "Helse"),
    the row under the header naming an item per column and the rows below ticking them ("x", "✓", "ja"): the sub-row
    becomes part of the header and each ticked column adds its item to the field. Returns (field, columns) per matrix."""
    if header.rows != 1 or header.first_data >= len(sheet.rows):
        return []
    groups: dict[str, list[mapping.Column]] = {}
    for c in header.columns:
        key = c.field or (c.guess if c.how == "duplicate" else None)
        if key and mapping.TARGETS[key].kind in ("list", "recipients"):
            groups.setdefault(key, []).append(c)
    sub = sheet.rows[header.first_data]
    out = []
    for key, cols in groups.items():
        if len(cols) < 2:
            continue
        items = [_cell_text(sub[c.index]) if c.index < len(sub) else "" for c in cols]
        if not all(items) or any(len(i) > 60 for i in items):
            continue
        below = [
            _cell_text(row[c.index])
            for row in sheet.rows[header.first_data + 1 : header.first_data + 1 + _SAMPLE]
            for c in cols
            if c.index < len(row) and _cell_text(row[c.index])
        ]
        if not below or sum(1 for v in below if MARK.match(v) or _UNMARK.match(v)) * 10 < len(below) * 9:
            continue
        for c, item in zip(cols, items):
            c.guess, c.field, c.how, c.item = key, None, "mark", item
            c.header = f"{c.header} / {item}"
        out.append((key, cols))
    if out:
        header.row, header.rows = header.row + 1, 2
    return out


def marked(value: Any) -> bool:
    """A ticked cell of a matrix."""
    return bool(MARK.match(_cell_text(value))) if value is not None and not isinstance(value, bool) else bool(value)

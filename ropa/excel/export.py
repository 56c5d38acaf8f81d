"""The register as an Excel workbook for the DPO, management and the supervisory authority
(Art. 30(4)), in bokmål or English, and lossless so the importer can read it back.

Sheets (names and columns in :mod:`ropa.excel.layout`): Forside / Cover, Behandlingsaktiviteter
/ Processing activities (one row per activity, Art. 30(1) order), Overføringer / Transfers,
Mottakere / Recipients, Databehandler / Processor activities (the Art. 30(2) record),
Virksomheter / Organisations, Funn / Findings (when :mod:`ropa.checks` exists), Kodeverk /
Code lists (feeding the drop-downs) and Metadata.

Lossless by a machine column: the human columns are for reading, and the last (hidden) column
of the activities and organisations sheets, ``ropa:json``, holds the record in the JSON format
(:func:`ropa.register.activities.activity_dict`; the organisation with its unused recipients), continued
in the next hidden cells when longer than 32,000 characters. Export -> import -> export thus
loses nothing, whatever the human columns can show.

Safety: every text is written as a string cell, never a formula; text that begins with
``= + - @``, tab or carriage return also carries Excel's quote-prefix flag, so that editing the
cell keeps it text. The visible text is unchanged (no apostrophe is added). Characters XML
forbids are dropped from the human columns (the JSON keeps them, escaped). Human cells longer
than Excel's 32,767 characters are cut there (the JSON keeps the whole text).

Speed: openpyxl ``write_only`` streams every sheet to disk, and the register is read in
batches of plain dicts (:mod:`ropa.register.reader`), so memory stays flat. Rows of plain values are
serialised straight to the sheet's XML stream (:class:`_StreamSheet`) instead of through
openpyxl's per-cell element tree, which costs ten times more; styled cells (headers, titles)
still go through openpyxl. The wrap-and-top alignment every data cell needs is the workbook's
default format, row banding is one conditional format per sheet, and row heights are estimated
from the text, because LibreOffice does not fit wrapped rows when it opens a file.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Optional, Union

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from sqlmodel import Session

from ropa import __version__
from ropa.errors import InvalidOption
from ropa.excel import layout
from ropa.excel.layout import Context, Sheet
from ropa.fields import ORGANISATION_FIELDS, WORKBOOK
from ropa.register import reader
from ropa.schema import FORMAT_NAME, FORMAT_VERSION

if openpyxl.LXML:  # pragma: no cover - ropa/__init__.py turns it off before openpyxl is first imported
    raise ImportError("openpyxl was imported with lxml before ropa: import ropa first, or set OPENPYXL_LXML=False")

Progress = Callable[[int, int], None]

FORMULA_START = frozenset("=+-@\t\r")  # what spreadsheet programs may evaluate at the start of a cell
_ILLEGAL = layout.ILLEGAL
_MAX_CELL = layout.MAX_CELL
_LINE_HEIGHT, _MAX_ROW_HEIGHT, _UNBOUNDED = 15, 409, 10**9  # points for Calibri 11; Excel's largest row
_VALIDATION_SPARE_ROWS = 1000  # drop-downs reach this far below the data, for rows the DPO adds
_PROGRESS_EVERY = 250
_HEADER_FILL, _HEADER_FONT, _BAND_FILL, _TITLE_COLOUR = "1F3864", "FFFFFF", "EEF2F7", "1F3864"
_A3, _A4 = "8", "9"


@dataclass
class WorkbookSummary:
    """What was written: counts per kind and data rows per sheet (by sheet name)."""

    lang: str
    organisations: int = 0
    activities: int = 0
    transfers: int = 0
    recipients: int = 0
    processor_activities: int = 0
    findings: Optional[int] = None  # None: the checks are not available
    sheets: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Styles


class _Styles:
    """The few cell formats, built once; cells get a copy of the array, not attribute by attribute."""

    def __init__(self, wb: Workbook, lang: str) -> None:
        # The default format (xf 0, and the Normal style, which LibreOffice applies instead) wraps
        # and aligns top, so every unstyled data cell gets it without a style of its own.
        wrap = Alignment(wrap_text=True, vertical="top")
        base = StyleArray()
        base.alignmentId = wb._alignments.add(wrap)
        wb._cell_styles = IndexedList([base])
        wb._named_styles["Normal"].alignment = wrap
        self.base = base
        scratch = wb.create_sheet("__styles__")
        self._ws = scratch
        thin = Side(style="thin", color="8EA9DB")
        self.header = self._make(
            font=Font(name="Calibri", size=11, bold=True, color=_HEADER_FONT),
            fill=PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL),
            border=Border(bottom=thin),
            alignment=wrap,
        )
        self.date = self._make(number_format="dd.mm.yyyy" if lang == "nb" else "yyyy-mm-dd", alignment=Alignment(vertical="top", horizontal="left"))
        self.safe = self._make(quotePrefix=True)
        self.title = self._make(font=Font(name="Calibri", size=16, bold=True, color=_TITLE_COLOUR), alignment=Alignment(vertical="top"))
        self.subtitle = self._make(font=Font(name="Calibri", size=11, italic=True, color="595959"), alignment=Alignment(vertical="top"))
        self.org = self._make(font=Font(name="Calibri", size=13, bold=True, color=_TITLE_COLOUR), alignment=Alignment(vertical="top"))
        self.label = self._make(font=Font(name="Calibri", size=11, bold=True))
        wb.remove(scratch)
        self.date_id = wb._cell_styles.add(self.date)
        self.safe_id = wb._cell_styles.add(self.safe)

    def _make(self, **attrs: Any) -> StyleArray:
        cell = WriteOnlyCell(self._ws)
        cell._style = copy(self.base)
        for name, value in attrs.items():
            setattr(cell, name, value)
        return cell._style

    @staticmethod
    def cell(ws: Any, value: Any, style: StyleArray) -> Cell:
        """A styled cell (a heading); text in it is text, whatever it starts with."""
        text = isinstance(value, str)
        cell = WriteOnlyCell(ws, _ILLEGAL.sub("", value) if text else value)
        if cell.data_type == "f":
            cell.data_type = "s"
        cell._style = copy(style)
        if text and value[:1] in FORMULA_START:
            cell.quotePrefix = True
        return cell


# ---------------------------------------------------------------------------------------------
# Streaming rows


_LETTERS = [get_column_letter(i) for i in range(1, 257)]


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:  # a raw CR would be read back as LF
        text = text.replace("\r", "&#13;")
    return text


class _StreamSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows of plain values (text, numbers, dates, None) are written as
    XML text in one go; cells made by openpyxl (styled headings) are written by openpyxl.

    Text is always an inline string (never a formula), formula-like text gets the quote-prefix
    format, dates the date format, and each row a height for its longest text.
    """

    def __init__(self, wb: Workbook, title: str, styles: _Styles) -> None:
        super().__init__(wb, title)
        wb._add_sheet(self)
        self._styles = styles
        self.fit: list[int] = []  # characters per line in each column, for the row heights
        self.lines: Optional[int] = None  # the next row's height in lines, when the caller knows it

    def width(self, col: int, width: float, *, hidden: bool = False) -> None:
        """Before any row. The column keeps the default (wrapping) format: openpyxl would give it
        a plain one, which LibreOffice applies to the column's cells."""
        dim = self.column_dimensions[get_column_letter(col)]
        dim.width = width
        dim.hidden = hidden
        dim._style = copy(self._styles.base)
        while len(self.fit) < col:
            self.fit.append(_UNBOUNDED)
        self.fit[col - 1] = _UNBOUNDED if hidden else max(int(width * 1.1), 1)

    def _write_rows(self) -> Any:  # replaces openpyxl's generator of the same name
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            write = xf._file  # the stream under openpyxl's element writer
            index = 1
            try:
                while True:
                    row = yield
                    self._write_row(xf, write, row, index)
                    index += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _write_row(self, xf: Any, write: Callable[[str], None], row: Sequence[Any], index: int) -> None:
        fit, safe_id, date_id = self.fit, self._styles.safe_id, self._styles.date_id
        if len(row) > len(fit):
            fit.extend([_UNBOUNDED] * (len(row) - len(fit)))
        if len(row) > len(_LETTERS):
            _LETTERS.extend(get_column_letter(i) for i in range(len(_LETTERS) + 1, len(row) + 1))
        r = str(index)
        parts: list[Any] = []
        lines = 1
        for i, v in enumerate(row):
            cls = v.__class__
            if cls is str:
                if not v:
                    continue
                width = fit[i]
                if len(v) > width:  # wraps or has several lines; words make lines a little shorter
                    n = sum((len(part) - 1) // width + 1 if part else 1 for part in v.split("\n"))
                    if n > lines:
                        lines = n
                elif "\n" in v:
                    n = v.count("\n") + 1
                    if n > lines:
                        lines = n
                if _ILLEGAL.search(v):
                    v = _ILLEGAL.sub("", v)
                    if not v:
                        continue
                if len(v) > _MAX_CELL:
                    v = v[:_MAX_CELL]
                style = f' s="{safe_id}"' if v[0] in FORMULA_START else ""
                space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
                parts.append(f'<c r="{_LETTERS[i]}{r}"{style} t="inlineStr"><is><t{space}>{_escape(v)}</t></is></c>')
            elif v is None:
                continue
            elif cls is int or cls is float:
                parts.append(f'<c r="{_LETTERS[i]}{r}" t="n"><v>{v!r}</v></c>')
            elif cls is date:
                parts.append(f'<c r="{_LETTERS[i]}{r}" s="{date_id}" t="n"><v>{to_excel(v)}</v></c>')
            else:
                cell = v if isinstance(v, Cell) else WriteOnlyCell(self, v)  # bool, datetime, ...
                cell.row, cell.column = index, i + 1
                parts.append(cell)
        if self.lines is not None:
            lines, self.lines = max(lines, self.lines), None
        if lines > 1:
            write(f'<row r="{r}" ht="{min(_LINE_HEIGHT * lines + 2, _MAX_ROW_HEIGHT)}" customHeight="1">')
        else:
            write(f'<row r="{r}">')
        text: list[str] = []
        for part in parts:
            if part.__class__ is str:
                text.append(part)
            else:
                if text:
                    write("".join(text))
                    text = []
                write_cell(xf, self, part, part.has_style)
        if text:
            write("".join(text))
        write("</row>")


# ---------------------------------------------------------------------------------------------
# Sheets


# Width units (characters of the default font) a landscape page holds at 75 % scale, the smallest
# that still reads at arm's length; 0.4" margins on each side.
_PAGE_UNITS = {_A4: 200, _A3: 288}


def _pages_wide(sheet: Sheet) -> int:
    """How many pages across a sheet needs so that it prints at 75 % or more, the frozen columns
    (organisation, ref, name) repeated on each page."""
    widths = [c.width for c in sheet.columns if not c.hidden]
    frozen = sum(widths[: sheet.index(sheet.freeze_after) + 1]) if sheet.freeze_after else 0
    room = _PAGE_UNITS.get(sheet.paper, _PAGE_UNITS[_A4])
    if sum(widths) <= room:
        return 1
    return max(1, int(-(-(sum(widths) - frozen) // max(room - frozen, 1))))


def _print_setup(ws: Any, lang: str, *, landscape: bool, title: str, paper: str = _A4, grid: bool = True) -> None:
    """Before any row: fit to the page width, gridlines, page numbers in the footer."""
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = paper
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.gridLines = grid
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.left.text = f"{title} – &A"
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = layout.text("page", lang)
    ws.oddFooter.right.size = 8


class _DataSheet:
    """A sheet of the layout: a header row, then one record per row."""

    def __init__(self, wb: Workbook, sheet: Sheet, lang: str, styles: _Styles, title: str, extra_hidden: int = 0) -> None:
        self.sheet, self.lang = sheet, lang
        self.ws = ws = _StreamSheet(wb, sheet.name(lang), styles)
        self.renders = [c.render for c in sheet.columns]
        self.visible = [i for i, c in enumerate(sheet.columns) if not c.hidden]
        keys = [c.key for c in sheet.columns]
        self.digest = keys.index(layout.DIGEST_COLUMN) if layout.DIGEST_COLUMN in keys else None
        self.rows = 0
        for i, col in enumerate(sheet.columns, 1):
            ws.width(i, col.width, hidden=col.hidden)
        for i in range(len(sheet.columns) + 1, len(sheet.columns) + 1 + extra_hidden):
            ws.width(i, 10, hidden=True)
        ws.freeze_panes = sheet.freeze_cell()
        _print_setup(ws, lang, landscape=True, title=title, paper=sheet.paper)
        ws.print_title_rows = "1:1"
        pages = _pages_wide(sheet)
        if pages > 1:  # too wide to read on one page: several pages across, each repeating the frozen columns
            ws.page_setup.fitToWidth = pages
            ws.print_title_cols = f"A:{sheet.freeze_cell().rstrip('2')}"
        headers = sheet.headers(lang)
        ws.lines = max(len(h) // max(int(c.width * 0.85), 1) + 1 for h, c in zip(headers, sheet.columns))  # bold is wider
        ws.append([styles.cell(ws, h, styles.header) for h in headers])

    def record(self, record: Any, ctx: Context, tail: Optional[list[Any]] = None, salt: str = "") -> None:
        """Render one record into a row; ``tail`` replaces the last column (the JSON cells), and
        the digest covers it too (or ``salt``: a transfer's place)."""
        row = [render(record, ctx) for render in self.renders]
        if self.digest is not None:
            row[self.digest] = layout.row_digest((row[i] for i in self.visible), layout.join_json(tail) if tail else salt)
        if tail is not None:
            row[-1:] = tail
        self.ws.append(row)
        self.rows += 1

    def finish(self, code_ranges: dict[str, str]) -> None:
        """After the rows: autofilter, banding and drop-downs over the data."""
        ws, last = self.ws, self.rows + 1
        width = get_column_letter(self.sheet.visible_columns())
        ws.auto_filter.ref = f"A1:{width}{max(last, 2)}"
        ws.print_area = f"A1:{width}{last}"  # the columns a person reads, not the machine columns after them
        if self.rows:
            ws.conditional_formatting.add(
                f"A2:{width}{last}",
                FormulaRule(formula=["MOD(ROW(),2)=0"], fill=PatternFill("solid", start_color=_BAND_FILL, end_color=_BAND_FILL)),
            )
        for i, col in enumerate(self.sheet.columns, 1):
            if not col.codes:
                continue
            letter = get_column_letter(i)
            dv = DataValidation(
                type="list",
                formula1=code_ranges[f"{col.codes}:{'code' if col.code_values else 'label'}"],
                allow_blank=True,
                showErrorMessage=col.single,
                errorStyle="warning",
                errorTitle=col.header(self.lang),
                error=col.spec.help(self.lang) or None,
            )
            dv.add(f"{letter}2:{letter}{last + _VALIDATION_SPARE_ROWS}")
            ws.data_validations.append(dv)


def _write_code_lists(wb: Workbook, lang: str, styles: _Styles, title: str) -> dict[str, str]:
    """The vocabularies side by side (label, code); returns each one's range for the drop-downs."""
    name = layout.sheet_name("code_lists", lang)
    ws = _StreamSheet(wb, name, styles)
    positions = layout.code_list_columns()
    items = {c.key: c.items(lang) for c in layout.CODE_LISTS}
    for c in layout.CODE_LISTS:
        label_col, code_col = positions[c.key]
        widest = max((len(label) for _, label in items[c.key]), default=10)
        ws.width(label_col, min(max(widest, len(c.spec.label(lang))) + 2, 60))
        ws.width(code_col, max(max((len(code) for code, _ in items[c.key]), default=4) + 2, 8))
    ws.freeze_panes = "A2"
    _print_setup(ws, lang, landscape=True, title=title)
    ws.print_title_rows = "1:1"
    header: list[Any] = []
    for c in layout.CODE_LISTS:
        header += [styles.cell(ws, c.spec.label(lang), styles.header), styles.cell(ws, WORKBOOK["code"].label(lang), styles.header)]
    ws.append(header)
    for r in range(max(len(v) for v in items.values())):
        row: list[Any] = []
        for c in layout.CODE_LISTS:
            code, label = items[c.key][r] if r < len(items[c.key]) else (None, None)
            row += [label, code]
        ws.append(row)
    quoted = "'" + name.replace("'", "''") + "'"
    ranges = {}
    for c in layout.CODE_LISTS:
        n = len(items[c.key]) + 1
        for kind, col in zip(("label", "code"), positions[c.key]):
            letter = get_column_letter(col)
            ranges[f"{c.key}:{kind}"] = f"{quoted}!${letter}$2:${letter}${n}"
    return ranges


# ---------------------------------------------------------------------------------------------
# Reading the register


@dataclass
class _Org:
    id: int
    doc: dict[str, Any]  # organisation_dict + unused recipients: the organisation's ropa:json
    ctx: Context


def _organisations(session: Session, names: Optional[Sequence[str]], lang: str) -> list[_Org]:
    rows = reader.organisations(session, names)
    custom = reader.custom_terms(session, [r.id for r in rows]) if rows else {}
    out = []
    for r in rows:
        doc = reader.organisation_copy(session, r.id)  # with its version and unused recipients, as in its ropa:json
        out.append(_Org(r.id, doc, Context(lang=lang, org=doc, custom=reader.terms_for(custom, r.id))))
    return out


def _findings(session: Session, orgs: Optional[Sequence[str]], today: date) -> Optional[list[Any]]:
    """The checks' findings, or None while :mod:`ropa.register.checks` does not exist."""
    try:
        checks = importlib.import_module("ropa.register.checks")
    except ImportError:
        return None
    return list(checks.check_register(session, orgs=list(orgs) if orgs else None, today=today))


def _document_organisations(session: Session, document: dict[str, Any], lang: str) -> tuple[list[_Org], dict[int, list[dict[str, Any]]]]:
    """A register document's organisations (their index as id) and activities; each gets the
    vocabulary terms its organisation has now, where it still exists."""
    ids = reader.organisation_ids(session, [o["name"] for o in document["organisations"]])
    custom = reader.custom_terms(session, list(ids.values()))
    out, acts = [], {}
    for i, o in enumerate(document["organisations"]):
        doc = {k: v for k, v in o.items() if k != "activities"}
        out.append(_Org(i, doc, Context(lang=lang, org=doc, custom=reader.terms_for(custom, ids.get(o["name"])))))
        acts[i] = list(o.get("activities") or [])
    return out, acts


def document_recipients(org: dict[str, Any]) -> list[dict[str, Any]]:
    """An organisation's recipients in a register document (used or not), with the refs using each."""
    found: dict[str, dict[str, Any]] = {}
    for r in org.get("recipients") or []:
        found.setdefault(r["name"], {**{k: r.get(k) for k in ("name", "kind", "country", "agreement")}, "used_by": []})
    for act in org.get("activities") or []:
        for r in act.get("recipients") or []:
            rec = found.setdefault(r["name"], {**{k: r.get(k) for k in ("name", "kind", "country", "agreement")}, "used_by": []})
            rec["used_by"].append(act["ref"])
    return [found[n] for n in sorted(found)]


def _document_findings(document: dict[str, Any], today: date) -> Optional[list[Any]]:
    try:
        checks = importlib.import_module("ropa.register.checks")
    except ImportError:
        return None
    return list(checks.check_documents(((o, o.get("activities") or [], document_recipients(o)) for o in document["organisations"]), today))


def _json_cells(record: Any) -> list[str]:
    """The record's JSON in cell-sized pieces."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return [text[i : i + layout.JSON_CHUNK] for i in range(0, len(text), layout.JSON_CHUNK)]


# ---------------------------------------------------------------------------------------------
# The workbook


def write_workbook(
    session: Session,
    target: Union[str, Path, IO[bytes]],
    *,
    lang: str = "nb",
    orgs: Optional[Sequence[str]] = None,
    progress: Optional[Progress] = None,
    today: Optional[date] = None,
    document: Optional[dict[str, Any]] = None,
    as_of: Optional[str] = None,
) -> WorkbookSummary:
    """Write the register (or the named organisations) as a workbook to a path or binary stream.

    ``document``: write this register document instead (the register as it was, already scoped:
    :func:`ropa.versions.state_of`), saying on the cover which state it is (``as_of``).

    ``progress(done, total)`` is called as activities are written. A path is written to a
    temporary file first and renamed, so nobody sees half a workbook. An unknown organisation
    name raises :class:`~ropa.errors.NotFound` before anything is written.
    """
    if lang not in ("nb", "en"):
        raise InvalidOption("language", lang, ("nb", "en"), option_nb="språk")
    today = today or date.today()
    title = layout.text("title", lang)
    if document is not None:  # the register as it was (ropa.versions): the same sheets from a document
        organisations, past = _document_organisations(session, document, lang)
        total = sum(len(acts) for acts in past.values())
        findings = _document_findings(document, today)
        activity_rows: Any = ((i, act) for i, acts in past.items() for act in acts)
    else:
        organisations = _organisations(session, orgs, lang)
        total = reader.count_activities(session, [o.id for o in organisations])
        findings = _findings(session, orgs, today)
        activity_rows = reader.iter_activities(session, [o.id for o in organisations], versions=True)
    summary = WorkbookSummary(lang=lang, organisations=len(organisations), findings=None if findings is None else len(findings))

    wb = Workbook(write_only=True)
    styles = _Styles(wb, lang)
    cover = _StreamSheet(wb, layout.sheet_name("cover", lang), styles)
    cover.width(1, 36)
    cover.width(2, 80)
    _print_setup(cover, lang, landscape=False, title=title, grid=False)
    spare = layout.JSON_SPARE_COLUMNS - 1
    activities = _DataSheet(wb, layout.ACTIVITIES, lang, styles, title, extra_hidden=spare)
    transfers = _DataSheet(wb, layout.TRANSFERS, lang, styles, title)
    recipients = _DataSheet(wb, layout.RECIPIENTS, lang, styles, title)
    processor = _DataSheet(wb, layout.PROCESSOR, lang, styles, title)
    org_sheet = _DataSheet(wb, layout.ORGANISATIONS, lang, styles, title, extra_hidden=spare)
    finding_sheet = _DataSheet(wb, layout.FINDINGS, lang, styles, title) if findings is not None else None
    code_ranges = _write_code_lists(wb, lang, styles, title)
    metadata = _StreamSheet(wb, layout.sheet_name("metadata", lang), styles)
    metadata.width(1, 24)
    metadata.width(2, 40)
    metadata.width(3, 70)

    names: dict[tuple[str, str], str] = {}  # (organisation, ref) -> activity name, for the findings
    by_id = {o.id: o for o in organisations}
    if progress:
        progress(0, total)
    done = 0
    for org_id, act in activity_rows:
        ctx = by_id[org_id].ctx
        ctx.activity = act
        activities.record(act, ctx, _json_cells(act))
        last = len(act["transfers"]) - 1
        for i, t in enumerate(act["transfers"]):
            transfers.record(t, ctx, salt=layout.transfer_salt(i, i == last))
        if act["role"] == "processor":
            processor.record(act, ctx)
        if findings:
            names[(ctx.org["name"], act["ref"])] = act["name"]
        done += 1
        if progress and done % _PROGRESS_EVERY == 0:
            progress(done, total)

    for org in organisations:
        org.ctx.activity = None
        org_sheet.record(org.doc, org.ctx, _json_cells(org.doc))
        for rec in document_recipients(document["organisations"][org.id]) if document is not None else reader.recipients_with_use(session, org.id):
            recipients.record(rec, org.ctx)

    if finding_sheet is not None and findings is not None:
        contexts = {o.doc["name"]: o.ctx for o in organisations}
        for f in findings:
            ctx = contexts.get(f.organisation) or Context(lang=lang, org={"name": f.organisation})
            name = names.get((f.organisation, f.activity_ref)) if f.activity_ref else None
            ctx.activity = {"name": name} if name else None
            finding_sheet.record(f, ctx)

    sheets = [activities, transfers, recipients, processor, org_sheet] + ([finding_sheet] if finding_sheet else [])
    for s in sheets:
        s.finish(code_ranges)
    # Printing the workbook prints what a person reads: the code lists and the importer's
    # metadata are hidden (the drop-downs and the importer still read them), and so is the
    # processor sheet when the register has no processor activities.
    wb[layout.sheet_name("code_lists", lang)].sheet_state = "hidden"
    metadata.sheet_state = "hidden"
    if not processor.rows:
        processor.ws.sheet_state = "hidden"
    summary.activities, summary.transfers = activities.rows, transfers.rows
    summary.recipients, summary.processor_activities = recipients.rows, processor.rows
    summary.sheets = {s.ws.title: s.rows for s in sheets}

    _write_cover(cover, organisations, summary, styles, lang, today, as_of)
    _write_metadata(metadata, lang, today, orgs, styles, has_findings=finding_sheet is not None, as_of=as_of)
    _save(wb, target)
    if progress:
        progress(total, total)
    return summary


def _write_cover(
    ws: _StreamSheet, organisations: list[_Org], summary: WorkbookSummary, styles: _Styles, lang: str, today: date, as_of: Optional[str] = None
) -> None:
    """Title, the figures, then each organisation's Art. 30(1)(a) details."""
    cell, none = styles.cell, layout.text("none", lang)
    ws.lines = 2
    ws.append([cell(ws, layout.text("title", lang), styles.title)])
    ws.append([cell(ws, layout.text("subtitle", lang), styles.subtitle)])
    ws.append([])
    facts: list[tuple[str, Any]] = [
        ("generated", today),
        ("activities", summary.activities),
        ("transfers", summary.transfers),
        ("findings", none if summary.findings is None else summary.findings),
    ] + ([("as_of", as_of)] if as_of else [])
    for key, value in facts:
        ws.append([cell(ws, layout.text(key, lang), styles.label), value])
    for org in organisations:
        doc = org.doc
        ws.append([])
        ws.lines = 2
        ws.append([cell(ws, doc["name"], styles.org)])
        for spec in ORGANISATION_FIELDS:
            if spec.key == "name" or (spec.key.startswith(("dpo.", "representative.")) and not spec.key.endswith(".name")):
                continue
            if spec.key in ("dpo.name", "representative.name"):
                value = layout.person(doc.get(spec.key.split(".")[0]), lang)
            elif spec.kind == "bool":
                value = layout.yes_no(doc.get(spec.key), lang)
            elif spec.kind == "yesno":  # not recorded: the "none" dash
                value = None if doc.get(spec.key) is None else layout.yes_no(doc.get(spec.key), lang)
            elif spec.kind == "countries":
                value = ", ".join(layout.country(c, lang) or "" for c in doc.get(spec.key) or [])
            elif spec.vocab == "countries":
                value = layout.country(doc.get(spec.key), lang)
            elif spec.kind == "list":
                value = layout.lines(doc.get(spec.key) or [])
            else:
                value = doc.get(spec.key)
            ws.append([cell(ws, spec.label(lang), styles.label), none if value in (None, "") else value])


def _write_metadata(
    ws: _StreamSheet, lang: str, today: date, orgs: Optional[Sequence[str]], styles: _Styles, *, has_findings: bool, as_of: Optional[str] = None
) -> None:
    """What the importer checks to recognise its own workbooks."""
    ws.append([styles.cell(ws, h, styles.header) for h in layout.METADATA_HEADERS["nb" if lang == "nb" else "en"]])
    rows: list[tuple[str, Any]] = [
        ("format", layout.WORKBOOK_FORMAT),
        ("version", layout.WORKBOOK_VERSION),
        ("language", lang),
        ("generated", today),
        ("generated_at", datetime.now().replace(microsecond=0).isoformat()),
        ("generator", f"ropa {__version__}"),
        ("register_format", FORMAT_NAME),
        ("register_version", FORMAT_VERSION),
        ("organisations", "\n".join(orgs) if orgs else "*"),
    ] + ([("as_of", as_of)] if as_of else [])
    for key in layout.SHEET_ORDER:
        if key != "findings" or has_findings:
            rows.append((f"sheet:{key}", layout.sheet_name(key, lang)))
    for key, value in rows:
        ws.append([key, value, layout.METADATA_MEANINGS[key.partition(":")[0]].in_(lang)])


def _save(wb: Workbook, target: Union[str, Path, IO[bytes]]) -> None:
    if isinstance(target, (str, Path)):
        path = Path(target)
        tmp = path.with_name(f".{path.name}.part")
        try:
            wb.save(tmp)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        wb.save(target)

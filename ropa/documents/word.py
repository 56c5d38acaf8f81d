"""Word documents (python-docx): A4 pages, a running header, page numbers, a table of
contents Word fills in, and the document's properties (title, author, language)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LANG_TAGS = {"nb": "nb-NO", "en": "en-GB"}


# What XML 1.0 cannot hold (C0 controls but tab and newline, surrogates, U+FFFE and U+FFFF): a
# stored description may contain them, and Word (and lxml) refuse the whole document over one.
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: Any) -> str:
    """Text Word accepts: without the characters XML forbids."""
    return _NOT_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) that Word computes when it shows the document."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, text, end):
        run._r.append(el)


def new_document(
    *, title: str, author: str, lang: str, subject: str = "", header: str = "", page_word: str = "Page", of_word: str = "of", running_heading: bool = False
) -> Any:
    """An A4 document with its properties, a header from page 2 and "Page X of Y" in the footer;
    ``running_heading`` adds the current level-2 heading (the card) to the header, as Word's
    STYLEREF field computes it page by page."""
    doc = Document()
    props = doc.core_properties
    props.title, props.author, props.language, props.subject = _clean(title), _clean(author), LANG_TAGS.get(lang, lang), _clean(subject)
    props.keywords = "GDPR Art. 30"
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), LANG_TAGS.get(lang, lang))
    rpr.append(lang_el)
    section.different_first_page_header_footer = True
    head = section.header.paragraphs[0]
    head.text = _clean(header)
    if running_heading:
        head.add_run("\t")
        _field(head, 'STYLEREF "Heading 2"')
        head.paragraph_format.tab_stops.add_tab_stop(Cm(17.0), WD_TAB_ALIGNMENT.RIGHT)
    for run in head.runs:
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    foot = section.footer.paragraphs[0]
    foot.alignment = 2  # right
    foot.add_run(f"{page_word} ")
    _field(foot, "PAGE", "1")
    foot.add_run(f" {of_word} ")
    _field(foot, "NUMPAGES", "1")
    return doc


def page_break(doc: Any) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def table_of_contents(doc: Any, title: str, lang: str) -> None:
    doc.add_heading(_clean(title), 1)
    hint = "Oppdater feltet (F9) for å se innholdsfortegnelsen." if lang == "nb" else "Update the field (F9) to show the table of contents."
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', hint)


def _cell(cell: Any, values: Sequence[str], *, bold: bool = False, missing: str = "") -> None:
    para = cell.paragraphs[0]  # a new cell holds one empty paragraph
    if not values:
        run = para.add_run(_clean(missing))
        run.italic = True
        return
    for i, v in enumerate(values):
        p = para if i == 0 else cell.add_paragraph()
        run = p.add_run(("• " if len(values) > 1 else "") + _clean(v))
        if bold:
            run.bold = True


def label_table(doc: Any, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, values in rows:
        cells = table.add_row().cells
        _cell(cells[0], [label], bold=True)
        _cell(cells[1], values)
    _widths(table, (Cm(5.2), Cm(11.8)))


def card_table(doc: Any, card: Any, missing: str) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for section in card.sections:
        head = table.add_row().cells
        _cell(head[0], [(f"({section.letter}) " if section.letter else "") + section.title], bold=True)
        for cell in head:  # shaded across the row (merging cells costs python-docx a grid walk per row)
            shade = OxmlElement("w:shd")
            shade.set(qn("w:val"), "clear")
            shade.set(qn("w:fill"), "E8E8E8")
            cell._tc.get_or_add_tcPr().append(shade)
        for row in section.rows:
            cells = table.add_row().cells
            _cell(cells[0], [row.label + (f" ({row.article})" if row.article else "")])
            _cell(cells[1], row.values, missing=row.empty or missing)
    _widths(table, (Cm(5.2), Cm(11.8)))


def _widths(table: Any, widths: Sequence[Any]) -> None:
    """Column widths Word keeps: Word reads each cell's width, not the grid's."""
    table.autofit = False
    for col, width in zip(table.columns, widths):
        col.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def grid(doc: Any, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, h in zip(table.rows[0].cells, headers):
        _cell(cell, [h], bold=True)
    for r in rows:
        for cell, v in zip(table.add_row().cells, r):
            _cell(cell, [v] if v else [])

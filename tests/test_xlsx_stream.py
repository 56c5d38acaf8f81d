"""The streaming reader of large .xlsx sheets: the same rows as calamine, or it steps aside.

Real workbooks written and read back: our own export in both languages, and a workbook made
part by part the way Excel and LibreOffice save (shared strings, styles, dates, booleans,
escapes, left-out cells and rows). Every sheet is read both ways and compared cell by cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ropa import db, imports
from ropa.errors import ValidationFailed
from ropa.excel import reader, xlsx_stream
from ropa.excel.export import write_workbook
from ropa.register import interchange
from tests.test_import import second_engine

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _both_ways(path: Path) -> dict[str, tuple[list[list[Any]], list[list[Any]]]]:
    found = {}
    for sheet in reader.read_book(path).sheets:
        large = xlsx_stream.open_sheet(path, sheet.name, threshold=0)
        assert large is not None, sheet.name
        _, rows = large.stream()
        found[sheet.name] = (_trimmed(list(rows)), _trimmed(reader._read_sheet(path, sheet.name)[0]))
    return found


def saved_by_a_spreadsheet_program(path: Path, sheet: str, shared: list[str], styles: str) -> Path:
    """An .xlsx as Excel or LibreOffice save it: shared strings, a styles part, attributes r, s, t."""
    sst = "".join(f"<si>{s}</si>" for s in shared)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Ark 1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(shared)}">{sst}</sst>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">{styles}</styleSheet>',
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:F6"/>'
            f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{sheet}</sheetData></worksheet>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


STYLES = (
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="14"/>'
    '<xf numFmtId="22"/></cellXfs>'
)
SHARED = [
    "<t>\n  Behandlingsaktivitet </t>",  # without xml:space="preserve" calamine trims: so must this reader
    "<t>Lønn &amp; personal</t>",
    '<t xml:space="preserve"> mellomrom </t>',
    '<r><t xml:space="preserve">rik </t></r><r><rPr><b/></rPr><t>tekst</t></r>',
    "<t>linje 1\nlinje 2</t>",
    "<t>retur_x000D_her</t>",
    "<t/>",
]
SHEET = (
    '<row r="1" spans="1:6"><c r="A1" s="0" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>45413</v></c><c r="D2"><v>3</v></c><c r="E2"><v>2.5</v></c>'
    '<c r="F2" t="b"><v>1</v></c></row>'
    '<row r="4"><c r="B4" t="s"><v>4</v></c><c r="C4" s="2"><v>43831</v></c><c r="E4" t="s"><v>6</v></c></row>'
    '<row r="5"><c r="A5" t="s"><v>5</v></c><c r="C5" t="inlineStr"><is><t>inline &lt;tekst&gt;</t></is></c>'
    '<c r="D5" t="b"><v>0</v></c><c r="E5"/><c r="F5" t="n"><v>-7</v></c></row>'
    '<row r="6"/>'
)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_our_own_workbook_streams_to_the_same_rows_as_calamine(demo_engine, tmp_path, lang):
    path = tmp_path / f"register-{lang}.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, path, lang=lang)
    found = _both_ways(path)
    assert len(found) >= 8
    for name, (streamed, read) in found.items():
        assert streamed == read, name
    activities = found["Behandlingsaktiviteter" if lang == "nb" else "Processing activities"][0]
    assert len(activities) == 38 and any(isinstance(v, type(None)) for v in activities[1])  # a header and 37 rows


def test_a_workbook_saved_by_a_spreadsheet_program_streams_to_the_same_rows(tmp_path):
    path = saved_by_a_spreadsheet_program(tmp_path / "saved.xlsx", SHEET, SHARED, STYLES)
    ((streamed, read),) = _both_ways(path).values()
    assert streamed == read
    assert streamed[1][:2] == ["rik tekst", streamed[1][1]] and str(streamed[1][1]) == "2024-05-01"
    assert streamed[0] == ["Behandlingsaktivitet", "Lønn & personal", " mellomrom "]
    assert streamed[2] == []  # the row the sheet leaves out
    assert streamed[4][:2] == ["retur\rher", None] and streamed[4][3] is False and streamed[4][5] == -7


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A1" t="str"><f>CONCATENATE("a","b")</f><v>ab</v></c>',  # a formula
        '<c r="A1" t="inlineStr"><is><r><t>rik</t></r></is></c>',  # rich inline text
        '<c r="A1" s="3"><v>45413.5</v></c>',  # a date with a time of day
        '<c r="A1" t="e"><v>#N/A</v></c>',  # an error value
        '<c s="0" r="A1" t="s"><v>0</v></c>',  # attributes in an order it does not read
        '<!-- a comment --><c r="A1" t="s"><v>0</v></c>',
    ],
)
def test_what_it_does_not_read_it_leaves_to_calamine(tmp_path, cell):
    path = saved_by_a_spreadsheet_program(tmp_path / "odd.xlsx", f'<row r="1">{cell}</row>', SHARED, STYLES)
    large = xlsx_stream.open_sheet(path, "Ark 1", threshold=0)
    assert large is not None
    with pytest.raises(xlsx_stream.NotStreamable):
        _, rows = large.stream()
        list(rows)


def test_small_sheets_go_to_calamine(tmp_path):
    path = saved_by_a_spreadsheet_program(tmp_path / "small.xlsx", SHEET, SHARED, STYLES)
    assert xlsx_stream.open_sheet(path, "Ark 1") is None  # far below STREAM_FROM
    assert xlsx_stream.open_sheet(path, "No such sheet", threshold=0) is None


@pytest.mark.parametrize("odd", [False, True])
def test_a_large_workbook_is_streamed_and_imports_the_same(demo_engine, tmp_path, backend, monkeypatch, odd):
    """With every sheet counted as large, the demo export imports through the streaming reader,
    losslessly; a workbook with a cell it does not read (a formula) is read again by calamine."""
    monkeypatch.setattr(xlsx_stream, "STREAM_FROM", 0)
    streamed = []
    real = xlsx_stream.Sheet.stream
    monkeypatch.setattr(xlsx_stream.Sheet, "stream", lambda self: streamed.append(self.member.filename) or real(self))
    book = tmp_path / "register.xlsx"
    with db.session(demo_engine) as s:
        write_workbook(s, book, lang="nb")
        before = interchange.dumps(interchange.export_document(s))
    if odd:
        wb = load_workbook(book)
        ws = wb["Behandlingsaktiviteter"]
        ws.cell(ws.max_row + 2, 40).value = "=1+1"  # far right of the data: read, and ignored, by calamine
        wb.save(book)
    builds = []
    real_build = imports._build_once
    monkeypatch.setattr(imports, "_build_once", lambda *a, **kw: builds.append(reader.STREAMING.get()) or real_build(*a, **kw))
    target = second_engine(backend, tmp_path)
    with db.transaction(target) as s:
        report = imports.import_(s, book, actor="test")
    assert len(report.created) == 37 and streamed
    assert builds == ([True, False] if odd else [True])  # the formula: read again, without streaming
    with db.session(target) as s:
        assert interchange.dumps(interchange.export_document(s)) == before


def test_a_part_left_unchecked_is_checked_before_calamine_reads_it(tmp_path, monkeypatch, engine):
    """check_zip leaves a large sheet's inflate check to the reader; the zip bomb that lies about
    its size is still refused, by name, when the sheet is read."""
    monkeypatch.setattr(xlsx_stream, "STREAM_FROM", 0)
    path = saved_by_a_spreadsheet_program(tmp_path / "liar.xlsx", SHEET + " " * (3 * 2**20), SHARED, STYLES)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        real = zf.getinfo("xl/worksheets/sheet1.xml").file_size.to_bytes(4, "little")
    path.write_bytes(data.replace(real, (1000).to_bytes(4, "little")))
    book = reader.read_book(path)  # the sheet's inflate check is deferred …
    with pytest.raises(ValidationFailed) as err:
        _ = book.sheets[0].rows  # … and done before calamine reads it
    assert err.value.problems[0].code == "zip_bomb"
    with db.session(engine) as s, pytest.raises(ValidationFailed) as err:
        imports.plan(s, path, org="X")
    assert err.value.problems[0].code == "zip_bomb"

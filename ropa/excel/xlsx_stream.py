"""Stream the rows of a large .xlsx sheet without holding the sheet in memory.

python-calamine reads a whole sheet into memory before it gives the first row: for 100,000
activities that copy alone is over 400 MB. This reader inflates the sheet's XML in chunks and
yields one row at a time, with the values calamine would give (and ``reader._plain`` makes of
them): text, whole numbers as int, dates as dates, booleans.

It reads a strict subset of SpreadsheetML, the cells spreadsheet programs write for plain
values: inline or shared strings, numbers, booleans, and dates in a date-only format. Anything
else (a formula, an error value, a rich-text inline string, a date-time, XML it does not
recognise) raises :class:`NotStreamable`, and the caller reads the workbook with calamine
instead. Only sheets of :data:`STREAM_FROM` bytes and more are streamed; smaller ones are faster
through calamine. :func:`ropa.excel.reader.check_zip` has checked the declared sizes of every
part; this reader never reads past a part's declared size (zipfile stops there and checks the
CRC), and it expands no entities.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any, Optional

from defusedxml.ElementTree import iterparse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_datetime
from openpyxl.utils.datetime import from_excel

STREAM_FROM = 128 * 2**20  # uncompressed sheet XML: about 32,000 activities on our activities sheet
_CHUNK = 1 << 20
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

_ROW_NUMBER = re.compile(r'<row\b[^>]*?\br="(\d+)"')
# One cell: its column, style, type, then an inline string, a value, or nothing. (Inline text
# that is empty gives "" and is read as no value, as calamine's empty string is.)
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(inlineStr|n|s|b)")?(?: s="(\d+)")?'
    r'(?:/>|>(?:<is><t( xml:space="preserve")?>([^<]*)</t></is>|<is><t(?: xml:space="preserve")?/></is>'
    r"|<v>([^<]*)</v>|<v/>)?</c>)"
)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XML_SPACE = " \t\n\r"
_PRESERVE = "{http://www.w3.org/XML/1998/namespace}space"
_FIRST = list(range(16384))  # column indexes 0, 1, 2 … (a sheet has at most 16,384 columns)
_ROW_START = re.compile(r"<row\b")
_DIMENSION = re.compile(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


class NotStreamable(Exception):
    """The sheet holds something this reader does not read: use calamine."""


def _text(raw: str, kept: str = " ") -> Any:
    """A <t> element's text as calamine gives it: entities and OOXML's _xHHHH_ escapes decoded,
    and, unless the element says xml:space="preserve", without spaces and line breaks around it."""
    if not kept:
        raw = raw.strip(_XML_SPACE)
    if "&" in raw:
        raw = unescape(raw)
    return _unescaped(raw) or None


def _unescaped(text: str) -> str:
    """OOXML's _xHHHH_ escapes (characters XML cannot hold) decoded, as calamine decodes them."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _column(letters: str, cache: dict[str, int]) -> int:
    index = cache.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index = cache[letters] = index - 1
    return index


class Sheet:
    """Where a sheet's XML is in the workbook, and what reading it needs (styles, shared strings)."""

    def __init__(self, path: Path, member: zipfile.ZipInfo, dates: frozenset[int], timed: frozenset[int], shared: Optional[list[str]]) -> None:
        self.path, self.member, self.shared = path, member, shared
        self.dates, self.timed = dates, timed  # styles showing a date; a time of day or a duration
        self._days: dict[float, Any] = {}  # Excel serial -> date (the same dates recur)

    def _chunks(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as raw:
                while True:
                    data = raw.read(_CHUNK)
                    if not data:
                        break
                    yield decoder.decode(data)
                yield decoder.decode(b"", final=True)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError) as exc:
            # Damaged, or not what it declares: calamine's path checks the part and says which.
            raise NotStreamable(f"the part cannot be read as it is ({exc})") from None

    def stream(self) -> tuple[int, Iterator[list[Any]]]:
        """How many rows the sheet says it has (0 if it does not say), and its rows from row 1."""
        chunks = self._chunks()
        head = ""
        for chunk in chunks:
            head += chunk
            if "<sheetData" in head or len(head) > 4 * _CHUNK:
                break
        start = head.find("<sheetData")
        if start < 0 or "<!" in head[:start]:  # (a DTD is for check_part to refuse, before calamine reads it)
            raise NotStreamable("no sheetData, or a declaration before it")
        found = _DIMENSION.search(head, 0, start)
        if found:
            total = int(found.group(1) or 1)
        else:  # no dimension (openpyxl's streaming writer gives none): estimate from the first rows
            rows = head.count("</row>", start)
            total = int(self.member.file_size * rows / max(len(head) - start, 1)) if rows else 0
        return total, self._rows(head[start:], chunks)

    def _rows(self, buffer: str, chunks: Iterator[str]) -> Iterator[list[Any]]:
        columns: dict[str, int] = {}  # column letters -> index, as met
        number, more = 0, True
        while True:
            end = buffer.find("</sheetData>")
            if end >= 0:
                buffer, more = buffer[:end], False
            if "<!--" in buffer or "<![CDATA[" in buffer:
                raise NotStreamable("a comment or CDATA section among the rows")
            at = 0
            while True:  # complete rows only (str.find: a regex over the rows was half the time)
                start = buffer.find("<row", at)
                if start < 0:
                    break
                close = buffer.find(">", start)
                if close < 0:
                    break
                tag = buffer[start : close + 1]
                if tag.endswith("/>"):
                    body, at = "", close + 1
                else:
                    stop = buffer.find("</row>", close)
                    if stop < 0:
                        break
                    body, at = buffer[close + 1 : stop], stop + 6
                found = _ROW_NUMBER.match(tag)
                row_number = int(found.group(1)) if found else number + 1
                if row_number <= number:
                    raise NotStreamable("rows out of order")
                while number < row_number - 1:  # rows the sheet leaves out are empty
                    number += 1
                    yield []
                number = row_number
                yield self._cells(body, columns) if body else []
            buffer = buffer[at:]
            if not more:
                if _ROW_START.search(buffer):
                    raise NotStreamable("a row that does not end")
                return
            try:
                buffer += next(chunks)
            except StopIteration:
                more = False

    def _cells(self, body: str, columns: dict[str, int]) -> list[Any]:
        cells = _CELL.findall(body)
        # Text never holds "<", so each "<c" starts a cell; each match starts at one and takes the
        # whole cell up to its end: as many matches as cells means every cell was understood.
        if len(cells) != body.count("<c"):
            raise NotStreamable(f"cell markup this reader does not know: {body[:120]!r}")
        values = [
            (_text(inline, kept) if "&" in inline or "_x" in inline else inline if kept else inline.strip(_XML_SPACE) or None)
            if inline
            else self._value(kind, value, style or style_after)
            if value
            else None
            for _, style, kind, style_after, kept, inline, value in cells
        ]
        at = [columns[c[0]] if c[0] in columns else _column(c[0], columns) for c in cells]
        if at == _FIRST[: len(at)]:  # A, B, C … in order, none left out: the usual row
            return values
        out: list[Any] = [None] * (max(at) + 1)  # each value in its column, as calamine places them
        for i, v in zip(at, values):
            out[i] = v
        return out

    def _value(self, kind: str, value: str, style: str) -> Any:
        if kind == "s":
            if self.shared is None:
                raise NotStreamable("a shared string without a shared-strings part")
            try:
                return self.shared[int(value)] or None
            except IndexError:
                raise NotStreamable("a shared string that is not there") from None
        if kind == "b":
            return value == "1"
        return self._number(value, int(style or 0))

    def _number(self, value: str, xf: int) -> Any:
        number = float(value)
        if xf in self.dates and number.is_integer():
            day = self._days.get(number)
            if day is None:
                day = self._days[number] = from_excel(number).date()
            return day
        if xf in self.dates or xf in self.timed:
            raise NotStreamable("a date with a time of day, or a time")
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number


def member_of(zf: zipfile.ZipFile, sheet_name: str) -> Optional[zipfile.ZipInfo]:
    """The part that holds a sheet, from the workbook's sheet list and its relationships."""
    rid = None
    with zf.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == f"{_NS}sheet" and el.get("name") == sheet_name:
                rid = el.get(f"{_REL_NS}id")
                break
    if rid is None:
        return None
    with zf.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if el.tag.endswith("Relationship") and el.get("Id") == rid:
                target = el.get("Target") or ""
                name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                try:
                    return zf.getinfo(name)
                except KeyError:
                    return None
    return None


def sheet_names(zf: zipfile.ZipFile) -> list[str]:
    """The workbook's sheet names, in order, from its sheet list."""
    with zf.open("xl/workbook.xml") as f:
        return [el.get("name") or "" for _, el in iterparse(f) if el.tag == f"{_NS}sheet"]


def _date_styles(zf: zipfile.ZipFile) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles whose number format shows a date, and those that show a time (of day, or
    with a date): calamine reads their numbers as dates and times."""
    try:
        f = zf.open("xl/styles.xml")
    except KeyError:
        return frozenset(), frozenset()
    formats = dict(BUILTIN_FORMATS)
    dates: set[int] = set()
    timed: set[int] = set()
    index, in_xfs = 0, False
    with f:
        for event, el in iterparse(f, events=("start", "end")):
            if event == "end" and el.tag == f"{_NS}numFmt":
                formats[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif el.tag == f"{_NS}cellXfs":
                in_xfs = event == "start"
            elif event == "end" and in_xfs and el.tag == f"{_NS}xf":
                kind = is_datetime(formats.get(int(el.get("numFmtId", "0")), "General"))
                (dates if kind == "date" else timed if kind else set()).add(index)
                index += 1
    return frozenset(dates), frozenset(timed)


def _shared_strings(zf: zipfile.ZipFile) -> Optional[list[str]]:
    try:
        f = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return None
    out = []
    t, r = f"{_NS}t", f"{_NS}r"
    with f:
        for _, el in iterparse(f):
            if el.tag == f"{_NS}si":
                # Plain or rich text: the text and the runs' text, not the phonetic hints (rPh).
                pieces = el.findall(t) + [x for run in el.findall(r) for x in run.findall(t)]
                text = "".join((x.text or "") if x.get(_PRESERVE) == "preserve" else (x.text or "").strip(_XML_SPACE) for x in pieces)
                out.append(_unescaped(text))
                el.clear()
    return out


def open_sheet(path: Path, sheet_name: str, threshold: Optional[int] = None) -> Optional[Sheet]:
    """The sheet, to stream, if it is in an .xlsx file and large enough to be worth it; else None."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = member_of(zf, sheet_name)
            if member is None or member.file_size < (STREAM_FROM if threshold is None else threshold):
                return None
            dates, timed = _date_styles(zf)
            return Sheet(path, member, dates, timed, _shared_strings(zf))
    except Exception:  # anything odd about the workbook: calamine reads it, and says what is wrong
        return None


__all__ = ["STREAM_FROM", "NotStreamable", "Sheet", "open_sheet"]

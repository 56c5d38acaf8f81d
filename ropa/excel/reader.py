"""Open a spreadsheet someone sent us, safely, and hand back its sheets as rows of plain values.

Every way a file can be hostile or broken becomes a :class:`~ropa.errors.ValidationFailed`
with one clear sentence, before any parser sees it: over :data:`MAX_BYTES`; a ZIP that
declares (or, while it is inflated, turns out to hold) more than :data:`MAX_UNCOMPRESSED`
bytes or compresses too well to be a spreadsheet (a zip bomb); XML with a DTD or entities
(no spreadsheet needs them; the billion-laughs tricks do); a password-protected workbook
(an OLE container with an ``EncryptedPackage``); a truncated or damaged file; something that
is not a spreadsheet at all; an .xlsx sheet whose cells reach too far for calamine to allocate
(:mod:`ropa.excel.extent`, checked before calamine reads the sheet), or with too many merged ranges.

Cells are read with python-calamine: formulas give their cached value and are never
evaluated, dates come back as dates, numbers as floats (whole numbers as ``int``). Row ``i``
of :attr:`SheetData.rows` is the sheet's row ``i + 1``, so messages can name real row numbers.
A sheet read once, in order (:meth:`SheetData.stream`), is never held whole: calamine gives it
row by row, and an .xlsx sheet too large for calamine's in-memory copy is streamed by
:mod:`ropa.excel.xlsx_stream`, whose inflate check :func:`check_zip` then leaves to the reader.
CSV files are decoded as UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised without)
or else Windows-1252, and their separator (``;``, ``,`` or tab) is detected.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Optional, Union

from ropa.errors import MESSAGE_LANG, Problem, ValidationFailed
from ropa.excel import extent, xlsx_stream

MAX_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # what all parts of a workbook may inflate to, in total
MAX_RATIO = 200  # inflated / compressed, for parts larger than RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024
MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Whether SheetData.stream may read a large .xlsx sheet with ropa.excel.xlsx_stream (which can
# raise NotStreamable part-way: the importer then reads the file again with this off).
STREAMING: ContextVar[bool] = ContextVar("STREAMING", default=True)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class SheetData:
    """One sheet: its name and its rows from row 1 (``rows[i]`` is row ``i + 1``)."""

    name: str
    rows: list[list[Any]]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based (row, col) corners

    def cell(self, row: int, col: int) -> Any:
        """The value at a 0-based position, None when outside the data."""
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def stream(self) -> tuple[int, Iterator[list[Any]]]:
        """How many rows there are, and the rows in order from row 1 (for a sheet read once, in order)."""
        return len(self.rows), iter(self.rows)

    def prefetch(self) -> None:
        """Start reading the sheet in the background, for a :meth:`stream` to come (see _LazySheet)."""


@dataclass
class Book:
    """What :func:`read_book` found: the kind of file and its sheets, in order."""

    path: Path
    kind: str  # xlsx | xls | ods | csv
    sheets: list[SheetData]
    encoding: Optional[str] = None  # csv only
    delimiter: Optional[str] = None  # csv only

    def sheet(self, name: str) -> Optional[SheetData]:
        wanted = " ".join(name.split()).casefold()
        for s in self.sheets:
            if " ".join(s.name.split()).casefold() == wanted:
                return s
        return None


def _say(en: str, nb: str) -> str:
    """A message in the language problems are told in (as :func:`ropa.excel.cells.say`)."""
    return nb if MESSAGE_LANG.get() == "nb" else en


def _reject(path: Path, code: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(path.name, code, message)])


# ---------------------------------------------------------------------------------------------
# Checks before parsing


def sniff(path: Path) -> str:
    """What the file is by its first bytes and name: zip | ole | csv; raise for anything else."""
    if not path.is_file():
        raise _reject(path, "not_found", _say("no such file", "filen finnes ikke"))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _reject(
            path,
            "too_large",
            _say(
                f"the file is {size / 2**20:.0f} MB; at most {MAX_BYTES // 2**20} MB can be imported",
                f"filen er {size / 2**20:.0f} MB; høyst {MAX_BYTES // 2**20} MB kan importeres",
            ),
        )
    if size == 0:
        raise _reject(path, "empty", _say("the file is empty", "filen er tom"))
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    if head[:2] == OLE_MAGIC[:2] or (len(head) < 8 and OLE_MAGIC.startswith(head)):
        raise _reject(
            path,
            "truncated",
            _say(
                "the file is incomplete (truncated) or damaged: save it again and retry",
                "filen er ufullstendig (avkortet) eller skadet: lagre den på nytt og prøv igjen",
            ),
        )
    if head.startswith(b"PK"):
        raise _reject(
            path,
            "truncated",
            _say(
                "the file is incomplete (truncated) or damaged: save it again and retry",
                "filen er ufullstendig (avkortet) eller skadet: lagre den på nytt og prøv igjen",
            ),
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods"):
        raise _reject(
            path,
            "not_a_spreadsheet",
            _say(f"this is not a {suffix} workbook (its content is something else)", f"dette er ikke en {suffix}-arbeidsbok (innholdet er noe annet)"),
        )
    if suffix == ".xls" and not _looks_like_text(path):
        raise _reject(
            path,
            "not_a_spreadsheet",
            _say("this is not an Excel workbook (its content is something else)", "dette er ikke en Excel-arbeidsbok (innholdet er noe annet)"),
        )
    if _looks_like_text(path):
        return "csv"
    raise _reject(
        path,
        "not_a_spreadsheet",
        _say("this is not a spreadsheet (.xlsx, .xlsm, .xls, .ods or .csv)", "dette er ikke et regneark (.xlsx, .xlsm, .xls, .ods eller .csv)"),
    )


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as f:
        sample = f.read(64 * 1024)
    utf16 = _utf16(sample)
    if utf16:  # (every other byte is NUL in UTF-16 text of Latin letters)
        sample = sample.decode(utf16, errors="replace").encode("utf-8")
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls <= len(sample) // 100


def check_zip(path: Path, deferred: Optional[set[str]] = None) -> str:
    """Inspect a ZIP container before any parser opens it; return ``xlsx`` or ``ods``.

    Declared sizes are checked first (total and compression ratio); then every part is inflated
    once, counting the bytes actually produced and scanning for DTDs, so a part that lies about
    its size or hides an entity expansion is caught before calamine reads it. With ``deferred``,
    a worksheet large enough to be streamed (:data:`ropa.excel.xlsx_stream.STREAM_FROM`) is
    not inflated here but named in it: the streaming reader never reads past a part's declared
    size, and :meth:`_LazySheet.stream` checks the part before calamine reads it instead
    (inflating 400 MB of XML only to check it was a second of a 100,000-activity import).
    """
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _reject(
            path,
            "truncated",
            _say(
                "the file is incomplete (truncated) or damaged: save it again and retry",
                "filen er ufullstendig (avkortet) eller skadet: lagre den på nytt og prøv igjen",
            ),
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _reject(
                path,
                "zip_bomb",
                _say(
                    f"the workbook holds {len(infos)} parts; this looks like a zip bomb, not a spreadsheet",
                    f"arbeidsboken har {len(infos)} deler; dette ser ut som en zip-bombe, ikke et regneark",
                ),
            )
        declared = sum(i.file_size for i in infos)
        compressed = sum(i.compress_size for i in infos)
        if declared > MAX_UNCOMPRESSED:
            raise _reject(
                path,
                "zip_bomb",
                _say(
                    f"the workbook would unpack to {declared / 2**20:.0f} MB (more than {MAX_UNCOMPRESSED // 2**20} MB); this looks like a zip bomb",
                    f"arbeidsboken ville pakkes ut til {declared / 2**20:.0f} MB (mer enn {MAX_UNCOMPRESSED // 2**20} MB); dette ser ut som en zip-bombe",
                ),
            )
        for i in infos:
            if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise _reject(
                    path,
                    "zip_bomb",
                    _say(
                        f"part {i.filename} is compressed {i.file_size // max(i.compress_size, 1)}:1; this looks like a zip bomb, not a spreadsheet",
                        f"delen {i.filename} er komprimert {i.file_size // max(i.compress_size, 1)}:1; dette ser ut som en zip-bombe, ikke et regneark",
                    ),
                )
        if declared > RATIO_FLOOR and declared > MAX_RATIO * max(compressed, 1):
            raise _reject(
                path,
                "zip_bomb",
                _say(
                    "the workbook is compressed too well to be a spreadsheet; this looks like a zip bomb",
                    "arbeidsboken er for godt komprimert til å være et regneark; dette ser ut som en zip-bombe",
                ),
            )
        names = {i.filename for i in infos}
        if "EncryptedPackage" in names or any(i.flag_bits & 0x1 for i in infos):
            raise _reject(
                path,
                "password_protected",
                _say(
                    "the workbook is password-protected: remove the password in Excel and retry",
                    "arbeidsboken er passordbeskyttet: fjern passordet i Excel og prøv igjen",
                ),
            )
        if "mimetype" in names:
            kind = "ods" if zf.read("mimetype").strip() == ODS_MIMETYPE else "other"
        elif "[Content_Types].xml" in names:
            kind = "xlsx" if any(n.startswith("xl/") for n in names) else "other"
        else:
            kind = "other"
        if kind == "other":
            raise _reject(
                path,
                "not_a_spreadsheet",
                _say("this is a ZIP file but not a spreadsheet (.xlsx, .xlsm or .ods)", "dette er en ZIP-fil, men ikke et regneark (.xlsx, .xlsm eller .ods)"),
            )
        total = 0
        for i in infos:
            if i.is_dir():
                continue
            if deferred is not None and i.filename.startswith("xl/worksheets/") and i.file_size >= xlsx_stream.STREAM_FROM:
                deferred.add(i.filename)
                continue
            total = _inflate(zf, i, path, total)
    return kind


def check_part(path: Path, name: str) -> None:
    """The inflate check of :func:`check_zip` for one part it deferred."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(name)
            _inflate(zf, info, path, 0)
    except (zipfile.BadZipFile, KeyError, OSError):
        raise _reject(
            path, "truncated", _say(f"part {name} is damaged or incomplete (truncated)", f"delen {name} er skadet eller ufullstendig (avkortet)")
        ) from None


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, total: int) -> int:
    """Inflate one part in chunks: count real bytes, stop at the limit, look for DTDs."""
    produced = 0
    tail = b""
    xml = info.filename.endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml"
    try:
        if info.compress_type == zipfile.ZIP_DEFLATED:
            # zlib directly, so a part that inflates beyond what it declares is seen, not cut.
            reader = _raw_member(zf, info)
            inflater = zlib.decompressobj(-15)
            while True:
                chunk = reader.read(_CHUNK)
                if not chunk:
                    break
                data = inflater.decompress(chunk, _CHUNK)
                while True:
                    produced += len(data)
                    if total + produced > MAX_UNCOMPRESSED or produced > info.file_size:
                        raise _reject(
                            path,
                            "zip_bomb",
                            _say(
                                f"part {info.filename} unpacks to more than it declares ({info.file_size} bytes); this looks like a zip bomb",
                                f"delen {info.filename} pakkes ut til mer enn den oppgir ({info.file_size} byte); dette ser ut som en zip-bombe",
                            ),
                        )
                    if xml:
                        _scan(tail + data[:64], path, info.filename)
                        _scan(data, path, info.filename)
                        tail = data[-64:]
                    if not inflater.unconsumed_tail:
                        break
                    data = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
            if produced != info.file_size:
                raise _reject(
                    path,
                    "truncated",
                    _say(f"part {info.filename} is damaged or incomplete (truncated)", f"delen {info.filename} er skadet eller ufullstendig (avkortet)"),
                )
        else:
            with zf.open(info) as member:
                while True:
                    data = member.read(_CHUNK)
                    if not data:
                        break
                    produced += len(data)
                    if total + produced > MAX_UNCOMPRESSED:
                        raise _reject(
                            path,
                            "zip_bomb",
                            _say(
                                "the workbook unpacks to too much data; this looks like a zip bomb",
                                "arbeidsboken pakkes ut til for mye data; dette ser ut som en zip-bombe",
                            ),
                        )
                    if xml:
                        _scan(tail + data[:64], path, info.filename)
                        _scan(data, path, info.filename)
                        tail = data[-64:]
    except ValidationFailed:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        raise _reject(
            path,
            "truncated",
            _say(f"part {info.filename} is damaged or incomplete (truncated)", f"delen {info.filename} er skadet eller ufullstendig (avkortet)"),
        ) from None
    return total + produced


_LOCAL_HEADER_SIZE = 30  # zipfile.sizeFileHeader (not public): a local file header's fixed part, APPNOTE 4.3.7


def _raw_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> io.BytesIO:
    """The compressed bytes of a part (bounded by its compressed size, which the file's size caps)."""
    fp = zf.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER_SIZE)
    if len(header) != _LOCAL_HEADER_SIZE or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + _LOCAL_HEADER_SIZE + name_len + extra_len)
    data = fp.read(info.compress_size)
    if len(data) != info.compress_size:
        raise zipfile.BadZipFile("truncated")
    return io.BytesIO(data)


def _scan(data: bytes, path: Path, name: str) -> None:
    if b"<!" in data and _DTD.search(data):
        raise _reject(
            path,
            "xml_entities",
            _say(
                f"part {name} declares a DTD or XML entities, which spreadsheets never need; refusing it (entity expansion attack)",
                f"delen {name} erklærer en DTD eller XML-entiteter, som regneark aldri trenger; avvises (angrep med entitetsutvidelse)",
            ),
        )


def check_ole(path: Path) -> str:
    """An OLE2 container: a legacy .xls workbook, or an encrypted (password-protected) .xlsx."""
    with open(path, "rb") as f:
        data = f.read()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise _reject(
            path,
            "password_protected",
            _say(
                "the workbook is password-protected: remove the password in Excel and retry",
                "arbeidsboken er passordbeskyttet: fjern passordet i Excel og prøv igjen",
            ),
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    raise _reject(path, "not_a_spreadsheet", _say("this is an Office file but not a spreadsheet", "dette er en Office-fil, men ikke et regneark"))


# ---------------------------------------------------------------------------------------------
# Reading


def _plain(value: Any) -> Any:
    """calamine's values as the parsers expect them: None for empty, ints for whole numbers."""
    if value == "" or value is None:
        return None
    cls = value.__class__
    if cls is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if cls is str or cls is int or cls is bool or cls is date or cls is datetime:
        return value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _plain_row(row: list[Any]) -> list[Any]:
    """A calamine row as :func:`_plain` values; text (most cells) passes as is, "" becomes None."""
    return [(v or None) if v.__class__ is str else _plain(v) for v in row]


class _LazySheet(SheetData):
    """A sheet of a workbook whose cells are read the first time they are asked for: an import
    of our own workbook never pays for its cover, findings and code-list sheets (at 100,000
    activities the findings alone are more than 100,000 rows)."""

    def __init__(self, path: Path, name: str, visible: bool, kind: str = "xlsx") -> None:
        self.path, self.name, self.visible, self.kind = path, name, visible, kind
        self.deferred: set[str] = set()  # large worksheet parts check_zip left to check before calamine reads them
        self._rows: Optional[list[list[Any]]] = None
        self._pending: Optional[tuple[threading.Thread, list[Any]]] = None  # a prefetch: its thread, and what it read
        self._merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self._checked = False

    def _load(self) -> None:
        if self._rows is None:
            self._check()
            self._rows, merged = _read_sheet(self.path, self.name)
            width = max((len(r) for r in self._rows), default=0)
            self._merged = extent.clip_merged(merged, len(self._rows), width, path=self.path, sheet_name=self.name)

    def _check(self) -> None:
        """Before calamine reads this sheet: the inflate check check_zip deferred, if it did, and
        the extent of an .xlsx sheet's cells (calamine allocates its whole rectangle)."""
        if self._checked or self.kind != "xlsx":
            return
        try:
            with zipfile.ZipFile(self.path) as zf:
                member = xlsx_stream.member_of(zf, self.name)
        except Exception:  # no sheet list to follow: calamine's own reading says what is wrong
            member = None
        if member is not None and member.filename in self.deferred:
            check_part(self.path, member.filename)
            self.deferred.discard(member.filename)
        if member is not None:
            extent.check_sheet(self.path, member, self.name)
        self._checked = True

    @property
    def rows(self) -> list[list[Any]]:
        self._load()
        assert self._rows is not None  # (read by _load)
        return self._rows

    @rows.setter
    def rows(self, value: list[list[Any]]) -> None:
        self._rows = value

    @property
    def merged(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        self._load()
        return self._merged

    @merged.setter
    def merged(self, value: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
        self._merged = value

    def stream(self) -> tuple[int, Iterator[list[Any]]]:
        """How many rows there are, and the rows one at a time, straight from calamine when the sheet
        was not read whole: its Python rows are never all in memory at once (at 100,000 activities
        they would be half a gigabyte on top of calamine's own copy). Read once, in order."""
        if self._rows is not None:
            return len(self._rows), iter(self._rows)
        if STREAMING.get() and self.path.suffix.lower() in (".xlsx", ".xlsm"):
            large = xlsx_stream.open_sheet(self.path, self.name)
            if large is not None:  # calamine would hold the whole sheet in memory first
                return large.stream()
        book, sheet = self._calamine_sheet()
        try:
            top, left = sheet.start or (0, 0)
        except Exception as exc:
            book.close()
            raise self._unreadable(exc) from None

        def rows() -> Iterator[list[Any]]:
            try:
                for _ in range(top):
                    yield []
                pad = [None] * left
                for row in sheet.iter_rows():  # calamine starts at the first cell with data: put it back in place
                    yield pad + _plain_row(row)
            finally:
                book.close()

        return top + sheet.height, rows()

    def prefetch(self) -> None:
        """Start calamine reading this sheet in a thread, for a :meth:`stream` to come: calamine lets
        go of the GIL while it parses, so the import's Transfers sheet is read while the activities
        are worked on (a sixth of the time of an import). Sheets too large for calamine are not."""
        if self._rows is not None or self._pending is not None:
            return
        if STREAMING.get() and xlsx_stream.open_sheet(self.path, self.name) is not None:
            return
        self._check()
        box: list[Any] = []

        def read() -> None:
            try:
                box.append(self._read_calamine_sheet())
            except Exception as exc:  # handed to stream(), in the importer's thread
                box.append(exc)

        thread = threading.Thread(target=read, name=f"prefetch {self.name}", daemon=True)
        thread.start()
        self._pending = (thread, box)

    def _calamine_sheet(self) -> tuple[Any, Any]:
        """The open workbook and calamine's copy of this sheet (prefetched, or read now)."""
        if self._pending is not None:
            thread, box = self._pending
            self._pending = None
            thread.join()
            if isinstance(box[0], Exception):
                raise box[0]
            return box[0]
        self._check()
        return self._read_calamine_sheet()

    def _unreadable(self, exc: Exception) -> ValidationFailed:
        """The refusal of a sheet calamine could not read (damaged or truncated), in the import's language."""
        return _reject(
            self.path,
            "unreadable",
            _say(
                f"the sheet '{self.name}' cannot be read ({_short(exc)}); the file may be damaged or truncated",
                f"arket '{self.name}' kan ikke leses ({_short(exc)}); filen kan være skadet eller avkortet",
            ),
        )

    def _read_calamine_sheet(self) -> tuple[Any, Any]:
        book = _open(self.path)
        try:
            return book, book.get_sheet_by_name(self.name)
        except Exception as exc:
            book.close()
            raise self._unreadable(exc) from None


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise _reject(
            path,
            "password_protected",
            _say(
                "the workbook is password-protected: remove the password in Excel and retry",
                "arbeidsboken er passordbeskyttet: fjern passordet i Excel og prøv igjen",
            ),
        ) from None
    except Exception as exc:  # calamine's errors are many and not all typed
        raise _reject(
            path,
            "unreadable",
            _say(
                f"the spreadsheet cannot be read ({_short(exc)}); it may be damaged or truncated",
                f"regnearket kan ikke leses ({_short(exc)}); det kan være skadet eller avkortet",
            ),
        ) from None


def _read_sheet(path: Path, name: str) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    book = _open(path)
    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        # Text (most cells) passes as is; only empty strings, floats and times need converting.
        # Row by row in place, so the sheet is never held twice.
        for i, row in enumerate(rows):
            rows[i] = _plain_row(row)
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        try:
            merged = list(sheet.merged_cell_ranges or [])
        except Exception:  # not every format knows merged cells
            merged = []
        return rows, merged
    except ValidationFailed:
        raise
    except Exception as exc:
        raise _reject(
            path,
            "unreadable",
            _say(
                f"the sheet '{name}' cannot be read ({_short(exc)}); the file may be damaged or truncated",
                f"arket '{name}' kan ikke leses ({_short(exc)}); filen kan være skadet eller avkortet",
            ),
        ) from None
    finally:
        book.close()


def _read_calamine(path: Path, kind: str) -> list[SheetData]:
    """The workbook's sheets, in order; each sheet's cells are read when first used."""
    book = _open(path)
    try:
        visible = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
        names = list(book.sheet_names)
    except Exception as exc:
        raise _reject(
            path,
            "unreadable",
            _say(
                f"the spreadsheet cannot be read ({_short(exc)}); it may be damaged or truncated",
                f"regnearket kan ikke leses ({_short(exc)}); det kan være skadet eller avkortet",
            ),
        ) from None
    finally:
        book.close()
    return [_LazySheet(path, name, visible.get(name, True), kind) for name in names]


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def _utf16(sample: bytes) -> Optional[str]:
    """The codec of UTF-16 text (Excel's "Unicode text"), by its BOM or, without one, by its NUL
    bytes: in UTF-16 text of mostly Latin letters every other byte is NUL; None for anything else."""
    if sample.startswith(b"\xff\xfe"):
        return "utf-16"
    if sample.startswith(b"\xfe\xff"):
        return "utf-16"
    even, odd = sample[0:4096:2], sample[1:4096:2]
    if len(sample) < 4 or len(sample) % 2 and len(sample) < 64 * 1024:
        return None
    for codec, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) == 0:
            try:
                sample[:4096].decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def decode_text(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised without), else Windows-1252
    (what Norwegian Excel saves as 'CSV')."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    utf16 = _utf16(raw[: 64 * 1024])
    if utf16:
        return raw.decode(utf16, errors="replace").lstrip("\ufeff"), utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def detect_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the first lines most consistently."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for d in (";", ",", "\t"):
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines]
        score = min(counts) + (1.0 if len(set(counts)) == 1 else 0.0) if max(counts) > 1 else 0.0
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(path: Path) -> tuple[list[SheetData], str, str]:
    text, encoding = decode_text(path.read_bytes())
    delimiter = detect_delimiter(text)
    try:
        rows = [[(v if v.strip() else None) for v in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _reject(path, "unreadable", _say(f"the CSV file cannot be read: {exc}", f"CSV-filen kan ikke leses: {exc}")) from None
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return [SheetData(name=path.stem, rows=rows)], encoding, delimiter


def read_book(path: Union[str, Path]) -> Book:
    """Check the file, then read every sheet; raise :class:`ValidationFailed` for anything unsafe or unreadable."""
    p = Path(path)
    container = sniff(p)
    if container == "zip":
        deferred: set[str] = set()
        kind = check_zip(p, deferred)
        sheets = _read_calamine(p, kind)
        for sheet in sheets:
            if isinstance(sheet, _LazySheet):  # (every one is: calamine's sheets are read when first used)
                sheet.deferred = deferred
        return Book(p, kind, sheets)
    if container == "ole":
        kind = check_ole(p)
        return Book(p, kind, _read_calamine(p, kind))
    sheets, encoding, delimiter = _read_csv(p)
    return Book(p, "csv", sheets, encoding=encoding, delimiter=delimiter)

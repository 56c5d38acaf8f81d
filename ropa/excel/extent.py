"""How far a worksheet really reaches, found before calamine reads it.

calamine allocates a sheet as one rectangle, from A1 (as we read it) to its last cell: a 1 KB
file with one cell at A1 and one at XFD1048576 asks for 17 billion cells, and the allocation
failure aborts the whole process (no Python exception can catch it). So before calamine
reads an .xlsx sheet, its XML is scanned, streamed and without building anything, for the
cells it really has (not its ``<dimension>``, which may lie either way), and a sheet that
reaches beyond the limits below is refused with a message naming it and its extent.

The limits, in one place (README, "Command line", says them):

- :data:`MAX_COLUMNS`: a sheet read into memory may reach at most column SF (500 columns);
- :data:`MAX_CELLS`: and at most 100,000 rows × 500 columns = 50 million cells of rectangle
  (a narrow sheet may be taller: our own workbook's Transfers sheet of 100,000 activities is);
- :data:`MAX_MERGED_RANGES`: at most 10,000 distinct merged ranges, each clipped to the cells
  the sheet has (they only spread a header's text over the columns it spans).

Sheets too large for calamine's in-memory copy are streamed row by row
(:mod:`ropa.excel.xlsx_stream`), which allocates nothing by extent. Other formats (.xls is
limited to 65,536 × 256 by the format itself; .ods) are read in a memory-limited child
process by the Import page and the CLI (:mod:`ropa.isolation`), so they cannot stop the server.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

from ropa.errors import Problem, ValidationFailed

MAX_ROWS = 100_000  # rows × MAX_COLUMNS gives the largest rectangle
MAX_COLUMNS = 500
MAX_CELLS = MAX_ROWS * MAX_COLUMNS
MAX_MERGED_RANGES = 10_000
# A sheet of more XML than this is not scanned before it is read (the scan would cost a quarter of
# reading it, and such a sheet holds real data, not one stray cell); the Import page and the CLI
# read it in a memory-limited child process, and if that dies, :func:`diagnose` names the sheet.
SCAN_UP_TO = 4 * 2**20

_CHUNK = 1 << 20
_KEEP = 64  # bytes carried over between chunks, so a tag cut in two is still seen
# The fast scan looks at the XML through two translations, so that bytes.find (C speed, no Python
# per cell) answers "is there a 3-letter column?" and the like: letters become a (and S-Z S), digits 0.
_LETTERS = bytes(range(65, 91))
_DIGITS = b"0123456789"
_FLAT = bytes.maketrans(_LETTERS + _DIGITS, b"a" * 26 + b"0" * 10)
_HIGH = bytes.maketrans(_LETTERS + _DIGITS, b"a" * 18 + b"S" * 8 + b"0" * 10)  # A-R: a; S-Z: S
# Cell or row tags written other than <c r="…"> / <row r="…">: a prefix, other whitespace, r later
# or in single quotes. Then calamine counts positions itself, and the exact scan does the same.
_ODD = (b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r", b"<row>", b"<row/>", b"<row\t", b"<row\n", b"<row\r", b":c ", b":row ")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)(\s[^>]*)?/?>")
_ATTR_R = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")
_TALL = re.compile(rb' r="[A-Z]*(\d{6,})"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


def column_number(letters: str) -> int:
    """``A`` → 1, ``SF`` → 500, ``XFD`` → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _chunks(path: Path, member: zipfile.ZipInfo, overlap: int = _KEEP) -> Iterator[bytes]:
    """The part's bytes in chunks, each starting with the last ``overlap`` bytes of the one before."""
    with zipfile.ZipFile(path) as zf, zf.open(member) as raw:
        tail = b""
        while True:
            data = raw.read(_CHUNK)
            if not data:
                return
            yield tail + data
            tail = data[-overlap:] if overlap else b""


def sheet_extent(path: Path, member: zipfile.ZipInfo) -> tuple[int, int, Optional[str]]:
    """At most how many rows and columns an .xlsx sheet's cells span from A1, and what its
    ``<dimension>`` says (or None). The usual sheet (every cell written ``<c r="…">``, no row past
    99,999, no column past RZ) costs one inflate and a few C-speed searches; otherwise each cell's
    place is worked out as calamine does it. The rows and columns may be upper bounds."""
    dimension: Optional[str] = None
    odd = tall = two = high = three = False
    cells = named_cells = rows = named_rows = 0
    try:
        tail = b""
        for i, chunk in enumerate(_chunks(path, member)):
            if i == 0:
                found = _DIMENSION.search(chunk)
                dimension = found.group(1).decode() if found else None
            # each chunk starts with the last bytes of the one before: what lies wholly in them is
            # counted there, and a tag cut in two is seen whole here
            odd = odd or any(x in chunk for x in _ODD)
            cells += chunk.count(b"<c ") - tail.count(b"<c ")
            named_cells += chunk.count(b'<c r="') - tail.count(b'<c r="')
            rows += chunk.count(b"<row ") - tail.count(b"<row ")
            named_rows += chunk.count(b'<row r="') - tail.count(b'<row r="')
            flat = chunk.translate(_FLAT)
            three = three or b'r="aaa' in flat
            two = two or b'r="aa0' in flat
            tall = tall or b"a000000" in flat or b'r="000000' in flat
            if two and not high:
                higher = chunk.translate(_HIGH)
                high = b'r="Sa0' in higher or b'r="SS0' in higher
            tail = chunk[-_KEEP:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return 0, 0, dimension  # damaged: calamine's own reading says so, with the reason
    if odd or three or high or cells != named_cells or rows != named_rows:
        return (*_exact(path, member), dimension)
    max_cols = 494 if two else 26  # RZ, or Z
    max_rows = 99_999
    if tall:
        max_rows = 0
        for chunk in _chunks(path, member):
            for m in _TALL.finditer(chunk):
                max_rows = max(max_rows, int(m.group(1)))
    return max_rows, max_cols, dimension


def _exact(path: Path, member: zipfile.ZipInfo) -> tuple[int, int]:
    """Every cell's place, as calamine counts it (a cell or row without ``r`` follows the last)."""
    rows = cols = row = col = 0
    buffer = b""
    for chunk in _chunks(path, member, overlap=0):
        buffer += chunk
        at = 0
        for m in _TAG.finditer(buffer):
            ref = _ATTR_R.search(b" " + (m.group(2) or b"").lstrip())
            at = m.end()
            if m.group(1) == b"row":
                row, col = (int(ref.group(2)) if ref and ref.group(2) else row + 1), 0
                continue
            if ref and ref.group(1):
                col = column_number(ref.group(1).decode().upper())
                row = int(ref.group(2)) if ref.group(2) else row
            else:
                col += 1
            rows, cols = max(rows, row), max(cols, col)
        buffer = buffer[max(at, len(buffer) - 4096) :]  # a tag cut at the chunk's end is whole next time
    return rows, cols


def check_sheet(path: Path, member: zipfile.ZipInfo, sheet_name: str, *, always: bool = False) -> None:
    """Refuse an .xlsx sheet whose cells reach beyond :data:`MAX_COLUMNS` or :data:`MAX_CELLS`
    (a sheet of more than :data:`SCAN_UP_TO` bytes of XML only when ``always``)."""
    if member.file_size > SCAN_UP_TO and not always:
        return
    rows, cols, dimension = sheet_extent(path, member)
    if cols <= MAX_COLUMNS and rows * cols <= MAX_CELLS:
        return
    rows, cols = _exact(path, member)  # the bounds were too wide: each cell's own place
    if cols <= MAX_COLUMNS and rows * cols <= MAX_CELLS:
        return
    last = f"{column_letters(cols)}{rows}"
    said = f" (its dimension says {dimension})" if dimension and dimension.split(":")[-1] != last else ""
    raise ValidationFailed(
        [
            Problem(
                f"{path.name}: {sheet_name}",
                "sheet_too_large",
                f"the sheet '{sheet_name}' reaches cell {last}{said}: {rows:,} rows × {cols:,} columns; at most "
                f"{MAX_COLUMNS} columns and {MAX_ROWS:,} rows × {MAX_COLUMNS} columns can be read. Delete the stray "
                f"cells far from the data (Ctrl+End shows the last one) and save again / arket '{sheet_name}' går til "
                f"celle {last}: {rows:,} rader × {cols:,} kolonner; høyst {MAX_COLUMNS} kolonner og {MAX_ROWS:,} rader × "
                f"{MAX_COLUMNS} kolonner kan leses. Slett celler langt unna dataene (Ctrl+End viser den siste) og lagre på nytt",
            )
        ]
    )


def diagnose(path: Path) -> Optional[ValidationFailed]:
    """Why calamine could not read this .xlsx, if a sheet's extent is the reason: every sheet
    scanned, however large (after a child process reading it has died)."""
    from ropa.excel import xlsx_stream

    try:
        with zipfile.ZipFile(path) as zf:
            names = xlsx_stream.sheet_names(zf)
            members = [(name, xlsx_stream.member_of(zf, name)) for name in names]
    except Exception:  # noqa: BLE001 - not an .xlsx we can follow: nothing to say
        return None
    for name, member in members:
        if member is None:
            continue
        try:
            check_sheet(path, member, name, always=True)
        except ValidationFailed as err:
            return err
    return None


def clip_merged(
    merged: list[tuple[tuple[int, int], tuple[int, int]]], rows: int, cols: int, *, path: Path, sheet_name: str
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges clipped to the sheet's ``rows`` × ``cols`` cells, without duplicates or ranges
    outside them, in order; refuse a sheet with more than :data:`MAX_MERGED_RANGES` of them."""
    out: dict[tuple[tuple[int, int], tuple[int, int]], None] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 >= rows or c0 >= cols or r1 < r0 or c1 < c0:
            continue
        out[((r0, c0), (min(r1, rows - 1), min(c1, cols - 1)))] = None
    if len(out) > MAX_MERGED_RANGES:
        raise ValidationFailed(
            [
                Problem(
                    f"{path.name}: {sheet_name}",
                    "too_many_merged_ranges",
                    f"the sheet '{sheet_name}' has {len(out):,} merged ranges; at most {MAX_MERGED_RANGES:,} can be read: unmerge "
                    f"the cells and save again / arket '{sheet_name}' har {len(out):,} sammenslåtte områder; høyst "
                    f"{MAX_MERGED_RANGES:,} kan leses: del opp cellene og lagre på nytt",
                )
            ]
        )
    return list(out)


__all__ = ["MAX_CELLS", "MAX_COLUMNS", "MAX_MERGED_RANGES", "MAX_ROWS", "SCAN_UP_TO", "check_sheet", "clip_merged", "diagnose", "sheet_extent"]

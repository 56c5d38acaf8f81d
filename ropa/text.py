"""Stored text made inert wherever it is shown: Markdown, tables offered as CSV, terminals.

Names, notes and headers come from imported files and from other people. Shown raw they can
act on the reader: Markdown loads images (a tracking pixel) and renders links, colours and
LaTeX; a spreadsheet runs ``=HYPERLINK(...)`` from a downloaded CSV; a terminal obeys escape
sequences. Every edge passes stored text through one of these helpers.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

# What starts Markdown anywhere in a line: code, emphasis, strikethrough, links and images,
# HTML and <autolinks>, tables, LaTeX, entities, headings. A backslash makes each literal (CommonMark escapes).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]<>|$&#])")
# What starts a block at the beginning of a line: list items, quotes, setext underlines. A line
# begins after a carriage return too (CommonMark ends a line at CR, LF or CRLF).
_LINE_START = re.compile(r"(?:^|(?<=\r))([ \t]*)([-+=>]|\d+(?=[.)]))", re.MULTILINE)
# Streamlit's directives (":red", ":material/...") start at a colon before a letter.
_DIRECTIVE = re.compile(r":(?=[A-Za-z])")
# GFM turns a bare URL into a link by its pattern after escapes are read, so no escape stops it
# (and one right after it would show as a backslash): a zero-width space inside "://" and "www."
# keeps the text as it looks.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[Ww]{3})(?=\.)")


class Words(NamedTuple):
    """One text in bokmål and English, the one bilingual type: its fields are named, so no
    table holds a pair the other way round unnoticed, and :meth:`in_` is the one lookup."""

    nb: str
    en: str

    def in_(self, lang: str) -> str:
        """The text in ``lang`` (bokmål for "nb", English otherwise)."""
        return self.nb if lang == "nb" else self.en


def markdown(text: Any) -> str:
    """Text as literal Markdown: shown as stored, never as an image, link, colour, heading, list,
    HTML or LaTeX. For every ``st.markdown``/``caption``/``error``/title/label that shows stored
    text; not for plain-text widgets (``st.text``, dataframes, select options). Plain sentences
    come out unchanged; a bare URL stays text (a zero-width space keeps GFM from linking it)."""
    if text is None:
        return ""
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    out = _AUTOLINK.sub("\u200b", _DIRECTIVE.sub(r"\\:", out))
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), out)


# What spreadsheet programs may evaluate at the start of a cell (OWASP "CSV injection").
FORMULA_START = frozenset("=+-@\t\r")


# "+47 22 00 00 00" or "-5": a sign before digits calls no function, and phone numbers are common.
_ARITHMETIC = re.compile(r"[0-9 .,+\-()/]*")


def _formula_like(value: str) -> bool:
    head = value.lstrip(" ")[:1]
    if head in ("+", "-") and _ARITHMETIC.fullmatch(value):
        return False
    return head in FORMULA_START or (value[:1] == "'" and _formula_like(value[1:]))


def cell(value: Any) -> Any:
    """A table cell safe to download as CSV or copy into a spreadsheet: text that would run as a
    formula (a function, a DDE call, a link; not a phone number such as ``+47 22 00 00 00``) gets
    a leading apostrophe (shown, so the reader sees the value was neutralised);
    other values are returned as they are. :func:`uncell` undoes it exactly."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def uncell(value: Any) -> Any:
    """The stored value behind :func:`cell`'s display (for editable tables read back)."""
    if isinstance(value, str) and value[:1] == "'" and _formula_like(value[1:]):
        return value[1:]
    return value


def table(rows: Any, *, undo: bool = False) -> Any:
    """Rows (a list of dicts, a dict of columns or a pandas DataFrame) for ``st.dataframe`` and
    ``st.data_editor``, every text cell through :func:`cell`, so the table's own "Download as
    CSV" and copy write no live formula. ``undo=True`` reads an edited table back (:func:`uncell`)."""
    f = uncell if undo else cell
    if hasattr(rows, "columns") and hasattr(rows, "dtypes"):  # a DataFrame: only its text columns
        import pandas as pd
        from pandas.api.types import is_object_dtype, is_string_dtype

        out = rows.copy()
        for name, dtype in rows.dtypes.items():
            if is_object_dtype(dtype) or is_string_dtype(dtype):  # keep the dtype: map() makes an empty column float
                out[name] = pd.Series([f(v) for v in rows[name]], index=rows.index, dtype=dtype)
        return out
    if isinstance(rows, Mapping):
        return {k: [f(v) for v in col] if isinstance(col, list) else f(col) for k, col in rows.items()}
    return [{k: f(v) for k, v in row.items()} for row in rows]


# Unicode format characters that reorder or hide text on screen (Trojan Source) count as
# controls too; so do the line and paragraph separators some terminals act on.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _is_control(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) == "Cc"


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any, *, keep: Iterable[str] = ()) -> str:
    """Text for a terminal: every control character (C0, DEL, C1 such as ESC, BEL and CSI
    ``\\x9b``, and bidirectional overrides) is shown as a visible escape (``\\x1b``) instead of
    being sent to the terminal. ``keep`` names the few (newline, tab) a caller lays out itself."""
    kept = frozenset(keep)
    s = "" if text is None else str(text)
    if not any(_is_control(ch) for ch in s):
        return s
    return "".join(_escape(ch) if _is_control(ch) and ch not in kept else ch for ch in s)


def terminal_json(data: Any, **dumps: Any) -> str:
    """JSON for a terminal: ``json.dumps`` escapes C0 controls but writes DEL, C1 controls and
    bidirectional overrides raw (with ``ensure_ascii=False``); these become ``\\uXXXX`` escapes,
    so the output is the same JSON value and cannot drive the terminal."""
    out = json.dumps(data, ensure_ascii=False, **dumps)  # raw newlines here are its own layout
    return "".join(f"\\u{ord(ch):04x}" if _is_control(ch) and ch != "\n" else ch for ch in out)


def normalise_name(value: str) -> str:
    """The one form a name is stored and compared in: Unicode NFC, every run of whitespace
    (non-breaking space, tab, newline, double space) one space, trimmed. Every sheet of the
    workbook, the JSON import and every lookup use it, so a name always finds itself again."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())

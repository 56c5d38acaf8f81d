"""Typst, the typesetting engine behind the PDF documents, and the escaping that keeps
stored text from ever being read as typst markup.

Templates are Jinja2 files in ``templates/`` whose every ``{{ value }}`` is escaped by
:func:`escape` (Jinja's ``finalize``), so a purpose that reads ``#exit()`` or ``$x$`` prints as
typed. Markup is written only by the templates themselves (``| typst`` marks the output of a
template's own macro, whose values were escaped inside it).
"""

from __future__ import annotations

import string
import tempfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import typst

from ropa.errors import RopaError

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SPECIAL = frozenset(string.punctuation)


def escape(value: Any) -> str:
    """Text as typst markup that prints exactly that text.

    Every ASCII punctuation character gets a backslash (typst's escape for any symbol), which
    covers markup (``* _ ` $ # @ < > [ ] \\ ~``), comments (``//``, ``/*``), line-start syntax
    (``= - + /`` and ``1.``), smart quotes and shorthands (``--``, ``...``). A line break stays
    a line break; control characters other than tab are dropped.
    """
    if value is None:
        return ""
    out = []
    for ch in str(value):
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\\n")  # typst's forced line break: a backslash before whitespace
        elif ch == "\r":
            continue
        elif ord(ch) < 32 and ch != "\t":
            continue
        else:
            out.append(ch)
    return "".join(out)


class Code(str):
    """Typst source made by this module (a string literal), which the template emits as is."""


def _finalize(value: Any) -> str:
    return value if isinstance(value, Code) else escape(value)


def string_literal(value: Any) -> Code:
    """Text as a typst string literal (for arguments such as the document's title)."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ord(ch) >= 32 or ch in "\n\t")
    return Code('"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"')


@cache
def environment() -> jinja2.Environment:
    """Jinja for typst templates: every expression escaped; comments as ``<#-- … --#>``
    (typst uses ``{#`` itself)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        finalize=_finalize,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        comment_start_string="<#--",
        comment_end_string="--#>",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["str"] = string_literal
    env.filters["typst"] = lambda v: Code(str(v))  # only for a template's own macros, whose values are escaped inside
    return env


class TypesetFailed(RopaError):
    """Typst refused the generated source (a bug in a template, never the user's text)."""


def render_pdf(template: str, context: dict[str, Any], *, when: datetime | None = None) -> bytes:
    """Render a typst template with its context and compile it to PDF bytes.

    Only the fonts typst ships (Libertinus Serif, New Computer Modern, DejaVu Sans Mono) are
    used, so a PDF comes out the same on every machine.
    """
    return compile_pdf(environment().get_template(template).render(**context), when=when)


def compile_pdf(source: str, *, when: datetime | None = None) -> bytes:
    """Compile typst source to PDF in a sandbox: the project root is an empty temporary
    directory, so even source that tried ``#read``, ``#include`` or ``#image`` could reach no
    file of the machine, and no system font is loaded."""
    with tempfile.TemporaryDirectory(prefix="ropa-typst-") as tmp:
        path = Path(tmp) / "main.typ"
        path.write_text(source, encoding="utf-8")
        try:
            return bytes(typst.compile(str(path), root=tmp, ignore_system_fonts=True, font_paths=[], timestamp=int(when.timestamp()) if when else None))
        except typst.TypstError as err:
            raise TypesetFailed(f"typesetting failed: {err}") from None

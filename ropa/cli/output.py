"""What the CLI says and how it ends: exit codes, the print that no control character passes, the
problem lines and tables. Shared by every command module, which import nothing else of the CLI."""

from __future__ import annotations

import builtins
import logging
import sys
from collections.abc import Sequence
from typing import Any

from ropa.errors import ValidationFailed
from ropa.text import terminal

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def print(*values: Any, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False) -> None:  # noqa: A001
    """The module's print: control characters in the text are shown as escapes, never sent to
    the terminal (newlines and tabs are the output's own layout). Shadows the builtin on purpose,
    so no line of this module can print raw text."""
    builtins.print(terminal(sep.join(str(v) for v in values), keep="\n\t"), end=end, file=file, flush=flush)


class TerminalFormatter(logging.Formatter):
    """Log lines on stderr are terminal output too."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal(super().format(record), keep="\n\t")


def print_problems(err: ValidationFailed) -> None:
    for problem in err.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"rejected: {len(err.problems)} problem(s); nothing was written", file=sys.stderr)


def table(rows: list[list[str]], headers: list[str]) -> str:
    rows = [[terminal(c) for c in r] for r in rows]  # a newline or tab in a name must not break the layout
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])

"""Attacks through stored text: what a department contact or an imported file writes into a
field, shown to the DPO. Each test is the attack; it failed before the fix it names."""

from __future__ import annotations

import re

from ropa import text
from ropa.documents import notice

# CommonMark ends a line at CR as well as LF: a carriage return inside stored text (an Excel
# cell's line break, a pasted note) starts a new line, where "-", "1." or "===" make a list or a heading.
CR = ("fine\r- a list item", "fine\r1. a numbered item", "fine\r===", "fine\r  + item", "fine\r\n- item")


def _unescape(value: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value)


def _line_starts(markdown: str) -> list[str]:
    return re.split(r"\r\n?|\n", markdown)


def test_a_carriage_return_does_not_start_a_list_or_heading_in_the_dashboard():
    for hostile in CR:
        escaped = text.markdown(hostile)
        assert _unescape(escaped) == hostile  # shown exactly as stored
        for line in _line_starts(escaped):
            assert not re.match(r"[ \t]*([-+=>]|\d+[.)])", line), (hostile, escaped)


def test_a_carriage_return_does_not_start_a_list_or_heading_in_a_notice():
    for hostile in CR:
        escaped = notice.escape_markdown(hostile)
        for line in _line_starts(escaped):
            assert not re.match(r"\s*([-+=]|\d+[.)])", line), (hostile, escaped)

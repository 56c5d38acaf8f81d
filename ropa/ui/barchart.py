"""The overview's clickable horizontal bars: each bar is one Streamlit button whose background
shows its length.

Not a Vega-Lite chart: the browser loads and compiles Vega's 0.8 MB of JavaScript before it
draws the first chart, about a third of a second on the first page of a new tab (bench/browser.py),
and a chart's bar needs a mouse to click. Here each bar is a button (its whole label and count,
reachable by keyboard, read by a screen reader) stretched over the chart's width, filled from the
left as far as its count reaches against the largest: one element per bar, drawn by one style
rule per bar that addresses the button by the class Streamlit gives a keyed element
(``st-key-<key>``). A long list shows its first bars and offers the rest in one picker, so a
register of a hundred organisations draws twelve bars, not a hundred."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import streamlit as st

from ropa.text import markdown

SHOWN = 12  # bars drawn; the rest are offered in a picker
FILL, TRACK = "#d3e2f2", "#f2f5f9"  # the bar, and the rest of its row (the theme's secondary background)


# What JavaScript's String.trim() removes (its WhiteSpace and LineTerminator), which Python's
# str.strip() does not quite match (U+FEFF is one, U+001C-001F and U+0085 are not).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def key_class(key: str) -> str:
    """The CSS class Streamlit's browser code gives an element with this ``key`` (its
    ``"st-key-" + key.trim().replaceAll(/[^a-zA-Z0-9_-]/g, "-")``)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip(_JS_SPACE))


def bars(rows: Sequence[tuple[str, str, int]], key: str, more: Callable[[int], str] | None = None) -> list[str]:
    """Draw ``(code, label, n)`` in their order, each a button filled as far as its count, and the
    codes clicked (at most one: a click reruns the page). A bar with nothing behind it cannot be
    clicked. Past :data:`SHOWN` bars, the rest are in a picker whose placeholder is ``more(how
    many)``. Widget keys are ``key:bar:<position>:<code>`` (the position keeps each bar's style
    rule its own, where two names differ only in letters a CSS class cannot hold, "Ås" and "Øs";
    the code says what a click opens) and ``key:more``, which no bar's key can take."""
    top = max((n for _, _, n in rows), default=0) or 1
    picked: list[str] = []
    chart = key_class(f"{key}:bars")
    rules = [f".{chart} button{{padding:0 .6rem}}.{chart} button>div{{justify-content:flex-start}}"]  # the label from the bar's start
    with st.container(gap="xxsmall", key=f"{key}:bars"):
        for i, (code, label, n) in enumerate(rows[:SHOWN]):
            widget = f"{key}:bar:{i}:{code}"
            share = round(100 * n / top, 1)
            rules.append(f".{key_class(widget)} button{{background:linear-gradient(90deg,{FILL} {share}%,{TRACK} {share}%)}}")
            if st.button(f"{markdown(label)} · **{n}**", key=widget, type="tertiary", width="stretch", disabled=not n):
                picked.append(code)
        st.html(f"<style>{''.join(rules)}</style>")
    rest = {code: f"{label} · {n}" for code, label, n in rows[SHOWN:]}
    if rest:
        st.selectbox(
            (more or str)(len(rest)),
            list(rest),
            index=None,
            key=f"{key}:more",
            format_func=rest.__getitem__,
            placeholder=(more or str)(len(rest)),
            label_visibility="collapsed",
            on_change=_take,
            args=(f"{key}:more",),
        )
        choice = st.session_state.pop(f"{key}:more:taken", None)
        if choice in rest:
            picked.append(choice)
    return picked


def _take(widget: str) -> None:
    """Keep the picker's choice for this run and empty the picker: coming back to the page must
    not open the same list again."""
    st.session_state[f"{widget}:taken"] = st.session_state.get(widget)
    st.session_state[widget] = None

"""The overview's clickable horizontal bars, drawn with Streamlit's own buttons and progress bars.

Not a Vega-Lite chart: the browser loads and compiles Vega's 0.8 MB of JavaScript before it
draws the first chart, about a third of a second on the first page of a new tab (bench/browser.py),
and a chart's bar needs a mouse to click. Here each bar is a button (its whole label and count,
reachable by keyboard, read by a screen reader) over a bar whose length is the count against the
largest. A long list shows its first bars and offers the rest in one picker, so a register of a
hundred organisations draws twelve bars, not a hundred."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ropa.text import markdown

SHOWN = 12  # bars drawn; the rest are offered in a picker


def bars(rows: Sequence[tuple[str, str, int]], key: str, help: str | None = None, more: Callable[[int], str] | None = None) -> list[str]:
    """Draw ``(code, label, n)`` in their order, each a button over its bar, and the codes clicked
    (at most one: a click reruns the page). A bar with nothing behind it cannot be clicked. Past
    :data:`SHOWN` bars, the rest are in a picker whose placeholder is ``more(how many)``. Widget
    keys are ``key:bar:code`` and ``key:more``: a code (an organisation's name) cannot take the
    picker's key."""
    top = max((n for _, _, n in rows), default=0) or 1
    picked: list[str] = []
    for code, label, n in rows[:SHOWN]:
        with st.container(gap=None):
            if st.button(f"{markdown(label)} · **{n}**", key=f"{key}:bar:{code}", type="tertiary", help=help, disabled=not n):
                picked.append(code)
            st.progress(n / top)
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

"""The overview's clickable horizontal bar charts as ready Vega-Lite specs, built once per content.

Building a chart through Altair validates it against the Vega-Lite schema on every run (about
0.1 s a chart); the spec depends only on the bars, the colour and the axis title, so it is kept
as JSON (a fresh copy per run: Streamlit may change the spec it is given)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import altair as alt


def spec(bars: list[tuple[str, str, int]], title: str, colour: str = "#1f5c99") -> dict[str, Any]:
    """A horizontal bar chart of ``(code, label, n)`` in their order, whole labels, a click selects
    the bar's code (parameter ``pick``); ``title`` names the count axis."""
    return json.loads(_spec_json(tuple((str(c), str(label), int(n)) for c, label, n in bars), title, colour))


@lru_cache(maxsize=64)
def _spec_json(bars: tuple[tuple[str, str, int], ...], title: str, colour: str) -> str:
    rows = [{"code": c, "label": label, "n": n} for c, label, n in bars]
    name = "bars"  # as a named dataset, as Altair hands a frame to Streamlit
    pick = alt.selection_point(name="pick", fields=["code"])
    chart = (alt.Chart(alt.NamedData(name=name)).mark_bar(color=colour, cursor="pointer")
             .encode(y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=0)),
                     x=alt.X("n:Q", title=title, axis=alt.Axis(tickMinStep=1)),
                     tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("n:Q", title=title)],
                     opacity=alt.condition(pick, alt.value(1), alt.value(0.6)))
             .add_params(pick).properties(height=alt.Step(28)))  # a fixed height squashed the bars and hid labels
    return json.dumps({**chart.to_dict(), "datasets": {name: rows}})

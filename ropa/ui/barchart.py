"""The overview's clickable horizontal bar charts as ready Vega-Lite specs, built once per content.

Written as plain Vega-Lite, not through Altair: importing Altair costs half a second at the
first page after a start, and building a chart through it validates the whole schema (about
0.1 s a chart). The spec depends only on the bars, the colour and the axis title, so it is kept
as JSON (a fresh copy per run: Streamlit may change the spec it is given)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any


def spec(bars: list[tuple[str, str, int]], title: str, colour: str = "#1f5c99") -> dict[str, Any]:
    """A horizontal bar chart of ``(code, label, n)`` in their order, whole labels, a click selects
    the bar's code (parameter ``pick``); ``title`` names the count axis."""
    return json.loads(_spec_json(tuple((str(c), str(label), int(n)) for c, label, n in bars), title, colour))


@lru_cache(maxsize=64)
def _spec_json(bars: tuple[tuple[str, str, int], ...], title: str, colour: str) -> str:
    rows = [{"code": c, "label": label, "n": n} for c, label, n in bars]
    return json.dumps(
        {
            "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "data": {"name": "bars"},  # a named dataset, as Altair hands a frame to Streamlit
            "datasets": {"bars": rows},
            "mark": {"type": "bar", "color": colour, "cursor": "pointer"},
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 0}},
                "x": {"field": "n", "type": "quantitative", "title": title, "axis": {"tickMinStep": 1}},
                "tooltip": [{"field": "label", "type": "nominal", "title": " "}, {"field": "n", "type": "quantitative", "title": title}],
                "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.6},
            },
            "params": [{"name": "pick", "select": {"type": "point", "fields": ["code"]}}],
            "height": {"step": 28},  # a fixed height squashed the bars and hid labels
        }
    )

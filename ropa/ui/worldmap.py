"""The overview's transfer map as a ready Vega-Lite spec, built once per register state and language.

Altair walks every coordinate of the ~200 country shapes when it turns a chart into a spec
(over a second per run at any register size); the spec depends only on the destinations and
the language, so it is built once for each and kept as JSON (a fresh copy per run: Streamlit
may change the spec it is given)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import altair as alt

from ropa import geo, stats


def spec(destinations: list[dict[str, Any]], lang: str, titles: tuple[str, str, str]) -> dict[str, Any]:
    """The map of ``destinations`` (``stats.overview``'s) in ``lang``; ``titles`` name the
    tooltip's country, status and transfers."""
    key = tuple((d["country"], int(d.get("transfers", 0)), int(d.get("activities", 0))) for d in destinations)
    return json.loads(_spec_json(key, lang, titles))


@lru_cache(maxsize=16)
def _spec_json(key: tuple[tuple[str, int, int], ...], lang: str, titles: tuple[str, str, str]) -> str:
    shapes = geo.world([{"country": c, "transfers": n, "activities": a} for c, n, a in key], lang)
    statuses = list(stats.STATUS_COLOURS)
    pick = alt.selection_point(name="pick", fields=["code"])
    chart = (alt.Chart(alt.Data(values=shapes["features"]))
             .transform_calculate(shade="datum.properties.transfers > 0 ? datum.properties.status : 'none'", code="datum.properties.code")
             .mark_geoshape(stroke="#ffffff", strokeWidth=0.4, cursor="pointer")
             .encode(color=alt.Color("shade:N", legend=None,
                                     scale=alt.Scale(domain=[*statuses, "none"], range=[*stats.STATUS_COLOURS.values(), "#e4e7eb"])),
                     tooltip=[alt.Tooltip("properties.name:N", title=titles[0]),
                              alt.Tooltip("properties.status_label:N", title=titles[1]),
                              alt.Tooltip("properties.transfers:Q", title=titles[2])])
             .add_params(pick).project("equalEarth").properties(height=360))
    return json.dumps(chart.to_dict())

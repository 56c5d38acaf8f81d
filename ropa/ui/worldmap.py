"""The overview's transfer map as a ready Vega-Lite spec, built once per register state and language.

Written as plain Vega-Lite: Altair walks every coordinate of the ~200 country shapes when it
turns a chart into a spec (most of a second, and half a second more to import it at the first
page after a start). The spec depends only on the destinations and the language, so it is built
once for each and kept as JSON (a fresh copy per run: Streamlit may change the spec it is given)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

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
    return json.dumps(
        {
            "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "data": {"values": shapes["features"]},
            "transform": [
                {"calculate": "datum.properties.transfers > 0 ? datum.properties.status : 'none'", "as": "shade"},
                {"calculate": "datum.properties.code", "as": "code"},
            ],
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4, "cursor": "pointer"},
            "encoding": {
                "color": {
                    "field": "shade",
                    "type": "nominal",
                    "legend": None,
                    "scale": {"domain": [*statuses, "none"], "range": [*stats.STATUS_COLOURS.values(), "#e4e7eb"]},
                },
                "tooltip": [
                    {"field": "properties.name", "type": "nominal", "title": titles[0]},
                    {"field": "properties.status_label", "type": "nominal", "title": titles[1]},
                    {"field": "properties.transfers", "type": "quantitative", "title": titles[2]},
                ],
            },
            "params": [{"name": "pick", "select": {"type": "point", "fields": ["code"]}}],
            "projection": {"type": "equalEarth"},
            "height": 360,
        },
        separators=(",", ":"),
    )

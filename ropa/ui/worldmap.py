"""The overview's transfer map as an inline SVG picture, built once per register state and language.

Drawn on the server from the country shapes shipped with the app (:mod:`ropa.geo`) in the Equal
Earth projection, and shown as plain SVG: the browser draws it natively, with no chart library to
load first (Vega took about a third of a second on the first page of a new tab, bench/browser.py)
and nothing asked of the internet. Each country names itself, its status and its transfers in a
tooltip (SVG ``<title>``); the list beside the map opens the activities behind a country."""

from __future__ import annotations

import math
from functools import cache, lru_cache
from html import escape
from typing import Any

from ropa import geo, stats

NONE_COLOUR = "#e4e7eb"  # countries no data go to
WIDTH = 1000.0  # the picture's own units; it is scaled to the column's width
SMALL = 8.0  # a country narrower and lower than this (in those units) gets a dot over it

# Equal Earth (Šavrič, Patterson and Jenny 2018): a world map whose areas are true to size.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_X_MAX = 2 * math.sqrt(3) * math.pi / (3 * _A1)  # x at longitude 180°, latitude 0°
_SCALE = WIDTH / (2 * _X_MAX)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Longitude and latitude (degrees) to the picture's x and y (y grows downwards)."""
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * math.radians(lon) * math.cos(theta) / (3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return (x + _X_MAX) * _SCALE, -y * _SCALE


# The inhabited world, from northern Greenland to Cape Horn: the far southern islands would add a
# band of empty sea below South America.
_TOP, _BOTTOM = project(0, 84)[1], project(0, -57)[1]


TOLERANCE = 0.3  # a point is dropped where the outline drawn passes within this of it
GRID = 2  # points on a half-unit grid, written relative to the one before ("l3.5-1"): a third of the bytes
# Every point of a shipped outline lies within this of the outline drawn (the grid moves a point
# by at most half its diagonal): under 0.7 units, under a pixel on screen, where the map is at most
# 1,000 units across its column.
BOUND = TOLERANCE + (2**0.5) / (2 * GRID)


def segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far ``p`` is from the segment ``a``-``b`` (not from the line through them: a point
    beyond an end is as far as that end)."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    span = dx * dx + dy * dy
    t = 0.0 if not span else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / span))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Douglas-Peucker: the ring's points that keep its outline within :data:`TOLERANCE`."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    spans = [(0, len(points) - 1)]
    while spans:
        a, b = spans.pop()
        far, at = -1.0, a
        for i in range(a + 1, b):
            d = segment_distance(points[i], points[a], points[b])
            if d > far:
                far, at = d, i
        if far > TOLERANCE:
            keep[at] = True
            spans += [(a, at), (at, b)]
    return [p for p, k in zip(points, keep) if k]


def _ring(points: list[tuple[float, float]]) -> str:
    """One closed ring as SVG path data: the first point absolute, the rest relative, on the grid."""
    grid: list[tuple[int, int]] = []
    for x, y in _simplify(points):
        g = (round(x * GRID), round(y * GRID))
        if not grid or grid[-1] != g:
            grid.append(g)
    if len(set(grid)) < 3:  # collapsed to a line or a point at this scale: nothing to fill
        return ""

    def num(v: int) -> str:
        return f"{v / GRID:g}"

    steps = []
    for (ax, ay), (bx, by) in zip(grid, grid[1:]):
        dx, dy = num(bx - ax), num(by - ay)
        steps.append(dx + ("" if dy.startswith("-") else " ") + dy)  # a minus sign separates numbers itself
    body = steps[0] + "".join(step if step.startswith("-") else " " + step for step in steps[1:])
    return f"M{num(grid[0][0])} {num(grid[0][1])}l{body}z"


def _path(geometry: dict[str, Any]) -> tuple[str, tuple[float, float, float, float]]:
    """SVG path data of a GeoJSON Polygon or MultiPolygon (simplified, see :func:`_ring`) and its
    bounding box (left, top, right, bottom)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = []
    box = [math.inf, math.inf, -math.inf, -math.inf]
    for polygon in polygons:
        for ring in polygon:
            points = [project(lon, lat) for lon, lat, *_ in ring]
            for x, y in points:
                box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
            out.append(_ring(points))
    return "".join(out), (box[0], box[1], box[2], box[3])


@cache
def _outline(shape: int) -> tuple[str, tuple[float, float, float, float]]:
    """The path of the ``shape``-th of :func:`ropa.geo.world`'s shapes: the same for every map, made once."""
    return _path(geo.shape(shape))


def _dot(at: tuple[float, float], colour: str, code: str, title: str) -> str:
    return f'<circle cx="{at[0]:.1f}" cy="{at[1]:.1f}" r="5" fill="{colour}" data-code="{escape(code)}"><title>{escape(title)}</title></circle>'


def svg(destinations: list[dict[str, Any]], lang: str, transfers_word: str) -> str:
    """The map of ``destinations`` (``stats.overview``'s) in ``lang``: countries data go to coloured
    by status (EEA, adequacy, conditional adequacy, third country), the rest grey; ``transfers_word``
    names the count in a country's tooltip. One line of SVG, safe to give ``st.markdown``."""
    key = tuple((d["country"], int(d.get("transfers", 0)), int(d.get("activities", 0))) for d in destinations)
    return _svg(key, lang, transfers_word)


@lru_cache(maxsize=16)
def _svg(key: tuple[tuple[str, int, int], ...], lang: str, transfers_word: str) -> str:
    shapes = geo.world([{"country": c, "transfers": n, "activities": a} for c, n, a in key], lang)
    paths: list[str] = []
    marks: list[str] = []  # drawn last, over the shapes
    for feature in shapes["features"]:
        p = feature["properties"]
        if p["code"] == "AQ":  # Antarctica: a third of the picture's height, no data go there
            continue
        shown = p["transfers"] > 0
        colour = stats.STATUS_COLOURS.get(p["status"], NONE_COLOUR) if shown else NONE_COLOUR
        title = p["name"] + (f" · {p['status_label']} · {transfers_word}: {p['transfers']}" if shown else "")
        if feature["geometry"]["type"] == "Point":  # no shape to draw: a dot where the country is
            marks.append(_dot(project(*feature["geometry"]["coordinates"][:2]), colour, p["code"], title))
            continue
        d, (left, top, right, bottom) = _outline(p["shape"])
        if d:
            paths.append(f'<path d="{d}" fill="{colour}" data-code="{escape(p["code"])}"><title>{escape(title)}</title></path>')
        if shown and (not d or max(right - left, bottom - top) < SMALL):  # Malta, Luxembourg: too small to see unmarked
            marks.append(_dot(((left + right) / 2, (top + bottom) / 2), colour, p["code"], title))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {_TOP:.1f} {WIDTH:.0f} {_BOTTOM - _TOP:.1f}" width="100%" role="img" '
        f'aria-label="{escape(transfers_word)}" stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd" '
        f'style="display:block;max-height:420px">{"".join(paths)}{"".join(marks)}</svg>'
    )

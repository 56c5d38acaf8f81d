"""Country shapes for the offline transfer map: countryinfo's GeoJSON (a dependency already),
so the map needs no tiles or base map from the internet."""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry

from ropa import vocab


def _round(coords: Any) -> Any:
    # One decimal (about 10 km) is plenty at world scale; the map simplifies further (ropa.ui.worldmap).
    return [_round(c) for c in coords] if isinstance(coords, list) else round(float(coords), 1)


@cache
def _shapes() -> tuple[tuple[str, dict[str, Any]], ...]:
    from countryinfo import CountryInfo

    out = []
    for c in pycountry.countries:
        try:
            collection = CountryInfo(c.alpha_2).geo_json()
        except Exception:  # noqa: BLE001 - countryinfo raises for codes it lacks (e.g. XK)
            continue
        for feature in (collection or {}).get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("coordinates"):
                out.append((c.alpha_2, {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}))
    return tuple(out)


def shape(index: int) -> dict[str, Any]:
    """The ``index``-th shape (the ``shape`` property :func:`world` gives a country's feature)."""
    return _shapes()[index][1]


@cache
def point(code: str) -> Any:
    """A country's GeoJSON Point (its centre as countryinfo gives it), or None: for a destination
    countryinfo has no shape for (Singapore, Hong Kong, Guernsey, Jersey, the Isle of Man …)."""
    from countryinfo import CountryInfo

    try:
        lat, lon = CountryInfo(code).latlng()[:2]
    except Exception:  # noqa: BLE001 - countryinfo raises for codes it lacks
        return None
    return {"type": "Point", "coordinates": [round(float(lon), 2), round(float(lat), 2)]}


def world(destinations: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Every country with a shape as a GeoJSON FeatureCollection whose properties say its name in the
    language, its status (EEA / adequacy / third country: ``vocab.CountryStatus``) and the number of
    transfers to it (0 for countries no data go to); a destination without a shape comes as a Point."""
    counts = {d["country"]: d for d in destinations}
    shaped = {code for code, _ in _shapes()}
    features = []
    pointed = [(code, point(code)) for code in counts if code not in shaped]
    shapes = len(_shapes())
    for i, (code, geometry) in enumerate([*_shapes(), *((c, g) for c, g in pointed if g)]):
        d = counts.get(code) or {}
        status = vocab.country_status(code)
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": code,
                    "name": vocab.country_name(code, lang),
                    "status": status.value if status else "",
                    "status_label": vocab.COUNTRY_STATUSES[status.value].label(lang) if status else "",
                    "transfers": int(d.get("transfers", 0)),
                    "activities": int(d.get("activities", 0)),
                    "shape": i if i < shapes else None,  # which of the shipped shapes: the map draws each once (ropa.ui.worldmap)
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

"""Layers that apps above risks add to the four-colour map (e.g. the open major hidden hazards).

Risks must not import the apps built on it, yet the map should show their markers. An app registers a
`MapLayer` when it loads (`AppConfig.ready`), naming a JSON endpoint of its own; the map page lists the
layers the user may see, and `static/risks/map.js` fetches each switched-on layer with `?division=<code>`
when it draws a division and adds its markers over the enterprises.

The endpoint answers (its own selector scopes it; a division out of scope is a 404):
`{"markers": [{"name", "lat", "lon", "url", "lines": [str, …]}, …], "items": [{"text", "url", "note"}, …],
"unplaced": int}` — a marker per place with the lines of its tooltip and where a click goes (an optional
`"colour"` (hex) overrides the layer's for that marker, e.g. a major hazard source's grade); the items
are the layer's list beside the map (links); `unplaced` counts what has no coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class MapLayer:
    key: str  # a short identifier (letters, digits, dashes): the toggle's value
    label: str | Promise  # the toggle's and the list card's title
    url_name: str  # the JSON endpoint (reversed without arguments)
    colour: str = "#1d273b"  # the markers' fill (hex)
    symbol: str = "pin"  # an ECharts symbol
    order: int = 100
    visible: Callable[[Any], bool] = _everyone


_LAYERS: dict[str, MapLayer] = {}


def register(layer: MapLayer) -> MapLayer:
    """Add (or replace, by key) a layer; called from the owning app's `AppConfig.ready`."""
    _LAYERS[layer.key] = layer
    return layer


def layers_for(user: Any) -> list[dict[str, str]]:
    """The layers this user may switch on, for the map page's config."""
    return [
        {
            "key": layer.key,
            "label": str(layer.label),
            "url": reverse(layer.url_name),
            "colour": layer.colour,
            "symbol": layer.symbol,
        }
        for layer in sorted(_LAYERS.values(), key=lambda item: (item.order, item.key))
        if layer.visible(user)
    ]

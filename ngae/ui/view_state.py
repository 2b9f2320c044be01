"""The latent map's view as a URL query string, and back (pure: no Streamlit).

A view is the checkpoint, projection, colour, split filter, layer (and atlas shading), the
structural query and the focused architecture. :func:`view_params` writes the parameters a
link carries; :func:`read_view` reads them back against what this server offers, keeping
every good value and replacing each bad or stale one by its default, with a notice saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

PARAMS = ("ckpt", "proj", "colour", "split", "layer", "shade", "query", "focus")


@dataclass(frozen=True)
class MapView:
    """What a link restores; ``None``: not given (the page keeps its default)."""

    checkpoint: str | None = None
    projection: str | None = None
    colour: str | None = None
    splits: tuple[str, ...] | None = None
    layer: str | None = None
    shade: str | None = None
    query: str | None = None
    focus: tuple | None = None  # ("data", index) or ("typed", (x, y))


@dataclass(frozen=True)
class Offer:
    """What this server can show: the valid values of each parameter."""

    checkpoints: tuple[str, ...]
    projections: tuple[str, ...]
    colours: tuple[str, ...]
    splits: tuple[str, ...]
    layers: tuple[str, ...]
    shades: tuple[str, ...]
    rows: int
    check_query: object = field(default=None)  # callable(text) raising for a bad query


def view_params(view: MapView) -> dict[str, str]:
    """The query parameters of ``view`` (the ones it sets)."""
    out: dict[str, str] = {}
    simple = {"ckpt": view.checkpoint, "proj": view.projection, "colour": view.colour,
              "layer": view.layer, "shade": view.shade, "query": view.query}  # fmt: skip
    out.update({k: v for k, v in simple.items() if v})
    if view.splits is not None:
        out["split"] = ",".join(view.splits)
    if view.focus is not None:
        kind, value = view.focus
        out["focus"] = f"i{value}" if kind == "data" else f"p{value[0]:.4f},{value[1]:.4f}"
    return out


def view_query_string(view: MapView, keep: dict[str, str] | None = None) -> str:
    """``?...`` for a link: the view's parameters after any other ``keep`` parameters."""
    return "?" + urlencode({**(keep or {}), **view_params(view)})


def read_view(params: dict[str, str], offer: Offer) -> tuple[MapView, list[str]]:
    """A view from query parameters, and a notice for each value that could not be used."""
    notices: list[str] = []

    def pick(name: str, valid: tuple[str, ...], what: str) -> str | None:
        value = params.get(name)
        if value is None or value in valid:
            return value
        notices.append(f"{what} {value!r} is not available here: showing the default.")
        return None

    checkpoint = pick("ckpt", offer.checkpoints, "Checkpoint")
    projection = pick("proj", offer.projections, "Projection")
    colour = pick("colour", offer.colours, "Colour")
    layer = pick("layer", offer.layers, "Layer")
    shade = pick("shade", offer.shades, "Atlas shading")
    splits = None
    if "split" in params:
        given = tuple(s for s in params["split"].split(",") if s)
        splits = tuple(s for s in given if s in offer.splits)
        if len(splits) != len(given):
            notices.append(f"Split {params['split']!r} names unknown splits: they were left out.")
    query = params.get("query")
    if query and offer.check_query is not None:
        try:
            offer.check_query(query)
        except ValueError as err:  # UserInputError is a ValueError
            notices.append(f"Query not restored: {err}")
            query = None
    focus = _focus(params.get("focus"), offer.rows, notices)
    return MapView(checkpoint, projection, colour, splits, layer, shade, query, focus), notices


def _focus(text: str | None, rows: int, notices: list[str]) -> tuple | None:
    if not text:
        return None
    m = re.fullmatch(r"i(\d+)", text)
    if m and int(m.group(1)) < rows:
        return ("data", int(m.group(1)))
    m = re.fullmatch(r"p(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)", text)
    if m:
        return ("typed", (float(m.group(1)), float(m.group(2))))
    notices.append(f"Focus {text!r} is not an architecture of this checkpoint: none is shown.")
    return None

"""The latent map's view as a URL query string, and back (pure: no Streamlit).

A view is the checkpoint, projection, colour, split filter, layer (and atlas shading), the
structural query, the focused architecture, the selection and the second checkpoint aligned
onto the map. :func:`view_params` writes the parameters a
link carries; :func:`read_view` reads them back against what this server offers, keeping
every good value and replacing each bad or stale one by its default, with a notice saying so.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np

PARAMS = ("ckpt", "proj", "colour", "split", "layer", "shade", "query", "focus", "sel", "vs")
MAX_RANGES_TEXT = 300  # longer index lists travel as a compressed bit mask


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
    selection: tuple[int, ...] | None = None  # data-set rows, sorted
    second: str | None = None  # a second checkpoint aligned onto the map


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
    current: str | None = None  # the checkpoint shown now (a link without ``ckpt`` keeps it)


def view_params(view: MapView) -> dict[str, str]:
    """The query parameters of ``view`` (the ones it sets)."""
    out: dict[str, str] = {}
    simple = {"ckpt": view.checkpoint, "proj": view.projection, "colour": view.colour,
              "layer": view.layer, "shade": view.shade, "query": view.query,
              "vs": view.second}  # fmt: skip
    out.update({k: v for k, v in simple.items() if v})
    if view.splits is not None:
        out["split"] = ",".join(view.splits)
    if view.focus is not None:
        kind, value = view.focus
        out["focus"] = f"i{value}" if kind == "data" else f"p{value[0]:.4f},{value[1]:.4f}"
    if view.selection:
        out["sel"] = encode_rows(view.selection)
    return out


def encode_rows(rows) -> str:
    """Data-set rows as text for a URL.

    ``3-7,12`` ranges, or ``z`` + a compressed bit mask (base64url) where the ranges would run
    past :data:`MAX_RANGES_TEXT` characters.
    """
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    if len(rows) == 0:
        return ""
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts, ends = rows[np.r_[0, breaks]], rows[np.r_[breaks - 1, len(rows) - 1]]
    text = ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True))
    if len(text) <= MAX_RANGES_TEXT:
        return text
    mask = np.zeros(rows[-1] + 1, dtype=bool)
    mask[rows] = True
    packed = zlib.compress(np.packbits(mask).tobytes(), 9)
    return "z" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_rows(text: str, rows: int) -> tuple[int, ...]:
    """The rows :func:`encode_rows` wrote; ``ValueError`` for bad text or rows ``>= rows``."""
    if text.startswith("z"):
        try:
            body = text[1:] + "=" * (-len(text[1:]) % 4)
            inflate = zlib.decompressobj()  # at most the data set's mask: no zip bomb
            packed = base64.b64decode(body, altchars=b"-_", validate=True)
            raw = inflate.decompress(packed, (rows + 7) // 8)
        except (binascii.Error, zlib.error, ValueError) as err:
            raise ValueError("the selection is not a readable bit mask") from err
        if not inflate.eof and not inflate.unconsumed_tail:
            raise ValueError("the selection is not a readable bit mask")
        if inflate.unconsumed_tail:
            raise ValueError("the selection names rows past the end of this data set")
        picked = np.flatnonzero(np.unpackbits(np.frombuffer(raw, dtype=np.uint8)))
    else:
        picked = []
        for part in text.split(","):
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", part.strip())
            if not m:
                raise ValueError(f"{part!r} is not a row or a range of rows")
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            if b < a or b >= rows:
                raise ValueError(f"rows {part!r} are not in this data set")
            picked.extend(range(a, b + 1))
        picked = np.unique(picked)
    if len(picked) and picked[-1] >= rows:
        raise ValueError(f"row {int(picked[-1])} is not in this data set")
    return tuple(int(i) for i in picked)


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
    selection = None
    if params.get("sel"):
        try:
            selection = decode_rows(params["sel"], offer.rows) or None
        except ValueError as err:
            notices.append(f"Selection not restored: {err}.")
    second = pick("vs", offer.checkpoints, "Second checkpoint")
    if second is not None and second == (checkpoint or offer.current):
        notices.append(f"Second checkpoint {second!r} is the map's own: none is aligned.")
        second = None
    view = MapView(
        checkpoint, projection, colour, splits, layer, shade, query, focus, selection, second
    )
    return view, notices


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

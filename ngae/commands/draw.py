"""``ngae draw "ARCH" --out cell.svg``: a cell (or an Asia network) drawn by Graphviz."""

from __future__ import annotations

import argparse
from pathlib import Path

from ngae.errors import UserInputError
from ngae.files import atomic_write_bytes
from ngae.spaces.registry import SPACES, space_named, space_parsing
from ngae.ui.cells import DRAW_FORMATS, cell_file


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``draw`` parser."""
    p = sub.add_parser("draw", help="draw a cell with Graphviz (SVG, PNG or PDF)")
    p.add_argument(
        "arch",
        help="an object's string: an ENAS architecture's 21 integers, an Asia network's "
        "64-digit adjacency, ...",
    )
    p.add_argument(
        "--out", required=True, help="file to write; its suffix picks the format: .svg, .png, .pdf"
    )
    p.add_argument("--vertical", action="store_true", help="top to bottom instead of left to right")
    p.add_argument(
        "--space",
        choices=tuple(SPACES),
        default=None,
        help="the search space (default: the first space that reads the string)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the drawing; prints the file written."""
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in DRAW_FORMATS:
        suffixes = ", ".join("." + f for f in DRAW_FORMATS)
        raise UserInputError(f"--out {out.name}: the suffix must be one of {suffixes}")
    if not out.parent.is_dir():
        raise UserInputError(f"--out {out}: no folder {out.parent}")
    text = args.arch.strip()
    space = space_named(args.space) if args.space else space_parsing(text)
    item = space.parse(text)
    data = cell_file(item.to_string(), fmt, args.vertical, space.name)
    atomic_write_bytes(out, lambda f: f.write(data))
    print(out)
    return 0

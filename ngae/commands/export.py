"""``ngae export --checkpoint PATH --format tensorboard|parquet|csv --out DIR``."""

from __future__ import annotations

import argparse

from ngae.explorer.exports import EXPORT_FORMATS, write_export
from ngae.explorer.service import Explorer


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` parser."""
    p = sub.add_parser(
        "export",
        help="write a checkpoint's latent codes for TensorBoard's projector, Parquet or CSV",
    )
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("--out", required=True, help="folder to write into (created)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the export; prints each file written."""
    ex = Explorer.open(args.checkpoint)
    for path in write_export(ex, args.format, args.out):
        print(path)
    return 0

"""``ngae convert SOURCE TARGET``: D-VAE's files to and from this project's, by file suffix.

SOURCE: a data set (``.txt`` D-VAE's ENAS text, ``.jsonl`` the general DAG format) or a D-VAE
data pickle (``.pkl``, read through a restricted unpickler). TARGET:

* ``.pkl``: D-VAE's data pickle ``(train_data, test_data, graph_args)`` of ``(igraph, y)``
  items, split as D-VAE splits a text file (burn-in, seeded shuffle, 90% train);
* ``.txt`` / ``.jsonl``: the data set in this project's formats (a pickle's training graphs
  first, then its test graphs; ``.txt`` needs ENAS cells);
* ``.mat``: D-VAE's latent file (``Z_train, Y_train, Z_test, Y_test``) of the codes that
  ``--checkpoint`` gives SOURCE's graphs, for D-VAE's Bayesian-optimisation scripts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ngae.errors import UserInputError
from ngae.model.checkpoint import load_checkpoint, model_from_checkpoint
from ngae.model.inference import compute_latents
from ngae.spaces.enas.data_file import write_enas_file
from ngae.spaces.enas.dvae_pickles import load_dvae_pickle, save_dvae_pickle, save_latent_mat
from ngae.spaces.graph_data import GraphData, write_jsonl_file
from ngae.spaces.registry import load_dataset
from ngae.training.fit import split_data

SOURCES = (".txt", ".jsonl", ".pkl")
TARGETS = (".pkl", ".txt", ".jsonl", ".mat")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``convert`` parser."""
    p = sub.add_parser(
        "convert",
        help="convert between D-VAE's files (.pkl data, .mat latents) and this project's",
        description=__doc__.split("\n\n", 1)[1].replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", help="data set (.txt, .jsonl) or D-VAE data pickle (.pkl)")
    p.add_argument("target", help="file to write: .pkl, .txt, .jsonl or .mat")
    p.add_argument("--checkpoint", help="the model whose latent codes a .mat target holds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read SOURCE, write TARGET; prints what was written."""
    source, target = Path(args.source), Path(args.target)
    if source.suffix not in SOURCES:
        raise UserInputError(f"{source.name}: the source must end in {', '.join(SOURCES)}")
    if target.suffix not in TARGETS:
        raise UserInputError(f"{target.name}: the target must end in {', '.join(TARGETS)}")
    if target.suffix == ".mat" and not args.checkpoint:
        raise UserInputError("a .mat target holds latent codes: give --checkpoint")
    if not target.parent.is_dir():
        raise UserInputError(f"{target}: no folder {target.parent}")
    train, test = read_splits(source)
    if target.suffix == ".pkl":
        save_dvae_pickle(target, train, test)
    elif target.suffix == ".mat":
        write_latents(Path(args.checkpoint), train, test, target)
    else:
        write_dataset(target, train, test)
    print(f"{target}: {len(train)} training and {len(test)} test graphs")
    return 0


def read_splits(source: Path) -> tuple[GraphData, GraphData]:
    """A pickle's own splits, or D-VAE's split of a data set file."""
    if source.suffix == ".pkl":
        read = load_dvae_pickle(source)
        return read.train, read.test
    return split_data(load_dataset(source))


def write_dataset(target: Path, train: GraphData, test: GraphData) -> None:
    """Both splits, training graphs first, as ENAS text or JSON lines."""
    if target.suffix == ".jsonl":
        write_jsonl_file(target, _concat(train, test))
        return
    if train.archs is None or test.archs is None:
        raise UserInputError(f"{target.name}: the graphs are not ENAS cells; write .jsonl")
    write_enas_file(target, [*train.archs, *test.archs], np.concatenate([train.acc, test.acc]))


def write_latents(checkpoint: Path, train: GraphData, test: GraphData, target: Path) -> None:
    """D-VAE's latent file: the checkpoint's latent means of both splits and their targets."""
    model = model_from_checkpoint(load_checkpoint(checkpoint), "cpu").eval()
    if train.max_n != model.cfg.max_n or train.num_types > model.cfg.num_types:
        raise UserInputError(
            f"{checkpoint.name} models graphs of {model.cfg.max_n} vertices and "
            f"{model.cfg.num_types} types; these have {train.max_n} and {train.num_types}"
        )
    z_train, z_test = compute_latents(model, train).mu, compute_latents(model, test).mu
    save_latent_mat(target, z_train, train.acc, z_test, test.acc)


def _concat(a: GraphData, b: GraphData) -> GraphData:
    return GraphData(
        np.concatenate([a.types, b.types]),
        np.concatenate([a.adj, b.adj]),
        np.concatenate([a.acc, b.acc]),
        np.concatenate([a.params, b.params]),
        np.concatenate([a.proxy, b.proxy]),
        a.strings + b.strings,
        None if a.archs is None or b.archs is None else a.archs + b.archs,
        max(a.num_types, b.num_types),
    )

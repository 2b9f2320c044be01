"""The explorer service: one :class:`Explorer` per checkpoint, shared by every caller.

Pages and the CLI never touch model internals: they call these methods and render what comes
back (dataclasses from :mod:`ngae.explorer.results`, DataFrames, arrays). An ``Explorer`` is
safe to share between browser sessions and threads: its model is frozen when it is opened
(eval mode, no parameter requires grad) and no request changes it or any other attribute;
inference runs under ``no_grad`` and search differentiates with respect to latent points only.
Background projections are guarded by a lock.

The methods live beside their concern: the model card (:mod:`.card`), tables (:mod:`.tables`),
maps and their layers (:mod:`.map_views`), decoding (:mod:`.decoding`) and search
(:mod:`.searching`); this module holds what they share and the objects of the space.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ngae.errors import UserInputError
from ngae.explorer.card import CardViews
from ngae.explorer.decoding import DecodingViews
from ngae.explorer.latents import cache_dir_for, dataset_latents
from ngae.explorer.map_views import MapViews
from ngae.explorer.projections import Pca
from ngae.explorer.results import CellInfo, SpaceInfo
from ngae.explorer.searching import SearchViews
from ngae.explorer.tables import TableViews
from ngae.explorer.truth import TruthViews
from ngae.maps.uncertainty import HeadEnsemble
from ngae.model.checkpoint import checkpoint_data_path, load_checkpoint, model_from_checkpoint
from ngae.model.inference import LatentTable, encode_mu, predict_latents
from ngae.model.vae import NGAE
from ngae.spaces.base import SearchSpace
from ngae.spaces.graph_data import GraphData, dvae_split
from ngae.spaces.registry import SPACES, burn_in_of, default_space, load_dataset


def freeze(model: NGAE) -> NGAE:
    """Put a shared model in its read-only state: eval mode, no parameter requires grad."""
    model.eval()
    model.requires_grad_(False)
    return model


SHOWN_LIMIT = 40_000  # objects on the map; a larger data set is shown by a sample


class Explorer(CardViews, TableViews, MapViews, DecodingViews, SearchViews, TruthViews):
    """A loaded checkpoint with its data set, latent table and cached projections."""

    def __init__(self, path: Path, ckpt: dict[str, Any], model: NGAE, data: GraphData) -> None:
        train_idx, test_idx = dvae_split(len(data), burn_in_of(data))
        split = np.full(len(data), "burn-in", dtype=object)
        split[train_idx], split[test_idx] = "train", "test"
        # ``full_data``: every object (novelty, the data set's best); ``data``: those shown.
        self.full_data, self.shown = data, shown_indices(train_idx, test_idx, SHOWN_LIMIT)
        if self.shown is not None:
            data, split = data.subset(self.shown), split[self.shown]
        self.path, self.ckpt, self.model, self.data = path, ckpt, freeze(model), data
        self.split = split
        self.cache_dir = cache_dir_for(path)  # hashes the checkpoint file: once per open
        self.latents: LatentTable = dataset_latents(self.cache_dir, model, data)
        self.pca = Pca.fit(self.latents.mu)
        self._index = {s: i for i, s in reversed(list(enumerate(data.strings)))}
        # General DAG data sets (no space of their own) keep the default space's validity.
        self.space: SearchSpace = SPACES.get(data.space, default_space())
        self.space_info = space_info(self.space, self.full_data, train_idx)
        self._lock = threading.Lock()
        self._heads_lock = threading.Lock()
        self._jobs: dict[str, str] = {}
        self._warmed = False
        self._ensemble: HeadEnsemble | None = None

    @classmethod
    def open(cls, path: Path) -> Explorer:
        """Load and validate a checkpoint (``weights_only``) and its data set, on the CPU."""
        path = Path(path)
        ckpt = load_checkpoint(path)
        model = model_from_checkpoint(ckpt, "cpu")
        return cls(path, ckpt, model, load_dataset(checkpoint_data_path(ckpt, path)))

    def shown_note(self) -> str:
        """What part of the data set the map and tables show ('' when all of it)."""
        if self.shown is None:
            return ""
        test = int((self.split == "test").sum())
        items = self.space.naming.items
        return (
            f"The map shows {len(self.data):,} of the {len(self.full_data):,} {items} of the "
            f"data set: {test:,} of the test split and {len(self.data) - test:,} of the "
            f"training split drawn at random (novelty and the data set's best count them all)."
        )

    @property
    def checkpoint_sha(self) -> str:
        """The first 12 hex digits of the checkpoint file's SHA-256 (as its cache folder)."""
        return self.cache_dir.name.rsplit("-", 1)[-1]

    @property
    def num_layers(self) -> int:
        """Positions per object of this model's space (vertices less input and output)."""
        return self.model.cfg.max_n - 2

    def parse_arch(self, text: str) -> Any:
        """An object of this space from its string; :class:`UserInputError` says what is wrong.

        The model fixes the size first (ENAS: this model's cells have ``L`` layers, so
        ``L (L + 1) / 2`` integers, whatever smaller cell the integers would also spell).
        """
        try:
            self.space.check_text(text, self.model.cfg.max_n)
            return self.space.parse(text)
        except ValueError as err:
            raise UserInputError(str(err)) from None

    def describe(self, arch: Any) -> CellInfo:
        """Exact complexity, predictions of the encoded object, true figures if known.

        The data set's figure where the object is in it; the oracle's score in a space with one.
        """
        arch = self.parse_arch(arch) if isinstance(arch, str) else arch
        types, adj = self.space.dense([arch])
        mu = encode_mu(self.model, types, adj)
        acc, params = predict_latents(self.model, mu)
        text = arch.to_string()
        idx = self._index.get(text)
        true = self.space.true_scores([arch])[0] if self.space.has_oracle else None
        return CellInfo(
            arch=text,
            params=int(self.space.complexity([arch])[0]),
            pred_acc=float(acc[0]),
            pred_params=float(params[0]),
            true_acc=float(self.data.acc[idx]) if idx is not None else None,
            index=idx,
            z=mu[0].numpy(),
            true_score=None if true is None else float(true),
        )

    def editor_value(self, text: str) -> Any:
        """The space's editor value of an object string (see ``SpaceInfo.editor``)."""
        return self.space.editor_value(self.parse_arch(text))

    def from_editor(self, value: Any) -> str:
        """The object string an editor value describes; :class:`UserInputError` if none."""
        try:
            return self.space.from_editor(value)
        except ValueError as err:
            raise UserInputError(str(err)) from None

    def hover_text(self, text: str) -> str:
        """How an object string reads in a hover label."""
        return self.space.hover_text(text)

    def difference(self, a: str, b: str) -> str:
        """What changed from object ``a`` to ``b`` (their strings), as one line."""
        diff = self.space.difference(self.parse_arch(a), self.parse_arch(b))
        if diff is None:
            raise UserInputError(f"{self.space.title}: no comparison of two objects")
        return diff.text


def shown_indices(
    train_idx: np.ndarray, test_idx: np.ndarray, limit: int = SHOWN_LIMIT
) -> np.ndarray | None:
    """The objects a data set larger than ``limit`` shows (``None``: all of them).

    Every test object (up to half the limit), then training objects in the split's seeded
    order (a random sample) up to the limit: maps, tables and projections stay fast, and the
    test split the model's figures come from is on the map whole.
    """
    if len(train_idx) + len(test_idx) <= limit:
        return None
    test = test_idx[: limit // 2]
    return np.sort(np.concatenate([test, train_idx[: limit - len(test)]]))


def space_info(space: SearchSpace, data: GraphData, train_idx: np.ndarray) -> SpaceInfo:
    """How pages name, draw, edit and search the space, with its optimum where computable."""
    best = space.optimum() if space.has_oracle else None
    probe = space.parse(space.example) if space.example else None
    return SpaceInfo(
        name=space.name,
        title=space.title,
        naming=space.naming,
        has_oracle=space.has_oracle,
        optimum_score=None if best is None else float(best[0]),
        optimum=None if best is None else best[1].to_string(),
        dataset_best=float(data.acc[train_idx].max()) if len(train_idx) else float("nan"),
        example=space.example,
        reference=space.reference,
        search_defaults=space.search_defaults,
        editor=space.editor,
        queries=space.queries,
        legend=tuple(space.legend()),
        op_names=space.op_names(),
        oracle_metrics=space.oracle_metrics(),
        can_diff=probe is not None and space.difference(probe, probe) is not None,
    )

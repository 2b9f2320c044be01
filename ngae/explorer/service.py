"""The explorer service: one :class:`Explorer` per checkpoint, shared by every caller.

Pages and the CLI never touch model internals: they call these methods and render what comes
back (dataclasses from :mod:`ngae.explorer.results`, DataFrames, arrays). An ``Explorer`` is
safe to share between browser sessions and threads: its model is frozen when it is opened
(eval mode, no parameter requires grad) and no request changes it or any other attribute;
inference runs under ``no_grad`` and search differentiates with respect to latent points only.
Background projections are guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from ngae.errors import UserInputError
from ngae.explorer import layers
from ngae.explorer.comparisons import MethodCurves, load_method_curves
from ngae.explorer.latents import cache_dir_for, dataset_latents
from ngae.explorer.projections import (
    KINDS,
    Pca,
    compute_and_cache,
    load_projection,
    place_by_neighbours,
)
from ngae.explorer.results import AlignedMap, CellInfo, DataStats, Decoded, ModelCard, SpaceInfo
from ngae.maps.alignment import movement, procrustes
from ngae.maps.atlas import Atlas, cell_at
from ngae.maps.field import Field
from ngae.maps.grid import Window
from ngae.maps.queries import matches, parse_query
from ngae.maps.uncertainty import HeadEnsemble
from ngae.model.checkpoint import checkpoint_data_path, load_checkpoint, model_from_checkpoint
from ngae.model.graph_tensors import normalise_perf
from ngae.model.inference import LatentTable, encode_mu, most_common_valid, predict_latents
from ngae.model.vae import NGAE
from ngae.search import ParetoFront, SearchConfig, SearchResults, pareto_points, run_search
from ngae.search.ascent import lambda_unit
from ngae.space.arch import NUM_OPS, OP_NAMES
from ngae.space.base import SearchSpace
from ngae.space.data import GraphData, dvae_split, load_dataset
from ngae.space.registry import DEFAULT_SPACE, SPACES
from ngae.training.evaluation import PUBLISHED, EvalSettings, evaluate_checkpoint


def freeze(model: NGAE) -> NGAE:
    """Put a shared model in its read-only state: eval mode, no parameter requires grad."""
    model.eval()
    model.requires_grad_(False)
    return model


class Explorer:
    """A loaded checkpoint with its data set, latent table and cached projections."""

    def __init__(self, path: Path, ckpt: dict[str, Any], model: NGAE, data: GraphData) -> None:
        self.path, self.ckpt, self.model, self.data = path, ckpt, freeze(model), data
        self.cache_dir = cache_dir_for(path)  # hashes the checkpoint file: once per open
        self.latents: LatentTable = dataset_latents(self.cache_dir, model, data)
        self.pca = Pca.fit(self.latents.mu)
        train_idx, test_idx = dvae_split(len(data), data.burn_in)
        self.split = np.full(len(data), "burn-in", dtype=object)
        self.split[train_idx], self.split[test_idx] = "train", "test"
        self._index = {s: i for i, s in reversed(list(enumerate(data.strings)))}
        # General DAG data sets (no space of their own) keep ENAS-6's validity, as before.
        self.space: SearchSpace = SPACES.get(data.space, SPACES[DEFAULT_SPACE])
        self.space_info = _space_info(self.space, data, train_idx)
        self._lock = threading.Lock()
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

    def is_space(self, name: str) -> bool:
        """Whether this checkpoint's search space is ``name`` (``enas6``, ``asia``)."""
        return self.space.name == name

    @property
    def num_layers(self) -> int:
        """Layers per architecture of this model's search space (nodes less input and output)."""
        return self.model.cfg.max_n - 2

    # ----- model card -------------------------------------------------------------------
    def model_card(self) -> ModelCard:
        """Config, history, evaluation, published anchors and data statistics."""
        d = self.data
        return ModelCard(
            name=self.path.name,
            epoch=int(self.ckpt.get("epoch", 0)),
            model_config=dict(self.ckpt["model_config"]),
            train_config=dict(self.ckpt.get("train_config", {})),
            history=pd.DataFrame(self.ckpt.get("history", [])),
            evaluation=dict(self.ckpt.get("evaluation") or {}),
            published=PUBLISHED,
            data=DataStats(
                architectures=len(d),
                distinct=len(set(d.strings)),
                train=int((self.split == "train").sum()),
                test=int((self.split == "test").sum()),
                acc_min=float(d.acc.min()),
                acc_max=float(d.acc.max()),
                acc_mean=float(d.acc.mean()),
                params_min=int(d.params.min()),
                params_max=int(d.params.max()),
            ),
            train_graphs=self.ckpt.get("train_graphs"),
            epochs_planned=self.ckpt.get("epochs_planned"),
            lineage=dict(self.ckpt.get("lineage") or {}),
        )

    def evaluate_full(self) -> dict[str, Any]:
        """D-VAE's full evaluation of this checkpoint, stored in its file (a new mtime)."""
        return evaluate_checkpoint(self.path, EvalSettings(device="cpu"), store=True)

    def table(self) -> pd.DataFrame:
        """One row per data-set architecture: split, true and predicted figures, op counts."""
        d = self.data
        df = pd.DataFrame(
            {
                "arch": d.strings,
                "split": self.split,
                "true_acc": d.acc,
                "params": d.params.astype(np.int64),
                "pred_acc": self.latents.pred_acc,
                "pred_params": self.latents.pred_params,
            }
        )
        df["pred_error"] = df.pred_acc - df.true_acc
        if self.space.has_oracle and d.archs is not None:
            df["edges"] = [a.num_edges() for a in d.archs]
        elif d.archs is not None:
            ops = np.array([a.ops for a in d.archs])
            for k in range(NUM_OPS):
                df[f"n_{OP_NAMES[k]}"] = (ops == k).sum(1)
        return df

    def test_predictions(self) -> pd.DataFrame:
        """Predicted vs true figures on the test split."""
        return self.table()[lambda t: t.split == "test"].reset_index(drop=True)

    # ----- projections ------------------------------------------------------------------
    def projection(self, kind: str) -> np.ndarray | None:
        """The ``(M, 2)`` map for ``kind``, or ``None`` while it is being computed."""
        if kind == "pca":
            return self.pca.transform(self.latents.mu).astype(np.float32)
        if kind not in KINDS:
            raise UserInputError(f"unknown projection {kind!r}")
        return load_projection(self.cache_dir, kind, len(self.data))

    def projection_status(self, kind: str) -> str:
        """``ready``, ``running``, ``failed: ...`` or ``missing``."""
        if self.projection(kind) is not None:
            return "ready"
        with self._lock:
            return self._jobs.get(kind, "missing")

    def start_projection(self, kind: str) -> str:
        """Compute a projection in a background thread (once); returns its status."""
        with self._lock:
            if self._jobs.get(kind) == "running" or self.projection(kind) is not None:
                return self._jobs.get(kind, "ready")
            self._jobs[kind] = "running"

        def work() -> None:
            try:
                compute_and_cache(self.cache_dir, kind, self.latents.mu)
                status = "ready"
            except Exception as err:  # reported to the page as a message, never raised there
                status = f"failed: {err.__class__.__name__}: {err}"
            with self._lock:
                self._jobs[kind] = status

        threading.Thread(target=work, daemon=True, name=f"projection-{kind}").start()
        return "running"

    def place(self, z: np.ndarray, kind: str) -> np.ndarray:
        """Map positions of new latent points on the ``kind`` map."""
        if kind == "pca":
            return self.pca.transform(z)
        xy = self.projection(kind)
        if xy is None:
            raise UserInputError(f"the {kind} map is not ready yet")
        return place_by_neighbours(z, self.latents.mu, xy)

    # ----- decoding ---------------------------------------------------------------------
    def decode(self, z: np.ndarray, decodes: int = 20, seed: int = 0) -> list[Decoded]:
        """Decode latent points ``(K, nz)``; each keeps its most common valid decoding."""
        z_t = torch.as_tensor(np.atleast_2d(z), dtype=torch.float32)
        if z_t.ndim != 2 or z_t.shape[1] != self.model.cfg.nz or not torch.isfinite(z_t).all():
            raise UserInputError("latent points must be finite and of the model's size")
        gen = torch.Generator().manual_seed(seed)
        found = most_common_valid(self.model, z_t, decodes, gen, space=self.space)
        return [
            Decoded(z_t[i].numpy(), share, valid, None if arch is None else self.describe(arch))
            for i, (arch, share, valid) in enumerate(found)
        ]

    def warm_up(self) -> None:
        """Pay the one-off first-call costs (first decode, first autograd pass) now, once.

        Without it the first click and the first search of a server each take seconds longer.
        """
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
        self.decode_index(0, decodes=2)
        self.search(SearchConfig(samples=1, steps=1, decodes=1))

    def decode_index(self, i: int, decodes: int = 20) -> Decoded:
        """Decode data point ``i``'s latent mean; ``reproduced`` says if it gave the original."""
        if not 0 <= i < len(self.data):
            raise UserInputError(f"no architecture with index {i}")
        dec = self.decode(self.latents.mu[i : i + 1], decodes)[0]
        same = dec.cell is not None and dec.cell.arch == self.data.strings[i]
        return replace(dec, reproduced=same)

    def decode_map_position(self, x: float, y: float, decodes: int = 20) -> Decoded:
        """Decode any position of the PCA map (its latent point in the PCA plane)."""
        return self.decode(self.pca.inverse(np.array([[x, y]])), decodes)[0]

    def interpolate(self, i: int, j: int, steps: int = 8, decodes: int = 10) -> list[Decoded]:
        """Decodings along the straight line between data points ``i`` and ``j``."""
        if steps < 2 or steps > 50:
            raise UserInputError("interpolation needs 2..50 steps")
        for k in (i, j):
            if not 0 <= k < len(self.data):
                raise UserInputError(f"no architecture with index {k}")
        a, b = self.latents.mu[i], self.latents.mu[j]
        t = np.linspace(0, 1, steps)[:, None]
        return self.decode((1 - t) * a + t * b, decodes)

    def neighbours(self, z: np.ndarray, k: int = 8) -> pd.DataFrame:
        """The ``k`` nearest data-set architectures of a latent point, with true accuracy."""
        d = np.linalg.norm(self.latents.mu - np.asarray(z, np.float32)[None], axis=1)
        near = np.argsort(d, kind="stable")[:k]
        return pd.DataFrame(
            {
                "index": near,
                "arch": [self.data.strings[n] for n in near],
                "distance": d[near],
                "true_acc": self.data.acc[near],
                "pred_acc": self.latents.pred_acc[near],
                "params": self.data.params[near].astype(np.int64),
            }
        )

    # ----- architectures ----------------------------------------------------------------
    def parse_arch(self, text: str) -> Any:
        """An object of this space from its string; :class:`UserInputError` says what is wrong.

        ENAS: the count comes first: this model's cells have ``L`` layers, so ``L (L + 1) / 2``
        integers (21 for 6 layers), whatever smaller cell the integers would also spell. Asia:
        the 64-digit adjacency string.
        """
        layers = self.num_layers
        need = layers * (layers + 1) // 2
        tokens = text.replace(",", " ").split()
        if self.is_space(DEFAULT_SPACE) and len(tokens) != need:
            raise UserInputError(
                f"need {need} integers ({layers} layers: each layer's op, then one skip bit "
                f"per earlier node), got {len(tokens)}"
            )
        try:
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

    # ----- map layers (ngae.explorer.layers) --------------------------------------------
    def map_window(self) -> Window:
        """The PCA map's extent: the codes' bounding box plus 5% on each side."""
        return Window.around(self.projection("pca"))

    def atlas(
        self, window: Window | None = None, size: int = layers.ATLAS_SIZE, agreement: int = 0
    ) -> Atlas:
        """What a ``size x size`` grid over ``window`` of the PCA map decodes to (cached).

        ``agreement`` stochastic decodes per cell measure how often they give the greedy one.
        """
        window = window or self.map_window()
        return layers.cached_atlas(
            self.cache_dir, self.model, self.pca, window, self.space, size, agreement
        )

    def atlas_decoding(self, x: float, y: float) -> str | None:
        """The string the whole-map atlas shows at ``(x, y)``: its cell's greedy decoding.

        ``None`` outside the map's window or where that decoding is not a valid object.
        """
        atlas = self.atlas()
        cell = cell_at(atlas, x, y)
        if cell is None:
            return None
        types = torch.as_tensor(atlas.types[cell : cell + 1])
        item = self.space.to_items(types, torch.as_tensor(atlas.adj[cell : cell + 1]))[0]
        return None if item is None else item.to_string()

    def objective_field(self, lambda_cmplx: float, window: Window | None = None) -> Field:
        """Gradient arrows of ``f_perf - lambda u f_cmplx`` on a coarse grid of the PCA map."""
        if not self.model.cfg.predictors:
            raise UserInputError("this model has no predictor heads: no objective to draw")
        unit = lambda_unit(self.model, self.latents)
        return layers.field(self.model, self.pca, window or self.map_window(), lambda_cmplx, unit)

    def density(self, kind: str) -> tuple[Window, np.ndarray]:
        """The training codes' density on map ``kind``: its window and the grid."""
        xy = self.projection(kind)
        if xy is None:
            raise UserInputError(f"the {kind} map is not ready yet")
        window = Window.around(xy)
        return window, layers.density(xy, self.split, window)

    def query(self, text: str) -> np.ndarray:
        """The data-set architectures matching a structural query (``ngae.maps.queries``)."""
        if self.space.name != DEFAULT_SPACE:
            raise UserInputError("structural queries are written for ENAS cells")
        query = parse_query(text, self.num_layers)
        return matches(query, self.data.types, self.data.adj)

    def path_cells(self, path: np.ndarray, every: int = 10) -> list[tuple[int, str | None]]:
        """Greedy decodings along a latent path ``(steps + 1, nz)``, where they change.

        Decodes every ``every`` steps and the last; returns ``(step, item string or None)``.
        """
        path = np.asarray(path, dtype=np.float32)
        steps = sorted({*range(0, len(path), max(1, every)), len(path) - 1})
        with torch.no_grad():
            types, adj = self.model.decode(torch.as_tensor(path[steps]), stochastic=False)
        valid = self.space.valid_mask(types, adj).numpy()
        items = self.space.to_items(types, adj)
        out: list[tuple[int, str | None]] = []
        for step, ok, item in zip(steps, valid, items, strict=True):
            text = str(item) if ok and item is not None else None
            if not out or out[-1][1] != text:
                out.append((step, text))
        return out

    def layer_ops(self, indices: np.ndarray) -> np.ndarray:
        """``(K, L)`` op of every layer of the given data-set architectures (ENAS cells)."""
        if self.space.name != DEFAULT_SPACE:
            raise UserInputError("per-layer ops are for ENAS cells")
        return self.data.types[np.asarray(indices, dtype=int), 1:-1] - 2

    def type_names(self) -> list[str]:
        """A name per vertex type (ENAS: input, output and the ops; else the type numbers)."""
        if self.space.name == DEFAULT_SPACE:
            return ["input", "output", *OP_NAMES]
        return [str(t) for t in range(self.model.cfg.num_types)]

    def data_uncertainty(self) -> np.ndarray:
        """:meth:`uncertainty` at every data-set architecture's latent mean ``(M,)``."""
        return self.uncertainty(self.latents.mu)

    def uncertainty(self, z: np.ndarray) -> np.ndarray:
        """The accuracy head's uncertainty at latent points (in accuracy units, ``(M,)``)."""
        heads = self._heads()
        scale = self.model.cfg.perf_hi - self.model.cfg.perf_lo
        return scale * heads.spread(np.atleast_2d(z))

    def _heads(self) -> HeadEnsemble:
        with self._lock:
            if self._ensemble is None:
                target = normalise_perf(self.data.acc, self.model.cfg)  # the head's units
                self._ensemble = layers.cached_ensemble(
                    self.cache_dir, self.latents.mu, target, self.split
                )
            return self._ensemble

    def aligned(self, other: Explorer) -> AlignedMap:
        """``other``'s PCA map turned onto this one's over the architectures both hold."""
        mine = {s: i for i, s in enumerate(self.data.strings)}
        pairs = [(mine[s], j) for j, s in enumerate(other.data.strings) if s in mine]
        if len(pairs) < 3:
            raise UserInputError("the two checkpoints share fewer than 3 architectures")
        here, there = (np.array(p) for p in zip(*pairs, strict=True))
        target = self.projection("pca")[here]
        moving = other.projection("pca")[there]
        fit = procrustes(moving, target)
        aligned = fit.apply(moving)
        return AlignedMap(here, there, aligned, movement(aligned, target), fit.rotation)

    def method_curves(self) -> MethodCurves | None:
        """Search methods compared on true scores for this checkpoint, where measured."""
        return load_method_curves(self.cache_dir.name.rsplit("-", 1)[-1])

    # ----- search -----------------------------------------------------------------------
    def search(
        self, cfg: SearchConfig, progress: Callable[[int, int], None] | None = None
    ) -> SearchResults:
        """Latent search (see :func:`ngae.search.run_search`)."""
        return run_search(self.model, self.data, self.latents, cfg, progress)

    def pareto(self, results: SearchResults) -> ParetoFront:
        """Pareto front over data set + found architectures."""
        return pareto_points(self.data, self.latents, results.results)


def _space_info(space: SearchSpace, data: GraphData, train_idx: np.ndarray) -> SpaceInfo:
    """How pages name the space, with its optimum where it has an oracle."""
    best = space.optimum() if space.has_oracle else None
    labels = space.labels
    return SpaceInfo(
        name=space.name,
        title=space.title,
        item=labels.item,
        perf=labels.perf,
        cmplx=labels.cmplx,
        has_oracle=space.has_oracle,
        optimum_score=None if best is None else float(best[0]),
        optimum=None if best is None else best[1].to_string(),
        dataset_best=float(data.acc[train_idx].max()) if len(train_idx) else float("nan"),
        example=space.example,
    )

"""NGAE's closed-loop search on an oracle: query, fit a head, ascend, decode, query again.

The search sees only the true scores of the objects it has queried (the space's score, the
first of its ``oracle_metrics``: NAS-Bench-Graph's validation accuracy); each distinct object
(by its string) costs one query, asking again is free. It starts from ``init`` objects of the
pool drawn at random, then queries in rounds of :func:`round_size` (5 to 50, a fifth of those
queried so far) until the budget is spent:

1. fit fresh accuracy heads (the model's head shape; ``heads`` of them, their mean plus
   ``kappa`` times their spread) on the codes of the objects queried so far and their scores,
   min-max scaled to 0.1..0.9;
2. climb them with the product's ascent (:func:`ngae.search.ascent.ascend`, ``ascent``: Adam,
   lr 0.05, 50 steps, projected onto real objects every 10, within 3 std of the pool codes'
   mean) from the codes of the ``starts`` best queried objects;
3. decode every point of the paths greedily and query the distinct new objects met, best
   predicted first; when they are fewer than the round needs, the rest are the unqueried pool
   objects the heads rank highest (``screened``).

The pool is what the search may know without asking: the data set's objects that have a true
figure (a benchmark table's architectures) and their codes. A decoding outside it is encoded
and queried like any other; one the oracle has no figure for (NaN) is skipped at no cost.
Every figure of ``true_metrics`` is recorded, but only the score steers: the best so far is the
best by score (ties: the first queried), and its other figures are what a benchmark reports
(NAS-Bench-Graph: the test accuracy of the best-validation architecture). The shared model is
never written: the heads are separate modules and the ascent reads the model through a view
that predicts with them. The same seed gives the same queries.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.model.inference import decode_many, encode_mu
from ngae.model.vae import NGAE
from ngae.search.accuracy_heads import AccuracyHeads
from ngae.search.ascent import ascend
from ngae.search.config import SearchConfig
from ngae.search.results import ClosedLoopResult, Query
from ngae.spaces.base import SearchSpace

# lr 0.05: at the product's 0.01 the projections (every 10 steps) snap the points back to the
# architectures they started from (benchmarks/nasbench_graph_methods.py, NAS-Bench-Graph).
ASCENT = SearchConfig(lambda_cmplx=0.0, lr=0.05, steps=50, trust_radius=3.0, project_every=10)


def round_size(queried: int) -> int:
    """How many objects the next round queries: a fifth of those queried so far, 5 to 50."""
    return min(max(5, queried // 5), 50)


@dataclass(frozen=True)
class LoopConfig:
    """Settings of the closed loop (module docstring); defaults as benchmarked."""

    budget: int = 100
    init: int = 10
    starts: int = 10
    heads: int = 1
    kappa: float = 0.0
    head_steps: int = 300
    ascent: SearchConfig = ASCENT

    def validate(self) -> LoopConfig:
        """Raise :class:`UserInputError` for settings that cannot run; return self."""
        for name, value, hi in (("budget", self.budget, 100_000), ("init", self.init, 100_000),
                                ("starts", self.starts, 1000), ("heads", self.heads, 100),
                                ("head steps", self.head_steps, 100_000)):  # fmt: skip
            if not isinstance(value, int) or not 1 <= value <= hi:
                raise UserInputError(f"{name} must be a whole number from 1 to {hi:,}")
        if not (isinstance(self.kappa, int | float) and 0 <= self.kappa < math.inf):
            raise UserInputError("kappa must be a finite number from 0")
        if self.ascent.lambda_cmplx != 0 or self.ascent.max_params is not None:
            raise UserInputError("the closed loop climbs accuracy alone: no complexity term")
        self.ascent.validate()
        return self


DEFAULT = LoopConfig()


@dataclass(frozen=True)
class Pool:
    """Objects the search may know without asking, their codes and (for ranks) true scores.

    Attributes:
        items: the space's objects, ``N`` of them, each with a finite true score.
        strings: their strings (distinctness).
        codes: ``(N, nz)`` latent means.
        scores: ``(N,)`` true scores, read only to rank what was found (never by the search).
        bounds: the ascent's box, ``(nz,)`` low and high.
    """

    items: tuple
    strings: tuple[str, ...]
    codes: torch.Tensor
    scores: np.ndarray
    bounds: tuple[torch.Tensor, torch.Tensor]

    @classmethod
    def of(
        cls,
        space: SearchSpace,
        items: Sequence[Any],
        codes: torch.Tensor | np.ndarray,
        bounds: tuple[torch.Tensor, torch.Tensor] | None = None,
        radius: float = ASCENT.trust_radius,
    ) -> Pool:
        """The objects of ``items`` that the oracle scores, with their codes.

        ``bounds`` default to the codes' mean -+ ``radius`` std (all codes, scored or not).
        """
        codes = torch.as_tensor(codes, dtype=torch.float32)
        if bounds is None:
            mean, std = codes.mean(0), codes.std(0)
            bounds = (mean - radius * std, mean + radius * std)
        scores = np.asarray(space.true_scores(list(items)), dtype=np.float64)
        keep = np.flatnonzero(np.isfinite(scores))
        if len(keep) == 0:
            raise UserInputError(f"the oracle has no figure for any {space.naming.item} here")
        kept = tuple(items[i] for i in keep.tolist())
        strings = tuple(item.to_string() for item in kept)
        return cls(kept, strings, codes[torch.as_tensor(keep)], scores[keep], bounds)

    def __len__(self) -> int:
        return len(self.items)

    def rank(self, score: float) -> int:
        """1 + how many pool objects score higher (1: the best of the pool)."""
        return 1 + int(np.count_nonzero(self.scores > score))


class _HeadView:
    """The shared model read through fitted heads: they predict, the rest is the model's.

    Complexity is predicted as zero (the loop climbs accuracy alone), so the model's own heads,
    absent or not, are never read, and nothing of the model is written.
    """

    def __init__(self, model: NGAE, heads: AccuracyHeads) -> None:
        self._model, self._heads = model, heads

    def predict(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        acc = self._heads(z).squeeze(-1)
        return acc, torch.zeros_like(acc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


@dataclass(frozen=True)
class _Pick:
    """A candidate: the object, its code and pool row (``None``: outside the pool).

    ``figures``: its true figures where the oracle was asked already (outside the pool).
    """

    item: Any
    code: torch.Tensor
    row: int | None
    figures: dict[str, float] | None = None


class _Asked:
    """What the loop has queried, in order: the records, codes and pool rows."""

    def __init__(self, space: SearchSpace, pool: Pool) -> None:
        self.space, self.pool = space, pool
        self.names = tuple(space.oracle_metrics())
        self.index = {s: k for k, s in enumerate(pool.strings)}
        self.strings: set[str] = set()
        self.rows: list[int] = []  # pool rows queried
        self.codes: list[torch.Tensor] = []
        self.queries: list[Query] = []

    @property
    def count(self) -> int:
        return len(self.queries)

    def scores(self) -> np.ndarray:
        return np.array([q.score for q in self.queries])

    def ask(self, picks: list[_Pick], rnd: int, origins: list[str]) -> None:
        """Query ``picks`` in order (one oracle call for those without figures)."""
        todo = [p.item for p in picks if p.figures is None]
        got = self.space.true_metrics(todo) if todo else {}
        k = 0
        for pick, origin in zip(picks, origins, strict=True):
            figures = pick.figures
            if figures is None:
                figures, k = {n: float(got[n][k]) for n in self.names}, k + 1
            score, text = figures[self.names[0]], pick.item.to_string()
            self.queries.append(Query(text, score, figures, rnd, origin, self.pool.rank(score)))
            self.strings.add(text)
            self.codes.append(pick.code)
            if pick.row is not None:
                self.rows.append(pick.row)


def closed_loop(
    model: NGAE,
    space: SearchSpace,
    pool: Pool,
    cfg: LoopConfig = DEFAULT,
    seed: int | Sequence[int] | np.random.Generator = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ClosedLoopResult:
    """Run the closed loop (module docstring) to ``min(budget, len(pool))`` queries.

    ``seed`` seeds ``np.random.default_rng`` (a generator is used as it is); ``progress(done,
    budget)`` is called after the random start and after each round.
    """
    cfg.validate()
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    budget = min(cfg.budget, len(pool))
    asked = _Asked(space, pool)
    rows = rng.permutation(len(pool))[: min(cfg.init, budget)].tolist()
    asked.ask([_Pick(pool.items[r], pool.codes[r], r) for r in rows], 0, ["random"] * len(rows))
    heads = AccuracyHeads(model.cfg.nz, model.cfg.hs, cfg.heads, cfg.kappa)
    rounds = 0
    _report(progress, asked.count, budget)
    while asked.count < budget:
        rounds += 1
        before, codes = asked.count, torch.stack(asked.codes)
        heads.fit(codes, asked.scores(), int(rng.integers(2**31)), cfg.head_steps)
        with torch.no_grad():
            pred = heads(pool.codes).squeeze(-1).numpy()  # (N,) this round's ranking
        want = min(round_size(asked.count), budget - asked.count)
        picks = _decoded(model, space, heads, asked, codes, pred, cfg)[:want]
        extra = _screened(pool, pred, asked, picks, want - len(picks))
        asked.ask(picks + extra, rounds, ["decoded"] * len(picks) + ["screened"] * len(extra))
        _report(progress, asked.count, budget)
        if asked.count == before:  # nothing left to ask
            break
    return ClosedLoopResult(
        queries=tuple(asked.queries),
        best_so_far=_running_best(asked.scores()),
        metric_names=asked.names,
        reported=space.reported_metric() or asked.names[0],
        pool_size=len(pool),
        budget=budget,
        rounds=rounds,
        seconds=time.perf_counter() - start,
        source=space.oracle_source,
        seed=int(seed) if isinstance(seed, int | np.integer) else None,
    )


def _decoded(
    model: NGAE,
    space: SearchSpace,
    heads: AccuracyHeads,
    asked: _Asked,
    codes: torch.Tensor,
    pred: np.ndarray,
    cfg: LoopConfig,
) -> list[_Pick]:
    """The new objects the round's ascents met, best predicted first (stable).

    The ascents start from the codes ``(n, nz)`` of the ``starts`` best queried objects;
    ``pred`` ``(N,)`` is the heads' prediction of the pool.
    """
    starts = np.argsort(-asked.scores(), kind="stable")[: cfg.starts]
    ascent = replace(cfg.ascent, samples=len(starts))
    view = _HeadView(model, heads)
    path, _, _ = ascend(
        view, codes[torch.as_tensor(starts)], ascent, asked.pool.bounds, space=space
    )
    types, adj = decode_many(model, path.reshape(-1, path.shape[-1]), stochastic=False)
    met: dict[str, Any] = {}
    for item in space.to_items(types, adj):
        if item is not None and (text := item.to_string()) not in asked.strings:
            met.setdefault(text, item)
    pool, index = asked.pool, asked.index
    found = [_Pick(item, pool.codes[index[t]], index[t]) for t, item in met.items() if t in index]
    outside = _outside(model, space, [i for t, i in met.items() if t not in index], asked.names)
    if outside:
        with torch.no_grad():
            more = heads(torch.stack([p.code for p in outside])).squeeze(-1).numpy()
    value = np.concatenate([pred[[p.row for p in found]], more if outside else []])
    found += outside
    return [found[k] for k in np.argsort(-value, kind="stable").tolist()]


def _outside(
    model: NGAE, space: SearchSpace, items: list[Any], names: tuple[str, ...]
) -> list[_Pick]:
    """Decodings outside the pool that the oracle scores, with their codes and figures."""
    if not items:
        return []
    got = space.true_metrics(items)
    keep = [k for k in range(len(items)) if math.isfinite(float(got[names[0]][k]))]
    if not keep:
        return []
    mu = encode_mu(model, *space.dense([items[k] for k in keep]))
    return [
        _Pick(items[k], mu[j], None, {n: float(got[n][k]) for n in names})
        for j, k in enumerate(keep)
    ]


def _screened(
    pool: Pool, pred: np.ndarray, asked: _Asked, picks: list[_Pick], count: int
) -> list[_Pick]:
    """The ``count`` unqueried, unpicked pool objects the heads rank highest."""
    if count <= 0:
        return []
    pred = pred.copy()
    pred[asked.rows + [p.row for p in picks if p.row is not None]] = -np.inf
    rows = [r for r in np.argsort(-pred, kind="stable")[:count].tolist() if pred[r] > -np.inf]
    return [_Pick(pool.items[r], pool.codes[r], r) for r in rows]


def _running_best(scores: np.ndarray) -> tuple[int, ...]:
    """Index of the first maximum of each prefix of ``scores``."""
    out, best = [], 0
    for k, value in enumerate(scores.tolist()):
        if value > scores[best]:
            best = k
        out.append(best)
    return tuple(out)


def _report(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)

"""Latent search, its Pareto front, the closed loop on true figures, methods compared."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ngae.errors import UserInputError
from ngae.explorer.comparisons import (
    BudgetFigures,
    MethodCurves,
    load_budget_figures,
    load_method_curves,
)
from ngae.model.inference import encode_mu
from ngae.search import (
    ClosedLoopResult,
    ParetoFront,
    SearchConfig,
    SearchResults,
    pareto_points,
    run_search,
)
from ngae.search.closed_loop import LoopConfig, Pool, closed_loop
from ngae.spaces.base import SearchSpace

LOOP_BUDGETS = (10, 500)  # the closed loop's budgets offered (queries)
LOOP_DEFAULTS = LoopConfig()


class SearchViews:
    """:class:`~ngae.explorer.service.Explorer`'s search."""

    def search(
        self, cfg: SearchConfig, progress: Callable[[int, int], None] | None = None
    ) -> SearchResults:
        """Latent search (see :func:`ngae.search.run_search`), naming this checkpoint."""
        found = run_search(
            self.model, self.data, self.latents, cfg, progress, reference=self.full_data
        )
        return replace(found, checkpoint=self.path.name, checkpoint_sha=self.checkpoint_sha)

    def found_uncertainty(self, results: SearchResults) -> np.ndarray:
        """The head ensemble's spread at each found object's encoding ``(K,)``.

        In the figure's units, as :meth:`uncertainty`: the error bar of each ``pred_acc``.
        """
        if not results.results:
            return np.zeros(0)
        archs = [self.parse_arch(r.arch) for r in results.results]
        mu = encode_mu(self.model, *self.space.dense(archs))
        return self.uncertainty(mu.numpy())

    def pareto(self, results: SearchResults) -> ParetoFront:
        """Pareto front over data set + found objects."""
        return pareto_points(self.data, self.latents, results.results)

    def method_curves(self) -> MethodCurves | None:
        """Search methods compared on true scores for this checkpoint, where measured."""
        return load_method_curves(self.checkpoint_sha)

    def closed_loop(
        self,
        budget: int,
        source: str | None = None,
        seed: int = 0,
        progress: Callable[[int, int], None] | None = None,
    ) -> ClosedLoopResult:
        """NGAE's closed-loop search on the oracle's true figures (:mod:`ngae.search.closed_loop`).

        ``budget`` distinct queries (:data:`LOOP_BUDGETS`), on the oracle's ``source`` (one of
        its data sets; ``None``: the space's own). The pool is the data set's objects the
        source has figures for, with their codes. The draws are those of the benchmark's run
        ``seed`` on that source (``[seed, crc32(source)]``,
        ``benchmarks/nasbench_graph_methods.py``), so the two agree for the same checkpoint.
        ``progress(done, budget)`` after the random start and each round.
        """
        lo, hi = LOOP_BUDGETS
        if isinstance(budget, bool) or not isinstance(budget, int) or not lo <= budget <= hi:
            raise UserInputError(f"the budget must be a whole number from {lo} to {hi}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise UserInputError("the seed must be a whole number from 0")
        space = self.loop_space(source)
        pool = Pool.of(space, list(self.data.archs), self.latents.mu)
        entropy = [seed, zlib.crc32(space.oracle_source.encode())]
        result = closed_loop(
            self.model, space, pool, replace(LOOP_DEFAULTS, budget=budget), entropy, progress
        )
        return replace(result, seed=seed, checkpoint=self.path.name)

    def loop_space(self, source: str | None = None) -> SearchSpace:
        """The space whose oracle a closed loop asks: on ``source``, or as it is (``None``)."""
        if not self.space.has_oracle or self.data.archs is None:
            raise UserInputError(
                f"the {self.space.title} space has no oracle: a closed loop needs true figures"
            )
        if not source or source == self.space.oracle_source:
            return self.space
        return self.source_space(source)

    def budget_figures(self, source: str | None = None) -> BudgetFigures:
        """The search methods measured on ``source`` at fixed budgets, where a benchmark did.

        Labelled in the space's words: the reported figure of the best-by-score object of
        the space, and the best reported figure.
        """
        space = self.loop_space(source)
        score, reported = space.oracle_metrics()[0], space.reported_metric()
        item = space.naming.item
        labels = (f"{reported} of the {item} with the best {score}", f"best {reported}")
        return load_budget_figures(space.name, space.oracle_source, labels)

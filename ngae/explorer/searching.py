"""Latent search for the explorer, its Pareto front and the methods measured on true scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ngae.explorer.comparisons import MethodCurves, load_method_curves
from ngae.model.inference import encode_mu
from ngae.search import ParetoFront, SearchConfig, SearchResults, pareto_points, run_search


class SearchViews:
    """:class:`~ngae.explorer.service.Explorer`'s search."""

    def search(
        self, cfg: SearchConfig, progress: Callable[[int, int], None] | None = None
    ) -> SearchResults:
        """Latent search (see :func:`ngae.search.run_search`), naming this checkpoint."""
        found = run_search(self.model, self.data, self.latents, cfg, progress)
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

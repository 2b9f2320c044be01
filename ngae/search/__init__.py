"""Gradient search in latent space toward high predicted accuracy and low complexity (NGAE).

Ascend ``f_perf(z) - lambda * f_cmplx(z)`` from the encodings of the data set's best
architectures by true accuracy (``optimal``, the seed's), by predicted accuracy (``predicted``)
or from prior samples (``random``); with ``max_params`` the complexity becomes a constraint (a
steep penalty above the limit's normalised value). Each end point is decoded several times and
the most common valid decoding is kept (D-VAE meant this but took the first, an ``argmax`` over
``dict.values()`` bug); the figures reported for a found architecture come from re-encoding it,
so they describe a real architecture.

Plain ascent leaves the data manifold within a few steps: the predictors then promise far more
than any decodable architecture delivers. With ``project_every = k > 0`` (the default, 10) every
k steps each point is decoded greedily and replaced by the encoding of its decoding, and each
sample ends at the best architecture (by the objective of its re-encoding) it met on the way.
``project_every = 0`` is the seed's plain ascent.
"""

from ngae.search.config import DEFAULT_LR, STRATEGIES, SearchConfig
from ngae.search.pareto import pareto_front, smaller_than_all_better
from ngae.search.results import (
    ClosedLoopResult,
    FoundArch,
    ParetoFront,
    Query,
    SearchResults,
    SearchSummary,
)
from ngae.search.run import pareto_points, run_search

__all__ = [
    "ClosedLoopResult",
    "DEFAULT_LR",
    "STRATEGIES",
    "FoundArch",
    "ParetoFront",
    "Query",
    "SearchConfig",
    "SearchResults",
    "SearchSummary",
    "pareto_front",
    "pareto_points",
    "run_search",
    "smaller_than_all_better",
]

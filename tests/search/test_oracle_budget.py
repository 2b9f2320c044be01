"""Search methods at equal oracle budgets, on the shipped Asia model: known answers for the
running best, and every call scores a distinct valid network with the oracle's BIC."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ngae.files import PROJECT_ROOT
from ngae.search.config import SearchConfig
from ngae.search.oracle_budget import best_after, gradient_search_scores, random_search_scores

ASIA = PROJECT_ROOT / "checkpoints" / "ngae_asia.pt"


def test_best_after_is_the_running_best():
    assert best_after([-5.0, -7.0, -2.0, -3.0], (1, 2, 3, 4)) == [-5.0, -5.0, -2.0, -2.0]
    got = best_after([-1.0], (1, 10))
    assert got[0] == -1.0 and math.isnan(got[1])
    assert all(math.isnan(v) for v in best_after([], (1,)))


@pytest.fixture(scope="module")
def explorer():
    from ngae.explorer import Explorer

    return Explorer.open(ASIA)


def test_random_search_scores_distinct_valid_networks(explorer, monkeypatch):
    asked = []
    real = explorer.space.true_scores
    monkeypatch.setattr(
        explorer.space, "true_scores", lambda items: asked.extend(items) or real(items)
    )
    scores = random_search_scores(explorer.model, explorer.space, explorer.latents.mu, 20, seed=0)
    assert len(scores) == 20 == len(asked)
    assert len({n.to_string() for n in asked}) == 20  # each call a new network
    np.testing.assert_allclose(scores, real(asked))
    again = random_search_scores(explorer.model, explorer.space, explorer.latents.mu, 20, seed=0)
    assert again == scores  # seeded


def test_gradient_search_is_scored_best_predicted_first(explorer):
    cfg = SearchConfig(lambda_cmplx=0.0, steps=20, decodes=5)
    scores = gradient_search_scores(explorer, 6, seed=0, cfg=cfg)
    # Twice the samples; only novel networks cost a call; the best predicted first.
    result = explorer.search(SearchConfig(lambda_cmplx=0.0, steps=20, decodes=5, samples=12))
    ranked = sorted((r for r in result.results if r.novel), key=lambda r: -r.pred_acc)
    assert scores == [r.true_score for r in ranked][:6]
    assert 0 < len(scores) <= 6

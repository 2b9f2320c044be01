"""A parameter cap that holds: every returned architecture is within it, figures under it too."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import ngae.search.ascent as ascent
from ngae.cli import main
from ngae.errors import UserInputError
from ngae.explorer.service import Explorer
from ngae.search import SearchConfig
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import param_count


@pytest.fixture(scope="module")
def explorer(decoding_checkpoint):
    return Explorer.open(decoding_checkpoint)


def cap_at(explorer, quantile):
    """A cap that a share ``quantile`` of the data set's architectures fit under."""
    return float(np.quantile(explorer.data.params, quantile))


@pytest.mark.parametrize("strategy", ["predicted", "optimal", "random"])
def test_every_result_is_within_the_cap(explorer, strategy):
    cap = cap_at(explorer, 0.2)
    cfg = SearchConfig(
        samples=8, steps=20, decodes=10, strategy=strategy, max_params=cap, project_every=5
    )
    out = explorer.search(cfg)
    assert all(r.params <= cap for r in out.results)
    assert all(param_count(Arch.from_string(r.arch)) == r.params for r in out.results)
    s = out.summary
    assert s.max_params == cap
    assert s.distinct_valid + s.none_found + s.duplicates == cfg.samples
    assert (s.note == "") == (s.distinct_valid == cfg.samples)
    under = explorer.data.params <= cap
    assert s.dataset_under_cap == int(under.sum())
    assert out.dataset_best_pred_acc == pytest.approx(float(explorer.latents.pred_acc[under].max()))
    if strategy != "random":  # starts at data-set architectures within the cap: all succeed
        assert s.none_found == 0 and out.results


def test_capped_starts_are_the_best_within_the_cap(explorer):
    cap = cap_at(explorer, 0.1)
    cfg = SearchConfig(samples=4, strategy="predicted", max_params=cap)
    _, idx = ascent.start_points(cfg, explorer.data, explorer.latents, torch.Generator())
    under = np.flatnonzero(explorer.data.params <= cap)
    assert set(idx) <= set(under)
    best = explorer.latents.pred_acc[under].max()
    assert explorer.latents.pred_acc[idx[0]] == best


def test_a_cap_below_every_architecture_is_refused_for_data_starts(explorer):
    cfg = SearchConfig(samples=2, steps=2, strategy="predicted", max_params=1000.0)
    with pytest.raises(UserInputError, match="no data-set architecture has at most 1,000"):
        explorer.search(cfg)


def test_an_unreachable_cap_for_random_starts_says_so(explorer):
    cfg = SearchConfig(samples=3, steps=4, decodes=4, strategy="random", max_params=1000.0)
    out = explorer.search(cfg)
    assert out.results == [] and out.summary.none_found == 3
    assert "3 found no valid architecture with at most 1,000 parameters" in out.summary.note


def test_results_over_the_cap_are_never_reported_even_when_decoding_drifts(explorer, monkeypatch):
    """End points whose stochastic decodings are all too big fall back to what was met."""
    cap = cap_at(explorer, 0.3)
    import ngae.search.run as run

    real = run.most_common_valid

    def too_big_only(model, z, decodes, gen, space, allowed=None):
        found = real(model, z, decodes, gen, space)  # the cap ignored: may be above it
        return [(a if a is not None and allowed(a) else None, s, v) for a, s, v in found]

    monkeypatch.setattr(run, "most_common_valid", too_big_only)
    cfg = SearchConfig(samples=6, steps=10, decodes=6, max_params=cap, project_every=5)
    out = explorer.search(cfg)
    assert out.results and all(r.params <= cap for r in out.results)


def test_cli_capped_search_json(decoding_checkpoint, explorer, capsys):
    cap = cap_at(explorer, 0.25)
    argv = ["search", "--checkpoint", str(decoding_checkpoint), "--search-samples", "5"]
    argv += ["--steps", "10", "--max-params", str(cap), "--json", "--no-progress"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert all(r["params"] <= cap for r in doc["results"])
    assert doc["summary"]["max_params"] == cap and "note" in doc["summary"]
    under = explorer.data.params <= cap
    assert doc["dataset_best_pred_acc"] == pytest.approx(
        float(explorer.latents.pred_acc[under].max())
    )


def test_lambda_unit_is_the_accuracy_range_over_the_complexity_range(explorer):
    from ngae.model.inference import LatentTable
    from ngae.spaces.complexity import denormalise_complexity

    c = explorer.model.cfg
    cmplx = np.array([0.2, 0.5, 0.7])  # normalised: range 0.5
    params = denormalise_complexity(cmplx, c.cmplx_target, c.cmplx_lo, c.cmplx_hi)
    table = LatentTable(np.zeros((3, 6), np.float32), np.array([0.70, 0.74, 0.75]), params)
    assert ascent.lambda_unit(explorer.model, table) == pytest.approx(0.05 / 0.5)
    flat = LatentTable(table.mu, table.pred_acc, np.full(3, params[0]))
    assert ascent.lambda_unit(explorer.model, flat) == 1.0  # no range: no rescaling
    out = explorer.search(SearchConfig(samples=2, steps=2, decodes=2))
    assert out.config["lambda_unit"] == pytest.approx(
        ascent.lambda_unit(explorer.model, explorer.latents)
    )

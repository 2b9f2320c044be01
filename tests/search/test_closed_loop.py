"""NGAE's closed loop on an oracle (``ngae.search.closed_loop``), on the test-only toy space.

A tiny model trained on the toy space's 1,944 cells; the closed loop asks the toy oracle. The
queries are distinct and within budget, the best is the running best of what was asked, ranks
are known answers over the pool, the shared model is untouched and a seed repeats itself.
"""

from __future__ import annotations

import copy
import zlib

import numpy as np
import pytest
import torch
from toy_space import ToySpace, register_toy, write_toy_data

from ngae.errors import UserInputError
from ngae.files import PROJECT_ROOT
from ngae.search.accuracy_heads import AccuracyHeads
from ngae.search.closed_loop import LoopConfig, Pool, closed_loop, round_size
from ngae.spaces.registry import unregister

BUDGET = 25


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    from ngae.config import ModelConfig, TrainConfig
    from ngae.explorer import Explorer
    from ngae.training.fit import fit

    space = register_toy()
    folder = tmp_path_factory.mktemp("loop_toy")
    data = write_toy_data(folder / "toy.jsonl")
    cfg = TrainConfig(
        data=str(data), epochs=3, batch_size=64, lr=5e-3, eval_interval=0, save_interval=0,
        precision="fp32",
    )  # fmt: skip
    ckpt = fit(ModelConfig(hs=24, nz=6), cfg, out=folder / "toy.pt", progress=False)
    yield space, Explorer.open(ckpt)
    unregister(space.name)


@pytest.fixture(scope="module")
def pool(toy):
    space, ex = toy
    return Pool.of(space, list(ex.data.archs), ex.latents.mu)


class Steps(list):
    def append_pair(self, done, total):
        self.append((done, total))


@pytest.fixture(scope="module")
def run_with_steps(toy, pool):
    space, ex = toy
    steps = Steps()
    result = closed_loop(ex.model, space, pool, LoopConfig(budget=BUDGET), 7, steps.append_pair)
    return result, steps


def test_the_budget_is_spent_on_distinct_objects(toy, run_with_steps):
    space, _ = toy
    result, _ = run_with_steps
    items = [q.item for q in result.queries]
    assert len(items) == BUDGET == len(set(items)) == result.budget
    truth = space.true_scores([space.parse(t) for t in items])
    np.testing.assert_allclose([q.score for q in result.queries], truth)
    assert all(q.metrics == {"goodness": q.score} for q in result.queries)
    assert [q.origin for q in result.queries[:10]] == ["random"] * 10
    assert {q.origin for q in result.queries[10:]} <= {"decoded", "screened"}
    assert result.rounds == 3  # 10 -> 15 -> 20 -> 25: rounds of round_size(n) = 5
    assert [round_size(n) for n in (10, 15, 20, 25, 250, 400)] == [5, 5, 5, 5, 50, 50]


def test_the_curve_is_the_running_best_by_score(run_with_steps):
    result, _ = run_with_steps
    scores = np.array([q.score for q in result.queries])
    curve = result.curve()
    assert np.all(np.diff(curve) >= 0)
    np.testing.assert_allclose(curve, np.maximum.accumulate(scores))
    assert result.best.score == scores.max()
    assert result.best_so_far[-1] == int(np.argmax(scores))  # ties: the first asked
    assert result.reported == "goodness"  # the toy oracle has one figure: its score
    np.testing.assert_allclose(result.curve("goodness"), curve)


def test_ranks_count_the_pool_objects_scoring_higher(pool, run_with_steps):
    result, _ = run_with_steps
    assert result.pool_size == len(pool) == 1944
    for q in result.queries:
        assert q.rank == 1 + int((pool.scores > q.score).sum())
    assert Pool.rank(pool, pool.scores.max()) == 1


def test_progress_after_the_start_and_each_round(run_with_steps):
    _, steps = run_with_steps
    assert steps == [(10, 25), (15, 25), (20, 25), (25, 25)]


def test_the_same_seed_gives_the_same_search(toy, pool, run_with_steps):
    space, ex = toy
    first, _ = run_with_steps
    again = closed_loop(ex.model, space, pool, LoopConfig(budget=BUDGET), 7)
    assert again.queries == first.queries and again.best_so_far == first.best_so_far
    other = closed_loop(ex.model, space, pool, LoopConfig(budget=BUDGET), 8)
    assert [q.item for q in other.queries] != [q.item for q in first.queries]


def test_the_shared_model_is_never_written(toy, pool):
    space, ex = toy
    before = copy.deepcopy(ex.model.state_dict())
    closed_loop(ex.model, space, pool, LoopConfig(budget=15), 1)
    after = ex.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not any(p.requires_grad for p in ex.model.parameters())


def test_a_budget_over_the_pool_asks_the_whole_pool(toy):
    space, ex = toy
    small = Pool.of(space, list(ex.data.archs[:12]), ex.latents.mu[:12])
    result = closed_loop(ex.model, space, small, LoopConfig(budget=40), 0)
    assert result.budget == 12
    assert sum(q.item in small.strings for q in result.queries) >= 10  # the random start
    assert len(result.queries) == len({q.item for q in result.queries}) == 12


def test_decodings_outside_the_pool_are_encoded_and_asked(toy):
    space, ex = toy
    part = Pool.of(space, list(ex.data.archs[:200]), ex.latents.mu[:200])
    result = closed_loop(ex.model, space, part, LoopConfig(budget=30), 3)
    outside = [q for q in result.queries if q.item not in part.strings]
    assert outside and all(q.origin == "decoded" for q in outside)
    for q in outside:
        assert q.score == pytest.approx(space.true_scores([space.parse(q.item)])[0])
        assert q.rank == 1 + int((part.scores > q.score).sum())


class HalfBlind(ToySpace):
    """The toy oracle with no figure for cells whose first op is ``c`` (NaN, as a table)."""

    def true_scores(self, items):
        scores = super().true_scores(items)
        return np.where([t.ops[0] == 2 for t in items], np.nan, scores)


def test_objects_without_a_figure_are_never_asked(toy):
    _, ex = toy
    space = HalfBlind()
    pool = Pool.of(space, list(ex.data.archs), ex.latents.mu)
    assert len(pool) == 1944 * 2 // 3 and np.isfinite(pool.scores).all()
    result = closed_loop(ex.model, space, pool, LoopConfig(budget=20), 2)
    assert len(result.queries) == 20
    assert all(q.item.split()[4] != "c" for q in result.queries)


def test_heads_start_as_torch_seeds_them():
    heads = AccuracyHeads(nz=6, hs=8, count=1)
    heads.fit(torch.zeros(3, 6), np.array([0.0, 0.5, 1.0]), seed=11, steps=0)
    plain = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    torch.manual_seed(11)  # the benchmark's old way: the global generator, then reset
    for layer in plain:
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    mine = heads.heads[0]
    assert torch.equal(mine[0].weight, plain[0].weight) and torch.equal(mine[2].bias, plain[2].bias)


def test_settings_that_cannot_run_are_refused(toy, pool):
    space, ex = toy
    for bad in (LoopConfig(budget=0), LoopConfig(starts=0), LoopConfig(kappa=-1.0)):
        with pytest.raises(UserInputError):
            closed_loop(ex.model, space, pool, bad, 0)


def test_the_explorer_runs_it_on_its_data_set(toy):
    _, ex = toy
    seen = []
    result = ex.closed_loop(15, None, 4, lambda done, total: seen.append((done, total)))
    assert len(result.queries) == 15 and seen[-1] == (15, 15)
    assert result.seed == 4 and result.checkpoint == ex.path.name and result.source == ""
    assert ex.closed_loop(15, None, 4).queries == result.queries
    for budget, seed in ((5, 0), (501, 0), (20, -1)):
        with pytest.raises(UserInputError):
            ex.closed_loop(budget, None, seed)
    figures = ex.budget_figures()
    assert figures.methods == {} and "toy4_methods.json is missing" in figures.note


SHIPPED_NBG = PROJECT_ROOT / "checkpoints" / "ngae_nasbench_graph.pt"


@pytest.mark.skipif(not SHIPPED_NBG.is_file(), reason="needs the shipped NAS-Bench-Graph model")
def test_the_explorer_asks_what_the_benchmark_asks_for_a_seed():
    from benchmarks.nasbench_graph_methods import Latent, Problem, Settings, ngae
    from ngae.explorer import Explorer
    from ngae.spaces.nasbench_graph.arch import GnnArch

    result = Explorer.open(SHIPPED_NBG).closed_loop(20, "proteins", 1)
    assert result.source == "proteins" and result.pool_size == 2021  # the table's architectures
    assert result.reported == "test accuracy" and result.metric_names[0] == "valid accuracy"
    settings = Settings(latent=Latent.load(str(SHIPPED_NBG)))
    rng = np.random.default_rng([1, zlib.crc32(b"proteins")])  # the benchmark's run 1
    order = ngae(Problem.of("proteins"), 20, rng, settings)
    assert [GnnArch.from_string(q.item).bench_hash for q in result.queries] == order
    best = result.best
    assert result.curve("test accuracy")[-1] == best.metrics["test accuracy"]

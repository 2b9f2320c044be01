"""Latent search (ngae.search): real architectures honestly described; validated settings."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

import ngae.model.inference as inference
import ngae.search.ascent as search_mod
from ngae.cli import main
from ngae.errors import UserInputError
from ngae.explorer.service import Explorer
from ngae.files import file_sha256
from ngae.search import SearchConfig, pareto_front, smaller_than_all_better
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import param_count


@pytest.fixture(scope="module")
def explorer(decoding_checkpoint):
    """The tiny model whose decodings are valid cells, so searches have results to check."""
    return Explorer.open(decoding_checkpoint)


JSON_KEYS = {
    "results",
    "dataset_best_pred_acc",
    "config",
    "seconds",
    "summary",
    "space",
    "dataset_best_true_score",
    "optimum_score",
    "checkpoint",
    "checkpoint_sha",
}
RESULT_KEYS = (
    "sample arch valid novel in_dataset true_acc params pred_acc pred_params pred_acc_latent "
    "pred_params_latent decode_share start_arch start_true_acc trajectory true_score adjacency"
).split()
SUMMARY_KEYS = "samples distinct_valid novel best_pred_acc beats_dataset_best".split()


def test_search_reports_real_architectures(explorer):
    cfg = SearchConfig(samples=6, steps=5, decodes=8, strategy="random", optimizer="adam")
    out = explorer.search(cfg)
    assert out.results, "the search found no valid architecture"
    assert out.dataset_best_pred_acc == pytest.approx(float(np.max(explorer.latents.pred_acc)))
    archs = [r.arch for r in out.results]
    assert len(archs) == len(set(archs))  # deduplicated
    assert out.summary.distinct_valid == len(archs) and out.summary.samples == 6
    for r in out.results:
        arch = Arch.from_string(r.arch)
        assert r.valid and r.params == param_count(arch)
        assert r.novel == (r.arch not in explorer.data.strings) != r.in_dataset
        cell = explorer.describe(arch)  # predictions describe the re-encoded arch
        assert r.pred_acc == pytest.approx(cell.pred_acc, abs=1e-6)
        assert len(r.trajectory) == cfg.steps + 1 and len(r.trajectory[0]) == 6
        assert 0 < r.decode_share <= 1
    doc = json.loads(json.dumps(out.to_dict()))  # plain JSON with the documented keys
    assert set(doc) == JSON_KEYS and set(SUMMARY_KEYS) <= set(doc["summary"])
    assert doc["checkpoint"] == explorer.path.name
    assert doc["checkpoint_sha"] == file_sha256(explorer.path)[:12]
    assert all(set(RESULT_KEYS) == set(r) for r in doc["results"])


def test_optimal_starts_from_best_distinct_accuracies(explorer):
    gen = torch.Generator().manual_seed(0)
    cfg = SearchConfig(samples=5, strategy="optimal")
    z, idx = search_mod.start_points(cfg, explorer.data, explorer.latents, gen)
    accs = explorer.data.acc[idx]
    assert len(set(accs)) == 5 and accs[0] == explorer.data.acc.max()
    assert list(accs) == sorted(accs, reverse=True)
    assert torch.allclose(z, torch.as_tensor(explorer.latents.mu[idx]))


def test_ascent_increases_objective(explorer):
    model = explorer.model
    cfg = SearchConfig(
        samples=4,
        steps=30,
        strategy="random",
        optimizer="adam",
        lr=0.1,
        trust_radius=0,
        project_every=0,
    )
    gen = torch.Generator().manual_seed(0)
    z0, _ = search_mod.start_points(cfg, explorer.data, explorer.latents, gen)
    path, end, _ = search_mod.ascend(model, z0, cfg, (None, None))
    assert torch.equal(end, path[-1])  # plain ascent ends where it stops
    with torch.no_grad():
        before = [model.predict(p) for p in (path[0], path[-1])]
    obj = [float((a - cfg.lambda_cmplx * c).sum()) for a, c in before]
    assert obj[1] > obj[0]
    assert all(p.grad is None and not p.requires_grad for p in model.parameters())
    assert not model.training  # the shared model is untouched


def test_most_common_valid_decoding_not_first(monkeypatch, explorer):
    a = Arch.from_string("1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1")
    b = Arch.from_string("5 3 1 2 1 1 3 1 1 0 5 0 0 0 1 2 0 1 1 1 0")
    # one point, five decodes: a once (first), b three times, one invalid
    seq = [a, b, None, b, b]
    monkeypatch.setattr(inference, "decode_many", lambda *args, **kw: (None, None))
    monkeypatch.setattr(explorer.space, "to_items", lambda *args: seq)
    out = inference.most_common_valid(explorer.model, torch.zeros(1, 6), 5, None, explorer.space)
    assert out == [(b, 0.6, 0.8)]


@pytest.mark.parametrize(
    "field, value",
    [
        ("lr", math.nan),
        ("lr", 1e9),
        ("lr", -1.0),
        ("samples", 0),
        ("steps", -1),
        ("decodes", 0),
        ("lambda_cmplx", math.inf),
        ("max_params", 0.0),
        ("optimizer", "rmsprop"),
    ],
)
def test_bad_settings_are_rejected(field, value):
    with pytest.raises(UserInputError):
        SearchConfig(**{field: value}).validate()


def test_pareto_front_known_answer():
    acc = np.array([0.70, 0.72, 0.71, 0.75, 0.74, 0.75])
    params = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 6.0])
    assert pareto_front(acc, params).tolist() == [0, 1, 4, 3]
    assert smaller_than_all_better(0.73, 3.5, acc, params)
    assert not smaller_than_all_better(0.73, 4.5, acc, params)


def test_cli_search_json_and_out_file(decoding_checkpoint, tmp_path, capsys):
    out = tmp_path / "found.json"
    rc = main(
        [
            "search",
            "--checkpoint",
            str(decoding_checkpoint),
            "--search-samples",
            "3",
            "--steps",
            "3",
            "--decodes",
            "4",
            "--json",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed == json.loads(out.read_text())
    assert set(printed) == JSON_KEYS and printed["config"]["samples"] == 3
    assert printed["results"], "no result to check"
    assert all(set(RESULT_KEYS) == set(r) for r in printed["results"])


def test_cli_search_bad_lr_is_one_line(tiny_checkpoint, capsys):
    assert main(["search", "--checkpoint", str(tiny_checkpoint), "--search-lr", "inf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_latent_stepper_matches_torch_optim(kind):
    gen = torch.Generator().manual_seed(3)
    z_ours = torch.randn(4, 5, generator=gen)
    z_ref = z_ours.clone().requires_grad_(True)
    ours = search_mod.LatentStepper(kind, 0.05, z_ours)
    ref = (torch.optim.SGD if kind == "sgd" else torch.optim.Adam)([z_ref], lr=0.05)
    for _ in range(7):
        grad = torch.randn(4, 5, generator=gen)
        ours(grad)
        z_ref.grad = grad.clone()
        ref.step()
    torch.testing.assert_close(z_ours, z_ref.detach(), rtol=1e-6, atol=1e-7)


def test_projection_ends_at_a_projected_point(explorer, monkeypatch):
    """With projection, each sample ends at the best-scoring re-encoded decoding it met."""
    model = explorer.model
    cfg = SearchConfig(
        samples=4, steps=12, optimizer="adam", lr=0.2, project_every=3, trust_radius=0
    )
    calls = []
    real = search_mod.reencode_decodings

    stand_in = Arch.from_string("1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1")

    def spy(model_, z, space):
        mu, archs = real(model_, z, space)
        archs = [a or stand_in for a in archs]  # every decoding valid: all rows get projected
        calls.append(mu.clone())
        return mu, archs

    monkeypatch.setattr(search_mod, "reencode_decodings", spy)
    gen = torch.Generator().manual_seed(0)
    z0, _ = search_mod.start_points(cfg, explorer.data, explorer.latents, gen)
    path, end, _ = search_mod.ascend(model, z0, cfg, (None, None))
    assert len(calls) == 4
    for k, mu in enumerate(calls):  # the path jumps to each projection
        torch.testing.assert_close(path[(k + 1) * cfg.project_every], mu)
    with torch.no_grad():
        scores = torch.stack([search_mod._objective(model, mu, cfg, None) for mu in calls])
        best = scores.argmax(0)
        expected = torch.stack([calls[b][i] for i, b in enumerate(best.tolist())])
    torch.testing.assert_close(end, expected)


def test_predicted_strategy_starts_from_best_predictions(explorer):
    gen = torch.Generator().manual_seed(0)
    cfg = SearchConfig(samples=3, strategy="predicted")
    _, idx = search_mod.start_points(cfg, explorer.data, explorer.latents, gen)
    assert explorer.latents.pred_acc[idx[0]] == explorer.latents.pred_acc.max()


def test_given_starts_are_the_start_points_and_are_checked(explorer):
    gen = torch.Generator().manual_seed(0)
    cfg = SearchConfig(starts=(5, 2, 40), samples=3).validate()
    z, idx = search_mod.start_points(cfg, explorer.data, explorer.latents, gen)
    assert idx == [5, 2, 40]
    assert torch.equal(z, torch.as_tensor(explorer.latents.mu[[5, 2, 40]], dtype=torch.float32))
    results = explorer.search(replace(cfg, steps=3, decodes=2))
    assert results.summary.samples == 3
    with pytest.raises(UserInputError, match="one per sample"):
        SearchConfig(starts=(1, 2), samples=3).validate()
    with pytest.raises(UserInputError, match="whole numbers"):
        SearchConfig(starts=(1, -2), samples=2).validate()
    beyond = SearchConfig(starts=(10**7,), samples=1).validate()
    with pytest.raises(UserInputError, match="beyond"):
        search_mod.start_points(beyond, explorer.data, explorer.latents, gen)
    small = float(explorer.data.params.min())
    capped = SearchConfig(starts=(int(explorer.data.params.argmax()),), samples=1, max_params=small)
    with pytest.raises(UserInputError, match="raise the limit"):
        search_mod.start_points(capped.validate(), explorer.data, explorer.latents, gen)

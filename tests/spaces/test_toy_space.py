"""A space defined only in the tests (``tests/toy_space.py``) goes through the whole product:
training, D-VAE's evaluation with its own validity, search with its oracle, drawings, the CLI.

Nothing in ``ngae/`` was edited for it: registering the space is all it takes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from toy_space import ToySpace, register_toy, write_toy_data

from ngae.cli import main
from ngae.config import ModelConfig, TrainConfig
from ngae.explorer import Explorer, SearchConfig
from ngae.spaces.registry import unregister
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint
from ngae.training.fit import fit, quick_metrics
from ngae.ui.cells import cell_svg, file_stem, legend_html


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    space = register_toy()
    folder = tmp_path_factory.mktemp("toy")
    data = write_toy_data(folder / "toy.jsonl")
    ckpt = fit(
        ModelConfig(hs=24, nz=6),
        TrainConfig(
            data=str(data),
            epochs=6,
            batch_size=64,
            lr=5e-3,
            eval_interval=3,
            save_interval=0,
            precision="fp32",
        ),
        out=folder / "toy.pt",
        progress=False,
        evaluate_every=quick_metrics,
    )
    yield space, ckpt
    unregister(space.name)


def test_it_trains_on_its_own_data_file(toy):
    space, ckpt = toy
    ex = Explorer.open(ckpt)
    assert ex.space is space and ex.data.space == "toy4" and len(ex.data) == 1944
    table = ex.table()
    assert {"edges", "pred_acc", "true_acc"} <= set(table.columns)
    assert ex.space_info.naming.perf == "goodness" and ex.space_info.has_oracle
    assert ex.space_info.optimum_score == pytest.approx(space.optimum()[0])


def test_evaluation_uses_the_space_validity_rule(toy):
    space, ckpt = toy
    result = evaluate_checkpoint(ckpt, EvalSettings(recon_decodes=2, prior_samples=30))
    assert result["space"] == "toy4" and result["validity_rule"] == "valid_mask"
    assert 0.0 <= result["validity"] <= 1.0 and result["prior_decodes"] == 300
    assert 0.0 <= result["recon_acc"] <= 1.0


def test_search_reports_true_scores_from_its_oracle(toy):
    space, ckpt = toy
    ex = Explorer.open(ckpt)
    out = ex.search(SearchConfig(samples=4, steps=5, decodes=4))
    assert out.space == "toy4" and out.optimum_score == pytest.approx(space.optimum()[0])
    for r in out.results:
        item = space.parse(r.arch)
        assert r.true_score == pytest.approx(space.true_scores([item])[0])
        assert r.adjacency is None  # only spaces that export it


def test_it_is_drawn_and_named_by_its_own_words(toy):
    space, _ = toy
    svg = cell_svg(space.example, vertical=True, space="toy4")
    assert 'data-arch="0 1 2 3 a b c a"' in svg and "1: a" in svg
    assert file_stem(space.example, "toy4") == "toy-cell-0-1-2-3-a-b-c-a"
    assert legend_html("toy4") == ""


def test_the_cli_scores_and_finds_its_optimum(toy, capsys):
    space, _ = toy
    assert main(["optimum", "--space", "toy4", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["score"] == pytest.approx(space.optimum()[0]) and "adjacency" not in doc
    assert main(["score", "--space", "toy4", doc["arch"]]) == 0
    assert float(capsys.readouterr().out.strip()) == pytest.approx(doc["score"], abs=1e-6)
    assert np.isfinite(ToySpace().true_scores([space.parse(doc["arch"])])).all()

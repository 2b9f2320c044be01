"""``ngae score``, ``ngae optimum`` and the Asia space end to end on a tiny model:
training, evaluation and a search whose results carry their true BIC."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ngae.cli import main
from ngae.files import PROJECT_ROOT as ROOT
from ngae.spaces.asia.data import DATASET, local_scores
from ngae.spaces.asia.network import BayesNet, true_adjacency

TRUE = BayesNet.from_adjacency(true_adjacency()).to_string()


def test_score_prints_the_bic_of_one_network(capsys):
    assert main(["score", "--space", "asia", TRUE]) == 0
    got = float(capsys.readouterr().out)
    assert got == pytest.approx(local_scores().score(true_adjacency()[None])[0], abs=1e-6)


def test_score_reads_a_file_line_by_line(tmp_path, capsys):
    lines = [json.loads(x) for x in DATASET.read_text().splitlines()[:5]]
    f = tmp_path / "nets.txt"
    f.write_text("\n".join(r["adjacency"] for r in lines) + "\n\n")
    assert main(["score", str(f)]) == 0
    out = [float(v) for v in capsys.readouterr().out.split()]
    np.testing.assert_allclose(out, [r["score"] for r in lines], atol=1e-5)


def test_score_on_other_samples(tmp_path, capsys):
    samples = tmp_path / "s.csv"
    samples.write_text("D,X,E,B,L,T,S,A\n" + "no,no,no,no,no,no,no,no\n" * 3 + "yes," * 7 + "yes\n")
    assert main(["score", "--samples", str(samples), "0" * 64]) == 0
    # Four rows, each variable yes once: 8 * (log-likelihood of 1 in 4) - log(4)/2 * 8 params.
    expected = 8 * (np.log(0.25) + 3 * np.log(0.75)) - np.log(4) / 2 * 8
    assert float(capsys.readouterr().out) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["0" * 63], "64 digits, got 63"),
        (["0" * 63 + "a"], "only the digits 0 and 1"),
        (["1" + "0" * 63], "self-loop on A"),
        (["01" + "0" * 6 + "1" + "0" * 55], "directed cycle"),
        (["missing/nets.txt"], "no such file"),
        (["--samples", "nope.csv", TRUE], "no such samples file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(["score", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_bad_line_in_a_file_names_it(tmp_path, capsys):
    f = tmp_path / "nets.txt"
    f.write_text(TRUE + "\n" + "0" * 10 + "\n")
    assert main(["score", str(f)]) == 2
    assert "nets.txt:2: an adjacency string needs 64 digits" in capsys.readouterr().err


def test_optimum_json_is_the_last_line(capsys):
    assert main(["optimum", "--space", "asia", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(doc) == {"score", "arch", "adjacency", "seconds"}
    net = BayesNet.from_string(doc["adjacency"])
    assert local_scores().score(net.adjacency[None])[0] == pytest.approx(doc["score"])
    assert doc["score"] >= local_scores().score(true_adjacency()[None])[0]


@pytest.fixture(scope="module")
def asia_checkpoint(tmp_path_factory):
    """A tiny NGAE trained for 2 epochs on 300 Asia networks."""
    from ngae.config import ModelConfig, TrainConfig
    from ngae.training.fit import fit

    folder = tmp_path_factory.mktemp("asia")
    data = folder / "asia_small.jsonl"
    data.write_text("\n".join(DATASET.read_text().splitlines()[:300]) + "\n")
    cfg = TrainConfig(
        data=str(data), epochs=2, batch_size=64, eval_interval=0, save_interval=0, precision="fp32"
    )
    return fit(ModelConfig(hs=24, nz=6), cfg, folder / "asia.pt", progress=False)


def test_an_asia_checkpoint_records_its_space_and_score_scale(asia_checkpoint):
    import torch

    ckpt = torch.load(asia_checkpoint, weights_only=True)
    assert ckpt["space"] == "asia"
    cfg = ckpt["model_config"]
    assert cfg["max_n"] == 10 and cfg["num_types"] == 10
    assert cfg["perf_lo"] < -11000 and cfg["perf_hi"] < 0  # BIC mapped into the head's range


def test_search_on_asia_reports_true_scores(asia_checkpoint, capsys):
    argv = ["search", "--checkpoint", str(asia_checkpoint), "--search-samples", "4"]
    assert main([*argv, "--steps", "10", "--decodes", "4", "--json", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["space"] == "asia"
    assert doc["optimum_score"] == pytest.approx(-11320.2966, abs=1e-3)
    assert doc["dataset_best_true_score"] <= doc["optimum_score"]


def test_search_results_on_asia_carry_their_true_scores_in_json_and_table(capsys):
    shipped = ROOT / "checkpoints" / "ngae_asia.pt"  # a tiny model may decode no valid network
    argv = ["search", "--checkpoint", str(shipped), "--search-samples", "4"]
    flags = ["--steps", "10", "--decodes", "4", "--no-progress"]
    assert main([*argv, *flags, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["results"] and doc["config"]["strategy"] == "optimal"  # the space's default
    for r in doc["results"]:
        net = BayesNet.from_string(r["adjacency"])
        assert r["adjacency"] == r["arch"]
        assert r["true_score"] == pytest.approx(local_scores().score(net.adjacency[None])[0])
        assert r["params"] == local_scores().free_params(net.adjacency[None])[0]
    assert main([*argv, *flags]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-1] == "true_score"
    rows = {line.split()[0]: line.split()[-1] for line in lines[2 : 2 + len(doc["results"])]}
    for r in doc["results"]:
        assert float(rows[r["arch"]].replace(",", "")) == pytest.approx(r["true_score"], abs=0.006)
    best = max(r["true_score"] for r in doc["results"])
    summary = next(line for line in lines if line.startswith("true scores"))
    assert f"best found {best:,.2f}" in summary
    assert "optimum -11,320.30" in summary


def test_evaluate_on_asia_reports_the_protocols_and_the_score_head(asia_checkpoint, capsys):
    argv = ["evaluate", "--checkpoint", str(asia_checkpoint), "--recon-decodes", "2"]
    assert main([*argv, "--prior-samples", "20", "--prior-decodes", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("recon_acc", "validity", "uniqueness", "novelty", "perf_rmse", "perf_pearson"):
        assert key in doc
    assert doc["perf_rmse"] > 1  # in BIC units, not the head's

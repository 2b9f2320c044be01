"""Training, checkpoints, resume after SIGKILL, torchrun DDP and the train/evaluate CLI."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from ngae.cli import main
from ngae.config import ModelConfig, TrainConfig
from ngae.errors import CheckpointError
from ngae.files import PROJECT_ROOT as ROOT
from ngae.model.checkpoint import export_checkpoint, load_checkpoint, model_from_checkpoint
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint
from ngae.training.fit import fit, quick_metrics

TINY_MODEL = [
    "--hs",
    "16",
    "--nz",
    "4",
    "--batch-size",
    "64",
    "--no-progress",
    "--precision",
    "fp32",
]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.txt"
    lines = (ROOT / "data" / "final_structures6.txt").read_text().splitlines()[:200]
    path.write_text("\n".join(lines) + "\n")
    return path


def tiny_fit(data: Path, out: Path, epochs: int, **kw) -> Path:
    return fit(
        ModelConfig(hs=16, nz=4),
        TrainConfig(
            data=str(data),
            epochs=epochs,
            batch_size=64,
            eval_interval=1,
            save_interval=0,
            precision="fp32",  # the same model on every machine
        ),
        out,
        progress=False,
        evaluate_every=quick_metrics,
        **kw,
    )


def test_fit_writes_loadable_checkpoint_with_history(tiny_data, tmp_path):
    out = tiny_fit(tiny_data, tmp_path / "run.pt", epochs=2)
    ckpt = torch.load(out, weights_only=True)  # no flags needed
    assert ckpt["epoch"] == 2 and len(ckpt["history"]) == 2
    assert {"loss", "recon", "kl", "perf", "cmplx", "lr", "seconds"} <= set(ckpt["history"][0])
    assert "test_recon_greedy" in ckpt["history"][1]
    assert ckpt["model_config"]["hs"] == 16 and len(ckpt["data_hash"]) == 64
    model = model_from_checkpoint(load_checkpoint(out))
    assert not model.training
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves no temp files


def test_resume_continues_history_identically(tiny_data, tmp_path):
    straight = tiny_fit(tiny_data, tmp_path / "a.pt", epochs=3)
    tiny_fit(tiny_data, tmp_path / "b.pt", epochs=2)
    resumed = fit(
        ModelConfig(hs=16, nz=4),
        TrainConfig(
            data=str(tiny_data),
            epochs=3,
            batch_size=64,
            eval_interval=1,
            save_interval=0,
            precision="fp32",
        ),
        tmp_path / "b.pt",
        continue_from=2,
        progress=False,
        evaluate_every=quick_metrics,
    )
    h1 = load_checkpoint(straight)["history"]
    h2 = load_checkpoint(resumed)["history"]
    assert [round(r["loss"], 4) for r in h1] == [round(r["loss"], 4) for r in h2]


def test_continue_from_wrong_epoch_is_a_clear_error(tiny_data, tmp_path):
    tiny_fit(tiny_data, tmp_path / "c.pt", epochs=1)
    with pytest.raises(CheckpointError, match="epoch 5"):
        fit(
            ModelConfig(hs=16, nz=4),
            TrainConfig(data=str(tiny_data), epochs=6),
            tmp_path / "c.pt",
            continue_from=5,
            progress=False,
        )


def test_corrupt_and_foreign_checkpoints_are_rejected(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(bad)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not an NGAE checkpoint"):
        load_checkpoint(tmp_path / "foreign.pt")


def test_export_is_smaller_and_still_loads(tiny_data, tmp_path):
    src = tiny_fit(tiny_data, tmp_path / "full.pt", epochs=1)
    export_checkpoint(src, tmp_path / "small.pt")
    small = load_checkpoint(tmp_path / "small.pt")
    assert "optimizer" not in small
    assert (tmp_path / "small.pt").stat().st_size < src.stat().st_size
    model_from_checkpoint(small)


@pytest.mark.slow
def test_sigkill_leaves_last_epoch_resumable(tiny_data, tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "ngae",
        "train",
        "--data",
        str(tiny_data),
        "--save-dir",
        str(tmp_path),
        "--save-appendix",
        "",
        "--epochs",
        "200",
        "--eval-interval",
        "0",
        "--save-interval",
        "0",
        *TINY_MODEL,
    ]
    out = tmp_path / "tiny.pt"
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not out.exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(random.uniform(0.0, 0.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ckpt = load_checkpoint(out)  # the last complete epoch, never half a file
    epoch = ckpt["epoch"]
    assert epoch >= 1 and len(ckpt["history"]) == epoch
    rc = main(
        [
            "train",
            "--data",
            str(tiny_data),
            "--save-dir",
            str(tmp_path),
            "--save-appendix",
            "",
            "--epochs",
            str(epoch + 1),
            "--continue-from",
            str(epoch),
            "--eval-interval",
            "0",
            *TINY_MODEL,
        ]
    )
    assert rc == 0
    resumed = load_checkpoint(out)
    assert resumed["epoch"] == epoch + 1
    assert resumed["history"][:epoch] == ckpt["history"]


def test_resume_goes_on_with_the_run_files_lr_or_the_one_given(tiny_data, tmp_path):
    base = ["train", "--data", str(tiny_data), "--save-dir", str(tmp_path), "--save-appendix", ""]
    quiet = ["--eval-interval", "0", "--save-interval", "0", *TINY_MODEL]
    out = tmp_path / "tiny.pt"
    assert main([*base, "--epochs", "1", "--lr", "0.002", *quiet]) == 0
    assert main([*base, "--epochs", "2", "--continue-from", "1", *quiet]) == 0
    assert main([*base, "--epochs", "3", "--continue-from", "2", "--lr", "3e-4", *quiet]) == 0
    lrs = [record["lr"] for record in load_checkpoint(out)["history"]]
    assert lrs == pytest.approx([0.002, 0.002, 3e-4])


@pytest.mark.slow
def test_torchrun_two_cpu_processes_train_and_save_one_checkpoint(tiny_data, tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "ngae",
        "train",
        "--data",
        str(tiny_data),
        "--save-dir",
        str(tmp_path),
        "--save-appendix",
        "_ddp",
        "--epochs",
        "2",
        "--device",
        "cpu",
        "--threads",
        "1",
        *TINY_MODEL,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stderr[-2000:]
    files = list(tmp_path.glob("*.pt"))
    assert [f.name for f in files] == ["tiny_ddp.pt"]
    ckpt = load_checkpoint(files[0])
    assert ckpt["epoch"] == 2 and len(ckpt["history"]) == 2


def test_cli_train_records_noise_scale_and_count_options(tiny_data, tmp_path):
    args = ["--data", str(tiny_data), "--save-dir", str(tmp_path), "--save-appendix", "_e"]
    extra = ["--eps-scale", "1", "--vertex-count", "--type-counts"]
    assert main(["train", *args, "--epochs", "1", *extra, *TINY_MODEL]) == 0
    ckpt = load_checkpoint(tmp_path / "tiny_e.pt")
    cfg = ckpt["model_config"]
    assert cfg["eps_scale"] == 1.0 and cfg["vertex_count"] and cfg["type_counts"]
    model = model_from_checkpoint(ckpt)  # its decoder has both count maps, and they trained
    assert model.decoder.vertex_count.weight.abs().sum() > 0
    assert model.decoder.type_counts.weight.abs().sum() > 0


def test_cli_train_only_test_and_evaluate_json(tiny_data, tmp_path, capsys):
    args = ["--data", str(tiny_data), "--save-dir", str(tmp_path), "--save-appendix", "_x"]
    assert main(["train", *args, "--epochs", "1", *TINY_MODEL]) == 0
    assert main(["train", *args, "--epochs", "1", *TINY_MODEL]) == 2  # exists: refuses
    assert "--continue-from" in capsys.readouterr().err
    quick = ["--recon-decodes", "2", "--prior-samples", "20", "--prior-decodes", "2", "--json"]
    assert main(["train", *args, "--only-test", "--continue-from", "1", *quick]) == 0
    assert main(["evaluate", "--checkpoint", str(tmp_path / "tiny_x.pt"), *quick]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    for key in (
        "recon_acc",
        "validity",
        "uniqueness",
        "novelty",
        "perf_rmse",
        "perf_pearson",
        "perf_spearman",
        "perf_kendall",
        "cmplx_rmse",
        "cmplx_r2",
        "cmplx_kendall",
        "perf_top1_precision",
        "perf_top5_precision",
        "perf_top10_kendall",
        "recon_decodes",
        "prior_samples",
        "seconds",
    ):
        assert key in result
    assert 0 <= result["recon_acc"] <= 1 and result["test_graphs"] == 20


def test_quick_evaluation_rescales_the_prior_from_a_training_subset(tiny_data, tmp_path):
    out = tiny_fit(tiny_data, tmp_path / "run.pt", epochs=1)
    base = {"recon_decodes": 2, "prior_samples": 20, "prior_decodes": 2, "device": "cpu"}
    full = evaluate_checkpoint(out, EvalSettings(**base))
    everything = evaluate_checkpoint(out, EvalSettings(**base, prior_stats_graphs=10_000))
    subset = evaluate_checkpoint(out, EvalSettings(**base, prior_stats_graphs=50))
    assert full["prior_stats_graphs"] == full["train_graphs"] == 180
    assert subset["prior_stats_graphs"] == 50
    timeless = [{k: v for k, v in r.items() if k != "seconds"} for r in (full, everything)]
    assert timeless[0] == timeless[1]
    # only the prior's rescaling changes: reconstruction and predictor figures are the same
    for key in ("recon_acc", "perf_rmse", "cmplx_rmse", "test_graphs"):
        assert subset[key] == full[key]


def test_graph_tensors_head_keeps_the_first_graphs():
    from ngae.model.graph_tensors import to_tensors, with_data_scale
    from ngae.spaces.registry import load_dataset

    data = load_dataset(ROOT / "data" / "final_structures6.txt").subset(range(30))
    tensors = to_tensors(data, with_data_scale(ModelConfig(hs=16, nz=4), data), "cpu")
    head = tensors.head(7)
    assert len(head) == 7 and len(tensors.head(100)) == 30
    assert torch.equal(head.adj, tensors.adj[:7]) and torch.equal(head.acc, tensors.acc[:7])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluate", "--checkpoint", "/nonexistent.pt"], "no such checkpoint"),
        (["train", "--data-name", "nope"], "no data set"),
        (["train", "--lr", "nan"], "--lr"),
        (["train", "--epochs", "0"], "--epochs"),
        (["train", "--eps-scale", "-1"], "--eps-scale"),
        (["evaluate", "--checkpoint", "x.pt", "--recon-decodes", "0"], "--recon-decodes"),
    ],
)
def test_cli_bad_input_is_one_line_error(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_dvae_model_trains_evaluates_and_search_says_why_not(tiny_data, tmp_path, capsys):
    args = [
        "--data",
        str(tiny_data),
        "--save-dir",
        str(tmp_path),
        "--save-appendix",
        "_d",
        "--model",
        "DVAE",
        *TINY_MODEL,
    ]
    assert main(["train", *args, "--epochs", "1"]) == 0
    ckpt = load_checkpoint(tmp_path / "tiny_d.pt")
    assert ckpt["model_config"]["predictors"] is False
    quick = ["--recon-decodes", "1", "--prior-samples", "10", "--prior-decodes", "1", "--json"]
    assert main(["evaluate", "--checkpoint", str(tmp_path / "tiny_d.pt"), *quick]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "perf_rmse" not in result and "recon_acc" in result
    assert main(["train", *args, "--only-search", "--continue-from", "1"]) == 2
    assert "no predictor heads" in capsys.readouterr().err


def test_only_search_uses_the_run_checkpoint(tiny_data, tmp_path, capsys):
    args = [
        "--data",
        str(tiny_data),
        "--save-dir",
        str(tmp_path),
        "--save-appendix",
        "_s",
        *TINY_MODEL,
    ]
    assert main(["train", *args, "--epochs", "1"]) == 0
    assert main(
        [
            "train",
            *args,
            "--only-search",
            "--continue-from",
            "1",
            "--search-samples",
            "2",
            "--steps",
            "2",
            "--decodes",
            "3",
            "--search-strategy",
            "random",
        ]
    ) in (0, 2)
    out = capsys.readouterr()
    assert "data set best predicted accuracy" in out.out or "no valid architecture" in out.err


def test_refit_heads_lowers_head_error_and_keeps_the_vae(tiny_data, tmp_path):
    from ngae.model.graph_tensors import to_tensors
    from ngae.spaces.registry import load_dataset
    from ngae.training.fit import refit_heads, split_data

    model = model_from_checkpoint(load_checkpoint(tiny_fit(tiny_data, tmp_path / "r.pt", 1)))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train, _ = split_data(load_dataset(tiny_data))
    losses = refit_heads(model, to_tensors(train, model.cfg, "cpu"), epochs=30, lr=3e-3)
    assert losses[-1] < losses[0]
    for name, value in model.state_dict().items():
        changed = not torch.equal(value, before[name])
        assert changed == name.startswith(("perf_head", "cmplx_head")), name


def test_refit_heads_fits_a_head_that_training_weighted_zero(tiny_data, tmp_path):
    """A label-free model (perf weight 0) gets an accuracy head from the refit all the same."""
    from dataclasses import replace

    from ngae.model.graph_tensors import to_tensors
    from ngae.spaces.registry import load_dataset
    from ngae.training.fit import refit_heads, split_data

    model = model_from_checkpoint(load_checkpoint(tiny_fit(tiny_data, tmp_path / "r.pt", 1)))
    model.cfg = replace(model.cfg, perf_weight=0.0, cmplx_weight=0.0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train, _ = split_data(load_dataset(tiny_data))
    refit_heads(model, to_tensors(train, model.cfg, "cpu"), epochs=5, lr=3e-3)
    for name, value in model.state_dict().items():
        if name.startswith(("perf_head", "cmplx_head")):
            assert not torch.equal(value, before[name]), name


def test_a_fine_tuned_checkpoint_records_its_parent_and_its_graphs(tiny_checkpoint, tmp_path):
    from ngae.config import ModelConfig, TrainConfig
    from ngae.explorer.job_runner import parent_record
    from ngae.model.checkpoint import checkpoint_data_path, load_checkpoint
    from ngae.training.fit import fit

    parent = load_checkpoint(tiny_checkpoint)
    data = checkpoint_data_path(parent, tiny_checkpoint)
    cfg = TrainConfig(data=str(data), epochs=1, batch_size=16, max_train=20, save_interval=0)
    record = parent_record("tiny.pt", parent | {"evaluation": {"perf_rmse": 0.01, "x": True}})
    out = fit(ModelConfig(hs=16, nz=4), cfg, tmp_path / "child.pt", progress=False,
              init_from=parent, lineage=record)  # fmt: skip
    child = load_checkpoint(out)
    assert child["lineage"] == {
        "parent": "tiny.pt",
        "parent_epoch": parent["epoch"],
        "parent_evaluation": {"perf_rmse": 0.01},  # numbers and words only
    }
    assert child["train_graphs"] == 20 and child["epochs_planned"] == 1 and child["epoch"] == 1
    assert load_checkpoint(tiny_checkpoint).get("lineage") == {}  # a new model has none


@pytest.mark.parametrize(
    "precision",
    [
        "fp32",
        pytest.param(
            "bf16",
            marks=pytest.mark.skipif(
                not torch.ops.mkldnn._is_mkldnn_bf16_supported(), reason="no bf16 on this CPU"
            ),
        ),
    ],
)
def test_checkpoint_records_the_precision_and_the_cli_says_it(
    tiny_data, tmp_path, capsys, precision
):
    args = ["--data", str(tiny_data), "--save-dir", str(tmp_path), *TINY_MODEL[:-2]]
    assert main(["train", *args, "--epochs", "1", "--precision", precision]) == 0
    assert f"precision {precision}" in capsys.readouterr().out
    ckpt = torch.load(tmp_path / "tiny_NGAE.pt", weights_only=True)
    assert ckpt["precision"] == precision and ckpt["train_config"]["precision"] == precision

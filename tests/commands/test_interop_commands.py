"""``ngae draw``, ``ngae convert`` and ``ngae export``: files other tools open, round trips."""

from __future__ import annotations

import pickle

import igraph
import numpy as np
import pandas as pd
import pytest
import scipy.io

from ngae.cli import main
from ngae.explorer.service import Explorer
from ngae.model.checkpoint import checkpoint_data_path, load_checkpoint
from ngae.spaces.registry import load_dataset
from ngae.training.fit import split_data

ARCH = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"


@pytest.mark.parametrize(
    ("suffix", "head"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]
)
def test_draw_writes_the_format_of_the_suffix(tmp_path, capsys, suffix, head):
    out = tmp_path / f"cell.{suffix}"
    assert main(["draw", ARCH, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(head)
    assert capsys.readouterr().out.strip() == str(out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["1 2 3", "--out", "cell.svg"], "skip bits"),
        (["1 2", "--out", "cell.svg"], "do not form an architecture"),
        ([ARCH, "--out", "cell.gif"], "suffix must be one of .svg, .png, .pdf"),
        ([ARCH, "--out", "missing/cell.svg"], "no folder"),
    ],
)
def test_draw_refuses_bad_input_in_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_convert_text_to_pickle_and_back(tmp_path, tiny_checkpoint):
    source = checkpoint_data_path(load_checkpoint(tiny_checkpoint), tiny_checkpoint)
    pkl, txt, jsonl = tmp_path / "d.pkl", tmp_path / "back.txt", tmp_path / "back.jsonl"
    assert main(["convert", str(source), str(pkl)]) == 0
    train_data, test_data, graph_args = pickle.loads(pkl.read_bytes())
    train, test = split_data(load_dataset(source))
    assert len(train_data) == len(train) and len(test_data) == len(test)
    assert all(isinstance(g, igraph.Graph) for g, _ in train_data + test_data)
    assert (graph_args.max_n, graph_args.num_vertex_type) == (8, 8)
    assert main(["convert", str(pkl), str(txt)]) == 0
    back = load_dataset(txt)
    assert back.strings == train.strings + test.strings
    assert np.array_equal(back.acc, np.concatenate([train.acc, test.acc]))
    assert main(["convert", str(pkl), str(jsonl)]) == 0
    assert len(load_dataset(jsonl)) == len(back)


def test_convert_latents_to_mat(tmp_path, tiny_checkpoint):
    source = checkpoint_data_path(load_checkpoint(tiny_checkpoint), tiny_checkpoint)
    out = tmp_path / "latent.mat"
    assert main(["convert", str(source), str(out), "--checkpoint", str(tiny_checkpoint)]) == 0
    mat = scipy.io.loadmat(out)
    ex = Explorer.open(tiny_checkpoint)
    train_idx = np.flatnonzero(ex.split == "train")
    train, test = split_data(load_dataset(source))
    assert mat["Z_train"].shape == (len(train), 4) and mat["Z_test"].shape == (len(test), 4)
    assert np.allclose(mat["Y_train"].reshape(-1), train.acc)
    # the same codes as the explorer's latent table, in D-VAE's split order
    train_rows = np.array([ex.data.strings.index(s) for s in train.strings])
    assert set(train_rows) == set(train_idx)
    assert np.allclose(mat["Z_train"], ex.latents.mu[train_rows], atol=1e-5)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["data.csv", "out.pkl"], "the source must end in"),
        (["data.txt", "out.zip"], "the target must end in"),
        (["data.txt", "out.mat"], "give --checkpoint"),
        (["missing.txt", "out.pkl"], "no such data file"),
        (["evil.pkl", "out.txt"], "refused posix.system"),
    ],
)
def test_convert_refuses_bad_input_in_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.pkl").write_bytes(b"cposix\nsystem\n(S'touch pwned'\ntR.")
    assert main(["convert", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and err.count("\n") == 1
    assert not (tmp_path / "pwned").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.pkl"]


def test_export_round_trips(tmp_path, tiny_checkpoint):
    ex = Explorer.open(tiny_checkpoint)
    n, nz = len(ex.data), ex.latents.mu.shape[1]
    table = ex.table()
    for fmt in ("csv", "parquet"):
        assert main(["export", "--checkpoint", str(tiny_checkpoint), "--format", fmt,
                     "--out", str(tmp_path / fmt)]) == 0  # fmt: skip
        path = tmp_path / fmt / f"latents.{fmt}"
        back = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
        assert len(back) == n
        assert list(back.columns[:7]) == [
            "index",
            "arch",
            "split",
            "true_acc",
            "pred_acc",
            "params",
            "pred_params",
        ]
        assert np.allclose(back[[f"z{k}" for k in range(nz)]].to_numpy(), ex.latents.mu)
        pca = ex.projection("pca")
        assert np.allclose(back[["pca_x", "pca_y"]].to_numpy(), pca, atol=1e-5)
        assert back["arch"].tolist() == table["arch"].tolist()
        assert back["split"].tolist() == table["split"].tolist()
        assert np.allclose(back["true_acc"], table["true_acc"])
    out = tmp_path / "tb"
    assert main(["export", "--checkpoint", str(tiny_checkpoint), "--format", "tensorboard",
                 "--out", str(out)]) == 0  # fmt: skip
    tensors = np.loadtxt(out / "tensors.tsv", delimiter="\t")
    assert tensors.shape == (n, nz) and np.allclose(tensors, ex.latents.mu, atol=1e-5)
    meta = pd.read_csv(out / "metadata.tsv", sep="\t")
    assert list(meta.columns) == ["index", "arch", "split", "true_acc", "pred_acc", "params"]
    assert len(meta) == n and meta["arch"].tolist() == table["arch"].tolist()
    config = (out / "projector_config.pbtxt").read_text()
    assert 'tensor_path: "tensors.tsv"' in config and 'metadata_path: "metadata.tsv"' in config


def test_export_refuses_a_file_as_folder_and_a_bad_format(tmp_path, tiny_checkpoint, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    argv = ["export", "--checkpoint", str(tiny_checkpoint), "--format", "csv", "--out"]
    assert main([*argv, str(blocker)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["export", "--checkpoint", str(tiny_checkpoint), "--format", "xls", "--out", "x"])
    assert stop.value.code == 2

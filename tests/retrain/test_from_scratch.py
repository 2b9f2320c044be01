"""Training from scratch on a tiny CIFAR-format directory with a learnable colour signal."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from ngae.errors import UserInputError
from ngae.retrain.cifar10 import find_cifar_dir, load_cifar10, read_batch
from ngae.retrain.from_scratch import (
    ScratchConfig,
    augment,
    channel_stats,
    default_result_path,
    resolve_device,
    train_from_scratch,
    write_json_atomic,
)
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import param_count
from ngae.spaces.errors import DataError

ARCH = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"
COLOURS = np.array([[220, 40, 40], [40, 220, 40], [40, 40, 220], [200, 200, 60]])
RESULT_KEYS = {"arch", "params", "test_acc", "train_loss_history", "epochs", "seconds", "device"}
FAST = ["--filters", "4", "--batch-size", "16", "--device", "cpu", "--no-progress"]


def _batch(rng: np.random.Generator, n: int) -> dict:
    """A batch exactly like CIFAR's: the class sets each image's mean colour."""
    y = rng.integers(0, len(COLOURS), n)
    x = COLOURS[y][:, :, None] + rng.normal(0, 30, (n, 3, 1024))  # (n, 3, 1024)
    return {
        b"batch_label": b"toy batch",
        b"labels": [int(v) for v in y],
        b"data": np.clip(x, 0, 255).astype(np.uint8).reshape(n, 3072),
        b"filenames": [f"img{i}.png".encode() for i in range(n)],
    }


def _write_toy_cifar(parent: Path, per_batch: int = 16, n_test: int = 40) -> Path:
    rng = np.random.default_rng(0)
    root = parent / "cifar-10-batches-py"
    root.mkdir(parents=True)
    for name, n in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
        (root / name).write_bytes(pickle.dumps(_batch(rng, n), protocol=2))
    return root


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parent directory of a toy ``cifar-10-batches-py`` (80 train, 40 test images)."""
    parent = tmp_path_factory.mktemp("cifar")
    _write_toy_cifar(parent)
    return parent


def _cli(argv: list[str]) -> int:
    from ngae.cli import main  # imported here so the library tests run without every command

    return main(argv)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_load_accepts_dir_or_parent(toy: Path) -> None:
    for path in (toy, toy / "cifar-10-batches-py"):
        data = load_cifar10(path)
        assert data.train_x.shape == (80, 3, 32, 32) and data.train_x.dtype == np.uint8
        assert data.train_y.shape == (80,) and data.test_x.shape == (40, 3, 32, 32)
    small = load_cifar10(toy, max_train=20, max_test=5)
    assert len(small.train_y) == 20 and len(small.test_y) == 5
    # row-major RGB planes: channel 0 of image 0 is the first 1024 bytes
    x, _ = read_batch(toy / "cifar-10-batches-py" / "data_batch_1")
    raw = pickle.loads((toy / "cifar-10-batches-py" / "data_batch_1").read_bytes())[b"data"]
    assert np.array_equal(x[0, 0].ravel(), raw[0, :1024])


def test_missing_directory_and_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such directory.*cifar-10-batches-py"):
        load_cifar10(tmp_path / "nowhere")
    with pytest.raises(DataError, match="no CIFAR-10 batch files"):
        load_cifar10(tmp_path)
    root = _write_toy_cifar(tmp_path, per_batch=2, n_test=2)
    (root / "test_batch").unlink()
    (root / "data_batch_4").unlink()
    with pytest.raises(DataError, match="missing data_batch_4, test_batch"):
        find_cifar_dir(tmp_path)


@pytest.mark.parametrize(
    "payload",
    [
        b"not a pickle at all",
        pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}),
        pickle.dumps({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]}),
        pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1, 2]}),
        pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}),
        pickle.dumps([1, 2, 3]),
        pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, os.getpid]}),
    ],
    ids=["garbage", "columns", "dtype", "labels-length", "label-range", "list", "code"],
)
def test_malformed_pickle_is_a_data_error(tmp_path: Path, payload: bytes) -> None:
    root = _write_toy_cifar(tmp_path, per_batch=2, n_test=2)
    (root / "data_batch_3").write_bytes(payload)
    with pytest.raises(DataError, match="data_batch_3"):
        load_cifar10(tmp_path)


def test_reads_pickles_that_name_numpy_core(tmp_path: Path) -> None:
    # The real files come from numpy 1.x and reference numpy.core.multiarray._reconstruct.
    data = pickle.dumps(_batch(np.random.default_rng(1), 3), protocol=2)
    old = data.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    path = tmp_path / "batch"
    path.write_bytes(old)
    x, y = read_batch(path)
    assert x.shape == (3, 3, 32, 32) and y.shape == (3,)


def test_augment_is_a_padded_crop_and_flip() -> None:
    x = torch.randn(5, 3, 32, 32)
    out = augment(x, torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(3)
    dy, dx = torch.randint(0, 9, (5, 1), generator=g), torch.randint(0, 9, (5, 1), generator=g)
    flip = torch.rand(5, generator=g) < 0.5
    padded = F.pad(x, (4, 4, 4, 4))
    for i in range(5):
        crop = padded[i, :, dy[i, 0] : dy[i, 0] + 32, dx[i, 0] : dx[i, 0] + 32]
        assert torch.equal(out[i], crop.flip(2) if flip[i] else crop)


def test_channel_stats_match_numpy(toy: Path) -> None:
    x = load_cifar10(toy).train_x
    mean, std = channel_stats(x, chunk=7)
    scaled = x.astype(np.float64) / 255.0
    assert np.allclose(mean, scaled.mean(axis=(0, 2, 3)))
    assert np.allclose(std, scaled.std(axis=(0, 2, 3)))


def test_training_learns_the_colour_signal(toy: Path, tmp_path: Path) -> None:
    arch = Arch.from_string(ARCH)
    config = ScratchConfig(epochs=4, batch_size=16, filters=4, dropout=0.0, device="cpu")
    out = tmp_path / "sub" / "result.json"
    result = train_from_scratch(arch, toy, config, out, progress=False)
    history = result["train_loss_history"]
    assert len(history) == 4 and history[-1] < history[0]
    assert result["test_acc"] > 0.5  # 4 colour classes: chance is 0.25
    assert result["params"] == param_count(arch, 4)
    saved = json.loads(out.read_text())
    assert RESULT_KEYS | {"config"} <= saved.keys() and saved["arch"] == ARCH
    assert saved["config"]["filters"] == 4 and saved["device"] == "cpu"
    assert [p.name for p in out.parent.iterdir()] == ["result.json"]  # no temp file left


def test_write_json_atomic_replaces(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2} and len(list(tmp_path.iterdir())) == 1


def test_config_and_device_validation() -> None:
    with pytest.raises(UserInputError, match="epochs"):
        ScratchConfig(epochs=0).validate()
    with pytest.raises(UserInputError, match="dropout"):
        ScratchConfig(dropout=1.0).validate()
    with pytest.raises(UserInputError, match="device"):
        resolve_device("tpu")
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(UserInputError, match="CUDA is not available"):
            resolve_device("cuda")


def test_cli_trains_one_arch(toy: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    argv = ["train-scratch", "--arch", ARCH, "--data-dir", str(toy), "--epochs", "1", *FAST]
    assert _cli([*argv, "--max-train", "32", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["arch"] == ARCH


def test_cli_trains_search_results(toy: Path, tmp_path: Path) -> None:
    other = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
    search = tmp_path / "search.json"
    results = [
        {"arch": ARCH, "valid": True},
        {"arch": None, "valid": False},
        {"arch": ARCH, "valid": True},
        {"arch": other, "valid": True},
    ]
    search.write_text(json.dumps({"results": results}))
    argv = ["train-scratch", "--from-search", str(search), "--data-dir", str(toy), *FAST]
    rc = _cli([*argv, "--epochs", "1", "--max-train", "16", "--out", str(tmp_path / "res")])
    assert rc == 0
    names = sorted(p.name for p in (tmp_path / "res").iterdir())
    expected = [default_result_path(Arch.from_string(a), Path()).name for a in (other, ARCH)]
    assert names == expected
    rc = _cli([*argv, "--top", "1", "--max-train", "16", "--out", str(tmp_path / "top")])
    assert rc == 0 and len(list((tmp_path / "top").iterdir())) == 1


def test_cli_user_errors_exit_2(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    base = ["train-scratch", "--arch", ARCH, *FAST]
    assert _cli([*base, "--data-dir", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such directory" in err and "missing" in err
    assert _cli(["train-scratch", "--arch", "1 2 3", "--data-dir", str(toy)]) == 2
    assert _cli([*base, "--data-dir", str(toy), "--epochs", "0"]) == 2
    bad_search = tmp_path / "bad.json"
    bad_search.write_text('{"results": [{"arch": "9 9", "valid": true}]}')
    argv = ["train-scratch", "--from-search", str(bad_search), "--data-dir", str(toy)]
    assert _cli(argv) == 2
    if not torch.cuda.is_available():
        assert (
            _cli(["train-scratch", "--arch", ARCH, "--data-dir", str(toy), "--device", "cuda"]) == 2
        )
        assert "CUDA is not available" in capsys.readouterr().err

"""Shared fixtures: small data sets and tiny models made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ngae.spaces.enas.data_file import DEFAULT_DATA, enas_graph_data, read_enas_file

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def enas_small():
    """The first 300 architectures of the shipped data set as GraphData."""
    lines = DEFAULT_DATA.read_text().splitlines()[:300]
    archs, accs = read_enas_file_from_lines(lines)
    return enas_graph_data(archs, accs)


def read_enas_file_from_lines(lines: list[str]):
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        return read_enas_file(f.name)
    finally:
        Path(f.name).unlink()


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny NGAE trained for 2 epochs on the first 200 architectures (in a temp folder)."""
    from ngae.config import ModelConfig, TrainConfig
    from ngae.training.fit import fit, quick_metrics

    folder = tmp_path_factory.mktemp("ckpt")
    data = folder / "tiny.txt"
    data.write_text("\n".join(DEFAULT_DATA.read_text().splitlines()[:200]) + "\n")
    cfg = TrainConfig(
        data=str(data), epochs=2, batch_size=64, eval_interval=1, save_interval=0, precision="fp32"
    )
    return fit(
        ModelConfig(hs=16, nz=4),
        cfg,
        folder / "tiny.pt",
        progress=False,
        evaluate_every=quick_metrics,
    )


@pytest.fixture(scope="session")
def decoding_checkpoint(tmp_path_factory) -> Path:
    """The UI tests' tiny model (hs 24, nz 6, 10 epochs on 300 graphs): it decodes valid cells."""
    from ui_fixtures import train_tiny

    folder = tmp_path_factory.mktemp("decoding")
    return train_tiny(folder / "decoding.pt", folder / "tiny.txt")

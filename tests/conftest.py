"""Shared fixtures: small data sets and tiny models made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ngae.data import DEFAULT_DATA, enas_graph_data, read_enas_file

ROOT = Path(__file__).resolve().parent.parent
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

"""D-VAE's data pickles (read through a restricted unpickler, and written) and latent .mat files."""

from __future__ import annotations

import argparse
import os
import pickle
import random

import igraph
import numpy as np
import pytest
import scipy.io
from dvae_reference import dvae_decode_enas_to_igraph

from ngae.spaces.enas.dvae_pickles import load_dvae_pickle, save_dvae_pickle, save_latent_mat
from ngae.spaces.errors import DataError
from ngae.spaces.graph_data import dag_graph_data, dvae_split
from ngae.spaces.registry import load_dataset


@pytest.fixture(scope="module")
def enas():
    return load_dataset()


def dvae_pickle_of(lines_archs, accs, burn_in=1000):
    """What D-VAE's ``load_ENAS_graphs`` + ``train.py`` dump for these lines (written out)."""
    g_list = [
        (dvae_decode_enas_to_igraph(a.to_rows())[0], float(y))
        for a, y in zip(lines_archs[burn_in:], accs[burn_in:], strict=True)
    ]
    graph_args = argparse.Namespace(num_vertex_type=8, max_n=8, START_TYPE=0, END_TYPE=1)
    random.Random(0).shuffle(g_list)
    ng = len(g_list)
    return pickle.dumps((g_list[: int(ng * 0.9)], g_list[int(ng * 0.9) :], graph_args))


def test_a_d_vae_pickle_reads_as_its_split(enas, tmp_path):
    sub = enas.subset(np.arange(2500))
    path = tmp_path / "final_structures6.pkl"
    path.write_bytes(dvae_pickle_of(list(sub.archs), sub.acc))
    read = load_dvae_pickle(path)
    train_idx, test_idx = dvae_split(len(sub))  # the same shuffle as D-VAE's
    assert read.train.strings == tuple(sub.strings[i] for i in train_idx)
    assert read.test.strings == tuple(sub.strings[i] for i in test_idx)
    assert np.array_equal(read.train.acc, sub.acc[train_idx])
    assert read.train.archs is not None  # ENAS cells come back as architectures
    assert np.array_equal(read.test.params, sub.params[test_idx])
    assert read.graph_args == {"num_vertex_type": 8, "max_n": 8, "START_TYPE": 0, "END_TYPE": 1}


def test_written_pickle_is_what_d_vae_writes(enas, tmp_path):
    sub = enas.subset(np.arange(2500))
    train_idx, test_idx = dvae_split(len(sub))
    path = tmp_path / "out.pkl"
    save_dvae_pickle(path, sub.subset(train_idx), sub.subset(test_idx))
    ours = pickle.loads(path.read_bytes())
    ref = pickle.loads(dvae_pickle_of(list(sub.archs), sub.acc))
    assert vars(ours[2]) == vars(ref[2])
    for split in (0, 1):
        assert len(ours[split]) == len(ref[split])
        for (g, y), (rg, ry) in zip(ours[split], ref[split], strict=True):
            assert g.vs["type"] == rg.vs["type"] and g.get_edgelist() == rg.get_edgelist()
            assert y == ry and isinstance(y, float)


def test_general_dags_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    types = [np.array([0, *rng.integers(2, 5, 4), 1]) for _ in range(30)]
    adj = [np.triu(rng.random((6, 6)) < 0.5, 1).astype(np.int64) for _ in range(30)]
    data = dag_graph_data(types, adj, rng.random(30))
    path = tmp_path / "dags.pkl"
    save_dvae_pickle(path, data.subset(range(20)), data.subset(range(20, 30)))
    read = load_dvae_pickle(path)
    assert read.train.archs is None
    assert read.train.strings + read.test.strings == data.strings
    assert np.allclose(np.concatenate([read.train.acc, read.test.acc]), data.acc)


class Exploit:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize(
    "payload",
    [
        lambda m: Exploit.__new__(Exploit),
        lambda m: ([(igraph.Graph(n=2, edges=[(0, 1)], directed=True), 0.5)], [], Exploit()),
    ],
)
def test_a_malicious_pickle_is_refused_and_nothing_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    Exploit.marker = marker
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(payload(marker)))
    with pytest.raises(DataError, match=r"refused posix\.system|refused nt\.system"):
        load_dvae_pickle(path)
    assert not marker.exists()
    # eval and a class of this test module are refused the same way
    path.write_bytes(pickle.dumps((eval, ("1",))))
    with pytest.raises(DataError, match="refused builtins.eval"):
        load_dvae_pickle(path)
    path.write_bytes(pickle.dumps(Exploit))
    with pytest.raises(DataError, match="refused"):
        load_dvae_pickle(path)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"not a pickle", "not a readable pickle"),
        (pickle.dumps([1, 2, 3]), r"expected \(train_data, test_data, graph_args\)"),
        (pickle.dumps(([(1, 0.5)], [], {})), r"train_data\[0\] is not a \(graph, y\) pair"),
        (pickle.dumps(([], [], {})), "no graphs"),
    ],
)
def test_bad_pickles_are_one_line_errors(tmp_path, blob, message):
    path = tmp_path / "bad.pkl"
    path.write_bytes(blob)
    with pytest.raises(DataError, match=message):
        load_dvae_pickle(path)
    with pytest.raises(DataError, match="no such file"):
        load_dvae_pickle(tmp_path / "missing.pkl")


def test_latent_mat_has_d_vae_names_and_shapes(tmp_path):
    rng = np.random.default_rng(0)
    z_train, z_test = rng.normal(size=(40, 6)), rng.normal(size=(10, 6))
    y_train, y_test = rng.random(40), rng.random(10)
    path = tmp_path / "latent.mat"
    save_latent_mat(path, z_train, y_train, z_test, y_test)
    mat = scipy.io.loadmat(path)
    assert mat["Z_train"].shape == (40, 6) and mat["Z_test"].shape == (10, 6)
    assert np.allclose(mat["Z_train"], z_train.astype(np.float32))
    # D-VAE's BO script reads ``-data['Y_train'].reshape((-1, 1))``
    assert np.allclose(mat["Y_train"].reshape(-1), y_train)
    assert np.allclose(mat["Y_test"].reshape(-1), y_test)

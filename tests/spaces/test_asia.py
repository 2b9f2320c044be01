"""The Asia space: samples reproduce, the BIC oracle equals pgmpy's, the optimum is exact."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest

from ngae.files import file_sha256
from ngae.spaces.asia.bic import LocalScores, exact_optimum
from ngae.spaces.asia.data import (
    DATASET,
    LARGE_DATASET,
    LARGE_SIZE,
    SAMPLE_ROWS,
    SAMPLE_SEED,
    SAMPLES,
    local_scores,
    random_dags,
    read_samples,
    samples_csv,
    write_dataset,
)
from ngae.spaces.asia.network import (
    NUM_VARS,
    VARIABLES,
    BayesNet,
    has_cycle,
    is_valid_bn,
    sample_asia,
    true_adjacency,
)
from ngae.spaces.errors import ArchError, DataError

LARGE_SHA256 = "43d96e4ea439387859fd6f4a7313d56d9d884e5a11aa6b47c3839ddac83a70bc"


def test_the_shipped_samples_are_reproduced_byte_for_byte():
    assert samples_csv(sample_asia(SAMPLE_ROWS, SAMPLE_SEED)) == SAMPLES.read_bytes()


def test_samples_follow_the_network():
    rows = sample_asia(200_000, 1)
    col = {v: rows[:, i] for i, v in enumerate(VARIABLES)}
    assert np.array_equal(col["E"], col["T"] | col["L"])  # deterministic OR
    assert abs(col["S"].mean() - 0.5) < 0.01
    assert abs(col["B"][col["S"]].mean() - 0.6) < 0.01
    assert abs(col["B"][~col["S"]].mean() - 0.3) < 0.01
    assert abs(col["X"][col["E"]].mean() - 0.98) < 0.01
    assert abs(col["D"][col["B"] & ~col["E"]].mean() - 0.8) < 0.01


def _pgmpy_bic(frame, adj: np.ndarray) -> float:
    from pgmpy.estimators import BIC
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork(
        [(VARIABLES[i], VARIABLES[j]) for i, j in zip(*np.nonzero(adj), strict=True)]
    )
    model.add_nodes_from(VARIABLES)
    return BIC(frame).score(model)


def test_bic_equals_pgmpy_on_random_dags():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pgmpy")
    frame = pd.read_csv(SAMPLES)
    nets = random_dags(12, seed=7) + [BayesNet.from_adjacency(true_adjacency())]
    adj = np.stack([n.adjacency for n in nets])
    ours = local_scores().score(adj)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [_pgmpy_bic(frame, a) for a in adj]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_bic_by_hand_on_two_variables():
    data = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    local = LocalScores(data, (2, 2))
    n = 4
    # Empty graph: each variable alone. A: 2 of 4 zeros; B: 1 of 4.
    ll_a = 2 * np.log(0.5) * 2
    ll_b = np.log(0.25) + 3 * np.log(0.75)
    empty = ll_a + ll_b - np.log(n) / 2 * 2
    # A -> B: B | A=0 is (1, 1), B | A=1 is (0, 2).
    ll_b_given_a = 2 * np.log(0.5) + 2 * np.log(1.0)
    a_to_b = ll_a + ll_b_given_a - np.log(n) / 2 * 3
    got = local.score(np.array([[[0, 0], [0, 0]], [[0, 1], [0, 0]]]))
    np.testing.assert_allclose(got, [empty, a_to_b])
    np.testing.assert_array_equal(local.free_params(np.array([[[0, 1], [0, 0]]])), [3])


def _all_dags(k: int):
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    for bits in itertools.product((0, 1), repeat=len(pairs)):
        adj = np.zeros((k, k), dtype=np.int64)
        for (i, j), b in zip(pairs, bits, strict=True):
            adj[i, j] = b
        if not has_cycle(adj):
            yield adj


def test_the_optimum_equals_brute_force_on_four_variables():
    local = local_scores()
    subset = (1, 3, 4, 7)  # S, L, B, D
    best = -np.inf
    count = 0
    for small in _all_dags(len(subset)):
        count += 1
        score = sum(
            local.table[v, sum(1 << subset[p] for p in range(len(subset)) if small[p, q])]
            for q, v in enumerate(subset)
        )
        best = max(best, score)
    assert count == 543  # the number of labelled DAGs on 4 nodes
    opt = exact_optimum(local, subset)
    assert opt.score == pytest.approx(best, abs=1e-9)
    # The returned network is a DAG over the subset whose score is the optimum.
    assert not has_cycle(opt.adjacency)
    assert opt.adjacency[np.setdiff1d(np.arange(NUM_VARS), subset)].sum() == 0


def test_the_full_optimum_scores_what_it_claims_and_beats_the_true_network():
    local = local_scores()
    opt = exact_optimum(local)
    assert not has_cycle(opt.adjacency)
    assert local.score(opt.adjacency[None])[0] == pytest.approx(opt.score)
    assert opt.score >= local.score(true_adjacency()[None])[0]


def test_bayes_net_round_trips_through_string_and_dag():
    for net in random_dags(200, seed=3):
        assert BayesNet.from_string(net.to_string()) == net
        types, dag = net.to_dag()
        assert is_valid_bn(types, dag)
        assert np.all(np.tril(dag) == 0)
        assert BayesNet.from_dag(types, dag) == net
        # The input feeds exactly the parentless variables; the output is fed by the childless.
        assert np.array_equal(dag[0, 1:-1], dag[1:-1, 1:-1].sum(0) == 0)
        assert np.array_equal(dag[1:-1, -1], dag[1:-1, 1:-1].sum(1) == 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0" * 63, "64 digits, got 63"),
        ("0" * 65, "64 digits, got 65"),
        ("0" * 63 + "x", "not 'x'"),
        ("1" + "0" * 63, "self-loop on A"),
        ("0" * 63 + "2", "0 or 1"),
        ("01" + "0" * 6 + "1" + "0" * 55, "cycle"),
    ],
)
def test_bad_adjacency_strings_are_refused_with_the_reason(text, message):
    with pytest.raises(ArchError, match=message):
        BayesNet.from_string(text)


def test_validity_needs_every_variable_once():
    types, dag = BayesNet.from_adjacency(true_adjacency()).to_dag()
    assert is_valid_bn(types, dag)
    twice = types.copy()
    twice[2] = twice[1]
    assert not is_valid_bn(twice, dag)
    assert not is_valid_bn(types[:-1], dag[:-1, :-1])
    backwards = dag.copy()
    backwards[3, 2] = 1
    assert not is_valid_bn(types, backwards)


def test_the_shipped_data_set_is_distinct_scored_and_encoded():
    lines = DATASET.read_text().splitlines()
    assert len(lines) >= 20_000
    records = [json.loads(line) for line in lines]
    assert len({r["adjacency"] for r in records}) == len(records)
    local = local_scores()
    picks = records[:: len(records) // 300]
    nets = [BayesNet.from_string(r["adjacency"]) for r in picks]
    adj = np.stack([n.adjacency for n in nets])
    np.testing.assert_allclose([r["score"] for r in picks], local.score(adj), atol=1e-5)
    np.testing.assert_array_equal([r["params"] for r in picks], local.free_params(adj))
    for r, net in zip(picks, nets, strict=True):
        types, dag = net.to_dag()
        assert r["types"] == types.tolist()
        assert r["edges"] == [list(map(int, e)) for e in zip(*np.nonzero(dag), strict=True)]
    edges = np.array([sum(map(int, r["adjacency"])) for r in records])
    assert edges.min() <= 3 and edges.max() >= 15  # densities vary


def test_bad_samples_files_name_file_and_line(tmp_path):
    bad = tmp_path / "s.csv"
    bad.write_text("A,S,T,L,B,E,X,D\nyes,no,no,no,no,no,no,maybe\n")
    with pytest.raises(DataError, match=r"s.csv:2: expected 8 values"):
        read_samples(bad)
    bad.write_text("A,S\nyes,no\n")
    with pytest.raises(DataError, match="header"):
        read_samples(bad)
    with pytest.raises(DataError, match="no such samples file"):
        local_scores(tmp_path / "missing.csv")


@pytest.mark.slow
def test_the_large_data_set_is_made_byte_for_byte_and_extends_the_small_one(tmp_path):
    """D-VAE's scale (200,000 networks, 60 MB) is made, not stored: the same bytes every time."""
    out = tmp_path / "asia_bn_200k.jsonl"
    write_dataset(out, LARGE_SIZE)
    assert file_sha256(out) == LARGE_SHA256
    small = DATASET.read_bytes()
    assert out.read_bytes()[: len(small)] == small  # the first 20,000 are the shipped set
    if LARGE_DATASET.is_file():  # the copy `make` wrote, which the shipped Asia model names
        assert file_sha256(LARGE_DATASET) == LARGE_SHA256

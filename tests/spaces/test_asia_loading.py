"""Asia's batched loader gives exactly what reading and encoding network by network gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from ngae.spaces.asia.data import DATASET, dataset_lines, local_scores, random_dags
from ngae.spaces.asia.loading import LINE_PATTERN
from ngae.spaces.asia.network import (
    NUM_VARS,
    BayesNet,
    bn_graphs,
    has_cycle,
    topological_orders,
    true_adjacency,
)
from ngae.spaces.asia.space import AsiaSpace
from ngae.spaces.complexity import ngae_proxy
from ngae.spaces.errors import DataError
from ngae.spaces.graph_data import GraphData

ZEROS = "0" * (NUM_VARS * NUM_VARS)
UPPER = "".join("1" if j > i else "0" for i in range(NUM_VARS) for j in range(NUM_VARS))
LOWER = "".join("1" if j < i else "0" for i in range(NUM_VARS) for j in range(NUM_VARS))
TRUE = "".join(str(v) for v in true_adjacency().flatten())


def _with(text: str, position: int, digit: str) -> str:
    return text[:position] + digit + text[position + 1 :]


CYCLE = _with(_with(ZEROS, 1, "1"), NUM_VARS, "1")  # A -> S -> A
SELF_LOOP = _with(ZEROS, 0, "1")  # A -> A


def _writer_line(adjacency: str, score: str = "-1.5") -> str:
    """A line in the writer's own layout (the loader's fast path), whatever its adjacency."""
    return (
        f'{{"types": [0, 1], "edges": [[0, 1]], "score": {score}, "params": 8, '
        f'"adjacency": "{adjacency}"}}'
    )


def _per_network(path: Path) -> GraphData:
    """The reference: each line read, checked and encoded on its own (BayesNet, to_dag)."""
    nets, scores = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            record = json.loads(line)
            nets.append(BayesNet.from_string(str(record["adjacency"])))
            scores.append(float(record["score"]))
    dags = [net.to_dag() for net in nets]
    types = np.stack([t for t, _ in dags])
    adj = np.stack([a for _, a in dags])
    params = local_scores().free_params(np.stack([n.adjacency for n in nets]))
    return GraphData(
        types=types,
        adj=adj,
        acc=np.array(scores),
        params=params.astype(np.float64),
        proxy=ngae_proxy(types, adj),
        strings=tuple(net.to_string() for net in nets),
        archs=tuple(nets),
        num_types=int(types.max() + 1),
        space="asia",
    )


def _assert_identical(got: GraphData, want: GraphData) -> None:
    for field in ("types", "adj", "acc", "params", "proxy"):
        a, b = getattr(got, field), getattr(want, field)
        assert (a.dtype, a.shape) == (b.dtype, b.shape), field
        assert a.tobytes() == b.tobytes(), field  # bit for bit: -0.0 and NaN included
    assert got.strings == want.strings
    assert got.archs == want.archs
    assert all(type(net) is BayesNet for net in got.archs)
    assert (got.num_types, got.space) == (want.num_types, want.space)


def _per_line_message(line: str) -> str:
    """What the per-network reading says about a bad line."""
    try:
        record = json.loads(line)
        BayesNet.from_string(str(record["adjacency"]))
        float(record["score"])
    except (ValueError, TypeError, KeyError) as err:
        return str(err)[:120]
    raise AssertionError(f"{line!r} is not bad")


def test_batched_orders_and_encodings_equal_the_per_network_rule():
    rng = np.random.default_rng(0)
    density = rng.uniform(0.0, 0.4, (4000, 1, 1))
    adj = (rng.random((4000, NUM_VARS, NUM_VARS)) < density).astype(np.uint8)
    adj[: len(adj) // 2] *= np.eye(NUM_VARS, dtype=np.uint8) == 0  # half without self-loops
    order, acyclic = topological_orders(adj)
    assert acyclic.tolist() == [not has_cycle(a) for a in adj]
    assert 100 < acyclic.sum() < len(adj) - 100  # both kinds are exercised
    nets = [BayesNet.from_adjacency(a) for a in adj[acyclic]]
    assert order[acyclic].tolist() == [net.order() for net in nets]
    types, dag = bn_graphs(adj[acyclic], order[acyclic])
    for net, t, d in zip(nets, types, dag, strict=True):
        want_types, want_dag = net.to_dag()
        assert np.array_equal(t, want_types) and np.array_equal(d, want_dag)


def test_trusted_networks_equal_checked_ones():
    for net in random_dags(50, seed=4):
        trusted = BayesNet.trusted(net.edges)
        assert trusted == net and hash(trusted) == hash(net)


def test_the_writers_lines_take_the_fast_path():
    lines = DATASET.read_text(encoding="utf-8").split("\n")[:2000]
    assert all(LINE_PATTERN.fullmatch(line) for line in lines)
    mine = dataset_lines(random_dags(20, seed=5), local_scores())
    assert all(LINE_PATTERN.fullmatch(line) for line in mine)


HANDMADE = [
    _writer_line(ZEROS, "-0"),  # an integer: 0.0, not -0.0
    _writer_line(UPPER, "-0.0"),
    _writer_line(LOWER, "1E2"),
    _writer_line(TRUE, "-123456789012345678901"),
    _writer_line(TRUE, "-14169.678076"),
    "",
    "   ",
    json.dumps({"score": -3.25, "adjacency": UPPER}),  # another key order: json.loads
    json.dumps({"adjacency": " ".join(TRUE), "score": "12.5", "note": "spaced, score as text"}),
    json.dumps({"adjacency": ",".join(LOWER), "score": 7}),
    '  {"adjacency": "\\u0030' + ZEROS[1:] + '", "score": NaN}  ',  # an escape, NaN
    '{"adjacency": "' + CYCLE + '", "adjacency": "' + TRUE + '", "score": -Infinity}',  # last wins
    _writer_line(_with(UPPER, 1, "0"), "0"),
]


def test_the_fast_loader_equals_the_per_network_path(tmp_path):
    lines = DATASET.read_text(encoding="utf-8").split("\n")[:3000]
    path = tmp_path / "asia.jsonl"
    path.write_text("\n".join(lines[:1500] + HANDMADE + lines[1500:]) + "\n", encoding="utf-8")
    got = AsiaSpace().load(path)
    assert len(got) == 3000 + len(HANDMADE) - 2
    _assert_identical(got, _per_network(path))


def test_complexity_and_true_scores_batch_the_items():
    nets = random_dags(40, seed=6)
    space, adj = AsiaSpace(), np.stack([n.adjacency for n in nets])
    local = local_scores()
    assert np.array_equal(space.complexity(nets), local.free_params(adj).astype(np.float64))
    assert np.array_equal(space.true_scores(nets), local.score(adj))
    assert space.complexity([]).shape == space.true_scores([]).shape == (0,)


BAD_LINES = {
    "a cycle": (_writer_line(CYCLE), "directed cycle"),
    "a self-loop": (_writer_line(SELF_LOOP), "self-loop on A"),
    "a digit 2": (_writer_line(_with(ZEROS, 5, "2")), "0 or 1"),
    "a non-digit": (json.dumps({"adjacency": ZEROS[:-1] + "x", "score": 1}), "not 'x'"),
    "63 digits": (json.dumps({"adjacency": ZEROS[:-1], "score": 1}), "64 digits, got 63"),
    "65 digits": (_writer_line(ZEROS + "0"), "64 digits, got 65"),
    "no adjacency": ('{"score": -1.0}', "'adjacency'"),
    "no score": (json.dumps({"adjacency": ZEROS}), "'score'"),
    "a text score": (json.dumps({"adjacency": ZEROS, "score": "high"}), "convert string"),
    "a null score": (json.dumps({"adjacency": ZEROS, "score": None}), "NoneType"),
    "not JSON": ('{"adjacency": ', "Expecting value"),
    "not an object": ("[1, 2]", "list indices"),
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_a_bad_line_is_named_with_the_per_line_reason(tmp_path, name):
    bad, reason = BAD_LINES[name]
    good = DATASET.read_text(encoding="utf-8").split("\n")[:6]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([*good[:3], "", bad, *good[3:], _writer_line(CYCLE)]))
    with pytest.raises(DataError, match=re.escape(f"{path}:5: ")) as caught:
        AsiaSpace().load(path)
    assert str(caught.value) == f"{path}:5: {_per_line_message(bad)}"
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("first", "second"),
    [(_writer_line(CYCLE), "{not json"), ("{not json", _writer_line(SELF_LOOP))],
)
def test_the_first_bad_line_wins_whichever_path_reads_it(tmp_path, first, second):
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join([_writer_line(ZEROS), first, _writer_line(TRUE), second]))
    with pytest.raises(DataError, match=re.escape(f"{path}:2: {_per_line_message(first)}")):
        AsiaSpace().load(path)


def test_empty_and_missing_files_are_refused(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")
    with pytest.raises(DataError, match="no networks in the file"):
        AsiaSpace().load(empty)
    with pytest.raises(DataError, match="no such data file"):
        AsiaSpace().load(tmp_path / "missing.jsonl")

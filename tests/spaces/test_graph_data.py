"""Data files: the D-VAE ENAS text format, its split and the general DAG JSON-lines format."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from ngae.spaces.complexity import ngae_proxy
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import (
    DEFAULT_DATA,
    enas_graph_data,
    parse_enas_line,
    read_enas_file,
)
from ngae.spaces.enas.params import param_counts
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import dvae_split, read_jsonl_file
from ngae.spaces.registry import load_dataset

LINES = DEFAULT_DATA.read_text().splitlines()
LINE_1 = "[[1], [4, 0], [5, 0, 0], [0, 1, 1, 1], [2, 1, 1, 1, 1], [3, 0, 0, 0, 0, 1]], 0.7302"


@pytest.fixture(scope="module")
def real_file():
    return read_enas_file(DEFAULT_DATA)


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- ENAS text format


def test_parse_line_1():
    assert LINES[0] == LINE_1
    arch, acc = parse_enas_line(LINE_1)
    assert arch.to_string() == "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"
    assert acc == 0.7302


def test_real_file_has_20020_architectures_in_file_order(real_file):
    archs, accs = real_file
    assert len(archs) == len(accs) == 20020
    assert all(a.num_layers == 6 for a in archs)
    assert np.all((accs > 0) & (accs < 1))
    for number in (0, 1, 2, 9999, 20019):  # spot checks against a line parsed on its own
        assert parse_enas_line(LINES[number]) == (archs[number], accs[number])
    assert archs[1].to_string() == "5 3 1 2 1 1 3 1 1 0 5 0 0 0 1 2 0 1 1 1 0"
    assert accs[1] == 0.7234


def test_malformed_line_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.txt", [LINES[0], "", LINES[1], "[[1], [4, 0], [5, 0, 0]], oops"])
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}:4: "):
        read_enas_file(path)


@pytest.mark.parametrize(
    "bad",
    [
        "[[1], [4, 0]], 1.5",  # accuracy out of range
        "[[1], [4, 0]], nan",
        "[[1], [4, 2]], 0.5",  # a skip bit of 2
        "[[1], [4]], 0.5",  # a row one bit short
        "[[1], [4, true]], 0.5",
        "[[1], [4, 0.0]], 0.5",
        "[[1], [4, 0]]",  # no accuracy
        "__import__('os'), 0.5",  # no eval
    ],
)
def test_each_kind_of_bad_line_is_a_data_error(tmp_path, bad):
    with pytest.raises((DataError, ArchError)):
        parse_enas_line(bad)
    path = write(tmp_path, "bad.txt", ["[[0], [1, 1]], 0.5", bad])
    with pytest.raises(DataError, match=r":2: "):
        read_enas_file(path)


def test_layer_count_must_not_change_within_a_file(tmp_path):
    path = write(tmp_path, "mixed.txt", [LINES[0], LINES[1], "[[1], [4, 0]], 0.5"])
    with pytest.raises(DataError, match=r"mixed.txt:3: 2 layers"):
        load_dataset(path)


def test_line_numbers_count_newlines_only(tmp_path):
    """A form feed inside a line neither splits it into two records nor shifts the numbers."""
    path = write(tmp_path, "ff.txt", [LINES[0], LINES[1] + "\x0c" + LINES[2], LINES[3]])
    with pytest.raises(DataError, match=r"ff.txt:2: "):
        read_enas_file(path)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(("\r\n".join(LINES[:3]) + "\r\n").encode())
    assert read_enas_file(crlf)[0] == [parse_enas_line(line)[0] for line in LINES[:3]]


@pytest.mark.parametrize("content", [None, b"", b"\n\n  \n", b"\xff\xfe[[1]], 0.5\n"])
def test_unreadable_files_are_data_errors(tmp_path, content):
    path = tmp_path / "data.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(str(path))):
        load_dataset(path)


def test_enas_graph_data_fields(tmp_path):
    path = write(tmp_path, "five.txt", LINES[:5])
    data = load_dataset(path)
    archs = [parse_enas_line(line)[0] for line in LINES[:5]]
    assert len(data) == 5 and data.max_n == 8 and data.num_types == 8
    assert data.types.shape == (5, 8) and data.adj.shape == (5, 8, 8)
    assert data.archs == tuple(archs)
    assert data.strings == tuple(a.to_string() for a in archs)
    for i, arch in enumerate(archs):
        types, adj = arch.to_dag()
        assert np.array_equal(data.types[i], types) and np.array_equal(data.adj[i], adj)
    assert data.params[:3].tolist() == [9_796_512, 7_556_256, 5_804_064]
    assert np.array_equal(data.params, param_counts(archs))
    assert np.array_equal(data.proxy, ngae_proxy(data.types, data.adj))
    assert data.acc.tolist() == [parse_enas_line(line)[1] for line in LINES[:5]]

    sub = data.subset([3, 0])
    assert sub.strings == (data.strings[3], data.strings[0])
    assert sub.archs == (archs[3], archs[0])
    assert np.array_equal(sub.adj, data.adj[[3, 0]]) and sub.params[1] == 9_796_512


# ---------------------------------------------------------------- the D-VAE split


def test_split_sizes_and_coverage():
    train, test = dvae_split(20020)
    assert (len(train), len(test)) == (17118, 1902)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(1000, 20020))


def test_split_equals_dvae_load_enas_graphs_on_the_real_file():
    """D-VAE: skip ``i < burn_in`` while reading, shuffle the list of graphs, cut at 90%."""
    g_list = []
    with DEFAULT_DATA.open() as f:
        for i, row in enumerate(f):
            if i < 1000:
                continue
            g_list.append(row)
    random.Random(0).shuffle(g_list)
    ng = len(g_list)
    dvae_train, dvae_test = g_list[: int(ng * 0.9)], g_list[int(ng * 0.9) :]

    train, test = dvae_split(len(LINES))
    assert [LINES[i] + "\n" for i in train] == dvae_train
    assert [LINES[i] + "\n" for i in test] == dvae_test


def test_exactly_one_test_architecture_also_occurs_in_train(real_file):
    archs, _ = real_file
    train, test = dvae_split(len(archs))
    in_train = {archs[i] for i in train}
    shared = [int(i) for i in test if archs[i] in in_train]
    assert shared == [18469]  # file line 18470
    assert archs[18469].to_string() == "0 5 1 1 1 0 5 0 0 0 5 0 0 0 0 5 0 0 0 0 0"


def test_small_files_keep_every_line():
    train, test = dvae_split(50)
    assert (len(train), len(test)) == (45, 5)
    assert sorted([*train, *test]) == list(range(50))


# ---------------------------------------------------------------- general DAG format


def tiny_space(num: int = 40, seed: int = 1) -> list[dict]:
    """5-vertex graphs with 3 op types (2, 3, 4): a chain plus random forward skips."""
    rng = random.Random(seed)
    records = []
    for k in range(num):
        ops = [2 + (k + j) % 3 for j in range(3)]  # every op type occurs
        edges = [[i, i + 1] for i in range(4)]
        edges += [[u, v] for u in range(5) for v in range(u + 2, 5) if rng.random() < 0.3]
        records.append({"types": [0, *ops, 1], "edges": edges, "acc": rng.random()})
    records[0]["params"] = 1234
    return records


def test_tiny_second_search_space_loads(tmp_path):
    records = tiny_space()
    path = write(tmp_path, "tiny.jsonl", [json.dumps(r) for r in records])
    data = load_dataset(path)
    assert data.strings == read_jsonl_file(path).strings  # .jsonl picks the DAG reader
    assert len(data) == 40 and data.max_n == 5 and data.num_types == 5
    assert data.archs is None
    assert data.types.shape == (40, 5) and data.adj.shape == (40, 5, 5)
    for i, r in enumerate(records):
        assert data.types[i].tolist() == r["types"]
        assert sorted(map(list, zip(*np.nonzero(data.adj[i]), strict=True))) == sorted(r["edges"])
        assert data.acc[i] == r["acc"]
    assert data.params[0] == 1234
    assert data.params[1:].tolist() == [len(r["edges"]) for r in records[1:]]  # default
    for r, string in zip(records, data.strings, strict=True):
        edges = ",".join(f"{u}-{v}" for u, v in sorted(r["edges"]))
        assert string == " ".join(map(str, r["types"])) + " | " + edges


GOOD = '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}'


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        "[1, 2]",
        '"a string"',
        '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]]}',  # no acc
        '{"types": [0, 2, 1], "acc": 0.5}',  # no edges
        '{"types": [2, 0, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',  # input not first
        '{"types": [0, 1, 2], "edges": [[0, 1], [1, 2]], "acc": 0.5}',  # output not last
        '{"types": [0, -2, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',
        '{"types": [0, 2, 1], "edges": [[1, 0], [1, 2]], "acc": 0.5}',  # backwards
        '{"types": [0, 2, 1], "edges": [[0, 3], [1, 2]], "acc": 0.5}',  # out of range
        '{"types": [0, 2, 1], "edges": [[0, 1, 2]], "acc": 0.5}',
        '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "acc": NaN}',
        '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "acc": "high"}',
        '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5, "params": Infinity}',
        '{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5, "params": -3}',
        '{"types": [0, 2.7, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',  # not truncated
        '{"types": [0, true, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',
        '{"types": [0, 2, 1], "edges": [[0, 1.5], [1, 2]], "acc": 0.5}',
        '{"types": [0, 1e400, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',
        '{"types": [0, 99999999999999999999999, 1], "edges": [[0, 1], [1, 2]], "acc": 0.5}',
        pytest.param("[" * 100_000, id="deeply-nested"),
    ],
)
def test_bad_records_name_their_line(tmp_path, bad):
    path = write(tmp_path, "bad.jsonl", [GOOD, "", bad, GOOD])
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}:3: "):
        read_jsonl_file(path)


def test_graphs_of_different_sizes_are_rejected(tmp_path):
    other = '{"types": [0, 2, 3, 1], "edges": [[0, 1], [1, 2], [2, 3]], "acc": 0.5}'
    with pytest.raises(DataError, match="same number of vertices"):
        read_jsonl_file(write(tmp_path, "sizes.jsonl", [GOOD, other]))


def test_enas_graph_data_equals_the_dag_of_each_arch():
    arch = Arch.from_string("5 5 0 5 0 0 5 0 0 0 5 0 0 0 0 5 0 0 0 0 0")
    data = enas_graph_data([arch], np.array([0.5]), filters=4)
    assert data.params.tolist() == [1980]  # tests/space/test_complexity.py derives it by hand
    assert data.proxy.tolist() == [48 * (6 * 1 + 48)]

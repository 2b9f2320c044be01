"""The NAS-Bench-Graph space: our canonical form is the benchmark's, every architecture has its
table entry, DAGs round-trip, batched validity is the per-graph rule, tables are read safely."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from bench_files import full_curve, write_full_bench
from nas_bench_graph import Arch, all_archs

from ngae.cli import main
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.canonical import (
    OPS,
    RAW_PATTERNS,
    SKIP,
    all_hashes,
    bench_hash,
    from_hash,
    hash_table,
)
from ngae.spaces.nasbench_graph.data_file import DATASET, dataset_lines
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS, light_table
from ngae.spaces.registry import SPACES, load_dataset, space_for_data

SPACE = NasBenchGraphSpace()
ARCH = "nasbench-graph"


@pytest.fixture(scope="module")
def package_archs() -> list[Arch]:
    with contextlib.redirect_stdout(io.StringIO()):  # all_archs() prints its count
        return all_archs()


@pytest.fixture(scope="module")
def every_arch() -> list[GnnArch]:
    return [GnnArch(*from_hash(int(h))) for h in all_hashes()]


def _package_hash(links, ops) -> int:
    return Arch(list(links), [OPS[o] for o in ops]).valid_hash()


# ----- the benchmark's canonical form and tables ------------------------------------------
def test_our_hash_is_the_packages_valid_hash_on_every_input():
    table = hash_table()
    ops = list(itertools.product(range(len(OPS)), repeat=4))
    for k, links in enumerate(RAW_PATTERNS):
        ours = table[k * len(ops) : (k + 1) * len(ops)].tolist()
        assert ours == [_package_hash(links, o) for o in ops], links


def test_random_architectures_agree_with_the_package(rng):
    for _ in range(2000):
        links = tuple(int(rng.integers(i + 1)) for i in range(4))
        ops = tuple(int(o) for o in rng.integers(len(OPS), size=4))
        if all(o == SKIP for o in ops):
            continue
        assert GnnArch(links, ops).bench_hash == _package_hash(links, ops)


def test_every_package_architecture_has_its_entry_on_all_nine(package_archs):
    archs = [GnnArch.from_names(a.link, a.ops) for a in package_archs]
    assert [a.bench_hash for a in archs] == [a.valid_hash() for a in package_archs]
    assert len(archs) == len(set(archs)) == len(all_hashes()) == 26_206
    for name in DATASETS:
        metrics = NasBenchGraphSpace(name).true_metrics(archs)
        found = ~np.isnan(metrics["valid accuracy"])
        assert found.sum() == (2_021 if name == "proteins" else 26_206), name
        for values in metrics.values():
            assert np.array_equal(np.isnan(values), ~found)
    proteins_ops = {OPS.index(o) for o in ("gcn", "sage", "arma", "fc", "skip")}
    in_proteins = [set(a.ops) <= proteins_ops for a in archs]
    assert np.array_equal(in_proteins, found)  # found: proteins, the last data set


def test_the_shipped_tables_hold_exactly_the_space():
    for name in DATASETS:
        present = np.flatnonzero(light_table(name).present)
        assert set(present) <= set(all_hashes().tolist()), name


def test_cora_figures_match_the_notes():
    score, best = SPACE.optimum()
    assert str(best) == "0 1 2 3 fc gat fc gin" and best.bench_hash == 87072
    assert score == pytest.approx(0.8193, abs=1e-4)
    details = SPACE.optimum_details(best)
    assert details["test_accuracy"] == pytest.approx(0.8263, abs=1e-4)
    assert details["best_test"]["score"] == pytest.approx(0.8313, abs=1e-4)
    assert SPACE.true_scores([best])[0] == score


# ----- strings, DAGs, validity, keys -----------------------------------------------------
def test_parse_and_print_round_trip(every_arch):
    for arch in every_arch[::37]:
        assert SPACE.parse(arch.to_string()) == arch
        assert SPACE.parse(str(arch.bench_hash)) == arch == SPACE.parse(f"#{arch.bench_hash}")
    same = SPACE.parse("0 1 2 1 gcn gin fc cheb")  # the authors' README example
    assert same == SPACE.parse("0, 1, 1, 2, GCN, gin, cheb, fc")  # fc reads gin: nodes renumbered
    assert same.to_string() == "0 1 1 2 gcn gin cheb fc" and same.bench_hash == 61237
    # The README calls [0, 1, 1, 2] gcn cheb gin fc the same; there fc reads cheb, and the
    # package's own valid_hash() agrees with us that it is another network.
    assert SPACE.parse("0 1 1 2 gcn cheb gin fc").bench_hash == 61327


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0 1 2", "need 8 words"),
        ("0 1 2 3 gcn gcn gcn", "need 8 words"),
        ("0 1 2 4 gcn gcn gcn gcn", "node 4 reads node 4"),
        ("0 1 x 3 gcn gcn gcn gcn", "integers"),
        ("0 1 2 3 gcn gcn gcn conv", "unknown op 'conv'"),
        ("0 1 2 3 skip skip skip skip", "identity network"),
        ("88888", "not a benchmark hash"),
        ("1000", "not a benchmark hash"),  # gcn gat gat gat: canonical is gat gat gat gcn (1)
        ("99999", "not a benchmark hash"),
    ],
)
def test_bad_strings_get_a_one_line_reason(text, reason):
    with pytest.raises(ArchError, match=reason) as err:
        SPACE.parse(text)
    assert "\n" not in str(err.value)


def test_dag_round_trip_for_every_architecture(every_arch):
    types, adj = SPACE.dense(every_arch)
    assert types.shape == (26_206, 6) and torch.all(types[:, 0] == 0)
    assert SPACE.valid_mask(types, adj).all()
    assert SPACE.to_items(types, adj) == every_arch
    keys = SPACE.keys(types, adj)
    assert keys == [b"h%d" % a.bench_hash for a in every_arch]


def _relabelled(arch: GnnArch, rng) -> tuple[np.ndarray, np.ndarray]:
    """The same network with its computing nodes in another (random) topological order."""
    order, placed = [], set()
    while len(order) < 4:
        ready = [
            i
            for i in range(4)
            if i not in placed and (arch.links[i] - 1 in placed or arch.links[i] == 0)
        ]
        pick = ready[int(rng.integers(len(ready)))]
        order.append(pick)
        placed.add(pick)
    new = {old: k + 1 for k, old in enumerate(order)}
    types = np.array([0, *(arch.ops[i] + 2 for i in order), 1])
    adj = np.zeros((6, 6), dtype=np.int64)
    for i in order:
        adj[0 if arch.links[i] == 0 else new[arch.links[i] - 1], new[i]] = 1
    adj[1:5, 5] = ~adj[1:5, 1:5].any(1)
    return types, adj


def test_isomorphic_variants_share_a_key_and_an_architecture(every_arch, rng):
    picks = [every_arch[i] for i in rng.choice(len(every_arch), 500, replace=False)]
    graphs = [_relabelled(a, rng) for a in picks]
    types, adj = np.stack([g[0] for g in graphs]), np.stack([g[1] for g in graphs])
    assert any(not np.array_equal(t, a.to_dag()[0]) for t, a in zip(types, picks, strict=True))
    assert SPACE.keys(types, adj) == [b"h%d" % a.bench_hash for a in picks]
    assert [SPACE.from_dag(t, d) for t, d in zip(types, adj, strict=True)] == picks
    # A skip below the input is the same network as that skip as its own branch.
    assert GnnArch((0, 1, 2, 3), (SKIP, 1, 1, 1)) == GnnArch((0, 0, 2, 3), (SKIP, 1, 1, 1))


def _corrupted(rng, archs: list[GnnArch]) -> tuple[torch.Tensor, torch.Tensor]:
    types, adj = SPACE.dense(archs)
    types, adj = types.clone(), adj.clone()
    for b in np.flatnonzero(rng.random(len(archs)) < 0.6):
        kind = int(rng.integers(8))
        if kind == 0:
            types[b, int(rng.integers(1, 5))] = int(rng.choice([0, 1, 11, -1]))
        elif kind == 1:
            u, v = sorted(rng.choice(6, 2, replace=False))
            adj[b, u, v] = 1 - adj[b, u, v]  # flip one forward edge
        elif kind == 2:
            adj[b, 0, 5] = 1
        elif kind == 3:
            adj[b, 3, 1] = 1  # backward
        elif kind == 4:
            types[b, 1:5] = SKIP + 2
        elif kind == 5:
            types[b, 5], types[b, 4] = -1, 1  # stopped early
        elif kind == 6:
            adj[b, :, 5] = 0
        else:
            adj[b] = torch.as_tensor(np.triu(rng.integers(0, 2, (6, 6)), 1))
    return types, adj


def test_batched_validity_is_the_per_graph_rule(every_arch, rng):
    archs = [every_arch[i] for i in rng.choice(len(every_arch), 3000)]
    types, adj = _corrupted(rng, archs)
    batch = SPACE.valid_mask(types, adj).numpy()
    one = []
    for t, a in zip(types.numpy(), adj.numpy(), strict=True):
        try:
            SPACE.from_dag(t, a)
            one.append(True)
        except ArchError:
            one.append(False)
    assert batch.tolist() == one and 0.3 < batch.mean() < 0.8
    random_types = torch.as_tensor(rng.integers(0, 11, (3000, 6)))
    random_types[:, 0], random_types[:, 5] = 0, 1
    random_adj = torch.as_tensor(np.triu(rng.integers(0, 2, (3000, 6, 6)), 1))
    ok = SPACE.valid_mask(random_types, random_adj)
    assert [i is not None for i in SPACE.to_items(random_types, random_adj)] == ok.tolist()
    assert not SPACE.valid_mask(types[:, :5], adj[:, :5, :5]).any()  # other sizes: never valid
    keys = SPACE.keys(types, adj)
    assert all(k.startswith(b"h" if good else b"g") for k, good in zip(keys, batch, strict=True))


# ----- tables from files -----------------------------------------------------------------
def test_a_pickle_asking_for_os_system_is_refused_before_it_runs(tmp_path):
    marker = tmp_path / "ran"
    call = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()  # os.system("touch ...")
    for n, blob in enumerate([call, b"\x80\x04}(K\x00" + call[:-1] + b"u."]):
        bad = tmp_path / f"cora{n}.bench"
        bad.write_bytes(blob)
        with pytest.raises(DataError, match=rf"cora{n}\.bench: refused .*os\.system") as err:
            SPACE.with_oracle_source(str(bad))
        assert "\n" not in str(err.value) and not marker.exists()
    pickle.loads(call)  # the same bytes do run through plain pickle
    assert marker.exists()


def test_unknown_data_set_lists_the_nine():
    with pytest.raises(DataError) as err:
        SPACE.with_oracle_source("imagenet")
    assert all(name in str(err.value) for name in DATASETS) and "\n" not in str(err.value)


def test_a_full_per_epoch_file_is_read_by_path(tmp_path):
    """The authors' full files: per architecture ``dur``, per epoch train/valid/test acc and
    losses and the best acc (their README); figures at the best validation epoch."""
    a, b = (
        GnnArch.from_string("0 1 2 3 fc gat fc gin"),
        GnnArch.from_string("0 0 0 0 gcn gcn gcn gcn"),
    )
    curve = full_curve()  # best validation at epoch 1
    bench = {
        a.bench_hash: {"dur": curve},
        b.bench_hash: {
            "valid_perf": 0.7,
            "perf": 0.6,
            "latency": 0.01,
            "para": np.float64(0.2),
            "dur": curve,
        },
    }
    path = write_full_bench(tmp_path / "cora0.bench", bench)
    space = SPACE.with_oracle_source(str(path))
    other = GnnArch.from_string("0 1 2 3 gcn gcn gcn gcn")
    m = space.true_metrics([a, b, other])
    np.testing.assert_allclose(m["valid accuracy"], [0.9, 0.7, np.nan])
    np.testing.assert_allclose(m["test accuracy"], [0.8, 0.6, np.nan])
    np.testing.assert_allclose(m["params (M)"], [np.nan, 0.2, np.nan])
    curves = space.training_curves(a)
    assert list(curves) == [
        "train accuracy",
        "valid accuracy",
        "test accuracy",
        "train loss",
        "valid loss",
        "test loss",
        "best accuracy",
    ]
    np.testing.assert_allclose(curves["train accuracy"], [0.5, 0.6, 0.7])
    assert space.training_curves(other) is None and SPACE.training_curves(a) is None
    assert space.optimum()[1] == a
    path.write_bytes(pickle.dumps({a.bench_hash: {"dur": [[0.1, 0.2]]}}))
    with pytest.raises(DataError, match="cora0.bench: entry 87072: each epoch"):
        SPACE.with_oracle_source(str(path))


def test_a_files_data_set_is_told_by_its_name():
    """The authors' full files are ``<data set><seed>.bench``, the wheel's ``<data set>.bench``;
    nothing is read to tell."""
    assert SPACE.source_of_file(Path("/nowhere/cora0.bench")) == "cora"
    assert SPACE.source_of_file(Path("computers12.bench")) == "computers"
    assert SPACE.source_of_file(Path("proteins.bench")) == "proteins"
    for name in ("cora0.pkl", "imagenet0.bench", "cora_0.bench", "0cora.bench", "notes.txt"):
        with pytest.raises(DataError, match=f"{name}: not a benchmark file .*cora0.bench"):
            SPACE.source_of_file(Path(name))


# ----- the data file, the words and the CLI ---------------------------------------------
def test_the_data_file_is_reproduced_and_loaded():
    assert ("\n".join(dataset_lines()) + "\n").encode() == DATASET.read_bytes()
    assert space_for_data(DATASET) is SPACES[ARCH]
    data = load_dataset(DATASET)
    assert data.space == ARCH and len(data) == 26_206 and data.max_n == 6 and data.num_types == 11
    np.testing.assert_array_equal(data.acc, SPACE.true_scores(list(data.archs)))
    assert data.params[data.strings.index("0 1 2 3 fc gat fc gin")] == 634_631
    first = json.loads(DATASET.read_text().split("\n", 1)[0])
    assert not any(s.claims(DATASET, first) for name, s in SPACES.items() if name != ARCH)


def test_words_drawing_and_differences():
    a = SPACE.parse("0 1 2 3 fc gat fc gin")
    b = SPACE.parse("0 1 2 2 fc gat gcn graph")
    assert SPACE.vertex_names(a) == ["input", "1: fc", "2: gat", "3: fc", "4: gin", "output"]
    sketch = SPACE.sketch(a)
    assert [n[1] for n in sketch.nodes] == SPACE.vertex_names(a)
    assert ("n4", "out", "main") in sketch.edges and len(sketch.edges) == 5
    diff = SPACE.difference(a, b)
    assert diff.text == "node 3: fc -> gcn; node 4: gin -> graph; node 4 input: 3 -> 2"
    assert diff.changed_nodes == ("n3", "n4") and diff.own_edges == (("n3", "n4"),)
    assert SPACE.difference(a, a).same
    features = SPACE.features([a, b])
    assert features["n_fc"].tolist() == [2, 1] and features["hash"].tolist() == [87072, 77016]
    assert len(SPACE.legend()) == 9 and SPACE.type_names(11)[2:] == list(OPS)
    assert SPACE.complexity([a]).tolist() == [634_631.0]
    assert SPACE.layer_ops(a.to_dag()[0][None]).tolist() == [[7, 0, 7, 2]]
    SPACE.check_text(str(a), 6)
    with pytest.raises(ArchError, match="this model has 8 vertices"):
        SPACE.check_text(str(a), 8)


def test_the_cli_scores_and_finds_the_optimum(tmp_path, capsys):
    archs = tmp_path / "archs.txt"
    archs.write_text("0 1 2 3 fc gat fc gin\n\n0 0 0 0 gcn gcn sage skip\n")
    assert main(["score", "--space", ARCH, "--dataset", "proteins", str(archs)]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines[0] == "nan nan nan nan" and len(lines[1].split()) == 4
    assert "1 of 2 not evaluated on proteins" in out.err
    assert main(["score", "--space", ARCH, "--dataset", "cora", "87072"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["0.819333", "0.826333"]
    assert main(["optimum", "--space", ARCH, "--dataset", "cora", "--json"]) == 0
    record = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert record["arch"] == "0 1 2 3 fc gat fc gin" and record["hash"] == 87072
    assert record["best_test"]["score"] == pytest.approx(0.8313, abs=1e-4)
    assert main(["score", "--space", ARCH, "--dataset", "mnist", "87072"]) == 2
    assert "cora, citeseer" in capsys.readouterr().err


def test_canonical_hashes_are_stable():
    assert bench_hash((0, 1, 2, 3), (7, 0, 7, 2)) == 87072
    assert from_hash(87072) == ((0, 1, 2, 3), (7, 0, 7, 2))


# ----- the methods benchmark (benchmarks/nasbench_graph_methods.py) ----------------------
def test_the_methods_benchmark_writes_its_json_contract(tmp_path, capsys):
    from benchmarks.nasbench_graph_methods import main as bench

    out = tmp_path / "methods.json"
    argv = ["--datasets", "cora,proteins", "--budgets", "20,5", "--seeds", "3", "--json", str(out)]
    report = bench(argv)
    assert json.loads(out.read_text()) == report
    assert "proteins" in capsys.readouterr().out
    cora = report["datasets"]["cora"]
    assert cora["ceilings"] == pytest.approx(
        {"best_valid_test": 0.8263, "best_test": 0.8313}, abs=1e-4
    )
    assert set(cora["methods"]) == {"random", "evolution"}
    for entry in cora["methods"].values():
        assert set(entry) == {"5", "20"} and entry["20"]["seeds"] == 3
        assert 0 < entry["20"]["mean"] < 1 and entry["20"]["std"] >= 0
        assert entry["20"]["valid_mean"] >= entry["5"]["valid_mean"]  # nested budgets
    assert report["settings"]["ops"]["proteins"] == ["gcn", "sage", "arma", "fc", "skip"]


def test_the_latent_methods_run_on_a_tiny_model(tmp_path):
    from benchmarks.nasbench_graph_methods import main as bench
    from ngae.config import ModelConfig, TrainConfig
    from ngae.training.fit import fit

    data = tmp_path / "nbg.jsonl"
    data.write_text("\n".join(DATASET.read_text().splitlines()[::131]) + "\n")
    cfg = TrainConfig(
        data=str(data), epochs=1, batch_size=64, eval_interval=0, save_interval=0, precision="fp32"
    )
    ckpt = fit(ModelConfig(hs=16, nz=4, perf_weight=0.0), cfg, tmp_path / "tiny.pt", progress=False)
    argv = ["--datasets", "proteins", "--budgets", "12,20", "--seeds", "2", "--methods", "bo,ngae"]
    report = bench([*argv, "--checkpoint", str(ckpt)])["datasets"]["proteins"]
    assert set(report["methods"]) == {"bo", "ngae"} and 0 <= report["ngae_screened_share"] <= 1
    assert all(0 < m["20"]["mean"] < 1 for m in report["methods"].values())

"""The explorer's true figures on the oracle's sources (NAS-Bench-Graph's nine data sets),
checked against the benchmark's tables read directly."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from bench_files import write_curves_file

from ngae.errors import USER_ERRORS, DataError, UserInputError
from ngae.explorer import open_explorer, resolve_checkpoint
from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS, light_table

METRICS = ("valid accuracy", "test accuracy", "latency (s)", "params (M)")


@pytest.fixture(scope="module")
def nbg():
    """The shipped NAS-Bench-Graph model (opens in seconds: its codes are cached)."""
    return open_explorer(resolve_checkpoint("ngae_nasbench_graph.pt"))


@pytest.fixture(scope="module")
def hashes(nbg):
    return np.array([a.bench_hash for a in nbg.data.archs])


def test_sources_metrics_and_default(nbg):
    assert nbg.oracle_sources() == DATASETS == nbg.space.oracle_sources()
    assert nbg.default_oracle_source() == "cora"
    assert nbg.truth_metrics() == METRICS
    assert nbg.ranked_metrics() == {"valid": "valid accuracy", "test": "test accuracy"}


def test_truth_table_is_the_benchmark_table(nbg, hashes):
    table = light_table("citeseer")
    truth = nbg.truth_table("citeseer")
    assert len(truth) == len(nbg.table()) == 26_206
    np.testing.assert_array_equal(truth["valid accuracy"], table.valid[hashes])
    np.testing.assert_array_equal(truth["test accuracy"], table.test[hashes])
    np.testing.assert_array_equal(truth["latency (s)"], table.latency[hashes])
    np.testing.assert_array_equal(truth["params (M)"], table.params[hashes])
    for i in (0, 123, 20_000):  # a rank is 1 + how many data-set objects are better
        assert truth["valid rank"][i] == 1 + (table.valid[hashes] > table.valid[hashes][i]).sum()
        assert truth["test rank"][i] == 1 + (table.test[hashes] > table.test[hashes][i]).sum()


def test_rank_one_is_the_spaces_optimum(nbg):
    truth = nbg.truth_table("cora")
    best = nbg.space.optimum()[1].to_string()
    assert nbg.data.strings[int(np.flatnonzero(truth["valid rank"] == 1)[0])] == best
    citeseer = nbg.space.with_oracle_source("citeseer").optimum_details(GnnArch.from_string(best))
    top = nbg.truth_table("citeseer")["test rank"] == 1
    assert citeseer["best_test"]["arch"] in {nbg.data.strings[i] for i in np.flatnonzero(top)}


def test_proteins_ranks_only_what_its_table_holds(nbg, hashes):
    truth = nbg.truth_table("proteins")
    present = light_table("proteins").present[hashes]
    assert present.sum() == len(light_table("proteins")) == 2_021
    assert truth["valid rank"].notna().to_numpy().tolist() == present.tolist()
    assert truth.loc[~present, list(METRICS)].isna().all().all()
    assert truth["valid rank"].max() <= 2_021


def test_unknown_source_lists_the_valid_ones(nbg):
    with pytest.raises(UserInputError) as err:
        nbg.truth_table("imagenet")
    assert all(name in str(err.value) for name in DATASETS) and "\n" not in str(err.value)
    for call in (lambda: nbg.leaderboard("cifar"), lambda: nbg.training_curves("#87072", "x")):
        with pytest.raises(UserInputError, match="unknown data set"):
            call()


def test_leaderboard_by_validation_and_by_test(nbg):
    board = nbg.leaderboard("cora", "valid", k=5)
    assert board["arch"][0] == nbg.space.optimum()[1].to_string()
    assert list(board["valid rank"]) == sorted(board["valid rank"]) and len(board) == 5
    assert list(board.columns) == ["index", "arch", "valid rank", "test rank", *METRICS,
                                   "pred_acc"]  # fmt: skip
    for _, row in board.iterrows():
        assert nbg.data.strings[row["index"]] == row["arch"]
        assert row["pred_acc"] == pytest.approx(nbg.latents.pred_acc[row["index"]])
    test = nbg.leaderboard("citeseer", "test", k=3)
    assert test["test rank"][0] == 1
    assert test["test accuracy"][0] == np.nanmax(light_table("citeseer").test)
    assert nbg.leaderboard("proteins", k=5000)["valid rank"].notna().all()
    assert len(nbg.leaderboard("proteins", k=5000)) == 2_021
    with pytest.raises(UserInputError, match="rank by one of: valid, test"):
        nbg.leaderboard("cora", "latency")
    with pytest.raises(UserInputError, match="at least 1 row"):
        nbg.leaderboard("cora", k=0)


def test_transfer_gives_one_row_per_data_set(nbg):
    best = nbg.space.optimum()[1]
    frame = nbg.transfer(best.to_string())
    assert list(frame["source"]) == list(DATASETS)
    cora = frame.set_index("source").loc["cora"]
    assert (cora["valid rank"], cora["valid ranked"]) == (1, 26_206)
    for _, row in frame.iterrows():
        table = light_table(row["source"])
        h = best.bench_hash
        expected = (table.valid[h], table.test[h], table.latency[h], table.params[h])
        np.testing.assert_array_equal([row[m] for m in METRICS], expected)
    assert frame.set_index("source").loc["proteins", "valid ranked"] == 2_021
    # The same architecture by its benchmark hash (the editor's other form).
    by_hash = nbg.transfer(f"#{best.bench_hash}")
    assert by_hash.equals(frame)


def test_an_architecture_proteins_lacks_is_a_nan_row_not_an_error(nbg, hashes):
    missing = int(np.flatnonzero(~light_table("proteins").present[hashes])[0])
    frame = nbg.transfer(nbg.data.strings[missing]).set_index("source")
    row = frame.loc["proteins"]
    assert np.isnan([row[m] for m in METRICS]).all() and np.isnan(row["valid rank"])
    assert row["note"] == "not evaluated on proteins"
    assert frame.loc["cora", "note"] == "" and frame.loc["cora", "valid rank"] >= 1
    with pytest.raises(UserInputError, match="not a benchmark hash"):
        nbg.transfer("#88888")  # the all-skip network: not in the benchmark


def test_requests_leave_the_shared_space_as_it_was(nbg):
    space = nbg.space
    nbg.transfer(nbg.data.strings[0])
    nbg.truth_table("arxiv")
    assert nbg.space is space and space.oracle_source == "cora"


def test_training_curves_only_from_a_full_file(nbg, tmp_path, monkeypatch):
    arch = GnnArch.from_string("0 1 2 3 fc gat fc gin")
    assert nbg.training_curves(arch.to_string(), "cora") is None  # light tables: no curves
    curve = [[0.5, 0.6, 0.5, 1.0, 1.1, 1.2, 0.5], [0.7, 0.8, 0.7, 0.9, 1.0, 1.1, 0.7]]
    path = tmp_path / "cora0.bench"
    path.write_bytes(pickle.dumps({arch.bench_hash: {"dur": curve}}))

    class OnFile(NasBenchGraphSpace):
        def with_oracle_source(self, source):
            return super().with_oracle_source(str(path) if source == "cora" else source)

    monkeypatch.setattr(nbg, "space", OnFile())
    curves = nbg.training_curves(arch.to_string(), "cora")
    np.testing.assert_array_equal(curves["valid accuracy"], [0.6, 0.8])
    assert nbg.training_curves(arch.to_string(), "citeseer") is None


def test_a_space_without_sources_offers_none():
    asia = open_explorer(resolve_checkpoint("ngae_asia.pt"))
    assert asia.space_info.has_oracle and asia.oracle_sources() == ()
    assert asia.default_oracle_source() is None and asia.truth_metrics() == ()
    with pytest.raises(UserInputError, match="no data sets to pick"):
        asia.truth_table("cora")


def test_full_files_are_given_by_path_or_by_folder(nbg, tmp_path):
    """The dashboard's way to the curves: a file or a folder of the authors' full files, each
    by the data set its name gives; its path is then a source of ``training_curves``."""
    arch, other = GnnArch.from_string("0 1 2 3 fc gat fc gin"), "0 0 0 0 gcn gcn gcn gcn"
    folder = tmp_path / "full"
    folder.mkdir()
    cora0 = write_curves_file(folder / "cora0.bench", [arch.bench_hash])
    cora1 = write_curves_file(folder / "cora1.bench", [arch.bench_hash], epochs=4)
    citeseer = write_curves_file(folder / "citeseer0.bench", [arch.bench_hash])
    (folder / "README.txt").write_text("not a table")
    files = nbg.source_files(str(folder))
    assert list(files) == ["cora", "citeseer"]  # in the oracle's order, other files left out
    assert files == {"cora": (str(cora0), str(cora1)), "citeseer": (str(citeseer),)}
    assert nbg.source_files(cora0) == {"cora": (str(cora0),)}
    curves = nbg.training_curves(arch.to_string(), files["cora"][1])
    np.testing.assert_allclose(curves["train accuracy"], [0.5, 0.6, 0.7, 0.8])
    np.testing.assert_allclose(curves["valid accuracy"], [0.6, 0.9, 0.6, 0.6])
    assert nbg.training_curves(other, str(cora0)) is None  # the file lacks it
    assert nbg.training_curves(arch.to_string(), "cora") is None  # the light table: none
    truth = nbg.truth_table(str(cora0))  # every view reads a given file like a name
    assert truth["valid rank"].notna().sum() == 1 and truth["valid accuracy"].max() == 0.9


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.bench", None, "no such file or folder"),
        ("notes.txt", b"hello", "notes.txt: not a benchmark file"),
        ("imagenet0.bench", pickle.dumps({87072: {"dur": [[0.1] * 7]}}), "not a benchmark file"),
        ("cora0.bench", b"plain text, no pickle", "cora0.bench: not a readable pickle"),
        ("cora1.bench", pickle.dumps([1, 2, 3]), "cora1.bench: not a benchmark table"),
        ("cora2.bench", pickle.dumps({87072: {"dur": [[0.1, 0.2]]}}), "entry 87072: each epoch"),
        ("cora3.bench", b"cos\nsystem\n(S'touch {marker}'\ntR.", "refused os.system"),
        ("empty", "folder", "no benchmark files in this folder"),
    ],
)
def test_a_given_file_that_cannot_be_used_says_why_in_one_line(nbg, tmp_path, name, content,
                                                               message):  # fmt: skip
    path, marker = tmp_path / name, tmp_path / "ran"
    if content == "folder":
        path.mkdir()
        (path / "notes.txt").write_text("no table here")
    elif content is not None:
        path.write_bytes(content.replace(b"{marker}", str(marker).encode()))
    with pytest.raises(USER_ERRORS) as err:
        nbg.source_files(str(path))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not marker.exists()  # a tampered pickle is refused before anything runs
    if path.is_file():  # the same file as a source of the curves: the same refusal
        with pytest.raises(USER_ERRORS, match="not a benchmark file|not a readable|refused|"
                           "not a benchmark table|each epoch"):  # fmt: skip
            nbg.training_curves("0 1 2 3 fc gat fc gin", str(path))


def test_a_space_without_sources_takes_no_files(tmp_path):
    asia = open_explorer(resolve_checkpoint("ngae_asia.pt"))
    file = write_curves_file(tmp_path / "cora0.bench", [87072])
    with pytest.raises(UserInputError, match="no data sets to pick"):
        asia.source_files(str(file))
    with pytest.raises(DataError, match="cora0.bench: the .* space reads no files"):
        asia.space.source_of_file(file)

"""The Explorer service: caching, decoding anywhere, projections, safety of names from the UI."""

from __future__ import annotations

import numpy as np
import pytest

from ngae.errors import UserInputError
from ngae.explorer import CellInfo, Decoded, ModelCard, list_checkpoints, resolve_checkpoint
from ngae.explorer.latents import cache_dir_for
from ngae.explorer.projections import Pca, place_by_neighbours
from ngae.explorer.service import Explorer
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import param_count


@pytest.fixture(scope="module")
def explorer(tiny_checkpoint):
    return Explorer.open(tiny_checkpoint)


@pytest.fixture(scope="module")
def decoder(decoding_checkpoint):
    """An explorer whose model decodes valid cells (the tiny one above mostly does not)."""
    return Explorer.open(decoding_checkpoint)


def test_latents_are_cached_atomically_and_reused(tiny_checkpoint, explorer):
    cache = cache_dir_for(tiny_checkpoint) / "latents.npz"
    assert cache.is_file() and not list(cache.parent.glob("*.tmp"))
    again = Explorer.open(tiny_checkpoint)
    np.testing.assert_array_equal(again.latents.mu, explorer.latents.mu)
    cache.write_bytes(cache.read_bytes()[:100])  # a truncated cache is recomputed, not trusted
    third = Explorer.open(tiny_checkpoint)
    np.testing.assert_allclose(third.latents.mu, explorer.latents.mu, atol=1e-6)


def test_table_and_model_card(explorer):
    table = explorer.table()
    assert len(table) == 200 and {"arch", "split", "true_acc", "params", "pred_acc"} <= set(table)
    assert set(table.split) == {"train", "test"}
    card = explorer.model_card()
    assert isinstance(card, ModelCard)
    assert card.epoch == 2 and len(card.history) == 2
    assert card.data.architectures == 200 and card.data.train + card.data.test == 200
    assert card.model_config["nz"] == 4


def test_pca_round_trip_and_decode_anywhere(decoder):
    pca = Pca.fit(decoder.latents.mu)
    xy = pca.transform(decoder.latents.mu[:5])
    back = pca.transform(pca.inverse(xy))
    np.testing.assert_allclose(back, xy, atol=1e-6)
    dec = decoder.decode_map_position(float(xy[0, 0]), float(xy[0, 1]), decodes=5)
    assert isinstance(dec, Decoded) and dec.cell is not None, "no valid decoding"
    assert dec.z.shape == (6,) and 0 < dec.share <= dec.valid_share <= 1
    np.testing.assert_allclose(dec.z, pca.inverse(xy[:1])[0], atol=1e-6)
    assert_described(decoder, dec.cell)


def assert_described(explorer, cell: CellInfo) -> None:
    """A cell's figures are those of its own architecture (params, index, predictions)."""
    arch = Arch.from_string(cell.arch)
    assert cell.params == param_count(arch)
    assert cell.index == explorer._index.get(cell.arch)
    again = explorer.describe(cell.arch)
    assert again.pred_acc == pytest.approx(cell.pred_acc, abs=1e-6)


def test_decode_index_decodes_valid_described_cells(decoder):
    for i in range(8):
        dec = decoder.decode_index(i, decodes=5)
        assert dec.cell is not None, f"#{i} decoded to nothing valid"
        assert dec.reproduced == (dec.cell.arch == decoder.data.strings[i])
        np.testing.assert_allclose(dec.z, decoder.latents.mu[i], atol=1e-6)
        assert_described(decoder, dec.cell)


def test_decode_index_says_whether_it_reproduced_the_original(decoder, monkeypatch):
    """Known answers: a decoding equal to the original is reproduced, another one is not."""
    original, other = decoder.data.strings[2], decoder.data.strings[3]
    assert original != other
    for decoded, expected in ((original, True), (other, False)):
        cell = decoder.describe(decoded)
        monkeypatch.setattr(
            decoder, "decode", lambda z, decodes, cell=cell: [Decoded(z[0], 0.8, 1.0, cell)]
        )
        assert decoder.decode_index(2).reproduced is expected
    monkeypatch.setattr(decoder, "decode", lambda z, decodes: [Decoded(z[0], 0.0, 0.0, None)])
    assert decoder.decode_index(2).reproduced is False


def test_decoding_is_deterministic_per_seed(decoder):
    z = decoder.latents.mu[:3]
    first, again = decoder.decode(z, decodes=6, seed=1), decoder.decode(z, decodes=6, seed=1)
    assert [d.cell.arch for d in first] == [d.cell.arch for d in again]
    assert [d.share for d in first] == [d.share for d in again]


def test_interpolate_and_neighbours(decoder, explorer):
    path = decoder.interpolate(0, 1, steps=4, decodes=3)
    assert len(path) == 4
    np.testing.assert_allclose(path[0].z, decoder.latents.mu[0], atol=1e-6)
    np.testing.assert_allclose(path[-1].z, decoder.latents.mu[1], atol=1e-6)
    assert all(d.cell is not None for d in path)
    near = explorer.neighbours(explorer.latents.mu[7], k=3)
    assert near["index"].iloc[0] == 7 and near["distance"].iloc[0] == pytest.approx(0, abs=1e-5)
    with pytest.raises(UserInputError):
        explorer.decode_index(10**6)
    with pytest.raises(UserInputError):
        explorer.decode(np.full((1, 4), np.nan))


def test_parse_arch_errors_are_messages(explorer):
    with pytest.raises(UserInputError, match="integers"):
        explorer.parse_arch("1 2 x")
    with pytest.raises(UserInputError, match="layer 1: op 9 is not in 0..5"):
        explorer.parse_arch("9 " * 21)  # layers counted from 1
    with pytest.raises(UserInputError, match=r"^need 21 integers \(6 layers.*got 3$"):
        explorer.parse_arch("1 2 3")  # not "skip bits must be 0 or 1"
    with pytest.raises(UserInputError, match="layer 3: skip bits must be 0 or 1"):
        explorer.parse_arch("0 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0")
    cell = explorer.describe(explorer.data.strings[0])
    assert cell.index == 0 and cell.true_acc == pytest.approx(explorer.data.acc[0])
    assert cell.params == param_count(Arch.from_string(explorer.data.strings[0]))
    np.testing.assert_allclose(cell.z, explorer.latents.mu[0], atol=1e-5)


def test_neighbour_placement_lands_on_the_neighbours(explorer):
    xy = np.random.default_rng(0).normal(size=(len(explorer.latents.mu), 2)).astype(np.float32)
    placed = place_by_neighbours(explorer.latents.mu[:1], explorer.latents.mu, xy, k=1)
    np.testing.assert_allclose(placed[0], xy[0], atol=1e-4)


def test_projection_in_background_then_cached(explorer):
    assert explorer.projection_status("pca") == "ready"
    status = explorer.start_projection("tsne")
    assert status in ("running", "ready")
    import time

    deadline = time.time() + 120
    while explorer.projection_status("tsne") == "running" and time.time() < deadline:
        time.sleep(0.2)
    assert explorer.projection_status("tsne") == "ready"
    xy = explorer.projection("tsne")
    assert xy.shape == (200, 2) and np.isfinite(xy).all()
    assert explorer.place(explorer.latents.mu[:2], "tsne").shape == (2, 2)


def test_checkpoint_names_cannot_escape_the_folder(tiny_checkpoint):
    folder = tiny_checkpoint.parent
    assert "tiny.pt" in list_checkpoints(folder)
    assert resolve_checkpoint("tiny.pt", folder) == tiny_checkpoint.resolve()
    for bad in (
        "../tiny.pt",
        "/etc/passwd",
        "..",
        ".hidden.pt",
        "tiny.txt",
        "",
        "a/b.pt",
        "missing.pt",
    ):
        with pytest.raises(UserInputError):
            resolve_checkpoint(bad, folder)


def test_preload_hands_over_the_opened_explorer_once(tiny_checkpoint, tmp_path):
    import os
    import shutil

    from ngae.errors import CheckpointError
    from ngae.explorer.warm_start import open_explorer, preload

    copy = tmp_path / "tiny.pt"
    shutil.copy2(tiny_checkpoint, copy)
    future = preload(copy)
    assert preload(copy) is future  # one background open per file version
    first = open_explorer(copy)
    assert first is future.result(timeout=60)
    assert first.table().equals(Explorer.open(tiny_checkpoint).table())
    assert open_explorer(copy) is not first  # handed over once; later opens are fresh

    # A newer version of the file is not served from an older preload.
    old = preload(copy).result(timeout=60)
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert open_explorer(copy) is not old

    # A preload that failed is retried, and the retry's error is the one reported.
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    assert preload(broken).exception(timeout=60) is not None
    with pytest.raises(CheckpointError):
        open_explorer(broken)
    with pytest.raises(CheckpointError):
        open_explorer(tmp_path / "missing.pt")


def test_shown_sample_keeps_the_test_split_and_fills_with_training_objects():
    from ngae.explorer.service import shown_indices

    train, test = np.arange(10, 100), np.arange(0, 10)
    assert shown_indices(train, test, limit=100) is None
    shown = shown_indices(train, test, limit=30)
    assert len(shown) == 30 and np.all(np.diff(shown) > 0)
    assert set(test) <= set(shown) and set(shown) - set(test) == set(train[:20])
    assert len(shown_indices(train, np.arange(0, 10), limit=8)) == 8  # half test, half train


def test_a_large_data_set_is_shown_by_a_sample_and_searched_against_all(
    tiny_checkpoint, tmp_path, monkeypatch
):
    import shutil

    import ngae.explorer.service as service
    from ngae.search import SearchConfig
    from ngae.spaces.graph_data import dvae_split
    from ngae.spaces.registry import burn_in_of

    copy = tmp_path / "sampled.pt"  # its own cache: the sample's codes
    shutil.copy(tiny_checkpoint, copy)
    monkeypatch.setattr(service, "SHOWN_LIMIT", 60)
    ex = Explorer.open(copy)
    assert len(ex.data) == 60 == len(ex.table()) == len(ex.latents.mu)
    assert len(ex.full_data) == 200 and "60 of the 200" in ex.shown_note()
    assert (ex.split == "test").sum() == 20  # the whole test split of 200
    train, _ = dvae_split(200, burn_in_of(ex.full_data))
    assert ex.space_info.dataset_best == ex.full_data.acc[train].max()
    found = ex.search(SearchConfig(samples=4, steps=2, seed=0))
    for r in found.results:  # a decoding among the objects not shown is not new either
        assert r.novel == (r.arch not in set(ex.full_data.strings))
    # optimal starts are the whole data set's best (encoded on the fly), not the sample's
    best = ex.search(SearchConfig(samples=3, steps=0, strategy="optimal", seed=0))
    order = np.argsort(-ex.full_data.acc, kind="stable")
    want = [ex.full_data.strings[i] for i in order[:3]]
    assert [r.start_arch for r in best.results] == want[: len(best.results)]
    assert max(ex.full_data.acc[order[:3]]) > max(ex.data.acc)  # the sample lacks the best

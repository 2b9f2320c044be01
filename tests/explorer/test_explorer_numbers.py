"""What the explorer hands the pages so every number says what it is: the shipped cards' record,
each result's error bar, the space's own references, objects by index, neighbours without
the point itself."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ngae.errors import UserInputError
from ngae.explorer import SearchConfig, open_explorer, resolve_checkpoint
from ngae.explorer.service import Explorer
from ngae.ui.card import epochs_line, heads_line, lr_line


@pytest.fixture(scope="module")
def shipped():
    """The two shipped models (each opens in seconds: codes and maps are cached)."""
    return {name: open_explorer(resolve_checkpoint(name)) for name in
            ("ngae_default.pt", "ngae_asia.pt")}  # fmt: skip


@pytest.fixture(scope="module")
def decoder(decoding_checkpoint):
    return Explorer.open(decoding_checkpoint)


def test_the_default_card_shows_the_lr_its_history_records(shipped):
    card = shipped["ngae_default.pt"].model_card()
    assert (card.epoch, card.planned) == (100, 300)
    assert card.lr_schedule == ((1, 52, 1e-3), (53, 100, 1e-4))  # no rollback to epoch 40
    assert epochs_line(card).startswith("Trained for **100 of 300 planned epochs**.")
    assert "1e-3 for epochs 1-52, then 1e-4 for epochs 53-100" in lr_line(card)
    assert card.heads_refit["epochs"] == 100 and "(100 epochs, lr 1e-3," in heads_line(card)
    assert card.history.set_index("epoch").loc[53, "recon"] == pytest.approx(4.554, abs=1e-3)


def test_the_asia_card_compares_with_asia_references_only(shipped):
    card = shipped["ngae_asia.pt"].model_card()
    assert epochs_line(card) == (
        "Trained for 30 epochs on 180,000 training graphs. "
        "(Its run planned 34 and was stopped here by choice.)"
    )
    schedule = (
        "1e-3 for epochs 1-13, then 1e-4 for epochs 14-19, then 3e-4 for epochs 20-22, "
        "then 1e-4 for epochs 23-26, then 3e-5 for epochs 27-30"
    )
    assert schedule in lr_line(card)
    assert card.data.architectures == 200_000 and card.data.train == 180_000  # not the map's
    anchored = {k for figures in card.published.values() for k in figures}
    assert "perf_rmse" not in anchored  # NGAE's ENAS RMSE is not a BIC figure
    assert all("asia" in name.lower() or "DIGGED" in name for name in card.published)
    assert heads_line(card) is not None


def test_predictions_come_with_error_bars_on_both_spaces(shipped):
    for ex, error in ((shipped["ngae_default.pt"], 0.0015), (shipped["ngae_asia.pt"], 79.32)):
        assert ex.perf_error() == pytest.approx(error, rel=0.01)  # the evaluation's RMSE
        spread = ex.uncertainty(ex.latents.mu[:3])
        assert spread.shape == (3,) and np.all(spread > 0)
        first, second = ex.pca_variance()
        assert 0 < second <= first < 1


def test_found_objects_get_the_spread_at_their_encoding(decoder):
    result = decoder.search(SearchConfig(samples=3, steps=5, decodes=4))
    spread = decoder.found_uncertainty(result)
    assert spread.shape == (len(result.results),) and np.all(spread >= 0)
    z = np.stack([decoder.describe(r.arch).z for r in result.results])
    np.testing.assert_allclose(spread, decoder.uncertainty(z), rtol=1e-5)
    assert result.checkpoint == decoder.path.name and len(result.checkpoint_sha) == 12
    empty = replace(result, results=[])
    assert decoder.found_uncertainty(empty).shape == (0,)


def test_objects_by_index_and_neighbours_without_themselves(decoder):
    assert decoder.arch_at(5) == decoder.data.strings[5]
    for bad in (-1, 99999):
        with pytest.raises(UserInputError, match=f"no architecture with index {bad} "):
            decoder.arch_at(bad)
    near = decoder.neighbours(decoder.latents.mu[5], k=4, exclude=5)
    assert 5 not in near["index"].tolist() and len(near) == 4
    assert decoder.neighbours(decoder.latents.mu[5], k=4)["index"].iloc[0] == 5

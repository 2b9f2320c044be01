"""The decoder's static path (GPU default, CUDA-graph capturable) against the row-selecting one."""

from __future__ import annotations

import pytest
import torch

from ngae.files import PROJECT_ROOT
from ngae.model.checkpoint import load_checkpoint, model_from_checkpoint
from ngae.model.decoder import sample_by_inversion
from ngae.model.inference import GraphedDecoder


@pytest.fixture(scope="module")
def shipped():
    return model_from_checkpoint(load_checkpoint(PROJECT_ROOT / "checkpoints/ngae_default.pt"))


def points(count: int, nz: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(count, nz, generator=torch.Generator().manual_seed(seed))


def test_static_greedy_decodings_are_the_selecting_ones(shipped) -> None:
    z = points(400, shipped.cfg.nz)
    dynamic = shipped.decode(z, stochastic=False, static=False)
    static = shipped.decode(z, stochastic=False, static=True)
    assert torch.equal(static[0], dynamic[0]) and torch.equal(static[1], dynamic[1])


def test_static_path_makes_no_data_dependent_selection(shipped, monkeypatch) -> None:
    """No ``nonzero`` (a host sync and a data-dependent shape) anywhere in a static decode."""

    def refuse(*args, **kwargs):
        raise AssertionError("nonzero called")

    monkeypatch.setattr(torch.Tensor, "nonzero", refuse)
    types, adj = shipped.decode(points(50, shipped.cfg.nz), stochastic=True, static=True)
    assert types.shape == (50, 8) and adj.shape == (50, 8, 8)
    with pytest.raises(AssertionError, match="nonzero"):
        shipped.decode(points(50, shipped.cfg.nz), stochastic=True, static=False)


def test_sampling_by_inversion_has_the_given_distribution() -> None:
    probs = torch.tensor([[0.2, 0.5, 0.3, 0.0], [0.0, 0.0, 1.0, 0.0]]).repeat(20_000, 1)
    picked = sample_by_inversion(probs, torch.Generator().manual_seed(0)).view(20_000, 2)
    share = torch.stack([(picked[:, 0] == k).float().mean() for k in range(4)])
    torch.testing.assert_close(share, torch.tensor([0.2, 0.5, 0.3, 0.0]), atol=0.01, rtol=0)
    assert (picked[:, 1] == 2).all()  # a sure category always, a zero one never


def test_static_stochastic_decodings_follow_the_same_distribution(shipped) -> None:
    """Same points decoded 40 times each: edge counts and the share equal to the greedy decoding
    agree between the paths within sampling noise (2,000 decodes: std of a share ~0.011).
    """
    z = points(50, shipped.cfg.nz)
    greedy_t, greedy_a = shipped.decode(z, stochastic=False)
    many = z.repeat(40, 1)
    results = []
    for static in (False, True):
        t, a = shipped.decode(many, generator=torch.Generator().manual_seed(1), static=static)
        same = (t == greedy_t.repeat(40, 1)).all(1) & (a == greedy_a.repeat(40, 1, 1)).all((1, 2))
        results.append((a.float().sum((1, 2)).mean(), same.float().mean()))
    (edges_d, same_d), (edges_s, same_s) = results
    assert abs(float(edges_d - edges_s)) < 0.3
    assert abs(float(same_d - same_s)) < 0.05


@pytest.mark.parametrize("count", [0, 30, 64, 150])
def test_graphed_decoder_chunks_and_pads_as_one_static_decoding(shipped, count: int) -> None:
    """The CUDA-graph decoder's buffers and chunking, eagerly (``capture=False``) on the CPU."""
    z = points(count, shipped.cfg.nz, seed=2)
    types, adj = GraphedDecoder(shipped, batch=64, stochastic=False, capture=False)(z)
    assert types.shape == (count, 8) and adj.shape == (count, 8, 8)
    if count:
        want = shipped.decode(z, stochastic=False, static=True)
        assert torch.equal(types, want[0]) and torch.equal(adj, want[1])

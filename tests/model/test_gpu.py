"""CUDA checks (run with ``-m gpu`` on a machine with a GPU): same code path, same numbers."""

from __future__ import annotations

import pytest
import torch

from ngae.config import ModelConfig
from ngae.model.inference import decode_many
from ngae.model.vae import NGAE

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def test_loss_on_cuda_equals_cpu(enas_small):
    torch.manual_seed(0)
    model = NGAE(ModelConfig(hs=64, nz=8)).eval()
    types = torch.as_tensor(enas_small.types[:64])
    adj = torch.as_tensor(enas_small.adj[:64]).float()
    cpu = model.loss(types, adj)["recon"]
    gpu = model.cuda().loss(types.cuda(), adj.cuda())["recon"]
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-3)


def test_decode_and_train_step_on_cuda(enas_small):
    model = NGAE(ModelConfig(hs=64, nz=8)).cuda()
    types = torch.as_tensor(enas_small.types[:32]).cuda()
    adj = torch.as_tensor(enas_small.adj[:32]).float().cuda()
    loss = model(types, adj)["loss"]
    loss.backward()
    assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())
    t, a = decode_many(model.eval(), torch.randn(100, 8, device="cuda"))
    assert t.device.type == "cuda" and t.shape == (100, 8) and a.shape == (100, 8, 8)


def test_static_decode_on_cuda_follows_cpu_and_a_captured_graph_replays_it():
    """Greedy decodings: a CUDA graph replays exactly the eager static path on the same GPU;
    against the CPU (other kernels, and an untrained model's many near-even edge probabilities)
    nearly all agree.
    """
    from ngae.model.inference import GraphedDecoder

    torch.manual_seed(0)
    model = NGAE(ModelConfig(hs=64, nz=8)).eval()
    z = torch.randn(300, 8)
    cpu_t, cpu_a = model.decode(z, stochastic=False)
    model = model.cuda()
    want_t, want_a = model.decode(z.cuda(), stochastic=False)  # static on CUDA by default
    same = (want_t.cpu() == cpu_t).all(1) & (want_a.cpu() == cpu_a).all((1, 2))
    assert same.float().mean() > 0.9
    graphed = GraphedDecoder(model, batch=128, stochastic=False)
    for _ in range(2):  # replays, the last chunk padded
        t, a = graphed(z.cuda())
        assert torch.equal(t, want_t) and torch.equal(a, want_a)
    t, a = GraphedDecoder(model, batch=128)(z.cuda())  # stochastic: valid shapes, new draws
    assert t.shape == (300, 8) and a.shape == (300, 8, 8)

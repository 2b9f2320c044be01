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

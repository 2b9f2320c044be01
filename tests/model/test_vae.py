"""The batched model against a plain per-graph computation written here (D-VAE's algorithm)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ngae.config import ModelConfig
from ngae.model.vae import NGAE, kl_divergence


def tiny_model(
    bidirectional: bool = True, predictors: bool = True, extra: str | None = None
) -> NGAE:
    """``extra``: ``vertex_count`` or ``type_counts`` (ModelConfig's options), or none."""
    torch.manual_seed(0)
    options = {extra: True} if extra else {}
    cfg = ModelConfig(hs=16, nz=5, bidirectional=bidirectional, predictors=predictors, **options)
    m = NGAE(cfg).double()
    if extra:  # initialised to zero: made to matter here
        torch.nn.init.normal_(getattr(m.decoder, extra).weight)
    return m


def position(dec, v: int, types: list[int]):
    """What the type network adds to vertex ``v``'s state (ModelConfig.vertex_count and
    type_counts: ``types`` are those of vertices ``0..v``)."""
    out = 0
    if dec.vertex_count is not None:
        out = out + dec.vertex_count.weight[v]
    if dec.type_counts is not None:
        counts = torch.zeros(1, dec.cfg.num_types, dtype=torch.float64)
        for t in types:
            counts[0, t] += 1
        out = out + dec.type_counts(counts)
    return out


def onehot(i: int, n: int) -> torch.Tensor:
    x = torch.zeros(1, n, dtype=torch.float64)
    x[0, i] = 1
    return x


def ref_encode(m: NGAE, types, adj):
    """Per-graph D-VAE encoder: loops over vertices and predecessors, concatenations."""
    enc, n, t = m.encoder, m.cfg.max_n, m.cfg.num_types

    def run(cell, gate, mapper, order, neigh):
        states = {}
        for v in order:
            msgs = [
                torch.sigmoid(gate(torch.cat([states[u], onehot(u, n)], 1)))
                * mapper(torch.cat([states[u], onehot(u, n)], 1))
                for u in neigh(v)
            ]
            hidden = sum(msgs) if msgs else torch.zeros(1, m.cfg.hs, dtype=torch.float64)
            states[v] = cell(onehot(int(types[v]), t), hidden)
        return states

    preds = lambda v: [u for u in range(n) if adj[u, v]]  # noqa: E731
    succs = lambda v: [w for w in range(n) if adj[v, w]]  # noqa: E731
    fwd = run(enc.grue_forward, enc.gate_forward, enc.mapper_forward, range(n), preds)
    hg = fwd[n - 1]
    if m.cfg.bidirectional:
        bwd = run(enc.grue_backward, enc.gate_backward, enc.mapper_backward, range(n)[::-1], succs)
        hg = enc.hg_unify(torch.cat([hg, bwd[0]], 1))
    return enc.fc1(hg), enc.fc2(hg)


def ref_recon_nll(m: NGAE, z, types, adj):
    """Per-graph D-VAE teacher forcing: state recomputed after every edge decision."""
    enc, dec, n, t = m.encoder, m.decoder, m.cfg.max_n, m.cfg.num_types

    def message(h, u):
        x = torch.cat([h, onehot(u, n)], 1)
        return torch.sigmoid(enc.gate_forward(x)) * enc.mapper_forward(x)

    states = {0: dec.grud(onehot(0, t), torch.tanh(dec.fc3(z)))}
    nll = torch.zeros((), dtype=torch.float64)
    for v in range(1, n):
        logits = dec.add_vertex(states[v - 1] + position(dec, v - 1, types[:v].tolist()))
        nll = nll - F.log_softmax(logits, 1)[0, int(types[v])]
        preds: list[int] = []

        def update(preds=preds, v=v):
            hidden = (
                sum(message(states[u], u) for u in preds)
                if preds
                else torch.zeros(1, m.cfg.hs, dtype=torch.float64)
            )
            states[v] = dec.grud(onehot(int(types[v]), t), hidden)

        update()
        for u in range(v - 1, -1, -1):
            p = torch.sigmoid(dec.add_edge(torch.cat([states[u], states[v]], 1)))[0, 0]
            y = float(adj[u, v])
            nll = nll - (y * torch.log(p) + (1 - y) * torch.log(1 - p))
            if adj[u, v]:
                preds.append(u)
            update()
    return nll


def test_batched_encoder_matches_per_graph(enas_small):
    for bidir in (True, False):
        m = tiny_model(bidirectional=bidir)
        types = torch.as_tensor(enas_small.types[:6])
        adj = torch.as_tensor(enas_small.adj[:6])
        mu, logvar = m.encode(types, adj)
        for i in range(6):
            ref_mu, ref_lv = ref_encode(m, types[i], adj[i])
            torch.testing.assert_close(mu[i : i + 1], ref_mu)
            torch.testing.assert_close(logvar[i : i + 1], ref_lv)


@pytest.mark.parametrize("extra", [None, "vertex_count", "type_counts"])
def test_batched_loss_matches_per_graph(enas_small, extra):
    m = tiny_model(extra=extra)
    m.eval()  # z = mu, so both computations see the same latent point
    types = torch.as_tensor(enas_small.types[:8])
    adj = torch.as_tensor(enas_small.adj[:8])
    acc = torch.as_tensor(enas_small.acc[:8])
    cmplx = torch.linspace(0.1, 0.9, 8, dtype=torch.float64)
    parts = m.loss(types, adj, acc, cmplx)
    recon, kl, perf = 0.0, 0.0, 0.0
    for i in range(8):
        mu, logvar = ref_encode(m, types[i], adj[i])
        recon = recon + ref_recon_nll(m, mu, types[i], adj[i])
        kl = kl + kl_divergence(mu, logvar)
        perf = perf + (m.perf_head(mu)[0, 0] - acc[i]) ** 2
    torch.testing.assert_close(parts["recon"], recon)
    torch.testing.assert_close(parts["kl"], kl)
    torch.testing.assert_close(parts["perf"], perf)
    expected = recon + 0.005 * kl + parts["perf"] + parts["cmplx"]
    torch.testing.assert_close(parts["loss"], expected)


@pytest.mark.parametrize("extra", [None, "vertex_count", "type_counts"])
def test_gradients_match_per_graph(enas_small, extra):
    m = tiny_model(extra=extra)
    m.eval()
    types = torch.as_tensor(enas_small.types[:3])
    adj = torch.as_tensor(enas_small.adj[:3])
    m.loss(types, adj)["recon"].backward()
    batched = {k: p.grad.clone() for k, p in m.named_parameters() if p.grad is not None}
    m.zero_grad()
    total = 0.0
    for i in range(3):
        mu, _ = ref_encode(m, types[i], adj[i])
        total = total + ref_recon_nll(m, mu, types[i], adj[i])
    total.backward()
    reference = {k: p.grad for k, p in m.named_parameters() if p.grad is not None}
    assert set(batched) == set(reference)  # no gradient lost (e.g. a shared weight's)
    for name in ("encoder.grue_forward.weight_hh", "decoder.grud.weight_hh"):
        assert name in reference and reference[name].abs().sum() > 0
    for name, grad in reference.items():
        torch.testing.assert_close(batched[name], grad, msg=name)


def test_kl_closed_form_and_eval_reparameterisation():
    m = tiny_model()
    mu = torch.tensor([[0.5, -1.0, 0.0, 2.0, 0.1]], dtype=torch.float64)
    logvar = torch.tensor([[0.0, 0.2, -0.3, 0.0, 1.0]], dtype=torch.float64)
    expected = 0.5 * torch.sum(logvar.exp() + mu**2 - 1 - logvar)
    torch.testing.assert_close(kl_divergence(mu, logvar), expected)
    m.eval()
    assert torch.equal(m.reparameterize(mu, logvar), mu)
    m.train()
    z = m.reparameterize(mu, logvar)
    assert not torch.equal(z, mu) and torch.allclose(z, mu, atol=0.1)


def test_decode_shapes_and_end_vertex():
    m = tiny_model()
    m.eval()
    gen = torch.Generator().manual_seed(1)
    types, adj = m.decode(torch.randn(20, 5, dtype=torch.float64, generator=gen), generator=gen)
    assert types.shape == (20, 8) and adj.shape == (20, 8, 8)
    assert torch.all(types[:, 0] == 0)
    for row, a in zip(types, adj, strict=True):
        n = int((row >= 0).sum())
        assert row[n - 1] == 1  # decoding ends at the output vertex
        assert not a[n:].any() and not a[:, n:].any()
        assert not torch.tril(a).any()  # edges only go forward


def ref_greedy_decode(m: NGAE, z):
    """Per-graph D-VAE greedy decoding: state recomputed after every edge decision."""
    enc, dec, n, t = m.encoder, m.decoder, m.cfg.max_n, m.cfg.num_types

    def message(h, u):
        x = torch.cat([h, onehot(u, n)], 1)
        return torch.sigmoid(enc.gate_forward(x)) * enc.mapper_forward(x)

    states = {0: dec.grud(onehot(0, t), torch.tanh(dec.fc3(z)))}
    types, edges = [0], set()
    for v in range(1, n):
        context = states[v - 1] + position(dec, v - 1, types)
        new = 1 if v == n - 1 else int(dec.add_vertex(context).argmax())
        types.append(new)
        preds: list[int] = []

        def update(preds=preds, v=v, new=new):
            hidden = (
                sum(message(states[u], u) for u in preds)
                if preds
                else torch.zeros(1, m.cfg.hs, dtype=torch.float64)
            )
            states[v] = dec.grud(onehot(new, t), hidden)

        update()
        if new == 1:  # output: connect every vertex without out-edges, stop
            for u in range(v):
                if not any(e[0] == u for e in edges):
                    edges.add((u, v))
            break
        for u in range(v - 1, -1, -1):
            p = torch.sigmoid(dec.add_edge(torch.cat([states[u], states[v]], 1)))[0, 0]
            if p > 0.5:
                edges.add((u, v))
                preds.append(u)
                update()
    return types, edges


@pytest.mark.parametrize("extra", [None, "vertex_count", "type_counts"])
def test_greedy_decode_matches_per_graph(extra):
    m = tiny_model(extra=extra)
    m.eval()
    gen = torch.Generator().manual_seed(3)
    z = torch.randn(30, 5, dtype=torch.float64, generator=gen) * 2
    types, adj = m.decode(z, stochastic=False)
    for i in range(30):
        ref_types, ref_edges = ref_greedy_decode(m, z[i : i + 1])
        n = len(ref_types)
        assert types[i, :n].tolist() == ref_types and (types[i, n:] == -1).all()
        assert {tuple(e) for e in adj[i].nonzero().tolist()} == ref_edges

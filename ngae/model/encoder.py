"""The D-VAE graph encoder: asynchronous message passing over a DAG in topological order."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ngae.config import ModelConfig
from ngae.model.gated_messages import MessageFn
from ngae.model.gru import gate_math
from ngae.model.products import FP32, Products


class GraphEncoder(nn.Module):
    """Encode dense DAGs to ``(mu, logvar)`` (D-VAE, Zhang et al. 2019, section 3.2).

    Each vertex's state is a GRU step (input: one-hot type) over the gated sum of its
    predecessors' states; ``bidirectional`` adds a reverse pass over successors with its own
    weights, and the graph state is ``hg_unify([h_last_forward; h_first_backward])``.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        t, h, n = cfg.num_types, cfg.hs, cfg.max_n
        self.cfg = cfg
        self.grue_forward = nn.GRUCell(t, h)
        self.gate_forward = nn.Linear(h + n, h)
        self.mapper_forward = nn.Linear(h + n, h, bias=False)
        if cfg.bidirectional:
            self.grue_backward = nn.GRUCell(t, h)
            self.gate_backward = nn.Linear(h + n, h)
            self.mapper_backward = nn.Linear(h + n, h, bias=False)
            self.hg_unify = nn.Linear(2 * h, h)
        self.fc1 = nn.Linear(h, cfg.nz)  # mu
        self.fc2 = nn.Linear(h, cfg.nz)  # logvar

    def forward_messages(self, mm: Products = FP32) -> MessageFn:
        """The forward gate/mapper as a message function (the decoder reuses it)."""
        return MessageFn([(self.gate_forward, self.mapper_forward)], self.cfg.hs, mm)

    def forward(self, types: Tensor, adj: Tensor, mm: Products = FP32) -> tuple[Tensor, Tensor]:
        """Encode ``types`` ``(B, N)`` and float ``adj`` ``(B, N, N)`` -> ``mu, logvar``.

        ``mm`` computes the matrix products of the message passing (:mod:`ngae.model.precision`);
        ``mu`` and ``logvar`` always come from fp32 products. The two directions run as one
        batched pass: every product serves both, with each direction's own weights.
        """
        passes = [_Pass(self.grue_forward, self.gate_forward, self.mapper_forward, False)]
        types_d, adj_d = [types], [adj]
        if self.cfg.bidirectional:
            passes.append(_Pass(self.grue_backward, self.gate_backward, self.mapper_backward, True))
            # Reverse pass: flip the vertex order so successors become predecessors.
            types_d.append(types.flip(1))
            adj_d.append(adj.flip(1, 2).transpose(1, 2))
        h = _propagate(passes, torch.stack(types_d), torch.stack(adj_d), mm)  # (D, B, H)
        hg = h[0] if len(passes) == 1 else mm.linear(self.hg_unify, torch.cat(h.unbind(0), -1))
        return self.fc1(hg), self.fc2(hg)


@dataclass(frozen=True)
class _Pass:
    """One direction's weights; ``reverse`` labels messages with the original vertex index."""

    cell: nn.GRUCell
    gate: nn.Linear
    mapper: nn.Linear
    reverse: bool


def _propagate(passes: list[_Pass], types: Tensor, adj: Tensor, mm: Products) -> Tensor:
    """Run each pass's GRU over vertices 0..N-1 of its graphs; the last vertex's states.

    ``types`` ``(D, B, N)`` and ``adj`` ``(D, B, N, N)`` hold each pass's (possibly flipped)
    graphs; returns ``(D, B, H)``. A reverse pass labels its messages with the original vertex
    index ``N - 1 - v`` (its graph was flipped).
    """
    _, b, n = types.shape
    hs = passes[0].cell.hidden_size
    project = mm.stacked([[(p.cell.weight_hh, None)] for p in passes], hs)
    msg = MessageFn([(p.gate, p.mapper) for p in passes], hs, mm)
    bias_hh = torch.stack([p.cell.bias_hh for p in passes]).unsqueeze(1)  # (D, 1, 3H)
    # Input gates W_i onehot(type) + b_i: a lookup in each pass's own weights.
    w_ih = torch.stack([p.cell.weight_ih.t() for p in passes])  # (D, T, 3H)
    b_ih = torch.stack([p.cell.bias_ih for p in passes]).unsqueeze(1)  # (D, 1, 3H)
    which = torch.arange(len(passes), device=types.device).unsqueeze(1)  # (D, 1)
    msgs: list[Tensor] = []
    h = adj.new_zeros((len(passes), b, hs))
    for v in range(n):
        gi = w_ih[which, types[:, :, v]] + b_ih  # (D, B, 3H)
        if v == 0:  # no predecessors: zero hidden input, so skip its projection
            h = gate_math(gi, torch.zeros_like(gi), h, bias_hh)
        else:
            stacked = torch.stack(msgs, dim=2)  # (D, B, v, H)
            hidden = (adj[:, :, :v, v].unsqueeze(2) @ stacked).squeeze(2)  # (D, B, H)
            h = gate_math(gi, project(hidden), hidden, bias_hh)
        if v < n - 1:
            msgs.append(msg(h, [n - 1 - v if p.reverse else v for p in passes]))
    return h

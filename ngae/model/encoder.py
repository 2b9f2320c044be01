"""The D-VAE graph encoder: asynchronous message passing over a DAG in topological order."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ngae.config import ModelConfig
from ngae.model.gated_messages import MessageFn
from ngae.model.gru import gru_combine, hidden_projection, input_gates
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
        return MessageFn(self.gate_forward, self.mapper_forward, self.cfg.hs, mm)

    def forward(self, types: Tensor, adj: Tensor, mm: Products = FP32) -> tuple[Tensor, Tensor]:
        """Encode ``types`` ``(B, N)`` and float ``adj`` ``(B, N, N)`` -> ``mu, logvar``.

        ``mm`` computes the matrix products of the message passing (:mod:`ngae.model.precision`);
        ``mu`` and ``logvar`` always come from fp32 products.
        """
        hg = _propagate(self.grue_forward, self.forward_messages(mm), types, adj, mm)
        if self.cfg.bidirectional:
            msg_b = MessageFn(self.gate_backward, self.mapper_backward, self.cfg.hs, mm)
            # Reverse pass: flip the vertex order so successors become predecessors.
            rev_types = types.flip(1)
            rev_adj = adj.flip(1, 2).transpose(1, 2)
            hb = _propagate(self.grue_backward, msg_b, rev_types, rev_adj, mm, reverse_ids=True)
            hg = mm.linear(self.hg_unify, torch.cat([hg, hb], dim=-1))
        return self.fc1(hg), self.fc2(hg)


def _propagate(
    cell: nn.GRUCell,
    msg: MessageFn,
    types: Tensor,
    adj: Tensor,
    mm: Products,
    reverse_ids: bool = False,
) -> Tensor:
    """Run the GRU over vertices 0..N-1; returns the last vertex's state ``(B, H)``.

    ``reverse_ids`` labels messages with the original vertex index ``N - 1 - v`` (the graph was
    flipped for the reverse pass).
    """
    b, n = types.shape
    hidden = types.new_zeros((b, cell.hidden_size), dtype=adj.dtype)
    gates = input_gates(cell, types).unbind(1)  # every vertex's (B, 3H) input gates at once
    msgs: list[Tensor] = []
    h = hidden
    for v in range(n):
        if v == 0:  # no predecessors: zero hidden input, so skip its projection
            h = gru_combine(cell, gates[0], torch.zeros_like(gates[0]), hidden)
        else:
            stacked = torch.stack(msgs, dim=1)  # (B, v, H)
            hidden = torch.bmm(adj[:, :v, v].unsqueeze(1), stacked).squeeze(1)  # (B, H)
            h = gru_combine(cell, gates[v], hidden_projection(cell, hidden, mm), hidden)
        if v < n - 1:
            msgs.append(msg(h, n - 1 - v if reverse_ids else v))
    return h

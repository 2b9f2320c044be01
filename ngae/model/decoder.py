"""The D-VAE graph decoder: vertex by vertex, type then edges (nearest earlier vertex first).

Teacher forcing (training) is restructured so the model stays identical but the work is batched:
every earlier vertex's message, GRU hidden projection and edge-MLP projection is computed once;
the new vertex's partial states (one after each edge decision) come from masked cumulative sums
of messages in one GRU evaluation per vertex; all edges and types are scored in one pass at the
end (README, "The model"; ``tests/model/test_vae.py`` compares it with a per-graph loop).
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ngae.config import ModelConfig
from ngae.model.edge_scores import low_edge_scores, pair_matrix
from ngae.model.gated_messages import MessageFn
from ngae.model.gru import gru_combine, gru_step, hidden_projection, input_gates
from ngae.model.products import FP32, Products

START_TYPE, END_TYPE, PAD = 0, 1, -1


@functools.cache
def edge_pairs(n: int, device: torch.device | None = None) -> tuple[Tensor, Tensor]:
    """Earlier and new vertex of every scored edge, in scoring order (v = 1.., nearest first).

    Cached per size and device and never written to: made once, so a step captured in a CUDA
    graph copies nothing from the host.
    """
    earlier = [v - 1 - k for v in range(1, n) for k in range(v)]
    new = [v for v in range(1, n) for _ in range(v)]
    return torch.tensor(earlier, device=device), torch.tensor(new, device=device)


class GraphDecoder(nn.Module):
    """Decode latent points to DAGs; the messages use the encoder's forward gate and mapper."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        h, t = cfg.hs, cfg.num_types
        self.cfg = cfg
        self.fc3 = nn.Linear(cfg.nz, h)
        self.grud = nn.GRUCell(t, h)
        self.add_vertex = nn.Sequential(nn.Linear(h, 2 * h), nn.ReLU(), nn.Linear(2 * h, t))
        # ModelConfig.vertex_count: row v is added to vertex v's state when the next type is
        # picked (the type network then knows how many vertices precede the new one).
        self.vertex_count = nn.Embedding(cfg.max_n, h) if cfg.vertex_count else None
        # ModelConfig.type_counts: how many vertices of each type precede the new one, mapped
        # to the state's size and added likewise.
        self.type_counts = nn.Linear(t, h, bias=False) if cfg.type_counts else None
        for extra in (self.vertex_count, self.type_counts):
            if extra is not None:
                nn.init.zeros_(extra.weight)  # starts as D-VAE's decoder
        self.add_edge = nn.Sequential(nn.Linear(2 * h, 4 * h), nn.ReLU(), nn.Linear(4 * h, 1))

    def _start(self, z: Tensor, mm: Products = FP32) -> Tensor:
        """State of the input vertex: a GRU step over ``tanh(fc3(z))``."""
        h0 = torch.tanh(self.fc3(z))
        return gru_step(self.grud, z.new_full((len(z),), START_TYPE, dtype=torch.long), h0, mm)

    def _edge_split(self) -> tuple[Tensor, Tensor]:
        """First edge layer split as ``W [h_u; h_new] = W_a h_u + W_b h_new``."""
        w = self.add_edge[0].weight
        return w[:, : self.cfg.hs].t(), w[:, self.cfg.hs :].t()

    def teacher_forced_nll(
        self, z: Tensor, types: Tensor, adj: Tensor, msg: MessageFn, mm: Products = FP32
    ) -> tuple[Tensor, Tensor]:
        """Summed NLL of the true vertex types and edges given ``z`` ``(B, nz)``.

        Args:
            z: latent points.
            types: ``(B, N)`` true vertex types.
            adj: ``(B, N, N)`` float true adjacency.
            msg: the encoder's forward message function.
            mm: the matrix products of the GRU, the messages and the first layers of the type
                and edge networks (:mod:`ngae.model.precision`).

        Returns:
            ``(type_nll, edge_nll)``, each summed over the batch.
        """
        n, hs = types.shape[1], self.cfg.hs
        h = self._start(z, mm)
        states = [h]
        # Each earlier vertex's message and its GRU projection side by side: (B, 4H).
        sent = [_with_projection(self.grud, msg(h, 0), mm)]
        partial: list[Tensor] = []
        gates = input_gates(self.grud, types).unbind(1)  # every vertex's (B, 3H) at once
        for v in range(1, n):
            gi = gates[v].unsqueeze(1)  # (B, 1, 3H)
            # Row k sums the messages of the k nearest earlier vertices that send an edge to v:
            # every partial sum (k = 0..v) of messages and projections in one product.
            take = _nearest(v, z.device) * adj[:, :v, v].unsqueeze(1)  # (B, v + 1, v)
            sums, psums = (take @ torch.stack(sent, 1)).split([hs, 3 * hs], dim=-1)
            hk = gru_combine(self.grud, gi, psums, sums)  # (B, v + 1, H): after k decisions
            before, h = hk.split([v, 1], dim=1)
            partial.append(before)
            h = h.squeeze(1)
            states.append(h)
            if v < n - 1:
                sent.append(_with_projection(self.grud, msg(h, v), mm))
        all_states = torch.stack(states, 1)  # (B, N, H)
        hidden_types = torch.relu(mm.linear(self.add_vertex[0], self.type_input(all_states, types)))
        logits = self.add_vertex[2](hidden_types)  # (B, N - 1, T)
        type_nll = F.cross_entropy(logits.flatten(0, 1), types[:, 1:].flatten(), reduction="sum")
        earlier, new = edge_pairs(n, z.device)
        edge_logits = self._edge_scores(all_states, torch.cat(partial, 1), types, adj, mm)
        target = adj[:, earlier, new]
        edge_nll = F.binary_cross_entropy_with_logits(edge_logits, target, reduction="sum")
        return type_nll, edge_nll

    def type_input(self, states: Tensor, types: Tensor) -> Tensor:
        """What the type network reads to pick vertex ``v + 1`` from the states of ``0..v``.

        ``states`` ``(B, V, H)`` are vertices ``0..V - 1`` of graphs with ``types`` ``(B, V)``
        (the last row is not used: it picks nothing); with ``vertex_count`` each row gets its
        position's vector, with ``type_counts`` the map of its graph's type counts so far.
        """
        before = states[:, :-1]
        if self.vertex_count is not None:
            before = before + self.vertex_count.weight[: before.shape[1]]
        if self.type_counts is not None:
            counts = type_onehot(types[:, :-1], self.cfg).cumsum(1).to(before.dtype)
            before = before + self.type_counts(counts)
        return before

    def _type_context(self, h: Tensor, v: int, counts: Tensor) -> Tensor:
        """:meth:`type_input` for one step of decoding.

        ``h``: vertex ``v - 1``'s state; ``counts`` ``(B, T)``: the types of vertices ``0..v - 1``.
        """
        if self.vertex_count is not None:
            h = h + self.vertex_count.weight[v - 1]
        if self.type_counts is not None:
            h = h + self.type_counts(counts.to(h.dtype))
        return h

    def _type_states(self) -> Tensor:
        """``GRU(type, 0)`` for every type ``(T, H)``: a new vertex's state before any edge."""
        all_types = torch.arange(self.cfg.num_types, device=self.fc3.weight.device)
        gi = input_gates(self.grud, all_types)
        return gru_combine(self.grud, gi, torch.zeros_like(gi), gi.new_zeros(len(gi), self.cfg.hs))

    def _edge_scores(
        self, states: Tensor, partial: Tensor, types: Tensor, adj: Tensor, mm: Products
    ) -> Tensor:
        """The edge network's logits ``(B, E)`` for every scored edge (scoring order)."""
        n = types.shape[1]
        if mm.precision == "bf16":
            return low_edge_scores(states[:, :-1], partial, _pairs(n, types.device), self.add_edge)
        earlier = edge_pairs(n, types.device)[0]
        proj_earlier, proj_new = self._edge_projections(states, partial, types, adj, mm)
        pre = proj_earlier[:, earlier] + proj_new  # (B, E, 4H)
        return self.add_edge[2](torch.relu(pre)).squeeze(-1)

    def _edge_projections(
        self, states: Tensor, partial: Tensor, types: Tensor, adj: Tensor, mm: Products
    ) -> tuple[Tensor, Tensor]:
        """The edge network's first layer, split: ``W_a h_u + b`` and ``W_b h_new`` per edge.

        Returns ``(B, N - 1, 4H)`` for the earlier vertices' final ``states`` and ``(B, E, 4H)``
        for the new vertex's ``partial`` states ``(B, E, H)`` (scoring order). The fp32 path (bf16
        has :func:`low_edge_scores`): on the CPU each distinct partial state is projected once
        (:meth:`_select_projections`); where shapes must be static (CUDA, a CUDA graph), every
        row is: a state unchanged by a step is the same row, so both give the same values.
        """
        layer = self.add_edge[0]
        if _all_rows(mm, partial):
            proj_earlier, proj_new = mm.halves(states[:, :-1], partial, layer.weight)
            return proj_earlier + layer.bias, proj_new
        changed = _changed_rows(types, adj)
        rows = torch.cat([self._type_states(), partial[changed]])  # (T + M, H)
        proj_earlier, proj_rows = mm.halves(states[:, :-1], rows, layer.weight)
        proj_new = _select_projections(proj_rows, changed, types)
        return proj_earlier + layer.bias, proj_new

    @torch.no_grad()
    def decode(
        self,
        z: Tensor,
        msg: MessageFn,
        stochastic: bool = True,
        generator: torch.Generator | None = None,
        static: bool = False,
    ) -> tuple[Tensor, Tensor]:
        """Decode ``z`` ``(B, nz)`` to ``types`` ``(B, N)`` (``-1`` after the end) and bool ``adj``.

        Follows D-VAE's ``decode``: the last vertex is forced to the output type; when the output
        type is chosen, it is connected to every vertex without out-edges and decoding stops.

        ``static`` updates every row at every edge step (keeping the old state where no edge
        was added) instead of selecting the rows that gained one, and samples types by inverting
        the cumulative probabilities of one uniform draw: no shape and no host decision depends
        on the data, so a GPU never waits and the whole decoding can be captured in a CUDA graph.
        Greedy decodings are the same either way; stochastic ones draw other samples of the
        same distribution.
        """
        b, n = len(z), self.cfg.max_n
        h = self._start(z)
        types = torch.full((b, n), PAD, dtype=torch.long, device=z.device)
        types[:, 0] = START_TYPE
        counts = type_onehot(types[:, 0], self.cfg)  # (B, T): types emitted so far
        adj = torch.zeros(b, n, n, dtype=torch.bool, device=z.device)
        finished = torch.zeros(b, dtype=torch.bool, device=z.device)
        w_a, w_b = self._edge_split()
        type_state = self._type_states()
        type_proj = type_state @ w_b
        states, msgs = [h], [msg(h, 0)]
        projs = [hidden_projection(self.grud, msgs[0])]
        earlier_proj = [h @ w_a + self.add_edge[0].bias]
        for v in range(1, n):
            last = self._type_context(states[-1], v, counts)
            new_type = self._pick_type(last, v == n - 1, stochastic, generator, static)
            new_type = torch.where(finished, PAD, new_type)
            types[:, v] = new_type
            counts = counts + type_onehot(new_type, self.cfg)
            is_end = new_type == END_TYPE
            loose = adj[:, :v, :].sum(-1) == 0  # (B, v) vertices without out-edges
            adj[:, :v, v] |= loose & is_end.unsqueeze(1)
            adding = ~finished & ~is_end
            kind = new_type.clamp(min=0)
            gi = input_gates(self.grud, kind)
            hidden, proj = torch.zeros_like(h), torch.zeros_like(projs[0])
            # Before any edge the state depends on the type alone: look it up.
            h, h_b = type_state[kind], type_proj[kind]
            for u in range(v - 1, -1, -1):
                logit = self.add_edge[2](torch.relu(earlier_proj[u] + h_b)).squeeze(-1)
                prob = torch.sigmoid(logit)
                if stochastic:
                    rand = torch.rand(b, device=z.device, generator=generator)
                    take = (rand < prob) & adding
                else:
                    take = (prob > 0.5) & adding
                adj[:, u, v] |= take
                if static:
                    added = take.unsqueeze(1)
                    hidden = hidden + added * msgs[u]
                    proj = proj + added * projs[u]
                    h_all = gru_combine(self.grud, gi, proj, hidden)
                    h, h_b = torch.where(added, h_all, h), torch.where(added, h_all @ w_b, h_b)
                    continue
                rows = take.nonzero().squeeze(1)
                if len(rows) == 0:
                    continue
                # Only graphs that gained an edge change state: recompute just those rows.
                hidden[rows] += msgs[u][rows]
                proj[rows] += projs[u][rows]
                h_rows = gru_combine(self.grud, gi[rows], proj[rows], hidden[rows])
                h, h_b = h.index_copy(0, rows, h_rows), h_b.index_copy(0, rows, h_rows @ w_b)
            finished |= is_end
            states.append(h)
            if v < n - 1:
                msgs.append(msg(h, v))
                projs.append(hidden_projection(self.grud, msgs[-1]))
                earlier_proj.append(h @ w_a + self.add_edge[0].bias)
        return types, adj

    def _pick_type(
        self,
        h: Tensor,
        last: bool,
        stochastic: bool,
        generator: torch.Generator | None,
        static: bool = False,
    ) -> Tensor:
        if last:
            return torch.full((len(h),), END_TYPE, dtype=torch.long, device=h.device)
        logits = self.add_vertex(h)
        if not stochastic:
            return logits.argmax(-1)
        probs = torch.softmax(logits, -1)
        if static:
            return sample_by_inversion(probs, generator)
        return torch.multinomial(probs, 1, generator=generator).squeeze(1)


def type_onehot(types: Tensor, cfg: ModelConfig) -> Tensor:
    """One-hot float rows of vertex ``types`` (any shape; padding, ``-1``, is all zeros)."""
    return F.one_hot(types.clamp(min=0), cfg.num_types).float() * (types >= 0).unsqueeze(-1)


def sample_by_inversion(probs: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """One category per row of ``probs`` ``(B, T)``, as ``torch.multinomial`` draws it.

    The first category whose cumulative probability exceeds a uniform draw: no data-dependent
    work, so it can run inside a captured CUDA graph.
    """
    draw = torch.rand(len(probs), 1, device=probs.device, generator=generator)
    below = (probs.cumsum(-1) <= draw * probs.sum(-1, keepdim=True)).sum(-1)
    return below.clamp(max=probs.shape[-1] - 1)


def _with_projection(cell: nn.GRUCell, message: Tensor, mm: Products) -> Tensor:
    """``[m; W_h m]`` ``(B, 4H)``: a message and its GRU hidden projection."""
    return torch.cat([message, hidden_projection(cell, message, mm)], dim=-1)


@functools.cache
def _pairs(n: int, device: torch.device) -> Tensor:
    """The scored edges' :func:`pair_matrix`, cached per size and device, never written to."""
    return pair_matrix(edge_pairs(n, device)[0], n - 1)


@functools.cache
def _nearest(v: int, device: torch.device) -> Tensor:
    """``(v + 1, v)``: row ``k`` marks the ``k`` earlier vertices nearest to ``v``, ``u >= v - k``.

    Cached per vertex and device, and never written to.
    """
    k = torch.arange(v + 1, device=device).unsqueeze(1)
    return (torch.arange(v, device=device) + k >= v).float()


def _all_rows(mm: Products, partial: Tensor) -> bool:
    """Project every partial state in fp32 where shapes must stay static (on CUDA)."""
    return partial.is_cuda


def _changed_rows(types: Tensor, adj: Tensor) -> Tensor:
    """``(B, E)``: whether each scored edge's new-vertex state is new (just after an added edge).

    Row (v, k >= 1) is a new state when the edge from v - k (scored at step k - 1) was added.
    """
    earlier, new = edge_pairs(types.shape[1], types.device)
    return adj[:, earlier + 1, new].bool() & (earlier != new - 1)


def _select_projections(proj_rows: Tensor, changed: Tensor, types: Tensor) -> Tensor:
    """Every scored edge's ``W_b h_new`` from the projections of the distinct states.

    A new vertex's state changes only when an edge is added: before the first added edge it is
    ``GRU(type, 0)``, which depends on the type alone (the first ``T`` of ``proj_rows``); after
    that it is the state right after the latest added edge (the ``changed`` rows, in order).
    """
    b, e = changed.shape
    n = types.shape[1]
    earlier, new = edge_pairs(n, types.device)
    first_step = earlier == new - 1
    num_types = len(proj_rows) - int(changed.sum())
    type_proj, proj_changed = proj_rows[:num_types], proj_rows[num_types:]
    from_type = type_proj[types[:, new]]  # (B, E, 4H)
    if len(proj_changed) == 0:
        return from_type
    count = changed.flatten().long().cumsum(0).view(b, e)
    before_group = (count - changed.long())[:, first_step].repeat_interleave(
        torch.arange(1, n, device=types.device), dim=1
    )
    has_edge = (count - before_group) > 0  # (B, E) an edge was added before this step
    from_changed = proj_changed[(count - 1).clamp(min=0)]
    return torch.where(has_edge.unsqueeze(-1), from_changed, from_type)

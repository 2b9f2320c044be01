"""NAS-Bench-Graph's canonical form of an architecture and its benchmark hash.

An architecture is ``links`` (``links[i]``: the input of computing node ``i + 1``, 0 the raw
input, so ``0 <= links[i] <= i``: 24 patterns) and four op indices. Many of them are one
network: node numbering is free within a topological order, and a ``skip`` node is the
identity. The benchmark keys its tables by ``Arch(links, ops).valid_hash()``
(``nas_bench_graph/architecture.py``, version 1.4.0), which

1. relabels the nodes so the links are one of the nine patterns of :data:`LINK_PATTERNS`
   (``regularize``),
2. moves each ``skip`` node that does not change the network to the front, as a branch from the
   raw input (``move_skip_op``),
3. sorts the ops of interchangeable nodes (``equalpart_sort``),
4. reads the result as a number: the pattern's index, then the op indices as base-10 digits
   (``hash_arch``).

This module does the same steps on plain tuples; a test checks it gives the package's
``valid_hash()`` on all 157,464 inputs. Every input maps to one of the 26,206 architectures the
tables hold, except the all-``skip`` one (hash 88888), which the benchmark leaves out.
"""

from __future__ import annotations

import functools

import numpy as np

OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
SKIP = OPS.index("skip")
NODES = 4
# The benchmark's ``link_list``: the nine link patterns every architecture is relabelled to.
LINK_PATTERNS = (
    (0, 0, 0, 0),
    (0, 0, 0, 1),
    (0, 0, 1, 1),
    (0, 0, 1, 2),
    (0, 0, 1, 3),
    (0, 1, 1, 1),
    (0, 1, 1, 2),
    (0, 1, 2, 2),
    (0, 1, 2, 3),
)
ALL_SKIP_HASH = 88888  # the identity network: not in the benchmark
HASH_BASE = 10  # one decimal digit per op (``hash_arch``: ``len(gnn_list) + 1``)
HASH_LIMIT = len(LINK_PATTERNS) * HASH_BASE**NODES  # every hash is below 90,000

# ``regularize``: each of the 15 other patterns -> (its pattern in LINK_PATTERNS, the nodes'
# new order: new_ops[i] = ops[order[i]]).
_RELABEL = {
    (0, 0, 0, 2): ((0, 0, 0, 1), (1, 0, 2, 3)),
    (0, 0, 0, 3): ((0, 0, 0, 1), (2, 0, 1, 3)),
    (0, 0, 1, 0): ((0, 0, 0, 1), (0, 1, 3, 2)),
    (0, 0, 2, 0): ((0, 0, 0, 1), (1, 0, 3, 2)),
    (0, 0, 2, 1): ((0, 0, 1, 2), (1, 0, 2, 3)),
    (0, 0, 2, 2): ((0, 0, 1, 1), (1, 0, 2, 3)),
    (0, 0, 2, 3): ((0, 0, 1, 3), (1, 0, 2, 3)),
    (0, 1, 0, 0): ((0, 0, 0, 1), (0, 2, 3, 1)),
    (0, 1, 0, 1): ((0, 0, 1, 1), (0, 2, 1, 3)),
    (0, 1, 0, 2): ((0, 0, 1, 3), (0, 2, 1, 3)),
    (0, 1, 0, 3): ((0, 0, 1, 2), (0, 2, 1, 3)),
    (0, 1, 1, 0): ((0, 0, 1, 1), (0, 3, 1, 2)),
    (0, 1, 1, 3): ((0, 1, 1, 2), (0, 2, 1, 3)),
    (0, 1, 2, 0): ((0, 0, 1, 3), (0, 3, 1, 2)),
    (0, 1, 2, 1): ((0, 1, 1, 2), (0, 1, 3, 2)),
}
# ``equalpart_sort``: per pattern, the nodes whose ops are interchangeable (leaves of one parent).
_INTERCHANGEABLE = {
    (0, 0, 0, 0): (0, 1, 2, 3),
    (0, 0, 0, 1): (1, 2),
    (0, 0, 1, 1): (2, 3),
    (0, 1, 1, 1): (1, 2, 3),
    (0, 1, 2, 2): (2, 3),
}
# All 24 input patterns in a fixed order (``raw_code``): links[i] in 0..i.
RAW_PATTERNS = tuple((0, a, b, c) for a in range(2) for b in range(3) for c in range(4))
RAW_INDEX = {p: k for k, p in enumerate(RAW_PATTERNS)}
OPS_CODES = len(OPS) ** NODES  # 6,561 op combinations


def _regularize(links: tuple[int, ...], ops: list[int]) -> tuple[list[int], list[int]]:
    if links in _RELABEL:
        links, order = _RELABEL[links]
        ops = [ops[k] for k in order]
    return list(links), ops


def _feeds_only_skips(k: int, links: list[int], ops: list[int]) -> bool:
    """Whether node ``k + 1`` and every node above it up to the input is a skip."""
    while k > -1:
        if ops[k] != SKIP:
            return False
        k = links[k] - 1
    return True


def _move_to_front(k: int, links: list[int], ops: list[int]) -> tuple[list[int], list[int]]:
    """Node ``k + 1`` becomes node 1 (a branch from the input); its children read its input."""
    ops = [ops[k], *ops[:k], *ops[k + 1 :]]
    for i, parent in enumerate(links):
        if parent == k + 1:
            links[i] = links[k]  # already shifted when k < i, as in the package
        if parent <= k:
            links[i] += 1
    return [0, *links[:k], *links[k + 1 :]], ops


def _move_skips(links: list[int], ops: list[int]) -> tuple[list[int], list[int]]:
    for i in range(NODES):
        if ops[i] != SKIP:
            continue
        child = any(parent == i + 1 for parent in links)
        sibling = any(j != i and parent == links[i] for j, parent in enumerate(links))
        if child or not sibling or _feeds_only_skips(i, links, ops):
            links, ops = _move_to_front(i, links, ops)
    if links == [0, 1, 2, 1]:
        links, ops = [0, 1, 1, 2], [ops[0], ops[1], ops[3], ops[2]]
    elif links == [0, 1, 1, 3]:
        links, ops = [0, 1, 1, 2], [ops[0], ops[2], ops[1], ops[3]]
    return links, ops


def _sort_interchangeable(links: tuple[int, ...], ops: list[int]) -> list[int]:
    if links == (0, 0, 1, 2):  # two chains input -> a -> c, input -> b -> d
        if (ops[0], ops[2]) > (ops[1], ops[3]):
            ops = [ops[1], ops[0], ops[3], ops[2]]
        return ops
    ids = _INTERCHANGEABLE.get(links, ())
    for pos, op in zip(ids, sorted(ops[i] for i in ids), strict=True):
        ops[pos] = op
    return ops


def canonical(links: tuple[int, ...], ops: tuple[int, ...]) -> tuple[tuple, tuple]:
    """The benchmark's canonical ``(links, ops)`` of any valid ``(links, ops)`` (op indices)."""
    lk, op = _regularize(tuple(links), list(ops))
    lk, op = _move_skips(lk, op)
    return tuple(lk), tuple(_sort_interchangeable(tuple(lk), op))


def bench_hash(links: tuple[int, ...], ops: tuple[int, ...]) -> int:
    """``Arch(links, ops).valid_hash()`` of the benchmark (op indices into :data:`OPS`)."""
    lk, op = canonical(links, ops)
    value = LINK_PATTERNS.index(lk)
    for o in op:
        value = value * HASH_BASE + o
    return value


def from_hash(value: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ``(links, ops)`` a hash spells (canonical when ``value`` is a benchmark hash)."""
    if not 0 <= value < HASH_LIMIT:
        raise ValueError(f"{value} is outside 0..{HASH_LIMIT - 1}")
    digits = [value // HASH_BASE ** (NODES - 1 - i) % HASH_BASE for i in range(NODES)]
    if max(digits) >= len(OPS):
        raise ValueError(f"{value} has a digit above {len(OPS) - 1} (no such op)")
    return LINK_PATTERNS[value // HASH_BASE**NODES], tuple(digits)


def raw_codes(links: np.ndarray, ops: np.ndarray) -> np.ndarray:
    """Index of each ``(links, ops)`` in :func:`hash_table`, ``(M,)`` from ``(M, 4)`` arrays.

    ``links[:, i]`` must be in ``0..i`` and ``ops`` in ``0..8``.
    """
    pattern = (links[:, 1] * 3 + links[:, 2]) * 4 + links[:, 3]  # RAW_PATTERNS order
    code = np.zeros(len(ops), dtype=np.int64)
    for i in range(NODES):
        code = code * len(OPS) + ops[:, i]
    return pattern * OPS_CODES + code


@functools.lru_cache(maxsize=1)
def hash_table() -> np.ndarray:
    """The benchmark hash of every ``(links, ops)``, ``(24 * 6561,)`` int32, by :func:`raw_codes`.

    Built once (about a second): lets a batch of decoded graphs be keyed without a loop.
    """
    table = np.empty(len(RAW_PATTERNS) * OPS_CODES, dtype=np.int32)
    all_ops = np.stack(np.unravel_index(np.arange(OPS_CODES), (len(OPS),) * NODES), 1)
    op_tuples = [tuple(int(o) for o in row) for row in all_ops]
    for k, links in enumerate(RAW_PATTERNS):
        table[k * OPS_CODES : (k + 1) * OPS_CODES] = [bench_hash(links, o) for o in op_tuples]
    return table


@functools.lru_cache(maxsize=1)
def all_hashes() -> np.ndarray:
    """The 26,206 benchmark hashes (every architecture but the all-skip one), ascending."""
    hashes = np.unique(hash_table())
    return hashes[hashes != ALL_SKIP_HASH].astype(np.int64)

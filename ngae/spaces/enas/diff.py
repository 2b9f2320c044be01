"""What changed between two ENAS cells: ops per layer, skips added and removed."""

from __future__ import annotations

from dataclasses import dataclass

from ngae.spaces.enas.arch import OP_NAMES, Arch


@dataclass(frozen=True)
class CellDiff:
    """From cell ``a`` to cell ``b``.

    ``ops``: ``(layer, op in a, op in b)`` (layers from 1); skips ``(from node, into layer)``
    only in ``b`` (``added``) or only in ``a`` (``removed``).
    """

    ops: tuple[tuple[int, int, int], ...]
    added: tuple[tuple[int, int], ...]
    removed: tuple[tuple[int, int], ...]

    @property
    def same(self) -> bool:
        """Whether the two cells are one architecture."""
        return not (self.ops or self.added or self.removed)

    def text(self) -> str:
        """``layer 3: conv3x3 -> sep-conv5x5; +skip 0>4; -skip 1>3`` (or ``no change``)."""
        parts = [f"layer {k}: {OP_NAMES[a]} -> {OP_NAMES[b]}" for k, a, b in self.ops]
        parts += [f"+skip {u}>{v}" for u, v in self.added]
        parts += [f"-skip {u}>{v}" for u, v in self.removed]
        return "; ".join(parts) or "no change"


def skip_set(arch: Arch) -> set[tuple[int, int]]:
    """The cell's skips as ``(from node, into layer)``, layers from 1 (node 0: the input)."""
    return {(j, i + 1) for i, row in enumerate(arch.skips) for j, bit in enumerate(row) if bit}


def cell_diff(a: Arch | str, b: Arch | str) -> CellDiff:
    """The difference from ``a`` to ``b`` (cells with the same number of layers)."""
    a = Arch.from_string(a) if isinstance(a, str) else a
    b = Arch.from_string(b) if isinstance(b, str) else b
    if a.num_layers != b.num_layers:
        raise ValueError(f"cells of {a.num_layers} and {b.num_layers} layers cannot be compared")
    ops = tuple((k + 1, x, y) for k, (x, y) in enumerate(zip(a.ops, b.ops, strict=True)) if x != y)
    sa, sb = skip_set(a), skip_set(b)
    return CellDiff(
        ops, tuple(sorted(sb - sa, key=_by_layer)), tuple(sorted(sa - sb, key=_by_layer))
    )


def _by_layer(skip: tuple[int, int]) -> tuple[int, int]:
    return skip[1], skip[0]

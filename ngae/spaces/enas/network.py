"""The fixed-architecture ENAS macro network for CIFAR-10 (ENAS ``GeneralChild`` with a fixed arc).

Pham et al., "Efficient Neural Architecture Search via Parameter Sharing" (ICML 2018), macro
search space. Layer ``i`` reads the previous stored output, applies ``arch.ops[i]``, concatenates
the stored outputs its skip bits select with the op output, and mixes them with a 1x1 conv. After
the layers in :func:`ngae.complexity.reduction_layers` the filters double and every stored output
is halved in resolution by a factorised reduction. :func:`ngae.complexity.param_count` is the
closed form of ``sum(p.numel() for p in EnasNet(...).parameters())``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import KERNEL_SIZE, NUM_CLASSES, reduction_layers


def conv_branch(c: int, k: int, separable: bool) -> nn.Sequential:
    """ENAS conv op: ReLU, 1x1 conv, BN, ReLU, kxk conv (or depthwise kxk + pointwise), BN."""
    if separable:
        kxk = [
            nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
        ]
    else:
        kxk = [nn.Conv2d(c, c, k, padding=k // 2, bias=False)]
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(c, c, 1, bias=False),
        nn.BatchNorm2d(c),
        nn.ReLU(),
        *kxk,
        nn.BatchNorm2d(c),
    )


def make_op(op: int, c: int, separable: bool = False) -> nn.Module:
    """The module for op id ``op`` at ``c`` channels; ``(N, c, H, W) -> (N, c, H, W)``."""
    if op in KERNEL_SIZE:
        return conv_branch(c, KERNEL_SIZE[op], separable and op in (1, 3))
    if op == 4:
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    if op == 5:
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown op {op}")


class FactorizedReduction(nn.Module):
    """ENAS factorised reduction: ``(N, C_in, H, W) -> (N, C_out, H/2, W/2)``.

    Two strided 1x1 convs, one on the pixel grid and one on the grid shifted by one pixel.
    """

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.path1 = nn.Conv2d(c_in, c_out // 2, 1, bias=False)
        self.path2 = nn.Conv2d(c_in, c_out - c_out // 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply path 1 on even pixels, path 2 on the one-pixel-shifted grid, concat, BN."""
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]  # (N, C_in, H, W), shifted up-left
        p1 = self.path1(x[:, :, ::2, ::2])  # (N, C_out/2, H/2, W/2)
        p2 = self.path2(shifted[:, :, ::2, ::2])  # (N, C_out/2, H/2, W/2)
        return self.bn(torch.cat([p1, p2], dim=1))


class EnasLayer(nn.Module):
    """One macro layer: the op on the previous output, then the skip-concat 1x1 conv (if i > 0)."""

    def __init__(
        self, index: int, op: int, skips: tuple[int, ...], c: int, separable: bool
    ) -> None:
        super().__init__()
        self.skip_from = tuple(j for j, bit in enumerate(skips) if bit)
        self.op = make_op(op, c, separable)
        self.join: nn.Sequential | None = None
        if index > 0:
            width = (len(self.skip_from) + 1) * c
            self.join = nn.Sequential(
                nn.ReLU(), nn.Conv2d(width, c, 1, bias=False), nn.BatchNorm2d(c)
            )

    def forward(self, stored: list[torch.Tensor]) -> torch.Tensor:
        """``stored`` holds the stem and earlier layer outputs, each ``(N, c, H, W)``."""
        out = self.op(stored[-1])  # (N, c, H, W)
        if self.join is None:
            return out
        return self.join(torch.cat([stored[j] for j in self.skip_from] + [out], dim=1))


class EnasNet(nn.Module):
    """The ENAS macro child network for one architecture; ``(N, 3, 32, 32) -> (N, 10)`` logits.

    Args:
        arch: the architecture (ops and skip rows).
        filters: stem filters ``F``; they double after each reduction layer.
        separable: build ops 1 and 3 as true depthwise-separable convs instead of ENAS's plain
            kxk convs (the ENAS fixed-arc code path builds plain convs).
        dropout: drop probability before the classifier (ENAS's ``1 - keep_prob``).
    """

    def __init__(
        self, arch: Arch, filters: int = 96, separable: bool = False, dropout: float = 0.5
    ) -> None:
        super().__init__()
        c = filters
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        self.layers = nn.ModuleList()
        self.reductions = nn.ModuleDict()
        reductions = reduction_layers(arch.num_layers)
        for i, (op, row) in enumerate(zip(arch.ops, arch.skips, strict=True)):
            self.layers.append(EnasLayer(i, op, row, c, separable))
            if i in reductions:
                self.reductions[str(i)] = nn.ModuleList(
                    FactorizedReduction(c, 2 * c)
                    for _ in range(i + 2)  # stem + i + 1 layers
                )
                c *= 2
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(c, NUM_CLASSES, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 10)`` for images ``(N, 3, 32, 32)``."""
        stored = [self.stem(x)]  # [(N, F, 32, 32)]
        for i, layer in enumerate(self.layers):
            stored.append(layer(stored))
            if str(i) in self.reductions:
                reduce = self.reductions[str(i)]
                stored = [r(h) for r, h in zip(reduce, stored, strict=True)]  # (N, 2c, H/2, W/2)
        pooled = stored[-1].mean(dim=(2, 3))  # (N, C)
        return self.classifier(self.dropout(pooled))  # (N, 10)


def num_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

"""Train a found architecture from scratch on CIFAR-10 and record its test accuracy.

The recipe follows ENAS's fixed-arc training (Pham et al., 2018): SGD with Nesterov momentum,
l2 weight decay 2e-4, cosine learning rate down to ``lr_min``, gradient norm clipping at 5, random
32x32 crops of the 4-pixel zero-padded image and horizontal flips, per-channel normalisation. The
whole data set lives on the device as uint8 and is augmented there in batches, so no data loader
workers are needed.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from tqdm import tqdm

from ngae.errors import UserInputError
from ngae.files import atomic_write_bytes
from ngae.model.device import resolve_device
from ngae.retrain.cifar10 import Cifar10, load_cifar10
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.network import EnasNet, num_parameters

RESULTS_DIR = Path("scratch_results")
CROP_PADDING = 4
Pair = tuple[torch.Tensor, torch.Tensor]


@dataclass
class ScratchConfig:
    """Settings for training one architecture from scratch (stored in every result file).

    ``amp`` runs the forward pass in bf16 autocast on CUDA (ignored on the CPU); ``grad_clip`` is
    ENAS's global gradient-norm bound (``None`` disables it); ``max_train``/``max_test`` keep
    only the first images of each split, for quick runs.
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 0.05
    lr_min: float = 0.001
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 2e-4
    grad_clip: float | None = 5.0
    filters: int = 96
    dropout: float = 0.5
    separable: bool = False
    device: str = "auto"
    amp: bool = True
    seed: int = 0
    max_train: int | None = None
    max_test: int | None = None

    def validate(self) -> None:
        """Raise :class:`UserInputError` naming the first out-of-range setting."""
        checks = (
            (self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}"),
            (self.batch_size >= 1, f"batch size must be >= 1, got {self.batch_size}"),
            (self.lr > 0, f"lr must be > 0, got {self.lr}"),
            (0 <= self.lr_min <= self.lr, f"lr_min must be in [0, lr], got {self.lr_min}"),
            (0 <= self.momentum < 1, f"momentum must be in [0, 1), got {self.momentum}"),
            (self.weight_decay >= 0, f"weight decay must be >= 0, got {self.weight_decay}"),
            (self.grad_clip is None or self.grad_clip > 0, "grad_clip must be > 0 or None"),
            (self.filters >= 1, f"filters must be >= 1, got {self.filters}"),
            (0 <= self.dropout < 1, f"dropout must be in [0, 1), got {self.dropout}"),
            (self.max_train is None or self.max_train >= 1, "max_train must be >= 1"),
            (self.max_test is None or self.max_test >= 1, "max_test must be >= 1"),
        )
        for ok, message in checks:
            if not ok:
                raise UserInputError(message)


def channel_stats(x: np.ndarray, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std ``(3,)`` of uint8 images ``(n, 3, H, W)`` scaled to [0, 1]."""
    total, squares = np.zeros(3), np.zeros(3)
    for start in range(0, len(x), chunk):
        part = x[start : start + chunk].astype(np.float64) / 255.0  # (chunk, 3, H, W)
        total += part.sum(axis=(0, 2, 3))
        squares += np.square(part).sum(axis=(0, 2, 3))
    count = x.shape[0] * x.shape[2] * x.shape[3]
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
    return mean, np.maximum(std, 1.0 / 255.0)


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random 32x32 crops of the zero-padded batch and random horizontal flips, vectorised.

    Args:
        x: ``(N, C, H, W)`` normalised images.
        generator: random source on ``x``'s device.

    Returns:
        ``(N, C, H, W)`` augmented images.
    """
    n, _, h, w = x.shape
    p = CROP_PADDING
    padded = F.pad(x, (p, p, p, p))  # (N, C, H + 2p, W + 2p)
    dy = torch.randint(0, 2 * p + 1, (n, 1), device=x.device, generator=generator)
    dx = torch.randint(0, 2 * p + 1, (n, 1), device=x.device, generator=generator)
    rows = dy + torch.arange(h, device=x.device)  # (N, H)
    cols = dx + torch.arange(w, device=x.device)  # (N, W)
    batch = torch.arange(n, device=x.device)[:, None, None]
    crops = padded[batch, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)  # (N,C,H,W)
    flip = torch.rand(n, device=x.device, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], crops.flip(3), crops)


def normalise(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """uint8 images ``(N, 3, H, W)`` to float, per-channel standardised."""
    return (x.float() / 255.0 - mean[:, None, None]) / std[:, None, None]


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    stats: Pair,
    batch_size: int = 256,
    amp: bool = False,
) -> float:
    """Top-1 accuracy on uint8 images ``x`` ``(n, 3, 32, 32)`` with labels ``y`` ``(n,)``.

    ``stats`` is the per-channel ``(mean, std)`` of the training set, each ``(3,)``.
    """
    model.eval()
    correct = torch.zeros((), device=x.device)
    for start in range(0, len(y), batch_size):
        with _autocast(x.device, amp):
            logits = model(normalise(x[start : start + batch_size], *stats))  # (b, 10)
        correct += (logits.argmax(1) == y[start : start + batch_size]).sum()
    return float(correct.item()) / len(y)


def train_from_scratch(
    arch: Arch,
    data: Cifar10 | str | Path,
    config: ScratchConfig,
    out: Path | None = None,
    progress: bool = True,
) -> dict:
    """Train ``arch`` for ``config.epochs`` on CIFAR-10, test it, and write the result JSON.

    Args:
        arch: the architecture to build with :class:`ngae.enas_net.EnasNet`.
        data: loaded CIFAR-10 or its directory (see :func:`ngae.cifar.load_cifar10`).
        config: training settings; ``max_train``/``max_test`` cut the data.
        out: result file, written atomically; ``None`` writes nothing.
        progress: show a tqdm bar per epoch on stderr.

    Returns:
        ``{"arch", "params", "test_acc", "train_loss_history", "epochs", "seconds", "device",
        "num_train", "num_test", "config"}``.
    """
    config.validate()
    device = resolve_device(config.device)
    if device.type == "cpu":
        print("warning: training on the CPU is slow; use a CUDA device", file=sys.stderr)
    else:
        torch.backends.cudnn.benchmark = True  # fixed input shapes: let cuDNN pick kernels
    if not isinstance(data, Cifar10):
        data = load_cifar10(data, config.max_train, config.max_test)
    start_time = time.perf_counter()
    train, test, stats = _tensors(data, config, device)
    torch.manual_seed(config.seed)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    model = EnasNet(arch, config.filters, config.separable, config.dropout).to(device)
    steps = math.ceil(len(train[1]) / config.batch_size)
    optim = _optimizer(model, config, total_steps=config.epochs * steps)
    history = []
    for epoch in range(config.epochs):
        desc = f"epoch {epoch + 1}/{config.epochs}"
        with tqdm(total=steps, desc=desc, unit="batch", disable=not progress) as bar:
            loss = _train_epoch(model, optim, train, stats, config, generator, bar)
            bar.set_postfix(loss=f"{loss:.4f}")
        history.append(loss)
    result = {
        "arch": arch.to_string(),
        "params": num_parameters(model),
        "test_acc": evaluate(model, *test, stats, 2 * config.batch_size, config.amp),
        "train_loss_history": history,
        "epochs": config.epochs,
        "seconds": time.perf_counter() - start_time,
        "device": str(device),
        "num_train": len(train[1]),
        "num_test": len(test[1]),
        "config": asdict(config),
    }
    if out is not None:
        write_json_atomic(out, result)
    return result


def _tensors(data: Cifar10, config: ScratchConfig, device: torch.device) -> tuple[Pair, Pair, Pair]:
    """Data on ``device``: train and test pairs, and the training per-channel ``(mean, std)``.

    Each pair is uint8 images ``(n, 3, 32, 32)`` and int64 labels ``(n,)``; mean and std ``(3,)``.
    """
    tx, ty = data.train_x[: config.max_train], data.train_y[: config.max_train]
    vx, vy = data.test_x[: config.max_test], data.test_y[: config.max_test]
    mean, std = channel_stats(tx)
    return (
        (torch.from_numpy(tx).to(device), torch.from_numpy(ty).to(device)),
        (torch.from_numpy(vx).to(device), torch.from_numpy(vy).to(device)),
        (torch.tensor(mean, device=device).float(), torch.tensor(std, device=device).float()),
    )


def _optimizer(
    model: torch.nn.Module, config: ScratchConfig, total_steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """SGD with (Nesterov) momentum and l2 decay, cosine-annealed per step to ``lr_min``."""
    optimizer = torch.optim.SGD(
        model.parameters(),
        lr=config.lr,
        momentum=config.momentum,
        nesterov=config.nesterov and config.momentum > 0,
        weight_decay=config.weight_decay,
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=total_steps, eta_min=config.lr_min
    )
    return optimizer, schedule


def _train_epoch(
    model: torch.nn.Module,
    optim: tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler],
    data: Pair,
    stats: Pair,
    config: ScratchConfig,
    generator: torch.Generator,
    bar: tqdm,
) -> float:
    """One pass over the shuffled training data ``data``; returns the mean training loss."""
    model.train()
    (optimizer, schedule), (x, y) = optim, data
    order = torch.randperm(len(y), device=y.device, generator=generator)
    total = torch.zeros((), device=y.device)
    for step, start in enumerate(range(0, len(y), config.batch_size)):
        idx = order[start : start + config.batch_size]
        images = augment(normalise(x[idx], *stats), generator)  # (b, 3, 32, 32)
        with _autocast(y.device, config.amp):
            logits = model(images)  # (b, 10)
        loss = F.cross_entropy(logits.float(), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        schedule.step()
        total += loss.detach() * len(idx)
        bar.update()
        if step % 25 == 0:
            bar.set_postfix(loss=f"{loss.item():.4f}")
    return float(total.item()) / len(y)


def _autocast(device: torch.device, amp: bool) -> torch.autocast:
    """bf16 autocast on CUDA when ``amp`` is set; a no-op on the CPU."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp and device.type == "cuda")


def default_result_path(arch: Arch, directory: Path = RESULTS_DIR) -> Path:
    """``scratch_results/<arch with underscores>.json``."""
    return Path(directory) / f"{arch.to_string().replace(' ', '_')}.json"


def write_json_atomic(path: str | Path, obj: object) -> None:
    """Write ``obj`` as JSON atomically (temporary file in the same folder, then rename)."""
    text = json.dumps(obj, indent=2) + "\n"
    atomic_write_bytes(Path(path), lambda f: f.write(text.encode("utf-8")))

"""Typed configurations, stored inside checkpoints as plain dicts (``dataclasses.asdict``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ModelConfig:
    """Shape and loss of the graph VAE (defaults: the seed's NGAE configuration).

    Attributes:
        num_types: vertex types, including input (0) and output (1).
        max_n: vertices per graph.
        hs: hidden state size.
        nz: latent size.
        bidirectional: add a reverse message pass to the encoder.
        predictors: NGAE (True: accuracy and complexity heads) or plain D-VAE (False).
        beta: KL weight.
        eps_scale: reparameterisation noise scale in training (D-VAE uses 0.01).
        perf_weight: weight of the accuracy head's summed squared error.
        cmplx_weight: weight of the complexity head's summed squared error.
        cmplx_target: ``params`` (exact count, log-scaled) or ``proxy`` (NGAE's proxy).
        cmplx_lo: the complexity scale's low end (log-count for ``params``), whole data set.
        cmplx_hi: the complexity scale's high end.
        perf_lo: the performance target that the head's output 0 stands for.
        perf_hi: the target that output 1 stands for (0 and 1: accuracies as they are; a
            score such as BIC is mapped into the head's range, see ``with_data_scale``).
        vertex_count: the decoder's type network also sees how many vertices it has emitted
            (a learned vector per position added to the last vertex's state). D-VAE's does
            not: two sibling vertices with the same parent and type get the same state there,
            so it cannot tell one such vertex from two (off: the published model).
        type_counts: the type network also sees how many vertices of each type the graph has
            so far (a learned linear map of the counts, added likewise): a space whose objects
            hold each type at most once (Asia's variables) can then avoid repeats (off).
    """

    num_types: int = 8
    max_n: int = 8
    hs: int = 501
    nz: int = 56
    bidirectional: bool = True
    predictors: bool = True
    beta: float = 0.005
    eps_scale: float = 0.01
    perf_weight: float = 1.0
    cmplx_weight: float = 1.0
    cmplx_target: str = "params"
    cmplx_lo: float = 0.0
    cmplx_hi: float = 1.0
    perf_lo: float = 0.0
    perf_hi: float = 1.0
    vertex_count: bool = False
    type_counts: bool = False


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (defaults: the seed's)."""

    data: str = "data/final_structures6.txt"
    epochs: int = 300
    batch_size: int = 32
    lr: float = 1e-4
    lr_factor: float = 0.1
    lr_patience: int = 10
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    precision: str = "auto"  # auto | fp32 | bf16 (ngae.model.precision)
    cuda_graph: bool = False  # replay each full batch's step from a CUDA graph (ngae.training.step)
    save_interval: int = 100
    eval_interval: int = 5
    max_train: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def to_dict(config: Any) -> dict[str, Any]:
    """A dataclass as a plain dict (safe for ``torch.load(weights_only=True)``)."""
    return dataclasses.asdict(config)


def from_dict(cls: type[T], values: dict[str, Any]) -> T:
    """Rebuild a config, ignoring unknown keys so older checkpoints keep loading."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in values.items() if k in names})

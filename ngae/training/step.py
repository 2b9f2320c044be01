"""One training step, eager or captured once in a CUDA graph and replayed.

On a GPU a batch-32 step of the seed model is ~50 ms of Python and kernel launches, not
arithmetic. Its shapes are static (8 vertices; the dense decoder path on CUDA has no
data-dependent shapes), so the whole step -- forward, backward and a capturable fused Adam --
can be captured once and replayed: every full batch is copied into the graph's input buffers,
the graph runs, and the loss parts are read from its output buffers. A last, smaller batch runs
eagerly on the same parameters and optimiser, so the training is the same as without a graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

WARMUP_STEPS = 3  # CUDA graphs need a few eager steps on a side stream before capture


def train_step(trainer: torch.nn.Module, optimizer: torch.optim.Optimizer, batch) -> dict:
    """Forward, backward and an optimiser step; returns the loss parts (tensors)."""
    parts = trainer(*batch)
    optimizer.zero_grad(set_to_none=True)
    parts["loss"].backward()
    optimizer.step()
    return parts


class GraphedStep:
    """A training step for batches of one size, captured in a CUDA graph (``capture``).

    Warm-up steps run before capture; the parameters, the optimiser state and the random
    generators are put back afterwards, so capturing does not train. With ``capture=False``
    (any device) the same buffers and warm-up logic run eagerly: the CPU test of this class.
    """

    def __init__(
        self,
        trainer: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        example: Sequence[Tensor],
        capture: bool = True,
    ) -> None:
        self.trainer, self.optimizer, self.capture = trainer, optimizer, capture
        self.inputs = [t.clone() for t in example]
        self.batch_size = len(example[0])
        self.graph: torch.cuda.CUDAGraph | None = None
        saved = _snapshot(trainer, optimizer)
        self._warm_up()
        _restore(trainer, optimizer, saved)
        if capture:
            self.graph = torch.cuda.CUDAGraph()
            optimizer.zero_grad(set_to_none=True)
            with torch.cuda.graph(self.graph):
                self.outputs = train_step(trainer, optimizer, self.inputs)

    def _warm_up(self) -> None:
        if not self.capture:
            train_step(self.trainer, self.optimizer, self.inputs)
            return
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                train_step(self.trainer, self.optimizer, self.inputs)
        torch.cuda.current_stream().wait_stream(side)

    def __call__(self, batch: Sequence[Tensor]) -> dict:
        """One step on ``batch`` (of :attr:`batch_size` graphs); returns the loss parts."""
        for buffer, value in zip(self.inputs, batch, strict=True):
            buffer.copy_(value)
        if self.graph is None:
            return train_step(self.trainer, self.optimizer, self.inputs)
        self.graph.replay()
        return self.outputs


def _snapshot(trainer: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """Copies of the parameters, the optimiser state and the random generators' states."""
    return {
        "params": [p.detach().clone() for p in trainer.parameters()],
        "state": {
            id(p): {k: v.clone() if isinstance(v, Tensor) else v for k, v in s.items()}
            for p, s in optimizer.state.items()
        },
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def _restore(trainer: torch.nn.Module, optimizer: torch.optim.Optimizer, saved: dict) -> None:
    """Put back a :func:`_snapshot` in place (a captured graph keeps the same memory)."""
    with torch.no_grad():
        for p, value in zip(trainer.parameters(), saved["params"], strict=True):
            p.copy_(value)
        for p, state in optimizer.state.items():
            before = saved["state"].get(id(p))
            for key, value in state.items():
                if not isinstance(value, Tensor):
                    continue
                if before is None:
                    value.zero_()  # no state before the warm-up: Adam's fresh state is zeros
                else:
                    value.copy_(before[key])
    optimizer.zero_grad(set_to_none=True)
    torch.set_rng_state(saved["rng"])
    if saved["cuda_rng"] is not None:
        torch.cuda.set_rng_state_all(saved["cuda_rng"])

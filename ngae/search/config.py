"""Search settings: one validated dataclass, the start strategies and default step sizes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ngae.errors import UserInputError

STRATEGIES = ("optimal", "predicted", "random")
# Step sizes tuned on the shipped model (README, "Search"). The seed used sgd 1000 from the
# best architectures: with these predictors that leaves the data manifold in one step.
DEFAULT_LR = {"adam": 0.01, "sgd": 1.0}  # the same for every start strategy
CONSTRAINT_WEIGHT = 50.0
MAX_STARTS = 200


@dataclass(frozen=True)
class SearchConfig:
    """Search settings (defaults: the seed's ``--search-samples 10``, 100 steps)."""

    optimizer: str = "adam"
    strategy: str = "predicted"
    samples: int = 10
    steps: int = 100
    lr: float | None = None
    lambda_cmplx: float = 20.0  # in the unit of ascent.lambda_unit (README, "Search")
    max_params: float | None = None
    decodes: int = 50
    seed: int = 0
    trust_radius: float = 3.0
    project_every: int = 10
    starts: tuple[int, ...] = ()  # data-set indices to start from (e.g. a map selection)

    def learning_rate(self) -> float:
        """The given learning rate, or the default for the optimizer."""
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    def validate(self) -> SearchConfig:
        """Raise :class:`UserInputError` for settings that cannot work; return self."""
        if self.optimizer not in DEFAULT_LR:
            raise UserInputError(f"optimizer must be sgd or adam, not {self.optimizer!r}")
        if self.strategy not in STRATEGIES:
            raise UserInputError(
                f"strategy must be one of {', '.join(STRATEGIES)}, not {self.strategy!r}"
            )
        _check_int("samples", self.samples, 1, 1000)
        if self.starts:
            if len(self.starts) != self.samples or len(self.starts) > MAX_STARTS:
                raise UserInputError(
                    f"give 1 to {MAX_STARTS} start indices, one per sample "
                    f"({len(self.starts)} starts for {self.samples} samples)"
                )
            if any(not isinstance(i, int) or i < 0 for i in self.starts):
                raise UserInputError("start indices are data-set rows: whole numbers from 0")
        _check_int("steps", self.steps, 0, 10000)
        _check_int("decodes", self.decodes, 1, 1000)
        _check_int("project-every", self.project_every, 0, 10000)
        _check_float("lr", self.learning_rate(), 0.0, 1e6, low_open=True)
        _check_float("lambda-cmplx", self.lambda_cmplx, 0.0, 1e3)
        _check_float("trust-radius", self.trust_radius, 0.0, 100.0)
        if self.max_params is not None:
            _check_float("max-params", self.max_params, 1.0, 1e12)
        return self


def _check_int(name: str, value: int, lo: int, hi: int) -> None:
    if not isinstance(value, int) or not lo <= value <= hi:
        raise UserInputError(f"{name} must be an integer in {lo}..{hi}, got {value}")


def _check_float(name: str, value: float, lo: float, hi: float, low_open: bool = False) -> None:
    ok = isinstance(value, int | float) and math.isfinite(value) and value <= hi
    ok = ok and (value > lo if low_open else value >= lo)
    if not ok:
        bound = f"({_num(lo)}, {_num(hi)}]" if low_open else f"[{_num(lo)}, {_num(hi)}]"
        raise UserInputError(f"{name} must be a finite number in {bound}, got {_num(value)}")


def _num(value: float) -> str:
    """``1,000,000`` for whole numbers, ``0.01`` otherwise (for messages)."""
    if isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:g}" if isinstance(value, int | float) else repr(value)

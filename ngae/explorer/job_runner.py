"""``python -m ngae.explorer.job_runner DB ID``: the process that runs one training job."""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ngae.config import ModelConfig, TrainConfig
from ngae.explorer.jobs import JobManager, TrainRequest
from ngae.explorer.wording import duration, plural
from ngae.model.checkpoint import checkpoint_data_path, checkpoint_dir, load_checkpoint
from ngae.model.graph_tensors import GraphTensors
from ngae.model.precision import PrecisionChoice
from ngae.model.vae import NGAE
from ngae.spaces.registry import SPACES
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint
from ngae.training.fit import fit, quick_metrics

# A job's live curves use the first test graphs only, and its closing quick evaluation decodes
# each test graph twice (3,804 decodes: still a tight estimate near 100%) and rescales the prior
# from a subset of the training codes: seconds instead of a minute for the shipped model on one
# thread. The Model page's full evaluation (D-VAE's protocol) uses everything.
CURVE_TEST_GRAPHS = 500
QUICK_EVAL = EvalSettings(
    recon_decodes=2,
    prior_samples=200,
    prior_decodes=5,
    device="cpu",
    prior_stats_graphs=2000,
)


def _curve_metrics(model: NGAE, test: GraphTensors) -> dict[str, float]:
    return quick_metrics(model, test.head(CURVE_TEST_GRAPHS))


class ProgressReporter:
    """Writes a job's progress into its row: after each epoch, and within one at intervals.

    Within an epoch it reports at most every ``interval`` seconds of ``clock`` (injectable, so
    tests need no real waiting).

    Progress is ``(epochs done + share of this epoch's graphs) / epochs``; the message names
    the epoch, the graphs done and the time, e.g. ``epoch 3 of 10: 640 of 1,712 graphs ·
    42 s so far, about 1 min 40 s left`` (the estimate extrapolates the progress so far).
    """

    def __init__(
        self,
        update: Callable[..., None],
        epochs: int,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.update, self.epochs, self.interval, self.clock = update, epochs, interval, clock
        self.history: list[dict] = []
        self.epochs_done = 0
        self._last = -math.inf
        self._start: float | None = None
        self._precision = ""

    def on_precision(self, choice: PrecisionChoice) -> None:
        """The run's precision: said at once, then named at the end of every message."""
        self._precision = f" · {choice.name}"
        self.update(message=f"starting; precision {choice.reason}")

    def on_batch(self, done: int, total: int) -> None:
        """After each batch: ``done`` of the epoch's ``total`` graphs are trained."""
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        progress = (self.epochs_done + done / total) / self.epochs
        self.update(
            progress=progress,
            message=f"epoch {self.epochs_done + 1} of {self.epochs}: {done:,} of {total:,} "
            f"graphs · {self._times(now, progress)}{self._precision}",
        )

    def on_epoch(self, record: dict) -> None:
        """After each epoch: its history record."""
        self.history.append(record)
        self.epochs_done = record["epoch"]
        progress = self.epochs_done / self.epochs
        self.update(
            epoch=self.epochs_done,
            history=self.history,
            progress=progress,
            message=f"{plural(self.epochs_done, 'epoch')} of {self.epochs} done · "
            f"{self._times(self.clock(), progress)}{self._precision}",
        )

    def _times(self, now: float, progress: float) -> str:
        """``1 min 05 s so far, about 3 min 10 s left`` (no estimate before any progress)."""
        if self._start is None:
            self._start = now
        spent = now - self._start
        if progress <= 0:
            return f"{duration(spent)} so far"
        return f"{duration(spent)} so far, about {duration(spent / progress - spent)} left"


def parent_record(name: str, ckpt: dict) -> dict:
    """What a fine-tuned checkpoint records of its parent: name, epoch, evaluation."""
    evaluation = ckpt.get("evaluation") or {}
    return {
        "parent": name,
        "parent_epoch": int(ckpt.get("epoch", 0)),
        "parent_evaluation": {
            k: v
            for k, v in evaluation.items()
            if isinstance(v, int | float | str) and not isinstance(v, bool)
        },
    }


def run_job(db: Path, job_id: int) -> int:
    """Train as the job's request says, reporting progress into the database."""
    manager = JobManager(db)
    job = manager.get(job_id)
    if job is None:
        return 2
    req = TrainRequest(**job.request)
    out = checkpoint_dir() / req.file_name
    report = ProgressReporter(functools.partial(manager.update, job_id), req.epochs)

    base = checkpoint_dir() / str(req.base)
    init = load_checkpoint(base) if req.mode == "finetune" else None
    model_cfg = ModelConfig(hs=req.hs, nz=req.nz)
    train_cfg = TrainConfig(
        data=str(SPACES[req.space].data_file if init is None else checkpoint_data_path(init, base)),
        epochs=req.epochs,
        batch_size=req.batch_size,
        lr=req.lr,
        eval_interval=1,
        max_train=req.max_train or 0,
        save_interval=0,
        threads=1,
        precision=req.precision,
    )
    try:
        fit(
            model_cfg,
            train_cfg,
            out,
            progress=False,
            on_epoch=report.on_epoch,
            should_stop=lambda: manager.cancel_requested(job_id),
            on_batch=report.on_batch,
            evaluate_every=_curve_metrics,
            init_from=init,
            lineage=None if init is None else parent_record(str(req.base), init),
            on_precision=report.on_precision,
        )
        if manager.cancel_requested(job_id):
            done = report.epochs_done
            manager.update(
                job_id,
                status="cancelled",
                message=f"cancelled after {plural(done, 'epoch')} of {req.epochs}"
                + (f": {req.file_name} is partial" if done else " (nothing saved)"),
            )
            return 0
        manager.update(job_id, message="quick evaluation")
        evaluate_checkpoint(out, QUICK_EVAL, store=True)
        manager.update(job_id, status="finished", progress=1.0, message="finished")
    except Exception as err:  # any failure is recorded for the page; the process then exits
        manager.update(job_id, status="failed", message=f"{err.__class__.__name__}: {err}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(run_job(Path(sys.argv[1]), int(sys.argv[2])))

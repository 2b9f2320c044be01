"""``python -m ngae.job_runner DB ID``: the process that runs one training job."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ngae.checkpoint import checkpoint_dir, load_checkpoint
from ngae.config import ModelConfig, TrainConfig
from ngae.data import DEFAULT_DATA
from ngae.evaluation import EvalSettings, evaluate_checkpoint
from ngae.jobs import JobManager, TrainRequest
from ngae.model import NGAE
from ngae.tensors import GraphTensors
from ngae.train import fit, quick_metrics

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


def run_job(db: Path, job_id: int) -> int:
    """Train as the job's request says, reporting progress into the database."""
    manager = JobManager(db)
    job = manager.get(job_id)
    if job is None:
        return 2
    req = TrainRequest(**job.request)
    out = checkpoint_dir() / req.file_name
    history: list[dict] = []
    last = [0.0]
    epoch_done = [0]

    def on_batch(done: int, total: int) -> None:
        now = time.time()
        if now - last[0] > 0.5:
            last[0] = now
            progress = (epoch_done[0] + done / total) / req.epochs
            manager.update(
                job_id,
                progress=progress,
                message=f"epoch {epoch_done[0] + 1}/{req.epochs}: {done}/{total} graphs",
            )

    def on_epoch(record: dict) -> None:
        history.append(record)
        epoch_done[0] = record["epoch"]
        manager.update(
            job_id, epoch=record["epoch"], history=history, progress=record["epoch"] / req.epochs
        )

    init = load_checkpoint(checkpoint_dir() / req.base) if req.mode == "finetune" else None
    model_cfg = ModelConfig(hs=req.hs, nz=req.nz)
    train_cfg = TrainConfig(
        data=str(_data_path(init)),
        epochs=req.epochs,
        batch_size=req.batch_size,
        lr=req.lr,
        eval_interval=1,
        max_train=req.max_train or 0,
        save_interval=0,
        threads=1,
    )
    try:
        fit(
            model_cfg,
            train_cfg,
            out,
            progress=False,
            on_epoch=on_epoch,
            should_stop=lambda: manager.cancel_requested(job_id),
            on_batch=on_batch,
            evaluate_every=_curve_metrics,
            init_from=init,
        )
        if manager.cancel_requested(job_id):
            manager.update(
                job_id,
                status="cancelled",
                message=f"cancelled after "
                f"{epoch_done[0]} epochs" + ("" if epoch_done[0] else " (nothing saved)"),
            )
            return 0
        manager.update(job_id, message="quick evaluation")
        evaluate_checkpoint(out, QUICK_EVAL, store=True)
        manager.update(job_id, status="finished", progress=1.0, message="finished")
    except Exception as err:  # any failure is recorded for the page; the process then exits
        manager.update(job_id, status="failed", message=f"{err.__class__.__name__}: {err}")
        return 1
    return 0


def _data_path(init: dict | None) -> Path:
    if init is not None and init.get("train_config", {}).get("data"):
        return Path(init["train_config"]["data"])
    return DEFAULT_DATA


if __name__ == "__main__":
    raise SystemExit(run_job(Path(sys.argv[1]), int(sys.argv[2])))

"""Background training jobs: one at a time, state in SQLite, progress, cancel, dead processes."""

from __future__ import annotations

import time

import pytest

from ngae.errors import UserInputError
from ngae.jobs import JobBusyError, JobManager, TrainRequest


def wait_for(predicate, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def manager(tmp_path, monkeypatch):
    import ngae.job_runner  # noqa: F401

    monkeypatch.setenv("NGAE_CHECKPOINT_DIR", str(tmp_path))
    return JobManager(tmp_path / "jobs.sqlite3")


@pytest.mark.parametrize(
    "request_",
    [
        TrainRequest(name="../evil"),
        TrainRequest(name="ok", epochs=0),
        TrainRequest(name="ok", lr=float("nan")),
        TrainRequest(name="ok", mode="finetune"),
        TrainRequest(name="ok", mode="other"),
    ],
)
def test_bad_requests_are_rejected(manager, request_):
    with pytest.raises(UserInputError):
        manager.start_training(request_)


def test_second_job_is_refused_while_one_runs(manager, monkeypatch):
    monkeypatch.setattr(manager, "_spawn", lambda job_id: manager.update(job_id, pid=None))
    monkeypatch.setattr("ngae.jobs._alive", lambda pid: True)
    first = manager.start_training(TrainRequest(name="one", epochs=1))
    assert first.status == "running"
    with pytest.raises(JobBusyError, match=f"job {first.id} is running"):
        manager.start_training(TrainRequest(name="two", epochs=1))
    assert [j.id for j in manager.list()] == [first.id]


def test_dead_process_is_marked_failed(manager, monkeypatch):
    monkeypatch.setattr(manager, "_spawn", lambda job_id: manager.update(job_id, pid=None))
    job = manager.start_training(TrainRequest(name="ghost", epochs=1))
    manager.update(job.id, updated=0)  # no sign of life for long
    con = __import__("sqlite3").connect(manager.db)
    con.execute("UPDATE jobs SET updated=0 WHERE id=?", (job.id,))
    con.commit()
    con.close()
    assert manager.get(job.id).status == "failed"
    assert manager.current() is None


def test_real_job_trains_reports_progress_and_finishes(manager, tmp_path):
    import os

    os.environ["NGAE_CHECKPOINT_DIR"] = str(tmp_path)  # the runner process saves here
    try:
        job = manager.start_training(
            TrainRequest(name="quick", epochs=2, hs=16, nz=4, batch_size=32, max_train=96)
        )
        done = wait_for(lambda: (j := manager.get(job.id)).status != "running" and j, 240)
    finally:
        os.environ.pop("NGAE_CHECKPOINT_DIR")
    assert done.status == "finished", done.message
    assert done.progress == 1.0 and done.epoch == 2 and len(done.history) == 2
    from ngae.checkpoint import load_checkpoint

    ckpt = load_checkpoint(tmp_path / "quick.pt")
    assert ckpt["evaluation"]["recon_decodes"] == 5

"""Background training jobs: one at a time, state in SQLite, progress, cancel, dead processes."""

from __future__ import annotations

import threading
import time

import pytest

from ngae.errors import UserInputError
from ngae.explorer.job_runner import ProgressReporter
from ngae.explorer.jobs import JobBusyError, JobManager, TrainRequest


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
    import ngae.explorer.job_runner  # noqa: F401

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
    monkeypatch.setattr("ngae.explorer.jobs._alive", lambda pid: True)
    first = manager.start_training(TrainRequest(name="one", epochs=1))
    assert first.status == "running"
    with pytest.raises(JobBusyError, match=f"job {first.id} is running"):
        manager.start_training(TrainRequest(name="two", epochs=1))
    assert [j.id for j in manager.list()] == [first.id]


def test_dead_process_is_marked_failed(manager, monkeypatch):
    monkeypatch.setattr(manager, "_spawn", lambda job_id: manager.update(job_id, pid=None))
    job = manager.start_training(TrainRequest(name="ghost", epochs=1))
    assert manager.get(job.id).pid is None  # no process behind it
    con = __import__("sqlite3").connect(manager.db)  # and no sign of life for long
    con.execute("UPDATE jobs SET updated=0 WHERE id=?", (job.id,))
    con.commit()
    con.close()
    assert manager.get(job.id).status == "failed"
    assert manager.current() is None


@pytest.mark.slow
def test_real_job_trains_reports_progress_and_finishes(manager, tmp_path):
    job = manager.start_training(  # the runner process inherits NGAE_CHECKPOINT_DIR
        TrainRequest(name="quick", epochs=2, hs=16, nz=4, batch_size=32, max_train=96)
    )
    done = wait_for(lambda: (j := manager.get(job.id)).status != "running" and j, 240)
    assert done.status == "finished", done.message
    assert done.progress == 1.0 and done.epoch == 2 and len(done.history) == 2
    from ngae.explorer.job_runner import QUICK_EVAL
    from ngae.model.checkpoint import load_checkpoint

    ckpt = load_checkpoint(tmp_path / "quick.pt")
    assert ckpt["evaluation"]["recon_decodes"] == QUICK_EVAL.recon_decodes


def test_simultaneous_requests_start_exactly_one_job(tmp_path, monkeypatch):
    """Four dashboards (own connections) ask at the same instant: one job, three clear refusals."""
    monkeypatch.setenv("NGAE_CHECKPOINT_DIR", str(tmp_path))
    monkeypatch.setattr("ngae.explorer.jobs._alive", lambda pid: True)
    db = tmp_path / "jobs.sqlite3"
    managers = [JobManager(db) for _ in range(4)]
    for m in managers:
        monkeypatch.setattr(m, "_spawn", lambda job_id, m=m: m.update(job_id, pid=None))
    barrier, outcomes = threading.Barrier(len(managers)), []

    def ask(k: int) -> None:
        barrier.wait()
        try:
            outcomes.append(("started", managers[k].start_training(TrainRequest(name=f"r{k}")).id))
        except JobBusyError as err:
            outcomes.append(("refused", str(err)))

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(len(managers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    started = [v for kind, v in outcomes if kind == "started"]
    refused = [v for kind, v in outcomes if kind == "refused"]
    assert len(started) == 1 and len(refused) == 3
    assert all(f"job {started[0]} is running" in message for message in refused)
    # A restarted dashboard (a new manager on the same database) sees the running job.
    assert JobManager(db).current().id == started[0]
    assert [j.id for j in JobManager(db).list()] == started


def test_first_connections_to_a_new_database_never_fail(tmp_path):
    """Six connections open a fresh database at once, 40 times: switching it to WAL must
    wait for the others instead of raising "database is locked" (it did about 1 time in 13)."""
    from ngae.explorer.jobs import connect

    errors: list[Exception] = []
    for trial in range(40):
        db, barrier = tmp_path / f"jobs{trial}.sqlite3", threading.Barrier(6)

        def open_and_write(db=db, barrier=barrier) -> None:
            barrier.wait()
            try:
                con = connect(db)
                con.execute("BEGIN IMMEDIATE")
                con.execute("COMMIT")
                con.close()
            except Exception as err:  # noqa: BLE001 - collected and asserted below
                errors.append(err)

        threads = [threading.Thread(target=open_and_write) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_reporter_reports_within_epochs_and_after_each():
    """The runner's progress reports, without a process or real time: a fake clock advances
    0.2 s per batch and reports within an epoch come at most every 0.5 s, so batches 1, 4, 7,
    ... (counted over the whole run) report."""
    updates: list[dict] = []
    clock = FakeClock()
    report = ProgressReporter(lambda **f: updates.append(f), epochs=3, interval=0.5, clock=clock)
    batch = 0
    for epoch in range(1, 4):
        for done in range(100, 1001, 100):  # ten batches of 100 graphs
            batch += 1
            clock.now = 0.2 * batch
            report.on_batch(done, 1000)
        report.on_epoch({"epoch": epoch, "loss": 1.0 / epoch})
    within = [u for u in updates if "history" not in u]
    expected = [(b - 1) // 10 * 1000 + ((b - 1) % 10 + 1) * 100 for b in range(1, 31, 3)]
    assert [round(u["progress"] * 3000) for u in within] == expected
    assert within[0]["message"] == "epoch 1 of 3: 100 of 1,000 graphs · 0 s so far, about 0 s left"
    # batch 13: 2.4 s after the first report, 13/30 of the run done -> about 3 s left
    assert within[4]["message"] == "epoch 2 of 3: 300 of 1,000 graphs · 2 s so far, about 3 s left"
    progress = [u["progress"] for u in updates]
    assert progress == sorted(progress) and progress[-1] == 1.0
    ends = [u for u in updates if "history" in u]
    assert [u["epoch"] for u in ends] == [1, 2, 3] and len(ends[-1]["history"]) == 3
    assert ends[0]["message"].startswith("1 epoch of 3 done · ")
    assert ends[1]["message"].startswith("2 epochs of 3 done · ")
    assert ends[1]["progress"] == pytest.approx(2 / 3)


def test_estimate_uses_measured_speeds_of_the_same_size():
    from ngae.explorer import Job, TrainRequest, estimate_seconds

    def job(hs, rates):
        history = [{"epoch": k + 1, "graphs_per_s": r} for k, r in enumerate(rates)]
        return Job(1, "train", "finished", 0, 0, 1, 1, 1, "", "x.pt", history, {"hs": hs})

    request = TrainRequest(name="a", epochs=10, hs=64)
    jobs = [job(64, [100.0, 200.0, 300.0]), job(501, [10.0])]
    seconds, how = estimate_seconds(request, 1000, jobs, [])
    assert seconds == pytest.approx(1000 * 10 / 200.0) and "200 graphs/s" in how
    small = TrainRequest(name="a", epochs=2, hs=64, max_train=50)
    assert estimate_seconds(small, 1000, jobs, [])[0] == pytest.approx(100 / 200.0)
    assert estimate_seconds(TrainRequest(name="a", hs=32), 1000, jobs, []) is None
    tune = TrainRequest(name="a", mode="finetune", base="b.pt", epochs=1, hs=32)
    assert estimate_seconds(tune, 500, jobs, [{"graphs_per_s": 50.0}])[0] == pytest.approx(10)

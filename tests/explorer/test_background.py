"""Background tasks: progress, result, user errors as messages, other errors named."""

from __future__ import annotations

from ngae.explorer import BackgroundTask, UserInputError


def test_background_task_reports_progress_result_and_errors():
    def work(progress):
        for step in range(1, 4):
            progress(step, 3)
        return "done"

    def bad(progress):
        raise UserInputError("steps must be an integer")

    def broken(progress):
        raise KeyError("x")

    ok, fail, crash = (BackgroundTask(fn).start() for fn in (work, bad, broken))
    for task in (ok, fail, crash):
        task._thread.join(5)
    snap = ok.snapshot()
    assert snap.done and snap.result == "done" and (snap.step, snap.total) == (3, 3)
    assert snap.error is None and snap.elapsed >= 0
    assert fail.snapshot().error == "steps must be an integer" and fail.details == ""
    assert crash.snapshot().error == "the task failed (KeyError: 'x')"
    assert "Traceback" in crash.details and crash.snapshot().result is None


def test_a_cancelled_task_stops_at_its_next_progress_report():
    import threading

    reached, release = threading.Event(), threading.Event()
    steps = []

    def work(progress):
        for step in range(1, 100):
            steps.append(step)
            progress(step, 99)
            if step == 3:
                reached.set()
                release.wait(5)
        return "finished"

    task = BackgroundTask(work).start()
    assert reached.wait(5)
    task.cancel()
    release.set()
    task._thread.join(5)
    snap = task.snapshot()
    assert snap.done and snap.cancelled and snap.result is None and snap.error is None
    assert steps == [1, 2, 3, 4]  # the report after the cancel raised
    done = BackgroundTask(lambda progress: "ok").start()
    done._thread.join(5)
    assert not done.snapshot().cancelled

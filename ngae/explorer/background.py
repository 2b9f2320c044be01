"""Work that runs beside a page: a function in a daemon thread whose progress a page polls.

The thread never touches Streamlit; the page reads :meth:`BackgroundTask.snapshot` from a
timed fragment and renders it.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ngae.errors import USER_ERRORS


class TaskCancelled(Exception):
    """Raised inside a task's ``progress`` callback once :meth:`BackgroundTask.cancel` ran."""


@dataclass(frozen=True)
class TaskSnapshot:
    """A consistent view of a task: progress, elapsed seconds and the outcome once done."""

    done: bool
    step: int
    total: int
    elapsed: float
    result: Any
    error: str | None
    cancelled: bool = False


class BackgroundTask:
    """A function run in a daemon thread with thread-safe progress.

    ``fn(progress)`` gets a ``progress(step, total)`` callback. User errors become a one-line
    message; anything else a message naming the exception (the traceback is kept in
    :attr:`details` for logs, never shown). :meth:`cancel` makes the next ``progress`` call
    raise :class:`TaskCancelled`: the task ends with no result and ``cancelled`` set.
    """

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        self._fn, self._lock = fn, threading.Lock()
        self.step = self.total = 0
        self.started, self.finished = time.time(), None
        self.result: Any = None
        self.error: str | None = None
        self.details = ""
        self._cancel = threading.Event()
        self.cancelled = False
        self._thread = threading.Thread(target=self._run, daemon=True, name="ngae-ui-task")

    def start(self) -> BackgroundTask:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def progress(self, step: int, total: int) -> None:
        """The callback handed to ``fn``; raises :class:`TaskCancelled` after :meth:`cancel`."""
        with self._lock:
            self.step, self.total = int(step), int(total)
        if self._cancel.is_set():
            raise TaskCancelled

    def cancel(self) -> None:
        """Ask the task to stop at its next progress report."""
        self._cancel.set()

    def _run(self) -> None:
        cancelled = False
        try:
            result, error = self._fn(self.progress), None
        except TaskCancelled:
            result, error, cancelled = None, None, True
        except USER_ERRORS as err:
            result, error = None, str(err)
        except Exception as err:  # reported on the page as a message, never raised there
            result, error = None, f"the task failed ({err.__class__.__name__}: {err})"
            self.details = traceback.format_exc()
        with self._lock:
            self.result, self.error, self.finished = result, error, time.time()
            self.cancelled = cancelled

    def snapshot(self) -> TaskSnapshot:
        """Progress and outcome, read under the task's lock."""
        with self._lock:
            end = self.finished or time.time()
            return TaskSnapshot(
                done=self.finished is not None,
                step=self.step,
                total=self.total,
                elapsed=end - self.started,
                result=self.result,
                error=self.error,
                cancelled=self.cancelled,
            )

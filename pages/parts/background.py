"""A page's long work in a background task: start it, poll its progress, collect its outcome.

The work runs in a :class:`~ngae.explorer.BackgroundTask` (a thread that never calls
Streamlit); a timed fragment polls it. A :class:`Work` names where one kind of work keeps its
state in the session and the words its messages use, so the latent search and the closed loop
share the plumbing. A job is ``{"task", "key", "n"}``: the task, the checkpoint it runs on and
its number in this tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ngae.explorer import BackgroundTask, TaskSnapshot, duration
from pages.parts.guard import guarded
from pages.parts.memory import count_up, remember


@dataclass(frozen=True)
class Work:
    """One kind of background work on a page: its session keys and its words."""

    noun: str  # "search": "Search 3 was cancelled", "Cancelling the search…"
    task: str  # session key of the running job
    result: str  # session (and memory) key of the last finished one
    count: str  # the per-tab counter that numbers the jobs
    cancel: str  # key of the Cancel button
    progress: Callable[[TaskSnapshot], str]  # the progress bar's text


@st.fragment(run_every=0.5)
@guarded
def poll(task: BackgroundTask, work: Work) -> None:
    """The running task's progress bar (with the time it has taken) and a Cancel button."""
    snap = task.snapshot()
    if snap.done:
        st.rerun()
    bar, stop = st.columns([6, 1], vertical_alignment="bottom")
    share = snap.step / snap.total if snap.total else 0.0
    bar.progress(share, text=f"{work.progress(snap)} · {duration(snap.elapsed)}")
    if stop.button("Cancel", key=work.cancel):
        task.cancel()
        st.toast(f"Cancelling the {work.noun}…")


def collect(work: Work) -> dict | None:
    """Move a finished task's result (or error) into session state and the session's memory;
    the job still running, if any."""
    job = st.session_state.get(work.task)
    if not job or not job["task"].snapshot().done:
        return job
    st.session_state.pop(work.task)
    snap = job["task"].snapshot()
    if snap.cancelled:
        st.warning(f"{work.noun.capitalize()} {job['n']} was cancelled; nothing was kept from it.")
    elif snap.error:
        st.error(f"The {work.noun} stopped: {snap.error}")
    else:
        done = {"key": job["key"], "result": snap.result, "n": job["n"]}
        st.session_state[work.result] = done
        remember(work.result, done)
    return None


def start(work: Work, key: Any, fn: Callable[[Callable[[int, int], None]], Any], running):
    """Run ``fn(progress)`` as this tab's next job on checkpoint ``key``; the job that runs.

    While a job of the same kind is ``running`` (as :func:`collect` returned it), nothing
    starts: an error says so and ``running`` is returned.
    """
    if running is not None:
        st.error(f"A {work.noun} is already running in this tab: wait for it to finish.")
        return running
    task = BackgroundTask(fn).start()
    job = st.session_state[work.task] = {"task": task, "key": key, "n": count_up(work.count)}
    return job

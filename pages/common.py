"""What every page shares: the checkpoint picker, the cached Explorer and the error guard.

Not a page itself (``dashboard.py`` lists the pages); pages import it as ``pages.common``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ngae.errors import USER_ERRORS, CheckpointError
from ngae.preload import open_explorer
from ngae.service import DEFAULT_CHECKPOINT, Explorer, list_checkpoints, resolve_checkpoint
from ngae.ui_helpers import dot_vertical

LOG = logging.getLogger("ngae.dashboard")
KEY = "checkpoint"
REQUEST = "checkpoint_request"
NAV_FLAG = "_ngae_dashboard_ran"
HOW_TO_TRAIN = (
    "Train one on the **Train** page, or from a terminal with "
    "`python -m ngae train --epochs 300` (it writes `checkpoints/ngae_default.pt`)."
)


def require_dashboard() -> None:
    """Rerun through ``dashboard.py`` when a deep link ran this page alone.

    Until ``st.navigation`` has run once in a server process, Streamlit treats a ``pages/``
    folder as an old-style multipage app, so a first visit to ``/model`` runs that file without
    the dashboard (no picker, a raw page list). Leave that mode and rerun: the URL's page is then
    found among ``dashboard.py``'s pages.
    """
    if st.session_state.get(NAV_FLAG):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


# ----- errors ---------------------------------------------------------------------------------
@contextmanager
def guard(what: str = "this page") -> Iterator[None]:
    """Turn any exception in the block into an ``st.error`` message: never a traceback."""
    try:
        yield
    except CheckpointError as err:
        st.error(
            f"The checkpoint cannot be used: {err}. Pick another checkpoint in the sidebar. "
            + HOW_TO_TRAIN
        )
    except USER_ERRORS as err:
        st.error(str(err))
    except Exception as err:  # the last line of defence: a message saying what to do
        LOG.exception("unexpected error in %s", what)
        st.error(
            f"Something went wrong in {what} ({err.__class__.__name__}: {err}). "
            "Reload the page or pick another checkpoint; the server log has the details."
        )


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`guard` (for fragments, which rerun on their own)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with guard(fn.__name__.replace("_", " ")):
            return fn(*args, **kwargs)

    return wrapper


# ----- the checkpoint picker ------------------------------------------------------------------
def checkpoint_picker() -> str | None:
    """The sidebar picker (choices from ``list_checkpoints()``); the name lives in session_state."""
    names = list_checkpoints()
    state = st.session_state
    request = state.pop(REQUEST, None)  # a page asked to switch (set before the widget exists)
    if request in names:
        state[KEY] = request
    if state.get(KEY) not in names:
        state.pop(KEY, None)
        if names:
            state[KEY] = DEFAULT_CHECKPOINT.name if DEFAULT_CHECKPOINT.name in names else names[0]
    if not names:
        st.sidebar.warning("No checkpoint yet.")
        return None
    st.sidebar.selectbox(
        "Checkpoint",
        names,
        key=KEY,
        help="Checkpoint files in checkpoints/ (training jobs add theirs here).",
    )
    return state[KEY]


def request_checkpoint(name: str) -> None:
    """Ask the picker to select ``name`` on the next run (widgets cannot be set after creation)."""
    st.session_state[REQUEST] = name


def no_checkpoint() -> None:
    """The message every page shows while there is no checkpoint; stops the page."""
    st.info("**No checkpoint is available yet**, so there is nothing to explore. " + HOW_TO_TRAIN)
    st.stop()


@st.cache_resource(
    show_spinner="Loading the checkpoint (the first time also encodes its data set)...",
    max_entries=4,
)
def _load(name: str, mtime_ns: int) -> Explorer:
    """One Explorer per (name, file mtime): a retrained file is loaded again. The server's
    start-up may have opened it already (``serve.py``, ``ngae.preload``)."""
    ex = open_explorer(resolve_checkpoint(name))
    threading.Thread(target=_warm_up, args=(ex,), daemon=True, name="ngae-warm-up").start()
    return ex


def _warm_up(ex: Explorer) -> None:
    """First-call costs off the click path, after the first page has rendered."""
    time.sleep(3.0)
    try:
        ex.warm_up()
    except Exception:  # only a warm-up: the real call reports its own errors
        LOG.debug("warm-up failed", exc_info=True)


def explorer_key() -> tuple[str, int] | None:
    """``(name, mtime_ns)`` of the picked checkpoint, or ``None`` when there is none."""
    name = st.session_state.get(KEY)
    if not name:
        return None
    try:
        return name, resolve_checkpoint(name).stat().st_mtime_ns
    except (OSError, *USER_ERRORS):
        return None


def explorer() -> Explorer:
    """The picked checkpoint's Explorer, or a message (no checkpoint, unreadable) and stop."""
    key = explorer_key()
    if key is None:
        no_checkpoint()
    try:
        return _load(*key)
    except CheckpointError as err:
        st.error(
            f"Checkpoint {key[0]} cannot be opened: {err}. Pick another one in the sidebar. "
            + HOW_TO_TRAIN
        )
        st.stop()
    raise AssertionError("unreachable")


@st.cache_resource(max_entries=4, show_spinner=False)
def table(name: str, mtime_ns: int) -> pd.DataFrame:
    """The Explorer's table, computed once per checkpoint (callers must not modify it)."""
    return _load(name, mtime_ns).table()


@st.cache_resource(max_entries=8, show_spinner=False)
def projection(name: str, mtime_ns: int, kind: str) -> np.ndarray | None:
    """A projection once it is ready (``None`` is not cached: it is asked again)."""
    xy = _load(name, mtime_ns).projection(kind)
    if xy is None:
        raise _NotReady
    return xy


class _NotReady(Exception):
    pass


def ready_projection(kind: str) -> np.ndarray | None:
    """The picked checkpoint's ``kind`` map, or ``None`` while it is not computed."""
    try:
        return projection(*explorer_key(), kind)
    except _NotReady:
        return None


@st.cache_resource
def projection_started() -> dict[tuple, float]:
    """When each background projection was started (shared by every session)."""
    return {}


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_index(name: str, mtime_ns: int, index: int) -> tuple[Any, bool]:
    """``Explorer.decode_index``, remembered (a rerun must not decode again)."""
    return _load(name, mtime_ns).decode_index(index)


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_position(name: str, mtime_ns: int, x: float, y: float) -> Any:
    """``Explorer.decode_map_position``, remembered."""
    return _load(name, mtime_ns).decode_map_position(x, y)


def graphviz(dot: str, place: str) -> None:
    """``st.graphviz_chart`` drawn afresh instead of morphed from the previous drawing.

    In the browser, d3-graphviz morphs a chart into its new graph and samples every edge path
    of both to do it: seconds per click on a busy machine. A chart's element id comes from its
    position, so an empty slot before it, toggled whenever ``place`` gets a new graph, moves it
    and it is drawn from scratch.
    """
    flips = st.session_state.setdefault("_graphviz_flips", {})
    last, parity = flips.get(place, (None, False))
    if dot != last:
        parity = not parity
        flips[place] = (dot, parity)
    if parity:
        st.empty()
    st.graphviz_chart(dot)


def cell_card(
    dot: str,
    arch: str,
    figures: dict[str, Any],
    note: str = "",
    side: bool = True,
    place: str = "cell",
) -> None:
    """A cell drawing with its figures: beside it (narrow panels) or below it (full width).

    ``figures`` has ``pred_acc``, ``params``, ``pred_params`` and ``true_acc`` (None: unknown).
    """
    true_acc = figures.get("true_acc")
    shown = {
        "predicted accuracy": f"{figures['pred_acc']:.4f}",
        "exact params": f"{figures['params']:,}",
        "predicted params": f"{figures['pred_params']:,.0f}",
        "true accuracy": "not in data" if true_acc is None else f"{true_acc:.4f}",
    }
    if side:
        drawing, box = st.columns([1, 1])
        with drawing:
            graphviz(dot_vertical(dot), place)
        with box:
            for label, value in shown.items():
                st.metric(label, value)
    else:
        graphviz(dot, place)
        for col, (label, value) in zip(st.columns(4), shown.items(), strict=True):
            col.metric(label, value)
    st.code(arch, language=None)
    if note:
        st.caption(note)


def show_cell(dec: Any, title: str, reproduced: bool | None = None, side: bool = True) -> None:
    """Draw a decoded cell with its figures (or say that no valid cell came out)."""
    st.markdown(f"**{title}**")
    if dec.arch is None:
        st.warning("No valid architecture decoded here (every sample was invalid).")
        return
    note = f"decoded in {dec.share:.0%} of samples ({dec.valid_share:.0%} valid)"
    if reproduced is not None:
        note = f"reproduced the original: **{'yes' if reproduced else 'no'}** · {note}"
    cell_card(dec.dot, dec.arch, vars(dec), note, side)


def neighbours_table(frame: Any, height: int = 250) -> None:
    """The nearest data-set architectures, figures first (the arch string is long)."""
    num = st.column_config.NumberColumn
    st.dataframe(
        frame,
        hide_index=True,
        height=height,
        column_order=["index", "true_acc", "pred_acc", "params", "distance", "arch"],
        column_config={
            "true_acc": num("true acc", format="%.4f"),
            "pred_acc": num("pred acc", format="%.4f"),
            "params": num(format="localized"),
            "distance": num(format="%.3f"),
        },
    )


def elapsed(seconds: float) -> str:
    """``1 min 05 s`` style."""
    m, s = divmod(int(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"

"""The explorer calls the pages share, cached per checkpoint file (name and mtime).

One :class:`~ngae.explorer.Explorer` per file, shared by every browser session (it is never
mutated); tables, maps and layers computed once; decodings remembered so a rerun never
decodes again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ngae.explorer import CheckpointError, Decoded, Explorer, open_explorer, resolve_checkpoint
from ngae.ui.naming import Names, names_for
from ngae.ui.truth import with_truth
from pages.parts.checkpoints import explorer_key, no_checkpoint
from pages.parts.guard import HOW_TO_TRAIN, LOG


@st.cache_resource(
    show_spinner="Loading the checkpoint (the first time also encodes its data set)...",
    max_entries=4,
)
def _load(name: str, mtime_ns: int) -> Explorer:
    """One Explorer per (name, file mtime): a retrained file is loaded again. The server's
    start-up may have opened it already (``serve.py``, ``ngae.explorer.warm_start``)."""
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


def names() -> Names:
    """How the current checkpoint's space names its figures."""
    return names_for(explorer().space_info)


def other_explorer(name: str) -> Explorer:
    """Another checkpoint's Explorer (for comparisons), cached like the picked one."""
    return _load(name, resolve_checkpoint(name).stat().st_mtime_ns)


@st.cache_resource(max_entries=4, show_spinner=False)
def _table(name: str, mtime_ns: int) -> pd.DataFrame:
    return _load(name, mtime_ns).table()


def table(name: str, mtime_ns: int) -> pd.DataFrame:
    """The Explorer's table, computed once per checkpoint; each caller gets its own copy.

    Where the checkpoint's oracle offers the session's picked source (:data:`SOURCE`), its
    true figures there follow as ``true <figure> (<source>)`` columns.
    """
    source = st.session_state.get(SOURCE)
    if source is not None and source in oracle_sources(name, mtime_ns):
        return _table_on(name, mtime_ns, source).copy()
    return _table(name, mtime_ns).copy()


SOURCE = "oracle_source"  # the session's picked source of the oracle (pages.parts.oracle)


def oracle_sources(name: str, mtime_ns: int) -> tuple[str, ...]:
    """``Explorer.oracle_sources`` of a checkpoint (raises CheckpointError where it cannot open)."""
    return _load(name, mtime_ns).oracle_sources()


@st.cache_resource(max_entries=12, show_spinner=False)
def _table_on(name: str, mtime_ns: int, source: str) -> pd.DataFrame:
    ex = _load(name, mtime_ns)
    truth = truth_table(name, mtime_ns, source)
    return with_truth(_table(name, mtime_ns), truth, source, ex.truth_metrics())


@st.cache_data(max_entries=32, show_spinner="Reading the benchmark's table...")
def truth_table(name: str, mtime_ns: int, source: str) -> pd.DataFrame:
    """``Explorer.truth_table``: the data set's true figures and ranks on ``source``."""
    return _load(name, mtime_ns).truth_table(source)


@st.cache_data(max_entries=64, show_spinner=False)
def leaderboard(name: str, mtime_ns: int, source: str, by: str, k: int) -> pd.DataFrame:
    """``Explorer.leaderboard``, remembered."""
    return _load(name, mtime_ns).leaderboard(source, by, k)


@st.cache_data(max_entries=256, show_spinner="Reading every data set's table...")
def transfer(name: str, mtime_ns: int, arch: str) -> pd.DataFrame:
    """``Explorer.transfer`` of an object's (canonical) string, remembered."""
    return _load(name, mtime_ns).transfer(arch)


@st.cache_data(max_entries=256, show_spinner=False)
def training_curves(name: str, mtime_ns: int, arch: str, source: str) -> Any:
    """``Explorer.training_curves``, remembered (``None`` where the oracle has none)."""
    return _load(name, mtime_ns).training_curves(arch, source)


class _NotReady(Exception):
    pass


@st.cache_resource(max_entries=8, show_spinner=False)
def projection(name: str, mtime_ns: int, kind: str) -> np.ndarray | None:
    """A projection once it is ready (``None`` is not cached: it is asked again)."""
    xy = _load(name, mtime_ns).projection(kind)
    if xy is None:
        raise _NotReady
    return xy


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


@st.cache_resource(max_entries=8, show_spinner=False)
def atlas(name: str, mtime_ns: int, agreement: bool) -> Any:
    """The decoder atlas of the whole PCA map (decoded once, then read from disk)."""
    return _load(name, mtime_ns).atlas(agreement=4 if agreement else 0)


@st.cache_data(max_entries=256, show_spinner=False)
def atlas_decoding(name: str, mtime_ns: int, x: float, y: float) -> str | None:
    """``Explorer.atlas_decoding``, remembered."""
    return _load(name, mtime_ns).atlas_decoding(x, y)


@st.cache_resource(max_entries=16, show_spinner=False)
def objective_field(name: str, mtime_ns: int, lambda_cmplx: float) -> Any:
    """The objective field over the PCA map for one lambda."""
    return _load(name, mtime_ns).objective_field(lambda_cmplx)


@st.cache_resource(max_entries=8, show_spinner=False)
def density(name: str, mtime_ns: int, kind: str) -> Any:
    """The training codes' density on one map: ``(window, grid)``."""
    return _load(name, mtime_ns).density(kind)


@st.cache_resource(max_entries=4, show_spinner=False)
def data_uncertainty(name: str, mtime_ns: int) -> np.ndarray:
    """The performance head's uncertainty at every data-set object."""
    return _load(name, mtime_ns).data_uncertainty()


@st.cache_resource(max_entries=4, show_spinner=False)
def aligned(name: str, mtime_ns: int, other: str, other_mtime_ns: int) -> Any:
    """``other``'s PCA map aligned onto ``name``'s (computed once per pair of files)."""
    return _load(name, mtime_ns).aligned(_load(other, other_mtime_ns))


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_index(name: str, mtime_ns: int, index: int) -> Decoded:
    """``Explorer.decode_index``, remembered (a rerun must not decode again)."""
    return _load(name, mtime_ns).decode_index(index)


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_position(name: str, mtime_ns: int, x: float, y: float) -> Decoded:
    """``Explorer.decode_map_position``, remembered."""
    return _load(name, mtime_ns).decode_map_position(x, y)

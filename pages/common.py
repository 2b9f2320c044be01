"""What every page shares: the frame (sidebar links, checkpoint picker), the cached Explorer
and the error guard.

Not a page itself (``dashboard.py`` lists the pages in :data:`NAV`); pages import it as
``pages.common`` and run through :func:`page`, which draws the frame, so a page is complete
however Streamlit starts it. Streamlit runs a ``pages/`` file on its own (its first multipage
mode) until ``st.navigation`` has been called once in the server process, which is what a
deep link to ``/model`` on a fresh server meets; with the frame drawn by the page itself,
that run looks like any other.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import streamlit as st
import torch
from threadpoolctl import threadpool_limits

from ngae.explorer import (
    DEFAULT_CHECKPOINT,
    USER_ERRORS,
    CellInfo,
    CheckpointError,
    Decoded,
    Explorer,
    cell_diff,
    checkpoint_summary,
    list_checkpoints,
    open_explorer,
    resolve_checkpoint,
)
from ngae.ui.cells import (
    DRAW_FORMATS,
    MIME_TYPES,
    cell_file,
    cell_svg,
    diff_svg,
    file_stem,
    legend_html,
)
from ngae.ui.naming import Names, names_for

# One thread for numpy's BLAS and torch in the server: the dashboard's work is small per request,
# and a training job (one thread) or another session may hold the other core, where a second
# spinning BLAS thread makes a 5 ms product take 0.6 s (measured on this 2-core machine).
threadpool_limits(1)
torch.set_num_threads(1)

LOG = logging.getLogger("ngae.dashboard")
# The pages, in sidebar order: file, title, icon, URL path (the first is the default page).
NAV = (
    ("pages/latent_map.py", "Latent map", ":material/scatter_plot:", "map"),
    ("pages/model.py", "Model", ":material/model_training:", "model"),
    ("pages/search.py", "Search", ":material/travel_explore:", "search"),
    ("pages/architecture.py", "Architecture", ":material/account_tree:", "architecture"),
    ("pages/train.py", "Train", ":material/fitness_center:", "train"),
)
KEY = "checkpoint"
REQUEST = "checkpoint_request"
HOW_TO_TRAIN = (
    "Train one on the **Train** page, or from a terminal with "
    "`ngae train --epochs 300` (it writes `checkpoints/final_structures6_NGAE.pt`)."
)


# ----- the frame ------------------------------------------------------------------------------
def page(title: str, body: Callable[[], None]) -> None:
    """Run one page: page config, sidebar links and checkpoint picker, then ``body`` guarded."""
    st.set_page_config(
        page_title=f"{title} · NGAE Explorer", page_icon=":material/hub:", layout="wide"
    )
    st.sidebar.title("NGAE Explorer")
    for path, label, icon, _ in NAV:
        st.sidebar.page_link(path, label=label, icon=icon)
    remembered()  # the URL's session token, on every page
    keep_page_state()
    with guard("the checkpoint picker"):
        checkpoint_picker()
    forget_on_checkpoint_switch()
    with guard(title):
        body()
    mirror_page_state()


# ----- what a browser session keeps -----------------------------------------------------------
TOKEN, MEMORY_SESSIONS = "s", 200


@st.cache_resource
def _memory() -> OrderedDict[str, dict[str, Any]]:
    """Each browser session's kept results, by the token in its URL (this server's memory)."""
    return OrderedDict()


def remembered() -> dict[str, Any]:
    """This browser session's memory, kept across page changes and reloads (not restarts).

    The URL carries a random token (``?s=...``), so a reload finds the session's memory again;
    the most recent :data:`MEMORY_SESSIONS` sessions are kept.
    """
    state = st.session_state
    given = st.query_params.get(TOKEN, "")
    token = state.get("_token") or (given if re.fullmatch(r"[0-9a-f]{16}", given) else None)
    token = token or secrets.token_hex(8)
    state["_token"] = token
    if given != token:
        st.query_params[TOKEN] = token
    memory = _memory()
    memory.setdefault(token, {})
    memory.move_to_end(token)
    while len(memory) > MEMORY_SESSIONS:
        memory.popitem(last=False)
    return memory[token]


# Widget state a user expects back after visiting another page (Streamlit drops the state of
# widgets a run does not draw; writing it back on every page keeps it).
KEPT_PREFIXES = ("map_kind", "map_colour", "map_split", "map_pred_", "map_true_", "map_params_",
                 "interp_a", "interp_b", "interp_steps", "arch_map_kind")  # fmt: skip
# State that belongs to one checkpoint: dropped when the picker moves to another one.
PER_CHECKPOINT = ("map_focus", "map_sel_sig", "decode_x", "decode_y", "interp", "interp_a",
                  "interp_b", "map_notice")  # fmt: skip


def keep_page_state() -> None:
    """Give back the kept widget values Streamlit dropped (call before a page's widgets).

    Streamlit drops the state of widgets a run does not draw, and after a fragment's rerun it
    can drop those outside the fragment at the next page change; a copy of each kept value
    (``_kept_<key>``, written by :func:`mirror_page_state`) survives both.
    """
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith("_kept_") and name[6:] not in state:
            state[name[6:]] = state[name]


def mirror_page_state() -> None:
    """Copy the kept widget values (after a page's or a fragment's widgets are drawn)."""
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith(KEPT_PREFIXES):
            state["_kept_" + name] = state[name]


def forget_on_checkpoint_switch() -> None:
    """Drop the focus, typed positions and interpolation of the previous checkpoint."""
    state = st.session_state
    current = state.get(KEY)
    if state.get("_checkpoint_seen", current) != current:
        for name in PER_CHECKPOINT:
            state.pop(name, None)
            state.pop("_kept_" + name, None)
    state["_checkpoint_seen"] = current


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
        format_func=checkpoint_label,
        help="Checkpoint files in checkpoints/ (training jobs add theirs here); partial: "
        "fewer epochs than its run asked for (still training, or cancelled).",
    )
    return state[KEY]


def checkpoint_label(name: str) -> str:
    """The picker's label: the file name, marked when the checkpoint is partial."""
    try:
        path = resolve_checkpoint(name)
        epoch, planned = _epochs(name, path.stat().st_mtime_ns)
    except (OSError, *USER_ERRORS):
        return name
    return (
        name
        if planned is None or epoch >= planned
        else f"{name} (partial: {epoch} of {planned} epochs)"
    )


@st.cache_data(max_entries=256, show_spinner=False)
def _epochs(name: str, mtime_ns: int) -> tuple[int, int | None]:
    summary = checkpoint_summary(name)
    return summary.epoch, summary.epochs_planned


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
def _table(name: str, mtime_ns: int) -> pd.DataFrame:
    return _load(name, mtime_ns).table()


def table(name: str, mtime_ns: int) -> pd.DataFrame:
    """The Explorer's table, computed once per checkpoint; each caller gets its own copy."""
    return _table(name, mtime_ns).copy()


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
    """The accuracy head's uncertainty at every data-set architecture."""
    return _load(name, mtime_ns).data_uncertainty()


def other_explorer(name: str) -> Explorer:
    """Another checkpoint's Explorer (for comparisons), cached like the picked one."""
    return _load(name, resolve_checkpoint(name).stat().st_mtime_ns)


@st.cache_resource(max_entries=4, show_spinner=False)
def aligned(name: str, mtime_ns: int, other: str, other_mtime_ns: int) -> Any:
    """``other``'s PCA map aligned onto ``name``'s (computed once per pair of files)."""
    return _load(name, mtime_ns).aligned(_load(other, other_mtime_ns))


SEARCH_RESULT = "search_result"


def last_search(key: tuple[str, int] | None) -> dict | None:
    """This browser session's last finished search on checkpoint ``key``, or ``None``."""
    done = st.session_state.get(SEARCH_RESULT) or remembered().get(SEARCH_RESULT)
    return done if done and done["key"] == key else None


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_index(name: str, mtime_ns: int, index: int) -> Decoded:
    """``Explorer.decode_index``, remembered (a rerun must not decode again)."""
    return _load(name, mtime_ns).decode_index(index)


@st.cache_data(max_entries=2000, show_spinner=False)
def decode_position(name: str, mtime_ns: int, x: float, y: float) -> Decoded:
    """``Explorer.decode_map_position``, remembered."""
    return _load(name, mtime_ns).decode_map_position(x, y)


def space() -> str:
    """The current checkpoint's search space (``enas6``, ``asia``)."""
    return explorer().space_info.name


def names() -> Names:
    """How the current checkpoint's space names its figures."""
    return names_for(explorer().space_info)


def show_legend() -> None:
    """The colour legend of the drawings: ops (ENAS) or variables (Asia)."""
    st.markdown(legend_html(space()), unsafe_allow_html=True)  # fixed names and colours only


def draw_cell(arch: str, place: str, vertical: bool = False) -> None:
    """A cell laid out by Graphviz on the server, shown as inline SVG, with its downloads."""
    kind = space()
    st.markdown(cell_svg(arch, vertical, kind), unsafe_allow_html=True)  # our own SVG only
    with st.popover("Download", icon=":material/download:"):
        for fmt in DRAW_FORMATS:
            st.download_button(
                fmt.upper(),
                data=partial(cell_file, arch, fmt, vertical, kind),  # drawn when clicked
                file_name=f"{file_stem(arch, kind)}.{fmt}",
                mime=MIME_TYPES[fmt],
                on_click="ignore",
                key=f"draw-{place}-{fmt}",
            )


def cell_card(
    info: CellInfo, note: str = "", side: bool = True, place: str = "cell", legend: bool = True
) -> None:
    """A cell drawing with its figures: beside it (narrow panels) or below it (full width)."""
    n = names()
    shown = {
        n.pred_acc: n.perf_text(info.pred_acc),
        n.params: f"{info.params:,}",
        n.pred_params: f"{info.pred_params:,.0f}",
        n.true_acc: "not in data" if info.true_acc is None else n.perf_text(info.true_acc),
    }
    if info.true_score is not None:  # the oracle: true for any network, in the data or not
        shown[n.true_acc] = n.perf_text(info.true_score)
    if side:
        drawing, box = st.columns([1, 1])
        with drawing:
            draw_cell(info.arch, place, vertical=True)
        with box:
            for label, value in shown.items():
                st.metric(label, value)
    else:
        draw_cell(info.arch, place)
        for col, (label, value) in zip(st.columns(4), shown.items(), strict=True):
            col.metric(label, value)
    if legend:
        show_legend()
    st.code(info.arch, language=None)
    if note:
        st.caption(note)


def show_cell(dec: Decoded, title: str, side: bool = True) -> None:
    """Draw a decoded cell with its figures (or say that no valid cell came out)."""
    st.markdown(f"**{title}**")
    if dec.cell is None:
        st.warning(f"No valid {names().item} decoded here (every sample was invalid).")
        return
    note = f"decoded in {dec.share:.0%} of samples ({dec.valid_share:.0%} valid)"
    if dec.reproduced is not None:
        note = f"reproduced the original: **{'yes' if dec.reproduced else 'no'}** · {note}"
    cell_card(dec.cell, note, side, legend=False)  # the map page shows the legend once


ARCH_PAGE = "architecture"  # the Architecture page's URL path (NAV)


def diff_view(a: str, b: str, name_a: str, name_b: str) -> None:
    """Two ENAS cells with what changed from the first to the second (red: only in the
    first)."""
    d = cell_diff(a, b)
    st.markdown(f"**{name_a} → {name_b}:** {d.text()}")
    c = st.columns(2)
    c[0].markdown(diff_svg(a, b, "old"), unsafe_allow_html=True)
    c[1].markdown(diff_svg(b, a, "new"), unsafe_allow_html=True)
    st.caption("Red in the first cell: ops and skips it has and the second does not; green in "
               "the second: what it adds.")  # fmt: skip


def arch_link(arch: str) -> str:
    """A link that opens ``arch`` on the Architecture page (``?arch=...``, in a new tab)."""
    return f"{ARCH_PAGE}?arch={quote(arch)}"


def neighbours_table(frame: Any, height: int = 250) -> None:
    """The nearest data-set architectures, figures first, each linked to the Architecture page."""
    num, n = st.column_config.NumberColumn, names()
    st.dataframe(
        frame.assign(open=[arch_link(a) for a in frame.arch]),
        hide_index=True,
        height=height,
        column_order=["index", "true_acc", "pred_acc", "params", "distance", "open", "arch"],
        column_config={
            "true_acc": num(n.short_true, format=n.perf_format),
            "pred_acc": num(n.short_pred, format=n.perf_format),
            "params": num(format="localized"),
            "distance": num(format="%.3f"),
            "open": st.column_config.LinkColumn(
                "open", display_text="Architecture page", help="opens in a new tab"
            ),
        },
    )

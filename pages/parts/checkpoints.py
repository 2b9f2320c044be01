"""The sidebar's checkpoint picker and which checkpoint a session has picked."""

from __future__ import annotations

import streamlit as st

from ngae.explorer import (
    DEFAULT_CHECKPOINT,
    USER_ERRORS,
    checkpoint_summary,
    list_checkpoints,
    resolve_checkpoint,
)
from pages.parts.guard import HOW_TO_TRAIN

KEY = "checkpoint"
REQUEST = "checkpoint_request"


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


def explorer_key() -> tuple[str, int] | None:
    """``(name, mtime_ns)`` of the picked checkpoint, or ``None`` when there is none."""
    name = st.session_state.get(KEY)
    if not name:
        return None
    try:
        return name, resolve_checkpoint(name).stat().st_mtime_ns
    except (OSError, *USER_ERRORS):
        return None


def no_checkpoint() -> None:
    """The message every page shows while there is no checkpoint; stops the page."""
    st.info("**No checkpoint is available yet**, so there is nothing to explore. " + HOW_TO_TRAIN)
    st.stop()

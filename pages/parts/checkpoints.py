"""Which checkpoint a session shows: picked in the sidebar, named in the URL, stamped on what
pages hand each other.

The picked checkpoint is this app's own session value (:data:`KEY`), not a widget's: each page
draws its own sidebar picker, and Streamlit gives a widget on another page another identity
(its page is part of the widget's id), so a picker that held the choice itself started over on
every page, at the first name in the list, whenever the last page's value had not yet been
cleared. The picker widget only shows :data:`KEY` and writes a person's pick back to it.

The choice changes only when a person picks another checkpoint, or opens a link (a URL whose
``ckpt`` parameter names one; :func:`open_page` makes such links too). Every page writes it into
its URL, every link the app makes carries it, and what one page leaves for another is stamped
with it (:func:`carry`), so it is never applied to another checkpoint's model
(:func:`carried_value`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ngae.explorer import (
    DEFAULT_CHECKPOINT,
    USER_ERRORS,
    checkpoint_summary,
    list_checkpoints,
    resolve_checkpoint,
)
from pages.parts.guard import HOW_TO_TRAIN
from pages.parts.memory import TOKEN

KEY = "checkpoint"  # the picked checkpoint's file name (this app's value, not a widget's)
PICKER = "checkpoint_picker"  # the sidebar's selectbox: shows KEY, a pick writes KEY
PARAM = "ckpt"  # its name in every URL (the map's shared views use the same one)
REQUEST = "checkpoint_request"  # a page asks for another checkpoint on the next run
URL_SEEN = "_checkpoint_in_url"  # the URL's checkpoint as this session last wrote it


def choose_checkpoint() -> str | None:
    """Settle this run's checkpoint (before any page draws): a request, a link, or as it was.

    A ``ckpt`` in the URL that this session did not write itself comes from a link (a new tab,
    a reload, back or forward) and is followed; one naming no checkpoint here gets a notice.
    The URL then names the checkpoint shown; when a person picked another one, the rest of the
    URL described the old one's view and is dropped.
    """
    names, state = list_checkpoints(), st.session_state
    seen, given = state.get(URL_SEEN), st.query_params.get(PARAM)
    from_link = bool(given) and given != seen
    request = state.pop(REQUEST, None)
    if request in names:
        state[KEY] = request
    elif from_link and given in names:
        state[KEY] = given
    elif from_link:
        st.warning(f"The link names checkpoint {given!r}, which is not in checkpoints/ here.")
    name = _still_there(names)
    if seen is not None and name != seen and not from_link:  # picked on this page
        for param in [p for p in st.query_params if p not in (TOKEN, PARAM)]:
            del st.query_params[param]  # the old checkpoint's view, focus or object
    if name is None and PARAM in st.query_params:
        del st.query_params[PARAM]
    elif name is not None and given != name:
        st.query_params[PARAM] = name
    state[URL_SEEN] = name
    return name


def _still_there(names: list[str]) -> str | None:
    """The picked checkpoint if its file is still listed, else the default (with a notice)."""
    state = st.session_state
    if state.get(KEY) in names:
        return state[KEY]
    if state.get(KEY) is not None:
        st.warning(f"Checkpoint {state[KEY]!r} is no longer in checkpoints/.")
    state.pop(KEY, None)
    if names:
        state[KEY] = DEFAULT_CHECKPOINT.name if DEFAULT_CHECKPOINT.name in names else names[0]
    return state.get(KEY)


def checkpoint_picker() -> str | None:
    """The sidebar picker (choices from ``list_checkpoints()``), showing the picked checkpoint."""
    names = list_checkpoints()
    if not names:
        st.sidebar.warning("No checkpoint yet.")
        return None
    if st.session_state.get(KEY) in names:
        st.session_state[PICKER] = st.session_state[KEY]  # set before the widget: it shows KEY
    st.sidebar.selectbox(
        "Checkpoint",
        names,
        key=PICKER,
        on_change=_picked,
        format_func=checkpoint_label,
        help="Checkpoint files in checkpoints/ (training jobs add theirs here); partial: "
        "fewer epochs than its run asked for (still training, or cancelled).",
    )
    return picked()


def _picked() -> None:
    """A person picked a checkpoint (runs before the page, so the whole run shows it)."""
    st.session_state[KEY] = st.session_state[PICKER]


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
    """Ask for ``name`` on the next run (widgets cannot be set after creation)."""
    st.session_state[REQUEST] = name


def picked() -> str | None:
    """The picked checkpoint's file name, or ``None`` when there is none."""
    return st.session_state.get(KEY)


def checkpoint_params(name: str | None = None) -> dict[str, str]:
    """The query parameters that name checkpoint ``name`` (default: the picked one) in a link."""
    name = name or picked()
    return {PARAM: name} if name else {}


def open_page(path: str, name: str | None = None) -> None:
    """Switch to the page ``path`` showing checkpoint ``name`` (default: the picked one)."""
    st.switch_page(path, query_params=checkpoint_params(name))


def carry(value: Any) -> dict[str, Any]:
    """``value`` stamped with the checkpoint it belongs to (the picked one), for another page."""
    return {"checkpoint": picked(), "value": value}


def carried_value(carried: Any, notice: str) -> Any:
    """The value :func:`carry` stamped, if it belongs to the picked checkpoint.

    Otherwise ``None``, after a one-line ``notice`` (its ``{origin}`` and ``{here}`` name the
    two checkpoints): what belongs to one model is never applied to another.
    """
    if not isinstance(carried, dict) or "checkpoint" not in carried:
        return None
    if carried["checkpoint"] != picked():
        st.info(notice.format(origin=carried["checkpoint"], here=picked()))
        return None
    return carried["value"]


def explorer_key() -> tuple[str, int] | None:
    """``(name, mtime_ns)`` of the picked checkpoint, or ``None`` when there is none."""
    name = picked()
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

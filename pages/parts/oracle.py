"""Which of the oracle's sources (a benchmark's data sets) a session reads: picked in the
sidebar, named in the URL as ``dataset``.

Shown only where the checkpoint's space offers sources (``Explorer.oracle_sources``). As with
the checkpoint (:mod:`pages.parts.checkpoints`), the pick is this app's own session value
(:data:`KEY`, read by every page), not a widget's: the sidebar picker only shows it and writes a
person's pick back. A ``dataset`` in the URL that this session did not write comes from a link
and is followed. Where the checkpoint offers no sources, :data:`KEY` is unset (the last pick is
kept aside and comes back with a checkpoint that offers it).
"""

from __future__ import annotations

import streamlit as st

from ngae.explorer import USER_ERRORS
from ngae.ui.truth import relabel
from pages.parts import cached
from pages.parts.checkpoints import explorer_key

KEY = cached.SOURCE  # "oracle_source": the picked source (this app's value, not a widget's)
PICKER = "oracle_source_picker"  # the sidebar's selectbox: shows KEY, a pick writes KEY
PARAM = "dataset"  # its name in the URL
URL_SEEN = "_oracle_source_in_url"  # the URL's source as this session last wrote it
LAST = "_oracle_source_last"  # the last pick, kept while a checkpoint offers no sources
COLOURS = ("map_colour", "_kept_map_colour")  # the map's colour follows the pick


def offered() -> tuple[str, ...]:
    """The picked checkpoint's sources (none without a checkpoint or where it cannot open)."""
    key = explorer_key()
    if key is None:
        return ()
    try:
        return cached.oracle_sources(*key)
    except USER_ERRORS:
        return ()


def current() -> str | None:
    """The picked source, where the checkpoint offers it, else ``None``."""
    source = st.session_state.get(KEY)
    return source if source is not None and source in offered() else None


def choose_source() -> str | None:
    """Settle this run's source (after the checkpoint, before any page draws).

    A link's source, else the session's pick, else the last pick, else the space's default;
    then the URL names it and the map's colour follows it.
    """
    state, sources = st.session_state, offered()
    seen, given = state.get(URL_SEEN), st.query_params.get(PARAM)
    if not sources:
        if state.get(KEY) is not None:
            state[LAST] = state.pop(KEY)
        if given is not None:
            del st.query_params[PARAM]
        state.pop(URL_SEEN, None)
        return None
    if given and given != seen:
        if given in sources:
            state[KEY] = given
        else:
            st.warning(
                f"The link names data set {given!r}, which this checkpoint's oracle does not "
                f"offer (one of: {', '.join(sources)})."
            )
    if state.get(KEY) not in sources:
        last = state.get(LAST)
        state[KEY] = last if last in sources else cached.explorer().default_oracle_source()
    state[LAST] = source = state[KEY]
    if given != source:
        st.query_params[PARAM] = source
    state[URL_SEEN] = source
    follow_colour(sources, source)
    return source


def follow_colour(sources: tuple[str, ...], source: str) -> None:
    """A map coloured by a true figure on another source is coloured by it on ``source``."""
    metrics = cached.explorer().truth_metrics()
    for name in COLOURS:
        moved = relabel(st.session_state.get(name), metrics, sources, source)
        if moved is not None:
            st.session_state[name] = moved


def source_picker() -> str | None:
    """The sidebar picker, where the checkpoint offers sources; returns the pick."""
    sources = offered()
    if not sources:
        return None
    st.session_state[PICKER] = st.session_state.get(KEY)  # set before the widget: it shows KEY
    st.sidebar.selectbox(
        "Benchmark data set",
        sources,
        key=PICKER,
        on_change=_picked,
        help="The data set whose true figures the map's colours, the leaderboard and the "
        "Architecture page show (the model itself predicts the figure it was trained on).",
    )
    return current()


def _picked() -> None:
    """A person picked a source (runs before the page, so the whole run shows it)."""
    st.session_state[KEY] = st.session_state[PICKER]


def link_params() -> dict[str, str]:
    """The query parameters that name the picked source in a link (none where not offered)."""
    source = current()
    return {PARAM: source} if source else {}

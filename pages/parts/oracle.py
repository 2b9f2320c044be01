"""Which of the oracle's sources (a benchmark's data sets) a session reads: picked in the
sidebar, named in the URL as ``dataset``.

Shown only where the checkpoint's space offers sources (``Explorer.oracle_sources``). As with
the checkpoint (:mod:`pages.parts.checkpoints`), the pick is this app's own session value
(:data:`KEY`, read by every page), not a widget's: the sidebar picker only shows it and writes a
person's pick back. A ``dataset`` in the URL that this session did not write comes from a link
and is followed. Where the checkpoint offers no sources, :data:`KEY` is unset (the last pick is
kept aside and comes back with a checkpoint that offers it).

Under the picker, a person may give the oracle's full files (:data:`FILES`: a path of one, or
of a folder of them, such as the authors' per-epoch ``cora0.bench``); they are checked once
per path and checkpoint (``Explorer.source_files``) and the Architecture page draws an
object's training curves from the picked source's file. The path stays with the session,
not in the URL (a path on the server is no part of a link).
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
FILES = "oracle_files"  # the path of full files a person gave (this app's value)
FILES_BOX = "oracle_files_box"  # the sidebar's text box: shows FILES, an entry writes FILES
FILES_READ = "_oracle_files_read"  # ((checkpoint, path), its files by source or the error)


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
    files_box()
    return current()


def files_box() -> None:
    """The sidebar's box for the oracle's full files, with the check's one-line verdict."""
    state = st.session_state
    state[FILES_BOX] = state.get(FILES, "")  # set before the widget: it shows FILES
    st.sidebar.text_input(
        "Full benchmark files (optional)",
        key=FILES_BOX,
        on_change=_given,
        placeholder="path of cora0.bench, or of a folder",
        help="The benchmark authors' full per-epoch files (one per data set and seed, such "
        "as cora0.bench) or a folder holding them: the Architecture page then draws an "
        "architecture's training curves on the picked data set. The shipped tables hold none.",
    )
    files = checked_files()
    if isinstance(files, str):
        st.sidebar.error(files)
    elif files:
        count = sum(len(f) for f in files.values())
        st.sidebar.caption(
            f"{count} full file{'s' * (count > 1)}, with training curves on "
            f"{', '.join(files)} (Architecture page)."
        )


def checked_files() -> dict[str, tuple[str, ...]] | str:
    """The given path's files by source, or why they cannot be used (checked once per path
    and checkpoint; a single file is read then)."""
    state, given = st.session_state, st.session_state.get(FILES, "").strip()
    if not given or not offered():
        return {}
    stamp = (explorer_key(), given)
    kept = state.get(FILES_READ)
    if kept is None or kept[0] != stamp:
        try:
            with st.spinner(f"Reading {given} (a full benchmark file can take a minute)..."):
                found: dict | str = cached.explorer().source_files(given)
        except USER_ERRORS as err:
            found = str(err)
        state[FILES_READ] = kept = (stamp, found)
    return kept[1]


def given_files() -> dict[str, tuple[str, ...]]:
    """The full files given in the sidebar by source (none where none or unusable)."""
    files = checked_files()
    return files if isinstance(files, dict) else {}


def _given() -> None:
    """A person gave a path (or cleared it)."""
    st.session_state[FILES] = st.session_state[FILES_BOX]


def _picked() -> None:
    """A person picked a source (runs before the page, so the whole run shows it)."""
    st.session_state[KEY] = st.session_state[PICKER]


def link_params() -> dict[str, str]:
    """The query parameters that name the picked source in a link (none where not offered)."""
    source = current()
    return {PARAM: source} if source else {}

"""Search: gradient ascent in latent space toward good, small objects of the space; where the
space has an oracle, also the closed loop on its true figures (a second tab)."""

from dataclasses import replace

import streamlit as st

from pages import common
from pages.parts import background, cached, closed_loop
from pages.parts.checkpoints import explorer_key
from pages.parts.memory import SEARCH_RESULT, last_search, search_elsewhere
from pages.parts.search_form import read_form, selection_starts
from pages.parts.search_results import methods_view, show_result

SEARCH = background.Work(
    noun="search",
    task="search_task",
    result=SEARCH_RESULT,
    count="search_count",
    cancel="search_cancel",
    progress=lambda snap: (
        f"Ascending: step {snap.step} of {snap.total}"
        if snap.step < snap.total or not snap.total
        else "Decoding the end points"
    ),
)


def elsewhere_notice(key):
    """One line for a last search that belongs to another checkpoint (its results stay there)."""
    other = search_elsewhere(key)
    if other is None:
        return
    name, n = other["key"][0], other["n"]
    if name == key[0]:
        st.info(f"Search {n} ran on {name} before the file changed: its results are not shown.")
    else:
        st.info(f"Search {n} ran on **{name}**: pick it in the sidebar to see its results.")


def main():
    ex = cached.explorer()
    if not ex.space_info.has_oracle:
        st.title("Latent search")
        latent_search(ex)
        return
    st.title("Search")
    latent, loop = st.tabs(["Latent search", "Closed loop on true figures"])
    with latent:
        latent_search(ex)
    with loop:
        closed_loop.section(ex)


def latent_search(ex):
    """The gradient search from the data set's codes, its results and the methods compared."""
    key = explorer_key()
    n = cached.names()
    st.caption(
        f"Ascend predicted {n.perf} − λ · predicted complexity in latent space from the data "
        f"set's best codes (by true or predicted {n.perf}) or random ones, snapping back onto "
        f"real {n.items} every K steps; each sample ends at the best {n.item} it met, "
        f"decoded several times. All figures are those of the re-encoded {n.item}."
    )
    starts = selection_starts(len(cached.table(*key)))
    cfg = read_form()
    if cfg is not None and starts:
        cfg = replace(cfg, starts=tuple(starts), samples=len(starts)).validate()
    job = background.collect(SEARCH)
    if cfg is not None:
        job = background.start(SEARCH, key, lambda progress: ex.search(cfg, progress), job)
    if job is not None:
        if job["key"] != key:
            st.info(f"Search {job['n']} runs on **{job['key'][0]}**, not on this checkpoint.")
        background.poll(job["task"], SEARCH)
        return
    done = last_search(key)
    if done:
        show_result(ex, key, done["result"], done["n"])
    else:
        elsewhere_notice(key)
    curves = ex.method_curves() if ex.space_info.has_oracle else None
    if curves is not None:
        methods_view(ex, curves)


common.page("Search", main)

"""Search: gradient ascent in latent space toward good, small objects of the space; where the
space has an oracle, also the closed loop on its true figures (a second tab)."""

from dataclasses import replace

import streamlit as st

from ngae.explorer import BackgroundTask, duration
from pages import common
from pages.parts import cached, closed_loop
from pages.parts.checkpoints import explorer_key
from pages.parts.guard import guarded
from pages.parts.memory import SEARCH_RESULT, count_up, last_search, remember, search_elsewhere
from pages.parts.search_form import read_form, selection_starts
from pages.parts.search_results import methods_view, show_result

TASK, RESULT, COUNT = "search_task", SEARCH_RESULT, "search_count"


@st.fragment(run_every=0.5)
@guarded
def poll(task):
    snap = task.snapshot()
    if snap.done:
        st.rerun()
    step, total = snap.step, snap.total
    text = (
        f"Ascending: step {step} of {total}"
        if step < total or not total
        else "Decoding the end points"
    )
    bar, stop = st.columns([6, 1], vertical_alignment="bottom")
    bar.progress(step / total if total else 0.0, text=f"{text} · {duration(snap.elapsed)}")
    if stop.button("Cancel", key="search_cancel"):
        task.cancel()
        st.toast("Cancelling the search…")


def collect():
    """Move a finished task's result (or error) into session state and the session's memory."""
    job = st.session_state.get(TASK)
    if not job or not job["task"].snapshot().done:
        return job
    st.session_state.pop(TASK)
    snap = job["task"].snapshot()
    if snap.cancelled:
        st.warning(f"Search {job['n']} was cancelled; nothing was kept from it.")
    elif snap.error:
        st.error(f"The search stopped: {snap.error}")
    else:
        done = {"key": job["key"], "result": snap.result, "n": job["n"]}
        st.session_state[RESULT] = done
        remember(RESULT, done)
    return None


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
    job = collect()
    if cfg is not None:
        if job is not None:
            st.error("A search is already running in this tab: wait for it to finish.")
        else:
            task = BackgroundTask(lambda progress: ex.search(cfg, progress)).start()
            number = st.session_state[COUNT] = count_up(COUNT)
            job = st.session_state[TASK] = {"task": task, "key": key, "n": number}
    if job is not None:
        if job["key"] != key:
            st.info(f"Search {job['n']} runs on **{job['key'][0]}**, not on this checkpoint.")
        poll(job["task"])
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

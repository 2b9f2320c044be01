"""The Search page's closed loop on the oracle's true figures: settings, progress, results.

The search runs in a background task (:class:`~ngae.explorer.BackgroundTask`) that a timed
fragment polls; its result is kept for the browser session, per checkpoint.
"""

from __future__ import annotations

import streamlit as st

from ngae.explorer import LOOP_BUDGETS, LOOP_DEFAULTS, USER_ERRORS, duration
from ngae.ui.closed_loop import loop_figure, loop_frame, loop_summary
from pages.parts import background, cached
from pages.parts.checkpoints import carry, explorer_key
from pages.parts.editors import REQUEST as ARCH_REQUEST
from pages.parts.memory import recall

RESULT, TABLE = "loop_result", "loop_table"
LOOP = background.Work(
    noun="closed loop",
    task="loop_task",
    result=RESULT,
    count="loop_count",
    cancel="loop_cancel",
    progress=lambda snap: (
        f"Queried {snap.step} of {snap.total}" if snap.total else "Drawing the random start"
    ),
)
NUM = st.column_config.NumberColumn


def picked_source(key):
    """The data set picked in the sidebar where this checkpoint's oracle offers it, else None."""
    source = st.session_state.get(cached.SOURCE)
    return source if source and source in cached.oracle_sources(*key) else None


def read_form(n):
    """The budget and seed, when the form is submitted (else ``None``)."""
    lo, hi = LOOP_BUDGETS
    with st.form("loop_form"):
        c = st.columns([2, 2, 3], vertical_alignment="bottom")
        budget = c[0].number_input(
            "Budget (queries)",
            min_value=lo,
            max_value=hi,
            value=100,
            step=10,
            help=f"distinct {n.items} whose true figures the search may ask for",
        )
        seed = c[1].number_input(
            "Seed",
            min_value=0,
            value=0,
            step=1,
            help="the random start and the heads' initialisation; seed k draws as the "
            "benchmark's run k on the same data set",
        )
        if not c[2].form_submit_button("Run the closed loop", type="primary"):
            return None
    return int(budget), int(seed)


def last_run(key):
    """This session's last finished closed loop on checkpoint ``key``, or ``None``."""
    done = st.session_state.get(RESULT) or recall(RESULT)
    return done if done and done["key"] == key else None


def section(ex):
    """The closed loop: what it does, its settings, the running job or the last result."""
    key, n = explorer_key(), cached.names()
    source = picked_source(key)
    score = ex.space_info.oracle_metrics[0]
    st.caption(
        f"Search with the oracle in the loop. It asks for the true figures of "
        f"{LOOP_DEFAULTS.init} random {n.items}, then in rounds: fits a fresh accuracy head "
        f"on the codes of the {n.items} "
        f"asked so far (their true {score} only), climbs it from the best of them, decodes "
        f"the paths and asks about the new {n.items} met, best predicted first (or, when too "
        f"few are new, the unasked ones the head ranks highest), until the budget is spent. "
        f"Each distinct {n.item} costs one query. The curve follows the {n.item} with the "
        f"best {score} so far, by the figure a benchmark reports of it."
    )
    if source:
        st.markdown(f"Data set: **{source}** (pick another in the sidebar)")
    asked = read_form(n)
    job = background.collect(LOOP)
    if asked is not None:
        budget, seed = asked
        job = background.start(LOOP, key, lambda p: ex.closed_loop(budget, source, seed, p), job)
    if job is not None:
        if job["key"] != key:
            st.info(f"Closed loop {job['n']} runs on **{job['key'][0]}**, not this checkpoint.")
        background.poll(job["task"], LOOP)
        return
    done = last_run(key)
    if done is None:
        st.caption("No closed loop has run on this checkpoint in this tab yet.")
        return
    show_run(ex, done["result"], done["n"], n)


def show_run(ex, result, number, n):
    """A finished run: its headline, the curve beside the benchmark's, the table."""
    where = f" on {result.source}" if result.source else ""
    st.subheader(f"Closed loop {number}{where}", help="closed loops are numbered per tab")
    st.caption(
        f"Budget {result.budget} · seed {result.seed} · {result.rounds} rounds · "
        f"{duration(result.seconds)} · model {result.checkpoint}"
    )
    cols = st.columns(5)
    for col, (label, value) in zip(cols, loop_summary(result, n).items(), strict=False):
        col.metric(label, value)
    try:
        bench = ex.budget_figures(result.source or None)
    except USER_ERRORS as err:
        bench = None
        st.info(f"No benchmark figures to compare with: {err}")
    if bench is not None and bench.note:
        st.info(bench.note)
    st.plotly_chart(loop_figure(result, bench, n), key="loop_chart")
    if bench is not None and bench.files:
        st.caption(
            "Dashed: the benchmark's methods, mean ± std over their seeds at each budget "
            f"(assets/{', assets/'.join(bench.files)}); dotted: its ceilings."
        )
    results_table(result, n)


def results_table(result, n):
    """Every query, best first, with its true figures and rank; a chosen row opens."""
    frame = loop_frame(result)
    config = {m: NUM(m, format=n.perf_format) for m in result.metric_names}
    config["rank"] = NUM(
        f"rank of {result.pool_size:,}",
        format="localized",
        help=f"by true {result.metric_names[0]} among the data set's {n.items} (1: the best)",
    )
    config["arch"] = st.column_config.TextColumn(n.item, width=300)
    st.dataframe(
        frame,
        key=TABLE,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config=config,
    )
    event = st.session_state.get(TABLE)
    rows = (event or {}).get("selection", {}).get("rows", []) if event else []
    if not rows or rows[0] >= len(frame):
        st.caption(f"Select a row to open its {n.item} on the Architecture page.")
        return
    arch = frame.arch[rows[0]]
    st.markdown(f"Selected: `{arch}`")
    if st.button(f"Open the selected {n.item} on the Architecture page", key="loop_open_arch"):
        st.session_state[ARCH_REQUEST] = carry(arch)  # with its checkpoint
        st.switch_page("pages/architecture.py")

"""The Search page's results: figures, the oracle's verdict, the table, the chosen result along
its trajectory, the charts; and the search methods measured on true scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from ngae.explorer import duration
from ngae.ui.commands import search_command
from ngae.ui.figures import cloud_figure, methods_figure, trajectory_figure
from ngae.ui.numbers import margin_text, spread_text
from ngae.ui.tables import (
    methods_table,
    results_csv,
    results_frame,
    results_json,
    search_settings,
    truth_figures,
)
from pages.parts import cached
from pages.parts.checkpoints import carry
from pages.parts.compare import side_by_side
from pages.parts.drawing import cell_card, diff_view, draw_cell
from pages.parts.editors import REQUEST as ARCH_REQUEST

NUM = st.column_config.NumberColumn


def columns(n):
    """The results table's column labels and formats in the space's words."""
    fmt = n.perf_format
    return {
        "arch": st.column_config.TextColumn(width=300),
        "true_acc": NUM(n.short_true, format=fmt),
        "params": NUM(n.params, format="localized"),
        "pred_acc": NUM(n.short_pred, format=fmt),
        "pred_acc_sd": NUM(
            "± spread", format=fmt, help="spread of five refitted heads at its encoding"
        ),
        "pred_params": NUM(n.pred_params, format="localized"),
        "pred_acc_latent": NUM(f"{n.short_pred} (latent)", format=fmt),
        "decode_share": NUM("decode share", format="percent"),
        "true_score": NUM(
            f"oracle {n.perf_short}", format=fmt, help=f"the oracle's {n.perf} of the {n.item}"
        ),  # fmt: skip
    }


def selected_row(found):
    event = st.session_state.get("search_table")
    rows = (event or {}).get("selection", {}).get("rows", []) if event else []
    return rows[0] if rows and rows[0] < len(found) else None


def show_selected(ex, found, row):
    if row is None:
        st.caption("Select a row to draw its cell and mark it in both charts.")
        return
    st.markdown(f"**Result {row}** (marked in both charts below)")
    if st.button("Open on the Architecture page", key="search_open_arch"):
        st.session_state[ARCH_REQUEST] = carry(found[row].arch)  # with its checkpoint
        st.switch_page("pages/architecture.py")
    cell_card(ex.describe(found[row].arch), side=False, place="search")
    against_start(ex, found[row], row)
    trajectory_strip(ex, found[row])


def against_start(ex, found, row):
    """The result's start with its true figure, and one click to compare the two."""
    n = cached.names()
    if found.start_arch is None:
        st.caption(f"Started from a random latent point, not from a data-set {n.item}.")
        return
    start = ex.describe(found.start_arch)
    true = start.true_score if start.true_score is not None else start.true_acc
    where = "" if start.index is None else f" #{start.index}"
    known = "" if true is None else f", {n.true_acc} {n.perf_grouped(true)}"
    with st.expander(f"Compare with its start: data-set {n.item}{where}{known}"):
        if found.arch == start.arch:
            st.info(f"This result is its start: the search came back to the same {n.item}.")
        elif ex.space_info.can_diff:
            diff_view(start.arch, found.arch, "its start", f"result {row}")
        side_by_side(start, ex.describe(found.arch), "its start", f"result {row}")


def trajectory_strip(ex, found, per_row=6):
    """What the decoding is along this result's trajectory, and what changed at each step."""
    cells = ex.path_cells(np.array(found.trajectory))
    st.markdown(f"**Along its trajectory** ({len(cells)} distinct decodings, every 10 steps)")
    changes = [""] + ex.step_changes([c for _, c in cells])
    item = cached.names().item
    for start in range(0, len(cells), per_row):
        cols = st.columns(per_row)
        for k, (step, arch) in enumerate(cells[start : start + per_row]):
            with cols[k]:
                st.markdown(f"**step {step}**")
                if changes[start + k]:
                    st.caption(f"changed: {changes[start + k]}")
                if arch is None:
                    st.warning(f"no valid {item}")
                else:
                    draw_cell(arch, f"traj{start + k}", vertical=True)


def show_truth(t, n):
    """The oracle's verdict: the best true score found, the data set's best, the optimum."""
    c = st.columns(4)
    c[0].metric(
        f"best true {n.perf} found",
        n.perf_grouped(t["best_true"]),
        delta=f"{n.perf_grouped(t['best_true'] - t['dataset_best'], signed=True)} vs training best",
    )
    c[1].metric(f"training set's best {n.perf}", n.perf_grouped(t["dataset_best"]))
    c[2].metric("exact optimum", n.perf_grouped(t["optimum"]), help="the best over the space")
    c[3].metric("gap to the optimum", f"{t['gap']:.2%}")
    st.caption(
        f"{t['beats_dataset']} found {n.items} score above every training {n.item}. True "
        f"{n.perf} is the oracle's score of each decoded {n.item}."
    )


def methods_view(ex, curves):
    """NGAE's search, latent BO and random search on the true score at equal oracle budgets."""
    n = cached.names()
    st.subheader(f"Search methods on the true {n.perf}")
    st.plotly_chart(methods_figure(curves, names=n), key="methods_chart")
    st.dataframe(methods_table(curves), hide_index=True)
    st.caption(
        f"Measured by `{curves.command}` ({curves.machine}, {curves.date}); line: mean over "
        f"seeds, band: their range. An oracle call is the true {n.perf} of one distinct valid "
        f"{n.item}."
    )


def headline(ex, result, n, spread):
    """The figures of a search over the results table: the oracle's first where there is one
    (true figures), then the predicted ones with their error bars, never styled as a win."""
    summary, capped = result.summary, result.summary.max_params is not None
    truth = truth_figures(result)
    if truth is not None:
        show_truth(truth, n)
    c = st.columns(5)
    c[0].metric("distinct valid", f"{summary.distinct_valid} / {summary.samples}")
    c[1].metric("novel", summary.novel)
    gain = summary.best_pred_acc - result.dataset_best_pred_acc
    error = ex.perf_error()
    best = int(np.argmax([r.pred_acc for r in result.results])) if result.results else None
    bar = None if best is None else f"± {spread_text(spread[best], n)}"
    c[2].metric(
        f"best {n.pred_acc}",
        n.perf_text(summary.best_pred_acc),
        delta=bar,
        delta_color="off",  # an error bar, not a change: grey, no arrow
        delta_arrow="off",
        help=f"± the spread of five refitted heads at its encoding; the predictor's error (the "
        f"head's test RMSE) is {n.perf_grouped(error)}",
    )
    c[3].metric(
        "smaller than all better",
        summary.smaller_than_all_better,
        help=f"found {n.items} with fewer exact {n.cmplx} than every data-set {n.item} predicted "
        "at least as good",
    )
    c[4].metric("time", duration(result.seconds))
    if gain == gain:  # a predicted margin: never styled as a win, its worth said in words
        against = "vs the data set's best" + (" within the cap" if capped else "")
        st.markdown(f"Best predicted {n.perf} {margin_text(gain, error, n, against)}.")
    if capped:
        st.caption(
            f"Every result has at most {summary.max_params:,.0f} exact {n.cmplx}; "
            f"{summary.dataset_under_cap:,} data-set {n.items} are within the cap, the "
            f"best of them predicted at {n.perf_text(result.dataset_best_pred_acc)}."
        )
    if summary.note:
        st.info(summary.note)


def cli_command(ex, result):
    """The search's settings as the equivalent ``python -m ngae search`` command."""
    path = Path(ex.path)
    try:
        path = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        pass  # outside the working folder: the full path
    with st.expander("Copy these settings as a CLI command"):
        st.code(search_command(result.config, str(path)), language="bash")
        if result.config.get("starts"):
            st.caption(
                f"The {cached.names().items} picked on the map have no command-line flag: "
                "the command starts as its strategy says."
            )


def show_result(ex, key, result, count):
    """Search number ``count``: its figures, table, downloads, chosen result and charts."""
    res, n = result.results, cached.names()
    st.subheader(f"Results of search {count}", help="searches are numbered per browser tab")
    settings = search_settings(result.config)
    st.caption(
        "Settings: "
        + " · ".join(f"{k} {v}" for k, v in settings.items())
        + f" · model {result.checkpoint or key[0]} ({result.checkpoint_sha or ex.checkpoint_sha})"
    )
    spread = ex.found_uncertainty(result)
    headline(ex, result, n, spread)
    cli_command(ex, result)
    if not res:
        st.warning(
            f"No end point decoded to a valid {n.item}: try more decodes, fewer "
            "steps or a smaller learning rate."
        )
        return
    table = results_frame(result, spread)
    st.dataframe(
        table.assign(pred_params=table.pred_params.round().astype("Int64")),  # whole counts
        key="search_table",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config=columns(n),
    )
    d = st.columns([1, 1, 4])
    d[0].download_button(
        "Download CSV", results_csv(result, spread), f"search_{count}_results.csv", "text/csv"
    )
    d[1].download_button("Download JSON", results_json(result), f"search_{count}_results.json",
                         "application/json")  # fmt: skip
    row = selected_row(res)
    show_selected(ex, res, row)
    charts(ex, key, result, row, n)


def charts(ex, key, result, row, n):
    """The trajectories on the PCA map and the found objects over the data set's cloud."""
    res, tab = result.results, cached.table(*key)
    left, right = st.columns(2)
    with left:
        st.markdown("**Trajectories on the PCA map** (circle: start, star: end)")
        paths = [ex.place(np.array(r.trajectory), "pca") for r in res]
        xy = cached.projection(*key, "pca")
        st.plotly_chart(
            trajectory_figure(xy, tab.pred_acc.to_numpy(), paths, highlight=row),
            key="search_traj",
        )
    with right:
        st.markdown(
            f"**Predicted {n.perf} against {n.cmplx_short}** (orange: Pareto front, stars: found)"
        )
        st.plotly_chart(
            cloud_figure(
                tab, ex.pareto(result), res, highlight=row, names=n, label_of=ex.hover_text
            ),
            key="search_pareto",
        )

"""Search: gradient ascent in latent space toward accurate, small architectures."""

from dataclasses import replace

import numpy as np
import streamlit as st

from ngae.explorer import (
    DEFAULT_LR,
    SEARCH_DEFAULTS,
    STRATEGIES,
    BackgroundTask,
    SearchConfig,
    UserInputError,
    duration,
    step_diffs,
)
from ngae.ui.figures import cloud_figure, methods_figure, trajectory_figure
from ngae.ui.forms import parse_number
from ngae.ui.tables import (
    methods_table,
    results_csv,
    results_frame,
    results_json,
    search_settings,
    truth_figures,
)
from pages import common

D = SEARCH_DEFAULTS
LR_HELP = "defaults: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items())

TASK, RESULT, COUNT = "search_task", common.SEARCH_RESULT, "search_count"
ARCH_REQUEST = "arch_request"  # read by the Architecture page
NUM = st.column_config.NumberColumn


def columns(n):
    """The results table's column labels and formats in the space's words."""
    fmt = n.perf_format
    return {
        "arch": st.column_config.TextColumn(width=300),
        "true_acc": NUM(n.short_true, format=fmt),
        "params": NUM(n.params, format="localized"),
        "pred_acc": NUM(n.short_pred, format=fmt),
        "pred_params": NUM(n.pred_params, format="localized"),
        "pred_acc_latent": NUM(f"{n.short_pred} (latent)", format=fmt),
        "decode_share": NUM("decode share", format="percent"),
        "true_score": NUM("true BIC", format="%.1f", help="the oracle's BIC of the network"),
    }


def default_lambda():
    """λ's default: the seed's trade-off for ENAS; 0 for a score that already charges for
    complexity (BIC's penalty is its free parameters)."""
    return 0.0 if common.names().perf == "BIC" else D.lambda_cmplx


def selection_starts(rows):
    """Start indices the map's "Search from these" left (shown, and clearable), or ``[]``."""
    starts = [i for i in st.session_state.get("search_starts") or [] if 0 <= i < rows]
    if not starts:
        return []
    c = st.columns([4, 1], vertical_alignment="center")
    c[0].info(
        f"Starting from the {len(starts)} architectures selected on the map (the best "
        f"predicted of the selection): the start and sample settings below are not used."
    )
    if c[1].button("Use the settings instead", key="clear_starts"):
        st.session_state.pop("search_starts", None)
        st.rerun()
    return starts


def read_form():
    """The search form; returns a validated SearchConfig when submitted (errors inline)."""
    with st.form("search_form"):
        c = st.columns(4)
        strategy = c[0].radio(
            "Start from",
            list(STRATEGIES),
            index=STRATEGIES.index(D.strategy),
            horizontal=True,
            help="optimal: the best true accuracies of the data set; predicted: the best "
            "predicted ones; random: prior samples",
        )
        optimizers = list(DEFAULT_LR)
        optimizer = c[1].radio(
            "Optimizer", optimizers, index=optimizers.index(D.optimizer), horizontal=True
        )
        samples = c[2].number_input("Samples", 1, 1000, D.samples, step=1)
        steps = c[3].number_input("Steps", 0, 10000, D.steps, step=10)
        c = st.columns(4)
        lr = c[0].text_input(
            "Learning rate",
            "",
            placeholder="blank: the default",
            help=LR_HELP,
        )
        lam = c[1].text_input(
            "λ (complexity weight)",
            f"{default_lambda():g}",
            help="objective: predicted accuracy − λ · u · predicted complexity. u makes λ a "
            "unit: at λ = 1 going from the data set's largest architecture to its smallest is "
            "worth as much as going from its least accurate to its most accurate; 0: "
            "accuracy only",
        )
        max_params = c[2].text_input(
            "Max params",
            "",
            placeholder="no limit (e.g. 1.5M)",
            help="every architecture returned has at most this many exact parameters: "
            "searches start from the best data-set architectures within it and keep only "
            "architectures within it (1500000, 1,500,000, 1.5M and 1500k all work)",
        )
        decodes = c[3].number_input("Decodes per end point", 1, 1000, D.decodes, step=10)
        project = st.number_input(
            "Project onto real architectures every K steps (0: plain gradient ascent)",
            0,
            10000,
            D.project_every,
            help="decode each point and continue from the encoding of what it decodes to; "
            "each sample ends at the best architecture it met",
        )
        if not st.form_submit_button("Run search", type="primary"):
            return None
    try:
        lam_value = parse_number(lam, "λ (complexity weight)")
        return SearchConfig(
            optimizer=optimizer,
            strategy=strategy,
            samples=int(samples),
            steps=int(steps),
            lr=parse_number(lr, "Learning rate"),
            lambda_cmplx=default_lambda() if lam_value is None else lam_value,
            max_params=parse_number(max_params, "Max params"),
            decodes=int(decodes),
            project_every=int(project),
        ).validate()
    except UserInputError as err:
        st.error(f"Cannot search with these settings: {in_page_words(str(err))}")
        return None


# SearchConfig names its settings as the command line does; the page uses its own labels.
PAGE_LABELS = {
    "lr": "Learning rate",
    "lambda-cmplx": "λ (complexity weight)",
    "max-params": "Max params",
    "samples": "Samples",
    "steps": "Steps",
    "decodes": "Decodes per end point",
    "project-every": "Project every K steps",
    "trust-radius": "Trust radius",
}


def in_page_words(message):
    name, sep, rest = message.partition(" must ")
    return f"{PAGE_LABELS[name]} must {rest}" if sep and name in PAGE_LABELS else message


@st.fragment(run_every=0.5)
@common.guarded
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


def collect(key):
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
        st.session_state[RESULT] = common.remembered()[RESULT] = done
    return None


def last_result(key):
    """The last finished search of this browser session on this checkpoint, or ``None``."""
    return common.last_search(key)


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
        st.session_state[ARCH_REQUEST] = found[row].arch
        st.switch_page("pages/architecture.py")
    common.cell_card(ex.describe(found[row].arch), side=False, place="search")
    if common.space() == "enas6":
        trajectory_strip(ex, found[row])


def trajectory_strip(ex, found, per_row=6):
    """What the decoding is along this result's trajectory, and what changed at each step."""
    cells = ex.path_cells(np.array(found.trajectory))
    st.markdown(f"**Along its trajectory** ({len(cells)} distinct decodings, every 10 steps)")
    changes = [""] + step_diffs([c for _, c in cells])
    for start in range(0, len(cells), per_row):
        cols = st.columns(per_row)
        for k, (step, arch) in enumerate(cells[start : start + per_row]):
            with cols[k]:
                st.markdown(f"**step {step}**")
                if changes[start + k]:
                    st.caption(f"changed: {changes[start + k]}")
                if arch is None:
                    st.warning("no valid cell")
                else:
                    common.draw_cell(arch, f"traj{start + k}", vertical=True)


def show_truth(t):
    """The oracle's verdict: true BIC found, the data set's best, the exact optimum."""
    c = st.columns(4)
    c[0].metric(
        "best true BIC found",
        f"{t['best_true']:,.1f}",
        delta=f"{t['best_true'] - t['dataset_best']:+,.1f} vs training best",
    )
    c[1].metric("training set's best BIC", f"{t['dataset_best']:,.1f}")
    c[2].metric("exact optimum", f"{t['optimum']:,.1f}", help="dynamic programming over all DAGs")
    c[3].metric("gap to the optimum", f"{t['gap']:.2%}")
    st.caption(
        f"{t['beats_dataset']} found networks score above every training network. True BIC "
        "is the oracle's score of each decoded network on data/asia_samples.csv."
    )


def methods_view(ex):
    """NGAE's search, latent BO and random search on true BIC at equal oracle budgets."""
    st.subheader("Search methods on the true score")
    curves = ex.method_curves()
    if curves is None:
        st.info(
            "No comparison measured on this checkpoint yet: run "
            "`python benchmarks/asia_search_methods.py --checkpoint <this file>`."
        )
        return
    st.plotly_chart(methods_figure(curves), key="methods_chart")
    st.dataframe(methods_table(curves), hide_index=True)
    st.caption(
        f"Measured by `{curves.command}` ({curves.machine}, {curves.date}); line: mean over "
        "seeds, band: their range. An oracle call is the true BIC of one distinct valid network."
    )


def show_result(ex, key, result, n):
    res, summary = result.results, result.summary
    st.subheader(f"Results of search {n}", help="searches are numbered per browser tab")
    settings = search_settings(result.config)
    st.caption("Settings: " + " · ".join(f"{k} {v}" for k, v in settings.items()))
    capped = summary.max_params is not None
    c = st.columns(5)
    c[0].metric("distinct valid", f"{summary.distinct_valid} / {summary.samples}")
    c[1].metric("novel", summary.novel)
    gain = summary.best_pred_acc - result.dataset_best_pred_acc
    names = common.names()
    signed = "%+" + names.perf_format[1:]  # "%.4f" -> "%+.4f"
    c[2].metric(
        f"best {names.pred_acc}",
        names.perf_text(summary.best_pred_acc),
        delta=None
        if gain != gain
        else signed % gain + " vs data set best" + (" within cap" if capped else ""),
        delta_color="normal" if abs(gain) >= 5e-5 else "off",
    )
    c[3].metric(
        "smaller than all better",
        summary.smaller_than_all_better,
        help="found architectures with fewer exact parameters than every data-set "
        "architecture predicted at least as accurate",
    )
    c[4].metric("time", duration(result.seconds))
    truth = truth_figures(result)
    if truth is not None:
        show_truth(truth)
    if capped:
        st.caption(
            f"Every result has at most {summary.max_params:,.0f} exact parameters; "
            f"{summary.dataset_under_cap:,} data-set architectures are within the cap, the "
            f"best of them predicted at {result.dataset_best_pred_acc:.4f}."
        )
    if summary.note:
        st.info(summary.note)
    if not res:
        st.warning(
            "No end point decoded to a valid architecture: try more decodes, fewer "
            "steps or a smaller learning rate."
        )
        return
    table = results_frame(result)
    st.dataframe(
        table.assign(pred_params=table.pred_params.round().astype("Int64")),  # whole counts
        key="search_table",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config=columns(common.names()),
    )
    d = st.columns([1, 1, 4])
    d[0].download_button("Download CSV", results_csv(result), f"search_{n}_results.csv", "text/csv")
    d[1].download_button(
        "Download JSON", results_json(result), f"search_{n}_results.json", "application/json"
    )
    row = selected_row(res)
    show_selected(ex, res, row)
    tab = common.table(*key)
    left, right = st.columns(2)
    with left:
        st.markdown("**Trajectories on the PCA map** (circle: start, star: end)")
        paths = [ex.place(np.array(r.trajectory), "pca") for r in res]
        st.plotly_chart(
            trajectory_figure(
                common.projection(*key, "pca"), tab.pred_acc.to_numpy(), paths, highlight=row
            ),
            key="search_traj",
        )
    with right:
        st.markdown("**Predicted accuracy against params** (orange: Pareto front, stars: found)")
        st.plotly_chart(
            cloud_figure(tab, ex.pareto(result), res, highlight=row), key="search_pareto"
        )


def main():
    st.title("Latent search")
    ex = common.explorer()
    key = common.explorer_key()
    n = common.names()
    st.caption(
        f"Ascend predicted {n.perf} − λ · predicted complexity in latent space from the data "
        f"set's best codes (by true or predicted {n.perf}) or random ones, snapping back onto "
        f"real {n.item}s every K steps; each sample ends at the best {n.item} it met, "
        f"decoded several times. All figures are those of the re-encoded {n.item}."
    )
    starts = selection_starts(len(common.table(*key)))
    cfg = read_form()
    if cfg is not None and starts:
        cfg = replace(cfg, starts=tuple(starts), samples=len(starts)).validate()
    job = collect(key)
    if cfg is not None:
        if job is not None:
            st.error("A search is already running in this tab: wait for it to finish.")
        else:
            task = BackgroundTask(lambda progress: ex.search(cfg, progress)).start()
            memory = common.remembered()
            n = st.session_state[COUNT] = memory[COUNT] = memory.get(COUNT, 0) + 1
            job = st.session_state[TASK] = {"task": task, "key": key, "n": n}
    if job is not None:
        poll(job["task"])
        return
    done = last_result(key)
    if done:
        show_result(ex, key, done["result"], done["n"])
    if ex.space_info.has_oracle:
        methods_view(ex)


common.page("Search", main)

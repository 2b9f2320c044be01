"""Model: the checkpoint's card (configs, training curves, metrics, predictions, data)."""

import pandas as pd
import streamlit as st

from ngae.explorer import BackgroundTask, duration
from ngae.ui.card import epochs_line, heads_line, lr_line
from ngae.ui.figures import history_figure, prediction_figure
from ngae.ui.forms import count
from ngae.ui.tables import compare_with_parent, eval_settings, metrics_table
from pages import common
from pages.parts import cached
from pages.parts.guard import guarded


def configs(card):
    c = st.columns(2)
    for col, title, cfg in (
        (c[0], "Model config", card.model_config),
        (c[1], "Training config", card.train_config),
    ):
        with col:
            st.markdown(f"**{title}**")
            rows = {k: str(v) for k, v in cfg.items()}
            st.dataframe(pd.Series(rows, name="value").rename_axis("setting"), height=300)


def data_stats(data, train_graphs):
    st.subheader("Data set")
    n = cached.names()
    top = st.columns(4)
    top[0].metric(n.items, f"{data.architectures:,}")
    top[1].metric("distinct", f"{data.distinct:,}")
    used = "" if train_graphs is None or train_graphs == data.train else f"{train_graphs:,} of "
    top[2].metric(
        "trained on" if used else "train",
        f"{used}{data.train:,}",
        help="graphs of D-VAE's training split this checkpoint was trained on",
    )
    top[3].metric("test", f"{data.test:,}", help="D-VAE's split")
    low = st.columns(2)
    low[0].metric(n.true_acc, f"{n.perf_grouped(data.acc_min)} to {n.perf_grouped(data.acc_max)}",
                  help=f"range; mean {n.perf_grouped(data.acc_mean)}")  # fmt: skip
    low[1].metric(n.params, f"{count(data.params_min)} to {count(data.params_max)}",
                  help=f"range of {n.cmplx}")  # fmt: skip


def how_it_was_made(card):
    """How the checkpoint was made, from what its file records: epochs done of those planned,
    the learning rate per epoch, the predictor heads' refit."""
    lines = [epochs_line(card), lr_line(card), heads_line(card)]
    st.markdown("\n\n".join(line for line in lines if line))


def evaluation_section(ex, card):
    st.subheader("Evaluation beside the published figures")
    ev = card.evaluation
    if not ev:
        st.info("This checkpoint has not been evaluated yet.")
        full_evaluation(ex, card)
        return
    protocol = ev.get("protocol") or ("full" if ev.get("recon_decodes", 0) >= 100 else "quick")
    if protocol == "quick":
        st.warning(
            "These figures come from the **quick** evaluation a training job ends with "
            f"({eval_settings(ev)}): estimates, not comparable with the published figures, "
            "which use D-VAE's full protocol."
        )
    table = metrics_table(ev, card.published)
    table = table.rename(columns={"this model": f"this model ({protocol})"})
    st.dataframe(
        table.map(lambda v: "" if pd.isna(v) else f"{v:.4g}"),  # blanks, not "None"
        height=35 * (len(table) + 1) + 3,  # every row, no inner scroll box
    )
    note = ex.space_info.reference.note
    st.caption(
        f"D-VAE's protocols on the test split ({protocol}): {eval_settings(ev)}."
        + (f" {note[:1].upper()}{note[1:]}." if note else "")
    )
    if protocol == "quick":
        full_evaluation(ex, card)
    parent = card.lineage.get("parent_evaluation") or {}
    if parent:
        st.markdown(f"**Against its parent {card.lineage.get('parent')}**")
        changes = compare_with_parent(ev, parent)
        if parent.get("protocol", "full") != protocol:
            st.caption(
                f"The parent's figures come from a {parent.get('protocol', 'full')} evaluation, "
                f"these from a {protocol} one: differences include the protocol's."
            )
        st.dataframe(
            changes.style.format({c: "{:.4g}" for c in ("parent", "this model", "change")}).map(
                lambda v: "color: #C0392B; font-weight: 600" if v == "worse" else "",
                subset=["verdict"],
            ),
            height=35 * (len(changes) + 1) + 3,
        )


def full_evaluation(ex, card):
    """Run D-VAE's full protocol in the background and store it in the checkpoint."""
    state = st.session_state
    task = state.get("full_eval")
    if task is not None and task["name"] == card.name:
        poll_evaluation(task)
        return
    if st.button("Run the full evaluation", key="full_eval_go"):
        state["full_eval"] = {"name": card.name, "task": ex_full_evaluation(ex).start()}
        st.rerun()
    st.caption(
        "D-VAE's protocol (100 decodes per test graph, 1,000 x 10 prior samples); takes "
        "minutes on a CPU and rewrites this checkpoint with the result."
    )


def ex_full_evaluation(ex):
    return BackgroundTask(lambda progress: ex.evaluate_full())


@st.fragment(run_every=2)
@guarded
def poll_evaluation(task):
    snap = task["task"].snapshot()
    if snap.done:
        st.session_state.pop("full_eval", None)
        if snap.error:
            st.error(f"The full evaluation failed: {snap.error}")
            return
        st.rerun(scope="app")
    st.progress(0.5, text=f"Running the full evaluation · {duration(snap.elapsed)}")


def main():
    ex = cached.explorer()
    card = ex.model_card()
    st.title(f"Model: {card.name}")
    how_it_was_made(card)
    data_stats(card.data, card.train_graphs)
    evaluation_section(ex, card)
    st.subheader("Predictors on the test split")
    preds = ex.test_predictions()
    c = st.columns(2)
    n = cached.names()
    hover = ex.hover_text
    c[0].plotly_chart(
        prediction_figure(preds, "pred_acc", "true_acc", n.perf_title, hover=hover),
        key="pred_acc_chart",
    )
    c[1].plotly_chart(
        prediction_figure(preds, "pred_params", "params", n.cmplx.capitalize(), log=True,
                          hover=hover),
        key="pred_params_chart",
    )  # fmt: skip
    st.subheader("Training curves")
    if len(card.history):
        st.plotly_chart(history_figure(card.history), key="history_chart")
        with st.expander("History table"):
            st.dataframe(card.history, hide_index=True)
    else:
        st.info("This checkpoint has no training history.")
    st.subheader("Configuration")
    configs(card)


common.page("Model", main)

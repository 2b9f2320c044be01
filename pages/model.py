"""Model: the checkpoint's card (configs, training curves, metrics, predictions, data)."""

import pandas as pd
import streamlit as st

from ngae.ui.figures import history_figure, prediction_figure
from ngae.ui.tables import eval_settings, metrics_table
from pages import common


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


def data_stats(data):
    st.subheader("Data set")
    c = st.columns(6)
    c[0].metric("architectures", f"{data.architectures:,}")
    c[1].metric("distinct", f"{data.distinct:,}")
    c[2].metric("train", f"{data.train:,}", help="D-VAE's split")
    c[3].metric("test", f"{data.test:,}", help="D-VAE's split")
    c[4].metric(
        "accuracy",
        f"{data.acc_min:.3f}–{data.acc_max:.3f}",
        help=f"range; mean {data.acc_mean:.4f}",
    )
    c[5].metric(
        "params",
        f"{data.params_min / 1e6:.1f}M–{data.params_max / 1e6:.1f}M",
        help="range of exact parameter counts",
    )


def main():
    ex = common.explorer()
    card = ex.model_card()
    st.title(f"Model: {card.name}")
    st.caption(f"Trained for {card.epoch} epochs.")
    data_stats(card.data)
    st.subheader("Evaluation beside the published figures")
    if card.evaluation:
        table = metrics_table(card.evaluation, card.published)
        st.dataframe(table.style.format(lambda v: "" if pd.isna(v) else f"{v:.4g}"))
        st.caption(f"D-VAE's protocols on the test split: {eval_settings(card.evaluation)}.")
    else:
        st.info(
            "This checkpoint has not been evaluated yet: run "
            f"`ngae evaluate --checkpoint checkpoints/{card.name} --store`."
        )
    st.subheader("Predictors on the test split")
    preds = ex.test_predictions()
    c = st.columns(2)
    c[0].plotly_chart(
        prediction_figure(preds, "pred_acc", "true_acc", "Accuracy"), key="pred_acc_chart"
    )
    c[1].plotly_chart(
        prediction_figure(preds, "pred_params", "params", "Parameters", log=True),
        key="pred_params_chart",
    )
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

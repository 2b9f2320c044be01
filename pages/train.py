"""Train: start a training job (new model or fine-tune), watch it live, cancel it."""

import time

import pandas as pd
import streamlit as st

from ngae.explorer import (
    TRAIN_DEFAULTS,
    JobManager,
    TrainRequest,
    UserInputError,
    checkpoint_summary,
    duration,
    estimate_seconds,
    resolve_checkpoint,
    space_titles,
)
from ngae.ui.figures import history_figure
from ngae.ui.forms import parse_number
from ngae.ui.tables import jobs_frame
from pages import common
from pages.parts import cached
from pages.parts.checkpoints import explorer_key, open_page
from pages.parts.guard import guarded

D = TRAIN_DEFAULTS
PRECISION_LABELS = {"auto": "auto (bf16 where fast)", "fp32": "fp32", "bf16": "bf16"}

NAME, NEW_NAME = "train_name", "train_new_name"
MODES = {"new": "a new model", "finetune": "fine-tune the selected checkpoint"}


def read_form(base):
    """The training form; returns a TrainRequest when submitted and valid (errors inline)."""
    if st.session_state.pop(NEW_NAME, False) or NAME not in st.session_state:
        st.session_state[NAME] = f"run_{time.strftime('%Y%m%d_%H%M%S')}"
    with st.form("train_form"):
        c = st.columns(3)
        mode = c[0].radio(
            "Train",
            list(MODES),
            format_func=MODES.get,
            disabled=base is None,
            key="train_mode",
            help="fine-tuning continues from the checkpoint picked in the sidebar",
        )
        name = c[1].text_input(
            "Output name", key=NAME, help="saved as checkpoints/<name>.pt; letters, digits, - and _"
        )
        max_train = c[2].number_input(
            "Max training graphs (0 = all)",
            value=0,
            step=100,
            help="use only the first N training graphs: quick runs",
        )
        c = st.columns([2, 1])
        titles = space_titles()
        space = c[0].radio(
            "Search space (new model)",
            list(titles),
            format_func=titles.get,
            horizontal=True,
            key="train_space",
            help="the data set a new model trains on; fine-tuning keeps the base's",
        )
        precision = c[1].selectbox(
            "Precision",
            list(PRECISION_LABELS),
            format_func=PRECISION_LABELS.get,
            key="train_precision",
            help="bf16 matrix products in the encoder and decoder (heads, losses and Adam stay "
            "fp32); auto measures whether this machine multiplies bf16 fast",
        )
        c = st.columns(5)
        epochs = c[0].number_input("Epochs", value=D.epochs, step=1)
        batch = c[1].number_input("Batch size", value=D.batch_size, step=1)
        lr = c[2].text_input("Learning rate", f"{D.lr:g}", placeholder=f"e.g. {D.lr:g}")
        hs = c[3].number_input("Hidden size (new model)", value=D.hs, step=1)
        nz = c[4].number_input("Latent size (new model)", value=D.nz, step=1)
        if not st.form_submit_button("Start training", type="primary"):
            return None
    try:
        rate = parse_number(lr, "Learning rate")
        if rate is None:  # never a silent default: the job would run at a rate nobody chose
            raise UserInputError(f"Learning rate: empty; write one, e.g. {D.lr:g}")
        return TrainRequest(
            name=name.strip(),
            mode=mode,
            base=base if mode == "finetune" else None,
            epochs=int(epochs),
            batch_size=int(batch),
            lr=rate,
            hs=int(hs),
            nz=int(nz),
            max_train=int(max_train) or None,
            space=space,
            precision=precision,
        ).validate()
    except UserInputError as err:
        st.error(f"Cannot start: {err}")
        return None


@st.fragment(run_every=1.5)
@guarded
def live(manager, job_id):
    job = manager.get(job_id)
    if job is None or job.status != "running":
        st.rerun()
    st.subheader(f"Job {job.id}: training {job.output}")
    # The bar and its line come from the same report of the job (progress and message).
    st.progress(min(max(job.progress, 0.0), 1.0), text=job.message or "starting")
    if st.button("Cancel training", key=f"cancel_{job.id}"):
        manager.cancel(job.id)
        st.toast("Cancelling after the current batch…")
    if job.history:
        last = job.history[-1]
        c = st.columns(4)
        c[0].metric("loss", f"{last['loss']:.4f}")
        c[1].metric("recon", f"{last['recon']:.4f}")
        c[2].metric("KL", f"{last['kl']:.4f}")
        c[3].metric("seconds / epoch", f"{last['seconds']:.1f}")
        st.plotly_chart(history_figure(job.history, height=420), key=f"live_{job.id}")


@st.cache_data(max_entries=32, show_spinner=False)
def evaluation_of(name, mtime_ns):
    figures = checkpoint_summary(name).evaluation
    return pd.DataFrame({"value": figures}).rename_axis("metric")


def finished(job):
    """The last job's outcome: where its checkpoint is and how it did."""
    if job.status == "failed":
        st.error(f"Job {job.id} failed: {job.message}")
        return
    if job.status == "cancelled":
        st.warning(f"Job {job.id} was cancelled: {job.message}")
        return
    st.success(f"Job {job.id} finished: **{job.output}** is now in the checkpoint picker.")
    try:
        path = resolve_checkpoint(job.output)
    except UserInputError:
        return
    evaluation = evaluation_of(job.output, path.stat().st_mtime_ns)
    if len(evaluation):
        st.markdown("**Quick evaluation** (test split; the Model page has the full card)")
        st.dataframe(evaluation, hide_index=False)
    if job.history:
        st.plotly_chart(history_figure(job.history, height=380), key=f"done_{job.id}")
    if st.button(f"Explore {job.output}", key=f"open_{job.id}"):
        open_page("pages/model.py", job.output)


LONG_JOB = 600.0  # seconds: longer jobs are started only after the estimate was shown
PENDING = "train_pending"


def estimate(manager, request):
    """(seconds, how it was estimated) for a request, or (nan, reason)."""
    key = explorer_key()
    if key is None:
        return float("nan"), "no earlier run to measure from"
    card = cached.explorer().model_card()  # the selected checkpoint
    graphs = card.data.train  # D-VAE's training split
    history = card.history.to_dict("records")
    hs = card.model_config.get("hs")
    found = estimate_seconds(request, graphs, manager.list(limit=50), history, hs)
    return found if found is not None else (float("nan"), "no earlier run to measure from")


def start(manager, request):
    try:
        job = manager.start_training(request)
        st.session_state[NEW_NAME] = True  # the next run offers a fresh output name
        st.toast(f"Started job {job.id}")
    except UserInputError as err:  # JobBusyError too: one job at a time
        st.error(f"Cannot start: {err}")


def main():
    st.title("Train")
    manager = JobManager()
    key = explorer_key()
    if key is None:
        st.info(
            "No checkpoint yet: train a new model below (quick runs: a few epochs and a few "
            "thousand graphs), or run `python -m ngae train` in a terminal."
        )
    if key is not None:
        st.caption(f"Fine-tuning starts from **{key[0]}**, the checkpoint picked in the sidebar.")
    request = read_form(key[0] if key else None)
    if request is not None:
        seconds, how = estimate(manager, request)
        long_job = seconds == seconds and seconds > LONG_JOB  # nan: no estimate
        st.session_state[PENDING] = (request, seconds, how) if long_job else None
        if not long_job:
            start(manager, request)
    pending = st.session_state.get(PENDING)
    if pending is not None and pending[0].base not in (None, key and key[0]):
        st.info(f"The job waiting to be confirmed fine-tunes **{pending[0].base}**, not the "
                "checkpoint picked now: it was dropped; start it again from the form.")  # fmt: skip
        pending = st.session_state[PENDING] = None
    if pending is not None:
        waiting, seconds, how = pending
        st.warning(
            f"This job will take about {duration(seconds)} on this machine ({how}). "
            "Start it anyway, or change the epochs or the number of training graphs."
        )
        if st.button("Start anyway", key="train_confirm"):
            st.session_state[PENDING] = None
            start(manager, waiting)
    current = manager.current()
    if current is not None:
        live(manager, current.id)
    else:
        recent = manager.list(limit=1)
        if recent:
            finished(recent[0])
    st.subheader("Jobs")
    jobs = manager.list(limit=20)
    if jobs:
        st.dataframe(jobs_frame(jobs), hide_index=True)
    else:
        st.caption("No training job yet.")


common.page("Train", main)

"""The Search page's form: settings read as people write them, defaults from the space."""

from __future__ import annotations

import streamlit as st

from ngae.explorer import DEFAULT_LR, SEARCH_DEFAULTS, STRATEGIES, SearchConfig, UserInputError
from ngae.ui.forms import count, parse_number
from pages.parts import cached
from pages.parts.checkpoints import carried_value

D = SEARCH_DEFAULTS
STARTS = "search_starts"  # set by the map: data-set rows, stamped with their checkpoint
LR_HELP = "defaults: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items())
LAMBDA = "λ (complexity weight)"


def cap_label(n):
    """The complexity cap's label ("Max params")."""
    return f"Max {n.cmplx_short}"


def selection_starts(rows):
    """Start indices the map's "Search from these" left (shown, and clearable), or ``[]``.

    They are rows of one checkpoint's data set: on another checkpoint they are refused.
    """
    carried = st.session_state.get(STARTS)
    count = len(carried["value"]) if carried else 0
    value = carried_value(
        carried,
        f"The {count} start points selected on the map of **{{origin}}** are not used on "
        "**{here}**: pick {origin} in the sidebar to search from them.",
    )
    starts = [i for i in value or [] if 0 <= i < rows]
    if not starts:
        return []
    c = st.columns([4, 1], vertical_alignment="center")
    c[0].info(
        f"Starting from the {len(starts)} {cached.names().items} selected on the map (the best "
        f"predicted of the selection): the start and sample settings below are not used."
    )
    if c[1].button("Use the settings instead", key="clear_starts"):
        st.session_state.pop(STARTS, None)
        st.rerun()
    return starts


def read_form():
    """The search form; returns a validated SearchConfig when submitted (errors inline)."""
    n, defaults = cached.names(), cached.explorer().space_info.search_defaults
    with st.form("search_form"):
        c = st.columns(4)
        strategy = c[0].radio(
            "Start from",
            list(STRATEGIES),
            index=STRATEGIES.index(defaults.strategy),
            horizontal=True,
            help=f"optimal: the best true {n.perf} of the data set; predicted: the best "
            "predicted; random: prior samples",
        )
        optimizers = list(DEFAULT_LR)
        optimizer = c[1].radio(
            "Optimizer", optimizers, index=optimizers.index(D.optimizer), horizontal=True
        )
        samples = c[2].number_input("Samples", value=D.samples, step=1)
        steps = c[3].number_input("Steps", value=D.steps, step=10)
        c = st.columns(4)
        lr = c[0].text_input("Learning rate", "", placeholder="blank: the default", help=LR_HELP)
        lam = c[1].text_input(
            LAMBDA,
            f"{defaults.lambda_cmplx:g}",
            help=f"objective: predicted {n.perf} − λ · u · predicted complexity. u makes λ a "
            f"unit: at λ = 1 going from the data set's largest {n.item} to its smallest is "
            f"worth as much as going from its worst to its best; 0: {n.perf} only"
            + (f" (this space's default: {defaults.reason})" if defaults.reason else ""),
        )
        max_params = c[2].text_input(
            cap_label(n),
            "" if defaults.max_params is None else count(defaults.max_params),
            placeholder="no limit (e.g. 1.5M)",
            help=f"every {n.item} returned has at most this many exact {n.cmplx}: searches start "
            f"from the best data-set {n.items} within it and keep only {n.items} within it "
            "(1500000, 1,500,000, 1.5M and 1500k all work)",
        )
        decodes = c[3].number_input("Decodes per end point", value=D.decodes, step=10)
        project = st.number_input(
            f"Project onto real {n.items} every K steps (0: plain gradient ascent)",
            value=D.project_every,
            step=1,
            help=f"decode each point and continue from the encoding of what it decodes to; "
            f"each sample ends at the best {n.item} it met",
        )
        if not st.form_submit_button("Run search", type="primary"):
            return None
    try:
        lam_value = parse_number(lam, LAMBDA)
        return SearchConfig(
            optimizer=optimizer,
            strategy=strategy,
            samples=int(samples),
            steps=int(steps),
            lr=parse_number(lr, "Learning rate"),
            lambda_cmplx=defaults.lambda_cmplx if lam_value is None else lam_value,
            max_params=parse_number(max_params, cap_label(n)),
            decodes=int(decodes),
            project_every=int(project),
        ).validate()
    except UserInputError as err:
        st.error(f"Cannot search with these settings: {in_page_words(str(err), n)}")
        return None


def in_page_words(message, n):
    """A SearchConfig message (settings named as on the command line) in the page's labels."""
    labels = {
        "lr": "Learning rate",
        "lambda-cmplx": LAMBDA,
        "max-params": cap_label(n),
        "samples": "Samples",
        "steps": "Steps",
        "decodes": "Decodes per end point",
        "project-every": "Project every K steps",
        "trust-radius": "Trust radius",
    }
    name, sep, rest = message.partition(" must ")
    return f"{labels[name]} must {rest}" if sep and name in labels else message

"""The Architecture page's comparison: this object against any other, what changed drawn."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ngae.explorer import USER_ERRORS
from ngae.ui.numbers import with_spread, within_error
from pages.parts import cached
from pages.parts.drawing import diff_view

WITH = "arch_compare"  # the other object (empty: the nearest other data-set object)


def compare(ex, info, near):
    """This object against any other (the nearest other data-set object unless one is typed):
    both drawn with their differences, and their figures side by side."""
    n = cached.names()
    linked = st.query_params.get("with")
    state = st.session_state
    if linked and state.get("_arch_with_linked") != linked:
        state["_arch_with_linked"] = state[WITH] = linked
    # Open while an object is typed, and after (clearing the box shows the nearest, still open).
    opened = state["_arch_compare_used"] = bool(state.get(WITH) or state.get("_arch_compare_used"))
    with st.expander(f"Compare with another {n.item}", expanded=opened):
        st.text_input(
            f"Other {n.item} string",
            key=WITH,
            placeholder=f"empty: the nearest other data-set {n.item}",
            help=f"any {n.item} of this space; the drawing marks what the other one changes",
        )
        text = (state.get(WITH) or "").strip()
        if not text:
            others = [a for a in near.arch if a != info.arch]
            if not others:
                st.info(f"No other data-set {n.item} is near: type one to compare.")
                return
            text = others[0]
        try:
            other = ex.describe(text)
        except USER_ERRORS as err:
            st.error(f"Not a valid {n.item} to compare with: {err}")
            return
        mine, theirs = f"this {n.item}", "the other"
        diff_view(info.arch, other.arch, mine, theirs)
        side_by_side(info, other, mine, theirs)
        st.code(other.arch, language=None)


def side_by_side(info, other, mine, theirs):
    """The two objects' figures in one table (the true figure first, predictions with their
    spread), with their latent distance."""
    n, ex = cached.names(), cached.explorer()
    spread = ex.uncertainty(np.stack([np.asarray(info.z), np.asarray(other.z)]))
    rows = {
        n.true_acc: tuple(true_text(c, n) for c in (info, other)),
        n.pred_acc: tuple(
            with_spread(c.pred_acc, s, n) for c, s in zip((info, other), spread, strict=True)
        ),
        n.params: (f"{info.params:,}", f"{other.params:,}"),
        "latent distance": (
            "",
            f"{float(np.linalg.norm(np.asarray(info.z) - np.asarray(other.z))):.3f}",
        ),
    }
    st.table({"": list(rows), mine: [v[0] for v in rows.values()],
              theirs: [v[1] for v in rows.values()]})  # fmt: skip
    gap = info.pred_acc - other.pred_acc
    if info.arch != other.arch and within_error(gap, ex.perf_error()):
        st.caption(
            f"The two predicted {n.perf} figures differ by less than the predictor's error "
            f"(± {n.perf_grouped(ex.perf_error())}): the prediction cannot tell them apart."
        )


def true_text(info, n):
    """The true figure: the oracle's where the space has one, else the data set's."""
    true = info.true_score if info.true_score is not None else info.true_acc
    return "not in data" if true is None else n.perf_grouped(true)

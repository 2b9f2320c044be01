"""Drawing widgets: an object drawn with its figures and downloads, a difference, neighbours.

Drawings come from :mod:`ngae.ui.cells` (the space's own sketch, laid out by Graphviz); the
space is named to it by ``SpaceInfo.name`` (a key, never a decision).
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
import streamlit as st

from ngae.explorer import CellInfo, Decoded
from ngae.ui.cells import (
    DRAW_FORMATS,
    MIME_TYPES,
    cell_file,
    cell_svg,
    diff_svg,
    file_stem,
    legend_badges,
)
from ngae.ui.numbers import spread_text, whole
from pages.parts.cached import explorer, names
from pages.parts.checkpoints import checkpoint_params

ARCH_PAGE = "architecture"  # the Architecture page's URL path (NAV)


def show_legend() -> None:
    """The colour legend of the drawings (what the space's colours mean), if it has one."""
    st.markdown(legend_badges(explorer().space_info.legend), unsafe_allow_html=True)  # escaped


def draw_cell(arch: str, place: str, vertical: bool = False) -> None:
    """An object laid out by Graphviz on the server, shown as inline SVG, with its downloads."""
    space = explorer().space_info.name
    st.markdown(cell_svg(arch, vertical, space), unsafe_allow_html=True)  # our own SVG only
    with st.popover("Download", icon=":material/download:"):
        for fmt in DRAW_FORMATS:
            st.download_button(
                fmt.upper(),
                data=partial(cell_file, arch, fmt, vertical, space),  # drawn when clicked
                file_name=f"{file_stem(arch, space)}.{fmt}",
                mime=MIME_TYPES[fmt],
                on_click="ignore",
                key=f"draw-{place}-{fmt}",
            )


def cell_figures(info: CellInfo) -> tuple[dict[str, tuple[str, str | None]], dict[str, str]]:
    """The figures of an object as ``{label: (value, error bar)}``, the true one first where it
    is known, the predicted one with its spread; and a help text per label."""
    ex, n = explorer(), names()
    true = info.true_score if info.true_score is not None else info.true_acc
    spread = float(ex.uncertainty(np.asarray(info.z))[0])
    shown: dict[str, tuple[str, str | None]] = {}
    if true is not None:
        shown[n.true_acc] = (n.perf_grouped(true), None)
    shown[n.pred_acc] = (n.perf_grouped(info.pred_acc), f"± {spread_text(spread, n)}")
    shown[n.params] = (f"{info.params:,}", None)
    shown[n.pred_params] = (whole(info.pred_params), None)
    if true is None:
        shown[n.true_acc] = ("not in data", None)
    helps = {
        n.pred_acc: f"± the spread of five {n.perf} heads refitted on the training codes, at "
        f"this {n.item}'s code; the predictor's error (the head's test RMSE) is "
        f"{n.perf_grouped(ex.perf_error())}",
        n.true_acc: f"the oracle's {n.perf}" if info.true_score is not None else
        f"the data set's {n.perf}",
    }  # fmt: skip
    return shown, helps


def figure_metric(box: Any, label: str, value: str, bar: str | None, tip: str | None) -> None:
    """One figure; a prediction's error bar under it, grey and without an arrow (not a change)."""
    box.metric(label, value, delta=bar, delta_color="off", delta_arrow="off", help=tip)


def cell_card(
    info: CellInfo, note: str = "", side: bool = True, place: str = "cell", legend: bool = True
) -> None:
    """A drawing with its figures: beside it (narrow panels) or below it (full width)."""
    shown, helps = cell_figures(info)
    if side:
        drawing, box = st.columns([1, 1])
        with drawing:
            draw_cell(info.arch, place, vertical=True)
        for label, (value, bar) in shown.items():
            figure_metric(box, label, value, bar, helps.get(label))
    else:
        draw_cell(info.arch, place)
        for col, (label, (value, bar)) in zip(st.columns(4), shown.items(), strict=True):
            figure_metric(col, label, value, bar, helps.get(label))
    if legend:
        show_legend()
    st.code(info.arch, language=None)
    if note:
        st.caption(note)


def show_cell(dec: Decoded, title: str, side: bool = True) -> None:
    """Draw a decoded object with its figures (or say that no valid one came out)."""
    st.markdown(f"**{title}**")
    if dec.cell is None:
        st.warning(f"No valid {names().item} decoded here (every sample was invalid).")
        return
    note = f"decoded in {dec.share:.0%} of samples ({dec.valid_share:.0%} valid)"
    if dec.reproduced is not None:
        note = f"reproduced the original: **{'yes' if dec.reproduced else 'no'}** · {note}"
    cell_card(dec.cell, note, side, legend=False)  # the map page shows the legend once


def diff_view(a: str, b: str, name_a: str, name_b: str) -> None:
    """Two objects with what changed from the first to the second (red: only in the first).

    Only where the space compares objects (``SpaceInfo.can_diff``).
    """
    ex = explorer()
    space = ex.space_info.name
    st.markdown(f"**{name_a} → {name_b}:** {ex.difference(a, b)}")
    c = st.columns(2)
    c[0].markdown(diff_svg(a, b, "old", True, space), unsafe_allow_html=True)
    c[1].markdown(diff_svg(b, a, "new", True, space), unsafe_allow_html=True)
    st.caption(f"Red in the first {names().item}: what it has and the second does not; green "
               "in the second: what it adds.")  # fmt: skip


def arch_link(arch: str) -> str:
    """A link that opens ``arch`` on the Architecture page (``?arch=...&ckpt=...``, in a new
    tab) with the checkpoint it was found with, so the new tab shows the same model."""
    return f"{ARCH_PAGE}?{urlencode({'arch': arch, **checkpoint_params()}, quote_via=quote)}"


def neighbours_table(frame: Any, height: int = 250) -> None:
    """The nearest data-set objects, figures first, each linked to the Architecture page."""
    num, n = st.column_config.NumberColumn, names()
    st.dataframe(
        frame.assign(open=[arch_link(a) for a in frame.arch]),
        hide_index=True,
        height=height,
        column_order=["index", "true_acc", "pred_acc", "params", "distance", "open", "arch"],
        column_config={
            "true_acc": num(n.short_true, format=n.perf_format),
            "pred_acc": num(n.short_pred, format=n.perf_format),
            "params": num(n.params, format="localized"),
            "distance": num(format="%.3f"),
            "open": st.column_config.LinkColumn(
                "open", display_text="Architecture page", help="opens in a new tab"
            ),
        },
    )

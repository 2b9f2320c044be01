"""Architecture: build or paste a cell (an ENAS cell, or an Asia network's edges); see it drawn,
its figures and where it lands on the map."""

import numpy as np
import streamlit as st

from ngae.explorer import LONG_NAMES, OP_NAMES, PROJECTION_LABELS, USER_ERRORS, VARIABLES, Arch
from ngae.ui.figures import add_marks, map_figure
from pages import common

TEXT, REQUEST = "arch_text", "arch_request"
WITH = "arch_compare"  # the other cell of the diff (empty: the nearest other data-set cell)
NET_TEXT = "net_text"  # Asia: the adjacency string (its own key: never an ENAS string)


def op_key(i):
    return f"arch_op_{i}"


def skip_key(i, j):
    return f"arch_skip_{i}_{j}"


def load_into_builder(arch):
    """Set the builder's widgets from an architecture (only before they are drawn, or in a
    callback)."""
    for i, op in enumerate(arch.ops):
        st.session_state[op_key(i)] = int(op)
        for j, bit in enumerate(arch.skips[i]):
            st.session_state[skip_key(i, j)] = bool(bit)


def builder_changed(layers):
    ops = [st.session_state[op_key(i)] for i in range(layers)]
    skips = [[st.session_state[skip_key(i, j)] for j in range(i)] for i in range(layers)]
    st.session_state[TEXT] = Arch.from_layers(ops, skips).to_string()


def text_changed(ex, text_key, load):
    try:
        load(ex.parse_arch(st.session_state[text_key]))
    except USER_ERRORS:
        pass  # the page shows the message; the editor keeps the last valid one


def initialise(ex, first, text_key, widget_key, load):
    """Fill the text box (``text_key``) and its editor (``load``; one of its widgets:
    ``widget_key``) from a request (another page), a link, the last one or the data set's
    first."""
    request = st.session_state.pop(REQUEST, None)
    linked = st.query_params.get("arch")  # a link from another page (a new tab)
    if linked and st.session_state.get("_arch_linked") != linked:
        st.session_state["_arch_linked"] = request = request or linked
    if request is None and text_key in st.session_state and widget_key in st.session_state:
        return
    text = request or st.session_state.get(text_key) or first
    st.session_state[text_key] = text
    try:
        load(ex.parse_arch(text))
    except USER_ERRORS:
        load(ex.parse_arch(first))


def builder(layers):
    st.caption(
        "One row per layer: its operation, and which earlier outputs it also takes as "
        "skip inputs (the previous layer always feeds it)."
    )
    for i in range(layers):
        cols = st.columns([2.2] + [1] * (layers - 1))
        cols[0].selectbox(
            f"Layer {i + 1}",
            range(len(OP_NAMES)),
            format_func=OP_NAMES.__getitem__,
            key=op_key(i),
            on_change=builder_changed,
            args=(layers,),
        )
        for j in range(i):
            cols[j + 1].checkbox(
                "input" if j == 0 else f"layer {j}",
                key=skip_key(i, j),
                on_change=builder_changed,
                args=(layers,),
            )


def show(ex, key, arch, compare_with=None):
    info = ex.describe(arch)
    near = ex.neighbours(info.z)
    left, right = st.columns([1, 1])
    with left:
        where = "" if info.index is None else f"data set index {info.index}"
        common.cell_card(info, where)
        st.markdown(f"**Nearest data-set {common.names().item}s in latent space**")
        common.neighbours_table(near)
    with right:
        kinds = ["pca"] + [k for k in ("tsne", "umap") if common.ready_projection(k) is not None]
        kind = st.radio(
            "Map",
            kinds,
            horizontal=True,
            key="arch_map_kind",
            format_func=PROJECTION_LABELS.get,
        )
        xy = common.ready_projection(kind)
        tab = common.table(*key)
        n = common.names()
        fig = map_figure(xy, tab, np.arange(len(tab)), "pred_acc", n.pred_acc, height=520, names=n)
        add_marks(fig, ex.place(info.z[None], kind), f"this {n.item}", size=20)
        fig.update_layout(title="Where it lands (star)", uirevision=kind)
        st.plotly_chart(fig, key="arch_map")
    if compare_with is not None:
        compare_with(ex, info, near)


def compare(ex, info, near):
    """This cell against any other (the nearest other data-set cell unless one is typed):
    both drawn with their differences, and their figures side by side."""
    linked = st.query_params.get("with")
    if linked and st.session_state.get("_arch_with_linked") != linked:
        st.session_state["_arch_with_linked"] = st.session_state[WITH] = linked
    # Open while a cell is typed, and after (clearing the box shows the nearest, still open).
    opened = st.session_state["_arch_compare_used"] = bool(
        st.session_state.get(WITH) or st.session_state.get("_arch_compare_used")
    )
    with st.expander("Compare with another architecture", expanded=opened):
        st.text_input(
            "Other architecture string",
            key=WITH,
            placeholder="empty: the nearest other data-set architecture",
            help="any cell of this space; the drawing marks what the other one changes",
        )
        text = (st.session_state.get(WITH) or "").strip()
        if not text:
            others = [a for a in near.arch if a != info.arch]
            if not others:
                st.info("No other data-set architecture is near: type one to compare.")
                return
            text = others[0]
        try:
            other = ex.describe(text)
        except USER_ERRORS as err:
            st.error(f"Not a valid architecture to compare with: {err}")
            return
        common.diff_view(info.arch, other.arch, "this cell", "the other")
        n = common.names()
        rows = {
            n.pred_acc: (n.perf_text(info.pred_acc), n.perf_text(other.pred_acc)),
            n.params: (f"{info.params:,}", f"{other.params:,}"),
            n.true_acc: tuple(
                "not in data" if c.true_acc is None else n.perf_text(c.true_acc)
                for c in (info, other)
            ),
            "latent distance": (
                "",
                f"{float(np.linalg.norm(np.asarray(info.z) - np.asarray(other.z))):.3f}",
            ),
        }
        st.table({"": list(rows), "this cell": [v[0] for v in rows.values()],
                  "the other": [v[1] for v in rows.values()]})  # fmt: skip
        st.code(other.arch, language=None)


def edge_key(i, j):
    return f"net_edge_{i}_{j}"


def load_network(net):
    """Set the edge checkboxes from a network (before they are drawn, or in a callback)."""
    adj = net.adjacency
    for i in range(len(VARIABLES)):
        for j in range(len(VARIABLES)):
            if i != j:
                st.session_state[edge_key(i, j)] = bool(adj[i, j])


def edges_changed():
    v = len(VARIABLES)
    bits = [
        int(i != j and bool(st.session_state.get(edge_key(i, j))))
        for i in range(v)
        for j in range(v)
    ]
    st.session_state[NET_TEXT] = "".join(map(str, bits))


def edge_editor():
    """An 8 x 8 grid of checkboxes: row the parent, column the child."""
    st.caption("Tick a box for an edge from the row's variable (parent) to the column's (child).")
    cols = st.columns([2.4] + [1] * len(VARIABLES))
    for j, v in enumerate(VARIABLES):
        cols[j + 1].markdown(f"**→ {v}**", help=LONG_NAMES[j])
    for i, v in enumerate(VARIABLES):
        cols = st.columns([2.4] + [1] * len(VARIABLES))
        cols[0].markdown(f"**{v}** {LONG_NAMES[i]}")
        for j, w in enumerate(VARIABLES):
            if i == j:
                cols[j + 1].markdown("·")
                continue
            cols[j + 1].checkbox(
                f"{v} → {w}",
                key=edge_key(i, j),
                on_change=edges_changed,
                label_visibility="collapsed",
            )


def network_main(ex, key):
    initialise(ex, common.table(*key).arch.iloc[0], NET_TEXT, edge_key(0, 1), load_network)
    st.text_input(
        "Adjacency string",
        key=NET_TEXT,
        on_change=text_changed,
        args=(ex, NET_TEXT, load_network),
        help="64 digits a00 a01 ... a77: a[i][j] = 1 for an edge from variable i to variable j, "
        "variables in the order " + ", ".join(VARIABLES),
    )
    with st.expander("Edit the edges", expanded=True):
        edge_editor()
    try:
        net = ex.parse_arch(st.session_state[NET_TEXT])
    except USER_ERRORS as err:
        st.error(f"Not a valid network: {err}")
        return
    show(ex, key, net)


def text_main(ex, key):
    name = f"{ex.space_info.name}_text"
    st.session_state.setdefault(name, common.table(*key).arch.iloc[0])
    st.text_input(f"{ex.space_info.item.capitalize()} string", key=name)
    try:
        item = ex.parse_arch(st.session_state[name])
    except USER_ERRORS as err:
        st.error(f"Not a valid {ex.space_info.item}: {err}")
        return
    show(ex, key, item)


def main():
    ex = common.explorer()
    key = common.explorer_key()
    if ex.is_space("asia"):
        st.title("Network")
        network_main(ex, key)
        return
    if not ex.is_space("enas6"):  # another space: its string, drawn as its DAG
        st.title(ex.space_info.title)
        text_main(ex, key)
        return
    st.title("Architecture")
    layers = ex.num_layers
    initialise(ex, common.table(*key).arch.iloc[0], TEXT, op_key(0), load_into_builder)
    st.text_input(
        "Architecture string",
        key=TEXT,
        on_change=text_changed,
        args=(ex, TEXT, load_into_builder),
        help=f"{layers * (layers + 1) // 2} integers: for each layer its op "
        f"(0..{len(OP_NAMES) - 1}) then one skip bit per earlier node",
    )
    with st.expander("Build it layer by layer", expanded=True):
        builder(layers)
    try:
        arch = ex.parse_arch(st.session_state[TEXT])
    except USER_ERRORS as err:
        st.error(f"Not a valid architecture: {err}")
        return
    show(ex, key, arch, compare)


common.page("Architecture", main)

"""The Architecture page's editors, one per ``SpaceInfo.editor.kind``.

Each edits the object's string (a text box) and its widgets together: ``layers`` an op per
position with links from earlier nodes, ``grid`` an adjacency matrix of checkboxes over the
named vertices, ``string`` the text alone. Keys carry the space's name (a key, never a
decision), so a string of one space never lands in another's box.
"""

from __future__ import annotations

import streamlit as st

from ngae.explorer import USER_ERRORS, UserInputError

REQUEST = "arch_request"  # set by other pages: the object to open
OPEN, OPEN_ERROR = "arch_open_index", "arch_open_error"  # open a data-set object by index


def text_key(ex):
    """The text box's key for this checkpoint's space."""
    return f"{ex.space_info.name}_text"


def op_key(ex, i):
    return f"{ex.space_info.name}_op_{i}"


def link_key(ex, i, j):
    return f"{ex.space_info.name}_link_{i}_{j}"


def edge_key(ex, i, j):
    return f"{ex.space_info.name}_edge_{i}_{j}"


# ----- loading a string into the widgets (before they are drawn, or in a callback) --------------
def load_layers(ex, text):
    ops, links = ex.editor_value(text)
    for i, op in enumerate(ops):
        st.session_state[op_key(ex, i)] = int(op)
        for j, bit in enumerate(links[i]):
            st.session_state[link_key(ex, i, j)] = bool(bit)


def load_grid(ex, text):
    for i, row in enumerate(ex.editor_value(text)):
        for j, bit in enumerate(row):
            if i != j:
                st.session_state[edge_key(ex, i, j)] = bool(bit)


def load_nothing(ex, text):
    ex.parse_arch(text)  # the string editor has no widgets: only check the text


LOADERS = {"layers": load_layers, "grid": load_grid, "string": load_nothing}


def text_changed(ex, load):
    try:
        load(ex, st.session_state[text_key(ex)])
    except USER_ERRORS:
        pass  # the page shows the message; the editor keeps the last valid one


def initialise(ex, first, load, widget_key=None):
    """Fill the text box and its editor (``load``; one of its widgets: ``widget_key``) from a
    request (another page), a link, the last one or the data set's first."""
    state, key = st.session_state, text_key(ex)
    request = state.pop(REQUEST, None)
    linked = st.query_params.get("arch")  # a link from another page (a new tab)
    if linked and state.get("_arch_linked") != linked:
        state["_arch_linked"] = request = request or linked
    drawn = widget_key is None or widget_key in state
    if request is None and key in state and drawn:
        return
    text = request or state.get(key) or first
    state[key] = text
    try:
        load(ex, text)
    except USER_ERRORS:  # the page shows what is wrong; the widgets show the first
        load(ex, first)


# ----- the widgets -------------------------------------------------------------------------------
def layers_changed(ex, layers):
    state = st.session_state
    ops = [state[op_key(ex, i)] for i in range(layers)]
    links = [[state[link_key(ex, i, j)] for j in range(i)] for i in range(layers)]
    state[text_key(ex)] = ex.from_editor((ops, links))


def layers_editor(ex, layers):
    """One row per layer: its op (from ``editor.choices``) and links from earlier nodes."""
    info = ex.space_info
    choices = info.editor.choices
    st.caption(
        f"One row per layer: its {info.naming.vertex}, and which earlier outputs it also takes "
        "as inputs."
    )
    for i in range(layers):
        cols = st.columns([2.2] + [1] * (layers - 1))
        cols[0].selectbox(
            f"Layer {i + 1}",
            range(len(choices)),
            format_func=choices.__getitem__,
            key=op_key(ex, i),
            on_change=layers_changed,
            args=(ex, layers),
        )
        for j in range(i):
            cols[j + 1].checkbox(
                "input" if j == 0 else f"layer {j}",
                key=link_key(ex, i, j),
                on_change=layers_changed,
                args=(ex, layers),
            )


def grid_changed(ex):
    size, state = len(ex.space_info.editor.choices), st.session_state
    matrix = [
        [i != j and bool(state.get(edge_key(ex, i, j))) for j in range(size)] for i in range(size)
    ]
    state[text_key(ex)] = ex.from_editor(matrix)


def grid_editor(ex):
    """A checkbox per ordered pair of vertices: row the parent, column the child."""
    editor, vertex = ex.space_info.editor, ex.space_info.naming.vertex
    names = editor.choices
    long = editor.descriptions or ("",) * len(names)
    st.caption(f"Tick a box for an edge from the row's {vertex} (parent) to the column's (child).")
    cols = st.columns([2.4] + [1] * len(names))
    for j, v in enumerate(names):
        cols[j + 1].markdown(f"**→ {v}**", help=long[j] or None)
    for i, v in enumerate(names):
        cols = st.columns([2.4] + [1] * len(names))
        cols[0].markdown(f"**{v}** {long[i]}")
        for j, w in enumerate(names):
            if i == j:
                cols[j + 1].markdown("·")
                continue
            cols[j + 1].checkbox(
                f"{v} → {w}",
                key=edge_key(ex, i, j),
                on_change=grid_changed,
                args=(ex,),
                label_visibility="collapsed",
            )


# ----- opening a data-set object by its index ---------------------------------------------------
def open_index(ex):
    """Button callback: load data-set object ``state[OPEN]`` (or keep the error for the page)."""
    state = st.session_state
    state.pop(OPEN_ERROR, None)
    try:
        value = state.get(OPEN)
        if value is None:
            raise UserInputError("type a data-set index first")
        state[REQUEST] = ex.arch_at(int(value))
    except USER_ERRORS as err:
        state[OPEN_ERROR] = (ex.path.name, f"{open_label(ex)}: {err}")


def open_label(ex):
    return f"Open a data-set {ex.space_info.item} by index"


def open_box(ex):
    """An index and an Open button; a bad index gives a one-line error."""
    c = st.columns([3, 1], vertical_alignment="bottom")
    c[0].number_input(open_label(ex), value=None, step=1, key=OPEN, placeholder="e.g. 0")
    c[1].button("Open", key="arch_open_go", on_click=open_index, args=(ex,))
    error = st.session_state.get(OPEN_ERROR)
    if error and error[0] == ex.path.name:
        st.error(error[1])


def editor(ex, first):
    """The text box and the space's editor below it; returns the parsed object or ``None``."""
    info = ex.space_info
    kind = info.editor.kind if info.editor.kind in LOADERS else "string"
    load = LOADERS[kind]
    layers = ex.num_layers
    first_widget = {"layers": op_key(ex, 0), "grid": edge_key(ex, 0, 1)}.get(kind)
    initialise(ex, first, load, first_widget)
    open_box(ex)
    label = "Adjacency string" if kind == "grid" else f"{info.item.capitalize()} string"
    order = f" ({info.naming.vertex}s in the order {', '.join(info.editor.choices)})"
    st.text_input(
        label,
        key=text_key(ex),
        on_change=text_changed,
        args=(ex, load),
        help=(info.editor.help or f"the {info.item}'s string, e.g. {info.example}")
        + (order if kind == "grid" else ""),
    )
    if kind == "layers":
        with st.expander("Build it layer by layer", expanded=True):
            layers_editor(ex, layers)
    elif kind == "grid":
        with st.expander("Edit the edges", expanded=True):
            grid_editor(ex)
    try:
        return ex.parse_arch(st.session_state[text_key(ex)])
    except USER_ERRORS as err:
        st.error(f"Not a valid {info.item}: {err}")
        return None

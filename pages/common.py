"""The page frame every page runs in: sidebar links, checkpoint and data-set pickers, error guard.

Not a page itself (``dashboard.py`` lists the pages in :data:`NAV`); pages import it as
``pages.common`` and run through :func:`page`, which draws the frame, so a page is complete
however Streamlit starts it. Streamlit runs a ``pages/`` file on its own (its first multipage
mode) until ``st.navigation`` has been called once in the server process, which is what a
deep link to ``/model`` on a fresh server meets; with the frame drawn by the page itself,
that run looks like any other. What the pages share beyond the frame sits in
:mod:`pages.parts`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import streamlit as st
import torch
from threadpoolctl import threadpool_limits

from pages.parts.checkpoints import checkpoint_params, checkpoint_picker, choose_checkpoint
from pages.parts.guard import guard, guarded
from pages.parts.memory import session_token
from pages.parts.oracle import choose_source, source_picker
from pages.parts.widget_state import keep_page_state, mirror_page_state, switch_checkpoint_state

__all__ = ["NAV", "guard", "guarded", "page"]

# The pages, in sidebar order: file, title, icon, URL path (the first is the default page).
NAV = (
    ("pages/latent_map.py", "Latent map", ":material/scatter_plot:", "map"),
    ("pages/model.py", "Model", ":material/model_training:", "model"),
    ("pages/search.py", "Search", ":material/travel_explore:", "search"),
    ("pages/architecture.py", "Architecture", ":material/account_tree:", "architecture"),
    ("pages/train.py", "Train", ":material/fitness_center:", "train"),
)


@cache
def limit_threads() -> None:
    """One thread for numpy's BLAS and torch in the server (once per process).

    The dashboard's work is small per request, and a training job (one thread) or another
    session may hold the other core, where a second spinning BLAS thread makes a 5 ms product
    take 0.6 s (measured on a 2-core machine).
    """
    threadpool_limits(1)
    torch.set_num_threads(1)


def page(title: str, body: Callable[[], None]) -> None:
    """Run one page: page config, sidebar links and checkpoint picker, then ``body`` guarded.

    The checkpoint is settled first (a pick, a link or as it was; in the URL), then the values
    that belong to one checkpoint follow it and the oracle's source (where the checkpoint's
    space offers sources), then the sidebar's links (naming the checkpoint) are drawn.
    """
    limit_threads()
    st.set_page_config(
        page_title=f"{title} · NGAE Explorer", page_icon=":material/hub:", layout="wide"
    )
    st.sidebar.title("NGAE Explorer")
    session_token()  # the URL's session token, on every page
    keep_page_state()
    with guard("the checkpoint picker"):
        choose_checkpoint()
        switch_checkpoint_state(map_page=title == NAV[0][1])
    with guard("the data-set picker"):
        choose_source()
    for path, label, icon, _ in NAV:
        st.sidebar.page_link(path, label=label, icon=icon, query_params=checkpoint_params())
    with guard("the checkpoint picker"):
        checkpoint_picker()
    with guard("the data-set picker"):
        source_picker()
    with guard(title):
        body()
    mirror_page_state()

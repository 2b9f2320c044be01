"""NGAE Explorer: ``streamlit run dashboard.py``.

The entry point only sets up navigation, the shared checkpoint picker and the error guard; each
page lives in ``pages/`` and calls the service API (``ngae.service``).
"""

import sys
from pathlib import Path

import streamlit as st
import torch
from threadpoolctl import threadpool_limits

# One thread for numpy's BLAS and torch in the server: the dashboard's work is small per request,
# and a training job (one thread) or another session may hold the other core, where a second
# spinning BLAS thread makes a 5 ms product take 0.6 s (measured on this 2-core machine).
threadpool_limits(1)
torch.set_num_threads(1)

ROOT = str(Path(__file__).resolve().parent)
if ROOT not in sys.path:  # `streamlit run` adds it; AppTest does not
    sys.path.insert(0, ROOT)

from pages.common import NAV_FLAG, checkpoint_picker, guard  # noqa: E402

st.set_page_config(page_title="NGAE Explorer", page_icon=":material/hub:", layout="wide")

PAGES = [
    st.Page(
        "pages/latent_map.py",
        title="Latent map",
        icon=":material/scatter_plot:",
        url_path="map",
        default=True,
    ),
    st.Page("pages/model.py", title="Model", icon=":material/model_training:", url_path="model"),
    st.Page("pages/search.py", title="Search", icon=":material/travel_explore:", url_path="search"),
    st.Page(
        "pages/architecture.py",
        title="Architecture",
        icon=":material/account_tree:",
        url_path="architecture",
    ),
    st.Page("pages/train.py", title="Train", icon=":material/fitness_center:", url_path="train"),
]

page = st.navigation(PAGES)
st.session_state[NAV_FLAG] = True  # the pages check it (see common.require_dashboard)
st.sidebar.title("NGAE Explorer")
with guard("the checkpoint picker"):
    checkpoint_picker()
with guard(page.title):
    page.run()

"""NGAE Explorer: ``streamlit run dashboard.py`` (``make run`` adds a warm start: serve.py).

The entry point only declares the pages (``pages.common.NAV``); each page in ``pages/`` draws
the shared frame (sidebar links, checkpoint picker, error guard) itself and calls the explorer
service (``ngae.explorer``).
"""

import streamlit as st

from pages.common import NAV

PAGES = [
    st.Page(path, title=title, icon=icon, url_path=url, default=k == 0)
    for k, (path, title, icon, url) in enumerate(NAV)
]
st.navigation(PAGES, position="hidden").run()

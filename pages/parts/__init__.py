"""What the pages share, in one module per job (none of them is a page).

``dashboard.py`` declares the pages (``pages.common.NAV``); these modules sit in a sub-package
so Streamlit never lists them: the frame's error guard (:mod:`.guard`), the checkpoint picker
(:mod:`.checkpoints`), each browser session's kept results (:mod:`.memory`), long work in a
background task (:mod:`.background`), widget values kept across pages (:mod:`.widget_state`),
the cached explorer calls (:mod:`.cached`), drawing widgets (:mod:`.drawing`), the editors of
the Architecture page (:mod:`.editors`, :mod:`.compare`), the Search page's form and results
(:mod:`.search_form`, :mod:`.search_results`) and the latent map's sections (``map_*``).
"""

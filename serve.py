"""Start the dashboard with a warm start: ``python serve.py [streamlit flags]`` (``make run``).

The same as ``streamlit run dashboard.py [flags]``, plus: while the server starts, a background
thread imports torch and the library, opens the default checkpoint with its data set and
cached codes, and pays the first-call costs (``ngae.explorer.warm_start``), so the first
visitor's page does not wait for any of it. Streamlit runs page scripts in this process, so
the pages find the preloaded Explorer.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def warm_start() -> None:
    """Preload the default checkpoint of the checkpoint folder, if it is there."""
    import torch
    from threadpoolctl import threadpool_limits

    from ngae.explorer import DEFAULT_CHECKPOINT, USER_ERRORS, preload, resolve_checkpoint

    torch.set_num_threads(1)  # as pages/common.py: see the reason there
    threadpool_limits(1)
    try:
        preload(resolve_checkpoint(DEFAULT_CHECKPOINT.name))
    except (OSError, *USER_ERRORS):
        pass  # no default checkpoint: the pages say what to do


def main() -> int:
    """Start the warm-up thread, then Streamlit in this process."""
    threading.Thread(target=warm_start, daemon=True, name="ngae-warm-start").start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "dashboard.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())

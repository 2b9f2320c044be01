"""Open a checkpoint before the first visitor asks for it (the dashboard server's start-up).

``serve.py`` calls :func:`preload` for the default checkpoint while Streamlit starts, so the
first page finds torch imported, the model and data loaded and the first-call costs paid.
The dashboard opens checkpoints through :func:`open_explorer`, which takes a preloaded
Explorer when one was started for the same version of the file (path and mtime), and opens
the file itself otherwise. A failed preload is forgotten: opening again reports the error.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from pathlib import Path

from ngae.explorer.service import Explorer

LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STARTED: dict[tuple[str, int], Future[Explorer]] = {}


def _version(path: Path) -> tuple[str, int]:
    resolved = Path(path).resolve()
    return str(resolved), resolved.stat().st_mtime_ns


def preload(path: Path) -> Future[Explorer]:
    """Open ``path`` in a background thread (once per file version), then warm it up."""
    key = _version(path)
    with _LOCK:
        future = _STARTED.get(key)
        if future is None:
            future = _STARTED[key] = Future()
            threading.Thread(
                target=_open_into, args=(Path(path), future), daemon=True, name="ngae-preload"
            ).start()
    return future


def _open_into(path: Path, future: Future[Explorer]) -> None:
    try:
        explorer = Explorer.open(path)
    except Exception as err:  # handed to whoever asks; open_explorer retries
        future.set_exception(err)
        return
    future.set_result(explorer)
    try:
        explorer.warm_up()
    except Exception:  # only a warm-up: the real calls report their own errors
        LOG.debug("warm-up of %s failed", path, exc_info=True)


def open_explorer(path: Path) -> Explorer:
    """The Explorer preloaded for this version of ``path`` if there is one, else open it."""
    try:
        key = _version(path)
    except OSError:
        return Explorer.open(path)  # reports the missing or unreadable file
    with _LOCK:
        future = _STARTED.pop(key, None)
    if future is not None:
        try:
            return future.result()
        except Exception:  # open again below: its error is the one to report
            LOG.debug("preload of %s failed", path, exc_info=True)
    return Explorer.open(path)

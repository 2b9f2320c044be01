"""The error guard: any exception in a page becomes a message that says what to do."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import streamlit as st

from ngae.explorer import USER_ERRORS, CheckpointError

LOG = logging.getLogger("ngae.dashboard")
HOW_TO_TRAIN = (
    "Train one on the **Train** page, or from a terminal with "
    "`ngae train --epochs 300` (it writes `checkpoints/final_structures6_NGAE.pt`)."
)


@contextmanager
def guard(what: str = "this page") -> Iterator[None]:
    """Turn any exception in the block into an ``st.error`` message: never a traceback."""
    try:
        yield
    except CheckpointError as err:
        st.error(
            f"The checkpoint cannot be used: {err}. Pick another checkpoint in the sidebar. "
            + HOW_TO_TRAIN
        )
    except USER_ERRORS as err:
        st.error(str(err))
    except Exception as err:  # the last line of defence: a message saying what to do
        LOG.exception("unexpected error in %s", what)
        st.error(
            f"Something went wrong in {what} ({err.__class__.__name__}: {err}). "
            "Reload the page or pick another checkpoint; the server log has the details."
        )


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`guard` (for fragments, which rerun on their own)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with guard(fn.__name__.replace("_", " ")):
            return fn(*args, **kwargs)

    return wrapper

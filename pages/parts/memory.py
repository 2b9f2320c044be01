"""What a browser session keeps across page changes and reloads (not server restarts).

The URL carries a random token (``?s=...``), so a reload finds the session's results again.
The store is one object shared by every session of this server (``st.cache_resource``) and
by their script threads, so every read-modify-write of it holds its lock; the most recent
:data:`MEMORY_SESSIONS` sessions are kept.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from typing import Any

import streamlit as st

TOKEN, MEMORY_SESSIONS = "s", 200
SEARCH_RESULT = "search_result"


class SessionMemory:
    """Kept values by session token, the least recently used sessions dropped first."""

    def __init__(self, sessions: int = MEMORY_SESSIONS) -> None:
        self.sessions = sessions
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def touch(self, token: str) -> None:
        """Mark ``token``'s session as just used (made if new; the oldest beyond the limit go)."""
        with self._lock:
            self._kept.setdefault(token, {})
            self._kept.move_to_end(token)
            while len(self._kept) > self.sessions:
                self._kept.popitem(last=False)

    def get(self, token: str, name: str, default: Any = None) -> Any:
        """The value ``name`` kept for ``token``'s session."""
        with self._lock:
            return self._kept.get(token, {}).get(name, default)

    def put(self, token: str, name: str, value: Any) -> None:
        """Keep ``value`` as ``name`` for ``token``'s session."""
        with self._lock:
            self._kept.setdefault(token, {})[name] = value

    def count_up(self, token: str, name: str) -> int:
        """Add one to the counter ``name`` of ``token``'s session; its new value."""
        with self._lock:
            kept = self._kept.setdefault(token, {})
            kept[name] = kept.get(name, 0) + 1
            return kept[name]


@st.cache_resource
def _memory() -> SessionMemory:
    """This server's one store (shared by every browser session)."""
    return SessionMemory()


def session_token() -> str:
    """This browser session's token: from its state, else its URL, else a new one (in the URL)."""
    state = st.session_state
    given = st.query_params.get(TOKEN, "")
    token = state.get("_token") or (given if re.fullmatch(r"[0-9a-f]{16}", given) else None)
    token = token or secrets.token_hex(8)
    state["_token"] = token
    if given != token:
        st.query_params[TOKEN] = token
    _memory().touch(token)
    return token


def recall(name: str, default: Any = None) -> Any:
    """A value this browser session kept (see :func:`remember`)."""
    return _memory().get(session_token(), name, default)


def remember(name: str, value: Any) -> None:
    """Keep ``value`` for this browser session, across pages and reloads."""
    _memory().put(session_token(), name, value)


def count_up(name: str) -> int:
    """This browser session's counter ``name``, raised by one (searches are numbered per tab)."""
    return _memory().count_up(session_token(), name)


def last_search(key: tuple[str, int] | None) -> dict | None:
    """This browser session's last finished search on checkpoint ``key``, or ``None``."""
    done = st.session_state.get(SEARCH_RESULT) or recall(SEARCH_RESULT)
    return done if done and done["key"] == key else None


def search_elsewhere(key: tuple[str, int] | None) -> dict | None:
    """This browser session's last finished search if it ran on another checkpoint than
    ``key`` (another file, or the same file since rewritten), else ``None``."""
    done = st.session_state.get(SEARCH_RESULT) or recall(SEARCH_RESULT)
    return done if done and done["key"] != key else None

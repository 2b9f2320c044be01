"""The command line that repeats what a page did: ``python -m ngae search ...``.

Pure functions of a search's settings (``SearchResults.config``, no Streamlit). Every setting
is written out, so the command gives the same search whatever the CLI's defaults become.
"""

from __future__ import annotations

import shlex
from typing import Any

# SearchConfig field -> the ``ngae search`` flag that sets it (ngae.commands.search)
SEARCH_FLAGS = {
    "strategy": "--search-strategy",
    "optimizer": "--search-optimizer",
    "samples": "--search-samples",
    "steps": "--steps",
    "lr": "--search-lr",
    "lambda_cmplx": "--lambda-cmplx",
    "max_params": "--max-params",
    "decodes": "--decodes",
    "project_every": "--project-every",
    "trust_radius": "--trust-radius",
    "seed": "--seed",
}


def _value(value: Any) -> str:
    """A flag's value: whole numbers without ``.0``, other floats exactly (``repr``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def search_command(config: dict[str, Any], checkpoint: str) -> str:
    """``python -m ngae search --checkpoint ... --steps ...`` for a search's settings.

    Settings without a value (no complexity cap) are left out. Start points picked on the map
    (``starts``) have no flag: the command starts as its ``strategy`` says (the page says so).
    """
    words = ["python", "-m", "ngae", "search", "--checkpoint", checkpoint]
    for key, flag in SEARCH_FLAGS.items():
        value = config.get(key)
        if value is not None:
            words += [flag, _value(value)]
    return shlex.join(words)

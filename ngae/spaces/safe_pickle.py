"""Pickles read without running anything they do not admit (D-VAE's data, benchmark tables).

A pickle can name any importable callable and have it called. :class:`RestrictedUnpickler`
builds plain containers and only the globals a caller allows (a mapping from ``(module,
name)`` to the object to use, or ``None`` for the one ``pickle`` would import); any other
global, and any persistent id, is refused before anything is called.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

from ngae.spaces.errors import DataError

Allowed = Mapping[tuple[str, str], object | None]


class RefusedGlobal(pickle.UnpicklingError):
    """The pickle asked for a global outside what the reader allows."""


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles plain containers and the ``allowed`` globals only."""

    def __init__(self, file, allowed: Allowed, encoding: str = "ASCII") -> None:
        super().__init__(file, encoding=encoding)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> object:
        """The allowed global (``pickle``'s import where the mapping holds ``None``)."""
        if (module, name) not in self.allowed:
            raise RefusedGlobal(f"{module}.{name}")
        found = self.allowed[(module, name)]
        return super().find_class(module, name) if found is None else found

    def persistent_load(self, pid: object) -> object:
        """Persistent ids are refused: the files read here hold none."""
        raise RefusedGlobal("a persistent id")


def load_restricted(
    path: str | Path, allowed: Allowed, holds: str, encoding: str = "ASCII"
) -> object:
    """The object in the pickle ``path``, read by :class:`RestrictedUnpickler`.

    ``holds`` says what such a file may hold, for the message when a global is refused;
    ``encoding`` is how Python 2 strings are read (``bytes`` keeps them as bytes).

    Raises:
        DataError: one line naming the file: missing, refused (nothing in it was run) or
            not a readable pickle.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            return RestrictedUnpickler(f, allowed, encoding).load()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except RefusedGlobal as err:
        raise DataError(f"{path}: refused {err} ({holds}); nothing in it was run") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise DataError(f"{path}: not a readable pickle ({str(err)[:100]})") from None
    except (OSError, IndexError, ImportError, MemoryError, RecursionError) as err:
        raise DataError(f"{path}: not a readable pickle ({err.__class__.__name__})") from None

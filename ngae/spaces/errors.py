"""The two errors every space raises: a bad object and a bad data file (:mod:`ngae.errors`)."""

from ngae.errors import ArchError, DataError

__all__ = ["ArchError", "DataError"]

"""The two errors every space raises: a bad object and a bad data file."""


class ArchError(ValueError):
    """Raised for an object (architecture, network) that cannot be built from the given input."""


class DataError(ValueError):
    """Raised for a data file that cannot be read; the message names file and line."""

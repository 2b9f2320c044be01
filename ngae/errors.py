"""The errors users can cause; the CLI and the dashboard turn them into one-line messages.

Defined here, at the bottom of the house (this module imports nothing), so every layer,
the search spaces included, raises the same classes.
"""


class ArchError(ValueError):
    """Raised for an object (architecture, network) that cannot be built from the given input."""


class DataError(ValueError):
    """Raised for a data file that cannot be read; the message names file and line."""


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt or does not match what is asked of it."""


class UserInputError(ValueError):
    """A setting or argument that is out of range or inconsistent."""


USER_ERRORS = (ArchError, DataError, CheckpointError, UserInputError)

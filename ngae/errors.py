"""The errors users can cause; the CLI and the dashboard turn them into one-line messages."""

from ngae.spaces.errors import ArchError, DataError


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt or does not match what is asked of it."""


class UserInputError(ValueError):
    """A setting or argument that is out of range or inconsistent."""


USER_ERRORS = (ArchError, DataError, CheckpointError, UserInputError)

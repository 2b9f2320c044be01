"""The explorer service: everything the dashboard (and the CLI) asks of the library.

Pages import from ``ngae`` only this package and :mod:`ngae.ui`. It re-exports what a page
needs: the :class:`Explorer` of a checkpoint and how to open it, the checkpoint catalog,
search and training requests with their defaults, the result types, background tasks and the
errors a user can cause.
"""

from ngae.errors import USER_ERRORS, CheckpointError, UserInputError
from ngae.explorer.background import BackgroundTask, TaskSnapshot
from ngae.explorer.catalog import (
    DEFAULT_CHECKPOINT,
    checkpoint_summary,
    list_checkpoints,
    resolve_checkpoint,
)
from ngae.explorer.comparisons import METHOD_LABELS, MethodCurves
from ngae.explorer.jobs import Job, JobBusyError, JobManager, TrainRequest, estimate_seconds
from ngae.explorer.projections import PROJECTION_LABELS
from ngae.explorer.results import (
    CellInfo,
    CheckpointSummary,
    DataStats,
    Decoded,
    ModelCard,
    SpaceInfo,
)
from ngae.explorer.service import Explorer
from ngae.explorer.warm_start import open_explorer, preload
from ngae.explorer.wording import duration, plural
from ngae.maps.diff import cell_diff, step_diffs
from ngae.search import (
    DEFAULT_LR,
    STRATEGIES,
    FoundArch,
    ParetoFront,
    SearchConfig,
    SearchResults,
    SearchSummary,
)
from ngae.space.arch import OP_NAMES, Arch
from ngae.space.asia import LONG_NAMES, VARIABLES
from ngae.space.registry import SPACES

SEARCH_DEFAULTS = SearchConfig()
SPACE_TITLES = {name: space.title for name, space in SPACES.items()}
TRAIN_DEFAULTS = TrainRequest(name="run")

__all__ = [
    "DEFAULT_CHECKPOINT",
    "DEFAULT_LR",
    "LONG_NAMES",
    "METHOD_LABELS",
    "MethodCurves",
    "OP_NAMES",
    "VARIABLES",
    "PROJECTION_LABELS",
    "SEARCH_DEFAULTS",
    "SPACE_TITLES",
    "STRATEGIES",
    "TRAIN_DEFAULTS",
    "USER_ERRORS",
    "Arch",
    "BackgroundTask",
    "CellInfo",
    "CheckpointError",
    "CheckpointSummary",
    "DataStats",
    "Decoded",
    "Explorer",
    "FoundArch",
    "Job",
    "JobBusyError",
    "JobManager",
    "ModelCard",
    "ParetoFront",
    "SearchConfig",
    "SearchResults",
    "SearchSummary",
    "SpaceInfo",
    "TaskSnapshot",
    "TrainRequest",
    "cell_diff",
    "duration",
    "estimate_seconds",
    "step_diffs",
    "plural",
    "UserInputError",
    "checkpoint_summary",
    "list_checkpoints",
    "open_explorer",
    "preload",
    "resolve_checkpoint",
]

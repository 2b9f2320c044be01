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
from ngae.explorer.comparisons import (
    BENCHMARK_LABELS,
    METHOD_LABELS,
    BudgetFigures,
    MethodCurves,
)
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
from ngae.explorer.searching import LOOP_BUDGETS, LOOP_DEFAULTS
from ngae.explorer.service import Explorer
from ngae.explorer.truth import count_column, rank_column
from ngae.explorer.warm_start import open_explorer, preload
from ngae.explorer.wording import duration, plural
from ngae.search import (
    DEFAULT_LR,
    STRATEGIES,
    ClosedLoopResult,
    FoundArch,
    ParetoFront,
    Query,
    SearchConfig,
    SearchResults,
    SearchSummary,
)
from ngae.spaces.base import Editor, Naming, Reference, SearchDefaults
from ngae.spaces.registry import SPACES, default_space

SEARCH_DEFAULTS = SearchConfig()
DEFAULT_NAMING = default_space().naming


def space_titles() -> dict[str, str]:
    """Every registered space's title by name (plug-ins registered after start-up included)."""
    return {name: space.title for name, space in SPACES.items()}


TRAIN_DEFAULTS = TrainRequest(name="run")

__all__ = [
    "BENCHMARK_LABELS",
    "LOOP_BUDGETS",
    "LOOP_DEFAULTS",
    "BudgetFigures",
    "ClosedLoopResult",
    "Query",
    "DEFAULT_CHECKPOINT",
    "DEFAULT_LR",
    "DEFAULT_NAMING",
    "METHOD_LABELS",
    "MethodCurves",
    "PROJECTION_LABELS",
    "SEARCH_DEFAULTS",
    "STRATEGIES",
    "TRAIN_DEFAULTS",
    "USER_ERRORS",
    "BackgroundTask",
    "Editor",
    "Naming",
    "Reference",
    "SearchDefaults",
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
    "duration",
    "estimate_seconds",
    "plural",
    "UserInputError",
    "checkpoint_summary",
    "count_column",
    "list_checkpoints",
    "open_explorer",
    "preload",
    "rank_column",
    "resolve_checkpoint",
    "space_titles",
]

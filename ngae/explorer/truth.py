"""The oracle's true figures of the data set, on any of the oracle's sources.

A space whose oracle reads named sources (NAS-Bench-Graph's nine data sets) is asked for its
figures on each (:meth:`~ngae.spaces.base.SearchSpace.with_oracle_source` gives a new space
object: the shared one is never changed). Ranks are among the data set's objects, by each of
the space's :meth:`~ngae.spaces.base.SearchSpace.ranked_metrics` (higher is better), 1 the
best; objects the source's table lacks have NaN figures and no rank.

Besides its named sources, an oracle may read a file of one (NAS-Bench-Graph: the authors'
full per-epoch ``cora0.bench``), which holds more than the source's usual table: training
curves. :meth:`TruthViews.source_files` checks what a person gives (a file or a folder of
them); such a file's path is then a source of :meth:`TruthViews.training_curves` (and of
every other view) like the names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ngae.errors import DataError, UserInputError
from ngae.spaces.base import SearchSpace


def rank_column(key: str) -> str:
    """The title of the rank by ranked metric ``key`` (``valid rank``)."""
    return f"{key} rank"


def count_column(key: str) -> str:
    """The title of how many data-set objects have a rank by ``key`` (``valid ranked``)."""
    return f"{key} ranked"


def ranks(values: np.ndarray) -> np.ndarray:
    """1 for the largest value, ties sharing the best rank; NaN stays NaN (``(M,)`` float)."""
    return pd.Series(values, dtype=np.float64).rank(method="min", ascending=False).to_numpy()


class TruthViews:
    """:class:`~ngae.explorer.service.Explorer`'s true figures on the oracle's sources."""

    def oracle_sources(self) -> tuple[str, ...]:
        """The sources the oracle can read (empty without an oracle or without one to pick)."""
        if not self.space.has_oracle or self.data.archs is None:
            return ()
        return tuple(self.space.oracle_sources())

    def default_oracle_source(self) -> str | None:
        """The source the space reads by default (``None`` where there is none to pick)."""
        sources = self.oracle_sources()
        if not sources:
            return None
        return self.space.oracle_source if self.space.oracle_source in sources else sources[0]

    def truth_metrics(self) -> tuple[str, ...]:
        """Names of the true figures (columns of :meth:`truth_table`), the score first."""
        return tuple(self.space.oracle_metrics()) if self.oracle_sources() else ()

    def ranked_metrics(self) -> dict[str, str]:
        """Rank keys -> the true figure each ranks by (``{"valid": "valid accuracy", ...}``)."""
        return dict(self.space.ranked_metrics()) if self.oracle_sources() else {}

    def source_space(self, source: str) -> SearchSpace:
        """The space reading ``source``, a named source or the path of a file of one.

        :class:`UserInputError` naming the valid sources; DataError (one line) for a file
        that is no source's or cannot be read.
        """
        sources = self.oracle_sources()
        if source in sources:
            return self.space.with_oracle_source(source)
        if not sources:
            raise UserInputError(f"the {self.space.title} space has no data sets to pick")
        if Path(source).is_file():
            self.space.source_of_file(Path(source))  # a file of a source, by its name
            return self.space.with_oracle_source(source)
        raise UserInputError(f"unknown data set {source!r} (one of: {', '.join(sources)})")

    def source_files(self, path: str | Path) -> dict[str, tuple[str, ...]]:
        """The files of the oracle's sources that ``path`` gives: a file, or a folder's files.

        Named sources -> the files' resolved paths (sorted; NAS-Bench-Graph: one per seed),
        in :meth:`oracle_sources` order. A single file is read and checked now (a file of no
        source, or one that is not a benchmark table or was tampered with, raises a one-line
        DataError); a folder's files, which may be large, are read when first asked for, and
        a folder with none raises UserInputError.
        """
        if not self.oracle_sources():
            raise UserInputError(f"the {self.space.title} space has no data sets to pick")
        given = Path(path).expanduser()
        if given.is_dir():
            return self._folder_files(given)
        if not given.is_file():
            raise UserInputError(f"{given}: no such file or folder")
        source = self.space.source_of_file(given)
        self.space.with_oracle_source(str(given))  # read and checked now
        return {source: (str(given.resolve()),)}

    def _folder_files(self, folder: Path) -> dict[str, tuple[str, ...]]:
        """The files in ``folder`` (not below it) named after a source, by source."""
        found: dict[str, list[str]] = {}
        for file in sorted(p for p in folder.iterdir() if p.is_file()):
            try:
                found.setdefault(self.space.source_of_file(file), []).append(str(file.resolve()))
            except DataError:
                continue  # another kind of file
        if not found:
            raise UserInputError(f"{folder}: no benchmark files in this folder")
        return {s: tuple(found[s]) for s in self.oracle_sources() if s in found}

    def truth_table(self, source: str) -> pd.DataFrame:
        """One row per data-set object (as :meth:`table`): its true figures on ``source``.

        Columns: each :meth:`truth_metrics` figure, then ``<key> rank`` per ranked metric
        (among the data set's objects, 1 the best; NaN where the table lacks the object).
        """
        metrics = self.source_space(source).true_metrics(list(self.data.archs))
        frame = pd.DataFrame({m: np.asarray(metrics[m], np.float64) for m in self.truth_metrics()})
        for key, metric in self.ranked_metrics().items():
            frame[rank_column(key)] = ranks(frame[metric].to_numpy())
        return frame

    def leaderboard(self, source: str, by: str | None = None, k: int = 20) -> pd.DataFrame:
        """The ``k`` data-set objects ranked best on ``source`` by the ranked metric ``by``.

        Columns: ``index`` (data-set index), ``arch``, every rank, the true figures and
        ``pred_acc``; ties in order of index. ``by`` defaults to the first ranked metric.
        """
        keys = list(self.ranked_metrics())
        by = keys[0] if by is None and keys else by
        if by not in keys:
            raise UserInputError(f"rank by one of: {', '.join(keys)}; got {by!r}")
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise UserInputError(f"the leaderboard lists at least 1 row, got {k!r}")
        truth = self.truth_table(source)
        rank_cols = [rank_column(key) for key in keys]
        board = truth.assign(index=np.arange(len(truth)), arch=list(self.data.strings))
        board["pred_acc"] = self.latents.pred_acc.astype(np.float64)
        board = board[board[rank_column(by)].notna()]
        board = board.sort_values([rank_column(by), "index"], kind="stable").head(int(k))
        columns = ["index", "arch", *rank_cols, *self.truth_metrics(), "pred_acc"]
        return board[columns].reset_index(drop=True)

    def transfer(self, arch: Any) -> pd.DataFrame:
        """One object's true figures and ranks on every source, one row per source.

        Columns: ``source``, each true figure, per ranked metric ``<key> rank`` (the object's
        rank among the data set's objects on that source: 1 + how many are better) and
        ``<key> ranked`` (how many data-set objects have the figure there), and ``note``. A
        source whose table lacks the object gives NaN figures and ranks and a note, never an
        error. ``arch``: the object or its string.
        """
        item = self.parse_arch(arch) if isinstance(arch, str) else arch
        rows = []
        for source in self.oracle_sources():
            space = self.source_space(source)
            own = {m: float(v[0]) for m, v in space.true_metrics([item]).items()}
            row: dict[str, Any] = {"source": source, **{m: own[m] for m in self.truth_metrics()}}
            known = not np.isnan([own[m] for m in self.truth_metrics()]).all()
            data = self.truth_table(source)  # the data set's figures on this source
            for key, metric in self.ranked_metrics().items():
                values = data[metric].to_numpy()
                values = values[~np.isnan(values)]
                mine = own[metric]
                row[rank_column(key)] = np.nan if np.isnan(mine) else 1.0 + (values > mine).sum()
                row[count_column(key)] = len(values)
            row["note"] = "" if known else f"not evaluated on {source}"
            rows.append(row)
        columns = ["source", *self.truth_metrics()]
        for key in self.ranked_metrics():
            columns += [rank_column(key), count_column(key)]
        return pd.DataFrame(rows, columns=[*columns, "note"])

    def training_curves(self, arch: Any, source: str) -> dict[str, np.ndarray] | None:
        """Per-epoch curves of an object on ``source`` where the oracle has them, else ``None``.

        Only a benchmark's full files hold curves (``source`` the path of one, as
        :meth:`source_files` gives it); its light tables (the named sources) do not.
        """
        item = self.parse_arch(arch) if isinstance(arch, str) else arch
        return self.source_space(source).training_curves(item)

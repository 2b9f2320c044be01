"""The data set as tables: one row per object, test predictions, nearest neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd


class TableViews:
    """:class:`~ngae.explorer.service.Explorer`'s tables of the data set."""

    def table(self) -> pd.DataFrame:
        """One row per data-set object: split, true and predicted figures, the space's columns.

        The space's columns (:meth:`ngae.spaces.base.SearchSpace.features`: op counts for
        ENAS, edges for Asia) follow the figures; general DAGs have none.
        """
        d = self.data
        df = pd.DataFrame(
            {
                "arch": d.strings,
                "split": self.split,
                "true_acc": d.acc,
                "params": d.params.astype(np.int64),
                "pred_acc": self.latents.pred_acc,
                "pred_params": self.latents.pred_params,
            }
        )
        df["pred_error"] = df.pred_acc - df.true_acc
        if d.archs is not None:
            for name, values in self.space.features(list(d.archs)).items():
                df[name] = values
        return df

    def arch_at(self, i: int) -> str:
        """The string of data-set object ``i``; :class:`UserInputError` for no such index."""
        return self.data.strings[self.check_index(i)]

    def test_predictions(self) -> pd.DataFrame:
        """Predicted vs true figures on the test split."""
        return self.table()[lambda t: t.split == "test"].reset_index(drop=True)

    def perf_error(self) -> float:
        """The accuracy head's RMSE on the test split, in the figure's units.

        The margin below which a predicted gain is within the predictor's error.
        """
        test = self.split == "test"
        if not test.any():
            return float("nan")
        err = self.latents.pred_acc[test] - self.data.acc[test]
        return float(np.sqrt(np.mean(err.astype(np.float64) ** 2)))

    def neighbours(self, z: np.ndarray, k: int = 8, exclude: int | None = None) -> pd.DataFrame:
        """The ``k`` nearest data-set objects of a latent point, with true figures.

        ``exclude``: a data-set index left out (the point itself, when ``z`` is its code).
        """
        d = np.linalg.norm(self.latents.mu - np.asarray(z, np.float32)[None], axis=1)
        order = np.argsort(d, kind="stable")
        near = order[order != exclude][:k] if exclude is not None else order[:k]
        return pd.DataFrame(
            {
                "index": near,
                "arch": [self.data.strings[n] for n in near],
                "distance": d[near],
                "true_acc": self.data.acc[near],
                "pred_acc": self.latents.pred_acc[near],
                "params": self.data.params[near].astype(np.int64),
            }
        )

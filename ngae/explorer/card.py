"""The model card of a checkpoint: how it was made, how it scores, what it was trained on."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ngae.explorer.results import DataStats, ModelCard
from ngae.spaces.graph_data import dvae_split
from ngae.spaces.registry import burn_in_of
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint


def lr_schedule(history: list[dict[str, Any]]) -> tuple[tuple[int, int, float], ...]:
    """The learning rate a training history records, as ``(first, last epoch, lr)`` runs.

    Epochs without an ``lr`` are skipped; a run ends where the rate changes.
    """
    runs: list[list[Any]] = []
    for row in history:
        lr, epoch = row.get("lr"), row.get("epoch")
        if not isinstance(lr, int | float) or not isinstance(epoch, int | float):
            continue
        if runs and runs[-1][2] == float(lr):
            runs[-1][1] = int(epoch)
        else:
            runs.append([int(epoch), int(epoch), float(lr)])
    return tuple((a, b, lr) for a, b, lr in runs)


class CardViews:
    """:class:`~ngae.explorer.service.Explorer`'s model card and full evaluation."""

    def model_card(self) -> ModelCard:
        """Config, history, evaluation, the space's published references and data statistics."""
        d = self.full_data  # the whole data set, also where the map shows a sample of it
        train_idx, test_idx = dvae_split(len(d), burn_in_of(d))
        return ModelCard(
            name=self.path.name,
            epoch=int(self.ckpt.get("epoch", 0)),
            model_config=dict(self.ckpt["model_config"]),
            train_config=dict(self.ckpt.get("train_config", {})),
            history=pd.DataFrame(self.ckpt.get("history", [])),
            evaluation=dict(self.ckpt.get("evaluation") or {}),
            published=dict(self.space.reference.figures),
            data=DataStats(
                architectures=len(d),
                distinct=len(set(d.strings)),
                train=len(train_idx),
                test=len(test_idx),
                acc_min=float(d.acc.min()),
                acc_max=float(d.acc.max()),
                acc_mean=float(d.acc.mean()),
                params_min=int(d.params.min()),
                params_max=int(d.params.max()),
            ),
            train_graphs=self.ckpt.get("train_graphs"),
            epochs_planned=self.ckpt.get("epochs_planned"),
            lineage=dict(self.ckpt.get("lineage") or {}),
            heads_refit=dict(self.ckpt.get("heads_refit") or {}),
            lr_schedule=lr_schedule(self.ckpt.get("history", [])),
            stopped_at=self.ckpt.get("run_epochs_planned"),
        )

    def evaluate_full(self) -> dict[str, Any]:
        """D-VAE's full evaluation of this checkpoint, stored in its file (a new mtime)."""
        return evaluate_checkpoint(self.path, EvalSettings(device="cpu"), store=True)

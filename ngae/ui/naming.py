"""What the pages call a space's figures: accuracy and parameters (ENAS), BIC and free parameters.

Pure functions of :class:`ngae.explorer.SpaceInfo`, so every page names the columns of the
explorer's tables (``pred_acc``, ``true_acc``, ``params``, ``pred_params``) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ngae.explorer import SpaceInfo


@dataclass(frozen=True)
class Names:
    """Labels and number formats for one space's figures."""

    item: str
    perf: str
    cmplx: str
    pred_acc: str
    true_acc: str
    params: str
    pred_params: str
    short_pred: str
    short_true: str
    perf_format: str  # printf style, for st.column_config and number inputs
    perf_step: float

    def perf_text(self, value: float) -> str:
        """A performance figure as text, in the space's precision."""
        return self.perf_format % value


def names_for(info: SpaceInfo | None) -> Names:
    """The labels for ``info``'s space (ENAS-6's when ``None``)."""
    if info is not None and info.perf != "accuracy":
        perf, cmplx = info.perf, info.cmplx
        return Names(
            item=info.item,
            perf=perf,
            cmplx=cmplx,
            pred_acc=f"predicted {perf}",
            true_acc=f"true {perf}",
            params=cmplx,
            pred_params=f"predicted {cmplx}",
            short_pred=f"pred {perf}",
            short_true=f"true {perf}",
            perf_format="%.1f",
            perf_step=1.0,
        )
    return Names(
        item="architecture",
        perf="accuracy",
        cmplx="parameters",
        pred_acc="predicted accuracy",
        true_acc="true accuracy",
        params="exact params",
        pred_params="predicted params",
        short_pred="pred acc",
        short_true="true acc",
        perf_format="%.4f",
        perf_step=0.0005,
    )


def colour_by(names: Names) -> dict[str, str]:
    """Colour-by labels -> table columns for the four figures."""
    return {
        names.pred_acc: "pred_acc",
        names.pred_params: "pred_params",
        names.true_acc: "true_acc",
        names.params: "params",
    }

"""What the pages call a space's figures, derived from the space's own words.

Pure functions of :class:`ngae.explorer.SpaceInfo` (its :class:`~ngae.explorer.Naming`), so
every page names the columns of the explorer's tables (``pred_acc``, ``true_acc``, ``params``,
``pred_params``) the same way, in the space's words: nothing here is typed per space.
"""

from __future__ import annotations

from dataclasses import dataclass

from ngae.explorer import DEFAULT_NAMING, Naming, SpaceInfo


@dataclass(frozen=True)
class Names:
    """Labels and number formats for one space's figures."""

    item: str
    items: str
    perf: str
    perf_short: str
    cmplx: str
    vertex: str
    pred_acc: str
    true_acc: str
    params: str
    pred_params: str
    short_pred: str
    short_true: str
    cmplx_short: str
    perf_format: str  # printf style, for st.column_config and number inputs
    perf_step: float
    perf_bounds: tuple[float | None, float | None]

    def perf_text(self, value: float) -> str:
        """A performance figure as text, in the space's precision."""
        return self.perf_format % value

    def perf_grouped(self, value: float, signed: bool = False) -> str:
        """A performance figure with thousands separators (``-11,320.3``), ``+`` if ``signed``."""
        spec = ("+" if signed else "") + "," + self.perf_format.lstrip("%")
        try:
            return format(value, spec)
        except ValueError:  # a format ``format`` cannot group: the plain text
            return ("%+" + self.perf_format[1:] if signed else self.perf_format) % value

    @property
    def perf_title(self) -> str:
        """The performance figure's name as a title ("Accuracy", "BIC")."""
        return self.perf[:1].upper() + self.perf[1:]


def names_of(naming: Naming) -> Names:
    """The page labels of a space's :class:`Naming`."""
    return Names(
        item=naming.item,
        items=naming.items,
        perf=naming.perf,
        perf_short=naming.perf_short,
        cmplx=naming.cmplx,
        vertex=naming.vertex,
        pred_acc=f"predicted {naming.perf}",
        true_acc=f"true {naming.perf}",
        params=naming.cmplx_column,
        pred_params=f"predicted {naming.cmplx_short}",
        short_pred=f"pred {naming.perf_short}",
        short_true=f"true {naming.perf_short}",
        cmplx_short=naming.cmplx_short,
        perf_format=naming.perf_format,
        perf_step=naming.perf_step,
        perf_bounds=naming.perf_bounds,
    )


def names_for(info: SpaceInfo | None) -> Names:
    """The labels for ``info``'s space (the default space's when ``None``)."""
    return names_of(DEFAULT_NAMING if info is None else info.naming)


def colour_by(names: Names) -> dict[str, str]:
    """Colour-by labels -> table columns for the four figures."""
    return {
        names.pred_acc: "pred_acc",
        names.pred_params: "pred_params",
        names.true_acc: "true_acc",
        names.params: "params",
    }

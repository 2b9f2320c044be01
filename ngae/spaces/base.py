"""One interface for a search space: everything specific to a space sits behind it.

A space turns its own objects (an ENAS architecture, an Asia network; each is hashable and has
``to_string`` and ``to_dag``) into the dense DAGs the model reads and back, says which decoded
graphs are valid, gives their exact complexity, and tells every other layer how to name, draw,
edit, tabulate, query and compare them; it may offer an oracle (true figures of any object).
Code outside a space's folder asks these methods and never tests a space's name or words.

Adding a space: one folder ``ngae/spaces/<name>/`` whose ``space`` module defines a subclass
(found by :mod:`ngae.spaces.registry`) and a data file it claims (``docs/spaces.md``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ngae.spaces.dense_graphs import graph_keys
from ngae.spaces.errors import DataError
from ngae.spaces.graph_data import GraphData


@dataclass(frozen=True)
class Naming:
    """How a space's figures are named and printed, by every layer (CLI, pages, exports).

    Attributes:
        item: one object ("architecture", "network").
        items: several ("architectures", "networks").
        perf: the figure the accuracy head predicts ("accuracy", "BIC").
        perf_short: its short form in captions ("acc", "BIC").
        cmplx: the complexity ("parameters", "free parameters").
        cmplx_short: its short form ("params", "free parameters").
        cmplx_column: the exact complexity's column title ("exact params").
        perf_key: its key in data files and results ("acc", "score").
        vertex: what a vertex type is ("op", "variable").
        perf_format: printf format of a performance figure ("%.4f").
        perf_step: step of number inputs for it.
        perf_bounds: the range the figure can take (``(0, 1)`` for accuracy), ``None``: open.
        higher_is_better: whether a higher performance figure is better (it is for all spaces
            here: BIC is a log-likelihood with a penalty).
    """

    item: str
    items: str
    perf: str
    perf_short: str
    cmplx: str
    cmplx_short: str
    cmplx_column: str
    perf_key: str
    vertex: str = "vertex type"
    perf_format: str = "%.4f"
    perf_step: float = 0.0005
    perf_bounds: tuple[float | None, float | None] = (None, None)
    higher_is_better: bool = True

    def perf_text(self, value: float) -> str:
        """A performance figure as text, in the space's precision."""
        return self.perf_format % value


@dataclass(frozen=True)
class Reference:
    """Published figures a model of this space is compared with.

    ``figures`` maps a source ("D-VAE") to its figures under the evaluation's keys
    (``recon_acc``, ``validity``, ``uniqueness``, ``novelty``, ``perf_rmse``).
    """

    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class SearchDefaults:
    """The space's default search settings.

    The trade-off ``lambda_cmplx``, a complexity cap (or none) and the start ``strategy`` (one
    of ``ngae.search.config.STRATEGIES``); ``reason`` says why.
    """

    lambda_cmplx: float
    max_params: float | None = None
    reason: str = ""
    strategy: str = "predicted"


@dataclass(frozen=True)
class Editor:
    """How a person edits an object.

    ``kind``: ``string`` (its text only), ``layers`` (an op per position from ``choices``,
    then links from earlier positions, ``slots`` positions) or ``grid`` (an adjacency matrix
    over the named ``choices``, ``descriptions`` their long names). The editor's value is what
    :meth:`SearchSpace.editor_value` gives and :meth:`SearchSpace.from_editor` reads:
    ``(ops, links)`` for ``layers`` (``links[i][j]``: position ``i`` also reads node ``j``,
    node 0 the input), the 0/1 matrix for ``grid``.
    """

    kind: str = "string"
    choices: tuple[str, ...] = ()
    slots: int = 0
    help: str = ""
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sketch:
    """A drawing of one object, free of any drawing library.

    ``nodes``: ``(id, label, fill colour, shape, tooltip)``; ``edges``: ``(source id,
    target id, style)`` with style ``main`` or ``side`` (a skip: dashed, light);
    ``left_out``: vertices of the DAG not drawn (e.g. Asia's input and output).
    """

    nodes: tuple[tuple[str, str, str, str, str], ...]
    edges: tuple[tuple[str, str, str], ...]
    name: str = "cell"


@dataclass(frozen=True)
class Difference:
    """From object ``a`` to ``b``: what changed, as text and as marks on ``a``'s sketch.

    ``changed_nodes``: node ids of ``a`` whose type differs; ``own_edges`` edges of ``a``
    that ``b`` lacks (ids as in :class:`Sketch`); ``text``: one line, ``no change`` when equal.
    """

    text: str
    changed_nodes: tuple[str, ...] = ()
    own_edges: tuple[tuple[str, str], ...] = ()

    @property
    def same(self) -> bool:
        """Whether the two objects are one."""
        return self.text == "no change"


@dataclass(frozen=True)
class QueryLanguage:
    """A space's structural queries: help text, a placeholder and an example."""

    help: str
    placeholder: str


class SearchSpace(ABC):
    """A DAG search space (see the module docstring)."""

    name: str
    title: str
    data_file: Path
    naming: Naming
    burn_in: int = 0
    example: str = ""
    validity_rule: str = "valid_mask"  # what the evaluation reports its validity by
    exports_adjacency: bool = False  # results also carry the string as ``adjacency`` (JSON)
    reference: Reference = Reference()
    search_defaults: SearchDefaults = SearchDefaults(lambda_cmplx=20.0)
    editor: Editor = Editor()
    queries: QueryLanguage | None = None

    # ----- objects and graphs -----------------------------------------------------------
    @abstractmethod
    def parse(self, text: str) -> Any:
        """An object from its canonical string; raises ArchError with the reason."""

    @abstractmethod
    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> Any:
        """The object of a valid dense graph; raises ArchError otherwise."""

    @abstractmethod
    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        """Which decoded graphs are valid, ``(B,)`` bool (``-1`` types after the last vertex).

        The batched rule every layer uses (training, evaluation, the atlas, search); it must
        agree with :meth:`from_dag` succeeding on the graph.
        """

    @abstractmethod
    def complexity(self, items: list[Any]) -> np.ndarray:
        """Exact complexity of each object, ``(M,)`` float64."""

    @abstractmethod
    def vertex_names(self, item: Any) -> list[str]:
        """A label per vertex of ``item.to_dag()`` (input and output included)."""

    @abstractmethod
    def load(self, path: Path) -> GraphData:
        """The data set in ``path`` as :class:`~ngae.spaces.graph_data.GraphData`."""

    def claims(self, path: Path, first: dict | None) -> bool:
        """Whether the data file ``path`` is this space's (``first``: its first JSON record)."""
        return False

    def to_items(self, types: Tensor, adj: Tensor) -> list[Any | None]:
        """Objects of decoded graphs (``None`` where not strictly valid)."""
        ok = self.valid_mask(types, adj, strict=True).cpu().numpy()
        t, a = types.cpu().numpy(), adj.cpu().numpy().astype(np.int64)
        return [self.from_dag(t[i], a[i]) if ok[i] else None for i in range(len(ok))]

    def keys(self, types: np.ndarray | Tensor, adj: np.ndarray | Tensor) -> list[bytes]:
        """Hashable keys of dense graphs: equal for the same object (uniqueness, novelty)."""
        return graph_keys(types, adj)

    def dense(self, items: list[Any]) -> tuple[Tensor, Tensor]:
        """``types`` ``(M, N)`` long and ``adj`` ``(M, N, N)`` float of objects."""
        dags = [item.to_dag() for item in items]
        types = torch.as_tensor(np.stack([d[0] for d in dags]))
        return types, torch.as_tensor(np.stack([d[1] for d in dags]), dtype=torch.float32)

    def check_text(self, text: str, vertices: int) -> None:
        """Raise ArchError when ``text`` cannot be an object of a model with ``vertices``.

        Called before :meth:`parse` where a model fixes the size (ENAS counts its integers);
        any size is fine by default.
        """
        return None

    def editor_value(self, item: Any) -> Any:
        """The :attr:`editor`'s value of ``item`` (``None`` for a string editor)."""
        return None

    def from_editor(self, value: Any) -> str:
        """The string of the object an :attr:`editor` value describes (ArchError if none)."""
        raise NotImplementedError(f"the {self.title} space is edited as text")

    # ----- words and pictures -----------------------------------------------------------
    def type_names(self, num_types: int) -> list[str]:
        """A name per vertex type (0 input, 1 output, then the space's)."""
        return ["input", "output", *(str(t) for t in range(2, num_types))]

    def legend(self) -> list[tuple[str, str]]:
        """``(colour, label)`` of what the drawings' colours mean (empty: no legend)."""
        return []

    def sketch(self, item: Any) -> Sketch:
        """The drawing of ``item``: one box per vertex named by :meth:`vertex_names`."""
        _, adj = item.to_dag()
        names = self.vertex_names(item)
        nodes = tuple((f"v{k}", name, "#FFFFFF", "box", "") for k, name in enumerate(names))
        edges = tuple((f"v{u}", f"v{v}", "main") for u, v in zip(*np.nonzero(adj), strict=True))
        return Sketch(nodes, edges, "dag")

    def file_stem(self, item: Any) -> str:
        """A file name (no extension) for a drawing of ``item``."""
        safe = "".join(c if c.isalnum() else "-" for c in f"{self.naming.item} {item}")
        return safe[:120]

    def hover_text(self, text: str) -> str:
        """How an object's string is shown in a hover label (short strings as they are)."""
        return text

    # ----- tables, queries, differences ------------------------------------------------
    def features(self, items: list[Any]) -> dict[str, np.ndarray]:
        """Per-object columns for tables (``{name: (M,) array}``): the edge count by default."""
        return {"edges": np.array([int(i.to_dag()[1].sum()) for i in items], dtype=np.int64)}

    def layer_ops(self, types: np.ndarray) -> np.ndarray | None:
        """``(K, L)`` op index of each position, where positions have ops; else ``None``."""
        return None

    def op_names(self) -> tuple[str, ...]:
        """Names of the ops :meth:`layer_ops` returns (empty when it returns ``None``)."""
        return ()

    def query(self, text: str, types: np.ndarray, adj: np.ndarray) -> np.ndarray:
        """Indices of the dense graphs matching a structural query (see :attr:`queries`)."""
        raise NotImplementedError(f"the {self.title} space has no structural queries")

    def difference(self, a: Any, b: Any) -> Difference | None:
        """What changed from ``a`` to ``b``, or ``None`` where the space does not say."""
        return None

    def step_changes(self, items: list[str | None]) -> list[str]:
        """What changed at each step of a path of object strings (``None``: no valid object).

        One line per step after the first; empty where the space does not say what changed.
        """
        out = []
        for prev, cur in zip(items, items[1:], strict=False):
            if prev is None or cur is None:
                out.append(f"no valid {self.naming.item}" if cur is None else "valid again")
                continue
            diff = self.difference(self.parse(prev), self.parse(cur))
            out.append("" if diff is None else diff.text)
        return out

    # ----- the oracle -------------------------------------------------------------------
    @property
    def has_oracle(self) -> bool:
        """Whether the space can compute the true score of any object."""
        return False

    def oracle_metrics(self) -> tuple[str, ...]:
        """Names of the true figures :meth:`true_metrics` gives (the first is the score)."""
        return (self.naming.perf,) if self.has_oracle else ()

    def ranked_metrics(self) -> dict[str, str]:
        """The true figures objects are ranked by (higher is better): a short key -> its name.

        Keys name ranks in tables and requests (``valid`` -> ``valid accuracy``); values are
        :meth:`oracle_metrics` names. The oracle's score by default.
        """
        return {"score": self.oracle_metrics()[0]} if self.has_oracle else {}

    def reported_metric(self) -> str:
        """The true figure a search reports of the object it selects by score.

        One of :meth:`oracle_metrics`: the score itself by default; a benchmark with a
        held-out figure reports that one (NAS-Bench-Graph: selected by validation accuracy,
        reported by test accuracy).
        """
        return self.oracle_metrics()[0] if self.has_oracle else ""

    def true_scores(self, items: list[Any]) -> np.ndarray:
        """The oracle's score of each object (only where :attr:`has_oracle`)."""
        raise NotImplementedError(f"the {self.title} space has no oracle")

    def true_metrics(self, items: list[Any]) -> dict[str, np.ndarray]:
        """Every true figure of each object, by :meth:`oracle_metrics` name."""
        return {self.oracle_metrics()[0]: self.true_scores(items)}

    def optimum(self) -> tuple[float, Any] | None:
        """The best possible score and object, where the space can compute it."""
        return None

    def describe_optimum(self, item: Any) -> str:
        """Lines that describe an optimal object for the CLI (its string by default)."""
        return f"{self.naming.item} {item}"

    def optimum_details(self, item: Any) -> dict[str, Any]:
        """More about an optimal object for ``optimum --json`` (none by default)."""
        return {}

    def oracle_sources(self) -> tuple[str, ...]:
        """Named sources the oracle can read (a benchmark's data sets; empty: none to pick)."""
        return ()

    @property
    def oracle_source(self) -> str:
        """The source the oracle reads now (one of :meth:`oracle_sources`, or ``""``)."""
        return ""

    def training_curves(self, item: Any) -> dict[str, np.ndarray] | None:
        """Per-epoch curves of ``item`` where the oracle has them (``None`` otherwise)."""
        return None

    def with_oracle_source(self, source: str) -> SearchSpace:
        """This space with its oracle computed from ``source`` (a samples file, a data set).

        Raises ArchError or DataError for a source the space cannot use.
        """
        raise NotImplementedError(f"the {self.title} space takes no oracle source")

    def source_of_file(self, path: Path) -> str:
        """The named source (one of :meth:`oracle_sources`) whose figures file ``path`` holds.

        Told by the file's name alone (nothing is read): a benchmark's own files may hold more
        than its named sources read, such as per-epoch training curves, and
        :meth:`with_oracle_source` reads them. Raises DataError (one line) for a file of none.
        """
        raise DataError(f"{Path(path).name}: the {self.title} space reads no files of its sources")

"""The contract every search space keeps, checked on each registered space and the test's toy.

Round trips (string, DAG), the batched validity rule against the per-object one on random and
broken graphs, keys, naming, drawing, table columns, the oracle. A new space is checked by
being registered: no test lists the spaces.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from toy_space import ToySpace

from ngae.search.config import SearchConfig
from ngae.spaces.base import Naming, SearchSpace, Sketch
from ngae.spaces.registry import SPACES, load_dataset
from ngae.ui.cells import sketch_graph

ALL = [*SPACES.values(), ToySpace()]
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def items_of(space: SearchSpace, tmp_path_factory, count: int = 60) -> list:
    """Objects of the space: from its data file (the toy writes its own)."""
    if isinstance(space, ToySpace):
        from toy_space import all_toys

        return all_toys()[:: max(1, 1944 // count)][:count]
    data = load_dataset(space.data_file)
    assert data.space == space.name and data.archs is not None
    step = max(1, len(data) // count)
    return list(data.archs[::step][:count])


@pytest.fixture(scope="module", params=ALL, ids=lambda s: s.name)
def space_items(request, tmp_path_factory):
    return request.param, items_of(request.param, tmp_path_factory)


def test_strings_and_dags_round_trip(space_items):
    space, items = space_items
    assert space.parse(space.example).to_string() == space.example
    for item in items:
        assert space.parse(item.to_string()) == item
        types, adj = item.to_dag()
        assert space.from_dag(types, adj) == item
    types, adj = space.dense(items)
    assert [i.to_string() for i in space.to_items(types, adj)] == [i.to_string() for i in items]


def _broken(rng, types: torch.Tensor, adj: torch.Tensor):
    """Copies of dense graphs with one random change each: an edge flipped, a type changed, or
    the graph cut short (``-1`` types after a vertex)."""
    types, adj = types.clone(), adj.bool().clone()
    n = types.shape[1]
    for b in range(len(types)):
        kind = rng.integers(3)
        if kind == 0:
            u = int(rng.integers(n - 1))
            v = int(rng.integers(u + 1, n))
            adj[b, u, v] = ~adj[b, u, v]
        elif kind == 1:
            types[b, int(rng.integers(n))] = int(rng.integers(types.max() + 1))
        else:
            cut = int(rng.integers(1, n))
            types[b, cut:] = -1
            adj[b, cut:, :] = False
            adj[b, :, cut:] = False
    return types, adj


def _per_object(space: SearchSpace, types: torch.Tensor, adj: torch.Tensor) -> list[bool]:
    out = []
    for t, a in zip(types.numpy(), adj.numpy().astype(np.int64), strict=True):
        if (t < 0).any():
            out.append(False)
            continue
        try:
            space.from_dag(t, a)
            out.append(True)
        except ValueError:
            out.append(False)
    return out


def test_batched_validity_agrees_with_the_per_object_rule(space_items):
    space, items = space_items
    rng = np.random.default_rng(0)
    types, adj = space.dense(items)
    assert space.valid_mask(types, adj, strict=True).all()
    broken_t, broken_a = _broken(rng, types, adj)
    batched = space.valid_mask(broken_t, broken_a, strict=True).tolist()
    assert batched == _per_object(space, broken_t, broken_a)
    assert not all(batched), "the changes should break some graphs"


def test_keys_identify_objects(space_items):
    space, items = space_items
    types, adj = space.dense(items)
    keys = space.keys(types, adj)
    assert len(keys) == len(items) and all(isinstance(k, bytes) for k in keys)
    assert space.keys(types, adj) == keys
    assert len(set(keys)) == len({i.to_string() for i in items})
    assert space.keys(types[:0], adj[:0]) == []


def test_naming_drawing_and_columns(space_items):
    space, items = space_items
    naming = space.naming
    assert isinstance(naming, Naming)
    for word in (naming.item, naming.items, naming.perf, naming.cmplx, naming.perf_key):
        assert word and word == word.strip()
    assert naming.perf_text(0.5)
    names = space.type_names(int(space.dense(items)[0].max()) + 1)
    assert names[:2] == ["input", "output"]
    assert all(COLOUR.match(c) and label for c, label in space.legend())
    item = items[0]
    sketch = space.sketch(item)
    assert isinstance(sketch, Sketch)
    ids = {node[0] for node in sketch.nodes}
    assert all(u in ids and v in ids and kind in ("main", "side") for u, v, kind in sketch.edges)
    assert sketch_graph(sketch, vertical=True).number_of_nodes() == len(ids)
    stem = space.file_stem(item)
    assert stem and re.fullmatch(r"[\w.-]+", stem)
    columns = space.features(items)
    assert all(len(v) == len(items) for v in columns.values())
    assert len(space.vertex_names(item)) == len(item.to_dag()[0])
    complexity = space.complexity(items)
    assert complexity.shape == (len(items),) and np.isfinite(complexity).all()


def test_differences_and_editors_where_offered(space_items):
    space, items = space_items
    a, b = items[0], items[1]
    diff = space.difference(a, a)
    if diff is not None:
        assert diff.same
        other = space.difference(a, b)
        assert not other.same and other.text
        ids = {node[0] for node in space.sketch(a).nodes}
        assert set(other.changed_nodes) <= ids
        assert all(u in ids and v in ids for u, v in other.own_edges)
    if space.editor.kind != "string":
        assert space.from_editor(space.editor_value(a)) == a.to_string()


def test_the_oracle_where_there_is_one(space_items):
    space, items = space_items
    if not space.has_oracle:
        assert space.oracle_metrics() == ()
        return
    metrics = space.true_metrics(items)
    assert list(metrics) == list(space.oracle_metrics())
    scores = space.true_scores(items)
    assert scores.shape == (len(items),)
    np.testing.assert_array_equal(metrics[space.oracle_metrics()[0]], scores)
    best = space.optimum()
    if best is not None:
        value, item = best
        assert value >= np.nanmax(scores) - 1e-9
        assert space.true_scores([item])[0] == pytest.approx(value)


def test_search_defaults_are_sane(space_items):
    space, _ = space_items
    d = space.search_defaults
    assert d.lambda_cmplx >= 0 and (d.max_params is None or d.max_params > 0)
    SearchConfig(strategy=d.strategy).validate()  # a strategy the search knows

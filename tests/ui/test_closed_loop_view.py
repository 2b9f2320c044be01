"""The closed loop as the Search page shows it: the benchmark's figures read back per data set,
the run's curve beside them, its table best first; a hand-made run gives known answers."""

from __future__ import annotations

import json

import numpy as np

from ngae.explorer import ClosedLoopResult, Query
from ngae.explorer.comparisons import budget_file_names, load_budget_figures
from ngae.ui.closed_loop import loop_figure, loop_frame, loop_summary
from ngae.ui.naming import names_for

LABELS = ("test of the best valid", "best test")
METRICS = ("valid accuracy", "test accuracy")


def _bench(folder, methods=True, baselines=True):
    def entry(budgets, mean):
        return {str(b): {"mean": mean + b / 1000, "std": 0.01, "seeds": 3} for b in budgets}

    ceilings = {"best_valid_test": 0.82, "best_test": 0.83}
    main, extra = budget_file_names("nasbench-graph")
    if methods:
        doc = {"ceilings": ceilings, "methods": {"ngae": entry((20, 50), 0.7)}}
        doc["methods"]["random"] = entry((20, 50), 0.6)
        (folder / main).write_text(json.dumps({"datasets": {"cora": doc}, "settings": {}}))
    if baselines:
        doc = {"ceilings": ceilings, "methods": {"random": entry((20, 50, 500), 0.5)}}
        (folder / extra).write_text(json.dumps({"datasets": {"cora": doc}}))
    return folder


def test_methods_come_first_and_baselines_add_budgets(tmp_path):
    got = load_budget_figures("nasbench-graph", "cora", LABELS, _bench(tmp_path))
    assert budget_file_names("nasbench-graph") == (
        "nasbench_graph_methods.json",
        "nasbench_graph_baselines.json",
    )
    assert got.note == "" and got.ceilings == {LABELS[0]: 0.82, LABELS[1]: 0.83}
    assert got.methods["ngae"] == {20: (0.72, 0.01, 3), 50: (0.75, 0.01, 3)}
    assert got.methods["random"] == {20: (0.62, 0.01, 3), 50: (0.65, 0.01, 3), 500: (1.0, 0.01, 3)}


def test_a_missing_file_or_data_set_is_one_line(tmp_path):
    got = load_budget_figures("nasbench-graph", "photo", LABELS, _bench(tmp_path))
    assert got.methods == {} and got.note == (
        "No benchmark figures for photo in assets/nasbench_graph_methods.json."
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    got = load_budget_figures("nasbench-graph", "cora", LABELS, empty)
    assert got.note == (
        "No benchmark figures to compare with: assets/nasbench_graph_methods.json is missing."
    )
    (empty / "nasbench_graph_methods.json").write_text("{broken")
    assert load_budget_figures("nasbench-graph", "cora", LABELS, empty).methods == {}


def test_the_shipped_assets_hold_every_method_on_cora():
    got = load_budget_figures("nasbench-graph", "cora", LABELS)
    assert {"random", "evolution", "bo", "ngae"} <= set(got.methods) and not got.note
    assert set(got.methods["random"]) >= {20, 50, 100, 200, 500}
    assert 0.8 < got.ceilings[LABELS[1]] < 0.9


def _run():
    figures = [(0.70, 0.71), (0.75, 0.69), (0.75, 0.80), (0.72, 0.78), (0.80, 0.77)]
    queries = tuple(
        Query(
            f"arch {k}",
            v,
            dict(zip(METRICS, (v, t), strict=True)),
            k // 2,
            "random" if k < 2 else "decoded",
            rank,
        )  # fmt: skip
        for k, ((v, t), rank) in enumerate(zip(figures, (9, 4, 4, 7, 1), strict=True))
    )
    return ClosedLoopResult(
        queries=queries, best_so_far=(0, 1, 1, 1, 4), metric_names=METRICS,
        reported="test accuracy", pool_size=26206, budget=5, rounds=2, seconds=1.0,
        source="cora", seed=3,
    )  # fmt: skip


def test_the_curve_and_table_of_a_run():
    run = _run()
    np.testing.assert_allclose(run.curve("test accuracy"), [0.71, 0.69, 0.69, 0.69, 0.77])
    frame = loop_frame(run)
    assert list(frame.columns) == ["arch", *METRICS, "rank", "query", "round", "chosen"]
    assert frame.arch.tolist() == ["arch 4", "arch 1", "arch 2", "arch 3", "arch 0"]
    assert frame["query"].tolist() == [5, 2, 3, 4, 1]  # ties in rank: the first asked first
    summary = loop_summary(run, names_for(None))
    assert summary["its rank of 26,206"] == "1" and summary["queries"] == "5 / 5"


def test_the_figure_puts_the_run_beside_the_benchmark(tmp_path):
    bench = load_budget_figures("nasbench-graph", "cora", LABELS, _bench(tmp_path))
    fig = loop_figure(_run(), bench, names_for(None))
    names = [t.name for t in fig.data]
    assert names == [
        "each query's test accuracy",
        "NGAE closed loop (benchmark)",
        "random search (benchmark)",
        "this search (seed 3)",
    ]
    np.testing.assert_allclose(fig.data[2].x, [20.25, 50.625, 506.25])  # nudged 1.25 % aside
    assert [c[0] for c in fig.data[2].customdata] == [20, 50, 500]
    assert list(fig.data[-1].y)[-1] == 0.77
    assert [s.y0 for s in fig.layout.shapes] == [0.82, 0.83]
    bare = loop_figure(_run(), None, names_for(None))
    assert len(bare.data) == 2 and not bare.layout.shapes

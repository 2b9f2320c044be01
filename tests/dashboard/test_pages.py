"""AppTest for every page, run in a worker process pointed at a tiny checkpoint.

The AppTest scenarios run in a spawned worker whose environment names the tiny workspace
(``NGAE_CHECKPOINT_DIR``, ``NGAE_JOBS_DB``), so Streamlit's caches and the pytest process never
share state (one worker per workspace, kept for the module); each scenario returns plain data
and the assertions run here.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from ui_fixtures import ROOT, empty_workspace, make_tiny_workspace

DASHBOARD = str(ROOT / "dashboard.py")
PAGES = ["latent_map", "model", "search", "architecture", "train"]


# ----- in the worker ------------------------------------------------------------------------
def _app(page: str | None = None, query: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params.update(query or {})
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def _summary(at) -> dict:
    return {
        "exception": [e.value for e in at.exception],
        "error": [e.value for e in at.error],
        "info": [e.value for e in at.info],
        "warning": [e.value for e in at.warning],
        "cells": sum("ngae-cell" in m.value for m in at.markdown),
        "diffs": [
            m.value.split('data-side="')[1][:3] for m in at.markdown if "ngae-diff" in m.value
        ],
        "plotly": len(at.get("plotly_chart")),
        "dataframes": len(at.dataframe),
        "metrics": {m.label: m.value for m in at.metric},
        "markdown": [m.value for m in at.markdown],
        "caption": [c.value for c in at.caption],
        "widgets": sorted(
            {
                w.label
                for kind in (
                    "selectbox",
                    "radio",
                    "text_input",
                    "number_input",
                    "button",
                    "multiselect",
                )
                for w in at.get(kind)
            }
        ),
    }


def _select(at, key: str, **selection) -> None:
    at.session_state[key] = {
        "selection": {
            "points": [],
            "point_indices": [],
            "box": [],
            "lasso": [],
            "rows": [],
            "columns": [],
        }
        | selection
    }
    at.run()


def scenario_pages() -> dict:
    """Every page in turn, as the sidebar's links open them."""
    at = _app()
    out = {}
    for page in PAGES:
        at.switch_page(f"pages/{page}.py")
        at.run()
        out[page] = _summary(at)
    return out


def scenario_map() -> dict:
    at = _app("latent_map")
    out = {"start": _summary(at)}
    _select(at, "map_chart", point_indices=[3])
    out["click"] = _summary(at)
    _select(at, "map_chart", point_indices=[7])
    out["interp_ab"] = (at.session_state["interp_a"], at.session_state["interp_b"])
    at.button(key="interp_go").click().run()
    out["interp"] = _summary(at)
    probe = {"curve_number": 1, "point_index": 0, "customdata": [-1, 0.25, -0.5]}
    _select(at, "map_chart", points=[probe], point_indices=[0])
    out["probe"] = _summary(at)
    at.selectbox(key="map_colour").select("exact params").run()
    out["colour"] = _summary(at)
    at.number_input(key="decode_x").set_value(0.5)
    at.number_input(key="decode_y").set_value(-0.25)
    at.button(key="decode_xy").click().run()
    out["typed"] = _summary(at) | {"spec": at.get("plotly_chart")[0].proto.spec}
    at.number_input(key="decode_x").set_value(1e9)
    at.button(key="decode_xy").click().run()
    out["far"] = _summary(at) | {"x": at.session_state["decode_x"]}
    out["extent"] = at.session_state["map_extent"]
    # Another checkpoint: the typed position and the focus belong to the old one.
    import shutil

    folder = os.environ["NGAE_CHECKPOINT_DIR"]
    shutil.copy(os.path.join(folder, "ngae_default.pt"), os.path.join(folder, "copy.pt"))
    at.run()
    at.selectbox(key="checkpoint_picker").select("copy.pt").run()
    out["switched"] = _summary(at) | {"focus": at.session_state["map_focus"]
                                      if "map_focus" in at.session_state else None}  # fmt: skip
    return out


def scenario_selection() -> dict:
    at = _app("latent_map")
    _select(at, "map_chart", point_indices=[3, 5, 8])
    return _summary(at)


def scenario_search() -> dict:
    at = _app("search")
    out = {}
    for name, value in (("nan", "nan"), ("text", "fast")):
        at.text_input[0].set_value(value)
        at.button[0].click().run()
        out[name] = _summary(at)
    at.text_input[0].set_value("")
    at.number_input[0].set_value(3)
    at.number_input[1].set_value(5)
    at.number_input[2].set_value(5)
    at.button[0].click().run()
    out["running"] = _summary(at)
    deadline = time.time() + 30
    while time.time() < deadline and not at.dataframe:
        time.sleep(0.3)
        at.run()
    out["done"] = _summary(at)
    _select(at, "search_table", rows=[0])
    out["row"] = _summary(at)
    return out


def scenario_architecture() -> dict:
    at = _app("architecture")
    out = {"start": _summary(at)}
    at.text_input(key="enas6_text").set_value("1 2 3").run()
    out["bad"] = _summary(at)
    at.text_input(key="enas6_text").set_value("0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1").run()
    out["good"] = _summary(at)
    out["op3"] = at.selectbox(key="enas6_op_3").value
    at.selectbox(key="enas6_op_0").set_value(5).run()
    out["built"] = at.text_input(key="enas6_text").value
    links = at.dataframe[0].value
    out["links"] = list(links["open"])[:2] if "open" in links else []
    # A link from another page: /architecture?arch=... opens that architecture.
    linked = _app("architecture", query={"arch": "2 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"})
    out["linked"] = linked.text_input(key="enas6_text").value
    # Compare: the nearest other data-set cell by default, then any typed cell, then a bad one.
    at.text_input(key="enas6_text").set_value(ARCH_A).run()
    out["nearest"] = _summary(at)
    at.text_input(key="arch_compare").set_value(ARCH_B).run()
    out["typed"] = _summary(at)
    out["typed_table"] = at.table[0].value.to_dict("list") if at.table else {}
    at.text_input(key="arch_compare").set_value("0 1 2").run()
    out["bad_compare"] = _summary(at)
    pair = _app("architecture", query={"arch": ARCH_A, "with": ARCH_B})
    out["pair"] = _summary(pair)
    return out


ARCH_A = "0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1"
# B: op 0 -> 2 at layer 1, and layer 6 takes node 3 instead of node 2
ARCH_B = "2 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 0 1 1"


def scenario_train() -> dict:
    at = _app("train")
    out = {"start": _summary(at)}
    at.text_input[0].set_value("bad name!")
    at.button[0].click().run()
    out["bad_name"] = _summary(at)
    return out


def scenario_guard() -> dict:
    def app():
        from pages.common import guard

        with guard("the test"):
            raise RuntimeError("boom")

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(app, default_timeout=30)
    at.run()
    return _summary(at)


def _second_checkpoint() -> str:
    """A copy of the tiny model beside it (``copy.pt`` sorts first: the old picker's pick)."""
    import shutil

    folder = os.environ["NGAE_CHECKPOINT_DIR"]
    if not os.path.exists(os.path.join(folder, "copy.pt")):
        shutil.copy(os.path.join(folder, "ngae_default.pt"), os.path.join(folder, "copy.pt"))
    return "copy.pt"


def _where(at) -> tuple:
    """(the picked checkpoint, what the picker shows, the URL's ckpt)."""
    return (at.session_state["checkpoint"], at.selectbox(key="checkpoint_picker").value,
            at.query_params.get("ckpt"))  # fmt: skip


def scenario_checkpoint_stays() -> dict:
    """Issue 28 §1: every page twice after a pick; links; a link's checkpoint; a bad one."""
    other = _second_checkpoint()
    at = _app("latent_map")
    out = {"start": _where(at)}
    at.selectbox(key="checkpoint_picker").select(other).run()
    out["tour"] = []
    for _ in range(2):
        for page in PAGES:
            at.switch_page(f"pages/{page}.py")
            at.run()
            out["tour"].append((page, *_where(at), [e.value for e in at.error]))
    at.switch_page("pages/architecture.py")
    at.run()
    links = at.dataframe[0].value  # the Architecture page's neighbours
    out["links"] = list(links["open"]) if "open" in links else []
    linked = _app("model", query={"ckpt": other})
    out["linked"] = _where(linked) + (linked.title[0].value,)
    bad = _app(query={"ckpt": "nowhere.pt"})
    out["bad"] = _where(bad) + (_summary(bad)["warning"],)
    return out


def scenario_carried_state() -> dict:
    """Per-checkpoint filters, a blank map's notice, and what pages hand each other."""
    other = _second_checkpoint()
    at = _app("latent_map")
    out = {"full": list(at.multiselect(key="map_split").value)}
    at.multiselect(key="map_split").set_value(["train"]).run()
    at.selectbox(key="checkpoint_picker").select(other).run()
    out["other"] = list(at.multiselect(key="map_split").value)
    at.selectbox(key="checkpoint_picker").select("ngae_default.pt").run()
    out["back"] = list(at.multiselect(key="map_split").value)
    at.multiselect(key="map_split").set_value([]).run()
    out["empty"] = _summary(at)["warning"]
    at.multiselect(key="map_split").set_value(out["full"]).run()
    _select(at, "map_chart", point_indices=[3, 5, 8])
    at.button(key="sel_search").click().run()  # "Search from these"
    out["starts"] = _summary(at)["info"]
    at.switch_page("pages/search.py")  # AppTest's next run is where switch_page went
    at.selectbox(key="checkpoint_picker").select(other).run()
    out["refused"] = _summary(at)["info"]
    at.session_state["search_result"] = {"key": ("gone.pt", 1), "result": None, "n": 7}
    at.run()
    out["elsewhere"] = _summary(at)["info"]
    at.session_state["arch_request"] = {"checkpoint": "gone.pt", "value": ARCH_B}
    at.switch_page("pages/architecture.py")
    at.run()
    out["arch"] = _summary(at)["info"] + [at.text_input(key="enas6_text").value]
    return out


# ----- in pytest ------------------------------------------------------------------------------
def _pool(env: dict[str, str]) -> ProcessPoolExecutor:
    saved = dict(os.environ)
    os.environ.update(env, OMP_NUM_THREADS="1")
    try:  # spawn copies the environment when the worker starts: start it now
        pool = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
        pool.submit(os.getpid).result(timeout=120)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return pool


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pool = _pool(make_tiny_workspace(tmp_path_factory.mktemp("ui_tiny")))
    yield lambda fn: pool.submit(fn).result(timeout=180)
    pool.shutdown(cancel_futures=True)


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    pool = _pool(empty_workspace(tmp_path_factory.mktemp("ui_empty")))
    yield lambda fn: pool.submit(fn).result(timeout=180)
    pool.shutdown(cancel_futures=True)


def test_every_page_loads(tiny):
    pages = tiny(scenario_pages)
    for page, s in pages.items():
        assert not s["exception"] and not s["error"], (page, s["exception"], s["error"])
    assert {"Projection", "Colour by", "Split", "Interpolate"} <= set(
        pages["latent_map"]["widgets"]
    )
    assert pages["latent_map"]["plotly"] == 1
    assert "Benchmark data set" not in pages["latent_map"]["widgets"]  # no oracle sources
    assert pages["model"]["plotly"] == 3 and "architectures" in pages["model"]["metrics"]
    assert {"Samples", "Steps", "Learning rate", "Max params", "Run search"} <= set(
        pages["search"]["widgets"]
    )
    assert {"Architecture string", "Layer 1", "Layer 6"} <= set(pages["architecture"]["widgets"])
    assert pages["architecture"]["cells"] == 1
    assert {"Output name", "Epochs", "Start training"} <= set(pages["train"]["widgets"])


def test_map_selection_decodes_and_interpolates(tiny):
    s = tiny(scenario_map)
    assert s["start"]["cells"] == 0  # nothing drawn before a click
    assert any('class="op-legend"' in m for m in s["start"]["markdown"])  # the op colours
    click = s["click"]
    assert not click["error"] and click["cells"] == 1  # the decoded cell
    assert {"predicted accuracy", "exact params", "predicted params", "true accuracy"} <= set(
        click["metrics"]
    )
    assert any("Architecture #3" in m for m in click["markdown"])
    assert any("reproduced the original" in c for c in click["caption"])
    assert s["interp_ab"] == (3, 7)
    assert s["interp"]["cells"] >= 1 + 6 - sum(
        "no valid architecture" in w for w in s["interp"]["warning"]
    )
    assert any("Decoded at PCA position (0.25, -0.50)" in m for m in s["probe"]["markdown"])
    assert not s["colour"]["error"] and s["colour"]["plotly"] == 1
    assert any("Decoded at PCA position (0.50, -0.25)" in m for m in s["typed"]["markdown"])
    assert '"name":"focus"' in s["typed"]["spec"].replace(" ", "")  # a star marks it
    far = s["far"]
    assert any("outside the region the latent codes occupy" in w for w in far["warning"])
    assert far["x"] == s["extent"][1][0]  # moved to the region's edge, not decoded at 1e9
    assert not far["error"] and not far["exception"]
    switched = s["switched"]
    assert switched["focus"] is None and not switched["exception"]
    assert any("Click a point to decode its cell" in i for i in switched["info"])


def test_a_selection_shows_its_ops_and_compares_two_members(tiny):
    s = tiny(scenario_selection)
    assert not s["exception"] and not s["error"], s["error"]
    assert any(m.startswith("**Selection: 3 architectures**") for m in s["markdown"])
    assert s["plotly"] == 2  # the map and the ops per layer (the space has an op per layer)
    assert s["diffs"] == ["old", "new"]  # #3 against #5
    assert any(m.startswith("**#3 → #5:**") for m in s["markdown"])


def test_search_form_errors_and_run(tiny):
    s = tiny(scenario_search)
    assert any("Learning rate: 'nan' is not a number" in e for e in s["nan"]["error"])
    assert any("Learning rate: " in e and "is not a number" in e for e in s["text"]["error"])
    assert not s["done"]["error"] and s["done"]["dataframes"] >= 1
    assert "distinct valid" in s["done"]["metrics"]
    assert s["done"]["plotly"] == 2
    assert s["row"]["cells"] >= 1  # the result's cell, then its trajectory's decodings
    assert any("Along its trajectory" in m for m in s["row"]["markdown"])


def test_architecture_page_validates(tiny):
    s = tiny(scenario_architecture)
    assert s["start"]["cells"] == 1 and not s["start"]["error"]
    assert any("Not a valid architecture" in e for e in s["bad"]["error"])
    assert s["bad"]["cells"] == 0
    assert s["good"]["cells"] == 1 and not s["good"]["error"]
    assert s["op3"] == 3  # the pasted string was loaded into the builder
    assert s["built"].startswith("5 1 0 2 ")  # and the builder writes the string back
    need = "need 21 integers (6 layers: each layer's op, then one skip bit per earlier node)"
    assert s["bad"]["error"] == [f"Not a valid architecture: {need}, got 3"]
    assert s["links"] and all(link.startswith("architecture?arch=") for link in s["links"])
    assert s["linked"] == "2 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"


def test_architecture_page_compares_any_two_cells(tiny):
    s = tiny(scenario_architecture)
    nearest = s["nearest"]
    assert nearest["diffs"] == ["old", "new"] and not nearest["error"]
    assert any(m.startswith("**this architecture → the other:**") for m in nearest["markdown"])
    typed = s["typed"]
    assert typed["diffs"] == ["old", "new"] and not typed["error"]
    change = "layer 1: conv3x3 -> conv5x5; +skip 3>6; -skip 2>6"
    assert any(f"**this architecture → the other:** {change}" == m for m in typed["markdown"])
    assert (
        s["typed_table"]["this architecture"][1] != s["typed_table"]["the other"][1]
    )  # params differ
    bad = s["bad_compare"]
    assert bad["diffs"] == [] and not bad["exception"]
    assert any(
        e.startswith("Not a valid architecture to compare with: need 21") for e in bad["error"]
    )
    assert s["pair"]["diffs"] == ["old", "new"]
    assert any(change in m for m in s["pair"]["markdown"])  # a link carries both cells


def test_train_form_rejects_bad_name(tiny):
    s = tiny(scenario_train)
    assert not s["start"]["exception"]
    assert any("output name" in e for e in s["bad_name"]["error"])


def test_guard_turns_exceptions_into_messages(tiny):
    s = tiny(scenario_guard)
    assert not s["exception"]
    assert any("Something went wrong in the test (RuntimeError: boom)" in e for e in s["error"])


def test_no_checkpoint_message_on_every_page(empty):
    pages = empty(scenario_pages)
    for page, s in pages.items():
        assert not s["exception"] and not s["error"], (page, s)
        assert any("No checkpoint" in i for i in s["info"]), (page, s["info"])


def test_the_picked_checkpoint_stays_and_is_in_every_url(tiny):
    s = tiny(scenario_checkpoint_stays)
    assert s["start"] == ("ngae_default.pt",) * 3
    assert len(s["tour"]) == 2 * len(PAGES)
    for page, key, shown, url, errors in s["tour"]:
        assert (key, shown, url, errors) == ("copy.pt", "copy.pt", "copy.pt", []), page
    assert s["links"] and all(link.endswith("&ckpt=copy.pt") for link in s["links"])
    assert s["linked"] == ("copy.pt", "copy.pt", "copy.pt", "Model: copy.pt")
    assert s["bad"][:3] == ("ngae_default.pt",) * 3  # a link naming no checkpoint here
    assert any("'nowhere.pt', which is not in checkpoints/" in w for w in s["bad"][3])


def test_state_follows_its_checkpoint(tiny):
    s = tiny(scenario_carried_state)
    assert s["other"] == s["full"] and s["back"] == ["train"]  # Split is per checkpoint
    assert any("match the Split and the filters" in w for w in s["empty"])
    assert any("Starting from the 3 architectures selected on the map" in i for i in s["starts"])
    refused = "The 3 start points selected on the map of **ngae_default.pt** are not used on"
    assert any(i.startswith(refused) for i in s["refused"])
    assert not any("Starting from the" in i for i in s["refused"])
    assert any(i.startswith("Search 7 ran on **gone.pt**") for i in s["elsewhere"])
    assert any("belongs to **gone.pt**" in i for i in s["arch"][:-1])
    assert s["arch"][-1] != ARCH_B  # not opened on this checkpoint

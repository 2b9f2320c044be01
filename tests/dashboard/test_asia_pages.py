"""AppTest for every page on an Asia checkpoint: the space's words, its editor, the oracle."""

from __future__ import annotations

import time

import pytest
from test_pages import _app, _pool, _select, _summary, scenario_pages
from ui_fixtures import make_asia_workspace

EDGE = "asia_edge_1_3"  # S -> L


def scenario_map() -> dict:
    at = _app("latent_map")
    out = {"start": _summary(at)}
    _select(at, "map_chart", point_indices=[3])
    out["click"] = _summary(at)
    at.number_input(key="map_pred_lo").set_value(-12000.0).run()
    out["filtered"] = _summary(at)
    _select(at, "map_chart", point_indices=[3, 5, 8])
    out["selection"] = _summary(at)
    return out


def scenario_network() -> dict:
    at = _app("architecture")
    out = {"start": _summary(at), "text": at.text_input(key="asia_text").value}
    at.text_input(key="asia_text").set_value("0" * 64).run()  # no edges: the boxes follow
    out["cleared"] = at.checkbox(key=EDGE).value
    at.checkbox(key=EDGE).set_value(True).run()
    out["toggled"] = at.text_input(key="asia_text").value
    out["after_toggle"] = _summary(at)
    # A -> S and S -> A: a cycle, refused with the reason.
    at.text_input(key="asia_text").set_value("01" + "0" * 6 + "1" + "0" * 55).run()
    out["cycle"] = _summary(at)
    return out


def scenario_search() -> dict:
    at = _app("search")
    at.number_input[0].set_value(3)
    at.number_input[1].set_value(5)
    at.number_input[2].set_value(4)
    at.button[0].click().run()
    deadline = time.time() + 60
    while time.time() < deadline and not at.dataframe:
        time.sleep(0.3)
        at.run()
    out = {"done": _summary(at)}
    out["columns"] = list(at.dataframe[0].value.columns) if at.dataframe else []
    return out


@pytest.fixture(scope="module")
def asia(tmp_path_factory):
    pool = _pool(make_asia_workspace(tmp_path_factory.mktemp("ui_asia")))
    yield lambda fn: pool.submit(fn).result(timeout=240)
    pool.shutdown(cancel_futures=True)


def test_every_page_loads_on_asia(asia):
    pages = asia(scenario_pages)
    for page, s in pages.items():
        assert not s["exception"] and not s["error"], (page, s["exception"], s["error"])
    assert "Adjacency string" in pages["architecture"]["widgets"]
    assert pages["architecture"]["cells"] == 1
    assert any("Filter by BIC" in m or "BIC" in m for m in pages["latent_map"]["widgets"])


def test_map_click_shows_the_true_bic(asia):
    s = asia(scenario_map)
    assert any("A: visit to Asia" in m for m in s["start"]["markdown"])  # the variable legend
    click = s["click"]
    assert not click["error"] and not click["exception"]
    assert {"predicted BIC", "free parameters", "true BIC"} <= set(click["metrics"]), click
    assert not s["filtered"]["exception"] and not s["filtered"]["error"]
    selection = s["selection"]
    assert not selection["exception"] and not selection["error"]
    assert any(m.startswith("**Selection: 3 networks**") for m in selection["markdown"])
    assert selection["plotly"] == 1  # no ops per position in this space: no histogram
    assert selection["diffs"] == ["old", "new"]  # the space compares two networks


def test_the_network_editor_round_trips_and_refuses_cycles(asia):
    s = asia(scenario_network)
    assert len(s["text"]) == 64 and s["start"]["cells"] == 1
    assert s["start"]["diffs"] == ["old", "new"]  # against the nearest other network
    assert any(m.startswith("**this network → the other:**") for m in s["start"]["markdown"])
    assert s["cleared"] is False
    assert s["toggled"] == "0" * 11 + "1" + "0" * 52  # row S, column L
    assert not s["after_toggle"]["error"] and s["after_toggle"]["cells"] == 1
    assert s["cycle"]["error"] == [
        "Not a valid network: the graph has a directed cycle (a Bayesian network must be a DAG)"
    ]


def test_search_shows_the_oracle_beside_the_prediction(asia):
    s = asia(scenario_search)
    done = s["done"]
    assert not done["error"] and not done["exception"]
    assert {"best true BIC found", "training set's best BIC", "exact optimum"} <= set(
        done["metrics"]
    )
    assert done["metrics"]["exact optimum"] == "-11,320.3"
    assert "true_score" in s["columns"]

"""AppTest on the shipped NAS-Bench-Graph model: the data-set picker, the map's true colours
and leaderboard, an architecture's figures on all nine data sets, look-up by hash."""

from __future__ import annotations

import pytest
from test_pages import _app, _pool, _select, _summary
from ui_fixtures import make_nasbench_graph_workspace

from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS

TEXT = "nasbench-graph_text"  # the string editor's box (its key carries the space's name)
PICKER = "oracle_source_picker"


def _board(at):
    """The leaderboard's rows (the map page's last table)."""
    return at.dataframe(key="board_table").value


def _transfer(at) -> dict:
    """The Architecture page's table of the object on every data set (empty if none)."""
    tables = [d.value for d in at.dataframe if "data set" in d.value.columns]
    return tables[0].to_dict("list") if tables else {}


def scenario_map() -> dict:
    at = _app("latent_map")
    out = {"start": _summary(at), "source": at.session_state["oracle_source"]}
    out["url"] = dict(at.query_params)
    out["colours"] = at.selectbox(key="map_colour").options
    out["board"] = _board(at).head(3).to_dict("list")
    at.selectbox(key="map_colour").select("true test accuracy (cora)").run()
    at.selectbox(key=PICKER).select("citeseer").run()
    out["picked"] = _summary(at) | {
        "source": at.session_state["oracle_source"],
        "url": dict(at.query_params),
        "colour": at.selectbox(key="map_colour").value,
        "board": _board(at).head(3).to_dict("list"),
        "share": [c.value for c in at.code if "proj=" in c.value],
    }
    at.radio(key="board_by").set_value("test").run()
    out["by_test"] = _board(at).head(3).to_dict("list")
    _select(at, "board_table", rows=[0])
    out["row"] = _summary(at)
    at.button(key="board_open").click().run()  # the run switches to the Architecture page
    out["opened"] = _summary(at) | {
        "text": at.text_input(key=TEXT).value,
        "source": at.session_state["oracle_source"],
        "transfer": _transfer(at),
    }
    return out


def scenario_links() -> dict:
    good = _app("latent_map", query={"dataset": "pubmed"})
    bad = _app(query={"dataset": "mnist"})  # the warning is on the first page drawn
    return {
        "good": (good.session_state["oracle_source"], good.selectbox(key=PICKER).value),
        "bad": (bad.session_state["oracle_source"], _summary(bad)["warning"]),
    }


def scenario_lookup() -> dict:
    at = _app("architecture")
    out = {}
    for name, text in (("hash", "#87072"), ("bare", "87072"), ("bad", "#88888")):
        at.text_input(key=TEXT).set_value(text).run()
        out[name] = _summary(at) | {
            "codes": [c.value for c in at.code],
            "transfer": len(_transfer(at).get("data set", [])),
        }
    return out


@pytest.fixture(scope="module")
def nbg(tmp_path_factory):
    pool = _pool(make_nasbench_graph_workspace(tmp_path_factory.mktemp("ui_nbg")))
    yield lambda fn: pool.submit(fn).result(timeout=300)
    pool.shutdown(cancel_futures=True)


@pytest.mark.slow
def test_the_picker_colours_and_leaderboard_follow_the_data_set(nbg):
    s = nbg(scenario_map)
    start = s["start"]
    assert not start["exception"] and not start["error"], start["error"]
    assert "Benchmark data set" in start["widgets"] and s["source"] == "cora"
    assert s["url"]["dataset"] == "cora"
    assert {"true valid accuracy (cora)", "true test accuracy (cora)", "true latency (s) (cora)",
            "true params (M) (cora)"} <= set(s["colours"])  # fmt: skip
    optimum = NasBenchGraphSpace().optimum()[1].to_string()
    assert s["board"]["arch"][0] == optimum and s["board"]["valid rank"][0] == 1
    picked = s["picked"]
    assert not picked["exception"] and not picked["error"], picked["error"]
    assert picked["source"] == "citeseer" and picked["url"]["dataset"] == "citeseer"
    assert picked["colour"] == "true test accuracy (citeseer)"  # the colour followed the pick
    assert picked["url"]["colour"] == "true test accuracy (citeseer)"
    assert len(picked["share"]) == 1 and "dataset=citeseer" in picked["share"][0]
    citeseer = NasBenchGraphSpace("citeseer").optimum()[1].to_string()
    assert picked["board"]["arch"][0] == citeseer != optimum
    assert picked["board"]["valid accuracy"] != s["board"]["valid accuracy"]
    assert s["by_test"]["test rank"][0] == 1 and s["by_test"]["arch"] != picked["board"]["arch"]
    assert "Open #" in " ".join(s["row"]["widgets"])
    opened = s["opened"]
    assert not opened["exception"] and not opened["error"], opened["error"]
    assert opened["text"] == s["by_test"]["arch"][0] and opened["source"] == "citeseer"
    transfer = opened["transfer"]
    assert transfer["data set"] == list(DATASETS)
    assert transfer["test accuracy rank"][1] == "1 of 26,206"  # best by test on citeseer


@pytest.mark.slow
def test_a_link_names_the_data_set(nbg):
    s = nbg(scenario_links)
    assert s["good"] == ("pubmed", "pubmed")
    source, warnings = s["bad"]
    assert source == "cora"
    assert any("data set 'mnist'" in w and "proteins" in w for w in warnings)


@pytest.mark.slow
def test_look_up_by_hash_shows_all_nine_data_sets(nbg):
    s = nbg(scenario_lookup)
    arch = GnnArch.from_hash(87072).to_string()
    for name in ("hash", "bare"):
        assert not s[name]["error"] and s[name]["cells"] == 1, s[name]["error"]
        assert arch in s[name]["codes"] and s[name]["transfer"] == 9
        assert any("on every data set of the benchmark" in m for m in s[name]["markdown"])
    assert s["bad"]["error"] == [
        "Not a valid architecture: 88888 is not a benchmark hash (the key of an architecture)"
    ]

"""AppTest on the shipped NAS-Bench-Graph model: the data-set picker, the map's true colours,
hovers and leaderboard, an architecture's figures on all nine data sets, look-up by hash, and
training curves from full benchmark files given in the sidebar."""

from __future__ import annotations

import base64
import functools
import json

import numpy as np
import pytest
from bench_files import write_curves_file
from test_pages import _app, _pool, _select, _summary
from ui_fixtures import make_nasbench_graph_workspace

from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.canonical import all_hashes
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS, light_table

TEXT = "nasbench-graph_text"  # the string editor's box (its key carries the space's name)
PICKER = "oracle_source_picker"
FILES_BOX = "oracle_files_box"  # the sidebar's box for full benchmark files
METRICS = ("valid accuracy", "test accuracy", "latency (s)", "params (M)")


def _board(at):
    """The leaderboard's rows (the map page's last table)."""
    return at.dataframe(key="board_table").value


def _transfer(at) -> dict:
    """The Architecture page's table of the object on every data set (empty if none)."""
    tables = [d.value for d in at.dataframe if "data set" in d.value.columns]
    return tables[0].to_dict("list") if tables else {}


def _charts(at) -> list[dict]:
    """Every Plotly figure on the page, as its JSON."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _hovers(at) -> list[str]:
    """The latent map's hover labels (its first figure's first trace)."""
    return list(_charts(at)[0]["data"][0]["text"])


def scenario_hover() -> dict:
    at = _app("latent_map")
    out = {"cora": _summary(at) | {"hovers": _hovers(at)}}
    at.selectbox(key=PICKER).select("proteins").run()
    out["proteins"] = _summary(at) | {"hovers": _hovers(at)}
    _select(at, "map_chart", point_indices=list(range(40)))  # most lack a proteins figure
    tables = [d.value for d in at.dataframe if "true valid accuracy (proteins)" in d.value]
    out["members"] = [t[[c for c in t.columns if "(proteins)" in c]] for t in tables]
    return out


def scenario_files(folder: str, arch: str) -> dict:
    """Give bad paths, then a folder of full files; the Architecture page of ``arch``."""
    at = _app("architecture")
    at.text_input(key=TEXT).set_value(arch).run()
    out = {"before": _summary(at) | {"transfer": _transfer(at)}}
    for name in ("missing.bench", "tampered/cora9.bench", "notes.txt"):
        at.text_input(key=FILES_BOX).set_value(f"{folder}/{name}").run()
        out[name] = _summary(at) | {"session": at.session_state["oracle_files"]}
    at.text_input(key=FILES_BOX).set_value(folder).run()
    out["folder"] = _summary(at) | {"titles": _titles(at), "radio": _radio_options(at)}
    at.radio(key="arch_curves_file").set_value(f"{folder}/cora1.bench").run()
    out["seed 1"] = _summary(at) | {"curves": _charts(at)[-1]["data"]}
    at.selectbox(key=PICKER).select("citeseer").run()
    out["citeseer"] = _summary(at) | {"titles": _titles(at)}
    at.selectbox(key=PICKER).select("cora").run()
    at.switch_page("pages/latent_map.py")
    at.run()
    at.switch_page("pages/architecture.py")
    at.run()
    at.text_input(key=TEXT).set_value(arch).run()
    out["back"] = _summary(at) | {"titles": _titles(at), "box": at.text_input(key=FILES_BOX).value}
    at.text_input(key=FILES_BOX).set_value("").run()
    out["cleared"] = _summary(at) | {"titles": _titles(at)}
    return out


def _titles(at) -> list[str]:
    """Each figure's title."""
    titles = [c.get("layout", {}).get("title") or "" for c in _charts(at)]
    return [t.get("text", "") if isinstance(t, dict) else t for t in titles]


def _radio_options(at) -> list[str]:
    radios = [r for r in at.radio if r.key == "arch_curves_file"]
    return list(radios[0].options) if radios else []


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


@pytest.mark.slow
def test_the_map_hover_gives_the_true_figures_on_the_picked_data_set(nbg):
    s = nbg(scenario_hover)
    for name in ("cora", "proteins"):
        assert not s[name]["exception"] and not s[name]["error"], s[name]["error"]
    cora, proteins = s["cora"]["hovers"], s["proteins"]["hovers"]
    assert len(cora) == len(proteins) == 26_206
    best = [h for h in cora if "(rank 1 of 26,206)" in h]
    assert best and all("<br>cora: valid accuracy 0.8" in h for h in best)
    assert all(h.count("<br>cora: valid accuracy ") == 1 for h in cora)
    assert all("test accuracy" in h and "params (M)" in h for h in cora)
    known = [h for h in proteins if "<br>proteins: valid accuracy" in h]
    assert len(known) == 2_021 and all(" of 2,021)<br>test accuracy " in h for h in known)
    assert sum(h.endswith("<br>not evaluated on proteins") for h in proteins) == 26_206 - 2_021
    # The selection's members: a figure the proteins table lacks reads "-", not "None".
    assert len(s["members"]) == 1  # the members table (no other table has the columns)
    members = s["members"][0].to_dict("list")
    assert set(members) == {f"true {m} (proteins)" for m in METRICS}
    values = [v for column in members.values() for v in column]
    assert "-" in values and all(v == "-" or float(v) >= 0 for v in values)


@pytest.mark.slow
def test_full_files_given_in_the_sidebar_draw_training_curves(nbg, tmp_path):
    missing = light_table("proteins").present[all_hashes()] == 0
    arch = GnnArch.from_hash(int(all_hashes()[np.flatnonzero(missing)[0]]))
    for name, epochs in (("cora0", 3), ("cora1", 4), ("pubmed0", 3)):
        write_curves_file(tmp_path / f"{name}.bench", [arch.bench_hash], epochs)
    (tmp_path / "notes.txt").write_text("not a table")
    (tmp_path / "tampered").mkdir()
    (tmp_path / "tampered" / "cora9.bench").write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    s = nbg(functools.partial(scenario_files, str(tmp_path), arch.to_string()))
    before = s["before"]
    assert not before["exception"] and not before["error"], before["error"]
    assert "Full benchmark files (optional)" in before["widgets"] and before["plotly"] == 1
    proteins = before["transfer"]["data set"].index("proteins")
    for metric in METRICS:
        column = before["transfer"][metric]
        assert column[proteins] == "-" and all(v not in ("None", "nan") for v in column)
        assert float(column[0]) > 0  # cora's figure, written as before
    assert before["transfer"]["valid accuracy rank"][proteins] == "-"
    assert s["missing.bench"]["error"] == [f"{tmp_path}/missing.bench: no such file or folder"]
    assert "refused os.system" in s["tampered/cora9.bench"]["error"][0]
    assert "notes.txt: not a benchmark file" in s["notes.txt"]["error"][0]
    for name in ("missing.bench", "tampered/cora9.bench", "notes.txt"):
        assert len(s[name]["error"]) == 1 and "\n" not in s[name]["error"][0]
        assert s[name]["plotly"] == 1  # no curves
    folder = s["folder"]
    assert not folder["exception"] and not folder["error"], folder["error"]
    assert any("3 full files, with training curves on cora, pubmed" in c for c in folder["caption"])
    assert folder["titles"][-1] == "Training curves on cora (cora0.bench)"
    assert folder["radio"] == ["cora0.bench", "cora1.bench"]  # one per seed, by name
    curves = {t["name"]: t for t in s["seed 1"]["curves"]}
    epochs = curves["valid accuracy"]["x"]  # Plotly's typed array
    epochs = np.frombuffer(base64.b64decode(epochs["bdata"]), epochs["dtype"])
    assert len(curves) == 7 and epochs.tolist() == [1, 2, 3, 4]  # cora1: 4 epochs
    citeseer = s["citeseer"]
    assert citeseer["plotly"] == 1 and not citeseer["error"]
    assert any("No training curves on citeseer" in c and "of cora, pubmed" in c
               for c in citeseer["caption"])  # fmt: skip
    assert s["back"]["box"] == str(tmp_path)  # kept across pages
    assert s["back"]["titles"][-1] == "Training curves on cora (cora0.bench)"
    assert s["cleared"]["plotly"] == 1 and not s["cleared"]["error"]

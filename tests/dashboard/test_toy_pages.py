"""Every dashboard page on a space defined only in the tests (``tests/toy_space.py``).

The worker process registers the toy space, then the pages run on a model trained on its data:
they speak its words, draw its cells, edit it as text and search it, with no product edit.
"""

from __future__ import annotations

import time

import pytest
from test_pages import _app, _pool, _select, _summary, scenario_pages
from toy_space import ToySpace

TOY_WORDS = ("toy cell", "goodness")


def make_toy_workspace(folder) -> dict[str, str]:
    """The toy space's data (all 1,944 cells) and a tiny model trained on it as the default."""
    from toy_space import register_toy, write_toy_data

    from ngae.config import ModelConfig, TrainConfig
    from ngae.spaces.registry import unregister
    from ngae.training.fit import fit, quick_metrics

    space = register_toy()  # for training here; the app's worker registers its own
    ckpt_dir = folder / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    data = write_toy_data(folder / "toy.jsonl")
    cfg = TrainConfig(
        data=str(data), epochs=6, batch_size=64, lr=5e-3, eval_interval=3, save_interval=0,
        precision="fp32",
    )  # fmt: skip
    try:
        fit(ModelConfig(hs=24, nz=6), cfg, ckpt_dir / "ngae_default.pt", progress=False,
            evaluate_every=quick_metrics)  # fmt: skip
    finally:
        unregister(space.name)
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def _with_toy(scenario):
    from toy_space import register_toy

    register_toy()  # in the worker: the app's process
    return scenario()


def toy_pages() -> dict:
    return _with_toy(scenario_pages)


def scenario_toy_search() -> dict:
    def run():
        at = _app("search")
        at.number_input[0].set_value(3)
        at.button[0].click().run()
        deadline = time.time() + 90
        while time.time() < deadline and not at.dataframe:
            time.sleep(0.3)
            at.run()
        return _summary(at)

    return _with_toy(run)


def scenario_toy_closed_loop() -> dict:
    """The Search page's second tab: a closed loop of 15 queries to its end, then a row opened."""

    def run():
        at = _app("search")
        next(w for w in at.number_input if w.label == "Budget (queries)").set_value(15)
        next(b for b in at.button if b.label == "Run the closed loop").click().run()
        deadline = time.time() + 120
        while time.time() < deadline and not any(
            h.value.startswith("Closed loop 1") for h in at.subheader
        ):
            time.sleep(0.3)
            at.run()
        out = _summary(at)
        out["subheaders"] = [h.value for h in at.subheader]
        table = at.dataframe[-1].value
        out["rows"], out["first"] = len(table), table.arch.iloc[0]
        out["ranks"] = table["rank"].tolist()
        _select(at, "loop_table", rows=[0])
        next(b for b in at.button if b.label.startswith("Open ")).click().run()
        out["opened"] = at.text_input(key="toy4_text").value
        return out

    return _with_toy(run)


def toy_train_spaces() -> list[str]:
    """The Train page's spaces after one more is registered in the running app's process."""

    def run():
        import ngae.explorer  # noqa: F401  (imported first: the app has started)
        from ngae.spaces.registry import register, unregister

        late = ToySpace()
        late.name, late.title = "toy4-late", "Toy cells, registered late"
        register(late)
        try:
            return list(_app("train").radio(key="train_space").options)
        finally:
            unregister(late.name)

    return _with_toy(run)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    pool = _pool(make_toy_workspace(tmp_path_factory.mktemp("ui_toy")))
    yield lambda fn: pool.submit(fn).result(timeout=240)
    pool.shutdown(cancel_futures=True)


def test_every_page_renders_the_toy_space(toy):
    pages = toy(toy_pages)
    for page, s in pages.items():
        assert not s["exception"] and not s["error"], (page, s["exception"], s["error"])
    text = " ".join(
        m for s in pages.values() for m in s["markdown"] + s["caption"] + s["widgets"]
    ).lower()
    assert all(word in text for word in TOY_WORDS), "the pages speak the toy space's words"
    assert pages["architecture"]["cells"] >= 1  # its cell drawn from its sketch
    assert pages["latent_map"]["plotly"] >= 1


def test_search_runs_on_the_toy_space(toy):
    s = toy(scenario_toy_search)
    assert not s["exception"] and not s["error"], (s["exception"], s["error"])
    assert s["dataframes"] >= 1


def test_a_closed_loop_runs_to_its_end_on_the_toy_space(toy):
    s = toy(scenario_toy_closed_loop)
    assert not s["exception"] and not s["error"], (s["exception"], s["error"])
    assert "Closed loop 1" in s["subheaders"] and s["plotly"] >= 1
    assert s["rows"] == 15 and s["ranks"] == sorted(s["ranks"])  # best first
    assert any("toy4_methods.json is missing" in line for line in s["info"])
    assert s["opened"] == s["first"]  # the chosen row, on the Architecture page


def test_the_train_page_offers_a_space_registered_after_start_up(toy):
    options = toy(toy_train_spaces)
    assert {"Toy cells (4 nodes, 3 ops)", "Toy cells, registered late"} <= set(options)

"""The latent map's layers in a real browser (Debian chromium + Playwright), shipped model.

Decoder atlas, objective field, density and the predictor's error and uncertainty, each chosen
with the Layer control and checked in the drawn figure's traces. With ``NGAE_UI_SHIPPED=1``
the screenshots go to ``assets/`` (README), else to a temporary folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401  (fixtures and helpers shared with the ENAS flows)
    PLOT,
    browser_context_args,
    browser_type_launch_args,
    idle,
    no_errors,
    open_map,
    shipped_workspace,
)
from ui_fixtures import ROOT

from ngae.browser_harness import CHROMIUM, free_port, server_env, start_dashboard, stop

SHIPPED = os.environ.get("NGAE_UI_SHIPPED") == "1"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]
TRACES = """() => { const g = document.querySelector('SELECTOR');
  return (g?._fullData ?? []).map(t => ({name: t.name, type: t.type,
    n: (t.z ? t.z.length * (t.z[0]?.length ?? 1) : (t.x ? t.x.length : 0)),
    colour: t.marker?.colorbar?.title?.text ?? null})); }""".replace("SELECTOR", PLOT)


@pytest.fixture(scope="module")
def layers_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_layers")
    env = server_env(shipped_workspace(folder))
    port = free_port()
    proc = start_dashboard(port, env, folder / "streamlit.log")
    yield f"http://127.0.0.1:{port}", (ROOT / "assets" if SHIPPED else folder)
    stop(proc)


def pick_layer(page, label: str, trace: str | None, timeout: float = 60.0) -> list[dict]:
    """Click a Layer option and wait until the figure has trace ``trace`` (or colour title)."""
    page.get_by_text(label, exact=True).click()
    deadline = time.time() + timeout
    while time.time() < deadline:
        traces = page.evaluate(TRACES)
        if trace is None or any(t["name"] == trace for t in traces):
            idle(page)
            return page.evaluate(TRACES)
        page.wait_for_timeout(100)
    raise AssertionError(f"no {trace} trace after {timeout} s: {page.evaluate(TRACES)}")


def test_each_layer_draws_on_the_shipped_map(page, layers_server):
    url, shots = layers_server
    open_map(page, url)
    traces = pick_layer(page, "decoder atlas (PCA)", "atlas")
    atlas = next(t for t in traces if t["name"] == "atlas")
    assert atlas["type"] == "heatmap" and atlas["n"] == 64 * 64
    assert any(t["name"] == "borders" for t in traces)
    assert traces[0]["name"] == "architectures"  # the points stay the first trace
    no_errors(page)
    page.screenshot(path=str(shots / "layer_atlas.png"))

    traces = pick_layer(page, "objective field (PCA)", "field")
    field = next(t for t in traces if t["name"] == "field")
    assert field["n"] == 14 * 14 * 7  # seven polyline points per arrow
    assert not any(t["name"] == "atlas" for t in traces)
    page.screenshot(path=str(shots / "layer_field.png"))

    traces = pick_layer(page, "density of training codes", "density")
    assert next(t for t in traces if t["name"] == "density")["type"] == "contour"

    page.get_by_text("predictor error", exact=True).click()
    page.wait_for_function(
        "(sel) => document.querySelector(sel)?._fullData?.[0]?.marker?.colorbar?.title?.text"
        " === 'predicted - true'",
        arg=PLOT,
        timeout=30_000,
    )
    page.get_by_text("predictor uncertainty", exact=True).click()
    page.wait_for_function(
        "(sel) => (document.querySelector(sel)?._fullData?.[0]?.marker?.colorbar?.title?.text"
        " ?? '').startsWith('uncertainty')",
        arg=PLOT,
        timeout=90_000,
    )
    idle(page)
    no_errors(page)
    page.screenshot(path=str(shots / "layer_uncertainty.png"))

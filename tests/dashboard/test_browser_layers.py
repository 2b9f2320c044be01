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
    click_point,
    idle,
    no_errors,
    open_map,
    shipped_workspace,
)
from ui_fixtures import ROOT

from ngae.browser_harness import (
    CHROMIUM,
    free_port,
    server_env,
    start_dashboard,
    stop,
    wait_cell_drawn,
)

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


def query_count(text: str) -> int:
    """The query's matches in the shipped data set, computed here (not by the server)."""
    from ngae.maps.queries import matches, parse_query
    from ngae.space.data import load_dataset

    data = load_dataset()
    return int(matches(parse_query(text), data.types, data.adj).sum())


def test_a_query_and_a_copied_link_restore_the_view_in_a_fresh_browser(
    page, browser, layers_server
):
    from playwright.sync_api import expect

    url, shots = layers_server
    open_map(page, url)
    page.get_by_text("Structural query", exact=True).click()
    text = "op 1=conv3x3; skip 0>3"
    box = page.get_by_role("textbox", name="Motifs")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_text("match the query")).to_be_visible(timeout=30_000)
    total = query_count(text)
    assert 0 < total < 20_020
    expect(page.get_by_text(f"({total:,} in the whole data set)")).to_be_visible()
    assert any(t["name"] == "query matches" for t in page.evaluate(TRACES))
    pick_layer(page, "density of training codes", "density")
    custom, start = click_point(page)
    _, arch = wait_cell_drawn(page, start)
    page.get_by_text("Share this view", exact=True).click()
    code = page.locator("[data-testid='stCode']").filter(has_text="layer=density")
    expect(code).to_be_visible()
    link = code.inner_text().strip()
    assert link.startswith(url) and "query=op" in link and f"focus=i{int(custom[0])}" in link
    page.screenshot(path=str(shots / "share_view.png"))

    fresh = browser.new_context(viewport={"width": 1400, "height": 1800})
    other = fresh.new_page()
    open_map(other, link)
    expect(other.get_by_role("textbox", name="Motifs")).to_have_value(text)
    expect(other.get_by_text(f"({total:,} in the whole data set)")).to_be_visible()
    names = [t["name"] for t in other.evaluate(TRACES)]
    assert "density" in names and "query matches" in names
    assert other.get_by_role("radio", name="density of training codes").is_checked()
    _, restored = wait_cell_drawn(other, time.perf_counter())
    assert restored == arch  # the focused architecture is decoded again
    no_errors(other)

    open_map(other, f"{url}/?proj=mds&layer=atlas&focus=i999999&query=op%209%3Dconv3x3")
    expect(other.get_by_text("Projection 'mds' is not available here")).to_be_visible()
    expect(other.get_by_text("Focus 'i999999' is not an architecture")).to_be_visible()
    expect(other.get_by_text("Query not restored")).to_be_visible()
    assert other.locator("[data-testid='stException']").count() == 0
    assert other.get_by_role("radio", name="decoder atlas (PCA)").is_checked()  # kept
    fresh.close()

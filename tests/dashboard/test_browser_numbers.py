"""What the map shows, checked where only a browser can: Plotly's own drawing (shipped model).

A filtered map zooms to the points it shows (the axis range Plotly draws, not the figure's
request), a box selection's members are ringed in the drawn figure, a row picked in the
ranked table is starred, and the atlas's first-op shading is drawn in the op legend's colours.
The shipped model's 20,020 points, so the checks see the real density.
"""

from __future__ import annotations

import pytest
from test_browser import (  # noqa: F401  (fixtures, marks and helpers shared with the ENAS flows)
    PLOT,
    browser_context_args,
    browser_type_launch_args,
    choose,
    idle,
    no_errors,
    open_map,
    pytestmark,
    shipped_workspace,
    shown_count,
    wait_until,
)

from benchmarks.browser_harness import PLOT_READY, free_port, server_env, start_dashboard, stop

TRACE_SIZES = """() => Object.fromEntries((document.querySelector('SELECTOR')?._fullData ?? [])
  .map(t => [t.name, t.x ? t.x.length : 0]))""".replace("SELECTOR", PLOT)
X_RANGE = f"() => Array.from(document.querySelector('{PLOT}')._fullLayout.xaxis.range)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_numbers")
    port = free_port()
    proc = start_dashboard(port, server_env(shipped_workspace(folder)), folder / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


def traces(page) -> dict[str, int]:
    return page.evaluate(TRACE_SIZES)


def test_a_filter_zooms_and_picks_are_marked(page, server):
    from playwright.sync_api import expect

    open_map(page, server)
    expect(page.get_by_text("What is this map?")).to_be_visible()
    title = page.evaluate(f"() => document.querySelector('{PLOT}')._fullLayout.xaxis.title.text")
    assert title.startswith("PC1 (") and title.endswith("% of the variance)")
    full = page.evaluate(X_RANGE)
    # Keep the few best true accuracies: the map zooms to them.
    page.get_by_text("Filter by accuracy and size").click()
    low = page.get_by_label("true accuracy ≥", exact=True)
    low.fill("0.7480")
    low.press("Enter")
    idle(page)
    assert wait_until(lambda: shown_count(page) < 2000, 30)
    page.wait_for_function(PLOT_READY, arg=0)
    assert wait_until(lambda: page.evaluate(X_RANGE) != full, 15)
    zoomed = page.evaluate(X_RANGE)
    assert zoomed[1] - zoomed[0] < full[1] - full[0]
    # A bound of 2 on accuracy says why it is not applied.
    high = page.get_by_label("true accuracy ≤", exact=True)
    high.fill("2")
    high.press("Enter")
    expect(
        page.get_by_text("true accuracy ≤: must be from 0.0000 to 1.0000, got 2")
    ).to_be_visible()
    high.fill("")
    high.press("Enter")
    idle(page)
    # A box: its members are ringed in the drawn figure, as many as the panel counts.
    page.locator(".stPlotlyChart").first.hover()
    page.locator(".modebar-btn[data-val='select']").first.click()
    area = page.locator(".stPlotlyChart .nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.05)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.95, area["y"] + area["height"] * 0.95, steps=8)
    page.mouse.up()
    panel = page.get_by_text("Selection: ", exact=False).first
    expect(panel).to_be_visible(timeout=30_000)
    idle(page)
    count = int(panel.inner_text().split("Selection: ")[1].split()[0].replace(",", ""))
    assert wait_until(lambda: traces(page).get("selection") == count, 15), (count, traces(page))
    # A row of the ranked table: starred on the map.
    grid = page.locator(".st-key-map_top_table [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    assert wait_until(lambda: traces(page).get("picked") == 1, 20), traces(page)
    no_errors(page)


def test_the_atlas_first_op_is_drawn_in_the_legends_colours(page, server):
    open_map(page, server)
    page.get_by_text("decoder atlas (PCA)").click()
    idle(page)
    choose(page, "Shade by", "first op")
    idle(page)
    shading = f"""() => {{ const g = document.querySelector('{PLOT}');
      const t = (g?._fullData ?? []).find(t => t.name === 'atlas');
      return t ? t.colorscale.map(c => c[1].toUpperCase()) : null; }}"""
    assert wait_until(lambda: page.evaluate(shading) is not None, 30)
    colours = set(page.evaluate(shading))
    assert {"#FFFF00", "#FFA500", "#ADFF2F", "#43CD80"} <= colours  # the op legend's colours
    no_errors(page)

"""The Asia space in a real browser (Debian chromium + Playwright), on the shipped Asia model.

One server for the module with ``checkpoints/ngae_asia.pt`` as the workspace's default: click a
point and see the network drawn with variable names and its true BIC; tick an edge in the
Network page's editor and see the drawing follow (and a cycle refused); run a search and see
the true BIC beside the prediction, the training set's best and the exact optimum.
With ``NGAE_UI_SHIPPED=1`` the screenshots go to ``assets/`` (README), else to a temp folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401  (fixtures shared with the ENAS flows)
    browser_context_args,
    browser_type_launch_args,
    click_point,
    idle,
    no_errors,
    open_map,
)
from ui_fixtures import ROOT, make_asia_workspace

from benchmarks.browser_harness import CHROMIUM, PLOT_READY, running_dashboard, wait_cell_drawn

SHIPPED = os.environ.get("NGAE_UI_SHIPPED") == "1"
NET_NODE = ".ngae-cell svg g.node"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]


@pytest.fixture(scope="module")
def asia_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_asia_browser")
    shots = ROOT / "assets" if SHIPPED else folder
    with running_dashboard(make_asia_workspace(folder), folder / "streamlit.log") as url:
        yield url, shots


def metric(page, label):
    """The value box of the metric called ``label``."""
    return (
        page.locator("[data-testid='stMetric']")
        .filter(has=page.locator("[data-testid='stMetricLabel']", has_text=label))
        .first
    )


def variables_drawn(page) -> list[str]:
    """The node names of the first drawing (SVG titles: read their text content)."""
    return page.evaluate(
        f"() => Array.from(document.querySelectorAll('{NET_NODE} title'), t => t.textContent)"
    )


def test_click_draws_the_network_and_its_true_bic(page, asia_server):
    from playwright.sync_api import expect

    url, shots = asia_server
    open_map(page, url)
    expect(page.get_by_text("A: visit to Asia")).to_be_visible()  # the variable legend
    _, start = click_point(page)
    wait_cell_drawn(page, start)
    expect(page.locator(NET_NODE).first).to_be_visible(timeout=15_000)
    assert sorted(variables_drawn(page)) == sorted("ASTLBEXD")
    for label in ("predicted BIC", "true BIC", "free parameters"):
        expect(metric(page, label)).to_be_visible()
    idle(page)
    no_errors(page)
    page.screenshot(path=str(shots / "asia_map.png"))


def test_the_edge_editor_redraws_and_refuses_a_cycle(page, asia_server):
    from playwright.sync_api import expect

    url, shots = asia_server
    page.goto(f"{url}/architecture")
    expect(page.locator(NET_NODE).first).to_be_visible(timeout=30_000)
    box = page.get_by_label("Adjacency string", exact=True)
    box.fill("0" * 64)
    box.press("Enter")
    idle(page)
    expect(page.locator(".ngae-cell svg g.edge")).to_have_count(0, timeout=15_000)
    page.get_by_label("S → L", exact=True).check(force=True)  # the checkbox of the edge S -> L
    expect(page.locator(".ngae-cell svg g.edge")).to_have_count(1, timeout=15_000)
    assert page.locator(".ngae-cell svg g.edge title").text_content() == "S->L"
    assert box.input_value() == "0" * 11 + "1" + "0" * 52
    idle(page)
    page.get_by_label("L → S", exact=True).check(force=True)
    expect(page.get_by_text("Not a valid network: the graph has a directed cycle")).to_be_visible(
        timeout=15_000
    )
    page.get_by_label("L → S", exact=True).uncheck(force=True)
    expect(page.locator(".ngae-cell svg g.edge")).to_have_count(1, timeout=15_000)
    idle(page)
    no_errors(page)
    page.screenshot(path=str(shots / "asia_network.png"))


def test_search_shows_true_bic_and_the_optimum(page, asia_server):
    from playwright.sync_api import expect

    url, shots = asia_server
    page.goto(f"{url}/search")
    idle(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Run search").click()
    expect(page.get_by_role("heading", name="Results of search 1")).to_be_visible(timeout=90_000)
    print(f"search -> results: {time.perf_counter() - start:.1f} s")
    for label in ("best true BIC found", "training set's best BIC", "exact optimum"):
        expect(metric(page, label)).to_be_visible()
    expect(page.get_by_text("-11,320.3", exact=True)).to_be_visible()
    page.wait_for_function(PLOT_READY, arg=1, timeout=30_000)
    idle(page)
    no_errors(page)
    page.screenshot(path=str(shots / "asia_search.png"), full_page=True)

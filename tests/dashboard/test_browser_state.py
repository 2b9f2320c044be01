"""The picked checkpoint stays picked, in a real browser (Debian chromium + Playwright).

Issue 28 §1. One server for the module on a workspace with two checkpoints of two spaces:
the tiny ENAS model as ``ngae_default.pt`` and a copy of the shipped Asia model (with its cached
codes) as ``ngae_asia.pt``, which sorts first, as on the shipped checkpoint folder. Every page
is visited, twice round, and the sidebar's picker is read on each: it changes only when a
person picks another checkpoint; each page's URL and the sidebar's links name it; a link
opened in a new tab shows the same model; a checkpoint switch and back gives the map its own
filters back; *Search from these* is refused on another checkpoint. Every wait is for a
condition, never for a time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401  (fixtures shared with the other browser tests)
    box_select,
    browser_context_args,
    browser_type_launch_args,
    click_option,
    idle,
    no_errors,
)
from ui_fixtures import copy_shipped, make_tiny_workspace

from benchmarks.browser_harness import CHROMIUM, PLOT_READY, running_dashboard

DEFAULT, OTHER = "ngae_default.pt", "ngae_asia.pt"  # OTHER sorts first: the old picker's pick
PAGES = ("Model", "Search", "Architecture", "Train", "Latent map")  # each unlike the one before
PLOT = ".stPlotlyChart .js-plotly-plot"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]


@pytest.fixture(scope="module")
def two_checkpoints(tmp_path_factory):
    """The tiny ENAS model (the default) beside a copy of the shipped Asia model."""
    folder = tmp_path_factory.mktemp("ui_state")
    env = make_tiny_workspace(folder)
    copy_shipped(OTHER, Path(env["NGAE_CHECKPOINT_DIR"]) / OTHER)  # with its cached codes
    with running_dashboard(env, folder / "streamlit.log") as url:
        yield url


# ----- helpers --------------------------------------------------------------------------------
def sidebar(page):
    return page.locator("[data-testid='stSidebar']")


def picker_value(page) -> str:
    """What the sidebar's checkpoint picker shows (read once: no retry hides a flip)."""
    return sidebar(page).get_by_role("combobox", name="Checkpoint").input_value()


def heading(page) -> str:
    return page.locator("[data-testid='stMain'] h1").first.inner_text()


def visit(page, title):
    """Click the sidebar's link to page ``title``; return once that page has run."""
    before = heading(page)
    link = (
        sidebar(page).locator("[data-testid='stPageLink']").filter(has_text=re.compile(f"{title}$"))
    )
    link.click()
    page.wait_for_function(
        """(before) => { const h = document.querySelector("[data-testid='stMain'] h1");
          return !!h && h.innerText !== before; }""",
        arg=before,
        timeout=60_000,
    )
    idle(page)


def pick(page, name):
    """Pick checkpoint ``name`` in the sidebar (the list is reopened if a rerun closed it)."""
    click_option(page, sidebar(page).get_by_role("combobox", name="Checkpoint"), name)
    page.wait_for_function(
        "(name) => new URLSearchParams(location.search).get('ckpt') === name", arg=name
    )
    idle(page, timeout=180_000)  # the first pick of a checkpoint loads it


def open_map(page, url):
    page.goto(url)
    page.wait_for_function(PLOT_READY, arg=0, timeout=120_000)
    idle(page)


def map_count(page) -> tuple[int, int]:
    """(shown, all) from the map's title ("300 of 300 ... · PCA"), once the map is drawn."""
    page.wait_for_function(PLOT_READY, arg=0, timeout=120_000)
    title = page.evaluate(f"() => document.querySelector('{PLOT}')._fullLayout.title.text")
    shown, total = re.search(r"([\d,]+) of ([\d,]+)", title).groups()
    return int(shown.replace(",", "")), int(total.replace(",", ""))


def wait_map_count(page, test, timeout=60.0):
    """The map's (shown, all) once ``test`` holds for it (a switch redraws the map)."""
    import time

    deadline, seen = time.time() + timeout, None
    while time.time() < deadline:
        try:
            seen = map_count(page)
        except Exception:  # mid-redraw: no chart, or no title yet
            seen = None
        if seen is not None and test(*seen):
            return seen
        page.wait_for_timeout(100)
    raise AssertionError(f"map count never passed the test: {seen}")


def tour(page, expected, rounds=2):
    """Every page, ``rounds`` times round: the picker, the URL and the links name ``expected``."""
    for _ in range(rounds):
        for title in PAGES:
            visit(page, title)
            assert picker_value(page) == expected, (title, page.url)
            assert f"ckpt={expected}" in page.url, (title, page.url)
            hrefs = sidebar(page).locator("a").evaluate_all("a => a.map(e => e.href)")
            assert hrefs and all(f"ckpt={expected}" in h for h in hrefs), (title, hrefs)
            if title == "Model":
                assert heading(page) == f"Model: {expected}"
            no_errors(page)


# ----- tests ----------------------------------------------------------------------------------
def test_the_picker_never_changes_by_itself(page, two_checkpoints):
    """Fresh browser on /: every page twice keeps the default; after a pick, the pick."""
    open_map(page, two_checkpoints)
    assert picker_value(page) == DEFAULT
    tour(page, DEFAULT)
    pick(page, OTHER)
    assert picker_value(page) == OTHER
    tour(page, OTHER)


def test_a_link_opened_in_a_new_tab_shows_the_same_model(browser, two_checkpoints):
    """The URL names the checkpoint: a new tab on a page's address shows that model."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    open_map(page, two_checkpoints)
    pick(page, OTHER)
    visit(page, "Model")
    fresh = context.new_page()
    fresh.goto(page.url)
    expect(fresh.get_by_role("heading", name=f"Model: {OTHER}")).to_be_visible(timeout=60_000)
    idle(fresh)
    assert picker_value(fresh) == OTHER
    link = sidebar(fresh).locator("[data-testid='stPageLink'] a").first.get_attribute("href")
    assert f"ckpt={OTHER}" in link
    no_errors(fresh)
    context.close()


def test_a_switch_and_back_gives_the_map_its_own_filters(page, two_checkpoints):
    """Split is per checkpoint: full after a switch and back; a narrowed split comes back
    narrowed and is not applied to the other model; a split that matches nothing says so."""
    from playwright.sync_api import expect

    open_map(page, two_checkpoints)
    full = wait_map_count(page, lambda shown, total: shown == total)
    pick(page, OTHER)
    other = wait_map_count(page, lambda shown, total: shown == total and total != full[1])
    pick(page, DEFAULT)
    assert wait_map_count(page, lambda shown, total: total == full[1]) == full
    split = page.locator("[data-testid='stMultiSelect']").filter(has_text="Split")
    tags = split.locator("[data-tag]").evaluate_all("t => t.map(e => e.getAttribute('aria-label'))")
    split.get_by_role("button", name=f"Remove {tags[0]}").click()
    idle(page)
    narrowed = wait_map_count(page, lambda shown, total: shown < total)
    pick(page, OTHER)
    assert wait_map_count(page, lambda shown, total: total == other[1]) == other
    pick(page, DEFAULT)
    assert wait_map_count(page, lambda shown, total: total == full[1]) == narrowed
    for tag in tags[1:]:  # every split removed: the map says why it is empty
        split.get_by_role("button", name=f"Remove {tag}").click()
        idle(page)
    expect(page.get_by_text("match the Split and the filters", exact=False)).to_be_visible(
        timeout=30_000
    )
    assert wait_map_count(page, lambda shown, total: shown == 0) == (0, full[1])
    no_errors(page)


def test_search_from_these_is_refused_on_another_checkpoint(page, two_checkpoints):
    """Start points picked on one model's map are not used on another's, with a notice."""
    from playwright.sync_api import expect

    open_map(page, two_checkpoints)
    box_select(page)
    button = page.get_by_role("button", name="Search from these", exact=True)
    expect(button).to_be_visible(timeout=30_000)
    button.click()
    page.wait_for_url(re.compile(r"/search\?"), timeout=30_000)
    idle(page)
    starting = page.get_by_text("selected on the map (the best predicted", exact=False)
    expect(starting).to_be_visible(timeout=30_000)
    assert picker_value(page) == DEFAULT
    pick(page, OTHER)
    refused = page.get_by_text(f"selected on the map of {DEFAULT} are not used on {OTHER}")
    expect(refused).to_be_visible(timeout=30_000)
    expect(starting).to_have_count(0)
    pick(page, DEFAULT)  # back on their own model, they are used again
    expect(starting).to_be_visible(timeout=30_000)
    expect(refused).to_have_count(0)
    no_errors(page)

"""The latent map's layers in a real browser (Debian chromium + Playwright), shipped model.

Decoder atlas, objective field, density and the predictor's error and uncertainty, each chosen
with the Layer control and checked in the drawn figure's traces. With ``NGAE_UI_SHIPPED=1``
the screenshots go to ``assets/`` (README), else to a temporary folder.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from test_browser import (  # noqa: F401  (fixtures, marks and helpers shared with the ENAS flows)
    PLOT,
    SHIPPED,
    browser_context_args,
    browser_type_launch_args,
    choose,
    click_point,
    colour_title,
    idle,
    no_errors,
    open_map,
    plot_title,
    pytestmark,
    shipped_workspace,
    wait_until,
)
from ui_fixtures import ROOT

from benchmarks.browser_harness import (
    free_port,
    server_env,
    start_dashboard,
    stop,
    wait_cell_drawn,
)

TRACES = """() => { const g = document.querySelector('SELECTOR');
  return (g?._fullData ?? []).map(t => ({name: t.name, type: t.type,
    n: (t.z ? t.z.length * (t.z[0]?.length ?? 1) : (t.x ? t.x.length : 0)),
    colour: t.marker?.colorbar?.title?.text ?? null})); }""".replace("SELECTOR", PLOT)


def nudged_copy(folder: Path) -> None:
    """A second checkpoint: the shipped model with its encoder weights nudged a little."""
    import torch

    from ngae.model.checkpoint import load_checkpoint, save_checkpoint

    ckpt = load_checkpoint(folder / "ngae_default.pt")
    gen = torch.Generator().manual_seed(0)
    for name, value in ckpt["state_dict"].items():
        if name.startswith("encoder.") and value.is_floating_point():
            noise = torch.randn(value.shape, generator=gen).to(value.dtype)
            value.add_(0.01 * value.abs().mean() * noise)
    save_checkpoint(folder / "ngae_nudged.pt", ckpt)


@pytest.fixture(scope="module")
def layers_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_layers")
    env = server_env(shipped_workspace(folder))
    nudged_copy(Path(env["NGAE_CHECKPOINT_DIR"]))
    port = free_port()
    proc = start_dashboard(port, env, folder / "streamlit.log")
    yield f"http://127.0.0.1:{port}", (ROOT / "assets" if SHIPPED else folder)
    stop(proc)


ATLAS_SHADING = """() => { const g = document.querySelector('SELECTOR');
  const t = (g?._fullData ?? []).find(t => t.name === 'atlas');
  const cells = (g?._fullData ?? []).find(t => t.name === 'atlas cells');
  if (!t || !cells) return null;
  const z = t.z.flatMap(r => Array.from(r)).filter(v => v === v);
  return {label: cells.hovertemplate.split(' ')[0], lo: Math.min(...z), hi: Math.max(...z),
          steps: Array.from(new Set(z))}; }""".replace("SELECTOR", PLOT)


def atlas_shading(page) -> dict | None:
    """The drawn atlas: its property's first word, value range and distinct values."""
    out = page.evaluate(ATLAS_SHADING)
    return out and {**out, "steps": set(out["steps"])}


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


def atlas_cell_decoding(x: float, y: float) -> str:
    """The shipped model's greedy decoding of the PCA map position ``(x, y)``, computed here."""
    import torch

    from ngae.explorer import open_explorer

    ex = open_explorer(ROOT / "checkpoints" / "ngae_default.pt")
    z = torch.as_tensor(ex.pca.inverse(np.array([[x, y]])), dtype=torch.float32)
    types, adj = ex.model.decode(z, stochastic=False)
    return ex.space.to_items(types, adj)[0].to_string()


def test_each_layer_draws_on_the_shipped_map(page, layers_server):
    from playwright.sync_api import expect

    url, shots = layers_server
    open_map(page, url)
    traces = pick_layer(page, "decoder atlas (PCA)", "atlas")
    atlas = next(t for t in traces if t["name"] == "atlas")
    assert atlas["type"] == "heatmap" and atlas["n"] == 64 * 64
    assert any(t["name"] == "borders" for t in traces)
    assert traces[0]["name"] == "architectures"  # the points stay the first trace
    no_errors(page)
    page.screenshot(path=str(shots / "layer_atlas.png"))
    custom, start = click_point(page, trace="atlas cells")  # a click on the atlas decodes
    expect(page.get_by_text("Decoded at PCA position", exact=False)).to_be_visible(timeout=30_000)
    _, arch = wait_cell_drawn(page, start)
    greedy = atlas_cell_decoding(float(custom[1]), float(custom[2]))
    note = page.get_by_text("The atlas cell here (its centre decoded greedily)", exact=False)
    expect(note).to_be_visible()  # what the atlas shows there, computed here as well
    said = "shows this same" if greedy == arch else f"shows `{greedy}`"
    assert said in note.inner_text(), (note.inner_text(), greedy, arch)
    idle(page)
    choose(page, "Shade by", "agreement of stochastic decodes")
    assert wait_until(lambda: (atlas_shading(page) or {}).get("label") == "agreement", 90)
    shading = atlas_shading(page)
    assert 0.0 <= shading["lo"] < shading["hi"] <= 1.0  # shares of four decodes
    assert shading["steps"] <= {0.0, 0.25, 0.5, 0.75, 1.0}

    traces = pick_layer(page, "objective field (PCA)", "field")
    field = next(t for t in traces if t["name"] == "field")
    assert field["n"] == 14 * 14 * 7  # seven polyline points per arrow
    assert not any(t["name"] == "atlas" for t in traces)
    page.screenshot(path=str(shots / "layer_field.png"))

    traces = pick_layer(page, "density of training codes", "density")
    assert next(t for t in traces if t["name"] == "density")["type"] == "contour"

    page.get_by_text("predictor error", exact=True).click()
    assert wait_until(lambda: colour_title(page) == "predicted - true", 30)
    page.get_by_text("predictor uncertainty", exact=True).click()
    assert wait_until(lambda: (colour_title(page) or "").startswith("uncertainty"), 90)
    idle(page)
    no_errors(page)
    page.screenshot(path=str(shots / "layer_uncertainty.png"))


def query_count(text: str) -> int:
    """The query's matches in the shipped data set, computed here (not by the server)."""
    from ngae.spaces.enas.queries import matches, parse_query
    from ngae.spaces.registry import load_dataset

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


# Points of the map's data trace inside a polygon given in fractions of the plot area (ray
# casting on data coordinates): what a box or lasso over that polygon must select.
INSIDE = """(poly) => { const gd = document.querySelector('SELECTOR');
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis, t = gd._fullData[0];
  const pts = poly.map(([fx, fy]) => [xa.range[0] + fx * (xa.range[1] - xa.range[0]),
                                      ya.range[1] - fy * (ya.range[1] - ya.range[0])]);
  let n = 0;
  for (let i = 0; i < t.x.length; i++) {
    let inside = false;
    for (let a = 0, b = pts.length - 1; a < pts.length; b = a++) {
      const [xi, yi] = pts[a], [xj, yj] = pts[b];
      if ((yi > t.y[i]) !== (yj > t.y[i]) &&
          t.x[i] < (xj - xi) * (t.y[i] - yi) / (yj - yi) + xi) inside = !inside;
    }
    if (inside) n++;
  }
  return n; }""".replace("SELECTOR", PLOT)


def select_with(page, tool: str, shape) -> int:
    """Pick a modebar tool (``select`` or ``lasso``), drag ``shape`` (fractions of the plot
    area), and check the selection panel counts what lies inside; returns the panel's count.
    """
    from playwright.sync_api import expect

    corners = shape if tool == "lasso" else [shape[0], (shape[1][0], shape[0][1]), shape[1],
                                             (shape[0][0], shape[1][1])]  # fmt: skip
    want = page.evaluate(INSIDE, [list(p) for p in corners])
    page.locator(".stPlotlyChart").first.hover()
    page.locator(f".modebar-btn[data-val='{tool}']").first.click()
    area = page.locator(".stPlotlyChart .nsewdrag").first.bounding_box()
    page.mouse.move(
        area["x"] + shape[0][0] * area["width"], area["y"] + shape[0][1] * area["height"]
    )
    page.mouse.down()
    for fx, fy in shape[1:]:
        page.mouse.move(area["x"] + fx * area["width"], area["y"] + fy * area["height"], steps=8)
    page.mouse.up()
    assert want > 1
    panel = page.get_by_text("Selection: ", exact=False).first
    expect(panel).to_be_visible(timeout=30_000)
    # Points within a pixel of the drawn outline may fall either way (mouse positions round);
    # a panel still showing an earlier selection is waited out.
    deadline, got = time.time() + 30, None
    while time.time() < deadline:
        idle(page)
        got = int(panel.inner_text().split()[1].replace(",", ""))
        if abs(got - want) <= max(5, 0.005 * want):
            return got
        page.wait_for_timeout(200)
    raise AssertionError(f"the panel counts {got}, the drawn outline holds {want}")


def test_box_and_lasso_selections_export_compare_and_search(page, browser, layers_server):
    from playwright.sync_api import expect

    url, shots = layers_server
    open_map(page, url)
    count = select_with(page, "select", [(0.35, 0.35), (0.65, 0.65)])
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    lines = Path(info.value.path()).read_text().strip().splitlines()
    assert len(lines) == count + 1 and lines[0].startswith("index,")
    expect(page.locator(".ngae-diff[data-side='old']")).to_be_visible()  # compare: two cells
    expect(page.locator(".ngae-diff[data-side='new']")).to_be_visible()
    page.get_by_text("ops per layer in the selection").wait_for()
    page.screenshot(path=str(shots / "selection.png"))
    page.get_by_text("t-SNE", exact=True).click()  # the selection survives a projection change
    idle(page)
    expect(page.get_by_text(f"Selection: {count:,} architectures")).to_be_visible()
    page.get_by_text("PCA", exact=True).click()
    # The lasso's expected count is read from the drawn figure: wait for the PCA one.
    assert wait_until(lambda: "PCA" in (plot_title(page) or ""), 60), plot_title(page)
    idle(page)
    lasso = [(0.3, 0.3), (0.7, 0.35), (0.6, 0.7), (0.35, 0.65), (0.3, 0.31)]
    count = select_with(page, "lasso", lasso)
    with page.expect_download() as info:
        page.get_by_role("button", name="JSON", exact=True).click()
    assert len(json.loads(Path(info.value.path()).read_text())) == count
    page.get_by_text("Share this view", exact=True).click()
    code = page.locator("[data-testid='stCode']").filter(has_text="sel=")
    expect(code).to_be_visible()
    link = code.inner_text().strip()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1800})
    other = fresh.new_page()
    open_map(other, link)  # a fresh browser: the same selection
    expect(other.get_by_text(f"Selection: {count:,} architectures")).to_be_visible(timeout=30_000)
    no_errors(other)
    fresh.close()
    page.get_by_role("button", name="Search from these").click()
    expect(page.get_by_text(f"Starting from the {min(count, 100)} architectures")).to_be_visible(
        timeout=30_000
    )
    no_errors(page)


def test_a_second_checkpoint_is_aligned_and_its_most_moved_listed(page, browser, layers_server):
    from playwright.sync_api import expect

    url, shots = layers_server
    open_map(page, url)
    page.get_by_text("Align a second checkpoint's map", exact=True).click()
    choose(page, "Second checkpoint", "ngae_nudged.pt")
    caption = page.get_by_text("20,020 shared architectures; rotation", exact=False)
    expect(caption).to_be_visible(timeout=120_000)  # opening it encodes its 20,020 codes
    idle(page)
    expect(page.get_by_text("The 20 architectures that moved most")).to_be_visible()
    charts = page.evaluate(
        "() => Array.from(document.querySelectorAll('.stPlotlyChart .js-plotly-plot'),"
        " g => g._fullData?.[0]?.name)"
    )
    assert "aligned" in charts
    no_errors(page)
    page.screenshot(path=str(shots / "aligned_checkpoints.png"))
    assert wait_until(lambda: "vs=ngae_nudged.pt" in page.url, 30)  # the URL carries it
    fresh = browser.new_context(viewport={"width": 1400, "height": 1800})
    other = fresh.new_page()
    open_map(other, page.url)
    expect(other.get_by_text("20,020 shared architectures; rotation", exact=False)).to_be_visible(
        timeout=120_000
    )
    no_errors(other)
    fresh.close()


def test_the_architecture_page_draws_the_difference_of_any_two_cells(page, layers_server):
    from playwright.sync_api import expect

    url, shots = layers_server
    a, b = "0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1", "2 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 0 1 1"
    page.goto(f"{url}/architecture?arch={quote(a)}&with={quote(b)}")
    expect(page.locator(".ngae-diff[data-side='old']")).to_be_visible(timeout=60_000)
    expect(page.locator(".ngae-diff[data-side='new']")).to_be_visible()
    change = "layer 1: conv3x3 → conv5x5; +skip 3>6; -skip 2>6"  # markdown draws -> as an arrow
    expect(page.get_by_text(change, exact=False)).to_be_visible(timeout=30_000)
    page.get_by_text("Compare with another architecture", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "architecture_compare.png"), full_page=True)
    box = page.get_by_role("textbox", name="Other architecture string")
    box.fill("1 2 3")
    box.press("Enter")
    error = page.get_by_text("Not a valid architecture to compare with")
    expect(error).to_be_visible(timeout=30_000)
    expect(page.locator(".ngae-diff")).to_have_count(0, timeout=30_000)  # the rerun is done
    box.fill("")
    box.press("Enter")  # empty: the nearest other data-set cell
    expect(page.locator(".ngae-diff[data-side='new']")).to_be_visible(timeout=30_000)
    no_errors(page)

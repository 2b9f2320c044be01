"""Cells drawn by Graphviz: one node per vertex, one edge per DAG edge, real SVG/PNG/PDF files."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from ngae.errors import UserInputError
from ngae.spaces.enas.arch import OP_NAMES, Arch
from ngae.spaces.enas.drawing import OP_COLOURS
from ngae.ui.cells import cell_file, cell_svg, file_stem, legend_html

CELL = "0 1 0 2 0 0 3 0 0 0 4 0 0 0 0 5 0 0 0 0 0"  # every op once, no skips
DENSE = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"
SVG_NS = {"s": "http://www.w3.org/2000/svg"}


def svg_groups(arch: str, vertical: bool = False) -> dict[str, list[ET.Element]]:
    root = ET.fromstring(cell_file(arch, "svg", vertical))
    groups = root.findall(".//s:g", SVG_NS)
    return {kind: [g for g in groups if g.get("class") == kind] for kind in ("node", "edge")}


def title(group: ET.Element) -> str:
    return group.find("s:title", SVG_NS).text


@pytest.mark.parametrize("text", [CELL, DENSE, "2", "3 1 1"])
def test_one_node_per_vertex_and_one_edge_per_dag_edge(text):
    arch = Arch.from_string(text)
    types, adj = arch.to_dag()
    groups = svg_groups(text)
    assert len(groups["node"]) == len(types)
    assert len(groups["edge"]) == int(adj.sum())
    names = ["in", *(f"L{k + 1}" for k in range(arch.num_layers)), "out"]
    drawn = {title(g).replace("&#45;", "-") for g in groups["edge"]}
    assert drawn == {f"{names[u]}->{names[v]}" for u, v in zip(*adj.nonzero(), strict=True)}


def test_layers_are_labelled_from_1_in_d_vae_colours_like_the_legend():
    root = ET.fromstring(cell_file(CELL, "svg"))
    nodes = {title(g): g for g in root.findall(".//s:g", SVG_NS) if g.get("class") == "node"}
    badges = re.findall(r"background:(#[0-9A-F]{6});[^>]*>([^<]+)</span>", legend_html())
    assert [name for _, name in badges] == list(OP_NAMES)
    for layer, (colour, name) in enumerate(badges):
        node = nodes[f"L{layer + 1}"]
        assert node.find("s:text", SVG_NS).text == f"{layer + 1}: {name}"
        assert node.find("s:path", SVG_NS).get("fill").upper() == colour == OP_COLOURS[layer]


def test_png_and_pdf_are_real_files_of_their_formats():
    png, pdf = cell_file(DENSE, "png"), cell_file(DENSE, "pdf")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height > 20  # left to right: wider than tall
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    tall = cell_file(DENSE, "png", True)
    assert int.from_bytes(tall[20:24], "big") > int.from_bytes(tall[16:20], "big")


def test_inline_svg_names_its_architecture_and_drops_the_xml_prolog():
    markup = cell_svg(Arch.from_string(DENSE), vertical=True)
    assert markup.startswith(f'<div class="ngae-cell" data-arch="{DENSE}"><svg ')
    assert "<?xml" not in markup and "<!DOCTYPE" not in markup
    assert markup.count("<svg") == 1 and markup.endswith("</svg>\n</div>")


def test_bad_format_and_bad_architecture_are_user_errors():
    with pytest.raises(UserInputError, match="choose one of svg, png, pdf"):
        cell_file(DENSE, "gif")
    with pytest.raises(ValueError, match="21"):
        cell_file("1 2 3 4", "svg")
    assert file_stem(DENSE) == "cell-" + DENSE.replace(" ", "-")


def test_the_base_sketch_draws_any_space_as_its_dag_with_the_space_vertex_names():
    from ngae.spaces.base import SearchSpace
    from ngae.spaces.registry import SPACES
    from ngae.ui.cells import sketch_graph

    arch = "0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1"
    enas = SPACES["enas6"]
    item = enas.parse(arch)
    g = sketch_graph(SearchSpace.sketch(enas, item), False)
    assert sorted(n.attr["label"] for n in g.nodes()) == sorted(enas.vertex_names(item))
    assert len(g.edges()) == int(item.to_dag()[1].sum())
    net = SPACES["asia"].parse("0" * 11 + "1" + "0" * 52)  # S -> L
    g = sketch_graph(SearchSpace.sketch(SPACES["asia"], net), True)
    assert len(g.nodes()) == 10 and len(g.edges()) == int(net.to_dag()[1].sum())


def test_an_asia_network_is_drawn_as_its_variables_and_edges():
    net = "0" * 11 + "1" + "0" * 52  # S -> L
    root = ET.fromstring(cell_file(net, "svg", True, "asia"))
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "S&#45;&gt;L" in titles or "S->L" in titles
    assert file_stem(net, "asia") == f"network-{int(net, 2):016x}"

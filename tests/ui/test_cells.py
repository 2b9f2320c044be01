"""Cell drawings: the op legend and the DOT graphs share colours; vertical and string input."""

from __future__ import annotations

import re

from ngae.space.arch import OP_NAMES, Arch
from ngae.ui.cells import arch_dot, legend_html

CELL = "0 1 0 2 0 0 3 0 0 0 4 0 0 0 0 5 0 0 0 0 0"


def test_op_legend_shows_every_op_in_order_with_the_colour_of_drawn_cells():
    badges = re.findall(r"background:(#[0-9A-F]{6});[^>]*>([^<]+)</span>", legend_html())
    assert [name for _, name in badges] == list(OP_NAMES)
    dot = arch_dot(Arch.from_string(CELL))
    for layer, (colour, name) in enumerate(badges):
        assert f'L{layer} [label="{layer + 1}: {name}"' in dot
        assert f'fillcolor="{colour}"' in dot.split(f"L{layer} [")[1].split("\n")[0]


def test_dot_from_a_string_and_top_to_bottom():
    arch = Arch.from_string("1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1")
    assert arch_dot(arch.to_string()) == arch_dot(arch)
    assert "rankdir=LR" in arch_dot(arch) and "rankdir=TB" in arch_dot(arch, vertical=True)
    dashed = arch_dot(arch).count("style=dashed")
    assert dashed == sum(sum(row) for row in arch.skips)  # one dashed edge per skip

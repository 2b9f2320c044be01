"""Cell differences: known answers, and drawings that mark them."""

from __future__ import annotations

import re

import pytest

from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.diff import cell_diff, skip_set
from ngae.spaces.registry import SPACES
from ngae.ui.cells import ADDED, REMOVED, diff_svg

A = "0 1 0 2 0 1 3 1 0 0 4 0 0 0 0 5 0 0 0 0 0"  # layers: conv3, sep3(+skip 0>2), ...
B = "0 1 0 2 0 0 3 1 0 1 4 0 0 0 0 5 0 0 0 0 1"


def test_diff_of_two_cells_lists_ops_and_skips():
    a, b = Arch.from_string(A), Arch.from_string(B)
    d = cell_diff(a, b)
    pairs = enumerate(zip(a.ops, b.ops, strict=True))
    want_ops = tuple((k + 1, x, y) for k, (x, y) in pairs if x != y)
    assert d.ops == want_ops
    assert set(d.added) == skip_set(b) - skip_set(a) and set(d.removed) == skip_set(a) - skip_set(b)
    assert not d.same and cell_diff(a, a).same and cell_diff(a, a).text() == "no change"
    back = cell_diff(b, a)
    assert back.added == d.removed and back.removed == d.added
    assert all(f"+skip {u}>{v}" in d.text() for u, v in d.added)


def test_skip_set_reads_the_rows_with_layers_from_one():
    arch = Arch(ops=(0, 0, 0), skips=((), (1,), (0, 1)))
    assert skip_set(arch) == {(0, 2), (1, 3)}
    one = Arch(ops=(0, 0, 0), skips=((), (0,), (0, 0)))
    d = cell_diff(one, arch)
    assert d.added == ((0, 2), (1, 3)) and d.text() == "+skip 0>2; +skip 1>3"


def test_step_changes_along_a_path():
    path = [A, A, B, None, B]
    steps = SPACES["enas6"].step_changes(path)
    assert steps[0] == "no change" and steps[1] == cell_diff(A, B).text()
    assert steps[2] == "no valid architecture" and steps[3] == "valid again"


def test_diff_drawings_mark_the_changes():
    old, new = diff_svg(A, B, "old").lower(), diff_svg(B, A, "new").lower()
    d = cell_diff(A, B)
    assert old.count(f'stroke="{REMOVED.lower()}"') >= len(d.removed) + len(d.ops) > 0
    assert new.count(f'stroke="{ADDED.lower()}"') >= len(d.added) + len(d.ops) > 0
    changed = "0 1 0 2 0 1 3 1 0 0 4 0 0 0 0 5 0 0 0 0 0".replace("4 0 0 0 0", "5 0 0 0 0", 1)
    assert cell_diff(A, changed).ops == ((5, 4, 5),)
    assert diff_svg(A, changed, "old").lower().count(f'stroke="{REMOVED.lower()}"') >= 1
    assert re.search(r'data-side="old"', old) and 'data-side="new"' in new
    with pytest.raises(ValueError):
        cell_diff(A, "0 0 0")

"""The explorer's map layers: cached atlas, queries, uncertainty, aligned checkpoints."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from ngae.errors import UserInputError
from ngae.explorer.service import Explorer
from ngae.maps.grid import Window
from ngae.model.checkpoint import load_checkpoint, save_checkpoint
from ngae.spaces.enas.queries import matches, parse_query


@pytest.fixture(scope="module")
def pair(decoding_checkpoint, tmp_path_factory):
    """The decoding checkpoint, and a copy whose encoder weights were nudged."""
    folder = tmp_path_factory.mktemp("pair")
    first = folder / decoding_checkpoint.name
    shutil.copy2(decoding_checkpoint, first)
    ckpt = load_checkpoint(first)
    gen = torch.Generator().manual_seed(0)
    for name, value in ckpt["state_dict"].items():
        if name.startswith("encoder.") and value.is_floating_point():
            value.add_(0.02 * torch.randn(value.shape, generator=gen))
    save_checkpoint(folder / "nudged.pt", ckpt)
    return Explorer.open(first), Explorer.open(folder / "nudged.pt")


def test_atlas_is_cached_on_disk_and_read_back_equal(pair):
    ex = pair[0]
    window = Window(-1.0, 1.0, -0.5, 0.5)
    first = ex.atlas(window, size=8)
    files = list(ex.cache_dir.glob("atlas-8-*.npz"))
    assert len(files) == 1
    again = ex.atlas(window, size=8)
    assert np.array_equal(again.types, first.types) and again.keys == first.keys
    assert np.array_equal(again.border, first.border)
    for name, values in first.values.items():
        np.testing.assert_array_equal(again.values[name], values)


def test_query_through_the_explorer_equals_the_plain_query(pair):
    ex = pair[0]
    text = "op 1=conv3x3; conv 2.."
    want = matches(parse_query(text), ex.data.types, ex.data.adj)
    assert np.array_equal(ex.query(text), want)
    with pytest.raises(UserInputError):
        ex.query("op 1=nothing")


def test_uncertainty_is_small_near_the_codes_and_cached(pair):
    ex = pair[0]
    near = ex.uncertainty(ex.latents.mu[:50])
    far = ex.uncertainty(ex.latents.mu[:50] + 20.0 * ex.latents.mu.std(0))
    assert near.shape == (50,) and np.all(near >= 0)
    assert far.mean() > near.mean()  # the heads disagree away from the training codes
    assert (ex.cache_dir / "head_ensemble.npz").is_file()


def test_a_checkpoint_aligned_to_itself_does_not_move_and_a_nudged_one_does(pair):
    ex, nudged = pair
    same = ex.aligned(ex)
    assert len(same.index) == len(ex.data)
    assert np.allclose(same.rotation, np.eye(2), atol=1e-6) and same.moved.max() < 1e-6
    other = nudged.aligned(ex)
    assert np.isclose(abs(np.linalg.det(other.rotation)), 1.0)
    assert other.moved.max() > 0 and np.array_equal(other.index, other.other_index)


def test_objective_field_and_density_have_their_grids(pair):
    ex = pair[0]
    field = ex.objective_field(20.0)
    assert field.uv.shape == (14 * 14, 2) and np.isfinite(field.uv).all()
    window, dens = ex.density("pca")
    assert dens.shape == (80, 80) and dens.min() >= 0 and window.x1 > window.x0


def test_atlas_decoding_is_the_greedy_decoding_of_the_cell_centre(pair):
    ex = pair[0]
    atlas = ex.atlas()
    w, size = atlas.window, atlas.size
    step = np.array([(w.x1 - w.x0) / size, (w.y1 - w.y0) / size])
    cells = [(0, 0), (size - 1, size - 1), (size // 2, size // 3), (5, size - 7)]
    for col, row in cells:
        centre = np.array([atlas.xs[col], atlas.ys[row]])
        z = torch.as_tensor(ex.pca.inverse(centre[None]), dtype=torch.float32)
        types, adj = ex.model.decode(z, stochastic=False)
        item = ex.space.to_items(types, adj)[0]
        want = None if item is None else item.to_string()
        off = centre + 0.3 * step  # anywhere in the cell shows its centre's decoding
        assert ex.atlas_decoding(*centre) == want == ex.atlas_decoding(*off)
    assert ex.atlas_decoding(w.x1 + step[0], w.y0) is None  # outside the map

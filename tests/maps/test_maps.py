"""The map layers' computations against known answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ngae.config import ModelConfig
from ngae.errors import UserInputError
from ngae.explorer.projections import Pca
from ngae.maps.alignment import movement, procrustes
from ngae.maps.atlas import borders, decoder_atlas
from ngae.maps.density import kernel_density
from ngae.maps.field import objective_field
from ngae.maps.grid import Window, grid_points
from ngae.model.vae import NGAE
from ngae.spaces.enas.arch import OP_NAMES
from ngae.spaces.enas.queries import COUNTS, longest_paths, matches, parse_query
from ngae.spaces.registry import space_named

ENAS = space_named("enas6")


@pytest.fixture(scope="module")
def model_and_pca():
    torch.manual_seed(0)
    model = NGAE(ModelConfig(hs=32, nz=8)).eval()
    mu = np.random.default_rng(0).normal(size=(500, 8))
    return model, Pca.fit(mu)


def test_grid_points_are_cell_centres_row_by_row():
    xs, ys, xy = grid_points(Window(0, 4, 10, 12), 4)
    assert xs.tolist() == [0.5, 1.5, 2.5, 3.5] and ys.tolist() == [10.25, 10.75, 11.25, 11.75]
    assert xy[:5].tolist() == [[0.5, 10.25], [1.5, 10.25], [2.5, 10.25], [3.5, 10.25], [0.5, 10.75]]
    with pytest.raises(UserInputError):
        Window(1, 0, 0, 1)
    with pytest.raises(UserInputError):
        grid_points(Window(0, 1, 0, 1), 1)


def test_atlas_decodings_equal_decoding_the_inverse_pca_points(model_and_pca):
    model, pca = model_and_pca
    window = Window(-2, 2, -1.5, 1.5)
    atlas = decoder_atlas(model, pca, window, 6, ENAS)
    _, _, xy = grid_points(window, 6)
    with torch.no_grad():
        types, adj = model.decode(torch.as_tensor(pca.inverse(xy), dtype=torch.float32), False)
    assert np.array_equal(atlas.types, types.numpy()) and np.array_equal(atlas.adj, adj.numpy())
    assert atlas.keys == ENAS.keys(types, adj)
    assert np.array_equal(atlas.values["valid"], ENAS.valid_mask(types, adj).numpy())
    assert np.array_equal(atlas.values["edges"], adj.flatten(1).sum(1).numpy())
    assert np.isnan(atlas.values["agreement"]).all()  # not asked for


def test_atlas_agreement_counts_stochastic_decodes_equal_to_the_greedy_one(model_and_pca):
    model, pca = model_and_pca
    atlas = decoder_atlas(model, pca, Window(-1, 1, -1, 1), 3, ENAS, agreement_decodes=4)
    share = atlas.values["agreement"]
    assert share.shape == (9,) and np.all((share >= 0) & (share <= 1))
    assert set(np.round(share * 4, 6)) <= {0, 1, 2, 3, 4}


def test_borders_mark_changes_to_the_right_and_up():
    keys = [b"a", b"a", b"b", b"a", b"a", b"b", b"c", b"c", b"b"]  # 3 x 3, row 0 first
    edge = borders(keys, 3)
    assert edge.tolist() == [[False, True, False], [True, True, False], [False, True, False]]


def test_objective_field_is_the_gradient_projected_onto_the_pca_axes(model_and_pca):
    model, pca = model_and_pca
    window = Window(-1, 1, -1, 1)
    field = objective_field(model, pca, window, 4, lambda_cmplx=2.0, unit=0.5)

    def objective(z):
        acc, cmplx = model.predict(torch.as_tensor(z, dtype=torch.float32))
        return (acc - 2.0 * 0.5 * cmplx).double().detach().numpy()

    # Central differences along each PCA axis, in float64 latent points: grad . axis.
    h = 1e-2
    z = pca.inverse(field.xy)
    for k in range(2):
        step = h * pca.components[k]
        slope = (objective(z + step) - objective(z - step)) / (2 * h)
        np.testing.assert_allclose(field.uv[:, k], slope, rtol=0.02, atol=1e-4)
    np.testing.assert_allclose(field.objective, objective(z), rtol=1e-6)
    assert np.all((field.off_plane >= 0) & (field.off_plane <= 1))


def test_procrustes_recovers_a_known_rotation_reflection_and_shift():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(200, 2))
    angle = 0.7
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    for turn in (rot, rot @ np.diag([1.0, -1.0])):  # a rotation; a rotation and a flip
        b = a @ turn + np.array([3.0, -2.0])
        fit = procrustes(a, b)
        np.testing.assert_allclose(fit.rotation, turn, atol=1e-10)
        np.testing.assert_allclose(fit.apply(a), b, atol=1e-10)
        assert movement(fit.apply(a), b).max() < 1e-9
    noisy = a @ rot + rng.normal(scale=0.01, size=a.shape)
    assert np.abs(procrustes(a, noisy).rotation - rot).max() < 0.01
    with pytest.raises(UserInputError):
        procrustes(a[:2], a[:2])


def test_density_integrates_to_one_and_peaks_at_the_cluster():
    rng = np.random.default_rng(1)
    pts = rng.normal(loc=(2.0, -1.0), scale=0.3, size=(3000, 2))
    window = Window(-1, 5, -4, 2)
    dens = kernel_density(pts, window, 60)
    cell = (6 / 60) * (6 / 60)
    assert dens.sum() * cell == pytest.approx(1.0, abs=0.01)
    xs, ys, _ = grid_points(window, 60)
    iy, ix = np.unravel_index(dens.argmax(), dens.shape)
    assert abs(xs[ix] - 2.0) < 0.2 and abs(ys[iy] + 1.0) < 0.2


def plain_longest(arch) -> int:
    """Longest input-to-output path of one cell, by a plain loop over its layers."""
    n = arch.num_layers
    best = {0: 0}
    for v in range(1, n + 1):  # layer v: from layer v-1 (node v-1) and its skips
        preds = [v - 1] + [j for j, bit in enumerate(arch.skips[v - 1]) if bit]
        best[v] = max(best[u] for u in preds) + 1
    return best[n] + 1  # the last layer feeds the output


def plain_match(arch, text: str) -> bool:
    """A query evaluated on an Arch's ops and skip rows, one condition at a time."""
    convs = sum(op in (0, 2) for op in arch.ops)
    seps = sum(op in (1, 3) for op in arch.ops)
    pools = sum(op in (4, 5) for op in arch.ops)
    skips = sum(sum(row) for row in arch.skips)  # every bit is a skip (the chain is implicit)
    counts = {"conv": convs, "sep": seps, "pool": pools, "skips": skips}
    counts["longest"] = plain_longest(arch)
    for part in filter(None, (p.strip() for p in text.split(";"))):
        kind, rest = part.split(None, 1)
        if kind == "op":
            layer, name = rest.split("=")
            ok = arch.ops[int(layer) - 1] == OP_NAMES.index(name)
        elif kind in ("skip", "noskip"):
            u, v = map(int, rest.split(">"))
            ok = bool(arch.skips[v - 1][u]) == (kind == "skip")
        else:
            lo, hi = rest.split("..")
            value = counts[kind]
            ok = (not lo or value >= int(lo)) and (not hi or value <= int(hi))
        if not ok:
            return False
    return True


@pytest.fixture(scope="module")
def archs_and_dags(enas_small):
    return enas_small.archs, enas_small.types, enas_small.adj


QUERIES = [
    "",
    "op 1=conv3x3",
    "op 2=max-pool3x3; skip 0>3",
    "noskip 1>4; conv 2..",
    "sep ..1; pool 1..3; skips 2..5",
    "longest 6..",
    "longest ..4; op 6=sep-conv5x5",
    "skip 2>6; noskip 0>6; conv 1..3; sep 1..3",
]


@pytest.mark.parametrize("text", QUERIES)
def test_query_matches_equal_a_plain_loop_over_the_architectures(archs_and_dags, text):
    archs, types, adj = archs_and_dags
    got = matches(parse_query(text), types, adj)
    want = np.array([plain_match(a, text) for a in archs])
    assert np.array_equal(got, want)


def test_queries_are_selective_and_longest_paths_agree(archs_and_dags):
    archs, types, adj = archs_and_dags
    assert np.array_equal(longest_paths(adj), [plain_longest(a) for a in archs])
    counts = [int(matches(parse_query(q), types, adj).sum()) for q in QUERIES[1:]]
    assert all(0 < c < len(archs) for c in counts[:3]), counts


def test_query_text_round_trips_and_bad_conditions_say_what_is_wrong():
    text = "op 1=conv3x3; skip 0>3; noskip 1>5; conv 2..4; longest 5..; pool ..2; sep 1..1"
    assert parse_query(parse_query(text).text()).text() == text
    assert parse_query("sep 1").text() == "sep 1..1"
    for bad, word in [
        ("op 7=conv3x3", "LAYER 1..6"),
        ("op 1=conv7x7", "NAME one of"),
        ("skip 3>4", "FROM <= LAYER - 2"),
        ("conv 4..2", "low bound"),
        ("conv", "LO..HI"),
        ("depth 3", "starts with op"),
    ]:
        with pytest.raises(UserInputError, match=word):
            parse_query(bad)
    assert set(COUNTS) == {"conv", "sep", "pool", "skips", "longest"}

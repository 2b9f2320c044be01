"""The map's view in a URL: round trips, and bad or stale values fall back with a notice."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np

from ngae.spaces.enas.queries import parse_query
from ngae.ui.view_state import (
    MAX_RANGES_TEXT,
    MapView,
    Offer,
    decode_rows,
    encode_rows,
    read_view,
    view_params,
    view_query_string,
)

OFFER = Offer(
    checkpoints=("ngae_default.pt", "other.pt"),
    projections=("pca", "tsne", "umap"),
    colours=("pred_acc", "params", "pred_error"),
    splits=("burn-in", "test", "train"),
    layers=("none", "atlas", "field"),
    shades=("first", "edges"),
    rows=100,
    check_query=parse_query,
    current="ngae_default.pt",
)


def test_a_view_round_trips_through_its_query_string():
    view = MapView(
        checkpoint="other.pt",
        projection="tsne",
        colour="pred_error",
        splits=("test", "train"),
        layer="atlas",
        shade="edges",
        query="op 1=conv3x3; skip 0>3",
        focus=("data", 42),
        selection=(3, 4, 5, 17, 99),
        second="ngae_default.pt",
    )
    query = view_query_string(view, keep={"s": "0123456789abcdef"})
    params = dict(parse_qsl(query[1:]))
    assert params["s"] == "0123456789abcdef"
    back, notices = read_view(params, OFFER)
    assert back == view and notices == []
    typed = MapView(focus=("typed", (1.23456, -0.5)))
    back, _ = read_view(view_params(typed), OFFER)
    assert back.focus == ("typed", (1.2346, -0.5))


def test_bad_and_stale_values_fall_back_to_defaults_with_notices():
    params = {
        "ckpt": "gone.pt",
        "proj": "mds",
        "colour": "colour-of-money",
        "split": "train,holdout",
        "layer": "atlas",
        "shade": "nonsense",
        "query": "op 9=conv3x3",
        "focus": "i100",
    }
    view, notices = read_view(params, OFFER)
    assert view == MapView(splits=("train",), layer="atlas")  # the good values are kept
    assert len(notices) == 7
    text = " ".join(notices)
    for word in ("gone.pt", "mds", "colour-of-money", "holdout", "nonsense", "op 9", "i100"):
        assert word in text
    assert read_view({}, OFFER) == (MapView(), [])
    assert read_view({"focus": "p1,2,3"}, OFFER)[0].focus is None


def test_selections_of_any_shape_round_trip_and_stay_short():
    assert encode_rows([7, 3, 4, 5, 12, 4]) == "3-5,7,12"
    assert decode_rows("3-5,7,12", 13) == (3, 4, 5, 7, 12)
    rng = np.random.default_rng(0)
    scattered = np.sort(rng.choice(19_000, size=2_000, replace=False))
    text = encode_rows(scattered)
    assert text.startswith("z") and len(text) < 19_000 // 8 * 4 // 3 + 8  # a bit mask, at most
    assert decode_rows(text, 19_000) == tuple(int(i) for i in scattered)
    assert len(encode_rows(range(0, 19_000))) <= MAX_RANGES_TEXT  # one range


def test_bad_selections_and_second_checkpoints_fall_back_with_notices():
    for bad in ("1-x", "5-2", "100", "98-100", "z!!!", "z" + encode_rows(range(0, 400, 3))[1:]):
        view, notices = read_view({"sel": bad}, OFFER)
        assert view.selection is None and len(notices) == 1 and "Selection" in notices[0], bad
    view, notices = read_view({"vs": "ngae_default.pt"}, OFFER)  # the map's own checkpoint
    assert view.second is None and "own" in notices[0]
    view, notices = read_view({"vs": "gone.pt"}, OFFER)
    assert view.second is None and "gone.pt" in notices[0]
    assert read_view({"ckpt": "other.pt", "vs": "ngae_default.pt"}, OFFER)[0].second == (
        "ngae_default.pt"
    )

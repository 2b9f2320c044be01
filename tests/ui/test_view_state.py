"""The map's view in a URL: round trips, and bad or stale values fall back with a notice."""

from __future__ import annotations

from urllib.parse import parse_qsl

from ngae.maps.queries import parse_query
from ngae.ui.view_state import MapView, Offer, read_view, view_params, view_query_string

OFFER = Offer(
    checkpoints=("ngae_default.pt", "other.pt"),
    projections=("pca", "tsne", "umap"),
    colours=("pred_acc", "params", "pred_error"),
    splits=("burn-in", "test", "train"),
    layers=("none", "atlas", "field"),
    shades=("first", "edges"),
    rows=100,
    check_query=parse_query,
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

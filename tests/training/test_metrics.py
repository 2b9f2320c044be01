"""Known answers for the predictor-quality metrics (``ngae.training.metrics``)."""

import numpy as np
import pytest

from ngae.training.metrics import regression_metrics, top_k_metrics


def test_regression_metrics_known_answers():
    true = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 2.0, 3.0, 6.0])  # one error of 2
    m = regression_metrics(pred, true)
    assert m["rmse"] == pytest.approx(1.0)  # sqrt(4 / 4)
    assert m["r2"] == pytest.approx(1.0 - 4.0 / 5.0)  # SS_tot = 5
    assert m["spearman"] == pytest.approx(1.0)  # same order
    assert m["kendall"] == pytest.approx(1.0)
    assert m["pearson"] == pytest.approx(np.corrcoef(pred, true)[0, 1])
    reverse = regression_metrics(-true, true)
    assert reverse["pearson"] == pytest.approx(-1.0)
    assert reverse["kendall"] == pytest.approx(-1.0)


def test_top_k_precision_counts_the_overlap_of_the_best():
    true = np.arange(200, dtype=float)  # the true top 1% is {199, 198}, top 5% is 190..199
    pred = true.copy()
    pred[199] = -1.0  # the best is ranked last: it leaves both predicted top sets
    m = top_k_metrics(pred, true)
    assert m["top1_precision"] == pytest.approx(1 / 2)  # predicted top 2: 198, 197
    assert m["top5_precision"] == pytest.approx(9 / 10)  # predicted top 10: 189..198
    # Kendall tau over the true top 10% (180..199): one of 20 items is out of order.
    n = 20
    discordant = n - 1  # item 199 is below all 19 others
    assert m["top10_kendall"] == pytest.approx(1 - 2 * discordant / (n * (n - 1) / 2))
    assert top_k_metrics(true, true) == {
        "top1_precision": 1.0,
        "top5_precision": 1.0,
        "top10_kendall": pytest.approx(1.0),
    }

"""ROC curve, AUC and ROC AUC against scikit-learn, with heavy score ties and sample weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import lucidml.metrics as lm

sk = pytest.importorskip("sklearn.metrics")


def _binary_case(seed: int, labels=(0, 1), ties: bool = False, weighted: bool = False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    y = np.asarray(labels)[rng.integers(0, 2, n)]
    y[:2] = labels  # both classes present
    score = rng.normal(size=n) + (y == labels[1])
    if ties:
        score = np.round(score * 2) / 2  # a handful of distinct values, many ties
    sw = None
    if weighted:
        sw = rng.random(n) * 2
        sw[rng.random(n) < 0.1] = 0.0  # zero weights are dropped from the curve
    return y, score, sw


BINARY = [
    (seed, ties, weighted)
    for seed in range(8)
    for ties in (False, True)
    for weighted in (False, True)
]


@pytest.mark.parametrize("seed,ties,weighted", BINARY)
def test_roc_curve_and_auc(seed, ties, weighted):
    y, score, sw = _binary_case(seed, ties=ties, weighted=weighted)
    for drop in (True, False):
        ours = lm.roc_curve(y, score, sample_weight=sw, drop_intermediate=drop)
        theirs = sk.roc_curve(y, score, sample_weight=sw, drop_intermediate=drop)
        for a, b in zip(ours, theirs, strict=True):
            assert a.shape == b.shape
            assert_allclose(a, b, rtol=1e-12, atol=0)
        assert lm.auc(ours[0], ours[1]) == pytest.approx(sk.auc(theirs[0], theirs[1]), rel=1e-12)
    assert lm.roc_auc_score(y, score, sample_weight=sw) == pytest.approx(
        sk.roc_auc_score(y, score, sample_weight=sw), rel=1e-12, abs=1e-15
    )
    for max_fpr in (0.2, 0.5, 1.0):
        assert lm.roc_auc_score(y, score, sample_weight=sw, max_fpr=max_fpr) == pytest.approx(
            sk.roc_auc_score(y, score, sample_weight=sw, max_fpr=max_fpr), rel=1e-12
        )


@pytest.mark.parametrize("seed", range(6))
def test_auc_matches_mann_whitney_from_scipy(seed):
    # an independent oracle: U statistic with mid-ranks for ties
    from scipy.stats import mannwhitneyu

    y, score, _ = _binary_case(seed, ties=True)
    u = mannwhitneyu(score[y == 1], score[y == 0]).statistic
    expected = u / ((y == 1).sum() * (y == 0).sum())
    assert lm.roc_auc_score(y, score) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("seed", range(4))
def test_string_and_signed_labels(seed):
    y, score, sw = _binary_case(seed, labels=("no", "yes"), ties=True, weighted=True)
    assert lm.roc_auc_score(y, score, sample_weight=sw) == pytest.approx(
        sk.roc_auc_score(y, score, sample_weight=sw), rel=1e-12
    )
    for pos_label in ("no", "yes"):
        for a, b in zip(
            lm.roc_curve(y, score, pos_label=pos_label),
            sk.roc_curve(y, score, pos_label=pos_label),
            strict=True,
        ):
            assert_allclose(a, b, rtol=1e-12)
    y2, score2, _ = _binary_case(seed, labels=(-1, 1))
    for a, b in zip(lm.roc_curve(y2, score2), sk.roc_curve(y2, score2), strict=True):
        assert_allclose(a, b, rtol=1e-12)
    # a multiclass y_true is fine for roc_curve once pos_label is given
    y3 = np.arange(score.shape[0]) % 3
    for a, b in zip(
        lm.roc_curve(y3, score, pos_label=2), sk.roc_curve(y3, score, pos_label=2), strict=True
    ):
        assert_allclose(a, b, rtol=1e-12)


def _multiclass_case(seed: int, k: int, ties: bool):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 90))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    if ties:
        logits = np.round(logits)
    proba = np.exp(logits)
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba, rng.random(n)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("ties", [False, True])
def test_multiclass_roc_auc(seed, k, ties):
    y, proba, sw = _multiclass_case(seed, k, ties)
    names = np.array(["a", "b", "c", "d"])[:k]
    for labels_y in (y, names[y]):
        for multi_class, average in [
            ("ovr", "macro"),
            ("ovr", "weighted"),
            ("ovr", "micro"),
            ("ovr", None),
            ("ovo", "macro"),
            ("ovo", "weighted"),
        ]:
            kw = dict(multi_class=multi_class, average=average)
            ours = lm.roc_auc_score(labels_y, proba, **kw)
            theirs = sk.roc_auc_score(labels_y, proba, **kw)
            assert_allclose(ours, theirs, rtol=1e-12)
            if multi_class == "ovr":
                ours = lm.roc_auc_score(labels_y, proba, sample_weight=sw, **kw)
                theirs = sk.roc_auc_score(labels_y, proba, sample_weight=sw, **kw)
                assert_allclose(ours, theirs, rtol=1e-12)


def test_multiclass_with_labels_and_a_missing_class():
    y, proba, _ = _multiclass_case(3, 4, False)
    y = np.where(y == 3, 0, y)  # class 3 never occurs in y_true
    labels = [0, 1, 2, 3]
    assert lm.roc_auc_score(y, proba, multi_class="ovo", labels=labels) == pytest.approx(
        sk.roc_auc_score(y, proba, multi_class="ovo", labels=labels), rel=1e-12
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sk.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average=None)
    with pytest.warns(lm.UndefinedMetricWarning, match="Only one class"):
        ours = lm.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average=None)
    assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)
    # two classes in y_true but three score columns: the multiclass path
    y2 = np.array([0, 1, 0, 1, 1, 0])
    p2 = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.4, 0.1]] * 2)
    kw = dict(multi_class="ovr", labels=[0, 1, 2], average="weighted")
    with pytest.warns(lm.UndefinedMetricWarning):
        ours = lm.roc_auc_score(y2, p2, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == pytest.approx(sk.roc_auc_score(y2, p2, **kw), rel=1e-12)


def test_one_class_gives_nan_with_warning():
    with pytest.warns(lm.UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(lm.roc_auc_score([1, 1, 1], [0.2, 0.5, 0.9]))
    with pytest.warns(lm.UndefinedMetricWarning, match="No negative samples"):
        fpr, tpr, _ = lm.roc_curve([1, 1, 1], [0.2, 0.5, 0.9])
    assert np.all(np.isnan(fpr))
    assert_array_equal(tpr, [0.0, 1 / 3, 1.0])


def test_auc_directions_and_errors():
    x = np.array([0.0, 0.5, 1.0])
    y = np.array([0.0, 0.8, 1.0])
    assert lm.auc(x, y) == pytest.approx(sk.auc(x, y))
    assert lm.auc(x[::-1], y[::-1]) == pytest.approx(sk.auc(x[::-1], y[::-1]))
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        lm.auc([0.0, 1.0, 0.5], [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="At least 2 points"):
        lm.auc([0.0], [1.0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        lm.auc([0.0, 1.0], [0.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "y_true, y_score, kwargs, match",
    [
        ([0, 1, 1], [0.1, np.nan, 0.3], {}, "NaN"),
        ([0, 1, 1], [0.1, np.inf, 0.3], {}, "infinity"),
        ([0, 1, 1], [0.1, 0.3], {}, "inconsistent numbers of samples"),
        ([0, 1, 2], [[0.2, 0.3, 0.5]] * 3, {}, r"multi_class must be in \('ovo', 'ovr'\)"),
        ([0, 1, 2], [0.1, 0.2, 0.3], {"multi_class": "ovr"}, "needs to be of shape"),
        ([0, 1, 2], [[0.2, 0.3, 0.6]] * 3, {"multi_class": "ovr"}, "sum up to 1.0"),
        ([0, 1, 2], [[0.2, 0.3, 0.5]] * 3, {"multi_class": "foo"}, "not supported"),
        (
            [0, 1, 2],
            [[0.2, 0.3, 0.5]] * 3,
            {"multi_class": "ovo", "average": "micro"},
            "average must be one of",
        ),
        (
            [0, 1, 2],
            [[0.2, 0.3, 0.5]] * 3,
            {"multi_class": "ovo", "sample_weight": [1.0, 1.0, 1.0]},
            "sample_weight is not supported",
        ),
        ([0, 1, 2], [[0.2, 0.3, 0.5]] * 3, {"multi_class": "ovr", "labels": [0, 2, 1]}, "ordered"),
        (
            [0, 1, 2],
            [[0.2, 0.3, 0.5]] * 3,
            {"multi_class": "ovr", "labels": [0, 1]},
            "Number of given labels",
        ),
        (
            [0, 1, 3],
            [[0.2, 0.3, 0.5]] * 3,
            {"multi_class": "ovr", "labels": [0, 1, 2]},
            "not in parameter",
        ),
        ([0, 1, 1], [[0.2, 0.8]] * 3, {}, "1-D scores"),
        ([0.1, 0.7, 0.2], [0.1, 0.2, 0.3], {}, "continuous format is not supported"),
        ([0, 1, 1], [0.1, 0.2, 0.3], {"max_fpr": 1.5}, "max_fpr"),
        ([0, 1, 1], [0.1, 0.2, 0.3], {"average": "foo"}, "average has to be one of"),
    ],
)
def test_roc_auc_bad_input(y_true, y_score, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lm.roc_auc_score(y_true, y_score, **kwargs)
    with pytest.raises(ValueError):
        sk.roc_auc_score(y_true, y_score, **kwargs)


def test_roc_curve_bad_input():
    with pytest.raises(ValueError, match="pos_label is not specified"):
        lm.roc_curve(["a", "b"], [0.1, 0.2])
    with pytest.raises(ValueError, match="multiclass format is not supported"):
        lm.roc_curve([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        lm.roc_curve([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        lm.roc_curve([0, 1], [0.1, 0.2], sample_weight=[1.0])
    with pytest.raises(NotImplementedError):
        lm.roc_auc_score([0, 1, 2], [[0.2, 0.3, 0.5]] * 3, multi_class="ovo", average=None)

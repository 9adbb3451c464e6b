"""Classification metrics against scikit-learn, the oracle, on many seeded random cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import lucidml.metrics as lm

sk = pytest.importorskip("sklearn.metrics")

LABEL_SETS = {
    "int": np.arange(4),
    "signed": np.array([-1, 1]),
    "str": np.array(["ant", "bee", "cat", "dog", "eel"]),
    "bool": np.array([False, True]),
    "float": np.array([0.0, 2.0, 5.0]),
}


def _case(seed: int, kind: str, weighted: bool):
    """A random (y_true, y_pred, sample_weight) triple; some labels may never be predicted."""
    rng = np.random.default_rng(seed)
    labels = LABEL_SETS[kind]
    k = int(rng.integers(2, labels.shape[0] + 1))
    n = int(rng.integers(1, 40))
    y_true = labels[rng.integers(0, k, n)]
    # y_pred is often right, sometimes draws from a narrower or wider label set
    k_pred = int(rng.integers(1, k + 1))
    y_pred = np.where(rng.random(n) < 0.5, y_true, labels[rng.integers(0, k_pred, n)])
    sw = rng.random(n) * 3 if weighted else None
    return y_true, y_pred, sw


CASES = [
    (seed, kind, weighted) for kind in LABEL_SETS for seed in range(4) for weighted in (False, True)
]


def _ours_and_theirs(our_fn, their_fn, *args, **kwargs):
    """Call both; return (ours, theirs, our warnings, their warnings) or the exception types."""
    out = []
    for fn in (our_fn, their_fn):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                value = fn(*args, **kwargs)
            except ValueError:
                value = ValueError
        out.append((value, [str(w.message) for w in rec if "ill-defined" in str(w.message)]))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _close(a, b):
    if a is ValueError or b is ValueError:
        assert a is b
        return
    assert_allclose(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=0, equal_nan=True
    )


@pytest.mark.parametrize("seed,kind,weighted", CASES)
def test_accuracy_and_confusion_matrix(seed, kind, weighted):
    y_true, y_pred, sw = _case(seed, kind, weighted)
    for normalize in (True, False):
        ours = lm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=sw)
        theirs = sk.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=sw)
        assert isinstance(ours, float)
        assert ours == pytest.approx(theirs, rel=1e-12, abs=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for normalize in (None, "true", "pred", "all"):
            ours = lm.confusion_matrix(y_true, y_pred, sample_weight=sw, normalize=normalize)
            theirs = sk.confusion_matrix(y_true, y_pred, sample_weight=sw, normalize=normalize)
            assert ours.dtype == theirs.dtype
            assert_allclose(ours, theirs, rtol=1e-12, atol=0)
        # labels reordered, with one label absent from the data and one present label left out
        present = np.unique(np.concatenate([y_true, y_pred]))
        labels = list(present[::-1][: max(1, present.shape[0] - 1)]) + [LABEL_SETS[kind][-1]]
        labels = list(dict.fromkeys(labels))
        try:
            theirs = sk.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sw)
        except ValueError:
            with pytest.raises(ValueError, match="At least one label"):
                lm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sw)
        else:
            ours = lm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sw)
            assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def test_confusion_matrix_integer_weights_and_known_values():
    y_true = ["cat", "ant", "cat", "cat", "ant", "bird"]
    y_pred = ["ant", "ant", "cat", "cat", "ant", "cat"]
    expected = [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
    assert_array_equal(lm.confusion_matrix(y_true, y_pred), expected)
    sw = np.array([1, 2, 1, 1, 3, 2])
    ours = lm.confusion_matrix(y_true, y_pred, sample_weight=sw)
    theirs = sk.confusion_matrix(y_true, y_pred, sample_weight=sw)
    assert ours.dtype == theirs.dtype == np.int64
    assert_array_equal(ours, theirs)
    with pytest.warns(UserWarning, match="single label"):
        assert_array_equal(lm.confusion_matrix([1, 1], [1, 1]), [[2]])


AVERAGES = [None, "micro", "macro", "weighted", "binary"]
ZERO_DIVISION = ["warn", 0, 1, np.nan]


@pytest.mark.parametrize("seed,kind,weighted", CASES)
@pytest.mark.parametrize("average", AVERAGES)
def test_precision_recall_fscore_support(seed, kind, weighted, average):
    y_true, y_pred, sw = _case(seed, kind, weighted)
    pos_label = LABEL_SETS[kind][-1] if average == "binary" else 1
    if kind == "str" and average != "binary":
        pos_label = None
    betas = (1.0, 0.5, 2.0, 0.0, np.inf)
    for i, zero_division in enumerate(ZERO_DIVISION):
        # every beta meets every zero_division across the seeds
        for beta in (betas[(seed + i) % 5], 1.0):
            kw = dict(
                beta=beta,
                average=average,
                pos_label=pos_label,
                sample_weight=sw,
                zero_division=zero_division,
            )
            ours, theirs, w_ours, w_theirs = _ours_and_theirs(
                lm.precision_recall_fscore_support,
                sk.precision_recall_fscore_support,
                y_true,
                y_pred,
                **kw,
            )
            assert w_ours == w_theirs
            if ours is ValueError or theirs is ValueError:
                assert ours is theirs
                continue
            for a, b in zip(ours[:3], theirs[:3], strict=True):
                _close(a, b)
                assert type(a) is type(b) or (average is not None and isinstance(a, float))
            if average is None:
                _close(ours[3], theirs[3])
            else:
                assert ours[3] is None and theirs[3] is None


@pytest.mark.parametrize("seed,kind,weighted", CASES[::3])
def test_score_wrappers_and_labels(seed, kind, weighted):
    y_true, y_pred, sw = _case(seed, kind, weighted)
    present = np.unique(np.concatenate([y_true, y_pred]))
    extra = LABEL_SETS[kind][-1]
    label_choices = [None, list(present[::-1]), list(present[:1]) + [extra]]
    pairs = [
        (lm.precision_score, sk.precision_score, {}),
        (lm.recall_score, sk.recall_score, {}),
        (lm.f1_score, sk.f1_score, {}),
        (lm.fbeta_score, sk.fbeta_score, {"beta": 0.7}),
    ]
    for ours_fn, theirs_fn, extra_kw in pairs:
        for average in (None, "micro", "macro", "weighted"):
            for j, labels in enumerate(label_choices):
                for zero_division in ZERO_DIVISION[(seed + j) % 2 :: 2]:
                    kw = dict(
                        labels=labels,
                        average=average,
                        sample_weight=sw,
                        zero_division=zero_division,
                        pos_label=None,
                        **extra_kw,
                    )
                    ours, theirs, w_ours, w_theirs = _ours_and_theirs(
                        ours_fn, theirs_fn, y_true, y_pred, **kw
                    )
                    _close(ours, theirs)
                    assert w_ours == w_theirs


@pytest.mark.parametrize("seed,kind,weighted", CASES)
def test_balanced_accuracy(seed, kind, weighted):
    y_true, y_pred, sw = _case(seed, kind, weighted)
    for adjusted in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = sk.balanced_accuracy_score(y_true, y_pred, sample_weight=sw, adjusted=adjusted)
            ours = lm.balanced_accuracy_score(y_true, y_pred, sample_weight=sw, adjusted=adjusted)
        _close(ours, theirs)


@pytest.mark.parametrize("seed,kind,weighted", CASES)
def test_classification_report_equals_sklearn(seed, kind, weighted):
    y_true, y_pred, sw = _case(seed, kind, weighted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for zero_division in ("warn", 1, np.nan):
            kw = dict(sample_weight=sw, zero_division=zero_division)
            ours = lm.classification_report(y_true, y_pred, output_dict=True, **kw)
            theirs = sk.classification_report(y_true, y_pred, output_dict=True, **kw)
            assert list(ours) == list(theirs)
            assert_allclose(_flatten(ours), _flatten(theirs), rtol=1e-12, atol=0, equal_nan=True)
            for digits in (2, 4) if zero_division == 1 else (3,):
                assert lm.classification_report(
                    y_true, y_pred, digits=digits, **kw
                ) == sk.classification_report(y_true, y_pred, digits=digits, **kw)
        # a label subset turns the accuracy row into "micro avg"; target names rename rows
        present = np.unique(np.concatenate([y_true, y_pred]))
        labels = list(present[:-1]) if present.shape[0] > 1 else list(present)
        names = [f"class {i}" for i in range(len(labels))]
        kw = dict(labels=labels, target_names=names, sample_weight=sw)
        ours = lm.classification_report(y_true, y_pred, output_dict=True, **kw)
        theirs = sk.classification_report(y_true, y_pred, output_dict=True, **kw)
        assert list(ours) == list(theirs)
        assert_allclose(_flatten(ours), _flatten(theirs), rtol=1e-12, atol=0, equal_nan=True)
        assert lm.classification_report(y_true, y_pred, **kw) == sk.classification_report(
            y_true, y_pred, **kw
        )


def test_classification_report_dict_exact_on_integer_counts():
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 4, 200))
    assert lm.classification_report(y_true, y_pred, output_dict=True) == sk.classification_report(
        y_true, y_pred, output_dict=True
    )


def _flatten(report):
    out = []
    for value in report.values():
        out.extend(value.values() if isinstance(value, dict) else [value])
    return np.array(out, dtype=float)


def test_zero_division_warns_with_undefined_metric_warning():
    assert issubclass(lm.UndefinedMetricWarning, UserWarning)
    with pytest.warns(lm.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert lm.precision_score([0, 1, 1], [0, 0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lm.precision_score([0, 1, 1], [0, 0, 0], zero_division=1) == 1.0
        assert np.isnan(lm.recall_score([0, 0, 0], [0, 1, 0], zero_division=np.nan))
    with pytest.warns(UserWarning, match="pos_label"):
        lm.f1_score(["a", "b"], ["a", "b"], average="macro", pos_label="a")


# --------------------------------------------------------------------------------------------
# log loss
# --------------------------------------------------------------------------------------------


def _probabilities(rng, n, k, dtype=np.float64):
    p = rng.random((n, k)) ** 3
    p[rng.random((n, k)) < 0.05] = 0.0  # exact zeros exercise the clipping
    p[:, 0] += 1e-3
    return (p / p.sum(axis=1, keepdims=True)).astype(dtype)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_log_loss(seed, k):
    rng = np.random.default_rng(seed)
    n = 60
    labels = np.array(["no", "yes", "maybe", "later", "never"])[:k]
    y = labels[rng.integers(0, k, n)]
    y[:k] = labels  # every class present
    proba = _probabilities(rng, n, k)
    sw = rng.random(n)
    for kw in (
        {},
        {"sample_weight": sw},
        {"normalize": False},
        {"normalize": False, "sample_weight": sw},
    ):
        assert lm.log_loss(y, proba, **kw) == pytest.approx(sk.log_loss(y, proba, **kw), rel=1e-12)
    if k == 2:
        # the positive-class column alone, as (n,) and (n, 1)
        assert lm.log_loss(y, proba[:, 1]) == pytest.approx(sk.log_loss(y, proba[:, 1]), rel=1e-12)
        assert lm.log_loss(y, proba[:, 1:]) == pytest.approx(
            sk.log_loss(y, proba[:, 1:]), rel=1e-12
        )
    # a class absent from y_true, named through labels
    y_missing = np.where(y == np.sort(labels)[-1], np.sort(labels)[0], y)
    kw = {"labels": np.sort(labels)}
    assert lm.log_loss(y_missing, proba, **kw) == pytest.approx(
        sk.log_loss(y_missing, proba, **kw), rel=1e-12
    )
    # float32 probabilities are clipped with float32's epsilon, as scikit-learn does
    p32 = proba.astype(np.float32)
    assert lm.log_loss(y, p32) == pytest.approx(sk.log_loss(y, p32), rel=1e-6)


def test_log_loss_unnormalised_rows_warn_and_match():
    y = [0, 1, 2, 1]
    proba = np.array([[0.5, 0.3, 0.1], [0.2, 0.2, 0.2], [0.1, 0.1, 0.9], [0.3, 0.3, 0.3]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        ours = lm.log_loss(y, proba)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == pytest.approx(sk.log_loss(y, proba), rel=1e-12)


def test_log_loss_bool_and_int_labels_and_y_pred_alias():
    y = np.array([True, False, True, True])
    p = np.array([0.9, 0.2, 0.6, 0.99])
    assert lm.log_loss(y, p) == pytest.approx(sk.log_loss(y, p), rel=1e-12)
    assert lm.log_loss(y, y_pred=p) == lm.log_loss(y, p)
    with pytest.raises(ValueError, match="both"):
        lm.log_loss(y, p, y_pred=p)


@pytest.mark.parametrize(
    "y, proba, match",
    [
        ([0, 1], [0.5, np.nan], "NaN"),
        ([0, 1], [0.5, np.inf], "infinity"),
        ([0, 1], [0.5, 1.5], "greater than 1"),
        ([0, 1], [0.5, -0.1], "lower than 0"),
        ([0, 0], [0.1, 0.2], "only one label"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "different number of classes"),
        ([0, 1, 1], [0.1, 0.2], "inconsistent numbers of samples"),
        ([0.5, 0.2], [0.1, 0.2], "continuous"),
    ],
)
def test_log_loss_bad_input(y, proba, match):
    with pytest.raises(ValueError, match=match):
        lm.log_loss(y, proba)
    with pytest.raises(ValueError):
        sk.log_loss(y, proba)


def test_log_loss_labels_errors():
    with pytest.raises(ValueError, match="not belonging"):
        lm.log_loss([0, 1, 3], [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], labels=[0, 1])
    with pytest.raises(ValueError, match="at least two"):
        lm.log_loss([0, 0], [0.5, 0.5], labels=[0])
    with pytest.raises(ValueError, match="number of classes in labels"):
        lm.log_loss([0, 1], [[0.5, 0.5], [0.5, 0.5]], labels=[0, 1, 2])


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------

ALL_LABEL_METRICS = [
    lm.accuracy_score,
    lm.confusion_matrix,
    lm.balanced_accuracy_score,
    lm.precision_score,
    lm.recall_score,
    lm.f1_score,
    lm.classification_report,
]


@pytest.mark.parametrize("metric", ALL_LABEL_METRICS)
@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [
        ([0, 1, 1], [0, 1], "inconsistent numbers of samples"),
        ([0, 1, np.nan], [0, 1, 1], "NaN"),
        ([0, 1, 1], [0, np.inf, 1], "infinity"),
        ([0.5, 1.0, 0.0], [0, 1, 1], "mix of continuous and binary"),
        ([0.5, 1.5, 0.25], [0.5, 1.5, 0.2], "continuous is not supported"),
        (["a", "b", "a"], [0, 1, 0], "Mix of label input types"),
        (np.array(["a", 1, "b"], dtype=object), ["a", "b", "a"], "Mix of label input types"),
        ([], [], "empty"),
        ([[0, 1], [1, 1]], [[0, 1], [1, 0]], "multilabel"),
        ("abc", "abc", "Expected array-like"),
    ],
)
def test_label_metrics_reject_bad_input(metric, y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        metric(y_true, y_pred)


@pytest.mark.parametrize("metric", [lm.precision_score, lm.recall_score, lm.f1_score])
def test_binary_average_and_parameter_errors(metric):
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        metric([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="average has to be one of"):
        metric([0, 1], [0, 1], average="foo")
    with pytest.raises(ValueError, match="multilabel"):
        metric([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        metric([0, 1], [0, 1], pos_label=2)
    with pytest.raises(ValueError, match="zero_division"):
        metric([0, 1], [0, 1], zero_division=0.5)
    with pytest.raises(ValueError, match="zero_division"):
        metric([0, 1], [0, 1], zero_division="ignore")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        metric([0, 1], [0, 1], sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN"):
        metric([0, 1], [0, 1], sample_weight=[1.0, np.nan])


def test_other_parameter_errors():
    with pytest.raises(ValueError, match="beta"):
        lm.fbeta_score([0, 1], [0, 1], beta=-1)
    with pytest.raises(ValueError, match="normalize"):
        lm.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="at least one label"):
        lm.confusion_matrix([0, 1], [0, 1], labels=[])
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        lm.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="does not match size of target_names"):
        lm.classification_report([0, 1, 2], [0, 1, 1], target_names=["a", "b"])
    with pytest.warns(UserWarning, match="does not match size of target_names"):
        lm.classification_report([0, 1, 2], [0, 1, 1], labels=[0, 1], target_names=["a"])
    with pytest.raises(TypeError, match="Sparse"):
        from scipy import sparse

        lm.accuracy_score(sparse.csr_matrix(np.eye(2)), sparse.csr_matrix(np.eye(2)))


def test_labels_compared_like_sklearn():
    # ints and whole-number floats are the same label; a column vector is raveled
    y_true = np.array([[0], [1], [2], [1]])
    y_pred = np.array([0.0, 1.0, 1.0, 2.0])
    assert lm.accuracy_score(y_true, y_pred) == sk.accuracy_score(y_true, y_pred)
    assert_array_equal(lm.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred))
    # object arrays of strings and of numbers
    y_obj = np.array(["x", "y", "x"], dtype=object)
    assert lm.f1_score(y_obj, ["x", "x", "x"], pos_label="x") == pytest.approx(
        sk.f1_score(y_obj, ["x", "x", "x"], pos_label="x")
    )
    assert lm.accuracy_score(np.array([1, 2, 3], dtype=object), [1, 2, 2]) == pytest.approx(2 / 3)


def test_metrics_never_import_sklearn():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, lucidml.metrics as m\n"
        "m.classification_report([0, 1, 1], [0, 1, 0]); m.log_loss([0, 1], [0.2, 0.7])\n"
        "m.roc_auc_score([0, 1, 1], [0.1, 0.5, 0.4]); m.r2_score([1.0, 2.0], [1.5, 2.5])\n"
        "m.get_scorer('accuracy')\n"
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""Splitters against scikit-learn's (index for index without shuffling) and partition checks."""

import numpy as np
import pandas as pd
import pytest
from sklearn import model_selection as sk

from lucidml.model_selection import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
    train_test_split,
)


def _folds(splitter, *args):
    return [(tr.tolist(), te.tolist()) for tr, te in splitter.split(*args)]


@pytest.mark.parametrize("n", [7, 10, 23, 101])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kfold_equals_sklearn(n, k):
    X = np.zeros((n, 2))
    assert _folds(KFold(k), X) == _folds(sk.KFold(k), X)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_stratified_kfold_equals_sklearn(seed, k):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3 * k, 80))
    y = rng.choice(np.array(["b", "a", "c"]), size=n, p=[0.5, 0.3, 0.2])
    y[:k], y[k : 2 * k], y[2 * k : 3 * k] = "a", "b", "c"  # every class has k members
    X = np.zeros((n, 1))
    assert _folds(StratifiedKFold(k), X, y) == _folds(sk.StratifiedKFold(k), X, y)


@pytest.mark.parametrize("seed", range(4))
def test_group_kfold_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    groups = rng.permutation(np.arange(60) % 9) * 10 + rng.integers(0, 2, 60)
    X = np.zeros((60, 1))
    assert _folds(GroupKFold(4), X, None, groups) == _folds(sk.GroupKFold(4), X, None, groups)


def _assert_partition(splits, n):
    tests = np.concatenate([te for _, te in splits])
    np.testing.assert_array_equal(np.sort(tests), np.arange(n))
    for tr, te in splits:
        assert np.intersect1d(tr, te).size == 0
        assert tr.size + te.size == n


def test_shuffled_kfolds_are_partitions_and_stratified():
    rng = np.random.default_rng(0)
    y = rng.choice([0, 1, 2], size=300, p=[0.6, 0.3, 0.1])
    X = np.zeros((300, 1))
    kf = list(KFold(5, shuffle=True, random_state=1).split(X))
    _assert_partition(kf, 300)
    assert [te.tolist() for _, te in kf] != [te.tolist() for _, te in KFold(5).split(X)]
    skf = list(StratifiedKFold(5, shuffle=True, random_state=1).split(X, y))
    _assert_partition(skf, 300)
    share = np.bincount(y) / 300
    for _, te in skf:
        np.testing.assert_allclose(np.bincount(y[te], minlength=3) / te.size, share, atol=0.02)
    again = list(StratifiedKFold(5, shuffle=True, random_state=1).split(X, y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(skf, again, strict=True))


def test_group_kfold_keeps_groups_apart():
    groups = np.repeat(np.arange(12), np.arange(1, 13))
    X = np.zeros((groups.size, 1))
    for splitter in (GroupKFold(3), GroupKFold(3, shuffle=True, random_state=0)):
        splits = list(splitter.split(X, None, groups))
        _assert_partition(splits, groups.size)
        for tr, te in splits:
            assert np.intersect1d(groups[tr], groups[te]).size == 0


@pytest.mark.parametrize(
    "test_size, train_size", [(None, None), (0.3, None), (None, 0.5), (7, 20), (0.2, 0.6)]
)
def test_shuffle_split_sizes_equal_sklearn(test_size, train_size):
    X = np.zeros((53, 1))
    ours = next(
        ShuffleSplit(3, test_size=test_size, train_size=train_size, random_state=0).split(X)
    )
    ref = next(sk.ShuffleSplit(3, test_size=test_size, train_size=train_size).split(X))
    assert (ours[0].size, ours[1].size) == (ref[0].size, ref[1].size)
    assert np.intersect1d(*ours).size == 0


def test_stratified_shuffle_split_proportions():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.zeros((100, 1))
    for tr, te in StratifiedShuffleSplit(4, test_size=0.3, random_state=0).split(X, y):
        assert te.size == 30 and tr.size == 70 and np.intersect1d(tr, te).size == 0
        np.testing.assert_array_equal(np.bincount(y[te]), [15, 9, 6])
        np.testing.assert_array_equal(np.bincount(y[tr]), [35, 21, 14])


def test_train_test_split_matches_sklearn_sizes_and_keeps_rows_together():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    df = pd.DataFrame(X, columns=["a", "b"])
    X_tr, X_te, y_tr, y_te, d_tr, d_te = train_test_split(X, y, df, random_state=0)
    ref = sk.train_test_split(X, y)
    assert X_tr.shape == ref[0].shape and X_te.shape == ref[1].shape
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)
    np.testing.assert_array_equal(d_te.to_numpy(), X_te)
    assert isinstance(d_tr, pd.DataFrame)
    a, b = train_test_split(list(range(10)), shuffle=False, test_size=3)
    assert a == list(range(7)) and b == [7, 8, 9]


def test_train_test_split_stratify():
    y = np.repeat(["x", "y"], [80, 20])
    _, _, y_tr, y_te = train_test_split(
        np.zeros((100, 1)), y, test_size=0.25, stratify=y, random_state=3
    )
    assert (y_te == "y").sum() == 5 and (y_tr == "y").sum() == 15


def test_check_cv():
    y_cls = np.array([0, 1] * 10)
    assert isinstance(check_cv(3, y_cls, classifier=True), StratifiedKFold)
    assert isinstance(check_cv(3, y_cls, classifier=False), KFold)
    assert isinstance(check_cv(None, np.linspace(0, 1, 20), classifier=True), KFold)
    assert check_cv(None).get_n_splits() == 5
    pairs = [(np.arange(5), np.arange(5, 10))]
    assert check_cv(pairs).get_n_splits() == 1
    with pytest.raises(ValueError, match="Expected cv"):
        check_cv("five")


def test_bad_parameters_and_inputs():
    with pytest.raises(ValueError, match="at least one train/test split"):
        KFold(1)
    with pytest.raises(ValueError, match="Integral"):
        KFold(2.5)
    with pytest.raises(ValueError, match="shuffle is False"):
        KFold(3, random_state=0)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        KFold(3, shuffle="yes")
    with pytest.raises(ValueError, match="n_samples=2"):
        list(KFold(3).split(np.zeros((2, 1))))
    with pytest.raises(ValueError, match="number of members in each class"):
        list(StratifiedKFold(3).split(np.zeros((4, 1)), [0, 0, 1, 1]))
    with pytest.warns(UserWarning, match="least populated class"):
        list(StratifiedKFold(3).split(np.zeros((7, 1)), [0, 0, 0, 0, 0, 1, 1]))
    with pytest.raises(ValueError, match="Supported target types"):
        list(StratifiedKFold(2).split(np.zeros((4, 1)), [0.1, 0.2, 0.3, 0.4]))
    with pytest.raises(ValueError, match="requires y"):
        list(StratifiedKFold(2).split(np.zeros((4, 1))))
    with pytest.raises(ValueError, match="groups"):
        list(GroupKFold(2).split(np.zeros((4, 1))))
    with pytest.raises(ValueError, match="number of groups"):
        list(GroupKFold(3).split(np.zeros((4, 1)), None, [0, 0, 1, 1]))
    with pytest.raises(ValueError, match="test_size=1.5"):
        train_test_split(np.zeros((10, 1)), test_size=1.5)
    with pytest.raises(ValueError, match="train set will be empty"):
        train_test_split(np.zeros((2, 1)), test_size=0.9)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        train_test_split(np.zeros((10, 1)), np.zeros(9))
    with pytest.raises(ValueError, match="At least one array"):
        train_test_split()
    with pytest.raises(ValueError, match="shuffle=False"):
        train_test_split(np.zeros((10, 1)), shuffle=False, stratify=np.zeros(10))

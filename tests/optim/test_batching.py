"""Batch sizes, epoch permutations and the validation split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lucidml.optim import (
    batch_slices,
    epoch_permutation,
    iterate_minibatches,
    resolve_batch_size,
    train_validation_split,
)


@pytest.mark.parametrize(
    "solver,batch_size,n,expected",
    [
        ("batch", None, 50, 50),
        ("batch", 10, 50, 50),
        ("sgd", "auto", 50, 1),
        ("stochastic", None, 7, 1),
        ("minibatch", 16, 50, 16),
        ("minibatch", 64, 50, 50),
        ("minibatch", None, 500, 200),
        ("minibatch", "auto", 150, 150),
        ("MiniBatch", np.int64(8), 20, 8),
    ],
)
def test_resolve_batch_size(solver, batch_size, n, expected):
    assert resolve_batch_size(solver, batch_size, n) == expected


@pytest.mark.parametrize(
    "args,word",
    [
        (("adam", None, 10), "Unknown solver"),
        ((None, None, 10), "Unknown solver"),
        (("minibatch", 0, 10), "batch_size"),
        (("minibatch", -5, 10), "batch_size"),
        (("minibatch", 2.5, 10), "batch_size"),
        (("minibatch", "big", 10), "batch_size"),
        (("minibatch", True, 10), "batch_size"),
        (("batch", None, 0), "n_samples"),
        (("batch", None, 3.0), "n_samples"),
    ],
)
def test_resolve_batch_size_errors(args, word):
    with pytest.raises(ValueError, match=word):
        resolve_batch_size(*args)


@pytest.mark.parametrize("n,b", [(10, 3), (10, 5), (10, 10), (10, 20), (1, 1), (7, 1)])
def test_batch_slices_cover_once(n, b):
    slices = batch_slices(n, b)
    assert len(slices) == math.ceil(n / b)
    covered = np.concatenate([np.arange(n)[s] for s in slices])
    np.testing.assert_array_equal(covered, np.arange(n))
    assert all(s.stop - s.start == b for s in slices[:-1])
    with pytest.raises(ValueError, match="batch_size"):
        batch_slices(n, 0)


def test_epoch_permutation_equals_rng_permutation():
    expected = np.random.default_rng(5).permutation(30)
    np.testing.assert_array_equal(epoch_permutation(30, np.random.default_rng(5)), expected)
    out = np.empty(30, dtype=np.intp)
    got = epoch_permutation(30, np.random.default_rng(5), out=out)
    assert got is out
    np.testing.assert_array_equal(out, expected)
    # the same Generator gives a new permutation each epoch
    rng = np.random.default_rng(5)
    first = epoch_permutation(30, rng).copy()
    second = epoch_permutation(30, rng, out=out)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(second), np.arange(30))
    np.testing.assert_array_equal(epoch_permutation(5, rng, shuffle=False), np.arange(5))
    np.testing.assert_array_equal(epoch_permutation(5, 0), np.random.default_rng(0).permutation(5))


def test_epoch_permutation_bad_out():
    with pytest.raises(ValueError, match="out"):
        epoch_permutation(5, 0, out=np.empty(4, dtype=np.intp))
    with pytest.raises(ValueError, match="out"):
        epoch_permutation(5, 0, out=np.empty(5))


def test_iterate_minibatches():
    batches = list(iterate_minibatches(23, 5, np.random.default_rng(1)))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    np.testing.assert_array_equal(np.concatenate(batches), np.random.default_rng(1).permutation(23))
    ordered = list(iterate_minibatches(6, 4, None, shuffle=False))
    np.testing.assert_array_equal(ordered[0], [0, 1, 2, 3])
    np.testing.assert_array_equal(ordered[1], [4, 5])


@pytest.mark.parametrize("n,f", [(100, 0.1), (101, 0.1), (10, 0.25), (7, 0.5), (3, 0.2)])
def test_split_sizes_match_scikit_learn(n, f):
    sk = pytest.importorskip("sklearn.model_selection")
    tr_sk, va_sk = sk.train_test_split(np.arange(n), test_size=f, random_state=0)
    train, val = train_validation_split(n, f, np.random.default_rng(0))
    assert len(val) == len(va_sk) and len(train) == len(tr_sk)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)


def test_split_is_random_and_reproducible():
    a = train_validation_split(50, 0.2, 3)
    b = train_validation_split(50, 0.2, np.random.default_rng(3))
    c = train_validation_split(50, 0.2, 4)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_keeps_proportions():
    y = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 17 + ["d"] * 3)
    y = np.random.default_rng(0).permutation(y)
    f = 0.15
    train, val = train_validation_split(len(y), f, np.random.default_rng(1), stratify=y)
    n_val = math.ceil(f * len(y))
    assert len(val) == n_val and len(train) == len(y) - n_val
    assert len(np.intersect1d(train, val)) == 0
    for label, n_k in zip(*np.unique(y, return_counts=True), strict=True):
        got = int(np.sum(y[val] == label))
        assert math.floor(f * n_k) <= got <= math.ceil(f * n_k), label


def test_stratified_split_accepts_column_labels():
    y = np.repeat([0, 1], 10)[:, None]
    train, val = train_validation_split(20, 0.5, 0, stratify=y)
    assert np.sum(y[val, 0] == 0) == 5 and np.sum(y[val, 0] == 1) == 5


@pytest.mark.parametrize("f", [0.0, 1.0, -0.1, 1.5, np.nan, "0.2", True, None])
def test_split_bad_fraction(f):
    with pytest.raises(ValueError, match="validation_fraction"):
        train_validation_split(20, f, 0)


def test_split_empty_side():
    with pytest.raises(ValueError, match="empty"):
        train_validation_split(1, 0.5, 0)
    with pytest.raises(ValueError, match="empty"):
        train_validation_split(5, 0.9999, 0)
    with pytest.raises(ValueError, match="n_samples"):
        train_validation_split(0, 0.5, 0)


def test_stratified_split_errors():
    with pytest.raises(ValueError, match="only 1 member"):
        train_validation_split(5, 0.4, 0, stratify=[0, 0, 1, 1, 2])
    with pytest.raises(ValueError, match="number of classes"):
        train_validation_split(9, 0.1, 0, stratify=[0, 0, 0, 1, 1, 1, 2, 2, 2])
    with pytest.raises(ValueError, match="stratify"):
        train_validation_split(4, 0.5, 0, stratify=[0, 1, 0])

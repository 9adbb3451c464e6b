"""Splitters: ways to cut a data set into training and test parts (notes §12, cross-validation).

Every splitter has scikit-learn's interface, ``split(X, y=None, groups=None)`` yielding
``(train_indices, test_indices)`` and ``get_n_splits``, so it can be passed as ``cv=`` to lucidml
and scikit-learn alike. Without shuffling, ``KFold`` and ``StratifiedKFold`` give scikit-learn's
folds index for index.

With :math:`n` samples and :math:`k` folds, k-fold cross-validation gives the first
:math:`n \\bmod k` folds :math:`\\lfloor n/k \\rfloor + 1` test samples and the others
:math:`\\lfloor n/k \\rfloor`; each sample is tested exactly once.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .._validation import check_random_state, num_samples, type_of_target

__all__ = [
    "GroupKFold",
    "KFold",
    "ShuffleSplit",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "check_cv",
    "train_test_split",
]


def _as_1d(y: Any, name: str = "y") -> np.ndarray:
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def _encode_by_first_appearance(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class codes numbered in order of each class's first appearance, and the class counts."""
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # rank of each sorted class by first appearance
    codes = order[inverse.ravel()]
    return codes, np.bincount(codes)


class _BaseKFold:
    """Shared parameter checks of the k-fold splitters."""

    def __init__(self, n_splits: int, *, shuffle: bool, random_state: Any) -> None:
        if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
            raise ValueError(
                "The number of folds must be of Integral type. "
                f"{n_splits} of type {type(n_splits)} was passed."
            )
        if n_splits <= 1:
            raise ValueError(
                "k-fold cross-validation requires at least one train/test split by setting "
                f"n_splits=2 or more, got n_splits={n_splits}."
            )
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False; got {shuffle}")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. You should leave "
                "random_state to its default (None), or set shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits, ``n_splits``."""
        return self.n_splits

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> np.ndarray:
        raise NotImplementedError

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` index arrays, one pair per fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its number of samples is used.
        y : array-like of shape (n_samples,), default=None
            Class labels (used by the stratified splitter).
        groups : array-like of shape (n_samples,), default=None
            Group labels (used by the group splitter).

        Yields
        ------
        train : ndarray of shape (n_train,)
        test : ndarray of shape (n_test,)
        """
        n_samples = num_samples(X)
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number "
                f"of samples: n_samples={n_samples}."
            )
        fold_of = self._test_folds(n_samples, y, groups)
        order = np.argsort(fold_of, kind="stable")
        bounds = np.searchsorted(fold_of[order], np.arange(self.n_splits + 1))
        for i in range(self.n_splits):
            test = np.sort(order[bounds[i] : bounds[i + 1]])
            mask = np.ones(n_samples, dtype=bool)
            mask[test] = False
            yield np.flatnonzero(mask), test

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class KFold(_BaseKFold):
    """K-fold cross-validation: consecutive (optionally shuffled) folds, each tested once.

    Fold :math:`i` (0-based) holds :math:`\\lfloor n/k \\rfloor + [i < n \\bmod k]` samples.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds :math:`k \\ge 2`.
    shuffle : bool, default=False
        Shuffle the samples once before cutting them into folds.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle; only with ``shuffle=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.model_selection import KFold
    >>> [test.tolist() for _, test in KFold(3).split(np.zeros((5, 1)))]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> np.ndarray:
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        fold_of = np.repeat(np.arange(self.n_splits), sizes)
        if self.shuffle:
            out = np.empty(n_samples, dtype=np.intp)
            out[check_random_state(self.random_state).permutation(n_samples)] = fold_of
            return out
        return fold_of


class StratifiedKFold(_BaseKFold):
    """K-fold cross-validation that keeps every class's share the same in each fold.

    Sort the labels by class (classes in order of first appearance) and deal the sorted
    positions round-robin, position :math:`p` to fold :math:`p \\bmod k`; class :math:`c` then
    sends :math:`a_{ic}` samples to fold :math:`i`, and its samples fill the folds in order
    (or shuffled, with ``shuffle=True``). Without shuffling the folds equal scikit-learn's.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds :math:`k \\ge 2`.
    shuffle : bool, default=False
        Shuffle each class's samples before assigning them to folds.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle; only with ``shuffle=True``.
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> np.ndarray:
        if y is None:
            raise ValueError("StratifiedKFold requires y, the class labels, to split on.")
        y = _as_1d(y)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"Supported target types are: ('binary', 'multiclass'). Got {kind!r} instead."
            )
        codes, counts = _encode_by_first_appearance(y)
        k = self.n_splits
        if np.all(counts < k):
            raise ValueError(
                f"n_splits={k} cannot be greater than the number of members in each class."
            )
        if counts.min() < k:
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is less "
                f"than n_splits={k}.",
                UserWarning,
                stacklevel=3,
            )
        rng = check_random_state(self.random_state) if self.shuffle else None
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        fold_of = np.empty(n_samples, dtype=np.intp)
        for c in range(counts.shape[0]):  # a loop over classes, not samples
            folds = np.sort((starts[c] + np.arange(counts[c])) % k)
            if rng is not None:
                rng.shuffle(folds)
            fold_of[codes == c] = folds
        return fold_of


class GroupKFold(_BaseKFold):
    """K-fold cross-validation that never puts one group in both training and test parts.

    Without shuffling, groups are taken from the largest to the smallest, each into the fold
    with the fewest samples so far (a greedy balance of fold sizes; scikit-learn's folds). With
    shuffling, the distinct groups are permuted and cut into :math:`k` nearly equal runs.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds :math:`k \\ge 2`; at most the number of distinct groups.
    shuffle : bool, default=False
        Shuffle the groups instead of balancing fold sizes.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle; only with ``shuffle=True``.
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> np.ndarray:
        if groups is None:
            raise ValueError("The 'groups' parameter should not be None.")
        groups = _as_1d(groups, "groups")
        if groups.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {groups.shape[0]}]"
            )
        _, inverse = np.unique(groups, return_inverse=True)
        inverse = inverse.ravel()
        sizes = np.bincount(inverse)
        if self.n_splits > sizes.shape[0]:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number "
                f"of groups: {sizes.shape[0]}."
            )
        if self.shuffle:
            perm = check_random_state(self.random_state).permutation(sizes.shape[0])
            fold_of_group = np.empty(sizes.shape[0], dtype=np.intp)
            runs = np.array_split(perm, self.n_splits)
            for i, run in enumerate(runs):
                fold_of_group[run] = i
            return fold_of_group[inverse]
        load = np.zeros(self.n_splits, dtype=np.int64)
        fold_of_group = np.empty(sizes.shape[0], dtype=np.intp)
        for g in np.argsort(sizes, kind="stable")[::-1]:  # a loop over groups
            lightest = int(np.argmin(load))
            load[lightest] += sizes[g]
            fold_of_group[g] = lightest
        return fold_of_group[inverse]


def _split_sizes(n_samples: int, test_size: Any, train_size: Any, default_test: float):
    """Absolute ``(n_train, n_test)`` from fractions or counts, as scikit-learn computes them."""
    if test_size is None and train_size is None:
        test_size = default_test

    def check(value: Any, name: str) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (numbers.Real,)):
            raise ValueError(f"Invalid value for {name}: {value!r}")
        if isinstance(value, numbers.Integral):
            if value <= 0 or value >= n_samples:
                raise ValueError(
                    f"{name}={value} should be either positive and smaller than the number of "
                    f"samples {n_samples} or a float in the (0, 1) range"
                )
        elif not 0 < value < 1:
            raise ValueError(
                f"{name}={value} should be either positive and smaller than the number of "
                f"samples {n_samples} or a float in the (0, 1) range"
            )

    check(test_size, "test_size")
    check(train_size, "train_size")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif test_size is not None:
        n_test = int(np.ceil(test_size * n_samples))
    if isinstance(train_size, numbers.Integral):
        n_train = int(train_size)
    elif train_size is not None:
        n_train = int(np.floor(train_size * n_samples))
    if train_size is None:
        n_train = n_samples - n_test
    elif test_size is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(
            f"The sum of train_size and test_size = {n_train + n_test}, should be smaller than "
            f"the number of samples {n_samples}. Reduce test_size and/or train_size."
        )
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n_samples}, test_size={test_size} and train_size={train_size}, the "
            "resulting train set will be empty. Adjust any of the aforementioned parameters."
        )
    return n_train, n_test


class ShuffleSplit:
    """Random permutation cross-validation: independent random train/test splits.

    Each split draws a permutation :math:`\\pi` of the samples; the test part is
    :math:`\\pi_{1..n_{test}}` and the training part the next :math:`n_{train}`. A float
    ``test_size`` gives :math:`n_{test} = \\lceil t n \\rceil`, a float ``train_size``
    :math:`n_{train} = \\lfloor s n \\rfloor`.

    Parameters
    ----------
    n_splits : int, default=10
        Number of splits.
    test_size : float or int, default=None
        Fraction in (0, 1) or number of test samples; 0.1 when neither size is given, otherwise
        the complement of ``train_size``.
    train_size : float or int, default=None
        Fraction or number of training samples; the complement of ``test_size`` by default.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the permutations.
    """

    _default_test_size = 0.1

    def __init__(
        self,
        n_splits: int = 10,
        *,
        test_size: Any = None,
        train_size: Any = None,
        random_state: Any = None,
    ) -> None:
        if not isinstance(n_splits, numbers.Integral) or n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}.")
        self.n_splits = int(n_splits)
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits, ``n_splits``."""
        return self.n_splits

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` index arrays of shapes (n_train,) and (n_test,)."""
        n_samples = num_samples(X)
        n_train, n_test = _split_sizes(
            n_samples, self.test_size, self.train_size, self._default_test_size
        )
        yield from self._iter(n_samples, n_train, n_test, y)

    def _iter(self, n_samples, n_train, n_test, y):
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            perm = rng.permutation(n_samples)
            yield perm[n_test : n_test + n_train], perm[:n_test]

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


def _allocate(counts: np.ndarray, n_draw: int) -> np.ndarray:
    """Split ``n_draw`` among classes in proportion to ``counts`` (largest remainders)."""
    exact = counts * (n_draw / counts.sum())
    alloc = np.floor(exact).astype(np.int64)
    short = n_draw - alloc.sum()
    if short > 0:
        room = alloc < counts
        rem = np.where(room, exact - alloc, -np.inf)
        alloc[np.argsort(-rem, kind="stable")[:short]] += 1
    return np.minimum(alloc, counts)


class StratifiedShuffleSplit(ShuffleSplit):
    """Random train/test splits that keep each class's share in both parts.

    Class :math:`c` with :math:`n_c` samples sends about :math:`n_{test} n_c / n` of them to
    the test part (rounded by largest remainders so the total is exact) and about
    :math:`n_{train} n_c / n` to the training part.

    Parameters
    ----------
    n_splits : int, default=10
    test_size, train_size : float or int, default=None
        As in :class:`ShuffleSplit`.
    random_state : None, int or numpy.random.Generator, default=None
    """

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield stratified ``(train, test)`` index arrays."""
        if y is None:
            raise ValueError("StratifiedShuffleSplit requires y, the class labels, to split on.")
        return super().split(X, y, groups)

    def _iter(self, n_samples, n_train, n_test, y):
        y = _as_1d(y)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        _, codes = np.unique(y, return_inverse=True)
        codes = codes.ravel()
        counts = np.bincount(codes)
        if counts.min() < 2:
            raise ValueError(
                "The least populated class in y has only 1 member, which is too few. The minimum "
                "number of groups for any class cannot be less than 2."
            )
        if n_test < counts.shape[0] or n_train < counts.shape[0]:
            raise ValueError(
                f"The test_size = {n_test} and train_size = {n_train} should each be greater or "
                f"equal to the number of classes = {counts.shape[0]}"
            )
        rng = check_random_state(self.random_state)
        by_class = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
        test_alloc = _allocate(counts, n_test)
        train_alloc = _allocate(counts - test_alloc, n_train)
        for _ in range(self.n_splits):
            train, test = [], []
            for members, n_te, n_tr in zip(by_class, test_alloc, train_alloc, strict=True):
                perm = rng.permutation(members)
                test.append(perm[:n_te])
                train.append(perm[n_te : n_te + n_tr])
            yield rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _index(data: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of an array, sparse matrix, DataFrame/Series or list."""
    if data is None:
        return None
    if hasattr(data, "tocsr") and getattr(data, "format", "csr") not in ("csr", "csc"):
        data = data.tocsr()  # COO, DIA, ... cannot be indexed by rows
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if hasattr(data, "shape"):
        return data[idx]
    return [data[i] for i in idx]


def _indexable(data: Any) -> Any:
    """``data`` unchanged if rows can be taken from it, else as a NumPy array."""
    if data is None or hasattr(data, "iloc") or hasattr(data, "shape"):
        return data
    if hasattr(data, "__array__") and not hasattr(data, "__len__"):
        return np.asarray(data)
    return data


def train_test_split(
    *arrays: Any,
    test_size: Any = None,
    train_size: Any = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list[Any]:
    """Split arrays into random train and test parts (the hold-out of notes §12).

    Parameters
    ----------
    *arrays : sequence of array-likes of equal length n_samples
        Arrays, sparse matrices, lists or pandas objects.
    test_size : float or int, default=None
        Fraction or number of test samples; 0.25 when neither size is given.
    train_size : float or int, default=None
        Fraction or number of training samples; the complement by default.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle.
    shuffle : bool, default=True
        Without shuffling the first ``n_train`` samples train and the next ``n_test`` test.
    stratify : array-like of shape (n_samples,), default=None
        Class labels whose proportions both parts keep (needs ``shuffle=True``).

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``, two entries per input, of the input's type.
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    arrays = tuple(_indexable(a) for a in arrays)
    lengths = [num_samples(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    n_samples = lengths[0]
    n_train, n_test = _split_sizes(n_samples, test_size, train_size, 0.25)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        cls = StratifiedShuffleSplit if stratify is not None else ShuffleSplit
        splitter = cls(1, test_size=n_test, train_size=n_train, random_state=random_state)
        train, test = next(splitter._iter(n_samples, n_train, n_test, stratify))
    out = []
    for a in arrays:
        out.extend((_index(a, train), _index(a, test)))
    return out


class _CVIterableWrapper:
    """A fixed list of ``(train, test)`` pairs behaving as a splitter."""

    def __init__(self, cv: Iterable) -> None:
        self.cv = list(cv)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return len(self.cv)

    def split(self, X: Any = None, y: Any = None, groups: Any = None):
        for train, test in self.cv:
            yield np.asarray(train), np.asarray(test)


def check_cv(cv: Any = 5, y: Any = None, *, classifier: bool = False) -> Any:
    """Turn ``cv`` into a splitter.

    Parameters
    ----------
    cv : None, int, splitter or iterable of (train, test) pairs, default=5
        None means 5 folds. An int gives :class:`StratifiedKFold` when ``classifier`` is true
        and ``y`` is binary or multiclass, :class:`KFold` otherwise.
    y : array-like of shape (n_samples,), default=None
        The target.
    classifier : bool, default=False
        Whether the estimator is a classifier.

    Returns
    -------
    splitter
        An object with ``split`` and ``get_n_splits``.
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None and type_of_target(y) in ("binary", "multiclass"):
            return StratifiedKFold(cv)
        return KFold(cv)
    if hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        return cv
    if isinstance(cv, str) or not isinstance(cv, Iterable):
        raise ValueError(
            "Expected cv as an integer, cross-validation object (from "
            f"lucidml.model_selection) or an iterable. Got {cv!r}."
        )
    return _CVIterableWrapper(cv)

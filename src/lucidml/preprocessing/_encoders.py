"""Factorisation (notes §5.3): categories to integer codes, one-hot columns and label codes.

Columns may hold numbers or strings (object arrays, pandas columns of any dtype); ``None`` and
NaN are missing values and form a category of their own, listed last.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import check_array, check_feature_names_out, check_is_fitted, column_or_1d
from ..base import BaseEstimator, TransformerMixin

__all__ = ["OrdinalEncoder", "OneHotEncoder", "LabelEncoder"]

_INFREQUENT = "infrequent_sklearn"  # the output-name suffix scikit-learn uses


def _columns(est: Any, X: Any, *, reset: bool) -> tuple[list[np.ndarray], int]:
    """Split ``X`` (n_samples, n_features) into 1-D columns, each keeping its own dtype."""
    est._check_feature_names(X, reset=reset)
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # a DataFrame: column by column
        if X.shape[0] == 0 or X.shape[1] == 0:
            check_array(np.empty(X.shape))  # the usual "Found array with 0 sample(s)" message
        cols = [np.asarray(X.iloc[:, j].to_numpy()) for j in range(X.shape[1])]
        n = X.shape[0]
    else:
        arr = check_array(X, dtype=None, ensure_all_finite="allow-nan")
        if not hasattr(X, "dtype") and arr.dtype.kind in "US":
            arr = check_array(X, dtype=object, ensure_all_finite=False)  # keep numbers numbers
        if arr.dtype.kind in "US":
            arr = arr.astype(object)
        if arr.dtype.kind == "b":
            arr = arr.astype(object)
        cols = [arr[:, j] for j in range(arr.shape[1])]
        n = arr.shape[0]
    for j, c in enumerate(cols):
        if c.dtype.kind not in "biufO":
            cols[j] = c.astype(object)
        elif c.dtype.kind == "f" and np.isinf(c).any():
            raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
    est._check_n_features(np.empty((0, len(cols))), reset=reset)
    return cols, n


def _missing(col: np.ndarray) -> np.ndarray:
    """Boolean mask of missing entries (NaN, or None in object columns), shape (n_samples,)."""
    if col.dtype.kind == "f":
        return np.isnan(col)
    if col.dtype.kind != "O":
        return np.zeros(col.shape, dtype=bool)
    return np.asarray(col != col, dtype=bool) | np.equal(col, None)


def _type_error(values: np.ndarray) -> TypeError:
    names = sorted({type(v).__name__ for v in values})
    return TypeError(
        f"Encoders require their input argument must be uniformly strings or numbers. Got {names}"
    )


def _sorted_unique(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct non-missing values and the inverse map, shape (n_non_missing,)."""
    try:
        uniq, inv = np.unique(col, return_inverse=True)
    except TypeError:  # unorderable mixture, e.g. str and int
        raise _type_error(col) from None
    if col.dtype.kind == "O":
        is_str = np.fromiter((isinstance(v, str) for v in uniq), bool, count=uniq.size)
        if is_str.any() and not is_str.all():
            raise _type_error(uniq)
    return uniq, inv.reshape(-1)


def _categories_of(col: np.ndarray) -> np.ndarray:
    """Sorted categories of one column; missing values (None, then NaN) last."""
    miss = _missing(col)
    uniq, _ = _sorted_unique(col[~miss])
    if col.dtype.kind != "O":
        return np.concatenate([uniq, [np.nan]]) if miss.any() else uniq
    extra = []
    if miss.any():
        gone = col[miss]
        if np.equal(gone, None).any():
            extra.append(None)
        if (gone != gone).any():
            extra.append(np.nan)
    out = np.empty(uniq.size + len(extra), dtype=object)
    out[: uniq.size] = uniq
    out[uniq.size :] = extra
    return out


def _encode(col: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Index of each value of ``col`` in ``cats``, -1 where unknown; shape (n_samples,).

    Vectorised: the column's distinct values are found once (C sort) and only those few are
    looked up.
    """
    codes = np.full(col.shape[0], -1, dtype=np.int64)
    miss = _missing(col)
    cat_miss = _missing(cats) if cats.size else np.zeros(0, bool)
    if miss.any():
        gone = col[miss]
        if col.dtype.kind == "O":
            is_none = np.equal(gone, None)
            for flag, test in ((is_none, lambda c: c is None), (~is_none, _is_nan)):
                where = [i for i, c in enumerate(cats) if test(c)]
                if where:
                    sub = codes[miss]
                    sub[flag] = where[0]
                    codes[miss] = sub
        else:
            where = [i for i, c in enumerate(cats) if _is_nan(c)]
            if where:
                codes[miss] = where[0]
    present = ~miss
    if not present.any():
        return codes
    known = cats[~cat_miss]
    known_idx = np.flatnonzero(~cat_miss)
    vals = col[present]
    if vals.dtype.kind in "biuf" and known.dtype.kind in "biuf":
        order = np.argsort(known, kind="stable")
        sk = known[order]
        pos = np.clip(np.searchsorted(sk, vals), 0, max(sk.size - 1, 0))
        hit = sk[pos] == vals if sk.size else np.zeros(vals.shape, bool)
        codes[present] = np.where(hit, known_idx[order][pos] if sk.size else -1, -1)
        return codes
    uniq, inv = _sorted_unique(vals)
    lookup = {}
    for i, c in zip(known_idx, known, strict=True):
        lookup.setdefault(_key(c), i)
    lut = np.array([lookup.get(_key(u), -1) for u in uniq], dtype=np.int64)
    codes[present] = lut[inv]
    return codes


def _encode_all(values: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Codes of a categories array (NaN and None included) in ``cats``, shape (len(values),)."""
    values = np.asarray(values)
    if cats.dtype.kind == "O" and values.dtype.kind != "O":
        values = values.astype(object)
    return _encode(values, cats)


def _key(v: Any) -> Any:
    # Numbers compare by value (1 == 1.0), strings by text; a str never matches a number.
    return ("s", v) if isinstance(v, str) else ("n", v)


def _nan_positions(cats: np.ndarray) -> np.ndarray:
    """Indices of NaN among categories (None excluded), shape (0,) or (1,)."""
    return np.flatnonzero([_is_nan(c) for c in cats])


def _is_nan(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) and v != v


def _check_given_categories(cats: Any, n_features: int) -> list[np.ndarray]:
    if not isinstance(cats, (list, tuple)) or len(cats) != n_features:
        raise ValueError(
            f"Shape mismatch: if categories is an array, it has to be of shape "
            f"(n_features,); got {len(cats) if hasattr(cats, '__len__') else cats!r} for "
            f"{n_features} features."
        )
    out = []
    for c in cats:
        arr = np.asarray(c)
        if arr.dtype.kind in "US":
            arr = arr.astype(object)
        if arr.dtype.kind in "biuf":
            finite = arr[~np.isnan(arr)] if arr.dtype.kind == "f" else arr
            if np.any(np.diff(finite) < 0):
                raise ValueError("Unsorted categories are not supported for numerical categories")
        out.append(arr)
    return out


class _BaseEncoder(TransformerMixin, BaseEstimator):
    """Shared fitting: categories per column and codes of the training data."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def _fit_categories(self, X: Any, allow_unknown: bool) -> tuple[list[np.ndarray], list]:
        if self.handle_unknown not in self._unknown_policies:
            raise ValueError(
                f"The 'handle_unknown' parameter of {type(self).__name__} must be one of "
                f"{self._unknown_policies}; got {self.handle_unknown!r}."
            )
        cols, _ = _columns(self, X, reset=True)
        if isinstance(self.categories, str):
            if self.categories != "auto":
                raise ValueError(
                    f"categories must be 'auto' or a list of arrays; got {self.categories!r}."
                )
            cats = [_categories_of(c) for c in cols]
        else:
            cats = _check_given_categories(self.categories, len(cols))
        codes = []
        for j, (c, cat) in enumerate(zip(cols, cats, strict=True)):
            code = _encode(c, cat)
            if (code < 0).any() and not allow_unknown:
                bad = _categories_of(c[code < 0])
                raise ValueError(f"Found unknown categories {list(bad)} in column {j} during fit")
            codes.append(code)
        self.categories_ = cats
        return cats, codes

    def _transform_codes(self, X: Any, allow_unknown: bool) -> list[np.ndarray]:
        check_is_fitted(self)
        cols, _ = _columns(self, X, reset=False)
        codes = []
        for j, (c, cat) in enumerate(zip(cols, self.categories_, strict=True)):
            code = _encode(c, cat)
            if not allow_unknown and (code < 0).any():
                bad = _categories_of(c[code < 0])
                raise ValueError(
                    f"Found unknown categories {list(bad)} in column {j} during transform"
                )
            codes.append(code)
        return codes


class OrdinalEncoder(_BaseEncoder):
    r"""Encode each categorical feature as integer codes :math:`0, \dots, K_j - 1` (factorisation).

    .. math::

        x'_{ij} = k \quad\text{where}\quad x_{ij} = c_{jk},

    with :math:`c_{j0} < c_{j1} < \dots` the sorted categories of feature :math:`j`. Missing
    values are encoded as ``encoded_missing_value``; unseen ones raise, or become
    ``unknown_value`` under ``handle_unknown="use_encoded_value"``.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories per feature; ``categories[j]`` lists those of feature ``j`` (sorted if numeric).
    handle_unknown : {"error", "use_encoded_value"}, default="error"
    unknown_value : int or np.nan, default=None
        Code for unseen categories; required with ``handle_unknown="use_encoded_value"``.
    encoded_missing_value : int or np.nan, default=np.nan
        Code for missing values (None, NaN).

    Attributes
    ----------
    categories_ : list of ndarray
        ``categories_[j]`` has shape (K_j,).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    _unknown_policies = ("error", "use_encoded_value")

    def __init__(
        self,
        *,
        categories: Any = "auto",
        handle_unknown: str = "error",
        unknown_value: Any = None,
        encoded_missing_value: Any = np.nan,
    ):
        self.categories = categories
        self.handle_unknown = handle_unknown
        self.unknown_value = unknown_value
        self.encoded_missing_value = encoded_missing_value

    def fit(self, X: Any, y: Any = None) -> OrdinalEncoder:
        """Learn the categories of each column of ``X`` (n_samples, n_features)."""
        use_value = self.handle_unknown == "use_encoded_value"
        uv = self.unknown_value
        if use_value:
            if not (isinstance(uv, numbers.Integral) and not isinstance(uv, bool) or _is_nan(uv)):
                raise TypeError(
                    "unknown_value should be an integer or np.nan when handle_unknown is "
                    f"'use_encoded_value', got {uv}."
                )
        elif uv is not None:
            raise TypeError(
                "unknown_value should only be set when handle_unknown is 'use_encoded_value', "
                f"got {uv}."
            )
        cats, _ = self._fit_categories(X, allow_unknown=use_value)
        emv = self.encoded_missing_value
        if not _is_nan(emv):
            used = [
                j
                for j, c in enumerate(cats)
                if _nan_positions(c).size and 0 <= emv < len(c) - _nan_positions(c).size
            ]
            if used:
                raise ValueError(
                    f"encoded_missing_value ({emv}) is already used to encode a known category "
                    f"in features: {used}"
                )
        if use_value and not _is_nan(uv):
            if any(0 <= uv < len(c) for c in cats):
                raise ValueError(
                    f"The used value for unknown_value {uv} is one of the values already used "
                    "for encoding the seen categories."
                )
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Codes of ``X`` (n_samples, n_features), float64 of the same shape."""
        codes = self._transform_codes(X, allow_unknown=self.handle_unknown != "error")
        out = np.empty((codes[0].shape[0] if codes else 0, len(codes)), dtype=np.float64)
        for j, (code, cat) in enumerate(zip(codes, self.categories_, strict=True)):
            col = code.astype(np.float64)
            col[code < 0] = self.unknown_value if self.unknown_value is not None else np.nan
            miss_cats = _nan_positions(cat)  # None is an ordinary category here, as in sklearn
            if miss_cats.size:
                col[np.isin(code, miss_cats)] = self.encoded_missing_value
            out[:, j] = col
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Categories from codes ``X`` (n_samples, n_features); unknown codes give None."""
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
        self._check_n_features(X, reset=False)
        out = np.empty(X.shape, dtype=object)
        for j, cat in enumerate(self.categories_):
            col = X[:, j]
            miss_cats = _nan_positions(cat)
            known = np.setdiff1d(np.arange(len(cat)), miss_cats)
            is_missing = (
                np.isnan(col)
                if _is_nan(self.encoded_missing_value)
                else (col == self.encoded_missing_value)
            )
            valid = ~is_missing & (col >= 0) & (col < known.size) & (col == np.round(col))
            vals = np.full(col.shape, None, dtype=object)
            vals[valid] = cat[known[col[valid].astype(np.int64)]]
            if miss_cats.size:
                vals[is_missing] = cat[miss_cats[-1]]
            out[:, j] = vals
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names: the input names, shape (n_features_in_,)."""
        return check_feature_names_out(self, input_features)


class OneHotEncoder(_BaseEncoder):
    r"""Encode each categorical feature as one indicator column per category.

    .. math::

        x'_{i,(j,k)} = [x_{ij} = c_{jk}],

    one column for every kept category :math:`c_{jk}` of feature :math:`j`. Rare categories
    (count below ``min_frequency``, or beyond the ``max_categories - 1`` most frequent) share one
    column, named ``<feature>_infrequent_sklearn``. ``drop`` removes one column per feature
    (the first category, or only for binary features).

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
    drop : None, "first", "if_binary" or array-like of shape (n_features,), default=None
    sparse_output : bool, default=False
        Only dense output is supported; True raises.
    handle_unknown : {"error", "ignore", "infrequent_if_exist"}, default="error"
        "ignore" encodes an unseen category as all zeros; "infrequent_if_exist" puts it in the
        infrequent column when the feature has one (all zeros otherwise).
    min_frequency : int or float, default=None
        A category seen fewer than ``min_frequency`` times (or ``min_frequency * n_samples``
        when a float in (0, 1)) is infrequent.
    max_categories : int, default=None
        At most this many output columns per feature, the infrequent column included.

    Attributes
    ----------
    categories_ : list of ndarray
        Sorted categories of each feature, shape (K_j,).
    drop_idx_ : ndarray of object, shape (n_features,), or None
        Index into ``categories_[j]`` of the dropped category (None: nothing dropped).
    infrequent_categories_ : list of (ndarray or None)
        Infrequent categories of each feature (only with ``min_frequency``/``max_categories``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    _unknown_policies = ("error", "ignore", "infrequent_if_exist")

    def __init__(
        self,
        *,
        categories: Any = "auto",
        drop: Any = None,
        sparse_output: bool = False,
        handle_unknown: str = "error",
        min_frequency: Any = None,
        max_categories: Any = None,
    ):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.handle_unknown = handle_unknown
        self.min_frequency = min_frequency
        self.max_categories = max_categories

    def _infrequent_enabled(self) -> bool:
        return self.min_frequency is not None or self.max_categories is not None

    def fit(self, X: Any, y: Any = None) -> OneHotEncoder:
        """Learn categories, infrequent groups and dropped columns from ``X``."""
        if self.sparse_output:
            raise ValueError("sparse_output=True is not supported: lucidml returns dense arrays.")
        mf, mc = self.min_frequency, self.max_categories
        if mf is not None and not (
            (isinstance(mf, numbers.Integral) and mf >= 1)
            or (isinstance(mf, numbers.Real) and 0 < mf < 1)
        ):
            raise ValueError(f"min_frequency must be an int >= 1 or a float in (0, 1); got {mf!r}.")
        if mc is not None and not (isinstance(mc, numbers.Integral) and mc >= 1):
            raise ValueError(f"max_categories must be an int >= 1; got {mc!r}.")
        cats, codes = self._fit_categories(X, allow_unknown=self.handle_unknown != "error")
        n = codes[0].shape[0] if codes else 0
        infrequent_idx = []
        for cat, code in zip(cats, codes, strict=True):
            infreq = None
            if self._infrequent_enabled():
                counts = np.bincount(code[code >= 0], minlength=len(cat))
                mask = np.zeros(len(cat), bool)
                if mf is not None:
                    limit = mf if isinstance(mf, numbers.Integral) else mf * n
                    mask |= counts < limit
                if mc is not None and mc < (~mask).sum() + 1:
                    # Keep the mc - 1 most frequent; ties go to the later category.
                    ranked = np.argsort(counts, kind="stable")
                    mask[ranked[: len(cat) - (mc - 1)]] = True
                if mask.any():
                    infreq = np.flatnonzero(mask)
            infrequent_idx.append(infreq)
        if self._infrequent_enabled():
            self.infrequent_categories_ = [
                None if idx is None else cat[idx]
                for cat, idx in zip(cats, infrequent_idx, strict=True)
            ]
        self.drop_idx_ = None
        _, slots, n_slots = self._layout()
        self.drop_idx_ = self._compute_drop(cats, slots, n_slots, infrequent_idx)
        return self

    def _layout(self) -> tuple[list, list[np.ndarray], list[int]]:
        """Derived from the fitted attributes (so only those need saving): per feature, the
        infrequent category indices (or None), the map category index -> output slot before
        dropping (shape (K_j,); infrequent ones share the last slot), and the slot count."""
        infreq_cats = getattr(self, "infrequent_categories_", [None] * len(self.categories_))
        idxs, slots, n_slots = [], [], []
        for cat, inf in zip(self.categories_, infreq_cats, strict=True):
            idx = (
                None
                if inf is None
                else np.flatnonzero(np.isin(_encode_all(cat, cat), _encode_all(inf, cat)))
            )
            slot = np.arange(len(cat))
            if idx is not None:
                freq = np.ones(len(cat), bool)
                freq[idx] = False
                slot = np.cumsum(freq) - 1
                slot[idx] = freq.sum()
            idxs.append(idx)
            slots.append(slot)
            n_slots.append(int(slot.max()) + 1 if slot.size else 0)
        return idxs, slots, n_slots

    def _compute_drop(
        self,
        cats: list[np.ndarray],
        slots: list[np.ndarray],
        n_slots: list[int],
        infrequent_idx: list,
    ) -> Any:
        drop = self.drop
        if drop is None:
            return None
        out = np.empty(len(cats), dtype=object)
        if isinstance(drop, str):
            if drop not in ("first", "if_binary"):
                raise ValueError(
                    f"Wrong input for parameter `drop`. Expected 'first', 'if_binary', None or "
                    f"array of objects, got {drop!r}."
                )
            # The first output column goes (the first category, or the infrequent group when
            # every category is infrequent); drop_idx_ names the first category in it.
            for j, k in enumerate(n_slots):
                first = np.flatnonzero(slots[j] == 0)
                keep = first.size and (drop == "first" or k == 2)
                out[j] = first[0] if keep else None
            return out
        drop = np.asarray(drop, dtype=object).ravel()
        if drop.size != len(cats):
            raise ValueError(
                f"`drop` should have length equal to the number of features ({len(cats)}), "
                f"got {drop.size}"
            )
        for j, (d, cat) in enumerate(zip(drop, cats, strict=True)):
            if d is None:
                out[j] = None
                continue
            hit = _encode(np.array([d], dtype=object), cat)[0]
            if hit < 0:
                raise ValueError(
                    f"The following categories were supposed to be dropped, but were not found "
                    f"in the training data.\nCategory: {d!r}, Feature: {j}"
                )
            idx = infrequent_idx[j]
            if idx is not None and hit in idx:
                raise ValueError(
                    f"Unable to drop category {d!r} from feature {j} because it is infrequent"
                )
            out[j] = np.int64(hit)
        return out

    def _dropped_slot(self, j: int, slots: list[np.ndarray]) -> int | None:
        if self.drop_idx_ is None or self.drop_idx_[j] is None:
            return None
        return int(slots[j][int(self.drop_idx_[j])])

    def _out_slots(self) -> tuple[list, list[np.ndarray], list[int], list[np.ndarray]]:
        """The layout plus, per feature, the kept slots (shape (n_kept,)) in output order."""
        idxs, slots, n_slots = self._layout()
        out = []
        for j, k in enumerate(n_slots):
            keep = np.arange(k)
            d = self._dropped_slot(j, slots)
            out.append(keep if d is None else np.delete(keep, d))
        return idxs, slots, n_slots, out

    def transform(self, X: Any) -> np.ndarray:
        """Indicator matrix of ``X``: float64, shape (n_samples, sum of kept columns)."""
        codes = self._transform_codes(X, allow_unknown=self.handle_unknown != "error")
        n = codes[0].shape[0] if codes else 0
        idxs, slots_of, n_slots, kept = self._out_slots()
        out = np.zeros((n, sum(k.size for k in kept)), dtype=np.float64)
        start = 0
        rows = np.arange(n)
        for j, code in enumerate(codes):
            slot = np.full(n, -1, dtype=np.int64)
            known = code >= 0
            slot[known] = slots_of[j][code[known]]
            if self.handle_unknown == "infrequent_if_exist" and idxs[j] is not None:
                slot[~known] = n_slots[j] - 1
            pos = np.full(n_slots[j] + 1, -1, dtype=np.int64)  # slot -> output column
            pos[kept[j]] = np.arange(kept[j].size)
            col = pos[slot]  # slot -1 reads pos[-1] == -1
            hit = col >= 0
            out[rows[hit], start + col[hit]] = 1.0
            start += kept[j].size
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Categories from an indicator matrix (n_samples, n_out) -> (n_samples, n_features).

        An all-zero block gives the dropped category (or None when nothing was dropped); the
        infrequent column gives ``"infrequent_sklearn"``.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64)
        idxs, slots_of, n_slots, kept = self._out_slots()
        width = sum(k.size for k in kept)
        if X.shape[1] != width:
            raise ValueError(
                f"Shape of the passed X data is not correct. Expected {width} columns, got "
                f"{X.shape[1]}."
            )
        out = np.empty((X.shape[0], len(kept)), dtype=object)
        start = 0
        for j, slots in enumerate(kept):
            block = X[:, start : start + slots.size]
            start += slots.size
            cat = self.categories_[j]
            labels = np.empty(n_slots[j], dtype=object)
            for c_idx, s in enumerate(slots_of[j]):
                labels[s] = cat[c_idx]
            if idxs[j] is not None:
                labels[-1] = _INFREQUENT
            d = self._dropped_slot(j, slots_of)
            empty = labels[d] if d is not None else None
            col = np.full(X.shape[0], empty, dtype=object)
            if slots.size:
                nz = block.any(axis=1)
                col[nz] = labels[slots[np.argmax(block[nz], axis=1)]]
            out[:, j] = col
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names ``<feature>_<category>``, shape (n_output_columns,)."""
        names = check_feature_names_out(self, input_features)
        out = []
        idxs, slots_of, n_slots, kept = self._out_slots()
        for j, slots in enumerate(kept):
            labels = [""] * n_slots[j]
            for c_idx, s in enumerate(slots_of[j]):
                labels[s] = str(self.categories_[j][c_idx])
            if idxs[j] is not None:
                labels[-1] = _INFREQUENT
            out.extend(f"{names[j]}_{labels[s]}" for s in slots)
        return np.asarray(out, dtype=object)


class LabelEncoder(TransformerMixin, BaseEstimator):
    r"""Encode target labels as :math:`0, \dots, K - 1` in sorted order.

    .. math::

        y'_i = k \quad\text{where}\quad y_i = c_k, \qquad c_0 < c_1 < \dots < c_{K-1}.

    Works on 1-D ``y`` only (``fit(y)``, ``transform(y)``), like scikit-learn's.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
        Sorted distinct labels.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        return tags

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the sorted labels of ``y`` (n_samples,)."""
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "O":
            _sorted_unique(y)  # refuses mixed strings and numbers
        self.classes_ = np.unique(y)
        return self

    def fit_transform(self, y: Any) -> np.ndarray:  # type: ignore[override]
        """Fit, then encode ``y``; returns int64 codes of shape (n_samples,)."""
        return self.fit(y).transform(y)

    def transform(self, y: Any) -> np.ndarray:
        """Codes of ``y`` (n_samples,) as int64."""
        check_is_fitted(self)
        y = column_or_1d(y, warn=True)
        if y.size == 0:
            return np.array([], dtype=np.int64)
        code = _encode(y, self.classes_)
        if (code < 0).any():
            raise ValueError(f"y contains previously unseen labels: {list(np.unique(y[code < 0]))}")
        return code

    def inverse_transform(self, y: Any) -> np.ndarray:
        """Labels of codes ``y`` (n_samples,)."""
        check_is_fitted(self)
        y = column_or_1d(y, warn=True)
        if y.size == 0:
            return np.array([], dtype=self.classes_.dtype)
        bad = np.setdiff1d(y, np.arange(len(self.classes_)))
        if bad.size:
            raise ValueError(f"y contains previously unseen labels: {list(bad)}")
        return self.classes_[np.asarray(y, dtype=np.int64)]

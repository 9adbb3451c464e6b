"""Distances: values against scipy.spatial.distance, gradients against finite differences,
and the memory bound of the blocked pairwise computation (tracemalloc)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy.spatial import distance as ssd
from sklearn.metrics.pairwise import cosine_distances

from lucidml.functions import distances as D
from tests.gradcheck import check_gradient


def _data(n, d, seed=0, dtype=np.float64, loc=0.0):
    return np.random.default_rng(seed).normal(loc=loc, size=(n, d)).astype(dtype)


# ---------------------------------------------------------------- paired forms

PAIRED = [
    (D.euclidean, D.euclidean_grad, {}, "euclidean", {}),
    (D.manhattan, D.manhattan_grad, {}, "cityblock", {}),
    (D.minkowski, D.minkowski_grad, {"p": 1}, "minkowski", {"p": 1}),
    (D.minkowski, D.minkowski_grad, {"p": 1.5}, "minkowski", {"p": 1.5}),
    (D.minkowski, D.minkowski_grad, {"p": 2}, "minkowski", {"p": 2}),
    (D.minkowski, D.minkowski_grad, {"p": 3}, "minkowski", {"p": 3}),
    (D.minkowski, D.minkowski_grad, {"p": np.inf}, "chebyshev", {}),
    (D.cosine, D.cosine_grad, {}, "cosine", {}),
]
IDS = ["euclidean", "manhattan", "mink1", "mink1.5", "mink2", "mink3", "minkinf", "cosine"]


@pytest.mark.parametrize("fn, grad, kw, sp_name, sp_kw", PAIRED, ids=IDS)
def test_paired_values_match_scipy(fn, grad, kw, sp_name, sp_kw):
    U, V = _data(6, 5, 1), _data(6, 5, 2)
    d = fn(U[0], V[0], **kw)
    assert isinstance(d, float)
    assert d == pytest.approx(getattr(ssd, sp_name)(U[0], V[0], **sp_kw), rel=1e-13)
    rows = fn(U, V, **kw)
    assert rows.shape == (6,)
    np.testing.assert_allclose(rows, np.diag(ssd.cdist(U, V, sp_name, **sp_kw)), rtol=1e-13)
    # one vector against many rows broadcasts
    np.testing.assert_allclose(fn(U, V[0], **kw), ssd.cdist(U, V[:1], sp_name, **sp_kw)[:, 0])


@pytest.mark.parametrize("fn, grad, kw, sp_name, sp_kw", PAIRED, ids=IDS)
@pytest.mark.parametrize("shape", [(4,), (1, 3), (5, 3)])
def test_paired_gradients(fn, grad, kw, sp_name, sp_kw, shape):
    u = _data(*((1,) + shape if len(shape) == 1 else shape), seed=3).reshape(shape)
    v = _data(*((1,) + shape if len(shape) == 1 else shape), seed=4).reshape(shape)
    check_gradient(lambda x: fn(x, v, **kw), lambda x: grad(x, v, **kw), u)


def test_notes_example():
    # notes §3: the straight line and the city-block path between two points
    a, b = np.array([1.0, 2.0]), np.array([4.0, 6.0])
    assert D.euclidean(a, b) == 5.0
    assert D.manhattan(a, b) == 7.0


def test_gradients_at_coincident_points_are_zero():
    u = np.array([[1.0, 2.0], [0.0, 0.0]])
    for grad in (D.euclidean_grad, D.manhattan_grad, D.minkowski_grad):
        np.testing.assert_array_equal(grad(u, u), 0)
    np.testing.assert_array_equal(D.cosine_grad(u, np.zeros_like(u)), 0)


def test_cosine_zero_vector_convention():
    u = np.array([[0.0, 0.0], [1.0, 2.0]])
    v = np.array([[1.0, 1.0], [-2.0, -4.0]])
    np.testing.assert_allclose(D.cosine(u, v), [1.0, 2.0])
    np.testing.assert_allclose(D.pairwise_distances(u, v, "cosine"), cosine_distances(u, v))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_paired_dtype(dtype):
    U, V = _data(4, 3, 5, dtype), _data(4, 3, 6, dtype)
    for fn, grad, kw, *_ in PAIRED:
        assert fn(U, V, **kw).dtype == dtype
        assert grad(U, V, **kw).dtype == dtype


def test_paired_bad_input():
    with pytest.raises(ValueError, match="Incompatible dimension for u and v"):
        D.euclidean(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="same number of rows"):
        D.manhattan(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        D.cosine([np.nan, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="infinity"):
        D.euclidean_grad([np.inf, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError):
        D.euclidean(["a", "b"], [1.0, 1.0])
    with pytest.raises(ValueError, match="minimum of 1"):
        D.euclidean(np.ones((0, 2)), np.ones((0, 2)))
    with pytest.raises(ValueError, match="p must be"):
        D.minkowski([1.0], [2.0], p=0.5)
    with pytest.raises(ValueError):
        D.euclidean(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


# ---------------------------------------------------------------- pairwise against cdist

METRICS = [
    ("euclidean", {}, "euclidean", {}),
    ("l2", {}, "euclidean", {}),
    ("sqeuclidean", {}, "sqeuclidean", {}),
    ("manhattan", {}, "cityblock", {}),
    ("cityblock", {}, "cityblock", {}),
    ("minkowski", {"p": 1}, "cityblock", {}),
    ("minkowski", {"p": 2}, "euclidean", {}),
    ("minkowski", {"p": 3.5}, "minkowski", {"p": 3.5}),
    ("minkowski", {"p": np.inf}, "chebyshev", {}),
    ("cosine", {}, "cosine", {}),
    (D.manhattan, {}, "cityblock", {}),
    (D.cosine, {}, "cosine", {}),
]
M_IDS = [
    "euclidean",
    "l2",
    "sqeuclidean",
    "manhattan",
    "cityblock",
    "mink1",
    "mink2",
    "mink3.5",
    "minkinf",
    "cosine",
    "callable_manhattan",
    "callable_cosine",
]


@pytest.mark.parametrize("metric, kw, sp_name, sp_kw", METRICS, ids=M_IDS)
@pytest.mark.parametrize("same", [False, True], ids=["XY", "XX"])
@pytest.mark.parametrize("working_memory", [64, 0.01])
def test_pairwise_matches_cdist_float64(metric, kw, sp_name, sp_kw, same, working_memory):
    X = _data(40, 6, 7)
    Y = None if same else _data(23, 6, 8)
    expected = ssd.cdist(X, X if same else Y, sp_name, **sp_kw)
    got = D.pairwise_distances(X, Y, metric, working_memory=working_memory, **kw)
    assert got.dtype == np.float64 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    if same and isinstance(metric, str):
        assert np.all(np.diag(got) == 0)


@pytest.mark.parametrize("metric, kw, sp_name, sp_kw", METRICS, ids=M_IDS)
@pytest.mark.parametrize("same", [False, True], ids=["XY", "XX"])
def test_pairwise_matches_cdist_float32(metric, kw, sp_name, sp_kw, same):
    # offset data: far from the origin compared with the spread, the hard case for the expansion
    X = _data(50, 8, 9, loc=30.0)
    Y = None if same else _data(30, 8, 10, loc=30.0)
    X32 = X.astype(np.float32)
    Y32 = None if same else Y.astype(np.float32)
    expected = ssd.cdist(
        X32.astype(np.float64), X32 if same else Y32.astype(np.float64), sp_name, **sp_kw
    )
    got = D.pairwise_distances(X32, Y32, metric, working_memory=0.01, **kw)
    assert got.dtype == np.float32
    # The built-in metrics compute in float64 blocks; the callable cosine works in float32
    # itself, where 1 - cos for nearly parallel offset vectors keeps only a few digits.
    tol = 5e-3 if metric is D.cosine else 1e-4
    off = ~np.eye(*expected.shape, dtype=bool) if same else np.ones(expected.shape, bool)
    np.testing.assert_allclose(got[off], expected[off], rtol=tol)


def test_cosine_float32_random_data():
    X, Y = _data(60, 10, 11, np.float32), _data(40, 10, 12, np.float32)
    expected = ssd.cdist(X.astype(np.float64), Y.astype(np.float64), "cosine")
    np.testing.assert_allclose(D.pairwise_distances(X, Y, "cosine"), expected, rtol=1e-4)


def test_mixed_dtypes_give_float64():
    X, Y = _data(5, 3, 13, np.float32), _data(4, 3, 14)
    got = D.pairwise_distances(X, Y)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ssd.cdist(X.astype(np.float64), Y), rtol=1e-10)
    assert D.pairwise_distances(np.arange(6).reshape(3, 2)).dtype == np.float64


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "manhattan", "cosine", "minkowski"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_chunked_equals_unchunked(metric, dtype):
    X, Y = _data(101, 7, 15, dtype), _data(37, 7, 16, dtype)
    full = D.pairwise_distances(X, Y, metric, p=3)
    for Yarg, ref in ((Y, full), (None, D.pairwise_distances(X, None, metric, p=3))):
        tiny = D.pairwise_distances(X, Yarg, metric, p=3, working_memory=0.005)
        tol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(tiny, ref, rtol=tol, atol=tol)
        starts, blocks = [], []
        for start, block in D.pairwise_distances_chunked(X, Yarg, metric, p=3, working_memory=0.01):
            starts.append(start)
            blocks.append(block)
        assert len(blocks) > 1 and starts[0] == 0
        assert starts == list(np.cumsum([0] + [len(b) for b in blocks[:-1]]))
        np.testing.assert_allclose(np.vstack(blocks), ref, rtol=tol, atol=tol)


def test_chunked_reduce_func_nearest_neighbour():
    X, Y = _data(200, 4, 17), _data(90, 4, 18)
    nearest = np.concatenate(
        [
            r
            for _, r in D.pairwise_distances_chunked(
                X, Y, working_memory=0.02, reduce_func=lambda block, start: block.argmin(axis=1)
            )
        ]
    )
    np.testing.assert_array_equal(nearest, ssd.cdist(X, Y).argmin(axis=1))


def test_diagonal_exactly_zero_with_duplicates():
    X = np.repeat(_data(10, 5, 19, loc=1e3), 2, axis=0)  # far from the origin, duplicated rows
    for metric in ("euclidean", "sqeuclidean", "cosine"):
        for dtype in (np.float32, np.float64):
            Dm = D.pairwise_distances(X.astype(dtype), metric=metric, working_memory=0.002)
            assert np.all(np.diag(Dm) == 0)
            assert np.all(Dm >= 0)


def test_out_argument():
    X, Y = _data(30, 4, 20), _data(20, 4, 21)
    out = np.empty((30, 20))
    assert D.pairwise_distances(X, Y, out=out) is out
    np.testing.assert_allclose(out, ssd.cdist(X, Y), rtol=1e-10)
    with pytest.raises(ValueError, match="out must be"):
        D.pairwise_distances(X, Y, out=np.empty((20, 30)))
    with pytest.raises(ValueError, match="out must be"):
        D.pairwise_distances(X, Y, out=np.empty((30, 20), dtype=np.float32))
    with pytest.raises(ValueError, match="out must be"):
        D.pairwise_distances(X, Y, out=np.empty((20, 30)).T)


# ---------------------------------------------------------------- memory bound


def _extra_bytes(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base, result


@pytest.mark.parametrize(
    "metric, dtype",
    [
        ("euclidean", np.float64),
        ("euclidean", np.float32),
        ("cosine", np.float64),
        ("manhattan", np.float64),
        ("minkowski", np.float32),
    ],
)
def test_pairwise_memory_bound(metric, dtype):
    n, d = 3000, 10
    X = _data(n, d, 22, dtype)
    out = np.empty((n, n), dtype=dtype)
    extra, result = _extra_bytes(
        lambda: D.pairwise_distances(X, metric=metric, p=3, working_memory=8, out=out)
    )
    assert result is out
    assert extra <= 8 * 2**20, f"{extra / 2**20:.1f} MB beyond the output"
    rows = np.arange(0, n, 97)
    np.testing.assert_allclose(
        out[rows],
        ssd.cdist(
            X[rows].astype(np.float64),
            X.astype(np.float64),
            {"manhattan": "cityblock"}.get(metric, metric),
            **({"p": 3} if metric == "minkowski" else {}),
        ),
        rtol=1e-4 if dtype == np.float32 else 1e-10,
        atol=1e-4 if dtype == np.float32 else 1e-12,
    )


def test_pairwise_allocates_only_the_output():
    X = _data(2000, 10, 23)
    extra, result = _extra_bytes(lambda: D.pairwise_distances(X, working_memory=8))
    assert extra <= result.nbytes + 8 * 2**20


def test_chunked_memory_bound():
    X = _data(3000, 10, 24)

    def run():
        total = 0
        for _, nearest in D.pairwise_distances_chunked(
            X, metric="manhattan", working_memory=8, reduce_func=lambda b, s: b.argmin(axis=1)
        ):
            total += len(nearest)
        return total

    extra, total = _extra_bytes(run)
    assert total == 3000
    assert extra <= 8 * 2**20 + 3000 * 8


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "fn", [D.pairwise_distances, lambda *a, **k: list(D.pairwise_distances_chunked(*a, **k))]
)
def test_pairwise_bad_input(fn):
    X = _data(5, 3, 25)
    with pytest.raises(
        ValueError,
        match="Incompatible dimension for X and Y matrices: "
        r"X.shape\[1\] == 3 while Y.shape\[1\] == 4",
    ):
        fn(X, _data(4, 4, 26))
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fn(bad)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fn(X, bad)
    with pytest.raises(ValueError, match="minimum of 1"):
        fn(np.empty((0, 3)))
    with pytest.raises(ValueError, match="Expected 2D array"):
        fn(np.ones(3))
    with pytest.raises(ValueError):
        fn([["a", "b"], ["c", "d"]])
    with pytest.raises(ValueError, match="Unknown metric 'hamming'.*cosine.*euclidean"):
        fn(X, metric="hamming")
    with pytest.raises(TypeError, match="metric must be"):
        fn(X, metric=3)
    with pytest.raises(ValueError, match="p must be"):
        fn(X, metric="minkowski", p=0)
    with pytest.raises(ValueError, match="working_memory"):
        fn(X, working_memory=0)
    with pytest.raises(ValueError, match="callable metric must"):
        fn(X, metric=lambda u, v: float(np.sum(u - v)))


def test_chunked_validates_eagerly():
    with pytest.raises(ValueError, match="Unknown metric"):
        D.pairwise_distances_chunked(np.ones((2, 2)), metric="nope")

"""Tests for lucidml.persist: exact round trips, and refusal of every foreign or damaged file.

The oracle for a round trip is the saved estimator itself: after ``load`` every parameter and
fitted attribute has the same type, dtype, shape and bits, and every prediction method returns
bit-identical arrays (``np.testing.assert_array_equal``). Refusals are checked by building the
hostile files directly (with valid checksums, so the class guard itself is what refuses them).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import json
import os
import pickle
import sys
import types
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris

import lucidml
from lucidml import persist
from lucidml._validation import check_is_fitted
from lucidml.base import (
    BaseEstimator,
    ClassifierMixin,
    NotFittedError,
    all_estimators,
    clone,
    is_classifier,
    is_regressor,
)
from lucidml.naive_bayes import BernoulliNB, CategoricalNB, GaussianNB, MultinomialNB
from lucidml.persist import PersistError, PersistVersionWarning, load, persistable, save
from tests.estimators import REQUIRED

# -- data and helpers --------------------------------------------------------------------------

_IRIS_X, _IRIS_Y = load_iris(return_X_y=True)
_DIGITS_X, _DIGITS_Y = load_digits(return_X_y=True)
_WORDS = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])


def _dumps(obj, **kw) -> bytes:
    buf = io.BytesIO()
    save(obj, buf, **kw)
    return buf.getvalue()


def _loads(data: bytes):
    return load(io.BytesIO(data))


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _build(members: dict[str, bytes], *, fix_checksums: bool = True) -> bytes:
    """A zip archive of ``members``; with ``fix_checksums`` the SHA-256 record is recomputed."""
    members = dict(members)
    if fix_checksums and "checksums.json" in members:
        record = json.loads(members["checksums.json"])
        for name in ("meta.json", "arrays.npz"):
            if name in members:
                record["members"][name] = hashlib.sha256(members[name]).hexdigest()
        members["checksums.json"] = json.dumps(record).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return out.getvalue()


def _edit_meta(data: bytes, edit, *, fix_checksums: bool = True) -> bytes:
    members = _members(data)
    meta = json.loads(members["meta.json"])
    edit(meta)
    members["meta.json"] = json.dumps(meta).encode()
    return _build(members, fix_checksums=fix_checksums)


def _assert_same(a, b, where="value"):
    """Same type and value, recursively; arrays compare dtype, shape, memory order and bits."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.flags.f_contiguous == b.flags.f_contiguous, where
        if a.dtype.kind == "O":
            for i, (u, v) in enumerate(zip(a.flat, b.flat)):
                _assert_same(u, v, f"{where}[{i}]")
        elif a.dtype.kind in "fc":
            # Bitwise: catches -0.0 vs 0.0 and keeps NaN payloads honest.
            assert a.tobytes() == b.tobytes(), where
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and np.asarray(a).tobytes() == np.asarray(b).tobytes(), where
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            _assert_same(u, v, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float):
        assert np.float64(a).tobytes() == np.float64(b).tobytes(), where
    elif isinstance(a, BaseEstimator):
        _assert_same(vars(a), vars(b), f"{where}.__dict__")
    elif isinstance(a, np.random.Generator):
        assert a.bit_generator.state.keys() == b.bit_generator.state.keys(), where
        _assert_same(a.bit_generator.state, b.bit_generator.state, where)
    elif isinstance(a, np.random.RandomState):
        _assert_same(a.get_state(legacy=False), b.get_state(legacy=False), where)
    else:
        assert a == b, where


_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "decision_function",
    "transform",
    "score_samples",
)


def _assert_same_predictions(original, restored, X):
    compared = 0
    for method in _METHODS:
        if not hasattr(original, method):
            continue
        try:
            expected = getattr(original, method)(X)
        except Exception as exc:  # e.g. predict_proba unavailable for a loss: must fail alike
            with pytest.raises(type(exc)):
                getattr(restored, method)(X)
            continue
        np.testing.assert_array_equal(getattr(restored, method)(X), expected, err_msg=method)
        assert np.asarray(getattr(restored, method)(X)).dtype == np.asarray(expected).dtype
        compared += 1
    assert compared > 0


# -- naive Bayes round trips -----------------------------------------------------------------------


def _nb_case(name):
    if name == "gaussian_iris":
        return GaussianNB(), _IRIS_X
    if name == "multinomial_digits":
        return MultinomialNB(alpha=0.5), _DIGITS_X
    if name == "bernoulli_digits":
        return BernoulliNB(binarize=4.0), _DIGITS_X
    return CategoricalNB(), _DIGITS_X.astype(np.int64)


_NB_CASES = ["gaussian_iris", "multinomial_digits", "bernoulli_digits", "categorical_digits"]


@pytest.mark.parametrize("labels", ["int", "str", "object"])
@pytest.mark.parametrize("case", _NB_CASES)
def test_naive_bayes_round_trip_is_bit_identical(case, labels, tmp_path):
    est, X = _nb_case(case)
    y = _IRIS_Y if case == "gaussian_iris" else _DIGITS_Y
    if labels == "str":
        y = _WORDS[y]
    elif labels == "object":
        y = _WORDS[y].astype(object)
    est.fit(X, y)
    path = tmp_path / "model.lucid"
    save(est, path)
    restored = load(path)
    assert type(restored) is type(est)
    _assert_same(vars(est), vars(restored), type(est).__name__)
    assert restored.classes_.dtype == est.classes_.dtype
    _assert_same_predictions(est, restored, X)
    assert restored.get_params() == est.get_params()


@pytest.mark.parametrize("case", _NB_CASES)
def test_partial_fit_continues_identically_after_load(case):
    est, X = _nb_case(case)
    y = _IRIS_Y if case == "gaussian_iris" else _DIGITS_Y
    half = X.shape[0] // 2
    est.partial_fit(X[:half], y[:half], classes=np.unique(y))
    restored = _loads(_dumps(est))
    est.partial_fit(X[half:], y[half:])
    restored.partial_fit(X[half:], y[half:])
    _assert_same(vars(est), vars(restored))
    _assert_same_predictions(est, restored, X)


def test_round_trip_keeps_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_IRIS_X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    est = GaussianNB().fit(frame, _IRIS_Y)
    restored = _loads(_dumps(est))
    _assert_same(est.feature_names_in_, restored.feature_names_in_)
    np.testing.assert_array_equal(restored.predict_proba(frame), est.predict_proba(frame))
    with pytest.warns(UserWarning, match="fitted with feature names"):
        restored.predict(_IRIS_X)


def test_unfitted_estimator_round_trip_keeps_parameters_only():
    est = GaussianNB(priors=(0.2, 0.3, 0.5), var_smoothing=1e-5)
    restored = _loads(_dumps(est))
    assert type(restored) is GaussianNB
    _assert_same(vars(est), vars(restored))
    assert type(restored.priors) is tuple
    with pytest.raises(NotFittedError):
        check_is_fitted(restored)
    # The restored copy fits to the same model as a fresh one.
    np.testing.assert_array_equal(
        restored.fit(_IRIS_X, _IRIS_Y).predict_proba(_IRIS_X),
        clone(est).fit(_IRIS_X, _IRIS_Y).predict_proba(_IRIS_X),
    )


@pytest.mark.parametrize("target", ["path_str", "pathlib", "file"])
@pytest.mark.parametrize("compress", [True, False])
def test_save_accepts_paths_and_file_objects(target, compress, tmp_path):
    est = MultinomialNB().fit(_DIGITS_X, _DIGITS_Y)
    path = tmp_path / "m.anything"
    if target == "file":
        with open(path, "wb") as fh:
            save(est, fh, compress=compress)
        with open(path, "rb") as fh:
            restored = load(fh)
    else:
        where = str(path) if target == "path_str" else path
        save(est, where, compress=compress)
        restored = load(where)
    _assert_same_predictions(est, restored, _DIGITS_X)
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {"meta.json", "arrays.npz", "checksums.json"}
        meta = json.loads(zf.read("meta.json"))
    assert meta["format"] == persist.FORMAT_NAME
    assert meta["format_version"] == persist.FORMAT_VERSION
    assert meta["lucidml_version"] == lucidml.__version__
    assert meta["root"]["class"] == "lucidml.naive_bayes.MultinomialNB"


# -- every supported value, nested estimators, hooks (classes in a stand-in lucidml module) --------

_FIXTURE_MODULE = "lucidml._persist_test_fixture"


class _Holder(BaseEstimator):
    """An estimator whose parameter and fitted state can be anything (for the value tests)."""

    __module__ = _FIXTURE_MODULE

    def __init__(self, value=None):
        self.value = value


class _Ensemble(ClassifierMixin, BaseEstimator):
    """A minimal meta-estimator: a nested estimator parameter and a list of fitted members."""

    __module__ = _FIXTURE_MODULE

    def __init__(self, estimator=None, n_members=3):
        self.estimator = estimator
        self.n_members = n_members

    def fit(self, X, y):
        rng = np.random.default_rng(0)
        self.estimators_ = []
        for _ in range(self.n_members):
            rows = rng.integers(0, X.shape[0], X.shape[0])
            self.estimators_.append(clone(self.estimator).fit(X[rows], y[rows]))
        self.by_name_ = {f"m{i}": e for i, e in enumerate(self.estimators_)}
        self.classes_ = self.estimators_[0].classes_
        return self

    def predict_proba(self, X):
        return np.mean([e.predict_proba(X) for e in self.estimators_], axis=0)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class _Cached(BaseEstimator):
    """An estimator with a transient cache that is rebuilt on demand, so it is not saved."""

    __module__ = _FIXTURE_MODULE
    _persist_exclude = ("_cache",)

    def __init__(self, scale=1.0):
        self.scale = scale

    def fit(self, X, y=None):
        self.mean_ = np.asarray(X, dtype=np.float64).mean(axis=0)
        self._cache = lambda z: z  # unsupported, but excluded
        return self


class _Hooks:
    """Not an estimator: the two hooks, rebuilding a view into a flat buffer."""

    __module__ = _FIXTURE_MODULE

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.flat = np.arange(sum(sizes), dtype=np.float32)
        self.views = [self.flat[: sizes[0]]]

    def __lucidml_getstate__(self):
        return {"sizes": self.sizes, "flat": self.flat}

    @classmethod
    def __lucidml_setstate__(cls, state):
        net = cls(state["sizes"])
        net.flat[...] = state["flat"]
        return net


class _Net(_Hooks):
    """Registered with ``persistable`` by the fixture."""

    __module__ = _FIXTURE_MODULE


class _NetChild(_Net):
    """A subclass of a registered class is allowed too."""

    __module__ = _FIXTURE_MODULE


class _NotRegistered(_Hooks):
    __module__ = _FIXTURE_MODULE


class _Plain:
    """Registered without hooks: saved from ``__dict__``, rebuilt without calling ``__init__``."""

    __module__ = _FIXTURE_MODULE
    _persist_exclude = ("_scratch",)

    def __init__(self):
        raise AssertionError("load must not call __init__ of a hook-less persistable class")


@pytest.fixture
def fixture_module(monkeypatch):
    mod = types.ModuleType(_FIXTURE_MODULE)
    for cls in (_Holder, _Ensemble, _Cached, _Hooks, _Net, _NetChild, _NotRegistered, _Plain):
        setattr(mod, cls.__name__, cls)
    monkeypatch.setitem(sys.modules, _FIXTURE_MODULE, mod)
    monkeypatch.setattr(persist, "ALLOWED", set(persist.ALLOWED))
    persistable(_Net)
    persistable(_Plain)
    return mod


def _every_value():
    base = np.linspace(-1, 1, 12).reshape(3, 4)
    shared = np.arange(5.0)
    pcg = np.random.default_rng(7)
    pcg.standard_normal(3)
    return {
        "none": None,
        "bools": [True, False],
        "ints": [0, -3, 2**100],
        "floats": [1.5, -0.0, float("nan"), float("inf"), float("-inf"), 1e-320, 1 / 3],
        "text": "naïve – 贝叶斯",
        "np_scalars": [
            np.float64(0.1),
            np.float32(1 / 3),
            np.float16(2.5),
            np.int8(-3),
            np.uint64(2**64 - 1),
            np.bool_(True),
            np.complex128(1 - 2j),
            np.str_("label"),
            np.bytes_(b"\x00ab"),
            np.datetime64("2024-01-02T03:04:05", "ns"),
            np.float64("nan"),
        ],
        "arrays": [
            base,
            np.asfortranarray(base),
            base[:, ::2],  # a non-contiguous view
            base.astype(np.float32),
            base.astype(">f8"),  # big-endian
            np.array([1 + 2j, -0.0 - 1j]),
            np.arange(6, dtype=np.uint8).reshape(2, 3),
            np.array([True, False]),
            np.zeros((0, 3)),
            np.array(4.0),  # 0-d
            np.array(["a", "bb", ""]),
            np.array([[b"x", b"\x00y"]]),
            np.array(["a", "b"], dtype=object),
            np.array([1, "a", None, 2.5, (1, 2)], dtype=object),
            np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"),
            np.array([1, -2], dtype="timedelta64[s]"),
            np.array([np.nan, np.inf, -0.0]),
        ],
        "tuple": (1, (2.0, "three"), []),
        "dict": {0: "int key", "s": 1, (1, "a"): None, 2.5: [1], None: {}, np.int64(3): 4},
        "dtypes": [np.dtype("float32"), np.dtype(">i4"), np.dtype("<U3"), np.dtype("M8[ms]")],
        "types": [float, int, bool, str, object, np.float64, np.int32, np.str_, np.bool_],
        "rng": [pcg, np.random.Generator(np.random.MT19937(3)), np.random.RandomState(5)],
        "shared": [shared, shared],
        "nested_estimator": GaussianNB(var_smoothing=1e-3).fit(_IRIS_X, _IRIS_Y),
    }


def test_every_supported_value_round_trips_exactly(fixture_module):
    holder = _Holder(value=_every_value())
    holder.state_ = _every_value()
    holder._private = [np.float32(1.0), {"k": (1, 2)}]
    restored = _loads(_dumps(holder))
    assert type(restored) is _Holder
    _assert_same(vars(holder), vars(restored), "_Holder")
    # One array object saved twice is restored as one object; equal copies stay distinct.
    a, b = restored.state_["shared"]
    assert a is b
    assert restored.state_["arrays"][0] is not restored.value["arrays"][0]
    # Random generators continue the same stream.
    for orig, back in zip(holder.state_["rng"], restored.state_["rng"]):
        draw = "random" if isinstance(orig, np.random.Generator) else "random_sample"
        np.testing.assert_array_equal(getattr(back, draw)(4), getattr(orig, draw)(4))


def test_nested_estimator_parameter_and_members(fixture_module):
    ens = _Ensemble(estimator=GaussianNB(var_smoothing=1e-4), n_members=4)
    y = _WORDS[_IRIS_Y]
    ens.fit(_IRIS_X, y)
    data = _dumps(ens)
    restored = _loads(data)
    assert type(restored.estimator) is GaussianNB
    assert restored.estimator.var_smoothing == 1e-4
    with pytest.raises(NotFittedError):
        check_is_fitted(restored.estimator)
    assert [type(e) for e in restored.estimators_] == [GaussianNB] * 4
    _assert_same(vars(ens), vars(restored))
    # One estimator object reachable twice is restored as one object.
    assert all(restored.by_name_[f"m{i}"] is e for i, e in enumerate(restored.estimators_))
    _assert_same_predictions(ens, restored, _IRIS_X)
    assert restored.get_params(deep=True)["estimator__var_smoothing"] == 1e-4
    meta = json.loads(_members(data)["meta.json"])
    assert meta["root"]["params"]["estimator"]["class"] == "lucidml.naive_bayes.GaussianNB"


def test_persist_exclude_skips_transient_caches(fixture_module):
    est = _Cached(scale=2.0).fit(_IRIS_X)
    restored = _loads(_dumps(est))
    assert not hasattr(restored, "_cache")
    _assert_same(est.mean_, restored.mean_)


@pytest.mark.parametrize("cls", [_Net, _NetChild])
def test_hooks_restore_objects_that_are_not_estimators(fixture_module, cls):
    net = cls([2, 3, 1])
    net.flat[:] = np.linspace(0, 1, 6, dtype=np.float32)
    holder = _Holder(value=[net, net])
    restored = _loads(_dumps(holder)).value
    assert type(restored[0]) is cls
    assert restored[0] is restored[1]
    _assert_same(net.flat, restored[0].flat)
    assert np.shares_memory(restored[0].views[0], restored[0].flat)  # setstate rebuilt the views
    with pytest.raises(TypeError, match="persistable"):
        _dumps(_NotRegistered([1, 2]))
    # A file naming a non-registered class with hooks is refused on load.
    data = _edit_meta(
        _dumps(_Holder(value=net)),
        lambda m: m["root"]["params"]["value"].update(
            {"class": f"{_FIXTURE_MODULE}._NotRegistered"}
        ),
    )
    with pytest.raises(PersistError, match="not registered"):
        _loads(data)


def test_registered_class_without_hooks_round_trips_its_dict(fixture_module):
    plain = object.__new__(_Plain)
    plain.weights = np.arange(3.0)
    plain.rng = np.random.default_rng(1)
    plain.inner = {"n": 2, "rng_again": plain.rng}
    plain._scratch = lambda: None  # excluded
    restored = _loads(_dumps(_Holder(value=plain))).value
    assert type(restored) is _Plain
    assert not hasattr(restored, "_scratch")
    _assert_same(plain.weights, restored.weights)
    assert restored.inner["rng_again"] is restored.rng
    np.testing.assert_array_equal(restored.rng.random(3), plain.rng.random(3))


def test_persistable_refuses_classes_outside_lucidml():
    class Foreign:
        def __lucidml_getstate__(self):
            return {}

        @classmethod
        def __lucidml_setstate__(cls, state):
            return cls()

    with pytest.raises(TypeError, match="not part of lucidml"):
        persistable(Foreign)


def test_neural_network_hooks_round_trip():
    from lucidml.nn import NeuralNetwork

    if not hasattr(NeuralNetwork, "__lucidml_getstate__"):
        pytest.skip("NeuralNetwork has no persistence hooks yet (proposed patch, not applied)")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3)).astype(np.float32)
    Y = np.eye(2, dtype=np.float32)[(X[:, 0] > 0).astype(int)]
    net = NeuralNetwork([3, 5, 2], act="tanh", random_state=0)
    net.fit(X, Y, epochs=3, batch_size=8, engine="numpy")
    restored = _loads(_dumps(net))
    np.testing.assert_array_equal(restored.predict(X), net.predict(X))
    net.fit(X, Y, epochs=2, batch_size=8, engine="numpy")
    restored.fit(X, Y, epochs=2, batch_size=8, engine="numpy")
    np.testing.assert_array_equal(restored.predict(X), net.predict(X))


@pytest.mark.parametrize("solver", ["sgd", "momentum", "adam", "adaptive"])
def test_optimizers_and_schedules_resume_bit_identically(solver):
    """The optimizers and schedules are allow-listed: a saved one resumes the same updates."""
    from lucidml.optim import get_optimizer
    from lucidml.optim.schedules import get_schedule

    if solver == "adaptive":
        opt = get_optimizer("momentum", learning_rate=get_schedule("adaptive", 0.1, patience=1))
    else:
        opt = get_optimizer(solver, learning_rate=0.05)
    rng = np.random.default_rng(0)
    params = rng.standard_normal(7)
    opt.init(params)

    def run(optimizer, w, steps, seed):
        g = np.random.default_rng(seed)
        for _ in range(steps):
            optimizer.step(w, g.standard_normal(w.shape))
            schedule = getattr(optimizer, "learning_rate", None)
            if hasattr(schedule, "update"):
                schedule.update(float(np.sum(w**2)))

    run(opt, params, 5, 1)
    restored = _loads(_dumps(opt))
    assert type(restored) is type(opt)
    params_copy = params.copy()
    run(opt, params, 5, 2)
    run(restored, params_copy, 5, 2)
    np.testing.assert_array_equal(params_copy, params)


# -- what cannot be saved ------------------------------------------------------------------------


class _Thing:
    pass


@pytest.mark.parametrize(
    "value, where, type_name",
    [
        (lambda x: x, "GaussianNB.extra_", "function"),
        ({"a": [1, _Thing()]}, "GaussianNB.extra_['a'][1]", "_Thing"),
        ({1, 2}, "GaussianNB.extra_", "set"),
        (len, "GaussianNB.extra_", "function"),  # a function from outside lucidml
        (np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]), "GaussianNB.extra_", "struct"),
        (np.array([_Thing()], dtype=object), "GaussianNB.extra_[0]", "_Thing"),
        (io.BytesIO(), "GaussianNB.extra_", "BytesIO"),
        ([b"raw bytes"], "GaussianNB.extra_[0]", "bytes"),
        ({_Thing(): 1}, "GaussianNB.extra_", "_Thing"),
    ],
)
def test_unsupported_attribute_raises_type_error_naming_it(value, where, type_name, tmp_path):
    est = GaussianNB().fit(_IRIS_X, _IRIS_Y)
    est.extra_ = value
    path = tmp_path / "m.lucid"
    with pytest.raises(TypeError) as info:
        save(est, path)
    assert where in str(info.value)
    assert type_name in str(info.value)
    assert not path.exists()  # nothing is written when the model cannot be saved


def test_masked_arrays_slices_and_lucidml_functions_round_trip():
    from lucidml.feature_selection import chi2

    est = GaussianNB().fit(_IRIS_X, _IRIS_Y)
    est.extra_ = {
        "masked": np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]),
        "slice": slice(2, None, 3),
        "score": chi2,
    }
    back = _loads(_dumps(est)).extra_
    np.testing.assert_array_equal(back["masked"].data, est.extra_["masked"].data)
    np.testing.assert_array_equal(back["masked"].mask, est.extra_["masked"].mask)
    assert back["slice"] == slice(2, None, 3)
    assert back["score"] is chi2


def test_a_file_naming_a_function_outside_lucidml_is_refused():
    from lucidml.persist import _resolve_function

    for path in (
        "os.system",
        "builtins.eval",
        "numpy.sum",
        "lucidml.persist.__import__",
        "lucidml.__main__.main",
    ):
        with pytest.raises(PersistError):
            _resolve_function(path)


def test_unsupported_parameter_and_foreign_estimators_raise_type_error():
    from sklearn.naive_bayes import GaussianNB as SkGaussianNB

    with pytest.raises(TypeError, match=r"GaussianNB\.priors.*not part of lucidml"):
        _dumps(GaussianNB(priors=SkGaussianNB()))
    with pytest.raises(TypeError, match="not part of lucidml"):
        _dumps(SkGaussianNB().fit(_IRIS_X, _IRIS_Y))

    class Local(BaseEstimator):
        pass

    Local.__module__ = "lucidml.naive_bayes"
    with pytest.raises(TypeError, match="module-level"):
        _dumps(Local())
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(TypeError, match="circular"):
        _dumps(GaussianNB(priors=cyclic))


# -- what load refuses -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.8], [0.9, 0.1]])
    est = GaussianNB().fit(X, ["a", "b", "a", "b"])
    return est, X, _dumps(est)


def test_every_flipped_byte_is_refused_or_harmless(small_model):
    """Flip each byte in turn: load raises PersistError, or the payload was not touched."""
    est, X, data = small_model
    refused = 0
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0xFF
        try:
            restored = _loads(bytes(bad))
        except PersistError:
            refused += 1
            continue
        # Bytes zipfile ignores (timestamps, attributes): the model must be exactly the same.
        _assert_same(vars(est), vars(restored))
    assert refused > 0.8 * len(data)


def test_altered_json_or_arrays_fail_the_checksum(small_model):
    est, X, data = small_model
    members = _members(data)
    meta = json.loads(members["meta.json"])
    meta["root"]["params"]["var_smoothing"] = 0.5
    altered = dict(members, **{"meta.json": json.dumps(meta).encode()})
    with pytest.raises(PersistError, match=r"altered.*meta\.json"):
        _loads(_build(altered, fix_checksums=False))

    npz = np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False)
    arrays = {k: npz[k].copy() for k in npz.files}
    key = next(k for k, v in arrays.items() if v.dtype.kind == "f")
    arrays[key].flat[0] += 1.0
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    altered = dict(members, **{"arrays.npz": buf.getvalue()})
    with pytest.raises(PersistError, match=r"altered.*arrays\.npz"):
        _loads(_build(altered, fix_checksums=False))


def test_truncated_files_are_refused(small_model):
    _, _, data = small_model
    for n in range(0, len(data), 7):
        with pytest.raises(PersistError):
            _loads(data[:n])
    with pytest.raises(PersistError):
        _loads(data[:-1])


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00" * 100, np.random.default_rng(0).bytes(2000), b"PK\x03\x04garbage", b"{}"],
    ids=["empty", "zeros", "random", "zip-magic", "json"],
)
def test_foreign_bytes_are_refused(payload):
    with pytest.raises(PersistError, match="not a lucidml model file"):
        _loads(payload)


def test_pickle_file_renamed_is_refused_and_never_unpickled(tmp_path, monkeypatch):
    est = GaussianNB().fit(_IRIS_X, _IRIS_Y)
    path = tmp_path / "model.lucid"
    path.write_bytes(pickle.dumps(est))

    def boom(*args, **kwargs):
        raise AssertionError("pickle used during load")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    with pytest.raises(PersistError, match="not a lucidml model file"):
        load(path)


def test_zip_without_meta_and_incomplete_archives_are_refused(small_model):
    _, _, data = small_model
    members = _members(data)
    with pytest.raises(PersistError, match="no meta.json"):
        _loads(_build({"model.pkl": b"x"}))
    with pytest.raises(PersistError, match="no meta.json"):
        _loads(_build({k: v for k, v in members.items() if k != "meta.json"}))
    for missing in ("arrays.npz", "checksums.json"):
        with pytest.raises(PersistError, match=f"no {missing}"):
            _loads(_build({k: v for k, v in members.items() if k != missing}))


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda m: m.update(format="other-format"), "not a lucidml model file"),
        (lambda m: m.pop("format"), "not a lucidml model file"),
        (lambda m: m.update(format_version=persist.FORMAT_VERSION + 1), "Upgrade lucidml"),
        (lambda m: m.update(format_version="1"), "invalid format version"),
        (lambda m: m.update(format_version=0), "invalid format version"),
    ],
)
def test_wrong_format_or_newer_version_is_refused(small_model, edit, match):
    _, _, data = small_model
    with pytest.raises(PersistError, match=match):
        _loads(_edit_meta(data, edit))


def test_meta_that_is_not_json_is_refused(small_model):
    _, _, data = small_model
    members = dict(_members(data), **{"meta.json": b"\xff{not json"})
    with pytest.raises(PersistError, match="cannot be read"):
        _loads(_build(members))
    members = dict(_members(data), **{"meta.json": b"[1, 2]"})
    with pytest.raises(PersistError, match="not a lucidml model file"):
        _loads(_build(members))


@pytest.mark.parametrize(
    "class_path, match",
    [
        ("os.system", "outside the lucidml package"),
        ("builtins.eval", "outside the lucidml package"),
        ("sklearn.linear_model.LogisticRegression", "outside the lucidml package"),
        ("sklearn.naive_bayes.GaussianNB", "outside the lucidml package"),
        ("lucidmlx.evil.Thing", "outside the lucidml package"),
        ("lucidml.persist.save", "not a class"),
        ("lucidml.naive_bayes.np", "not a class"),
        ("lucidml.naive_bayes.BaseEstimator", "not a class defined in lucidml module"),
        ("lucidml.base.ClassifierMixin", "not an estimator"),
        ("lucidml.base.NotFittedError", "not a class"),
        ("lucidml.__main__.main", "private"),
        ("lucidml.no_such_module.Thing", "does not exist"),
        ("os.system('echo hi')", "Malformed class path"),
        ("", "Malformed class path"),
        (None, "Malformed class path"),
    ],
)
def test_files_naming_foreign_classes_are_refused(small_model, monkeypatch, class_path, match):
    """Checksums are valid here, so the class guard alone refuses; nothing foreign is imported."""
    _, _, data = small_model
    imported = []
    real_import = importlib.import_module

    def recording_import(name, package=None):
        imported.append(name)
        return real_import(name, package)

    def forbidden(*args, **kwargs):
        raise AssertionError("a foreign callable was invoked during load")

    monkeypatch.setattr(importlib, "import_module", recording_import)
    monkeypatch.setattr(os, "system", forbidden)
    for tag in ("estimator", "object"):
        crafted = _edit_meta(
            data, lambda m, t=tag: m.update(root={**m["root"], "__type__": t, "class": class_path})
        )
        with pytest.raises(PersistError, match=match):
            _loads(crafted)
    assert all(name == "lucidml" or name.startswith("lucidml.") for name in imported)


def test_foreign_class_nested_deep_inside_is_refused(small_model):
    _, _, data = small_model

    def nest(meta):
        meta["root"]["state"]["extra_"] = [{"__type__": "estimator", "class": "os.system"}]

    with pytest.raises(PersistError, match="outside the lucidml package"):
        _loads(_edit_meta(data, nest))


def test_object_arrays_in_the_npz_are_never_unpickled(small_model):
    """An .npz member holding a pickled object array is refused by np.load(allow_pickle=False)."""
    _, _, data = small_model
    members = _members(data)
    npz = np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False)
    arrays = {k: npz[k].copy() for k in npz.files}
    arrays["a0"] = np.array([_Exploder()], dtype=object)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # np.savez pickles object arrays
    members["arrays.npz"] = buf.getvalue()

    def point_at_object_array(meta):
        node = meta["root"]["state"]["class_count_"]
        node.update(dtype="|O", shape=[1], key="a0")

    crafted = _edit_meta(_build(members), point_at_object_array)
    _EXPLODED.clear()
    with pytest.raises(PersistError):
        _loads(crafted)
    # Even when the metadata claims a numeric dtype, the pickled array is never read.
    crafted = _edit_meta(
        _build(members), lambda m: m["root"]["state"]["class_count_"].update(shape=[1])
    )
    with pytest.raises(PersistError):
        _loads(crafted)
    assert _EXPLODED == []


_EXPLODED: list = []


def _explode():
    _EXPLODED.append(True)
    return "exploded"


class _Exploder:
    def __reduce__(self):
        return (_explode, ())


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s: s["class_count_"].update(shape=[5]), "metadata says"),
        (lambda s: s["class_count_"].update(dtype="<f4"), "metadata says"),
        (lambda s: s["class_count_"].update(key="zz"), "missing from arrays.npz"),
        (lambda s: s["class_count_"].update(dtype="[('a', '<i4')]"), "dtype"),
        (lambda s: s["class_count_"].update(dtype="|V8"), "dtype"),
        (lambda s: s.update(x_={"__type__": "lambda", "code": "1"}), "Unknown value type"),
        (lambda s: s.update(x_={"__type__": "float", "value": "1e400"}), "Malformed float"),
        (lambda s: s.update(x_={"__type__": "type", "value": "os.system"}), "Unknown type"),
        (lambda s: s.update(x_={"__type__": "generator", "bit_generator": "Evil"}), "bit gen"),
        (lambda s: s.update(__class__=1), "Invalid attribute name"),
        (lambda s: s.update(x_=_deep(150)), "deeper than"),
        (
            lambda s: s.update(
                x_={"__type__": "ndarray", "dtype": "<U2", "shape": [1], "data": [1]}
            ),
            "Malformed string",
        ),
        (
            lambda s: s.update(
                x_={"__type__": "ndarray", "dtype": "<f8", "shape": [-1], "key": "a0"}
            ),
            "shape",
        ),
        (lambda s: s.update(x_={"__type__": "ref", "id": 7}), "unknown object"),
        (lambda s: s.update(x_={"__type__": "dict", "items": [[[1], 2]]}), "unhashable"),
    ],
)
def test_malformed_structure_is_refused(small_model, edit, match):
    _, _, data = small_model
    with pytest.raises(PersistError, match=match):
        _loads(_edit_meta(data, lambda m: edit(m["root"]["state"])))


def _deep(n):
    node: list = []
    for _ in range(n):
        node = [node]
    return node


def test_json_nested_too_deep_for_the_parser_is_refused(small_model):
    _, _, data = small_model
    members = _members(data)
    text = members["meta.json"].decode()
    members["meta.json"] = text.replace(
        '"root":', '"junk": ' + "[" * 100000 + "]" * 100000 + ',"root":'
    ).encode()
    with pytest.raises(PersistError):
        _loads(_build(members))


def test_older_lucidml_version_loads_with_a_warning(small_model):
    est, X, data = small_model
    crafted = _edit_meta(data, lambda m: m.update(lucidml_version="0.0.1"))
    with pytest.warns(PersistVersionWarning, match="0.0.1"):
        restored = _loads(crafted)
    _assert_same_predictions(est, restored, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _loads(data)  # the same version loads silently


def test_changed_constructor_is_handled(small_model):
    est, X, data = small_model
    # A parameter the class no longer takes: a clear error.
    crafted = _edit_meta(data, lambda m: m["root"]["params"].update(removed_param=1))
    with pytest.raises(PersistError, match="does not take the saved parameters"):
        _loads(crafted)
    # A parameter the file predates: the class default fills in.
    crafted = _edit_meta(data, lambda m: m["root"]["params"].pop("var_smoothing"))
    assert _loads(crafted).var_smoothing == GaussianNB().var_smoothing


def test_load_never_uses_pickle(small_model, monkeypatch):
    est, X, data = small_model
    assert "pickle" not in vars(persist)

    def boom(*args, **kwargs):
        raise AssertionError("pickle used during load")

    for name in ("loads", "load", "Unpickler"):
        monkeypatch.setattr(pickle, name, boom)
    real_np_load = np.load

    def checked_np_load(*args, **kwargs):
        assert kwargs.get("allow_pickle") is False
        return real_np_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", checked_np_load)
    _assert_same_predictions(est, _loads(data), X)


# -- every estimator in lucidml: pickle and persist round trips ---------------------------------


_ESTIMATORS = sorted((f"{cls.__module__}.{name}", cls) for name, cls in all_estimators())


def _construct(cls):
    if cls.__name__ in REQUIRED:
        est = REQUIRED[cls.__name__]()
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=0)
        return est
    required = {
        name
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    kwargs = {}
    for name in required:
        if name == "estimator":
            kwargs[name] = GaussianNB()
        elif name == "estimators":
            kwargs[name] = [("g", GaussianNB()), ("m", MultinomialNB())]
        elif name == "steps":
            kwargs[name] = [("nb", GaussianNB())]
        else:
            pytest.skip(f"{cls.__name__} needs parameter {name!r}; add it to _construct")
    est = cls(**kwargs)
    params = est.get_params(deep=False)
    if "random_state" in params:
        est.set_params(random_state=0)
    return est


def _fitted(cls):
    est = _construct(cls)
    rows = np.flatnonzero(_DIGITS_Y < 3)[:150]
    if cls.__name__ == "LabelEncoder":  # encodes 1-D labels: fit(y), transform(y)
        y = _WORDS[_DIGITS_Y[rows]]
        return est.fit(y), y, None
    X = _DIGITS_X[rows][:, ::4]  # small non-negative integer features: every model accepts them
    if is_regressor(est):
        y = X @ np.linspace(-1, 1, X.shape[1]) + np.sin(np.arange(X.shape[0]))
    elif is_classifier(est) or est.__sklearn_tags__().target_tags.required:
        y = _WORDS[_DIGITS_Y[rows]]  # classifiers, and transformers that select by the target
    else:
        y = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X) if y is None else est.fit(X, y)
        except ValueError as exc:  # a transformer that needs the target (SelectFromModel)
            if y is not None or "requires y" not in str(exc):
                raise
            y = _WORDS[_DIGITS_Y[rows]]
            est.fit(X, y)
    return est, X, y


def test_estimator_discovery_finds_naive_bayes():
    names = {path for path, _ in _ESTIMATORS}
    expected = ("GaussianNB", "MultinomialNB", "BernoulliNB", "CategoricalNB")
    assert {f"lucidml.naive_bayes.{n}" for n in expected} <= names


@pytest.mark.parametrize("how", ["pickle", "persist"])
@pytest.mark.parametrize("cls", [c for _, c in _ESTIMATORS], ids=[p for p, _ in _ESTIMATORS])
def test_every_estimator_round_trips_bit_identically(cls, how):
    est, X, y = _fitted(cls)
    restored = pickle.loads(pickle.dumps(est)) if how == "pickle" else _loads(_dumps(est))
    assert type(restored) is cls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same_predictions(est, restored, X)
    assert restored.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    # Training goes on from the restored state exactly as from the original.
    if hasattr(est, "partial_fit"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for model in (est, restored):
                model.partial_fit(X) if y is None else model.partial_fit(X, y)
            _assert_same_predictions(est, restored, X)

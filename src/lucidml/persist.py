"""Safe saving and loading of estimators: JSON and ``.npz`` in one zip archive, never pickle.

``save(estimator, path)`` writes one file (a zip archive; the extension is yours, ``.lucid`` is a
good one) holding

* ``meta.json`` — the format name and version, the lucidml and NumPy versions that wrote it, and
  the estimator as a tree of type-tagged JSON nodes: its class path, its parameters
  (``get_params(deep=False)``) and its fitted state (every instance attribute that is not a
  parameter: the ``name_`` attributes and any private state the class keeps);
* ``arrays.npz`` — every numeric, boolean or datetime NumPy array of that tree, which the JSON
  refers to by key, read back with ``np.load(..., allow_pickle=False)``;
* ``checksums.json`` — the SHA-256 of the two members above.

``load(path)`` reads it back without ever executing code from the file: JSON and ``.npy`` carry
data only, and the only classes it will build are lucidml's own estimators (subclasses of
:class:`lucidml.base.BaseEstimator` defined in the ``lucidml`` package) and the lucidml classes
registered with :func:`persistable`. A file that names any other class (``os.system``,
``builtins.eval``, a scikit-learn estimator, ...) is refused before anything is imported. A file
that is not a lucidml model, is truncated, fails its checksum, or was written by a newer format
version raises :class:`PersistError` (a ``ValueError``).

The checksum detects corruption and accidental edits; it is not a signature (whoever can edit the
file can recompute it). Safety against hostile files comes from the format itself, which can only
describe data and lucidml classes.

Supported values, nested freely: ``None``, ``bool``, ``int``, ``float`` (``nan`` and ``inf``
included), ``str``, NumPy scalars and arrays (numeric, boolean, datetime, string, and object
arrays whose elements are themselves supported — e.g. string class labels), ``list``, ``tuple``,
``dict`` (keys: ``None``, numbers, strings, NumPy scalars or tuples of those), NumPy dtypes and
scalar types, ``np.random.Generator`` and ``np.random.RandomState``, and lucidml estimators. A
lucidml class that is not an estimator opts in with the :func:`persistable` decorator (which
also covers its subclasses); its instances are then saved from their ``__dict__``, or, when the
class defines them, through two hooks: ``__lucidml_getstate__(self) -> dict`` (of supported
values) and the classmethod ``__lucidml_setstate__(cls, state) -> instance``. Anything else
raises ``TypeError`` at save time, naming the attribute (e.g. ``GaussianNB.theta_``).

An estimator is saved as its parameters plus every other instance attribute, minus the names its
class lists in an optional ``_persist_exclude`` tuple (caches it rebuilds on demand). An estimator,
hook object or random generator reachable twice (e.g. a fitted member listed in two attributes)
is saved once and comes back as one object; so does one NumPy array object. Cycles are refused.

Examples
--------
>>> import io
>>> import numpy as np
>>> from lucidml.naive_bayes import GaussianNB
>>> from lucidml.persist import load, save
>>> X = np.array([[0.0, 1.0], [1.0, 0.0], [0.1, 0.9], [0.9, 0.2]])
>>> model = GaussianNB().fit(X, ["a", "b", "a", "b"])
>>> buf = io.BytesIO()
>>> save(model, buf)
>>> _ = buf.seek(0)
>>> load(buf).predict(X)
array(['a', 'b', 'a', 'b'], dtype='<U1')
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import json
import math
import os
import re
import sys
import warnings
import zipfile
from typing import Any, BinaryIO

import numpy as np

from .base import BaseEstimator

__all__ = [
    "ALLOWED",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "PersistError",
    "PersistVersionWarning",
    "load",
    "persistable",
    "save",
]

FORMAT_NAME = "lucidml-model"
#: Version of the file layout. ``load`` reads every version up to this one.
FORMAT_VERSION = 1

#: Dotted paths (``"lucidml.module.Class"``) of lucidml classes that are not estimators but may be
#: restored, with their subclasses; :func:`persistable` adds to it. The optimizers and schedules
#: hold only numbers, arrays and each other, so their ``__dict__`` round-trips as it is (an
#: ``MLPClassifier`` keeps its optimizer to resume training with ``partial_fit``).
ALLOWED: set[str] = {
    "lucidml.optim.optimizers.Optimizer",
    "lucidml.optim.schedules.Schedule",
}

_META = "meta.json"
_ARRAYS = "arrays.npz"
_CHECKSUMS = "checksums.json"
_PACKAGE = "lucidml"
_MAX_DEPTH = 100
# Array kinds stored in the .npz: bool, integers, floats, complex, timedelta, datetime.
_NPZ_KINDS = "biufcmM"
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_BUILTIN_TYPES: dict[str, type] = {
    "bool": bool,
    "int": int,
    "float": float,
    "complex": complex,
    "str": str,
    "bytes": bytes,
    "object": object,
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

PathOrFile = str | os.PathLike | BinaryIO


class PersistError(ValueError):
    """A file that ``load`` refuses: not a lucidml model, corrupted, truncated or too new."""


class PersistVersionWarning(UserWarning):
    """The model was saved by another lucidml version in a format this version still reads."""


def persistable(cls: type) -> type:
    """Class decorator: let ``load`` rebuild instances of this lucidml class and its subclasses.

    Estimators (subclasses of :class:`lucidml.base.BaseEstimator`) need no decorator. Any other
    class must live in the ``lucidml`` package and be defined at module level. Its instances are
    saved from their ``__dict__`` and rebuilt with ``cls.__new__`` (``__init__`` is not called),
    unless the class defines both hooks ``__lucidml_getstate__(self) -> dict`` and
    ``@classmethod __lucidml_setstate__(cls, state) -> instance``, which then take over.

    Parameters
    ----------
    cls : type
        The class to allow.

    Returns
    -------
    type
        ``cls`` itself, registered in :data:`ALLOWED`.
    """
    if not isinstance(cls, type):
        raise TypeError(f"persistable decorates classes, got {cls!r}.")
    path = _class_path(cls, where=cls.__qualname__, check_allowed=False, check_reachable=False)
    hooks = [
        callable(getattr(cls, h, None)) for h in ("__lucidml_getstate__", "__lucidml_setstate__")
    ]
    if any(hooks) and not all(hooks):
        raise TypeError(
            f"{path} must define both __lucidml_getstate__ and __lucidml_setstate__, or neither."
        )
    ALLOWED.add(path)
    return cls


# -- saving ----------------------------------------------------------------------------------------


def save(estimator: Any, path: PathOrFile, *, compress: bool = True) -> None:
    """Save a (fitted or unfitted) estimator to one file that :func:`load` reads back safely.

    The whole file is built in memory first, so an unsupported attribute raises before anything
    is written.

    Parameters
    ----------
    estimator : object
        A lucidml estimator (or any value the format supports, e.g. a dict of estimators).
    path : str, path-like or binary file object
        Where to write. Any extension works; ``.lucid`` is a good one.
    compress : bool, default True
        Deflate the archive members.

    Raises
    ------
    TypeError
        If some parameter or attribute, however deeply nested, has a type the format cannot
        hold; the message names it (e.g. ``GaussianNB.theta_``).
    """
    data = _dumps(estimator, compress=compress)
    if hasattr(path, "write"):
        path.write(data)  # type: ignore[union-attr]
        return
    with open(os.fspath(path), "wb") as fh:  # type: ignore[arg-type]
        fh.write(data)


def _dumps(obj: Any, *, compress: bool) -> bytes:
    from . import __version__

    encoder = _Encoder()
    root_name = type(obj).__name__ if _is_object(obj) else "value"
    root = encoder.value(obj, root_name)
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "lucidml_version": __version__,
        "numpy_version": np.__version__,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "root": root,
    }
    meta_bytes = json.dumps(meta, allow_nan=False, ensure_ascii=False, indent=1).encode("utf-8")
    buf = io.BytesIO()
    np.savez(buf, **encoder.arrays)
    npz_bytes = buf.getvalue()
    checksums = {
        "algorithm": "sha256",
        "members": {_META: _sha256(meta_bytes), _ARRAYS: _sha256(npz_bytes)},
    }
    check_bytes = json.dumps(checksums, indent=1).encode("utf-8")
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, payload in ((_META, meta_bytes), (_ARRAYS, npz_bytes), (_CHECKSUMS, check_bytes)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = method
            zf.writestr(info, payload)
    return out.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _has_hooks(cls: type) -> bool:
    return callable(getattr(cls, "__lucidml_getstate__", None))


def _allowed(cls: type) -> bool:
    """An estimator class, or a class (or subclass of a class) registered by ``persistable``."""
    return issubclass(cls, BaseEstimator) or any(
        f"{c.__module__}.{c.__qualname__}" in ALLOWED for c in cls.__mro__
    )


def _is_object(x: Any) -> bool:
    cls = type(x)
    in_package = cls.__module__ == _PACKAGE or cls.__module__.startswith(_PACKAGE + ".")
    return isinstance(x, BaseEstimator) or _has_hooks(cls) or (in_package and _allowed(cls))


def _class_path(
    cls: type, *, where: str, check_allowed: bool = True, check_reachable: bool = True
) -> str:
    """The dotted path ``load`` will resolve ``cls`` by; TypeError if it could not restore it."""
    module, name = cls.__module__, cls.__qualname__
    path = f"{module}.{name}"
    if module != _PACKAGE and not module.startswith(_PACKAGE + "."):
        raise TypeError(
            f"Cannot save {where!r}: its class {path} is not part of lucidml, and lucidml.persist "
            "only restores lucidml classes (a file naming any other class is refused on load). "
            "Save it with its own library's tools, or use Python's pickle for trusted files."
        )
    if not _IDENTIFIER.match(name) or (
        check_reachable and getattr(sys.modules.get(module), name, None) is not cls
    ):
        raise TypeError(
            f"Cannot save {where!r}: its class {path} is not reachable as a module-level name, so "
            "load could not find it again."
        )
    if check_allowed and not _allowed(cls):
        raise TypeError(
            f"Cannot save {where!r}: {path} is neither an estimator nor registered with "
            "lucidml.persist.persistable."
        )
    return path


class _Encoder:
    """Turns a value into type-tagged JSON nodes, collecting numeric arrays for the ``.npz``."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._keys: dict[int, str] = {}  # id(array) -> key: one array object, one stored copy
        self._active: set[int] = set()  # containers being encoded, to refuse cycles
        self._objects: dict[int, int] = {}  # id(estimator) -> node id: shared objects stay shared
        self._keep: list[Any] = []  # keeps every memoised object alive, so ids stay unique
        self._next_id = 0

    def value(self, x: Any, where: str) -> Any:
        t = type(x)
        if x is None or t is bool or t is int or t is str:
            return x
        if t is float:
            return x if math.isfinite(x) else {"__type__": "float", "value": repr(x)}
        if t is np.ndarray:
            return self.array(x, where, "ndarray")
        if t is np.ma.MaskedArray:
            return {
                "__type__": "masked_array",
                "data": self.array(np.ma.getdata(x), f"{where}.data", "ndarray"),
                "mask": self.array(np.ma.getmaskarray(x), f"{where}.mask", "ndarray"),
            }
        if t is slice:
            return {
                "__type__": "slice",
                "items": [
                    self.value(v, f"{where}.{n}")
                    for n, v in (("start", x.start), ("stop", x.stop), ("step", x.step))
                ],
            }
        if _is_lucidml_function(x):
            return {"__type__": "function", "value": f"{x.__module__}.{x.__qualname__}"}
        if isinstance(x, np.generic):
            return self.array(np.asarray(x), where, "scalar")
        if t is list or t is tuple or t is dict:
            return self._container(x, where)
        if isinstance(x, np.dtype):
            return {"__type__": "dtype", "value": self._dtype_str(x, where)}
        if isinstance(x, type):
            return {"__type__": "type", "value": self._type_name(x, where)}
        if t is np.random.Generator or t is np.random.RandomState or _is_object(x):
            return self._shared(x, where)
        if hasattr(x, "get_params") or t.__module__.split(".")[0] == _PACKAGE:
            _class_path(t, where=where)  # explains why this class cannot be saved
        raise TypeError(
            f"Cannot save {where!r} of type {_type_label(x)}: lucidml.persist stores None, bool, "
            "int, float, str, NumPy scalars and arrays, lists, tuples, dicts, NumPy dtypes and "
            "random generators, and lucidml estimators. Keep fitted state in those types, or "
            "list the attribute in the class's _persist_exclude if it is a cache that is rebuilt "
            "on demand."
        )

    def _container(self, x: Any, where: str) -> Any:
        if id(x) in self._active:
            raise TypeError(f"Cannot save {where!r}: it contains itself (a circular reference).")
        self._active.add(id(x))
        try:
            if type(x) is list:
                return [self.value(v, f"{where}[{i}]") for i, v in enumerate(x)]
            if type(x) is tuple:
                return {
                    "__type__": "tuple",
                    "items": [self.value(v, f"{where}[{i}]") for i, v in enumerate(x)],
                }
            items = []
            for k, v in x.items():
                if not _is_key(k):
                    raise TypeError(
                        f"Cannot save {where!r}: dict key {k!r} of type {_type_label(k)} is not "
                        "None, a number, a string, a NumPy scalar or a tuple of those."
                    )
                items.append([self.value(k, f"{where} key"), self.value(v, f"{where}[{k!r}]")])
            return {"__type__": "dict", "items": items}
        finally:
            self._active.discard(id(x))

    def array(self, a: np.ndarray, where: str, tag: str) -> dict[str, Any]:
        dtype = a.dtype
        kind = dtype.kind
        node: dict[str, Any] = {"__type__": tag, "dtype": None, "shape": list(a.shape)}
        if kind in _NPZ_KINDS:
            node["dtype"] = self._dtype_str(dtype, where)
            key = self._keys.get(id(a)) if tag == "ndarray" else None
            if key is None:
                key = f"a{len(self.arrays)}"
                self.arrays[key] = a
                if tag == "ndarray":
                    self._keys[id(a)] = key
            node["key"] = key
        elif kind == "U":
            node["dtype"] = dtype.str
            node["data"] = a.ravel().tolist()
        elif kind == "S":
            node["dtype"] = dtype.str
            node["data"] = [b.hex() for b in a.ravel().tolist()]
        elif kind == "O":
            if id(a) in self._active:
                raise TypeError(
                    f"Cannot save {where!r}: it contains itself (a circular reference)."
                )
            self._active.add(id(a))
            try:
                node["dtype"] = "|O"
                node["data"] = [self.value(v, f"{where}[{i}]") for i, v in enumerate(a.flat)]
            finally:
                self._active.discard(id(a))
        else:
            raise TypeError(
                f"Cannot save {where!r}: NumPy arrays of dtype {dtype} (structured or void) are "
                "not supported."
            )
        return node

    @staticmethod
    def _dtype_str(dtype: np.dtype, where: str) -> str:
        if dtype.fields is not None or dtype.subdtype is not None or dtype.kind == "V":
            raise TypeError(f"Cannot save {where!r}: structured dtype {dtype} is not supported.")
        return dtype.str

    @staticmethod
    def _type_name(x: type, where: str) -> str:
        for name, builtin in _BUILTIN_TYPES.items():
            if x is builtin:
                return name
        if issubclass(x, np.generic):
            try:
                name = np.dtype(x).name
            except TypeError:
                name = ""
            if name and np.dtype(name).type is x and np.dtype(name).kind in "biufcmMUSO":
                return f"numpy.{name}"
        raise TypeError(
            f"Cannot save {where!r}: the type {x!r} is not a builtin scalar type or a concrete "
            "NumPy scalar type (classes and functions are never stored)."
        )

    @staticmethod
    def _check_bit_generator(name: str, where: str) -> None:
        if name not in _BIT_GENERATORS:
            raise TypeError(f"Cannot save {where!r}: unsupported bit generator {name}.")

    def _shared(self, x: Any, where: str) -> dict[str, Any]:
        """An object kept by identity: written once, later occurrences become references."""
        if id(x) in self._active:
            raise TypeError(f"Cannot save {where!r}: it contains itself (a circular reference).")
        if id(x) in self._objects:
            return {"__type__": "ref", "id": self._objects[id(x)]}
        is_random = isinstance(x, (np.random.Generator, np.random.RandomState))
        path = None if is_random else _class_path(type(x), where=where)
        node_id = self._next_id
        self._next_id += 1
        self._active.add(id(x))
        try:
            if path is None:
                node = self._random(x, where)
            else:
                node = self._object(x, path, where)
        finally:
            self._active.discard(id(x))
        self._objects[id(x)] = node_id
        self._keep.append(x)
        return {**node, "id": node_id}

    def _random(self, x: Any, where: str) -> dict[str, Any]:
        if isinstance(x, np.random.Generator):
            bit_gen = type(x.bit_generator).__name__
            self._check_bit_generator(bit_gen, where)
            state = self.value(x.bit_generator.state, f"{where}.bit_generator.state")
            return {"__type__": "generator", "bit_generator": bit_gen, "state": state}
        state = x.get_state(legacy=False)
        self._check_bit_generator(state["bit_generator"], where)
        return {"__type__": "random_state", "state": self.value(state, f"{where}.state")}

    def _object(self, x: Any, path: str, where: str) -> dict[str, Any]:
        cls = type(x)
        if _has_hooks(cls):
            state = x.__lucidml_getstate__()
            if type(state) is not dict or not all(type(k) is str for k in state):
                raise TypeError(
                    f"{path}.__lucidml_getstate__ must return a dict with str keys, got "
                    f"{_type_label(state)}."
                )
            return {
                "__type__": "object",
                "class": path,
                "state": {k: self.value(v, f"{where}.{k}") for k, v in state.items()},
            }
        exclude = set(getattr(cls, "_persist_exclude", ()))
        if not isinstance(x, BaseEstimator):
            attrs = {k: v for k, v in vars(x).items() if k not in exclude}
            return {
                "__type__": "object",
                "class": path,
                "attrs": {k: self.value(v, f"{where}.{k}") for k, v in attrs.items()},
            }
        params = x.get_params(deep=False)
        fitted = {k: v for k, v in vars(x).items() if k not in params and k not in exclude}
        return {
            "__type__": "estimator",
            "class": path,
            "params": {k: self.value(v, f"{where}.{k}") for k, v in params.items()},
            "state": {k: self.value(v, f"{where}.{k}") for k, v in fitted.items()},
        }


def _is_key(k: Any) -> bool:
    if k is None or type(k) in (bool, int, float, str) or isinstance(k, np.generic):
        return True
    return type(k) is tuple and all(_is_key(v) for v in k)


def _type_label(x: Any) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


# -- loading ---------------------------------------------------------------------------------------


def load(path: PathOrFile) -> Any:
    """Load what :func:`save` wrote, without executing code from the file or using pickle.

    Parameters
    ----------
    path : str, path-like or binary file object
        The file to read.

    Returns
    -------
    object
        The estimator (or value) that was saved, with bit-identical parameters and arrays.

    Raises
    ------
    PersistError
        A ``ValueError``: the file is not a lucidml model (not a zip archive, no ``meta.json``,
        another format), is truncated or corrupted, fails its SHA-256 checksum, was written by a
        newer format version, or names a class that lucidml does not restore.

    Warns
    -----
    PersistVersionWarning
        When the file was written by another lucidml version in a format this one reads.
    """
    if hasattr(path, "read"):
        data = path.read()  # type: ignore[union-attr]
        name = getattr(path, "name", "<file object>")
    else:
        name = os.fspath(path)  # type: ignore[arg-type]
        with open(name, "rb") as fh:
            data = fh.read()
    if not isinstance(data, bytes):
        raise TypeError("load needs a file opened in binary mode ('rb').")
    meta, npz_bytes = _read_archive(data, name)
    root = meta.get("root")
    try:
        with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
            return _Decoder(npz).value(root, "root", 0)
    except PersistError:
        raise
    except Exception as exc:
        raise PersistError(
            f"{name} could not be restored (written by lucidml "
            f"{meta.get('lucidml_version')!s}): {type(exc).__name__}: {exc}"
        ) from exc


def _read_archive(data: bytes, name: str) -> tuple[dict[str, Any], bytes]:
    """Open the archive and check format, version and checksums; return (meta, npz bytes)."""
    from . import __version__

    hint = (
        "lucidml.persist.load reads only files written by lucidml.persist.save (a pickle or "
        "joblib file is never loaded here)."
    )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        raise PersistError(
            f"{name} is not a lucidml model file: it is not a zip archive, or it is truncated. "
            + hint
        ) from None
    with zf:
        names = set(zf.namelist())
        if _META not in names:
            raise PersistError(f"{name} is not a lucidml model file: it has no {_META}. " + hint)
        try:
            meta_bytes = zf.read(_META)
            meta = json.loads(meta_bytes.decode("utf-8"), parse_constant=_refuse_constant)
        except Exception as exc:
            raise PersistError(
                f"{name} is corrupted: its {_META} cannot be read ({type(exc).__name__}: {exc})."
            ) from None
        if type(meta) is not dict or meta.get("format") != FORMAT_NAME:
            raise PersistError(
                f"{name} is not a lucidml model file (format "
                f"{meta.get('format') if type(meta) is dict else None!r}, expected "
                f"{FORMAT_NAME!r}). " + hint
            )
        version = meta.get("format_version")
        if type(version) is not int or version < 1:
            raise PersistError(f"{name} has an invalid format version {version!r}.")
        saved_with = meta.get("lucidml_version")
        if version > FORMAT_VERSION:
            raise PersistError(
                f"{name} was written by lucidml {saved_with} in format version {version}, but "
                f"this lucidml ({__version__}) reads format versions up to {FORMAT_VERSION}. "
                "Upgrade lucidml to load it."
            )
        missing = [m for m in (_ARRAYS, _CHECKSUMS) if m not in names]
        if missing:
            raise PersistError(f"{name} is incomplete: it has no {' or '.join(missing)}.")
        try:
            npz_bytes = zf.read(_ARRAYS)
            checks = json.loads(zf.read(_CHECKSUMS).decode("utf-8"))
            expected = {m: checks["members"][m] for m in (_META, _ARRAYS)}
            if checks["algorithm"] != "sha256" or not all(
                type(h) is str for h in expected.values()
            ):
                raise ValueError("unsupported checksum record")
        except Exception as exc:
            raise PersistError(
                f"{name} is corrupted or truncated ({type(exc).__name__}: {exc})."
            ) from None
    for member, payload in ((_META, meta_bytes), (_ARRAYS, npz_bytes)):
        if not hmac.compare_digest(_sha256(payload), expected[member]):
            raise PersistError(
                f"{name} has been altered or corrupted: the SHA-256 of its {member} does not "
                "match the checksum recorded when it was saved."
            )
    if saved_with != __version__:
        warnings.warn(
            f"{name} was saved with lucidml {saved_with} and is loaded with lucidml "
            f"{__version__}. The file format is compatible, but the model's behaviour may "
            "differ; check its predictions, or re-fit and re-save it with this version.",
            PersistVersionWarning,
            stacklevel=3,
        )
    return meta, npz_bytes


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")


def _resolve_class(path: Any) -> type:
    """Find the class a file names, refusing anything but lucidml estimators and allowed classes.

    Nothing outside the ``lucidml`` package is ever imported.
    """
    if type(path) is not str or not all(_IDENTIFIER.match(p) for p in path.split(".")):
        raise PersistError(f"Malformed class path {path!r} in the model file.")
    module, _, name = path.rpartition(".")
    parts = module.split(".")
    if parts[0] != _PACKAGE:
        raise PersistError(
            f"Refusing to load class {path!r}: lucidml.persist restores only lucidml's own "
            "estimators, and this file names a class from outside the lucidml package."
        )
    if any(p.startswith("__") for p in parts) or name.startswith("__"):
        raise PersistError(f"Refusing to load class {path!r}: private module or name.")
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise PersistError(
            f"The model file names class {path!r}, which does not exist in this lucidml version."
        ) from None
    cls = vars(mod).get(name)
    if not isinstance(cls, type) or cls.__module__ != module or cls.__qualname__ != name:
        raise PersistError(
            f"Refusing to load {path!r}: it is not a class defined in lucidml module {module}."
        )
    if not _allowed(cls):
        raise PersistError(
            f"Refusing to load class {path!r}: it is not an estimator and is not registered "
            "with lucidml.persist.persistable."
        )
    return cls


def _is_lucidml_function(x: Any) -> bool:
    """A plain module-level function of lucidml (e.g. a score function such as ``f_classif``)."""
    import types

    return (
        type(x) is types.FunctionType
        and isinstance(getattr(x, "__module__", None), str)
        and x.__module__.split(".")[0] == _PACKAGE
        and x.__qualname__ == x.__name__
        and vars(sys.modules.get(x.__module__, object)).get(x.__name__) is x
    )


def _resolve_function(path: str) -> Any:
    """The lucidml function a file names; nothing outside lucidml is ever imported."""
    if not all(_IDENTIFIER.match(p) for p in path.split(".")):
        raise PersistError(f"Malformed function path {path!r} in the model file.")
    module, _, name = path.rpartition(".")
    parts = module.split(".")
    if parts[0] != _PACKAGE or any(p.startswith("__") for p in parts) or name.startswith("__"):
        raise PersistError(
            f"Refusing to load function {path!r}: lucidml.persist restores only functions "
            "defined in lucidml's own modules."
        )
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise PersistError(f"The model file names {path!r}, which this lucidml lacks.") from None
    fn = vars(mod).get(name)
    if not _is_lucidml_function(fn) or fn.__module__ != module:
        raise PersistError(f"Refusing to load {path!r}: not a function defined in {module}.")
    return fn


class _Decoder:
    """Rebuilds values from the JSON nodes written by :class:`_Encoder`."""

    def __init__(self, npz: Any) -> None:
        self.npz = npz
        self._arrays: dict[str, np.ndarray] = {}
        self._objects: dict[int, Any] = {}

    def value(self, node: Any, where: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise PersistError(f"The model file nests values deeper than {_MAX_DEPTH} levels.")
        t = type(node)
        if node is None or t is bool or t is int or t is float or t is str:
            return node
        if t is list:
            return [self.value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node)]
        if t is not dict:
            raise PersistError(f"Malformed node at {where}.")
        tag = node.get("__type__")
        if tag == "float":
            text = _field(node, "value", str, where)
            if text not in ("nan", "inf", "-inf"):
                raise PersistError(f"Malformed float {text!r} at {where}.")
            return float(text)
        if tag == "tuple":
            items = _field(node, "items", list, where)
            return tuple(self.value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(items))
        if tag == "dict":
            out = {}
            for pair in _field(node, "items", list, where):
                if type(pair) is not list or len(pair) != 2:
                    raise PersistError(f"Malformed dict item at {where}.")
                key = self.value(pair[0], f"{where} key", depth + 1)
                out[key] = self.value(pair[1], f"{where}[{key!r}]", depth + 1)
            return out
        if tag == "ndarray":
            return self.array(node, where, depth)
        if tag == "masked_array":
            data = self.value(node.get("data"), f"{where}.data", depth + 1)
            mask = self.value(node.get("mask"), f"{where}.mask", depth + 1)
            if type(data) is not np.ndarray or type(mask) is not np.ndarray:
                raise PersistError(f"Malformed masked array at {where}.")
            return np.ma.MaskedArray(data, mask=mask)
        if tag == "slice":
            items = _field(node, "items", list, where)
            parts = [self.value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(items)]
            if len(parts) != 3 or not all(v is None or type(v) is int for v in parts):
                raise PersistError(f"Malformed slice at {where}.")
            return slice(*parts)
        if tag == "function":
            return _resolve_function(_field(node, "value", str, where))
        if tag == "scalar":
            return self.array(node, where, depth)[()]
        if tag == "dtype":
            return _parse_dtype(_field(node, "value", str, where), where)
        if tag == "type":
            return _parse_type(_field(node, "value", str, where), where)
        if tag == "generator" or tag == "random_state":
            return self._register(node, where, self.random(node, tag, where, depth))
        if tag == "estimator" or tag == "object":
            cls = _resolve_class(node.get("class"))  # first: a foreign class is never touched
            where = cls.__qualname__ if where == "root" else where
            if tag == "estimator":
                obj = self.estimator(cls, node, where, depth)
            else:
                obj = self.object(cls, node, where, depth)
            return self._register(node, where, obj)
        if tag == "ref":
            node_id = _field(node, "id", int, where)
            if node_id not in self._objects:
                raise PersistError(f"Reference to unknown object {node_id} at {where}.")
            return self._objects[node_id]
        raise PersistError(f"Unknown value type {tag!r} at {where} in the model file.")

    def _attributes(self, node: dict, where: str, depth: int) -> dict[str, Any]:
        out = {}
        for k, v in node.items():
            if not _IDENTIFIER.match(k) or k.startswith("__"):
                raise PersistError(f"Invalid attribute name {k!r} at {where}.")
            out[k] = self.value(v, f"{where}.{k}", depth + 1)
        return out

    def _register(self, node: dict, where: str, obj: Any) -> Any:
        node_id = _field(node, "id", int, where)
        if node_id in self._objects:
            raise PersistError(f"Duplicate object id {node_id} at {where}.")
        self._objects[node_id] = obj
        return obj

    def random(self, node: dict, tag: str, where: str, depth: int) -> Any:
        state = self.value(node.get("state"), f"{where}.state", depth + 1)
        if tag == "generator":
            bit_gen = _field(node, "bit_generator", str, where)
        else:
            bit_gen = state.get("bit_generator") if type(state) is dict else None
        if bit_gen not in _BIT_GENERATORS:
            raise PersistError(f"Unsupported bit generator {bit_gen!r} at {where}.")
        if tag == "generator":
            bg = getattr(np.random, bit_gen)()
            bg.state = state
            return np.random.Generator(bg)
        rs = np.random.RandomState(getattr(np.random, bit_gen)())
        rs.set_state(state)
        return rs

    def object(self, cls: type, node: dict, where: str, depth: int) -> Any:
        if "attrs" in node:
            if _has_hooks(cls) or issubclass(cls, BaseEstimator):
                raise PersistError(f"{cls.__qualname__} is not restored from attributes.")
            obj = cls.__new__(cls)
            vars(obj).update(self._attributes(_field(node, "attrs", dict, where), where, depth))
            return obj
        setstate = getattr(cls, "__lucidml_setstate__", None)
        if not callable(setstate):
            raise PersistError(f"{cls.__qualname__} cannot be restored from a state dict.")
        state = {
            k: self.value(v, f"{where}.{k}", depth + 1)
            for k, v in _field(node, "state", dict, where).items()
        }
        obj = setstate(state)
        if not isinstance(obj, cls):
            raise PersistError(f"{cls.__qualname__}.__lucidml_setstate__ returned {obj!r}.")
        return obj

    def estimator(self, cls: type, node: dict, where: str, depth: int) -> Any:
        path = node.get("class")
        if not issubclass(cls, BaseEstimator):
            raise PersistError(f"{path} is not an estimator class.")
        params = self._attributes(_field(node, "params", dict, where), where, depth)
        state = self._attributes(_field(node, "state", dict, where), where, depth)
        try:
            obj = cls(**params)
        except TypeError as exc:
            raise PersistError(
                f"{path} in this lucidml version does not take the saved parameters "
                f"{sorted(params)} ({exc}); the file was written by another lucidml version."
            ) from None
        vars(obj).update(state)
        return obj

    def array(self, node: dict, where: str, depth: int) -> np.ndarray:
        dtype = _parse_dtype(_field(node, "dtype", str, where), where)
        shape = tuple(_field(node, "shape", list, where))
        if not all(type(s) is int and s >= 0 for s in shape):
            raise PersistError(f"Malformed array shape {list(shape)} at {where}.")
        if dtype.kind in _NPZ_KINDS:
            key = _field(node, "key", str, where)
            arr = self._arrays.get(key)
            if arr is None:
                if key not in self.npz.files:
                    raise PersistError(f"Array {key!r} for {where} is missing from {_ARRAYS}.")
                arr = self._arrays[key] = self.npz[key]
            if arr.dtype != dtype or arr.shape != shape:
                raise PersistError(
                    f"Array {key!r} for {where} has dtype {arr.dtype} and shape {arr.shape}; the "
                    f"metadata says {dtype} and {shape}."
                )
            return arr
        data = _field(node, "data", list, where)
        if dtype.kind == "U":
            if not all(type(s) is str for s in data):
                raise PersistError(f"Malformed string array at {where}.")
            return np.array(data, dtype=dtype).reshape(shape)
        if dtype.kind == "S":
            if not all(type(s) is str for s in data):
                raise PersistError(f"Malformed bytes array at {where}.")
            return np.array([bytes.fromhex(s) for s in data], dtype=dtype).reshape(shape)
        if dtype.kind == "O":
            out = np.empty(len(data), dtype=object)
            for i, v in enumerate(data):
                out[i] = self.value(v, f"{where}[{i}]", depth + 1)
            return out.reshape(shape)
        raise PersistError(f"Unsupported array dtype {dtype} at {where}.")


def _field(node: dict, name: str, kind: type, where: str) -> Any:
    value = node.get(name)
    if type(value) is not kind:
        raise PersistError(f"Malformed model file: {where} lacks a valid {name!r}.")
    return value


def _parse_dtype(text: str, where: str) -> np.dtype:
    try:
        dtype = np.dtype(text)
    except Exception:
        raise PersistError(f"Unknown dtype {text!r} at {where}.") from None
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biufcmMUSO":
        raise PersistError(f"Unsupported dtype {text!r} at {where}.")
    return dtype


def _parse_type(text: str, where: str) -> type:
    if text in _BUILTIN_TYPES:
        return _BUILTIN_TYPES[text]
    if text.startswith("numpy."):
        dtype = _parse_dtype(text[len("numpy.") :], where)
        return dtype.type
    raise PersistError(f"Unknown type {text!r} at {where}.")

"""The dual array: a float ndarray of values and an ndarray of their tangents, driven by numpy.

A :class:`DualArray` is what a driver hands f for a float ndarray parameter: ``value`` has the
parameter's shape S and ``tangent`` the shape S + (k,), k tangents per entry (1 for ``jvp``,
the chunk width for ``grad(chunk=k)``). numpy's own dispatch (``__array_ufunc__``,
``__array_function__``) sends every operation here, so the user's numpy code runs unchanged
and each operation costs a few whole-array numpy calls: the value by numpy, the tangent from
the rule table's partials evaluated on whole arrays (:mod:`.ufuncs`), linear and bilinear
functions applied to value and tangent blocks (:mod:`.functions`, :mod:`.linalg`).

An entry taken out (``x[i]``, iteration) is an ordinary :class:`~dualgrad.Dual`, so scalar code
over arrays keeps working.

>>> import numpy as np
>>> x = DualArray(np.array([0.0, 1.0]), np.array([[1.0], [2.0]]))
>>> y = np.exp(x) * 2.0
>>> y.value.tolist(), y.tangent[:, 0].tolist()
([2.0, 5.43656365691809], [2.0, 10.87312731383618])
>>> y[0]
Dual(2.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from dualgrad.numbers.base import describe
from dualgrad.numbers.dual import Dual
from dualgrad.vector.dispatch import Dispatched, Wording, holds

__all__ = ["DualArray", "NestedEntries", "as_parts", "from_parts", "tangent_index"]

_REAL = (float, int)


class _Writeable:
    writeable = True


_WRITEABLE = _Writeable()  # the flags of a nested tangent (a dual array: always writeable)


class DualArray(Dispatched):
    """Values (a float ndarray) and their tangents (one more, trailing axis of k tangents).

    >>> import numpy as np
    >>> x = DualArray(np.arange(3.0), np.eye(3))
    >>> (x @ x).tangent.tolist()
    [0.0, 2.0, 4.0]
    """

    __slots__ = ("tag", "tangent", "value")

    ufuncs: ClassVar[dict[str, Callable[..., Any]]] = {}
    """Per ufunc method ("__call__", "reduce", ...), the function applying it (filled by the
    package's ``__init__``)."""
    functions: ClassVar[dict[Any, Callable[..., Any]]] = {}
    """numpy function -> its implementation on dual arrays (filled by the package's
    ``__init__``); a function not here is refused by name."""

    value: np.ndarray
    tangent: np.ndarray
    tag: int

    def __init__(self, value: Any, tangent: Any, tag: int = 0) -> None:
        if _nested(value, tangent):  # two derivatives at once (a hessian's)
            if tangent.shape != (*np.shape(value), tangent.shape[-1]):
                raise ValueError("DualArray: the tangent must have the value's shape plus one axis")
            self.value, self.tangent, self.tag = value, tangent, tag
            return
        value = np.asarray(value)
        if value.dtype.kind not in "fiub":
            raise TypeError(f"DualArray values must be real numbers, got dtype {value.dtype}")
        if value.dtype.kind != "f":
            value = value.astype(np.float64)
        tangent = np.asarray(tangent, dtype=np.result_type(value.dtype, np.float32))
        if tangent.shape[:-1] != value.shape or tangent.ndim != value.ndim + 1:
            raise ValueError(
                f"DualArray: tangent shape {tangent.shape} must be the value's shape "
                f"{value.shape} plus one trailing axis of tangents"
            )
        self.value, self.tangent, self.tag = value, tangent, tag

    # -- what numpy asks of an array (shape, ndim, len ... come from the dispatch base) --------
    width = property(lambda self: self.tangent.shape[-1], doc="Tangents per entry (k).")

    def __repr__(self) -> str:
        return f"DualArray({self.value!r}, tangent shape {self.tangent.shape}, tag={self.tag})"

    def __getitem__(self, index: Any) -> Any:
        _check_index(index)
        return from_parts(self.value[index], self.tangent[tangent_index(index)], self.tag)

    def __setitem__(self, index: Any, item: Any) -> None:
        _check_index(index)
        value, tangent = as_parts(item, self.tag)
        self.value[index] = value
        if not getattr(
            self.tangent, "flags", _WRITEABLE
        ).writeable:  # a broadcast view: own it before writing
            self.tangent = self.tangent.copy()
        self.tangent[tangent_index(index)] = 0.0 if tangent is None else tangent

    # (operators: numpy's ufuncs, installed on the dispatch base)
    _dual_array: ClassVar[bool] = True  # a Dual meeting one gives way (returns NotImplemented)

    # -- numpy's dispatch ----------------------------------------------------------------------
    words: ClassVar[Wording] = Wording(
        where="on dual arrays",
        carries="the derivative",
        called="a DualArray",
        unsupported=(
            ": it has no derivative rule in dualgrad, so its result would drop the derivative. "
            "Use the supported numpy functions (see dualgrad.vector.dualarray.supported()), take "
            "x.value for a number on purpose, or give it a rule with dualgrad.primitive / "
            "dualgrad.custom_jvp."
        ),
    )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """An object array of Duals (``np.asarray(x)``, ``np.array(x)``): the derivative stays
        in its entries; any float conversion is refused, loudly."""
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(self.drops(f"converting it to an array of {np.dtype(dtype)}"))
        if _nested(self.value, self.tangent):
            raise NestedEntries(
                "the entries of a dual array carrying two derivatives at once (a hessian's) "
                "cannot be taken one by one as Duals: use numpy functions on the array, or "
                "pass the parameters as a list"
            )
        out = np.empty(self.shape, dtype=object)
        flat = out.reshape(-1)
        tangents = self.tangent.reshape(-1, self.width)
        for i, v in enumerate(self.value.reshape(-1).tolist()):
            flat[i] = _scalar_dual(v, tangents[i], self.tag)
        return out

    def tolist(self) -> Any:
        """Nested lists of Duals, as ndarray.tolist gives floats."""
        return np.asarray(self, dtype=object).tolist()

    def item(self, *index: Any) -> Any:
        """The one entry (or the entry at `index`) as a Dual."""
        if not index:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return np.reshape(self, -1)[0]
        flat = np.reshape(self, -1)
        return flat[index[0]] if len(index) == 1 else self[index]

    def reshape(self, *shape: Any, order: str = "C") -> Any:
        """As ndarray.reshape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        new_shape: Any = shape[0] if len(shape) == 1 else shape
        reshape: Any = np.reshape  # (numpy's stubs know ndarrays only)
        return reshape(self, new_shape, order=order)

    def sort(self, axis: int = -1, kind: Any = None, order: Any = None) -> None:
        """Sort in place, each tangent moving with its value."""
        self[...] = np.sort(self, axis=axis)

    def fill(self, number: Any) -> None:
        self[...] = number

    def copy(self) -> DualArray:
        return DualArray(self.value.copy(), self.tangent.copy(), self.tag)

    def astype(self, dtype: Any, copy: bool = True) -> DualArray:
        """A float dtype keeps the tangent (float32: both rounded); others are refused."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(self.drops(f"astype({dtype})"))
        return DualArray(self.value.astype(dtype), self.tangent.astype(dtype), self.tag)


class NestedEntries(TypeError):
    """Raised where code would take a nested dual array entry by entry (``np.asarray``):
    :func:`dualgrad.hessian` then takes the entry-by-entry path of nested Duals instead."""


def _check_index(index: Any) -> None:
    items = index if type(index) is tuple else (index,)
    for i in items:
        if isinstance(i, (DualArray, Dual)):
            raise TypeError(
                f"an index must be a plain int, slice or array, got {describe(i)}: take its "
                ".value to index on purpose (an index has no derivative)"
            )


def tangent_index(index: Any) -> Any:
    """The index into a tangent array that selects what `index` selects of the values (the
    trailing tangent axis kept whole)."""
    if type(index) is tuple:
        return (*index, slice(None))
    return (index, slice(None))


def _scalar_dual(value: float, tangent: np.ndarray, tag: int) -> Dual:
    """An entry as an ordinary Dual: one tangent as a float, k as a vector."""
    t = float(tangent[0]) if tangent.shape[0] == 1 else tangent.copy()
    return Dual.from_parts(float(value), t, tag)


def from_parts(value: Any, tangent: Any, tag: int) -> Any:
    """The number of `value` and `tangent` (trailing tangent axis): a DualArray, or for one
    entry (a numpy scalar value) an ordinary Dual."""
    if type(value) is np.ndarray and value.ndim:
        if value.dtype.kind == "f" and type(tangent) is np.ndarray:
            # FAST PATH: the arrays of an operation, already of the right kinds and shapes
            # (what __init__ checks and converts; tests/vector/test_dualarray_fast_paths.py)
            out = _new_array(DualArray)
            out.value, out.tangent, out.tag = value, tangent, tag
            return out
        return DualArray(value, tangent, tag)
    if (isinstance(value, np.ndarray) and value.ndim) or _nested(value, tangent):
        return DualArray(value, tangent, tag)  # (nested numbers stay dual arrays, even 0-d)
    return _scalar_dual(value, tangent, tag)


_new_array = object.__new__


def _nested(value: Any, tangent: Any) -> bool:
    """Numbers of two derivatives at once (a hessian's): they stay dual arrays, even 0-d."""
    return type(value) in (DualArray, Dual) or type(tangent) is DualArray


def as_parts(x: Any, tag: int) -> tuple[Any, Any]:
    """(value, tangent with a trailing tangent axis, or None for a constant) of any operand
    in a pass of perturbation `tag`: a DualArray, a Dual, an ndarray or a number."""
    if type(x) is DualArray:
        if x.tag == tag:
            return x.value, x.tangent
        if x.tag < tag:  # an enclosing derivative's array: a constant here (a hessian's)
            return x, None
        raise TypeError(_mixed(x.tag, tag))
    if type(x) is Dual:
        if x.tag != tag or type(x.value) is Dual:
            raise TypeError(_mixed(x.tag, tag))
        t = x.tangent
        if hasattr(t, "dense"):  # a sparse tangent of the vector layer
            t = t.dense()
        return x.value, np.reshape(np.asarray(t, dtype=np.float64), (-1,))
    if isinstance(x, (np.ndarray, np.generic)) or type(x) in _REAL or isinstance(x, bool):
        arr = np.asarray(x)
        if arr.dtype == object:
            return _object_parts(arr, tag)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"a dual array cannot meet {describe(x)} of dtype {arr.dtype}")
        return x, None
    if isinstance(x, (list, tuple)):
        return as_parts(np.asarray(x) if not holds(x, (Dual, DualArray)) else _stack(x, tag), tag)
    raise TypeError(
        f"a dual array cannot meet {describe(x)} (type {type(x).__name__}): give numbers, "
        "numpy arrays or dual arrays"
    )


def _stack(x: Any, tag: int) -> DualArray:
    """np.array of a list mixing numbers and Duals, as a DualArray (np.stack of its parts)."""
    parts = [as_parts(e, tag) for e in x]
    k = max((t.shape[-1] for _, t in parts if t is not None), default=1)
    values = [np.asarray(v, dtype=np.float64) for v, _ in parts]
    tangents = [
        np.zeros((*np.shape(v), k)) if t is None else np.broadcast_to(t, (*np.shape(v), k))
        for v, t in zip(values, (t for _, t in parts), strict=True)
    ]
    return DualArray(np.stack(values), np.stack(tangents), tag)


def _object_parts(arr: np.ndarray, tag: int, generic: bool = False) -> tuple[Any, Any]:
    """An object ndarray of numbers and Duals of this pass: its values and tangents."""
    flat = arr.reshape(-1).tolist()
    if not any(type(e) is Dual for e in flat):
        return arr.astype(np.float64), None
    bulk = None if generic else _duals_in_bulk(flat, tag)
    if bulk is not None:
        values, tangents = bulk
        return values.reshape(arr.shape), tangents.reshape((*arr.shape, tangents.shape[-1]))
    return as_parts(np.reshape(_stack(flat, tag), arr.shape), tag)


_FLOATS = {float, int}


def _duals_in_bulk(flat: list[Any], tag: int) -> tuple[np.ndarray, np.ndarray] | None:
    """FAST PATH of :func:`_object_parts` (``generic=True``: each entry's parts stacked):
    numbers and Duals of this pass with float tangents, or Duals all with k-vectors (an ODE
    step's ``np.array([dx, dy])`` meeting a dual array), read in one list each; else None."""
    values: list[Any] = []
    tangents: list[Any] = []
    for e in flat:
        plain = type(e) in _FLOATS
        if not plain and (type(e) is not Dual or e.tag != tag or type(e.value) not in _FLOATS):
            return None
        values.append(e if plain else e.value)
        tangents.append(0.0 if plain else e.tangent)
    kinds = set(map(type, tangents))
    if not (kinds <= _FLOATS or (kinds == {np.ndarray} and len({t.shape for t in tangents}) == 1)):
        return None
    block = np.array(tangents, dtype=np.float64)
    block = block[:, None] if block.ndim == 1 else block
    return (np.array(values, dtype=np.float64), block) if block.ndim == 2 else None


def _mixed(other: int, tag: int) -> str:
    return (
        f"a dual array of perturbation {tag} met a number of perturbation {other}: derivatives "
        "nested over numpy arrays (a derivative inside another one's pass) are not supported "
        "by dual arrays; pass the inner parameters as a list, or take x.value on purpose"
    )

"""Reductions and selections on dual arrays.

Sums, means, traces and differences are linear: the tangent goes through the same function
over the value's axes. ``max``/``min`` follow the table's tie rule (the first of equal
entries, or the first nan, carries the slope, as a left fold of the max rule would), and
sorting moves each tangent with its value. ``prod`` takes the table's product-of-the-others
partials (prefix and suffix products: exact at zeros). ``std`` and ``var`` are made of the
rules they are written with, and everything that only reads values (argmax, comparisons,
nonzero ...) returns plain arrays.

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> x = DualArray(np.array([3.0, 1.0, 3.0]), np.eye(3))
>>> np.max(x).tangent.tolist(), np.prod(x).tangent.tolist()
([1.0, 0.0, 0.0], [3.0, 9.0, 3.0])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.vector.dispatch import Functions, values_of
from dualgrad.vector.dualarray.core import DualArray, from_parts
from dualgrad.vector.dualarray.shapes import axes_of, parts, tangent_or_zeros
from dualgrad.vector.dualarray.ufuncs import times

__all__ = ["FUNCTIONS"]

FUNCTIONS = Functions()
"""numpy function -> implementation (merged into DualArray.functions by the package)."""
_implements = FUNCTIONS.implements


def _plain_only(name: str, **kwargs: Any) -> None:
    """Refuse the arguments a reduction on dual arrays does not take (out=, where= ...)."""
    given = [k for k, v in kwargs.items() if v is not None and v is not np._NoValue]
    if given:
        raise TypeError(f"np.{name} on dual arrays takes no {', '.join(given)} argument")


# -- linear reductions ------------------------------------------------------------------------
@_implements(np.sum)
def _sum(x: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         initial: Any = None, where: Any = None) -> Any:  # fmt: skip
    _plain_only("sum", dtype=dtype, out=out, where=where)
    axes = axes_of(axis, x.ndim)
    value = np.sum(x.value, axis=axes, keepdims=keepdims)
    if initial is not None:
        value = value + initial
    return from_parts(value, np.sum(x.tangent, axis=axes, keepdims=keepdims), x.tag)


@_implements(np.mean)
def _mean(x: Any, axis: Any = None, dtype: Any = None, out: Any = None,
          keepdims: bool = False, where: Any = None) -> Any:  # fmt: skip
    _plain_only("mean", dtype=dtype, out=out, where=where)
    axes = axes_of(axis, x.ndim)
    value = np.mean(x.value, axis=axes, keepdims=keepdims)
    return from_parts(value, np.mean(x.tangent, axis=axes, keepdims=keepdims), x.tag)


def _cumulative_axis(x: Any, axis: Any) -> tuple[Any, int]:
    """The array and the one axis a cumulative function runs along (axis=None: flattened)."""
    if axis is None:
        return np.reshape(x, -1), 0
    (a,) = axes_of(axis, x.ndim)
    return x, a


@_implements(np.cumsum)
def _cumsum(x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _plain_only("cumsum", dtype=dtype, out=out)
    x, a = _cumulative_axis(x, axis)
    return from_parts(np.cumsum(x.value, axis=a), np.cumsum(x.tangent, axis=a), x.tag)


@_implements(np.diff)
def _diff(x: Any, n: int = 1, axis: int = -1, **kwargs: Any) -> Any:
    if kwargs:
        raise TypeError("np.diff on dual arrays takes no prepend or append argument")
    (a,) = axes_of(axis, x.ndim)
    return from_parts(np.diff(x.value, n, axis=a), np.diff(x.tangent, n, axis=a), x.tag)


@_implements(np.trace)
def _trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kwargs: Any) -> Any:
    return np.sum(np.diagonal(x, offset, axis1, axis2), axis=-1)


@_implements(np.diagonal)
def _diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    (a,), (b,) = axes_of(axis1, x.ndim), axes_of(axis2, x.ndim)
    tangent = np.moveaxis(np.diagonal(x.tangent, offset, a, b), -2, -1)  # k axis to the end
    return from_parts(np.diagonal(x.value, offset, a, b), tangent, x.tag)


@_implements(np.diag)
def _diag(x: Any, k: int = 0) -> Any:
    if x.ndim == 2:
        return _diagonal(x, k)
    if x.ndim != 1:
        raise ValueError("np.diag: input must be 1-D or 2-D")
    value = np.diag(x.value, k)
    tangent = np.zeros((*value.shape, x.width))
    rows = np.arange(x.shape[0]) + max(-k, 0)
    tangent[rows, rows + k] = x.tangent
    return from_parts(value, tangent, x.tag)


def _triangular(plain: Callable[..., Any]) -> Callable[..., Any]:
    def triangle(x: DualArray, k: int = 0) -> Any:
        keep = plain(np.ones(x.shape[-2:], dtype=bool), k)
        return from_parts(plain(x.value, k), x.tangent * keep[..., None], x.tag)

    return triangle


FUNCTIONS[np.tril], FUNCTIONS[np.triu] = _triangular(np.tril), _triangular(np.triu)


# -- reductions by the table's rules ----------------------------------------------------------
def _pick(x: Any, index: Any, axis: int, keepdims: bool) -> Any:
    """The entries at `index` (positions along `axis`, one per lane) with their tangents."""
    idx = np.expand_dims(index, axis)
    value = np.take_along_axis(x.value, idx, axis)
    tangent = np.take_along_axis(x.tangent, idx[..., None], axis)
    if not keepdims:
        value, tangent = np.squeeze(value, axis), np.squeeze(tangent, axis)
    return from_parts(value, tangent, x.tag)


def _nan_lanes(x: Any, found: Any, a: int, keepdims: bool) -> Any:
    """A lane holding a nan: its max (min) is nan, and so is its slope along every tangent
    that moves an entry of the lane - the table's max rule folded over the lane gives nan
    slopes from the first nan on, which only zero tangents meet as 0."""
    value, tangent = found.value, found.tangent
    if not isinstance(value, (float, np.ndarray, np.generic)) or not np.isnan(value).any():
        return found  # (nested numbers: a hessian's; their own rules decide)
    moving = np.any(x.tangent != 0, axis=a, keepdims=keepdims)
    shape = (*np.shape(value), x.width)
    tangent = np.reshape(np.asarray(tangent, dtype=np.float64), shape)
    return from_parts(value, np.where(np.isnan(value)[..., None] & moving, np.nan, tangent), x.tag)


def _extreme(name: str, arg: Callable[..., Any]) -> Callable[..., Any]:
    def extreme(x: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
                initial: Any = None, where: Any = None) -> Any:  # fmt: skip
        _plain_only(name, out=out, initial=initial, where=where)
        if axis is None or (isinstance(axis, (tuple, list)) and len(axis) != 1):
            axes = axes_of(axis, x.ndim)
            rest = [a for a in range(x.ndim) if a not in axes]
            moved = np.transpose(x, (*rest, *axes))
            flat = np.reshape(moved, (*moved.shape[: len(rest)], -1))
            found = extreme(flat, axis=-1)
            if keepdims:
                found = np.reshape(found, [1 if a in axes else n for a, n in enumerate(x.shape)])
            return found
        (a,) = axes_of(axis[0] if isinstance(axis, (tuple, list)) else axis, x.ndim)
        if x.shape[a] == 0:
            raise ValueError(f"np.{name}: zero-size array to reduction operation has no identity")
        # argmax/argmin return the first extreme entry, and the first nan if there is one:
        # the table's max/min rule folded from the left, value and slope alike
        found = _pick(x, arg(x.value, axis=a), a, keepdims)
        return _nan_lanes(x, found, a, keepdims)

    return extreme


FUNCTIONS[np.max] = FUNCTIONS[np.amax] = _extreme("max", np.argmax)
FUNCTIONS[np.min] = FUNCTIONS[np.amin] = _extreme("min", np.argmin)


@_implements(np.ptp)
def _ptp(x: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    return np.subtract(np.max(x, axis=axis, keepdims=keepdims), np.min(x, axis, keepdims=keepdims))


@_implements(np.prod)
def _prod(x: Any, axis: Any = None, dtype: Any = None, out: Any = None,
          keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:  # fmt: skip
    _plain_only("prod", dtype=dtype, out=out, initial=initial, where=where)
    if axis is None or isinstance(axis, (tuple, list)):
        axes = axes_of(axis, x.ndim)
        rest = [a for a in range(x.ndim) if a not in axes]
        moved = np.transpose(x, (*rest, *axes))
        found = _prod(np.reshape(moved, (*moved.shape[: len(rest)], -1)), axis=-1)
        if keepdims:
            found = np.reshape(found, [1 if a in axes else n for a, n in enumerate(x.shape)])
        return found
    (a,) = axes_of(axis, x.ndim)
    v = x.value
    with np.errstate(all="ignore"):  # the partials warn of nothing in the user's values
        tangent = _prod_tangent(x, v, a, keepdims)
    return from_parts(np.prod(v, axis=a, keepdims=keepdims), tangent, x.tag)


def _prod_tangent(x: Any, v: Any, a: int, keepdims: bool) -> Any:
    """sum_i t_i * (the product of the others) along axis a: prefix times suffix products,
    no division (the table's prod reduction, rules.REDUCTIONS["prod"]: exact at zeros)."""
    ones = np.ones_like(np.take(v, [0], axis=a))
    left = np.cumprod(
        np.concatenate([ones, np.take(v, np.arange(x.shape[a] - 1), axis=a)], axis=a), axis=a
    )
    rest = np.concatenate([np.take(v, np.arange(1, x.shape[a]), axis=a), ones], axis=a)
    right = np.flip(np.cumprod(np.flip(rest, a), axis=a), a)
    return np.sum(times(x.tangent, left * right), axis=a, keepdims=keepdims)


@_implements(np.cumprod)
def _cumprod(x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _plain_only("cumprod", dtype=dtype, out=out)
    x, a = _cumulative_axis(x, axis)
    # lanes keep their axis (x[..., i:i+1]): one-entry lanes of a vector stay dual arrays
    lanes = [x[(slice(None),) * a + (slice(i, i + 1),)] for i in range(x.shape[a])]
    running, out_lanes = None, []
    for lane in lanes:  # the mul rule, lane by lane
        running = lane if running is None else np.multiply(running, lane)
        out_lanes.append(running)
    if not out_lanes:
        return x.copy()
    return np.concatenate(out_lanes, axis=a)


@_implements(np.var)
def _var(x: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
         keepdims: bool = False, **kwargs: Any) -> Any:  # fmt: skip
    _plain_only("var", dtype=dtype, out=out, **kwargs)
    axes = axes_of(axis, x.ndim)
    centred = np.subtract(x, np.mean(x, axis=axes, keepdims=True))
    n = int(np.prod([x.shape[a] for a in axes]))
    return np.divide(np.sum(np.multiply(centred, centred), axis=axes, keepdims=keepdims), n - ddof)


@_implements(np.std)
def _std(x: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
         keepdims: bool = False, **kwargs: Any) -> Any:  # fmt: skip
    return np.sqrt(_var(x, axis, dtype, out, ddof, keepdims, **kwargs))


@_implements(np.average)
def _average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False,
             keepdims: bool = False) -> Any:  # fmt: skip
    shape = np.shape(values_of(a))
    if weights is None:
        weights = np.ones(shape)
    elif np.ndim(values_of(weights)) != len(shape):  # 1-D weights along `axis`
        if axis is None or isinstance(axis, (tuple, list)):
            raise TypeError("np.average: 1-D weights need one axis")
        lane = [1] * len(shape)
        lane[axes_of(axis, len(shape))[0]] = -1
        weights = np.reshape(weights, lane)
    scale = np.sum(np.multiply(np.ones(shape), weights), axis=axis, keepdims=keepdims)
    total = np.divide(np.sum(np.multiply(a, weights), axis=axis, keepdims=keepdims), scale)
    return (total, scale) if returned else total


# -- selection --------------------------------------------------------------------------------
@_implements(np.where)
def _where(condition: Any, *branches: Any) -> Any:
    cond = np.asarray(values_of(condition), dtype=bool)
    if not branches:
        return np.nonzero(cond)
    tag, (va, vb), (ta, tb), k = parts(list(branches))
    value = np.where(cond, va, vb)
    c = cond[..., None]
    tangent = np.where(c, tangent_or_zeros(va, ta, k), tangent_or_zeros(vb, tb, k))
    return from_parts(value, np.broadcast_to(tangent, (*value.shape, k)), tag)


@_implements(np.clip)
def _clip(x: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kwargs: Any) -> Any:
    _plain_only("clip", out=out)
    a_min = kwargs.get("min", a_min)
    a_max = kwargs.get("max", a_max)
    if a_min is not None:
        x = np.maximum(x, a_min)  # the table's max rule: at the bound, the slope of x
    if a_max is not None:
        x = np.minimum(x, a_max)
    return x


@_implements(np.sort)
def _sort(x: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    if axis is None:
        x, axis = np.reshape(x, -1), 0
    (a,) = axes_of(axis, x.ndim)
    index = np.argsort(x.value, axis=a, kind="stable")
    value = np.take_along_axis(x.value, index, a)
    return from_parts(value, np.take_along_axis(x.tangent, index[..., None], a), x.tag)


@_implements(np.take)
def _take(
    x: DualArray, indices: Any, axis: Any = None, out: Any = None, mode: Any = "raise"
) -> Any:
    _plain_only("take", out=out)
    if axis is None:
        flat = x.tangent.reshape(-1, x.width)
        value = np.take(x.value, indices, mode=mode)
        return from_parts(value, np.take(flat, indices, axis=0, mode=mode), x.tag)
    (a,) = axes_of(axis, x.ndim)
    value = np.take(x.value, indices, axis=a, mode=mode)
    return from_parts(value, np.take(x.tangent, indices, axis=a, mode=mode), x.tag)


@_implements(np.take_along_axis)
def _take_along_axis(x: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        return _take(x, np.ravel(indices))
    (a,) = axes_of(axis, x.ndim)
    value = np.take_along_axis(x.value, indices, a)
    return from_parts(value, np.take_along_axis(x.tangent, indices[..., None], a), x.tag)


@_implements(np.round, np.around)
def _round(x: Any, decimals: int = 0, out: Any = None) -> Any:
    _plain_only("round", out=out)  # piecewise constant: slope 0 (as floor in the table)
    value = np.round(x.value, decimals)
    return from_parts(value, np.zeros((*np.shape(value), x.width)), x.tag)


def _on_values(func: Any) -> Callable[..., Any]:
    def read(*args: Any, **kwargs: Any) -> Any:
        return func(*(values_of(a) for a in args), **{k: values_of(v) for k, v in kwargs.items()})

    return read


for _func in (
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.count_nonzero,
    np.searchsorted, np.any, np.all, np.isclose, np.allclose, np.array_equal, np.shape,
    np.ndim, np.size, np.signbit, np.isfinite, np.isnan, np.isinf, np.result_type,
    np.argwhere, np.digitize, np.iscomplexobj, np.isrealobj, np.can_cast,
    np.min_scalar_type,
):  # fmt: skip
    FUNCTIONS[_func] = _on_values(_func)

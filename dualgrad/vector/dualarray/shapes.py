"""numpy's shape, copy and selection functions on dual arrays.

Each of them moves or copies entries, so it is linear: the value and the tangent go through
the same function, the tangent with its trailing axis of k tangents kept in place (axes are
counted on the value, never reaching the tangent axis).

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> x = DualArray(np.arange(6.0).reshape(2, 3), np.ones((2, 3, 1)))
>>> np.transpose(x).shape, np.concatenate([x, x], axis=None).tangent.shape
((3, 2), (12, 1))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dualgrad.vector.dispatch import Functions
from dualgrad.vector.dualarray.core import DualArray, as_parts, from_parts

__all__ = ["FUNCTIONS", "axes_of", "parts", "tangent_or_zeros"]

FUNCTIONS = Functions()
"""numpy function -> implementation (merged into DualArray.functions by the package)."""
_implements = FUNCTIONS.implements


def axes_of(axis: Any, ndim: int) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple, negative counted from the end) as positive axes of
    an array of `ndim` axes: on a tangent, they never reach its trailing tangent axis."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(_axis(a, ndim) for a in axis)
    return (_axis(axis, ndim),)


def _axis(axis: Any, ndim: int) -> int:
    a = int(axis)
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(a, ndim)
    return a % ndim


def parts(items: Sequence[Any]) -> tuple[int, list[Any], list[Any], int]:
    """(tag, values, tangents or None, k) of operands among which is a dual array."""
    tag = max(x.tag for x in _flat(items) if type(x) is DualArray)  # the newest: see ufuncs
    split = [as_parts(x, tag) for x in items]
    k = max(t.shape[-1] for _, t in split if t is not None)
    return tag, [v for v, _ in split], [t for _, t in split], k


def _flat(items: Sequence[Any]) -> list[Any]:
    return [x for x in items if type(x) is DualArray] or [
        y for x in items if isinstance(x, (list, tuple)) for y in _flat(x)
    ]


def tangent_or_zeros(value: Any, tangent: Any, k: int) -> Any:
    """The tangent of an operand (k wide), zeros for a constant."""
    shape = (*np.shape(value), k)
    if tangent is None:
        return np.zeros(shape)
    return tangent if tangent.shape == shape else np.broadcast_to(tangent, shape)


def _both(x: Any, on_value: Callable[[Any], Any], on_tangent: Callable[[Any], Any]) -> Any:
    return from_parts(on_value(x.value), on_tangent(x.tangent), x.tag)


# -- reshaping --------------------------------------------------------------------------------
@_implements(np.reshape)
def _reshape(x: Any, *args: Any, **kwargs: Any) -> Any:
    shape = kwargs.pop("shape", kwargs.pop("newshape", args[0] if args else None))
    if kwargs.get("order", "C") != "C" or (len(args) > 1 and args[1] != "C"):
        raise TypeError("np.reshape of a dual array takes order='C' only")
    value = np.reshape(x.value, shape)
    return from_parts(value, x.tangent.reshape((*value.shape, x.width)), x.tag)


@_implements(np.ravel)
def _ravel(x: Any, order: str = "C") -> Any:
    return _reshape(x, -1, order=order)


@_implements(np.transpose, np.permute_dims)
def _transpose(x: Any, axes: Any = None) -> Any:
    order = tuple(reversed(range(x.ndim))) if axes is None else axes_of(axes, x.ndim)
    return _both(x, lambda v: np.transpose(v, order), lambda t: np.transpose(t, (*order, x.ndim)))


@_implements(np.swapaxes)
def _swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    (a,), (b,) = axes_of(axis1, x.ndim), axes_of(axis2, x.ndim)
    return _both(x, lambda v: np.swapaxes(v, a, b), lambda t: np.swapaxes(t, a, b))


@_implements(np.moveaxis)
def _moveaxis(x: Any, source: Any, destination: Any) -> Any:
    s, d = axes_of(source, x.ndim), axes_of(destination, x.ndim)
    return _both(x, lambda v: np.moveaxis(v, s, d), lambda t: np.moveaxis(t, s, d))


@_implements(np.squeeze)
def _squeeze(x: Any, axis: Any = None) -> Any:
    if axis is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        axes = axes_of(axis, x.ndim)
    return _both(x, lambda v: np.squeeze(v, axes), lambda t: np.squeeze(t, axes))


@_implements(np.expand_dims)
def _expand_dims(x: Any, axis: Any) -> Any:
    count = len(axis) if isinstance(axis, (tuple, list)) else 1
    axes = axes_of(axis, x.ndim + count)
    return _both(x, lambda v: np.expand_dims(v, axes), lambda t: np.expand_dims(t, axes))


@_implements(np.broadcast_to)
def _broadcast_to(x: Any, shape: Any, subok: bool = False) -> Any:
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    return _both(x, lambda v: np.broadcast_to(v, shape), lambda t: _lift(t, shape, x.width))


def _lift(t: Any, shape: tuple[int, ...], k: int) -> Any:
    return np.broadcast_to(t, (*shape, k))


@_implements(np.broadcast_arrays)
def _broadcast_arrays(*items: Any, subok: bool = False) -> tuple[Any, ...]:
    shape = np.broadcast_shapes(*(np.shape(_values(x)) for x in items))
    return tuple(np.broadcast_to(x, shape) for x in items)


def _values(x: Any) -> Any:
    return x.value if type(x) is DualArray else x


def _atleast_n(n: int) -> Callable[..., Any]:
    plain = {1: np.atleast_1d, 2: np.atleast_2d, 3: np.atleast_3d}[n]

    def atleast(*items: Any) -> Any:
        out = []
        for x in items:
            if type(x) is DualArray:
                out.append(_reshape(x, plain(x.value).shape))
            else:
                out.append(plain(x))
        return out[0] if len(out) == 1 else out

    return atleast


for _n, _f in ((1, np.atleast_1d), (2, np.atleast_2d), (3, np.atleast_3d)):
    FUNCTIONS[_f] = _atleast_n(_n)


# -- joining and splitting ---------------------------------------------------------------------
@_implements(np.concatenate)
def _concatenate(items: Sequence[Any], axis: Any = 0, **kwargs: Any) -> Any:
    tag, values, tangents, k = parts(list(items))
    if axis is None:
        values = [np.ravel(v) for v in values]
        tangents = [None if t is None else t.reshape(-1, t.shape[-1]) for t in tangents]
        axis = 0
    value = np.concatenate(values, axis=axis)
    (a,) = axes_of(axis, value.ndim)
    tangent = np.concatenate(
        [tangent_or_zeros(v, t, k) for v, t in zip(values, tangents, strict=True)], axis=a
    )
    return from_parts(value, tangent, tag)


@_implements(np.stack)
def _stack(items: Sequence[Any], axis: int = 0, **kwargs: Any) -> Any:
    tag, values, tangents, k = parts(list(items))
    value = np.stack(values, axis=axis)
    (a,) = axes_of(axis, value.ndim)
    tangent = np.stack(
        [tangent_or_zeros(v, t, k) for v, t in zip(values, tangents, strict=True)], axis=a
    )
    return from_parts(value, tangent, tag)


@_implements(np.vstack, np.row_stack if hasattr(np, "row_stack") else np.vstack)
def _vstack(items: Sequence[Any], **kwargs: Any) -> Any:
    return _concatenate([FUNCTIONS[np.atleast_2d](x) for x in items], axis=0)


@_implements(np.hstack)
def _hstack(items: Sequence[Any], **kwargs: Any) -> Any:
    items = [FUNCTIONS[np.atleast_1d](x) for x in items]
    return _concatenate(items, axis=0 if all(np.ndim(_values(x)) == 1 for x in items) else 1)


@_implements(np.column_stack)
def _column_stack(items: Sequence[Any]) -> Any:
    return _concatenate(
        [np.reshape(x, (-1, 1)) if np.ndim(_values(x)) < 2 else x for x in items], axis=1
    )


@_implements(np.append)
def _append(arr: Any, values: Any, axis: Any = None) -> Any:
    return _concatenate([arr, values], axis=axis)


@_implements(np.split)
def _split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    (a,) = axes_of(axis, x.ndim)
    if isinstance(indices_or_sections, int) and x.shape[a] % indices_or_sections:
        np.split(x.value, indices_or_sections, axis=a)  # np.split's own error
    return _array_split(x, indices_or_sections, axis)


@_implements(np.array_split)
def _array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """np.array_split (and np.split where that one does not refuse): unequal parts allowed."""
    (a,) = axes_of(axis, x.ndim)
    split = np.array_split
    vs = split(x.value, indices_or_sections, axis=a)
    ts = split(x.tangent, indices_or_sections, axis=a)
    return [from_parts(v, t, x.tag) for v, t in zip(vs, ts, strict=True)]


# -- reordering and copying --------------------------------------------------------------------
@_implements(np.flip)
def _flip(x: Any, axis: Any = None) -> Any:
    axes = axes_of(axis, x.ndim)
    return _both(x, lambda v: np.flip(v, axes), lambda t: np.flip(t, axes))


FUNCTIONS[np.fliplr] = lambda x: _flip(x, 1)
FUNCTIONS[np.flipud] = lambda x: _flip(x, 0)


@_implements(np.roll)
def _roll(x: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        flat = _reshape(x, -1)
        return _reshape(_roll(flat, shift, 0), x.shape)
    axes = axes_of(axis, x.ndim)
    return _both(x, lambda v: np.roll(v, shift, axes), lambda t: np.roll(t, shift, axes))


@_implements(np.pad)
def _pad(x: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    if mode not in ("constant", "edge", "reflect", "symmetric", "wrap"):
        raise TypeError(f"np.pad of a dual array: mode {mode!r} is not supported")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2)).tolist()
    value = np.pad(x.value, widths, mode=mode, **kwargs)
    extra = {k: v for k, v in kwargs.items() if k == "reflect_type"}
    tangent = np.pad(x.tangent, [*widths, [0, 0]], mode=mode, **extra)  # constants add 0
    return from_parts(value, tangent, x.tag)


@_implements(np.tile)
def _tile(x: Any, reps: Any) -> Any:
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    d = max(x.ndim, len(reps))
    reps = (1,) * (d - len(reps)) + reps
    t = x.tangent.reshape((1,) * (d - x.ndim) + x.tangent.shape)
    return from_parts(np.tile(x.value, reps), np.tile(t, (*reps, 1)), x.tag)


@_implements(np.repeat)
def _repeat(x: Any, repeats: Any, axis: Any = None) -> Any:
    if axis is None:
        x = _reshape(x, -1)
        axis = 0
    (a,) = axes_of(axis, x.ndim)
    return _both(x, lambda v: np.repeat(v, repeats, a), lambda t: np.repeat(t, repeats, a))


@_implements(np.copy)
def _copy(x: Any, order: str = "K", subok: bool = False) -> Any:
    return x.copy()


@_implements(np.zeros_like, np.empty_like)
def _zeros_like(x: Any, dtype: Any = None, **kwargs: Any) -> Any:
    value = np.zeros_like(x.value, dtype=_float_dtype(x, dtype), shape=kwargs.get("shape"))
    return DualArray(value, np.zeros((*value.shape, x.width)), x.tag)


@_implements(np.ones_like)
def _ones_like(x: Any, dtype: Any = None, **kwargs: Any) -> Any:
    value = np.ones_like(x.value, dtype=_float_dtype(x, dtype), shape=kwargs.get("shape"))
    return DualArray(value, np.zeros((*value.shape, x.width)), x.tag)


@_implements(np.full_like)
def _full_like(x: Any, fill_value: Any, dtype: Any = None, **kwargs: Any) -> Any:
    out = _zeros_like(x, dtype, **kwargs)
    out[...] = fill_value
    return out


def _float_dtype(x: Any, dtype: Any) -> Any:
    """The dtype of a work array made like x: x's own, or a float one asked for."""
    if dtype is None:
        return x.dtype
    if np.dtype(dtype).kind != "f":
        raise TypeError(
            f"an array like a dual array of dtype {np.dtype(dtype)} could not hold derivatives: "
            "leave dtype out (or give a float dtype), or make it from x.value on purpose"
        )
    return dtype

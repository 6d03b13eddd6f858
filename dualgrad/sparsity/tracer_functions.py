"""numpy's functions on traced arrays: moving entries, reducing lanes, reading values.

A function that only moves or copies entries (reshape, concatenate, where, pad, take ...) is
run twice: on the values, and on integer arrays of entry ids (each traced operand's entries
numbered in one :class:`~dualgrad.sparsity.tracer_array.Table`, offset by one so that the
zeros a function fills in - ``np.diag``, ``np.tril``, a constant pad - mean "no
dependencies"); the result's rows are gathered at the ids that come out. A reduction unions
the sets along each lane; functions that read values only return plain arrays.

>>> import numpy as np
>>> from dualgrad.sparsity.tracer_array import TracerArray
>>> x = TracerArray.inputs(np.arange(3.0))
>>> y = np.concatenate([[0.0], x, [0.0]])
>>> [sorted(t.deps) for t in np.diff(y)]
[[0], [0, 1], [1, 2], [2]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dualgrad.sparsity.tracer_array import Table, TracerArray, as_parts, from_parts, no_deps
from dualgrad.vector.dispatch import values_of
from dualgrad.vector.dualarray.reductions import FUNCTIONS as _DUAL_REDUCTIONS
from dualgrad.vector.dualarray.shapes import axes_of

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation on traced arrays."""


def _run(func: Callable[..., Any], args: list[Any], kwargs: dict[str, Any],
         data: Sequence[int], seq: bool, id_kwargs: dict[str, Any]) -> Any:  # fmt: skip
    """func on the values and on the ids of the operands at positions `data` (with `seq`,
    the items of the sequence at position 0); the result gathered from the ids."""
    table = Table()
    values, ids = list(args), list(args)

    def split(x: Any) -> tuple[Any, Any]:
        value, i = table.ids(x)
        return value, i + 1

    for pos in data:
        if pos < len(args):
            values[pos], ids[pos] = split(args[pos])
    if seq:
        pairs = [split(x) for x in args[0]]
        values[0], ids[0] = [v for v, _ in pairs], [i for _, i in pairs]
    value = func(*values, **kwargs)
    at = func(*ids, **{**kwargs, **id_kwargs})
    if isinstance(value, (list, tuple)):
        return [_gather(table, v, i) for v, i in zip(value, at, strict=True)]
    return _gather(table, value, at)


def _gather(table: Table, value: Any, at: Any) -> Any:
    at = np.asarray(at, dtype=np.intp) - 1
    return from_parts(value, table.select(at))


def _moves(*funcs: Any, data: Sequence[int] = (0,), seq: bool = False) -> None:
    for func in funcs:

        def impl(*args: Any, _f: Any = func, **kwargs: Any) -> Any:
            return _run(_f, list(args), kwargs, data, seq, {})

        FUNCTIONS[func] = impl


_moves(
    np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.rollaxis, np.squeeze,
    np.expand_dims, np.broadcast_to, np.flip, np.fliplr, np.flipud, np.roll, np.rot90,
    np.tile, np.repeat, np.take, np.take_along_axis, np.diagonal, np.diag, np.tril, np.triu,
    np.atleast_1d, np.atleast_2d, np.atleast_3d, np.split, np.array_split, np.hsplit,
    np.vsplit, np.copy, np.delete, np.resize,
    *(getattr(np, name) for name in ("permute_dims", "matrix_transpose") if hasattr(np, name)),
)  # fmt: skip
_moves(
    np.concatenate, np.stack, np.hstack, np.vstack, np.dstack, np.column_stack, data=(), seq=True
)
_moves(np.append, data=(0, 1))
_moves(np.insert, data=(0, 2))
_moves(np.broadcast_arrays, data=range(64))


def _where(condition: Any, *branches: Any) -> Any:
    cond = np.asarray(values_of(condition), dtype=bool)
    if not branches:
        return np.nonzero(cond)
    return _run(np.where, [cond, *branches], {}, (1, 2), False, {})


def _pad(x: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    if mode not in ("constant", "edge", "reflect", "symmetric", "wrap", "empty"):
        raise TypeError(f"np.pad in sparsity tracing: mode {mode!r} is not supported")
    fill = {"constant_values": 0} if mode == "constant" else {}
    return _run(np.pad, [x, pad_width, mode], kwargs, (0,), False, fill)


def _sort(x: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    if axis is None:
        x, axis = np.reshape(x, -1), 0
    value, _ = as_parts(x)
    return np.take_along_axis(x, np.argsort(value, axis=axis, kind="stable"), axis)


def _like(fill: Callable[..., Any]) -> Callable[..., Any]:
    def like(x: Any, *args: Any, **kwargs: Any) -> Any:
        value = fill(values_of(x), *args, **kwargs)
        if np.asarray(value).dtype.kind != "f":
            return value
        return TracerArray(value, *no_deps(value))

    return like


def _on_values(func: Any) -> Callable[..., Any]:
    def read(*args: Any, **kwargs: Any) -> Any:
        return func(*map(values_of, args), **{k: values_of(v) for k, v in kwargs.items()})

    return read


def _piecewise_constant(func: Any) -> Callable[..., Any]:
    def constant(x: Any, *args: Any, **kwargs: Any) -> Any:
        value = func(values_of(x), *args, **kwargs)
        return from_parts(value, no_deps(value))

    return constant


FUNCTIONS.update(
    {
        np.where: _where,
        np.pad: _pad,
        np.sort: _sort,
        np.zeros_like: _like(np.zeros_like),
        np.empty_like: _like(np.zeros_like),
        np.ones_like: _like(np.ones_like),
        np.full_like: _like(np.full_like),
        np.round: _piecewise_constant(np.round),
        np.around: _piecewise_constant(np.around),
    }
)
for _func in (
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.count_nonzero,
    np.searchsorted, np.any, np.all, np.isclose, np.allclose, np.array_equal, np.shape,
    np.ndim, np.size, np.signbit, np.isfinite, np.isnan, np.isinf, np.result_type,
    np.argwhere, np.digitize, np.iscomplexobj, np.isrealobj, np.can_cast, np.min_scalar_type,
):  # fmt: skip
    FUNCTIONS[_func] = _on_values(_func)


# -- reductions: the union along each lane ----------------------------------------------------
def _lanes(x: Any, axis: Any, keepdims: bool, value: Any) -> Any:
    """`value` (the reduction of x over `axis`) with each entry's set the union of its
    lane's sets."""
    table = Table()
    v, ids = table.ids(x)
    axes = axes_of(axis, np.ndim(v))
    rest = [a for a in range(np.ndim(v)) if a not in axes]
    moved = np.transpose(ids, (*rest, *axes))
    lanes = int(np.prod([np.shape(v)[a] for a in rest]))
    length = int(np.prod([np.shape(v)[a] for a in axes]))
    if length == 0:
        return from_parts(value, no_deps(value))
    return from_parts(value, table.lanes(moved.reshape(lanes, length)))


def _reduction(func: Any) -> Callable[..., Any]:
    def reduce(x: Any, axis: Any = None, *args: Any, keepdims: bool = False, **kw: Any) -> Any:
        value = func(values_of(x), axis, *args, keepdims=keepdims, **kw)
        return _lanes(x, axis, keepdims, value)

    return reduce


for _func in (
    np.sum, np.mean, np.prod, np.max, np.amax, np.min, np.amin, np.std, np.var, np.ptp,
    np.nansum, np.nanmean, np.nanprod, np.nanmax, np.nanmin, np.nanstd, np.nanvar,
    np.median, np.nanmedian,
):  # fmt: skip
    FUNCTIONS[_func] = _reduction(_func)


def _prefix(func: Any) -> Callable[..., Any]:
    """cumsum, cumprod: entry i of a lane depends on entries 0..i."""

    def prefix(x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        if out is not None:
            raise TypeError(f"np.{func.__name__} in sparsity tracing takes no out argument")
        if axis is None:
            x, axis = np.reshape(x, -1), 0
        table = Table()
        v, ids = table.ids(x)
        (a,) = axes_of(axis, np.ndim(v))
        moved = np.moveaxis(ids, a, -1)
        length = moved.shape[-1]
        lanes = moved.reshape(-1, length)
        i, j = np.tril_indices(length)
        out_ids = (np.arange(len(lanes))[:, None] * length + i).reshape(-1)
        deps = table.union(out_ids, lanes[:, j].reshape(-1), lanes.size)
        order = np.moveaxis(np.arange(lanes.size).reshape(moved.shape), -1, a)
        return _regather(func(v, axis=a), deps, order)

    return prefix


def _regather(value: Any, deps: Any, order: Any) -> Any:
    """Rows `deps` computed in a moved order, gathered back into the value's order."""
    table = Table()
    _, ids = table.ids(TracerArray(np.zeros(order.shape), *deps))
    return from_parts(value, table.select(ids.reshape(-1)[order.reshape(-1)]))


FUNCTIONS[np.cumsum] = _prefix(np.cumsum)
FUNCTIONS[np.cumprod] = _prefix(np.cumprod)
FUNCTIONS[np.nancumsum] = _prefix(np.nancumsum)
FUNCTIONS[np.nancumprod] = _prefix(np.nancumprod)


def _diff(x: Any, n: int = 1, axis: int = -1, **kwargs: Any) -> Any:
    """Entry i of the n-th difference depends on entries i .. i + n of its lane."""
    if kwargs:
        x = np.concatenate(
            [kwargs.get("prepend", np.zeros(0)), x, kwargs.get("append", np.zeros(0))]
        ) if np.ndim(values_of(x)) == 1 else _refuse_diff()  # fmt: skip
    table = Table()
    v, ids = table.ids(x)
    (a,) = axes_of(axis, np.ndim(v))
    value = np.diff(v, n, axis=a)
    moved = np.moveaxis(ids, a, -1)
    m = value.shape[a]
    window = np.arange(m)[:, None] + np.arange(n + 1)  # (m, n + 1)
    lanes = moved.reshape(-1, moved.shape[-1])[:, window]  # (lanes, m, n + 1)
    deps = table.lanes(lanes.reshape(-1, n + 1))
    order = np.moveaxis(np.arange(lanes.shape[0] * m).reshape((*moved.shape[:-1], m)), -1, a)
    return _regather(value, deps, order)


def _refuse_diff() -> Any:
    raise TypeError("np.diff in sparsity tracing takes prepend/append on 1-D arrays only")


def _trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kwargs: Any) -> Any:
    return np.sum(np.diagonal(x, offset, axis1, axis2), axis=-1)


def _clip(x: Any, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Any:
    a_min, a_max = kwargs.pop("min", a_min), kwargs.pop("max", a_max)
    if a_min is not None:
        x = np.maximum(x, a_min)  # the table's max rule, as on dual arrays
    if a_max is not None:
        x = np.minimum(x, a_max)
    return x


FUNCTIONS.update({np.diff: _diff, np.trace: _trace, np.clip: _clip})
FUNCTIONS[np.average] = _DUAL_REDUCTIONS[np.average]  # (written with sum, multiply, divide)


def _norm(x: Any, order: Any = None, axis: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    value = np.linalg.norm(values_of(x), kw.get("ord", order), axis, keepdims)
    return _lanes(x, axis, keepdims, value)


FUNCTIONS[np.linalg.norm] = _norm
if hasattr(np.linalg, "vector_norm"):
    FUNCTIONS[np.linalg.vector_norm] = lambda x, axis=None, keepdims=False, **kw: _lanes(
        x, axis, keepdims, np.linalg.vector_norm(values_of(x), axis=axis, keepdims=keepdims, **kw)
    )
    FUNCTIONS[np.linalg.matrix_norm] = lambda x, keepdims=False, **kw: _lanes(
        x, (-2, -1), keepdims, np.linalg.matrix_norm(values_of(x), keepdims=keepdims, **kw)
    )

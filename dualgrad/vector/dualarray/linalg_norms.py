"""Vector and matrix norms of dual arrays: np.linalg.norm, vector_norm, matrix_norm, cond.

Each value is numpy's own (numpy's errors for bad orders and axes, too); the tangents:

- 2-norm and Frobenius norm: d‖x‖ = Σ (x_i / ‖x‖) dx_i, the partials from x scaled by
  max|x| (so they do not overflow or underflow with the value); at x = 0, the cone's kink,
  0, as the rule table's hypot takes there; an infinite entry: the limits (its sign, 0 for
  the finite ones);
- 1 and ±inf norms (vector and matrix) and the other vector orders p: the same rules as the
  functions they are made of (abs, sum, max/min with the table's tie rule; for p:
  d‖x‖_p = Σ sign(x_i) (|x_i| / ‖x‖_p)^(p-1) dx_i, 0 at x = 0); ord 0 counts nonzeros
  (piecewise constant: tangent 0);
- 'nuc', 2, -2 (matrices): sums and extremes of the singular values, ds = diag(Uᵀ dA V)
  (at repeated or zero singular values as :mod:`.linalg_decomp` says);
- cond: the ratio of the extreme singular values (p = None, ±2), else ‖A‖ ‖A⁻¹‖.

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> np.linalg.norm(DualArray(np.array([3.0, 4.0]), np.eye(2))).tangent.tolist()
[0.6, 0.8]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.vector.dualarray.core import as_parts, from_parts
from dualgrad.vector.dualarray.linalg_decomp import svd_values
from dualgrad.vector.dualarray.shapes import axes_of

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation (merged into DualArray.functions by the package)."""


def _two_norm_tangent(x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """Σ (x_i / ‖x‖) dx_i over `axes`, the partials from x / max|x|; 0 at x = 0."""
    v = x.value
    if v.size == 0:
        shape = np.sum(v, axis=axes, keepdims=keepdims).shape
        return np.zeros((*shape, x.width))
    scale = np.max(np.abs(v), axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = v / scale
        partial = scaled / np.sqrt(np.sum(scaled * scaled, axis=axes, keepdims=True))
    partial = np.where(scale == 0, 0.0, partial)
    partial = np.where(np.isinf(scale), np.where(np.isinf(v), np.sign(v), 0.0), partial)
    return np.sum(partial[..., None] * x.tangent, axis=axes, keepdims=keepdims)


def _p_norm_tangent(x: Any, p: float, axes: tuple[int, ...], keepdims: bool) -> Any:
    """Σ sign(x_i) (|x_i| / ‖x‖_p)^(p-1) dx_i, from |x| / max|x| (no overflow); 0 at x = 0."""
    magnitude = np.abs(x.value)
    scale = np.max(magnitude, axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = magnitude / scale
        norm = np.sum(ratio**p, axis=axes, keepdims=True) ** (1.0 / p)
        partial = np.sign(x.value) * (ratio / norm) ** (p - 1)
    partial = np.where(scale == 0, 0.0, partial)
    return np.sum(partial[..., None] * x.tangent, axis=axes, keepdims=keepdims)


def _vector_tangent(x: Any, order: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    if order is None or order == 2:
        return _two_norm_tangent(x, axes, keepdims)
    if order == 0:
        shape = np.sum(x.value, axis=axes, keepdims=keepdims).shape
        return np.zeros((*shape, x.width))
    if order == 1:
        return _tangent(np.sum(np.abs(x), axis=axes, keepdims=keepdims), x.tag)
    if order in (np.inf, -np.inf):
        extreme = np.max if order > 0 else np.min
        return _tangent(extreme(np.abs(x), axis=axes, keepdims=keepdims), x.tag)
    return _p_norm_tangent(x, float(order), axes, keepdims)


def _matrix_tangent(x: Any, order: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    row, col = axes
    if order in (None, "fro", "f"):
        return _two_norm_tangent(x, axes, keepdims)
    if order in ("nuc", 2, -2):
        s = svd_values(np.moveaxis(x, (row, col), (-2, -1)))
        picked = np.sum(s, axis=-1) if order == "nuc" else s[..., 0 if order == 2 else -1]
        tangent = _tangent(picked, x.tag)
        return np.expand_dims(tangent, tuple(sorted(axes))) if keepdims else tangent
    # 1, -1: the extreme column sum of |x|; inf, -inf: the extreme row sum
    inner, outer = (row, col) if order in (1, -1) else (col, row)
    extreme = np.max if order > 0 else np.min
    sums = np.sum(np.abs(x), axis=inner, keepdims=True)
    tangent = _tangent(extreme(sums, axis=outer, keepdims=True), x.tag)
    return tangent if keepdims else np.squeeze(tangent, axis=axes)


def _tangent(y: Any, tag: int) -> Any:
    return as_parts(y, tag)[1]


def _norm(
    x: Any,
    ord: Any = None,  # noqa: A002 (numpy's keyword)
    axis: Any = None,
    keepdims: bool = False,
) -> Any:
    """np.linalg.norm: a vector norm over one axis, a matrix norm over two (axis=None: all
    of a 1-D or 2-D array by `ord`, or the 2-norm of everything for ord=None)."""
    value = np.linalg.norm(x.value, ord, axis, keepdims)
    if axis is None:
        axes = tuple(range(x.ndim))
        if ord is None:
            return from_parts(value, _two_norm_tangent(x, axes, keepdims), x.tag)
    else:
        axes = axes_of(axis, x.ndim)
    if len(axes) == 1:
        tangent = _vector_tangent(x, ord, axes, keepdims)
    else:
        tangent = _matrix_tangent(x, ord, axes, keepdims)
    return from_parts(value, tangent, x.tag)


def _vector_norm(
    x: Any,
    /,
    *,
    axis: Any = None,
    keepdims: bool = False,
    ord: Any = 2,  # noqa: A002
) -> Any:
    value = np.linalg.vector_norm(x.value, axis=axis, keepdims=keepdims, ord=ord)
    axes = axes_of(axis, x.ndim)
    return from_parts(value, _vector_tangent(x, ord, axes, keepdims), x.tag)


def _matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:  # noqa: A002
    return _norm(x, ord, (-2, -1), keepdims)


def _cond(x: Any, p: Any = None) -> Any:
    """s_max / s_min (p = None, 2; the inverse for -2), else ‖A‖_p ‖A⁻¹‖_p; a singular A
    (where numpy gives inf) has a nan tangent."""
    value = np.linalg.cond(x.value, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p in (None, 2, -2):
            s = svd_values(x)
            high, low = s[..., 0], s[..., -1]
            ratio = high / low if p != -2 else low / high
        else:
            try:
                ratio = _norm(x, p, (-2, -1)) * _norm(np.linalg.inv(x), p, (-2, -1))
            except np.linalg.LinAlgError:
                return from_parts(value, np.full((*np.shape(value), x.width), np.nan), x.tag)
    tangent = np.where(np.isinf(value)[..., None], np.nan, _tangent(ratio, x.tag))
    return from_parts(value, tangent, x.tag)


FUNCTIONS[np.linalg.norm] = _norm
FUNCTIONS[np.linalg.cond] = _cond
for _name, _impl in (("vector_norm", _vector_norm), ("matrix_norm", _matrix_norm)):
    if hasattr(np.linalg, _name):
        FUNCTIONS[getattr(np.linalg, _name)] = _impl

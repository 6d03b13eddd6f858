"""numpy.linalg on dual arrays, with forward rules: solve, inv, det, slogdet, pinv, lstsq,
matrix_power, multi_dot and numpy 2's array-API spellings (the decompositions are in
:mod:`.linalg_decomp`, the norms in :mod:`.linalg_norms`).

Each value is numpy's own; each tangent comes from the rule in the docstring, applied to the
block of k tangents at once: one factorisation serves all k right-hand sides (A⁻¹ applied to
a (n, m·k) block), one matmul each product. Stacks (..., n, n) are taken where numpy takes
them, and any argument may be constant (a constant matrix with a dual right-hand side, ...).
A singular matrix raises numpy's LinAlgError where numpy does (solve, inv); det has its
derivative there too (the adjugate), slogdet a nan tangent (log 0).

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> a = DualArray(np.array([[2.0, 0.0], [0.0, 4.0]]), np.eye(4).reshape(2, 2, 4))
>>> np.linalg.det(a).tangent.tolist()  # d det = tr(adj(A) dA): (4, 0, 0, 2)
[4.0, 0.0, 0.0, 2.0]
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.vector.dualarray.core import DualArray, as_parts, from_parts
from dualgrad.vector.dualarray.linalg_decomp import (
    left,
    mt,
    result,
    right,
    solve_t,
    svd_values,
    symmetric_from,
)
from dualgrad.vector.dualarray.shapes import parts

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation (merged into DualArray.functions by the package)."""

_SLOGDET = type(np.linalg.slogdet(np.eye(1)))
_EPS = float(np.finfo(np.float64).eps)
_VECTOR_B_IS_1D = int(np.__version__.split(".")[0]) >= 2  # numpy 1: b.ndim == a.ndim - 1


def _vt(v: Any) -> Any:
    return np.swapaxes(v, -1, -2)


def _pair_trace(c: Any, t: Any) -> Any:
    """sum_ij c_ij dA_ij for each tangent: tr(cᵀ dA), (..., n, n) with (..., n, n, k)."""
    return np.einsum("...ij,...ijk->...k", c, t)


# -- solve and inv ----------------------------------------------------------------------------
def _solve(a: Any, b: Any) -> Any:
    """x = A⁻¹ b, dx = A⁻¹ (db - dA x): the k tangents one (n, m·k) right-hand side, so one
    factorisation of A serves them all. b is a vector when 1-D (numpy 2's rule)."""
    tag, (va, vb), (ta, tb), _ = parts([a, b])
    x = np.linalg.solve(va, vb)
    vector = np.ndim(vb) == 1 if _VECTOR_B_IS_1D else np.ndim(vb) == np.ndim(va) - 1
    columns = x[..., None] if vector else x
    rhs = None if tb is None else (tb[..., None, :] if vector else tb)
    if ta is not None:
        rhs = -right(ta, columns) if rhs is None else rhs - right(ta, columns)
    assert rhs is not None  # (a dual array is among the arguments)
    shape = np.broadcast_shapes(np.shape(columns), rhs.shape[:-1])
    dx = solve_t(va, np.broadcast_to(rhs, (*shape, rhs.shape[-1])))
    return from_parts(x, dx[..., 0, :] if vector else dx, tag)


def _inv(a: Any) -> Any:
    """d(A⁻¹) = -A⁻¹ dA A⁻¹ (singular A: numpy's LinAlgError)."""
    x = np.linalg.inv(a.value)
    return from_parts(x, -left(x, right(a.tangent, x)), a.tag)


# -- determinants -----------------------------------------------------------------------------
def _cofactors(a: Any) -> Any:
    """adj(A)ᵀ = det(A) A⁻ᵀ, from the SVD A = U S Vᵀ: det(U) det(Vᵀ) U diag(prod_{j≠i} s_j) Vᵀ,
    so that it is exact at a singular A too (prefix and suffix products: no division)."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones_like(s[..., :1])
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return np.matmul(u * (before * after)[..., None, :], vh) * sign[..., None, None]


def _det(a: Any) -> Any:
    """d det = tr(adj(A) dA) = det(A) tr(A⁻¹ dA) (Jacobi's formula; the adjugate from the SVD,
    so a singular A has its derivative as well)."""
    return from_parts(np.linalg.det(a.value), _pair_trace(_cofactors(a.value), a.tangent), a.tag)


def _slogdet(a: Any) -> Any:
    """d log|det A| = tr(A⁻¹ dA); the sign is piecewise constant (a plain array). At a
    singular A, log|det| = -inf and its tangent nan."""
    sign, logabs = np.linalg.slogdet(a.value)
    try:
        inv_t = _vt(np.linalg.inv(a.value))
    except np.linalg.LinAlgError:  # a singular matrix in the stack: A⁻ᵀ = U S⁻¹ Vᵀ elsewhere
        u, s, vh = np.linalg.svd(a.value)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_t = np.matmul(u / s[..., None, :], vh)
    with np.errstate(invalid="ignore"):
        dlog = _pair_trace(inv_t, a.tangent)
    dlog = np.where(np.isneginf(logabs)[..., None], np.nan, dlog)
    return result(_SLOGDET, sign, from_parts(logabs, dlog, a.tag))


# -- pseudo-inverse and least squares ---------------------------------------------------------
def _pinv_tangent(va: Any, ap: Any, t: Any) -> Any:
    """d A⁺ = -A⁺ dA A⁺ + A⁺A⁺ᵀ dAᵀ (I - A A⁺) + (I - A⁺A) dAᵀ A⁺ᵀA⁺ (the rank kept: the
    derivative of the rank-r pseudo-inverse numpy computes; it jumps where the rank does)."""
    rows, cols = va.shape[-2:]
    outside = np.eye(rows) - np.matmul(va, ap)
    beside = np.eye(cols) - np.matmul(ap, va)
    dat = mt(t)
    tangent = -left(ap, right(t, ap))
    tangent = tangent + left(np.matmul(ap, _vt(ap)), right(dat, outside))
    return tangent + left(beside, right(dat, np.matmul(_vt(ap), ap)))


def _pinv(a: Any, rcond: Any = None, hermitian: bool = False, **kwargs: Any) -> Any:
    """The pseudo-inverse with the rank-preserving rule above (hermitian=True: of the
    symmetric matrix numpy reads from the lower triangle)."""
    value = np.linalg.pinv(a.value, rcond, hermitian, **kwargs)
    va, t = a.value, a.tangent
    if hermitian:
        va = np.tril(va) + _vt(np.tril(va, -1))
        t = symmetric_from(t, lower=True)
    return from_parts(value, _pinv_tangent(va, value, t), a.tag)


def _lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """x = A⁺ b with the cut-off numpy's lstsq takes; dx = dA⁺ b + A⁺ db, applied to b:
    -A⁺ dA x + A⁺A⁺ᵀ dAᵀ r + (I - A⁺A) dAᵀ A⁺ᵀ x with r = b - A x; the residuals' tangent
    2 rᵀ (db - dA x - A dx); the singular values' ds = diag(Uᵀ dA V)."""
    tag, (va, vb), (ta, tb), _ = parts([a, b])
    x, residuals, rank, sv = np.linalg.lstsq(va, vb, rcond)
    va = np.asarray(va, dtype=np.float64)
    vector = np.ndim(vb) == 1
    rows, cols = va.shape
    if rcond is None or isinstance(rcond, str):  # (numpy 1's "warn": its old default)
        cut = _EPS * max(rows, cols) if rcond is None else _EPS
    else:
        cut = _EPS if rcond < 0 else rcond
    ap = _pinv_cut(va, cut)
    xm = x[:, None] if vector else x
    r = (vb[:, None] if vector else vb) - va @ xm
    dbm = None if tb is None else (tb[:, None, :] if vector else tb)
    dx: Any = None
    change: Any = None
    if ta is not None:
        dx, change = _lstsq_a_terms(va, ap, ta, xm, r)
    if dbm is not None:
        dx = left(ap, dbm) if dx is None else dx + left(ap, dbm)
        change = dbm if change is None else change + dbm
    change = change - left(va, dx)
    dres = 2.0 * np.sum(r[..., None] * change, axis=0) if np.size(residuals) else None
    x_out = from_parts(x, dx[:, 0, :] if vector else dx, tag)
    res_out = residuals if dres is None else from_parts(residuals, dres, tag)
    sv_out = sv if ta is None else from_parts(sv, svd_values(DualArray(va, ta, tag)).tangent, tag)
    return x_out, res_out, rank, sv_out


def _pinv_cut(va: Any, cut: float) -> Any:
    """A⁺ with the singular values at or below cut·s_max taken as 0 (lstsq's cut-off)."""
    u, s, vh = np.linalg.svd(va, full_matrices=False)
    kept = s > cut * np.max(s, initial=0.0)
    with np.errstate(divide="ignore"):
        s_inv = np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)
    return np.matmul(_vt(vh) * s_inv, _vt(u))


def _lstsq_a_terms(va: Any, ap: Any, ta: Any, xm: Any, r: Any) -> tuple[Any, Any]:
    """(dA⁺ b, -dA x): the terms of dA in dx and in the residuals' change."""
    dax = right(ta, xm)
    dat = mt(ta)
    dx = -left(ap, dax) + left(np.matmul(ap, _vt(ap)), right(dat, r))
    dx = dx + left(np.eye(va.shape[1]) - np.matmul(ap, va), right(dat, np.matmul(_vt(ap), xm)))
    return dx, -dax


# -- powers and chains of products ------------------------------------------------------------
def _matrix_power(a: Any, n: Any) -> Any:
    """A^n by numpy (repeated squaring), the tangent by the same squarings on dual arrays (the
    product rule at each step); n < 0 powers A⁻¹ (d A⁻¹ = -A⁻¹ dA A⁻¹)."""
    value = np.linalg.matrix_power(a.value, n)
    n = operator.index(n)
    if n == 0:
        return from_parts(value, np.zeros((*value.shape, a.width)), a.tag)
    base: Any = np.linalg.inv(a) if n < 0 else a
    result: Any = None
    square: Any = None
    exponent = abs(n)
    while exponent:  # numpy's own order of squarings
        square = base if square is None else np.matmul(square, square)
        exponent, bit = divmod(exponent, 2)
        if bit:
            result = square if result is None else np.matmul(result, square)
    return from_parts(value, as_parts(result, a.tag)[1], a.tag)


def _multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """numpy's value (its best order); the tangent of the chain by the product rule."""
    if out is not None:
        raise TypeError("np.linalg.multi_dot on dual arrays takes no out argument")
    tag, values, _, _ = parts(list(arrays))
    value = np.linalg.multi_dot(values)
    chain = functools.reduce(np.dot, arrays)
    return from_parts(value, as_parts(chain, tag)[1], tag)


# -- numpy 2's array-API spellings of functions dual arrays have ------------------------------
FUNCTIONS.update(
    {
        np.linalg.solve: _solve,
        np.linalg.inv: _inv,
        np.linalg.det: _det,
        np.linalg.slogdet: _slogdet,
        np.linalg.pinv: _pinv,
        np.linalg.lstsq: _lstsq,
        np.linalg.matrix_power: _matrix_power,
        np.linalg.multi_dot: _multi_dot,
    }
)
_SPELLINGS: dict[str, Callable[..., Any]] = {
    "trace": lambda x, /, *, offset=0, dtype=None: np.trace(x, offset, axis1=-2, axis2=-1),
    "diagonal": lambda x, /, *, offset=0: np.diagonal(x, offset, axis1=-2, axis2=-1),
    "matrix_transpose": lambda x, /: np.swapaxes(x, -1, -2),
    "matmul": lambda x1, x2, /: np.matmul(x1, x2),
    "outer": lambda x1, x2, /: np.outer(x1, x2),
    "tensordot": lambda x1, x2, /, *, axes=2: np.tensordot(x1, x2, axes=axes),
    "matrix_rank": lambda a, *args, **kwargs: np.linalg.matrix_rank(
        a.value if type(a) is DualArray else a, *args, **kwargs
    ),  # an integer: no derivative to drop
}
for _name, _impl in _SPELLINGS.items():
    if hasattr(np.linalg, _name):
        FUNCTIONS[getattr(np.linalg, _name)] = _impl

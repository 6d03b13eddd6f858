"""numpy.linalg's decompositions on dual arrays, with forward rules: cholesky, eigh, eigvalsh,
svd, svdvals, qr (stacks ``(..., m, n)`` as numpy takes them).

A tangent block ``(..., m, n, k)`` holds k tangent matrices dA; every product of a value
matrix with all k of them is one matmul (:func:`left`, :func:`right`), every solve one
factorisation for the k tangents at once (:func:`solve_t`). The rules (real matrices):

- cholesky, A = L Lᵀ: dL = L Φ(L⁻¹ dA L⁻ᵀ), Φ the lower triangle with its diagonal halved;
- eigh, A = V diag(w) Vᵀ: dw = diag(Vᵀ dA V), dV = V (F ∘ Vᵀ dA V), F_ij = 1/(w_j - w_i);
- svd, A = U diag(s) Vᵀ, M = Uᵀ dA V: ds = diag(M), dU = U (F ∘ (M S + S Mᵀ)),
  dV = V (F ∘ (S M + Mᵀ S)), F_ij = 1/(s_j² - s_i²), plus (I - U Uᵀ) dA V S⁻¹ for m > n
  (and (I - V Vᵀ) dAᵀ U S⁻¹ for n > m);
- qr, A = Q R (m ≥ n): with C = Qᵀ dA R⁻¹ and Ω = tril(C, -1) - tril(C, -1)ᵀ,
  dQ = Q (Ω - C) + dA R⁻¹ and dR = (C - Ω) R; for m < n, A = [X Y] with X square:
  the square rule for X, and dR_Y = dQᵀ Y + Qᵀ dY.

numpy's symmetric routines (cholesky, eigh, eigvalsh, svd/pinv with hermitian=True) read one
triangle only, so dA is taken as that triangle, mirrored: the derivative of the function
numpy computes. Limits, never a silent wrong number: eigenvalues (or singular values) equal
to within n·eps·max|w| make the eigenvectors (singular vectors) of that group undefined:
their tangents are nan (the other columns stay exact). The group's eigenvalues are not
differentiable there but have one-sided directional derivatives, which each tangent gets:
the ordered eigenvalues of the group's block of Vᵀ dA V (not linear in dA, so k basis
tangents give no gradient there; their sum over the group, e.g. a trace, is exact). A
singular value numerically zero is a kink (as |x| at 0): tangent 0, as the rule table's
hypot and abs take there; a non-square A's singular vectors beside it are nan. A rank-
deficient qr (R singular) raises numpy's LinAlgError; factors that are not unique (svd with
full_matrices, qr 'complete', of a non-square A) and qr's 'raw' are refused by name.

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> a = DualArray(np.diag([4.0, 9.0]), np.eye(4).reshape(2, 2, 4))
>>> np.linalg.cholesky(a).tangent[1, 1].tolist()  # d sqrt(a11) = 1 / (2 sqrt(9))
[0.0, 0.0, 0.0, 0.16666666666666666]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.vector.dualarray.core import from_parts

__all__ = ["FUNCTIONS", "left", "mt", "right", "solve_t", "svd_values", "symmetric_from"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation (merged into DualArray.functions by the package)."""

_EIGH = type(np.linalg.eigh(np.eye(1)))
_SVD = type(np.linalg.svd(np.eye(1)))
_QR = type(np.linalg.qr(np.eye(1)))


def result(kind: Any, *fields: Any) -> Any:
    """numpy's named result (EighResult ...), or a plain tuple where numpy returns one."""
    return tuple(fields) if kind is tuple else kind(*fields)


# -- products of value matrices with a block of k tangent matrices ----------------------------
def left(v: Any, t: Any) -> Any:
    """v @ dT for each of the k tangents: (..., a, b) with (..., b, c, k) -> (..., a, c, k),
    one matmul (the k tangents ride along the columns)."""
    c, k = t.shape[-2:]
    out = np.matmul(v, t.reshape(*t.shape[:-2], c * k))
    return out.reshape(*out.shape[:-1], c, k)


def right(t: Any, v: Any) -> Any:
    """dT @ v for each of the k tangents: (..., a, b, k) with (..., b, c) -> (..., a, c, k),
    one matmul (the k tangents ride along the rows)."""
    a, b, k = t.shape[-3:]
    rows = np.swapaxes(t, -1, -2).reshape(*t.shape[:-3], a * k, b)
    out = np.matmul(rows, v)
    return np.swapaxes(out.reshape(*out.shape[:-2], a, k, out.shape[-1]), -1, -2)


def solve_t(a: Any, t: Any) -> Any:
    """A⁻¹ dT for each of the k tangents: one factorisation of A for all of them."""
    c, k = t.shape[-2:]
    out = np.linalg.solve(a, t.reshape(*t.shape[:-2], c * k))
    return out.reshape(*out.shape[:-1], c, k)


def mt(t: Any) -> Any:
    """The transpose of each tangent matrix of a block (..., a, b, k)."""
    return np.swapaxes(t, -2, -3)


def _vt(v: Any) -> Any:
    return np.swapaxes(v, -1, -2)


def _diagonal(t: Any) -> Any:
    """The diagonals of a tangent block (..., n, n, k), as (..., n, k)."""
    return np.swapaxes(np.diagonal(t, axis1=-3, axis2=-2), -1, -2)


def symmetric_from(t: Any, lower: bool) -> Any:
    """The tangent of the symmetric matrix numpy reads from one triangle of A."""
    n = t.shape[-2]
    keep = np.tri(n, dtype=bool) if lower else np.tri(n, dtype=bool).T
    strict = keep & ~np.eye(n, dtype=bool)
    return t * keep[:, :, None] + mt(t * strict[:, :, None])


# -- (near-)equal eigenvalues -------------------------------------------------------------------
def _inverse_gaps(gaps: Any, close: Any) -> Any:
    """F_ij = 1 / gaps_ij off the diagonal, nan where the two values are equal (to within the
    tolerance: the vectors are not unique there), 0 on the diagonal."""
    n = gaps.shape[-1]
    off = ~np.eye(n, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(close & off, np.nan, 1.0 / np.where(off, gaps, 1.0))
    return np.where(off, inverse, 0.0)


def _group_rates(rates: Any, m: Any, close: Any, descending: bool) -> Any:
    """Within each run of equal values (`close`: (..., n-1), neighbour i, i+1 equal), the one-
    sided directional derivatives: the ordered eigenvalues of the group's block of M."""
    if not close.any():
        return rates
    rates = rates.copy()
    for lane in zip(*np.nonzero(close.any(axis=-1)), strict=False) if close.ndim > 1 else [()]:
        row = close[lane].tolist()
        start = 0
        while start < len(row):
            if not row[start]:
                start += 1
                continue
            stop = start
            while stop < len(row) and row[stop]:
                stop += 1
            block = np.moveaxis(m[lane][start : stop + 1, start : stop + 1], -1, 0)
            values = np.linalg.eigvalsh((block + _vt(block)) / 2)  # (k, r), ascending
            rates[lane][start : stop + 1] = (values[:, ::-1] if descending else values).T
            start = stop
    return rates


def _tolerance(values: Any, n: int) -> Any:
    """Values closer than this are equal to rounding: n·eps·max|value| per matrix (eps of
    the values' own precision)."""
    eps = np.finfo(values.dtype).eps
    return n * eps * np.max(np.abs(values), axis=-1, keepdims=True)


# -- cholesky ---------------------------------------------------------------------------------
def _cholesky(a: Any, upper: bool = False) -> Any:
    """dL = L Φ(L⁻¹ dA L⁻ᵀ), Φ: the lower triangle, its diagonal halved (upper=True: the
    transposes). Not positive definite: numpy's LinAlgError."""
    value = np.linalg.cholesky(a.value, upper=True) if upper else np.linalg.cholesky(a.value)
    low = _vt(value) if upper else value
    dsym = symmetric_from(a.tangent, lower=not upper)
    inv = np.linalg.inv(low)
    m = left(inv, right(dsym, _vt(inv)))
    n = low.shape[-1]
    phi = np.tril(np.ones((n, n))) - 0.5 * np.eye(n)
    dl = left(low, m * phi[:, :, None])
    return from_parts(value, mt(dl) if upper else dl, a.tag)


# -- symmetric eigenproblems ------------------------------------------------------------------
def _eigh_parts(a: Any, uplo: Any) -> tuple[Any, Any, Any, Any]:
    """(w, V, M = Vᵀ dA V, dw) for the triangle `uplo` of A."""
    if uplo not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    w, v = np.linalg.eigh(a.value, uplo)
    dsym = symmetric_from(a.tangent, lower=uplo == "L")
    m = left(_vt(v), right(dsym, v))
    close = np.abs(np.diff(w, axis=-1)) <= _tolerance(w, w.shape[-1])
    return w, v, m, _group_rates(_diagonal(m), m, close, descending=False)


def _eigh(a: Any, UPLO: Any = "L") -> Any:
    """dw = diag(Vᵀ dA V), dV = V (F ∘ Vᵀ dA V), F_ij = 1/(w_j - w_i); nan in the columns of
    eigenvectors of repeated eigenvalues (they are not unique)."""
    w, v, m, dw = _eigh_parts(a, UPLO)
    gaps = w[..., None, :] - w[..., :, None]
    close = np.abs(gaps) <= _tolerance(w, w.shape[-1])[..., None]
    dv = left(v, m * _inverse_gaps(gaps, close)[..., None])
    return result(_EIGH, from_parts(w, dw, a.tag), from_parts(v, dv, a.tag))


def _eigvalsh(a: Any, UPLO: Any = "L") -> Any:
    """dw = diag(Vᵀ dA V) (at repeated eigenvalues: their one-sided directional derivatives)."""
    _w, _v, _m, dw = _eigh_parts(a, UPLO)
    return from_parts(np.linalg.eigvalsh(a.value, UPLO), dw, a.tag)


# -- singular values and vectors --------------------------------------------------------------
def _svd_parts(a: Any, hermitian: bool) -> tuple[Any, Any, Any, Any, Any, Any]:
    """(U, s, Vh, dA, M = Uᵀ dA V, ds) of the thin SVD; ds = diag(M), 0 at a zero singular
    value (a kink), the group rule at repeated ones."""
    u, s, vh = np.linalg.svd(a.value, full_matrices=False, hermitian=hermitian)
    t = symmetric_from(a.tangent, lower=True) if hermitian else a.tangent
    m = left(_vt(u), right(t, _vt(vh)))
    zero = s <= _tolerance(s, max(a.value.shape[-2:]))
    close = (np.abs(np.diff(s, axis=-1)) <= _tolerance(s, max(a.value.shape[-2:]))) & ~zero[..., 1:]
    ds = np.where(zero[..., None], 0.0, _group_rates(_diagonal(m), m, close, descending=True))
    return u, s, vh, t, m, ds


def svd_values(a: Any) -> Any:
    """The singular values of a dual array (its value by np.linalg.svd), ds = diag(Uᵀ dA V)."""
    return _svd(a, compute_uv=False)


def _svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """ds = diag(Uᵀ dA V); dU, dV by the rule above (nan for repeated singular values, and for
    the part of a non-square A's vectors that a zero singular value leaves undefined)."""
    rows, cols = a.value.shape[-2:]
    if compute_uv and full_matrices and rows != cols:
        raise TypeError(
            "np.linalg.svd of a non-square dual array with full_matrices=True: the extra "
            "singular vectors are not unique, so they have no derivative; pass "
            "full_matrices=False"
        )
    u, s, vh, t, m, ds = _svd_parts(a, hermitian)
    if not compute_uv:
        value = np.linalg.svd(a.value, compute_uv=False, hermitian=hermitian)
        return from_parts(value, ds, a.tag)
    tol = _tolerance(s, max(rows, cols))
    with np.errstate(divide="ignore"):
        s_inv = np.where(s > tol, 1.0 / s, np.nan)[..., None, :, None]
    gaps = s[..., None, :] ** 2 - s[..., :, None] ** 2
    f = _inverse_gaps(gaps, np.abs(s[..., None, :] - s[..., :, None]) <= tol[..., None])
    ms, sm = m * s[..., None, :, None], m * s[..., :, None, None]
    du = left(u, f[..., None] * (ms + mt(ms)))
    dv = left(_vt(vh), f[..., None] * (sm + mt(sm)))
    if rows > cols:  # the part of dA V outside U's columns
        du = du + (right(t, _vt(vh)) - left(u, m)) * s_inv
    if cols > rows:
        dv = dv + (right(mt(t), u) - left(_vt(vh), mt(m))) * s_inv
    parts = (from_parts(u, du, a.tag), from_parts(s, ds, a.tag), from_parts(vh, mt(dv), a.tag))
    return result(_SVD, *parts)


# -- qr ---------------------------------------------------------------------------------------
def _qr(a: Any, mode: Any = "reduced") -> Any:
    """dQ = Q (Ω - C) + dA R⁻¹, dR = (C - Ω) R with C = Qᵀ dA R⁻¹, Ω = tril(C, -1) - its
    transpose; a rank-deficient A (singular R) raises numpy's LinAlgError."""
    if mode not in ("reduced", "complete", "r", "raw"):
        np.linalg.qr(a.value, mode=mode)  # numpy's own error for an unknown mode
    rows, cols = a.value.shape[-2:]
    if mode == "raw" or (mode == "complete" and rows > cols):
        raise TypeError(
            f"np.linalg.qr of a dual array in mode {mode!r}: "
            + ("Householder reflectors have no derivative rule" if mode == "raw" else
               "the extra columns of Q are not unique, so they have no derivative")
            + "; use mode='reduced' or mode='r'"
        )  # fmt: skip
    q, r = np.linalg.qr(a.value, mode="reduced")
    p = min(rows, cols)
    square, t = r[..., :, :p], a.tangent
    dx_rinv = mt(solve_t(_vt(square), mt(t[..., :p, :])))  # dX R⁻¹ = (R⁻ᵀ dXᵀ)ᵀ
    c = left(_vt(q), dx_rinv)
    low = c * np.tri(p, k=-1, dtype=bool)[:, :, None]
    omega = low - mt(low)
    dq = left(q, omega - c) + dx_rinv
    dr = right(c - omega, square)
    if cols > rows:  # R = [R_X, Qᵀ Y]
        y, dy = a.value[..., rows:], t[..., rows:, :]
        dr = np.concatenate([dr, right(mt(dq), y) + left(_vt(q), dy)], axis=-2)
    if mode == "r":
        return from_parts(np.linalg.qr(a.value, mode="r"), dr, a.tag)
    return result(_QR, from_parts(q, dq, a.tag), from_parts(r, dr, a.tag))


FUNCTIONS.update(
    {
        np.linalg.cholesky: _cholesky,
        np.linalg.eigh: _eigh,
        np.linalg.eigvalsh: _eigvalsh,
        np.linalg.svd: _svd,
        np.linalg.qr: _qr,
    }
)
if hasattr(np.linalg, "svdvals"):
    FUNCTIONS[np.linalg.svdvals] = svd_values

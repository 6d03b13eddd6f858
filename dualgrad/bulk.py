"""Sums of products of Duals in bulk, for vector tangents (chunk mode).

A matrix-vector product built from scalar Duals costs one numpy operation per multiply and
per add on k-wide tangents. Its tangent is linear, though: for ``y_j = sum_i w_ji x_i`` the
mul and add rules of the table give

    tangent(y_j) = sum_i value(w_ji) tangent(x_i) + value(x_i) tangent(w_ji),

which is one matrix product (``W @ X``) plus a scatter of x's values into the positions of
seeded weights. These functions evaluate exactly that - the same rules, no new derivative -
and fall back to scalar arithmetic (returning None) whenever their preconditions fail: a
scalar tangent, nested Duals, mixed tags. Values are summed in the same order as the scalar
code, so they match a float pass bit for bit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import mul
from typing import Any

import numpy as np

from dualgrad.dual import Dual, _make
from dualgrad.sparse import Sparse

__all__ = ["matvec", "pass_cache", "sumprod"]

_PLAIN = (float, int)


def _width(x: Any) -> int:
    """The tangent width of a Dual with a vector tangent, else 0."""
    if type(x) is not Dual:
        return 0
    t = x.tangent
    if type(t) is Sparse:
        return t.size
    if type(t) is np.ndarray and t.ndim == 1:
        return len(t)
    return 0


def _stack(xs: Sequence[Any], tag: int, width: int) -> tuple[list[Any], Any] | None:
    """(values, tangent matrix with one row per element) or None if not a bulk case."""
    try:  # the common case, all Duals of this pass with dense tangents: stacked in C
        tangents = [v.tangent for v in xs]
        if {type(t) for t in tangents} == {np.ndarray} and {v.tag for v in xs} == {tag}:
            values = [v.value for v in xs]
            if all(type(v) is float for v in values):
                return values, np.array(tangents)
    except AttributeError:  # a plain number among them
        pass
    values = []
    rows = np.zeros((len(xs), width))
    for i, v in enumerate(xs):
        if type(v) is Dual:
            if v.tag != tag or type(v.value) not in _PLAIN:
                return None
            values.append(v.value)
            t = v.tangent
            if type(t) is Sparse:
                if t.hot >= 0:
                    rows[i, t.hot] = 1.0
                else:
                    rows[i] = t.dense()
            elif type(t) is np.ndarray:
                rows[i] = t
            elif t:  # a nonzero scalar tangent: not a chunked pass
                return None
        elif type(v) in _PLAIN:
            values.append(v)
        else:
            return None
    return values, rows


def matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any] | None:
    """``[sum(w_j * x) for each row w_j]`` for Duals with vector tangents, or None."""
    width = _width(x[0]) if x else 0
    if not width:
        return None
    tag = x[0].tag
    stacked = _stack(x, tag, width)
    if stacked is None:
        return None
    xv, xt = stacked
    seeded = _seeded_weights(w, tag, width)
    if seeded is not None:  # chunk mode's common case: every weight is a seed of this pass
        values_rows, wv, flat, unique = seeded
        values = [sum(map(mul, row, xv)) for row in values_rows]  # the scalar code's order
        yt = wv @ xt
        m = len(values_rows)
        coef = np.tile(xv, m)
        if unique:
            yt.reshape(-1)[flat] += coef
        else:  # one parameter at several places of w: repeated positions must add up
            np.add.at(yt.reshape(-1), flat, coef)
        return [_make(values[j], yt[j], tag) for j in range(m)]
    return _matvec_general(w, xv, xt, tag)


_state = threading.local()


@contextmanager
def pass_cache() -> Iterator[None]:
    """Within one pass the weights do not change: remember each matrix's values and seed
    positions (keyed by the matrix object) instead of reading thousands of Duals per use."""
    previous = getattr(_state, "cache", None)
    _state.cache = {}
    try:
        yield
    finally:
        _state.cache = previous


def _seeded_weights(w: Sequence[Sequence[Any]], tag: int, width: int) -> Any:
    """(value rows, value matrix, flat seed positions in the m x width output, positions all
    distinct) if every entry of w is a Dual seeded (one-hot) in this pass, else None."""
    cache = getattr(_state, "cache", None)
    if cache is not None:
        hit = cache.get(id(w))
        if hit is not None and hit[0] is w:
            return hit[1]
    try:
        tangents = [[e.tangent for e in row] for row in w]
        hot = [[t.hot for t in row] for row in tangents]
    except AttributeError:  # a float weight, or a tangent that is not a Sparse seed
        return None
    if min(map(min, hot)) < 0 or {e.tag for row in w for e in row} != {tag}:
        return None
    values = [[e.value for e in row] for row in w]
    if any(type(v) not in _PLAIN for row in values for v in row):
        return None
    m = len(values)
    flat = (np.arange(m)[:, None] * width + np.asarray(hot)).reshape(-1)
    result = (values, np.asarray(values), flat, len(np.unique(flat)) == flat.size)
    if cache is not None:
        cache[id(w)] = (w, result)  # holding w keeps its id from being reused in this pass
    return result


def _matvec_general(w: Sequence[Sequence[Any]], xv: list[Any], xt: Any, tag: int) -> Any:
    """The bulk product for weights that mix floats, seeds and computed Duals."""
    m = len(w)
    wv = np.empty((m, len(xv)))
    rows: list[int] = []
    cols: list[int] = []
    coef: list[float] = []
    dense_terms: list[tuple[int, Any]] = []
    values = []
    for j, row in enumerate(w):
        row_values = []
        for i, e in enumerate(row):
            if type(e) is Dual:
                if e.tag != tag or type(e.value) not in _PLAIN:
                    return None
                row_values.append(e.value)
                t = e.tangent
                if type(t) is Sparse and t.hot >= 0:  # a seeded weight
                    rows.append(j)
                    cols.append(t.hot)
                    coef.append(xv[i])
                elif type(t) in _PLAIN:
                    if t:
                        return None
                else:
                    dense_terms.append((j, t * xv[i]))
            elif type(e) in _PLAIN:
                row_values.append(e)
            else:
                return None
        wv[j] = row_values
        values.append(sum(map(mul, row_values, xv)))  # the scalar code's order
    yt = wv @ xt
    if rows:
        np.add.at(yt, (rows, cols), coef)
    for j, t in dense_terms:
        yt[j] = yt[j] + t
    return [_make(values[j], yt[j], tag) for j in range(m)]


def sumprod(p: Sequence[Any], q: Sequence[Any]) -> Any:
    """``sum(p_i * q_i)`` for Duals with vector tangents, or None."""
    first = p[0] if p and type(p[0]) is Dual else (q[0] if q else None)
    width = _width(first)
    if not width:
        return None
    tag = first.tag
    a = _stack(p, tag, width)
    b = _stack(q, tag, width) if q is not p else a
    if a is None or b is None:
        return None
    (pv, pt), (qv, qt) = a, b
    value = sum(map(mul, pv, qv))
    tangent = np.asarray(qv) @ pt + np.asarray(pv) @ qt
    return _make(value, tangent, tag)

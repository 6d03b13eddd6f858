"""Drivers for Taylor mode: every derivative up to order K in one pass.

>>> from dualgrad.taylormode import derivatives, taylor
>>> derivatives(lambda x: x ** 4, 1.0, order=5)
[1.0, 4.0, 12.0, 24.0, 24.0, 0.0]
>>> taylor(lambda p: p[0] * p[1], [1.0, 2.0], [1.0, 1.0], order=2)   # (1+t)(2+t)
[2.0, 3.0, 1.0]

Each call takes a fresh tag from the same counter as :func:`~dualgrad.derivative`, so Taylor
passes and Dual passes nest either way without perturbation confusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from dualgrad.drivers.tags import Tagged as _Tagged
from dualgrad.drivers.tags import active as _active
from dualgrad.numbers.base import describe as _describe
from dualgrad.numbers.base import is_real
from dualgrad.numbers.dual import Dual
from dualgrad.taylormode.lazy import Series
from dualgrad.taylormode.rulenodes import Integral
from dualgrad.taylormode.series import Taylor
from dualgrad.tree import flatten, paths, unflatten

__all__ = ["derivatives", "mixed_partial", "ode_taylor", "taylor"]


def _check_order(order: Any, what: str) -> int:
    if type(order) is not int or order < 0:
        raise ValueError(f"{what}: order must be a non-negative int, got {order!r}")
    return order


def _check_point(x: Any, what: str, where: str = "x") -> None:
    if not (is_real(x) or type(x) is Dual or type(x) is Taylor):
        raise TypeError(f"{what}: {where} must be a real number, got {_describe(x)}")


def _coefficients_of(out: Any, tag: int, order: int, what: str) -> list[Any]:
    """The K+1 coefficients `out` carries for the pass `tag` (a constant if it ignores it)."""
    if type(out) is Taylor:
        if out.tag == tag:
            return list(out.coefficients)
        if out.tag not in _active():
            raise TypeError(
                f"{what}: the function returned {_describe(out)}, of tag {out.tag}, which "
                "belongs to no Taylor pass being taken (made by hand, or leaked from another call)"
            )
    elif type(out) is Dual:
        if out.tag not in _active():
            raise TypeError(
                f"{what}: the function returned {_describe(out)}, a Dual of tag {out.tag} that "
                "belongs to no derivative being taken (made by hand, or leaked from another call)"
            )
    elif not is_real(out):
        raise TypeError(
            f"{what}: the function must return a real number (or, for taylor, a container of "
            f"them), it returned {_describe(out)}"
        )
    return [out] + [0.0] * order


def derivatives(f: Callable[[Any], Any], x: Any, /, order: int = 2) -> list[Any]:
    """[f(x), f'(x), ..., f^(order)(x)] for a scalar function of one real number, in one pass.

    >>> from dualgrad import dmath
    >>> [round(d, 12) for d in derivatives(dmath.sin, 0.0, order=4)]
    [0.0, 1.0, 0.0, -1.0, 0.0]
    """
    order = _check_order(order, "derivatives")
    _check_point(x, "derivatives")
    with _Tagged() as tag:
        seed = Taylor([x, 1.0] + [0.0] * (order - 1), tag) if order else Taylor([x], tag)
        c = _coefficients_of(f(seed), tag, order, "derivatives")
    return [ck * math.factorial(k) if k > 1 else ck for k, ck in enumerate(c)]


def taylor(f: Callable[[Any], Any], x: Any, v: Any, /, order: int = 2) -> list[Any]:
    """The Taylor coefficients [c_0, ..., c_order] of t -> f(x + t*v) at t = 0 (a jet).

    `x` and `v` are containers of parameters of one shape (or numbers); each c_k has the shape
    of f's result, and k! c_k is the k-th directional derivative of f along v.

    >>> taylor(lambda p: [p["a"] ** 2, 3 * p["a"]], {"a": 1.0}, {"a": 2.0}, order=2)
    [[1.0, 3.0], [4.0, 6.0], [4.0, 0.0]]
    """
    order = _check_order(order, "taylor")
    xs, spec = flatten(x)
    vs, vspec = flatten(v)
    if vspec != spec:
        raise ValueError("taylor: v must have the shape of x (same containers, keys, lengths)")
    for i, (xi, vi) in enumerate(zip(xs, vs, strict=True)):
        _check_point(xi, "taylor", f"x{paths(spec)[i]}")
        _check_point(vi, "taylor", f"v{paths(spec)[i]}")
    with _Tagged() as tag:
        seeded = [
            Taylor([xi, vi] + [0.0] * (order - 1) if order else [xi], tag)
            for xi, vi in zip(xs, vs, strict=True)
        ]
        out = f(unflatten(spec, seeded, numbers=True))
        leaves, ospec = flatten(out) if not isinstance(out, (Taylor, Dual)) else ([out], None)
        series = [_coefficients_of(y, tag, order, "taylor") for y in leaves]
    if ospec is None:
        return series[0]
    return [unflatten(ospec, [s[k] for s in series]) for k in range(order + 1)]


def mixed_partial(
    f: Callable[[Any], Any], x: Any, u: Any, w: Any, /, order: tuple[int, int]
) -> Any:
    """d^(p+q) f / du^p dw^q at x for directions u, w (same shape as x), by polarization.

    The n-th directional derivative along u + s w (n = p + q, one Taylor pass each) is a
    polynomial in s whose coefficient of s^q is binomial(n, q) times the mixed partial: n + 1
    passes and one interpolation give it.

    >>> mixed_partial(lambda p: p[0] ** 2 * p[1], [1.0, 2.0], [1.0, 0.0], [0.0, 1.0], (2, 1))
    2.0
    """
    p, q = order
    if type(p) is not int or type(q) is not int or p < 0 or q < 0:
        raise ValueError(f"mixed_partial: order must be two non-negative ints, got {order!r}")
    n = p + q
    _, spec = flatten(x)
    us, _ = flatten(u)
    ws, _ = flatten(w)
    # D^n f along (u + s w) is a polynomial of degree n in s: sum_k C(n,k) s^k M_k with
    # M_k the mixed partial with k derivatives along w. Sample it at n + 1 points and solve.
    nodes = [float(j) - n / 2 for j in range(n + 1)]
    values = []
    for s in nodes:
        d = unflatten(spec, [ui + s * wi for ui, wi in zip(us, ws, strict=True)], numbers=True)
        c = taylor(f, x, d, order=n)[n]
        values.append(c * math.factorial(n))
    coef = _lagrange_coefficient(nodes, values, q)
    return coef / math.comb(n, q)


def _lagrange_coefficient(nodes: list[float], values: list[Any], k: int) -> Any:
    """Coefficient of s^k of the polynomial through (nodes, values)."""
    total: Any = 0.0
    for i, (xi, yi) in enumerate(zip(nodes, values, strict=True)):
        poly = [1.0]  # prod_{j != i} (s - x_j) / (x_i - x_j), coefficients in s
        for j, xj in enumerate(nodes):
            if j != i:
                poly = [
                    (poly[m - 1] if m else 0.0) - (poly[m] * xj if m < len(poly) else 0.0)
                    for m in range(len(poly) + 1)
                ]
                poly = [c / (xi - xj) for c in poly]
        total = total + yi * poly[k]
    return total


def ode_taylor(
    f: Callable[[list[Any]], Sequence[Any]], y0: Sequence[Any], /, order: int = 10
) -> list[list[Any]]:
    """Taylor coefficients [y_i0, ..., y_iK] of the solution of y' = f(y), y(0) = y0, in ONE
    evaluation of `f`.

    `f` takes and returns a list of numbers (an autonomous system; add t as a component for
    a time-dependent one) written with operators and :mod:`dualgrad.dmath`. It is called once,
    on lazy series whose coefficient n is y's, computed on demand from coefficient n - 1 of
    f(y): O(K^2) per operation of f, for every coefficient up to `order`.

    >>> from dualgrad import dmath
    >>> [round(c, 6) for c in ode_taylor(lambda y: [y[0]], [1.0], order=4)[0]]   # e^t
    [1.0, 1.0, 0.5, 0.166667, 0.041667]
    >>> ode_taylor(lambda y: [y[1], -dmath.sin(y[0])], [0.0, 1.0], order=3)[0] == [0, 1, 0, -1 / 6]
    True
    """
    order = _check_order(order, "ode_taylor")
    for i, v in enumerate(y0):
        _check_point(v, "ode_taylor", f"y0[{i}]")
    ys = [Integral(v) for v in y0]
    gs = list(f(list(ys)))
    if len(gs) != len(ys):
        raise ValueError(f"ode_taylor: f returned {len(gs)} components for {len(ys)} unknowns")
    for i, (y, g) in enumerate(zip(ys, gs, strict=True)):
        if not (isinstance(g, Series) or is_real(g) or type(g) is Dual):
            raise TypeError(f"ode_taylor: f(y)[{i}] must be a number, got {_describe(g)}")
        y.g = g
    for y in ys:
        y.get(order)
    return [y.c[: order + 1] for y in ys]

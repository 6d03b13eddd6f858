"""Derivatives through solvers: the root of F(x, *args) = 0 and the fixed point x = T(x, *args)
as functions of their arguments, by the implicit function theorem.

The solve runs on plain numbers: Newton's method with a forward-mode Jacobian and a
backtracking line search, stopped when a full Newton step is at most
``tol * (1 + max|x|)`` (default 1e-12: the root is then exact to rounding, as Newton's error
after such a step is of the order of its square) or when F(x) is exactly 0; after `maxiter`
iterations (default 50) it raises :class:`ConvergenceError` with the iterations and the
residual. The derivatives never differentiate the iterations: with dF/dx invertible at the
root, ``dx = -(dF/dx)^-1 (dF/da . da)``, one linear solve per pass of tangents. Each kind
of number an argument may carry is one level, solved from the level inside it:

- a Dual (the newest tag): the tangent of F along the arguments' tangents at the root found
  without them, then one solve; the root and dF/dx may carry older derivatives, so it nests
  (hessians through a root);
- a Taylor number: coefficient k of the root is one more solve, with F evaluated on the
  series known to degree k - 1 (the tangent equation's Taylor form);
- a reverse-mode Value: one graph node per unknown whose local partials are the columns
  -(dF/dx)^-1 dF/da_j;
- sparsity tracers: every unknown depends on every argument.

>>> from dualgrad import derivative, dmath, root
>>> kepler = lambda E, M, e: E - e * dmath.sin(E) - M     # Kepler's equation for E
>>> E = root(kepler, 1.0, 1.0, 0.5)
>>> round(E, 12)
1.498701133518
>>> round(derivative(lambda M: root(kepler, 1.0, M, 0.5), 1.0), 12)   # 1 / (1 - e cos E)
1.037362021894
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad.custom.primitive import _kind
from dualgrad.drivers.linsolve import LU
from dualgrad.drivers.tags import Tagged
from dualgrad.numbers.base import PLAIN, describe
from dualgrad.numbers.dual import Dual
from dualgrad.taylormode.series import Taylor
from dualgrad.tree import Spec, flatten, unflatten

__all__ = ["ConvergenceError", "fixed_point", "root"]


class ConvergenceError(ValueError):
    """The solver did not converge: ``iterations`` made, ``residual`` max|F(x)| at ``x``."""

    def __init__(self, message: str, iterations: int, residual: float, x: Any) -> None:
        super().__init__(message)
        self.iterations, self.residual, self.x = iterations, residual, x


@dataclass
class _Problem:
    """F(x, *args) as a function of flat leaves: x's and the arguments'."""

    fun: Callable[..., Any]
    xspec: Spec
    aspec: Spec
    fixed: bool  # fun is T of x = T(x, *args): the residual is x - T(x)
    tol: float
    maxiter: int
    what: str

    def residual(self, xs: list[Any], a: list[Any]) -> list[Any]:
        x = xs[0] if self.xspec.kind == "leaf" else unflatten(self.xspec, xs)
        out, _ = flatten(self.fun(x, *unflatten(self.aspec, a)))
        if len(out) != len(xs):
            raise ValueError(
                f"{self.what}: F returned {len(out)} numbers for {len(xs)} unknowns; it must "
                "return one residual per entry of x"
            )
        return [xi - ti for xi, ti in zip(xs, out, strict=True)] if self.fixed else out


def root(
    F: Callable[..., Any], x0: Any, /, *args: Any, tol: float = 1e-12, maxiter: int = 50
) -> Any:
    """x with F(x, *args) = 0, near `x0`, carrying derivatives with respect to every argument
    that carries them (see the module docstring for the solver and its tolerance).

    `x0` is a number, a list (any tree) of numbers or a numpy array; x comes back in its
    structure and F returns one residual per entry, in any structure. The arguments may be
    numbers or trees of them. A number F uses that carries a derivative must come in
    through `args`, not a closure (that is refused, loudly).

    >>> round(root(lambda x, a: x * x - a, 1.0, 2.0), 15)
    1.414213562373095
    """
    return _entry(F, x0, args, False, tol, maxiter, "root")


def fixed_point(
    T: Callable[..., Any], x0: Any, /, *args: Any, tol: float = 1e-12, maxiter: int = 50
) -> Any:
    """x with x = T(x, *args), near `x0`, with derivatives as :func:`root` (which it is, for
    F(x) = x - T(x): Newton's method, so T need not be a contraction).

    >>> from dualgrad import dmath
    >>> round(fixed_point(lambda x, a: dmath.cos(a * x), 0.5, 1.0), 12)  # the Dottie number
    0.739085133215
    """
    return _entry(T, x0, args, True, tol, maxiter, "fixed_point")


def _entry(
    fun: Callable[..., Any], x0: Any, args: Any, fixed: bool, tol: Any, maxiter: Any, what: str
) -> Any:
    if not callable(fun):
        raise TypeError(f"{what}: the function must be callable, got {describe(fun)}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"{what}: tol must be a positive number, got {tol!r}")
    if type(maxiter) is not int or maxiter < 1:
        raise ValueError(f"{what}: maxiter must be a positive int, got {maxiter!r}")
    xs, xspec = flatten(x0)
    if not xs:
        raise ValueError(f"{what}: x0 has no numbers to solve for")
    guess = []
    for i, v in enumerate(xs):
        plain = _float_inside_or_none(v)
        if plain is None:
            raise TypeError(f"{what}: x0 entry {i} is {describe(v)}, not a real number")
        guess.append(plain)
    a, aspec = flatten(tuple(args))
    problem = _Problem(fun, xspec, aspec, fixed, float(tol), maxiter, what)
    x = _level(problem, guess, a)
    return x[0] if xspec.kind == "leaf" else unflatten(xspec, x)


def _float_inside_or_none(v: Any) -> float | None:
    """The plain number inside `v`, None if it is no number."""
    for _ in range(64):
        if type(v) in PLAIN:
            return float(v)
        k = _kind(v)
        if k is None:
            return float(v)
        if k == "?":
            return None
        v = v.data if k == "value" else v.value
    return None


def _outer(a: list[Any], what: str) -> tuple[str | None, int]:
    """The kind of number that decides at this level, and its tag: the newest Dual or Taylor
    number, else Values or tracers; (None, 0) for plain arguments."""
    kind, tag = None, -1
    for v in a:
        k = _kind(v)
        if k in (None, "?"):
            continue
        if k == "series":
            raise TypeError(f"{what}: cannot solve inside a Taylor pass's partials")
        if k in ("dual", "taylor"):
            if v.tag > tag:
                kind, tag = k, v.tag
        elif kind is None:
            kind = k
    return kind, tag


def _level(p: _Problem, guess: list[float], a: list[Any]) -> list[Any]:
    """The root for arguments `a`: Newton on plain numbers, or the outer level of numbers
    from the root of the level inside it."""
    kind, tag = _outer(a, p.what)
    if kind is None:
        return _newton(p, guess, a)
    if kind == "dual":
        inner = [v.value if type(v) is Dual and v.tag == tag else v for v in a]
        x = _level(p, guess, inner)
        r = p.residual(x, a)  # at the root, its tangents are dF/da . da
        rhs = [-_dense(v.tangent) if type(v) is Dual and v.tag == tag else 0.0 for v in r]
        dx = LU(_jacobian(p, x, inner), p.what).solve(rhs)
        return [Dual.from_parts(xi, di, tag) for xi, di in zip(x, dx, strict=True)]
    if kind == "taylor":
        return _taylor(p, guess, a, tag)
    if kind == "value":
        return _reverse(p, guess, a)
    return _traced(p, guess, a, kind)


def _dense(t: Any) -> Any:
    """A tangent as the linear solve takes it: index-value vectors as dense ones."""
    return t.dense() if hasattr(t, "dense") else t


def _jacobian(p: _Problem, x: list[Any], a: list[Any]) -> list[list[Any]]:
    """dF/dx at (x, a), one forward pass per column; entries carry the derivatives x and a
    carry (an outer level's Jacobian is itself differentiated)."""
    columns = []
    with Tagged() as tag:
        for j in range(len(x)):
            xs = list(x)
            xs[j] = Dual.from_parts(x[j], 1.0, tag)
            r = p.residual(xs, a)
            columns.append([v.tangent if type(v) is Dual and v.tag == tag else 0.0 for v in r])
    return [list(row) for row in zip(*columns, strict=True)]


def _newton(p: _Problem, x: list[float], a: list[Any]) -> list[Any]:
    """Newton's method on plain numbers, with a backtracking line search on max|F|."""
    r = _checked(p, x, a)
    size = _norm(r)
    for _ in range(p.maxiter):
        if size == 0.0:
            return x
        step = LU(_jacobian(p, x, a), p.what).solve([-v for v in r])
        length = _norm(step)
        if length <= p.tol * (1.0 + _norm(x)):  # converged: take the (tiny) full step
            return [xi + si for xi, si in zip(x, step, strict=True)]
        t = 1.0
        for _ in range(30):  # halve the step until max|F| does not grow
            trial = [xi + t * si for xi, si in zip(x, step, strict=True)]
            rt = _checked(p, trial, a)
            if _norm(rt) <= size:
                break
            t *= 0.5
        x, r, size = trial, rt, _norm(rt)
    raise ConvergenceError(
        f"{p.what}: no solution found: after {p.maxiter} Newton iterations max|F(x)| = "
        f"{size:.3g} at x = {describe(x)}; try another x0, a larger maxiter or tol",
        p.maxiter,
        size,
        x,
    )


def _norm(v: Sequence[float]) -> float:
    size = 0.0
    for e in v:
        e = abs(e)
        if not e <= size:  # larger, or nan (which then stays)
            size = e if e == e else math.nan
            if size != size:
                return math.nan
    return size


def _checked(p: _Problem, x: list[float], a: list[Any]) -> list[float]:
    """F at plain numbers, which must be plain: a derivative there came from a closure."""
    r = p.residual(x, a)
    for i, v in enumerate(r):
        if type(v) not in PLAIN:
            if _kind(v) in (None,):
                r[i] = float(v)  # numpy scalars
                continue
            raise TypeError(
                f"{p.what}: F returned {describe(v)} at plain x and arguments: it uses a number "
                "carrying a derivative from outside (a closure or a global), whose derivative "
                "would be lost; pass that number as an argument, after x0"
            )
    if not all(map(math.isfinite, r)):
        raise ValueError(f"{p.what}: F is not finite at x = {describe(x)}: {describe(r)}")
    return r


def _taylor(p: _Problem, guess: list[float], a: list[Any], tag: int) -> list[Any]:
    """Taylor numbers of tag `tag`: coefficient k of the root solves dF/dx x_k = -r_k, r_k
    the k-th coefficient of F at the series known to degree k - 1 (and 0 at degree k)."""
    mine = [type(v) is Taylor and v.tag == tag for v in a]
    order = max(len(v.coefficients) for v, m in zip(a, mine, strict=True) if m) - 1
    inner = [v.coefficients[0] if m else v for v, m in zip(a, mine, strict=True)]
    x0 = _level(p, guess, inner)
    coefficients = [[xi] for xi in x0]
    if order:
        lu = LU(_jacobian(p, x0, inner), p.what)
        for k in range(1, order + 1):
            xs = [Taylor([*c, 0.0], tag) for c in coefficients]
            r = p.residual(xs, a)
            rk = [
                -v.coefficients[k] if type(v) is Taylor and v.tag == tag and v.order >= k else 0.0
                for v in r
            ]
            for c, xk in zip(coefficients, lu.solve(rk), strict=True):
                c.append(xk)
    return [Taylor(c, tag) for c in coefficients]


def _reverse(p: _Problem, guess: list[float], a: list[Any]) -> list[Any]:
    """Reverse-mode Values: one node per unknown, its local partials -(dF/dx)^-1 dF/da_j."""
    from dualgrad.reverse.value import Value

    inner = [v.data if isinstance(v, Value) else v for v in a]
    x = _newton(p, guess, inner)
    lu = LU(_jacobian(p, x, inner), p.what)
    inputs = [j for j, v in enumerate(a) if isinstance(v, Value)]
    columns = []
    with Tagged() as tag:
        for j in inputs:
            seeded = list(inner)
            seeded[j] = Dual.from_parts(inner[j], 1.0, tag)
            r = p.residual(x, seeded)
            rhs = [-v.tangent if type(v) is Dual and v.tag == tag else 0.0 for v in r]
            columns.append(lu.solve(rhs))
    children = tuple(a[j] for j in inputs)
    return [
        Value.from_parts(xi, children, tuple(col[i] for col in columns)) for i, xi in enumerate(x)
    ]


def _traced(p: _Problem, guess: list[float], a: list[Any], kind: str) -> list[Any]:
    """Sparsity tracers: the root of the values, each unknown depending on every argument."""
    from dualgrad.sparsity.tracer import HessianTracer, Tracer, _pairs

    traced = [v for v in a if isinstance(v, (Tracer, HessianTracer))]
    x = _newton(p, guess, [v.value if isinstance(v, (Tracer, HessianTracer)) else v for v in a])
    deps = frozenset().union(*(v.deps for v in traced))
    if kind == "tracer":
        return [Tracer(xi, deps) for xi in x]
    pairs = frozenset().union(
        _pairs(deps, deps), *(v.pairs for v in traced if isinstance(v, HessianTracer))
    )
    return [HessianTracer(xi, deps, pairs) for xi in x]

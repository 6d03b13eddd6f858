"""The series of the table's rules: one chain-rule node per operation, attached to Series as
its rule methods by the package (:func:`attach_rules`).

For y = phi(*args), partial i of the table is evaluated once on series (the output passed as
``out``) and each coefficient of y is one convolution with it: see :mod:`.lazy`.

>>> from dualgrad.taylormode.lazy import leaf
>>> [round(c, 6) for c in (leaf([0.0, 1.0, 0.0]).sin().get(k) for k in range(3))]
[0.0, 1.0, 0.0]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from dualgrad.rules import RULES, Rule, install
from dualgrad.taylormode.lazy import Series, call, constant_term

__all__ = ["Integral", "RuleNode", "attach_rules", "generic", "unary_node"]

_mul = operator.mul


class RuleNode(Series):
    """z = rule(*args) for series (or constant) arguments, by the chain rule on the table.

    ``parts[i]`` is partial i evaluated once on series (built at the first degree that needs
    it); ``jx[i]`` holds j * x_j. For singular rules a tangent series that is still exactly 0
    up to some degree contributes exactly 0 there (the table's "zero tangent gives 0"), even
    against an infinite or nan partial.
    """

    __slots__ = ("args", "first", "jx", "parts", "rule", "sides")

    def __init__(self, rule: Rule, args: tuple[Any, ...]) -> None:
        super().__init__()
        self.rule, self.args = rule, args
        self.sides = [i for i, a in enumerate(args) if isinstance(a, Series)]
        self.parts: list[Any] = []
        self.jx: list[list[Any]] = [[0.0] for _ in args]
        self.first = [0] * len(args)

    def _next(self, n: int) -> Any:
        args, rule = self.args, self.rule
        if n == 0:
            return call(rule, tuple(map(constant_term, args)))
        if not self.parts:
            self.parts = [_partial(rule, i, args, self) for i in range(len(args))]
        total: Any = 0.0
        started = False
        for i in self.sides:
            x, jx, p = args[i], self.jx[i], self.parts[i]
            xn = x.get(n)
            jx.append(n * xn)
            if rule.singular:
                if not self.first[i]:
                    if xn == 0:
                        continue  # the tangent series is still exactly 0
                    self.first[i] = n
                lo = self.first[i]
            else:
                lo = 1
            if isinstance(p, Series):
                p.get(n - lo)
                term = sum(map(_mul, jx[lo : n + 1], p.c[n - lo :: -1])) / n
            elif type(p) is float and len(args) == 1 and not rule.singular and p in (0.0, 1.0):
                term = xn if p else 0.0  # relu's slopes, exact as for Dual
            else:
                term = xn * p
            total = total + term if started else term
            started = True
        return total


class _Unary(RuleNode):
    """The one-argument case of RuleNode, specialised: it is most of a pass's work."""

    __slots__ = ("d", "u", "x")

    def __init__(self, rule: Rule, x: Series) -> None:
        Series.__init__(self)
        self.rule, self.x, self.d, self.u = rule, x, rule.partial(0), None
        self.jx: list[Any] = [0.0]
        self.first: int = 0  # type: ignore[assignment]

    def _next(self, n: int) -> Any:
        x = self.x
        xc = x.c
        if len(xc) <= n:
            x.get(n)
        xn = xc[n]
        if n == 0:
            return call(self.rule, (xn,))
        u = self.u
        if u is None:
            u = self.u = self.d(x, self)
        jx = self.jx
        jx.append(n * xn)
        lo = 1
        if self.rule.singular:
            if not self.first:
                if xn == 0:
                    return 0.0  # the tangent series is still exactly 0
                self.first = n
            lo = self.first
        if isinstance(u, Series):
            uc = u.c
            if len(uc) <= n - lo:
                u.get(n - lo)
            return sum(map(_mul, jx[lo:], uc[n - lo :: -1])) / n
        if type(u) is float and not self.rule.singular and (u == 0.0 or u == 1.0):
            return xn if u else 0.0  # relu's slopes, exact as for Dual
        return xn * u


class Integral(Series):
    """y with y_0 given and y' = g: y_n = g_{n-1} / n, where g (set after construction) may
    itself depend on y, as in an ODE y' = F(y)."""

    __slots__ = ("g",)

    def __init__(self, y0: Any) -> None:
        super().__init__()
        self.c.append(y0)
        self.g: Any = None

    def _next(self, n: int) -> Any:
        g = self.g
        return (g.get(n - 1) if isinstance(g, Series) else (g if n == 1 else 0.0)) / n


def _partial(rule: Rule, i: int, args: tuple[Any, ...], out: Series) -> Any:
    if not isinstance(args[i], Series):
        return 0.0  # a constant argument: its partial is never used
    return rule.partial(i)(*args, out)


def unary_node(x: Series, rule: Rule) -> Series:
    # Memoised per input, so sin's partial cos(x) and cos's partial -sin(x) close into one
    # cycle of two series instead of a chain growing with the degree.
    memo = x.memo
    if memo is None:
        memo = x.memo = {}
    node = memo.get(rule.name)
    if node is None:
        node = memo[rule.name] = _Unary(rule, x)
    return node


def _unary(rule: Rule) -> Callable[[Series], Series]:
    def op(self: Series) -> Series:
        return unary_node(self, rule)

    op.__name__ = rule.name
    return op


def _binary(rule: Rule) -> tuple[Callable[..., Series], Callable[..., Series]]:
    def op(self: Series, other: Any) -> Series:
        return RuleNode(rule, (self, other))

    def rop(self: Series, other: Any) -> Series:
        return RuleNode(rule, (other, self))

    op.__name__ = rule.name
    return op, rop


def attach_rules(cls: type[Series]) -> None:
    """Give `cls` (Series) one method per rule of the table. install sets every reflected
    operator from the generic factory; the ring operations Series writes directly stay the
    direct ones (:func:`generic` reaches the table's versions for the tests)."""
    direct = {n: vars(cls)[n] for n in ("__radd__", "__rsub__", "__rmul__", "__rtruediv__")}
    install(cls, _unary, _binary)
    for name, fn in direct.items():
        setattr(cls, name, fn)


def generic(name: str, *args: Any) -> Series:
    """Rule `name` on series through the table's partials (no direct ring operation): what the
    tests compare the direct operations with."""
    return RuleNode(RULES[name], args)

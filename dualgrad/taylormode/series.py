"""Taylor numbers: a truncated power series x_0 + x_1 t + ... + x_K t^K carried through a pass.

>>> from dualgrad.taylormode import Taylor
>>> t = Taylor([0.0, 1.0, 0.0, 0.0])      # the series of t itself, to degree 3
>>> t.sin().coefficients                  # sin t = t - t^3/6 + ...
[0.0, 1.0, 0.0, -0.16666666666666666]
>>> (t.exp() * 2.0).derivatives()         # d^k/dt^k 2 e^t at 0
[2.0, 2.0, 2.0, 2.0]

Every operation is built from the rule table (:mod:`dualgrad.rules.table`) by the lazy-series
chain rule of :mod:`dualgrad.taylormode.lazy`: one evaluation of the table's partial on series
per operation, O(K^2) coefficient products. Add, sub, mul, truediv, neg and pos have direct
fast paths (the series ring itself), which a test compares with the table's generic path.

Tags work as for :class:`~dualgrad.Dual`: of two numbers with different tags, the newer one is
the outer number and treats the other as a constant, so a Taylor pass inside ``derivative``
(coefficients become Duals) and ``derivative`` inside a Taylor pass (a Dual whose value is a
Taylor number) never mix their perturbations.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from dualgrad.numbers.base import PLAIN, Number
from dualgrad.numbers.dual import Dual, binary_op
from dualgrad.rules import Rule, install
from dualgrad.taylormode import _fast
from dualgrad.taylormode.lazy import leaf
from dualgrad.taylormode.rulenodes import RuleNode, unary_node

__all__ = ["Taylor"]

_new = object.__new__


def _check_coefficient(c: Any, i: int) -> Any:
    if type(c) in PLAIN or type(c) is Dual or type(c) is Taylor:
        return c
    if isinstance(c, numbers.Real) and not isinstance(c, bool):
        return float(c)
    raise TypeError(
        f"Taylor coefficient {i} must be a real number, a Dual or a Taylor number, got {c!r}"
    )


def _make(coefficients: list[Any], tag: int) -> Taylor:
    out = _new(Taylor)
    out.coefficients = coefficients
    out.tag = tag
    return out


class Taylor(Number, primal="value", carries="series"):
    """A truncated Taylor series in t: ``coefficients[k]`` is the k-th coefficient, so
    ``k! * coefficients[k]`` is the k-th derivative along t (see :meth:`derivatives`).

    Arithmetic with int, float, Dual and Taylor on either side, every rule of the table as an
    operator or a method (``x.exp()``, ``x.atan2(y)``), comparisons on the value (degree 0).

    >>> Taylor([2.0, 1.0, 0.0]) ** 3       # (2 + t)^3 = 8 + 12 t + 6 t^2 + ...
    Taylor([8.0, 12.0, 6.0])
    """

    __slots__ = ("coefficients", "tag")
    _dualgrad_number = True  # other number types (Dual) treat it as a number of ours

    coefficients: list[Any]
    tag: int

    def __init__(self, coefficients: Any, tag: int = 0) -> None:
        if isinstance(coefficients, (numbers.Real, Dual, Taylor)):
            coefficients = [coefficients]
        elif not isinstance(coefficients, Sequence) or isinstance(coefficients, str):
            raise TypeError(
                f"Taylor needs a sequence of coefficients or one number, got {coefficients!r}"
            )
        if not coefficients:
            raise ValueError("Taylor needs at least one coefficient (the value)")
        if type(tag) is not int or tag < 0:
            raise TypeError(f"Taylor tag must be a non-negative int, got {tag!r}")
        self.coefficients = [_check_coefficient(c, i) for i, c in enumerate(coefficients)]
        self.tag = tag

    @property
    def value(self) -> Any:
        """The value at t = 0 (coefficient 0)."""
        return self.coefficients[0]

    @property
    def order(self) -> int:
        """The degree K the series is known to."""
        return len(self.coefficients) - 1

    def derivatives(self) -> list[Any]:
        """[f, f', ..., f^(K)] along t at t = 0: coefficient k times k!."""
        return [c * math.factorial(k) if k > 1 else c for k, c in enumerate(self.coefficients)]

    def __repr__(self) -> str:
        tag = f", tag={self.tag}" if self.tag else ""
        return f"Taylor({self.coefficients!r}{tag})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Taylor, (self.coefficients, self.tag))

    __hash__ = None  # type: ignore[assignment]  # == compares values only, as for Dual

    def __eq__(self, other: object) -> bool:
        """The values only (degree 0), like ``<``: ``x == 0`` branches behave as on floats."""
        return bool(self.coefficients[0] == _point(other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    # -- how Dual reaches our operations when a Taylor number is the newer (outer) one -----------
    @staticmethod
    def _dualgrad_op(name: str) -> Callable[..., Any]:
        return _OPS[name]

    @staticmethod
    def _dualgrad_rop(name: str) -> Callable[..., Any]:
        return _ROPS[name]


def _point(x: Any) -> Any:
    return x.coefficients[0] if type(x) is Taylor else x


# ---------------------------------------------------------------------------------------------
# The generic operations, from the table through lazy series.
# ---------------------------------------------------------------------------------------------
def _unary(rule: Rule) -> Callable[[Taylor], Taylor]:
    def op(self: Taylor) -> Taylor:
        c = self.coefficients
        y = unary_node(leaf(c), rule)
        y.get(len(c) - 1)
        return _make(y.c, self.tag)

    op.__name__ = op.__qualname__ = rule.name
    op.__doc__ = f"{rule.name}(x) as a series (rule '{rule.name}' of dualgrad.rules.table)."
    return op


def _operand(self: Taylor, other: Any, name: str) -> Any:
    """`other` as seen by `self`: a same-tag Taylor, a constant, or None if `other` is the
    newer (outer) number and must do the operation itself."""
    t = type(other)
    if t is float or t is int:
        return other
    if t is Taylor or t is Dual:
        if other.tag > self.tag:
            return None
        return other
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return float(other)  # numpy scalars, Fractions
    if isinstance(other, bool):
        return float(other)
    raise TypeError(
        f"unsupported operand for {name}: Taylor and {other!r} (type {t.__name__}); "
        "a Taylor number combines with int, float, Dual and Taylor"
    )


def _apply2(rule: Rule, a: Taylor, b: Any, reflected: bool) -> Any:
    other = _operand(a, b, rule.name)
    if other is None:  # b is newer: its type runs rule(a, b) (or rule(b, a) if reflected)
        if type(b) is Dual:
            op, rop = binary_op(rule.name)
            return op(b, a) if reflected else rop(b, a)
        return _OPS[rule.name](b, a) if reflected else _ROPS[rule.name](b, a)
    ca = a.coefficients
    if type(other) is Taylor and other.tag == a.tag and len(ca) == 1 < len(other.coefficients):
        return _apply2(rule, other, ca[0], not reflected)  # a is the lifted constant
    if type(other) is Taylor and other.tag == a.tag and len(other.coefficients) == 1:
        other = other.coefficients[0]  # a lifted constant, as dmath makes them: Taylor(c)
    if type(other) is Taylor and other.tag == a.tag:
        cb = other.coefficients
        k = min(len(ca), len(cb))
        x: Any = leaf(ca[:k] if len(ca) > k else ca)
        y: Any = leaf(cb[:k] if len(cb) > k else cb)
    else:
        k = len(ca)
        x, y = leaf(ca), other
    z = RuleNode(rule, (y, x) if reflected else (x, y))
    z.get(k - 1)
    return _make(z.c, a.tag)


def _binary(rule: Rule) -> tuple[Callable[[Taylor, Any], Any], Callable[[Taylor, Any], Any]]:
    def op(self: Taylor, other: Any) -> Any:
        return _apply2(rule, self, other, False)

    def rop(self: Taylor, other: Any) -> Any:
        return _apply2(rule, self, other, True)

    op.__name__ = op.__qualname__ = rule.name
    rop.__name__ = rop.__qualname__ = "r" + rule.name
    return op, rop


_OPS, _ROPS = install(Taylor, _unary, _binary)
GENERIC: dict[str, Callable[..., Any]] = {**_OPS, **{"r" + n: f for n, f in _ROPS.items()}}
"""The table-driven operations by rule name ("radd" for reflected): the tests compare the fast
paths below with them."""

_fast.attach(Taylor, _make, _OPS, _ROPS)

"""SPECIAL CASES - the series ring written directly: add, sub, mul, truediv, neg, pos.

These are the arithmetic of truncated series (a product is a convolution, a quotient its
inverse), not derivative formulas; they take over only for same-tag Taylor numbers of one
order and for plain floats/ints, and hand everything else to the table-driven operations.
tests/taylormode/test_series.py checks that each equals the generic path.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

_mul = operator.mul


Make = Callable[[list[Any], int], Any]
Op = Callable[..., Any]
Same = Callable[[Any, Any], bool]


def attach(cls: Any, make: Make, ops: dict[str, Op], rops: dict[str, Op]) -> None:
    """Install the fast paths on `cls` (Taylor), falling back to `ops`/`rops`: each builder
    below takes the test for "a same-tag series of the same order", the fast constructor and
    the generic operation(s) it hands every other operand to."""

    def same(a: Any, b: Any) -> bool:
        return type(b) is cls and b.tag == a.tag and len(b.coefficients) == len(a.coefficients)

    built = {
        **_add_pair(same, make, ops["add"], rops["add"]),
        **_sub_pair(same, make, ops["sub"], rops["sub"]),
        **_mul_pair(same, make, ops["mul"], rops["mul"]),
        **_div_pair(same, make, ops["truediv"], rops["truediv"]),
        **_sign_pair(make),
    }
    for name, fn in built.items():
        fn.__name__ = fn.__qualname__ = name
        setattr(cls, name, fn)


def _linear_pair(same: Same, make: Make, op: Op, rop: Op, sign: float) -> tuple[Op, Op]:
    """a + b and b + a (sign 1.0), or a - b and b - a (sign -1.0): coefficient by coefficient
    for two series, on the constant term alone for a plain number."""
    combine = operator.add if sign > 0 else operator.sub

    def forward(a: Any, b: Any) -> Any:
        if same(a, b):
            return make(list(map(combine, a.coefficients, b.coefficients)), a.tag)
        if type(b) is float or type(b) is int:
            c = a.coefficients
            return make([combine(c[0], b), *c[1:]], a.tag)
        return op(a, b)

    def reflected(a: Any, b: Any) -> Any:
        if type(b) is float or type(b) is int:
            c = a.coefficients
            rest = c[1:] if sign > 0 else [-x for x in c[1:]]
            return make([combine(b, c[0]), *rest], a.tag)
        return rop(a, b)

    return forward, reflected


def _add_pair(same: Same, make: Make, op: Op, rop: Op) -> dict[str, Op]:
    add, radd = _linear_pair(same, make, op, rop, 1.0)
    return {"__add__": add, "__radd__": radd}


def _sub_pair(same: Same, make: Make, op: Op, rop: Op) -> dict[str, Op]:
    sub, rsub = _linear_pair(same, make, op, rop, -1.0)
    return {"__sub__": sub, "__rsub__": rsub}


def _mul_pair(same: Same, make: Make, op: Op, rop: Op) -> dict[str, Op]:
    def mul(a: Any, b: Any) -> Any:
        if same(a, b):
            x, y = a.coefficients, b.coefficients
            return make([sum(map(_mul, x[: n + 1], y[n::-1])) for n in range(len(x))], a.tag)
        if type(b) is float or type(b) is int:
            return make([x * b for x in a.coefficients], a.tag)
        return op(a, b)

    def rmul(a: Any, b: Any) -> Any:
        if type(b) is float or type(b) is int:
            return make([b * x for x in a.coefficients], a.tag)
        return rop(a, b)

    return {"__mul__": mul, "__rmul__": rmul}


def _div_pair(same: Same, make: Make, op: Op, rop: Op) -> dict[str, Op]:
    def truediv(a: Any, b: Any) -> Any:
        if same(a, b):
            return make(_divide(a.coefficients, b.coefficients), a.tag)
        if (type(b) is float or type(b) is int) and b:
            return make([x / b for x in a.coefficients], a.tag)
        return op(a, b)

    def rtruediv(a: Any, b: Any) -> Any:
        if (type(b) is float or type(b) is int) and a.coefficients[0]:
            return make(_divide([b] + [0.0] * (len(a.coefficients) - 1), a.coefficients), a.tag)
        return rop(a, b)

    return {"__truediv__": truediv, "__rtruediv__": rtruediv}


def _sign_pair(make: Make) -> dict[str, Op]:
    def neg(a: Any) -> Any:
        return make([-x for x in a.coefficients], a.tag)

    def pos(a: Any) -> Any:
        return make(list(a.coefficients), a.tag)

    return {"__neg__": neg, "__pos__": pos}


def _divide(a: list[Any], b: list[Any]) -> list[Any]:
    """q with q * b = a to the common degree: q_n = (a_n - sum_{i=1..n} b_i q_{n-i}) / b_0."""
    b0 = b[0]
    q: list[Any] = []
    for n in range(len(a)):
        q.append((a[n] - sum(map(_mul, b[1 : n + 1], q[::-1]))) / b0 if n else a[0] / b0)
    return q

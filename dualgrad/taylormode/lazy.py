"""Lazy ("relaxed") power series: coefficients computed on demand, driven by the rule table.

A :class:`Series` knows its first coefficients and extends them one degree at a time. For a
rule y = phi(x) the table gives phi'(x, out); since y' = phi'(x) x',

    y_n = (1/n) * sum_{j=1..n} j x_j u_{n-j},   u = phi'(x, y)

and u up to degree n-1 needs y only up to degree n-1, so the partial is evaluated *once*, on
series (the output itself passed as ``out``), and every coefficient costs one convolution:
O(K^2) per operation for K coefficients. Only the ring operations (add, sub, mul, truediv,
neg, pos) are written directly - they define the number type, like Dual's fast paths, and a
test checks them against the table's partials.

>>> x = leaf([0.0, 1.0, 0.0, 0.0])   # the series t
>>> y = x.exp()
>>> [y.get(k) for k in range(4)]     # e^t = 1 + t + t^2/2 + t^3/6
[1.0, 1.0, 0.5, 0.16666666666666666]
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from dualgrad.numbers.base import COMPARISONS, PLAIN, Number, describe
from dualgrad.numbers.dual import Dual, binary_op
from dualgrad.rules import RULES, SPELLING, Rule

__all__ = ["Series", "call", "constant_term", "leaf"]

_mul = operator.mul


def call(rule: Rule, args: tuple[Any, ...]) -> Any:
    """The value of `rule` on coefficients: math's function on plain numbers (its errors
    naming the arguments), else the operation of the number type (a Dual, an inner Taylor)."""
    if (type(args[0]) is float and len(args) == 1) or all(type(a) in PLAIN for a in args):
        try:
            return rule.f(*args)
        except (ValueError, ZeroDivisionError) as exc:
            shown = ", ".join(map(describe, args))
            raise type(exc)(f"{exc} in {rule.name}({shown})") from None
    try:
        return rule.f(*args)
    except TypeError:
        pass
    return _method(rule, args)


def _method(rule: Rule, args: tuple[Any, ...]) -> Any:
    name, reflected = SPELLING.get(rule.name, (rule.name, None))
    first = args[0]
    if len(args) == 1 or type(first) not in PLAIN:
        bound = getattr(first, name, None)
        if bound is not None:
            return bound(*args[1:])
    else:
        second = args[1]
        if reflected is not None and hasattr(second, reflected):
            return getattr(second, reflected)(first)
        if type(second) is Dual:
            return binary_op(rule.name)[1](second, first)
        rop = getattr(type(second), "_dualgrad_rop", None)
        if rop is not None:
            return rop(rule.name)(second, first)
    return rule.f(*args)  # not one of our numbers: let math raise its own error


class Series(Number, primal="value", carries="series"):
    """A power series whose coefficients ``c`` are extended on demand by :meth:`get`.

    Comparisons and truth use the value (degree 0), as for Dual, so the table's branches
    (``x > 0``, ``out == 0``) read the point, not the series. A :class:`Number`, so the
    helpers of the table and of the number types (``primal``, the drop guards) know it.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # the node classes below share Series' number protocol as they inherit it
        object.__init_subclass__()

    __slots__ = ("c", "memo")

    def __init__(self) -> None:
        self.c: list[Any] = []
        self.memo: dict[str, Series] | None = None

    def get(self, k: int) -> Any:
        """Coefficient k, computing the missing ones in order."""
        c = self.c
        if k < len(c):
            return c[k]
        while len(c) <= k:
            c.append(self._next(len(c)))
        return c[k]

    def _next(self, n: int) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def value(self) -> Any:
        return self.get(0)

    def __bool__(self) -> bool:
        return bool(self.get(0))

    def __eq__(self, other: object) -> bool:
        return bool(self.get(0) == constant_term(other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Series({self.c!r}...)"

    # -- ring operations, written directly (checked against the table in the tests) ----------
    def __add__(self, other: Any) -> Series:
        return _Add(self, other) if isinstance(other, Series) else _Shift(self, other)

    def __radd__(self, other: Any) -> Series:
        return _Shift(self, other, False)

    def __sub__(self, other: Any) -> Series:
        return _Add(self, _Neg(other)) if isinstance(other, Series) else _Shift(self, -other)

    def __rsub__(self, other: Any) -> Series:
        return _Shift(_Neg(self), other, False)

    def __mul__(self, other: Any) -> Series:
        return _Mul(self, other) if isinstance(other, Series) else _Scale(self, other)

    def __rmul__(self, other: Any) -> Series:
        return _Scale(self, other, False)

    def __truediv__(self, other: Any) -> Series:
        return _Div(self, other) if isinstance(other, Series) else _Over(self, other)

    def __rtruediv__(self, other: Any) -> Series:
        return _Div(_Const(other), self)

    def __neg__(self) -> Series:
        return _Neg(self)

    def __pos__(self) -> Series:
        return self

    __pow__: Callable[[Series, Any], Series]
    __rpow__: Callable[[Series, Any], Series]


def constant_term(x: Any) -> Any:
    """Coefficient 0 of a series (its value at the point); a constant is its own."""
    return x.get(0) if isinstance(x, Series) else x


def _compare(test: Callable[[Any, Any], Any], name: str) -> Callable[[Series, Any], bool]:
    def method(self: Series, other: Any) -> bool:
        return bool(test(self.get(0), constant_term(other)))

    method.__name__ = method.__qualname__ = name
    return method


# Number builds comparisons for one exact class; these compare with every node class.
for _test, _name in COMPARISONS:
    setattr(Series, _name, _compare(_test, _name))
del _test, _name


def leaf(coefficients: Sequence[Any]) -> Series:
    """A series with known coefficients (the input of an operation)."""
    s = _Leaf()
    s.c = list(coefficients)
    return s


class _Leaf(Series):
    __slots__ = ()

    def _next(self, n: int) -> Any:
        raise IndexError(f"a series known to degree {len(self.c) - 1} was asked for degree {n}")


class _Const(Series):
    __slots__ = ()

    def __init__(self, v: Any) -> None:
        super().__init__()
        self.c.append(v)

    def _next(self, n: int) -> Any:
        return 0.0


class _Add(Series):
    __slots__ = ("a", "b")

    def __init__(self, a: Series, b: Series) -> None:
        super().__init__()
        self.a, self.b = a, b

    def _next(self, n: int) -> Any:
        return self.a.get(n) + self.b.get(n)


class _Shift(Series):
    """a + s (or s + a) for a constant s: only the value moves."""

    __slots__ = ("a", "left", "s")

    def __init__(self, a: Series, s: Any, left: bool = True) -> None:
        super().__init__()
        self.a, self.s, self.left = a, s, left

    def _next(self, n: int) -> Any:
        if n:
            return self.a.get(n)
        return self.a.get(0) + self.s if self.left else self.s + self.a.get(0)


class _Neg(Series):
    __slots__ = ("a",)

    def __init__(self, a: Series) -> None:
        super().__init__()
        self.a = a

    def _next(self, n: int) -> Any:
        return -self.a.get(n)


class _Scale(Series):
    __slots__ = ("a", "left", "s")

    def __init__(self, a: Series, s: Any, left: bool = True) -> None:
        super().__init__()
        self.a, self.s, self.left = a, s, left

    def _next(self, n: int) -> Any:
        return self.a.get(n) * self.s if self.left else self.s * self.a.get(n)


class _Over(Series):
    __slots__ = ("a", "s")

    def __init__(self, a: Series, s: Any) -> None:
        super().__init__()
        self.a, self.s = a, s

    def _next(self, n: int) -> Any:
        return self.a.get(n) / self.s


class _Mul(Series):
    __slots__ = ("a", "b")

    def __init__(self, a: Series, b: Series) -> None:
        super().__init__()
        self.a, self.b = a, b

    def _next(self, n: int) -> Any:
        a, b = self.a, self.b
        a.get(n)
        b.get(n)
        return sum(map(_mul, a.c[: n + 1], b.c[n::-1]))


class _Div(Series):
    """q = a / b from q * b = a: q_n = (a_n - sum_{i=1..n} b_i q_{n-i}) / b_0."""

    __slots__ = ("a", "b")

    def __init__(self, a: Series, b: Series) -> None:
        super().__init__()
        self.a, self.b = a, b

    def _next(self, n: int) -> Any:
        a, b = self.a.get(n), self.b
        if n == 0:
            return call(RULES["truediv"], (a, b.get(0)))
        b.get(n)
        return (a - sum(map(_mul, b.c[1 : n + 1], self.c[::-1]))) / b.c[0]

"""Index-set numbers: which inputs each value depends on, traced through one evaluation.

A :class:`Tracer` carries a value and the set of input indices it depends on; a
:class:`HessianTracer` also carries the pairs (i, j) whose second derivative may be nonzero.
Both are built from the rule table by :func:`dualgrad.rules.install`, like every number type.
What a rule does to the sets is read off the *form* of each partial in the table:

- a constant 0 (floor, ceil, trunc): the argument's set is dropped (the partial is
  identically zero, so the output depends on nothing through it);
- any other constant (add, sub, neg, pos): the set passes on, and the rule is linear in it;
- the name of the other argument (mul): the set passes on, and the rule is bilinear (only
  cross pairs between the two arguments' sets have a second derivative);
- a function: the set passes on, and the rule may be nonlinear in everything it touches.

Values follow the plain-number computation at x, so branches (``if a > b``, min, max, relu)
take x's side: the pattern is the one at x's branches. A function's partial that happens to be
zero at x (relu below its kink, min's losing side) still passes its set on, so the pattern may
over-approximate the true one but never misses an entry.

>>> import math
>>> a, b, c = (Tracer(v, frozenset({i})) for i, v in enumerate([1.0, 2.0, 3.0]))
>>> y = a * b + math.floor(c)
>>> y.value, sorted(y.deps)
(5.0, [0, 1])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import PLAIN
from dualgrad.rules import Rule, install

__all__ = ["HessianTracer", "Tracer", "partial_forms"]

_EMPTY: frozenset[Any] = frozenset()


def partial_forms(rule: Rule) -> tuple[str, ...]:
    """How each partial of `rule` acts on dependency sets: "zero", "linear", "bilinear" or
    "nonlinear", from the form the table writes it in (see the module docstring)."""
    forms = []
    for p in rule.partials:
        if isinstance(p, str):
            forms.append("bilinear")
        elif callable(p):
            forms.append("nonlinear")
        else:
            forms.append("zero" if p == 0 else "linear")
    return tuple(forms)


def _as_constant(other: Any, name: str, cls: type) -> Any:
    """`other` as a plain number for a rule applied to a tracer, or a clear TypeError."""
    if type(other) in PLAIN:
        return other
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return float(other)
    raise TypeError(
        f"unsupported operand for {name}: {cls.__name__} and {other!r} (type "
        f"{type(other).__name__}); sparsity detection traces int, float and the inputs of the "
        "function (a Dual or Value made inside the function cannot be traced)"
    )


def _rule_value(rule: Rule, *args: Any) -> Any:
    try:
        return rule.f(*args)
    except (ValueError, ZeroDivisionError) as exc:
        shown = ", ".join(repr(a) for a in args)
        raise type(exc)(f"{exc} in {rule.name}({shown})") from None


class _Traced:
    """What both tracers share: the value at x, value comparisons, and refusals to drop
    the dependencies (float(), int(), indexing), as a Dual refuses to drop its tangent."""

    __slots__ = ("deps", "value")

    value: Any
    deps: frozenset[int]

    def _drops(self, what: str) -> TypeError:
        return TypeError(
            f"{what} would drop the dependencies of a traced value ({self.value!r}) and so "
            "make the sparsity pattern wrong; use dualgrad.dmath instead of math, and keep "
            "the function in arithmetic (branches on comparisons are fine)"
        )

    def __float__(self) -> float:
        raise self._drops("float()")

    def __int__(self) -> int:
        raise self._drops("int()")

    def __index__(self) -> int:
        raise self._drops("using a traced value as an index")

    def __round__(self, ndigits: int | None = None) -> Any:
        raise self._drops("round()")

    def __bool__(self) -> bool:
        return bool(self.value)

    def __lt__(self, other: Any) -> bool:
        return self.value < getattr(other, "value", other)

    def __le__(self, other: Any) -> bool:
        return self.value <= getattr(other, "value", other)

    def __gt__(self, other: Any) -> bool:
        return self.value > getattr(other, "value", other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= getattr(other, "value", other)

    def __eq__(self, other: object) -> bool:
        return bool(self.value == getattr(other, "value", other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r}, deps={sorted(self.deps)})"


class Tracer(_Traced):
    """A value and the set of input indices it depends on (first-order sparsity)."""

    __slots__ = ()

    def __init__(self, value: Any, deps: frozenset[int] = _EMPTY) -> None:
        self.value = value
        self.deps = deps


def _make(value: Any, deps: frozenset[int]) -> Tracer:
    out = Tracer.__new__(Tracer)
    out.value = value
    out.deps = deps
    return out


def _unary(rule: Rule) -> Callable[[Tracer], Tracer]:
    passes = partial_forms(rule)[0] != "zero"

    def op(self: Tracer) -> Tracer:
        return _make(_rule_value(rule, self.value), self.deps if passes else _EMPTY)

    op.__name__ = rule.name
    return op


def _binary(rule: Rule) -> tuple[Callable[..., Any], Callable[..., Any]]:
    fx, fy = (form != "zero" for form in partial_forms(rule))

    def combine(x: Any, dx: frozenset[int], y: Any, dy: frozenset[int]) -> Tracer:
        deps = (dx if fx else _EMPTY) | (dy if fy else _EMPTY)
        return _make(_rule_value(rule, x, y), deps)

    def op(self: Tracer, other: Any) -> Any:
        if type(other) is Tracer:
            return combine(self.value, self.deps, other.value, other.deps)
        if hasattr(other, "__array_ufunc__"):  # an array (traced or not): numpy's operation
            return NotImplemented
        return combine(self.value, self.deps, _as_constant(other, rule.name, Tracer), _EMPTY)

    def rop(self: Tracer, other: Any) -> Tracer:
        return combine(_as_constant(other, rule.name, Tracer), _EMPTY, self.value, self.deps)

    op.__name__, rop.__name__ = rule.name, "r" + rule.name
    return op, rop


install(Tracer, _unary, _binary)


# -- second order ---------------------------------------------------------------------------------
Pairs = frozenset[tuple[int, int]]
_NO_PAIRS: Pairs = frozenset()


def _pairs(a: frozenset[int], b: frozenset[int]) -> Pairs:
    """Every unordered pair {i, j} with i in a and j in b, stored as (min, max)."""
    if not a or not b:
        return _NO_PAIRS
    return frozenset((i, j) if i <= j else (j, i) for i in a for j in b)


class HessianTracer(_Traced):
    """A value, the inputs it depends on (``deps``) and the pairs of inputs whose mixed
    second derivative may be nonzero (``pairs``, each stored as (i, j) with i <= j).

    >>> x = [HessianTracer(v, frozenset({i})) for i, v in enumerate([1.0, 2.0, 3.0])]
    >>> y = x[0] * x[1] + x[2].sin()
    >>> sorted(y.pairs)
    [(0, 1), (2, 2)]
    """

    __slots__ = ("pairs",)

    pairs: Pairs

    def __init__(self, value: Any, deps: frozenset[int] = _EMPTY, pairs: Pairs = _NO_PAIRS):
        self.value = value
        self.deps = deps
        self.pairs = pairs


def _hmake(value: Any, deps: frozenset[int], pairs: Pairs) -> HessianTracer:
    out = HessianTracer.__new__(HessianTracer)
    out.value = value
    out.deps = deps
    out.pairs = pairs
    return out


def _hunary(rule: Rule) -> Callable[[HessianTracer], HessianTracer]:
    form = partial_forms(rule)[0]

    def op(self: HessianTracer) -> HessianTracer:
        value = _rule_value(rule, self.value)
        if form == "zero":
            return _hmake(value, _EMPTY, _NO_PAIRS)
        if form == "linear":
            return _hmake(value, self.deps, self.pairs)
        return _hmake(value, self.deps, self.pairs | _pairs(self.deps, self.deps))

    op.__name__ = rule.name
    return op


def _hbinary(rule: Rule) -> tuple[Callable[..., Any], Callable[..., Any]]:
    form_x, form_y = partial_forms(rule)

    def combine(x: Any, gx: frozenset[int], hx: Pairs, y: Any, gy: frozenset[int], hy: Pairs):
        # second derivative: f_xx gx gx + 2 f_xy gx gy + f_yy gy gy; a nonlinear partial in x
        # may vary with x and y (f_xx, f_xy), a bilinear one only with y (f_xy)
        if form_x == "zero":
            gx, hx = _EMPTY, _NO_PAIRS
        if form_y == "zero":
            gy, hy = _EMPTY, _NO_PAIRS
        deps = gx | gy
        pairs = hx | hy
        if form_x == "nonlinear":
            pairs |= _pairs(gx, deps)
        if form_y == "nonlinear":
            pairs |= _pairs(gy, deps)
        if "bilinear" in (form_x, form_y):
            pairs |= _pairs(gx, gy)
        return _hmake(_rule_value(rule, x, y), deps, pairs)

    def op(self: HessianTracer, other: Any) -> HessianTracer:
        if type(other) is HessianTracer:
            return combine(self.value, self.deps, self.pairs, other.value, other.deps, other.pairs)
        y = _as_constant(other, rule.name, HessianTracer)
        return combine(self.value, self.deps, self.pairs, y, _EMPTY, _NO_PAIRS)

    def rop(self: HessianTracer, other: Any) -> HessianTracer:
        x = _as_constant(other, rule.name, HessianTracer)
        return combine(x, _EMPTY, _NO_PAIRS, self.value, self.deps, self.pairs)

    op.__name__, rop.__name__ = rule.name, "r" + rule.name
    return op, rop


install(HessianTracer, _hunary, _hbinary)

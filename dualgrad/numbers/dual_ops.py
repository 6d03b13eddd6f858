"""Dual's arithmetic: the operations of a dual-number class, built from the rule table.

Each builder specialises once per rule, so the hot path is one closure call: a type check, the
value, the tangent and one object creation. The builders take the class they build for
(:mod:`dualgrad.numbers.dual` hands them :class:`~dualgrad.Dual` and installs what they build),
so this module never imports it. A two-argument rule is built by one of these, chosen by the
form of its partials - the same builders, by the same names, as reverse mode's
(:mod:`dualgrad.reverse.value_ops`):

- :func:`_linear`: partials 1 and +-1, add and sub (a labelled fast path);
- :func:`_product`: partials y and x, mul (a labelled fast path);
- :func:`_by_partials`: partials that are functions, every other rule (the generic path);
- :func:`_singular` (Dual only): rules whose partials may be infinite or nan, always by the
  fallbacks, which scale each tangent by :func:`~dualgrad.numbers.tangents.zero_wins`.

Each returns the operation and its reflected form and shares :func:`_fallbacks`; a test proves
each fast path equal to the generic path (``generic=True``).

>>> from dualgrad import Dual
>>> from dualgrad.rules.table import RULES
>>> unary(Dual, RULES["exp"])(Dual(0.0, 2.0))
Dual(1.0, 2.0)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from dualgrad.numbers.base import (
    PLAIN,
    domain_error,
    is_array,
    is_other_number,
    plain_operand,
    vector,
)
from dualgrad.numbers.building import Built, check_spelled, named
from dualgrad.numbers.tangents import PRODUCTS, TangentProducts, zero_tangent_wins, zero_wins
from dualgrad.rules import Rule

__all__ = ["binary", "unary"]

_new = object.__new__
Op = Callable[[Any, Any], Any]


# ---------------------------------------------------------------------------------------------
# One-argument rules
# ---------------------------------------------------------------------------------------------
def unary(cls: type[Any], rule: Rule) -> Callable[[Any], Any]:
    """The operation of `cls` (Dual) for a one-argument rule."""
    d, name = rule.partials[0], rule.name
    built = Built()
    apply = _unary_value(cls, rule, built)
    if not callable(d):  # constant partial: neg, pos, floor, ceil, trunc
        op = _unary_constant(cls, apply, d)
    elif rule.singular:
        op = _unary_singular(cls, apply, d)
    else:
        op = _unary_by_partial(cls, rule.f, apply, d)
    built.op = op
    doc = f"{name}(x) with its derivative (rule '{name}' of dualgrad.rules.table)."
    return named(op, name, doc)


def _unary_value(cls: type[Any], rule: Rule, built: Built) -> Callable[[Any], Any]:
    """The rule's value, the slow way: errors named, nested numbers by their own operation."""
    f, name = rule.f, rule.name

    def apply(x: Any) -> Any:
        try:
            return f(x)
        except TypeError:
            if type(x) is cls:
                return built.op(x)
            if is_other_number(x):  # a Taylor number inside: its own operation
                return type(x)._dualgrad_op(name)(x)
            raise
        except (ValueError, OverflowError) as exc:
            raise domain_error(exc, name, x) from None

    return apply


def _unary_constant(cls: type[Any], apply: Callable[[Any], Any], d: Any) -> Callable[[Any], Any]:
    if d == 1:

        def op(self: Any) -> Any:
            out = _new(cls)
            out.value = apply(self.value)
            out.tangent = self.tangent
            out.tag = self.tag
            return out

    else:

        def op(self: Any) -> Any:
            out = _new(cls)
            out.value = apply(self.value)
            out.tangent = self.tangent * d if d != -1 else -self.tangent
            out.tag = self.tag
            return out

    return op


def _unary_singular(cls: type[Any], apply: Callable[[Any], Any], d: Any) -> Callable[[Any], Any]:
    def op(self: Any) -> Any:
        x = self.value
        y = apply(x)
        out = _new(cls)
        out.value = y
        out.tangent = zero_wins(self.tangent, d(x, y))
        out.tag = self.tag
        return out

    return op


def _unary_by_partial(
    cls: type[Any], f: Callable[[Any], Any], apply: Callable[[Any], Any], d: Any
) -> Callable[[Any], Any]:
    def op(self: Any) -> Any:
        x = self.value
        try:
            y = f(x)
        except Exception:
            y = apply(x)
        out = _new(cls)
        out.value = y
        p = d(x, y)
        t = self.tangent
        if type(p) is float:
            if p == 0.0 or p - p or (p == 1.0 and type(t) not in PLAIN):
                # relu's two slopes: off, exactly 0 (a plain 0, which the bulk products skip,
                # and 0 even for an infinite tangent); on, the vector tangent itself. And the
                # rare infinite or nan slope (exp at inf, log at 5e-324), where a zero tangent
                # contributes exactly 0: zero_wins decides.
                out.tangent = zero_wins(t, p)
            else:
                out.tangent = t * p
        else:  # nested: a Dual partial, whose own derivative may be nonzero
            out.tangent = zero_wins(t, p)
        out.tag = self.tag
        return out

    return op


# ---------------------------------------------------------------------------------------------
# Two-argument rules
# ---------------------------------------------------------------------------------------------
def binary(
    cls: type[Any], rule: Rule, *, generic: bool = False, products: TangentProducts = PRODUCTS
) -> tuple[Op, Op]:
    """(op, rop) of `cls` (Dual) for a two-argument rule: ``op(d, o)`` is rule(d, o),
    ``rop(d, o)`` rule(o, d).

    The fast paths (a same-tag Dual, or a float/int) are specialised by the form of the table's
    partials; every other case takes the fallbacks, which read the partials through
    :meth:`Rule.partial`. ``generic=True`` builds every rule by its partials as functions (the
    tests compare each fast path with it).
    """
    built = Built()
    fallbacks = _fallbacks(cls, rule, built)
    form = None if generic else rule.partials
    if rule.singular:  # rare and needing care at inf/nan partials: always the fallbacks
        built.op, built.rop = _singular(cls, fallbacks)
    elif form == ("y", "x"):  # bilinear: each partial is the other argument, so f is mul
        check_spelled(rule, operator.mul)
        built.op, built.rop = _product(cls, fallbacks, products)
    elif form in ((1.0, 1.0), (1.0, -1.0)):  # linear: f is add or sub
        check_spelled(rule, operator.add if form == (1.0, 1.0) else operator.sub)
        built.op, built.rop = _linear(cls, form == (1.0, 1.0), fallbacks)
    else:
        built.op, built.rop = _by_partials(cls, rule, fallbacks)
    return named(built.op, rule.name), named(built.rop, "r" + rule.name)


class _Fallbacks(NamedTuple):
    """What every form of a two-argument operation falls back on, off its fast path."""

    value: Op
    """f(x, y) with its errors named and nested numbers by their own operation."""
    both: Op
    """The result for two Duals of one tag, each tangent scaled by its partial (zero wins)."""
    const: Callable[[Any, Any, bool], Any]
    """The result for a Dual and a plain number (on the left when reflected)."""
    slow: Callable[[Any, Any, bool], Any]
    """Any other operand: Duals of other tags, Taylor numbers, arrays, other real types."""
    pair: Op
    """How `both` scales a tangent by its partial: mul's partials are values, not slopes."""


def _fallbacks(cls: type[Any], rule: Rule, built: Built) -> _Fallbacks:
    f, name = rule.f, rule.name
    px, py = rule.partial(0), rule.partial(1)
    pair = zero_tangent_wins if rule.partials == ("y", "x") else zero_wins
    make = cls.from_parts

    def value(x: Any, y: Any) -> Any:
        try:
            return f(x, y)
        except TypeError:  # an inner Dual met a math function (nested derivatives)
            if type(x) is cls:
                return built.op(x, y)
            if type(y) is cls:
                return built.rop(y, x)
            if is_other_number(x):  # Taylor numbers inside: their own operation
                return type(x)._dualgrad_op(name)(x, y)
            if is_other_number(y):
                return type(y)._dualgrad_rop(name)(y, x)
            raise
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise domain_error(exc, name, x, y) from None

    def both(a: Any, b: Any) -> Any:
        x, y = a.value, b.value
        z = value(x, y)
        return make(z, pair(a.tangent, px(x, y, z)) + pair(b.tangent, py(x, y, z)), a.tag)

    def const(a: Any, c: Any, reflected: bool) -> Any:
        x = a.value
        if reflected:
            z = value(c, x)
            return make(z, zero_wins(a.tangent, py(c, x, z)), a.tag)
        z = value(x, c)
        return make(z, zero_wins(a.tangent, px(x, c, z)), a.tag)

    def slow(self: Any, other: Any, reflected: bool) -> Any:
        if type(other) is cls:
            if other.tag == self.tag:  # same tag held by different int objects (unpickled)
                return both(other, self) if reflected else both(self, other)
            if other.tag > self.tag:  # other is the outer number and self its constant
                return built.op(other, self) if reflected else built.rop(other, self)
        elif is_other_number(other):  # a Taylor number: the newer tag is the outer number
            if other.tag > self.tag:
                kind = type(other)
                ops = kind._dualgrad_op if reflected else kind._dualgrad_rop
                return ops(name)(other, self)
        elif is_array(other):  # each entry, as numpy does for ndarray * Dual
            return vector().elementwise(
                (lambda o: built.rop(self, o)) if reflected else (lambda o: built.op(self, o)),
                other,
            )
        elif getattr(type(other), "_dual_array", False):  # a dual array: its own operation
            return NotImplemented
        else:
            other = plain_operand(cls, name, other)
        return const(self, other, reflected)

    return _Fallbacks(value, both, const, slow, pair)


def _singular(cls: type[Any], fallbacks: _Fallbacks) -> tuple[Op, Op]:
    both, const, slow = fallbacks.both, fallbacks.const, fallbacks.slow

    def op(self: Any, other: Any) -> Any:
        if type(other) is cls and other.tag is self.tag:
            return both(self, other)
        if type(other) is float or type(other) is int:
            return const(self, other, False)
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            return const(self, other, True)
        return slow(self, other, True)

    return op, rop


# -- SPECIAL CASES: measured wins, each proved equal to the generic path (generic=True) by
# tests/test_fast_paths.py on random inputs, nested Duals and dense vector tangents included;
# the tangent types' fused products (PRODUCTS) by tests/vector/test_packed.py.
def _product(cls: type[Any], fallbacks: _Fallbacks, products: TangentProducts) -> tuple[Op, Op]:
    both, const, slow = fallbacks.both, fallbacks.const, fallbacks.slow

    def op(self: Any, other: Any) -> Any:
        # the operator itself, not a call of f: it cannot raise on numbers (inf is a value) and
        # it works on nested Duals, and it is 20% of the cost of the whole operation
        if type(other) is cls:
            if other.tag is self.tag:
                x = self.value
                y = other.value
                z = x * y
                if z - z:  # an infinite or nan factor (nested: on the values): rare
                    return both(self, other)
                out = _new(cls)
                out.value = z
                t = self.tangent
                if type(t) is float:
                    out.tangent = t * y + other.tangent * x
                else:  # vector (or nested) tangents: the tangent type's fused product
                    fused = products.fused.get(type(t))
                    u = other.tangent
                    out.tangent = t * y + u * x if fused is None else fused(t, y, u, x)
                out.tag = self.tag
                return out
        elif type(other) is float or type(other) is int:
            if other - other or not other:  # times inf, nan or 0: rare
                return const(self, other, False)
            out = _new(cls)
            out.value = self.value * other
            out.tangent = self.tangent * other
            out.tag = self.tag
            return out
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            if other - other or not other:
                return const(self, other, True)
            out = _new(cls)
            out.value = other * self.value
            out.tangent = self.tangent * other
            out.tag = self.tag
            return out
        return slow(self, other, True)

    return op, rop


def _linear(cls: type[Any], plus: bool, fallbacks: _Fallbacks) -> tuple[Op, Op]:
    """add (`plus`) or sub: partials 1 and +-1, so the tangents add or subtract as the values.
    (sub's body is add's with the sign changed, chosen here once: a test of `plus` on every
    call would cost 2% of an addition, the commonest operation.)"""
    slow = fallbacks.slow
    if plus:

        def op(self: Any, other: Any) -> Any:
            if type(other) is cls:
                if other.tag is self.tag:
                    out = _new(cls)
                    out.value = self.value + other.value
                    out.tangent = self.tangent + other.tangent
                    out.tag = self.tag
                    return out
            elif type(other) is float or type(other) is int:
                out = _new(cls)
                out.value = self.value + other
                out.tangent = self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, False)

        def rop(self: Any, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                out = _new(cls)
                out.value = other + self.value
                out.tangent = self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, True)

        return op, rop

    def sub(self: Any, other: Any) -> Any:
        if type(other) is cls:
            if other.tag is self.tag:
                out = _new(cls)
                out.value = self.value - other.value
                out.tangent = self.tangent - other.tangent
                out.tag = self.tag
                return out
        elif type(other) is float or type(other) is int:
            out = _new(cls)
            out.value = self.value - other
            out.tangent = self.tangent
            out.tag = self.tag
            return out
        return slow(self, other, False)

    def rsub(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            out = _new(cls)
            out.value = other - self.value
            out.tangent = -self.tangent
            out.tag = self.tag
            return out
        return slow(self, other, True)

    return sub, rsub


# -- THE GENERIC PATH: partials are functions of (x, y, out)
def _by_partials(cls: type[Any], rule: Rule, fallbacks: _Fallbacks) -> tuple[Op, Op]:
    # a constant partial beside a function one (fmod's 1, copysign's or floordiv's 0) is read
    # as a function: a zero slope then gives an exact 0 through `pair`/`zero_wins`
    f, dx, dy = rule.f, rule.partial(0), rule.partial(1)
    value, slow, pair = fallbacks.value, fallbacks.slow, fallbacks.pair

    def op(self: Any, other: Any) -> Any:
        if type(other) is cls:
            if other.tag is self.tag:
                x = self.value
                y = other.value
                try:
                    z = f(x, y)
                except Exception:
                    z = value(x, y)
                a = dx(x, y, z)
                b = dy(x, y, z)
                out = _new(cls)
                out.value = z
                if type(a) is float and type(b) is float and a and b and not (a - a or b - b):
                    out.tangent = self.tangent * a + other.tangent * b
                else:  # a zero (min, max), infinite or nan slope, or nested partials
                    out.tangent = pair(self.tangent, a) + pair(other.tangent, b)
                out.tag = self.tag
                return out
        elif type(other) is float or type(other) is int:
            x = self.value
            try:
                z = f(x, other)
            except Exception:
                z = value(x, other)
            out = _new(cls)
            out.value = z
            p = dx(x, other, z)
            if type(p) is float and p and not p - p:  # an ordinary slope: zero_wins inlined
                out.tangent = self.tangent * p
            else:
                out.tangent = zero_wins(self.tangent, p)
            out.tag = self.tag
            return out
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            y = self.value
            try:
                z = f(other, y)
            except Exception:
                z = value(other, y)
            out = _new(cls)
            out.value = z
            p = dy(other, y, z)
            if type(p) is float and p and not p - p:
                out.tangent = self.tangent * p
            else:
                out.tangent = zero_wins(self.tangent, p)
            out.tag = self.tag
            return out
        return slow(self, other, True)

    return op, rop

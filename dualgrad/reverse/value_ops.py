"""Value's arithmetic: the operations of a reverse-mode number class, built from the rule table.

Each builder specialises once per rule, so the hot path is one closure call: a type check, the
value, the local partials from the table and one object creation. No derivative is written
here: every partial comes from the table. The builders take the class they build for
(:mod:`dualgrad.reverse.value` hands them ``Value`` and installs what they build), and a
two-argument rule is built by the same builders, by the same names, as Dual's
(:mod:`dualgrad.numbers.dual_ops`):

- :func:`_linear`: partials 1 and +-1, add and sub (one shared tuple of local grads);
- :func:`_product`: partials y and x, mul;
- :func:`_by_partials`: partials that are functions, every other rule (the generic path);
- :func:`_flat` (Value only): partials 0 and 0, floordiv, which records no edge, since nothing
  flows back through it (Dual's generic path gives the same exact 0 tangent).

Every builder returns the operation and its reflected form and shares the fallbacks of
:func:`_fallbacks`. A zero gradient through an infinite partial is the backward walk's business
(:meth:`~dualgrad.reverse.Value.backward`), so no builder scales anything.

>>> from dualgrad.reverse import Value
>>> from dualgrad.rules.table import RULES
>>> unary(Value, RULES["exp"])(Value(0.0))._local_grads
(1.0,)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from dualgrad.numbers.base import domain_error, is_array, plain_operand, vector
from dualgrad.numbers.building import Built, check_spelled, named
from dualgrad.rules import Rule

__all__ = ["binary", "unary"]

_new = object.__new__
_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
Op = Callable[[Any, Any], Any]


# ---------------------------------------------------------------------------------------------
# One-argument rules
# ---------------------------------------------------------------------------------------------
def unary(cls: type[Any], rule: Rule) -> Callable[[Any], Any]:
    """The operation of `cls` (Value) for a one-argument rule."""
    f, (d,), name = rule.f, rule.partials, rule.name
    make = cls.from_parts

    def value(x: Any) -> Any:  # the slow path: errors named with the offending number
        try:
            return f(x)
        except _ERRORS as exc:
            raise domain_error(exc, name, x) from None

    op: Callable[[Any], Any]
    if not callable(d) and d == 0:  # floor, ceil, trunc: nothing flows back, no edge recorded

        def flat(self: Any) -> Any:
            return make(value(self.data), (), ())

        op = flat
    elif not callable(d):  # neg, pos
        op = _unary_constant(cls, f, value, d)
    else:
        op = _unary_by_partial(cls, f, value, d)
    doc = f"{name}(x), recording its local derivative (rule '{name}' of dualgrad.rules)."
    return named(op, name, doc)


def _unary_constant(
    cls: type[Any], f: Callable[[Any], Any], value: Callable[[Any], Any], d: Any
) -> Callable[[Any], Any]:
    grads = (d,)  # shared by every result: nothing to allocate

    def op(self: Any) -> Any:
        x = self.data
        try:
            y = f(x)
        except Exception:
            y = value(x)
        out = _new(cls)
        out.data = y
        out.grad = 0.0
        out._children = (self,)
        out._local_grads = grads
        return out

    return op


def _unary_by_partial(
    cls: type[Any], f: Callable[[Any], Any], value: Callable[[Any], Any], d: Any
) -> Callable[[Any], Any]:
    def op(self: Any) -> Any:
        x = self.data
        try:
            y = f(x)
        except Exception:
            y = value(x)
        out = _new(cls)
        out.data = y
        out.grad = 0.0
        out._children = (self,)
        out._local_grads = (d(x, y),)
        return out

    return op


# ---------------------------------------------------------------------------------------------
# Two-argument rules
# ---------------------------------------------------------------------------------------------
def binary(cls: type[Any], rule: Rule, *, generic: bool = False) -> tuple[Op, Op]:
    """(op, rop) of `cls` (Value) for a two-argument rule: ``op(v, o)`` is rule(v, o),
    ``rop(v, o)`` rule(o, v).

    The fast paths (a Value, or a float/int) are specialised by the form of the table's
    partials. Other real types (bool, Fraction, numpy scalars) become floats in the fallbacks;
    anything else is a TypeError naming it. ``generic=True`` builds every rule by its partials
    as functions (the tests compare each fast path with it).
    """
    built = Built()
    fallbacks = _fallbacks(cls, rule, built)
    form = None if generic else rule.partials
    if form == ("y", "x"):  # bilinear: each partial is the other argument, so f is mul
        check_spelled(rule, operator.mul)
        built.op, built.rop = _product(cls, fallbacks)
    elif form in ((1.0, 1.0), (1.0, -1.0)):  # linear: f is add or sub
        check_spelled(rule, operator.add if form == (1.0, 1.0) else operator.sub)
        built.op, built.rop = _linear(cls, form == (1.0, 1.0), fallbacks)
    elif form == (0.0, 0.0):  # piecewise constant: //
        built.op, built.rop = _flat(cls, fallbacks)
    else:
        built.op, built.rop = _by_partials(cls, rule, fallbacks)
    return named(built.op, rule.name), named(built.rop, "r" + rule.name)


class _Fallbacks(NamedTuple):
    """What every form of a two-argument operation falls back on, off its fast path."""

    value: Op
    """f(x, y) with its errors named."""
    slow: Callable[[Any, Any, bool], Any]
    """Any other operand: subclasses of Value, arrays, other real types."""


def _fallbacks(cls: type[Any], rule: Rule, built: Built) -> _Fallbacks:
    f, name = rule.f, rule.name

    def value(x: Any, y: Any) -> Any:
        try:
            return f(x, y)
        except _ERRORS as exc:
            raise domain_error(exc, name, x, y) from None

    def slow(self: Any, other: Any, reflected: bool) -> Any:
        if isinstance(other, cls):  # a subclass of Value
            return built.op(other, self) if reflected else built.op(self, other)
        if is_array(other):  # each entry, as numpy does for ndarray * Value
            return vector().elementwise(
                (lambda o: built.rop(self, o)) if reflected else (lambda o: built.op(self, o)),
                other,
            )
        other = float(plain_operand(cls, name, other))
        return built.rop(self, other) if reflected else built.op(self, other)

    return _Fallbacks(value, slow)


# -- SPECIAL CASES: measured wins, each proved equal to the generic path (generic=True) by
# tests/test_fast_paths.py on random inputs.
def _product(cls: type[Any], fallbacks: _Fallbacks) -> tuple[Op, Op]:
    slow = fallbacks.slow

    # the operator itself, not a call of f (as in Dual: data are floats, x * y cannot raise)
    def op(self: Any, other: Any) -> Any:
        x = self.data
        if type(other) is cls:
            y = other.data
            out = _new(cls)
            out.data = x * y
            out.grad = 0.0
            out._children = (self, other)
            out._local_grads = (y, x)
            return out
        if type(other) is float or type(other) is int:
            out = _new(cls)
            out.data = x * other
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = (other,)
            return out
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            out = _new(cls)
            out.data = other * self.data
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = (other,)
            return out
        return slow(self, other, True)

    return op, rop


def _linear(cls: type[Any], plus: bool, fallbacks: _Fallbacks) -> tuple[Op, Op]:
    """add (`plus`) or sub: partials 1 and +-1, one tuple of them shared by every result."""
    slow = fallbacks.slow
    both, left, right = (1.0, 1.0 if plus else -1.0), (1.0,), (1.0 if plus else -1.0,)

    def op(self: Any, other: Any) -> Any:
        if type(other) is cls:
            out = _new(cls)
            out.data = self.data + other.data if plus else self.data - other.data
            out.grad = 0.0
            out._children = (self, other)
            out._local_grads = both
            return out
        if type(other) is float or type(other) is int:
            out = _new(cls)
            out.data = self.data + other if plus else self.data - other
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = left
            return out
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            out = _new(cls)
            out.data = other + self.data if plus else other - self.data
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = right
            return out
        return slow(self, other, True)

    return op, rop


def _flat(cls: type[Any], fallbacks: _Fallbacks) -> tuple[Op, Op]:
    """Partials 0 and 0 (//): nothing flows back, so no edge is recorded."""
    value, slow, make = fallbacks.value, fallbacks.slow, cls.from_parts

    def op(self: Any, other: Any) -> Any:
        if type(other) is cls:
            return make(value(self.data, other.data), (), ())
        if type(other) is float or type(other) is int:
            return make(value(self.data, other), (), ())
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            return make(value(other, self.data), (), ())
        return slow(self, other, True)

    return op, rop


# -- THE GENERIC PATH: partials are functions of (x, y, out)
def _by_partials(cls: type[Any], rule: Rule, fallbacks: _Fallbacks) -> tuple[Op, Op]:
    f, px, py = rule.f, rule.partial(0), rule.partial(1)
    value, slow = fallbacks.value, fallbacks.slow

    def op(self: Any, other: Any) -> Any:
        if type(other) is cls:
            x = self.data
            y = other.data
            try:
                z = f(x, y)
            except Exception:
                z = value(x, y)
            out = _new(cls)
            out.data = z
            out.grad = 0.0
            out._children = (self, other)
            out._local_grads = (px(x, y, z), py(x, y, z))
            return out
        if type(other) is float or type(other) is int:
            x = self.data
            try:
                z = f(x, other)
            except Exception:
                z = value(x, other)
            out = _new(cls)
            out.data = z
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = (px(x, other, z),)
            return out
        return slow(self, other, False)

    def rop(self: Any, other: Any) -> Any:
        if type(other) is float or type(other) is int:
            y = self.data
            try:
                z = f(other, y)
            except Exception:
                z = value(other, y)
            out = _new(cls)
            out.data = z
            out.grad = 0.0
            out._children = (self,)
            out._local_grads = (py(other, y, z),)
            return out
        return slow(self, other, True)

    return op, rop

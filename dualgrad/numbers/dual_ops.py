"""Dual's operations, built from the rule table by factories specialised for speed.

Each factory specialises once per rule, so the hot path is one closure call: a type check, the
value, the tangent and one object creation. add, sub and mul have labelled fast paths (a test
proves them equal to the generic path, which ``generic=True`` builds); every other case reads
the partials through :meth:`~dualgrad.rules.Rule.partial`. :mod:`dualgrad.numbers.dual`
installs them.
A product of two Duals with vector tangents lets the tangent type make ``a * y + b * x`` in one
step where it can (:data:`PRODUCTS`, registered by the vector layer).

>>> from dualgrad import Dual
>>> from dualgrad.rules.table import RULES
>>> _unary(RULES["exp"])(Dual(0.0, 2.0))
Dual(1.0, 2.0)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import bad_operand, domain_error, is_array, vector
from dualgrad.numbers.dual import Dual, _is_other_number, _is_real
from dualgrad.rules import Rule

__all__ = ["PRODUCTS", "_binary", "_make", "_scale", "_unary"]

_new = object.__new__
_REAL = (float, int)

# The tangent of a product of two Duals, a * y + b * x (a, b their tangents, x, y their
# values), by a tangent type that makes it in one step: keyed by the type of a, called as
# fused(a, y, b, x), and equal to a * y + b * x bit for bit. The vector layer registers its
# sparse tangents here: a parameter's seed times a computed value is most of the products of
# scalar code's sums, sum(w_i * x_i for ...).
PRODUCTS: dict[type, Callable[[Any, Any, Any, Any], Any]] = {}


def _scale(tangent: Any, partial: Any) -> Any:
    """tangent * partial for the table's singular rules (kinks and infinite slopes), where 0
    wins: a zero tangent contributes exactly 0 even when the partial is +-inf or nan, and a
    zero partial (relu below its kink, a flat side) gives exactly 0 whatever the tangent - a
    plain 0, which the bulk products skip (JAX and PyTorch's relu give 0 there too)."""
    if partial - partial == 0:  # finite (inf - inf and nan - nan are nan)
        if type(partial) in _REAL:
            if partial == 0:
                return 0.0
            if partial == 1.0 and type(tangent) not in _REAL:
                return tangent  # a vector times 1.0 is itself (tangents are never changed)
        return tangent * partial
    if type(tangent) in _REAL:
        return tangent * partial if tangent else 0.0
    if type(tangent) is Dual or _is_other_number(tangent):  # nested: decide on the value
        return tangent * partial if tangent.value else 0.0 * tangent
    import numpy as np  # a vector tangent: numpy is present

    if hasattr(tangent, "dense"):  # a Sparse tangent: decide entry by entry on the dense form
        tangent = tangent.dense()
    with np.errstate(invalid="ignore"):
        out = tangent * partial
    out[tangent == 0] = 0.0
    return out


def _scale_by_value(tangent: Any, partial: Any) -> Any:
    """tangent * partial where the partial is the value of another Dual (mul's partials): a
    zero tangent still contributes exactly 0 through an infinite or nan value, but a zero
    value is not a constant (it may move), so 0 times an infinite tangent stays nan, loudly:
    cbrt(x) * cbrt(x) at 0 is 0 * inf, undetermined."""
    if partial - partial == 0:
        return tangent * partial
    return _scale(tangent, partial)


def _times(tangent: Any, partial: Any) -> Any:
    """tangent * partial, through :func:`_scale` only when the partial is not an ordinary
    float (zero, infinite, nan, or a nested Dual)."""
    if type(partial) is float and partial and not partial - partial:
        return tangent * partial
    return _scale(tangent, partial)


# ---------------------------------------------------------------------------------------------
# Building the operations from the rule table. Each factory specialises once per rule, so the
# hot path is one closure call: a type check, the value, the tangent and one object creation.
# ---------------------------------------------------------------------------------------------
def _unary(rule: Rule) -> Callable[[Dual], Dual]:
    f, (d,), name = rule.f, rule.partials, rule.name
    singular = rule.singular

    def apply(x: Any) -> Any:  # the value (slow path: errors and nested Duals)
        try:
            return f(x)
        except TypeError:
            if type(x) is Dual:
                return op(x)
            if _is_other_number(x):  # a Taylor number inside: its own operation
                return type(x)._dualgrad_op(name)(x)
            raise
        except (ValueError, OverflowError) as exc:
            raise domain_error(exc, name, x) from None

    if not callable(d):  # constant partial: neg, pos, floor, ceil, trunc
        if d == 1:

            def op(self: Dual) -> Dual:
                out = _new(Dual)
                out.value = apply(self.value)
                out.tangent = self.tangent
                out.tag = self.tag
                return out

        else:

            def op(self: Dual) -> Dual:
                out = _new(Dual)
                out.value = apply(self.value)
                out.tangent = self.tangent * d if d != -1 else -self.tangent
                out.tag = self.tag
                return out

    elif singular:

        def op(self: Dual) -> Dual:
            x = self.value
            y = apply(x)
            out = _new(Dual)
            out.value = y
            out.tangent = _scale(self.tangent, d(x, y))
            out.tag = self.tag
            return out

    else:

        def op(self: Dual) -> Dual:
            x = self.value
            try:
                y = f(x)
            except Exception:
                y = apply(x)
            out = _new(Dual)
            out.value = y
            p = d(x, y)
            t = self.tangent
            if type(p) is float:
                if p == 0.0 or p - p or (p == 1.0 and type(t) not in _REAL):
                    # relu's two slopes: off, exactly 0 (a plain 0, which the bulk products
                    # skip, and 0 even for an infinite tangent); on, the vector tangent itself.
                    # And the rare infinite or nan slope (exp at inf, log at 5e-324), where a
                    # zero tangent contributes exactly 0: _scale decides.
                    out.tangent = _scale(t, p)
                else:
                    out.tangent = t * p
            else:  # nested: a Dual partial, whose own derivative may be nonzero
                out.tangent = _scale(t, p)
            out.tag = self.tag
            return out

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{name}(x) with its derivative (rule '{name}' of dualgrad.rules.table)."
    return op


def _make(value: Any, tangent: Any, tag: int) -> Dual:
    out = _new(Dual)
    out.value = value
    out.tangent = tangent
    out.tag = tag
    return out


def _check_spelled(rule: Rule, operation: Callable[[Any, Any], Any]) -> None:
    """The fast paths of add, sub and mul use the operator itself; make sure the table's
    value function is that operator (the partials' form says it must be)."""
    if rule.f is not operation:
        raise NotImplementedError(f"rule {rule.name!r}: partials {rule.partials} need {operation}")


def _binary(
    rule: Rule, *, generic: bool = False
) -> tuple[Callable[[Dual, Any], Any], Callable[[Dual, Any], Any]]:
    """(op, rop) for a two-argument rule: ``op(d, o)`` is rule(d, o), ``rop(d, o)`` rule(o, d).

    The fast paths (same-tag Dual, or a float/int) are specialised by the form of the table's
    partials: constants (add, sub), the other argument (mul) or functions (the rest). Every
    other case - errors, other real types, Duals of another tag, singular rules - takes the
    generic slow path, which reads the partials through :meth:`Rule.partial`.
    """
    f, name = rule.f, rule.name
    px, py = rule.partial(0), rule.partial(1)
    times = _scale  # the generic path: exact zeros at infinite slopes, for every rule
    # two Duals meeting in mul: each partial is the other's value, not a constant
    pair = _scale_by_value if rule.partials == ("y", "x") else _scale

    def value(x: Any, y: Any) -> Any:
        try:
            return f(x, y)
        except TypeError:  # an inner Dual met a math function (nested derivatives)
            if type(x) is Dual:
                return op(x, y)
            if type(y) is Dual:
                return rop(y, x)
            if _is_other_number(x):  # Taylor numbers inside: their own operation
                return type(x)._dualgrad_op(name)(x, y)
            if _is_other_number(y):
                return type(y)._dualgrad_rop(name)(y, x)
            raise
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise domain_error(exc, name, x, y) from None

    def both(a: Dual, b: Dual) -> Dual:
        x, y = a.value, b.value
        z = value(x, y)
        return _make(z, pair(a.tangent, px(x, y, z)) + pair(b.tangent, py(x, y, z)), a.tag)

    def const(a: Dual, c: Any, reflected: bool) -> Dual:
        x = a.value
        if reflected:
            z = value(c, x)
            return _make(z, times(a.tangent, py(c, x, z)), a.tag)
        z = value(x, c)
        return _make(z, times(a.tangent, px(x, c, z)), a.tag)

    def slow(self: Dual, other: Any, reflected: bool) -> Any:
        if type(other) is Dual:
            if other.tag == self.tag:  # same tag held by different int objects (unpickled)
                return both(other, self) if reflected else both(self, other)
            if other.tag > self.tag:  # other is the outer number and self its constant
                return op(other, self) if reflected else rop(other, self)
        elif _is_other_number(other):  # a Taylor number: the newer tag is the outer number
            if other.tag > self.tag:
                cls = type(other)
                return (
                    cls._dualgrad_op(name)(other, self)
                    if reflected
                    else (cls._dualgrad_rop(name)(other, self))
                )
        elif is_array(other):  # each entry, as numpy does for ndarray * Dual
            return vector().elementwise(
                (lambda o: rop(self, o)) if reflected else (lambda o: op(self, o)), other
            )
        elif getattr(type(other), "_dual_array", False):  # a dual array: its own operation
            return NotImplemented
        elif not _is_real(other):
            raise bad_operand(Dual, name, other)
        elif type(other) not in _REAL:  # numpy scalars, Fractions, bools: plain floats
            other = float(other)
        return const(self, other, reflected)

    # generic=True: every partial as a function, so no special case below applies (the
    # tests compare each special case with this generic path)
    dx, dy = (px, py) if generic else rule.partials
    if rule.singular:  # rare and needing care at inf/nan partials: always the generic path

        def op(self: Dual, other: Any) -> Any:
            if type(other) is Dual and other.tag is self.tag:
                return both(self, other)
            if type(other) is float or type(other) is int:
                return const(self, other, False)
            return slow(self, other, False)

        def rop(self: Dual, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                return const(self, other, True)
            return slow(self, other, True)

    # -- SPECIAL CASES: measured wins, each proved equal to the generic path (generic=True)
    # by tests/test_fast_paths.py on random inputs, nested Duals and dense vector tangents
    # included; the tangent types' fused products (PRODUCTS) by tests/vector/test_packed.py.
    elif (dx, dy) == ("y", "x"):  # bilinear: each partial is the other argument, so f is mul
        _check_spelled(rule, operator.mul)

        def op(self: Dual, other: Any) -> Any:
            # the operator itself, not a call of f: it cannot raise on numbers (inf is a value)
            # and it works on nested Duals, and it is 20% of the cost of the whole operation
            if type(other) is Dual:
                if other.tag is self.tag:
                    x = self.value
                    y = other.value
                    z = x * y
                    if z - z:  # an infinite or nan factor (nested: on the values): rare
                        return both(self, other)
                    out = _new(Dual)
                    out.value = z
                    t = self.tangent
                    if type(t) is float:
                        out.tangent = t * y + other.tangent * x
                    else:  # vector (or nested) tangents: the tangent type's fused product
                        fused = PRODUCTS.get(type(t))
                        u = other.tangent
                        out.tangent = t * y + u * x if fused is None else fused(t, y, u, x)
                    out.tag = self.tag
                    return out
            elif type(other) is float or type(other) is int:
                if other - other or not other:  # times inf, nan or 0: rare
                    return const(self, other, False)
                out = _new(Dual)
                out.value = self.value * other
                out.tangent = self.tangent * other
                out.tag = self.tag
                return out
            return slow(self, other, False)

        def rop(self: Dual, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                if other - other or not other:
                    return const(self, other, True)
                out = _new(Dual)
                out.value = other * self.value
                out.tangent = self.tangent * other
                out.tag = self.tag
                return out
            return slow(self, other, True)

    elif (dx, dy) == (1.0, 1.0):  # linear with partials 1 and 1: f is add
        _check_spelled(rule, operator.add)

        def op(self: Dual, other: Any) -> Any:
            if type(other) is Dual:
                if other.tag is self.tag:
                    out = _new(Dual)
                    out.value = self.value + other.value
                    out.tangent = self.tangent + other.tangent
                    out.tag = self.tag
                    return out
            elif type(other) is float or type(other) is int:
                out = _new(Dual)
                out.value = self.value + other
                out.tangent = self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, False)

        def rop(self: Dual, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                out = _new(Dual)
                out.value = other + self.value
                out.tangent = self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, True)

    elif (dx, dy) == (1.0, -1.0):  # linear with partials 1 and -1: f is sub
        _check_spelled(rule, operator.sub)

        def op(self: Dual, other: Any) -> Any:
            if type(other) is Dual:
                if other.tag is self.tag:
                    out = _new(Dual)
                    out.value = self.value - other.value
                    out.tangent = self.tangent - other.tangent
                    out.tag = self.tag
                    return out
            elif type(other) is float or type(other) is int:
                out = _new(Dual)
                out.value = self.value - other
                out.tangent = self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, False)

        def rop(self: Dual, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                out = _new(Dual)
                out.value = other - self.value
                out.tangent = -self.tangent
                out.tag = self.tag
                return out
            return slow(self, other, True)

    else:  # THE GENERIC PATH: partials are functions of (x, y, out)
        # a constant partial beside a function one (fmod's 1, copysign's or floordiv's 0) is
        # read as a function: a zero slope then gives an exact 0 through `pair`/`_times`
        dx = dx if callable(dx) else px
        dy = dy if callable(dy) else py

        def op(self: Dual, other: Any) -> Any:
            if type(other) is Dual:
                if other.tag is self.tag:
                    x = self.value
                    y = other.value
                    try:
                        z = f(x, y)
                    except Exception:
                        z = value(x, y)
                    a = dx(x, y, z)
                    b = dy(x, y, z)
                    out = _new(Dual)
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
                out = _new(Dual)
                out.value = z
                out.tangent = _times(self.tangent, dx(x, other, z))
                out.tag = self.tag
                return out
            return slow(self, other, False)

        def rop(self: Dual, other: Any) -> Any:
            if type(other) is float or type(other) is int:
                y = self.value
                try:
                    z = f(other, y)
                except Exception:
                    z = value(other, y)
                out = _new(Dual)
                out.value = z
                out.tangent = _times(self.tangent, dy(other, y, z))
                out.tag = self.tag
                return out
            return slow(self, other, True)

    op.__name__ = op.__qualname__ = name
    rop.__name__ = rop.__qualname__ = "r" + name
    return op, rop

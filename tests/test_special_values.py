"""The special-values campaign: every rule of the table at 0, -0.0, +-1, +-inf, nan, 5e-324,
1e-308, 1e308, a huge int and the ends of its test domain.

For each rule and point: the value equals :mod:`math`'s (or raises the same exception type);
the derivative matches mpmath at 2,600 bits (a central difference with a relative step) where
the function is smooth, lies between the one-sided derivatives at a kink, and is an infinity
of the right sign where a one-sided derivative blows up; chunk=1, chunk=2, chunk="all",
nested Duals and reverse mode agree. The cases come from the table: a rule added to it is
walked at once (a test fails if it has no mpmath counterpart in tests/oracles.py).
"""

from __future__ import annotations

import math
import operator

import pytest
from oracles import MP, oracle

from dualgrad import Dual, grad
from dualgrad.reverse import grad as reverse_grad
from dualgrad.rules import RULES

mpmath = pytest.importorskip("mpmath")
pytest.importorskip("numpy")  # chunk modes
mp = mpmath.mp

inf, nan = math.inf, math.nan
POINTS = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, inf, -inf, nan, 5e-324, 1e-308, 1e308, -1e308]
PAIR_POINTS = [0.0, -0.0, 1.0, -1.0, 2.0, inf, -inf, nan, 5e-324, 1e308]
HUGE = 10**400


REMAINDERS = {"fmod", "remainder", "mod", "floordiv"}
INT_POINTS = [0, 1, 2, -1, 3, 1100, -1100, 10**400]
"""Where an argument takes plain ints only (ldexp's exponent, polygamma's order)."""
MATH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}
MATH.update({"truediv": operator.truediv, "neg": operator.neg, "pos": operator.pos})
MATH.update({"abs": abs, "pow": math.pow})
# min and max propagate nan (as numpy, PyTorch and JAX do; builtin min(1.0, nan) is 1.0)
MATH["min"] = lambda x, y: x + y if x != x or y != y else min(x, y)
MATH["max"] = lambda x, y: x + y if x != x or y != y else max(x, y)


def _reference(name):
    """math's function of the rule's name, else the table's own value function."""
    return MATH.get(name, getattr(math, name, RULES[name].f))


def _points(rule, i):
    edges = {e for interval in rule.domain[i] for e in interval}
    return POINTS + sorted(edges)


def _cases():
    for rule in RULES.values():
        if rule.arity == 1:
            for x in _points(rule, 0):
                yield pytest.param(rule.name, (x,), id=f"{rule.name}({x!r})")
        elif rule.integer:
            for x in PAIR_POINTS:
                for k in INT_POINTS:
                    yield pytest.param(rule.name, (x, k), id=f"{rule.name}({x!r},{k!r})")
        else:
            for x in PAIR_POINTS:
                for y in PAIR_POINTS:
                    yield pytest.param(rule.name, (x, y), id=f"{rule.name}({x!r},{y!r})")


def _outcome(f):
    try:
        return f()
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
        return type(exc)


def _same(a, b):
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b or (a != a and b != b)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_an_oracle(name):
    oracle(name)  # fails naming the rule and where its mpmath function goes


def _op(name):
    from dualgrad import dmath

    spelled = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}
    spelled.update({"truediv": operator.truediv, "pow": operator.pow, "neg": operator.neg})
    spelled.update({"pos": operator.pos, "abs": abs, "min": dmath.minimum, "max": dmath.maximum})
    spelled.update({"floor": dmath.floor, "ceil": dmath.ceil, "trunc": dmath.trunc})
    spelled.update({"mod": operator.mod, "floordiv": operator.floordiv})
    spelled["polygamma"] = lambda x, n: dmath.polygamma(n, x)
    return spelled.get(name, getattr(dmath, name, None))


def _one_sided(name, args, i, direction, oracles=MP):
    """mpmath's one-sided (or central, direction 0) derivative in argument i, or None."""
    with mp.workprec(2600):  # room for 1e308 + 2**-160 * 5e-324 to be exact
        return _difference(name, args, i, direction, oracles)


def _difference(name, args, i, direction, oracles):
    f = oracles[name]
    x = [mpmath.mpf(a) for a in args]
    h = min(abs(x[i]), 1) * mpmath.mpf(2) ** -160 if x[i] else mpmath.mpf(2) ** -160

    def at(t):
        y = list(x)
        y[i] = t
        return f(*y)

    try:
        if direction == 0:
            d = (at(x[i] + h) - at(x[i] - h)) / (2 * h)
        elif direction > 0:
            d = (at(x[i] + h) - at(x[i])) / h
        else:
            d = (at(x[i]) - at(x[i] - h)) / h
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):  # mpmath's own limits
        return None
    if isinstance(d, mpmath.mpc) or not mpmath.isfinite(d):
        return None
    return d


def _check_against_mpmath(name, args, i, got, oracles=MP):
    with mp.workprec(2600):
        sides = (_one_sided(name, args, i, s, oracles) for s in (-1, 0, 1))
        _compare(name, args, i, got, *sides)


def _compare(name, args, i, got, left, mid, right):
    if left is None and right is None:
        return  # no real neighbourhood on either side: nothing to compare
    big = [abs(s) for s in (left, mid, right) if s is not None and abs(s) > 1e20]
    if big and (math.isnan(got) or math.isinf(got)):
        # a slope that blows up or a jump (the steps are 2**-160): +-inf of the right sign, or
        # nan where no derivative exists
        if math.isinf(got):
            signs = {s > 0 for s in (left, mid, right) if s is not None and abs(s) > 1e20}
            assert signs == {got > 0}, (name, args, i, got, left, right)
        return
    if left is not None and right is not None and abs(left - right) <= 1e-30 * (1 + abs(mid)):
        want = float(mid)
        if abs(want) >= 2.3e-308:  # a normal float: relative error 1e-12
            assert got == pytest.approx(want, rel=1e-12), (name, args, i, got, want)
        else:
            assert abs(got) <= 2.3e-308, (name, args, i, got, want)
        return
    sides = [float(s) for s in (left, right) if s is not None]
    if math.isinf(got):  # the slope blows up on the side(s) it exists
        assert all(abs(s) > 1e30 and (s > 0) == (got > 0) for s in sides), (name, args, got)
    elif not math.isnan(got) and len(sides) == 2:  # a kink: a value between the two sides
        assert min(sides) - 1e-9 <= got <= max(sides) + 1e-9, (name, args, i, got, sides)


@pytest.mark.parametrize(("name", "args"), list(_cases()))
def test_special_value(name, args):
    rule = RULES[name]
    op = _op(name)
    reference = _outcome(lambda: _reference(name)(*args))
    if rule.integer:  # an int-only argument stays a plain int: the others are differentiated
        ints = {i: args[i] for i in rule.integer}
        plain, width = op, len(args)

        def op(*p):
            it = iter(p)
            return plain(*[ints[j] if j in ints else next(it) for j in range(width)])

        args = tuple(a for j, a in enumerate(args) if j not in ints)
    n = len(args)
    # the value, on a Dual carrying a unit tangent in every argument
    seeded = [Dual(a, 1.0 if j == 0 else 0.0) for j, a in enumerate(args)]
    first = _outcome(lambda: op(*seeded))
    if isinstance(reference, type):
        assert first is reference, (name, args, first, reference)
    else:
        assert not isinstance(first, type), (name, args, first)
        assert _same(first.value, reference), (name, args, first.value, reference)
    # the derivative in every argument, five ways
    ways = {
        "chunk=1": lambda: grad(lambda p: op(*p[:n]), [*args, 1.0], chunk=1)[:n],
        "chunk=2": lambda: grad(lambda p: op(*p[:n]), [*args, 1.0, 1.0], chunk=2)[:n],
        "chunk=all": lambda: grad(lambda p: op(*p[:n]), [*args, 1.0], chunk="all")[:n],
        "reverse": lambda: reverse_grad(lambda p: op(*p[:n]), [*args, 1.0])[:n],
        "nested": lambda: [
            op(
                *[Dual(Dual(a, 0.0, 1), 1.0 if j == i else 0.0, 2) for j, a in enumerate(args)]
            ).tangent
            for i in range(n)
        ],
    }
    got = {way: _outcome(f) for way, f in ways.items()}
    base = got["chunk=1"]
    for way, value in got.items():
        if way == "nested" and not isinstance(value, type):
            value = [v.value if type(v) is Dual else v for v in value]
        assert _same(value, base), (name, args, way, value, "chunk=1", base)
    if isinstance(base, type) or not all(math.isfinite(a) for a in args):
        return
    if isinstance(reference, type) or not math.isfinite(reference):
        return
    if name in REMAINDERS and (abs(args[1]) < 2**-100 or abs(args[0]) > 2**100 * abs(args[1])):
        return  # kinks every |y| in x, every y*y/|x| in y: closer than the oracle's steps
    if name == "copysign":  # mpmath has no -0.0: the sign of y, as given, for d/dx
        sign = math.copysign(1.0, args[1])
        signed = {name: lambda x, y: abs(x) * (sign if y == args[1] else mpmath.sign(y))}
        _check_against_mpmath(name, args, 0, base[0], signed)
        if args[1] != 0:  # at y = +-0 the value jumps: no derivative, the rule's choice is 0
            _check_against_mpmath(name, args, 1, base[1])
        return
    if rule.integer:
        exact = oracle(name)
        with_ints = {name: lambda *p: exact(*p, *ints.values())}
        for i in range(n):
            _check_against_mpmath(name, args, i, base[i], with_ints)
        return
    for i in range(n):
        _check_against_mpmath(name, args, i, base[i])
    assert rule.arity == n


@pytest.mark.parametrize("name", [r.name for r in RULES.values() if r.arity == 1])
def test_a_huge_int(name):
    op = _op(name)
    reference = _outcome(lambda: _reference(name)(HUGE))
    got = _outcome(lambda: op(Dual(HUGE, 1.0)))
    if isinstance(reference, type):
        assert got is reference, (name, got, reference)
    else:
        assert not isinstance(got, type) and got.value == reference, (name, got, reference)

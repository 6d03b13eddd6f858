"""Taylor numbers against mpmath at 50 digits, rule by rule and on random expressions; the
fast paths against the table's generic path; kinks, singular points and errors."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import mpmath
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oracles import oracle
from spellings import public

from dualgrad import derivative, dmath, rules
from dualgrad.rules import RULES, SPELLING
from dualgrad.taylormode import Taylor, derivatives, taylor
from dualgrad.taylormode.series import GENERIC
from dualgrad.testing import rule_points

mp = mpmath.mp
ORDER = 10
RTOL = 1e-12


DIRECTION = (1.0, 0.7)  # t -> rule(x + t, y + 0.7 t) for two-argument rules


def exact_series(fn: Callable[[Any], Any], order: int = ORDER) -> list[float]:
    """Taylor coefficients of t -> fn(t) at 0 with 50 digits (mpmath.taylor differentiates
    at that precision, far beyond double rounding)."""
    with mp.workdps(50):
        return [float(c) for c in mpmath.taylor(fn, 0, order)]


def assert_close(
    got: list[Any], want: list[float], what: str, rtol: float = RTOL, floor: float = 0.0
) -> None:
    """Coefficient-wise relative error <= rtol, measured against the size of the series around
    each degree (a zero coefficient of sin is compared with its neighbours' scale), and at
    least `floor` times the largest coefficient."""
    assert len(got) == len(want), what
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        near = [abs(v) for v in want[max(0, k - 1) : k + 2]]
        scale = max(abs(w), max(near) * 1e-3, floor * max(map(abs, want)), 1e-300)
        assert abs(g - w) <= rtol * scale, f"{what}: degree {k}: {g!r} vs exact {w!r}"


def apply_rule(name: str, *args: Any) -> Any:
    """Rule `name` on numbers the way a user spells it (operator, math dunder or method)."""
    spelled, _ = SPELLING.get(name, (name, None))
    return getattr(args[0], spelled)(*args[1:])


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_matches_mpmath_to_order_10(name: str) -> None:
    rule, exact = RULES[name], oracle(name)
    for point in rule_points(rule):
        if rule.arity == 1:
            (x0,) = point
            got = apply_rule(name, Taylor([x0, 1.0] + [0.0] * (ORDER - 1))).coefficients
            want = exact_series(lambda t, x0=x0: exact(x0 + t))
        elif rule.integer:  # an int-only second argument: a constant
            x0, k = point
            got = apply_rule(name, Taylor([x0, 1.0] + [0.0] * (ORDER - 1)), k).coefficients
            want = exact_series(lambda t, x0=x0, k=k: exact(x0 + t, k))
        else:
            x0, y0 = point
            got = taylor(
                lambda p: apply_rule(name, p[0], p[1]), [x0, y0], [*DIRECTION], order=ORDER
            )
            want = exact_series(
                lambda t, x0=x0, y0=y0: exact(x0 + DIRECTION[0] * t, y0 + DIRECTION[1] * t)
            )
        assert_close(got, want, f"{name}{point}")


@pytest.mark.parametrize("name", sorted(n for n in RULES if RULES[n].arity == 2))
def test_binary_rules_with_a_constant_on_either_side(name: str) -> None:
    x0, y0 = rule_points(RULES[name])[4]
    exact = oracle(name)
    t = Taylor([x0, 1.0] + [0.0] * (ORDER - 1))
    got = apply_rule(name, t, y0).coefficients
    assert_close(got, exact_series(lambda s: exact(x0 + s, y0)), f"{name}(t, c)")
    if RULES[name].integer:
        return  # the second argument takes plain ints only
    s = Taylor([y0, 1.0] + [0.0] * (ORDER - 1))
    fn = public(name)  # the operator (its reflected form) or the dmath mirror
    got = fn(x0, s).coefficients
    assert_close(got, exact_series(lambda v: exact(x0, y0 + v)), f"{name}(c, t)")


# -- random expressions over every rule --------------------------------------------------------
UNARY = sorted(rules.UNARY)
BINARY = sorted(n for n in rules.BINARY if not RULES[n].integer)


def _inside(rule: rules.Rule, arg: int, v: float) -> bool:
    return any(lo <= v <= hi for lo, hi in rule.domain[arg])


@st.composite
def expressions(draw: Any, depth: int = 3) -> Any:
    """A tree ("x",) | ("c", float) | (rule, child) | (rule, child, other)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return ("x",)
    name = draw(st.sampled_from(UNARY + BINARY))
    child = draw(expressions(depth=depth - 1))
    if RULES[name].arity == 1:
        return (name, child)
    other = draw(st.one_of(st.just(("x",)), expressions(depth=depth - 1)))
    if draw(st.booleans()):
        other = ("c", round(draw(st.floats(-2.0, 2.0)), 3))  # mpmath.diff is relative to 1
    return (name, child, other)


# Where each rule's series stops converging (its partials' poles and branch points): rounding
# in coefficient k grows like distance**-k near them, whatever the exact coefficient is.
SINGULAR_AT = {"asin": (1.0, -1.0), "acos": (1.0, -1.0), "atanh": (1.0, -1.0), "acosh": (1.0,)}
SINGULAR_AT |= {"tan": (math.pi / 2, -math.pi / 2), "atan": (), "sigmoid": (), "softplus": ()}
SINGULAR_AT |= dict.fromkeys(
    ("exp", "exp2", "expm1", "sin", "cos", "sinh", "cosh", "tanh", "erf"), ()
)
SINGULAR_AT |= dict.fromkeys(("erfc", "add", "sub", "mul", "neg", "pos", "asinh"), ())
SINGULAR_AT |= dict.fromkeys(("abs", "relu", "floor", "ceil", "trunc", "min", "max"), ())
SINGULAR_AT["log1p"] = (-1.0,)
SINGULAR_AT |= dict.fromkeys(("gamma", "lgamma", "digamma"), (0.0, -1.0, -2.0, -3.0, -4.0))
SINGULAR_AT |= dict.fromkeys(("radians", "degrees", "copysign", "fmod", "remainder"), ())
SINGULAR_AT |= dict.fromkeys(("mod", "floordiv"), ())


def _distance(rule: rules.Rule, values: list[float]) -> float:
    points = SINGULAR_AT.get(rule.name, (0.0,))  # others: poles or branch points at 0
    return min((abs(v - p) for v in values for p in points), default=math.inf)


def evaluate(tree: Any, x: Any, mp_mode: bool, sizes: list[float] | None = None) -> Any:
    """The tree's value: on Taylor numbers (ours) or mpf (the oracle). Rejects (assume) points
    outside the smooth domain the table's tests sample, where no Taylor series exists.
    `sizes` collects the largest coefficient of every intermediate series (ours)."""
    if tree[0] == "x":
        return x
    if tree[0] == "c":
        return mpmath.mpf(tree[1]) if mp_mode else tree[1]
    rule = RULES[tree[0]]
    args = [evaluate(t, x, mp_mode, sizes) for t in tree[1:]]
    for i, a in enumerate(args):
        v = float(a) if mp_mode else (a.value if type(a) is Taylor else a)
        assume(_inside(rule, i, v))
    if mp_mode:
        return oracle(rule.name)(*args)
    if type(args[0]) is not Taylor:  # a constant first argument: the reflected operation
        args[0] = Taylor([args[0]] + [0.0] * ORDER)
    out = apply_rule(rule.name, *args)
    if sizes is not None and type(out) is Taylor:
        values = [a.value if type(a) is Taylor else a for a in args]
        sizes.append(max(map(abs, out.coefficients)))
        sizes.append(-_distance(rule, values))  # negative: a distance, not a size
    return out


@settings(max_examples=300)  # 1000 pass too (30 s)
@given(tree=expressions(), x0=st.floats(-1.5, 1.5))
def test_random_expressions_match_mpmath(tree: Any, x0: float) -> None:
    sizes: list[float] = [1.0]
    got = evaluate(tree, Taylor([x0, 1.0] + [0.0] * (ORDER - 1)), False, sizes)
    radius = max(0.05, min([1.0] + [-v for v in sizes if v < 0]))
    got = got.coefficients if type(got) is Taylor else [got] + [0.0] * ORDER
    want = exact_series(lambda t: evaluate(tree, mpmath.mpf(x0) + t, True))
    assume(all(math.isfinite(w) and abs(w) < 1e12 for w in want))
    # Rounding is relative to the inner series, not to the result: coefficient k is compared
    # with max(|c_k|, S / r**k), S the largest intermediate coefficient and r the distance of an
    # intermediate argument to the nearest singular point of its rule (atan(tan x) = x near
    # pi/2, hypot(x, x) near 0 cancel to exact zeros through series of size r**-k): the
    # scaled coefficients c_k r**k agree to 1e-12. (Unscaled, cancellation costs digits:
    # atan2(asin x, x) at 0.25, degree 8, is off by 8e-11 relative, by 4e-10 with 8 nested
    # derivatives.)
    size = max(v for v in sizes if v > 0)
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        scale = max(abs(w), size * radius**-k)
        assert abs(g - w) <= 1e-12 * scale, f"{tree} at {x0}: degree {k}: {g!r} vs {w!r}"


# -- the fast paths equal the generic path -----------------------------------------------------
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "neg", "pos"])
def test_fast_paths_equal_the_table_path(name: str) -> None:
    rng = random.Random(name)
    spelled, reflected = SPELLING[name]
    for _ in range(20):
        a = Taylor([rng.uniform(0.5, 2.0)] + [rng.uniform(-2, 2) for _ in range(ORDER)])
        b = Taylor([rng.uniform(0.5, 2.0)] + [rng.uniform(-2, 2) for _ in range(ORDER)])
        c = rng.uniform(0.5, 2.0)
        if RULES[name].arity == 1:
            cases = [(getattr(a, spelled)(), GENERIC[name](a))]
        else:
            cases = [
                (getattr(a, spelled)(b), GENERIC[name](a, b)),
                (getattr(a, spelled)(c), GENERIC[name](a, c)),
                (getattr(a, reflected)(c), GENERIC["r" + name](a, c)),
            ]
        for fast, generic in cases:
            for f, g in zip(fast.coefficients, generic.coefficients, strict=True):
                assert f == pytest.approx(g, rel=1e-13, abs=1e-13)


# -- kinks and singular points: the table's choices, at every order --------------------------
def seed(x0: float, order: int = 6) -> Taylor:
    return Taylor([x0, 1.0] + [0.0] * (order - 1))


def test_kinks_follow_the_table() -> None:
    assert derivatives(dmath.relu, 0.0, order=4) == [0.0] * 5  # relu'(0) = 0
    assert derivatives(abs, 0.0, order=4) == [0.0] * 5  # abs'(0) = 0
    assert derivatives(lambda x: dmath.minimum(x, 1.0), 1.0, order=3) == [1.0, 1.0, 0.0, 0.0]
    assert derivatives(lambda x: dmath.maximum(1.0, x), 1.0, order=3) == [1.0, 0.0, 0.0, 0.0]
    assert derivatives(dmath.floor, 1.5, order=3) == [1.0, 0.0, 0.0, 0.0]
    assert derivatives(lambda x: dmath.hypot(x, 0.0 * x), 0.0, order=2) == [0.0] * 3


def test_singular_points() -> None:
    # sqrt'(0) = +inf; higher coefficients of sqrt(t) do not exist: nan, never a number
    d = derivatives(dmath.sqrt, 0.0, order=3)
    assert d[:2] == [0.0, math.inf] and all(math.isnan(v) for v in d[2:])
    # a constant input: every coefficient exactly 0 beyond the value, even for singular rules
    for name in ("sqrt", "cbrt", "asin", "acos", "acosh", "atan2", "pow"):
        x0 = 1.0 if name in ("asin", "acos", "acosh") else 0.0
        args = (Taylor([x0, 0.0, 0.0]),) + ((Taylor([0.0, 0.0, 0.0]),) if name == "atan2" else ())
        if name == "pow":
            args = (Taylor([0.0, 0.0, 0.0]), 0.5)
        out = apply_rule(name, *args).coefficients
        assert out[1:] == [0.0, 0.0], name
    # x**0 is the constant 1, also at 0; x**2 at 0 is exact
    assert derivatives(lambda x: x**0.0, 0.0, order=3) == [1.0, 0.0, 0.0, 0.0]
    assert derivatives(lambda x: x**2.0, 0.0, order=3) == [0.0, 0.0, 2.0, 0.0]
    # a tangent that starts at degree 2 (t^2) meets sqrt's infinite slope at degree 2 only
    out = Taylor([0.0, 0.0, 1.0, 0.0]).sqrt().coefficients
    assert out[:2] == [0.0, 0.0] and out[2] == math.inf


def test_first_order_agrees_with_dual_at_special_points() -> None:
    cases = [(dmath.sqrt, 0.0), (dmath.relu, 0.0), (abs, 0.0), (dmath.asin, 1.0)]
    cases += [(lambda x: x**0.5, 0.0), (lambda x: dmath.atan2(x, 1.0), 0.0)]
    for f, x0 in cases:
        assert derivatives(f, x0, order=1)[1] == derivative(f, x0)


def test_nan_in_gives_nan_out() -> None:
    assert all(math.isnan(v) for v in derivatives(dmath.exp, math.nan, order=3))
    out = Taylor([1.0, math.nan, 0.0]).sin().coefficients
    assert math.isnan(out[1]) and math.isnan(out[2])


# -- errors ------------------------------------------------------------------------------------
def test_domain_errors_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"math domain error in log\(-1.0\)"):
        derivatives(dmath.log, -1.0, order=3)
    with pytest.raises(ValueError, match="sqrt"):
        seed(-2.0).sqrt()
    with pytest.raises(ZeroDivisionError):
        derivatives(lambda x: 1.0 / x, 0.0, order=2)
    with pytest.raises(ValueError, match="pow"):
        seed(-2.0) ** 0.5


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Taylor([])
    with pytest.raises(TypeError, match="coefficient 1"):
        Taylor([1.0, "a"])
    with pytest.raises(TypeError, match="sequence"):
        Taylor("abc")
    with pytest.raises(TypeError, match="tag"):
        Taylor([1.0], tag=-1)
    with pytest.raises(TypeError, match="unsupported operand"):
        seed(1.0) + "a"
    with pytest.raises(TypeError, match="drop the series"):
        float(seed(1.0))
    with pytest.raises(TypeError, match="drop the series"):
        math.exp(seed(1.0))


def test_number_protocol() -> None:
    t = Taylor([2.0, 1.0])
    assert t > 1 and t == 2.0 and t != 3.0 and bool(t) and not Taylor([0.0, 1.0])
    assert max(t, 1.0) is t and t.order == 1 and t.value == 2.0
    assert Taylor(3.0).coefficients == [3.0] and repr(Taylor([1.0], 5)) == "Taylor([1.0], tag=5)"
    assert t.log(2.0).coefficients == pytest.approx([1.0, 0.5 / math.log(2.0)])
    import pickle

    assert pickle.loads(pickle.dumps(t)).coefficients == t.coefficients
    with pytest.raises(TypeError, match="coefficient 0"):
        Taylor([True, 1])

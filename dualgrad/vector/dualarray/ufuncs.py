"""numpy's ufuncs on dual arrays, driven by the rule table.

Every ufunc that names a rule (``np.exp`` -> "exp", ``np.arctan2`` -> "atan2",
``scipy.special.erf`` -> "erf" ...) takes its value from numpy (or scipy) and its tangent from
the rule's partials evaluated on whole arrays: ``sum_i tangent_i * partial_i``, with the
table's zero-wins policy (a zero tangent contributes exactly 0 through an infinite or nan
slope). A few ufuncs are compositions of rules (``np.square`` is x*x, ``np.logaddexp`` max +
log1p(exp(-|a-b|))), comparisons and predicates read the values only, and the piecewise
constant ones (``np.sign``, ``np.rint``, ``np.heaviside``) have slope 0, as floor has in the
table. Anything else is refused by name.

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> x = DualArray(np.array([1.0, 4.0]), np.ones((2, 1)))
>>> np.sqrt(x).tangent[:, 0].tolist()
[0.5, 0.25]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dualgrad.numbers.base import Number, primal
from dualgrad.rules import RULES, Rule
from dualgrad.vector.dualarray.core import DualArray, as_parts, from_parts
from dualgrad.vector.dualarray.partials import evaluate

__all__ = [
    "COMPOSED",
    "ON_VALUES",
    "PIECEWISE_CONSTANT",
    "RULE_OF",
    "UFUNC_METHODS",
    "by_rule",
    "call",
    "times",
    "tag_of",
]

RULE_OF: dict[str, str] = {
    "add": "add",
    "subtract": "sub",
    "multiply": "mul",
    "divide": "truediv",
    "true_divide": "truediv",
    "power": "pow",
    "float_power": "pow",
    "negative": "neg",
    "positive": "pos",
    "absolute": "abs",
    "fabs": "abs",
    "exp": "exp",
    "expm1": "expm1",
    "log": "log",
    "log2": "log2",
    "log10": "log10",
    "log1p": "log1p",
    "sqrt": "sqrt",
    "cbrt": "cbrt",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arctan2": "atan2",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "hypot": "hypot",
    "deg2rad": "radians",
    "radians": "radians",
    "rad2deg": "degrees",
    "degrees": "degrees",
    "copysign": "copysign",
    "ldexp": "ldexp",
    "fmod": "fmod",
    "remainder": "mod",  # numpy's remainder is Python's %
    "floor_divide": "floordiv",
    "maximum": "max",
    "minimum": "min",
    "floor": "floor",
    "ceil": "ceil",
    "trunc": "trunc",
    # scipy.special's ufuncs that the table has
    "erf": "erf",
    "erfc": "erfc",
    "gamma": "gamma",
    "gammaln": "lgamma",
    "psi": "digamma",
    "expit": "sigmoid",
}
"""numpy (or scipy.special) ufunc name -> the rule giving its derivative."""

PIECEWISE_CONSTANT = {"sign", "rint", "heaviside"}
"""Slope 0 wherever they are differentiable (as the table's floor and ceil)."""
ON_VALUES = {
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "isfinite",
    "isinf",
    "isnan",
    "signbit",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
}
"""Comparisons and predicates: plain boolean arrays of the values."""


def tag_of(inputs: Sequence[Any]) -> int:
    """The perturbation of the operation: the newest among the dual arrays (an older one is
    an enclosing derivative's number, a constant here)."""
    return max(x.tag for x in inputs if type(x) is DualArray)


def call(ufunc: np.ufunc, inputs: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """``ufunc(*inputs, **kwargs)`` where some input is a dual array."""
    out = kwargs.pop("out", None)
    name = ufunc.__name__
    if kwargs:
        raise TypeError(
            f"np.{name} on dual arrays takes no {', '.join(sorted(kwargs))} argument: "
            "select with np.where and convert dtypes before the call"
        )
    tag = tag_of(inputs)
    parts = [as_parts(x, tag) for x in inputs]
    composite = COMPOSED.get(name)
    if composite is not None:
        result = composite(*inputs)
    elif name in ON_VALUES:
        return ufunc(*(p[0] for p in parts), out=out) if out else ufunc(*(p[0] for p in parts))
    elif name in PIECEWISE_CONSTANT:
        value = ufunc(*(p[0] for p in parts))
        result = from_parts(value, np.zeros((*np.shape(value), _width(parts))), tag)
    elif name in RULE_OF:
        result = by_rule(RULES[RULE_OF[name]], ufunc, parts, tag)
    else:
        raise TypeError(
            f"np.{name} is not supported on dual arrays: it has no derivative rule in dualgrad "
            "(take .value to compute it on the numbers on purpose)"
        )
    return result if out is None else DualArray.into(out, result, name)


def _width(parts: Sequence[tuple[Any, Any]]) -> int:
    return max(t.shape[-1] for _, t in parts if t is not None)


def by_rule(
    rule: Rule, value_of: Callable[..., Any], parts: Sequence[tuple[Any, Any]], tag: int
) -> Any:
    """The value by numpy (`value_of` on the arrays), the tangent by the rule's partials on
    whole arrays."""
    values = [v for v, _ in parts]
    if rule.integer:
        for i in rule.integer:
            if parts[i][1] is not None:
                raise TypeError(f"{rule.name}: argument {i} takes integers only")
    value = value_of(*values)
    shape = (*np.shape(value), _width(parts))
    both = len(parts) == 2 and parts[0][1] is not None and parts[1][1] is not None
    if both and rule.name in _SUMS:  # FAST PATH: see _SUMS
        tangent = _SUMS[rule.name](parts[0][1], parts[1][1])
    else:
        tangent = terms(rule, parts, values, value)
    if tangent.shape != shape:
        tangent = np.broadcast_to(tangent, shape)
    undefined = _outside_domain(rule, value, values)
    if undefined is not None:
        tangent = np.where(undefined[..., None], np.nan, tangent)
    return from_parts(value, tangent, tag)


_SUMS = {"add": np.add, "sub": np.subtract}
"""Rules whose tangent, when both operands carry one, is one numpy call on the two tangents:
the same numbers as the generic :func:`terms` (``t0 + (-t1)``: negation is exact), one
pass over the tangents instead of two or three."""


def terms(rule: Rule, parts: Sequence[tuple[Any, Any]], values: list[Any], value: Any) -> Any:
    """THE GENERIC PATH: the sum of tangent * partial over the operands that carry one."""
    tangent = None
    for i, (_, t) in enumerate(parts):
        if t is None:
            continue
        p = evaluate(rule, i, values, value)
        if tangent is not None and type(p) is float and p == -1.0:
            tangent = tangent - t  # (sub: one pass, not a negation and a sum)
            continue
        term = times(t, p)
        tangent = term if tangent is None else tangent + term
    if tangent is None:
        raise TypeError("no tangent among the operands")  # pragma: no cover - tag_of found one
    return tangent


def _outside_domain(rule: Rule, value: Any, values: Sequence[Any]) -> Any:
    """Where numpy's value is nan and the scalar rule refuses the entry (log(-1), arccosh(0.5),
    0/0: math raises), no derivative exists: the tangent is nan there too, never a finite
    number. (inf - inf is IEEE's nan on floats too: its tangent stays the rule's.)"""
    if not isinstance(value, (np.ndarray, np.generic)) or not np.isnan(value).any():
        return None
    if any(type(v) is DualArray for v in values):
        return None
    arrays = np.broadcast_arrays(*(_numbers(v) for v in values), value)
    made = np.isnan(arrays[-1])
    for a in arrays[:-1]:
        made = made & ~np.isnan(a)
    for index in zip(*np.nonzero(made), strict=True):
        try:
            rule.f(*(a[index].item() for a in arrays[:-1]))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        made[index] = False  # the scalar rule computes nan here too: its tangent stands
    return made if made.any() else None


def times(t: np.ndarray, p: Any) -> np.ndarray:
    """tangent * partial, entry by entry, where a zero tangent contributes exactly 0 through
    an infinite or nan partial (the table's policy, as the scalar Dual's ``zero_wins``)."""
    if type(p) in (float, int):
        if p == 1:
            return t
        if p == -1:
            return -t
        if p == 0:
            return np.zeros_like(t)
        return t * p
    if type(p) is np.ndarray:  # the common case: a float array of partials
        p = p[..., None]
        plain = p
    elif type(p) is DualArray:
        p = p[..., None]
        plain = _numbers(p)
    elif not isinstance(p, Number):
        p = plain = np.asarray(p)[..., None]
    else:  # a nested Dual multiplies every tangent as it is
        plain = np.asarray(_numbers(p))
    with np.errstate(invalid="ignore", over="ignore"):
        term = t * p
        # a sum is finite only if every entry is: one pass and no boolean array on the common
        # path (an overflow of finite partials only takes the exact masking below)
        if not np.isfinite(np.add.reduce(plain, axis=None)):  # (np.sum's Python layer: ~4 us)
            term = np.where((t == 0) & ~np.isfinite(plain), 0.0, term)
    return term


def _numbers(x: Any) -> Any:
    """The plain numbers inside nested dual arrays and Duals (where the policy decides)."""
    while type(x) is DualArray:
        x = x.value
    return primal(x)


# -- ufuncs composed of rules (their derivatives come from those rules) -----------------------
def _logaddexp(a: Any, b: Any) -> Any:
    # log(e**a + e**b) = big + log1p(exp(small - big)), as the scalar path: the larger one
    # (the first at a tie) is `big`, so at a tie each side's slope is 1/2 (|a - b| would put
    # abs's kink there and give the first side all of it); where both are the same infinity
    # the difference is nan, and `big` itself is the answer
    first = _values(a) >= _values(b)
    big, small = np.where(first, a, b), np.where(first, b, a)
    with np.errstate(invalid="ignore"):
        gap = np.subtract(small, big)
    inf_tie = np.isinf(_values(big)) & np.isnan(_values(gap)) & ~np.isnan(_values(small))
    rest = np.log1p(np.exp(_fill(gap, inf_tie)))
    return np.add(big, _mask(rest, inf_tie))


def _values(x: Any) -> Any:
    return x.value if type(x) is DualArray else np.asarray(x)


def _fill(x: Any, where: np.ndarray) -> Any:
    """x with 0 (no derivative) where `where` is set."""
    return np.where(where, 0.0, x) if where.any() else x


def _mask(x: Any, where: np.ndarray) -> Any:
    return np.where(where, 0.0, x) if where.any() else x


def _logaddexp2(a: Any, b: Any) -> Any:
    ln2 = float(np.log(2.0))
    return np.divide(_logaddexp(np.multiply(a, ln2), np.multiply(b, ln2)), ln2)


def _fmax(a: Any, b: Any) -> Any:  # the other argument where one is nan
    return np.where(_isnan(b), a, np.where(_isnan(a), b, np.maximum(a, b)))


def _fmin(a: Any, b: Any) -> Any:
    return np.where(_isnan(b), a, np.where(_isnan(a), b, np.minimum(a, b)))


def _isnan(x: Any) -> Any:
    return np.isnan(_values(x))


def _modf(x: Any) -> tuple[Any, Any]:
    whole = np.trunc(x)
    return np.subtract(x, whole), whole


def _divmod(a: Any, b: Any) -> tuple[Any, Any]:
    return np.floor_divide(a, b), np.remainder(a, b)


COMPOSED: dict[str, Callable[..., Any]] = {
    "square": lambda x: np.multiply(x, x),
    "reciprocal": lambda x: np.divide(1.0, x),
    "exp2": lambda x: np.power(2.0, x),
    "conjugate": lambda x: x,  # real numbers: themselves (np.var and np.std ask)
    "logaddexp": _logaddexp,
    "logaddexp2": _logaddexp2,
    "fmax": _fmax,
    "fmin": _fmin,
    "modf": _modf,
    "divmod": _divmod,
    "matmul": lambda a, b: _bilinear("matmul")(a, b),
    "vecdot": lambda a, b: _bilinear("vecdot")(a, b),
    "matvec": lambda a, b: _bilinear("matvec")(a, b),
    "vecmat": lambda a, b: _bilinear("vecmat")(a, b),
}


def _bilinear(name: str) -> Callable[..., Any]:
    fn: Callable[..., Any] = DualArray.functions[getattr(np, name)]
    return fn


# -- the other ufunc methods: reductions and accumulations by the matching functions ----------
def _by_function(method: str, functions: dict[str, Any]) -> Callable[..., Any]:
    """``np.<ufunc>.<method>(x, axis=0)`` as the numpy function that computes it."""

    def apply(ufunc: np.ufunc, inputs: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        fn = functions.get(ufunc.__name__)
        if fn is None or len(inputs) != 1:
            raise TypeError(f"np.{ufunc.__name__}.{method} is not supported on dual arrays")
        kwargs.setdefault("axis", 0)
        return fn(inputs[0], **kwargs)

    return apply


_reduce = _by_function(
    "reduce", {"add": np.sum, "multiply": np.prod, "maximum": np.max, "minimum": np.min}
)
_accumulate = _by_function("accumulate", {"add": np.cumsum, "multiply": np.cumprod})


def _outer(ufunc: np.ufunc, inputs: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    a, b = inputs
    a_parts, b_parts = np.ndim(a), np.ndim(b)
    ea = a[(Ellipsis,) + (None,) * b_parts] if a_parts else a
    return ufunc(ea, b, **kwargs)


def _call_method(ufunc: np.ufunc, inputs: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    return call(ufunc, inputs, kwargs)


UFUNC_METHODS: dict[str, Callable[..., Any]] = {
    "__call__": _call_method,
    "reduce": _reduce,
    "accumulate": _accumulate,
    "outer": _outer,
}
"""How each ufunc method applies to dual arrays (``np.add.reduce`` is ``np.sum`` ...)."""

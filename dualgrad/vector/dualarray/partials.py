"""The rule table's partials evaluated on whole arrays.

The generic path calls a rule's partial with the argument and output arrays: the table's
one-line partials (``lambda x, o: o``, ``1 / x``, ``-_sin(x)``, ``_ieee_div(0.5, o)``) compute
entry by entry with numpy's ufuncs as they stand. A footnote that branches on its argument
(``if -0.5 < x < 0.5``: a tail rewritten for accuracy, a kink) cannot take an array; for
those the generic path evaluates the scalar footnote entry by entry - exact, but at Python
speed. The common ones have an array form here (:data:`ARRAY_FORMS`): a labelled special case
of the same formula, its branches as ``np.where``, which tests/vector/test_dualarray_partials.py
proves equal to the entry-by-entry generic path on every rule's domain, its tails and its
special values.

>>> import numpy as np
>>> from dualgrad.rules.table import RULES
>>> x = np.array([0.1, 30.0])
>>> evaluate(RULES["tanh"], 0, [x], np.tanh(x)).tolist() == [
...     generic_entrywise(RULES["tanh"], 0, [x], np.tanh(x)).tolist()][0]
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dualgrad.rules import Rule
from dualgrad.rules.footnotes import _EXACT_Y
from dualgrad.vector.dualarray.core import DualArray

__all__ = ["ARRAY_FORMS", "evaluate", "generic_entrywise"]

INF, NAN = float("inf"), float("nan")
_TINY = 2.2250738585072014e-308  # the smallest normal float


def evaluate(rule: Rule, i: int, values: Sequence[Any], out: Any) -> Any:
    """Partial i of `rule` at the argument arrays `values` and output `out` (broadcast
    together): a number for a constant partial, else an array."""
    d = rule.partials[i]
    if not callable(d):
        return values["xy".index(d)] if isinstance(d, str) else d
    special = ARRAY_FORMS.get((rule.name, i))
    shape = np.shape(out)
    if not shape:  # one number (a plain float, or a nested Dual): the scalar partial
        return d(*(_scalar(v) for v in values), _scalar(out))
    with np.errstate(all="ignore"):
        if special is not None:
            return special(*values, out)
        if math.prod(shape) > 1:
            try:
                p = d(*values, out)
            except (TypeError, ValueError, AttributeError, OverflowError):
                if any(type(v) is DualArray for v in values):
                    return _nested_entrywise(rule, i, values, out)
                # a branch on the argument: entry by entry below
            else:
                if not isinstance(p, np.ndarray) or p.dtype.kind in "fiub":
                    return p
    return generic_entrywise(rule, i, values, out)


def _scalar(x: Any) -> Any:
    """A 0-d array or numpy scalar as a Python float (the scalar footnotes test its type)."""
    return float(x) if isinstance(x, (np.ndarray, np.generic)) else x


def _nested_entrywise(rule: Rule, i: int, values: Sequence[Any], out: Any) -> Any:
    """The scalar partial at each entry of an enclosing derivative's dual arrays (a hessian's
    values), on their entries as Duals: a dual array of that derivative again."""
    from dualgrad.vector.dualarray.core import as_parts

    tag = max(v.tag for v in (*values, out) if type(v) is DualArray)
    d = rule.partial(i)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=object) for v in (*values, out)))
    entries = [d(*entry) for entry in zip(*(a.reshape(-1).tolist() for a in arrays), strict=True)]
    value, tangent = as_parts(np.array(entries, dtype=object).reshape(arrays[-1].shape), tag)
    return value if tangent is None else DualArray(value, tangent, tag)


def generic_entrywise(rule: Rule, i: int, values: Sequence[Any], out: Any) -> Any:
    """THE GENERIC PATH: the scalar partial at each entry (Python floats), as an array."""
    d = rule.partial(i)
    arrays = np.broadcast_arrays(*(_numbers(v) for v in values), out)
    flat = [a.reshape(-1).tolist() for a in arrays]
    for j in rule.integer:  # integer-only arguments (polygamma's order) as Python ints
        flat[j] = [int(n) for n in flat[j]]
    result = np.array([_at(d, entry) for entry in zip(*flat, strict=True)], dtype=float)
    return result.reshape(arrays[-1].shape)


def _numbers(v: Any) -> Any:
    """An argument as an array whose entries are Python floats, or ints where it holds
    integers (ldexp's exponent: math refuses a float there)."""
    a = np.asarray(v)
    return a if a.dtype.kind in "iu" else a.astype(np.float64)


def _at(d: Callable[..., Any], entry: Sequence[float]) -> float:
    """The scalar partial at one entry. Where math refuses it (outside math's domain, where
    numpy's value is nan or +-inf: acosh'(-1), cosh'(1000)), the same formula on one-entry
    arrays gives IEEE's answer (nan, +-inf) as numpy gives the value."""
    try:
        return float(d(*entry))
    except (ValueError, OverflowError, ZeroDivisionError):
        pass
    try:
        with np.errstate(all="ignore"):
            return float(np.reshape(d(*(np.array([e]) for e in entry)), -1)[0])
    except (ValueError, OverflowError, ZeroDivisionError, TypeError, AttributeError):
        return NAN  # a helper with no array form (polygamma): no limit to give


# -- SPECIAL CASES: array forms of the branching footnotes (each proven equal to the generic
# path); the branch conditions and formulas are those of dualgrad.rules.footnotes, as np.where
def _tanh(x: Any, out: Any) -> Any:
    e = np.exp(-2.0 * np.abs(x))
    return np.where(np.abs(x) < 0.5, 1.0 - out * out, 4.0 * e / ((1.0 + e) * (1.0 + e)))


def _sigmoid(x: Any, out: Any) -> Any:
    z = np.exp(-np.abs(x))  # s(x) * s(-x) = z / (1 + z)**2 on both sides
    return z / ((1.0 + z) * (1.0 + z))


def _abs(x: Any, out: Any) -> Any:
    return np.where(x > 0, 1.0, np.where(x < 0, -1.0, np.where(x == 0, 0.0, NAN)))


def _relu(x: Any, out: Any) -> Any:
    return np.where(x > 0, 1.0, np.where(x <= 0, 0.0, NAN))


def _expm1(x: Any, out: Any) -> Any:
    return np.where(x > 0, out + 1.0, np.exp(x))


def _recip_scaled(c: float) -> Callable[[Any, Any], Any]:
    def partial(x: Any, out: Any) -> Any:
        return np.where(x < 1, 1.0 / (x * c), (1.0 / x) / c)

    return partial


def _asinh(x: Any, out: Any) -> Any:
    r = 1.0 / x
    return np.where(np.abs(x) <= 1.0, 1.0 / np.sqrt(x * x + 1.0), np.abs(r) / np.sqrt(1 + r * r))


def _atan(x: Any, out: Any) -> Any:
    r = 1.0 / x
    return np.where(np.abs(x) <= 1.0, 1.0 / (1.0 + x * x), r * r / (1.0 + r * r))


def _picks_first(test: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def partial(x: Any, y: Any, out: Any) -> Any:  # nan where either is nan (nan in, nan out)
        return np.where((x != x) | (y != y), NAN, np.where(test(x, y), 1.0, 0.0))

    return partial


def _not(partial: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, y, out: 1.0 - partial(x, y, out)


def _pow_base(x: Any, y: Any, out: Any) -> Any:
    # an integer exponent: a product, y * x**(y-1) (2x for the square); else y * (out / x)
    # where ordinary (x and out nonzero and finite, the ratio finite); the scalar footnote at
    # every other entry (zeros, infinities, y = 0, overflow, subnormal results - numpy's
    # vectorised pow rounds those apart from math's)
    yv = y.value if type(y) is DualArray else y
    integer = (yv % 1 == 0) & (np.abs(yv) < _EXACT_Y) & (yv != 0)
    if np.ndim(yv) == 0 and integer:  # one exponent for all (x ** 2): the product form only
        p = 2.0 * x if yv == 2 else y * x ** (y - 1)
        odd = ((x == 0) & (yv < 1)) | ~np.isfinite(p) | (np.abs(p) < _TINY)
        return _patch(p, odd, "pow", 0, (x, y), out)
    ratio = out / x
    p = np.where(integer, np.where(yv == 2, 2.0 * x, y * x ** (y - 1)), y * ratio)
    odd = np.where(
        integer,
        ((x == 0) & (yv < 1)) | ~np.isfinite(p) | (np.abs(p) < _TINY),
        (x == 0) | (out == 0) | ~np.isfinite(x) | ~np.isfinite(ratio) | (yv == 0),
    )
    return _patch(p, odd, "pow", 0, (x, y), out)


def _pow_exponent(x: Any, y: Any, out: Any) -> Any:
    p = out * np.log(np.where(x > 0, x, 1.0))
    return _patch(p, np.logical_not(x > 0), "pow", 1, (x, y), out)  # (x may be a float)


def _patch(p: Any, odd: Any, name: str, i: int, values: Sequence[Any], out: Any) -> Any:
    """`p`, with the scalar footnote's own answer at the entries `odd` marks."""
    if not np.any(odd):
        return p
    from dualgrad.rules.table import RULES

    arrays = np.broadcast_arrays(*values, out, p, odd)
    p = arrays[-2].astype(np.float64, copy=True)
    mask = arrays[-1]
    picked = [a[mask] for a in arrays[:-2]]
    p[mask] = generic_entrywise(RULES[name], i, picked[:-1], picked[-1])
    return p


ARRAY_FORMS: dict[tuple[str, int], Callable[..., Any]] = {
    ("tanh", 0): _tanh,
    ("sigmoid", 0): _sigmoid,
    ("abs", 0): _abs,
    ("relu", 0): _relu,
    ("expm1", 0): _expm1,
    ("log2", 0): _recip_scaled(float(np.log(2.0))),
    ("log10", 0): _recip_scaled(float(np.log(10.0))),
    ("asinh", 0): _asinh,
    ("atan", 0): _atan,
    ("min", 0): _picks_first(np.less_equal),
    ("min", 1): _not(_picks_first(np.less_equal)),
    ("max", 0): _picks_first(np.greater_equal),
    ("max", 1): _not(_picks_first(np.greater_equal)),
    ("pow", 0): _pow_base,
    ("pow", 1): _pow_exponent,
}
"""(rule, argument) -> the array form of its partial."""

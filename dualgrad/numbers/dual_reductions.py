"""The table's reductions (:data:`dualgrad.rules.REDUCTIONS`) on Duals, in bulk.

Duals of one level and one tag take math's value of the values and one tangent, the sum of
tangent_i * partial_i with the reduction's closed-form partials (the zero-wins scaling of the
number type: a zero tangent contributes exactly 0 against an infinite slope). Every other mix
is not this module's: :func:`reduce_duals` says so with None.

>>> from dualgrad import Dual
>>> from dualgrad.rules import REDUCTIONS
>>> reduce_duals(REDUCTIONS["fsum"], [Dual(0.1, 1.0)] * 10)
Dual(1.0, 10.0)
"""

from __future__ import annotations

import math
import operator
from functools import reduce
from typing import Any

from dualgrad.numbers.base import PLAIN
from dualgrad.numbers.dual import Dual
from dualgrad.numbers.tangents import zero_wins
from dualgrad.rules import Reduction

__all__ = ["reduce_duals", "sum_tangents"]

_MATH_ERRORS = (ValueError, OverflowError)


def reduce_duals(red: Reduction, args: list[Any]) -> Dual | None:
    """`red` on plain numbers and one-level Duals of one tag, in bulk; None for any other
    mix (nested Duals, other number types, several tags), which the caller composes."""
    tag = None
    for a in args:
        t = type(a)
        if t is Dual:
            if tag is None:
                tag = a.tag
            if a.tag != tag or type(a.value) not in PLAIN:
                return None
        elif t not in PLAIN:
            return None
    if tag is None:
        return None
    values = [a.value if type(a) is Dual else a for a in args]
    out = red.value(values, args)
    partials = red.partials(values, out)
    terms = [
        zero_wins(a.tangent, p) for a, p in zip(args, partials, strict=True) if type(a) is Dual
    ]
    return Dual.from_parts(out, sum_tangents(terms), tag)


def sum_tangents(terms: list[Any]) -> Any:
    """The sum of tangent terms: fsum when all are plain floats (accurate), else in order."""
    if all(type(t) in PLAIN for t in terms):
        try:
            return math.fsum(terms)
        except _MATH_ERRORS:  # inf - inf, or an intermediate overflow: IEEE sums decide
            pass
    return reduce(operator.add, terms) if terms else 0.0

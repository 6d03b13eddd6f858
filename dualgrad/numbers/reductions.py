"""The mirrors of math's functions of many numbers: the table's reductions (hypot, dist,
prod, fsum: :data:`dualgrad.rules.REDUCTIONS`) and its bilinear rule (sumprod, matvec).

Plain numbers get math's result. Otherwise a number type of the first order applies the rule
in bulk - one-level Duals (:mod:`.dual_reductions`), reverse-mode Values (one node), Duals
with vector tangents (one matrix product) - and every other one (nested Duals, Taylor series,
tracers) composes it from the table's scalar rules, which keeps every higher derivative.
:mod:`dualgrad.dmath` offers them beside the one- and two-argument mirrors.

>>> from dualgrad import Dual
>>> fsum([Dual(0.1, 1.0)] * 10), prod([Dual(2.0, 1.0), 3.0])
(Dual(1.0, 10.0), Dual(6.0, 3.0))
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import mul
from typing import Any

from dualgrad.numbers.apply import apply_binary
from dualgrad.numbers.base import PLAIN, is_real
from dualgrad.numbers.dual_reductions import reduce_duals
from dualgrad.rules import BILINEAR, REDUCTIONS

__all__ = ["dist", "fsum", "hypot", "matvec", "prod", "sumprod"]


def hypot(*coordinates: Any) -> Any:
    """The Euclidean norm sqrt(sum of squares) without overflow, like :func:`math.hypot`.

    Two arguments are the table's rule; any other number a reduction (see :func:`fsum`):
    d/dx_i = x_i / hypot, and 0 at the origin (the cone's kink, as for two).

    >>> from dualgrad import Dual
    >>> hypot(3.0, 4.0), hypot(Dual(1.0, 1.0), 2.0, 2.0)
    (5.0, Dual(3.0, 0.3333333333333333))
    """
    if len(coordinates) == 2:  # the table's rule
        return apply_binary("hypot", *coordinates)
    if all(map(_math_number, coordinates)):
        return math.hypot(*coordinates)
    return _reduce("hypot", list(coordinates))


def dist(p: Iterable[Any], q: Iterable[Any]) -> Any:
    """The Euclidean distance of two points, like :func:`math.dist`: the hypot of the
    differences (as math computes it), so d/dp_i = (p_i - q_i) / dist.

    >>> dist([0.0, 0.0], [3.0, 4.0])
    5.0
    """
    p, q = list(p), list(q)
    if len(p) != len(q):
        raise ValueError(
            f"dist: both points must have the same number of dimensions ({len(p)} and {len(q)})"
        )
    if all(map(_math_number, p)) and all(map(_math_number, q)):
        return math.dist(p, q)
    return _reduce("hypot", [a - b for a, b in zip(p, q, strict=True)])


def prod(iterable: Iterable[Any], /, *, start: Any = 1) -> Any:
    """The product of the numbers, like :func:`math.prod`; each partial is the product of the
    others (no division: exact at zeros).

    >>> from dualgrad import Dual
    >>> prod([2.0, Dual(3.0, 1.0), 0.0])
    Dual(0.0, 0.0)
    """
    factors = [start, *iterable]
    if all(map(_math_number, factors)):
        return math.prod(factors[1:], start=start)
    return _reduce("prod", factors)


def fsum(iterable: Iterable[Any], /) -> Any:
    """An accurate sum, like :func:`math.fsum`: plain numbers give math's result. For Duals
    of one level the value is math.fsum of the values and the tangent the (fsum of the)
    tangents; a reverse-mode Value is one node. These are bulk reductions
    (:data:`dualgrad.rules.REDUCTIONS`); other number types (nested Duals, Taylor series)
    compose them from the table's scalar rules, which keeps every higher derivative.

    >>> from dualgrad import Dual
    >>> fsum([0.1] * 10), fsum([Dual(0.1, 1.0)] * 10)
    (1.0, Dual(1.0, 10.0))
    """
    terms = list(iterable)
    if all(map(_math_number, terms)):
        return math.fsum(terms)
    return _reduce("fsum", terms)


def _math_number(c: Any) -> bool:
    """A number math's functions take as it is: a real number (numpy's too) or a bool."""
    return is_real(c) or type(c) is bool


def _reduce(name: str, args: list[Any]) -> Any:
    """Reduction `name` on arguments that are not all plain (see :class:`rules.Reduction`): in
    bulk by the number type that has it (one-level Duals, reverse-mode Values), else composed
    from the table's scalar rule (nested Duals, Taylor series, tracers), which keeps every
    higher derivative."""
    red = REDUCTIONS[name]
    args = [float(a) if type(a) not in PLAIN and _math_number(a) else a for a in args]
    out: Any = reduce_duals(red, args)
    if out is None and "dualgrad.reverse" in sys.modules:  # else no Value can exist
        from dualgrad.reverse.reductions import reduce_values  # reverse mode loads on use

        out = reduce_values(red, args)
    if out is not None:
        return out
    if red.fold == "hypot":
        if len(args) < 2:
            return abs(args[0]) if args else 0.0
        return reduce(lambda a, b: apply_binary("hypot", a, b), args)
    return reduce(operator.mul if red.fold == "mul" else operator.add, args)


# -- sums of products: the table's bilinear rule ------------------------------------------------
_SUMPROD = BILINEAR["sumprod"].f


def sumprod(p: Sequence[Any], q: Sequence[Any]) -> Any:
    """sum(p_i * q_i), like :func:`math.sumprod` (Python 3.12+), summed left to right.

    Plain floats sum in C. A number type may apply the bilinear rule in bulk (its
    ``_sumprod``): Duals carrying vector tangents combine them in one matrix product, and
    reverse-mode Values record one node instead of 2n-1. Otherwise the mul and add rules do it
    term by term; the derivative is the same either way.

    >>> sumprod([1.0, 2.0], [3.0, 4.0])
    11.0
    """
    if len(p) != len(q):  # as math.sumprod
        raise ValueError(f"sumprod: inputs are not the same length ({len(p)} and {len(q)})")
    if len(p) and (type(p[0]) not in PLAIN or type(q[0]) not in PLAIN):
        out = _in_bulk((type(p[0]), type(q[0])), "_sumprod", p, q)
        if out is not None:
            return out
    return _SUMPROD(p, q)


def matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any]:
    """The matrix-vector product ``[sumprod(row, x) for row in w]`` (w stored out x in).

    A number type among the operands may apply it in bulk (its ``_matvec``, see
    :func:`sumprod`): Duals with vector tangents as one matrix product, Values as one vector
    node for the whole product (with numpy; one node per output without it).

    >>> matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0])
    [-1.0, -1.0]
    """
    n = len(x)
    if not len(w):
        return []
    if set(map(len, w)) != {n}:  # zip-like sums would silently drop the excess
        bad = next(len(row) for row in w if len(row) != n)
        raise ValueError(f"matvec: a row of {bad} entries against {n} inputs")
    if n:
        kinds = set(map(type, x))
        kinds.add(type(w[0][0]))
        kinds.difference_update(PLAIN)
        out = _in_bulk(kinds, "_matvec", w, x)
        if out is not None:
            return out
    return [sum(map(mul, row, x)) for row in w]


def _in_bulk(kinds: Iterable[type], hook: str, *args: Any) -> Any:
    """The first bulk result a number type among `kinds` gives by its `hook`, else None."""
    for kind in kinds:
        bulk = getattr(kind, hook, None)
        out = None if bulk is None else bulk(*args)
        if out is not None:
            return out
    return None

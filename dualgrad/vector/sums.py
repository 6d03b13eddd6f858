"""Sums of products with a few Duals among floats (one-tangent passes), reordered.

When one parameter is seeded, a layer's input is mostly floats with a Dual or two. Summed left
to right, the first Dual turns every later addition of the row into a Dual addition. Summing
the floats in C first and adding the Duals' terms after costs a fraction of that - but the
value may then differ from a float pass in the last bit (the terms are added in another
order), which is why this lives here, in the acceleration layer, and not in the math mirror,
whose promise is the scalar code's result.

>>> from dualgrad import Dual
>>> y = few_duals_matvec([[1.0, 2.0, 3.0, 4.0]], [1.0, Dual(1.0, 1.0), 1.0, 1.0])
>>> y[0].value, y[0].tangent
(10.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul
from typing import Any

from dualgrad.numbers.dual import Dual

__all__ = ["few_duals_matvec"]

FEW = 1 / 4  # reorder when at most this fraction of the inputs are Duals


def few_duals_matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any] | None:
    """``[sum(row * x) for row in w]`` with the float terms summed first, or None when more
    than a :data:`FEW` of x are Duals (the ordinary order is as fast then)."""
    duals = [i for i, v in enumerate(x) if type(v) is Dual]
    if len(duals) > FEW * len(x):
        return None
    floats = list(x)
    for i in duals:
        floats[i] = 0.0
    return [sum(map(mul, row, floats)) + sum([row[i] * x[i] for i in duals]) for row in w]

"""The table's reductions (:data:`dualgrad.rules.REDUCTIONS`) on reverse-mode Values: one node.

Plain numbers and Values take math's value of the values and one graph node whose local
partials are the reduction's closed-form ones (instead of n - 1 nodes of the scalar rule).

>>> from dualgrad.reverse import Value
>>> from dualgrad.rules import REDUCTIONS
>>> x = Value(3.0)
>>> y = reduce_values(REDUCTIONS["hypot"], [x, 4.0])
>>> y.backward(); (y.data, x.grad)
(5.0, 0.6)
"""

from __future__ import annotations

from typing import Any

from dualgrad.numbers.base import PLAIN
from dualgrad.reverse.value import Value
from dualgrad.rules import Reduction

__all__ = ["reduce_values"]


def reduce_values(red: Reduction, args: list[Any]) -> Value | None:
    """`red` on plain numbers and Values as one node; None for any other mix."""
    if not all(isinstance(a, Value) or type(a) in PLAIN for a in args):
        return None
    values = [a.data if isinstance(a, Value) else a for a in args]
    out = red.value(values, args)
    partials = red.partials(values, out)
    pairs = [(a, p) for a, p in zip(args, partials, strict=True) if isinstance(a, Value)]
    return Value(out, [a for a, _ in pairs], [p for _, p in pairs])

"""What every model shares: the parameter and batch types, and softmax and cross-entropy on
any number type (floats, Duals, Values), shifted by a plain float so nothing overflows.

The character models (:mod:`dualgrad.learn.models`) and the GPT (:mod:`dualgrad.learn.gpt`)
both build on these, and :mod:`dualgrad.learn.models` re-exports the public ones, so neither
model module imports the other's helpers.

>>> round(mean_cross_entropy(lambda ctx: [0.0, 0.0], [((0,), 1), ((1,), 0)]), 6)  # log 2
0.693147
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dualgrad import dmath

__all__ = ["Batch", "Params", "cross_entropy", "mean_cross_entropy", "softmax", "value_of"]

Params = dict[str, Any]
Batch = Sequence[tuple[Sequence[int], int]]


# -- numbers ------------------------------------------------------------------------------------
def value_of(x: Any) -> float:
    """The plain number inside `x`: a float or int itself, else its ``.data`` unwrapped.

    ``Dual.data`` is the value (itself a Dual when nested, hence the loop); ``Value.data`` is a
    float. Used only for decisions and constants (never differentiated through).

    >>> from dualgrad import Dual
    >>> value_of(Dual(Dual(2.5, 1.0, tag=1), 1.0, tag=2))
    2.5
    """
    while not isinstance(x, (float, int)):
        x = x.data
    return x


def _max_value(xs: Sequence[Any]) -> float:
    """The largest plain value of `xs` (the log-sum-exp shift)."""
    try:
        # in C for floats, and for Duals (they compare by value): 8x faster than unwrapping each
        return value_of(max(xs))
    except TypeError:  # a number type without comparisons: unwrap each one
        return max(map(value_of, xs))


def softmax(logits: Sequence[Any]) -> list[Any]:
    """exp(l) / sum(exp(l)), shifted by the largest value so no exp overflows.

    >>> [round(p, 4) for p in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    >>> softmax([1000.0, -1000.0])
    [1.0, 0.0]
    """
    # The shift is a plain float: softmax is shift-invariant, so a constant shift changes no
    # derivative and stays out of any graph.
    m = _max_value(logits)
    exps = [dmath.exp(v - m) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Any], target: int) -> Any:
    """-log softmax(logits)[target], by a log-sum-exp that never overflows.

    With m = max of the values, the loss is log(sum(exp(l - m))) - (l[target] - m). The shift m
    is a plain float: log-sum-exp is shift-invariant, so the derivative (softmax - onehot) is
    exact and the shift never enters a graph.

    >>> round(cross_entropy([2.0, 1.0, 0.1], 0), 6)
    0.41703
    >>> cross_entropy([1000.0, -1000.0, 0.0], 1)   # the naive formula overflows
    2000.0
    """
    m = _max_value(logits)
    shifted = [v - m for v in logits]
    return dmath.log(sum([dmath.exp(z) for z in shifted])) - shifted[target]


def mean_cross_entropy(logits_of: Any, batch: Batch) -> Any:
    """The mean of ``cross_entropy(logits_of(context), target)`` over `batch`'s pairs."""
    if not batch:
        raise ValueError("loss of an empty batch")
    # sum() of a generator: the float fast path while no example carries a tangent
    return sum(cross_entropy(logits_of(ctx), target) for ctx, target in batch) / len(batch)

"""Reverse-mode drivers: the gradient by one forward and one backward pass.

>>> value_and_grad(lambda p: p[0] * p[1] + p[0], [2.0, 5.0])
(12.0, [6.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import repeat
from operator import attrgetter
from typing import Any

from dualgrad.drivers.memory import paused_gc
from dualgrad.numbers.base import describe, explain_object_loop, is_real
from dualgrad.reverse.value import Value
from dualgrad.tree import flatten, paths, unflatten

__all__ = ["grad", "value_and_grad", "zero_grad"]

_new = object.__new__
_grad = attrgetter("grad")


def _leaves(numbers: Iterable[float]) -> list[Value]:
    """Fresh leaf Values (a pass makes its parameters by the thousand: no call per leaf)."""
    numbers = list(numbers)
    leaves = list(map(_new, repeat(Value, len(numbers))))
    for v, x in zip(leaves, numbers, strict=True):
        v.data = x
        v.grad = 0.0
        v._children = v._local_grads = ()
    return leaves


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of every Value in `values` to 0 (before a new :meth:`Value.backward`)."""
    for v in values:
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad takes Values, got {describe(v)}")
        v.grad = 0.0


def value_and_grad(f: Callable[[Any], Any], params: Any) -> tuple[float, Any]:
    """``(f(params), its gradient)`` by one forward pass and one backward pass.

    `params` is a number or a (nested) list, tuple or dict of numbers, a model's state_dict.
    Each leaf becomes a fresh ``Value``; `f` receives the tree of Values (same structure) and
    returns a Value or a plain number (a constant: all gradients are 0). The gradient has the
    structure of `params`.

    >>> value_and_grad(lambda p: p[0] * p[1] + p[0], [2.0, 5.0])
    (12.0, [6.0, 2.0])
    """
    leaves, spec = flatten(params)
    if set(map(type, leaves)) - {float}:  # a model's parameters are floats: checked in one pass
        for i, leaf in enumerate(leaves):
            if type(leaf) is not float and not is_real(leaf):
                raise TypeError(
                    f"value_and_grad: parameter params{paths(spec)[i]} is {describe(leaf)}, "
                    "not a real number"
                )
    with paused_gc():
        xs = _leaves(map(float, leaves))
        tree = unflatten(spec, xs, numbers=True)
        try:
            out = f(tree)
        except TypeError as exc:  # numpy's message alone for a hand-built mixed array
            explain_object_loop(exc)
            raise
        del tree
        if isinstance(out, Value):
            out.backward()
            loss = out.data
            grads = list(map(_grad, xs))
        elif is_real(out):
            loss = out
            grads = [0.0] * len(xs)
        else:
            raise TypeError(
                "value_and_grad: f must return a Value or a real number, it returned "
                f"{describe(out)} (type {type(out).__name__})"
            )
        # Free the graph and the leaves while the collector is still off: once it is back on,
        # its next run would otherwise walk every one of them (all allocated since the pause).
        del out, xs
    return float(loss), unflatten(spec, grads)


def grad(f: Callable[[Any], Any], params: Any) -> Any:
    """The gradient of the scalar function `f` at `params`, in the structure of `params`.

    >>> grad(lambda p: (p["x"] ** 2).sin(), {"x": 0.0})
    {'x': 0.0}
    """
    return value_and_grad(f, params)[1]

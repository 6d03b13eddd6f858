"""How a Value applies the table's bilinear rule: one graph node per dot product, and one
vector node per matrix-vector product when numpy is there (:mod:`dualgrad.vector.nodes`).

>>> from dualgrad.reverse import Value
>>> y = sumprod([Value(1.0), Value(2.0)], [3.0, 4.0])
>>> y.data, len(y._children)
(11.0, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from operator import attrgetter
from operator import mul as _mul
from typing import Any

from dualgrad.numbers.base import PLAIN, vector
from dualgrad.reverse.value import Value
from dualgrad.rules import BILINEAR

__all__ = ["matvec", "scalar_graphs", "sumprod"]


_SEQUENCES = (list, tuple)
_VALUES = {Value}
_data = attrgetter("data")

_scalar_graphs: ContextVar[bool] = ContextVar("scalar_graphs", default=False)


@contextmanager
def scalar_graphs() -> Iterator[None]:
    """Within the block, :func:`dualgrad.dmath.sumprod`/``matvec`` record every multiply and
    add as its own node, as micrograd's and microgpt's Value do, instead of one node per dot
    product (for benchmarks against that design; the gradients are the same). The setting
    belongs to the thread (and asyncio task) that enters the block, no other."""
    token = _scalar_graphs.set(True)
    try:
        yield
    finally:
        _scalar_graphs.reset(token)


# How a Value applies the table's bilinear rule (rules.BILINEAR): ONE node whose local
# partials are the rule's, the other vector. dmath.sumprod and dmath.matvec find these on the
# type of their operands.
if BILINEAR["sumprod"].partials != ("q", "p"):
    raise NotImplementedError("Value's sumprod node stores the other vector as its partials")


def sumprod(p: Any, q: Any) -> Value | None:
    """``sum(p_i * q_i)`` recorded as ONE node, or None if an element is not a Value or float
    (or inside :func:`scalar_graphs`).

    The scalar way records n mul nodes and n-1 add nodes; the bilinear rule's partials (q_i
    for p_i, p_i for q_i) go into this node directly: the same derivative, a fraction of the
    objects. The value is summed in the scalar code's order, so it matches a float pass bit
    for bit.
    """
    if _scalar_graphs.get():
        return None
    # SPECIAL CASE (the usual one: Values only): the same node, gathered by C-level maps, its
    # children in another order (all of q, then all of p); tests/test_reverse.py checks it
    # against the general path below.
    if (
        type(p) in _SEQUENCES
        and type(q) in _SEQUENCES
        and len(p) == len(q)
        and set(map(type, p)) == _VALUES
        and set(map(type, q)) == _VALUES
    ):
        pd = list(map(_data, p))
        qd = list(map(_data, q))
        return Value.from_parts(sum(map(_mul, pd, qd)), (*q, *p), (*pd, *qd))
    return _sumprod(p, q)


def _sumprod(p: Any, q: Any) -> Value | None:
    """:func:`sumprod` for any mix of Values and numbers, element by element."""
    pd: list[Any] = []
    qd: list[Any] = []
    children: list[Value] = []
    local: list[Any] = []
    for a, b in zip(p, q, strict=True):
        ta, tb = type(a), type(b)
        if ta is Value:
            pd.append(a.data)
        elif ta in PLAIN:
            pd.append(a)
        else:
            return None
        if tb is Value:
            qd.append(b.data)
            children.append(b)
            local.append(pd[-1])
        elif tb in PLAIN:
            qd.append(b)
        else:
            return None
        if ta is Value:
            children.append(a)
            local.append(qd[-1])
    return Value.from_parts(sum(map(_mul, pd, qd)), tuple(children), tuple(local))


# Below this many weights a product is cheaper as one scalar node per output than as a vector
# node, whose backward costs a few numpy calls (measured by benchmarks/microgpt_timing.py).
VECTOR_MIN = 64


def _vector_nodes() -> Callable[[Any, Any], list[Any] | None] | None:
    """The vector layer's matvec for Values, or None without numpy (then scalar nodes)."""
    try:
        import numpy  # noqa: F401 - only its presence is asked
    except ImportError:
        return None
    return vector().value_matvec


def matvec(w: Any, x: Any) -> list[Any] | None:
    """One vector node for the whole product when numpy is there and the product is large
    enough, else one node per output (or None inside :func:`scalar_graphs`)."""
    if _scalar_graphs.get():
        return None
    if len(w) * len(x) >= VECTOR_MIN:
        nodes = _vector_nodes()
        if nodes is not None:
            out = nodes(w, x)
            if out is not None:
                return out
    # SPECIAL CASE (Values only: attention's small products): the nodes sumprod(row, x) makes,
    # with x's numbers read once for every row; tests/test_reverse.py checks it against them.
    if set(map(type, x)) == _VALUES and set(map(type, chain.from_iterable(w))) == _VALUES:
        xd = list(map(_data, x))
        xt = tuple(x)
        out = []
        for row in w:
            rd = list(map(_data, row))
            out.append(Value.from_parts(sum(map(_mul, rd, xd)), (*xt, *row), (*rd, *xd)))
        return out
    rows = [sumprod(row, x) for row in w]
    return [sum(map(_mul, row, x)) if y is None else y for y, row in zip(rows, w, strict=True)]

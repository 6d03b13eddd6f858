"""Reverse mode: a scalar ``Value`` that records how it was computed, then back-propagates.

Each operation stores its inputs (``_children``) and its local partial derivatives with respect
to them (``_local_grads``), read from the rule table in :mod:`dualgrad.rules.table`, the same table
:class:`~dualgrad.Dual` uses. :meth:`Value.backward` walks the recorded graph once, from the
output back to the inputs, and leaves d(output)/d(node) in every node's ``.grad``: one pass
gives the whole gradient, whatever the number of parameters (micrograd's/microgpt's design).

>>> from dualgrad.reverse import Value, value_and_grad
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> y.data, x.grad
(15.0, 8.0)
>>> value_and_grad(lambda p: p["w"] * p["b"] ** 2, {"w": 2.0, "b": 3.0})
(18.0, {'w': 9.0, 'b': 12.0})

Gradients of the leaves *accumulate* over calls of :meth:`~Value.backward` (as PyTorch's leaf
tensors do); reset them with :func:`zero_grad`. :func:`value_and_grad` and :func:`grad` make
fresh leaves on every call, so they need no reset.

Building a graph allocates one object per operation, and CPython's cyclic garbage collector
keeps walking that growing heap while it is built, although the graph holds no cycles and is
freed by reference counting anyway. :func:`paused_gc` switches the collector off for a block;
the drivers use it.
"""

from dualgrad.drivers.memory import paused_gc
from dualgrad.reverse import bulk
from dualgrad.reverse.bulk import scalar_graphs, sumprod
from dualgrad.reverse.drivers import grad, value_and_grad, zero_grad
from dualgrad.reverse.value import Value, binary_op, unary_op

# How a Value applies the table's bilinear rule (rules.BILINEAR): one node per dot product
# (:mod:`dualgrad.reverse.bulk`). dmath.sumprod and dmath.matvec find these on the type of
# their operands; they are given here, where the package puts its modules together.
Value._sumprod = staticmethod(bulk.sumprod)  # type: ignore[attr-defined]
Value._matvec = staticmethod(bulk.matvec)  # type: ignore[attr-defined]

__all__ = [
    "Value",
    "binary_op",
    "grad",
    "paused_gc",
    "scalar_graphs",
    "sumprod",
    "unary_op",
    "value_and_grad",
    "zero_grad",
]

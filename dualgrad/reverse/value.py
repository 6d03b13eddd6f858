"""The reverse-mode number: a ``Value`` records its inputs and local partials as it is computed.

Its operations come from the rule table by the builders of :mod:`dualgrad.reverse.value_ops`,
specialised for speed as Dual's are; :meth:`Value.backward` walks the recorded graph once, from
the output back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dualgrad.numbers.base import PLAIN, Number, describe, is_real
from dualgrad.numbers.building import TableOperations
from dualgrad.reverse import value_ops

__all__ = ["Value", "binary_op", "build_binary", "build_unary", "unary_op"]

_new = object.__new__


class Value(Number, primal="data", carries="graph"):
    """A scalar node of a computation graph: its number ``data`` and, after
    :meth:`backward`, ``grad`` = d(output)/d(this node).

    Arithmetic with int, float and Value on either side, comparisons on ``data``, and
    micrograd-style methods named after the rules (``x.exp()``, ``x.log()``, ``x.relu()``,
    ``x.tanh()``, ``x.atan2(y)``, ``x.maximum(y)`` ...).

    ``Value(data)`` is a leaf: a parameter, or a constant whose gradient nobody reads.
    ``Value(data, children, local_grads)`` records a custom operation: ``local_grads[i]`` is
    d(data)/d(children[i]).

    Equality and hashing are by identity, unlike :class:`~dualgrad.Dual` (whose ``==``
    compares values and which is therefore unhashable): :meth:`backward` keeps the nodes it
    has visited in a set, and two different nodes holding the same number must stay two
    nodes. ``v == 0`` is therefore False for every Value; compare ``v.data == 0`` instead.
    ``<``, ``<=``, ``>``, ``>=`` compare ``data``, so ``max``, ``min``, ``sorted`` and
    branches work as on floats.

    >>> a = Value(2.0)
    >>> b = a.exp() * a
    >>> b.backward()
    >>> round(a.grad, 6)  # d/da a e^a = (a + 1) e^a
    22.167168
    """

    __slots__ = ("_children", "_local_grads", "data", "grad")

    data: Any
    grad: Any
    _children: tuple[Value, ...]
    _local_grads: Any  # a tuple of partials; a bulk node's: its backward function

    def __init__(
        self, data: Any, children: Iterable[Value] = (), local_grads: Iterable[Any] = ()
    ) -> None:
        # Validation lives only here: operations build their results without coming back.
        if type(data) not in PLAIN:
            if not is_real(data):
                raise TypeError(
                    f"Value data must be a real number, got {describe(data)} "
                    f"(type {type(data).__name__})"
                )
            data = float(data)  # numpy scalars, Fractions ...: plain floats keep arithmetic in C
        children = tuple(children)
        local_grads = tuple(local_grads)
        if len(children) != len(local_grads):
            raise ValueError(
                f"Value needs one local gradient per child, got {len(children)} children "
                f"and {len(local_grads)} local gradients"
            )
        for c in children:
            if not isinstance(c, Value):
                raise TypeError(f"Value children must be Values, got {describe(c)}")
        for d in local_grads:
            if not is_real(d):
                raise TypeError(f"Value local gradients must be real numbers, got {describe(d)}")
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    # -- the backward pass ------------------------------------------------------------------------
    def backward(self) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf this node depends on.

        Iterative (no recursion: graphs of any depth work). Intermediate nodes get
        d(self)/d(node) in ``.grad``, recomputed from zero on every call; leaves (the Values
        made with ``Value(x)``) *accumulate* over calls, like PyTorch's leaf tensors, so a
        second call adds the gradient once more. :func:`zero_grad` resets leaves.

        A zero upstream gradient contributes exactly 0, even through a local partial that is
        infinite or nan (sqrt at 0, the exponent of a negative base ...), and a zero local
        partial (log' at inf, a flat side) sends exactly 0 whatever the gradient: the
        reverse-mode form of the table's rule for singular partials, so both modes agree.

        Bulk nodes (a matrix-vector product as one vector node, :mod:`dualgrad.vector.nodes`)
        keep a function instead of a tuple in ``_local_grads`` and at least three children;
        the walk calls it with the node's grad and a dict where it may leave work on leaves
        for the end of the walk (leaves send nothing back, so when their grads are added
        does not matter).
        """
        # Topological order by an iterative depth-first search: a node is appended after every
        # node it was computed from (its DFS post-order). Only inner nodes (with children) are
        # ordered: leaves send nothing back. Inner nodes' grads are reset on the way down.
        order: list[Value] = []
        seen: set[Value] = set()
        stack: list[Any] = [self] if self._children else []
        push = stack.append
        pop = stack.pop
        emit = order.append
        add = seen.add
        while stack:
            v = pop()
            if v is _DONE:  # every child of the node below the marker is ordered
                emit(pop())
            elif v not in seen:  # a node may be pushed twice before it is expanded: once only
                add(v)
                v.grad = 0.0
                push(v)
                push(_DONE)
                for c in v._children:
                    if c._children and c not in seen:
                        push(c)
        if self._children:
            self.grad = 1.0
        else:  # a leaf: accumulates like every leaf
            self.grad += 1.0
        # From the output back, each node sends grad * local partial to each of its children.
        deferred: dict[Any, Callable[[], None]] = {}
        for v in reversed(order):
            g = v.grad
            if g:  # a zero grad sends exactly 0, even through an inf or nan local partial
                # and a zero local partial sends exactly 0 even for an inf or nan grad (`if d
                # or g - g == 0`: the test of g only where d is 0)
                children = v._children
                n = len(children)
                if n == 2:
                    a, b = children
                    da, db = v._local_grads
                    if da or g - g == 0:
                        a.grad += g * da
                    if db or g - g == 0:
                        b.grad += g * db
                elif n == 1:
                    d = v._local_grads[0]
                    if d or g - g == 0:
                        children[0].grad += g * d
                else:
                    local = v._local_grads
                    if type(local) is tuple:  # custom operations: Value(data, children, local)
                        for c, d in zip(children, local, strict=True):
                            if d or g - g == 0:
                                c.grad += g * d
                    else:  # a bulk node (at least 3 children): it back-propagates itself
                        local(v, g, deferred)
        # Work a bulk node deferred to the end: gradients of leaves, which send nothing back.
        for finish in deferred.values():
            finish()

    # Identity hashing and equality (object's): see the class docstring.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    @staticmethod
    def from_parts(data: Any, children: tuple[Value, ...], local_grads: Any) -> Value:
        """The fast constructor: a node of parts known to be right (an operation's result),
        made without the checks of ``Value(...)``, which are for users' input. `local_grads`
        is a tuple of partials, one per child, or a bulk node's backward function.

        >>> a = Value(2.0)
        >>> Value.from_parts(6.0, (a,), (3.0,))._local_grads
        (3.0,)
        """
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out._children = children
        out._local_grads = local_grads
        return out


_DONE = object()  # marks, on backward's stack, that the node below it is complete


# Every rule becomes an operator or a method (x.exp(), x.relu(), x.atan2(y) ...).
OPERATIONS = TableOperations(Value, value_ops)
build_unary = OPERATIONS.build_unary
"""Value's operation for a one-argument rule (a row of the table, or a user's primitive)."""
build_binary = OPERATIONS.build_binary
"""Value's (operation, reflected operation) for a two-argument rule."""
binary_op = OPERATIONS.binary_op
"""The Value implementation (op, reflected op) of a two-argument rule: ``binary_op("mul")``."""
unary_op = OPERATIONS.unary_op
"""The Value implementation of a one-argument rule: ``unary_op("exp")``."""

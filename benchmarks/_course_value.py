"""The course's own ``Value``: scalar reverse mode as the course writes it (the baseline).

One node per operation, each storing its children and the local derivatives it writes by hand;
``backward`` sorts the graph topologically and applies the chain rule node by node. It is not
part of the library, whose reverse mode drives its own ``Value`` from the rule table: the
benchmarks time it beside the library's methods (``microgpt_timing.py``) and count the
operations of a name on its graph.
"""

# The course's code zips without strict=; transcribed as it is.
# ruff: noqa: B905

from __future__ import annotations

import math
import sys
from typing import Any

from dualgrad.tree import flatten, unflatten

__all__ = ["CourseValue", "course_value_and_grad"]


class CourseValue:
    """The course's scalar reverse mode, as it writes it: one node per operation, each storing
    its children and its local gradients; :meth:`backward` sorts the graph topologically and
    applies the chain rule node by node.

    >>> a, b = CourseValue(2.0), CourseValue(3.0)
    >>> c = (a * b + a.exp()).log()
    >>> c.backward()  # dc/da = (b + e^a) / (ab + e^a), dc/db = a / (ab + e^a)
    >>> round(a.grad, 6), round(b.grad, 6)
    (0.775936, 0.149376)
    """

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(
        self, data: float, children: tuple[Any, ...] = (), local_grads: tuple[Any, ...] = ()
    ) -> None:
        self.data = data
        self.grad: float = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Any) -> CourseValue:
        other = other if isinstance(other, CourseValue) else CourseValue(other)
        return CourseValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other: Any) -> CourseValue:
        other = other if isinstance(other, CourseValue) else CourseValue(other)
        return CourseValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other: float) -> CourseValue:
        return CourseValue(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self) -> CourseValue:
        return CourseValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self) -> CourseValue:
        return CourseValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self) -> CourseValue:
        return CourseValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> CourseValue:
        return self * -1

    def __radd__(self, other: Any) -> CourseValue:
        return self + other

    def __sub__(self, other: Any) -> CourseValue:
        return self + (-other)

    def __rsub__(self, other: Any) -> CourseValue:
        return other + (-self)

    def __rmul__(self, other: Any) -> CourseValue:
        return self * other

    def __truediv__(self, other: Any) -> CourseValue:
        return self * other**-1

    def __rtruediv__(self, other: Any) -> CourseValue:
        return other * self**-1

    def backward(self) -> None:
        topo: list[CourseValue] = []
        visited: set[CourseValue] = set()

        def build_topo(v: CourseValue) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


def course_value_and_grad(f: Any, params: Any) -> tuple[float, Any]:
    """f(params) and its gradient by the course's :class:`CourseValue` (every parameter one).

    The graph of a GPT's loss is deeper than Python's default recursion limit allows the
    course's recursive topological sort, so the limit is raised for the call, then restored.

    >>> course_value_and_grad(lambda p: p["w"] * p["b"] ** 2, {"w": 2.0, "b": 3.0})
    (18.0, {'w': 9.0, 'b': 12.0})
    """
    leaves, spec = flatten(params)
    nodes = [CourseValue(float(x)) for x in leaves]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))
    try:
        out = f(unflatten(spec, nodes))
        out.backward()
    finally:
        sys.setrecursionlimit(limit)
    return out.data, unflatten(spec, [float(v.grad) for v in nodes])

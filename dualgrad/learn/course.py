"""The course's microgpt written the way the course writes it: scalar code, no matvec.

:class:`ScalarGPT` is the same model as :class:`~dualgrad.learn.gpt.GPT` (same config, same
parameters, same loss), but its forward pass is the course's ``gpt()`` function transcribed:
list comprehensions, ``sum(wi * xi for wi, xi in zip(wo, x))``, ``.exp()``, ``.log()``,
``.relu()``, a softmax followed by ``-probs[target].log()``. It is the test of "code written
for the course's ``Value`` runs unchanged with Duals", and the workload of the benchmarks on
code as people write it. :class:`CourseValue` is the course's own ``Value`` (scalar
reverse mode, one node per multiply and add), the baseline those benchmarks compare with.

Like the course's code, it calls methods on its numbers, so every parameter must be a number
with ``.exp()``, ``.log()`` and ``.relu()``: Duals (``chunk="all"``, or :func:`dualgrad.jvp`,
which seeds every parameter), reverse-mode Values, or CourseValues; for plain floats use
:class:`~dualgrad.learn.gpt.GPT`.

>>> from dualgrad import reverse
>>> model = ScalarGPT(GPTConfig.course())
>>> params = model.init_params(seed=0)
>>> loss, grads = reverse.value_and_grad(lambda p: model.loss(p, [(0, 5, 1, 0)]), params)
>>> abs(loss - GPT(model.config).loss(params, [(0, 5, 1, 0)])) < 1e-12
True
"""

# The course's code zips without strict= and branches in statements; transcribed as it is.
# ruff: noqa: B905, SIM108

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from dualgrad.learn.gpt import GPT, GPTConfig
from dualgrad.learn.models import Params
from dualgrad.tree import flatten, paths, unflatten

__all__ = [
    "GPTConfig",
    "CourseValue",
    "ScalarGPT",
    "course_value_and_grad",
    "linear",
    "rmsnorm",
    "softmax",
]


# -- the course's helpers, as it writes them ----------------------------------------------------
def linear(x: Sequence[Any], w: Sequence[Sequence[Any]]) -> list[Any]:
    """w @ x, one scalar sum of products per output row."""
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits: Sequence[Any]) -> list[Any]:
    """exp(l - max) / sum, the max taken on the values (``.data``)."""
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x: Sequence[Any]) -> list[Any]:
    """x / sqrt(mean(x^2) + 1e-5)."""
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


_PLAIN = (float, int)


class ScalarGPT(GPT):
    """:class:`~dualgrad.learn.gpt.GPT` with the course's scalar forward pass (see the module).

    The loss of a token sequence is ``(1 / n) * sum(losses)`` of ``-probs[target].log()``,
    as in the course; :meth:`loss` averages it over a batch, as GPT's does.

    >>> ScalarGPT(GPTConfig.course()).num_params
    4064
    """

    def __repr__(self) -> str:
        return f"ScalarGPT({self.config})"

    def _token(
        self, params: Params, token_id: int, pos_id: int, keys: list[list[Any]], values: list[Any]
    ) -> list[Any]:
        c = self.config
        n_head, head_dim = c.n_head, c.n_embd // c.n_head
        tok_emb = params["wte"][token_id]
        pos_emb = params["wpe"][pos_id]
        x = [t + p for t, p in zip(tok_emb, pos_emb)]
        if c.embed_norm:
            x = rmsnorm(x)
        for li in range(c.n_layer):
            # 1) multi-head attention block
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, params[f"layer{li}.attn_wq"])
            k = linear(x, params[f"layer{li}.attn_wk"])
            v = linear(x, params[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(n_head):
                hs = h * head_dim
                q_h = q[hs : hs + head_dim]
                k_h = [ki[hs : hs + head_dim] for ki in keys[li]]
                v_h = [vi[hs : hs + head_dim] for vi in values[li]]
                attn_logits = [
                    sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5
                    for t in range(len(k_h))
                ]
                attn_weights = softmax(attn_logits)
                head_out = [
                    sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                    for j in range(head_dim)
                ]
                x_attn.extend(head_out)
            x = linear(x_attn, params[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            # 2) MLP block
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, params[f"layer{li}.mlp_fc1"])
            if c.activation == "relu2":
                x = [xi.relu() ** 2 for xi in x]
            else:
                x = [xi.relu() for xi in x]
            x = linear(x, params[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, params["lm_head"])

    def sequence_loss(self, params: Params, tokens: Sequence[int]) -> Any:
        """The course's loss of one name: the mean of ``-log softmax(logits)[target]``."""
        n = self._predictions(tokens)
        keys, values = self._caches()
        losses = []
        for pos_id in range(n):
            token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
            logits = self._token(params, token_id, pos_id, keys, values)
            probs = softmax(logits)
            loss_t = -probs[target_id].log()
            losses.append(loss_t)
        return (1 / n) * sum(losses)

    def loss(self, params: Params, batch: Sequence[Sequence[int]]) -> Any:
        _check_numbers(params)
        return super().loss(params, batch)

    def logits(self, params: Params, context: Sequence[int]) -> list[Any]:
        _check_numbers(params)
        return super().logits(params, context)


def _check_numbers(params: Params) -> None:
    """Plain floats have no ``.exp()``: say so before the first one meets a method call."""
    leaves, spec = flatten(params)
    for i, x in enumerate(leaves):
        if type(x) in _PLAIN:
            where = paths(spec)[i]
            raise TypeError(
                f"ScalarGPT calls .exp(), .log() and .relu() on its numbers, as the course's "
                f"code does, but parameter {where} is a plain {type(x).__name__}: give "
                "every parameter as a Dual (chunk='all', jvp) or a Value (reverse mode), or "
                "use GPT, which runs on floats"
            )


# -- the course's Value -------------------------------------------------------------------------
class CourseValue:
    """The course's scalar reverse mode, as it writes it: one node per operation, each storing
    its children and its local gradients; :meth:`backward` sorts the graph topologically and
    applies the chain rule node by node. The benchmarks' baseline (not part of the library's
    differentiation, which drives its own ``Value`` from the rule table).

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


def course_value_and_grad(f: Any, params: Params) -> tuple[float, Params]:
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

"""The course's microgpt written the way the course writes it: scalar code, no matvec.

:class:`ScalarGPT` is the same model as :class:`~dualgrad.learn.gpt.GPT` (same config, same
parameters, same loss), but its forward pass is the course's ``gpt()`` function transcribed:
list comprehensions, ``sum(wi * xi for wi, xi in zip(wo, x))``, ``.exp()``, ``.log()``,
``.relu()``, a softmax followed by ``-probs[target].log()``. It is the test of "code written
for the course's ``Value`` runs unchanged with Duals", and the workload of the benchmarks on
code as people write it (the course's own ``Value``, the baseline those benchmarks compare
with, is theirs: ``benchmarks/_course_value.py``).

Like the course's code, it calls methods on its numbers, so every parameter must be a number
with ``.exp()``, ``.log()`` and ``.relu()``: Duals (``chunk="all"``, or :func:`dualgrad.jvp`,
which seeds every parameter), reverse-mode Values, or the course's own Values; for plain
floats use :class:`~dualgrad.learn.gpt.GPT`.

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

from collections.abc import Sequence
from typing import Any

from dualgrad.learn.gpt import GPT, GPTConfig
from dualgrad.learn.models import Params
from dualgrad.tree import flatten, paths

__all__ = [
    "GPTConfig",
    "ScalarGPT",
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

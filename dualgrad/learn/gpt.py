"""microgpt's GPT, written once for floats, Duals and Values (see :mod:`dualgrad.learn.models`).

>>> model = GPT(GPTConfig(vocab_size=3, block_size=4, n_embd=4, n_head=2, n_layer=1))
>>> params = model.init_params(seed=0)
>>> len(model.logits(params, (0, 1)))
3
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad import dmath
from dualgrad.learn._checks import check_sequences
from dualgrad.learn.models import Params, _check_vocab, cross_entropy, softmax

__all__ = ["GPT", "GPTConfig"]


@dataclass(frozen=True)
class GPTConfig:
    """microgpt's shape: the defaults give exactly 4,192 parameters on 27 symbols."""

    vocab_size: int = 27
    n_embd: int = 16
    n_head: int = 4
    n_layer: int = 1
    block_size: int = 16
    init_std: float = 0.08

    def __post_init__(self) -> None:
        _check_vocab(self.vocab_size)
        for name in ("n_embd", "n_head", "n_layer", "block_size"):
            n = getattr(self, name)
            if type(n) is not int or n < 1:
                raise ValueError(f"{name} must be a positive int, got {n!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")


def _linear(x: Sequence[Any], w: Sequence[Sequence[Any]]) -> list[Any]:
    """w @ x for w stored out x in (microgpt's layout): one C-level sum per output for floats,
    one matrix product of the tangents in chunk mode (:func:`dualgrad.dmath.matvec`)."""
    return dmath.matvec(w, x)


def _rmsnorm(x: Sequence[Any]) -> list[Any]:
    """x / sqrt(mean(x^2) + 1e-5), no learned weights (as in microgpt)."""
    scale = (dmath.sumprod(x, x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


class GPT:
    """A one-name-at-a-time GPT, microgpt's model: token and position embeddings, RMSNorm,
    causal multi-head attention run token by token with a key/value cache, a ReLU MLP
    (4x wide), residual connections and an output head. Generic over float / Dual / Value.

    A batch is a sequence of token sequences, each a name with the boundary id 0 at both ends
    (:func:`dualgrad.learn.data.sequences`); the loss is the mean over its next-token predictions.

    >>> GPT().num_params
    4192
    """

    context_grows = True  # sample() starts from one boundary token, not a padded window

    def __init__(self, config: GPTConfig | None = None) -> None:
        self.config = config or GPTConfig()
        self.vocab_size = self.config.vocab_size
        self.context = self.config.block_size

    def __repr__(self) -> str:
        return f"GPT({self.config})"

    @property
    def num_params(self) -> int:
        c = self.config
        v, e = c.vocab_size, c.n_embd
        return 2 * v * e + c.block_size * e + c.n_layer * 12 * e * e

    def init_params(self, seed: int = 0) -> Params:
        """gauss(0, init_std) everywhere, drawn in microgpt's order."""
        rng = random.Random(seed)
        c = self.config
        std = c.init_std

        def matrix(rows: int, cols: int) -> list[list[float]]:
            return [[rng.gauss(0.0, std) for _ in range(cols)] for _ in range(rows)]

        e = c.n_embd
        params = {
            "wte": matrix(c.vocab_size, e),
            "wpe": matrix(c.block_size, e),
            "lm_head": matrix(c.vocab_size, e),
        }
        for i in range(c.n_layer):
            params[f"layer{i}.attn_wq"] = matrix(e, e)
            params[f"layer{i}.attn_wk"] = matrix(e, e)
            params[f"layer{i}.attn_wv"] = matrix(e, e)
            params[f"layer{i}.attn_wo"] = matrix(e, e)
            params[f"layer{i}.mlp_fc1"] = matrix(4 * e, e)
            params[f"layer{i}.mlp_fc2"] = matrix(e, 4 * e)
        return params

    def _token(
        self, params: Params, token: int, pos: int, keys: list[list[Any]], values: list[list[Any]]
    ) -> list[Any]:
        """Logits after `token` at position `pos`, appending its keys/values to the cache."""
        c = self.config
        head_dim = c.n_embd // c.n_head
        inv_sqrt = 1.0 / head_dim**0.5
        x = [t + p for t, p in zip(params["wte"][token], params["wpe"][pos], strict=True)]
        x = _rmsnorm(x)
        for li in range(c.n_layer):
            residual = x
            x = _rmsnorm(x)
            q = _linear(x, params[f"layer{li}.attn_wq"])
            keys[li].append(_linear(x, params[f"layer{li}.attn_wk"]))
            values[li].append(_linear(x, params[f"layer{li}.attn_wv"]))
            attended: list[Any] = []
            for h in range(c.n_head):
                lo, hi = h * head_dim, (h + 1) * head_dim
                # as matrix-vector products, so chunk mode combines each head's tangents at once
                scores = dmath.matvec([k[lo:hi] for k in keys[li]], q[lo:hi])
                weights = softmax([s * inv_sqrt for s in scores])
                attended += dmath.matvec(
                    [[v[j] for v in values[li]] for j in range(lo, hi)], weights
                )
            x = _linear(attended, params[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, residual, strict=True)]
            residual = x
            x = _rmsnorm(x)
            x = [dmath.relu(u) for u in _linear(x, params[f"layer{li}.mlp_fc1"])]
            x = _linear(x, params[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, residual, strict=True)]
        return _linear(x, params["lm_head"])

    def sequence_loss(self, params: Params, tokens: Sequence[int]) -> Any:
        """Mean cross-entropy of the next-token predictions along one token sequence."""
        n = min(self.config.block_size, len(tokens) - 1)
        if n < 1:
            raise ValueError(f"a sequence needs at least 2 tokens, got {tokens!r}")
        keys: list[list[Any]] = [[] for _ in range(self.config.n_layer)]
        values: list[list[Any]] = [[] for _ in range(self.config.n_layer)]
        total = sum(
            cross_entropy(self._token(params, tokens[pos], pos, keys, values), tokens[pos + 1])
            for pos in range(n)
        )
        return total / n

    def loss(self, params: Params, batch: Sequence[Sequence[int]]) -> Any:
        """Mean over the batch's sequences of their mean next-token cross-entropy."""
        if not batch:
            raise ValueError("loss of an empty batch")
        check_sequences("GPT", self.vocab_size, batch)
        return sum(self.sequence_loss(params, seq) for seq in batch) / len(batch)

    def logits(self, params: Params, context: Sequence[int]) -> list[Any]:
        """Logits of the token after `context` (its last block_size ids, run from the start)."""
        context = list(context)[-self.config.block_size :]
        keys: list[list[Any]] = [[] for _ in range(self.config.n_layer)]
        values: list[list[Any]] = [[] for _ in range(self.config.n_layer)]
        out: list[Any] = []
        for pos, token in enumerate(context):
            out = self._token(params, token, pos, keys, values)
        return out

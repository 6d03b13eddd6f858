"""microgpt's GPT, written once for floats, Duals and Values (see :mod:`dualgrad.learn.models`).

>>> model = GPT(GPTConfig(vocab_size=3, block_size=4, n_embd=4, n_head=2, n_layer=1))
>>> params = model.init_params(seed=0)
>>> len(model.logits(params, (0, 1)))
3
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad import dmath
from dualgrad.learn._checks import check_sequences, check_vocab
from dualgrad.learn._losses import Params, cross_entropy, softmax

__all__ = ["ACTIVATIONS", "COURSE_RECIPE", "GPT", "OUR_RECIPE", "GPTConfig", "Recipe"]

ACTIVATIONS = ("relu", "relu2")  # relu(x), or the course's relu(x) ** 2


@dataclass(frozen=True)
class GPTConfig:
    """A GPT's shape and initialisation. The defaults are our GPT (exactly 4,192 parameters on
    27 symbols); :meth:`course` is the course's microgpt (4,064).

    - `block_size`: the longest context (positions with an embedding);
    - `init_std`: every weight starts as gauss(0, init_std) ...
    - `zero_proj`: ... except the attention output (attn_wo) and the MLP's second layer
      (mlp_fc2), which start at zero if True, so each block starts as the identity;
    - `activation`: the MLP's, ``"relu"`` or ``"relu2"`` (relu(x) ** 2);
    - `embed_norm`: an rmsnorm right after the token + position embedding, as well as the
      one before each block.

    >>> GPTConfig.course().block_size, GPT(GPTConfig.course()).num_params
    (8, 4064)
    """

    vocab_size: int = 27
    n_embd: int = 16
    n_head: int = 4
    n_layer: int = 1
    block_size: int = 16
    init_std: float = 0.08
    zero_proj: bool = False
    activation: str = "relu"
    embed_norm: bool = True

    def __post_init__(self) -> None:
        check_vocab(self.vocab_size)
        for name in ("n_embd", "n_head", "n_layer", "block_size"):
            n = getattr(self, name)
            if type(n) is not int or n < 1:
                raise ValueError(f"{name} must be a positive int, got {n!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")
        std = self.init_std
        if type(std) not in (int, float) or not 0.0 <= std < math.inf:
            raise ValueError(f"init_std must be a finite number >= 0, got {std!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}"
            )
        for name in ("zero_proj", "embed_norm"):
            if type(getattr(self, name)) is not bool:
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")

    @classmethod
    def course(cls, vocab_size: int = 27) -> GPTConfig:
        """The course's microgpt: n_embd 16, 4 heads, 1 layer, block size 8, gauss(0, 0.02)
        with attn_wo and mlp_fc2 at zero, the extra rmsnorm, relu(x) ** 2: 4,064 parameters
        on 27 symbols. Train it with :data:`COURSE_RECIPE`."""
        return cls(
            vocab_size=vocab_size,
            block_size=8,
            init_std=0.02,
            zero_proj=True,
            activation="relu2",
            embed_norm=True,
        )


@dataclass(frozen=True)
class Recipe:
    """How a GPT is trained: Adam's settings (eps 1e-8 in both recipes), the decay of the
    learning rate, the number of steps (one name each) and the order the names come in;
    ``train_options()`` gives them as keyword arguments of :func:`dualgrad.learn.train.train`.
    """

    lr: float
    betas: tuple[float, float]
    schedule: str  # "linear" or "cosine", down to 0 over `steps`
    steps: int
    order: str  # "in order" (one name after the other) or "random" (drawn with replacement)

    def train_options(self) -> dict[str, Any]:
        """``lr``, ``betas``, ``schedule`` and ``order`` for ``train`` (whose Adam has eps 1e-8)."""
        return {"lr": self.lr, "betas": self.betas, "schedule": self.schedule, "order": self.order}


COURSE_RECIPE = Recipe(lr=0.01, betas=(0.9, 0.95), schedule="cosine", steps=500, order="in order")
"""The course's training: Adam (lr 0.01, betas 0.9 and 0.95, eps 1e-8), the learning rate
lr * 0.5 * (1 + cos(pi * step / steps)), 500 steps, one name per step in order."""

OUR_RECIPE = Recipe(lr=0.01, betas=(0.85, 0.99), schedule="linear", steps=600, order="random")
"""Ours: Adam (lr 0.01, betas 0.85 and 0.99), linear decay, 600 names drawn at random."""


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
    causal multi-head attention run token by token with a key/value cache, a ReLU (or ReLU
    squared) MLP (4x wide), residual connections and an output head. Generic over float / Dual
    / Value; each layer is one :func:`dualgrad.dmath.matvec`.

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
        """gauss(0, init_std) everywhere (attn_wo and mlp_fc2 zero with `zero_proj`), drawn
        in microgpt's order. A zero matrix still draws its numbers, gauss(0, 0) as the course
        does, so `zero_proj` changes no other weight."""
        rng = random.Random(seed)
        c = self.config
        zero = 0.0 if c.zero_proj else c.init_std

        def matrix(rows: int, cols: int, std: float = c.init_std) -> list[list[float]]:
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
            params[f"layer{i}.attn_wo"] = matrix(e, e, zero)
            params[f"layer{i}.mlp_fc1"] = matrix(4 * e, e)
            params[f"layer{i}.mlp_fc2"] = matrix(e, 4 * e, zero)
        return params

    def _token(
        self, params: Params, token: int, pos: int, keys: list[list[Any]], values: list[list[Any]]
    ) -> list[Any]:
        """Logits after `token` at position `pos`, appending its keys/values to the cache."""
        c = self.config
        head_dim = c.n_embd // c.n_head
        inv_sqrt = 1.0 / head_dim**0.5
        x = [t + p for t, p in zip(params["wte"][token], params["wpe"][pos], strict=True)]
        if c.embed_norm:
            x = _rmsnorm(x)
        square = c.activation == "relu2"
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
            if square:
                x = [u * u for u in x]
            x = _linear(x, params[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, residual, strict=True)]
        return _linear(x, params["lm_head"])

    def _predictions(self, tokens: Sequence[int]) -> int:
        """How many next tokens of `tokens` a sequence's loss predicts (within the block)."""
        n = min(self.config.block_size, len(tokens) - 1)
        if n < 1:
            raise ValueError(f"a sequence needs at least 2 tokens, got {tokens!r}")
        return n

    def _caches(self) -> tuple[list[list[Any]], list[list[Any]]]:
        """Empty key and value caches, one list per layer, filled token by token."""
        layers = range(self.config.n_layer)
        return [[] for _ in layers], [[] for _ in layers]

    def sequence_loss(self, params: Params, tokens: Sequence[int]) -> Any:
        """Mean cross-entropy of the next-token predictions along one token sequence."""
        n = self._predictions(tokens)
        keys, values = self._caches()
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
        keys, values = self._caches()
        out: list[Any] = []
        for pos, token in enumerate(context):
            out = self._token(params, token, pos, keys, values)
        return out

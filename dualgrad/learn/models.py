"""Character models written once, generic over the number type.

Every model here is plain arithmetic plus :mod:`dualgrad.dmath` calls, so the same code runs on
floats (random search, evaluation), on :class:`~dualgrad.Dual` numbers (forward mode) and on
reverse-mode ``Value`` nodes. Models are *functional*: the parameters live in a plain tree (a
dict of nested lists of numbers, a ``state_dict``) passed to every call, so a driver can seed
one leaf at a time and leave all the others as floats.

>>> model = Bigram(vocab_size=3)
>>> params = model.init_params(seed=0)
>>> model.num_params
9
>>> batch = [((0,), 1), ((1,), 0)]
>>> round(model.loss(params, batch), 2)  # near-uniform start: log(3) = 1.0986
1.1

Every model follows the same small protocol (:class:`Model`): ``init_params(seed)``,
``num_params``, ``logits(params, context)``, ``loss(params, batch)``, ``vocab_size`` and
``context``. A batch is a sequence of ``(context, target)`` pairs (``context`` a tuple of token
ids, ``target`` the id of the next token), as made by :func:`dualgrad.learn.data.examples`; id 0 is
the boundary token that starts and ends every name.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any, Protocol

from dualgrad import dmath
from dualgrad.learn._checks import check_pairs, check_shape, check_vocab
from dualgrad.learn._losses import (
    Batch,
    Params,
    cross_entropy,
    mean_cross_entropy,
    softmax,
    value_of,
)
from dualgrad.learn.gpt import GPT, GPTConfig

__all__ = [
    "GPT",
    "MLP",
    "Bigram",
    "GPTConfig",
    "Model",
    "cross_entropy",
    "sample",
    "softmax",
    "value_of",
]


class Model(Protocol):
    """What trainers, drivers and :func:`sample` rely on (a GPT model will follow it too)."""

    vocab_size: int
    context: int  # how many previous token ids ``logits`` looks at

    @property
    def num_params(self) -> int: ...

    def init_params(self, seed: int = 0) -> Params: ...

    def logits(self, params: Params, context: Sequence[int]) -> list[Any]: ...

    def loss(self, params: Params, batch: Batch) -> Any: ...


def _window(context: Sequence[int], size: int) -> Sequence[int]:
    """The last `size` ids of `context`, left-padded with the boundary id 0 if it is shorter
    (as a name's first windows are), so one data set serves models of any context size."""
    n = len(context)
    if n == size:
        return context
    if n > size:
        return context[n - size :]
    return (0,) * (size - n) + tuple(context)


# -- bigram -------------------------------------------------------------------------------------
class Bigram:
    """A table of next-token logits per current token: ``params["logits"][i][j]`` scores j
    after i. The smallest model (V*V parameters), the tutorial's first."""

    def __init__(self, vocab_size: int) -> None:
        check_vocab(vocab_size)
        self.vocab_size = vocab_size
        self.context = 1

    def __repr__(self) -> str:
        return f"Bigram(vocab_size={self.vocab_size})"

    @property
    def num_params(self) -> int:
        """V * V."""
        return self.vocab_size * self.vocab_size

    def init_params(self, seed: int = 0, scale: float = 0.01) -> Params:
        """Small gaussian logits, so the first predictions are nearly uniform (loss ~ log V)."""
        rng = random.Random(seed)
        v = self.vocab_size
        return {"logits": [[rng.gauss(0.0, scale) for _ in range(v)] for _ in range(v)]}

    def logits(self, params: Params, context: Sequence[int]) -> list[Any]:
        """Logits of the next token after ``context[-1]`` (a copy of that table row)."""
        return list(params["logits"][context[-1]])

    def loss(self, params: Params, batch: Batch) -> Any:
        """Mean cross-entropy over `batch`'s (context, target) pairs."""
        table = params["logits"]
        check_shape(repr(self), "logits", table, self.vocab_size, self.vocab_size)
        check_pairs(repr(self), 1, self.vocab_size, batch)
        return mean_cross_entropy(lambda ctx: table[ctx[-1]], batch)


# -- MLP ----------------------------------------------------------------------------------------
class MLP:
    """Bengio et al. 2003 as in makemore: embed each of the last `context` tokens (table C,
    V x embed), concatenate, one tanh hidden layer (W1: context*embed x hidden, b1), then the
    output logits (W2: hidden x V, b2).

    ``num_params = V*embed + context*embed*hidden + hidden + hidden*V + V``; use
    :meth:`with_params` to size a model by its parameter count.

    >>> MLP(27, context=3, embed=10, hidden=200).num_params   # makemore's model
    11897
    """

    def __init__(self, vocab_size: int, context: int = 3, embed: int = 2, hidden: int = 16) -> None:
        check_vocab(vocab_size)
        for name, n in (("context", context), ("embed", embed), ("hidden", hidden)):
            if type(n) is not int or n < 1:
                raise ValueError(f"{name} must be a positive int, got {n!r}")
        self.vocab_size = vocab_size
        self.context = context
        self.embed = embed
        self.hidden = hidden

    def __repr__(self) -> str:
        return (
            f"MLP(vocab_size={self.vocab_size}, context={self.context}, "
            f"embed={self.embed}, hidden={self.hidden})"
        )

    @classmethod
    def with_params(cls, vocab_size: int, target_n: int, context: int = 3) -> MLP:
        """An MLP with close to `target_n` parameters, for sweeps of N.

        The embedding width grows slowly, ``embed = max(1, round(sqrt(target_n) / 10))``
        (10 at N = 10,000, as in makemore); the hidden width takes the rest, rounded to the
        nearest unit. The count is then within half a hidden unit's parameters
        (context*embed + 1 + V) of the target, unless the target is below the smallest model
        (embed = hidden = 1: 3V + context + 1 parameters, 85 for V = 27).

        >>> [MLP.with_params(27, n).num_params for n in (100, 1_000, 3_000, 10_000)]
        [85, 996, 3000, 9983]
        """
        check_vocab(vocab_size)
        if type(target_n) is not int or target_n < 1:
            raise ValueError(f"target_n must be a positive int, got {target_n!r}")
        v = vocab_size
        embed = max(1, int(math.sqrt(target_n) / 10 + 0.5))
        per_hidden = context * embed + 1 + v  # one hidden unit: its W1 column, b1, W2 row
        hidden = max(1, int((target_n - v * embed - v) / per_hidden + 0.5))
        return cls(vocab_size, context=context, embed=embed, hidden=hidden)

    @property
    def num_params(self) -> int:
        """V*embed + context*embed*hidden + hidden + hidden*V + V."""
        v, e, h = self.vocab_size, self.embed, self.hidden
        return v * e + self.context * e * h + h + h * v + v

    def init_params(self, seed: int = 0) -> Params:
        """makemore's initialisation: C ~ N(0, 1); W1 ~ N(0, 1) * (5/3) / sqrt(fan_in) (Kaiming
        gain for tanh); W2 ~ N(0, 1) * 0.01 so the first logits are nearly equal and the
        initial loss is about log(V); biases 0."""
        rng = random.Random(seed)
        g = rng.gauss
        v, e, h = self.vocab_size, self.embed, self.hidden
        fan_in = self.context * e
        w1_scale = (5.0 / 3.0) / math.sqrt(fan_in)
        return {
            "C": [[g(0.0, 1.0) for _ in range(e)] for _ in range(v)],
            "W1": [[g(0.0, 1.0) * w1_scale for _ in range(h)] for _ in range(fan_in)],
            "b1": [0.0] * h,
            "W2": [[g(0.0, 1.0) * 0.01 for _ in range(v)] for _ in range(h)],
            "b2": [0.0] * v,
        }

    def _forward(self, params: Params) -> Any:
        """The per-example logits function, with the weight matrices transposed once per call
        (not once per example) so each layer is one :func:`dualgrad.dmath.matvec`: a C-level
        sum per unit while the numbers are floats, one matrix product of the tangents in chunk
        mode, one node per unit in reverse mode."""
        table, w1, b1, w2, b2 = (params[k] for k in ("C", "W1", "b1", "W2", "b2"))
        # map() below stops at the shorter input silently, so check the shapes once here
        v, e, h, me = self.vocab_size, self.embed, self.hidden, repr(self)
        check_shape(me, "C", table, v, e)
        check_shape(me, "W1", w1, self.context * e, h)
        check_shape(me, "b1", b1, h)
        check_shape(me, "W2", w2, h, v)
        check_shape(me, "b2", b2, v)
        w1_cols = list(zip(*w1, strict=True))  # hidden tuples of fan_in weights
        w2_cols = list(zip(*w2, strict=True))  # V tuples of hidden weights
        size = self.context
        tanh = dmath.tanh
        matvec = dmath.matvec  # floats: one C-level sum per unit; chunk mode: one matrix product

        def logits(context: Sequence[int]) -> list[Any]:
            x = [u for i in _window(context, size) for u in table[i]]
            # bias added after the sum: a seeded (Dual) bias then costs one Dual addition
            # instead of turning every addition of the sum into one
            h = [tanh(s + b) for s, b in zip(matvec(w1_cols, x), b1, strict=True)]
            return [s + b for s, b in zip(matvec(w2_cols, h), b2, strict=True)]

        return logits

    def logits(self, params: Params, context: Sequence[int]) -> list[Any]:
        """Logits of the next token after the last `context` ids (left-padded with 0)."""
        return self._forward(params)(context)

    def loss(self, params: Params, batch: Batch) -> Any:
        """Mean cross-entropy over `batch`'s (context, target) pairs."""
        forward = self._forward(params)
        check_pairs(repr(self), self.context, self.vocab_size, batch)
        return mean_cross_entropy(forward, batch)


# -- sampling -----------------------------------------------------------------------------------
def sample(
    model: Model,
    params: Params,
    vocab_size: int,
    rng: random.Random,
    max_len: int = 20,
    temperature: float = 1.0,
) -> list[int]:
    """Token ids of one generated name, ending with the boundary id 0.

    Starts from an all-boundary context and draws each next id from softmax(logits /
    temperature) until it draws 0; after `max_len` other ids it stops and appends the 0
    itself, so the result always ends at the boundary (at most ``max_len + 1`` ids).

    >>> model = Bigram(4)
    >>> ids = sample(model, model.init_params(0), 4, random.Random(1))
    >>> ids[-1], all(0 <= i < 4 for i in ids)
    (0, True)
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    ids = range(vocab_size)
    # window models slide a fixed context of boundary-padded ids; a GPT grows its context from
    # one boundary token, up to its block size
    grows = getattr(model, "context_grows", False)
    if grows:
        max_len = min(max_len, model.context - 1)
    context: tuple[int, ...] = (0,) if grows else (0,) * model.context
    out: list[int] = []
    while len(out) < max_len:
        logits = [value_of(v) / temperature for v in model.logits(params, context)]
        if len(logits) != vocab_size:
            raise ValueError(f"model gives {len(logits)} logits, expected {vocab_size}")
        nxt = rng.choices(ids, weights=softmax(logits))[0]
        if nxt == 0:
            break
        out.append(nxt)
        context = (*context, nxt) if grows else (*context[1:], nxt)
    out.append(0)
    return out

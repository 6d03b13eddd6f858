"""Checks that a model's data and parameters fit it, so a mismatch is an error that says what
to do instead of an IndexError deep inside a forward pass (or, worse, a silently padded
context).

>>> check_pairs("MLP(context=3)", 3, 27, [((0, 0, 5), 7)])
>>> check_pairs("MLP(context=3)", 3, 27, [((5,), 7)])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: MLP(context=3) looks at 3 previous tokens, but the pair ((5,), 7) has a context ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dualgrad.numbers.base import is_array

__all__ = ["check_pairs", "check_sequences", "check_shape", "check_vocab"]


def _bad_id(i: Any, vocab_size: int) -> bool:
    return type(i) is not int or not 0 <= i < vocab_size


def _outside(model: str, what: str, i: Any, vocab_size: int, where: str) -> Exception:
    return ValueError(
        f"{what} {i!r} in {where} is outside the vocabulary of {model} (token ids 0 to "
        f"{vocab_size - 1}): build the model with the data's vocabulary size (Vocab.size), "
        "or encode the data with the model's vocabulary"
    )


def check_pairs(model: str, context: int, vocab_size: int, batch: Sequence[Any]) -> None:
    """Every (context, target) pair of `batch` has at least `context` ids, all inside the
    vocabulary, and an int target inside it."""
    for pair in batch:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise TypeError(
                f"{model} trains on (context, target) pairs (dualgrad.learn.data.examples), "
                f"got {pair!r}"
            )
        ctx, target = pair
        if not isinstance(ctx, tuple | list):
            raise TypeError(f"the context of pair {pair!r} must be a tuple of token ids")
        if len(ctx) < context:
            raise ValueError(
                f"{model} looks at {context} previous tokens, but the pair {pair!r} has a "
                f"context of {len(ctx)}: make the pairs with dualgrad.learn.data.examples("
                f"names, vocab, context={context})"
            )
        for i in ctx[len(ctx) - context :]:
            if _bad_id(i, vocab_size):
                raise _outside(model, "token id", i, vocab_size, f"the pair {pair!r}")
        if _bad_id(target, vocab_size):
            raise _outside(model, "target", target, vocab_size, f"the pair {pair!r}")


def check_sequences(model: str, vocab_size: int, batch: Sequence[Any]) -> None:
    """Every entry of `batch` is a sequence of int token ids inside the vocabulary."""
    for seq in batch:
        if (
            isinstance(seq, tuple | list)
            and len(seq) == 2
            and isinstance(seq[0], tuple | list)
            and type(seq[1]) is int
        ):
            raise TypeError(
                f"{model} trains on token sequences (dualgrad.learn.data.sequences(names, "
                f"vocab)), not (context, target) pairs such as {seq!r}"
            )
        if not isinstance(seq, Sequence):
            raise TypeError(f"{model} takes a batch of token sequences, got {seq!r}")
        for i in seq:
            if _bad_id(i, vocab_size):
                raise _outside(model, "token id", i, vocab_size, f"the sequence {seq!r}")


def check_shape(model: str, name: str, value: Any, rows: int, cols: int | None = None) -> None:
    """``params[name]`` has `rows` entries (of `cols` entries each, for a matrix): lists,
    tuples or numpy arrays."""
    got_rows = len(value) if _sized(value) else None
    ok = got_rows == rows and (cols is None or all(_sized(r) and len(r) == cols for r in value))
    if not ok:
        want = f"{rows} x {cols}" if cols is not None else f"{rows} entries"
        if got_rows is None:
            got = type(value).__name__
        elif cols is None:
            got = f"{got_rows} entries"
        else:
            lens = sorted({len(r) if _sized(r) else -1 for r in value})
            got = f"{got_rows} rows of {', '.join(map(str, lens))} entries"
        raise ValueError(
            f"parameter shapes do not match {model}: {name!r} must be {want}, got {got}: use "
            "model.init_params() or a model built for these parameters"
        )


def _sized(x: Any) -> bool:
    """A sequence of entries: a list or tuple, or a numpy array that is not 0-d."""
    return isinstance(x, Sequence) or (is_array(x) and x.ndim > 0)


def check_vocab(vocab_size: int) -> None:
    """A vocabulary has the boundary token and at least one other: an int >= 2."""
    if type(vocab_size) is not int or vocab_size < 2:
        raise ValueError(f"vocab_size must be an int >= 2, got {vocab_size!r}")

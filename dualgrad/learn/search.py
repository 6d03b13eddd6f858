"""Random search: the naive baseline from the tutorial "Why we need derivatives".

For each parameter in turn, nudge it at random, run the model, keep the nudge if the loss
went down and revert it otherwise. It needs no derivatives, only forward passes, and a lot
of them: ``tries * N + 1`` per step for N parameters. That count is the point of comparison
with forward mode (about N passes per gradient) and reverse mode (about one).

>>> import random
>>> params = [3.0]
>>> stats = random_search_step(lambda p: (p[0] - 1.0) ** 2, params, tries=50, scale=0.1,
...                            rng=random.Random(0))
>>> stats.passes, stats.loss < stats.initial_loss == 4.0
(51, True)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SearchStats", "random_search_step"]


@dataclass(frozen=True)
class SearchStats:
    """What one random-search step cost and achieved."""

    passes: int
    """Forward passes (calls of the loss function): exactly ``tries * len(params) + 1``."""
    accepted: int
    """Nudges kept because they lowered the loss."""
    initial_loss: float
    """The loss before the step."""
    loss: float
    """The loss after the step, at the parameters as they are left (never above initial_loss)."""


def random_search_step(
    loss: Callable[[list[float]], float],
    params: list[float],
    *,
    tries: int = 10,
    scale: float = 0.01,
    rng: random.Random,
) -> SearchStats:
    """One sweep of random search over `params`, updating the list in place.

    For each parameter in turn, `tries` times: add ``rng.gauss(0, scale)`` to its current
    value and evaluate ``loss(params)``; keep the nudge only if the loss is strictly lower than
    the best so far, otherwise restore the exact previous value. Accepted nudges compound (the
    next try starts from the kept value), as in the tutorial's example.

    `loss` receives the very list being searched (copying it for each of the many passes would
    cost more than some models), so it must neither modify it nor keep a reference to it.
    A loss of nan never counts as lower; a nan loss at the start is an error, since no nudge
    could ever be accepted. If `loss` raises (or the user presses Ctrl-C), the nudge under test
    is undone first, so `params` is left at the last accepted point.
    """
    if type(tries) is not int or tries < 1:
        raise ValueError(f"tries must be an int >= 1, got {tries!r}")
    if not (isinstance(scale, (int, float)) and 0.0 < scale < math.inf):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")

    best = initial = loss(params)
    if math.isnan(best):
        raise ValueError("the loss is nan at the starting parameters")
    passes, accepted = 1, 0
    gauss = rng.gauss
    i, kept = 0, None
    try:
        for i in range(len(params)):
            for _ in range(tries):
                kept = params[i]
                params[i] = kept + gauss(0.0, scale)
                trial = loss(params)
                passes += 1
                if trial < best:  # strictly: a nudge that changes nothing is not progress
                    best = trial
                    accepted += 1
                else:
                    params[i] = kept
                kept = None
    except BaseException:
        # An error or Ctrl-C inside `loss` must not leave an untested nudge behind: the
        # parameters stay at the last accepted point.
        if kept is not None:
            params[i] = kept
        raise
    return SearchStats(passes=passes, accepted=accepted, initial_loss=initial, loss=best)

"""Tags: which derivative a Dual's tangent belongs to (against perturbation confusion).

Every driver call takes a fresh tag, newer than every tag already active in its thread, and
seeds its parameters with it. When Duals of two tags meet, the newer one is the outer number
and holds the other as a constant inside its value, so in
``derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0)`` the inner derivative is
exactly 1 and the answer is 1 (a naive implementation answers 2). Like ForwardDiff.jl's tags,
in its config.jl.

>>> with Tagged() as outer, Tagged() as inner:
...     inner > outer, active() == [outer, inner]
(True, True)
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from dualgrad.numbers.base import describe, explain_object_loop, is_real
from dualgrad.numbers.dual import Dual

__all__ = ["InheritedTags", "TagCounter", "Tagged", "active", "tangent_of", "value_of"]


class TagCounter:
    """Hands out tags, each newer than every tag handed out before in this process, and keeps
    each thread's stack of active tags (the derivatives being taken there, outermost first).

    >>> counter = TagCounter()
    >>> first = counter.fresh()
    >>> counter.skip_past([first + 10])
    >>> counter.fresh() > first + 10
    True
    """

    def __init__(self) -> None:
        self._next = itertools.count(1)
        self._lock = threading.Lock()
        self._threads = threading.local()

    def fresh(self) -> int:
        """A new tag (thread-safe: itertools.count's next is atomic in CPython)."""
        return next(self._next)

    def skip_past(self, tags: Sequence[int]) -> None:
        """Make every tag handed out from now on newer than all of `tags` (a worker adopting
        its caller's tags)."""
        with self._lock:
            probe = next(self._next)
            if tags and probe <= max(tags):
                self._next = itertools.count(max(tags) + 1)

    def active(self) -> list[int]:
        """This thread's active tags, outermost first."""
        stack: list[int] | None = getattr(self._threads, "tags", None)
        if stack is None:
            stack = self._threads.tags = []
        return stack


TAGS = TagCounter()
"""The process's one tag counter: tags must be comparable across every driver call."""


def active() -> list[int]:
    """Tags of the derivatives being taken right now in this thread, outermost first."""
    return TAGS.active()


class Tagged:
    """Context manager: a fresh tag, newer than every tag already active."""

    def __enter__(self) -> int:
        self.tag = TAGS.fresh()
        active().append(self.tag)
        return self.tag

    def __exit__(self, *exc: object) -> None:
        active().remove(self.tag)
        explain_object_loop(exc[1] if len(exc) > 1 else None)  # type: ignore[arg-type]


class InheritedTags:
    """Context manager for a task run elsewhere (a worker process or thread): make the
    caller's active tags active here too, and make new tags here newer than all of them."""

    def __init__(self, tags: Sequence[int]) -> None:
        self.tags = [t for t in tags if t not in active()]

    def __enter__(self) -> None:
        TAGS.skip_past(self.tags)
        active().extend(self.tags)

    def __exit__(self, *exc: object) -> None:
        for t in self.tags:
            active().remove(t)


def _stray(what: str, shown: str, tag: int) -> TypeError:
    return TypeError(
        f"{what}: the function returned {shown}, a Dual of tag {tag} that belongs to no "
        "derivative being taken (made by hand, or leaked from another call)"
    )


def tangent_of(out: Any, tag: int, what: str) -> Any:
    """The derivative carried by `out` for perturbation `tag` (0 if `out` ignores it)."""
    if type(out) is Dual:
        if out.tag == tag:
            inner = out.value
            if type(inner) is Dual and inner.tag not in active():
                raise _stray(what, f"a result carrying {describe(inner)}", inner.tag)
            return out.tangent
        if out.tag in active():  # an outer derivative's number: constant w.r.t. ours
            return 0.0
        raise _stray(what, describe(out), out.tag)
    if is_real(out):
        return 0.0
    if getattr(type(out), "_dualgrad_number", False) is True:  # a Taylor number
        if out.tag in active():  # an outer Taylor pass's number: constant w.r.t. ours
            return 0.0
        raise TypeError(
            f"{what}: the function returned {describe(out)}, of tag {out.tag}, which belongs "
            "to no derivative being taken (made by hand, or leaked from another call)"
        )
    raise TypeError(f"{what}: the function must return a real number, {_got(out)}")


def _got(out: Any) -> str:
    """What f returned, and how to make a number of it."""
    shape = getattr(out, "shape", None)
    if shape is not None and shape != ():
        return (
            f"it returned {describe(out)}, an array of shape {shape}: reduce it to one "
            "number (e.g. its sum or mean), or take the jacobian for many outputs"
        )
    if isinstance(out, (list, tuple, dict)):
        return (
            f"it returned {describe(out)}, a {type(out).__name__}: reduce it to one number, "
            "or take the jacobian (or jvp) for many outputs"
        )
    return f"it returned {describe(out)} (type {type(out).__name__})"


def value_of(out: Any, tag: int) -> Any:
    """The value of `out` with perturbation `tag` taken off."""
    return out.value if type(out) is Dual and out.tag == tag else out

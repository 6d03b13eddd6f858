"""Seeding and extraction, shared by every driver (ForwardDiff.jl's apiutils.jl).

A pass evaluates f on a *fresh* copy of the parameters in which some leaves are Duals: leaf j
carries ``tangents[i]`` for ``positions[i] == j``; every other leaf stays a plain number, so
most arithmetic stays in C. Each pass builds its own copy, so a function that changes its
parameters (normalising weights in place, ``p[0] = p[0] * 2``) cannot leak into the next pass:
every pass sees exactly the caller's parameters.

:func:`seed_columns` is the unit of work of ``grad``, ``jacobian`` and their executors: the
columns of the Jacobian of f at the chosen leaves, ``width`` columns per pass.

>>> from dualgrad.drivers.tags import Tagged, active
>>> with Tagged():
...     seed_columns(lambda p: [p[0] * p[1], p[0]], _spec([2.0, 3.0]), [2.0, 3.0], [0, 1], 1,
...                  tuple(active()), "jacobian").columns
[[3.0, 1.0], [2.0, 0.0]]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dualgrad.drivers.memory import paused_gc
from dualgrad.drivers.tags import InheritedTags, tangent_of, value_of
from dualgrad.numbers.base import describe, is_real, vector
from dualgrad.numbers.dual import Dual
from dualgrad.tree import Spec, flatten, paths, unflatten

__all__ = [
    "Columns",
    "array_blocks",
    "check_leaves",
    "chunk_width",
    "has_arrays",
    "seed_columns",
    "seeded_pass",
]

_PLAIN_NUMBERS = {float, int}
_SCALAR = flatten(0.0)[1]


def _spec(params: Any) -> Spec:
    return flatten(params)[1]


def check_leaves(leaves: list[Any], spec: Spec, what: str, name: str = "params") -> None:
    """Every leaf a real number or a Dual, else a TypeError naming the first that is not."""
    if set(map(type, leaves)) <= _PLAIN_NUMBERS:  # the common case, checked in C
        return
    for i, x in enumerate(leaves):
        if not (is_real(x) or type(x) is Dual):
            raise TypeError(
                f"{what}: {name}{paths(spec)[i]} is {describe(x)} (type {type(x).__name__}), "
                "not a real number"
            )


def chunk_width(chunk: Any, n: int, what: str) -> int:
    """Tangents per pass for ``chunk``: a positive int, or "all" (n)."""
    if chunk == "all" and type(chunk) is str:
        return max(n, 1)
    if type(chunk) is not int or chunk < 1:
        raise ValueError(f"{what}: chunk must be a positive int or 'all', got {chunk!r}")
    return chunk


def has_arrays(spec: Spec) -> bool:
    """Whether the parameters hold a numpy array (a flat row of numbers: O(1))."""
    if spec.kind == "array":
        return True
    return not spec.flat and any(map(has_arrays, spec.children))


def array_blocks(spec: Spec, leaves: Sequence[Any]) -> Any:
    """The float arrays among the parameters, made once for every pass of a driver call (None
    without arrays): a pass hands f each as a dual array (:mod:`dualgrad.vector.dualarray`)."""
    return vector().ArrayBlocks(spec, leaves) if has_arrays(spec) else None


def seeded_pass(
    f: Callable[[Any], Any],
    spec: Spec,
    leaves: Sequence[Any],
    positions: Sequence[int],
    tangents: Any,
    tag: int,
    blocks: Any = None,
) -> Any:
    """f on a fresh copy of the parameters whose leaves at `positions` carry `tangents`; with
    the parameters' array `blocks`, their arrays as dual arrays."""
    if blocks is not None:
        tree = vector().seed_tree(spec, blocks, leaves, positions, tangents, tag)
        with paused_gc():
            return f(tree)
    work = list(leaves)
    for j, t in zip(positions, tangents, strict=True):
        work[j] = Dual.from_parts(leaves[j], t, tag)
    with paused_gc():
        return f(work[0] if spec.kind == "leaf" else unflatten(spec, work, numbers=True))


@dataclass
class Columns:
    """What :func:`seed_columns` gives back: ``columns[c][i]`` = d out_i / d leaf, for each
    seeded leaf c in order (a list of floats, or a float64 row where the output held dual
    arrays); the output's `value` and `spec` (of the first pass); `passes`."""

    columns: list[list[Any]]
    value: Any
    spec: Spec | None
    passes: int


def seed_columns(
    f: Callable[[Any], Any],
    spec: Spec,
    leaves: Sequence[Any],
    chosen: Sequence[int],
    width: int,
    tags: Sequence[int],
    what: str,
    scalar: bool = False,
) -> Columns:
    """The Jacobian's columns at the leaves `chosen`, `width` per pass, seeded with
    ``tags[-1]`` (the others: enclosing derivatives, made active here too, for a task run on
    another thread or process). An exception raised by f gets a note naming the parameters
    being seeded. With `scalar` (a gradient) f must return one number."""
    tag = tags[-1]
    result = Columns([], None, None, 0)
    blocks = array_blocks(spec, leaves)
    with InheritedTags(tags):
        for lo in range(0, len(chosen), width):
            part = chosen[lo : lo + width]
            try:
                with _chunk(spec, part, width) as seeds:
                    if blocks is not None and width > 1:
                        seeds = vector().unit_seeds(len(part))
                    out = seeded_pass(f, spec, leaves, part, seeds, tag, blocks)
                arrays = (
                    None if scalar or blocks is None else vector().output_rows(out, tag, len(part))
                )
                if arrays is not None:  # dual arrays among the outputs: their rows in bulk
                    _add_rows(result, arrays, what)
                    result.passes += 1
                    continue
                outs, ospec = ([out], _SCALAR) if scalar else flatten(out)
                if result.spec is None:
                    result.value, result.spec = (
                        unflatten(ospec, [value_of(o, tag) for o in outs]),
                        ospec,
                    )
                elif ospec != result.spec:
                    raise ValueError(
                        f"{what}: the function's output changed shape between passes "
                        f"({result.spec.size} numbers, then {ospec.size}); it must return the "
                        "same structure whatever the parameters' tangents"
                    )
                result.columns.extend(_columns(outs, tag, len(part), what))
            except Exception as exc:
                _note(exc, f"raised while seeding {_where(spec, part)}")
                raise
            result.passes += 1
    return result


def _add_rows(result: Columns, arrays: tuple[list[Any], Spec, list[Any]], what: str) -> None:
    """One pass's columns from the outputs' tangent rows (an output holding dual arrays)."""
    import numpy as np  # dual arrays: numpy is here

    values, ospec, rows = arrays
    if result.spec is None:
        result.value, result.spec = unflatten(ospec, values), ospec
    elif ospec != result.spec:
        raise ValueError(f"{what}: the function's output changed shape between passes")
    block = np.array(rows, dtype=np.float64).T  # k columns of the outputs' partials
    result.columns.extend(block)  # (float64 rows: jacobian assembles them in bulk)


@contextmanager
def _chunk(spec: Spec, part: Sequence[int], width: int) -> Iterator[Sequence[Any]]:
    """The seeds of the chunk `part`, under the conditions its pass runs in (vector tangents:
    the vector layer's pass context, layouts made of the parameters' blocks)."""
    if width == 1:
        yield (1.0,)
        return
    layer = vector()
    with layer.chunked_pass(len(part), _block_starts(spec, part)):
        yield layer.seeds(len(part))


def _columns(outs: list[Any], tag: int, k: int, what: str) -> list[list[Any]]:
    """Per seeded column, the partial of each output (floats, whatever the tangent type)."""
    rows = []
    for o in outs:
        t = tangent_of(o, tag, what)
        if type(t) is float or type(t) is Dual:
            rows.append([t] * k)
        elif getattr(t, "ndim", 1) and hasattr(t, "tolist"):  # a vector tangent
            rows.append(t.tolist())
        else:  # a numpy scalar, an int ...: a float, as every other driver returns
            rows.append([float(t)] * k)
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in range(k)]


def _block_starts(spec: Spec, part: Sequence[int]) -> list[int] | None:
    """The first column, within this chunk, of each parameter block (a top-level entry of the
    parameters), for tangent layouts made of whole blocks; None if the chunk is not one
    contiguous range or the parameters have no blocks."""
    if (
        spec.kind in ("leaf", "array")
        or spec.flat
        or not part
        or part[-1] - part[0] != len(part) - 1
    ):
        return None
    lo, starts, at = part[0], [], 0
    for child in spec.children:
        starts.append(max(at - lo, 0))
        at += child.size
    return starts


def _where(spec: Spec, part: Sequence[int]) -> str:
    names = paths(spec)
    if len(part) == 1:
        return f"parameter {part[0]} (params{names[part[0]]})"
    return f"parameters {part[0]}..{part[-1]} (from params{names[part[0]]})"


def _note(exc: BaseException, note: str) -> None:
    """Add `note` to the exception's traceback (on Python 3.10, which has no notes, to its
    message, so it is shown all the same)."""
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    elif exc.args and isinstance(exc.args[0], str):  # pragma: no cover - 3.10
        exc.args = (f"{exc.args[0]} ({note})", *exc.args[1:])
    else:  # pragma: no cover - 3.10
        exc.args = (*exc.args, note)

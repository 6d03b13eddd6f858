"""Forward-mode drivers: derivative, grad by seeding each parameter in turn, jvp, jacobian,
hessian.

>>> from dualgrad import derivative, grad, hessian
>>> derivative(lambda x: x ** 3, 2.0)
12.0
>>> grad(lambda p: p["w"][0] * p["w"][1] + p["b"], {"w": [2.0, 3.0], "b": 1.0})
{'w': [3.0, 2.0], 'b': 1.0}
>>> hessian(lambda v: v[0] ** 2 * v[1], [1.0, 2.0])
[[4.0, 2.0], [2.0, 0.0]]

Seeding parameter i means replacing it by ``Dual(p_i, 1.0)`` while every other parameter
stays a plain float, so most arithmetic in the pass stays in C; a full gradient costs N passes.
With ``chunk=k`` each pass carries k tangents at once as a numpy vector (ForwardDiff.jl's
chunk mode): ceil(N/k) passes.

Every call takes a fresh tag, and tags of nested calls are newer than those of the calls
around them, so perturbations never mix (perturbation confusion): in
``derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0)`` the inner derivative is
exactly 1 and the answer is 1.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad._memory import keep_freed_heap, paused_gc
from dualgrad.dual import Dual, _make
from dualgrad.tree import flatten, is_real, leaf_slots, mutable_copy, paths, unflatten

__all__ = [
    "GradResult",
    "derivative",
    "forward_gradient",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "value_and_grad",
]

_tags = itertools.count(1)
_tags_lock = threading.Lock()
_state = threading.local()


def _active() -> list[int]:
    """Tags of the derivatives being taken right now in this thread, outermost first."""
    stack = getattr(_state, "tags", None)
    if stack is None:
        stack = _state.tags = []
    return stack


class _Tagged:
    """Context manager: a fresh tag, newer than every tag already active."""

    def __enter__(self) -> int:
        self.tag = next(_tags)
        _active().append(self.tag)
        return self.tag

    def __exit__(self, *exc: object) -> None:
        _active().remove(self.tag)


class _Adopted:
    """Context manager for a task run elsewhere (a worker process or thread): make the
    caller's active tags active here too, and make new tags here newer than all of them."""

    def __init__(self, tags: Sequence[int]) -> None:
        self.tags = [t for t in tags if t not in _active()]

    def __enter__(self) -> None:
        global _tags
        with _tags_lock:
            probe = next(_tags)
            if self.tags and probe <= max(self.tags):
                _tags = itertools.count(max(self.tags) + 1)
        _active().extend(self.tags)

    def __exit__(self, *exc: object) -> None:
        for t in self.tags:
            _active().remove(t)


def _describe(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _tangent_of(out: Any, tag: int, what: str) -> Any:
    """The derivative carried by `out` for perturbation `tag` (0 if `out` ignores it)."""
    if type(out) is Dual:
        if out.tag == tag:
            inner = out.value
            if type(inner) is Dual and inner.tag not in _active():
                raise TypeError(
                    f"{what}: the function returned a result carrying {_describe(inner)}, a "
                    f"Dual of tag {inner.tag} that belongs to no derivative being taken "
                    "(made by hand, or leaked from another call)"
                )
            return out.tangent
        if out.tag in _active():  # an outer derivative's number: constant w.r.t. ours
            return 0.0
        raise TypeError(
            f"{what}: the function returned {_describe(out)}, a Dual of tag {out.tag} that "
            "belongs to no derivative being taken (made by hand, or leaked from another call)"
        )
    if is_real(out):
        return 0.0
    raise TypeError(f"{what}: the function must return a real number, it returned {_describe(out)}")


def _value_of(out: Any, tag: int) -> Any:
    return out.value if type(out) is Dual and out.tag == tag else out


_PLAIN_NUMBERS = {float, int}


def _check_leaves(leaves: list[Any], spec: Any, what: str) -> None:
    if set(map(type, leaves)) <= _PLAIN_NUMBERS:  # the common case, checked in C
        return
    for i, x in enumerate(leaves):
        if not (is_real(x) or type(x) is Dual):
            raise TypeError(
                f"{what}: parameter params{paths(spec)[i]} is {_describe(x)}, not a real number"
            )


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError(
            "chunked tangents need numpy: pip install 'dualgrad[fast]' (or use chunk=1)"
        ) from None
    return numpy


# -- derivative -----------------------------------------------------------------------------------
def derivative(f: Callable[[Any], Any], x: Any = None, /) -> Any:
    """df/dx at `x` for a scalar function of one real number; without `x`, the function f'.

    >>> derivative(lambda x: x * x, 3.0)
    6.0
    >>> d2 = derivative(derivative(lambda x: x ** 3))
    >>> d2(2.0)
    12.0
    """
    if x is None:

        def df(x: Any) -> Any:
            return derivative(f, x)

        df.__name__ = f"derivative({getattr(f, '__name__', 'f')})"
        return df
    if not (is_real(x) or type(x) is Dual):
        raise TypeError(f"derivative: x must be a real number, got {_describe(x)}")
    with _Tagged() as tag:
        return _tangent_of(f(Dual(x, 1.0, tag)), tag, "derivative")


# -- grad -----------------------------------------------------------------------------------------
@dataclass
class GradResult:
    """What a gradient cost and gave: unpacks like ``value, grad = value_and_grad(...)``."""

    value: Any
    grad: Any
    passes: int
    """Evaluations of the function (the exact cost: N for one tangent, ceil(N/k) chunked)."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.value, self.grad))


def _chunk_width(chunk: int | str, n: int) -> int:
    if chunk == "all":
        return max(n, 1)
    if type(chunk) is not int or chunk < 1:
        raise ValueError(f"chunk must be a positive int or 'all', got {chunk!r}")
    return chunk


def seed_range(
    f: Callable[[Any], Any],
    spec: Any,
    leaves: Sequence[Any],
    start: int,
    stop: int,
    width: int,
    tags: Sequence[int],
) -> tuple[Any, list[Any], int]:
    """Seed parameters start..stop-1, `width` per pass; return (value, their partials, passes).

    The unit of work of :func:`value_and_grad`, serial or spread over an executor: it works on
    its own copy of the parameters, seeding in place and restoring each leaf after its pass.
    ``tags[-1]`` is the tag to seed with, the others those of enclosing derivatives. An
    exception raised by `f` gets a note naming the parameter(s) being seeded.
    """
    tag = tags[-1]
    n = len(leaves)
    partials: list[Any] = []
    value: Any = None
    passes = 0
    work: Any = None
    slots: list[Any] = []
    with _Adopted(tags), _pass_conditions(width):
        for lo in range(start, stop, width):
            hi = min(lo + width, stop)
            try:
                if width == 1 or hi - lo < n:  # seed some leaves in place, restore after
                    if work is None:
                        work = mutable_copy(spec, list(leaves))
                        slots = leaf_slots(work) if spec.kind != "leaf" else []
                    seeds = _seeds(width, hi - lo)
                    for j in range(lo, hi):
                        container, key = slots[j]
                        container[key] = _make(leaves[j], seeds[j - lo], tag)
                    try:
                        with _pass_cache(width, spec, lo, hi), paused_gc():
                            out = f(work)
                    finally:
                        for j in range(lo, hi):
                            container, key = slots[j]
                            container[key] = leaves[j]
                else:  # every leaf in one pass: build the seeded copy directly
                    seeds = _seeds(width, n)
                    seeded = [_make(x, s, tag) for x, s in zip(leaves, seeds, strict=True)]
                    with _pass_cache(width, spec, 0, n), paused_gc():
                        out = f(mutable_copy(spec, seeded))
                t = _tangent_of(out, tag, "grad")
            except Exception as exc:
                where = f"parameter {lo} (params{paths(spec)[lo]})"
                if hi - lo > 1:
                    where = f"parameters {lo}..{hi - 1} (from params{paths(spec)[lo]})"
                _add_note(exc, f"raised while seeding {where}")
                raise
            if width == 1:
                partials.append(t)
            else:
                partials.extend(t.tolist() if hasattr(t, "tolist") else [t] * (hi - lo))
            if passes == 0:
                value = _value_of(out, tag)
            passes += 1
    return value, partials, passes


_SEEDS: dict[int, list[Any]] = {}


def _seeds(width: int, k: int) -> list[Any]:
    """The tangents that seed the k entries of a chunk (chunks are `width` wide, the last may
    be narrower): [1.0] for one tangent; rows of the identity for narrow chunks; sparse
    one-hots for wide ones, where dense rows would cost k floats each (k*k for the chunk) and
    most early operations touch only a few of them. Tangents are never modified in place, so
    the seeds are made once per width and shared."""
    if width == 1:
        return [1.0]
    seeds = _SEEDS.get(k)
    if seeds is None:
        if k < _SPARSE_FROM:
            seeds = list(_numpy().eye(k))
        else:
            from dualgrad.vector.sparse import Sparse

            seeds = [Sparse.one_hot(j, k) for j in range(k)]
        if len(_SEEDS) > 8:  # a few widths in use at a time
            _SEEDS.clear()
        _SEEDS[k] = seeds
    return seeds


def _pass_cache(width: int, spec: Any = None, lo: int = 0, hi: int = 0) -> Any:
    """For chunked passes, let the bulk products remember each weight matrix's layout, and
    tell them the parameter blocks (the top-level entries of params) of the columns seeded:
    parameters lo..hi-1, so sparse tangents are laid out block by block."""
    if width == 1:
        return contextlib.nullcontext()
    from dualgrad.vector.packed import layouts

    return layouts(_block_starts(spec, lo), hi - lo)


def _block_starts(spec: Any, lo: int) -> list[int] | None:
    if spec is None or spec.kind == "leaf" or spec.flat:
        return None
    starts, at = [], 0
    for child in spec.children:
        starts.append(at - lo)
        at += child.size
    return [max(s, 0) for s in starts]


_SPARSE_FROM = 64


@contextlib.contextmanager
def _pass_conditions(width: int) -> Iterator[None]:
    """What chunked passes run under: single-threaded BLAS (dualgrad.vector._blas), and glibc
    keeping freed heap for the next pass's tangent matrices (dualgrad._memory). (Each pass
    itself runs with the cyclic GC paused: its Duals hold no cycles; between passes the
    collector may run, so cyclic garbage of f's own is not held for the whole call.)"""
    if width == 1:
        yield
        return
    from dualgrad.vector._blas import single_threaded_blas

    keep_freed_heap()
    with single_threaded_blas():
        yield


def _add_note(exc: BaseException, note: str) -> None:
    if hasattr(exc, "add_note"):  # Python 3.11+
        exc.add_note(note)
    else:  # pragma: no cover - 3.10: keep the note where 3.11's traceback would show it
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


def _worker_count(executor: Any) -> int:
    """How many tasks an executor runs at once (a guess where it does not say)."""
    count = getattr(executor, "_max_workers", None)
    if count is None and hasattr(executor, "_client"):  # dask.distributed's ClientExecutor
        try:
            count = sum(executor._client.nthreads().values())
        except Exception:  # a cluster that cannot answer now: fall back to this machine
            count = None
    return int(count or os.cpu_count() or 1)


def _ranges(n: int, width: int, tasks: int) -> list[tuple[int, int]]:
    """Split 0..n into `tasks` contiguous ranges of whole chunks, sizes differing by <= 1 chunk."""
    chunks = -(-n // width)
    tasks = max(1, min(tasks, chunks))
    bounds = [round(i * chunks / tasks) * width for i in range(tasks + 1)]
    return [(lo, min(hi, n)) for lo, hi in itertools.pairwise(bounds) if lo < n]


def _run_ranges(
    executor: Any, tasks: int | None, fn: Callable[..., Any], n: int, width: int, *args: Any
) -> list[Any]:
    """Results of fn(*args[:-1], lo, hi, width, args[-1]) for each range, in order."""
    *head, tags = args
    if executor is None:
        return [fn(*head, 0, n, width, tags)]
    # ~4 tasks per worker: big enough that pickling the parameters and the function is paid
    # rarely, small enough that a slow worker is not left with the last quarter of the work
    count = tasks if tasks is not None else 4 * _worker_count(executor)
    futures = [
        executor.submit(fn, *head, lo, hi, width, tags) for lo, hi in _ranges(n, width, count)
    ]
    try:
        return [fut.result() for fut in futures]
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def value_and_grad(
    f: Callable[[Any], Any],
    params: Any,
    *,
    chunk: int | str = 1,
    executor: Any = None,
    tasks: int | None = None,
) -> GradResult:
    """The value of ``f(params)`` and its full gradient, in the structure of `params`.

    `params` is a number, or a (nested) list, tuple or dict of numbers - a model's
    state_dict. The function receives a working copy (tuples become lists there). The result
    unpacks as ``value, grad``; ``.passes`` is the number of evaluations of `f`.

    The passes are independent, so with an `executor` (any ``concurrent.futures.Executor``:
    a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``, or a Dask ``Client.get_executor()``)
    they are split into `tasks` contiguous ranges (default: 4 per worker) run in parallel; the
    result is identical, bit for bit, to the serial one. With processes, `f` and `params`
    must pickle (a module-level function or a ``functools.partial`` of one; Dask's cloudpickle
    also takes lambdas and closures).

    >>> r = value_and_grad(lambda p: p[0] ** 2 + 3 * p[1], [2.0, 5.0], chunk=2)
    >>> r.value, r.grad, r.passes
    (19.0, [4.0, 3.0], 1)
    """
    leaves, spec = flatten(params)
    _check_leaves(leaves, spec, "grad")
    width = _chunk_width(chunk, len(leaves))
    with _Tagged() as tag:
        if not leaves:
            out = f(mutable_copy(spec, []))
            _tangent_of(out, tag, "grad")  # the same check of what f returns
            return GradResult(out, unflatten(spec, []), 1)
        if spec.kind == "leaf":  # a single number: seed it directly
            out = f(Dual(leaves[0], 1.0, tag))
            return GradResult(_value_of(out, tag), _tangent_of(out, tag, "grad"), 1)
        tags = tuple(_active())
        results = _run_ranges(
            executor, tasks, seed_range, len(leaves), width, f, spec, leaves, tags
        )
    partials = [p for _, part, _ in results for p in part]
    return GradResult(results[0][0], unflatten(spec, partials), sum(r[2] for r in results))


def grad(
    f: Callable[[Any], Any],
    params: Any,
    *,
    chunk: int | str = 1,
    executor: Any = None,
    tasks: int | None = None,
) -> Any:
    """The gradient of a scalar function `f` at `params`, in the structure of `params`.

    Seeds each parameter in turn (N passes), or `chunk` parameters per pass with numpy
    vector tangents (ceil(N/chunk) passes; ``chunk="all"`` does it in one), optionally spread
    over an `executor` (see :func:`value_and_grad`). Empty params give an empty gradient
    without calling `f`.
    """
    leaves, spec = flatten(params)
    if not leaves and spec.kind != "leaf":
        return unflatten(spec, [])
    return value_and_grad(f, params, chunk=chunk, executor=executor, tasks=tasks).grad


# -- jvp, jacobian, hessian -----------------------------------------------------------------------
def jvp(f: Callable[[Any], Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """(f(primals), the directional derivative of f along `tangents`) in one pass.

    `tangents` has the structure of `primals`; `f` may return a number or a tree of numbers,
    and the derivative comes back in that structure.

    >>> jvp(lambda p: [p[0] * p[1], p[0] + p[1]], [2.0, 3.0], [1.0, 0.0])
    ([6.0, 5.0], [3.0, 1.0])
    """
    leaves, spec = flatten(primals)
    dirs, dspec = flatten(tangents)
    if dspec != spec:
        raise ValueError("jvp: tangents must have the structure of primals")
    _check_leaves(leaves, spec, "jvp")
    _check_leaves(dirs, spec, "jvp")
    with _Tagged() as tag:
        seeded = [Dual(p, t, tag) for p, t in zip(leaves, dirs, strict=True)]
        out = f(seeded[0] if spec.kind == "leaf" else unflatten(spec, seeded))
        outs, ospec = flatten(out)
        values = [_value_of(o, tag) for o in outs]
        derivs = [_tangent_of(o, tag, "jvp") for o in outs]
    return unflatten(ospec, values), unflatten(ospec, derivs)


def jacobian_columns(
    f: Callable[[Any], Any],
    spec: Any,
    leaves: Sequence[Any],
    start: int,
    stop: int,
    width: int,
    tags: Sequence[int],
) -> list[list[Any]]:
    """Columns start..stop-1 of the Jacobian, `width` per pass (the unit of :func:`jacobian`)."""
    tag = tags[-1]
    columns: list[list[Any]] = []
    eye_of = _numpy().eye if width > 1 else None
    with _Adopted(tags), _pass_conditions(width):
        for lo in range(start, stop, width):
            hi = min(lo + width, stop)
            seeds = [1.0] if eye_of is None else list(eye_of(hi - lo))
            seeded = list(leaves)
            for j in range(lo, hi):
                seeded[j] = Dual(leaves[j], seeds[j - lo], tag)
            with paused_gc():
                out = f(seeded[0] if spec.kind == "leaf" else unflatten(spec, seeded))
            outs, _ = flatten(out)
            ts = [_tangent_of(o, tag, "jacobian") for o in outs]
            for j in range(hi - lo):
                columns.append([t[j] if hasattr(t, "shape") else t for t in ts])
    return columns


def jacobian(
    f: Callable[[Any], Any],
    x: Any,
    *,
    chunk: int | str = 1,
    executor: Any = None,
    tasks: int | None = None,
) -> list[list[Any]]:
    """The Jacobian J[i][j] = d f_i / d x_j of a vector-valued function, column by column.

    `x` is a list of numbers (or any tree: j runs over its flattened leaves) and `f` returns a
    list (or tree: i runs over its flattened leaves). ``chunk=k`` takes k columns per pass;
    an `executor` spreads the columns as in :func:`value_and_grad`.

    >>> jacobian(lambda v: [v[0] * v[1], v[0] + 2 * v[1]], [2.0, 3.0])
    [[3.0, 2.0], [1.0, 2.0]]
    """
    leaves, spec = flatten(x)
    _check_leaves(leaves, spec, "jacobian")
    n = len(leaves)
    if n == 0:
        return []
    width = _chunk_width(chunk, n)
    with _Tagged():
        tags = tuple(_active())
        parts = _run_ranges(executor, tasks, jacobian_columns, n, width, f, spec, leaves, tags)
    columns = [c for part in parts for c in part]
    m = len(columns[0])
    return [[columns[j][i] for j in range(n)] for i in range(m)]


def hessian(f: Callable[[Any], Any], x: Any) -> list[list[Any]]:
    """The Hessian H[i][j] = d2 f / dx_i dx_j of a scalar function, forward over forward.

    Column j seeds x_j with an outer tag and takes the gradient inside with an inner tag:
    N * N passes of `f` (2-argument functions: 4 passes).
    """
    leaves, spec = flatten(x)
    _check_leaves(leaves, spec, "hessian")
    n = len(leaves)
    if spec.kind == "leaf":
        return [[derivative(derivative(f), leaves[0])]]
    columns = []
    with _Tagged() as tag:
        for j in range(n):
            seeded = list(leaves)
            seeded[j] = Dual(leaves[j], 1.0, tag)
            g, _ = flatten(grad(f, unflatten(spec, seeded)))
            columns.append([_tangent_of(gi, tag, "hessian") for gi in g])
    return [[columns[j][i] for j in range(n)] for i in range(n)]


# -- the forward gradient -------------------------------------------------------------------------
def forward_gradient(
    f: Callable[[Any], Any],
    params: Any,
    *,
    directions: int = 1,
    rng: random.Random | int | None = None,
    chunk: bool = True,
) -> GradResult:
    """An unbiased estimate of the gradient from random directional derivatives.

    Draws k = `directions` random directions v ~ N(0, I), gets each directional derivative
    ``grad f . v`` from a forward pass seeded with tangent v, and returns the mean of
    ``(grad f . v) v`` (Baydin et al., "Gradients without Backpropagation", 2022): its
    expectation is the gradient, its variance falls as 1/k. With ``chunk=True`` (and numpy) the
    k directions ride in one pass as vector tangents; otherwise k passes. Deterministic given
    `rng` (a :class:`random.Random` or a seed).

    >>> est = forward_gradient(lambda p: 3 * p[0] - p[1], [1.0, 2.0], directions=4, rng=0)
    >>> est.passes, [round(g, 6) for g in est.grad]
    (1, [2.898937, -1.404839])
    """
    if type(directions) is not int or directions < 1:
        raise ValueError(f"directions must be a positive int, got {directions!r}")
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    leaves, spec = flatten(params)
    _check_leaves(leaves, spec, "forward_gradient")
    n = len(leaves)
    # directions drawn parameter by parameter: v[i][k] is direction k's component i
    v = [[rng.gauss(0.0, 1.0) for _ in range(directions)] for _ in range(n)]
    estimate = [0.0] * n
    with _Tagged() as tag:
        if chunk and directions > 1:
            np = _numpy()
            vec = np.array(v).reshape(n, directions)
            with _pass_conditions(directions):
                out = _seed_all(f, spec, leaves, [vec[i] for i in range(n)], tag)
            dd = _tangent_of(out, tag, "forward_gradient")
            dd = np.broadcast_to(np.asarray(dd, dtype=float), (directions,))
            estimate = (vec @ dd / directions).tolist()
            passes = 1
        else:
            for k in range(directions):
                out = _seed_all(f, spec, leaves, [v[i][k] for i in range(n)], tag)
                dd = _tangent_of(out, tag, "forward_gradient")
                for i in range(n):
                    estimate[i] += dd * v[i][k] / directions
            passes = directions
        value = _value_of(out, tag)
    return GradResult(value, unflatten(spec, estimate), passes)


def _seed_all(
    f: Callable[[Any], Any], spec: Any, leaves: list[Any], tangents: list[Any], tag: int
) -> Any:
    """One pass with every parameter a Dual carrying its given tangent."""
    seeded = [Dual(p, t, tag) for p, t in zip(leaves, tangents, strict=True)]
    with paused_gc():
        return f(seeded[0] if spec.kind == "leaf" else mutable_copy(spec, seeded))

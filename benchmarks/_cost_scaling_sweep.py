"""What cost_scaling.py measures: every gradient method's seconds per gradient at each N, whole
or on a stratified sample scaled up to N, and one gradient spread over worker processes.

The passes of each method are exact counts (:func:`exact_passes`); a timed call also records
the passes its driver reported, so the data shows that what was timed is what was counted.

>>> exact_passes("random_search", 100), exact_passes("forward_64", 100)
(1001, 2)
>>> stratified(random.Random(0), 10, 3)  # one in each of [0, 3), [3, 6), [6, 10)
[1, 4, 6]
"""

from __future__ import annotations

import functools
import itertools
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness import measure, ratio, summarize

from dualgrad import reverse, value_and_grad
from dualgrad.learn.data import Vocab, batches, examples, load_names
from dualgrad.learn.models import MLP
from dualgrad.learn.search import random_search_step
from dualgrad.learn.workers import process_pool
from dualgrad.tree import flatten, unflatten

SEED = 0
CONTEXT = 3
BATCH_SIZE = 32
TRIES = 10  # random search: nudges per parameter
CHUNK = 64  # the chunked forward mode's width
TASKS_PER_WORKER = 4  # value_and_grad's default granularity on an executor

# key -> (legend label, colour, marker); the order is the legend's
METHODS = {
    "random_search": ("random search (tries=10)", "#d7191c", "P"),
    "forward_1": ("forward, one tangent (chunk=1)", "#1a9641", "o"),
    "forward_64": ("forward, chunk=64", "#2c7bb6", "^"),
    "forward_all": ('forward, chunk="all"', "#e08214", "v"),
    "reverse": ("reverse mode", "#7b3294", "D"),
    "float": ("plain float forward pass (reference)", "#666666", "s"),
}
PASS_FORMULA = {
    "random_search": "10N + 1",
    "forward_1": "N",
    "forward_64": "ceil(N/64)",
    "forward_all": "1",
    "reverse": "1 fwd + 1 bwd",
    "float": "1",
}


def exact_passes(method: str, n: int) -> int:
    """Passes per gradient (reverse mode: its forward and backward pass, counted as 2)."""
    return {
        "random_search": TRIES * n + 1,
        "forward_1": n,
        "forward_64": -(-n // CHUNK),
        "forward_all": 1,
        "reverse": 2,
        "float": 1,
    }[method]


# -- loss functions (module level, so a process pool can pickle them) ---------------------------
def batch_loss(params: Any, model: MLP, batch: tuple) -> Any:
    return model.loss(params, batch)


def search_loss(flat: list[float], model: MLP, spec: Any, batch: tuple) -> float:
    """Random search's loss of the flat parameter list, as dualgrad.learn.train calls it."""
    return model.loss(unflatten(spec, flat), batch)


def search_sample_loss(
    sub: list[float], model: MLP, spec: Any, leaves: list[float], indices: list[int], batch: tuple
) -> float:
    """search_loss with only the sampled parameters taken from `sub` (same work per pass)."""
    full = list(leaves)
    for i, v in zip(indices, sub, strict=True):
        full[i] = v
    return model.loss(unflatten(spec, full), batch)


# -- the cases timed at one N -------------------------------------------------------------------
@dataclass
class Case:
    """One timed callable: `scale` turns its seconds into seconds per full gradient."""

    method: str
    fn: Any
    scale: float = 1.0
    sample: int | None = None  # parameters (or chunks) timed, when not all of them
    check: bool = False  # a sample timed where the whole is timed too, to test the scaling
    passes: list[int] = field(default_factory=list)  # passes the timed calls reported


def counted(method: str, call: Callable[[], int], scale: float = 1.0, sample: int | None = None):
    """A Case whose timed call keeps the passes `call` reports."""
    case = Case(method, None, scale, sample)

    def fn() -> None:
        case.passes.append(call())

    case.fn = fn
    return case


def stratified(rng: random.Random, total: int, k: int) -> list[int]:
    """k sorted indices of range(total), one drawn at random from each of k equal strata.

    Passes cost more or less depending on the tensor the seeded parameter belongs to (an
    embedding entry reaches every hidden unit, an output weight one logit), and the tensors lie
    in contiguous runs, so one draw per stratum covers each tensor in proportion: a much
    steadier estimate of the average pass than a simple random sample of the same size.
    """
    bounds = [i * total // k for i in range(k + 1)]
    return [rng.randrange(lo, hi) for lo, hi in itertools.pairwise(bounds) if lo < hi]


def setup() -> tuple[Vocab, tuple]:
    names = load_names()
    vocab = Vocab(names)
    batch = tuple(next(batches(examples(names, vocab, CONTEXT), BATCH_SIZE, seed=SEED)))
    return vocab, batch


@dataclass
class Cases:
    """Every method's cases at one N: timed whole where the run's settings `cfg` allow, else on
    a stratified sample drawn from `rng` (and a sample checked against the whole where useful)."""

    model: MLP
    batch: tuple
    cfg: dict
    rng: random.Random

    def __post_init__(self) -> None:
        self.params = self.model.init_params(SEED)
        self.leaves, self.spec = flatten(self.params)
        self.n = len(self.leaves)
        self.f = functools.partial(batch_loss, model=self.model, batch=self.batch)

    def all(self) -> dict[str, Case]:
        cases = {"float": self.float_case(), "reverse": counted("reverse", self.reverse_pass)}
        cases["forward_all"] = counted("forward_all", self.forward("all"))
        n, cfg = self.n, self.cfg
        # one tangent: all N passes, or a stratified sample of parameters
        most = cfg["forward_1_full_max"]
        check = n > cfg["forward_1_sample"] and n * 3 > most
        whole = functools.partial(counted, "forward_1", self.forward(1))
        self.whole_or_sample(cases, "forward_1", whole, self.forward_1_sample, n <= most, check)
        # chunk=64: all ceil(N/64) passes, or a stratified sample of whole chunks
        most = cfg["forward_64_full_max"]
        check = n // CHUNK > cfg["forward_64_sample"] and n * 3 > most
        whole = functools.partial(counted, "forward_64", self.forward(CHUNK))
        self.whole_or_sample(cases, "forward_64", whole, self.forward_64_sample, n <= most, check)
        # random search: one sweep (10N + 1 passes), or a sweep over a sample of parameters
        most, passes = cfg["search_full_max_passes"], exact_passes("random_search", n)
        check = n > cfg["search_sample"] and passes * 3 > most
        loss = functools.partial(search_loss, model=self.model, spec=self.spec, batch=self.batch)
        whole = functools.partial(counted, "random_search", self.search(loss, self.leaves))
        self.whole_or_sample(
            cases, "random_search", whole, self.search_sample, passes <= most, check
        )
        return cases

    @staticmethod
    def whole_or_sample(cases: dict[str, Case], method: str, whole: Callable[[], Case],
                        sample: Callable[[], Case], fits: bool, check: bool) -> None:  # fmt: skip
        """The whole when it `fits` (and a sample to `check` the scaling against it), else a
        sample."""
        if not fits:
            cases[method] = sample()
            return
        cases[method] = whole()
        if check:
            cases[f"{method} check"] = sample()
            cases[f"{method} check"].check = True

    def float_case(self) -> Case:
        """The float reference, repeated so one sample lasts ~20 ms."""
        f, params = self.f, self.params
        start = time.perf_counter()
        for _ in range(3):
            f(params)
        reps = max(1, round(0.02 / ((time.perf_counter() - start) / 3)))

        def float_passes() -> None:
            for _ in range(reps):
                f(params)

        return Case("float", float_passes, scale=1 / reps)

    def reverse_pass(self) -> int:
        reverse.value_and_grad(self.f, self.params)
        return 2

    def forward(self, chunk: int | str, wrt: list[int] | None = None) -> Callable[[], int]:
        return lambda: value_and_grad(self.f, self.params, chunk=chunk, wrt=wrt).passes

    def forward_1_sample(self) -> Case:
        idx = stratified(self.rng, self.n, self.cfg["forward_1_sample"])
        s = len(idx)
        return counted("forward_1", self.forward(1, idx), self.n / s, s)

    def forward_64_sample(self) -> Case:
        k = min(self.cfg["forward_64_sample"], self.n // CHUNK)
        chunks = stratified(self.rng, self.n // CHUNK, k)
        idx = [c * CHUNK + j for c in chunks for j in range(CHUNK)]
        scale = exact_passes("forward_64", self.n) / k
        return counted("forward_64", self.forward(CHUNK, idx), scale, k)

    def search(self, loss: Any, x: list[float]) -> Callable[[], int]:
        def call() -> int:
            return random_search_step(loss, list(x), tries=TRIES, rng=random.Random(SEED)).passes

        return call

    def search_sample(self) -> Case:
        idx = stratified(self.rng, self.n, self.cfg["search_sample"])
        s = len(idx)
        loss = functools.partial(search_sample_loss, model=self.model, spec=self.spec,
                                 leaves=self.leaves, indices=idx, batch=self.batch)  # fmt: skip
        scale = exact_passes("random_search", self.n) / (TRIES * s + 1)
        return counted("random_search", self.search(loss, [self.leaves[i] for i in idx]), scale, s)


# -- the sweep over N, and the workers -----------------------------------------------------------
def sweep(cfg: dict, batch: tuple, vocab_size: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Time every method at every N: (sizes, points, sample checks)."""
    rng = random.Random(SEED + 1)
    sizes, points, checks = [], [], []
    for target in cfg["targets"]:
        model = MLP.with_params(vocab_size, target, context=CONTEXT)
        n = model.num_params
        cases = Cases(model, batch, cfg, rng).all()
        if not sizes:  # warm up at the smallest size: first-call imports, numpy, caches
            for case in cases.values():
                case.fn()
                case.passes.clear()
        t0 = time.perf_counter()
        samples = measure({k: c.fn for k, c in cases.items()}, repeats=cfg["repeats"])
        took = time.perf_counter() - t0
        print(f"  N = {n:6,}: {len(cases)} cases x {cfg['repeats']} repeats in {took:.1f} s")
        sizes.append({"target": target, "n": n, "model": repr(model)})
        scaled = {k: [s * c.scale for s in samples[k]] for k, c in cases.items()}
        for key, case in cases.items():
            timed = exact_passes(case.method, n) if case.sample is None else None
            if case.passes and case.sample is None:  # the drivers' own count agrees
                assert set(case.passes) == {timed}, (key, case.passes, timed)
            record = {
                "method": case.method,
                "n": n,
                "passes": exact_passes(case.method, n),
                "seconds": scaled[key],
                "median": summarize(scaled[key]).median,
                "extrapolated": case.sample is not None,
                "sample": case.sample,
                "scale": case.scale,
                "timed_passes": case.passes[0] if case.passes else None,
            }
            if case.check:
                full = summarize(scaled[case.method]).median
                checks.append({**record, "full_median": full, "error": record["median"] / full - 1})
            else:
                points.append(record)
    return sizes, points, checks


def workers_panel(cfg: dict, batch: tuple, vocab_size: int) -> dict:
    """Panel (c): one one-tangent gradient serial, then on pools of 1 and 2 workers."""
    model = MLP.with_params(vocab_size, cfg["pool_target"], context=CONTEXT)
    params = model.init_params(SEED)
    leaves, _ = flatten(params)
    n = len(leaves)
    s = min(cfg["pool_sample"], n)
    idx = stratified(random.Random(SEED + 2), n, s)
    fn = functools.partial(batch_loss, model=model, batch=batch)
    kind = cfg["pool"]
    pool_class = process_pool if kind == "process" else ThreadPoolExecutor
    counts = (1, 2)
    pools = {w: pool_class(w) for w in counts}
    results: dict[str, Any] = {}
    try:
        for pool in pools.values():  # start every worker and pay its imports before timing
            value_and_grad(fn, params, wrt=idx[:16], executor=pool)

        def run(key: str, pool: Any) -> Any:
            def call() -> None:
                results[key] = value_and_grad(fn, params, wrt=idx, executor=pool)

            return call

        cases = {"serial": run("serial", None)}
        cases.update({f"{w} worker{'s' * (w > 1)}": run(f"{w}", pools[w]) for w in counts})
        t0 = time.perf_counter()
        repeats = cfg.get("pool_repeats", cfg["repeats"])
        samples = measure(cases, repeats=repeats)
        took = time.perf_counter() - t0
    finally:
        for pool in pools.values():
            pool.shutdown()
    identical = all(
        r.grad == results["serial"].grad and r.value == results["serial"].value
        for r in results.values()
    )
    labels = list(samples)
    seconds = {k: [t * n / s for t in v] for k, v in samples.items()}
    serial, one, two = (seconds[k] for k in labels)
    print(f"  workers panel: {len(cases)} cases x {repeats} repeats in {took:.1f} s")
    return {
        "n": n,
        "model": repr(model),
        "executor": "ProcessPoolExecutor" if kind == "process" else "ThreadPoolExecutor",
        "sample": s,
        "scale": n / s,
        "tasks_per_worker": TASKS_PER_WORKER,
        "cpu_count": os.cpu_count(),
        "identical_to_serial": identical,
        "cases": [
            {
                "label": k,
                "workers": w,
                "tasks": 1 if w == 0 else min(TASKS_PER_WORKER * w, s),
                "seconds": seconds[k],
                "median": summarize(seconds[k]).median,
            }
            for k, w in zip(labels, (0, *counts), strict=True)
        ],
        "speedup_1": vars(ratio(serial, one)),
        "speedup_2": vars(ratio(serial, two)),
        "speedup_2_vs_1": vars(ratio(one, two)),
    }

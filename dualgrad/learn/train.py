"""One training loop for every gradient method, with the cost of each step counted.

The same model, data, seed and optimizer; only the way the gradient is obtained differs:

- ``"random-search"``: the tutorial's nudge-and-keep (no gradient; ``tries * N + 1`` passes),
- ``"forward"``: seed each parameter in turn (N passes), ``"forward:k"`` / ``"forward:all"``
  carry k (or all N) tangents per pass (ceil(N/k) passes),
- ``"forward-gradient:k"``: k random directions, an unbiased estimate (1 chunked pass),
- ``"reverse"``: backpropagation with :class:`~dualgrad.reverse.Value` (1 forward + 1 backward).

Every step is appended to a JSON-lines file as soon as it is measured, so an interrupted run
keeps everything it measured; :func:`load_run` reads it back.

>>> from dualgrad.learn.models import Bigram
>>> pairs = [((0,), 1), ((1,), 2), ((2,), 0)]
>>> run = train(Bigram(3), pairs, pairs, "forward", steps=3, batch_size=3, progress=False)
>>> [r["passes"] for r in run.steps], run.steps[-1]["loss"] < run.steps[0]["loss"]
([9, 9, 9], True)
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualgrad.drivers.forward import forward_gradient, value_and_grad
from dualgrad.learn.data import Example, batches, in_order
from dualgrad.learn.optim import SGD, Adam, Optimizer
from dualgrad.tree import flatten, unflatten

__all__ = ["Method", "NonFiniteLoss", "Run", "evaluate", "load_run", "train"]


class NonFiniteLoss(FloatingPointError):
    """The loss became nan or inf; the run's file keeps every step measured before."""


@dataclass(frozen=True)
class Method:
    """A gradient method: ``kind`` plus its knob (chunk width, directions or tries)."""

    kind: str
    chunk: int | str = 1
    directions: int = 1
    tries: int = 10
    scale: float = 0.01

    KINDS = ("random-search", "forward", "forward-gradient", "reverse")

    @classmethod
    def parse(cls, spec: str | Method) -> Method:
        """``"reverse"``, ``"forward"``, ``"forward:64"``, ``"forward:all"``,
        ``"forward-gradient:16"``, ``"random-search"`` or ``"random-search:10"``."""
        if isinstance(spec, Method):
            return spec
        kind, _, knob = str(spec).partition(":")
        if kind not in cls.KINDS:
            raise ValueError(f"unknown method {spec!r}; use one of {', '.join(cls.KINDS)}")
        if not knob:
            return cls(kind)
        if kind == "forward":
            return cls(kind, chunk="all" if knob == "all" else _positive(knob, spec))
        if kind == "forward-gradient":
            return cls(kind, directions=_positive(knob, spec))
        if kind == "random-search":
            return cls(kind, tries=_positive(knob, spec))
        raise ValueError(f"method {kind!r} takes no ':' option, got {spec!r}")

    @property
    def name(self) -> str:
        if self.kind == "forward":
            return "forward" if self.chunk == 1 else f"forward:{self.chunk}"
        if self.kind == "forward-gradient":
            return f"forward-gradient:{self.directions}"
        if self.kind == "random-search":
            return f"random-search:{self.tries}"
        return self.kind


def _positive(text: str, spec: Any) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"method {spec!r}: {text!r} is not a positive integer")
    return int(text)


@dataclass
class Run:
    """A training run: its settings, one record per step, and the final parameters."""

    header: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    params: Any = None

    @property
    def losses(self) -> list[float]:
        return [r["loss"] for r in self.steps]

    @property
    def val_losses(self) -> list[tuple[int, float]]:
        """(step, validation loss) where it was measured."""
        return [(r["step"], r["val_loss"]) for r in self.steps if r["val_loss"] is not None]


def evaluate(model: Any, params: Any, pairs: Sequence[Example]) -> float:
    """Mean cross-entropy of `model` over `pairs` with plain floats (no derivative)."""
    return float(model.loss(params, list(pairs)))


def _progress(total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm comes with the examples extra; the core runs without it
        return None
    # disable=None: no bar when the output is not a terminal (logs, CI)
    return tqdm(total=total, desc=desc, unit="step", leave=False, dynamic_ncols=True, disable=None)


def _make_optimizer(
    name: str, n: int, lr: float, steps: int, decay: bool, schedule: str, betas: tuple[float, float]
) -> Optimizer:
    total = steps if decay else None
    if name == "adam":
        return Adam(n, lr=lr, beta1=betas[0], beta2=betas[1], total_steps=total, schedule=schedule)
    if name == "sgd":
        return SGD(n, lr=lr, total_steps=total, schedule=schedule)
    raise ValueError(f"unknown optimizer {name!r}; use 'adam' or 'sgd'")


ORDERS = ("random", "in order")


def train(
    model: Any,
    train_pairs: Sequence[Example],
    val_pairs: Sequence[Example],
    method: str | Method,
    steps: int,
    *,
    batch_size: int = 32,
    optimizer: str = "adam",
    lr: float = 0.01,
    decay: bool = True,
    schedule: str = "linear",
    betas: tuple[float, float] = (0.85, 0.99),
    order: str = "random",
    seed: int = 0,
    params: Any = None,
    eval_every: int = 0,
    eval_size: int = 1000,
    log_path: str | Path | None = None,
    progress: bool = True,
) -> Run:
    """Train `model` for `steps` minibatch steps, getting gradients by `method`.

    Every method starts from ``model.init_params(seed)`` (or `params`) and draws the same
    minibatches (seeded by `seed`; ``order="in order"`` takes them from `train_pairs` one after
    the other instead, wrapping around), and the gradient-free random search sweeps its nudges
    over the same batch. Each step records the batch loss before the update, the passes spent
    (function evaluations: exact), and the wall seconds of the gradient and the update;
    every `eval_every` steps (and at the last step) the validation loss on the first
    `eval_size` validation pairs is recorded too (its time is not counted as training time).
    The learning rate decays to 0 over `steps` along `schedule` (``"linear"`` or ``"cosine"``)
    unless ``decay=False``; `betas` are Adam's (SGD takes none).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    m = Method.parse(method)
    _check_counts(steps, eval_every)
    params = model.init_params(seed) if params is None else params
    flat, spec = flatten(params)
    flat = [float(x) for x in flat]
    opt = (
        None
        if m.kind == "random-search"
        else _make_optimizer(optimizer, len(flat), lr, steps, decay, schedule, betas)
    )
    stream: Iterator[list[Example]] = (
        batches(list(train_pairs), batch_size, seed)
        if order == "random"
        else in_order(list(train_pairs), batch_size)
    )
    header = {"type": "run", "method": m.name, "model": repr(model), "n_params": len(flat)}
    header |= {"steps": steps, "batch_size": batch_size, "lr": lr, "seed": seed}
    header |= {"schedule": schedule if decay else None, "order": order}
    header["optimizer"] = None if opt is None else optimizer
    rng = random.Random(seed + 1)  # random search nudges / forward-gradient directions
    val = list(val_pairs)[:eval_size]
    stepper = _Stepper(model, m, flat, spec, opt, rng, val, eval_every, steps)
    run = Run(header)
    _run_steps(run, stepper, stream, log_path, progress)
    return run


@dataclass
class _Stepper:
    """One run's steps: the model, the flat parameters it updates in place, the optimizer,
    the random numbers, and when the validation loss is measured."""

    model: Any
    method: Method
    flat: list[float]
    spec: Any
    opt: Optimizer | None
    rng: random.Random
    val: list[Example]
    eval_every: int
    steps: int

    def record(self, step: int, batch: list[Example], before: dict[str, Any] | None) -> dict:
        """Take step `step` on `batch` and return its record; `before` is the previous one
        (the running totals continue from it)."""
        start = time.perf_counter()
        loss, passes, backward = _step(
            self.model, self.method, self.flat, self.spec, batch, self.opt, self.rng
        )
        seconds = time.perf_counter() - start
        val_loss = None
        last = step == self.steps - 1
        if self.val and ((self.eval_every and step % self.eval_every == 0) or last):
            val_loss = evaluate(self.model, unflatten(self.spec, self.flat), self.val)
        record = {"type": "step", "method": self.method.name, "step": step, "loss": loss}
        record |= {"val_loss": val_loss, "passes": passes, "backward_passes": backward}
        passes_total = (before["passes_total"] if before else 0) + passes
        record |= {"passes_total": passes_total, "seconds": seconds}
        record["seconds_total"] = (before["seconds_total"] if before else 0.0) + seconds
        return record


def _run_steps(
    run: Run,
    stepper: _Stepper,
    stream: Iterator[list[Example]],
    log_path: str | Path | None,
    progress: bool,
) -> None:
    """Every step of `run`, each logged as soon as it is measured; a non-finite loss stops
    the run (raising), and the parameters reached are kept in ``run.params`` either way."""
    name = stepper.method.name
    log = None
    if log_path is not None:
        log = Path(log_path).open("w", encoding="utf-8")  # noqa: SIM115 - closed in finally
        _write(log, run.header)
    bar = _progress(stepper.steps, name, progress)
    try:
        for step in range(stepper.steps):
            record = stepper.record(step, next(stream), run.steps[-1] if run.steps else None)
            run.steps.append(record)
            if log is not None:
                _write(log, record)
            loss = record["loss"]
            if not math.isfinite(loss):
                raise NonFiniteLoss(
                    f"{name}: the loss is {loss} at step {step}; the {step} steps before "
                    "it are recorded" + (f" in {log_path}" if log_path else "")
                )
            if bar is not None:
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if log is not None:
            log.close()
        run.params = unflatten(stepper.spec, stepper.flat)


def _check_counts(steps: Any, eval_every: Any) -> None:
    if type(steps) is not int or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if type(eval_every) is not int or eval_every < 0:
        raise ValueError(
            f"eval_every must be an int >= 0 (0: evaluate at the last step only), "
            f"got {eval_every!r}"
        )


def _step(
    model: Any,
    m: Method,
    flat: list[float],
    spec: Any,
    batch: list[Example],
    opt: Optimizer | None,
    rng: random.Random,
) -> tuple[float, int, int]:
    """One update of `flat` in place; returns (batch loss before it, passes, backward passes)."""

    def loss_of(p: Any) -> Any:
        return model.loss(p, batch)

    if m.kind == "random-search":
        from dualgrad.learn.search import random_search_step

        stats = random_search_step(
            lambda v: model.loss(unflatten(spec, v), batch),
            flat,
            tries=m.tries,
            scale=m.scale,
            rng=rng,
        )
        return float(stats.initial_loss), stats.passes, 0
    params = unflatten(spec, flat)
    backward = 0
    if m.kind == "forward":
        r = value_and_grad(loss_of, params, chunk=m.chunk)
        loss, grads, passes = r.value, r.grad, r.passes
    elif m.kind == "forward-gradient":
        r = forward_gradient(loss_of, params, directions=m.directions, rng=rng)
        loss, grads, passes = r.value, r.grad, r.passes
    else:
        from dualgrad import reverse

        loss, grads = reverse.value_and_grad(loss_of, params)
        passes, backward = 1, 1
    g, _ = flatten(grads)
    assert opt is not None
    opt.step(flat, g)
    return float(loss), passes, backward


def _write(log: Any, record: dict[str, Any]) -> None:
    log.write(json.dumps(record) + "\n")
    log.flush()  # a crash or Ctrl-C loses nothing already measured


def load_run(path: str | Path) -> Run:
    """Read a run written by :func:`train` (a cut-off last line, from a crash, is skipped)."""
    header: dict[str, Any] = {}
    steps: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("type") == "run":
                header = record
            elif record.get("type") == "step":
                steps.append(record)
    if not header:
        raise ValueError(f"{path} holds no run header: not a dualgrad training log")
    return Run(header, steps)

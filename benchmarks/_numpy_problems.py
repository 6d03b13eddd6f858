"""The numpy programs of benchmarks/numpy_code.py and the other systems' ways to differentiate
them.

Each program is written once, as a user writes it in numpy, against a numpy-like namespace
``xp``: numpy itself (what dualgrad differentiates), ``jax.numpy``, ``autograd.numpy``, or torch
through :class:`TorchNumpy`, a thin adapter for the few spellings torch does not share.
:func:`peer_methods` gives, for each peer that imports, its forward-mode methods on a problem;
a peer that does not import is skipped with the reason.

>>> p = problem("logreg", 40, quick=True)
>>> f = p.build(np, p.data)
>>> round(float(f(p.x)), 6) == round(float(f(p.x.copy())), 6)
True
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

Builder = Callable[[Any, dict[str, Any]], Callable[[Any], Any]]


@dataclass
class Problem:
    """A numpy program f(x) of one float array: its data (closed over), x and a direction."""

    name: str
    size: int  # rows of data (logreg, mlp), unknowns (bratu, solve) or steps (rk4)
    label: str
    build: Builder
    data: dict[str, np.ndarray]
    x: np.ndarray
    direction: np.ndarray
    scalar: bool  # a scalar loss (a gradient) or a vector (a Jacobian)
    sparse: bool = False  # a residual with a sparse Jacobian
    notes: dict[str, str] = field(default_factory=dict)


# -- the programs, as users write them ----------------------------------------------------------
def logreg(xp: Any, data: dict[str, Any]) -> Callable[[Any], Any]:
    X, y = data["X"], data["y"]

    def loss(w: Any) -> Any:  # the mean logistic loss
        z = X @ w
        return xp.mean(xp.logaddexp(0.0, z) - y * z)

    return loss


def mlp(xp: Any, data: dict[str, Any]) -> Callable[[Any], Any]:
    X, y = data["X"], data["y"]
    d, h = X.shape[1], int(data["hidden"].shape[0])

    def loss(theta: Any) -> Any:  # a two-layer tanh network's squared error, weights unpacked
        W1 = theta[: d * h].reshape(d, h)
        b1 = theta[d * h : d * h + h]
        W2 = theta[d * h + h : d * h + 2 * h]
        b2 = theta[-1]
        hidden = xp.tanh(X @ W1 + b1)
        return xp.mean((hidden @ W2 + b2 - y) ** 2)

    return loss


def bratu(xp: Any, data: dict[str, Any]) -> Callable[[Any], Any]:
    zero, lam = data["zero"], float(data["lam"][0])

    def residual(u: Any) -> Any:  # -u'' = lam exp(u) on (0, 1), u = 0 at both ends
        h = 1.0 / (u.shape[0] + 1)
        up = xp.concatenate((zero, u, zero))
        return (up[:-2] - 2 * up[1:-1] + up[2:]) / h**2 + lam * xp.exp(up[1:-1])

    return residual


def lotka_volterra(xp: Any, data: dict[str, Any]) -> Callable[[Any], Any]:
    steps, dt = int(data["steps"][0]), float(data["dt"][0])

    def final_state(p: Any) -> Any:  # RK4 of the predator-prey ODE; p = rates, then x0, y0
        a, b, c, d = p[0], p[1], p[2], p[3]

        def rhs(s: Any) -> Any:
            x, y = s[0], s[1]
            return xp.array([a * x - b * x * y, c * x * y - d * y])

        s = p[4:6]
        for _ in range(steps):
            k1 = rhs(s)
            k2 = rhs(s + dt / 2 * k1)
            k3 = rhs(s + dt / 2 * k2)
            k4 = rhs(s + dt * k3)
            s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return s

    return final_state


def linear_solve(xp: Any, data: dict[str, Any]) -> Callable[[Any], Any]:
    A0, b = data["A0"], data["b"]

    def solution(p: Any) -> Any:  # x(p) solving (A0 + diag(p)) x = b
        return xp.linalg.solve(A0 + xp.diag(p), b)

    return solution


BUILDERS: dict[str, tuple[Builder, str, bool, bool]] = {
    "logreg": (logreg, "logistic regression, m = {size:,}, d = {params}", True, False),
    "mlp": (mlp, "two-layer tanh MLP, m = {size}, {params} parameters", True, False),
    "bratu": (bratu, "1-D Bratu residual, n = {size:,}", False, True),
    "rk4": (lotka_volterra, "RK4, Lotka-Volterra, {size} steps", False, False),
    "solve": (linear_solve, "linear solve, n = {size}", False, False),
}


def problem(name: str, size: int, quick: bool = False) -> Problem:
    """The problem `name` at `size` (see :class:`Problem`), its data drawn from a fixed seed."""
    rng = np.random.default_rng(0)
    data: dict[str, np.ndarray]
    if name == "logreg":
        X = rng.standard_normal((size, 10 if quick else 50))
        data = {"X": X, "y": (rng.random(size) < 0.5).astype(float)}
        x = 0.1 * rng.standard_normal(X.shape[1])
    elif name == "mlp":
        d, h = (3, 4) if quick else (8, 16)
        X = rng.standard_normal((size, d))
        data = {"X": X, "y": np.sin(X.sum(axis=1)), "hidden": np.zeros(h)}
        x = 0.3 * rng.standard_normal(d * h + 2 * h + 1)
    elif name == "bratu":
        data = {"zero": np.zeros(1), "lam": np.array([1.0])}
        t = np.linspace(0.0, 1.0, size + 2)[1:-1]
        x = 0.1 * np.sin(np.pi * t)
    elif name == "rk4":
        data = {"steps": np.array([size]), "dt": np.array([10.0 / size])}
        x = np.array([1.1, 0.4, 0.1, 0.4, 10.0, 10.0])
    elif name == "solve":
        n = size
        data = {"A0": rng.standard_normal((n, n)) + n * np.eye(n), "b": rng.standard_normal(n)}
        x = rng.random(n)
    else:
        raise ValueError(f"no problem named {name!r}")
    build, label, scalar, sparse = BUILDERS[name]
    direction = np.random.default_rng(1).standard_normal(x.shape)
    label = label.format(size=size, params=x.size)
    return Problem(name, size, label, build, data, x, direction, scalar, sparse)


# -- the peers ----------------------------------------------------------------------------------
def peer_methods(p: Problem) -> tuple[dict[str, Callable[[], Any]], dict[str, str]]:
    """Each importable peer's forward-mode methods on `p` (name -> a call giving the result as
    a numpy array), and why each other peer is skipped."""
    methods: dict[str, Callable[[], Any]] = {}
    skipped: dict[str, str] = {}
    for peer, add in (("JAX", _jax), ("torch.func", _torch), ("autograd", _autograd)):
        try:
            with warnings.catch_warnings():  # a peer's own deprecations are not ours to fix
                warnings.simplefilter("ignore")
                add(p, methods)
        except ImportError as exc:
            skipped[peer] = f"not installed ({exc.name}): {INSTALL[peer]}"
    return methods, skipped


INSTALL = {
    "JAX": "pip install 'dualgrad[bench]'",
    "autograd": "pip install 'dualgrad[bench]'",
    "torch.func": "not in the bench extra, since PyPI's default torch for Linux pulls the CUDA "
    "libraries (gigabytes): install a CPU wheel of torch by hand",
}


def _jax(p: Problem, methods: dict[str, Callable[[], Any]]) -> None:
    # one thread each, as every other method here (set before jax is first imported)
    os.environ.setdefault(
        "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    f = p.build(jnp, {k: jnp.asarray(v) for k, v in p.data.items()})
    x, v = jnp.asarray(p.x), jnp.asarray(p.direction)
    jvp_jit = jax.jit(lambda x, v: jax.jvp(f, (x,), (v,)))
    jac_jit = jax.jit(jax.jacfwd(f))
    ready = jax.block_until_ready
    methods["JAX jvp (eager)"] = lambda: np.asarray(ready(jax.jvp(f, (x,), (v,)))[1])
    methods["JAX jvp (jit)"] = lambda: np.asarray(ready(jvp_jit(x, v))[1])
    methods["JAX jacfwd (eager)"] = lambda: np.asarray(ready(jax.jacfwd(f)(x)))
    methods["JAX jacfwd (jit)"] = lambda: np.asarray(ready(jac_jit(x)))


class TorchNumpy(SimpleNamespace):
    """numpy's spellings of the few torch functions the programs use."""

    def __init__(self, torch: Any) -> None:
        super().__init__(
            mean=torch.mean,
            exp=torch.exp,
            tanh=torch.tanh,
            diag=torch.diag,
            linalg=torch.linalg,
            concatenate=torch.cat,
            array=torch.stack,  # a list of 0-d tensors
            logaddexp=lambda a, b: torch.logaddexp(torch.as_tensor(a, dtype=b.dtype), b),
        )


@functools.cache
def _torch_warmed() -> Any:
    """torch, on one thread, its forward mode's one-time set-up done (seconds on its first
    use, which would otherwise be charged to the first problem)."""
    import torch
    import torch.func

    torch.set_num_threads(1)
    one = torch.ones(1, dtype=torch.float64)
    torch.func.jvp(torch.sin, (one,), (one,))
    torch.func.jacfwd(torch.sin)(one)
    return torch


def _torch(p: Problem, methods: dict[str, Callable[[], Any]]) -> None:
    torch = _torch_warmed()
    as_tensor = lambda a: torch.as_tensor(a, dtype=torch.float64)
    f = p.build(TorchNumpy(torch), {k: as_tensor(v) for k, v in p.data.items()})
    x, v = as_tensor(p.x), as_tensor(p.direction)
    methods["torch.func jvp"] = lambda: torch.func.jvp(f, (x,), (v,))[1].detach().numpy()
    methods["torch.func jacfwd"] = lambda: torch.func.jacfwd(f)(x).detach().numpy()


def _autograd(p: Problem, methods: dict[str, Callable[[], Any]]) -> None:
    import autograd
    import autograd.numpy as anp

    f = p.build(anp, p.data)
    methods["autograd make_jvp"] = lambda: np.asarray(autograd.make_jvp(f)(p.x)(p.direction)[1])

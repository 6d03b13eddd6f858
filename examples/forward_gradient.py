"""The forward gradient: an unbiased estimate of the gradient from random directional derivatives.

``forward_gradient(f, x, directions=k)`` draws k directions v ~ N(0, I), gets each directional
derivative ``grad f . v`` from a forward pass (the k of them ride in one chunked pass) and
returns the mean of ``(grad f . v) v``. Its expectation is the gradient; for Gaussian
directions its mean squared error is ``(N + 1) |grad f|^2 / k`` for N parameters.

Panel (a): on a 50-parameter test function, the mean of M estimates closes in on the true
gradient (``dualgrad.grad``) as 1/sqrt(M), for k = 1 and k = 16. Panel (b): the mean squared
error of one estimate against k, for the test function (N = 50) and for the bigram's loss on a
batch of names (N = 729), each on its line (N + 1)/k: the error falls as 1/k and grows with N.

    python examples/forward_gradient.py            # -> plots/forward_gradient.png and .json
    python examples/forward_gradient.py --quick    # fewer estimates, into plots/quick/
    python examples/forward_gradient.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import math
import random
import sys

from dualgrad import dmath, forward_gradient, grad
from dualgrad.learn.data import Vocab, batches, examples, load_names
from dualgrad.learn.models import Bigram
from dualgrad.learn.script import Script
from dualgrad.tree import flatten

N, SEED, KS = 50, 0, [1, 2, 4, 8, 16, 32, 64]
WEIGHTS = [0.5 + 1.5 * ((7 * i) % 11) / 10 for i in range(N)]  # a fixed, uneven bowl
X0 = [math.sin(i + 1.0) for i in range(N)]


def bowl(x):
    """sum w_i (x_i - 0.3)^2 + tanh(x_0 x_1): a fixed function of N parameters."""
    quadratic = sum(w * (xi - 0.3) ** 2 for w, xi in zip(WEIGHTS, x, strict=True))
    return quadratic + dmath.tanh(x[0] * x[1])


def distance2(u, v) -> float:
    return sum((a - b) ** 2 for a, b in zip(u, v, strict=True))


def convergence(f, x, exact, k: int, m: int) -> dict:
    """Relative error of the mean of the first M estimates, at M spread on a log axis."""
    rng, total, norm2 = random.Random(SEED + k), [0.0] * len(exact), distance2(exact, [0] * N)
    marks = sorted({round(m ** (i / 40)) for i in range(41)})
    errors = []
    for i in range(1, m + 1):
        g = forward_gradient(f, x, directions=k, rng=rng).grad
        total = [t + gi for t, gi in zip(total, g, strict=True)]
        if i in marks:
            errors.append(math.sqrt(distance2([t / i for t in total], exact) / norm2))
    theory = [math.sqrt((len(exact) + 1) / (k * mm)) for mm in marks]
    return {"k": k, "M": marks, "relative_error": errors, "theory": theory}


def variance(f, x, exact, m: int) -> list[dict]:
    """Mean squared error of one estimate relative to |grad|^2, for each k (m estimates)."""
    norm2, out = distance2(exact, [0.0] * len(exact)), []
    for k in KS:
        rng = random.Random(SEED + 100 + k)
        estimates = (forward_gradient(f, x, directions=k, rng=rng).grad for _ in range(m))
        errs = [distance2(flatten(g)[0], exact) / norm2 for g in estimates]
        mean = sum(errs) / m
        stderr = math.sqrt(sum((e - mean) ** 2 for e in errs) / (m - 1) / m)
        out.append({"k": k, "relative_mse": mean, "stderr": stderr, "theory": (len(exact) + 1) / k})
    return out


def compute(args) -> dict:
    m_conv, m_var, m_bigram = (300, 60, 6) if args.quick else (10_000, 2_000, 150)
    exact = grad(bowl, X0)
    names = load_names()
    vocab = Vocab(names)
    model = Bigram(vocab.size)
    batch = next(batches(examples(names, vocab, 1), 32, SEED))
    params = model.init_params(SEED)

    def loss(p):
        return model.loss(p, batch)

    bigram_exact = flatten(grad(loss, params, chunk="all"))[0]
    return {
        "n": N,
        "convergence": [convergence(bowl, X0, exact, k, m_conv) for k in (1, 16)],
        "variance": variance(bowl, X0, exact, m_var),
        "bigram": {
            "n": model.num_params,
            "variance": variance(loss, params, bigram_exact, m_bigram),
        },
    }


def report(data: dict) -> None:
    for c in data["convergence"]:
        print(
            f"(a) k = {c['k']:2d}: the mean of {c['M'][-1]:,} estimates is off by "
            f"{c['relative_error'][-1]:.4f} |grad| (theory {c['theory'][-1]:.4f})"
        )
    for label, sweep in (("N = 50", data["variance"]), ("bigram", data["bigram"]["variance"])):
        print(f"(b) {label}: MSE of one estimate / |grad|^2 by k, measured +- stderr (theory):")
        print(
            "  "
            + ", ".join(
                f"{r['relative_mse']:.3g} +- {r['stderr']:.2g} ({r['theory']:.3g})" for r in sweep
            )
        )


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 5.8))
    ax1, ax2 = fig.subplots(1, 2)
    for c, color in zip(data["convergence"], ("#ff7f0e", "#d62728"), strict=True):
        ax1.loglog(
            c["M"], c["relative_error"], color=color, lw=1.8, label=f"k = {c['k']}: measured"
        )
        ax1.loglog(c["M"], c["theory"], ":", color=color, label=f"k = {c['k']}: sqrt((N+1)/(kM))")
    ax1.set(xlabel="estimates averaged, M", ylabel="|mean of M estimates - grad| / |grad|")
    ax1.set_title(f"(a) N = {data['n']}: the mean closes in on the gradient as 1/sqrt(M)")
    for sweep, n, color in (
        (data["variance"], data["n"], "#1f77b4"),
        (data["bigram"]["variance"], data["bigram"]["n"], "#2ca02c"),
    ):
        ks = [r["k"] for r in sweep]
        ax2.errorbar(
            ks,
            [r["relative_mse"] for r in sweep],
            yerr=[2 * r["stderr"] for r in sweep],
            fmt="o",
            color=color,
            capsize=3,
            label=f"N = {n}: measured (2 standard errors)",
        )
        ax2.plot(ks, [r["theory"] for r in sweep], "--", color=color, label=f"N = {n}: (N+1)/k")
    ax2.set(xscale="log", yscale="log", xlabel="directions per estimate, k")
    ax2.set(ylabel="mean squared error of one estimate / |grad|^2")
    ax2.set_title("(b) the error falls as 1/k and grows with N")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.suptitle("The forward gradient: unbiased, with variance (N+1)/k times |grad|²")
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())

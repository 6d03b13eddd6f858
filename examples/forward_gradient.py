"""The forward gradient: an unbiased estimate of the gradient from random directional derivatives.

``forward_gradient(f, x, directions=k)`` draws k directions v ~ N(0, I), gets each directional
derivative ``grad f . v`` from a forward pass (the k of them ride in one chunked pass) and
returns the mean of ``(grad f . v) v``. Its expectation is the gradient; for Gaussian
directions its mean squared error is exactly ``(N + 1) |grad f|^2 / k`` for N parameters.

Panel (a): on a fixed 50-parameter test function, the mean of M estimates closes in on the true
gradient (from ``dualgrad.grad``) as 1/sqrt(M), for k = 1 and k = 16 directions, each on its
theoretical line. Panel (b): the measured mean squared error of one estimate against k, for the
test function (N = 50) and for the bigram's loss on a fixed batch of names (N = 729), each on
its line (N + 1)/k: 16 directions cut the variance 16-fold, and the error grows with N.

    python examples/forward_gradient.py            # -> plots/forward_gradient.png and .json
    python examples/forward_gradient.py --quick    # a fast smoke run
    python examples/forward_gradient.py --replot   # redraw from plots/forward_gradient.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

from dualgrad import dmath, forward_gradient, grad
from dualgrad.learn.data import Vocab, batches, examples, load_names
from dualgrad.learn.models import Bigram
from dualgrad.tree import flatten

PLOTS = Path(__file__).resolve().parent.parent / "plots"
NAME = "forward_gradient"

N = 50
KS = [1, 2, 4, 8, 16, 32, 64]
CONVERGENCE_KS = [1, 16]
SEED = 0


def make_test_function(n: int = N, seed: int = 1):
    """sum a_i x_i^2 + sum b_i x_i + tanh(x_0 x_1): a fixed function of n parameters."""
    rng = random.Random(seed)
    a = [rng.uniform(0.5, 2.0) for _ in range(n)]
    b = [rng.uniform(-1.0, 1.0) for _ in range(n)]

    def f(x):
        quad = sum(ai * xi * xi for ai, xi in zip(a, x, strict=True))
        lin = sum(bi * xi for bi, xi in zip(b, x, strict=True))
        return quad + lin + dmath.tanh(x[0] * x[1])

    return f


X0 = [random.Random(2).uniform(-1.0, 1.0) for _ in range(N)]


def sq_dist(u: list[float], v: list[float]) -> float:
    return sum((a - b) ** 2 for a, b in zip(u, v, strict=True))


def log_points(m: int, count: int = 80) -> list[int]:
    """About `count` values of M from 1 to m, evenly spread on a log axis."""
    return sorted({round(math.exp(i * math.log(m) / (count - 1))) for i in range(count)})


def convergence(f, x, exact: list[float], k: int, m: int, seed: int) -> dict:
    """Relative error of the mean of the first M estimates, M = 1..m; the z-scores at M = m."""
    rng = random.Random(seed)
    n = len(exact)
    total = [0.0] * n
    total_sq = [0.0] * n
    checkpoints = set(log_points(m))
    norm = math.sqrt(sq_dist(exact, [0.0] * n))
    ms, errors = [], []
    start = time.perf_counter()
    for i in range(1, m + 1):
        g = forward_gradient(f, x, directions=k, rng=rng).grad
        for j, gj in enumerate(g):
            total[j] += gj
            total_sq[j] += gj * gj
        if i in checkpoints:
            mean = [t / i for t in total]
            ms.append(i)
            errors.append(math.sqrt(sq_dist(mean, exact)) / norm)
    seconds = time.perf_counter() - start
    mean = [t / m for t in total]
    z = []
    for j in range(n):
        var = (total_sq[j] - m * mean[j] ** 2) / (m - 1)
        z.append((mean[j] - exact[j]) / math.sqrt(var / m))
    return {
        "k": k,
        "estimates": m,
        "M": ms,
        "relative_error": errors,
        "theory": [math.sqrt((n + 1) / (k * mm)) for mm in ms],
        "z": z,
        "max_abs_z": max(abs(v) for v in z),
        "chi2": sum(v * v for v in z),
        "seconds": seconds,
    }


def variance_sweep(f, x, exact: list[float], m: int, seed: int) -> list[dict]:
    """Mean squared error of one estimate, relative to |grad|^2, for each k (m estimates)."""
    n = len(exact)
    norm_sq = sq_dist(exact, [0.0] * n)
    out = []
    for k in KS:
        rng = random.Random(seed + k)
        start = time.perf_counter()
        errs = []
        for _ in range(m):
            g, _ = flatten(forward_gradient(f, x, directions=k, rng=rng).grad)
            errs.append(sq_dist(g, exact) / norm_sq)
        seconds = time.perf_counter() - start
        mean = sum(errs) / m
        sd = math.sqrt(sum((e - mean) ** 2 for e in errs) / (m - 1))
        out.append(
            {
                "k": k,
                "estimates": m,
                "relative_mse": mean,
                "stderr": sd / math.sqrt(m),
                "theory": (n + 1) / k,
                "seconds_per_estimate": seconds / m,
            }
        )
    return out


def bigram_problem(batch_size: int = 32):
    """The bigram's loss on a fixed batch of names at its starting parameters."""
    names = load_names()
    vocab = Vocab(names)
    model = Bigram(vocab.size)
    batch = next(batches(examples(names, vocab, 1), batch_size, SEED))
    params = model.init_params(SEED)

    def loss(p):
        return model.loss(p, batch)

    exact, _ = flatten(grad(loss, params, chunk="all"))
    return loss, params, exact, model


def run(quick: bool) -> dict:
    m_conv, m_var, m_bigram = (400, 100, 8) if quick else (10_000, 2_000, 150)
    f = make_test_function()
    exact = grad(f, X0)
    conv = [convergence(f, X0, exact, k, m_conv, seed=SEED + k) for k in CONVERGENCE_KS]
    sweep = variance_sweep(f, X0, exact, m_var, seed=SEED + 100)
    loss, params, bexact, model = bigram_problem()
    bsweep = variance_sweep(loss, params, bexact, m_bigram, seed=SEED + 200)
    return {
        "quick": quick,
        "n": N,
        "function": "sum a_i x_i^2 + sum b_i x_i + tanh(x_0 x_1), a ~ U(0.5, 2), b ~ U(-1, 1)",
        "grad_norm": math.sqrt(sq_dist(exact, [0.0] * N)),
        "convergence": conv,
        "variance": sweep,
        "bigram": {
            "model": repr(model),
            "n": len(bexact),
            "batch_size": 32,
            "grad_norm": math.sqrt(sq_dist(bexact, [0.0] * len(bexact))),
            "variance": bsweep,
        },
    }


def _ratio(sweep: list[dict], k1: int, k2: int) -> tuple[float, float]:
    """MSE(k1) / MSE(k2) and its standard error (first-order propagation)."""
    a = next(r for r in sweep if r["k"] == k1)
    b = next(r for r in sweep if r["k"] == k2)
    q = a["relative_mse"] / b["relative_mse"]
    rel = math.hypot(a["stderr"] / a["relative_mse"], b["stderr"] / b["relative_mse"])
    return q, q * rel


def _slope(sweep: list[dict]) -> float:
    """Least-squares slope of log MSE against log k."""
    xs = [math.log(r["k"]) for r in sweep]
    ys = [math.log(r["relative_mse"]) for r in sweep]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return num / sum((x - mx) ** 2 for x in xs)


def report(data: dict) -> None:
    n = data["n"]
    print(f"(a) test function, N = {n}: {data['function']}; |grad| = {data['grad_norm']:.3f}")
    for c in data["convergence"]:
        within = sum(abs(v) < 3 for v in c["z"])
        print(
            f"  k = {c['k']:2d}: mean of {c['estimates']:,} estimates: relative error "
            f"{c['relative_error'][-1]:.4f} (theory sqrt((N+1)/(k M)) = {c['theory'][-1]:.4f}); "
            f"every component within {c['max_abs_z']:.2f} standard errors "
            f"({within}/{n} within 3), chi-square {c['chi2']:.1f} on {n} degrees of freedom"
        )
    for label, sweep, nn in (
        (f"test function, N = {n}", data["variance"], n),
        (
            f"{data['bigram']['model']} loss on a batch of 32, N = {data['bigram']['n']}",
            data["bigram"]["variance"],
            data["bigram"]["n"],
        ),
    ):
        print(
            f"(b) {label}: mean squared error of one estimate / |grad|^2 "
            f"({sweep[0]['estimates']:,} estimates per k; theory (N+1)/k)"
        )
        for r in sweep:
            print(
                f"  k = {r['k']:2d}: {r['relative_mse']:9.3f} +- {r['stderr']:7.3f}  "
                f"(theory {r['theory']:8.3f}; {r['seconds_per_estimate'] * 1e3:6.2f} ms per "
                "estimate)"
            )
        q, dq = _ratio(sweep, 1, 16)
        print(
            f"  variance ratio k=1/k=16 = {q:.2f} +- {dq:.2f} (theory 16); fitted slope of log "
            f"MSE against log k = {_slope(sweep):.3f} (theory -1); with k = N = {nn} directions "
            f"the error would still be (N+1)/N = {(nn + 1) / nn:.2f} |grad|^2"
        )


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.8))
    n = data["n"]
    colors = {1: "#ff7f0e", 16: "#d62728"}

    # (a) the mean of M estimates converging to the gradient
    for c in data["convergence"]:
        col = colors.get(c["k"], "black")
        ax1.plot(
            c["M"],
            c["relative_error"],
            color=col,
            lw=1.8,
            label=f"k = {c['k']} direction{'s' if c['k'] > 1 else ''}: mean of M estimates",
        )
        ax1.plot(
            c["M"],
            c["theory"],
            color=col,
            ls="--",
            lw=1.2,
            label="theory √((N+1)/M)" if c["k"] == 1 else f"theory √((N+1)/({c['k']} M))",
        )
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("M, estimates averaged (log scale)")
    ax1.set_ylabel("relative error |mean - grad| / |grad| (log scale)")
    last = data["convergence"][0]
    ax1.set_title(
        f"(a) unbiased: the mean of M estimates closes in as 1/√M (test function, N = {n})\n"
        f"after {last['estimates']:,} estimates (k = {last['k']}) every component of the mean "
        f"is within {last['max_abs_z']:.1f} standard errors"
    )
    ax1.legend(loc="lower left", fontsize=9)
    ax1.grid(alpha=0.3, which="both")

    # (b) mean squared error of one estimate against k
    b = data["bigram"]
    series = [
        (data["variance"], n, "#1f77b4", "o", f"test function, N = {n}"),
        (b["variance"], b["n"], "#2ca02c", "s", f"bigram loss on a batch, N = {b['n']}"),
    ]
    for sweep, nn, col, mk, label in series:
        ks = [r["k"] for r in sweep]
        ax2.errorbar(
            ks,
            [r["relative_mse"] for r in sweep],
            yerr=[r["stderr"] for r in sweep],
            fmt=mk,
            color=col,
            mec="black",
            mew=0.5,
            ms=7,
            capsize=3,
            label=f"{label}: measured ({sweep[0]['estimates']:,} estimates per k)",
        )
        theory = [(nn + 1) / k for k in ks]
        ax2.plot(ks, theory, color=col, ls="--", lw=1.2, label=f"(N+1)/k = {nn + 1}/k")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log")
    ax2.set_xticks(KS, [str(k) for k in KS])
    ax2.set_xlabel("k, random directions per estimate (all in one chunked pass; log scale)")
    ax2.set_ylabel("mean squared error / |grad|^2 (log scale)")
    q, dq = _ratio(data["variance"], 1, 16)
    ax2.set_title(
        "(b) variance falls as 1/k and grows with N\n"
        f"ratio k=1 / k=16 = {q:.1f} ± {dq:.1f} (theory 16)"
    )
    ax2.axhline(1.0, color="#999", ls=":", lw=1)
    ax2.text(
        1.05, 1.0, "error as large as the gradient itself", va="bottom", fontsize=8.5, color="#555"
    )
    handles, labels = ax2.get_legend_handles_labels()
    order = [2, 0, 3, 1]  # each measurement above its line
    ax2.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="upper right", fontsize=8.5
    )
    ax2.grid(alpha=0.3, which="both")

    fig.suptitle(
        "The forward gradient: mean of (grad f . v) v over k random directions v ~ N(0, I), "
        "one forward pass",
        fontsize=13,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few estimates (tests)")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved JSON")
    parser.add_argument("--out", type=Path, default=PLOTS, help="output folder (default plots/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data_path = args.out / f"{NAME}.json"
    if args.replot:
        data = json.loads(data_path.read_text())
    else:
        data = run(args.quick)
        data_path.write_text(json.dumps(data, indent=1))
    report(data)
    plot(data, args.out / f"{NAME}.png")
    print(f"wrote {args.out / (NAME + '.png')} and {data_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cost per derivative order: Taylor mode (one pass, every order) against nested `derivative`.

Panel (a): seconds for all derivatives up to order K of a composite f (11 operations: sin,
exp, tanh, products, quotients), `derivatives(f, x, order=K)` against K nested
`derivative` calls, timed side by side (interleaved rounds, median and [min-max]); the two
agree to 1e-9 at every order. Panel (b): seconds per operation of one Taylor pass against K,
for a product (the convolution) and for sin (the table's partial cos, evaluated once on lazy
series), with the log-log slope fitted on the three largest K - 2 for O(K^2); below them the Python
overhead per coefficient (O(K)) hides the C-level convolutions.

    python benchmarks/taylor_orders.py            # -> plots/taylor_orders.png and .json
    python benchmarks/taylor_orders.py --full     # 5 interleaved rounds (2 by default)
    python benchmarks/taylor_orders.py --quick    # a smoke run into plots/quick/
    python benchmarks/taylor_orders.py --replot   # redraw from the saved JSON
"""

from __future__ import annotations

import math
import sys
from typing import Any

from harness import Script, machine, measure, ratio, summarize
from plotting import subplots, summary_spread

from dualgrad import Taylor, derivative, derivatives, dmath

X0 = 0.7
FULL = {"orders": list(range(1, 13)), "repeats": 5, "ks": [4, 8, 16, 32, 64, 128, 256, 512, 1024]}
DEFAULT = {**FULL, "repeats": 2}  # the main job's run; --full: 5 rounds, the first run
QUICK = {"orders": list(range(1, 7)), "repeats": 3, "ks": [4, 8, 16, 32, 64]}


def f(x: Any) -> Any:
    return dmath.sin(x) * dmath.exp(x / 3.0) + x * x / (1.0 + x * x) - dmath.tanh(x)


def nested(order: int) -> Any:
    g = f
    for _ in range(order):
        g = derivative(g)
    return g


def time_orders(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for k in cfg["orders"]:
        g = nested(k)
        series = derivatives(f, X0, order=k)
        assert math.isclose(series[k], g(X0), rel_tol=1e-9), (k, series[k], g(X0))
        number = 20 if k < 6 else (5 if k <= 10 else 1)  # amortise timer and cache effects
        s = measure(
            {"taylor": lambda k=k: derivatives(f, X0, order=k), "nested": lambda g=g: g(X0)},
            repeats=cfg["repeats"],
            number=number,
        )
        t, n, r = summarize(s["taylor"]), summarize(s["nested"]), ratio(s["nested"], s["taylor"])
        rows.append(
            {"order": k, "taylor": vars(t), "nested": vars(n), "speedup": vars(r)}
            | {"value": series[k]}
        )
        print(f"order {k:2d}: taylor {t}  nested {n}  speedup {r}", flush=True)
    return rows


def time_per_op(cfg: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, op in (("mul", lambda a: a * a), ("sin", lambda a: a.sin())):
        points = []
        for k in cfg["ks"]:
            a = Taylor([X0, 1.0] + [0.5 / (j + 1) for j in range(k - 1)])
            number = max(3, 2000 // k)
            s = summarize(measure({label: lambda a=a, op=op: op(a)}, cfg["repeats"], number)[label])
            points.append({"k": k, **vars(s)})
        tail = points[-3:]  # the asymptotic regime: Python's per-coefficient overhead is O(K)
        xs = [math.log(p["k"]) for p in tail]
        ys = [math.log(p["median"]) for p in tail]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        out[label] = {"points": points, "slope": slope, "fit_ks": [p["k"] for p in tail]}
        print(f"{label}: slope {slope:.2f} over K = {out[label]['fit_ks']}", flush=True)
    return out


def targets(rows: list[dict[str, Any]], per_op: dict[str, Any]) -> dict[str, Any]:
    by = {r["order"]: r["speedup"]["median"] for r in rows}
    return {
        "order8_speedup_at_least_50": by.get(8, math.nan) >= 50 if 8 in by else None,
        "order12_speedup_at_least_500": by.get(12, math.nan) >= 500 if 12 in by else None,
        "slopes": {k: v["slope"] for k, v in per_op.items()},
    }


def compute(args: Any) -> dict[str, Any]:
    cfg = QUICK if args.quick else FULL if args.full else DEFAULT
    rows = time_orders(cfg)
    per_op = time_per_op(cfg)
    return {
        "quick": args.quick,
        "repeats": cfg["repeats"],
        **machine(),
        "orders": rows,
        "per_op": per_op,
        "targets": targets(rows, per_op),
    }


def report(data: dict[str, Any]) -> None:
    for o in data["orders"]:
        s = o["speedup"]
        print(
            f"order {o['order']:2d}: Taylor {s['median']:8.1f}x "
            f"[{s['low']:.1f}-{s['high']:.1f}] faster than nested derivatives"
        )
    print("targets:", data["targets"])


def plot(data: dict[str, Any]) -> Any:

    fig, (a, b) = subplots(1, 2, figsize=(11, 4.2))
    rows = data["orders"]
    ks = [r["order"] for r in rows]
    for key, label, color in (
        ("taylor", "Taylor mode (one pass)", "C0"),
        ("nested", "nested derivative", "C3"),
    ):
        med = [r[key]["median"] for r in rows]
        yerr = summary_spread([r[key] for r in rows])
        a.errorbar(ks, med, yerr=yerr, marker="o", color=color, label=label, capsize=2)
    for r in rows[-3:]:
        a.annotate(
            f"{r['speedup']['median']:.0f}x",
            (r["order"], r["nested"]["median"]),
            textcoords="offset points",
            xytext=(-8, 6),
            fontsize=8,
        )
    a.set_yscale("log")
    a.set(
        xlabel="derivative order K",
        ylabel="seconds for f, f', ..., f^(K)",
        title="(a) all derivatives up to order K",
    )
    a.legend()
    for label, color in (("mul", "C0"), ("sin", "C2")):
        d = data["per_op"][label]
        x = [p["k"] for p in d["points"]]
        y = [p["median"] for p in d["points"]]
        fit = f"K = {d['fit_ks'][0]}-{d['fit_ks'][-1]}"
        b.loglog(x, y, "o-", color=color, label=f"{label}: slope {d['slope']:.2f} ({fit})")
    kk = [p["k"] for p in data["per_op"]["mul"]["points"]]
    y0 = data["per_op"]["sin"]["points"][-1]["median"]
    b.loglog(kk, [y0 * (k / kk[-1]) ** 2 for k in kk], "k:", label="K^2")
    b.set(xlabel="order K", ylabel="seconds per operation", title="(b) cost of one operation")
    b.legend()
    return fig


def options(parser: Any) -> None:
    parser.add_argument("--full", action="store_true", help="5 interleaved rounds (3)")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())

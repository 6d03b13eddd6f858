"""What train_names.py measures: one training run per gradient method (in worker processes),
each logged step by step, and what the figure and the report read off the logs.

>>> smooth([1.0, 2.0, 3.0, 4.0], factor=2.0)
[1.5, 2.5, 2.5, 3.0]
>>> thin(5)
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import as_completed
from pathlib import Path

from dualgrad.learn.data import Vocab, examples, split
from dualgrad.learn.models import MLP, Bigram, sample
from dualgrad.learn.train import evaluate, load_run, train
from dualgrad.learn.workers import process_pool

NAME = "train_names"
SEED = 0
SAMPLE_SEED = 7  # the same rng seed for every model's samples
N_SAMPLES = 6

# The order of the legend and of the report; the pool starts the longest runs first.
METHODS = [
    "random-search:10",
    "forward",
    "forward:all",
    "forward-gradient:1",
    "forward-gradient:16",
    "reverse",
]
LONGEST_FIRST = [
    "forward-gradient:16",
    "forward:all",
    "forward-gradient:1",
    "reverse",
    "forward",
    "random-search:10",
]
LABELS = {
    "random-search:10": "random search, 10 tries per parameter",
    "forward": "forward mode, 1 tangent (each parameter in turn)",
    "forward:all": "forward mode, all tangents in one chunked pass",
    "forward-gradient:1": "forward gradient, 1 random direction",
    "forward-gradient:16": "forward gradient, 16 random directions",
    "reverse": "reverse mode (backpropagation)",
}


def safe(method: str) -> str:
    """A file-name form of a method name (no ':')."""
    return method.replace(":", "-")


def make_model(kind: str, vocab_size: int):
    return Bigram(vocab_size) if kind == "bigram" else MLP(vocab_size)


def train_one(job: dict) -> dict:
    """One training run (in a worker process or not): its log file, samples and wall time."""
    vocab = Vocab(job["names"])
    model = make_model(job["model"], vocab.size)
    train_names, val_names = split(job["names"], seed=SEED)
    train_pairs = examples(train_names, vocab, model.context)
    val_pairs = examples(val_names, vocab, model.context)
    start = time.perf_counter()
    run = train(
        model,
        train_pairs,
        val_pairs,
        job["method"],
        job["steps"],
        batch_size=job["batch_size"],
        optimizer="adam",
        lr=job["lr"],
        decay=False,
        seed=SEED,
        eval_every=job["eval_every"],
        eval_size=len(val_pairs),
        log_path=job["log_path"],
        progress=False,
    )
    wall = time.perf_counter() - start
    rng = random.Random(SAMPLE_SEED)
    samples = [
        vocab.decode(sample(model, run.params, vocab.size, rng)[:-1]) for _ in range(N_SAMPLES)
    ]
    return {"method": job["method"], "samples": samples, "wall": wall}


def smooth(xs: list[float], factor: float = 1.25) -> list[float]:
    """Light smoothing for a log step axis: at step s, the mean over steps s/factor..s*factor.

    The window depends on the step alone, so two runs with the same losses draw the same curve
    whatever their lengths (an exponential average would lag, and differently per run).
    """
    prefix = [0.0]
    for x in xs:
        prefix.append(prefix[-1] + x)
    n, out = len(xs), []
    for s in range(1, n + 1):
        lo, hi = max(1, int(s / factor)), min(n, math.ceil(s * factor))
        out.append((prefix[hi] - prefix[lo - 1]) / (hi - lo + 1))
    return out


def thin(n: int, points: int = 250) -> list[int]:
    """Indices 0..n-1 spread evenly on both a linear and a log axis (the curves drawn)."""
    if n <= 2 * points:
        return list(range(n))
    lin = {round(i * (n - 1) / (points - 1)) for i in range(points)}
    log = {round(math.exp(i * math.log(n) / (points - 1))) - 1 for i in range(points)}
    return sorted(lin | log)


def counting_baseline(names: list[str], vocab: Vocab) -> float:
    """Validation loss of the counted bigram table with add-one smoothing (makemore's answer)."""
    train_names, val_names = split(names, seed=SEED)
    v = vocab.size
    counts = [[1] * v for _ in range(v)]
    for (a,), b in examples(train_names, vocab, 1):
        counts[a][b] += 1
    totals = [sum(row) for row in counts]
    pairs = examples(val_names, vocab, 1)
    return -sum(math.log(counts[a][b] / totals[a]) for (a,), b in pairs) / len(pairs)


def summarize_run(method: str, log_path: Path, extra: dict) -> dict:
    """The summary and the drawn curves of one run, from its JSON-lines log."""
    run = load_run(log_path)
    recs = run.steps
    cost, costs = 0, []  # passes: forward passes + backward sweeps, cumulative
    for r in recs:
        cost += r["passes"] + r["backward_passes"]
        costs.append(cost)
    smoothed = smooth([r["loss"] for r in recs])
    idx = thin(len(recs))
    val = [(i, r) for i, r in enumerate(recs) if r["val_loss"] is not None]
    return {
        "method": method,
        "label": LABELS.get(method, method),
        "log": log_path.name,
        "steps": len(recs),
        "passes_per_step": recs[0]["passes"],
        "backward_per_step": recs[0]["backward_passes"],
        "passes": costs[-1],
        "seconds": recs[-1]["seconds_total"],
        "seconds_per_step": recs[-1]["seconds_total"] / len(recs),
        "final_val_loss": recs[-1]["val_loss"],
        "samples": extra["samples"],
        # training curve: x = updates done (step + 1); the batch loss is measured before it
        "curve": {
            "step": [recs[i]["step"] + 1 for i in idx],
            "loss": [smoothed[i] for i in idx],
        },
        # validation after the update of that step, with what had been spent by then
        "val": {
            "step": [r["step"] + 1 for _, r in val],
            "val_loss": [r["val_loss"] for _, r in val],
            "passes": [costs[i] for i, _ in val],
            "seconds": [r["seconds_total"] for _, r in val],
        },
    }


def budget_reading(m: dict, budget: int, initial: float) -> dict:
    """The validation loss of run `m` at the last evaluation within `budget` passes."""
    v = m["val"]
    within = [i for i, p in enumerate(v["passes"]) if p <= budget]
    base = {"method": m["method"], "reached": m["passes"] >= budget}
    if not within:
        return {**base, "val_loss": initial, "steps": 0, "passes": 0, "seconds": 0.0}
    i = within[-1]
    return {
        **base,
        "val_loss": v["val_loss"][i],
        "steps": v["step"][i],
        "passes": v["passes"][i],
        "seconds": v["seconds"][i],
    }


def same_steps(methods: dict, losses: dict) -> dict:
    """Forward (one tangent) against reverse after the same number of updates."""
    fwd, rev = methods["forward"], methods["reverse"]
    rev_val = dict(zip(rev["val"]["step"], rev["val"]["val_loss"], strict=True))
    fwd_val = dict(zip(fwd["val"]["step"], fwd["val"]["val_loss"], strict=True))
    s = max(step for step in fwd_val if step in rev_val)
    a, b = losses["forward"], losses["reverse"]
    n = min(len(a), len(b))
    return {
        "steps": s,
        "forward_val_loss": fwd_val[s],
        "reverse_val_loss": rev_val[s],
        "difference": abs(fwd_val[s] - rev_val[s]),
        "max_batch_loss_difference": max(abs(x - y) for x, y in zip(a[:n], b[:n], strict=True)),
        "batch_losses_compared": n,
    }


def run(names: list[str], source: str, kind: str, settings: dict, out: Path, jobs: int) -> dict:
    vocab = Vocab(names)
    model = make_model(kind, vocab.size)
    train_names, val_names = split(names, seed=SEED)
    val_pairs = examples(val_names, vocab, model.context)
    initial = evaluate(model, model.init_params(SEED), val_pairs)
    job_list = plan(names, kind, settings, out)
    print(
        f"training {len(job_list)} runs of {model!r} ({model.num_params} parameters), "
        f"{jobs} at a time ...",
        flush=True,
    )
    start = time.perf_counter()
    results = train_all(job_list, jobs)
    total = time.perf_counter() - start
    methods, losses = {}, {}
    for job in job_list:
        path = Path(job["log_path"])
        methods[job["method"]] = summarize_run(job["method"], path, results[job["method"]])
        losses[job["method"]] = load_run(path).losses
    budget = settings["budget"]
    return {
        "model": repr(model),
        "model_kind": kind,
        "n_params": model.num_params,
        "vocab": "".join(vocab.itos),
        "names_source": source,
        "n_names": len(names),
        "n_train_names": len(train_names),
        "n_val_names": len(val_names),
        "n_val_pairs": len(val_pairs),
        "batch_size": settings["batch_size"],
        "optimizer": "adam",
        "lr": settings["lr"],
        "decay": False,
        "seed": SEED,
        "sample_seed": SAMPLE_SEED,
        "jobs": jobs,
        "settings": settings,
        "initial_val_loss": initial,
        "uniform_loss": math.log(vocab.size),
        "counting_val_loss": counting_baseline(names, vocab) if kind == "bigram" else None,
        "budget": budget,
        "budget_readings": [budget_reading(methods[m], budget, initial) for m in METHODS],
        "same_steps": same_steps(methods, losses),
        "wall_seconds": total,
        "methods": [methods[m] for m in METHODS],
    }


def plan(names: list[str], kind: str, settings: dict, out: Path) -> list[dict]:
    """One job per method, the longest first; each logs to its own file in `out`."""
    steps_of = {
        "random-search:10": settings["search_steps"],
        "forward": settings["forward_steps"],
        "reverse": settings["reverse_steps"],
    }
    job_list = []
    for method in LONGEST_FIRST:
        one_tangent = method in ("random-search:10", "forward")
        job_list.append(
            {
                "method": method,
                "names": names,
                "model": kind,
                "steps": steps_of.get(method, settings["steps"]),
                "eval_every": 1 if one_tangent else settings["eval_every"],
                "lr": settings["lr"],
                "batch_size": settings["batch_size"],
                "log_path": str(out / f"{NAME}_{safe(method)}.jsonl"),
            }
        )
    return job_list


def train_all(job_list: list[dict], jobs: int) -> dict[str, dict]:
    """Every job's result by method, `jobs` at a time in worker processes (or here, for 1)."""
    results = {}
    if jobs > 1:
        with process_pool(jobs) as pool:  # workers end if this process is killed
            futures = [pool.submit(train_one, job) for job in job_list]
            for fut in as_completed(futures):
                res = fut.result()
                results[res["method"]] = res
                print(f"  {res['method']:20s} done in {res['wall']:6.1f} s", flush=True)
    else:
        for job in job_list:
            res = train_one(job)
            results[res["method"]] = res
            print(f"  {res['method']:20s} done in {res['wall']:6.1f} s", flush=True)
    return results

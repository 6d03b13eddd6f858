"""The training loop: every method on the same footing, costs counted, runs recorded."""

from __future__ import annotations

import math
import random

import pytest

from dualgrad import reverse, value_and_grad
from dualgrad.learn.data import Vocab, examples, load_names, split
from dualgrad.learn.models import MLP, Bigram
from dualgrad.learn.train import Method, NonFiniteLoss, load_run, train
from dualgrad.tree import flatten, unflatten

pytest.importorskip("numpy")

NAMES = load_names()[::15]  # ~220 real names: fast, and every letter appears
VOCAB = Vocab(NAMES)
TRAIN, VAL = split(NAMES, 0.2, seed=0)


def pairs(context):
    return examples(TRAIN, VOCAB, context), examples(VAL, VOCAB, context)


MODELS = {
    "bigram": (Bigram(VOCAB.size), 1),
    "mlp": (MLP(VOCAB.size, context=3, embed=2, hidden=4), 3),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_forward_equals_reverse_equals_central_differences(name):
    model, context = MODELS[name]
    batch = pairs(context)[0][:40]
    params = model.init_params(1)
    # perturb so no derivative is tiny (central differences need a signal)
    leaves, spec = flatten(params)
    rng = random.Random(2)
    params = unflatten(spec, [x + rng.gauss(0, 0.3) for x in leaves])

    def loss(p):
        return model.loss(p, batch)

    fwd = flatten(value_and_grad(loss, params).grad)[0]
    chunked = flatten(value_and_grad(loss, params, chunk=64).grad)[0]
    rev = flatten(reverse.grad(loss, params))[0]
    for a, b, c in zip(fwd, rev, chunked, strict=True):
        assert a == pytest.approx(b, rel=1e-10, abs=1e-14)
        assert c == pytest.approx(a, rel=1e-12, abs=1e-15)
    leaves = flatten(params)[0]
    for i in rng.sample(range(len(leaves)), 12):
        up, down = list(leaves), list(leaves)
        h = 1e-5
        up[i] += h
        down[i] -= h
        fd = (loss(unflatten(spec, up)) - loss(unflatten(spec, down))) / (2 * h)
        assert fwd[i] == pytest.approx(fd, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(("name", "steps"), [("bigram", 50), ("mlp", 20)])
def test_forward_and_reverse_training_give_the_same_parameters(name, steps):
    model, context = MODELS[name]
    tr, va = pairs(context)
    methods = ("forward", "reverse", "forward:all")
    runs = {
        m: train(model, tr, va, m, steps, batch_size=8, seed=3, progress=False) for m in methods
    }
    f, r, fa = (flatten(runs[m].params)[0] for m in methods)
    assert max(abs(a - b) for a, b in zip(f, r, strict=True)) < 1e-9
    assert max(abs(a - b) for a, b in zip(f, fa, strict=True)) < 1e-9
    assert runs["forward"].losses == pytest.approx(runs["reverse"].losses, rel=1e-12)
    for run in runs.values():
        assert run.losses[-1] < run.losses[0]
        assert run.steps[-1]["val_loss"] < math.log(VOCAB.size)
    n = model.num_params
    assert [s["passes"] for s in runs["forward"].steps] == [n] * steps
    assert [s["passes"] for s in runs["forward:all"].steps] == [1] * steps
    assert [(s["passes"], s["backward_passes"]) for s in runs["reverse"].steps] == [(1, 1)] * steps


def test_random_search_lowers_the_loss_and_counts_tries_times_n_plus_one():
    model, context = MODELS["bigram"]
    tr, va = pairs(context)
    run = train(model, tr, va, "random-search:3", 3, batch_size=16, seed=0, progress=False)
    n = model.num_params
    assert [s["passes"] for s in run.steps] == [3 * n + 1] * 3
    assert run.steps[-1]["passes_total"] == 3 * (3 * n + 1)
    # each step ends no higher on its own batch; over steps the loss falls
    first = model.loss(model.init_params(0), tr[:200])
    assert model.loss(run.params, tr[:200]) < first


def test_runs_are_reproducible_and_logged(tmp_path):
    model, context = MODELS["bigram"]
    tr, va = pairs(context)
    a = train(
        model,
        tr,
        va,
        "forward:64",
        5,
        seed=7,
        eval_every=2,
        log_path=tmp_path / "a.jsonl",
        progress=False,
    )
    b = train(model, tr, va, "forward:64", 5, seed=7, eval_every=2, progress=False)
    assert a.losses == b.losses and a.params == b.params
    back = load_run(tmp_path / "a.jsonl")
    assert back.header["method"] == "forward:64" and back.header["n_params"] == VOCAB.size**2
    assert back.losses == a.losses
    assert [s for s, _ in back.val_losses] == [0, 2, 4]


class Flaky:
    """A bigram whose loss turns nan, or is interrupted, after a number of calls."""

    def __init__(self, after, error=None):
        self.inner = Bigram(VOCAB.size)
        self.vocab_size, self.context = self.inner.vocab_size, 1
        self.after, self.error, self.calls = after, error, 0

    def init_params(self, seed=0):
        return self.inner.init_params(seed)

    def loss(self, params, batch):
        self.calls += 1
        if self.calls > self.after:
            if self.error:
                raise self.error
            return math.nan
        return self.inner.loss(params, batch)


def test_non_finite_loss_stops_with_a_clear_error_and_keeps_the_record(tmp_path):
    tr, va = pairs(1)
    log = tmp_path / "nan.jsonl"
    # reverse: one loss call per step (no validation: eval_size=0)
    with pytest.raises(NonFiniteLoss, match=r"reverse: the loss is nan at step 3"):
        train(Flaky(3), tr, va, "reverse", 10, log_path=log, eval_size=0, progress=False)
    back = load_run(log)
    assert len(back.steps) == 4 and math.isnan(back.steps[-1]["loss"])


def test_an_interrupted_run_keeps_what_it_measured(tmp_path):
    tr, va = pairs(1)
    log = tmp_path / "cut.jsonl"
    with pytest.raises(KeyboardInterrupt):
        train(
            Flaky(5, KeyboardInterrupt()),
            tr,
            va,
            "reverse",
            10,
            log_path=log,
            eval_size=0,
            progress=False,
        )
    back = load_run(log)
    assert [s["step"] for s in back.steps] == [0, 1, 2, 3, 4]
    with log.open("a") as fh:  # a line cut off mid-write by a crash is skipped
        fh.write('{"type": "step", "ste')
    assert len(load_run(log).steps) == 5


def test_methods_parse_and_reject_nonsense():
    assert Method.parse("forward:all").chunk == "all"
    assert Method.parse("forward-gradient:16").directions == 16
    assert Method.parse("random-search:10").tries == 10
    assert Method.parse("reverse").name == "reverse"
    for bad in ("backprop", "forward:0", "forward:x", "reverse:3"):
        with pytest.raises(ValueError, match=r"method|positive"):
            Method.parse(bad)


def test_bad_data_files_raise_naming_the_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match=r"empty\.txt"):
        load_names(empty)
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match=r"data\.bin"):
        load_names(binary)
    with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
        load_names(tmp_path / "missing.txt")


def test_forward_gradient_method_trains_on_the_same_footing():
    model, context = MODELS["bigram"]
    tr, va = pairs(context)
    run = train(model, tr, va, "forward-gradient:16", 60, seed=1, lr=0.05, progress=False)
    assert [s["passes"] for s in run.steps] == [1] * 60
    assert run.steps[-1]["val_loss"] < math.log(VOCAB.size) - 0.05


def test_in_order_training_takes_the_pairs_one_after_the_other():
    model, context = MODELS["bigram"]
    tr, va = pairs(context)
    params = model.init_params(0)
    run = train(
        model, tr, va, "reverse", 3, batch_size=1, order="in order", params=params, progress=False
    )
    assert run.header["order"] == "in order" and run.header["schedule"] == "linear"
    # step 0 trains on the first pair, from the starting parameters
    assert run.steps[0]["loss"] == model.loss(params, [tr[0]])
    a = train(model, tr, va, "reverse", 3, batch_size=1, order="random", progress=False)
    assert a.losses != run.losses
    with pytest.raises(ValueError, match="order"):
        train(model, tr, va, "reverse", 3, order="sorted", progress=False)


def test_cosine_schedule_and_betas_reach_the_optimizer():
    model, context = MODELS["bigram"]
    tr, va = pairs(context)
    kwargs = {"batch_size": 4, "seed": 2, "progress": False}
    cos = train(model, tr, va, "reverse", 4, schedule="cosine", betas=(0.9, 0.95), **kwargs)
    lin = train(model, tr, va, "reverse", 4, **kwargs)
    assert cos.header["schedule"] == "cosine"
    assert cos.losses[:2] == lin.losses[:2]  # the first step's update is lr-sized either way
    assert cos.losses[2:] != lin.losses[2:]

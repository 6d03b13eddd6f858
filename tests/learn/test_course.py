"""The course's scalar-style GPT: the same losses and gradients as the matvec GPT, in every mode.
(The course's own Value, which gives them too, is the benchmarks': tests/benchmarks.)"""

from __future__ import annotations

import math
import random

import pytest

from dualgrad import Dual, jvp, reverse, value_and_grad
from dualgrad.learn.course import ScalarGPT
from dualgrad.learn.data import Vocab, load_names, sequences
from dualgrad.learn.models import GPT, GPTConfig
from dualgrad.tree import flatten, unflatten

pytest.importorskip("numpy")

VOCAB = Vocab(load_names())
SEQS = sequences(["christopher", "ava", "emma"], VOCAB)  # longer than the block, short, middling


def _params(config: GPTConfig, seed: int) -> dict:
    """The config's init, with the zero projections replaced by small random weights, so every
    parameter has a gradient (at the init the q/k/v and fc1 gradients are exactly 0)."""
    params = GPT(config).init_params(seed)
    rng = random.Random(seed + 100)
    for name in params:
        if name.endswith(("attn_wo", "mlp_fc2")):
            params[name] = [[rng.gauss(0.0, 0.05) for _ in row] for row in params[name]]
    return params


CONFIGS = {
    "course": GPTConfig.course(),
    "ours": GPTConfig(),
    "two layers, relu2": GPTConfig(n_layer=2, block_size=8, activation="relu2", init_std=0.1),
}


def _close(a: list[float], b: list[float], rel: float) -> None:
    """Every entry to `rel` relative, or to rel * the largest entry for the tiny ones."""
    scale = max(abs(x) for x in b)
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == pytest.approx(y, rel=rel, abs=rel * 1e-3 * scale), i


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_scalar_gpt_gives_the_matvec_gpts_loss(name):
    config = CONFIGS[name]
    params = _params(config, 1)
    scalar, matvec = ScalarGPT(config), GPT(config)
    for seq in SEQS:
        want = matvec.loss(params, [seq])  # floats
        got, _ = reverse.value_and_grad(lambda p, s=seq: scalar.loss(p, [s]), params)
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_forward_equals_reverse_on_every_parameter_for_both_styles(name):
    config = CONFIGS[name]
    params = _params(config, 2)
    seq = SEQS[0]
    grads = {}
    for style, model in (("scalar", ScalarGPT(config)), ("matvec", GPT(config))):

        def loss(p, model=model):
            return model.loss(p, [seq])

        r = value_and_grad(loss, params, chunk="all")
        rv, rg = reverse.value_and_grad(loss, params)
        assert r.passes == 1 and r.value == pytest.approx(rv, rel=1e-14)
        fwd, rev = flatten(r.grad)[0], flatten(rg)[0]
        _close(fwd, rev, 1e-10)
        assert sum(g != 0 for g in rev) > 0.9 * len(rev)  # nearly every parameter matters
        grads[f"{style} forward"], grads[f"{style} reverse"] = fwd, rev
    # and the two styles agree with each other (tests/benchmarks: the course's own backprop,
    # an independent implementation, agrees with both)
    for got in grads.values():
        _close(got, grads["matvec reverse"], 1e-10)


def test_one_tangent_forward_mode_runs_the_scalar_code_unchanged():
    # jvp seeds every parameter as a Dual (one tangent each, most of them 0), as the course
    # makes every parameter a Value; a one-hot tangent gives one partial derivative
    config = CONFIGS["course"]
    params = _params(config, 3)
    leaves, spec = flatten(params)
    model = ScalarGPT(config)
    seq = SEQS[2]

    def loss(p):
        return model.loss(p, [seq])

    _, rg = reverse.value_and_grad(loss, params)
    rev = flatten(rg)[0]
    scale = max(map(abs, rev))
    for i in random.Random(0).sample(range(len(leaves)), 12):
        onehot = [0.0] * len(leaves)
        onehot[i] = 1.0
        _, d = jvp(loss, params, unflatten(spec, onehot))
        assert d == pytest.approx(rev[i], rel=1e-10, abs=1e-13 * scale)
    # the matvec GPT runs on floats, so value_and_grad seeds only the chosen parameters
    chosen = [0, 500, 1100, 2000, 4063]
    g = flatten(value_and_grad(lambda p: GPT(config).loss(p, [seq]), params, wrt=chosen).grad)[0]
    for i in chosen:
        assert g[i] == pytest.approx(rev[i], rel=1e-10, abs=1e-13 * scale)


def test_scalar_gpt_refuses_plain_floats_naming_one():
    model = ScalarGPT(GPTConfig.course())
    params = model.init_params(0)
    leaves, spec = flatten(params)
    mixed = [x if i == 700 else Dual(x, 0.0) for i, x in enumerate(leaves)]
    with pytest.raises(TypeError, match=r"\['layer0.attn_wq'\]\[11\]\[12\].*use GPT"):
        model.loss(unflatten(spec, mixed), SEQS[:1])
    with pytest.raises(TypeError, match="plain float"):
        model.logits(params, (0, 3))


def test_a_trained_scalar_gpt_is_the_trained_matvec_gpt():
    # the same three in-order steps of the course's recipe, by forward:all on the scalar code
    # and by reverse mode on the matvec GPT: the same losses
    from dualgrad.learn.gpt import COURSE_RECIPE
    from dualgrad.learn.train import train

    config = GPTConfig.course()
    runs = [
        train(m, SEQS, [], method, 3, batch_size=1, seed=0, progress=False, **opts)
        for m, method in ((ScalarGPT(config), "forward:all"), (GPT(config), "reverse"))
        for opts in [COURSE_RECIPE.train_options()]
    ]
    assert runs[0].losses == pytest.approx(runs[1].losses, rel=1e-12)
    assert len(set(runs[0].losses)) == 3  # three different names, in order


@pytest.mark.parametrize("reference", ["sums made at once", "products made apart"])
def test_forward_all_on_scalar_code_equals_the_operations_one_by_one(reference, monkeypatch):
    """chunk='all' on the course's scalar code, whose sums of products wait as rows of
    tangents and whose products of a parameter and a value are made in one step, gives the
    gradient of the operations made one by one, bit for bit."""
    from dualgrad.numbers.tangents import PRODUCTS
    from dualgrad.vector.settings import SETTINGS

    model = ScalarGPT(GPTConfig.course())
    params = _params(model.config, 3)
    f = lambda p: model.loss(p, [(0, 5, 1, 0)])
    fast = flatten(value_and_grad(f, params, chunk="all").grad)[0]
    if reference == "sums made at once":
        with SETTINGS.changed(sums_wait=False):
            slow = flatten(value_and_grad(f, params, chunk="all").grad)[0]
    else:
        monkeypatch.setattr(PRODUCTS, "fused", {})
        slow = flatten(value_and_grad(f, params, chunk="all").grad)[0]
    assert [math.copysign(1.0, g) for g in fast] == [math.copysign(1.0, g) for g in slow]
    assert fast == slow

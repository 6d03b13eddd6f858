"""The course's own Value, the benchmarks' baseline: the chain rule by hand, and the same losses
and gradients as the library gives on both styles of the course's GPT."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dualgrad import reverse
from dualgrad.learn.course import ScalarGPT
from dualgrad.learn.data import Vocab, load_names, sequences
from dualgrad.learn.models import GPT, GPTConfig
from dualgrad.tree import flatten

# the benchmarks' shared modules import by name, as when a benchmark runs (no conftest here:
# the doctests of tests/conftest.py would meet a second module of that name)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _course_value import CourseValue, course_value_and_grad

pytest.importorskip("numpy")

VOCAB = Vocab(load_names())
SEQS = sequences(["christopher", "ava", "emma"], VOCAB)  # longer than the block, short, middling
CONFIGS = {
    "course": GPTConfig.course(),
    "ours": GPTConfig(),
    "two layers, relu2": GPTConfig(n_layer=2, block_size=8, activation="relu2", init_std=0.1),
}


def _params(config: GPTConfig, seed: int) -> dict:
    """The config's init with no zero projection (the course's zeroes two), so every parameter
    has a gradient."""
    return GPT(replace(config, zero_proj=False)).init_params(seed)


def test_course_value_follows_the_chain_rule():
    # y = relu(x)**2 * exp(x) / x - log(x) at x = 1.5, against the closed form
    x = CourseValue(1.5)
    y = x.relu() ** 2 * x.exp() / x - x.log() + 1 - (2 - x)
    y.backward()
    want = (1.5 * math.exp(1.5) + math.exp(1.5)) - 1 / 1.5 + 1  # d/dx of x e^x - log x + x
    assert x.grad == pytest.approx(want, rel=1e-14)
    y2 = CourseValue(-0.5).relu()
    assert y2.data == 0


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_course_value_gives_the_librarys_loss_and_gradient(name):
    """The course's own backprop, an independent implementation, gives the matvec GPT's loss
    on floats and the gradient of the library's reverse mode on both styles of code (tests/learn:
    forward mode agrees with reverse mode on both)."""
    config = CONFIGS[name]
    params = _params(config, 1)
    scalar, matvec = ScalarGPT(config), GPT(config)
    for seq in SEQS:
        loss, course = course_value_and_grad(lambda p, s=seq: scalar.loss(p, [s]), params)
        assert loss == pytest.approx(matvec.loss(params, [seq]), rel=1e-12)
        want = flatten(course)[0]
        scale = max(map(abs, want))
        for model in (scalar, matvec):
            _, rg = reverse.value_and_grad(lambda p, m=model, s=seq: m.loss(p, [s]), params)
            # every entry to 1e-10 relative, or to 1e-13 of the largest for the tiny ones
            assert flatten(rg)[0] == pytest.approx(want, rel=1e-10, abs=1e-13 * scale)

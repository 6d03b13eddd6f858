"""Optimizers: exact update arithmetic, Adam against microgpt's loop, decay, checks, state."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualgrad.learn.optim import SGD, Adam

finite = st.floats(-1e6, 1e6, allow_nan=False)


# -- SGD ------------------------------------------------------------------------------------------
def test_sgd_step_is_exact():
    params = [1.0, 2.0, -3.0]
    SGD(3, lr=0.25).step(params, [4.0, -2.0, 0.0])
    assert params == [0.0, 2.5, -3.0]


def test_sgd_updates_the_same_list_in_place():
    params = [1.0]
    alias = params
    SGD(1, lr=1.0).step(params, [0.5])
    assert alias is params and alias == [0.5]


def test_sgd_momentum_accumulates():
    params = [0.0]
    opt = SGD(1, lr=0.1, momentum=0.5)
    for _ in range(3):
        opt.step(params, [1.0])
    # buffers 1, 1.5, 1.75: params = -0.1 * (1 + 1.5 + 1.75)
    assert opt.buffer == [1.75]
    assert params == [pytest.approx(-0.425, abs=1e-15)]


def test_sgd_minimises_a_quadratic():
    target = [3.0, -1.0, 0.5]
    params = [0.0, 0.0, 0.0]
    opt = SGD(3, lr=0.1, momentum=0.9)
    for _ in range(300):
        opt.step(params, [2 * (p - t) for p, t in zip(params, target, strict=True)])
    assert params == pytest.approx(target, abs=1e-6)


# -- Adam -----------------------------------------------------------------------------------------
@given(st.lists(finite, min_size=1, max_size=5))
def test_adam_first_step_is_the_closed_form(grads):
    # After one step m_hat = g and v_hat = g^2, so the move is lr * g / (|g| + eps):
    # about lr against the sign of g, whatever the gradient's size.
    lr, eps = 0.01, 1e-8
    params = [0.0] * len(grads)
    Adam(len(grads), lr=lr, eps=eps).step(params, grads)
    for p, g in zip(params, grads, strict=True):
        assert p == pytest.approx(-lr * g / (abs(g) + eps), rel=1e-12, abs=1e-300)
        assert abs(p) <= lr


def test_adam_defaults_are_microgpts():
    opt = Adam(1)
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps) == (0.01, 0.85, 0.99, 1e-8)
    assert opt.total_steps is None


def _microgpt_adam(grads_per_step, ref, lr, beta1, beta2, rate_at):
    """microgpt's Adam update, transcribed: the reference the optimizer must reproduce."""
    eps_adam, n = 1e-8, len(ref)
    m, v = [0.0] * n, [0.0] * n
    for step, grads in enumerate(grads_per_step):
        lr_t = rate_at(step)
        for i, g in enumerate(grads):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            ref[i] -= lr_t * m_hat / (v_hat**0.5 + eps_adam)
    return m, v


def _gradients_and_start(seed, n, steps):
    """Random gradients for `steps` steps of `n` parameters, and two copies of a start."""
    rng = random.Random(seed)
    grads_per_step = [[rng.gauss(0, 1) for _ in range(n)] for _ in range(steps)]
    ref = [rng.gauss(0, 1) for _ in range(n)]
    return grads_per_step, ref, list(ref)


def test_adam_matches_microgpt_loop_bit_for_bit():
    # microgpt.py's settings: betas 0.85/0.99 and a linear decay
    learning_rate, num_steps = 0.01, 7
    grads_per_step, ref, ours = _gradients_and_start(0, 5, num_steps)
    m, v = _microgpt_adam(
        grads_per_step, ref, learning_rate, 0.85, 0.99,
        lambda step: learning_rate * (1 - step / num_steps),
    )  # fmt: skip
    opt = Adam(5, lr=learning_rate, total_steps=num_steps)
    for grads in grads_per_step:
        opt.step(ours, grads)
    assert ours == ref
    assert opt.m == m and opt.v == v


def test_adam_with_the_course_settings_matches_its_loop_bit_for_bit():
    # the course's microgpt: betas 0.9/0.95 and a cosine decay
    learning_rate, num_steps = 0.01, 9
    grads_per_step, ref, ours = _gradients_and_start(1, 4, num_steps)
    rate_at = lambda step: learning_rate * 0.5 * (1 + math.cos(math.pi * step / num_steps))
    _microgpt_adam(grads_per_step, ref, learning_rate, 0.9, 0.95, rate_at)
    opt = Adam(4, lr=0.01, beta1=0.9, beta2=0.95, total_steps=num_steps, schedule="cosine")
    for step in range(num_steps):
        assert opt.current_lr == rate_at(step)
        opt.step(ours, grads_per_step[step])
    assert ours == ref
    assert opt.current_lr == 0.0  # run out: and one more step is refused
    with pytest.raises(RuntimeError, match="decayed"):
        opt.step(ours, grads_per_step[0])


def test_cosine_schedule_shape_and_unknown_schedules():
    opt = SGD(1, lr=1.0, total_steps=4, schedule="cosine")
    rates = []
    for _ in range(4):
        rates.append(opt.current_lr)
        opt.step([0.0], [0.0])
    # half-way the cosine is at half the rate; it starts flat and ends steep
    assert rates == pytest.approx([1.0, (1 + 2**-0.5) / 2, 0.5, (1 - 2**-0.5) / 2], rel=1e-15)
    with pytest.raises(ValueError, match="schedule"):
        Adam(1, total_steps=3, schedule="cosin")


def test_adam_minimises_a_quadratic():
    # f(p) = sum a_i (p_i - t_i)^2 with very different curvatures: Adam's per-parameter scaling
    # copes with all of them at one learning rate.
    a, target = [100.0, 1.0, 0.01], [1.0, -2.0, 0.5]
    params = [0.0, 0.0, 0.0]

    def f(p):
        return sum(ai * (pi - ti) ** 2 for ai, pi, ti in zip(a, p, target, strict=True))

    start = f(params)
    opt = Adam(3, lr=0.05, total_steps=2000)
    for _ in range(2000):
        opt.step(params, [2 * ai * (pi - ti) for ai, pi, ti in zip(a, params, target, strict=True)])
    assert f(params) < 1e-6 * start
    assert params == pytest.approx(target, abs=1e-3)


def test_zero_gradient_does_not_move_adam():
    params = [1.5, -2.0]
    Adam(2).step(params, [0.0, 0.0])
    assert params == [1.5, -2.0]  # 0 / (0 + eps): no nan, no move


# -- learning-rate decay --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make", [lambda: SGD(1, lr=0.4, total_steps=4), lambda: Adam(1, lr=0.4, total_steps=4)]
)
def test_linear_decay_reaches_zero_at_the_end(make):
    opt = make()
    seen = []
    for _ in range(4):
        seen.append(opt.current_lr)
        opt.step([0.0], [1.0])
    assert seen == pytest.approx([0.4, 0.3, 0.2, 0.1], abs=1e-15)
    assert opt.current_lr == 0.0
    with pytest.raises(RuntimeError, match="total_steps=4"):
        opt.step([0.0], [1.0])


def test_sgd_decay_scales_each_step():
    params = [0.0]
    opt = SGD(1, lr=1.0, total_steps=4)
    moves = []
    for _ in range(4):
        before = params[0]
        opt.step(params, [1.0])
        moves.append(before - params[0])
    assert moves == [1.0, 0.75, 0.5, 0.25]


def test_no_decay_keeps_the_rate():
    opt = SGD(1, lr=0.3)
    for _ in range(10):
        opt.step([0.0], [1.0])
    assert opt.current_lr == 0.3 and opt.steps_taken == 10


# -- checks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("opt", [SGD(2, lr=0.1), Adam(2)])
@pytest.mark.parametrize(("n_params", "n_grads"), [(3, 2), (2, 3), (1, 1)])
def test_length_mismatch_is_an_error(opt, n_params, n_grads):
    params = [0.0] * n_params
    with pytest.raises(ValueError, match=f"expected 2 params and grads, got {n_params} params"):
        opt.step(params, [1.0] * n_grads)
    assert params == [0.0] * n_params
    assert opt.steps_taken == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("make", [lambda: SGD(3, lr=0.1, momentum=0.9), lambda: Adam(3)])
def test_non_finite_gradient_is_refused_before_any_update(make, bad):
    opt = make()
    params = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=f"gradient 1 is {bad!r}"):
        opt.step(params, [0.5, bad, 0.5])
    assert params == [1.0, 2.0, 3.0]
    assert opt.steps_taken == 0
    assert opt.state_dict() == make().state_dict()  # buffers untouched too


@pytest.mark.parametrize(
    ("make", "name", "value"),
    [
        (lambda: SGD(1, lr=0.0), "lr", "0.0"),
        (lambda: SGD(1, lr=-1.0), "lr", "-1.0"),
        (lambda: SGD(1, lr=math.nan), "lr", "nan"),
        (lambda: SGD(1, lr=math.inf), "lr", "inf"),
        (lambda: SGD(1, lr=0.1, momentum=1.0), "momentum", "1.0"),
        (lambda: SGD(1, lr=0.1, momentum=-0.1), "momentum", "-0.1"),
        (lambda: Adam(1, beta1=1.0), "beta1", "1.0"),
        (lambda: Adam(1, beta2=-0.5), "beta2", "-0.5"),
        (lambda: Adam(1, eps=0.0), "eps", "0.0"),
        (lambda: Adam(1, lr="0.1"), "lr", "'0.1'"),
        (lambda: Adam(-1), "n_params", "-1"),
        (lambda: Adam(2.0), "n_params", "2.0"),
        (lambda: Adam(1, total_steps=0), "total_steps", "0"),
        (lambda: SGD(1, lr=0.1, total_steps=10.0), "total_steps", "10.0"),
    ],
)
def test_bad_hyperparameters_are_named(make, name, value):
    with pytest.raises(ValueError, match=rf"{name} .*got {value}$"):
        make()


# -- state ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make", [lambda: SGD(4, lr=0.1, momentum=0.9, total_steps=10), lambda: Adam(4, total_steps=10)]
)
def test_state_dict_resumes_exactly(make):
    rng = random.Random(1)
    grads = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(10)]
    straight, resumed = [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]
    opt = make()
    for g in grads:
        opt.step(straight, g)

    first = make()
    for g in grads[:6]:
        first.step(resumed, g)
    state = first.state_dict()
    first.step([0.0] * 4, [9.0] * 4)  # the saved state is a copy: later steps do not change it
    second = make()
    second.load_state_dict(state)
    for g in grads[6:]:
        second.step(resumed, g)
    assert resumed == straight


def test_load_state_dict_checks_buffer_length():
    state = Adam(3).state_dict()
    with pytest.raises(ValueError, match="'m' has 3 entries, expected 2"):
        Adam(2).load_state_dict(state)

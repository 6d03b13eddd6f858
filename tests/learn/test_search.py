"""Random search: exact pass counts, only strict improvements kept, determinism, bad input."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualgrad.learn.search import SearchStats, random_search_step


def quadratic(target):
    def loss(p):
        return sum((pi - ti) ** 2 for pi, ti in zip(p, target, strict=True))

    return loss


class Recorder:
    """Wraps a loss function, recording (parameters, loss) for every call."""

    def __init__(self, f):
        self.f = f
        self.calls = []

    def __call__(self, params):
        value = self.f(params)
        self.calls.append((list(params), value))
        return value


def bumpy(p):
    # not convex: plenty of nudges that raise the loss
    return sum(math.sin(5 * x) + 0.1 * x * x for x in p)


@given(
    st.lists(st.floats(-3, 3), min_size=1, max_size=4),
    st.integers(1, 6),
    st.floats(0.01, 2.0),
    st.integers(0, 2**32),
)
def test_never_keeps_a_nudge_that_does_not_lower_the_loss(start, tries, scale, seed):
    rec = Recorder(bumpy)
    params = list(start)
    stats = random_search_step(rec, params, tries=tries, scale=scale, rng=random.Random(seed))

    # Replay the calls: each one tests a point one coordinate away from the current point;
    # the current point moves only to a point whose loss was strictly lower.
    current, best = rec.calls[0]
    assert current == start
    moves = 0
    for point, value in rec.calls[1:]:
        assert sum(a != b for a, b in zip(point, current, strict=True)) <= 1
        if value < best:
            current, best = point, value
            moves += 1
    assert params == current  # the search ended where the strict improvements led
    assert stats.accepted == moves
    assert stats.loss == best == bumpy(params)
    assert stats.loss <= stats.initial_loss == bumpy(start)


@pytest.mark.parametrize(("n", "tries"), [(1, 1), (3, 10), (7, 4), (0, 5)])
def test_pass_count_is_exact(n, tries):
    rec = Recorder(quadratic([1.0] * n))
    stats = random_search_step(rec, [0.0] * n, tries=tries, rng=random.Random(0))
    assert stats.passes == len(rec.calls) == tries * n + 1


def test_flat_loss_accepts_nothing_and_restores_exactly():
    start = [0.1, -0.2, 0.3]
    params = list(start)
    stats = random_search_step(lambda p: 1.0, params, tries=5, rng=random.Random(0))
    assert stats == SearchStats(passes=16, accepted=0, initial_loss=1.0, loss=1.0)
    assert params == start  # bit-identical: reverting restores the saved value


def test_lowers_a_quadratic():
    target = [1.0, -2.0, 0.5, 3.0]
    loss = quadratic(target)
    params = [0.0] * 4
    rng = random.Random(0)
    start = loss(params)
    for _ in range(30):
        stats = random_search_step(loss, params, tries=10, scale=0.3, rng=rng)
    assert stats.loss < 0.01 * start
    assert params == pytest.approx(target, abs=0.1)


def test_deterministic_given_the_seed():
    def run(seed):
        params = [0.5, -0.5, 0.25]
        stats = random_search_step(bumpy, params, tries=8, scale=0.5, rng=random.Random(seed))
        return params, stats

    assert run(42) == run(42)
    assert run(42) != run(43)


def test_nudges_are_gaussian_with_the_given_scale():
    # With a loss that rejects everything, every tried point is start + one gauss(0, scale).
    rec = Recorder(lambda p: 0.0)
    random_search_step(rec, [0.0], tries=2000, scale=0.5, rng=random.Random(1))
    nudges = [point[0] for point, _ in rec.calls[1:]]
    mean = sum(nudges) / len(nudges)
    std = math.sqrt(sum((x - mean) ** 2 for x in nudges) / len(nudges))
    assert abs(mean) < 0.05 and std == pytest.approx(0.5, rel=0.05)


def test_nan_losses_are_never_accepted():
    # nan on every nudge: nothing is kept
    params = [1.0, 2.0]
    rec = Recorder(lambda p: 5.0 if p == [1.0, 2.0] else math.nan)
    stats = random_search_step(rec, params, tries=3, rng=random.Random(0))
    assert params == [1.0, 2.0] and stats.accepted == 0 and stats.loss == 5.0


def test_nan_at_the_start_is_an_error():
    with pytest.raises(ValueError, match="nan at the starting parameters"):
        random_search_step(lambda p: math.nan, [1.0], rng=random.Random(0))


def test_an_error_in_the_loss_leaves_the_last_accepted_point():
    calls = []

    def loss(p):
        calls.append(list(p))
        if len(calls) == 4:
            raise KeyboardInterrupt
        return -len(calls)  # always lower: every nudge before the error is kept

    params = [0.0, 0.0]
    with pytest.raises(KeyboardInterrupt):
        random_search_step(loss, params, tries=2, scale=1.0, rng=random.Random(0))
    assert params == calls[2]  # the third call's point was the last one accepted
    assert params != calls[3]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tries": 0}, ValueError, "tries must be an int >= 1, got 0"),
        ({"tries": 2.0}, ValueError, "tries .* got 2.0"),
        ({"scale": 0.0}, ValueError, "scale .* got 0.0"),
        ({"scale": math.inf}, ValueError, "scale .* got inf"),
        ({"scale": math.nan}, ValueError, "scale .* got nan"),
        ({"rng": 0}, TypeError, "rng must be a random.Random, got int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"tries": 3, "scale": 0.1, "rng": random.Random(0), **kwargs}
    params = [1.0]
    with pytest.raises(error, match=match):
        random_search_step(quadratic([0.0]), params, **args)
    assert params == [1.0]


def test_rng_is_required():
    with pytest.raises(TypeError, match="rng"):
        random_search_step(quadratic([0.0]), [1.0])  # type: ignore[call-arg]

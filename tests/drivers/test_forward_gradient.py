"""The forward-gradient estimator: unbiased, variance falling as 1/k, deterministic."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from dualgrad import dmath, forward_gradient, grad

pytest.importorskip("numpy")

N = 50


def make_function(seed=1):
    rng = random.Random(seed)
    a = [rng.uniform(0.5, 2.0) for _ in range(N)]
    b = [rng.uniform(-1, 1) for _ in range(N)]

    def f(p):
        quad = sum(ai * x * x for ai, x in zip(a, p, strict=True))
        lin = sum(bi * x for bi, x in zip(b, p, strict=True))
        return quad + lin + dmath.tanh(p[0] * p[1])

    return f


X0 = [random.Random(2).uniform(-1, 1) for _ in range(N)]


def estimates(f, count, k, seed, chunk="all"):
    rng = random.Random(seed)
    return [forward_gradient(f, X0, directions=k, rng=rng, chunk=chunk).grad for _ in range(count)]


def z_scores(samples, exact):
    """Per-component (mean - exact) / standard error."""
    n = len(samples)
    out = []
    for i, g in enumerate(exact):
        col = [s[i] for s in samples]
        se = statistics.stdev(col) / math.sqrt(n)
        out.append((statistics.fmean(col) - g) / se)
    return out


def test_mean_of_10000_estimates_is_within_3_standard_errors_of_the_gradient():
    f = make_function()
    exact = grad(f, X0)
    samples = estimates(f, 10_000, 1, seed=3, chunk=1)
    z = z_scores(samples, exact)
    assert max(abs(v) for v in z) < 3.5  # 50 components: the largest |z| of 50 normals
    assert sum(abs(v) < 3 for v in z) >= 49
    chi2 = sum(v * v for v in z)  # ~ chi-square with 50 degrees of freedom if unbiased
    assert chi2 < 90  # P(chi2_50 > 90) ~ 4e-4
    # the same bound catches a biased estimator: directions of variance 1.25 instead of 1
    biased = [[1.25 * g for g in s] for s in samples]
    assert sum(v * v for v in z_scores(biased, exact)) > 90


def test_variance_falls_as_one_over_k():
    f = make_function()
    exact = grad(f, X0)

    def mean_sq_error(k):
        samples = estimates(f, 400, k, seed=5)
        return statistics.fmean(
            sum((a - b) ** 2 for a, b in zip(s, exact, strict=True)) for s in samples
        )

    ratio = mean_sq_error(1) / mean_sq_error(16)
    assert 11 < ratio < 22, ratio  # 16 in expectation


def test_one_chunked_pass_equals_k_scalar_passes():
    f = make_function()
    a = forward_gradient(f, X0, directions=8, rng=7, chunk="all")
    b = forward_gradient(f, X0, directions=8, rng=7, chunk=1)
    assert (a.passes, b.passes) == (1, 8)
    assert a.value == b.value
    assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-12)


def test_deterministic_given_the_seed_and_structured_like_params():
    params = {"w": [1.0, 2.0], "b": 0.5}

    def f(p):
        return p["w"][0] * p["w"][1] + p["b"] ** 2

    a = forward_gradient(f, params, directions=3, rng=11)
    b = forward_gradient(f, params, directions=3, rng=random.Random(11))
    assert a.grad == b.grad and set(a.grad) == {"w", "b"} and len(a.grad["w"]) == 2
    assert forward_gradient(f, params, rng=12).grad != a.grad


def test_one_direction_is_the_directional_derivative_times_the_direction():
    rng = random.Random(0)
    v = [rng.gauss(0, 1), rng.gauss(0, 1)]
    est = forward_gradient(lambda p: 3 * p[0] - p[1], [1.0, 2.0], rng=0)
    dd = 3 * v[0] - v[1]
    assert est.grad == pytest.approx([dd * v[0], dd * v[1]], rel=1e-15)


def test_bad_directions():
    with pytest.raises(ValueError, match="directions"):
        forward_gradient(lambda p: p[0], [1.0], directions=0)

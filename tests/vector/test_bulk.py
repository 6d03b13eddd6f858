"""Bulk sums of products equal the scalar rules exactly, and fall back when they must."""

from __future__ import annotations

import random

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dualgrad import Dual, dmath  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402

K = 12


def dense_dual(rng, tag=5):
    return Dual(rng.uniform(-1, 1), np.array([rng.uniform(-1, 1) for _ in range(K)]), tag)


def seed(rng, j, tag=5):
    return Dual(rng.uniform(-1, 1), Sparse.one_hot(j, K), tag)


def scalar_matvec(w, x):
    return [sum(a * b for a, b in zip(row, x, strict=True)) for row in w]


def tangent(d):
    t = d.tangent
    return t.dense() if isinstance(t, Sparse) else np.broadcast_to(t, (K,))


@pytest.mark.parametrize("weights", ["seeds", "floats", "mixed", "computed"])
def test_matvec_equals_scalar_arithmetic(weights):
    rng = random.Random(0)
    x = [dense_dual(rng) for _ in range(3)] + [0.7]  # a plain float among the inputs
    if weights == "seeds":
        w = [[seed(rng, (4 * j + i) % K) for i in range(4)] for j in range(3)]
    elif weights == "floats":
        w = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(3)]
    elif weights == "mixed":
        w = [[seed(rng, i) if i % 2 else rng.uniform(-1, 1) for i in range(4)] for _ in range(3)]
    else:
        w = [[dense_dual(rng) for _ in range(4)] for _ in range(3)]
    got = dmath.matvec(w, x)
    want = scalar_matvec(w, x)
    for g, v in zip(got, want, strict=True):
        assert type(g) is Dual and g.tag == 5
        assert g.value == pytest.approx(v.value, rel=1e-14)
        np.testing.assert_allclose(tangent(g), tangent(v), rtol=1e-13, atol=1e-15)


def test_matvec_values_match_a_float_pass_bit_for_bit():
    rng = random.Random(1)
    xv = [rng.uniform(-1, 1) for _ in range(5)]
    wv = [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(4)]
    x = [Dual(v, np.zeros(K), 5) for v in xv]
    w = [[Dual(v, Sparse.one_hot(0, K), 5) for v in row] for row in wv]
    assert [y.value for y in dmath.matvec(w, x)] == dmath.matvec(wv, xv)


def test_sumprod_equals_scalar_arithmetic():
    rng = random.Random(2)
    p = [dense_dual(rng) for _ in range(5)]
    q = [dense_dual(rng) for _ in range(4)] + [1.5]
    got = dmath.sumprod(p, q)
    want = sum(a * b for a, b in zip(p, q, strict=True))
    assert got.value == pytest.approx(want.value, rel=1e-14)
    np.testing.assert_allclose(got.tangent, want.tangent, rtol=1e-13)
    sq = dmath.sumprod(p, p)
    np.testing.assert_allclose(sq.tangent, sum(a * a for a in p).tangent, rtol=1e-13)


def test_falls_back_for_scalar_tangents_nesting_and_mixed_tags():
    # scalar tangent: the ordinary rules
    x = [Dual(1.0, 1.0), 2.0]
    assert dmath.sumprod(x, [3.0, 4.0]).tangent == 3.0
    assert dmath.matvec([[3.0, 4.0]], x)[0].tangent == 3.0
    # two tags: the newer one is outer; bulk must not merge them
    rng = random.Random(3)
    a = [dense_dual(rng, tag=5), dense_dual(rng, tag=6)]
    got = dmath.sumprod(a, [1.0, 1.0])
    want = a[0] * 1.0 + a[1] * 1.0
    assert got.tag == want.tag == 6
    np.testing.assert_array_equal(got.tangent, want.tangent)


@pytest.mark.parametrize("chunk", [2, 3, "all"])
def test_a_matrix_changed_during_the_pass_is_read_again(chunk):
    from dualgrad import grad

    def rewritten(p):  # the same list object, another entry
        m = [[1.0, 2.0]]
        a = dmath.matvec(m, [p[0], p[1]])[0]
        m[0][0] = 10.0
        return a + dmath.matvec(m, [p[0], p[1]])[0] * p[2]

    def grown(p):  # a cache of constant keys that grows, as attention's does
        keys, total = [], 0.0
        for _ in range(3):
            keys.append([1.0, 2.0, 3.0])
            total = total + sum(dmath.matvec(keys, p))
        return total

    def reseeded(p):  # a seeded matrix whose entry is replaced in place
        w = [[p[0], p[1]], [p[2], p[0]]]
        a = sum(dmath.matvec(w, [1.5, -2.0]))
        w[0][0] = p[2] * 2.0
        return a + sum(dmath.matvec(w, [1.5, -2.0]))

    x = [0.5, -1.0, 2.0]
    for f in (rewritten, grown, reseeded):
        assert grad(f, x, chunk=chunk) == pytest.approx(grad(f, x), rel=1e-14)


def test_chunked_grad_inside_a_chunked_grad():
    from dualgrad import grad

    inner = {f"k{i}": 0.1 * i for i in range(10)}

    def outer(p):
        g = grad(lambda q: (p[0] + p[65]) * q["k0"] * q["k1"] + p[3] * q["k1"], inner, chunk="all")
        w = [[p[i] for i in range(j, j + 8)] for j in range(0, 64, 8)]
        return g["k0"] + sum(dmath.matvec(w, [p[64 + i] for i in range(8)]))

    x = [0.1 * i for i in range(72)]
    assert grad(outer, x, chunk="all") == pytest.approx(grad(outer, x), rel=1e-13)


def test_empty_and_numpy_weight_matrices():
    from dualgrad import grad

    assert dmath.matvec([], [Dual(1.0, np.ones(3), 5)]) == []
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert grad(lambda p: sum(dmath.matvec(w, p)), [1.0, 1.0], chunk=2) == [4.0, 6.0]


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(1, 6),
    k=st.integers(1, 5),
    stored=st.sets(st.integers(0, 39), min_size=1, max_size=30),
    active=st.booleans(),
    seed_=st.integers(0, 2**32 - 1),
)
def test_a_product_made_in_place_equals_the_product_placed(m, k, stored, active, seed_):
    """Stacked.weighted_into writes each run of the stored columns' product straight into
    the output: the numbers of the product placed afterwards, to the last bit or two."""
    from dualgrad.vector.bulk import Stacked
    from dualgrad.vector.columns import Spots

    rng = np.random.default_rng(seed_)
    cols = np.array(sorted(stored))
    which = list(range(0, k, 2)) if active and k > 1 else None
    n_rows = k if which is None else len(which)
    stack = Stacked([0.0] * k, rng.standard_normal((n_rows, len(cols))), cols, which)
    coefficients = rng.standard_normal((m, k))
    spots = Spots(cols)
    placed, made = np.zeros((m, 40)), np.zeros((m, 40))
    spots.put(placed, stack.weighted(coefficients))
    stack.weighted_into(coefficients, spots, made)
    # rounding of a sum of k products: within k ulps of the sum of their magnitudes
    bound = 4 * k * np.finfo(float).eps * (np.abs(coefficients).sum(axis=1, keepdims=True))
    bound = bound * np.abs(stack.rows).max()
    assert np.all(np.abs(made - placed) <= bound), np.abs(made - placed).max()
    off = np.setdiff1d(np.arange(40), cols)  # columns not stored stay exactly zero
    assert not made[:, off].any() and not placed[:, off].any()

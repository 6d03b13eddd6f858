"""Sparse tangents behave like the dense vectors they stand for."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from dualgrad import Dual, dmath  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402


def sparse(pairs, size=6):
    idx, val = zip(*pairs, strict=True) if pairs else ((), ())
    return Sparse(np.array(idx, dtype=int), np.array(val, dtype=float), size)


def test_one_hot_and_dense():
    s = Sparse.one_hot(2, 5)
    assert s.hot == 2 and s.nnz == 1
    assert s.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]


def test_arithmetic_matches_dense():
    a = sparse([(0, 1.0), (3, 2.0), (3, 0.5)])  # repeats add up
    b = sparse([(1, -1.0), (3, 4.0)])
    d = np.arange(6.0)
    da, db = a.dense(), b.dense()
    cases = [
        (a + b, da + db),
        (a - b, da - db),
        (-a, -da),
        (a * 2.5, da * 2.5),
        (2.5 * a, 2.5 * da),
        (a / 4, da / 4),
        (a + d, da + d),
        (d + a, d + da),
        (d - a, d - da),
        (a - d, da - d),
        (a + 0.0, da),
        (0.0 + a, da),
    ]
    for got, want in cases:
        got = got.dense() if isinstance(got, Sparse) else got
        np.testing.assert_array_equal(got, want)


def test_grows_dense_past_an_eighth():
    a = sparse([(0, 1.0)], size=8)
    b = sparse([(1, 1.0)], size=8)
    assert isinstance(a + b, np.ndarray)  # 2 of 8 entries: dense from here on
    big = Sparse.one_hot(1, 100) + Sparse.one_hot(7, 100)
    assert isinstance(big, Sparse) and big.nnz == 2


def test_rejects_what_is_not_linear():
    a = Sparse.one_hot(1, 4)
    with pytest.raises(TypeError):
        a * a
    with pytest.raises(TypeError):
        a + 1.0  # a nonzero scalar is not a tangent


def test_duals_carry_sparse_tangents_through_the_rules():
    x = Dual(0.3, Sparse.one_hot(0, 4))
    y = Dual(-1.2, Sparse.one_hot(2, 4))
    out = dmath.tanh(x * y) + dmath.exp(x) / y - dmath.sqrt(x * x + 1.0)
    dense = dmath.tanh(Dual(0.3, np.eye(4)[0]) * Dual(-1.2, np.eye(4)[2]))
    dense = dense + dmath.exp(Dual(0.3, np.eye(4)[0])) / Dual(-1.2, np.eye(4)[2])
    dense = dense - dmath.sqrt(Dual(0.3, np.eye(4)[0]) ** 2 + 1.0)
    t = out.tangent.dense() if isinstance(out.tangent, Sparse) else out.tangent
    np.testing.assert_allclose(t, dense.tangent, rtol=1e-15, atol=1e-15)


def test_singular_rule_keeps_zero_entries_zero():
    z = dmath.sqrt(Dual(0.0, Sparse.one_hot(1, 3)))
    assert z.tangent.tolist() == [0.0, float("inf"), 0.0]


@pytest.mark.parametrize("v", [2.5, -0.0, 0.0, float("inf"), float("nan")])
@pytest.mark.parametrize("x", [1.0, -0.0, 0.0, -3.0, float("-inf")])
def test_a_dense_vector_plus_one_entry_equals_the_sum_with_its_dense_form(x, v):
    """ndarray + a one-entry Sparse skips the dense form, with the same numbers bit for
    bit (zeros' signs included); other dtypes keep numpy's promotion."""
    d = np.array([x, -0.0, 1.0, x])
    for s in (Sparse.one_hot(3, 4) * v, Sparse.one_hot(0, 4)):
        with np.errstate(invalid="ignore"):  # inf - inf: nan on both paths
            assert (d + s).tobytes() == (d + s.dense()).tobytes()
            assert (s + d).tobytes() == (d + s.dense()).tobytes()
    f32 = np.ones(4, dtype=np.float32)
    assert (f32 + Sparse.one_hot(1, 4)).dtype == (f32 + Sparse.one_hot(1, 4).dense()).dtype

"""numpy's shape, reduction, selection and product functions on dual arrays.

Oracle: the same numpy call on the scalar path. ``np.asarray(x)`` is an object array of
ordinary Duals, and numpy runs the same function over it with the Duals' own operations (the
rule table, entry by entry); its values and tangents must equal the dual array's (to rounding:
numpy sums object arrays left to right and float arrays pairwise). hypothesis draws shapes,
axes (None, ints, negative, tuples), broadcasting and chunk widths k in {1, 2, 5}. The table's
special rules are checked exactly: max/min's tie rule, prod at zeros, sort moving tangents.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

from dualgrad import Dual  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402

RTOL, ATOL = 1e-12, 1e-12


def split(result, k):
    """(values, tangents) of a dual array, a Dual, an object array of Duals or plain numbers."""
    if type(result) is DualArray:
        return result.value, result.tangent
    arr = np.asarray(result, dtype=object) if type(result) is not Dual else None
    if arr is None:
        return np.float64(result.value), np.reshape(np.asarray(result.tangent, float), (k,))
    values = np.empty(arr.shape)
    tangents = np.zeros((*arr.shape, k))
    for i, e in np.ndenumerate(arr):
        if type(e) is Dual:
            values[i] = e.value
            tangents[i] = np.reshape(np.asarray(e.tangent, float), (k,))
        else:
            values[i] = e
    return values, tangents


def scalar_path(x):
    """x's entries as an object array of ordinary Duals (np.asarray), constants unchanged."""
    return np.asarray(x) if type(x) is DualArray else x


def agree(fn, *args, k, rtol=RTOL, atol=ATOL, oracle=None):
    """fn on dual arrays equals fn (or `oracle`, where numpy's object loops ask the Duals for
    methods they do not have: conjugate, rint) on the scalar path."""
    got = fn(*args)
    with np.errstate(all="ignore"):  # the scalar path's flags (0 ** -0.5 ...) are not ours
        want = (oracle or fn)(*(scalar_path(a) for a in args))
    gv, gt = split(got, k)
    wv, wt = split(want, k)
    assert np.shape(gv) == np.shape(wv), (np.shape(gv), np.shape(wv))
    np.testing.assert_allclose(gv, wv, rtol=rtol, atol=atol)
    np.testing.assert_allclose(gt, wt, rtol=rtol, atol=atol)
    return got


@st.composite
def dual_arrays(draw, min_dims=1, max_dims=3, k=None, shape=None):
    shape = shape or tuple(draw(st.lists(st.integers(1, 4), min_size=min_dims, max_size=max_dims)))
    k = k or draw(st.sampled_from([1, 2, 5]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    value = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return DualArray(value, rng.normal(size=(*shape, k)))


def axes_for(ndim):
    single = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return st.none() | single | several


SETTINGS = settings(max_examples=40, deadline=None)


# -- reductions ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "std", "var", "ptp"])
@SETTINGS
@given(data=st.data())
def test_reductions_against_the_scalar_path(name, data):
    x = data.draw(dual_arrays())
    axis = data.draw(axes_for(x.ndim))
    keepdims = data.draw(st.booleans())
    if name == "ptp" and isinstance(axis, tuple):
        axis = axis[0]
    fn = getattr(np, name)
    agree(lambda a: fn(a, axis=axis, keepdims=keepdims), x, k=x.width, oracle=ORACLES.get(name)
          and (lambda a: ORACLES[name](a, axis, keepdims)))  # fmt: skip


def _var(a, axis, keepdims):  # numpy's object var asks the Duals for conjugate()
    centred = a - np.mean(a, axis=axis, keepdims=True)
    return np.mean(centred * centred, axis=axis, keepdims=keepdims)


ORACLES = {"var": _var, "std": lambda a, axis, keepdims: _var(a, axis, keepdims) ** 0.5}


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "diff", "sort", "flip"])
@SETTINGS
@given(data=st.data())
def test_along_one_axis_against_the_scalar_path(name, data):
    x = data.draw(dual_arrays())
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    fn = getattr(np, name)
    if name == "diff" and x.shape[axis] < 2:
        axis = None if x.ndim == 1 and x.shape[0] < 2 else axis
        if axis is None:
            return
    agree(lambda a: fn(a, axis=axis), x, k=x.width)


def test_cumsum_cumprod_and_sort_with_axis_none():
    x = DualArray(np.array([[2.0, -1.0], [0.5, 3.0]]), np.arange(12.0).reshape(2, 2, 3))
    for fn in (np.cumsum, np.cumprod, np.sort):
        agree(lambda a, fn=fn: fn(a, axis=None), x, k=3)


def test_max_min_tie_rule_first_of_equal_entries_and_first_nan():
    nan = math.nan
    x = DualArray(np.array([3.0, 1.0, 3.0]), np.eye(3))
    assert np.max(x).tangent.tolist() == [1.0, 0.0, 0.0]
    assert np.min(-x).tangent.tolist() == [-1.0, 0.0, 0.0]
    y = DualArray(np.array([1.0, nan, 5.0, nan]), np.eye(4))
    for f in (np.max, np.min, np.amax, np.amin):
        got = f(y)  # nan in, nan out: the value and the slope along every moving tangent
        assert math.isnan(got.value) and np.isnan(got.tangent).all()
    z = DualArray(np.array([[1.0, nan], [2.0, 3.0]]), np.eye(4)[:, :3].reshape(2, 2, 3))
    lanes = np.max(z, axis=1).tangent  # (column 2 moves no entry of the first row: 0)
    assert np.isnan(lanes[0, :2]).all() and lanes[0, 2] == 0.0
    assert lanes[1].tolist() == [0.0, 0.0, 0.0]  # the second row's max is 3.0, off the seeds
    m = DualArray(np.array([[1.0, 2.0], [2.0, 2.0]]), np.eye(4).reshape(2, 2, 4))
    assert np.max(m, axis=0).tangent.tolist() == [[0, 0, 1, 0], [0, 1, 0, 0]]
    assert np.max(m).tangent.tolist() == [0, 1, 0, 0]  # row-major order: the first 2.0
    assert np.max(m, axis=(0, 1), keepdims=True).shape == (1, 1)
    with pytest.raises(ValueError, match="zero-size"):
        np.max(DualArray(np.zeros((0, 2)), np.zeros((0, 2, 1))), axis=0)


def test_prod_at_zeros_is_exact():
    x = DualArray(np.array([2.0, 0.0, 3.0]), np.eye(3))
    assert np.prod(x).value == 0.0 and np.prod(x).tangent.tolist() == [0.0, 6.0, 0.0]
    y = DualArray(np.array([2.0, 0.0, 0.0, 5.0]), np.eye(4))
    assert np.prod(y).tangent.tolist() == [0.0, 0.0, 0.0, 0.0]
    z = DualArray(np.array([[2.0, 0.0], [4.0, 3.0]]), np.eye(4).reshape(2, 2, 4))
    assert np.prod(z, axis=1).tangent.tolist() == [[0, 2, 0, 0], [0, 0, 3, 4]]
    assert np.prod(z, axis=(0, 1)).tangent.tolist() == [0.0, 24.0, 0.0, 0.0]


def test_sort_moves_tangents_with_values_stably():
    x = DualArray(np.array([3.0, 1.0, 2.0, 1.0]), np.eye(4))
    s = np.sort(x)
    assert s.value.tolist() == [1.0, 1.0, 2.0, 3.0]
    assert s.tangent.argmax(axis=1).tolist() == [1, 3, 2, 0]
    assert np.argsort(x).tolist() == np.argsort(x.value).tolist()
    y = x.copy()
    y.sort()
    assert np.array_equal(y.tangent, s.tangent)


# -- shapes -----------------------------------------------------------------------------------
SHAPE_FUNCTIONS = {
    "reshape": lambda a: np.reshape(a, (-1,)),
    "ravel": np.ravel,
    "transpose": np.transpose,
    "swapaxes": lambda a: np.swapaxes(a, 0, -1),
    "moveaxis": lambda a: np.moveaxis(a, 0, -1),
    "squeeze": lambda a: np.squeeze(np.expand_dims(a, 0)),
    "expand_dims": lambda a: np.expand_dims(a, (0, -1)),
    "broadcast_to": lambda a: np.broadcast_to(a, (2, *np.shape(a))),
    "concatenate": lambda a: np.concatenate([a, 2.0 * a], axis=-1),
    "concatenate_none": lambda a: np.concatenate([a, a], axis=None),
    "stack": lambda a: np.stack([a, np.ones(np.shape(a))], axis=-1),
    "split": lambda a: np.split(a, [1], axis=0)[1],
    "array_split": lambda a: np.array_split(a, 2, axis=-1)[0],
    "flip": np.flip,
    "roll": lambda a: np.roll(a, 2, axis=0),
    "roll_none": lambda a: np.roll(a, -1),
    "pad": lambda a: np.pad(a, 1),
    "pad_edge": lambda a: np.pad(a, 1, mode="edge"),
    "pad_reflect": lambda a: np.pad(a, 1, mode="wrap"),
    "tile": lambda a: np.tile(a, 2),
    "repeat": lambda a: np.repeat(a, 2, axis=0),
    "atleast_3d": np.atleast_3d,
    "vstack": lambda a: np.vstack([a, a]),
    "hstack": lambda a: np.hstack([a, a]),
    "append": lambda a: np.append(a, a),
    "take": lambda a: np.take(a, [0, -1, 0]),
    "take_axis": lambda a: np.take(a, [0, 0], axis=-1),
    "diagonal": lambda a: np.diagonal(np.atleast_2d(a)),
    "trace": lambda a: np.trace(np.atleast_2d(a)),
    "tril": lambda a: np.tril(np.atleast_2d(a)),
    "triu": lambda a: np.triu(np.atleast_2d(a), 1),
    "copy": np.copy,
    "where": lambda a: np.where(np.arange(np.shape(a)[-1]) % 2 == 0, a, -3.0),
    "clip": lambda a: np.clip(a, -1.0, 1.0),
    "round": lambda a: np.round(a, 1),
}


@pytest.mark.parametrize("name", sorted(SHAPE_FUNCTIONS))
@SETTINGS
@given(x=dual_arrays())
def test_shape_and_selection_functions_against_the_scalar_path(name, x):
    oracle = (lambda a: np.round(split(a, x.width)[0], 1)) if name == "round" else None
    agree(SHAPE_FUNCTIONS[name], x, k=x.width, oracle=oracle)  # round: flat, values rounded


def test_clip_at_a_bound_keeps_the_slope_of_x():
    x = DualArray(np.array([-2.0, 1.0, 0.3]), np.ones((3, 1)))
    got = np.clip(x, -1.0, 1.0)
    assert got.value.tolist() == [-1.0, 1.0, 0.3] and got.tangent[:, 0].tolist() == [0, 1, 1]


def test_where_with_two_dual_branches_broadcasting():
    a = DualArray(np.array([[1.0, 2.0, 3.0]]), np.ones((1, 3, 2)))
    b = DualArray(np.array([[10.0], [20.0]]), 2 * np.ones((2, 1, 2)))
    got = np.where(np.array([[True, False, True], [False, True, False]]), a, b)
    assert got.shape == (2, 3) and got.tangent[..., 0].tolist() == [[1, 2, 1], [2, 1, 2]]


# -- indexing and assignment ------------------------------------------------------------------
INDEXES = [
    0, -1, slice(None, None, 2), slice(None, None, -1), (Ellipsis, 0), (None, Ellipsis),
    (0, None), [0, 0, -1], np.array([True, False, True]), (slice(1, None), [0, 2]),
    (..., None, slice(0, 2)), np.array([[0, 1], [2, 2]]),
]  # fmt: skip


@pytest.mark.parametrize("index", INDEXES, ids=[repr(i)[:30] for i in INDEXES])
def test_indexing_against_the_scalar_path(index):
    x = DualArray(np.arange(9.0).reshape(3, 3) - 4, np.arange(27.0).reshape(3, 3, 3))
    agree(lambda a: a[index], x, k=3)


@pytest.mark.parametrize("index", INDEXES, ids=[repr(i)[:30] for i in INDEXES])
def test_assignment_into_an_array_made_like_the_parameters(index):
    x = DualArray(np.arange(9.0).reshape(3, 3) - 4, np.arange(27.0).reshape(3, 3, 3))
    w = np.zeros_like(x)
    w[index] = 2.0 * x[index]
    want = np.zeros((3, 3), dtype=object)
    want[index] = 2.0 * np.asarray(x)[index]
    gv, gt = split(w, 3)
    wv, wt = split(want, 3)
    assert np.array_equal(gv, wv) and np.array_equal(gt, wt)


def test_work_arrays_like_the_parameters_and_their_dtypes():
    x = DualArray(np.ones(3), np.eye(3))
    for make in (np.zeros_like, np.empty_like, np.ones_like, lambda a: np.full_like(a, 2.5)):
        w = make(x)
        assert type(w) is DualArray and w.shape == (3,) and not w.tangent.any()
    w = np.zeros_like(x, shape=(2, 3))
    w[1] = x
    assert w.tangent[1].tolist() == np.eye(3).tolist()
    with pytest.raises(TypeError, match="dtype int"):
        np.zeros_like(x, dtype=int)
    w = x.copy()
    w[0] = 5.0  # a constant: its tangent is 0
    assert w.tangent[0].tolist() == [0.0, 0.0, 0.0] and x.value[0] == 1.0


def test_in_place_operators_update_the_array_and_its_views():
    x = DualArray(np.array([1.0, 2.0, 3.0]), np.eye(3))
    y = x.copy()
    y += x
    y *= x
    y -= 1.0
    y /= 2.0
    want = (np.asarray(x) + np.asarray(x)) * np.asarray(x) - 1.0
    wv, wt = split(want / 2.0, 3)
    np.testing.assert_allclose(y.value, wv) and np.testing.assert_allclose(y.tangent, wt)
    w = np.zeros_like(x)
    view = w[1:]
    w += x
    assert view.value.tolist() == [2.0, 3.0]
    assert view.tangent.tolist() == [[0, 1, 0], [0, 0, 1]]


def test_broadcast_views_can_be_written_after_a_copy():
    x = DualArray(np.array([1.0, 2.0]), np.eye(2))
    b = np.broadcast_to(x, (2, 2)).copy()
    b[0, 0] = x[1]
    assert b.tangent[0, 0].tolist() == [0.0, 1.0] and b.tangent[1, 0].tolist() == [1.0, 0.0]


# -- products ---------------------------------------------------------------------------------
PRODUCT_CASES = {
    "dot 1-D": (lambda a, b: np.dot(a, b), (3,), (3,)),
    "dot 2-D": (lambda a, b: np.dot(a, b), (2, 3), (3, 4)),
    "dot matrix vector": (lambda a, b: np.dot(a, b), (2, 3), (3,)),
    "dot 3-D": (lambda a, b: np.dot(a, b), (2, 2, 3), (3, 2)),
    "matmul": (lambda a, b: a @ b, (2, 3), (3, 2)),
    "matmul batched": (lambda a, b: np.matmul(a, b), (2, 2, 3), (2, 3, 4)),
    "matmul broadcast": (lambda a, b: np.matmul(a, b), (2, 1, 2, 3), (3, 3, 2)),
    "matmul vector": (lambda a, b: a @ b, (3,), (3, 2)),
    "matmul stack vector": (lambda a, b: np.matmul(a, b), (2, 2, 3), (3,)),
    "inner": (lambda a, b: np.inner(a, b), (2, 3), (4, 3)),
    "outer": (lambda a, b: np.outer(a, b), (3,), (2, 2)),
    "vdot": (lambda a, b: np.vdot(a, b), (2, 3), (3, 2)),
    "tensordot 1": (lambda a, b: np.tensordot(a, b, axes=1), (2, 3), (3, 2)),
    "tensordot pairs": (lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])), (2, 3, 4), (4, 2)),
    "tensordot 0": (lambda a, b: np.tensordot(a, b, axes=0), (2,), (3,)),
    "einsum implicit": (lambda a, b: np.einsum("ij,jk", a, b), (2, 3), (3, 2)),
    "einsum explicit": (lambda a, b: np.einsum("ij,jk->ki", a, b), (2, 3), (3, 2)),
    "einsum trace-like": (lambda a, b: np.einsum("ii,i->", a, b), (3, 3), (3,)),
    "einsum ellipsis": (lambda a, b: np.einsum("...ij,...j->...i", a, b), (2, 2, 3), (2, 3)),
    "einsum implicit ellipsis": (lambda a, b: np.einsum("...j,j", a, b), (2, 3), (3,)),
    "einsum outer": (lambda a, b: np.einsum("i,j", a, b), (2,), (3,)),
    "vecdot": (lambda a, b: np.vecdot(a, b), (2, 3), (3,)),
}


PRODUCT_ORACLES = {  # numpy's object vdot and vecdot ask the Duals for conjugate()
    "vdot": lambda a, b: np.sum(np.ravel(a) * np.ravel(b)),
    "vecdot": lambda a, b: np.sum(a * b, axis=-1),
}


@pytest.mark.parametrize("case", sorted(PRODUCT_CASES))
@pytest.mark.parametrize("which", ["both", "left", "right"])
@settings(max_examples=8, deadline=None)
@given(k=st.sampled_from([1, 2, 5]), seed=st.integers(0, 2**16))
def test_products_against_the_scalar_path(case, which, k, seed):
    fn, sa, sb = PRODUCT_CASES[case]
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    if which in ("both", "left"):
        a = DualArray(a, rng.normal(size=(*sa, k)))
    if which in ("both", "right"):
        b = DualArray(b, rng.normal(size=(*sb, k)))
    agree(fn, a, b, k=k, oracle=PRODUCT_ORACLES.get(case))


def test_einsum_of_one_and_three_operands():
    x = DualArray(np.arange(6.0).reshape(2, 3), np.ones((2, 3, 2)))
    agree(lambda a: np.einsum("ij->j", a), x, k=2)
    agree(lambda a: np.einsum("ij", a), x, k=2)
    c = np.arange(3.0)
    agree(lambda a: np.einsum("ij,j,ik->k", a, c, a), x, k=2)

"""Reverse mode's vector nodes against the scalar graph: values, gradients, edge cases."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualgrad import Dual, dmath
from dualgrad.reverse import Value, scalar_graphs, value_and_grad
from dualgrad.tree import flatten

np = pytest.importorskip("numpy")
bulk = pytest.importorskip("dualgrad.reverse.bulk")
nodes = pytest.importorskip("dualgrad.vector.nodes")
SETTINGS = pytest.importorskip("dualgrad.vector.settings").SETTINGS


@pytest.fixture(autouse=True)
def every_size(monkeypatch):
    """Vector nodes for products of every size (the threshold is a speed choice)."""
    monkeypatch.setattr(bulk, "VECTOR_MIN", 0)
    nodes.leaf_cache().matrices.clear()


def is_vector_output(v):
    return type(v) is Value and type(v._children[0]) is nodes.MatvecNode


def close(a, b, rel=1e-12):
    """Equal to `rel` relative (of the larger of the two, or of 1e-300), nan and inf alike."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def both_ways(f, params):
    """(vector nodes, scalar graph) results of value_and_grad(f, params)."""
    vector = value_and_grad(f, params)
    with scalar_graphs():
        scalar = value_and_grad(f, params)
    return vector, scalar


def assert_same(vector, scalar, rel=1e-12):
    assert vector[0] == scalar[0] or (math.isnan(vector[0]) and math.isnan(scalar[0]))
    for a, b in zip(flatten(vector[1])[0], flatten(scalar[1])[0], strict=True):
        assert close(a, b, rel), (a, b)


# -- one node per product -------------------------------------------------------------------------
def test_a_product_records_one_node_and_its_outputs():
    w = [[Value(1.0), Value(2.0), Value(3.0)], [Value(4.0), Value(5.0), Value(6.0)]]
    x = [Value(1.0) * 1.0, Value(-1.0) * 1.0, 2.0]
    y = dmath.matvec(w, x)
    assert [v.data for v in y] == [5.0, 11.0] and all(map(is_vector_output, y))
    node = y[0]._children[0]
    assert y[1]._children[0] is node and len(node._children) == 3  # the two computed x, a pad
    (y[0] * y[1]).backward()
    assert [v.grad for v in x[:2]] == [11.0 * 1.0 + 5.0 * 4.0, 11.0 * 2.0 + 5.0 * 5.0]
    assert [v.grad for v in w[1]] == [5.0, -5.0, 10.0]


def test_products_of_plain_numbers_or_other_types_are_left_to_the_scalar_rules():
    assert nodes.value_matvec([[1.0, 2.0]], [3.0, 4.0]) is None
    assert nodes.value_matvec([[Dual(1.0, 1.0)]], [Value(1.0)]) is None
    assert nodes.value_matvec([[1.0]], [Dual(1.0, 1.0)]) is None

    class Sub(Value, primal="data", carries="graph"):
        pass

    assert nodes.value_matvec([[Sub(1.0)]], [Value(1.0)]) is None
    with pytest.raises(TypeError, match="Dual"):
        dmath.matvec([[Dual(1.0, 1.0)]], [Value(1.0)])


SPECIAL = [0.0, -0.0, 5e-324, -2.5e-310, 1e308, -1e308, math.inf, -math.inf, 1.0, -3.5, 2]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.lists(st.sampled_from(SPECIAL) | st.floats(), min_size=n, max_size=n),
                min_size=1,
                max_size=4,
            ),
            st.lists(st.sampled_from(SPECIAL) | st.floats(), min_size=n, max_size=n),
        )
    )
)
def test_values_are_a_float_pass_bit_for_bit(case):
    """Leaf matrices of floats take numpy's products (SPECIAL CASE): the same numbers, nan,
    inf, signed zeros and subnormals included, as the float pass and the general path, summed
    by numpy (before Python 3.12) or by sum() (on every version)."""
    for sequential in sorted({SETTINGS.numpy_sums_in_order, False}):
        with SETTINGS.changed(numpy_sums_in_order=sequential):
            float_pass_bit_for_bit(*case)


def float_pass_bit_for_bit(w, x):
    floats = dmath.matvec(w, x)
    for leaves in (True, False):
        vw = [[Value(a) for a in row] for row in w]
        vx = [Value(a) if leaves else Value(a) * 1 for a in x]
        values = [v.data for v in dmath.matvec(vw if leaves else [vx] * len(w), vx)]
        expected = floats if leaves else dmath.matvec([x] * len(w), x)
        assert list(map(repr, values)) == list(map(repr, expected))


# -- the same gradients as the scalar graph -------------------------------------------------------
finite = st.floats(-3.0, 3.0, allow_nan=False).filter(lambda f: abs(f) > 1e-3)


@st.composite
def products(draw):
    """A parameter set and a function of it with matvecs whose entries are leaves, computed
    Values, constants and ints, shared between W and x and between products."""
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    params = {
        "w": [[draw(finite) for _ in range(n)] for _ in range(m)],
        "x": [draw(finite) for _ in range(n)],
    }
    kinds = draw(st.lists(st.sampled_from("lcfis"), min_size=m * n + n, max_size=m * n + n))
    coef = [draw(finite) for _ in range(m)]

    def entry(kind, v, p):
        if kind == "l":
            return v  # a leaf
        if kind == "c":
            return dmath.tanh(v)  # computed
        if kind == "f":
            return 0.5  # a constant
        if kind == "i":
            return 2  # an int
        return p["x"][0]  # shared: the same Value in several places

    def f(p):
        w = [[entry(kinds[i * n + j], p["w"][i][j], p) for j in range(n)] for i in range(m)]
        x = [entry(kinds[m * n + j], p["x"][j], p) for j in range(n)]
        if not any(type(e) is Value for e in [*x, *(e for row in w for e in row)]):
            x[0] = p["x"][0]
        y = dmath.matvec(w, x)
        z = dmath.matvec([y, [dmath.sin(v) for v in y]], y)  # nested: outputs as W and x
        h = dmath.matvec(w, [dmath.exp(v * 0.1) for v in x])  # the same W again
        return dmath.sumprod(coef, y) + z[0] * z[1] + dmath.sumprod(h, h)

    return params, f


@settings(max_examples=150, deadline=None)
@given(products())
def test_gradients_equal_the_scalar_graphs(case):
    params, f = case
    assert_same(*both_ways(f, params))


def test_the_deferred_leaf_gradients_equal_the_immediate_ones():
    """SPECIAL CASE checked: matrices of leaves get their outer products at the end of the walk,
    summed as one product; the general path adds each use's outer product at once."""

    def f(p):
        x = p["x"]
        for _ in range(3):  # the same leaf matrix used three times, as a layer along a sequence
            x = [dmath.tanh(v) for v in dmath.matvec(p["w"], x)]
        return dmath.sumprod(x, x)

    params = {"w": [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [-0.7, 0.2, 0.9]], "x": [1.0, 2.0, -1.0]}
    deferred = value_and_grad(f, params)
    with SETTINGS.changed(leaf_matrices=False):
        immediate = value_and_grad(f, params)
    assert_same(deferred, immediate, rel=1e-14)
    with scalar_graphs():
        assert_same(deferred, value_and_grad(f, params))


def test_leaves_accumulate_over_backward_calls_and_inner_grads_are_reset():
    w = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    x = [Value(1.0) * 1.0, Value(2.0) * 1.0]
    y = dmath.matvec(w, x)
    out = y[0] * y[1]
    out.backward()
    first = [v.grad for v in (*w[0], *w[1], *x)]
    out.backward()
    assert [v.grad for v in (*w[0], *w[1])] == [2 * g for g in first[:4]]
    assert [v.grad for v in x] == first[4:]  # computed: d(out)/d(x), not accumulated


def test_a_changed_leaf_is_read_again():
    w = [[Value(1.0), Value(2.0)]]
    x = [Value(1.0), Value(1.0)]
    a = dmath.matvec(w, x)[0]
    w[0][1].data = 5.0  # an optimizer's step between two uses of the same rows
    b = dmath.matvec(w, x)[0]
    w[0][0] = Value(-1.0)  # another leaf in the same list
    c = dmath.matvec(w, x)[0]
    assert (a.data, b.data, c.data) == (3.0, 6.0, 4.0)
    (a + b + c).backward()
    assert [v.grad for v in x] == [1.0 + 1.0 - 1.0, 2.0 + 5.0 + 5.0]


def test_outputs_the_loss_does_not_use_send_nothing():
    w = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    x = [Value(1.0), Value(2.0)]
    y = dmath.matvec(w, x)
    y[1].backward()
    assert [v.grad for v in w[0]] == [0.0, 0.0] and [v.grad for v in w[1]] == [1.0, 2.0]
    assert [v.grad for v in x] == [3.0, 4.0]


@pytest.mark.parametrize(
    "where",
    [
        "an infinite weight",
        "an infinite input, leaf weights",
        "an infinite input, computed weights",
    ],
)
def test_a_zero_cotangent_sends_exactly_zero_through_inf_and_nan(where):
    """An unused output meets an infinite weight or input: 0, not 0 * inf = nan, as the scalar
    graph gives it."""

    def f(p):
        if where == "an infinite weight":
            w, x = [[p["a"], math.inf], [p["b"], p["c"]]], [p["d"], p["e"]]
        elif where == "an infinite input, leaf weights":
            w, x = [[p["a"], p["b"]], [p["c"], p["e"]]], [p["d"], math.inf]
        else:
            w, x = [[dmath.tanh(p["a"]), p["b"]], [p["c"], p["e"]]], [p["d"], math.inf]
        y = dmath.matvec(w, x)
        return y[1] + p["a"] if where == "an infinite weight" else y[0] + p["a"]

    params = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 5.0}
    vector, scalar = both_ways(f, params)
    assert_same(vector, scalar)
    if where == "an infinite weight":
        assert vector[1] == {"a": 1.0, "b": 4.0, "c": 5.0, "d": 2.0, "e": 3.0}
    else:  # the used row meets inf; the unused one sends nothing
        assert vector[1]["b"] == math.inf and vector[1]["c"] == vector[1]["e"] == 0.0


def test_inf_and_nan_inputs_of_a_leaf_matrix():
    def f(p):
        w = p["w"]
        y1 = dmath.matvec(w, [p["x"], math.inf])
        y2 = dmath.matvec(w, [math.nan, p["x"]])
        return y1[0] * 0.0 + y2[1]  # y1[1] and y2[0] send nothing

    params = {"w": [[1.0, 2.0], [3.0, 4.0]], "x": 1.5}
    assert_same(*both_ways(f, params))


def test_overflow_propagates_without_warnings():
    def f(p):
        y = dmath.matvec([[p["a"], p["b"]]], [p["c"], 1e300])
        return y[0] * 1e300

    vector, scalar = both_ways(f, {"a": 1e300, "b": 1e10, "c": 1e10})
    assert vector[1]["b"] == scalar[1]["b"] == math.inf
    assert_same(vector, scalar)


def test_int_data():
    two = Value(2)  # a leaf holding an int: a leaf matrix whose products stay Python's

    def f(p):
        y = dmath.matvec([[p[0], 3], [2, p[1]]], [Value(2), p[0]])
        z = dmath.matvec([[two, two], [p[1], two]], [Value(3), p[0]])
        return y[0] * y[1] + z[0] * z[1]

    assert_same(*both_ways(f, [1.0, 2.0]))


# -- without numpy, and below the size threshold: scalar nodes ------------------------------------
def test_without_numpy_products_are_scalar_nodes(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)  # makes `import numpy` fail
    w = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    x = [Value(1.0), Value(2.0)]
    y = dmath.matvec(w, x)
    assert not any(map(is_vector_output, y)) and [len(v._children) for v in y] == [4, 4]
    (y[0] * y[1]).backward()
    assert [v.grad for v in x] == [11.0 * 1.0 + 5.0 * 3.0, 11.0 * 2.0 + 5.0 * 4.0]


def test_small_products_stay_scalar_nodes(monkeypatch):
    monkeypatch.setattr(bulk, "VECTOR_MIN", 5)
    x = [Value(1.0), Value(2.0)]
    assert not any(map(is_vector_output, dmath.matvec([[Value(1.0), Value(2.0)]] * 2, x)))
    assert all(map(is_vector_output, dmath.matvec([[Value(1.0), Value(2.0)]] * 3, x)))


def test_the_gpt_gradient_equals_the_scalar_graphs():
    from dualgrad.learn.models import GPT, GPTConfig

    model = GPT(GPTConfig(vocab_size=5, block_size=4, n_embd=4, n_head=2, n_layer=2))
    params = model.init_params(seed=3)
    vector, scalar = both_ways(lambda p: model.loss(p, [[0, 1, 2, 3, 0]]), params)
    assert_same(vector, scalar)


@pytest.mark.parametrize("container", [list, tuple])
def test_a_leaf_matrix_is_read_once_per_pass_and_checked_at_every_use(container):
    leaves = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    w = container(container(row) for row in leaves)
    x = [Value(1.0) * 1.0, Value(1.0) * 1.0]
    first, second = dmath.matvec(w, x), dmath.matvec(w, x)
    assert first[0]._children[0].leaves is second[0]._children[0].leaves  # read once
    leaves[1][1].data = -4.0  # a changed number is seen at the next use
    third = dmath.matvec(w, x)
    assert [v.data for v in third] == [3.0, -1.0]
    assert third[0]._children[0].leaves is not first[0]._children[0].leaves
    (sum(first) + sum(second) + sum(third)).backward()
    assert [v.grad for v in x] == [4.0 * 3, 6.0 * 2 - 2.0]  # column sums of each W read


def test_threads_building_products_at_once():
    import threading

    def work(m, results):
        w = [[Value(float(i + j)) for j in range(3)] for i in range(m)]
        x = [Value(1.0), Value(2.0), Value(3.0)]
        y = dmath.matvec(w, x)
        sum(v * float(i) for i, v in enumerate(y)).backward()
        results.append(x[0].grad == sum(float(i) * i for i in range(m)))

    results: list[bool] = []
    threads = [threading.Thread(target=work, args=(40 + k, results)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    senders = nodes.OUTPUT_SENDERS.made
    assert results == [True] * 8 and all(f.__closure__ for f in senders)
    assert [f.__closure__[0].cell_contents for f in senders] == list(range(len(senders)))


def test_the_leaf_cache_dies_with_the_backward_walk_of_its_recording():
    w = [[Value(float(i + j)) for j in range(3)] for i in range(3)]
    x = [Value(1.0) * 1.0 for _ in range(3)]
    y = dmath.matvec(w, x)
    cache = nodes.leaf_cache()
    assert (
        cache.matrices[id(w)] is y[0]._children[0].leaves
        and y[0]._children[0].leaves.cache is cache
    )
    sum(y).backward()
    assert cache.matrices == {}  # the pass is over: its leaves are not kept alive


def test_each_thread_records_into_a_leaf_cache_of_its_own():
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(nodes.leaf_cache()))
    thread.start()
    thread.join()
    assert seen[0] is not nodes.leaf_cache() and nodes.leaf_cache() is nodes.leaf_cache()

"""flatten/unflatten keep structure and order; leaf slots seed in place."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualgrad.tree import flatten, leaf_slots, mutable_copy, paths, unflatten

trees = st.recursive(
    st.floats(-10, 10),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.tuples(kids, kids)
        | st.dictionaries(st.text("abcdef", min_size=1, max_size=3), kids, max_size=3)
    ),
    max_leaves=30,
)


@given(trees)
def test_round_trip_keeps_structure_order_and_types(tree):
    leaves, spec = flatten(tree)
    rebuilt = unflatten(spec, leaves)
    assert rebuilt == tree
    assert repr(rebuilt) == repr(tree)  # same container types and dict order
    assert spec.size == len(leaves)


@given(trees)
def test_slots_of_a_mutable_copy_visit_leaves_in_flatten_order(tree):
    leaves, spec = flatten(tree)
    work = mutable_copy(spec, leaves)
    slots = leaf_slots(work) if spec.kind != "leaf" else []
    if spec.kind != "leaf":
        assert [c[k] for c, k in slots] == leaves
        for i, (c, k) in enumerate(slots):  # write through the slots, read back by flattening
            c[k] = i
        assert flatten(work)[0] == list(range(len(leaves)))


def test_dicts_flatten_in_sorted_key_order_but_rebuild_in_insertion_order():
    leaves, spec = flatten({"b": 1.0, "a": [2.0, 3.0]})
    assert leaves == [2.0, 3.0, 1.0]
    assert list(unflatten(spec, [0, 0, 0])) == ["b", "a"]


def test_paths_name_each_leaf():
    _, spec = flatten({"wte": [[1.0, 2.0], [3.0, 4.0]], "b": (5.0,)})
    assert paths(spec) == [
        "['b'][0]",
        "['wte'][0][0]",
        "['wte'][0][1]",
        "['wte'][1][0]",
        "['wte'][1][1]",
    ]


def test_unflatten_checks_the_leaf_count():
    _, spec = flatten([1.0, 2.0])
    with pytest.raises(ValueError, match="2 leaves, got 3"):
        unflatten(spec, [1, 2, 3])


def test_leaf_slots_refuses_tuples():
    with pytest.raises(TypeError, match="tuple"):
        leaf_slots((1.0, 2.0))


def test_mixed_rows_keep_their_nesting():
    tree = [1.0, [2.0], [], ([3.0, 4.0], 5.0)]
    leaves, spec = flatten(tree)
    assert leaves == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert unflatten(spec, leaves) == tree
    assert mutable_copy(spec, leaves) == [1.0, [2.0], [], [[3.0, 4.0], 5.0]]


def test_numpy_arrays_are_containers_of_their_entries_in_c_order():
    np = pytest.importorskip("numpy", reason="arrays need numpy")
    tree = {"m": np.arange(6.0).reshape(2, 3), "v": [np.array([7.0]), 8.0]}
    leaves, spec = flatten(tree)
    assert leaves == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0]
    assert all(type(x) is float for x in leaves)  # Python floats, as from lists
    assert paths(spec)[:2] == ["['m'][0, 0]", "['m'][0, 1]"] and paths(spec)[6] == "['v'][0][0]"
    back = unflatten(spec, leaves)
    assert back["m"].dtype == np.float64 and np.array_equal(back["m"], tree["m"])
    numbers = unflatten(spec, leaves, numbers=True)["m"]  # what a pass hands f
    assert numbers.dtype == object and type(numbers[0, 0]) is float
    scalar = flatten(np.array(2.5))
    assert scalar[0] == [2.5] and unflatten(scalar[1], [1.0]).shape == ()


def test_unflatten_leaves_no_reference_cycle_behind():
    # drivers pause the garbage collector during a pass: the leaves must go by refcount alone
    import gc
    import weakref

    class Leaves(list):
        pass

    leaves = Leaves([1.0, 2.0])
    gone = weakref.ref(leaves)
    spec = flatten([[1.0], (2.0,)])[1]
    was = gc.isenabled()
    gc.disable()
    try:
        unflatten(spec, leaves)
        del leaves
        assert gone() is None
    finally:
        if was:
            gc.enable()

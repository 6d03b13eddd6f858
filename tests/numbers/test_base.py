"""What Dual and Value share: drop guards, comparisons, formatting, refusals that say why."""

from __future__ import annotations

import math
import statistics

import pytest

from dualgrad import Dual
from dualgrad.numbers.base import is_real, primal
from dualgrad.reverse import Value

TYPES = [lambda v: Dual(v, 1.0), Value]


@pytest.mark.parametrize("make", TYPES)
def test_format_formats_the_number_and_plain_format_is_repr(make):
    x = make(1.23456)
    assert f"{x:.3f}" == "1.235"
    assert f"{x:>8.2e}" == format(1.23456, ">8.2e")
    assert f"{x}" == repr(x)
    assert format(make(3.0), "g") == "3"


def test_format_of_nested_duals_formats_the_innermost_number():
    assert f"{Dual(Dual(0.5, 1.0), 1.0):.2f}" == "0.50"
    assert primal(Dual(Dual(0.5, 1.0), 1.0)) == 0.5


@pytest.mark.parametrize(("make", "carried"), [(TYPES[0], "tangent"), (Value, "graph")])
def test_statistics_is_refused_with_what_to_use_instead(make, carried):
    with pytest.raises(TypeError, match=f"drop the {carried}.*sum\\(xs\\) / len\\(xs\\)"):
        statistics.mean([make(1.0), make(2.0)])
    xs = [make(1.0), make(2.0)]
    assert (sum(xs) / len(xs)).__class__ is type(xs[0])


DROPS = [float, int, complex, round, math.exp, math.sqrt, math.log, lambda x: [0, 1][x]]


@pytest.mark.parametrize(
    ("make", "shown"),
    [(TYPES[0], r"drop the tangent.*d\.value"), (Value, r"drop the graph.*v\.data")],
)
@pytest.mark.parametrize(
    "drop", DROPS, ids=["float", "int", "complex", "round", "exp", "sqrt", "log", "index"]
)
def test_what_would_drop_the_derivative_raises_and_says_what_to_use(make, shown, drop):
    with pytest.raises(TypeError, match=shown + r".*dualgrad\.dmath\.exp"):
        drop(make(2.0))


@pytest.mark.parametrize("make", TYPES)
@pytest.mark.parametrize(
    ("combine", "shown"),
    [
        (lambda x: x + "a", "'a'"),
        (lambda x: "a" * x, "'a'"),
        (lambda x: x * None, "None"),
        (lambda x: x - 1j, "1j"),
    ],
)
def test_an_operand_that_is_no_number_is_named(make, combine, shown):
    with pytest.raises(TypeError, match=f"unsupported operand.*{shown}.*combines with int, float"):
        combine(make(1.0))


def test_comparisons_read_the_number_inside():
    assert Dual(1.0, 5.0) < Dual(2.0, -5.0) <= 2 and Value(3.0) > 2.5 >= Value(2.5)
    assert not Value(0.0) and Dual(2.0)


@pytest.mark.parametrize(
    ("x", "ok"),
    [(1.0, True), (3, True), (True, False), ("a", False), (None, False), (1j, False)],
)
def test_is_real(x, ok):
    assert is_real(x) is ok
    assert not is_real(Dual(1.0)) and not is_real(Value(1.0))  # none of ours: they carry more


# -- the type checkers' declarations of the rule methods follow the table ----------------------
def _declared_for_type_checkers() -> dict[str, int]:
    """The methods Number declares under ``if TYPE_CHECKING:``, with their arities."""
    import ast
    import inspect

    from dualgrad.numbers import base

    (number,) = (
        node
        for node in ast.parse(inspect.getsource(base)).body
        if isinstance(node, ast.ClassDef) and node.name == "Number"
    )
    (block,) = (
        node
        for node in number.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {f.name: len(f.args.args) for f in block.body if isinstance(f, ast.FunctionDef)}


def _installed_on_a_number_type() -> dict[str, int]:
    """What rules.install and Number give a new number type, with the arities."""
    import inspect

    from dualgrad.numbers.base import Number
    from dualgrad.rules import install

    class Probe(Number, primal="value", carries="tangent"):
        __slots__ = ("value",)

    def unary(rule):
        return lambda x: x

    def binary(rule):
        return (lambda x, y: x), (lambda x, y: y)

    install(Probe, unary, binary)
    return {
        name: len(inspect.signature(method).parameters)
        for name, method in vars(Probe).items()
        if callable(method) and name not in ("__init_subclass__",)
    }


def test_the_type_stubs_declare_exactly_the_methods_the_table_installs():
    declared, installed = _declared_for_type_checkers(), _installed_on_a_number_type()
    missing = sorted(set(installed) - set(declared))
    extra = sorted(set(declared) - set(installed))
    assert not missing, f"rule methods without a declaration in numbers/base.py: {missing}"
    assert not extra, f"declarations in numbers/base.py of no rule method: {extra}"
    arities = {n: (declared[n], installed[n]) for n in declared if declared[n] != installed[n]}
    assert not arities, f"declared vs installed number of arguments: {arities}"


def test_the_stub_check_sees_a_missing_and_an_extra_declaration():
    """The check above can fail: the table's names and the declarations are read, not assumed."""
    declared, installed = _declared_for_type_checkers(), _installed_on_a_number_type()
    assert {"exp", "__add__", "__radd__", "_log", "__divmod__", "__lt__"} <= set(installed)
    assert installed["exp"] == 1 and installed["atan2"] == 2
    assert {"exp", "atan2", "_log"} <= set(declared)
    assert "log" not in installed  # written by hand on Number, the table's log is _log

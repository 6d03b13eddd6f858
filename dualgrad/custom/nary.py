"""A rule of any number of arguments on each number type: the generic path of a user's
primitive (:mod:`dualgrad.custom.primitive`).

The number types build one- and two-argument rules with their own factories (what
:func:`dualgrad.rules.install` calls); a primitive of one or two arguments uses those. A rule of
n arguments takes the paths below, which state the chain rule once per number type, as
:class:`~dualgrad.rules.Reduction` does for math's n-argument functions: the value of the
values, then each argument's tangent times its partial. No partial is written here: every one
comes from the rule (``rule.partial(i)``). The tests compare these paths with the factories at
one and two arguments.

``outer`` is the argument that decides (the newest Dual or Taylor number); every other
argument is a constant to it, its own derivatives riding inside (nested derivatives).

>>> from dualgrad import Dual
>>> from dualgrad.rules.table import RULES
>>> dual(RULES["mul"], (Dual(2.0, 1.0), 3.0), 0)
Dual(6.0, 3.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualgrad.numbers.dual import Dual
from dualgrad.numbers.tangents import zero_wins
from dualgrad.rules import Rule
from dualgrad.taylormode.lazy import leaf
from dualgrad.taylormode.rulenodes import RuleNode
from dualgrad.taylormode.series import Taylor

__all__ = ["NARY", "dual", "hessian_tracer", "series", "taylor", "tracer", "value"]


def dual(rule: Rule, args: tuple[Any, ...], outer: int) -> Dual:
    """rule(*args) where args[outer] is the newest Dual: its tag's tangents, summed."""
    tag = args[outer].tag
    mine = [type(a) is Dual and a.tag == tag for a in args]
    values = tuple(a.value if m else a for a, m in zip(args, mine, strict=True))
    out = rule.f(*values)  # inner numbers (older tags) dispatch again: nested derivatives
    tangent: Any = None
    for i, (a, m) in enumerate(zip(args, mine, strict=True)):
        if m:
            term = zero_wins(a.tangent, rule.partial(i)(*values, out))  # a zero tangent gives 0
            tangent = term if tangent is None else tangent + term
    return Dual.from_parts(out, tangent, tag)


def taylor(rule: Rule, args: tuple[Any, ...], outer: int) -> Taylor:
    """rule(*args) where args[outer] is the newest Taylor number: one lazy chain-rule node
    (:class:`~dualgrad.taylormode.rulenodes.RuleNode`, which takes any number of series) over its
    tag's series, truncated to the shortest; a one-coefficient Taylor of that tag is a
    constant (as dmath lifts them)."""
    tag = args[outer].tag
    lengths = [
        len(a.coefficients) for a in args if type(a) is Taylor and a.tag == tag
    ]  # (outer is one of them)
    longer = [n for n in lengths if n > 1]
    k = min(longer) if longer else 1
    inputs: list[Any] = []
    for a in args:
        if type(a) is Taylor and a.tag == tag:
            c = a.coefficients
            inputs.append(c[0] if len(c) == 1 and k > 1 else leaf(c[:k]))
        else:
            inputs.append(a)
    z = RuleNode(rule, tuple(inputs))
    z.get(k - 1)
    out = object.__new__(Taylor)
    out.coefficients = z.c[:k]
    out.tag = tag
    return out


def series(rule: Rule, args: tuple[Any, ...], outer: int) -> Any:
    """rule(*args) on lazy series (inside a Taylor pass's partials): one chain-rule node."""
    return RuleNode(rule, args)


def value(rule: Rule, args: tuple[Any, ...], outer: int) -> Any:
    """rule(*args) for reverse-mode Values: one node with the rule's local partials."""
    from dualgrad.reverse.value import Value

    values = tuple(a.data if isinstance(a, Value) else a for a in args)
    out = rule.f(*values)
    children = [(i, a) for i, a in enumerate(args) if isinstance(a, Value)]
    grads = tuple(rule.partial(i)(*values, out) for i, _ in children)
    return Value.from_parts(out, tuple(a for _, a in children), grads)


def tracer(rule: Rule, args: tuple[Any, ...], outer: int) -> Any:
    """rule(*args) for first-order sparsity tracers: the union of the arguments' sets, but
    for arguments whose partial is the constant 0."""
    from dualgrad.sparsity.tracer import Tracer, _rule_value, partial_forms

    forms = partial_forms(rule)
    values = [a.value if type(a) is Tracer else a for a in args]
    deps: frozenset[int] = frozenset()
    for a, form in zip(args, forms, strict=True):
        if type(a) is Tracer and form != "zero":
            deps |= a.deps
    return Tracer(_rule_value(rule, *values), deps)


def hessian_tracer(rule: Rule, args: tuple[Any, ...], outer: int) -> Any:
    """rule(*args) for second-order tracers: a nonlinear argument pairs with every input of
    the output (its partial may vary with all of them), a linear one adds no pair."""
    from dualgrad.sparsity.tracer import HessianTracer, _pairs, _rule_value, partial_forms

    forms = partial_forms(rule)
    values, deps, pairs, live = [], frozenset[int](), frozenset[tuple[int, int]](), []
    for a, form in zip(args, forms, strict=True):
        if type(a) is HessianTracer:
            values.append(a.value)
            if form != "zero":
                deps, pairs = deps | a.deps, pairs | a.pairs
                live.append((a.deps, form))
        else:
            values.append(a)
    for d, form in live:
        if form != "linear":
            pairs |= _pairs(d, deps)
    return HessianTracer(_rule_value(rule, *values), deps, pairs)


NARY: dict[str, Callable[[Rule, tuple[Any, ...], int], Any]] = {
    "dual": dual,
    "taylor": taylor,
    "series": series,
    "value": value,
    "tracer": tracer,
    "hessian_tracer": hessian_tracer,
}
"""The n-argument path of each kind of number."""

"""Lazy series: the direct ring operations equal the table's generic ones; each partial is
evaluated once (a fixed number of series per operation, whatever the order)."""

from __future__ import annotations

import random

import pytest

from dualgrad.rules import RULES
from dualgrad.taylormode import rulenodes
from dualgrad.taylormode.lazy import Series, leaf
from dualgrad.taylormode.rulenodes import generic

K = 12


def _random_leaf(rng: random.Random) -> Series:
    return leaf([rng.uniform(0.5, 2.0)] + [rng.uniform(-2.0, 2.0) for _ in range(K)])


@pytest.mark.parametrize(
    ("name", "direct"),
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("truediv", lambda a, b: a / b),
    ],
)
def test_direct_ring_operations_equal_the_table(name: str, direct: object) -> None:
    rng = random.Random(name)
    for _ in range(10):
        a, b, c = _random_leaf(rng), _random_leaf(rng), rng.uniform(0.5, 2.0)
        for fast, slow in (
            (direct(a, b), generic(name, a, b)),  # type: ignore[operator]
            (direct(a, c), generic(name, a, c)),  # type: ignore[operator]
            (direct(c, a), generic(name, c, a)),  # type: ignore[operator]
        ):
            for k in range(K + 1):
                assert fast.get(k) == pytest.approx(slow.get(k), rel=1e-13, abs=1e-13)
    a = _random_leaf(rng)
    assert [(-a).get(k) for k in range(K + 1)] == [generic("neg", a).get(k) for k in range(K + 1)]
    assert +a is a


def _count_series(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made = [0]
    original = Series.__init__

    def counting(self: Series) -> None:
        made[0] += 1
        original(self)

    monkeypatch.setattr(Series, "__init__", counting)
    return made


@pytest.mark.parametrize("name", ["sin", "exp", "tan", "erf", "asin", "sigmoid", "atanh"])
def test_each_partial_is_built_once(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    made = _count_series(monkeypatch)
    counts = []
    for order in (4, 16):
        made[0] = 0
        x = leaf([0.3, 1.0] + [0.0] * (order - 1))
        y = rulenodes.unary_node(x, RULES[name])
        y.get(order)
        counts.append(made[0])
    assert counts[0] == counts[1]  # O(1) series per operation: O(K^2) coefficient work


def test_sin_and_cos_share_one_cycle() -> None:
    x = leaf([0.0, 1.0, 0.0, 0.0, 0.0])
    s = x.sin()
    s.get(4)
    assert x.memo is not None and x.memo["sin"] is s and x.cos() is x.memo["cos"]


def test_series_protocol() -> None:
    x = leaf([2.0, 1.0])
    assert x > 1 and x >= 2 and x <= 2 and x < 3 and x == 2.0 and x != 1.0 and bool(x)
    assert x.value == 2.0 and "Series" in repr(x)
    with pytest.raises(IndexError, match="degree 1"):
        x.get(2)
    with pytest.raises(ZeroDivisionError):
        (leaf([1.0, 1.0]) / leaf([0.0, 1.0])).get(0)

"""The documentation's code runs as printed: every python block of docs/*.md that is a script,
each on its own (blocks written as doctests, ``>>>``, are run by pytest's --doctest-glob)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCKS = [
    pytest.param(block, id=f"{page.stem}-{i}")
    for page in sorted(DOCS.glob("*.md"))
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))
    if not block.lstrip().startswith(">>>")
    and "__main__" not in block  # scripts for worker processes: tests/test_readme.py runs them
]


@pytest.mark.parametrize("block", BLOCKS)
def test_block_runs(block: str, capsys: pytest.CaptureFixture[str]) -> None:
    for module in re.findall(r"^import (\w+)", block, re.M):
        pytest.importorskip(module)
    exec(compile(block, "<docs>", "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out  # each block shows what it computes


def test_the_custom_rules_page_has_its_blocks() -> None:
    assert sum("custom-rules" in p.id for p in BLOCKS) >= 5

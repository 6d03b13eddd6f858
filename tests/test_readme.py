"""The README's code runs as printed (its doctests run as part of the suite too)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def block_after(heading: str) -> str:
    """The first ```python block after `heading`."""
    section = README[README.index(heading) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block after {heading!r}"
    return match.group(1)


@pytest.mark.slow
def test_the_scaling_out_snippet_runs_as_printed(tmp_path):
    pytest.importorskip("distributed")
    script = tmp_path / "scaling_out.py"
    script.write_text(block_after("## Scaling out"))
    subprocess.run([sys.executable, str(script)], check=True, timeout=300, cwd=tmp_path)


def test_commands_printed_in_the_readme_name_existing_scripts():
    root = Path(__file__).resolve().parent.parent
    for script in re.findall(r"python3? ((?:examples|benchmarks)/\w+\.py)", README):
        assert (root / script).is_file(), script

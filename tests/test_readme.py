"""The README and the documentation pages say what is true of this checkout.

Their ``>>>`` examples run as doctests (``--doctest-glob=*.md``); the code blocks that are
programs rather than sessions run here. The site itself is built, strictly, by the test
command (``python3 tasks.py test``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.relative_to(ROOT).as_posix(): p.read_text("utf-8") for p in (ROOT / "docs").glob("*.md")}
PAGES = {"README.md": README, **DOCS}


def block_after(text: str, heading: str) -> str:
    """The first ```python block after `heading`."""
    section = text[text.index(heading) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block after {heading!r}"
    return match.group(1)


@pytest.mark.slow
def test_the_parallel_page_snippet_runs_as_printed(tmp_path):
    pytest.importorskip("distributed")
    script = tmp_path / "scaling_out.py"
    script.write_text(block_after(DOCS["docs/parallel.md"], "## Worker processes and Dask"))
    subprocess.run([sys.executable, str(script)], check=True, timeout=300, cwd=tmp_path)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_commands_printed_name_existing_scripts(page):
    for script in re.findall(r"((?:examples|benchmarks)/\w+\.py)", PAGES[page]):
        assert (ROOT / script).is_file(), f"{page}: {script}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pictures_shown_are_made_by_the_main_job(page):
    """Each picture is one the main job writes to plots/ (no copies kept under docs/)."""
    tasks = (ROOT / "tasks.py").read_text("utf-8")
    for png in re.findall(r"!\[[^\]]*\]\(plots/(\w+)\.png\)", PAGES[page]):
        assert (ROOT / "plots" / f"{png}.png").is_file(), f"{page}: {png}"
        assert re.search(rf"(examples|benchmarks)/{png}\.py", tasks), f"{page}: {png}"


def test_readme_is_for_users_first():
    assert len(README.splitlines()) <= 250
    assert len(re.findall(r"!\[", README)) <= 3  # the headline pictures, no more
    assert "git+URL" not in README and "<url>" not in README.lower()
    first = README.index("## ")
    for heading in ("## Install", "## A first example", "## The commands", "## A tour"):
        assert heading in README, heading
        assert README.index(heading) < README.index("## Pictures"), heading
    assert README.index("## Install") >= first


def test_readme_links_into_the_docs_resolve():
    for target in re.findall(r"\]\((docs/[^)#]*)", README):
        assert (ROOT / target).exists(), target


def test_readme_names_both_commands_with_measured_durations():
    for command in ("python3 tasks.py plots", "python3 tasks.py test", "python3 tasks.py docs"):
        assert command in README, command
    measured = re.search(r"the main job (takes|took) (about )?\d+(-\d+)? s(econds)?", README)
    assert measured, "the main job's measured duration"
    assert "DURATION" not in README and "~25 minutes" not in README


def test_every_docs_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in (ROOT / "docs").rglob("*.md"):
        assert page.relative_to(ROOT / "docs").as_posix() in nav, page

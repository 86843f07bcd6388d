"""Every example in README.md and docs/*.md runs as written.

Each page's fenced blocks are read with markdown-it-py (the CommonMark parser Rich already
depends on). Blocks labelled ``bash``, ``sh`` or ``console`` (its ``$ `` lines) run with
``bash -euo pipefail``; ``python`` blocks run with the virtual environment's Python. A page's
blocks run in order, so a block may use what an earlier block of the same page wrote, in a fresh
copy of the files the repository ships (``examples/``, ``scripts/``, ``docs/``), with the real
data folder beside it as ``../shared/data`` and the virtual environment's ``bin`` first on PATH, as
the README's set-up says. Every output must go under ``out/``: a page that writes anything else in
the working directory fails.

Blocks that must not run here (they start a server, install software, need a Spark cluster) are
listed, each with a reason, in ONE place: ``docs/skipped-examples.toml``. A runnable block that
neither runs nor is listed fails the test, and so does a listed block that no longer exists, and a
fence with no language (label it ``text`` when it is not meant to run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
PAGES = ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))]
SKIP_FILE = REPO / "docs" / "skipped-examples.toml"
SHELL = {"bash", "sh", "console"}
RUN = SHELL | {"python"}
# fences that document rather than run: file contents, outputs, command synopses
NOT_RUN = {"text", "toml", "json", "csv", "tsv", "html", "yaml", "ini", "r", "sql", "diff"}
SHIPPED = ("examples", "scripts", "docs")
BLOCK_TIMEOUT = 300  # seconds; the slowest example (the LAUSD main job) takes about 25 s


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    text: str

    @property
    def first_line(self) -> str:
        return next((ln.strip() for ln in self.text.splitlines() if ln.strip()), "")

    def where(self) -> str:
        return f"{self.page}:{self.line} ({self.lang}: {self.first_line!r})"


def page_blocks(page: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    tokens = MarkdownIt("commonmark").parse((REPO / page).read_text(encoding="utf-8"))
    return [
        Block(page, t.map[0] + 1, t.info.strip().split()[0].lower() if t.info.strip() else "",
              t.content)
        for t in tokens
        if t.type == "fence"
    ]


def load_skips() -> list[dict]:
    entries = tomllib.loads(SKIP_FILE.read_text(encoding="utf-8")).get("skip", [])
    for e in entries:
        assert set(e) == {"page", "first_line", "reason"}, f"{SKIP_FILE.name}: bad entry {e}"
        assert e["reason"].strip(), f"{SKIP_FILE.name}: {e['page']} {e['first_line']!r} needs a reason"
    return entries


def is_skipped(block: Block, skips: list[dict]) -> bool:
    return any(e["page"] == block.page and e["first_line"] == block.first_line for e in skips)


def shell_script(block: Block) -> str:
    """The commands of a shell block (a console block's ``$ `` lines and their continuations)."""
    if block.lang != "console":
        return block.text
    lines, cont = [], False
    for ln in block.text.splitlines():
        if ln.startswith("$ "):
            lines.append(ln[2:])
        elif cont:
            lines.append(ln)
        else:
            continue
        cont = ln.rstrip().endswith("\\")
    return "\n".join(lines) + "\n"


def test_every_fence_is_labelled_and_known():
    bad = [
        f"{b.where()}: " + ("no language: label it (text when it is not meant to run)"
                            if not b.lang else f"unknown language {b.lang!r}")
        for page in [*PAGES, "PRIVACY.md"]
        for b in page_blocks(page)
        if b.lang not in RUN | NOT_RUN
    ]
    assert not bad, "\n".join(bad)


def test_skip_list_names_existing_runnable_blocks():
    skips = load_skips()
    blocks = [b for page in PAGES for b in page_blocks(page) if b.lang in RUN]
    stale = [e for e in skips if not any(e["page"] == b.page and e["first_line"] == b.first_line
                                         for b in blocks)]
    assert not stale, f"{SKIP_FILE.name} lists blocks that no page has: {stale}"


def test_runnable_blocks_have_no_optional_syntax():
    """`[--names ...]` breaks copy-paste: options go in prose or a ``text`` block."""
    import re

    pattern = re.compile(r"\[--?[a-z]")
    bad = [b.where() for page in PAGES for b in page_blocks(page)
           if b.lang in SHELL and pattern.search(b.text)]
    assert not bad, "optional syntax in runnable blocks: " + ", ".join(bad)


def _workspace(tmp_path: Path, data: Path) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    for name in SHIPPED:
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for f in ("README.md", "PRIVACY.md", "pyproject.toml"):
        shutil.copy2(REPO / f, root / f)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data, target_is_directory=True)
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return root


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EQUITABLE_DATABASE", "EQUITABLE_DASHBOARD", "PYTEST"))}
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(Path(sys.prefix))
    env["PWD"] = str(root)
    env.pop("EQUITABLE_DATA_DIR", None)  # found as ../shared/data, as the README says
    return env


def _run(block: Block, root: Path, env: dict[str, str]) -> None:
    if block.lang == "python":
        cmd = [sys.executable, "-c", block.text]
    else:
        cmd = ["bash", "-euo", "pipefail", "-c", shell_script(block)]
    try:
        proc = subprocess.run(cmd, check=False, cwd=root, env=env, capture_output=True, text=True,
                              timeout=BLOCK_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{block.where()}: still running after {BLOCK_TIMEOUT} s")
    if proc.returncode != 0:
        pytest.fail(
            f"{block.where()} failed (exit {proc.returncode}):\n{block.text}\n"
            f"--- stdout (end) ---\n{proc.stdout[-3000:]}\n--- stderr (end) ---\n{proc.stderr[-3000:]}"
        )


RUNNABLE_PAGES = [p for p in PAGES if any(b.lang in RUN for b in page_blocks(p))]


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_page_examples_run(page, tmp_path, data_dir):
    skips = load_skips()
    blocks = [b for b in page_blocks(page) if b.lang in RUN and not is_skipped(b, skips)]
    if not blocks:
        pytest.skip(f"every runnable block of {page} is listed in {SKIP_FILE.name}")
    root = _workspace(tmp_path, data_dir)
    before = {p.name for p in root.iterdir()}
    env = _env(root)
    for block in blocks:
        _run(block, root, env)
    stray = sorted({p.name for p in root.iterdir()} - before - {"out"})
    assert not stray, f"{page}: examples wrote {stray} outside out/ (write outputs under out/)"

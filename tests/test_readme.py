"""The README's shell blocks work when pasted into a terminal."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def shell_blocks():
    return re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_no_line_of_a_readme_shell_block_continues_with_a_backslash_before_more_text():
    # `\   # comment` escapes a space instead of continuing the line: the next line runs on its own.
    broken = [line for block in shell_blocks() for line in block.splitlines() if re.search(r"\\\s+\S", line)]
    assert shell_blocks() and not broken, broken


def test_the_readme_says_how_to_serve_make_run_on_another_host_and_port():
    text = README.read_text(encoding="utf-8")
    assert "make run HOST=" in text and "PORT=" in text and "PORTAL_BASE_URL" in text

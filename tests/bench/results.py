"""Writing a benchmark's section into docs/benchmarks.md, between its markers, keeping the rest."""

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nNumbers measured on this project's machines; CI does not time things.\n"


def write_section(name, body):
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else HEADER
    if start in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
    return BENCHMARKS

"""Reading rendered PDFs in tests: the text of each page (pypdf) and how much of a page is ink
(pdftoppm from poppler-utils, at a low resolution)."""

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader


def page_texts(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages]


def ink_fraction(content: bytes, page: int = 1) -> float:
    """The share of non-white pixels on ``page`` (1-based) rendered at 30 dpi."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(content)
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", str(page), "-l", str(page), str(source), str(Path(folder) / "page")],
                       check=True, capture_output=True, timeout=60)
        image = Image.open(next(Path(folder).glob("page*.png"))).convert("L")
        histogram = image.histogram()
    return sum(histogram[:200]) / sum(histogram)

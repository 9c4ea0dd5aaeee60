"""Page images from untrusted files: PNG, JPEG, TIFF (and anything else `vision.images` reads) and PDF.

PDFs are rasterised by poppler's `pdftoppm` at 300 dpi, one page per call, in a child process held
to limits, so a PDF bomb costs a refusal, not the box: at most `MAX_PDF_PAGES` pages, each no larger
than `MAX_PDF_PAGE_MM` a side (so no page exceeds the image pixel limit), `PDF_TIMEOUT_S` per poppler
call and `PDF_MEMORY_BYTES` of address space for it. Every refusal is `UnreadableImage`.
"""

from __future__ import annotations

import re
import resource
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision.images import UnreadableImage, load_gray, load_gray_file

PDF_DPI = 300
MAX_PAGE_FILE_BYTES = 32 * 1024 * 1024
"""A page file above this is refused unread: an uncompressed colour A4 scan at 300 dpi is 26 MB."""
MAX_PDF_PAGES = 20
MAX_PDF_PAGE_MM = 450.0
"""A3 is 297 x 420 mm; at 300 dpi a 450 mm square page is 28 MP, inside the image pixel limit."""
PDF_TIMEOUT_S = 20.0
PDF_MEMORY_BYTES = 1024 * 1024 * 1024
_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class PageImage:
    """One page of an input file (`page` counts from 1) as 8-bit grayscale."""

    file: Path
    page: int
    gray: np.ndarray


def is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _limit_child_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_BYTES, PDF_MEMORY_BYTES))


def _poppler(args: list[str], path: Path) -> bytes:
    try:
        done = subprocess.run(
            args, capture_output=True, timeout=PDF_TIMEOUT_S, preexec_fn=_limit_child_memory, check=False
        )
    except subprocess.TimeoutExpired:
        raise UnreadableImage(f"PDF took more than {PDF_TIMEOUT_S:g} s to open or render") from None
    except OSError as exc:
        raise UnreadableImage(f"cannot run poppler's {args[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        first = done.stderr.decode(errors="replace").strip().splitlines()
        raise UnreadableImage(f"not a PDF we can read ({first[0] if first else f'exit {done.returncode}'})")
    return done.stdout


def pdf_page_count(path: Path) -> int:
    """The number of pages, after checking the count and every page's size against the limits."""
    size = path.stat().st_size
    if size > MAX_PAGE_FILE_BYTES:
        raise UnreadableImage(f"file of {size} bytes is larger than {MAX_PAGE_FILE_BYTES} bytes")
    info = _poppler(["pdfinfo", "-f", "1", "-l", str(MAX_PDF_PAGES + 1), str(path)], path).decode(errors="replace")
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise UnreadableImage("not a PDF we can read (no page count)")
    pages = int(match.group(1))
    if pages == 0:
        raise UnreadableImage("PDF has no pages")
    if pages > MAX_PDF_PAGES:
        raise UnreadableImage(f"PDF of {pages} pages has more than {MAX_PDF_PAGES}")
    limit = MAX_PDF_PAGE_MM * _PT_PER_MM
    for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE):
        if float(width) > limit or float(height) > limit:
            raise UnreadableImage(
                f"PDF page of {float(width) / _PT_PER_MM:.0f}x{float(height) / _PT_PER_MM:.0f} mm "
                f"is larger than {MAX_PDF_PAGE_MM:.0f} mm a side"
            )
    return pages


def render_pdf_page(path: Path, page: int, *, dpi: int = PDF_DPI) -> np.ndarray:
    """Page `page` (from 1) as grayscale at `dpi`; call `pdf_page_count` first, which checks the sizes."""
    pgm = _poppler(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(path)], path
    )
    return load_gray(pgm)


def page_count(path: Path) -> int:
    """1 for an image, the checked page count for a PDF; raises `UnreadableImage` for bad input."""
    if not path.is_file():
        raise UnreadableImage("no such file")
    return pdf_page_count(path) if is_pdf(path) else 1


def load_page(path: Path, page: int = 1) -> PageImage:
    """One page of a file; `page_count` says how many there are."""
    if is_pdf(path):
        return PageImage(path, page, render_pdf_page(path, page))
    if page != 1:
        raise UnreadableImage(f"an image file has one page, not page {page}")
    return PageImage(path, 1, load_gray_file(path, max_bytes=MAX_PAGE_FILE_BYTES))


def iter_pages(path: Path) -> Iterator[PageImage]:
    """Every page of a file, decoded one at a time so that a long PDF never sits in memory whole."""
    for page in range(1, page_count(path) + 1):
        yield load_page(path, page)

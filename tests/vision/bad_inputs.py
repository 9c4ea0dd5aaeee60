"""Hostile and broken input files, made on the spot: the pipeline must refuse each with one clear line."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def pdf(pages: int, width_pt: float, height_pt: float) -> bytes:
    """A minimal valid PDF of `pages` empty pages of the given size (what a page-size or page-count bomb is)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>"]
    objects += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width_pt} {height_pt}] >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (a decompression bomb's calling card)."""
    data = bytearray(png(1, 1))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def truncated_jpeg(page: Image.Image) -> bytes:
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()[: len(buffer.getvalue()) // 3]


def write_bad_files(folder: Path, page: Image.Image) -> dict[str, tuple[Path, str]]:
    """name -> (file, a phrase its error line must contain), for every kind of bad input the issue names."""
    files = {
        "40mb-image": ("big.bmp", None, "larger than"),
        "zero-bytes": ("empty.png", b"", "empty input"),
        "truncated-jpeg": ("cut.jpg", truncated_jpeg(page), "damaged"),
        "pdf-bomb": ("bomb.pdf", pdf(1, 200_000, 200_000), "larger than 450 mm"),
        "one-pixel": ("dot.png", png(1, 1), "too small"),
        "huge-header": ("huge.png", png_claiming(30000, 30000), "larger than 60000000 pixels"),
    }
    out = {}
    for name, (file_name, payload, phrase) in files.items():
        path = folder / file_name
        if payload is None:  # 40 MB of real pixels: an uncompressed 6400 x 6400 grey bitmap
            Image.fromarray(np.full((6400, 6400), 255, np.uint8)).save(path, "BMP")
        else:
            path.write_bytes(payload)
        out[name] = (path, phrase)
    return out

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from vision.pipeline import MAX_PIXELS, UnreadableImage, read_cmr
from vision.synth import generate_cmr, png_bytes

# Pages whose four fields Tesseract reads exactly (most do; see bench/skeleton.py for the rate).
SEEDS = (3, 11, 42)


@pytest.mark.parametrize("seed", SEEDS)
def test_reads_the_four_fields_of_a_clean_page(seed: int) -> None:
    page = generate_cmr(seed)
    result = read_cmr(png_bytes(page))
    assert result.doc_type == "cmr"
    assert {name: reading.value for name, reading in result.fields.items()} == page.truth["fields"]
    for reading in result.fields.values():
        assert 0.0 < reading.confidence <= 1.0


def test_accepts_arrays_and_pil_images_alike() -> None:
    page = generate_cmr(3)
    from_pil = read_cmr(page.image).fields
    from_array = read_cmr(np.asarray(page.image)).fields
    assert {k: v.value for k, v in from_pil.items()} == {k: v.value for k, v in from_array.items()}


def test_result_dict_has_the_field_contract() -> None:
    result = read_cmr(png_bytes(generate_cmr(3))).to_dict()
    assert set(result) == {"doc_type", "fields", "timings_ms"}
    for field in result["fields"].values():
        assert set(field) == {"value", "confidence"}


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (a decompression bomb's calling card)."""
    import struct
    import zlib

    data = bytearray(_png(1, 1))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty"),
        (b"definitely not an image", "not an image"),
        (_png(1, 1), "too small"),
        (_png_claiming(30000, 30000), f"larger than {MAX_PIXELS}"),
        (png_bytes(generate_cmr(1))[:5000], "damaged"),
    ],
    ids=["empty", "garbage", "1x1", "huge-header", "truncated"],
)
def test_bad_input_is_refused_with_a_clear_error(payload: bytes, message: str) -> None:
    with pytest.raises(UnreadableImage, match=message):
        read_cmr(payload)


def test_the_reader_never_imports_the_generator() -> None:
    """The pipeline must not peek at ground truth: reading a page loads no vision.synth module."""
    code = (
        "import sys; from pathlib import Path; from vision.pipeline import read_cmr; "
        "read_cmr(Path(sys.argv[1]).read_bytes()); "
        "print([m for m in sys.modules if m.startswith('vision.synth')])"
    )
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(png_bytes(generate_cmr(3)))
        handle.flush()
        out = subprocess.run([sys.executable, "-c", code, handle.name], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

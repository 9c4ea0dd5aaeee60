from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image

from kiosk.cli import main

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "barcodes" / "zxing-cpp-samples"


def _qr_png(text: str) -> bytes:
    image = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode), scale=4)
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buffer, "PNG")
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _barcodes(*args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    result = CliRunner().invoke(main, ["vision", "barcodes", *args, "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, lines, result.stderr.splitlines()


def test_bad_files_get_one_line_each_and_the_good_ones_are_still_read(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a-good.png").write_bytes(_qr_png("FIRST"))
    (tmp_path / "nested" / "z-good.png").write_bytes(_qr_png("SECOND"))
    (tmp_path / "notes.txt").write_text("not an image, and not named: skipped")
    one_by_one = io.BytesIO()
    Image.new("L", (1, 1), 0).save(one_by_one, "PNG")
    bad = {
        "b-empty.png": b"",
        "c-truncated.png": _qr_png("CUT")[:150],
        "d-garbage.jpg": b"\x00garbage" * 10,
        "e-1x1.png": one_by_one.getvalue(),
        "f-huge.png": _png_claiming(30000, 30000),
    }
    for name, payload in bad.items():
        (tmp_path / name).write_bytes(payload)

    code, lines, errors = _barcodes(str(tmp_path))

    assert code == 2
    assert [(Path(line["file"]).name, [c["text"] for c in line["codes"]]) for line in lines] == [
        ("a-good.png", ["FIRST"]), ("z-good.png", ["SECOND"]),
    ]
    assert len(errors) == len(bad)
    for name, line in zip(sorted(bad), errors, strict=True):
        assert line.startswith(f"cez-kiosk: {tmp_path / name}: ")
    first = lines[0]["codes"][0]
    assert set(first) == {"format", "text", "bytes_hex", "position"}
    assert first["format"] == "QRCode" and first["bytes_hex"] == b"FIRST".hex()


def test_all_good_input_exits_zero_and_a_missing_file_exits_two(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    good.write_bytes(_qr_png("OK"))
    assert _barcodes(str(good))[0] == 0
    code, lines, errors = _barcodes(str(tmp_path / "absent.png"), str(good))
    assert code == 2 and len(lines) == 1 and len(errors) == 1 and "absent.png" in errors[0]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"shared barcode samples absent at {SAMPLES}")
def test_one_line_per_image_of_a_samples_folder() -> None:
    folder = SAMPLES / "qrcode-1"
    images = sorted(p for p in folder.iterdir() if p.suffix in {".png", ".webp", ".jpg"})
    code, lines, errors = _barcodes(str(folder))
    assert code == 0 and errors == []
    assert [line["file"] for line in lines] == [str(p) for p in images]
    decoded = sum(
        any(c["text"] == p.with_suffix(".txt").read_bytes().decode() for c in line["codes"])
        for p, line in zip(images, lines, strict=True)
    )
    assert decoded == len(images)


def test_a_huge_header_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """Under a 2 GB address-space limit, a PNG claiming 30000x30000 exits 2, not with a crash."""
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_claiming(30000, 30000))
    result = subprocess.run(
        ["prlimit", "--as=2000000000", sys.executable, "-m", "kiosk.cli", "vision", "barcodes", str(huge), "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"cez-kiosk: {huge}: image is larger than 60000000 pixels"]

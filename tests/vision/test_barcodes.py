from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from vision.barcodes import ReaderOptions, image_files, read_codes, read_codes_file
from vision.images import MAX_FILE_BYTES, MAX_PIXELS, UnreadableImage

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "barcodes" / "zxing-cpp-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"shared barcode samples absent at {SAMPLES}")


def _symbol(content: str, barcode_format: zxingcpp.BarcodeFormat, scale: int = 4) -> np.ndarray:
    barcode = zxingcpp.create_barcode(content, barcode_format)
    return np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=scale))


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (a decompression bomb's calling card)."""
    data = bytearray(_png(np.full((1, 1), 255, np.uint8)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    ("barcode_format", "content", "text"),
    [
        (zxingcpp.BarcodeFormat.QRCode, "CEZ-2026-000123", "CEZ-2026-000123"),
        (zxingcpp.BarcodeFormat.DataMatrix, "GE/TR 8471.30", "GE/TR 8471.30"),
        (zxingcpp.BarcodeFormat.PDF417, "CMR 0042 TBILISI", "CMR 0042 TBILISI"),
        (zxingcpp.BarcodeFormat.Aztec, "AZTEC 99", "AZTEC 99"),
        (zxingcpp.BarcodeFormat.Code128, "MSCU1234565", "MSCU1234565"),
        (zxingcpp.BarcodeFormat.EAN13, "590123412345", "5901234123457"),
    ],
    ids=lambda value: value.name if isinstance(value, zxingcpp.BarcodeFormat) else None,
)
def test_reads_the_customs_symbologies(barcode_format: zxingcpp.BarcodeFormat, content: str, text: str) -> None:
    codes = read_codes(_symbol(content, barcode_format))
    assert [(code.format, code.text, code.bytes_hex) for code in codes] == [
        (barcode_format.name, text, text.encode().hex())
    ]
    assert codes[0].reader == "zxing"


def test_position_frames_the_symbol_on_a_larger_page() -> None:
    page = np.full((600, 800), 255, np.uint8)
    symbol = _symbol("POSITION", zxingcpp.BarcodeFormat.QRCode)
    page[200:200 + symbol.shape[0], 300:300 + symbol.shape[1]] = symbol
    (code,) = read_codes(page)
    xs = [x for x, _ in code.position]
    ys = [y for _, y in code.position]
    assert 300 <= min(xs) < max(xs) <= 300 + symbol.shape[1]
    assert 200 <= min(ys) < max(ys) <= 200 + symbol.shape[0]
    assert code.to_dict() == {"format": "QRCode", "text": "POSITION", "bytes_hex": b"POSITION".hex(),
                              "position": code.position}


@needs_samples
def test_gs1_separators_reach_the_caller_unchanged() -> None:
    sample = SAMPLES / "datamatrix-1" / "gs1-figure-4.15.1-2-32x32.png"
    expected = sample.with_suffix(".txt").read_bytes().decode()
    assert "\x1d" in expected
    assert [code.text for code in read_codes_file(sample)] == [expected]


def test_two_codes_on_one_page_are_both_found() -> None:
    page = np.full((400, 900), 255, np.uint8)
    first = _symbol("FIRST", zxingcpp.BarcodeFormat.QRCode)
    second = _symbol("SECOND", zxingcpp.BarcodeFormat.DataMatrix)
    page[50:50 + first.shape[0], 50:50 + first.shape[1]] = first
    page[50:50 + second.shape[0], 500:500 + second.shape[1]] = second
    assert sorted(code.text for code in read_codes(page)) == ["FIRST", "SECOND"]


def test_a_blank_or_noisy_page_has_no_code() -> None:
    noise = np.random.default_rng(5).integers(0, 256, (300, 300), dtype=np.uint8)
    assert read_codes(np.full((300, 300), 255, np.uint8)) == []
    assert read_codes(noise) == []


def test_format_restriction_is_honoured() -> None:
    qr = _symbol("ONLY QR", zxingcpp.BarcodeFormat.QRCode)
    assert read_codes(qr, ReaderOptions(formats=zxingcpp.barcode_formats_from_str("DataMatrix"))) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty"),
        (b"definitely not an image", "not an image"),
        (_png(np.full((1, 1), 255, np.uint8)), "too small"),
        (_png_claiming(30000, 30000), f"larger than {MAX_PIXELS}"),
        (_png(_symbol("TRUNCATED", zxingcpp.BarcodeFormat.QRCode))[:200], "damaged"),
    ],
    ids=["empty", "garbage", "1x1", "huge-header", "truncated"],
)
def test_bad_files_are_refused_with_a_clear_error(tmp_path: Path, payload: bytes, message: str) -> None:
    path = tmp_path / "input.png"
    path.write_bytes(payload)
    with pytest.raises(UnreadableImage, match=message):
        read_codes_file(path)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as sparse:  # a hole, not 64 MiB of disk
        sparse.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UnreadableImage, match=f"larger than {MAX_FILE_BYTES} bytes"):
        read_codes_file(path)


def test_a_single_row_of_pixels_is_still_an_image(tmp_path: Path) -> None:
    row = _symbol("12345670", zxingcpp.BarcodeFormat.EAN8, scale=2)[40:41]
    path = tmp_path / "row.png"
    path.write_bytes(_png(row))
    assert [code.text for code in read_codes_file(path)] == ["12345670"]


def test_directories_are_walked_for_images_only(tmp_path: Path) -> None:
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    for name in ("b/deeper/2.webp", "a.png", "b/1.JPG", "a.txt", "b/notes.result.txt"):
        (tmp_path / name).write_bytes(b"x")
    named = tmp_path / "a.txt"
    found = list(image_files([tmp_path, named]))
    assert found == [tmp_path / "a.png", tmp_path / "b/1.JPG", tmp_path / "b/deeper/2.webp", named]


@needs_samples
def test_no_false_positive_on_upstream_samples() -> None:
    for path in sorted((SAMPLES / "falsepositives-1").glob("*")):
        if path.stem == "1x1":
            with pytest.raises(UnreadableImage, match="too small"):
                read_codes_file(path)
        elif path.suffix in {".png", ".webp", ".jpg"}:
            assert read_codes_file(path) == [], path.name


@needs_samples
def test_ean_add_ons_are_read_only_when_asked() -> None:
    sample = SAMPLES / "ean13-extension-1" / "1.png"
    expected = sample.with_suffix(".txt").read_text()
    assert [code.text for code in read_codes_file(sample)] == [expected[:13]]
    with_add_on = ReaderOptions(ean_add_on=zxingcpp.EanAddOnSymbol.Require)
    assert [code.text for code in read_codes_file(sample, with_add_on)] == [expected]


@needs_samples
@pytest.mark.parametrize(
    ("sample", "reader"),
    [("datamatrix-5/issue794-13-4.webp", "zxing:upscaled"), ("qrcode-4/08.webp", "pyzbar")],
)
def test_retries_find_what_the_first_pass_misses(sample: str, reader: str) -> None:
    path = SAMPLES / sample
    expected = path.with_suffix(".txt").read_bytes().decode()
    assert [(code.text, code.reader) for code in read_codes_file(path)] == [(expected, reader)]


@needs_samples
def test_a_retail_code_seen_only_after_upscaling_needs_a_second_scale() -> None:
    """At 2x alone this UPC-E reads as 0170268000095; the printed code is 0050968000093."""
    path = SAMPLES / "upce-2" / "02.webp"
    assert "0170268000095" not in [code.text for code in read_codes_file(path)]


def test_a_whole_page_is_read_at_half_resolution_with_positions_in_its_pixels() -> None:
    """An A4 page at 300 dpi takes the page path: a QR and a thin-barred Code128 are both found,
    framed in the page's own pixels."""
    page = np.full((3508, 2480), 255, np.uint8)
    qr = _symbol("CEZ-PAGE-QR", zxingcpp.BarcodeFormat.QRCode, scale=6)
    bars = _symbol("MSCU1234565", zxingcpp.BarcodeFormat.Code128, scale=2)
    page[300:300 + qr.shape[0], 1800:1800 + qr.shape[1]] = qr
    page[3000:3000 + bars.shape[0], 400:400 + bars.shape[1]] = bars
    codes = {code.text: code for code in read_codes(page, retries=False)}
    assert set(codes) == {"CEZ-PAGE-QR", "MSCU1234565"}
    assert {codes["CEZ-PAGE-QR"].reader, codes["MSCU1234565"].reader} <= {"zxing:half", "zxing:rows"}
    xs = [x for x, _ in codes["CEZ-PAGE-QR"].position]
    ys = [y for _, y in codes["CEZ-PAGE-QR"].position]
    assert 1795 <= min(xs) < max(xs) <= 1805 + qr.shape[1]
    assert 295 <= min(ys) < max(ys) <= 305 + qr.shape[0]
    (bars_y,) = {y for _, y in codes["MSCU1234565"].position[:1]}
    assert 2995 <= bars_y <= 3005 + bars.shape[0]


def test_a_blank_page_has_no_code_and_asks_for_no_retry_by_default() -> None:
    assert read_codes(np.full((3508, 2480), 255, np.uint8), retries=False) == []
    assert read_codes(np.full((3508, 2480), 255, np.uint8)) == []

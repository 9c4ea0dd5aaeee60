"""The barcode part of `bench/vision.py`: our reader against raw zxing-cpp and pyzbar, on zxing-cpp's samples.

Per folder of `barcodes/zxing-cpp-samples`: images decoded and misreads (something decoded, none
of it the expected content) for our reader (`vision.barcodes.read_codes`, the kiosk's one
configuration), raw `zxingcpp.read_barcodes` with default options, and pyzbar, all on the same
decoded grayscale images; next to them, the count zxing-cpp's own test runner expects
(`upstream_expected_pass_counts.csv`, rotation 0, slow mode). Folders for which upstream sets
reader options (EAN add-ons required, UPC-A only) get a second, like-for-like row: our reader and
raw zxing-cpp with those options. `falsepositives-*` count images where anything decoded.

Expected content: `X.txt` holds zxing-cpp's Plain text, read as bytes (its CR LF line ends are
content); `X.bin` holds binary content. A result matches when its text equals the expected text or
its bytes equal the expected bytes; the same rule for every reader (raw zxing-cpp's default text is
the human-readable form, its bytes are the content). Structured-append folders (one symbol spread
over several images, `NN-MM.png` -> `NN.txt`) are reported apart: the Python binding exposes no
sequence index to merge the parts by, so no reader is scored on them.
"""

from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import zxingcpp
from common import percentiles
from rich.console import Console
from rich.progress import Progress

from vision.barcodes import ReaderOptions, pyzbar_symbols, read_codes
from vision.images import load_gray_file
from vision.synth import generate_cmr

STRUCTURED_APPEND = re.compile(r"^\d+-\d+$")
READERS = ("ours", "raw", "pyzbar")
Found = list[tuple[str, bytes]]


@dataclass
class Tally:
    decoded: int = 0
    misreads: int = 0

    def count(self, found: Found, text: str | None, content: bytes) -> None:
        if any((text is not None and t == text) or b == content for t, b in found):
            self.decoded += 1
        elif found:
            self.misreads += 1

    def add(self, other: Tally) -> None:
        self.decoded += other.decoded
        self.misreads += other.misreads

    def to_dict(self) -> dict[str, int]:
        return {"decoded": self.decoded, "misreads": self.misreads}


@dataclass
class Folder:
    name: str
    images: int = 0
    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in READERS})
    upstream_options: dict[str, Tally] = field(default_factory=dict)
    with_a_code: dict[str, int] = field(default_factory=lambda: dict.fromkeys(READERS, 0))
    """Images where anything decoded, counted where nothing is scored: `falsepositives-*`, and
    images without expected content."""
    unscored: int = 0


def upstream_expected(csv_path: Path) -> dict[str, tuple[int, str]]:
    """folder -> (minimum images upstream decodes at rotation 0 in slow mode, its reader options)."""
    expected: dict[str, tuple[int, str]] = {}
    with csv_path.open(newline="") as rows:
        for row in csv.DictReader(rows):
            if row["rotation_deg"] == "0" and row["min_pass_slow"]:
                expected[row["folder"]] = (int(row["min_pass_slow"]), row["reader_options"])
    return expected


def parse_options(text: str) -> ReaderOptions | None:
    """The CSV's C++ `ReaderOptions()...` chain as ours; None when upstream uses the defaults."""
    if not text:
        return None
    formats = re.search(r"formats\((\w+)", text)
    return ReaderOptions(
        formats=zxingcpp.barcode_formats_from_str(formats.group(1)) if formats else None,
        ean_add_on=zxingcpp.EanAddOnSymbol.Require if "EanAddOnSymbol::Require" in text else
        zxingcpp.EanAddOnSymbol.Ignore,
    )


def expected_content(image: Path) -> tuple[str | None, bytes] | None:
    text_file, binary_file = image.with_suffix(".txt"), image.with_suffix(".bin")
    if text_file.exists():
        content = text_file.read_bytes()
        return content.decode("utf-8", errors="surrogateescape"), content
    if binary_file.exists():
        return None, binary_file.read_bytes()
    return None


def _raw(gray: np.ndarray, options: ReaderOptions | None = None) -> Found:
    kwargs: dict[str, Any] = {}
    if options is not None:
        kwargs["ean_add_on_symbol"] = options.ean_add_on
        if options.formats is not None:
            kwargs["formats"] = options.formats
    return [(r.text, r.bytes) for r in zxingcpp.read_barcodes(gray, **kwargs)]


def _ours(gray: np.ndarray, options: ReaderOptions | None = None) -> Found:
    return [(code.text, bytes.fromhex(code.bytes_hex)) for code in read_codes(gray, options)]


def _pyzbar(gray: np.ndarray) -> Found:
    return [(s.data.decode("utf-8", errors="replace"), s.data) for s in pyzbar_symbols(gray)]


def page_latency(seed: int, pages: int) -> dict[str, Any]:
    """Our reader on whole generated A4 pages at 300 dpi, with a QR code pasted on and without one.

    A page with a code stops after the first pass; a page without one pays for every retry.
    """
    with_code: list[float] = []
    without_code: list[float] = []
    found = 0
    for page_seed in range(seed, seed + pages):
        page = np.asarray(generate_cmr(page_seed).image.convert("L"))
        started = time.perf_counter()
        read_codes(page)
        without_code.append((time.perf_counter() - started) * 1000)
        reference = f"CEZ-{page_seed:08d}"
        symbol = np.asarray(zxingcpp.write_barcode_to_image(
            zxingcpp.create_barcode(reference, zxingcpp.BarcodeFormat.QRCode), scale=8))
        page = page.copy()
        page[150:150 + symbol.shape[0], 1900:1900 + symbol.shape[1]] = symbol
        started = time.perf_counter()
        codes = read_codes(page)
        with_code.append((time.perf_counter() - started) * 1000)
        found += [code.text for code in codes] == [reference]
    return {"pages": pages, "qr_found": found, "with_a_qr_ms": percentiles(with_code),
            "without_a_code_ms": percentiles(without_code)}


def run(data: Path, console: Console, seed: int, pages: int) -> dict[str, Any]:
    samples = data / "zxing-cpp-samples"
    expected = upstream_expected(data / "upstream_expected_pass_counts.csv")
    folder_options = {name: parse_options(options) for name, (_, options) in expected.items()}
    images = sorted(p for p in samples.rglob("*") if p.suffix in {".png", ".jpg", ".webp"})
    folders: dict[str, Folder] = {}
    structured: dict[str, dict[str, int]] = {}
    ours_ms: list[float] = []
    raw_ms: list[float] = []
    with Progress(console=console, transient=True) as progress:
        for image in progress.track(images, description="barcodes"):
            name = image.parent.name
            folder = folders.setdefault(name, Folder(name))
            gray = load_gray_file(image, min_side=1, min_pixels=0)
            started = time.perf_counter()
            found = {"ours": _ours(gray)}
            between = time.perf_counter()
            found["raw"] = _raw(gray)
            raw_ms.append((time.perf_counter() - between) * 1000)
            ours_ms.append((between - started) * 1000)
            found["pyzbar"] = _pyzbar(gray)
            if name.startswith("falsepositives"):
                folder.images += 1
                for reader, codes in found.items():
                    folder.with_a_code[reader] += bool(codes)
                continue
            if STRUCTURED_APPEND.match(image.stem):
                counts = structured.setdefault(name, dict.fromkeys(("part_images", *READERS), 0))
                counts["part_images"] += 1
                for reader, codes in found.items():
                    counts[reader] += bool(codes)
                continue
            truth = expected_content(image)
            if truth is None:
                folder.unscored += 1
                for reader, codes in found.items():
                    folder.with_a_code[reader] += bool(codes)
                continue
            folder.images += 1
            for reader, codes in found.items():
                folder.tallies[reader].count(codes, *truth)
            options = folder_options.get(name)
            if options is not None:
                for reader, codes in (("ours", _ours(gray, options)), ("raw", _raw(gray, options))):
                    folder.upstream_options.setdefault(reader, Tally()).count(codes, *truth)
    report = _report(folders, structured, expected, ours_ms, raw_ms)
    report["a4_page_latency"] = page_latency(seed, pages)
    return report


def _report(folders: dict[str, Folder], structured: dict[str, dict[str, int]],
            expected: dict[str, tuple[int, str]], ours_ms: list[float], raw_ms: list[float]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    below: list[str] = []
    totals = {reader: Tally() for reader in READERS}
    like_for_like = {reader: Tally() for reader in ("ours", "raw")}
    false_positives = dict.fromkeys(READERS, 0)
    for name in sorted(folders):
        folder = folders[name]
        if name.startswith("falsepositives"):
            for reader in READERS:
                false_positives[reader] += folder.with_a_code[reader]
            rows.append({"folder": name, "images": folder.images, "false_positives": folder.with_a_code})
            continue
        if folder.images == 0:
            if folder.unscored:
                rows.append({"folder": name, "images_without_expected_content": folder.unscored,
                             "images_with_a_code": folder.with_a_code})
            continue
        row: dict[str, Any] = {"folder": name, "images": folder.images}
        for reader in READERS:
            totals[reader].add(folder.tallies[reader])
            row[reader] = folder.tallies[reader].to_dict()
        for reader, tally in like_for_like.items():
            tally.add(folder.upstream_options.get(reader, folder.tallies[reader]))
        if name in expected:
            minimum, options = expected[name]
            row["upstream_expected"] = minimum
            judged = folder.tallies["ours"].decoded
            if folder.upstream_options:
                row["upstream_reader_options"] = options
                row["with_upstream_options"] = {
                    reader: tally.to_dict() for reader, tally in folder.upstream_options.items()
                }
                judged = folder.upstream_options["ours"].decoded
            row["meets_expected"] = judged >= minimum
            if not row["meets_expected"]:
                below.append(name)
        rows.append(row)
    for name, counts in sorted(structured.items()):
        rows.append({"folder": name, "structured_append": True, "expected": expected.get(name, (None, ""))[0],
                     "parts_with_a_code": counts})
    summary = {reader: tally.to_dict() for reader, tally in totals.items()}
    return {
        "images_scored": sum(f.images for f in folders.values() if not f.name.startswith("falsepositives")),
        "totals": summary,
        "totals_with_upstream_options_where_set": {reader: tally.to_dict() for reader, tally in like_for_like.items()},
        "false_positives": false_positives,
        "folders_below_upstream_expected": below,
        "latency_ms": {"ours": percentiles(ours_ms), "raw": percentiles(raw_ms)},
        "targets": {
            "at_or_above_upstream_expected_in_every_folder": not below,
            "more_decoded_than_raw": summary["ours"]["decoded"] > summary["raw"]["decoded"],
            "misreads_not_above_raw": summary["ours"]["misreads"] <= summary["raw"]["misreads"],
            "zero_false_positives": false_positives["ours"] == 0,
        },
        "folders": rows,
    }


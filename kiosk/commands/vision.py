"""`cez-kiosk vision`: read documents and codes from image files, as the kiosk's pipeline does."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import emit_line


@click.group()
def vision() -> None:
    """Read barcodes and documents from image files."""


@vision.command("barcodes")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per image.")
def barcodes(paths: tuple[Path, ...], as_json: bool) -> None:
    """Find and decode every barcode in images (directories are walked recursively).

    A file that is not a readable image gets one line on stderr and the next file is read; the
    exit code is then 2.
    """
    from vision.barcodes import image_files, read_codes_file
    from vision.images import UnreadableImage

    bad = 0
    for file in image_files(list(paths)):
        try:
            codes = read_codes_file(file)
        except UnreadableImage as exc:
            bad += 1
            click.echo(f"cez-kiosk: {file}: {exc}", err=True)
            continue
        if as_json:
            emit_line({"file": str(file), "codes": [code.to_dict() for code in codes]})
        else:
            found = "; ".join(f"{code.format} {code.text!r}" for code in codes) or "no code"
            click.echo(f"{file}: {found}")
    if bad:
        raise SystemExit(2)

"""Synthetic documents with ground truth, for tests, benchmarks, training and the scanner simulator."""

from vision.synth.cmr import SynthPage, generate_cmr, png_bytes

__all__ = ["SynthPage", "generate_cmr", "png_bytes"]

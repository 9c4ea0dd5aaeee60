"""Synthetic documents with ground truth, for tests, benchmarks, training and the scanner simulator.

`generate(kind, seed, degrade=..., dpi=..., variant=...)` renders any kind; `generate_cmr(seed)` is
the classic CMR page the zonal reader and the demo's scanner use.
"""

from vision.synth.cmr import SynthPage, generate_cmr, png_bytes
from vision.synth.generator import KINDS, LAYOUTS, Variant, generate, variants

__all__ = ["KINDS", "LAYOUTS", "SynthPage", "Variant", "generate", "generate_cmr", "png_bytes", "variants"]

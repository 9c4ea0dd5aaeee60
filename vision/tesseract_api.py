"""Warm Tesseract: libtesseract's C API through ctypes, one initialised engine per language set, reused.

pytesseract starts a `tesseract` process per call, which loads every language model again: ~0.2 s
of CPU for `eng`, ~0.9 s for five Latin languages, before a single word is read; a CMR page makes
six such calls. Here an engine is initialised once per language set and process and lent to one
thread at a time (a `TessBaseAPI` is not thread-safe); ctypes drops the GIL during the calls, so
zones read in threads still use both cores. Recognition is the same as the CLI's (same library,
same page segmentation, resolution estimated the same way).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read by OpenMP when the library loads: see vision.ocr_tesseract

LIBRARY = "libtesseract.so.5"
_WORD, _TEXTLINE = 3, 2  # TessPageIteratorLevel: RIL_WORD, RIL_TEXTLINE

RawWord = tuple[str, float, tuple[int, int, int, int], int]
"""text, confidence 0..100, (left, top, right, bottom), the number of the line it is on."""


class TesseractApiError(RuntimeError):
    """The library is missing, or could not initialise a language set (the message says which)."""


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, i, c = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures: dict[str, tuple[Any, list[Any]]] = {
        "TessBaseAPICreate": (p, []),
        "TessBaseAPIDelete": (None, [p]),
        "TessBaseAPIInit3": (i, [p, c, c]),
        "TessBaseAPISetVariable": (i, [p, c, c]),
        "TessBaseAPISetPageSegMode": (None, [p, i]),
        "TessBaseAPISetImage": (None, [p, p, i, i, i, i]),
        "TessBaseAPIRecognize": (i, [p, p]),
        "TessBaseAPIClear": (None, [p]),
        "TessBaseAPIGetIterator": (p, [p]),
        "TessResultIteratorGetPageIterator": (p, [p]),
        "TessResultIteratorDelete": (None, [p]),
        "TessResultIteratorNext": (i, [p, i]),
        "TessResultIteratorGetUTF8Text": (ctypes.POINTER(ctypes.c_char), [p, i]),
        "TessResultIteratorConfidence": (ctypes.c_float, [p, i]),
        "TessPageIteratorIsAtBeginningOf": (i, [p, i]),
        "TessPageIteratorBoundingBox": (i, [p, i, *[ctypes.POINTER(i)] * 4]),
        "TessDeleteText": (None, [ctypes.POINTER(ctypes.c_char)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


_lib: ctypes.CDLL | None = None
_idle: dict[tuple[str, str], list[int]] = {}
_lock = threading.Lock()


def _library() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        try:
            _lib = _declare(ctypes.CDLL(LIBRARY))
        except OSError as exc:
            raise TesseractApiError(f"cannot load {LIBRARY}: {exc}") from None
    return _lib


@atexit.register
def _release_all() -> None:
    """Free the engines before the library's own teardown, which otherwise reports them as leaks on stderr."""
    if _lib is None:
        return
    with _lock:
        for handles in _idle.values():
            for handle in handles:
                _lib.TessBaseAPIDelete(handle)
        _idle.clear()


@contextmanager
def _engine(langs: str, whitelist: str) -> Iterator[int]:
    """An initialised engine for `langs` (and a character whitelist, "" for none), lent to this thread only;
    made on first need, kept for the next."""
    lib = _library()
    key = (langs, whitelist)
    with _lock:
        pool = _idle.setdefault(key, [])
        handle = pool.pop() if pool else None
    if handle is None:
        handle = lib.TessBaseAPICreate()
        # its notes ("Estimating resolution as 192") would land on our stderr, which carries JSON logs only
        lib.TessBaseAPISetVariable(handle, b"debug_file", b"/dev/null")
        if lib.TessBaseAPIInit3(handle, None, langs.encode()) != 0:
            lib.TessBaseAPIDelete(handle)
            raise TesseractApiError(f"tesseract could not load the languages {langs}")
        if whitelist:
            lib.TessBaseAPISetVariable(handle, b"tessedit_char_whitelist", whitelist.encode())
    try:
        yield handle
    finally:
        lib.TessBaseAPIClear(handle)
        with _lock:
            _idle[key].append(handle)


def recognise(gray: np.ndarray, langs: str, psm: int, *, whitelist: str = "") -> list[RawWord]:
    """Every word Tesseract finds on an 8-bit grayscale image, in reading order; `whitelist`: the only characters."""
    lib = _library()
    image = np.ascontiguousarray(gray, dtype=np.uint8)
    height, width = image.shape
    words: list[RawWord] = []
    with _engine(langs, whitelist) as handle:
        lib.TessBaseAPISetPageSegMode(handle, psm)
        lib.TessBaseAPISetImage(handle, image.ctypes.data, width, height, 1, width)
        if lib.TessBaseAPIRecognize(handle, None) != 0:
            return words
        iterator = lib.TessBaseAPIGetIterator(handle)
        if not iterator:
            return words
        try:
            page = lib.TessResultIteratorGetPageIterator(iterator)
            box = [ctypes.c_int() for _ in range(4)]
            line = 0
            while True:
                if lib.TessPageIteratorIsAtBeginningOf(page, _TEXTLINE):
                    line += 1
                raw = lib.TessResultIteratorGetUTF8Text(iterator, _WORD)
                if raw:
                    text = ctypes.string_at(raw).decode("utf-8", errors="replace")
                    lib.TessDeleteText(raw)
                    lib.TessPageIteratorBoundingBox(page, _WORD, *[ctypes.byref(v) for v in box])
                    confidence = float(lib.TessResultIteratorConfidence(iterator, _WORD))
                    words.append((text, confidence, (box[0].value, box[1].value, box[2].value, box[3].value), line))
                if not lib.TessResultIteratorNext(iterator, _WORD):
                    break
        finally:
            lib.TessResultIteratorDelete(iterator)
    return words

"""Document camera through OpenCV: a V4L2 device in production (resolution, exposure and focus set
through the driver), or an image file, a folder of images or a video standing in for it.

`CameraScanner` lets the camera serve as the document scanner: one still per "page".
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from devices.scanner import FeederEmpty, ScannerUnavailable
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

KIND = "camera"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
WARMUP_FRAMES = 3  # V4L2 cameras deliver dark frames while auto-exposure settles


@dataclass(frozen=True)
class CameraSettings:
    """What a technician tunes per kiosk: None leaves the camera's automatic control on."""

    width: int = 1920
    height: int = 1080
    exposure: float | None = None
    focus: float | None = None


class CameraError(RuntimeError):
    """No frame: the camera is missing, or the stand-in source ran out."""


class Camera:
    """`source`: /dev/videoN or a V4L2 index for a real camera; an image, a folder of images or a video."""

    def __init__(self, source: str, name: str = "camera", settings: CameraSettings | None = None) -> None:
        self.source = source
        self.name = name
        self.settings = settings or CameraSettings()
        self.counters = {"frames": 0, "failures": 0}
        self._capture: Any = None
        self._images: list[Path] = []
        self._next_image = 0
        self._lock = threading.Lock()
        self._state, self._detail = DeviceState.ABSENT, "not opened"

    @property
    def is_device(self) -> bool:
        return self.source.isdigit() or self.source.startswith("/dev/video")

    def open(self) -> None:
        """Open the source and apply the settings; CameraError when there is nothing to open."""
        self.close()
        path = Path(self.source)
        if path.is_dir():
            self._images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            self._images = [path]
        else:
            capture = cv2.VideoCapture(int(self.source) if self.source.isdigit() else self.source,
                                       cv2.CAP_V4L2 if self.is_device else cv2.CAP_ANY)
            if not capture.isOpened():
                self._state, self._detail = DeviceState.ABSENT, "cannot open the camera source"
                raise CameraError(f"{self.name}: cannot open {self.source}")
            self._capture = capture
            if self.is_device:
                self._apply(capture)
        if not self._images and self._capture is None:
            self._state, self._detail = DeviceState.ABSENT, "no images in the source"
            raise CameraError(f"{self.name}: no images in {self.source}")
        self._next_image = 0
        self._state, self._detail = DeviceState.READY, "open"

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._images = []

    def _apply(self, capture: Any) -> None:
        settings = self.settings
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, settings.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, settings.height)
        if settings.exposure is not None:
            capture.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1)  # V4L2 "manual" mode
            capture.set(cv2.CAP_PROP_EXPOSURE, settings.exposure)
        if settings.focus is not None:
            capture.set(cv2.CAP_PROP_AUTOFOCUS, 0)
            capture.set(cv2.CAP_PROP_FOCUS, settings.focus)
        for _ in range(WARMUP_FRAMES):
            capture.read()

    def capture(self) -> np.ndarray[Any, Any]:
        """One BGR frame at the configured resolution; CameraError when none comes."""
        with self._lock:
            if self._capture is None and not self._images:
                self.open()
            frame = self._read()
        if frame is None:
            self.counters["failures"] += 1
            self._state, self._detail = DeviceState.DEGRADED, "source exhausted"
            raise CameraError(f"{self.name}: no frame")
        self.counters["frames"] += 1
        self._state, self._detail = DeviceState.READY, "frame captured"
        size = (self.settings.width, self.settings.height)
        if not self.is_device and (frame.shape[1], frame.shape[0]) != size:
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)  # stand-ins deliver what the camera would
        return frame

    def _read(self) -> np.ndarray[Any, Any] | None:
        if self._images:
            if self._next_image >= len(self._images):
                return None
            frame = cv2.imread(str(self._images[self._next_image]), cv2.IMREAD_COLOR)
            self._next_image += 1
            return frame
        ok, frame = self._capture.read()
        return frame if ok else None

    def capture_png(self) -> bytes:
        ok, encoded = cv2.imencode(".png", self.capture())
        if not ok:
            raise CameraError(f"{self.name}: PNG encoding failed")
        return bytes(encoded.tobytes())

    def status(self) -> DeviceStatus:
        """The last capture's outcome; a camera not opened yet is opened to find out."""
        if self._capture is None and not self._images and self._state is DeviceState.ABSENT:
            with contextlib.suppress(CameraError):
                self.open()
        return DeviceStatus(self.name, KIND, self._state, self._detail)

    def self_test(self) -> DeviceStatus:
        """Open the source and take one frame; a stand-in source is rewound afterwards."""
        try:
            self.open()
            frame = self.capture()
            self.open()
        except CameraError as exc:
            return DeviceStatus(self.name, KIND, self._state, str(exc))
        return DeviceStatus(self.name, KIND, DeviceState.READY, f"{frame.shape[1]}x{frame.shape[0]} frame")


class CameraScanner:
    """The camera as a document scanner: `scan` returns one PNG still per page."""

    def __init__(self, camera: Camera) -> None:
        self.camera = camera
        self.name = camera.name

    def scan(self, timeout: float = 30) -> bytes:
        try:
            return self.camera.capture_png()
        except CameraError as exc:
            if self.camera.status().state is DeviceState.DEGRADED:
                raise FeederEmpty(str(exc)) from exc
            raise ScannerUnavailable(str(exc)) from exc

    def status(self) -> DeviceStatus:
        return self.camera.status()

    def self_test(self) -> DeviceStatus:
        return self.camera.self_test()
